//! `enrollsim load`: many devices enrolling at once in one world, timed on the wall clock.
//!
//! This is the CLI's benchmark mode: the virtual clock drives everything the devices see, but
//! what is measured here is real time — how fast one process pushes full BYOD enrollments
//! (sign-in, eligibility, workplace join, profile download, PKCS#12 import, check-ins over
//! mutual TLS, an APNs push over HTTP/2, the command loop) through the stack.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use enrollsim_harness::lab::Lab;
use enrollsim_harness::scenario::{UserSpec, WorldSpec};
use enrollsim_simulator::device::{Credentials, DeviceSpec, Outcome};

/// `println!` that ignores a closed pipe.
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($t)*);
    }};
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Runs the load and prints a summary.
pub async fn run(devices: usize, concurrency: usize, seed: u64) -> Result<ExitCode> {
    if devices == 0 || concurrency == 0 {
        bail!("--devices and --concurrency must be at least 1");
    }
    let mut builder = WorldSpec::builder().seed(seed);
    for i in 0..devices {
        builder = builder.user(UserSpec::new(&format!("user{i:05}@contoso.example")));
    }
    let setup = Instant::now();
    let lab = Arc::new(Lab::start(&builder.build()).await?);
    let setup = setup.elapsed();
    let gate = Arc::new(tokio::sync::Semaphore::new(concurrency));
    // Every device is switched on at the same virtual moment; the gate only limits how many
    // the process drives at once.
    let fleet: Vec<_> = (0..devices)
        .map(|i| {
            lab.world.device(DeviceSpec::iphone(
                &format!("LD{i:010}"),
                &format!("00008110-{i:016X}"),
            ))
        })
        .collect();
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(devices);
    for (i, device) in fleet.into_iter().enumerate() {
        let gate = gate.clone();
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire_owned().await.ok()?;
            let user = Credentials {
                upn: format!("user{i:05}@contoso.example"),
                password: "Passw0rd!".into(),
            };
            let t = Instant::now();
            let outcome = device.enroll_with_company_portal(&user).await;
            Some((t.elapsed(), matches!(outcome, Outcome::Enrolled { .. })))
        }));
    }
    let mut latencies = Vec::with_capacity(devices);
    let mut failed = 0;
    for t in tasks {
        match t.await.ok().flatten() {
            Some((d, true)) => latencies.push(d),
            _ => failed += 1,
        }
    }
    let wall = started.elapsed();
    latencies.sort();
    outln!(
        "devices       {devices} ({} enrolled, {failed} failed), concurrency {concurrency}",
        latencies.len()
    );
    outln!("world setup   {:.1} ms", setup.as_secs_f64() * 1e3);
    outln!("wall time     {:.2} s", wall.as_secs_f64());
    outln!(
        "throughput    {:.0} enrollments/s",
        latencies.len() as f64 / wall.as_secs_f64()
    );
    outln!(
        "latency p50   {:.1} ms",
        percentile(&latencies, 0.50).as_secs_f64() * 1e3
    );
    outln!(
        "latency p90   {:.1} ms",
        percentile(&latencies, 0.90).as_secs_f64() * 1e3
    );
    outln!(
        "latency p99   {:.1} ms",
        percentile(&latencies, 0.99).as_secs_f64() * 1e3
    );
    outln!("apns pushes   {}", lab.world.apns.delivered());
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
