//! The command line's shared conventions: `--json` on every command that reports, `run
//! --junit FILE`, exit codes listed in `--help`, and argument checks made by clap before
//! anything runs (exit status 2, like every error that keeps a command from running).

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn enrollsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_enrollsim"))
        .args(args)
        .output()
        .expect("runs")
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}):\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// A scenario directory holding the built-in `device-cap-reached` and, if `broken`, a file
/// that does not load.
fn scenario_dir(broken: bool) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let good = include_str!("../../scenarios/device-cap-reached.toml");
    std::fs::write(tmp.path().join("device-cap-reached.toml"), good).expect("write");
    if broken {
        std::fs::write(
            tmp.path().join("broken.toml"),
            "id = \"broken\"\ntitle = 3\n",
        )
        .expect("write");
    }
    tmp
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

#[test]
fn help_lists_the_exit_codes() {
    for args in [&["--help"][..], &["run", "--help"], &["load", "--help"]] {
        let out = enrollsim(args);
        assert_eq!(out.status.code(), Some(0));
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(help.contains("Exit codes:"), "{args:?}:\n{help}");
        for code in ["  0  ", "  1  ", "  2  "] {
            assert!(help.contains(code), "{args:?} lacks exit code {code:?}");
        }
    }
}

#[test]
fn clap_rejects_bad_arguments_with_status_2() {
    let cases: [&[&str]; 5] = [
        &["load", "--devices", "0"],
        &["load", "--concurrency", "0"],
        &["score", "--truth", "t.json"],
        &[
            "score",
            "--truth",
            "t.json",
            "--predictions",
            "p.json",
            "--self",
        ],
        &["diagnose"],
    ];
    for args in cases {
        let out = enrollsim(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    // `run` names scenarios or takes --all, not both and not neither.
    assert_eq!(enrollsim(&["run"]).status.code(), Some(2));
    assert_eq!(
        enrollsim(&["run", "--all", "device-cap-reached"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn load_reports_json() {
    let out = enrollsim(&["load", "--devices", "3", "--concurrency", "2", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = json(&out);
    assert_eq!(summary["devices"], 3);
    assert_eq!(summary["enrolled"], 3);
    assert_eq!(summary["failed"], 0);
    assert_eq!(summary["apns_pushes"], 3);
    assert_eq!(summary["managed_devices"], 3);
}

#[test]
fn load_reports_check_ins_and_pushes_as_one_json_object() {
    for flow in [&[][..], &["--ade"]] {
        let mut args = vec![
            "load",
            "--devices",
            "4",
            "--concurrency",
            "2",
            "--checkins",
            "2",
            "--push",
            "--json",
        ];
        args.extend_from_slice(flow);
        let out = enrollsim(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{flow:?}: {stderr}");
        assert!(stderr.is_empty(), "no progress bar with --json: {stderr}");
        let summary = json(&out);
        for key in [
            "wall_s",
            "enrollments_per_s",
            "p50_ms",
            "p90_ms",
            "p99_ms",
            "rss_bytes",
            "cpu_s",
            "checkins_per_s",
            "push_p50_ms",
            "push_p99_ms",
        ] {
            assert!(summary[key].is_number(), "{flow:?}: {key} in {summary}");
        }
        assert_eq!(summary["enrolled"], 4, "{flow:?}");
        assert_eq!(summary["checkins"], 8, "{flow:?}: two rounds of four");
        assert_eq!(summary["checkins_failed"], 0, "{flow:?}");
        assert_eq!(summary["pushes"], 4, "{flow:?}");
        assert_eq!(summary["lost_commands"], 0, "{flow:?}");
        let expected_flow = if flow.is_empty() { "company-portal" } else { "ade" };
        assert_eq!(summary["flow"], expected_flow);
    }
}

#[test]
fn export_and_score_report_json() {
    let scenarios = scenario_dir(false);
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let cases = tmp.path().join("cases");
    let out = enrollsim(&[
        "export",
        "--dir",
        path(scenarios.path()),
        "--out",
        path(&cases),
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let export = json(&out);
    assert_eq!(export["bundles"], 1);
    assert_eq!(export["cases"][0]["case"], "case-001");
    assert_eq!(export["cases"][0]["cause"], "device-limit-reached");
    let truth = cases.join("ground-truth.json");
    assert_eq!(export["ground_truth"], path(&truth));

    let out = enrollsim(&["score", "--truth", path(&truth), "--self", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let score = json(&out);
    assert_eq!(score["total"], 1);
    assert_eq!(score["sections"], 1);
    assert_eq!(score["causes"], 1);
    assert_eq!(score["cases"][0]["section_ok"], true);
    assert_eq!(score["cases"][0]["got"]["case"], "case-001");
}

#[test]
fn run_writes_a_junit_report() {
    let scenarios = scenario_dir(true);
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let report = tmp.path().join("junit.xml");
    let out = enrollsim(&[
        "run",
        "--all",
        "--dir",
        path(scenarios.path()),
        "--junit",
        path(&report),
    ]);
    // The broken file fails the run; the good scenario still ran and holds.
    assert_eq!(out.status.code(), Some(1));
    let xml = std::fs::read_to_string(&report).expect("the report is written");
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
        "{xml}"
    );
    assert!(xml.contains("tests=\"2\" failures=\"1\""), "{xml}");
    assert!(
        xml.contains("<testcase classname=\"enrollsim.scenarios\" name=\"device-cap-reached\"/>"),
        "{xml}"
    );
    assert!(xml.contains("broken.toml:2:9"), "{xml}");
    assert_eq!(xml.matches("<failure ").count(), 1, "{xml}");
}
