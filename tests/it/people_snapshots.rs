//! Snapshots of the tenant and people suites (`tests/tenant/`, `tests/people/`): for each
//! scenario, how its run ended (the other users' attempts, the action, the fix) and, for a
//! failure, the blind diagnosis report. These worlds carry groups, group licences, Conditional
//! Access, several users and devices and a replayed history; the snapshots pin down what the
//! diagnosis makes of them, so a change in a rule's weighing shows up as a reviewed diff.
//!
//! Files: `tests/snapshots/people_snapshots__<id>.snap`. No filter: the virtual clock and the
//! seeded RNG make every run render the same.

use std::fmt::Write as _;
use std::path::Path;

use enrollsim::{RunReport, Scenario};

fn suites() -> Vec<Scenario> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut all = Vec::new();
    for dir in ["tenant", "people"] {
        all.extend(enrollsim::catalog::load(root.join(dir)).expect("the suite loads"));
    }
    all
}

fn outcome(o: &enrollsim::Outcome) -> String {
    serde_json::to_string(o).expect("an outcome serializes")
}

/// What a reviewer needs to judge a run: each attempt and its outcome, the action's, the
/// scope the evidence reports, the diagnosis, and how the fix ended.
fn render(s: &Scenario, r: &RunReport) -> String {
    let mut out = String::new();
    for (i, a) in r.attempts.iter().enumerate() {
        let _ = writeln!(
            out,
            "attempt {i}: reproduced={} outcome={}",
            a.reproduced,
            outcome(&a.outcome)
        );
    }
    let _ = writeln!(out, "action: outcome={}", outcome(&r.outcome));
    let _ = writeln!(out, "affected users: {:?}", r.evidence.affected_users());
    if let Some(d) = &r.diagnosis {
        let _ = writeln!(out, "\n-- diagnosis --\n{}", d.render_text());
    }
    if s.section.is_some() {
        if let Some(o) = &r.fix_outcome {
            let _ = writeln!(out, "after the fix: {}", outcome(o));
        }
        if let Some(e) = &r.fix_error {
            let _ = writeln!(out, "resolution error: {e}");
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_tenant_and_people_scenario_holds_and_is_snapshotted() {
    let scenarios = suites();
    let mut failures = Vec::new();
    for s in &scenarios {
        let r = enrollsim::run_scenario(s)
            .await
            .unwrap_or_else(|e| panic!("{}: the world does not start: {e}", s.id));
        if !r.holds() {
            failures.push(format!(
                "{}: reproduced={} diagnosed={:?}/{:?} fixed={} outcome={:?} fix={:?} err={:?}",
                s.id,
                r.reproduced,
                r.diagnosed_section(),
                r.diagnosed_cause(),
                r.fixed,
                r.outcome,
                r.fix_outcome,
                r.fix_error
            ));
            continue;
        }
        let mut settings = crate::snapshot_settings();
        settings.set_omit_expression(true);
        settings.set_description(format!("{}: {}", s.id, s.title));
        settings.bind(|| {
            insta::assert_snapshot!(format!("people_snapshots__{}", s.id), render(s, &r));
        });
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
