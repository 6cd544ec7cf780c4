//! `enrollsim lab`: a training lab on the command line.
//!
//! The scenario's world starts and stays up; the user's failed attempt is replayed and the
//! trainee sees what the user saw — not the cause. The trainee investigates with the admin API
//! (its URLs, CA certificate and bearer token are printed; `curl --cacert ca.pem --resolve ...`
//! works) and the evidence bundle written to disk, fixes the tenant there, handles the device
//! with commands typed here, and enrolls again. The lab says whether the device is now managed
//! for the right user. `hint` prints the blind diagnosis.
//!
//! With `--web` the lab is served to browsers instead (`enrollsim_harness::web`): a room of
//! trainees, each with a world of their own, until Ctrl-C.

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use enrollsim::scenario::CloudSetting;
use enrollsim::{Action, Outcome, ResolutionStep, Scenario, World};
use enrollsim_harness::web::{WebLab, WebLabConfig};
use tokio::sync::mpsc;

use crate::args::LabArgs;

/// `enrollsim lab`: the terminal lab, or with `--web` the lab in the browser.
pub async fn lab(args: LabArgs) -> Result<ExitCode> {
    let pool = match &args.scenario {
        Some(name) => vec![crate::list::resolve(name, args.dir.as_deref())?],
        // Only failures: a happy path has nothing to fix.
        None => crate::list::scenarios(args.dir.as_deref())?
            .into_iter()
            .filter(|s| s.section.is_some())
            .collect(),
    };
    anyhow::ensure!(!pool.is_empty(), "no failure scenario to draw from");
    let seed = args.seed.unwrap_or_else(fresh_seed);
    if args.web {
        let config = WebLabConfig {
            scenarios: pool,
            random: args.random,
            seed,
            listen: SocketAddr::new(args.listen, args.port),
            results: args.results,
            max_sessions: args.max_trainees,
        };
        return web(config).await;
    }
    let scenario = if args.random {
        let index = usize::try_from(seed % pool.len() as u64).unwrap_or(0);
        pool[index].clone()
    } else {
        pool[0].clone()
    };
    run(scenario, args.out, args.random).await
}

/// A seed that differs from one exam to the next.
fn fresh_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

/// Serves the web lab until Ctrl-C or SIGTERM.
async fn web(config: WebLabConfig) -> Result<ExitCode> {
    let loopback = config.listen.ip().is_loopback();
    let lab = WebLab::start(config).await?;
    outln!("Web lab: {}", lab.url());
    if !loopback {
        outln!("Listening on {} (not loopback): anyone on the network with the address above can open a lab.", lab.addr());
    }
    outln!("Each browser session gets a world of its own. Ctrl-C stops the lab.");
    let _ = std::io::Write::flush(&mut std::io::stdout());
    crate::serve::stopped().await;
    lab.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

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

/// What the trainee typed.
enum Input {
    Quit,
    /// Something to print, and nothing else to do.
    Say(String),
    Hint,
    Timeline,
    Enroll,
    Step(ResolutionStep),
}

/// Reads one line of the trainee's.
fn parse(line: &str) -> Option<Input> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let say = |s: &str| Some(Input::Say(s.to_string()));
    let step = |s: ResolutionStep| Some(Input::Step(s));
    match words.as_slice() {
        [] => None,
        ["quit"] | ["exit"] => Some(Input::Quit),
        ["help"] => say(HELP),
        ["hint"] => Some(Input::Hint),
        ["timeline"] => Some(Input::Timeline),
        ["enroll"] => Some(Input::Enroll),
        ["wait", hours] => match hours.parse::<i64>() {
            Ok(hours) if hours > 0 => step(ResolutionStep::WaitHours { hours }),
            _ => say("wait takes a whole number of hours"),
        },
        ["device", "remove-profile"] => step(ResolutionStep::RemoveManagementProfile),
        ["device", "reinstall-portal"] => step(ResolutionStep::ReinstallCompanyPortal),
        ["device", "clear-cookies"] => step(ResolutionStep::ClearSafariCookies),
        ["device", "restore"] => step(ResolutionStep::RestoreAsNew),
        ["device", "other-network"] => step(ResolutionStep::UseOtherNetwork),
        ["device", "cloud", value] => {
            let cloud = match *value {
                "automatic" => CloudSetting::Automatic,
                "public" => CloudSetting::Public,
                "government" => CloudSetting::Government,
                other => {
                    return Some(Input::Say(format!(
                        "unknown cloud {other:?}: automatic, public or government"
                    )))
                }
            };
            step(ResolutionStep::SetCompanyPortalCloud { cloud })
        }
        _ => say("unknown command; type help"),
    }
}

