//! Stable, redacted renderings for snapshot tests (`insta::assert_snapshot!`,
//! `insta::assert_yaml_snapshot!`).
//!
//! A world is deterministic: one virtual clock, one seeded RNG, so the same spec gives the same
//! timeline. The renderings here additionally mask what a change of seed, a loopback port or
//! the process would move, so a snapshot changes only when behaviour does:
//!
//! - UUIDs (`[uuid]`), runs of 16 or more hex digits and abbreviated ones (`4a5efd7b…`) as
//!   `[hex]`, 12-character serial numbers (`[serial]`) and loopback ports
//!   (`127.0.0.1:[port]`).
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

/// Masks UUIDs, runs of 16 or more hex digits, 12-character serial numbers and loopback ports
/// in `text` (see the [module](self) documentation).
pub fn redact(text: &str) -> String {
    let text = mask_loopback_ports(&enrollsim_harness::timeline::redact(text));
    mask_abbreviated_hex(&text)
}

/// Replaces the run of digits right after each `marker` with `mask`.
fn mask_number_after(text: &str, marker: &str, mask: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(marker) {
        let after = &rest[i + marker.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        out.push_str(&rest[..i + marker.len()]);
        if digits > 0 {
            out.push_str(mask);
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

/// Masks a run of 6 or more hex digits cut short with an ellipsis (`4a5efd7b…` → `[hex]…`).
fn mask_abbreviated_hex(text: &str) -> String {
    let mut pieces = text.split('…').peekable();
    let mut out = String::with_capacity(text.len());
    while let Some(piece) = pieces.next() {
        if pieces.peek().is_none() {
            out.push_str(piece);
            break;
        }
        let hex = piece
            .bytes()
            .rev()
            .take_while(u8::is_ascii_hexdigit)
            .count();
        let before = piece[..piece.len() - hex].chars().next_back();
        if hex >= 6 && !before.is_some_and(|c| c.is_alphanumeric()) {
            out.push_str(&piece[..piece.len() - hex]);
            out.push_str("[hex]");
        } else {
            out.push_str(piece);
        }
        out.push('…');
    }
    out
}
fn mask_loopback_ports(text: &str) -> String {
    mask_number_after(text, "127.0.0.1:", "[port]")
}

/// A timeline as text, one line per entry, redacted.
pub fn timeline(timeline: &Timeline) -> String {
    redact(&timeline.render())
}

/// A diagnosis report as text (section, cause, confidence, evidence, resolution, candidates,
/// what to collect next), redacted.
pub fn diagnosis(diagnosis: &Diagnosis) -> String {
    redact(&diagnosis.render_text())
}

/// An outcome on one line, redacted: `enrolled as UPN`, `failed on SCREEN: TEXT`,
/// `stuck on SCREEN: DETAIL` or `not managed: DETAIL`.
pub fn outcome(outcome: &Outcome) -> String {
    redact(&match outcome {
        Outcome::Enrolled { upn } => format!("enrolled as {upn}"),
        Outcome::Failed { screen, text, .. } => format!("failed on {}: {text}", screen.id()),
        Outcome::Stuck { screen, detail } => format!("stuck on {}: {detail}", screen.id()),
        Outcome::NotManaged { detail } => format!("not managed: {detail}"),
    })
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// A whole scenario run as text, redacted: the user's attempt, its outcome, the diagnosis, the
/// resolution and second attempt, and the verdict.
pub fn report(report: &RunReport) -> String {
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
    if let Some(second) = &report.fix_outcome {
        let _ = write!(
            out,
            "\n-- resolution and second attempt --\n{}",
            report.fix_timeline.render()
        );
        if let Some(e) = &report.fix_error {
            let _ = writeln!(out, "resolution error: {e}");
        }
        let _ = writeln!(out, "outcome: {}", outcome(second));
    }
    let _ = writeln!(
        out,
        "\nreproduced: {}   diagnosed: {} / {}   fixed: {}",
        yes_no(report.reproduced),
        report.diagnosed_section().map_or("-", Section::id),
        report.diagnosed_cause().map_or("-", Cause::id),
        yes_no(report.fixed)
    );
    redact(&out)
}

/// `value` as a JSON value with every string redacted, for `insta::assert_yaml_snapshot!` or
/// `insta::assert_json_snapshot!`. A value that does not serialize gives `Null`.
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
    fn ports_are_masked_only_after_loopback() {
        assert_eq!(
            mask_loopback_ports("a 127.0.0.1:8443/x, b 127.0.0.1:, c 10.0.0.1:80"),
            "a 127.0.0.1:[port]/x, b 127.0.0.1:, c 10.0.0.1:80"
        );
    }

    #[test]
    fn abbreviated_hex_is_masked() {
        assert_eq!(
            mask_abbreviated_hex("token 4a5efd7b… and café… and xdeadbeef… end…"),
            "token [hex]… and café… and xdeadbeef… end…"
        );
    }

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
