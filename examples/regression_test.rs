//! A regression test as a team would write it for its own Intune setup.
//!
//! Contoso limits its sales staff to 5 devices with a device limit restriction on the "sales"
//! group, and some staff hold Exchange-only licences. Before every change to their enrollment
//! tooling they check that the simulated tenant still fails the way their helpdesk runbook
//! says, that the diagnosis agrees with the runbook, and that the runbook's fix works.
//!
//! Run it with `cargo run --example regression_test`; it panics on the first broken
//! expectation. In a test suite each case would be a `#[tokio::test]`.

use enrollsim::{
    Action, Cause, Outcome, ResolutionStep, Screen, Section, TenantSpec, UserMessage, UserSpec,
    World, WorldSpec,
};

const SALES_REP: &str = "jo@contoso.example";
const TEMP: &str = "kim@contoso.example";

/// The tenant as Contoso runs it.
fn contoso() -> enrollsim::WorldBuilder {
    WorldSpec::builder().tenant(TenantSpec::new("Contoso").limit_restriction(
        "Sales: 5 devices",
        1,
        &["sales"],
        5,
    ))
}

/// Runbook entry 1: a sales rep with 5 devices gets "Device Cap Reached"; helpdesk raises the
/// limit of the sales restriction.
async fn sales_rep_at_the_limit() -> Result<(), enrollsim::LabError> {
    let spec = contoso()
        .user(UserSpec::new(SALES_REP).group("sales").enrolled_devices(5))
        .build();
    let world = World::start(&spec).await?;
    let jo = Action::company_portal(SALES_REP);

    let outcome = world.enroll(&jo).await;
    let Outcome::Failed {
        screen,
        message,
        text,
    } = &outcome
    else {
        panic!("a sales rep with 5 devices enrolled a sixth: {outcome:?}");
    };
    assert_eq!(*screen, Screen::CompanyPortal);
    assert_eq!(*message, UserMessage::DeviceCapReached);
    println!("sales rep at the limit sees: {text}");

    let diagnosis = world.diagnose(&jo, &outcome).await;
    assert_eq!(diagnosis.section, Some(Section::DeviceCapReached));
    assert_eq!(diagnosis.cause, Some(Cause::DeviceLimitReached));
    println!(
        "diagnosis: {} / {} ({}%)",
        Section::DeviceCapReached,
        Cause::DeviceLimitReached,
        diagnosis.confidence.percent()
    );

    world
        .apply(&ResolutionStep::SetDeviceLimit {
            user: SALES_REP.into(),
            limit: 8,
        })
        .await?;
    assert_eq!(
        world.enroll(&jo).await,
        Outcome::Enrolled {
            upn: SALES_REP.into()
        }
    );
    println!("after raising the sales limit to 8: enrolled\n");
    world.shutdown().await;
    Ok(())
}

/// Runbook entry 2: an Exchange-only licence gets "User License Type Invalid"; helpdesk
/// assigns EMS. The temp works in Italian, so the message is Italian.
async fn exchange_only_licence() -> Result<(), enrollsim::LabError> {
    let spec = contoso()
        .user(UserSpec::new(TEMP).licensed_without_intune("EXCHANGESTANDARD"))
        .device(enrollsim::DeviceSetup::iphone().locale("it-IT"))
        .build();
    let world = World::start(&spec).await?;
    let kim = Action::company_portal(TEMP);

    let outcome = world.enroll(&kim).await;
    match &outcome {
        Outcome::Failed {
            message: UserMessage::UserLicenseTypeInvalid,
            text,
            ..
        } => {
            assert_eq!(text, "Tipo di licenza utente non valido");
            println!("Exchange-only user sees: {text}");
        }
        other => panic!("an Exchange-only user was not refused: {other:?}"),
    }
    let diagnosis = world.diagnose(&kim, &outcome).await;
    assert_eq!(diagnosis.section, Some(Section::UserLicenseTypeInvalid));
    assert_eq!(diagnosis.cause, Some(Cause::UserNotLicensed));
    println!("diagnosis:\n{}", diagnosis.render_text());

    world
        .apply(&ResolutionStep::AssignLicense {
            user: TEMP.into(),
            sku: "EMS".into(),
        })
        .await?;
    assert!(matches!(world.enroll(&kim).await, Outcome::Enrolled { .. }));
    println!("after assigning EMS: enrolled");
    world.shutdown().await;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), enrollsim::LabError> {
    sales_rep_at_the_limit().await?;
    exchange_only_licence().await?;
    println!("\nall runbook entries hold");
    Ok(())
}
