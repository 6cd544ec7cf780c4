//! The virtual clock that every party of a world reads.
//!
//! Real time never leaks into a run: certificate validity (rustls asks this clock through
//! [`rustls::time_provider::TimeProvider`]), log timestamps, token expiry, the ADE sync throttle
//! and the APNs grace period all read the same clock, which only moves when a party says time
//! passes. That is what makes a scenario's timeline identical from run to run, and what lets a
//! scenario state "the push certificate expired 40 days ago" without waiting 40 days.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use rustls::pki_types::UnixTime;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime, UtcOffset};

/// A shared, manually advanced clock with millisecond resolution.
///
/// A world has one clock, which the services read. Each device gets a [`VirtualClock::child`]:
/// its own view of time, which it moves by its own steps (a user reading a screen for 25
/// seconds) and which pushes the world's clock forward to it. A thousand devices whose users
/// wait at the same moment thus move the world by one wait, not a thousand: the world's time is
/// the latest of its parties' times, not the sum of their waits.
#[derive(Clone, Debug)]
pub struct VirtualClock {
    millis: Arc<AtomicI64>,
    parent: Option<Arc<AtomicI64>>,
}

impl VirtualClock {
    /// A clock that reads `start`.
    pub fn starting_at(start: OffsetDateTime) -> Self {
        let millis = (start.unix_timestamp_nanos() / 1_000_000) as i64;
        VirtualClock {
            millis: Arc::new(AtomicI64::new(millis)),
            parent: None,
        }
    }

    /// A party's own clock, starting at this clock's time; moving it moves this clock forward
    /// to it (never back).
    pub fn child(&self) -> VirtualClock {
        VirtualClock {
            millis: Arc::new(AtomicI64::new(self.millis.load(Ordering::SeqCst))),
            parent: Some(self.millis.clone()),
        }
    }

    /// Brings a child clock up to its world's time (a party starting something new — an
    /// enrollment, an action — starts no earlier than the world's now).
    pub fn catch_up(&self) {
        if let Some(parent) = &self.parent {
            self.millis
                .fetch_max(parent.load(Ordering::SeqCst), Ordering::SeqCst);
        }
    }

    fn publish(&self) {
        if let Some(parent) = &self.parent {
            parent.fetch_max(self.millis.load(Ordering::SeqCst), Ordering::SeqCst);
        }
    }

    /// The current virtual time.
    pub fn now(&self) -> OffsetDateTime {
        let ms = self.millis.load(Ordering::SeqCst);
        OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    /// Moves the clock forward by `by` (negative durations are ignored: time never runs back).
    pub fn advance(&self, by: Duration) {
        let ms = by.whole_milliseconds().max(0) as i64;
        self.millis.fetch_add(ms, Ordering::SeqCst);
        self.publish();
    }

    /// Moves the clock forward to `t` (nothing happens if `t` is not later than now).
    pub fn advance_to(&self, t: OffsetDateTime) {
        let ms = (t.unix_timestamp_nanos() / 1_000_000) as i64;
        self.millis.fetch_max(ms, Ordering::SeqCst);
        self.publish();
    }

    /// Moves the clock forward by `ms` milliseconds and returns the new time: the cost of one
    /// step of a protocol, so that consecutive log lines get distinct times.
    pub fn tick(&self, ms: i64) -> OffsetDateTime {
        self.millis.fetch_add(ms.max(0), Ordering::SeqCst);
        self.publish();
        self.now()
    }
}

impl rustls::time_provider::TimeProvider for VirtualClock {
    fn current_time(&self) -> Option<UnixTime> {
        let secs = self.now().unix_timestamp();
        u64::try_from(secs)
            .ok()
            .map(|s| UnixTime::since_unix_epoch(std::time::Duration::from_secs(s)))
    }
}

/// RFC 3339 rendering used in the JSON bodies and logs of the simulator: UTC, whole seconds
/// (`2026-11-26T10:40:12Z`), as Microsoft Graph shows times.
pub fn rfc3339(t: OffsetDateTime) -> String {
    let whole_seconds = t.to_offset(UtcOffset::UTC).replace_nanosecond(0);
    whole_seconds
        .map(|t| t.format(&Rfc3339).unwrap_or_default())
        .unwrap_or_default()
}

/// RFC 3339 rendering that keeps the fraction of a second and the offset, as Apple's DEP API
/// writes its times (`2024-05-01T10:00:00.25Z`).
pub fn rfc3339_exact(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// Parses the RFC 3339 times the services accept in JSON bodies.
pub fn parse_rfc3339(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn children_wait_in_parallel_and_push_the_world_forward() {
        let world = VirtualClock::starting_at(datetime!(2026-11-26 10:00 UTC));
        let (a, b) = (world.child(), world.child());
        a.advance(Duration::seconds(25));
        b.advance(Duration::seconds(25));
        assert_eq!(world.now(), datetime!(2026-11-26 10:00:25 UTC));
        world.advance(Duration::minutes(1));
        a.catch_up();
        assert_eq!(a.now(), datetime!(2026-11-26 10:01:25 UTC));
        assert_eq!(b.now(), datetime!(2026-11-26 10:00:25 UTC));
    }

    #[test]
    fn advances_and_never_goes_back() {
        let clock = VirtualClock::starting_at(datetime!(2026-11-26 10:00 UTC));
        clock.advance(Duration::days(2));
        clock.advance(Duration::seconds(-30));
        assert_eq!(clock.now(), datetime!(2026-11-28 10:00 UTC));
        assert_eq!(rfc3339(clock.tick(1500)), "2026-11-28T10:00:01Z");
    }

    #[test]
    fn renders_whole_seconds_in_utc_or_exactly() {
        let t = datetime!(2026-11-26 11:40:12.250 +01:00);
        assert_eq!(rfc3339(t), "2026-11-26T10:40:12Z");
        assert_eq!(rfc3339_exact(t), "2026-11-26T11:40:12.25+01:00");
        assert_eq!(parse_rfc3339(&rfc3339_exact(t)), Some(t));
        assert_eq!(
            rfc3339(datetime!(0999-01-02 03:04:05 UTC)),
            "0999-01-02T03:04:05Z"
        );
        assert_eq!(parse_rfc3339("yesterday"), None);
    }
}
