//! `enrollsim load`: many devices enrolling at once in one world, timed on the wall clock.
//!
//! This is the CLI's benchmark mode: the virtual clock drives everything the devices see, but
//! what is measured here is real time — how fast one process pushes full BYOD enrollments
//! (sign-in, eligibility, workplace join, profile download, PKCS#12 import, check-ins over
//! mutual TLS, an APNs push over HTTP/2, the command loop) through the stack.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use enrollsim::{Action, DeviceHandle, DeviceSetup, Outcome, UserSpec, World, WorldSpec};
use serde::Serialize;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn upn(i: usize) -> String {
    format!("user{i:05}@contoso.example")
}

/// What a load run measured.
#[derive(Serialize)]
struct Summary {
    devices: usize,
    enrolled: usize,
    failed: usize,
    concurrency: usize,
    setup_ms: f64,
    wall_s: f64,
    enrollments_per_s: f64,
    latency_p50_ms: f64,
    latency_p90_ms: f64,
    latency_p99_ms: f64,
    apns_pushes: u64,
    managed_devices: usize,
}

/// Runs the load and prints a summary.
pub async fn run(devices: usize, concurrency: usize, seed: u64, json: bool) -> Result<ExitCode> {
    let mut builder = WorldSpec::builder().seed(seed);
    for i in 0..devices {
        builder = builder.user(UserSpec::new(&upn(i)));
    }
    let setup = Instant::now();
    let world = World::start(&builder.build()).await?;
    let setup = setup.elapsed();
    // Every device is switched on at the same virtual moment; the gate only limits how many
    // the process drives at once.
    let fleet = (0..devices)
        .map(|i| {
            world.add_device(&DeviceSetup {
                serial: Some(format!("LD{i:010}")),
                udid: Some(format!("00008110-{i:016X}")),
                ..DeviceSetup::iphone()
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let started = Instant::now();
    let mut latencies = enroll_all(fleet, concurrency).await;
    let wall = started.elapsed();
    latencies.sort();
    let summary = Summary {
        devices,
        enrolled: latencies.len(),
        failed: devices - latencies.len(),
        concurrency,
        setup_ms: setup.as_secs_f64() * 1e3,
        wall_s: wall.as_secs_f64(),
        enrollments_per_s: latencies.len() as f64 / wall.as_secs_f64(),
        latency_p50_ms: percentile(&latencies, 0.50).as_secs_f64() * 1e3,
        latency_p90_ms: percentile(&latencies, 0.90).as_secs_f64() * 1e3,
        latency_p99_ms: percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        apns_pushes: world.apns_pushes_delivered(),
        managed_devices: world.managed_device_count(),
    };
    world.shutdown().await;
    if json {
        outln!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print_summary(&summary);
    }
    Ok(if summary.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Enrolls device `i` of `fleet` for user `i`, at most `concurrency` at once; the wall time of
/// each enrollment that ended enrolled.
async fn enroll_all(fleet: Vec<DeviceHandle>, concurrency: usize) -> Vec<Duration> {
    let gate = Arc::new(tokio::sync::Semaphore::new(concurrency));
    let mut tasks = Vec::with_capacity(fleet.len());
    for (i, device) in fleet.into_iter().enumerate() {
        let gate = gate.clone();
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire_owned().await.ok()?;
            let t = Instant::now();
            let outcome = device.enroll(&Action::company_portal(&upn(i))).await;
            Some((t.elapsed(), matches!(outcome, Outcome::Enrolled { .. })))
        }));
    }
    let mut latencies = Vec::with_capacity(tasks.len());
    for t in tasks {
        if let Some((d, true)) = t.await.ok().flatten() {
            latencies.push(d);
        }
    }
    latencies
}

fn print_summary(s: &Summary) {
    outln!(
        "devices       {} ({} enrolled, {} failed), concurrency {}",
        s.devices,
        s.enrolled,
        s.failed,
        s.concurrency
    );
    outln!("world setup   {:.1} ms", s.setup_ms);
    outln!("wall time     {:.2} s", s.wall_s);
    outln!("throughput    {:.0} enrollments/s", s.enrollments_per_s);
    outln!("latency p50   {:.1} ms", s.latency_p50_ms);
    outln!("latency p90   {:.1} ms", s.latency_p90_ms);
    outln!("latency p99   {:.1} ms", s.latency_p99_ms);
    outln!("apns pushes   {}", s.apns_pushes);
    outln!("managed       {}", s.managed_devices);
}
