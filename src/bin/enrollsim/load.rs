//! `enrollsim load`: many devices enrolling at once in one world, timed on the wall clock.
//!
//! This is the CLI's benchmark mode: the virtual clock drives everything the devices see, but
//! what is measured here is real time — how fast one process pushes full enrollments (BYOD
//! through the Company Portal, or ADE through Setup Assistant) through the stack, then
//! optionally idle check-in rounds and an APNs push with its command loop across the enrolled
//! fleet. The fleet itself is [`enrollsim::fleet::Fleet`]; this module builds the world, shows
//! progress, reads the process's CPU time and resident memory, and reports.

use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use enrollsim::fleet::{Fleet, PhaseReport};
use enrollsim::scenario::{AdeSpec, CompanyPortalSpec};
use enrollsim::{
    Action, DeviceSetup, RecordMode, ResolutionStep, TenantSpec, UserSpec, World, WorldSpec,
};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use crate::args::Record;

/// What `enrollsim load` was asked to do.
pub struct LoadOptions {
    pub devices: usize,
    pub concurrency: usize,
    pub seed: u64,
    pub json: bool,
    pub checkins: usize,
    pub push: bool,
    pub ade: bool,
    pub record: Record,
}

fn upn(i: usize) -> String {
    format!("user{i:06}@contoso.example")
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// What a load run measured (`--json` prints it as one object).
#[derive(Serialize)]
struct Summary {
    devices: usize,
    enrolled: usize,
    failed: usize,
    concurrency: usize,
    flow: &'static str,
    record: &'static str,
    setup_s: f64,
    wall_s: f64,
    enrollments_per_s: f64,
    p50_ms: f64,
    p90_ms: f64,
    p99_ms: f64,
    /// Resident memory after enrollment, with the enrolled fleet idle.
    rss_bytes: u64,
    /// `rss_bytes` over the enrolled devices (the whole process, tenant and devices).
    rss_per_device_bytes: u64,
    /// Highest resident memory of the run.
    peak_rss_bytes: u64,
    /// CPU time (user + system, every thread) of the enrollment phase.
    cpu_s: f64,
    cpu_ms_per_enrollment: f64,
    apns_pushes: u64,
    managed_devices: usize,
    #[serde(flatten)]
    checkins: Option<CheckinSummary>,
    #[serde(flatten)]
    push: Option<PushSummary>,
}

#[derive(Serialize)]
struct CheckinSummary {
    checkin_rounds: usize,
    checkins: usize,
    checkins_failed: usize,
    checkins_per_s: f64,
    checkin_p99_ms: f64,
    /// CPU time per successful check-in.
    cpu_ms_per_checkin: f64,
}

#[derive(Serialize)]
struct PushSummary {
    pushes: usize,
    pushes_failed: usize,
    push_p50_ms: f64,
    push_p90_ms: f64,
    push_p99_ms: f64,
    /// Commands Intune still holds at the end: 0 when every device answered.
    lost_commands: usize,
    /// CPU time per acknowledged push (the push, the session and the answer).
    cpu_ms_per_push: f64,
}

/// The world: one user per device, an ADE token when the fleet enrolls through ADE.
fn world_spec(options: &LoadOptions) -> WorldSpec {
    let mut builder = WorldSpec::builder().seed(options.seed);
    if options.ade {
        builder = builder.tenant(TenantSpec {
            ade: Some(AdeSpec::default()),
            ..TenantSpec::new("Contoso")
        });
    }
    for i in 0..options.devices {
        builder = builder.user(UserSpec::new(&upn(i)));
    }
    builder.build()
}

fn device_setup(i: usize, ade: bool) -> DeviceSetup {
    let mut setup = DeviceSetup {
        serial: Some(format!("LD{i:010}")),
        udid: Some(format!("00008110-{i:016X}")),
        ..DeviceSetup::iphone()
    };
    if ade {
        // Out of the box: Setup Assistant, no Company Portal yet.
        setup.company_portal = CompanyPortalSpec {
            installed: false,
            ..CompanyPortalSpec::default()
        };
    }
    setup
}

/// Starts the world and switches on the fleet (an ADE fleet is then synced into Intune).
async fn build_fleet(options: &LoadOptions) -> Result<Fleet> {
    let world = Arc::new(World::start(&world_spec(options)).await?);
    world.set_record_mode(match options.record {
        Record::All => RecordMode::All,
        Record::Failures => RecordMode::Failures,
        Record::None => RecordMode::None,
    });
    let mut fleet = Fleet::new(world.clone(), options.concurrency);
    for i in 0..options.devices {
        let action = if options.ade {
            Action::ade(&upn(i))
        } else {
            Action::company_portal(&upn(i))
        };
        fleet.add(&device_setup(i, options.ade), action)?;
    }
    if options.ade {
        world.apply(&ResolutionStep::SyncAdeToken).await?;
    }
    Ok(fleet)
}

/// Runs the load and prints a summary.
pub async fn run(options: LoadOptions) -> Result<ExitCode> {
    let setup_started = Instant::now();
    let mut fleet = build_fleet(&options).await?;
    let world = fleet.world();
    let setup = setup_started.elapsed();

    let cpu_before = process::cpu_time();
    let enrollment = with_progress(
        &options,
        fleet.progress(),
        "enrolling",
        fleet.len(),
        async { fleet.enroll().await },
    )
    .await;
    let cpu = process::cpu_time().saturating_sub(cpu_before);
    let rss = process::resident_bytes();

    let checkins = if options.checkins > 0 {
        Some(check_in_rounds(&options, &fleet).await)
    } else {
        None
    };
    let push = if options.push {
        let cpu_before = process::cpu_time();
        let report = with_progress(
            &options,
            fleet.progress(),
            "pushing",
            fleet.enrolled(),
            async { fleet.push().await },
        )
        .await;
        let cpu = process::cpu_time().saturating_sub(cpu_before);
        Some(push_summary(&report, world.queued_command_count(), cpu))
    } else {
        None
    };
    let enrolled = enrollment.succeeded;
    let summary = Summary {
        devices: options.devices,
        enrolled,
        failed: enrollment.failed,
        concurrency: options.concurrency,
        flow: if options.ade { "ade" } else { "company-portal" },
        record: record_name(options.record),
        setup_s: setup.as_secs_f64(),
        wall_s: enrollment.wall.as_secs_f64(),
        enrollments_per_s: enrollment.per_second(),
        p50_ms: ms(enrollment.percentile(0.50)),
        p90_ms: ms(enrollment.percentile(0.90)),
        p99_ms: ms(enrollment.percentile(0.99)),
        rss_bytes: rss,
        rss_per_device_bytes: rss / enrolled.max(1) as u64,
        peak_rss_bytes: process::peak_resident_bytes(),
        cpu_s: cpu.as_secs_f64(),
        cpu_ms_per_enrollment: ms(cpu) / enrolled.max(1) as f64,
        apns_pushes: world.apns_pushes_delivered(),
        managed_devices: world.managed_device_count(),
        checkins,
        push,
    };
    drop(fleet);
    if let Ok(world) = Arc::try_unwrap(world) {
        world.shutdown().await;
    }
    print(&summary, options.json)?;
    let all_held = summary.failed == 0
        && summary
            .checkins
            .as_ref()
            .is_none_or(|c| c.checkins_failed == 0)
        && summary
            .push
            .as_ref()
            .is_none_or(|p| p.pushes_failed == 0 && p.lost_commands == 0);
    Ok(if all_held {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn record_name(record: Record) -> &'static str {
    match record {
        Record::All => "all",
        Record::Failures => "failures",
        Record::None => "none",
    }
}

async fn check_in_rounds(options: &LoadOptions, fleet: &Fleet) -> CheckinSummary {
    let mut total = PhaseReport::default();
    let cpu_before = process::cpu_time();
    for round in 1..=options.checkins {
        let label = format!("check-in {round}/{}", options.checkins);
        let report = with_progress(
            options,
            fleet.progress(),
            &label,
            fleet.enrolled(),
            fleet.check_in(),
        )
        .await;
        total.succeeded += report.succeeded;
        total.failed += report.failed;
        total.wall += report.wall;
        total.latencies.extend(report.latencies);
    }
    total.latencies.sort_unstable();
    let cpu = process::cpu_time().saturating_sub(cpu_before);
    CheckinSummary {
        cpu_ms_per_checkin: ms(cpu) / total.succeeded.max(1) as f64,
        checkin_rounds: options.checkins,
        checkins: total.succeeded,
        checkins_failed: total.failed,
        checkins_per_s: total.per_second(),
        checkin_p99_ms: ms(total.percentile(0.99)),
    }
}

fn push_summary(report: &PhaseReport, lost_commands: usize, cpu: Duration) -> PushSummary {
    PushSummary {
        cpu_ms_per_push: ms(cpu) / report.succeeded.max(1) as f64,
        pushes: report.succeeded,
        pushes_failed: report.failed,
        push_p50_ms: ms(report.percentile(0.50)),
        push_p90_ms: ms(report.percentile(0.90)),
        push_p99_ms: ms(report.percentile(0.99)),
        lost_commands,
    }
}

/// Runs `phase` with a progress bar on stderr that follows the fleet's progress counter. The
/// bar is hidden with `--json` and when stderr is not a terminal.
async fn with_progress<F: std::future::Future<Output = PhaseReport>>(
    options: &LoadOptions,
    progress: Arc<AtomicUsize>,
    label: &str,
    total: usize,
    phase: F,
) -> PhaseReport {
    let bar = if options.json {
        ProgressBar::hidden()
    } else {
        ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr())
    };
    if let Ok(style) =
        ProgressStyle::with_template("{msg:>14} {wide_bar} {pos}/{len} {per_sec} eta {eta}")
    {
        bar.set_style(style);
    }
    bar.set_message(label.to_string());
    let ticker = {
        let bar = bar.clone();
        tokio::spawn(async move {
            loop {
                bar.set_position(progress.load(Ordering::Relaxed) as u64);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    let report = phase.await;
    ticker.abort();
    bar.finish_and_clear();
    report
}

fn print(s: &Summary, json: bool) -> Result<()> {
    if json {
        outln!(
            "{}",
            serde_json::to_string_pretty(s).context("summary as JSON")?
        );
        return Ok(());
    }
    outln!(
        "devices       {} ({} enrolled, {} failed), {} flow, concurrency {}",
        s.devices,
        s.enrolled,
        s.failed,
        s.flow,
        s.concurrency
    );
    outln!("world setup   {:.2} s", s.setup_s);
    outln!(
        "enrollment    {:.2} s wall, {:.0}/s, CPU {:.2} s ({:.2} ms each)",
        s.wall_s,
        s.enrollments_per_s,
        s.cpu_s,
        s.cpu_ms_per_enrollment
    );
    outln!(
        "latency       p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms",
        s.p50_ms,
        s.p90_ms,
        s.p99_ms
    );
    outln!(
        "memory        {:.1} MiB resident ({:.1} KiB per device), peak {:.1} MiB",
        s.rss_bytes as f64 / 1048576.0,
        s.rss_per_device_bytes as f64 / 1024.0,
        s.peak_rss_bytes as f64 / 1048576.0
    );
    outln!(
        "apns pushes   {}, managed {}",
        s.apns_pushes,
        s.managed_devices
    );
    if let Some(c) = &s.checkins {
        outln!(
            "check-ins     {} in {} rounds ({} failed), {:.0}/s, p99 {:.1} ms, CPU {:.2} ms each",
            c.checkins,
            c.checkin_rounds,
            c.checkins_failed,
            c.checkins_per_s,
            c.checkin_p99_ms,
            c.cpu_ms_per_checkin
        );
    }
    if let Some(p) = &s.push {
        outln!(
            "push          {} acknowledged ({} failed, {} commands lost), p50 {:.1} ms, p99 {:.1} ms, CPU {:.2} ms each",
            p.pushes,
            p.pushes_failed,
            p.lost_commands,
            p.push_p50_ms,
            p.push_p99_ms,
            p.cpu_ms_per_push
        );
    }
    Ok(())
}

/// The process's own CPU time and resident memory, read from Linux's `/proc` (0 elsewhere).
mod process {
    use std::time::Duration;

    /// User plus system CPU time of every thread so far.
    pub fn cpu_time() -> Duration {
        let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
            return Duration::ZERO;
        };
        // The command name (field 2) may hold spaces; the fields after its ')' are plain.
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.split_whitespace().collect())
            .unwrap_or_default();
        // utime and stime are fields 14 and 15, i.e. 11 and 12 after the state (field 3).
        let ticks: u64 = [11, 12]
            .iter()
            .filter_map(|&i| fields.get(i)?.parse::<u64>().ok())
            .sum();
        let per_second = rustix::param::clock_ticks_per_second().max(1);
        Duration::from_secs_f64(ticks as f64 / per_second as f64)
    }

    fn status_kib(field: &str) -> u64 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }

    /// Resident memory now.
    pub fn resident_bytes() -> u64 {
        status_kib("VmRSS:") * 1024
    }

    /// The highest resident memory so far.
    pub fn peak_resident_bytes() -> u64 {
        status_kib("VmHWM:") * 1024
    }
}
