//! Stable, redacted renderings for snapshot tests (`insta::assert_snapshot!`,
//! `insta::assert_yaml_snapshot!`).
//!
//! A world is deterministic: one virtual clock, one seeded RNG, so the same spec gives the same
//! timeline. The renderings here additionally mask what a change of seed, a loopback port or
//! the process would move, so a snapshot changes only when behaviour does:
//!
//! - UUIDs (`[uuid]`), runs of 16 or more hex digits, shorter hex tokens mixing digits and
//!   letters and abbreviated runs of 6 or more (`4a5efd7b…`) as `[hex]`, 12-character serial
//!   numbers (`[serial]`) and loopback ports (`127.0.0.1:[port]`).
//!
//! Nothing else is hidden: body sizes that vary from run to run are not rendered at all (JSON
//! bodies show their keys), and a TLS refusal is always reported by its alert.
//!
//! ```
//! use enrollsim::snapshot;
//!
//! let text = "device F2LXK1ABCD12 checked in from 127.0.0.1:41234 as 6f1c2e3a-0000-4000-8000-000000000001";
//! assert_eq!(
//!     snapshot::redact(text),
//!     "device [serial] checked in from 127.0.0.1:[port] as [uuid]"
//! );
//! ```
//!
//! In a test:
//!
//! ```ignore
//! let report = enrollsim::run_scenario(&scenario).await?;
//! insta::assert_snapshot!(enrollsim::snapshot::timeline(&report.timeline));
//! insta::assert_snapshot!(enrollsim::snapshot::diagnosis(report.diagnosis.as_ref().unwrap()));
//! insta::assert_yaml_snapshot!(enrollsim::snapshot::value(&report.outcome));
//! ```

use std::fmt::Write as _;

use serde::Serialize;

use crate::{Cause, Diagnosis, Outcome, RunReport, Section, Timeline};

/// Masks UUIDs, runs of 16 or more hex digits (and abbreviated ones), 12-character serial
/// numbers and loopback ports in `text` (see the [module](self) documentation). The same
/// redaction as [`Timeline::redacted`].
#[must_use]
pub fn redact(text: &str) -> String {
    enrollsim_harness::timeline::redact(text)
}

/// A timeline as text, one line per entry, redacted.
#[must_use]
pub fn timeline(timeline: &Timeline) -> String {
    redact(&timeline.render())
}

/// A diagnosis report as text (section, cause, confidence, evidence, resolution, candidates,
/// what to collect next), redacted.
#[must_use]
pub fn diagnosis(diagnosis: &Diagnosis) -> String {
    redact(&diagnosis.render_text())
}

/// An outcome on one line, redacted: `enrolled as UPN`, `failed on SCREEN: TEXT`,
/// `stuck on SCREEN: DETAIL` or `not managed: DETAIL`.
#[must_use]
pub fn outcome(outcome: &Outcome) -> String {
    redact(&match outcome {
        Outcome::Enrolled { upn } => format!("enrolled as {upn}"),
        Outcome::Failed { screen, text, .. } => format!("failed on {}: {text}", screen.id()),
        Outcome::Stuck { screen, detail } => format!("stuck on {}: {detail}", screen.id()),
        Outcome::NotManaged { detail } => format!("not managed: {detail}"),
    })
}

/// How reports spell a verdict: `yes` or `no` (the command line's tables spell them the same).
#[must_use]
pub fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// A whole scenario run as text, redacted: the user's attempt, its outcome, the diagnosis, the
/// resolution and second attempt, and the verdict. With several faults, each failure that
/// followed a fix comes between (its attempt, outcome, expected pair and diagnosis), and the
/// last part is the last fix and the final attempt.
#[must_use]
pub fn report(report: &RunReport) -> String {
    let diagnosis = report.diagnosis.as_ref();
    let mut out = String::new();
    let _ = writeln!(out, "scenario: {} — {}", report.id, report.title);
    let _ = writeln!(
        out,
        "expected: {} / {}",
        report.section.map_or("-", Section::id),
        report.cause_expected.map_or("-", Cause::id)
    );
    let _ = write!(out, "\n-- attempt --\n{}", report.timeline.render());
    let _ = writeln!(out, "outcome: {}", outcome(&report.outcome));
    if let Some(d) = &report.diagnosis {
        let _ = write!(out, "\n-- diagnosis --\n{}", d.render_text());
    }
    write_stages(&mut out, report);
    if let Some(second) = &report.fix_outcome {
        let heading = if report.stages.is_empty() {
            "resolution and second attempt"
        } else {
            "last resolution and final attempt"
        };
        let _ = write!(out, "\n-- {heading} --\n{}", report.fix_timeline.render());
        if let Some(e) = &report.fix_error {
            let _ = writeln!(out, "resolution error: {e}");
        }
        let _ = writeln!(out, "outcome: {}", outcome(second));
    }
    let _ = writeln!(
        out,
        "\nreproduced: {}   diagnosed: {} / {}   fixed: {}",
        yes_no(report.reproduced),
        diagnosis.and_then(|d| d.section).map_or("-", |s| s.id()),
        diagnosis.and_then(|d| d.cause).map_or("-", |c| c.id()),
        yes_no(report.fixed)
    );
    if !report.stages.is_empty() {
        let held = report.stages.iter().filter(|s| s.holds()).count();
        let _ = writeln!(
            out,
            "stages after the first: {held} of {} held",
            report.stages.len()
        );
    }
    redact(&out)
}

/// The failures that followed a fix, in order (stage 1 is the first attempt).
fn write_stages(out: &mut String, report: &RunReport) {
    for (i, stage) in report.stages.iter().enumerate() {
        let n = i + 2;
        let _ = write!(
            out,
            "\n-- stage {n}: resolution and next attempt --\n{}",
            stage.timeline.render()
        );
        let _ = writeln!(out, "outcome: {}", outcome(&stage.outcome));
        let _ = writeln!(
            out,
            "expected: {} / {}",
            stage.section.id(),
            stage.cause_expected.id()
        );
        let _ = write!(
            out,
            "\n-- stage {n} diagnosis --\n{}",
            stage.diagnosis.render_text()
        );
        if let Some(e) = &stage.fix_error {
            let _ = writeln!(out, "resolution error: {e}");
        }
    }
}

/// `value` as a JSON value with every string redacted, for `insta::assert_yaml_snapshot!` or
/// `insta::assert_json_snapshot!`. A value that does not serialize gives `Null`.
#[must_use]
pub fn value<T: Serialize + ?Sized>(value: &T) -> serde_json::Value {
    let mut v = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
    redact_strings(&mut v);
    v
}

fn redact_strings(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) => *s = redact(s),
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact_strings),
        serde_json::Value::Object(map) => map.values_mut().for_each(redact_strings),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_redacted_deeply() {
        let v = value(&serde_json::json!({
            "a": ["F2LXK1ABCD12", {"b": "6f1c2e3a-0000-4000-8000-000000000001"}],
            "n": 3
        }));
        assert_eq!(
            v,
            serde_json::json!({"a": ["[serial]", {"b": "[uuid]"}], "n": 3})
        );
    }
}
