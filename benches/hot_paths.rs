//! criterion benchmarks of the paths every enrollment takes: Apple's plists encoded and
//! decoded, Intune's eligibility and restriction evaluation in a tenant of 100,000 devices, an
//! append to the recorder, and one whole BYOD enrollment over loopback TLS.
//!
//! `cargo bench --bench hot_paths` (add `-- plist` to run one group). They measure CPU on the
//! machine they run on; docs/performance.md says how they relate to `enrollsim load`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use enrollsim::{Action, DeviceSetup, Outcome, UserSpec, World, WorldSpec};
use enrollsim_simulator::cloud::intune::restrictions::{
    device_limit_for, enrolled_device_count, platform_restriction_for,
};
use enrollsim_simulator::cloud::intune::state::{
    IntuneState, ManagedDevice, ManagementState, Ownership,
};
use enrollsim_simulator::recorder::{Entry, Happening, RecordMode, Recorder};
use enrollsim_simulator::wire::command::{CommandReport, CommandStatus};
use time::macros::datetime;

const TENANT_DEVICES: usize = 100_000;

fn plist(c: &mut Criterion) {
    let mut report = CommandReport::idle("00008110-000000000000002A");
    report.status = CommandStatus::Acknowledged;
    report.command_uuid = Some("0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0".into());
    let xml = report.to_xml();
    let mut group = c.benchmark_group("plist");
    group.bench_function("command report encode", |b| {
        b.iter(|| black_box(report.to_xml()))
    });
    group.bench_function("command report decode", |b| {
        b.iter(|| black_box(CommandReport::from_xml(black_box(&xml)).is_ok()))
    });
    group.finish();
}

fn device(i: usize) -> ManagedDevice {
    let at = datetime!(2026-11-26 10:00 UTC);
    ManagedDevice {
        id: format!("device-{i}"),
        azure_ad_device_id: None,
        upn: format!("user{i:06}@contoso.example"),
        name: format!("user{i:06}_iPhone15,2"),
        serial: format!("LD{i:010}"),
        udid: format!("00008110-{i:016X}"),
        os_version: "17.5".into(),
        model: "iPhone15,2".into(),
        ownership: Ownership::Personal,
        enrollment_type: "userEnrollment".into(),
        state: ManagementState::Managed,
        enrolled_at: at,
        last_contact: at,
        admin_visible: true,
        topic: None,
        push_token: None,
        push_magic: None,
        identity_serial: None,
        awaiting_configuration: false,
        queue: Default::default(),
        results: Vec::new(),
        last_push_failure: None,
    }
}

fn eligibility(c: &mut Criterion) {
    let mut state = IntuneState::new("Contoso");
    state.devices.extend((0..TENANT_DEVICES).map(device));
    let groups = vec!["all-staff".to_string()];
    let mut group = c.benchmark_group("eligibility (100,000 devices)");
    let mut i = 0usize;
    group.bench_function("device count and restrictions of one user", |b| {
        b.iter(|| {
            i = (i + 7919) % TENANT_DEVICES;
            let upn = format!("user{i:06}@contoso.example");
            let count = enrolled_device_count(&state, &upn);
            let limit = device_limit_for(&state, &groups);
            let platform = platform_restriction_for(&state, &groups).is_some();
            black_box((count, limit, platform))
        })
    });
    group.bench_function("device record by UDID", |b| {
        b.iter(|| {
            i = (i + 7919) % TENANT_DEVICES;
            black_box(
                state
                    .device_by_udid_mut(&format!("00008110-{i:016X}"))
                    .is_some(),
            )
        })
    });
    group.finish();
}

fn recorder(c: &mut Criterion) {
    let note = |i: u64| Entry {
        at: datetime!(2026-11-26 10:00 UTC),
        device: Some(format!("LD{:010}", i % 1000)),
        what: Happening::Note {
            party: "Intune".into(),
            text: "device authenticated".into(),
        },
    };
    let mut group = c.benchmark_group("recorder");
    for mode in [RecordMode::All, RecordMode::Failures] {
        group.bench_function(format!("append ({mode:?})"), |b| {
            b.iter_batched(
                || {
                    let recorder = Recorder::new();
                    recorder.set_mode(mode);
                    recorder
                },
                |recorder| {
                    for i in 0..100 {
                        recorder.record(note(i));
                    }
                    recorder
                },
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

/// Enrolls `n` devices one after another in a world with `n` users; the time of the
/// enrollments alone.
fn enroll_sequentially(runtime: &tokio::runtime::Runtime, n: u64) -> Duration {
    runtime.block_on(async {
        let mut builder = WorldSpec::builder().seed(11);
        for i in 0..n {
            builder = builder.user(UserSpec::new(&format!("bench{i:06}@contoso.example")));
        }
        let world = World::start(&builder.build()).await.expect("world starts");
        let devices: Vec<_> = (0..n)
            .map(|i| {
                world
                    .add_device(&DeviceSetup {
                        serial: Some(format!("BN{i:010}")),
                        ..DeviceSetup::iphone()
                    })
                    .expect("device added")
            })
            .collect();
        let started = Instant::now();
        for (i, device) in devices.iter().enumerate() {
            let upn = format!("bench{i:06}@contoso.example");
            let outcome = device.enroll(&Action::company_portal(&upn)).await;
            assert!(matches!(outcome, Outcome::Enrolled { .. }), "{outcome:?}");
        }
        let took = started.elapsed();
        world.shutdown().await;
        took
    })
}

fn enrollment(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut group = c.benchmark_group("enrollment");
    group.sample_size(10);
    group.bench_function("one BYOD enrollment over loopback TLS", |b| {
        b.iter_custom(|n| enroll_sequentially(&runtime, n))
    });
    group.finish();
}

criterion_group!(benches, plist, eligibility, recorder, enrollment);
criterion_main!(benches);
