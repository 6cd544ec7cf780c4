//! The `enrollsim` command line: list and replay scenarios, diagnose evidence.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use enrollsim::{catalog, run_scenario, RunReport, Scenario};

mod load;
mod scoring;
mod training;

#[derive(Parser)]
#[command(
    name = "enrollsim",
    version,
    about = "Reproduce, diagnose and fix Intune iOS/iPadOS enrollment failures in a simulated tenant and device"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the scenarios: id, title, article section.
    List {
        /// Read scenarios from this directory instead of the built-in catalog.
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Print JSON: an array of {"id", "title", "section", "cause"}.
        #[arg(long)]
        json: bool,
    },
    /// Replay scenarios: reproduce, diagnose blind, fix, re-enroll.
    Run {
        /// Scenario ids or paths to .toml files.
        scenarios: Vec<String>,
        /// Replay the whole catalog.
        #[arg(long)]
        all: bool,
        /// Read scenarios from this directory instead of the built-in catalog.
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Print each run's whole report as JSON (outcome, timelines, diagnosis, verdicts)
        /// instead of rows.
        #[arg(long, conflicts_with = "json")]
        report: bool,
        /// Write the evidence bundle of each run to DIR/<id>/.
        #[arg(long)]
        bundle: Option<PathBuf>,
    },
    /// A training lab: start a scenario's broken world, let the trainee investigate through the
    /// admin API and the evidence, fix it, and enroll again.
    Lab {
        /// Scenario id or path.
        scenario: String,
        /// Where to write the evidence bundle and the CA certificate.
        #[arg(long, default_value = "enrollsim-lab")]
        dir: PathBuf,
        /// Read scenarios from this directory instead of the built-in catalog.
        #[arg(long = "scenarios")]
        scenarios_dir: Option<PathBuf>,
    },
    /// Export the failure scenarios' evidence bundles under opaque names, with the ground
    /// truth, for scoring a diagnostic tool.
    Export {
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
        /// Read scenarios from this directory instead of the built-in catalog.
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Score a diagnostic tool's answers against an export's ground truth (`--self` scores
    /// enrollsim's own diagnosis).
    Score {
        /// The export's ground-truth.json.
        #[arg(long)]
        truth: PathBuf,
        /// The tool's answers: a JSON array of {"case", "section", "cause"}.
        #[arg(long, conflicts_with = "self_")]
        predictions: Option<PathBuf>,
        /// Score enrollsim's own diagnosis of the exported bundles.
        #[arg(long = "self")]
        self_: bool,
    },
    /// Load mode: enroll many devices concurrently in one world and report throughput and
    /// latency percentiles (wall clock; a benchmark, not a test).
    Load {
        /// How many devices (one user each).
        #[arg(long, default_value_t = 1000)]
        devices: usize,
        /// How many enrollments run at once.
        #[arg(long, default_value_t = 256)]
        concurrency: usize,
        /// World seed.
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
    /// Diagnose evidence: a bundle directory, or a message (with an optional log).
    Diagnose {
        /// An evidence bundle directory (see docs/evidence-bundle.md).
        #[arg(long, conflicts_with = "message")]
        bundle: Option<PathBuf>,
        /// The message the user saw.
        #[arg(long)]
        message: Option<String>,
        /// The message's language (en, it...).
        #[arg(long, default_value = "en")]
        lang: String,
        /// A device console log or Company Portal log to add.
        #[arg(long)]
        log: Option<PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `println!` that ignores a closed pipe (`enrollsim run --all | head` must not panic).
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($t)*);
    }};
}

/// `print!` that ignores a closed pipe.
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout().lock(), $($t)*);
    }};
}

fn scenarios(dir: &Option<PathBuf>) -> Result<Vec<Scenario>> {
    Ok(match dir {
        Some(d) => catalog::load(d)?,
        None => catalog::builtin()?,
    })
}

/// Every scenario of `dir` that loads, and an error line for each file that does not: one
/// broken file must not keep the others from running.
fn scenarios_tolerant(dir: &std::path::Path) -> Result<(Vec<Scenario>, Vec<String>)> {
    let entries = std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let (mut ok, mut errors) = (Vec::<Scenario>::new(), Vec::new());
    for p in paths {
        match Scenario::load(&p) {
            Ok(s) if ok.iter().any(|o| o.id == s.id) => errors.push(format!(
                "{}: scenario id {:?} is used twice",
                p.display(),
                s.id
            )),
            Ok(s) => ok.push(s),
            Err(e) => errors.push(e.to_string()),
        }
    }
    ok.sort_by(|a, b| a.id.cmp(&b.id));
    Ok((ok, errors))
}

