//! A BYOD enrollment end to end over TLS on loopback, including a push through APNs.

use enrollsim_simulator::cloud::entra::{Cloud, EntraState, EntraUser, License};
use enrollsim_simulator::cloud::intune::IntuneState;
use enrollsim_simulator::device::{Credentials, DeviceSpec, Outcome};
use enrollsim_simulator::world::{World, WorldOptions};
use time::{macros::datetime, Duration};

fn user(licensed: bool) -> EntraUser {
    EntraUser {
        id: "u1".into(),
        upn: "alex@contoso.example".into(),
        display_name: "Alex".into(),
        password: "pw".into(),
        licenses: if licensed {
            vec![License {
                sku: "EMS".into(),
                service_plans: vec!["INTUNE_A".into()],
            }]
        } else {
            vec![]
        },
        groups: vec![],
        mfa_required: false,
        home_cloud: Cloud::Public,
        enabled: true,
    }
}

fn spec() -> DeviceSpec {
    DeviceSpec::iphone("F2LXK1ABCD12", "00008110-000A1B2C3D4E5F60")
}

async fn world(licensed: bool) -> World {
    let start = datetime!(2026-11-26 09:00 UTC);
    let mut directory = EntraState::new("t1", "contoso.example");
    directory.users.push(user(licensed));
    let world = World::start(
        WorldOptions { seed: 7, start },
        directory,
        IntuneState::new("Contoso"),
    )
    .await
    .unwrap();
    world
        .install_push_certificate(
            "mdm@contoso.example",
            "com.apple.mgmt.External.6f1c2e3a-0000-4000-8000-000000000001",
            start - Duration::days(10),
            start + Duration::days(355),
        )
        .unwrap();
    world
}

#[tokio::test]
async fn byod_device_enrolls_through_company_portal() {
    let world = world(true).await;
    let device = world.device(spec());
    let outcome = device
        .enroll_with_company_portal(&Credentials {
            upn: "alex@contoso.example".into(),
            password: "pw".into(),
        })
        .await;
    for line in device.console_log() {
        println!("{line}");
    }
    for line in device.company_portal_log() {
        println!("{line}");
    }
    assert_eq!(
        outcome,
        Outcome::Enrolled {
            upn: "alex@contoso.example".into()
        }
    );
    assert_eq!(world.apns.delivered(), 1);
}

#[tokio::test]
async fn unlicensed_user_is_refused_by_the_company_portal() {
    let world = world(false).await;
    let device = world.device(spec());
    let outcome = device
        .enroll_with_company_portal(&Credentials {
            upn: "alex@contoso.example".into(),
            password: "pw".into(),
        })
        .await;
    match outcome {
        Outcome::Failed { text, .. } => {
            assert!(text.starts_with("User Name Not Recognized"), "{text}")
        }
        other => panic!("{other:?}"),
    }
}
