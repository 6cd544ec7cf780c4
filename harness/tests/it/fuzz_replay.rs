//! The committed fuzz inputs, replayed on stable in the normal suite: every regression input
//! (`fuzz/regressions/<target>/`) and the seed corpora (`fuzz/corpus/<target>/`) go through
//! the very function the cargo-fuzz target runs under libFuzzer (`enrollsim_fuzz_bodies`),
//! with the target's own checks (round trips, answers). A body that panics on an input fails
//! the test, naming the file. Nightly and libFuzzer are needed only to find new inputs
//! (`bash .ci/fuzz`), not to keep the old ones fixed.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use enrollsim_fuzz_bodies::{target, Outcome, TARGETS};

/// The cargo-fuzz crate.
fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

/// Seeds replayed per target at most, evenly spread over the names, so that a corpus grown by
/// `.ci/fuzz --seed` keeps the debug-build suite quick. Regression inputs are always all run.
const MAX_SEEDS: usize = 40;

/// An input a body panicked on.
#[derive(Debug)]
struct Failure {
    file: PathBuf,
    message: String,
}

/// The files of `dir`, by name; none when it does not exist.
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// At most `max` of `files`, evenly spaced.
fn sample(files: Vec<PathBuf>, max: usize) -> Vec<PathBuf> {
    if files.len() <= max {
        return files;
    }
    (0..max)
        .map(|k| files[k * files.len() / max].clone())
        .collect()
}

/// Runs `body` on each file; the ones it panicked on, with the panic's message.
fn replay(files: &[PathBuf], body: fn(&[u8]) -> Outcome) -> Vec<Failure> {
    let mut failures = Vec::new();
    for file in files {
        let bytes = std::fs::read(file).expect("a committed fuzz input");
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| body(&bytes))) {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_string()))
                .unwrap_or_default();
            failures.push(Failure {
                file: file.clone(),
                message,
            });
        }
    }
    failures
}

#[test]
fn every_committed_fuzz_input_replays_through_its_target() {
    let fuzz = fuzz_dir();
    // Every folder of inputs belongs to a target, so none is silently skipped.
    for folder in ["regressions", "corpus"] {
        for dir in std::fs::read_dir(fuzz.join(folder))
            .into_iter()
            .flatten()
            .map(|e| e.expect("a directory entry").path())
        {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            assert!(
                target(&name).is_some(),
                "fuzz/{folder}/{name}: no fuzz target of that name"
            );
        }
    }
    let mut failures = Vec::new();
    let mut replayed = 0;
    for (name, body) in TARGETS {
        let mut files = inputs(&fuzz.join("regressions").join(name));
        files.extend(sample(inputs(&fuzz.join("corpus").join(name)), MAX_SEEDS));
        replayed += files.len();
        failures.extend(replay(&files, *body));
    }
    assert!(replayed > 0, "no committed fuzz input under {fuzz:?}");
    let report: Vec<String> = failures
        .iter()
        .map(|f| format!("{}: {}", f.file.display(), f.message))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {replayed} committed fuzz inputs fail:\n{}",
        failures.len(),
        report.join("\n")
    );
}

#[test]
fn every_fuzz_target_has_its_body() {
    let fuzz = fuzz_dir();
    let manifest: toml::Table = std::fs::read_to_string(fuzz.join("Cargo.toml"))
        .expect("fuzz/Cargo.toml")
        .parse()
        .expect("fuzz/Cargo.toml is TOML");
    let mut bins: Vec<String> = manifest["bin"]
        .as_array()
        .expect("[[bin]] tables")
        .iter()
        .map(|b| b["name"].as_str().expect("a bin name").to_string())
        .collect();
    bins.sort();
    let mut files: Vec<String> = inputs(&fuzz.join("fuzz_targets"))
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut bodies: Vec<String> = TARGETS.iter().map(|(n, _)| (*n).to_string()).collect();
    bodies.sort();
    assert_eq!(bins, bodies, "fuzz/Cargo.toml's targets and the bodies");
    assert_eq!(files, bodies, "fuzz/fuzz_targets/ and the bodies");
}

#[test]
fn a_panicking_body_fails_the_replay_and_names_the_input() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("fine"), b"fine").unwrap();
    std::fs::write(dir.path().join("bad"), b"boom").unwrap();
    let body: fn(&[u8]) -> Outcome = |bytes| {
        assert_ne!(bytes, b"boom", "the body refuses boom");
        Outcome::Ran
    };
    let failures = replay(&inputs(dir.path()), body);
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(failures[0].file, dir.path().join("bad"));
    assert!(failures[0].message.contains("the body refuses boom"));
}

#[test]
fn sampling_keeps_at_most_the_cap_spread_over_the_names() {
    let files: Vec<PathBuf> = (0..100).map(|k| PathBuf::from(format!("{k:03}"))).collect();
    let kept = sample(files.clone(), 10);
    assert_eq!(kept.len(), 10);
    assert_eq!(kept[0], files[0]);
    assert_eq!(kept[9], files[90]);
    assert_eq!(sample(files[..5].to_vec(), 10).len(), 5);
}