fn resolve(name: &str, dir: &Option<PathBuf>) -> Result<Scenario> {
    let path = PathBuf::from(name);
    if name.ends_with(".toml") || path.is_file() {
        return Ok(Scenario::load(&path)?);
    }
    scenarios(dir)?
        .into_iter()
        .find(|s| s.id == name)
        .with_context(|| format!("no scenario with id {name:?} (try `enrollsim list`)"))
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn print_report(r: &RunReport, detailed: bool) {
    if detailed {
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
        if r.fix_outcome.is_some() {
            outln!(
                "\n-- resolution and second attempt --\n{}",
                r.fix_timeline.render()
            );
        }
        outln!(
            "reproduced: {}   diagnosed: {}/{}   fixed: {}",
            yes_no(r.reproduced),
            r.diagnosed_section.as_deref().unwrap_or("-"),
            r.diagnosed_cause.as_deref().unwrap_or("-"),
            yes_no(r.fixed)
        );
        if let Some(e) = &r.fix_error {
            outln!("resolution error: {e}");
        }
    }
}

fn row_json(r: &RunReport) -> serde_json::Value {
    serde_json::json!({
        "id": r.id,
        "section": r.section,
        "cause_expected": r.cause_expected,
        "reproduced": r.reproduced,
        "message": r.message,
        "diagnosed_section": r.diagnosed_section,
        "diagnosed_cause": r.diagnosed_cause,
        "fixed": r.fixed,
    })
}

/// How `run` prints its results.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Output {
    /// A timeline for one scenario, a table for several.
    Text,
    /// JSON rows (`id`, `section`, `cause_expected`, `reproduced`, `message`,
    /// `diagnosed_section`, `diagnosed_cause`, `fixed`).
    Rows,
    /// JSON: every run's whole report.
    Report,
}

async fn run(
    names: Vec<String>,
    all: bool,
    dir: Option<PathBuf>,
    output: Output,
    bundle: Option<PathBuf>,
) -> Result<ExitCode> {
    let json = output == Output::Rows;
    let mut load_errors = Vec::new();
    let list = if all {
        match &dir {
            Some(d) => {
                let (list, errors) = scenarios_tolerant(d)?;
                for e in &errors {
                    eprintln!("error: {e}");
                }
                load_errors = errors;
                list
            }
            None => scenarios(&dir)?,
        }
    } else {
        if names.is_empty() {
            bail!("name a scenario (see `enrollsim list`) or pass --all");
        }
        names
            .iter()
            .map(|n| resolve(n, &dir))
            .collect::<Result<Vec<_>>>()?
    };
    let detailed = output == Output::Text && list.len() == 1;
    let mut reports = Vec::new();
    for s in &list {
        let r = run_scenario(s)
            .await
            .with_context(|| format!("scenario {}", s.id))?;
        if let Some(dir) = &bundle {
            let out = dir.join(&r.id);
            r.evidence
                .write_dir(&out)
                .with_context(|| format!("writing the bundle to {}", out.display()))?;
        }
        print_report(&r, detailed);
        reports.push(r);
    }
    let ok = load_errors.is_empty() && reports.iter().all(RunReport::holds);
    if output == Output::Report {
        outln!("{}", serde_json::to_string_pretty(&reports)?);
    } else if json {
        let rows: Vec<_> = reports.iter().map(row_json).collect();
        outln!("{}", serde_json::to_string_pretty(&rows)?);
    } else if !detailed {
        outln!(
            "{:<42} {:<11} {:<10} {:<32} {:<5}  the user saw",
            "id",
            "reproduced",
            "diagnosed",
            "cause",
            "fixed"
        );
        for r in &reports {
            let diagnosed_ok = r.section.is_none()
                || (r.diagnosed_section == r.section && r.diagnosed_cause == r.cause_expected);
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
                yes_no(r.reproduced),
                if r.section.is_none() {
                    "-"
                } else {
                    yes_no(diagnosed_ok)
                },
                r.diagnosed_cause.as_deref().unwrap_or("-"),
                yes_no(r.fixed),
                seen
            );
        }
        outln!(
            "\n{} passed, {} failed",
            reports.iter().filter(|r| r.holds()).count(),
            reports.iter().filter(|r| !r.holds()).count() + load_errors.len()
        );
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn outcome_word(o: &enrollsim::Outcome) -> &'static str {
    match o {
        enrollsim::Outcome::Enrolled { .. } => "enrolled",
        enrollsim::Outcome::Failed { .. } => "failed",
        enrollsim::Outcome::Stuck { .. } => "stuck",
        enrollsim::Outcome::NotManaged { .. } => "not managed",
    }
}

