//! `enrollsim diagnose`: the blind diagnosis of a bundle directory, or of a message the user
//! saw, or of a device log alone (what a user pasted into a ticket), or of both.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use enrollsim::EvidenceBundle;

/// Reads the evidence, diagnoses it and prints the report.
pub fn diagnose(
    bundle: Option<PathBuf>,
    message: Option<String>,
    lang: Option<String>,
    log: Option<PathBuf>,
    json: bool,
) -> Result<ExitCode> {
    let mut evidence = match (bundle, message) {
        (Some(dir), _) => {
            let read = EvidenceBundle::read_dir(dir)?;
            for p in &read.problems {
                eprintln!("warning: {p}");
            }
            read.bundle
        }
        (None, Some(m)) => {
            // Without --lang the language is the one the text is written in, as far as the
            // catalog can tell; the recognition itself looks at every language either way.
            let lang = lang
                .or_else(|| {
                    enrollsim::diagnostics::detect_language(&m).map(|l| l.tag().to_string())
                })
                .unwrap_or_else(|| "en".to_string());
            EvidenceBundle::from_message(m, lang)
        }
        // A log alone: nothing else is known.
        (None, None) if log.is_some() => EvidenceBundle::default(),
        // clap requires one of the three.
        (None, None) => anyhow::bail!("give --bundle DIR, --message TEXT or --log FILE"),
    };
    if let Some(log) = log {
        add_log(&mut evidence, &log)?;
    }
    let diagnosis = enrollsim::diagnose(&evidence);
    if json {
        outln!("{}", serde_json::to_string_pretty(&diagnosis)?);
    } else {
        out!("{}", diagnosis.render_text());
    }
    Ok(ExitCode::SUCCESS)
}

/// Adds a log file as the Company Portal's (its lines start with an RFC 3339 time, `T` between
/// date and time, then a level) or as the device's console log (every other shape, `log show`'s
/// `2022-10-11 14:03:42...` included).
fn add_log(evidence: &mut EvidenceBundle, log: &std::path::Path) -> Result<()> {
    let bytes = std::fs::read(log).with_context(|| format!("reading {}", log.display()))?;
    let text = String::from_utf8(bytes)
        .with_context(|| format!("{} is not a UTF-8 text log", log.display()))?;
    let portal_line = |l: &str| {
        l.split_whitespace()
            .next()
            .is_some_and(|w| w.len() > 19 && w.as_bytes()[10] == b'T' && w.starts_with("20"))
    };
    if text.lines().any(portal_line) {
        evidence.company_portal_log = Some(text);
    } else {
        evidence.device_log = Some(text);
    }
    Ok(())
}
