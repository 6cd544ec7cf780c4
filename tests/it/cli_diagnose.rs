//! The `enrollsim` binary as a user drives it: `diagnose` from a message alone (Italian, and an
//! English message the article lists under several causes), `run --all --json`, `run ID
//! --bundle DIR` followed by `diagnose --bundle DIR/ID`, bundles with broken parts, and an
//! unknown scenario.
//!
//! It proves the JSON shapes the documentation promises (`docs/evidence-bundle.md`), that a
//! bundle written by `run` diagnoses to the scenario's own section and cause when read back
//! from disk, and that bad input ends in a diagnosis or a clear error that names the part, never
//! in a panic (exit status 101).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const CONNECTION_SECTION: &str =
    "profile-installation-failed-connection-to-the-server-could-not-be-established";

fn enrollsim(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_enrollsim"))
        .args(args)
        .output()
        .expect("the enrollsim binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(
        out.status.code(),
        Some(101),
        "enrollsim {args:?} panicked:\n{stderr}"
    );
    assert!(
        !stderr.contains("panicked"),
        "enrollsim {args:?} panicked:\n{stderr}"
    );
    out
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs a command that must succeed and print JSON.
fn json_of(args: &[&str]) -> Value {
    let out = enrollsim(args);
    assert!(
        out.status.success(),
        "enrollsim {args:?} failed ({:?}):\n{}",
        out.status.code(),
        stderr(&out)
    );
    serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| {
        panic!(
            "enrollsim {args:?} printed no JSON ({e}):\n{}",
            stdout(&out)
        )
    })
}

/// A fresh temporary directory, removed when the test ends.
fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary directory")
}

/// `rel` under `tmp`, as a command-line argument.
fn arg(tmp: &tempfile::TempDir, rel: &str) -> String {
    tmp.path().join(rel).to_string_lossy().into_owned()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create copy");
    for entry in std::fs::read_dir(from).expect("read bundle dir").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .cloned()
        .collect();
    k.sort();
    k
}

/// The documented shape of a diagnosis: the eight keys and the type of each.
fn assert_diagnosis_shape(d: &Value) {
    assert_eq!(
        keys(d),
        [
            "candidates",
            "cause",
            "collect",
            "confidence",
            "current_section",
            "evidence",
            "resolution",
            "section"
        ],
        "{d:#}"
    );
    assert!(d["section"].is_string() || d["section"].is_null(), "{d:#}");
    // The current article's anchor comes with every named section, and only then.
    assert_eq!(
        d["section"].is_null(),
        d["current_section"].is_null(),
        "{d:#}"
    );
    if let Some(section) = d["section"].as_str() {
        let section: enrollsim::Section = section.parse().expect("a catalog section");
        assert_eq!(d["current_section"], section.current_section(), "{d:#}");
    }
    assert!(d["cause"].is_string() || d["cause"].is_null(), "{d:#}");
    let confidence = d["confidence"].as_f64().expect("confidence is a number");
    assert!((0.0..=1.0).contains(&confidence), "{d:#}");
    assert_eq!(
        (confidence * 100.0).round() / 100.0,
        confidence,
        "two decimals"
    );
    for e in d["evidence"].as_array().expect("evidence is an array") {
        assert!(e["source"].is_string(), "{e}");
        assert!(e["text"].is_string() || e["fact"].is_string(), "{e}");
    }
    for (i, r) in d["resolution"]
        .as_array()
        .expect("resolution is an array")
        .iter()
        .enumerate()
    {
        assert_eq!(r["step"].as_u64(), Some(i as u64 + 1), "{r}");
        assert!(!r["text"].as_str().unwrap_or("").is_empty(), "{r}");
        assert!(r["anchor"].is_string(), "{r}");
    }
    for c in d["candidates"].as_array().expect("candidates is an array") {
        assert_eq!(keys(c), ["cause", "confidence", "section"], "{c}");
    }
    for c in d["collect"].as_array().expect("collect is an array") {
        assert_eq!(keys(c), ["id", "text"], "{c}");
        assert!(!c["text"].as_str().unwrap_or("").is_empty(), "{c}");
    }
}

