//! `enrollsim export` writes blind cases with their ground truth, and `enrollsim score` grades
//! answers against it: enrollsim's own diagnosis scores every case, a wrong answer fails.

use std::process::Command;

fn enrollsim(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_enrollsim"))
        .args(args)
        .output()
        .expect("runs")
}

#[test]
fn export_then_score() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let dir = tmp.path().join("export");
    let out = enrollsim(&["export", "--out", dir.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let truth_path = dir.join("ground-truth.json");
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&truth_path).unwrap()).unwrap();
    let cases = truth.as_array().unwrap();
    assert!(cases.len() >= 18);
    for c in cases {
        let case = c["case"].as_str().unwrap();
        assert!(case.starts_with("case-"), "opaque names only: {case}");
        assert!(dir.join(case).join("bundle.json").is_file());
    }

    let own = enrollsim(&["score", "--truth", truth_path.to_str().unwrap(), "--self"]);
    let text = String::from_utf8_lossy(&own.stdout);
    assert!(own.status.success(), "{text}");
    assert!(
        text.contains(&format!("causes {0}/{0}", cases.len())),
        "{text}"
    );

    // A tool that answers every case with the first case's truth gets most of them wrong.
    let first = &cases[0];
    let wrong: Vec<serde_json::Value> = cases.iter().map(|c| serde_json::json!({"case": c["case"], "section": first["section"], "cause": first["cause"]})).collect();
    let wrong_path = dir.join("wrong.json");
    std::fs::write(&wrong_path, serde_json::to_string(&wrong).unwrap()).unwrap();
    let graded = enrollsim(&[
        "score",
        "--truth",
        truth_path.to_str().unwrap(),
        "--predictions",
        wrong_path.to_str().unwrap(),
    ]);
    assert_eq!(graded.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&graded.stdout).contains("got "));

    let bad = enrollsim(&[
        "score",
        "--truth",
        dir.join("missing.json").to_str().unwrap(),
        "--self",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("missing.json"));
}

/// A broken file in a scenario directory is reported (on stderr and as a row of its own with
/// its error) and fails the run, and the other scenarios still run.
#[test]
fn one_broken_scenario_file_does_not_stop_the_others() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let dir = tmp.path();
    let good = include_str!("../../scenarios/device-cap-reached.toml");
    std::fs::write(dir.join("device-cap-reached.toml"), good).unwrap();
    std::fs::write(dir.join("broken.toml"), "id = \"broken\"\ntitle = 3\n").unwrap();
    let out = enrollsim(&["run", "--all", "--dir", dir.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 2);
    assert_eq!(rows[0]["id"], "device-cap-reached");
    assert_eq!(rows[0]["fixed"], true);
    assert!(rows[1]["error"]
        .as_str()
        .is_some_and(|e| e.contains("broken.toml:2:9")));
    assert_eq!(rows[1]["fixed"], false);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("broken.toml:2:9"), "{stderr}");
}