fn diagnose_cmd(
    bundle: Option<PathBuf>,
    message: Option<String>,
    lang: String,
    log: Option<PathBuf>,
    json: bool,
) -> Result<ExitCode> {
    let mut evidence = match (&bundle, &message) {
        (Some(dir), _) => {
            let read = enrollsim::EvidenceBundle::read_dir(dir)?;
            for p in &read.problems {
                eprintln!("warning: {p}");
            }
            read.bundle
        }
        (None, Some(m)) => enrollsim::EvidenceBundle::from_message(m.clone(), lang.clone()),
        (None, None) => bail!("give --bundle DIR or --message TEXT"),
    };
    if let Some(log) = log {
        let bytes = std::fs::read(&log).with_context(|| format!("reading {}", log.display()))?;
        let text = String::from_utf8(bytes)
            .with_context(|| format!("{} is not a UTF-8 text log", log.display()))?;
        if text
            .lines()
            .any(|l| l.starts_with("20") && l.contains(" ["))
        {
            evidence.company_portal_log = Some(text);
        } else {
            evidence.device_log = Some(text);
        }
    }
    let diagnosis = enrollsim::diagnose(&evidence);
    if json {
        outln!("{}", serde_json::to_string_pretty(&diagnosis)?);
    } else {
        out!("{}", diagnosis.render_text());
    }
    Ok(ExitCode::SUCCESS)
}

/// The simulator's developer log (`tracing`), on stderr, only when `RUST_LOG` asks for it
/// (e.g. `RUST_LOG=enrollsim_simulator=debug`). It is not the recorded evidence.
fn install_developer_log() {
    use std::io::IsTerminal;
    if std::env::var_os("RUST_LOG").is_none() {
        return;
    }
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("RUST_LOG"))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> ExitCode {
    install_developer_log();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::List { dir, json: true } => scenarios(&dir).map(|list| {
            let rows: Vec<_> = list
                .iter()
                .map(|s| serde_json::json!({"id": s.id, "title": s.title, "section": s.section, "cause": s.cause}))
                .collect();
            outln!("{}", serde_json::to_string_pretty(&rows).unwrap_or_default());
            ExitCode::SUCCESS
        }),
        Command::List { dir, json: false } => scenarios(&dir).map(|list| {
            for s in list {
                outln!(
                    "{:<42} {:<60} {}",
                    s.id,
                    s.title.chars().take(60).collect::<String>(),
                    s.section.as_deref().unwrap_or("(happy path)")
                );
            }
            ExitCode::SUCCESS
        }),
        Command::Lab {
            scenario,
            dir,
            scenarios_dir,
        } => match resolve(&scenario, &scenarios_dir) {
            Ok(s) => training::run(s, dir).await,
            Err(e) => Err(e),
        },
        Command::Export { out, dir } => match scenarios(&dir) {
            Ok(list) => scoring::export(list, &out).await,
            Err(e) => Err(e),
        },
        Command::Score {
            truth,
            predictions,
            self_,
        } => {
            if predictions.is_none() && !self_ {
                Err(anyhow::anyhow!("give --predictions FILE or --self"))
            } else {
                scoring::score(&truth, predictions.as_deref())
            }
        }
        Command::Load {
            devices,
            concurrency,
            seed,
        } => load::run(devices, concurrency, seed).await,
        Command::Run {
            scenarios,
            all,
            dir,
            json,
            report,
            bundle,
        } => run(scenarios, all, dir, if report { Output::Report } else if json { Output::Rows } else { Output::Text }, bundle).await,
        Command::Diagnose {
            bundle,
            message,
            lang,
            log,
            json,
        } => diagnose_cmd(bundle, message, lang, log, json),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