#[test]
fn italian_device_cap_message_names_the_section_and_cause() {
    let d = json_of(&[
        "diagnose",
        "--message",
        "Numero massimo dispositivi raggiunto",
        "--lang",
        "it",
        "--json",
    ]);
    assert_diagnosis_shape(&d);
    assert_eq!(d["section"], "device-cap-reached");
    assert_eq!(d["cause"], "device-limit-reached");
    let confidence = d["confidence"].as_f64().unwrap_or_default();
    assert!(confidence >= 0.5, "{d:#}");
    let evidence = d["evidence"].as_array().expect("evidence");
    assert!(
        evidence.iter().any(|e| e["source"] == "bundle.json"
            && e["fact"]
                .as_str()
                .is_some_and(|f| f.contains("Numero massimo dispositivi raggiunto"))),
        "the evidence cites the reported message: {d:#}"
    );
    let resolution = d["resolution"].as_array().expect("resolution");
    assert!(!resolution.is_empty(), "{d:#}");
    assert!(
        resolution
            .iter()
            .all(|r| r["anchor"] == "device-cap-reached"),
        "{d:#}"
    );
    let first = &d["candidates"][0];
    assert_eq!(first["section"], "device-cap-reached");
    assert_eq!(first["cause"], "device-limit-reached");
    assert_eq!(first["confidence"], d["confidence"]);
    // A message alone is thin evidence: below 0.75 the diagnosis says what to collect next,
    // including the count of devices and the limit that would confirm it.
    let collect = d["collect"].as_array().expect("collect");
    assert_eq!(collect.is_empty(), confidence >= 0.75, "{d:#}");
    if confidence < 0.75 {
        assert!(
            collect.iter().any(|c| c["id"] == "device-count-and-limit"),
            "{d:#}"
        );
    }

    // The text form says the same.
    let out = enrollsim(&[
        "diagnose",
        "--message",
        "Numero massimo dispositivi raggiunto",
        "--lang",
        "it",
    ]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(
        text.starts_with("Section:    device-cap-reached\n"),
        "{text}"
    );
    assert!(text.contains("Cause:      device-limit-reached"), "{text}");
}

#[test]
fn a_message_with_several_causes_ranks_candidates_and_says_what_to_collect() {
    let d = json_of(&[
        "diagnose",
        "--message",
        "Profile Installation Failed. Connection to the server could not be established.",
        "--json",
    ]);
    assert_diagnosis_shape(&d);
    assert_eq!(d["section"], CONNECTION_SECTION, "{d:#}");
    assert!(d["cause"].is_null(), "{d:#}");
    assert_eq!(
        d["resolution"],
        Value::Array(vec![]),
        "no resolution without a cause"
    );
    let candidates = d["candidates"].as_array().expect("candidates");
    for cause in [
        "personal-devices-blocked",
        "previous-user-not-removed",
        "enrolled-in-other-mdm",
        "user-not-licensed",
    ] {
        assert!(
            candidates
                .iter()
                .any(|c| c["cause"] == cause && c["section"] == CONNECTION_SECTION),
            "{cause} is not a candidate: {d:#}"
        );
    }
    let confidences: Vec<f64> = candidates
        .iter()
        .map(|c| c["confidence"].as_f64().unwrap_or(-1.0))
        .collect();
    assert!(
        confidences.windows(2).all(|w| w[0] >= w[1]),
        "candidates are ranked: {confidences:?}"
    );
    let collect = d["collect"].as_array().expect("collect");
    assert!(collect.len() >= 2, "{d:#}");
}

#[test]
fn run_all_json_has_one_documented_row_per_scenario() {
    let out = enrollsim(&["run", "--all", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let rows: Value = serde_json::from_str(&stdout(&out)).expect("run --all --json prints JSON");
    let rows = rows.as_array().expect("an array of rows");
    let catalog = enrollsim::catalog::builtin().expect("the built-in catalog loads");
    let ids: Vec<&str> = rows.iter().filter_map(|r| r["id"].as_str()).collect();
    let expected: Vec<&str> = catalog.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids, expected,
        "one row per catalog scenario, in catalog order"
    );
    for (row, s) in rows.iter().zip(&catalog) {
        assert_eq!(
            keys(row),
            [
                "cause_expected",
                "current_section",
                "diagnosed_cause",
                "diagnosed_current_section",
                "diagnosed_section",
                "fixed",
                "id",
                "message",
                "reproduced",
                "section"
            ],
            "{row:#}"
        );
        assert_eq!(
            row["current_section"],
            serde_json::json!(s.section.map(enrollsim::Section::current_section)),
            "{row:#}"
        );
        assert_eq!(row["section"], serde_json::json!(s.section), "{row:#}");
        assert_eq!(row["cause_expected"], serde_json::json!(s.cause), "{row:#}");
        assert_eq!(row["reproduced"], true, "{row:#}");
        assert_eq!(row["fixed"], true, "{row:#}");
        assert!(
            row["message"].is_string() || row["message"].is_null(),
            "{row:#}"
        );
        if s.section.is_some() {
            assert_eq!(row["diagnosed_section"], row["section"], "{row:#}");
            assert_eq!(row["diagnosed_cause"], row["cause_expected"], "{row:#}");
            assert_eq!(
                row["diagnosed_current_section"], row["current_section"],
                "{row:#}"
            );
        } else {
            assert!(row["diagnosed_section"].is_null(), "{row:#}");
            assert!(row["diagnosed_cause"].is_null(), "{row:#}");
        }
    }
}

#[test]
fn a_written_bundle_diagnoses_to_the_scenarios_cause() {
    let tmp = temp_dir();
    let id = "device-cap-reached";
    let out = enrollsim(&["run", id, "--bundle", &arg(&tmp, "")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(tmp.path().join(id).join("bundle.json").is_file());
    let d = json_of(&["diagnose", "--bundle", &arg(&tmp, id), "--json"]);
    assert_diagnosis_shape(&d);
    assert_eq!(d["section"], "device-cap-reached");
    assert_eq!(d["cause"], "device-limit-reached");
    assert!(d["collect"].as_array().is_some_and(Vec::is_empty), "{d:#}");
}

#[test]
fn every_catalog_bundle_read_back_from_disk_gives_the_scenarios_cause() {
    let tmp = temp_dir();
    let out = enrollsim(&["run", "--all", "--json", "--bundle", &arg(&tmp, "")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut failures = Vec::new();
    for s in enrollsim::catalog::builtin().expect("the built-in catalog loads") {
        let (Some(section), Some(cause)) = (&s.section, &s.cause) else {
            continue;
        };
        let out = enrollsim(&["diagnose", "--bundle", &arg(&tmp, &s.id), "--json"]);
        let d: Value = serde_json::from_str(&stdout(&out)).unwrap_or(Value::Null);
        if !out.status.success()
            || d["section"].as_str() != Some(section.id())
            || d["cause"].as_str() != Some(cause.id())
        {
            failures.push(format!(
                "{}: expected {section}/{cause}, got {}/{} (exit {:?}) {}",
                s.id,
                d["section"],
                d["cause"],
                out.status.code(),
                stderr(&out)
            ));
        }
        if !stderr(&out).is_empty() {
            failures.push(format!(
                "{}: a bundle enrollsim wrote has problems: {}",
                s.id,
                stderr(&out)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A good bundle to break, written once per test.
fn written_bundle(tmp: &tempfile::TempDir, id: &str) -> PathBuf {
    let out = enrollsim(&["run", id, "--bundle", &arg(tmp, "good")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    tmp.path().join("good").join(id)
}

fn set_manifest_file(dir: &Path, part: &str, name: &str) {
    let path = dir.join("bundle.json");
    let mut manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read manifest"))
            .expect("manifest JSON");
    manifest["files"][part] = Value::String(name.to_string());
    std::fs::write(
        &path,
        serde_json::to_string_pretty(&manifest).expect("JSON"),
    )
    .expect("write manifest");
}

/// Diagnoses `dir`, which must still give a diagnosis (exit 0, valid JSON) and warn about each
/// of `parts` by name.
fn diagnose_broken(dir: &Path, parts: &[&str]) -> Value {
    let dir = dir.to_string_lossy().into_owned();
    let out = enrollsim(&["diagnose", "--bundle", &dir, "--json"]);
    let err = stderr(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "a broken part must not stop the diagnosis:\n{err}"
    );
    for part in parts {
        assert!(
            err.lines()
                .any(|l| l.starts_with("warning:") && l.contains(part)),
            "no warning names {part}:\n{err}"
        );
    }
    let d: Value = serde_json::from_str(&stdout(&out)).expect("a diagnosis in JSON");
    assert_diagnosis_shape(&d);
    d
}

#[test]
fn broken_parts_are_named_and_the_diagnosis_goes_on() {
    let tmp = temp_dir();
    let id = "device-cap-reached";
    let good = written_bundle(&tmp, id);
    let variant = |name: &str| {
        let dir = tmp.path().join(name);
        copy_dir(&good, &dir);
        dir
    };

    // tenant.json that does not parse.
    let dir = variant("tenant-garbage");
    std::fs::write(dir.join("tenant.json"), "{ \"users\": [ this is not JSON").expect("write");
    let d = diagnose_broken(&dir, &["tenant.json"]);
    assert_eq!(d["cause"], "device-limit-reached", "{d:#}");
    assert!(
        d["evidence"]
            .as_array()
            .is_some_and(|e| e.iter().all(|x| x["source"] != "tenant.json")),
        "a broken part is left out: {d:#}"
    );

    // tenant.json that cannot be read at all (a directory in its place).
    let dir = variant("tenant-unreadable");
    std::fs::remove_file(dir.join("tenant.json")).expect("remove");
    std::fs::create_dir(dir.join("tenant.json")).expect("mkdir");
    let d = diagnose_broken(&dir, &["tenant.json"]);
    assert_eq!(d["cause"], "device-limit-reached", "{d:#}");

    // The manifest names a file that is not there.
    let dir = variant("missing-file");
    set_manifest_file(&dir, "sign_ins", "exports/sign-ins-2026-11-26.json");
    diagnose_broken(&dir, &["sign-ins"]);

    // A binary device log.
    let dir = variant("binary-log");
    std::fs::write(
        dir.join("device.log"),
        b"\x00\x01\x02PK\x03\x04binary\x00\xff\xfe".repeat(64),
    )
    .expect("write");
    let d = diagnose_broken(&dir, &["device.log"]);
    assert_eq!(d["cause"], "device-limit-reached", "{d:#}");

    // A Company Portal log that is not UTF-8, and a path that leaves the bundle.
    let dir = variant("odd-paths");
    std::fs::write(dir.join("company-portal.log"), b"2026-11-26 caf\xe9 \xff\n").expect("write");
    set_manifest_file(&dir, "enrollment_events", "../outside.json");
    diagnose_broken(&dir, &["company-portal.log", "enrollment-events.json"]);

    // Everything broken at once: the manifest alone still gives a diagnosis.
    let dir = variant("all-broken");
    std::fs::write(dir.join("tenant.json"), "not json").expect("write");
    std::fs::write(dir.join("device.log"), [0u8; 512]).expect("write");
    std::fs::write(dir.join("enrollment-events.json"), "[{\"id\": 1,").expect("write");
    std::fs::write(dir.join("company-portal.log"), [0xffu8, 0xfe, 0x00, 0x01]).expect("write");
    set_manifest_file(&dir, "sign_ins", "nowhere.json");
    let d = diagnose_broken(
        &dir,
        &[
            "tenant.json",
            "device.log",
            "enrollment-events.json",
            "company-portal.log",
            "sign-ins",
        ],
    );
    assert_eq!(d["section"], "device-cap-reached", "{d:#}");
}

/// A way to break a copied bundle directory.
type Breakage<'a> = (&'a str, &'a dyn Fn(&Path));

#[test]
fn a_bundle_without_a_usable_manifest_is_a_clear_error() {
    let tmp = temp_dir();
    let good = written_bundle(&tmp, "device-cap-reached");
    let cases: [Breakage; 4] = [
        ("missing", &|dir| {
            std::fs::remove_file(dir.join("bundle.json")).expect("remove")
        }),
        ("invalid", &|dir| {
            std::fs::write(
                dir.join("bundle.json"),
                "{\n  \"format\": \"enrollsim-evidence/1\",\n  oops\n}",
            )
            .expect("write")
        }),
        ("other-format", &|dir| {
            std::fs::write(dir.join("bundle.json"), "{\"format\": \"someone-else/9\"}")
                .expect("write")
        }),
        ("binary", &|dir| {
            std::fs::write(dir.join("bundle.json"), [0u8, 159, 146, 150]).expect("write")
        }),
    ];
    for (name, break_it) in cases {
        let dir = tmp.path().join(name);
        copy_dir(&good, &dir);
        break_it(&dir);
        let out = enrollsim(&["diagnose", "--bundle", &dir.to_string_lossy(), "--json"]);
        let err = stderr(&out);
        assert!(!out.status.success(), "{name}: should fail");
        assert!(
            err.starts_with("error:") && err.contains("bundle.json"),
            "{name}: the error does not name bundle.json:\n{err}"
        );
        assert!(stdout(&out).is_empty(), "{name}: {}", stdout(&out));
    }
    // A directory that does not exist at all.
    let out = enrollsim(&["diagnose", "--bundle", &arg(&tmp, "no-such-dir"), "--json"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("bundle.json"), "{}", stderr(&out));
}

#[test]
fn an_unknown_scenario_is_a_clear_error() {
    let out = enrollsim(&["run", "no-such-scenario"]);
    assert!(!out.status.success(), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("no-such-scenario") && err.contains("no scenario"),
        "{err}"
    );
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
}
