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

/// A scenario that produced no report: its file did not load, or the world it describes could
/// not be built or run. It still gets its row, so one broken scenario loses no other.
pub struct ErrorRow {
    /// The scenario's id, or the file's path when the file did not load.
    pub id: String,
    /// Whether the file loaded (and the world then failed).
    pub loaded: bool,
    /// What went wrong.
    pub error: String,
}

/// Replays the scenarios `args` names; exit 0 only when every one holds and every file loaded
/// and ran.
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
    let mut errors = Vec::new();
    for s in list {
        let id = s.id.clone();
        let r = match replay(s).await {
            Ok(r) => r,
            Err(error) => {
                eprintln!("error: scenario {id}: {error}");
                errors.push(ErrorRow {
                    id,
                    loaded: true,
                    error,
                });
                continue;
            }
        };
        if let Some(dir) = &args.bundle {
            write_bundle(&r, dir)?;
        }
        if detailed {
            print_detailed(&r);
        }
        reports.push(r);
    }
    errors.extend(load_errors.into_iter().map(|e| ErrorRow {
        // The error starts with the file's path: the row is named after it.
        id: e.split(':').next().unwrap_or(&e).to_string(),
        loaded: false,
        error: e,
    }));
    print_results(&args, output, detailed, &reports, &errors)?;
    let ok = errors.is_empty() && reports.iter().all(RunReport::holds);
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Runs one scenario on its own task, so that a world that cannot be built, or a panic while
/// it runs, becomes that scenario's error instead of ending the batch.
async fn replay(scenario: Scenario) -> std::result::Result<RunReport, String> {
    let task = tokio::spawn(async move { run_scenario(&scenario).await });
    match task.await {
        Ok(Ok(report)) => Ok(report),
        Ok(Err(e)) => Err(e.to_string()),
        Err(e) if e.is_panic() => {
            let panic = e.into_panic();
            let what = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_string()))
                .unwrap_or_default();
            Err(format!("the run panicked: {what}"))
        }
        Err(e) => Err(format!("the run did not finish: {e}")),
    }
}

/// The JUnit file, then the table or JSON: one entry per report and one per error.
fn print_results(
    args: &RunArgs,
    output: Output,
    detailed: bool,
    reports: &[RunReport],
    errors: &[ErrorRow],
) -> Result<()> {
    if let Some(path) = &args.junit {
        let xml = crate::junit::report(reports, errors);
        std::fs::write(path, xml).with_context(|| format!("writing {}", path.display()))?;
    }
    match output {
        Output::Report => {
            let mut all: Vec<serde_json::Value> = reports
                .iter()
                .map(serde_json::to_value)
                .collect::<Result<_, _>>()?;
            all.extend(errors.iter().map(error_json));
            outln!("{}", serde_json::to_string_pretty(&all)?);
        }
        Output::Rows => {
            let mut rows: Vec<_> = reports.iter().map(row_json).collect();
            rows.extend(errors.iter().map(error_json));
            outln!("{}", serde_json::to_string_pretty(&rows)?);
        }
        Output::Text if !detailed => print_table(reports, errors),
        Output::Text => {
            for e in errors {
                outln!("{}: {}", e.id, e.error);
            }
        }
    }
    Ok(())
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
    for a in &r.attempts {
        let device = a.device.as_deref().unwrap_or("the world's device");
        outln!(
            "\n-- {} on {device} (before) --\n{}outcome: {} ({})",
            a.user,
            a.timeline.render(),
            serde_json::to_string(&a.outcome).unwrap_or_default(),
            if a.reproduced {
                "as expected"
            } else {
                "NOT as expected"
            }
        );
    }
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
    if let Some(s) = r.diagnosed_section() {
        outln!("article:    {}", s.anchors_label());
    }
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

/// The JSON row of a scenario that produced no report: nothing held, and why.
fn error_json(e: &ErrorRow) -> serde_json::Value {
    serde_json::json!({
        "id": e.id,
        "reproduced": false,
        "fixed": false,
        "error": e.error,
    })
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
        "current_section": r.section.map(Section::current_section),
        "diagnosed_section": section,
        "diagnosed_current_section": r.diagnosed_section().map(Section::current_section),
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
                    "current_section": s.section.current_section(),
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
    r.reproduced && r.stages.iter().all(|s| s.reproduced) && r.attempts.iter().all(|a| a.reproduced)
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

/// One row per scenario (and per scenario that produced no report) and a count of what held.
fn print_table(reports: &[RunReport], errors: &[ErrorRow]) {
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
    for e in errors {
        let what = if e.loaded { "error" } else { "not loaded" };
        let error: String = e.error.chars().take(70).collect();
        outln!(
            "{:<42} {:<11} {:<10} {:<32} {:<5}  {what}: {error}",
            e.id,
            "error",
            "-",
            "-",
            "no"
        );
    }
    outln!(
        "\n{} passed, {} failed",
        reports.iter().filter(|r| r.holds()).count(),
        reports.iter().filter(|r| !r.holds()).count() + errors.len()
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
