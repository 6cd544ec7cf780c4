//! Snapshots of what every failure scenario of the built-in catalog produces: the blind
//! diagnosis report (section, cause, confidence, evidence cited, resolution steps, candidates)
//! and the timeline of the user's attempt, the documented fix and the second attempt; plus the
//! evidence bundle's `bundle.json` manifest for one scenario.
//!
//! It proves that the diagnosis names each scenario's own section and cause (asserted
//! explicitly, not only through the snapshot) and that a run renders the same way every time:
//! the world runs on a virtual clock and a seeded RNG, so nothing is redacted: the timelines show
//! the seeded serial numbers, UUIDs and tokens as they are. A scenario added to the catalog adds
//! its own `tests/snapshots/diagnosis_snapshots__<id>__{diagnosis,timeline}.snap` files, which
//! have to be reviewed and committed (CI runs with `CI=true`, so insta never writes them there).

use std::path::Path;

use enrollsim::{RunReport, Scenario};

/// insta settings shared by every snapshot of this module: the files live in
/// `tests/snapshots/`, named `diagnosis_snapshots__<id>__<part>.snap`, and carry the scenario's
/// title as their description.
///
/// No filter: the virtual clock and the seeded RNG make every run render byte for byte the same.
/// (Two things used to vary from process to process, the size of the push certificate upload in
/// the timeline and the wording of Apple refusing an expired push certificate; the timeline now
/// shows JSON keys instead of sizes, and the client reports the connection's own TLS error.)
/// Should something vary again, mask exactly that with `add_filter` here and say why.
fn settings() -> insta::Settings {
    let mut s = crate::snapshot_settings();
    s.set_omit_expression(true);
    s
}

fn failure_scenarios() -> Vec<Scenario> {
    enrollsim::catalog::builtin()
        .expect("the built-in catalog loads")
        .into_iter()
        .filter(|s| s.section.is_some())
        .collect()
}

fn outcome_line(label: &str, outcome: &enrollsim::Outcome) -> String {
    format!(
        "{label}: {}\n",
        serde_json::to_string(outcome).expect("an outcome serializes")
    )
}

/// The user's attempt, how it ended, then the resolution and the second attempt.
fn timeline_text(r: &RunReport) -> String {
    let mut out = String::from("-- the user's attempt --\n");
    out.push_str(&r.timeline.render());
    out.push_str(&outcome_line("outcome", &r.outcome));
    out.push_str("\n-- resolution and second attempt --\n");
    out.push_str(&r.fix_timeline.render());
    if let Some(o) = &r.fix_outcome {
        out.push_str(&outcome_line("outcome after the fix", o));
    }
    if let Some(e) = &r.fix_error {
        out.push_str(&format!("resolution error: {e}\n"));
    }
    out
}

/// Runs `s`, turning a hang into a failure that names the scenario (a run takes well under a
/// second of wall time; everything slow in it happens on the virtual clock).
async fn run(s: &Scenario) -> RunReport {
    tokio::time::timeout(
        std::time::Duration::from_secs(120),
        enrollsim::run_scenario(s),
    )
    .await
    .unwrap_or_else(|_| panic!("{}: the run hangs", s.id))
    .unwrap_or_else(|e| panic!("{}: the world does not start: {e}", s.id))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_failure_scenario_is_diagnosed_and_snapshotted() {
    let scenarios = failure_scenarios();
    assert!(
        scenarios.len() >= 17,
        "only {} failure scenarios in the catalog",
        scenarios.len()
    );
    for s in &scenarios {
        let id = &s.id;
        let r = run(s).await;
        let diagnosis = r
            .diagnosis
            .as_ref()
            .unwrap_or_else(|| panic!("{id}: a failure scenario is diagnosed"));
        assert_eq!(diagnosis.section, s.section, "{id}: diagnosed section");
        assert_eq!(diagnosis.cause, s.cause, "{id}: diagnosed cause");
        assert_eq!(r.diagnosed_section(), s.section, "{id}: report's section");
        assert_eq!(r.diagnosed_cause(), s.cause, "{id}: report's cause");
        assert!(
            r.reproduced,
            "{id}: failure not reproduced: {:?}",
            r.outcome
        );
        assert!(
            r.fixed,
            "{id}: not fixed: {:?} {:?}",
            r.fix_outcome, r.fix_error
        );

        let mut settings = settings();
        settings.set_description(format!("{id}: {}", s.title));
        settings.bind(|| {
            insta::assert_snapshot!(
                format!("diagnosis_snapshots__{id}__diagnosis"),
                diagnosis.render_text()
            );
            insta::assert_snapshot!(
                format!("diagnosis_snapshots__{id}__timeline"),
                timeline_text(&r)
            );
        });
    }
}

/// Every snapshot file of this suite belongs to a scenario still in the catalog, so a removed
/// or renamed scenario does not leave stale snapshots behind.
#[test]
fn no_snapshot_outlives_its_scenario() {
    let ids: Vec<String> = failure_scenarios().into_iter().map(|s| s.id).collect();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix("diagnosis_snapshots__") else {
            continue;
        };
        let Some(stem) = rest.strip_suffix(".snap") else {
            continue;
        };
        let id = stem
            .strip_suffix("__diagnosis")
            .or_else(|| stem.strip_suffix("__timeline"))
            .or_else(|| stem.strip_suffix("__bundle_manifest"))
            .unwrap_or(stem);
        assert!(
            ids.iter().any(|known| known == id),
            "{name} belongs to no failure scenario of the catalog; delete it"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evidence_bundle_manifest_snapshot() {
    let id = "device-cap-reached";
    let scenario = enrollsim::catalog::find(id)
        .expect("the built-in catalog loads")
        .expect("the scenario exists");
    let r = run(&scenario).await;
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let dir = tmp.path().join(id);
    r.evidence.write_dir(&dir).expect("the bundle is written");
    let text = std::fs::read_to_string(dir.join("bundle.json")).expect("bundle.json is written");
    let manifest: serde_json::Value = serde_json::from_str(&text).expect("bundle.json is JSON");
    // Every file the manifest names was written next to it.
    let files = manifest["files"].as_object().expect("files is a map");
    assert!(!files.is_empty(), "the manifest names no part");
    for (part, name) in files {
        let name = name.as_str().expect("file names are strings");
        assert!(dir.join(name).is_file(), "{part}: {name} was not written");
    }
    settings().bind(|| {
        insta::assert_json_snapshot!(
            format!("diagnosis_snapshots__{id}__bundle_manifest"),
            manifest
        );
    });
}
