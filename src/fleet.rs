//! [`Fleet`]: many devices of one world driven through enrollment, idle check-ins and pushes,
//! a bounded number at once, each timed on the wall clock.
//!
//! The CLI's `load` command and the fleet tests share it, so what a benchmark measures is what
//! a test checks. Each device's flow is [settled](crate::World::settle) when it ends and the
//! device then goes idle (its connection to the MDM server closes): with the world's timeline in
//! [`RecordMode::Failures`](crate::RecordMode::Failures), memory stays bounded by the fleet's
//! size times what the tenant itself keeps per device. At most `concurrency` device tasks exist
//! at a time, so a phase over 100,000 devices spawns no more than that at once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::{Action, DeviceHandle, DeviceSetup, LabError, Outcome, SessionEnd, World};

/// What one phase over the fleet measured.
#[derive(Debug, Clone, Default)]
pub struct PhaseReport {
    /// Devices whose step succeeded.
    pub succeeded: usize,
    /// Devices whose step failed.
    pub failed: usize,
    /// Wall time of the whole phase.
    pub wall: Duration,
    /// Wall time of each successful step, ascending.
    pub latencies: Vec<Duration>,
}

impl PhaseReport {
    /// The latency below which a fraction `p` (0–1) of the successful steps finished.
    pub fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let last = self.latencies.len() - 1;
        let i = (last as f64 * p.clamp(0.0, 1.0)).round() as usize;
        self.latencies[i.min(last)]
    }

    /// Successful steps per second of wall time.
    pub fn per_second(&self) -> f64 {
        let secs = self.wall.as_secs_f64();
        if secs > 0.0 {
            self.succeeded as f64 / secs
        } else {
            0.0
        }
    }
}

/// One device of the fleet and the enrollment its user carries out.
struct Member {
    device: DeviceHandle,
    action: Action,
    enrolled: bool,
}

/// The devices of one world, driven side by side.
pub struct Fleet {
    world: Arc<World>,
    members: Vec<Member>,
    concurrency: usize,
    done: Arc<AtomicUsize>,
}

/// Which step a phase runs on each device.
#[derive(Clone, Copy)]
enum Step {
    Enroll,
    CheckIn,
    Push,
}

impl Fleet {
    /// An empty fleet in `world` that drives at most `concurrency` devices at once.
    ///
    /// It generates the process's RSA key pool here, with the world: every device's SCEP
    /// exchange takes its key from that pool (the stand-in for the key a real device generates),
    /// and generating it inside the first exchanges (about 0.3 s for a few RSA-2048 keys) would
    /// charge setup to the first devices' latency and to the enrollment phase's CPU.
    pub fn new(world: Arc<World>, concurrency: usize) -> Fleet {
        // A failure here shows again, as the first device's SCEP error, where it belongs.
        let _ = enrollsim_certs::keys::rsa_pool_key(0);
        Fleet {
            world,
            members: Vec::new(),
            concurrency: concurrency.max(1),
            done: Arc::default(),
        }
    }

    /// Switches on a device as `setup` describes it; its user will carry out `action`.
    pub fn add(&mut self, setup: &DeviceSetup, action: Action) -> Result<(), LabError> {
        let device = self.world.add_device(setup)?;
        self.members.push(Member {
            device,
            action,
            enrolled: false,
        });
        Ok(())
    }

    /// The world the fleet lives in.
    pub fn world(&self) -> Arc<World> {
        self.world.clone()
    }

    /// How many devices the fleet has.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether the fleet has no device.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// How many devices enrolled.
    pub fn enrolled(&self) -> usize {
        self.members.iter().filter(|m| m.enrolled).count()
    }

    /// Devices that finished the current phase's step so far (for a progress display; it
    /// starts again from 0 at each phase).
    pub fn progress(&self) -> Arc<AtomicUsize> {
        self.done.clone()
    }

    /// Every device's user enrolls it; the latency is the whole flow's.
    pub async fn enroll(&mut self) -> PhaseReport {
        let all: Vec<usize> = (0..self.members.len()).collect();
        let (report, succeeded) = self.run(Step::Enroll, &all).await;
        for i in succeeded {
            self.members[i].enrolled = true;
        }
        report
    }

    /// One idle check-in of every enrolled device: mdmclient polls the MDM server and
    /// answers whatever waits (over mutual TLS or with `Mdm-Signature`, as the device is
    /// configured). A step succeeds when the server ends the session.
    pub async fn check_in(&self) -> PhaseReport {
        self.run(Step::CheckIn, &self.enrolled_indexes()).await.0
    }

    /// Intune refreshes every enrolled device's inventory: it queues a `DeviceInformation`
    /// and pushes through APNs; the device handles the push and answers in its command loop.
    /// The latency runs from the push's request to the end of the command session.
    pub async fn push(&self) -> PhaseReport {
        self.run(Step::Push, &self.enrolled_indexes()).await.0
    }

    fn enrolled_indexes(&self) -> Vec<usize> {
        (0..self.members.len())
            .filter(|&i| self.members[i].enrolled)
            .collect()
    }

    /// Runs `step` on the members at `indexes`, at most `concurrency` at once; the report and
    /// the indexes that succeeded.
    async fn run(&self, step: Step, indexes: &[usize]) -> (PhaseReport, Vec<usize>) {
        self.done.store(0, Ordering::Relaxed);
        let gate = Arc::new(Semaphore::new(self.concurrency));
        let mut tasks = JoinSet::new();
        let mut outcomes = Vec::with_capacity(indexes.len());
        let started = Instant::now();
        for &i in indexes {
            let Ok(permit) = gate.clone().acquire_owned().await else {
                break;
            };
            let member = &self.members[i];
            let (world, device, action) = (
                self.world.clone(),
                member.device.clone(),
                member.action.clone(),
            );
            let done = self.done.clone();
            tasks.spawn(async move {
                let t = Instant::now();
                let ok = run_step(step, &world, &device, &action).await;
                let took = t.elapsed();
                world.settle(&device, ok);
                device.go_idle();
                done.fetch_add(1, Ordering::Relaxed);
                drop(permit);
                (i, ok, took)
            });
            while let Some(joined) = tasks.try_join_next() {
                outcomes.push(joined);
            }
        }
        while let Some(joined) = tasks.join_next().await {
            outcomes.push(joined);
        }
        let wall = started.elapsed();
        let mut report = PhaseReport {
            wall,
            ..PhaseReport::default()
        };
        let mut succeeded = Vec::new();
        for outcome in outcomes {
            match outcome {
                Ok((i, true, took)) => {
                    report.succeeded += 1;
                    report.latencies.push(took);
                    succeeded.push(i);
                }
                _ => report.failed += 1,
            }
        }
        report.latencies.sort_unstable();
        (report, succeeded)
    }
}

/// One device's step; whether it succeeded.
async fn run_step(step: Step, world: &World, device: &DeviceHandle, action: &Action) -> bool {
    match step {
        Step::Enroll => matches!(device.enroll(action).await, Outcome::Enrolled { .. }),
        Step::CheckIn => matches!(device.check_in().await, SessionEnd::Done { .. }),
        Step::Push => {
            if world.refresh_inventory(device).await.is_err() {
                return false;
            }
            matches!(device.handle_push().await, SessionEnd::Done { commands } if commands > 0)
        }
    }
}
