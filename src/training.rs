//! `enrollsim lab`: a training lab on the command line.
//!
//! The scenario's world starts and stays up; the user's failed attempt is replayed and the
//! trainee sees what the user saw — not the cause. The trainee investigates with the admin API
//! (its URLs, CA certificate and bearer token are printed; `curl --cacert ca.pem --resolve ...`
//! works) and the evidence bundle written to disk, fixes the tenant there, handles the device
//! with commands typed here, and enrolls again. The lab says whether the device is now managed
//! for the right user. `hint` prints the blind diagnosis.

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use enrollsim::scenario::CloudSetting;
use enrollsim::{Outcome, ResolutionStep, Scenario, World};

const HELP: &str = "commands:
  enroll                         the user enrolls again; the lab checks the result
  device remove-profile          Settings > General > Device Management > Remove Management
  device reinstall-portal        delete the Company Portal and install it from the App Store
  device clear-cookies           Settings > Safari > Clear History and Website Data
  device restore                 restore in recovery mode, set up as new, install the Company Portal
  device cloud <automatic|public|government>   the Company Portal's Cloud setting
  device other-network           join another Wi-Fi network
  wait HOURS                     let time pass (Intune's 12-hourly ADE sync runs when due)
  timeline                       what happened since the last look
  hint                           the blind diagnosis of the collected evidence
  help | quit";

/// Runs a lab for `scenario`, writing the evidence and the CA certificate under `dir`.
pub async fn run(scenario: Scenario, dir: PathBuf) -> Result<ExitCode> {
    // The world starts at the real time, so that curl and other clients that check the
    // certificates against the system clock accept them.
    let world = World::start_now(&scenario.world).await?;
    let outcome = world.enroll(&scenario.action).await;
    let evidence = world.evidence(&scenario.action, &outcome);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, world.ca_certificate_pem())
        .with_context(|| format!("writing {}", ca.display()))?;
    evidence.write_dir(dir.join("evidence"))?;
    println!("Lab: {}", scenario.title);
    println!("\nThe user ({}) tried to enroll:", scenario.action.user);
    match &outcome {
        Outcome::Failed { screen, text, .. } => println!("  on {}: \"{text}\"", screen.id()),
        Outcome::Stuck { screen, detail } => println!("  stuck on {}: {detail}", screen.id()),
        Outcome::NotManaged { detail } => println!("  {detail}"),
        Outcome::Enrolled { upn } => println!("  enrolled as {upn} (nothing to fix)"),
    }
    println!("\nEvidence bundle: {}", dir.join("evidence").display());
    println!("CA certificate:  {}", ca.display());
    println!("Admin API token: {}", world.admin_token());
    for s in world.services() {
        println!("  {:<36} {}", s.host, s.base_url());
    }
    if let Some(api) = world.admin_api() {
        println!(
            "e.g. curl --cacert {} --resolve {}:{}:127.0.0.1 -H 'Authorization: Bearer {}' https://{}:{}/v1.0/deviceManagement/deviceEnrollmentConfigurations",
            ca.display(), api.host, api.port(), world.admin_token(), api.host, api.port()
        );
    }
    println!("\n{HELP}");
    let again = scenario
        .reenroll
        .clone()
        .unwrap_or_else(|| scenario.action.clone());
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    loop {
        print!("lab> ");
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
        let Some(Ok(line)) = lines.next() else { break };
        let words: Vec<&str> = line.split_whitespace().collect();
        let step = match words.as_slice() {
            [] => continue,
            ["quit"] | ["exit"] => break,
            ["help"] => {
                println!("{HELP}");
                continue;
            }
            ["hint"] => {
                print!(
                    "{}",
                    world.diagnose(&scenario.action, &outcome).render_text()
                );
                continue;
            }
            ["timeline"] => {
                print!("{}", world.take_timeline().render());
                continue;
            }
            ["enroll"] => {
                let result = world.enroll(&again).await;
                match &result {
                    Outcome::Enrolled { upn } if upn.eq_ignore_ascii_case(&again.user) => {
                        println!("Fixed: the device is managed for {upn}.");
                        world.shutdown().await;
                        return Ok(ExitCode::SUCCESS);
                    }
                    Outcome::Enrolled { upn } => {
                        println!("The device enrolled, but for {upn}, not {}.", again.user)
                    }
                    Outcome::Failed { screen, text, .. } => {
                        println!("Still failing on {}: \"{text}\"", screen.id())
                    }
                    other => println!(
                        "Not enrolled: {}",
                        serde_json::to_string(other).unwrap_or_default()
                    ),
                }
                continue;
            }
            ["wait", hours] => match hours.parse::<i64>() {
                Ok(hours) if hours > 0 => ResolutionStep::WaitHours { hours },
                _ => {
                    println!("wait takes a whole number of hours");
                    continue;
                }
            },
            ["device", "remove-profile"] => ResolutionStep::RemoveManagementProfile,
            ["device", "reinstall-portal"] => ResolutionStep::ReinstallCompanyPortal,
            ["device", "clear-cookies"] => ResolutionStep::ClearSafariCookies,
            ["device", "restore"] => ResolutionStep::RestoreAsNew,
            ["device", "other-network"] => ResolutionStep::UseOtherNetwork,
            ["device", "cloud", value] => match *value {
                "automatic" => ResolutionStep::SetCompanyPortalCloud {
                    cloud: CloudSetting::Automatic,
                },
                "public" => ResolutionStep::SetCompanyPortalCloud {
                    cloud: CloudSetting::Public,
                },
                "government" => ResolutionStep::SetCompanyPortalCloud {
                    cloud: CloudSetting::Government,
                },
                other => {
                    println!("unknown cloud {other:?}: automatic, public or government");
                    continue;
                }
            },
            _ => {
                println!("unknown command; type help");
                continue;
            }
        };
        match world.apply(&step).await {
            Ok(()) => println!("done"),
            Err(e) => println!("failed: {e}"),
        }
    }
    world.shutdown().await;
    Ok(ExitCode::FAILURE)
}
