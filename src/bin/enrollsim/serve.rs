//! `enrollsim serve`: a world's services kept running on loopback for clients of someone else's.
//!
//! An Apple MDM client, curl or an admin script reaches the simulated tenant here: the world
//! starts at the current time (outside clients judge certificates by the system clock), the CA
//! to trust and a standard enrollment profile are written to `--out`, and the URLs, the CA's
//! path, the admin API's token and the profile's path are printed (`--json`: one object on one
//! line, for a program that started this one). Serving stops on Ctrl-C or SIGTERM.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use enrollsim::{UserSpec, World, WorldSpec};
use serde::Serialize;

use crate::args::ServeArgs;

/// The user of a world served without a scenario.
const DEFAULT_USER: &str = "alex@contoso.example";

/// What a client needs to reach the served world.
#[derive(Serialize)]
struct Served {
    /// Host name to base URL (`https://127.0.0.1:PORT`).
    urls: BTreeMap<String, String>,
    ca_certificate_path: PathBuf,
    admin_token: String,
    enrollment_profile_path: PathBuf,
    /// The user the enrollment profile enrolls a device for.
    user: String,
}

/// Serves `args.scenario`'s world (or a one-user tenant) until told to stop.
pub async fn serve(args: ServeArgs) -> Result<ExitCode> {
    let (spec, user) = match &args.scenario {
        Some(name) => {
            let scenario = crate::list::resolve(name, args.dir.as_deref())?;
            (scenario.world, scenario.action.user)
        }
        None => (
            WorldSpec::builder()
                .user(UserSpec::new(DEFAULT_USER))
                .build(),
            DEFAULT_USER.to_string(),
        ),
    };
    let world = World::start_now(&spec).await?;
    let served = write_files(&world, &args.out, &user)?;
    if args.json {
        outln!("{}", serde_json::to_string(&served)?);
    } else {
        print_text(&served);
    }
    let _ = std::io::Write::flush(&mut std::io::stdout());
    stopped().await;
    world.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

/// Writes the CA certificate and the enrollment profile under `out`.
fn write_files(world: &World, out: &Path, user: &str) -> Result<Served> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let out = std::fs::canonicalize(out).with_context(|| format!("reading {}", out.display()))?;
    let ca = out.join("ca.pem");
    std::fs::write(&ca, world.ca_certificate_pem())
        .with_context(|| format!("writing {}", ca.display()))?;
    let profile = out.join("enrollment.mobileconfig");
    let bytes = world
        .enrollment_profile(user)
        .context("building the enrollment profile")?;
    std::fs::write(&profile, bytes).with_context(|| format!("writing {}", profile.display()))?;
    Ok(Served {
        urls: world
            .services()
            .iter()
            .map(|s| (s.host.clone(), s.base_url()))
            .collect(),
        ca_certificate_path: ca,
        admin_token: world.admin_token().to_string(),
        enrollment_profile_path: profile,
        user: user.to_string(),
    })
}

fn print_text(served: &Served) {
    outln!("Serving (Ctrl-C stops):");
    for (host, url) in &served.urls {
        outln!("  {host:<36} {url}");
    }
    outln!(
        "CA certificate:     {}",
        served.ca_certificate_path.display()
    );
    outln!("Admin API token:    {}", served.admin_token);
    outln!(
        "Enrollment profile: {} (for {})",
        served.enrollment_profile_path.display(),
        served.user
    );
}

/// Until Ctrl-C, or SIGTERM where there is one.
pub(crate) async fn stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
