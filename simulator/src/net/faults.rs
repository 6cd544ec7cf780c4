//! Network faults as world state: a table of verbs, each on a host, for a window of virtual
//! time, hitting all or a seeded fraction of the requests.
//!
//! Deterministic simulation frameworks (FoundationDB's simulator, Jepsen's nemeses, turmoil)
//! make faults part of the world rather than of the test: the same seed and schedule give the
//! same failures. Here the listeners consult the table for what a server does (answer 503 with
//! `Retry-After`), and every client consults it for what the network does between a party and
//! a server (refuse the connection, add latency, reset it mid-body, let the TLS handshake time
//! out, fail to resolve the name). Which request a fractional fault hits is drawn from the
//! seeded RNG keyed by the party and how many requests that party has made to the host, never
//! by wall time or by the order in which concurrent parties happen to run.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use time::OffsetDateTime;

use crate::rng::SeededRng;

/// What goes wrong.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultVerb {
    /// The service is down: connections are refused before TLS.
    Down,
    /// Every exchange takes this much longer (virtual milliseconds).
    Slow {
        /// The added latency.
        latency_ms: u64,
    },
    /// The service answers `503 Service Unavailable` with `Retry-After` (seconds).
    Unavailable {
        /// The `Retry-After` it sends.
        retry_after_secs: u64,
    },
    /// The connection is reset mid-body: for half of the hits (drawn from the seeded RNG) while
    /// the request body is sent, so the server never sees it; for the other half while the
    /// response body arrives, after the server acted on the request.
    ResetMidBody,
    /// The TLS handshake never completes and the client gives up.
    TlsHandshakeTimeout,
    /// The host name does not resolve.
    Unresolvable,
    /// A device's clock is off by this many seconds (ahead when positive): its TLS judges
    /// server certificates and its logs are stamped by its own clock, while the services keep
    /// the world's time. The fault's `host` names the device (its serial number), or `*`
    /// for every device.
    ClockSkew {
        /// How far the device's clock is from the world's.
        skew_secs: i64,
    },
}

impl FaultVerb {
    /// Whether a server answers this fault (the rest happen on the network, as the client
    /// sees them, or on a device).
    pub fn is_server_side(&self) -> bool {
        matches!(self, FaultVerb::Unavailable { .. })
    }

    /// Whether the fault happens on the network between a party and a server.
    pub fn is_network(&self) -> bool {
        !self.is_server_side() && !matches!(self, FaultVerb::ClockSkew { .. })
    }
}

/// One scheduled fault.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    /// The host name it affects (lower case), or `*` for every host.
    pub host: String,
    /// What goes wrong.
    pub verb: FaultVerb,
    /// From when (virtual time; none: from the start).
    pub from: Option<OffsetDateTime>,
    /// Until when, exclusive (none: for ever).
    pub until: Option<OffsetDateTime>,
    /// The fraction of requests hit, 0–1 (client-side verbs only; a server-side verb hits
    /// every request in its window, as an outage does).
    pub rate: f64,
}

impl Fault {
    /// `verb` on `host`, on every request, for ever.
    pub fn new(host: &str, verb: FaultVerb) -> Self {
        Fault {
            host: host.to_ascii_lowercase(),
            verb,
            from: None,
            until: None,
            rate: 1.0,
        }
    }

    /// Only between `from` and `until`.
    pub fn between(mut self, from: OffsetDateTime, until: OffsetDateTime) -> Self {
        self.from = Some(from);
        self.until = Some(until);
        self
    }

    /// Only on a fraction `rate` (0–1) of the requests.
    pub fn rate(mut self, rate: f64) -> Self {
        self.rate = rate.clamp(0.0, 1.0);
        self
    }

    fn applies(&self, host: &str, now: OffsetDateTime) -> bool {
        (self.host == "*" || self.host.eq_ignore_ascii_case(host))
            && self.from.is_none_or(|f| now >= f)
            && self.until.is_none_or(|u| now < u)
    }
}

/// What the table decided for one request.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The verb.
    pub verb: FaultVerb,
    /// A seeded draw for verbs with variants (which half of a reset).
    pub draw: u64,
}

/// The world's faults, shared by its listeners and every client.
#[derive(Debug, Clone)]
pub struct FaultTable {
    seed: u64,
    faults: Arc<RwLock<Vec<Fault>>>,
    /// Requests each party has made to each host, the key of the seeded draw.
    attempts: Arc<Mutex<HashMap<(String, String), u64>>>,
    /// How many requests each verb hit (for tests and reports).
    hits: Arc<Mutex<HashMap<String, u64>>>,
}

impl Default for FaultTable {
    fn default() -> Self {
        FaultTable::new(0)
    }
}

