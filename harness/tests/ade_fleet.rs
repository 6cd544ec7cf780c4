//! Automated Device Enrollment keeps the BYOD flow's properties: 200 ADE devices activate
//! concurrently in one world, and the same ADE scenario gives the same timeline twice.

use std::sync::Arc;

use enrollsim_harness::lab::Lab;
use enrollsim_harness::run::run_scenario;
use enrollsim_harness::scenario::{AdeSpec, Scenario, TenantSpec, UserSpec, WorldSpec};
use enrollsim_simulator::cloud::apple_ade::state::{lock, AbmDevice};
use enrollsim_simulator::device::{Credentials, DeviceSpec, Outcome};

const DEVICES: usize = 200;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_ade_devices_activate_concurrently() {
    let mut builder = WorldSpec::builder().seed(4242).tenant(TenantSpec {
        ade: Some(AdeSpec::default()),
        ..TenantSpec::new("Contoso")
    });
    for i in 0..DEVICES {
        builder = builder.user(UserSpec::new(&format!("ade{i:03}@contoso.example")));
    }
    let lab = Arc::new(Lab::start(&builder.build()).await.expect("lab starts"));

    // Apple Business Manager assigns 200 more iPhones to Intune's MDM server; Intune syncs.
    let serials: Vec<String> = (0..DEVICES).map(|i| format!("ADE{i:09}")).collect();
    {
        let mut apple = lock(lab.world.apple_ade.state());
        let server = apple
            .servers()
            .next()
            .expect("Intune's MDM server")
            .uuid
            .clone();
        let now = lab.world.clock.now();
        for s in &serials {
            apple.add_device(AbmDevice::iphone(s), now);
            apple.assign_device(s, Some(&server), now).expect("assign");
        }
    }
    let token = {
        let state = lab.world.intune.state();
        let state = state.lock().unwrap();
        state.ade_tokens[0].id.clone()
    };
    let report = lab
        .world
        .intune
        .sync_ade(&token, false)
        .await
        .expect("sync");
    assert_eq!(
        report.imported.len(),
        DEVICES,
        "every new serial is imported"
    );

    let mut tasks = Vec::new();
    // All 200 are switched on at the same virtual moment (a device created later would start
    // later, after other users' waits).
    let switched_on = lab.world.clock.now();
    let devices: Vec<_> = serials
        .iter()
        .enumerate()
        .map(|(i, serial)| {
            lab.world.device(DeviceSpec {
                company_portal: None,
                ..DeviceSpec::iphone(serial, &format!("00008120-{i:016X}"))
            })
        })
        .collect();
    for (i, device) in devices.into_iter().enumerate() {
        tasks.push(tokio::spawn(async move {
            let upn = format!("ade{i:03}@contoso.example");
            let outcome = device
                .activate(&Credentials {
                    upn: upn.clone(),
                    password: "Passw0rd!".into(),
                })
                .await;
            (upn, outcome, device.is_supervised())
        }));
    }
    for t in tasks {
        let (upn, outcome, supervised) = t.await.expect("task");
        assert_eq!(outcome, Outcome::Enrolled { upn: upn.clone() }, "{upn}");
        assert!(supervised, "{upn}: ADE devices are supervised");
    }
    // The users wait in parallel: minutes of world time, not hours.
    let elapsed = lab.world.clock.now() - switched_on;
    assert!(
        elapsed < time::Duration::minutes(15),
        "the world's clock moved {elapsed}"
    );
    let state = lab.world.intune.state();
    let state = state.lock().unwrap();
    let ade_devices = state
        .devices
        .iter()
        .filter(|d| d.enrollment_type == "appleBulkWithUser")
        .count();
    assert_eq!(ade_devices, DEVICES);
}

#[tokio::test]
async fn the_same_ade_scenario_gives_the_same_timeline() {
    let text = include_str!("../../scenarios/mfa-during-ade.toml");
    let scenario = Scenario::from_toml_str(text, "mfa-during-ade.toml").unwrap();
    let a = run_scenario(&scenario).await.unwrap();
    let b = run_scenario(&scenario).await.unwrap();
    assert!(!a.timeline.lines.is_empty());
    assert_eq!(a.timeline.render(), b.timeline.render());
    assert_eq!(a.fix_timeline.render(), b.fix_timeline.render());
    assert_eq!(a.evidence.device_log, b.evidence.device_log);
}
