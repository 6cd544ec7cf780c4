//! Automated Device Enrollment keeps the BYOD flow's properties: 200 ADE devices activate
//! concurrently in one world, and the same ADE scenario gives the same timeline twice.

use enrollsim::scenario::{AdeSpec, CompanyPortalSpec};
use enrollsim::{
    run_scenario, Action, DeviceSetup, Outcome, ResolutionStep, Scenario, TenantSpec, UserSpec,
    World, WorldSpec,
};

const DEVICES: usize = 200;

/// How many of the ADE token's imported devices Intune's admin API lists.
async fn imported_device_count(world: &World) -> usize {
    let tokens = world
        .admin_get("/beta/deviceManagement/depOnboardingSettings")
        .await
        .expect("the enrollment program tokens");
    let token = tokens["value"][0]["id"].as_str().expect("one token");
    let imported = world
        .admin_get(&format!(
            "/beta/deviceManagement/depOnboardingSettings/{token}/importedAppleDeviceIdentities"
        ))
        .await
        .expect("the imported devices");
    imported["value"].as_array().map_or(0, Vec::len)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_ade_devices_activate_concurrently() {
    let mut builder = WorldSpec::builder().seed(4242).tenant(TenantSpec {
        ade: Some(AdeSpec::default()),
        ..TenantSpec::new("Contoso")
    });
    for i in 0..DEVICES {
        builder = builder.user(UserSpec::new(&format!("ade{i:03}@contoso.example")));
    }
    let world = World::start(&builder.build()).await.expect("world starts");
    let before = imported_device_count(&world).await;

    // Apple Business Manager assigns 200 more iPhones to Intune's MDM server (each added
    // device joins it, as the tenant's ADE assigns its devices); the admin syncs.
    let devices: Vec<_> = (0..DEVICES)
        .map(|i| {
            world
                .add_device(&DeviceSetup {
                    serial: Some(format!("ADE{i:09}")),
                    udid: Some(format!("00008120-{i:016X}")),
                    company_portal: CompanyPortalSpec {
                        installed: false,
                        ..CompanyPortalSpec::default()
                    },
                    ..DeviceSetup::iphone()
                })
                .expect("device added")
        })
        .collect();
    world
        .apply(&ResolutionStep::SyncAdeToken)
        .await
        .expect("sync");
    assert_eq!(
        imported_device_count(&world).await - before,
        DEVICES,
        "every new serial is imported"
    );

    // All 200 are switched on at the same virtual moment, after the sync (a device switched on
    // later would start later, after other users' waits).
    let switched_on = world.now();
    let mut tasks = Vec::new();
    for (i, device) in devices.into_iter().enumerate() {
        device.sync_clock();
        tasks.push(tokio::spawn(async move {
            let upn = format!("ade{i:03}@contoso.example");
            let outcome = device.enroll(&Action::ade(&upn)).await;
            (upn, outcome, device.is_supervised())
        }));
    }
    for t in tasks {
        let (upn, outcome, supervised) = t.await.expect("task");
        assert_eq!(outcome, Outcome::Enrolled { upn: upn.clone() }, "{upn}");
        assert!(supervised, "{upn}: ADE devices are supervised");
    }
    // The users wait in parallel: minutes of world time, not hours.
    let elapsed = world.now() - switched_on;
    assert!(
        elapsed < time::Duration::minutes(15),
        "the world's clock moved {elapsed}"
    );
    let managed = world
        .admin_get("/v1.0/deviceManagement/managedDevices")
        .await
        .expect("admin API lists devices");
    let ade_devices = managed["value"]
        .as_array()
        .expect("a value array")
        .iter()
        .filter(|d| d["deviceEnrollmentType"] == "appleBulkWithUser")
        .count();
    assert_eq!(ade_devices, DEVICES);
    world.shutdown().await;
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
