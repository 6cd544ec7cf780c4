//! `enrollsim export` and `enrollsim score`: validating a diagnostic tool against ground truth.
//!
//! `export` replays scenarios and writes each failed attempt's evidence bundle under an opaque
//! name (`case-001`...), so nothing in the bundle's path gives its cause away, plus
//! `ground-truth.json`: `[{"case", "section", "cause"}]`. A tool under test reads the bundles
//! and writes its answers as `[{"case", "section", "cause"}]`; `score` compares the two and
//! prints per-case verdicts and the accuracy of sections and causes. `score --self` scores
//! enrollsim's own diagnosis of the exported bundles.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use enrollsim::{run_scenario, EvidenceBundle, Scenario};

/// One case of the ground truth or of a tool's answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// The case's directory name.
    pub case: String,
    /// The article section (anchor), or null.
    pub section: Option<String>,
    /// The cause id, or null.
    pub cause: Option<String>,
}

/// Writes the bundles of `scenarios`' failed attempts and the ground truth to `out`.
pub async fn export(scenarios: Vec<Scenario>, out: &Path, json: bool) -> Result<ExitCode> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    // Cases are shuffled (with a fixed seed, so exports are reproducible): their order must not
    // follow the catalog's ids either.
    let mut failures: Vec<&Scenario> = scenarios.iter().filter(|s| s.section.is_some()).collect();
    let rng = enrollsim_simulator::rng::SeededRng::new(0x5C04E);
    for i in (1..failures.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        failures.swap(i, j);
    }
    let mut truth = Vec::new();
    for s in failures {
        let report = run_scenario(s)
            .await
            .with_context(|| format!("scenario {}", s.id))?;
        let case = format!("case-{:03}", truth.len() + 1);
        report.evidence.write_dir(out.join(&case))?;
        truth.push(Answer {
            case,
            section: s.section.map(|x| x.id().to_string()),
            cause: s.cause.map(|x| x.id().to_string()),
        });
    }
    let path = out.join("ground-truth.json");
    std::fs::write(&path, serde_json::to_string_pretty(&truth)?)
        .with_context(|| format!("writing {}", path.display()))?;
    if json {
        let summary = serde_json::json!({
            "bundles": truth.len(),
            "ground_truth": path,
            "cases": truth,
        });
        outln!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        outln!("wrote {} bundles and {}", truth.len(), path.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn read_answers(path: &Path) -> Result<Vec<Answer>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| {
        format!(
            "{}: expected a JSON array of {{\"case\", \"section\", \"cause\"}}",
            path.display()
        )
    })
}

/// Enrollsim's own answers for the bundles next to `truth`.
fn own_answers(truth_path: &Path, truth: &[Answer]) -> Result<Vec<Answer>> {
    let dir = truth_path.parent().map(PathBuf::from).unwrap_or_default();
    truth
        .iter()
        .map(|t| {
            let read = EvidenceBundle::read_dir(dir.join(&t.case))?;
            let d = enrollsim::diagnose(&read.bundle);
            Ok(Answer {
                case: t.case.clone(),
                section: d.section.map(|s| s.id().to_string()),
                cause: d.cause.map(|c| c.id().to_string()),
            })
        })
        .collect()
}

/// One case of a score: the ground truth, the answer and whether section and cause match.
#[derive(Serialize)]
struct Verdict<'a> {
    case: &'a str,
    section_ok: bool,
    cause_ok: bool,
    expected: &'a Answer,
    got: Option<&'a Answer>,
}

impl Verdict<'_> {
    /// The verdict as a line of the text report.
    fn line(&self) -> String {
        let t = self.expected;
        let answer = match self.got {
            None => "  (no answer)".to_string(),
            Some(a) if !(self.section_ok && self.cause_ok) => format!(
                "  got {} / {}",
                a.section.as_deref().unwrap_or("-"),
                a.cause.as_deref().unwrap_or("-")
            ),
            _ => String::new(),
        };
        format!(
            "{:<9} section {:<3} cause {:<3} expected {} / {}{}",
            t.case,
            if self.section_ok { "ok" } else { "no" },
            if self.cause_ok { "ok" } else { "no" },
            t.section.as_deref().unwrap_or("-"),
            t.cause.as_deref().unwrap_or("-"),
            answer
        )
    }
}

/// Compares answers with the ground truth; exit 0 only when every case is right.
pub fn score(truth_path: &Path, predictions: Option<&Path>, json: bool) -> Result<ExitCode> {
    let truth = read_answers(truth_path)?;
    let answers = match predictions {
        Some(p) => read_answers(p)?,
        None => own_answers(truth_path, &truth)?,
    };
    let answers: BTreeMap<&str, &Answer> = answers.iter().map(|a| (a.case.as_str(), a)).collect();
    if truth.is_empty() {
        bail!("{} holds no cases", truth_path.display());
    }
    let verdicts: Vec<Verdict> = truth
        .iter()
        .map(|t| {
            let got = answers.get(t.case.as_str()).copied();
            Verdict {
                case: &t.case,
                section_ok: got.is_some_and(|a| a.section == t.section),
                cause_ok: got.is_some_and(|a| a.cause == t.cause),
                expected: t,
                got,
            }
        })
        .collect();
    let n = truth.len();
    let sections = verdicts.iter().filter(|v| v.section_ok).count();
    let causes = verdicts.iter().filter(|v| v.cause_ok).count();
    if json {
        let summary = serde_json::json!({
            "cases": verdicts, "sections": sections, "causes": causes, "total": n,
        });
        outln!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        for v in &verdicts {
            outln!("{}", v.line());
        }
        outln!(
            "\nsections {sections}/{n} ({:.0}%), causes {causes}/{n} ({:.0}%)",
            100.0 * sections as f64 / n as f64,
            100.0 * causes as f64 / n as f64
        );
    }
    Ok(if sections == n && causes == n {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
