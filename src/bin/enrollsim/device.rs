//! `enrollsim device enroll`: the simulated iPhone enrolls into an MDM server of someone else's
//! (nanomdm, a vendor's server under test) with a standard enrollment profile, then checks in.
//!
//! Text output tells the enrollment step by step, as the wire saw it; `--json` prints the
//! whole report as one object for a test or a script. The exit code says whether the device
//! enrolled (see `args`).

use std::process::ExitCode;

use anyhow::{Context, Result};
use enrollsim::foreign::{enroll_device, CheckIns, ForeignEnrollment, ForeignOptions};

use crate::args::DeviceEnrollArgs;

/// Enrolls the device as `args` say.
pub async fn enroll(args: DeviceEnrollArgs) -> Result<ExitCode> {
    let profile = std::fs::read(&args.profile)
        .with_context(|| format!("reading {}", args.profile.display()))?;
    let trust = match &args.trust {
        Some(path) => {
            let pem = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            ForeignOptions::trust_pem(&pem)
                .with_context(|| format!("reading {}", path.display()))?
        }
        None => Vec::new(),
    };
    let options = ForeignOptions {
        trust,
        allow_http: args.allow_http,
        seed: args.seed,
    };
    let interval = std::time::Duration::try_from_secs_f64(args.interval)
        .context("--interval must be a number of seconds, 0 or more")?;
    let checkins = CheckIns {
        rounds: args.checkins,
        interval,
    };
    let report = enroll_device(&profile, &options, checkins).await?;
    if args.json {
        outln!("{}", serde_json::to_string(&report)?);
    } else {
        print_text(&report, args.allow_http);
    }
    let held = report.enrolled && report.error.is_none();
    Ok(if held {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn print_text(report: &ForeignEnrollment, allow_http: bool) {
    outln!("Device {} (UDID {})", report.serial, report.udid);
    for (i, step) in report.steps.iter().enumerate() {
        outln!("  {:>2}. {step}", i + 1);
    }
    if report.enrolled {
        outln!("Enrolled: Authenticate and TokenUpdate accepted.");
        outln!(
            "Check-ins: {} of {} answered{}",
            report.checkins_ok,
            report.checkins,
            if report.erased {
                " (the device was erased by the server; no check-in follows)"
            } else {
                ""
            }
        );
    } else {
        outln!("Not enrolled.");
    }
    for command in &report.commands {
        match &command.error {
            Some(error) => outln!(
                "  {} {}: {} ({error})",
                command.request_type,
                command.command_uuid,
                command.status
            ),
            None => outln!(
                "  {} {}: {}",
                command.request_type,
                command.command_uuid,
                command.status
            ),
        }
    }
    if let Some(error) = &report.error {
        outln!("Error: {error}");
        if !allow_http && error.contains("plain http is not allowed") {
            outln!("(pass --allow-http to let the device use a server without TLS)");
        }
        if error.contains("UnknownIssuer") {
            outln!("(the server's certificate does not chain to a CA given with --trust)");
        }
    }
}