impl FaultTable {
    /// An empty table whose draws are seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        FaultTable {
            seed,
            faults: Arc::default(),
            attempts: Arc::default(),
            hits: Arc::default(),
        }
    }

    /// Schedules `fault`.
    pub fn add(&self, fault: Fault) {
        self.faults
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .push(fault);
    }

    /// Removes every fault (the network heals).
    pub fn clear(&self) {
        self.faults
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    /// The scheduled faults.
    pub fn all(&self) -> Vec<Fault> {
        self.faults
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// How many requests `verb`'s kind hit so far (by its debug name without fields, e.g.
    /// `ResetMidBody`).
    pub fn hits(&self, verb_kind: &str) -> u64 {
        self.hits
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(verb_kind)
            .copied()
            .unwrap_or(0)
    }

    fn count_hit(&self, verb: &FaultVerb) {
        let kind = format!("{verb:?}");
        let kind = kind.split([' ', '{']).next().unwrap_or("").to_string();
        *self
            .hits
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(kind)
            .or_default() += 1;
    }

    /// What the server of `host` does at `now`: the first server-side fault in its window.
    pub fn server_fault(&self, host: &str, now: OffsetDateTime) -> Option<FaultVerb> {
        let hit = self
            .faults
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .find(|f| f.verb.is_server_side() && f.applies(host, now))
            .map(|f| f.verb.clone());
        if let Some(verb) = &hit {
            self.count_hit(verb);
        }
        hit
    }

    /// What the network does to `party`'s next request to `host` at `now`: every client-side
    /// fault in its window whose seeded draw hits (latency first, so that a slow network and a
    /// reset can both apply). Each call counts as one request of `party` to `host`.
    pub fn client_faults(&self, party: &str, host: &str, now: OffsetDateTime) -> Vec<Hit> {
        let faults: Vec<Fault> = self
            .faults
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|f| f.verb.is_network() && f.applies(host, now))
            .cloned()
            .collect();
        if faults.is_empty() {
            return Vec::new();
        }
        let attempt = {
            let mut attempts = self.attempts.lock().unwrap_or_else(|p| p.into_inner());
            let n = attempts
                .entry((party.to_string(), host.to_ascii_lowercase()))
                .or_default();
            *n += 1;
            *n
        };
        let draws = SeededRng::new(self.seed ^ key_hash(party, host) ^ attempt);
        let mut hits: Vec<Hit> = faults
            .into_iter()
            .filter_map(|f| {
                let draw = draws.next_u64();
                let roll = (draw >> 11) as f64 / (1u64 << 53) as f64;
                (roll < f.rate).then_some(Hit { verb: f.verb, draw })
            })
            .collect();
        hits.sort_by_key(|h| !matches!(h.verb, FaultVerb::Slow { .. }));
        for h in &hits {
            self.count_hit(&h.verb);
        }
        hits
    }
}

impl FaultTable {
    /// How far the clock of the device with serial number `serial` is off at world time `now`
    /// (zero when no clock skew applies to it).
    pub fn clock_skew(&self, serial: &str, now: OffsetDateTime) -> time::Duration {
        self.faults
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|f| f.applies(serial, now))
            .find_map(|f| match f.verb {
                FaultVerb::ClockSkew { skew_secs } => Some(time::Duration::seconds(skew_secs)),
                _ => None,
            })
            .unwrap_or(time::Duration::ZERO)
    }
}

/// FNV-1a over the party and host: a stable key (std's hashers may change between releases).
fn key_hash(party: &str, host: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in party.bytes().chain([0]).chain(host.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_hits_the_same_requests() {
        let now = OffsetDateTime::UNIX_EPOCH;
        let run = || {
            let t = FaultTable::new(7);
            t.add(Fault::new("a.example", FaultVerb::ResetMidBody).rate(0.3));
            (0..200)
                .map(|_| !t.client_faults("dev1", "a.example", now).is_empty())
                .collect::<Vec<_>>()
        };
        let first = run();
        assert_eq!(first, run());
        let hit = first.iter().filter(|h| **h).count();
        assert!((30..90).contains(&hit), "{hit} of 200 hit at rate 0.3");
    }

    #[test]
    fn a_clock_skew_is_a_devices_own_and_never_hits_a_request() {
        let now = OffsetDateTime::UNIX_EPOCH;
        let t = FaultTable::new(3);
        t.add(Fault::new(
            "F2LXJ0001",
            FaultVerb::ClockSkew { skew_secs: -600 },
        ));
        assert_eq!(t.clock_skew("f2lxj0001", now), time::Duration::minutes(-10));
        assert_eq!(t.clock_skew("F2LXJ0002", now), time::Duration::ZERO);
        assert!(t.client_faults("dev", "F2LXJ0001", now).is_empty());
        assert_eq!(t.server_fault("F2LXJ0001", now), None);
    }

    #[test]
    fn a_window_bounds_a_fault_and_other_hosts_are_spared() {
        let t0 = OffsetDateTime::UNIX_EPOCH;
        let t = FaultTable::new(1);
        t.add(
            Fault::new(
                "apns.example",
                FaultVerb::Unavailable {
                    retry_after_secs: 30,
                },
            )
            .between(
                t0 + time::Duration::minutes(1),
                t0 + time::Duration::minutes(2),
            ),
        );
        assert_eq!(t.server_fault("apns.example", t0), None);
        assert!(t
            .server_fault("apns.example", t0 + time::Duration::seconds(90))
            .is_some());
        assert_eq!(
            t.server_fault("other.example", t0 + time::Duration::seconds(90)),
            None
        );
        assert_eq!(
            t.server_fault("apns.example", t0 + time::Duration::minutes(2)),
            None
        );
        assert_eq!(t.hits("Unavailable"), 1);
    }
}
