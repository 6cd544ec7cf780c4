//! The scenario's `[[world.faults]]` put into the world's fault table at start.

use enrollsim_simulator::cloud::apns::APNS_HOST;
use enrollsim_simulator::net::faults::{Fault, FaultVerb};
use enrollsim_simulator::world::World;
use time::OffsetDateTime;

use super::{Lab, LabError};
use crate::scenario::{FaultKind, FaultSpec};

/// The `Retry-After` of an outage whose spec gives none (seconds).
const DEFAULT_RETRY_AFTER_SECS: u64 = 60;

/// Schedules every fault of the spec, its window measured from `start`.
pub(super) fn schedule(
    world: &World,
    faults: &[FaultSpec],
    start: OffsetDateTime,
) -> Result<(), LabError> {
    for spec in faults {
        world.faults.add(fault(spec, start)?);
    }
    Ok(())
}

impl Lab {
    /// Schedules `spec` in the running world, its window measured from now.
    pub fn schedule_fault(&self, spec: &FaultSpec) -> Result<(), LabError> {
        let now = self.world.clock.now();
        self.world.faults.add(fault(spec, now)?);
        Ok(())
    }

    /// How many requests faults of `kind` hit so far.
    pub fn fault_hits(&self, kind: FaultKind) -> u64 {
        let verb = match kind {
            FaultKind::Down => "Down",
            FaultKind::Slow => "Slow",
            FaultKind::Unavailable | FaultKind::ApnsOutage => "Unavailable",
            FaultKind::Reset => "ResetMidBody",
            FaultKind::TlsTimeout => "TlsHandshakeTimeout",
            FaultKind::Unresolvable => "Unresolvable",
            FaultKind::ClockSkew => "ClockSkew",
        };
        self.world.faults.hits(verb)
    }
}

/// The simulator's fault for one spec; an inconsistent spec is a [`LabError::Spec`].
fn fault(spec: &FaultSpec, start: OffsetDateTime) -> Result<Fault, LabError> {
    let invalid = |why: &str| LabError::Spec(format!("world.faults ({:?}): {why}", spec.fault));
    let retry_after_secs = spec.retry_after.unwrap_or(DEFAULT_RETRY_AFTER_SECS);
    let verb = match spec.fault {
        FaultKind::Down => FaultVerb::Down,
        FaultKind::Slow => FaultVerb::Slow {
            latency_ms: spec
                .latency_ms
                .ok_or_else(|| invalid("`slow` needs `latency_ms`"))?,
        },
        FaultKind::Unavailable | FaultKind::ApnsOutage => {
            FaultVerb::Unavailable { retry_after_secs }
        }
        FaultKind::Reset => FaultVerb::ResetMidBody,
        FaultKind::TlsTimeout => FaultVerb::TlsHandshakeTimeout,
        FaultKind::Unresolvable => FaultVerb::Unresolvable,
        FaultKind::ClockSkew => FaultVerb::ClockSkew {
            skew_secs: spec
                .skew
                .ok_or_else(|| invalid("`clock-skew` needs `skew`"))?
                .duration()
                .whole_seconds(),
        },
    };
    if spec.fault != FaultKind::ClockSkew && spec.device.is_some() {
        return Err(invalid("only `clock-skew` takes a `device`"));
    }
    let host = match (spec.fault, spec.host.as_deref()) {
        (FaultKind::ApnsOutage, None) => APNS_HOST,
        (FaultKind::ApnsOutage, Some(_)) => return Err(invalid("`apns-outage` takes no `host`")),
        // A clock skew is on a device (its serial number), not on a host.
        (FaultKind::ClockSkew, None) => spec.device.as_deref().unwrap_or("*"),
        (FaultKind::ClockSkew, Some(_)) => {
            return Err(invalid("`clock-skew` takes a `device`, not a `host`"))
        }
        (_, Some(host)) if !host.is_empty() => host,
        _ => return Err(invalid("needs a `host` (or `*`)")),
    };
    let mut fault = Fault::new(host, verb);
    if let Some(rate) = spec.rate {
        if !(0.0..=1.0).contains(&rate) {
            return Err(invalid("`rate` must be between 0 and 1"));
        }
        fault = fault.rate(rate);
    }
    let from = start + spec.after.map(|s| s.duration()).unwrap_or_default();
    fault.from = Some(from);
    fault.until = spec.lasting.map(|l| from + l.duration());
    Ok(fault)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Span;

    #[test]
    fn an_outage_window_is_measured_from_the_start() {
        let start = time::macros::datetime!(2026-11-26 09:00 UTC);
        let f = fault(
            &FaultSpec::apns_outage(Span::minutes(5), Span::minutes(10)),
            start,
        )
        .unwrap();
        assert_eq!(f.host, APNS_HOST);
        assert_eq!(f.from, Some(start + time::Duration::minutes(5)));
        assert_eq!(f.until, Some(start + time::Duration::minutes(15)));
    }

    #[test]
    fn inconsistent_faults_are_refused() {
        let start = time::macros::datetime!(2026-11-26 09:00 UTC);
        assert!(fault(&FaultSpec::new(FaultKind::Slow, "a.example"), start).is_err());
        assert!(fault(
            &FaultSpec::new(FaultKind::Reset, "a.example").rate(2.0),
            start
        )
        .is_err());
        let mut no_host = FaultSpec::new(FaultKind::Down, "");
        no_host.host = None;
        assert!(fault(&no_host, start).is_err());
    }
}
