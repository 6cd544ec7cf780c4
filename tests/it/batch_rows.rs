//! `run --all --dir`: every scenario of the directory gets its row, whatever happens to the
//! others. A scenario whose world cannot be built (a history step that cannot complete) and a
//! file that does not load each become a row carrying their error, in the table, in `--json`
//! and in `--report`, and the run exits non-zero; the good scenarios still run and hold.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn enrollsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_enrollsim"))
        .args(args)
        .output()
        .expect("runs")
}

/// A world that cannot be built: its history enrolls the device for a user who is already at
/// the device limit, so the history step fails while the world is built.
const BROKEN_WORLD: &str = r#"
id = "history-cannot-complete"
title = "The history enrolls a device its user may not enroll"
section = "device-cap-reached"
cause = "device-limit-reached"

[world]
seed = 5

[[world.users]]
upn = "alex@contoso.example"
enrolled_devices = 15

[[world.history]]
do = "enroll"
via = "company-portal"
user = "alex@contoso.example"

[action]
enroll = "company-portal"
user = "alex@contoso.example"

[expect]
outcome = "failed"
"#;

const GOOD: [&str; 3] = ["byod-success", "device-cap-reached", "ade-success"];

/// Three catalog scenarios, the world that cannot be built and a file that does not load.
fn batch_dir() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let catalog = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    for id in GOOD {
        let file = format!("{id}.toml");
        std::fs::copy(catalog.join(&file), tmp.path().join(&file)).expect("copy a scenario");
    }
    std::fs::write(tmp.path().join("broken-world.toml"), BROKEN_WORLD).expect("write");
    std::fs::write(
        tmp.path().join("unloadable.toml"),
        "id = \"x\"\ntitle = 3\n",
    )
    .expect("write");
    tmp
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
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

/// The rows of `array` by id.
fn by_id(array: &Value) -> std::collections::BTreeMap<String, &Value> {
    array
        .as_array()
        .expect("an array")
        .iter()
        .map(|row| (row["id"].as_str().expect("an id").to_string(), row))
        .collect()
}

#[test]
fn a_broken_world_and_an_unloadable_file_are_rows_in_json_output() {
    let dir = batch_dir();
    for flag in ["--json", "--report"] {
        let out = enrollsim(&["run", "--all", "--dir", path(dir.path()), flag]);
        assert_eq!(out.status.code(), Some(1), "{flag}");
        let rows = json(&out);
        let rows = by_id(&rows);
        assert_eq!(rows.len(), 5, "{flag}: {rows:?}");
        for id in GOOD {
            let row = rows[id];
            assert_eq!(row["fixed"], true, "{flag}: {id}: {row}");
            assert!(row.get("error").is_none(), "{flag}: {id}: {row}");
        }
        let broken = rows["history-cannot-complete"];
        let error = broken["error"].as_str().expect("an error");
        assert!(error.contains("history step 0 did not complete"), "{error}");
        assert_eq!(broken["fixed"], false);
        let unloadable = rows
            .iter()
            .find(|(id, _)| id.ends_with("unloadable.toml"))
            .map(|(_, row)| *row)
            .expect("a row for the file that did not load");
        assert!(unloadable["error"].as_str().is_some(), "{unloadable}");
    }
}

#[test]
fn a_broken_world_and_an_unloadable_file_are_rows_in_the_table() {
    let dir = batch_dir();
    let report = dir.path().join("junit.xml");
    let out = enrollsim(&[
        "run",
        "--all",
        "--dir",
        path(dir.path()),
        "--junit",
        path(&report),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let table = String::from_utf8_lossy(&out.stdout);
    for id in GOOD {
        assert!(
            table
                .lines()
                .any(|l| l.starts_with(id) && !l.contains("error")),
            "{id}:\n{table}"
        );
    }
    let broken = table
        .lines()
        .find(|l| l.starts_with("history-cannot-complete"))
        .unwrap_or_else(|| panic!("no row for the broken world:\n{table}"));
    assert!(broken.contains("error: history step 0"), "{broken}");
    assert!(
        table
            .lines()
            .any(|l| l.contains("unloadable.toml") && l.contains("not loaded")),
        "{table}"
    );
    assert!(table.contains("3 passed, 2 failed"), "{table}");

    let xml = std::fs::read_to_string(&report).expect("the JUnit report is written");
    assert!(
        xml.contains("tests=\"5\" failures=\"1\" errors=\"1\""),
        "{xml}"
    );
    assert!(
        xml.contains("name=\"history-cannot-complete\">\n      <error message=\"the world could not be built or run\">"),
        "{xml}"
    );
}
