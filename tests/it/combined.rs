//! Combined faults (`tests/combined/`): worlds holding two or three of the article's causes at
//! once. The services check in a fixed order, so the user meets the first cause, and each of
//! the others only once the ones before it are fixed. Each scenario must: reproduce the first
//! failure; be diagnosed blind as the cause checked first, with the later ones listed as
//! follow-ons; then, fix by fix, reproduce and diagnose each following failure; and enroll once
//! every fix is in.

use std::path::{Path, PathBuf};

use enrollsim::{run_scenario, Cause, RunReport, Scenario};

fn combined_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/combined")
}

fn failure(r: &RunReport) -> String {
    let stages: Vec<String> = r
        .stages
        .iter()
        .map(|s| {
            format!(
                "[expected {}/{} reproduced={} diagnosed={:?}/{:?} fix_error={:?}]",
                s.section.id(),
                s.cause_expected.id(),
                s.reproduced,
                s.diagnosed_section,
                s.diagnosed_cause,
                s.fix_error
            )
        })
        .collect();
    format!(
        "{}: reproduced={} diagnosed={:?}/{:?} expected={:?}/{:?} fixed={} last={:?} err={:?} stages={}",
        r.id,
        r.reproduced,
        r.diagnosed_section(),
        r.diagnosed_cause(),
        r.section,
        r.cause_expected,
        r.fixed,
        r.fix_outcome,
        r.fix_error,
        stages.join(" ")
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_names_the_first_cause_lists_the_others_and_enrolls_after_every_fix() {
    let scenarios = enrollsim::catalog::load(combined_dir()).expect("combined scenarios load");
    assert!(
        scenarios.len() >= 10,
        "only {} combined scenarios",
        scenarios.len()
    );
    let mut failures = Vec::new();
    for s in &scenarios {
        assert!(!s.expect.then.is_empty(), "{} holds a single fault", s.id);
        let r = run_scenario(s).await.expect("world starts");
        if !r.holds() || r.stages.len() != s.expect.then.len() {
            failures.push(failure(&r));
            continue;
        }
        // Every later cause is announced by the first diagnosis, in the order it will be met.
        let announced: Vec<Cause> = r
            .diagnosis
            .as_ref()
            .map(|d| d.follow_ons.iter().map(|f| f.cause).collect())
            .unwrap_or_default();
        let expected: Vec<Cause> = s.expect.then.iter().map(|t| t.cause).collect();
        if announced != expected {
            failures.push(format!(
                "{}: follow-ons {announced:?}, expected {expected:?}",
                s.id
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The text of a combined scenario, for variations on it.
fn text(id: &str) -> String {
    std::fs::read_to_string(combined_dir().join(format!("{id}.toml"))).expect("scenario file")
}

/// Everything from the first `[[expect.then]]` to the next top-level table, removed.
fn without_stages(text: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in text.lines() {
        if line.starts_with("[[expect.then]]") {
            skipping = true;
            continue;
        }
        if skipping && line.starts_with('[') {
            skipping = false;
        }
        if !skipping {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_following_failure_left_undeclared_fails_the_run() {
    // The first fix alone does not make the device enroll: the device limit is still reached.
    let text = without_stages(&text("unlicensed-user-at-device-limit"));
    let s = Scenario::from_toml_str(&text, "first-fix-only.toml").expect("loads");
    assert!(s.expect.then.is_empty());
    let r = run_scenario(&s).await.expect("world starts");
    assert!(r.reproduced, "{}", failure(&r));
    assert_eq!(r.diagnosed_cause(), Some(Cause::UserNotLicensed));
    assert!(!r.fixed, "{}", failure(&r));
    assert!(!r.holds());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declared_stage_that_never_comes_fails_the_run() {
    // A single fault said to be followed by the device limit: after the licence is assigned
    // the device enrolls, so the stage is not reproduced and the replay stops there.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let single = std::fs::read_to_string(root.join("scenarios/user-license-type-invalid.toml"))
        .expect("catalog file");
    let text = format!(
        "{single}\n[[expect.then]]\nsection = \"device-cap-reached\"\ncause = \"device-limit-reached\"\n"
    );
    let s = Scenario::from_toml_str(&text, "phantom-stage.toml").expect("loads");
    let r = run_scenario(&s).await.expect("world starts");
    assert!(r.reproduced && r.diagnosed_cause() == Some(Cause::UserNotLicensed));
    assert_eq!(r.stages.len(), 1);
    assert!(!r.stages[0].reproduced, "{}", failure(&r));
    assert!(!r.fixed && !r.holds(), "{}", failure(&r));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_faults_report_snapshot() {
    let s =
        Scenario::load(combined_dir().join("outdated-portal-unlicensed-user-at-device-limit.toml"))
            .expect("loads");
    let r = run_scenario(&s).await.expect("world starts");
    assert!(r.holds(), "{}", failure(&r));
    crate::snapshot_settings().bind(|| {
        insta::assert_snapshot!(
            "combined__three_faults_report",
            enrollsim::snapshot::report(&r)
        );
    });
}
