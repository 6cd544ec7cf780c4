//! The same scenario gives the same run, byte for byte; a different seed gives a different one.
//!
//! Each scenario (the happy path and failure scenarios of different kinds) is run twice with
//! `enrollsim::run_scenario`; the rendered timelines of the attempt and of the fix, the device
//! console log and the Company Portal log of the evidence bundle, and the diagnosis as JSON
//! must be identical. Running with another `world.seed` must change the timeline, so the
//! comparison is not vacuous (a timeline with no seeded identifier in it would pass the first
//! half trivially).

use enrollsim::{run_scenario, RunReport, Scenario};

fn scenario(id: &str) -> Scenario {
    enrollsim::catalog::find(id)
        .expect("catalog loads")
        .unwrap_or_else(|| panic!("scenario {id} exists"))
}

/// Everything that must not change between two runs of the same scenario.
#[derive(Debug, PartialEq, Eq)]
struct Fingerprint {
    timeline: String,
    fix_timeline: String,
    device_log: Option<String>,
    company_portal_log: Option<String>,
    diagnosis: String,
    outcome: String,
    fix_outcome: String,
}

fn fingerprint(r: &RunReport) -> Fingerprint {
    Fingerprint {
        timeline: r.timeline.render(),
        fix_timeline: r.fix_timeline.render(),
        device_log: r.evidence.device_log.clone(),
        company_portal_log: r.evidence.company_portal_log.clone(),
        diagnosis: serde_json::to_string_pretty(&r.diagnosis).expect("diagnosis serializes"),
        outcome: format!("{:?}", r.outcome),
        fix_outcome: format!("{:?}", r.fix_outcome),
    }
}

/// The first line where two texts differ, for a readable failure.
fn first_difference(a: &str, b: &str) -> String {
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            return format!("line {}:\n  first:  {x}\n  second: {y}", i + 1);
        }
    }
    format!(
        "one is a prefix of the other ({} vs {} lines)",
        a.lines().count(),
        b.lines().count()
    )
}

fn assert_same(what: &str, id: &str, a: &str, b: &str) {
    assert!(
        a == b,
        "{id}: {what} differs between two runs of the same scenario; {}",
        first_difference(a, b)
    );
}

async fn assert_deterministic(id: &str) {
    let s = scenario(id);
    let first = run_scenario(&s).await.expect("first run starts");
    let second = run_scenario(&s).await.expect("second run starts");
    assert!(first.holds(), "{id}: the scenario itself does not hold");
    let (a, b) = (fingerprint(&first), fingerprint(&second));
    assert!(!a.timeline.is_empty(), "{id}: empty timeline");
    assert!(
        a.device_log.as_deref().is_some_and(|l| !l.is_empty()),
        "{id}: no device console log in the evidence"
    );
    assert_same("the timeline", id, &a.timeline, &b.timeline);
    assert_same("the fix timeline", id, &a.fix_timeline, &b.fix_timeline);
    assert_same(
        "the device console log",
        id,
        a.device_log.as_deref().unwrap_or(""),
        b.device_log.as_deref().unwrap_or(""),
    );
    assert_same(
        "the Company Portal log",
        id,
        a.company_portal_log.as_deref().unwrap_or(""),
        b.company_portal_log.as_deref().unwrap_or(""),
    );
    assert_same("the diagnosis JSON", id, &a.diagnosis, &b.diagnosis);
    assert_eq!(a, b, "{id}: the runs differ");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn byod_success_runs_the_same_twice() {
    assert_deterministic("byod-success").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn previous_user_not_removed_runs_the_same_twice() {
    assert_deterministic("previous-user-not-removed").await;
}

// APNs refuses the expired push certificate during the TLS handshake; the failure text the
// client reports must not depend on which task wins a race (it lands in the timeline and in
// Intune's troubleshooting event), and the renewed certificate's upload must render the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accountnotonboarded_runs_the_same_twice() {
    // One pair of runs can agree by luck; a few pairs make the race show.
    for _ in 0..4 {
        assert_deterministic("accountnotonboarded").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_cap_reached_runs_the_same_twice() {
    assert_deterministic("device-cap-reached").await;
}

async fn run_with_seeds(id: &str) -> (u64, RunReport, u64, RunReport) {
    let s = scenario(id);
    let mut reseeded = s.clone();
    reseeded.world.seed = s.world.seed.wrapping_add(1);
    let a = run_scenario(&s).await.expect("run starts");
    let b = run_scenario(&reseeded).await.expect("reseeded run starts");
    (s.world.seed, a, reseeded.world.seed, b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_different_seed_gives_a_different_timeline() {
    for id in ["byod-success", "previous-user-not-removed"] {
        let (seed_a, a, seed_b, b) = run_with_seeds(id).await;
        // The seed changes identifiers, not what happens.
        assert!(a.holds() && b.holds(), "{id}: the seed changed the verdict");
        assert_eq!(
            std::mem::discriminant(&a.outcome),
            std::mem::discriminant(&b.outcome),
            "{id}: the seed changed the outcome"
        );
        assert_ne!(
            a.timeline.render(),
            b.timeline.render(),
            "{id}: seeds {seed_a} and {seed_b} gave the same timeline"
        );
        assert_ne!(
            a.evidence.device_log, b.evidence.device_log,
            "{id}: seeds {seed_a} and {seed_b} gave the same device log"
        );
    }
}

/// `Timeline::redacted` is documented to mask UUIDs, hex tokens and serial numbers "for
/// snapshots that should survive a change of seed", so two seeds must redact to the same text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redacted_timelines_survive_a_change_of_seed() {
    for id in ["byod-success", "previous-user-not-removed"] {
        let (_, a, _, b) = run_with_seeds(id).await;
        assert_eq!(
            a.timeline.redacted(),
            b.timeline.redacted(),
            "{id}: the redacted timelines differ between seeds; {}",
            first_difference(&a.timeline.redacted(), &b.timeline.redacted())
        );
    }
}
