//! One world enrolls a fleet: 500 devices of 500 users, concurrently, through the Company
//! Portal flow.
//!
//! Each device is a tokio task on a multi-thread runtime sharing one Entra ID, one Intune, one
//! APNs and one clock. The test proves correctness under concurrency, not speed (nothing here
//! is timed): every device ends `Outcome::Enrolled` for its own user; Intune's admin API lists
//! exactly 500 managed devices, each with the serial number and user it enrolled with; every
//! device holds exactly one management profile; Entra registered 500 devices; APNs delivered
//! exactly one push per device; and the devices' exchanges interleave in the recorder (they ran
//! side by side, not one after another). Intune's device limit is per user (1–15), so the fleet has one user per device.

use std::collections::BTreeMap;

use enrollsim::{Action, DeviceSetup, Outcome, UserSpec, World, WorldSpec};

const FLEET: usize = 500;

fn upn(i: usize) -> String {
    format!("user{i:04}@contoso.example")
}

fn device_setup(i: usize) -> DeviceSetup {
    // Twelve-character serials, as Apple's are; distinct UDIDs.
    let mut setup = DeviceSetup {
        serial: Some(format!("FLT{i:09}")),
        udid: Some(format!("00008110-{:016X}", 0xF1EE_7000_0000u64 + i as u64)),
        name: Some(format!("iPhone {i}")),
        ..DeviceSetup::iphone()
    };
    if i % 2 == 1 {
        setup.product = "iPhone14,5".into();
    }
    if i % 3 == 0 {
        setup.locale = "it-IT".into();
    }
    setup
}

#[test]
fn a_world_can_be_shared_between_tasks() {
    fn send_and_sync<T: Send + Sync>() {}
    send_and_sync::<World>();
    send_and_sync::<enrollsim::DeviceHandle>();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_devices_enroll_concurrently_in_one_world() {
    let mut builder = WorldSpec::builder().seed(500);
    for i in 0..FLEET {
        builder = builder.user(UserSpec::new(&upn(i)));
    }
    let spec = builder.build();
    let world = World::start(&spec).await.expect("world starts");
    let switched_on = world.now();

    let mut tasks = Vec::with_capacity(FLEET);
    for i in 0..FLEET {
        let device = world.add_device(&device_setup(i)).expect("device added");
        tasks.push(tokio::spawn(async move {
            let outcome = device.enroll(&Action::company_portal(&upn(i))).await;
            (i, device, outcome)
        }));
    }

    let mut wrong = Vec::new();

    let mut devices = Vec::with_capacity(FLEET);
    for task in tasks {
        let (i, device, outcome) = task.await.expect("enrollment task panicked");
        if outcome != (Outcome::Enrolled { upn: upn(i) }) {
            wrong.push(format!("device {i}: {outcome:?}"));
        }
        devices.push((i, device));
    }
    // The users wait in parallel: 500 enrollments that each take about a virtual minute take
    // minutes of world time, not hours (tokens would expire if the waits added up).
    let elapsed = world.now() - switched_on;
    assert!(
        elapsed < time::Duration::minutes(15),
        "the world's clock moved {elapsed} for 500 parallel enrollments"
    );
    assert!(
        wrong.is_empty(),
        "{} of {FLEET} devices did not enroll for their user; first ones:\n{}",
        wrong.len(),
        wrong
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );

    // The enrollments really ran side by side: in the recorded order, the devices' exchanges
    // interleave. Had they run one after another (a lock held across a request, say), each
    // device's entries would form one block, with FLEET - 1 changes of device in all.
    let order: Vec<String> = world
        .take_timeline()
        .lines
        .into_iter()
        .filter_map(|l| l.device)
        .collect();
    let switches = order.windows(2).filter(|w| w[0] != w[1]).count();
    assert!(
        switches > 2 * FLEET,
        "the enrollments did not interleave ({switches} changes of device in {} entries)",
        order.len()
    );

    // Each device holds exactly one management profile, pointing at the tenant's topic.
    let push_certificate = world
        .admin_get("/v1.0/deviceManagement/applePushNotificationCertificate")
        .await
        .expect("push certificate");
    let topic = push_certificate["topicIdentifier"]
        .as_str()
        .expect("a topic");
    for (i, device) in &devices {
        let topics = device.management_topics();
        assert_eq!(topics.len(), 1, "device {i}: {} MDM payloads", topics.len());
        assert_eq!(topics[0], topic, "device {i}: wrong topic");
    }

    // Intune's admin view, over its HTTPS API: 500 managed devices, each for the right user.
    let list = world
        .admin_get("/v1.0/deviceManagement/managedDevices")
        .await
        .expect("admin API lists devices");
    let listed = list["value"].as_array().expect("a value array");
    assert_eq!(listed.len(), FLEET, "managed devices listed by Intune");
    let by_serial: BTreeMap<&str, (&str, &str)> = listed
        .iter()
        .map(|d| {
            (
                d["serialNumber"].as_str().unwrap_or(""),
                (
                    d["userPrincipalName"].as_str().unwrap_or(""),
                    d["managementState"].as_str().unwrap_or(""),
                ),
            )
        })
        .collect();
    assert_eq!(
        by_serial.len(),
        FLEET,
        "serial numbers listed are not distinct"
    );
    for i in 0..FLEET {
        let serial = device_setup(i).serial.expect("a serial");
        let (who, state) = by_serial
            .get(serial.as_str())
            .unwrap_or_else(|| panic!("device {i} ({serial}) is not listed"));
        assert_eq!(*who, upn(i), "device {i} is listed for the wrong user");
        assert_eq!(*state, "managed", "device {i} is {state}");
    }

    // Entra registered each device once, for its user.
    assert_eq!(
        world.registered_device_count(),
        FLEET,
        "devices registered with Entra ID"
    );

    // APNs delivered exactly one push per device.
    assert_eq!(
        world.apns_pushes_delivered(),
        FLEET as u64,
        "pushes delivered"
    );
    world.shutdown().await;
}
