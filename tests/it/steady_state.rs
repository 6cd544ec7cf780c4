//! A fleet past enrollment: every device enrolls, checks in twice while idle, and answers the
//! `DeviceInformation` Intune pushes to it, with nothing failed and no command left behind.
//!
//! It is the same [`Fleet`] `enrollsim load` drives, with the timeline keeping only what
//! failed, so memory stays bounded. Nothing is timed: the benchmark is `enrollsim load`, these
//! tests check that a fleet in steady state loses nothing. The 5,000-device run takes minutes
//! in a debug build, so it is ignored by default (run it with `cargo test --release -- --ignored
//! steady_state`); the 500-device run carries the same checks in the normal suite.

use std::sync::Arc;

use enrollsim::fleet::Fleet;
use enrollsim::{Action, DeviceSetup, RecordMode, UserSpec, World, WorldSpec};

fn upn(i: usize) -> String {
    format!("steady{i:05}@contoso.example")
}

async fn enroll_check_in_twice_and_push(devices: usize) {
    let mut builder = WorldSpec::builder().seed(5000);
    for i in 0..devices {
        builder = builder.user(UserSpec::new(&upn(i)));
    }
    let world = Arc::new(World::start(&builder.build()).await.expect("world starts"));
    world.set_record_mode(RecordMode::Failures);
    let mut fleet = Fleet::new(world.clone(), 128);
    for i in 0..devices {
        let setup = DeviceSetup {
            serial: Some(format!("STD{i:09}")),
            udid: Some(format!("00008110-{:016X}", 0x5EAD_0000_0000u64 + i as u64)),
            ..DeviceSetup::iphone()
        };
        fleet
            .add(&setup, Action::company_portal(&upn(i)))
            .expect("device added");
    }

    let enrollment = fleet.enroll().await;
    assert_eq!(
        (enrollment.succeeded, enrollment.failed),
        (devices, 0),
        "every device enrolls"
    );
    assert_eq!(world.managed_device_count(), devices);
    for round in 1..=2 {
        let checkins = fleet.check_in().await;
        assert_eq!(
            (checkins.succeeded, checkins.failed),
            (devices, 0),
            "check-in round {round}: every device's session ends normally"
        );
    }
    let pushes_before = world.apns_pushes_delivered();
    let push = fleet.push().await;
    assert_eq!(
        (push.succeeded, push.failed),
        (devices, 0),
        "every device answers the pushed DeviceInformation"
    );
    assert_eq!(
        world.apns_pushes_delivered() - pushes_before,
        devices as u64,
        "one push per device"
    );
    assert_eq!(world.queued_command_count(), 0, "no command is lost");

    let summary = world.record_summary();
    assert_eq!(summary.failed, 0);
    assert_eq!(
        summary.succeeded,
        4 * devices as u64,
        "every device's enrollment, two check-ins and push were settled"
    );
    assert!(
        world.take_timeline().lines.len() < 10_000,
        "successful devices leave no timeline behind"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_devices_enroll_check_in_twice_and_answer_a_push() {
    enroll_check_in_twice_and_push(500).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "5,000 devices take minutes in a debug build; run with --release -- --ignored"]
async fn five_thousand_devices_enroll_check_in_twice_and_answer_a_push() {
    enroll_check_in_twice_and_push(5000).await;
}
