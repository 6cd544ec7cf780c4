//! `enrollsim run`: replays scenarios (reproduce, diagnose blind, fix, re-enroll) and prints
//! one detailed report, a table, JSON rows or whole JSON reports, optionally with each run's
//! evidence bundle and a JUnit XML report.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use enrollsim::snapshot::yes_no;
use enrollsim::{catalog, run_scenario, Cause, Outcome, RunReport, Scenario, Section};

use crate::args::RunArgs;
use crate::list;

/// How `run` prints its results.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Output {
    /// A timeline for one scenario, a table for several.
    Text,
    /// JSON rows (`id`, `section`, `cause_expected`, `reproduced`, `message`,
    /// `diagnosed_section`, `diagnosed_cause`, `fixed`, and `stages` for several faults).
    Rows,
    /// JSON: every run's whole report.
    Report,
}

/// The section and cause ids the blind diagnosis named.
pub fn diagnosed(r: &RunReport) -> (Option<&'static str>, Option<&'static str>) {
    (
        r.diagnosed_section().map(Section::id),
        r.diagnosed_cause().map(Cause::id),
    )
}

/// Replays the scenarios `args` names; exit 0 only when every one holds and every file loaded.
pub async fn run(args: RunArgs) -> Result<ExitCode> {
    let output = if args.report {
        Output::Report
    } else if args.json {
        Output::Rows
    } else {
        Output::Text
    };
    let (list, load_errors) = chosen_scenarios(&args)?;
    let detailed = output == Output::Text && list.len() == 1;
    let mut reports = Vec::new();
    for s in &list {
        let r = run_scenario(s)
            .await
            .with_context(|| format!("scenario {}", s.id))?;
        if let Some(dir) = &args.bundle {
            write_bundle(&r, dir)?;
        }
        if detailed {
            print_detailed(&r);
        }
        reports.push(r);
    }
    if let Some(path) = &args.junit {
        let xml = crate::junit::report(&reports, &load_errors);
        std::fs::write(path, xml).with_context(|| format!("writing {}", path.display()))?;
    }
    match output {
        Output::Report => outln!("{}", serde_json::to_string_pretty(&reports)?),
        Output::Rows => {
            let rows: Vec<_> = reports.iter().map(row_json).collect();
            outln!("{}", serde_json::to_string_pretty(&rows)?);
        }
        Output::Text if !detailed => print_table(&reports, load_errors.len()),
        Output::Text => {}
    }
    let ok = load_errors.is_empty() && reports.iter().all(RunReport::holds);
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The scenarios to replay, and an error line for each file of `--dir` that did not load
/// (with `--all`, one broken file must not keep the others from running).
fn chosen_scenarios(args: &RunArgs) -> Result<(Vec<Scenario>, Vec<String>)> {
    if !args.all {
        let list = args
            .scenarios
            .iter()
            .map(|n| list::resolve(n, args.dir.as_deref()))
            .collect::<Result<Vec<_>>>()?;
        return Ok((list, Vec::new()));
    }
    let Some(dir) = &args.dir else {
        return Ok((catalog::builtin()?, Vec::new()));
    };
    let (list, errors) = catalog::load_tolerant(dir)?;
    let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
    for e in &errors {
        eprintln!("error: {e}");
    }
    Ok((list, errors))
}

fn write_bundle(r: &RunReport, dir: &Path) -> Result<()> {
    let out = dir.join(&r.id);
    r.evidence
        .write_dir(&out)
        .with_context(|| format!("writing the bundle to {}", out.display()))?;
    // Each failure that followed a fix has its own evidence, collected after that attempt.
    for (i, stage) in r.stages.iter().enumerate() {
        let out = dir.join(&r.id).join(format!("stage-{}", i + 2));
        stage
            .evidence
            .write_dir(&out)
            .with_context(|| format!("writing the bundle to {}", out.display()))?;
    }
    Ok(())
}

/// One scenario in full: the attempt, the diagnosis, the fix and the verdict.
fn print_detailed(r: &RunReport) {
    outln!("scenario  {} — {}", r.id, r.title);
    outln!("\n-- the user's attempt --\n{}", r.timeline.render());
    if let Some(m) = &r.message {
        outln!("the user saw: {m}");
    }
    outln!(
        "outcome: {}",
        serde_json::to_string(&r.outcome).unwrap_or_default()
    );
    if let Some(d) = &r.diagnosis {
        outln!(
            "\n-- diagnosis (from the evidence bundle alone) --\n{}",
            d.render_text()
        );
    }
    print_stages(r);
    if r.fix_outcome.is_some() {
        let heading = if r.stages.is_empty() {
            "resolution and second attempt"
        } else {
            "last resolution and final attempt"
        };
        outln!("\n-- {heading} --\n{}", r.fix_timeline.render());
    }
    let (section, cause) = diagnosed(r);
    outln!(
        "reproduced: {}   diagnosed: {}/{}   fixed: {}",
        yes_no(r.reproduced),
        section.unwrap_or("-"),
        cause.unwrap_or("-"),
        yes_no(r.fixed)
    );
    for (i, stage) in r.stages.iter().enumerate() {
        outln!(
            "stage {}: reproduced: {}   diagnosed: {}/{}   expected: {}/{}",
            i + 2,
            yes_no(stage.reproduced),
            stage.diagnosed_section.map_or("-", Section::id),
            stage.diagnosed_cause.map_or("-", Cause::id),
            stage.section.id(),
            stage.cause_expected.id()
        );
    }
    if let Some(e) = &r.fix_error {
        outln!("resolution error: {e}");
    }
}

/// Each failure that followed a fix: its attempt, what the user saw, and its diagnosis.
fn print_stages(r: &RunReport) {
    for (i, stage) in r.stages.iter().enumerate() {
        let n = i + 2;
        outln!(
            "\n-- stage {n}: resolution and next attempt --\n{}",
            stage.timeline.render()
        );
        if let Some(m) = &stage.message {
            outln!("the user saw: {m}");
        }
        outln!(
            "outcome: {}",
            serde_json::to_string(&stage.outcome).unwrap_or_default()
        );
        outln!(
            "\n-- stage {n} diagnosis (from the evidence bundle alone) --\n{}",
            stage.diagnosis.render_text()
        );
    }
}

fn row_json(r: &RunReport) -> serde_json::Value {
    let (section, cause) = diagnosed(r);
    let mut row = serde_json::json!({
        "id": r.id,
        "section": r.section,
        "cause_expected": r.cause_expected,
        "reproduced": r.reproduced,
        "message": r.message,
        "diagnosed_section": section,
        "diagnosed_cause": cause,
        "fixed": r.fixed,
    });
    if !r.stages.is_empty() {
        let stages: Vec<_> = r
            .stages
            .iter()
            .map(|s| {
                serde_json::json!({
                    "section": s.section,
                    "cause_expected": s.cause_expected,
                    "reproduced": s.reproduced,
                    "message": s.message,
                    "diagnosed_section": s.diagnosed_section,
                    "diagnosed_cause": s.diagnosed_cause,
                })
            })
            .collect();
        row["stages"] = serde_json::Value::Array(stages);
    }
    row
}

/// Whether the diagnosis named the expected section and cause (always, for a happy path), at
/// the first failure and at every one that followed a fix.
pub fn diagnosed_as_expected(r: &RunReport) -> bool {
    let first = r.section.is_none()
        || (r.diagnosed_section() == r.section && r.diagnosed_cause() == r.cause_expected);
    first
        && r.stages.iter().all(|s| {
            s.diagnosed_section == Some(s.section) && s.diagnosed_cause == Some(s.cause_expected)
        })
}

/// Whether the first attempt and every attempt after a fix ended as expected.
fn reproduced_all(r: &RunReport) -> bool {
    r.reproduced && r.stages.iter().all(|s| s.reproduced)
}

/// The causes diagnosed, the first attempt's then each following stage's, joined by `>`.
fn diagnosed_chain(r: &RunReport) -> String {
    let mut chain = vec![diagnosed(r).1.unwrap_or("-")];
    chain.extend(
        r.stages
            .iter()
            .map(|s| s.diagnosed_cause.map_or("-", Cause::id)),
    );
    chain.join(" > ")
}

/// One row per scenario and a count of what held.
fn print_table(reports: &[RunReport], load_errors: usize) {
    outln!(
        "{:<42} {:<11} {:<10} {:<32} {:<5}  the user saw",
        "id",
        "reproduced",
        "diagnosed",
        "cause",
        "fixed"
    );
    for r in reports {
        let seen: String = r
            .message
            .clone()
            .unwrap_or_else(|| format!("({})", outcome_word(&r.outcome)))
            .chars()
            .take(70)
            .collect();
        outln!(
            "{:<42} {:<11} {:<10} {:<32} {:<5}  {}",
            r.id,
            yes_no(reproduced_all(r)),
            if r.section.is_none() {
                "-"
            } else {
                yes_no(diagnosed_as_expected(r))
            },
            diagnosed_chain(r),
            yes_no(r.fixed),
            seen
        );
    }
    outln!(
        "\n{} passed, {} failed",
        reports.iter().filter(|r| r.holds()).count(),
        reports.iter().filter(|r| !r.holds()).count() + load_errors
    );
}

fn outcome_word(o: &Outcome) -> &'static str {
    match o {
        Outcome::Enrolled { .. } => "enrolled",
        Outcome::Failed { .. } => "failed",
        Outcome::Stuck { .. } => "stuck",
        Outcome::NotManaged { .. } => "not managed",
    }
}
