//! `run --junit FILE`: the runs as a JUnit XML report, the format CI dashboards read. One
//! testsuite, one testcase per scenario, a `<failure>` for each scenario that does not hold
//! saying which check failed, a testcase with a `<failure>` for each file that did not load,
//! and one with an `<error>` for each scenario whose world could not be built or run.

use std::fmt::Write as _;

use enrollsim::{Cause, RunReport, Section};

use crate::run::{diagnosed, diagnosed_as_expected, ErrorRow};

/// `text` with the characters XML gives a meaning escaped, and the control characters XML 1.0
/// cannot carry at all dropped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Why `r` does not hold, one line per failed check; empty when it holds.
fn failures(r: &RunReport) -> Vec<String> {
    let mut why = Vec::new();
    if !r.reproduced {
        why.push(format!(
            "not reproduced: the attempt ended {}",
            serde_json::to_string(&r.outcome).unwrap_or_default()
        ));
    }
    if !diagnosed_as_expected(r) {
        let (section, cause) = diagnosed(r);
        why.push(format!(
            "diagnosed {} / {}, expected {} / {}",
            section.unwrap_or("-"),
            cause.unwrap_or("-"),
            r.section.map_or("-", Section::id),
            r.cause_expected.map_or("-", Cause::id)
        ));
    }
    for (i, stage) in r.stages.iter().enumerate().filter(|(_, s)| !s.holds()) {
        why.push(format!(
            "stage {}: reproduced {}, diagnosed {} / {}, expected {} / {}",
            i + 2,
            stage.reproduced,
            stage.diagnosed_section.map_or("-", Section::id),
            stage.diagnosed_cause.map_or("-", Cause::id),
            stage.section.id(),
            stage.cause_expected.id()
        ));
    }
    if !r.fixed {
        why.push(match &r.fix_error {
            Some(e) => format!("not fixed: {e}"),
            None => "not fixed: the device did not enroll again for its user".into(),
        });
    }
    if why.is_empty() && !r.holds() {
        why.push("does not hold".into());
    }
    why
}

/// What a testcase that does not pass carries: `failure` (a check failed) or `error` (the test
/// could not run), with its message and detail.
struct Outcome<'a> {
    element: &'a str,
    message: &'a str,
    detail: String,
}

fn testcase(out: &mut String, name: &str, outcome: Option<Outcome<'_>>) {
    let _ = write!(
        out,
        "    <testcase classname=\"enrollsim.scenarios\" name=\"{}\"",
        escape(name)
    );
    match outcome {
        None => out.push_str("/>\n"),
        Some(Outcome {
            element,
            message,
            detail,
        }) => {
            let _ = write!(
                out,
                ">\n      <{element} message=\"{}\">{}</{element}>\n    </testcase>\n",
                escape(message),
                escape(&detail)
            );
        }
    }
}

/// The JUnit XML document for `reports` and the scenarios that produced none (`errors`): a
/// file that did not load is a failed case, a world that could not be built or run an error.
pub fn report(reports: &[RunReport], errors: &[ErrorRow]) -> String {
    let not_loaded = errors.iter().filter(|e| !e.loaded).count();
    let failed = reports.iter().filter(|r| !r.holds()).count() + not_loaded;
    let errored = errors.len() - not_loaded;
    let tests = reports.len() + errors.len();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"enrollsim\" tests=\"{tests}\" failures=\"{failed}\" errors=\"{errored}\">"
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"enrollsim run\" tests=\"{tests}\" failures=\"{failed}\" errors=\"{errored}\" skipped=\"0\">"
    );
    for r in reports {
        let why = failures(r);
        let outcome = why.first().map(|first| Outcome {
            element: "failure",
            message: first,
            detail: why.join("\n"),
        });
        testcase(&mut out, &r.id, outcome);
    }
    for e in errors {
        let outcome = if e.loaded {
            Outcome {
                element: "error",
                message: "the world could not be built or run",
                detail: e.error.clone(),
            }
        } else {
            Outcome {
                element: "failure",
                message: "the scenario file did not load",
                detail: e.error.clone(),
            }
        };
        testcase(&mut out, &e.id, Some(outcome));
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped_and_control_characters_dropped() {
        assert_eq!(
            escape("a<b & \"c\" 'd'>\u{1}\n"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;\n"
        );
    }

    #[test]
    fn a_file_that_did_not_load_is_a_failed_case() {
        let xml = report(
            &[],
            &[ErrorRow {
                id: "dir/broken.toml".into(),
                loaded: false,
                error: "dir/broken.toml:2:9: invalid type".into(),
            }],
        );
        assert!(xml.contains("tests=\"1\" failures=\"1\""), "{xml}");
        assert!(xml.contains("name=\"dir/broken.toml\""), "{xml}");
        assert!(xml.contains("<failure message=\"the scenario file did not load\">dir/broken.toml:2:9: invalid type</failure>"), "{xml}");
    }

    #[test]
    fn a_world_that_could_not_be_built_is_an_error_case() {
        let xml = report(
            &[],
            &[ErrorRow {
                id: "broken-history".into(),
                loaded: true,
                error: "history step 0 did not complete".into(),
            }],
        );
        assert!(
            xml.contains("tests=\"1\" failures=\"0\" errors=\"1\""),
            "{xml}"
        );
        assert!(xml.contains("<error message=\"the world could not be built or run\">history step 0 did not complete</error>"), "{xml}");
    }
}
