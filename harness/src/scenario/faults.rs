//! Network faults a scenario schedules (`[[world.faults]]`): the verbs of the simulator's
//! fault table, in a scenario's words, with windows measured from the scenario's start.
//!
//! They are world state like the tenant: a run meets them through the real flows, and nothing
//! reads them but the listeners and clients of the world.

use serde::{Deserialize, Serialize};

use super::span::Span;

/// What goes wrong (`fault = ...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum FaultKind {
    /// The service refuses connections.
    Down,
    /// Every exchange takes `latency_ms` longer (virtual time).
    Slow,
    /// The service answers `503` with `Retry-After: retry_after`.
    Unavailable,
    /// Connections are reset mid-body.
    Reset,
    /// TLS handshakes time out.
    TlsTimeout,
    /// The host name does not resolve.
    Unresolvable,
    /// Apple's push provider API is unavailable (`503 ServiceUnavailable`).
    ApnsOutage,
    /// A device's clock is off the world's by `skew` (its TLS and its logs read its own clock).
    ClockSkew,
}

/// One scheduled fault.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// What goes wrong.
    pub fault: FaultKind,
    /// The host it affects, or `*` for every host (not needed for `apns-outage`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The fraction of requests hit, 0–1 (network faults only; 1 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    /// When it begins, after the scenario's start (at the start when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Span>,
    /// How long it lasts (for ever when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lasting: Option<Span>,
    /// The latency a `slow` fault adds, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// The `Retry-After` (seconds) of `unavailable` and `apns-outage`; 60 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// The device a `clock-skew` is on (its serial number); every device when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// How far a `clock-skew` sets the device's clock off: ahead (`"400d"`) or behind
    /// (`"-400d"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skew: Option<Span>,
}

impl FaultSpec {
    /// `kind` on `host` for the whole run, on every request.
    pub fn new(kind: FaultKind, host: &str) -> Self {
        FaultSpec {
            fault: kind,
            host: Some(host.to_string()),
            rate: None,
            after: None,
            lasting: None,
            latency_ms: None,
            retry_after: None,
            device: None,
            skew: None,
        }
    }

    /// The clock of the device with serial number `device` (every device: `None`) off the
    /// world's by `skew` (negative: behind), for the whole run.
    pub fn clock_skew(device: Option<&str>, skew: Span) -> Self {
        FaultSpec {
            host: None,
            device: device.map(str::to_string),
            skew: Some(skew),
            ..FaultSpec::new(FaultKind::ClockSkew, "")
        }
    }

    /// An APNs outage beginning `after` the start and lasting `lasting`.
    pub fn apns_outage(after: Span, lasting: Span) -> Self {
        FaultSpec {
            host: None,
            after: Some(after),
            lasting: Some(lasting),
            ..FaultSpec::new(FaultKind::ApnsOutage, "")
        }
    }

    /// Only on a fraction of the requests.
    #[must_use]
    pub fn rate(mut self, rate: f64) -> Self {
        self.rate = Some(rate);
        self
    }

    /// Only from `after` the start, for `lasting`.
    #[must_use]
    pub fn window(mut self, after: Span, lasting: Span) -> Self {
        self.after = Some(after);
        self.lasting = Some(lasting);
        self
    }
}