/// Runs a lab for `scenario`, writing the evidence and the CA certificate under `dir`;
/// `hidden` keeps the scenario's title from the trainee.
async fn run(scenario: Scenario, dir: PathBuf, hidden: bool) -> Result<ExitCode> {
    // The world starts at the real time, so that curl and other clients that check the
    // certificates against the system clock accept them.
    let world = World::start_now(&scenario.world).await?;
    let outcome = world.enroll(&scenario.action).await;
    let evidence = world.evidence(&scenario.action, &outcome).await;
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, world.ca_certificate_pem())
        .with_context(|| format!("writing {}", ca.display()))?;
    evidence.write_dir(dir.join("evidence"))?;
    brief(&world, &scenario, &outcome, &dir, &ca, hidden);
    let fixed = session(&world, &scenario, &outcome).await;
    world.shutdown().await;
    Ok(if fixed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// What the trainee is told at the start: what the user saw, where the evidence is and how to
/// reach the admin API.
fn brief(
    world: &World,
    scenario: &Scenario,
    outcome: &Outcome,
    dir: &Path,
    ca: &Path,
    hidden: bool,
) {
    if hidden {
        outln!("Lab: a failure drawn at random");
    } else {
        outln!("Lab: {}", scenario.title);
    }
    outln!("\nThe user ({}) tried to enroll:", scenario.action.user);
    match outcome {
        Outcome::Failed { screen, text, .. } => outln!("  on {}: \"{text}\"", screen.id()),
        Outcome::Stuck { screen, detail } => outln!("  stuck on {}: {detail}", screen.id()),
        Outcome::NotManaged { detail } => outln!("  {detail}"),
        Outcome::Enrolled { upn } => outln!("  enrolled as {upn} (nothing to fix)"),
    }
    outln!("\nEvidence bundle: {}", dir.join("evidence").display());
    outln!("CA certificate:  {}", ca.display());
    outln!("Admin API token: {}", world.admin_token());
    for s in world.services() {
        outln!("  {:<36} {}", s.host, s.base_url());
    }
    if let Some(api) = world.admin_api() {
        outln!(
            "e.g. curl --cacert {} --resolve {}:{}:127.0.0.1 -H 'Authorization: Bearer {}' https://{}:{}/v1.0/deviceManagement/deviceEnrollmentConfigurations",
            ca.display(), api.host, api.port(), world.admin_token(), api.host, api.port()
        );
    }
    outln!("\n{HELP}");
}

/// The trainee's session, until the device enrolls again for the right user (true) or the
/// trainee quits (false).
async fn session(world: &World, scenario: &Scenario, outcome: &Outcome) -> bool {
    let again = scenario
        .reenroll
        .clone()
        .unwrap_or_else(|| scenario.action.clone());
    let mut lines = stdin_lines();
    loop {
        out!("lab> ");
        let _ = std::io::Write::flush(&mut std::io::stdout());
        let Some(line) = lines.recv().await else {
            return false;
        };
        match parse(&line) {
            None => {}
            Some(Input::Quit) => return false,
            Some(Input::Say(text)) => outln!("{text}"),
            Some(Input::Hint) => {
                out!(
                    "{}",
                    world
                        .diagnose(&scenario.action, outcome)
                        .await
                        .render_text()
                )
            }
            Some(Input::Timeline) => out!("{}", world.take_timeline().render()),
            Some(Input::Enroll) if enroll_again(world, &again).await => return true,
            Some(Input::Enroll) => {}
            Some(Input::Step(step)) => match world.apply(&step).await {
                Ok(()) => outln!("done"),
                Err(e) => outln!("failed: {e}"),
            },
        }
    }
}

/// The trainee's lines, read on a thread of their own: a blocking read of stdin must not hold
/// one of the runtime's workers while the world's services answer.
fn stdin_lines() -> mpsc::Receiver<String> {
    let (send, receive) = mpsc::channel(1);
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if send.blocking_send(line).is_err() {
                break;
            }
        }
    });
    receive
}

/// The user enrolls again; true when the device is now managed for them.
async fn enroll_again(world: &World, again: &Action) -> bool {
    match world.enroll(again).await {
        Outcome::Enrolled { upn } if upn.eq_ignore_ascii_case(&again.user) => {
            outln!("Fixed: the device is managed for {upn}.");
            true
        }
        Outcome::Enrolled { upn } => {
            outln!("The device enrolled, but for {upn}, not {}.", again.user);
            false
        }
        Outcome::Failed { screen, text, .. } => {
            outln!("Still failing on {}: \"{text}\"", screen.id());
            false
        }
        other => {
            outln!(
                "Not enrolled: {}",
                serde_json::to_string(&other).unwrap_or_default()
            );
            false
        }
    }
}
