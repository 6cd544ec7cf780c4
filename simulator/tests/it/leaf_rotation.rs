//! A service's TLS leaf over time: a year-long leaf, replaced by a new one weeks before it
//! expires (the old one still valid at that moment, as when a real service rotates), judged
//! on the virtual clock; and, for a world served to outside clients, one that the system
//! clock accepts too however far the virtual clock has moved.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use enrollsim_certs::inspect::{self, CertificateFacts as Facts};
use enrollsim_certs::LabPki;
use enrollsim_simulator::clock::VirtualClock;
use enrollsim_simulator::net::tls::{RotatingLeaf, LEAF_LIFETIME, LEAF_RENEWAL_MARGIN};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

fn facts(leaves: &RotatingLeaf) -> Facts {
    let key = leaves.current().expect("a leaf");
    inspect::facts(&key.cert[0]).expect("a certificate")
}

fn covers(f: &Facts, at: OffsetDateTime) -> bool {
    f.not_before <= at && at < f.not_after
}

#[test]
fn a_leaf_is_renewed_before_it_expires_and_never_outlives_its_lifetime() {
    let start = datetime!(2026-11-26 10:00 UTC);
    let clock = VirtualClock::starting_at(start);
    let pki = Arc::new(LabPki::new(start).expect("a PKI"));
    let leaves = RotatingLeaf::new(pki, &["a.test"], clock.clone(), Arc::default());

    let first = facts(&leaves);
    assert!(covers(&first, start));
    assert_eq!(first.common_name.as_deref(), Some("a.test"));
    assert!(first.not_after - start <= LEAF_LIFETIME);

    // Well inside its life, the same leaf is served.
    clock.advance(Duration::days(200));
    assert_eq!(facts(&leaves).serial_hex, first.serial_hex);

    // Within the renewal margin a new leaf replaces it while the old one is still valid.
    let due = first.not_after - LEAF_RENEWAL_MARGIN + Duration::days(1);
    clock.advance_to(due);
    let second = facts(&leaves);
    assert_ne!(second.serial_hex, first.serial_hex);
    assert!(covers(&first, due) && covers(&second, due));

    // Three years on, every moment was covered by the leaf served at it.
    let mut serials = vec![first.serial_hex, second.serial_hex];
    for _ in 0..36 {
        clock.advance(Duration::days(30));
        let f = facts(&leaves);
        let now = clock.now();
        assert!(covers(&f, now), "{now}: {f:?}");
        assert!(f.not_after - f.not_before <= LEAF_LIFETIME + Duration::days(30));
        if serials.last() != Some(&f.serial_hex) {
            serials.push(f.serial_hex);
        }
    }
    assert!(serials.len() >= 4, "{serials:?}");
}

#[test]
fn a_world_served_to_outside_clients_gets_a_leaf_the_system_clock_accepts() {
    let wall = OffsetDateTime::now_utc();
    let clock = VirtualClock::starting_at(wall);
    let pki = Arc::new(LabPki::new(wall).expect("a PKI"));
    let system_clock = Arc::new(AtomicBool::new(false));
    let leaves = RotatingLeaf::new(pki, &["a.test"], clock.clone(), system_clock.clone());
    leaves.current().expect("a leaf");

    // A history moves the virtual clock 400 days past the system clock.
    clock.advance(Duration::days(400));
    let virtual_only = facts(&leaves);
    assert!(covers(&virtual_only, clock.now()));
    assert!(!covers(&virtual_only, OffsetDateTime::now_utc()));

    system_clock.store(true, Ordering::Relaxed);
    let both = facts(&leaves);
    assert!(covers(&both, clock.now()));
    assert!(covers(&both, OffsetDateTime::now_utc()));
}
