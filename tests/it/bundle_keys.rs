//! Every key of every file `enrollsim export` writes is documented in `docs/evidence-bundle.md`
//! ("Where each field comes from"), with where a real admin or user gets it: a bundle holds
//! nothing an admin could not collect.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use serde_json::Value;

/// The documented keys per file: the first backticked cell of each table row under
/// `### <file>` in the "Where each field comes from" section.
fn documented() -> BTreeMap<String, BTreeSet<String>> {
    let doc = include_str!("../../docs/evidence-bundle.md");
    let section = doc
        .split("## Where each field comes from")
        .nth(1)
        .expect("docs/evidence-bundle.md has a \"Where each field comes from\" section");
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut file = None;
    for line in section.lines() {
        if let Some(name) = line.strip_prefix("### ") {
            file = Some(name.trim().to_string());
        } else if let (Some(f), Some(row)) = (&file, line.strip_prefix("| `")) {
            let key = row.split('`').next().unwrap_or_default();
            out.entry(f.clone()).or_default().insert(key.to_string());
        }
    }
    out
}

/// Every key path of `value` (`a.b`, array elements as `[]`).
fn key_paths(value: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                out.insert(path.clone());
                key_paths(v, &path, out);
            }
        }
        Value::Array(items) => {
            for v in items {
                key_paths(v, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn every_exported_key_is_documented() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let dir = tmp.path().join("export");
    let out = Command::new(env!("CARGO_BIN_EXE_enrollsim"))
        .args(["export", "--out", dir.to_str().unwrap()])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let documented = documented();
    let mut files_seen = BTreeSet::new();
    let mut undocumented = Vec::new();
    for case in std::fs::read_dir(&dir).unwrap() {
        let case = case.unwrap().path();
        if !case.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&case).unwrap() {
            let path = file.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !name.ends_with(".json") {
                continue;
            }
            files_seen.insert(name.clone());
            let value: Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let mut keys = BTreeSet::new();
            key_paths(&value, "", &mut keys);
            let known = documented.get(&name);
            for key in keys {
                if !known.is_some_and(|k| k.contains(&key)) {
                    undocumented.push(format!("{name}: {key}"));
                }
            }
        }
    }
    undocumented.sort();
    undocumented.dedup();
    assert!(
        undocumented.is_empty(),
        "keys not documented in docs/evidence-bundle.md: {undocumented:#?}"
    );
    // The export holds every kind of file the section documents.
    for file in [
        "bundle.json",
        "tenant.json",
        "enrollment-events.json",
        "sign-ins.json",
        "company-portal-devices.json",
    ] {
        assert!(files_seen.contains(file), "no exported {file}");
    }
}
