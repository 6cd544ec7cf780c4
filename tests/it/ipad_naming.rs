//! An iPad describes itself as an iPad: its device name in the console log and the timeline,
//! the OS the Company Portal reports, and Setup Assistant's texts follow the product type.

use enrollsim::scenario::AdeSpec;
use enrollsim::{
    Action, DeviceSetup, Outcome, TenantSpec, UserMessage, UserSpec, World, WorldSpec,
};

const ALEX: &str = "alex@contoso.example";

#[tokio::test]
async fn an_ipad_enrolling_with_the_company_portal_calls_itself_an_ipad() {
    let spec = WorldSpec::builder()
        .user(UserSpec::new(ALEX))
        .device(DeviceSetup::ipad())
        .build();
    let world = World::start(&spec).await.expect("world starts");
    let action = Action::company_portal(ALEX);
    let outcome = world.enroll(&action).await;
    assert_eq!(outcome, Outcome::Enrolled { upn: ALEX.into() });
    let timeline = world.take_timeline().render();
    assert!(
        timeline.contains("iPad ") && !timeline.contains("iPhone"),
        "{timeline}"
    );

    let evidence = world.evidence(&action, &outcome).await;
    let console = evidence.device_log.clone().unwrap_or_default();
    assert!(console.contains(" iPad profiled["), "{console}");
    assert!(!console.contains("iPhone"), "{console}");
    let portal = evidence.company_portal_log.clone().unwrap_or_default();
    assert!(portal.contains("on iPadOS 17.5 (iPad13,16)"), "{portal}");
}

#[tokio::test]
async fn setup_assistant_on_an_ipad_says_ipad() {
    let spec = WorldSpec::builder()
        .tenant(TenantSpec {
            ade: Some(AdeSpec::default()),
            ..TenantSpec::default()
        })
        .user(UserSpec::new(ALEX))
        .device(DeviceSetup::ipad().block_host("iprofiles.apple.com"))
        .build();
    let world = World::start(&spec).await.expect("world starts");
    let outcome = world.enroll(&Action::ade(ALEX)).await;
    let Outcome::Failed { message, .. } = &outcome else {
        panic!("expected a failure, got {outcome:?}");
    };
    assert_eq!(*message, UserMessage::CloudConfigurationUnavailable);
    let timeline = world.take_timeline().render();
    assert!(
        timeline.contains("The configuration for your iPad could not be retrieved"),
        "{timeline}"
    );
}
