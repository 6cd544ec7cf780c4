//! The device's own clock: the world's time plus the clock skew the world's fault table gives
//! this device (`FaultVerb::ClockSkew`). The device's TLS judges server certificates by it and
//! its logs are stamped with it, while the services keep the world's time — as an iPhone whose
//! date was set by hand, or drifted without network time, meets the real services.

use rustls::pki_types::UnixTime;
use time::OffsetDateTime;

use crate::clock::VirtualClock;
use crate::net::faults::FaultTable;

/// The time as the device with `serial` reads it.
#[derive(Debug, Clone)]
pub(crate) struct OwnClock {
    pub(crate) clock: VirtualClock,
    pub(crate) faults: FaultTable,
    pub(crate) serial: String,
}

impl OwnClock {
    /// The device's time: the world's, off by its skew.
    pub(crate) fn now(&self) -> OffsetDateTime {
        let world = self.clock.now();
        world + self.faults.clock_skew(&self.serial, world)
    }
}

impl rustls::time_provider::TimeProvider for OwnClock {
    fn current_time(&self) -> Option<UnixTime> {
        u64::try_from(self.now().unix_timestamp())
            .ok()
            .map(|s| UnixTime::since_unix_epoch(std::time::Duration::from_secs(s)))
    }
}
