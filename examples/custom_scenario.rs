//! A scenario built in code — world, action, expectation and documented fix — replayed end to
//! end with `run_scenario`, which prints the same report as `enrollsim run ID`.
//!
//! The push certificate of Contoso's tenant expired 20 days ago: still inside Apple's renewal
//! grace period, so Intune answers "AccountNotOnboarded", and renewing (same topic) is enough.
//!
//! Run it with `cargo run --example custom_scenario`; the exit status is 0 when the run holds.

use std::process::ExitCode;

use enrollsim::scenario::OutcomeKind;
use enrollsim::{
    run_scenario, snapshot, Action, Cause, Expectation, ResolutionStep, Scenario, Screen, Section,
    TenantSpec, UserMessage, UserSpec, WorldSpec,
};

#[tokio::main]
async fn main() -> Result<ExitCode, enrollsim::LabError> {
    let scenario = Scenario {
        id: "push-certificate-expired-20-days-ago".into(),
        title: "The push certificate expired 20 days ago and was not renewed".into(),
        section: Some(Section::AccountNotOnboarded),
        cause: Some(Cause::ApnsCertificateNeedsRenewal),
        world: WorldSpec::builder()
            .seed(2024)
            .tenant(TenantSpec::new("Contoso").apns_expired_days_ago(20))
            .user(UserSpec::new("alex@contoso.example"))
            .build(),
        action: Action::company_portal("alex@contoso.example"),
        expect: Expectation {
            outcome: OutcomeKind::Failed,
            screen: Some(Screen::CompanyPortal),
            message: Some(UserMessage::ServiceCode("AccountNotOnboarded".into())),
            text_contains: None,
            enrolled_as: None,
            then: Vec::new(),
        },
        resolution: vec![ResolutionStep::RenewApnsCertificate],
        reenroll: None,
        attempts: Vec::new(),
    };

    // The same scenario as a TOML file, for the scenarios/ folder.
    println!("{}", scenario.to_toml());

    let report = run_scenario(&scenario).await?;
    print!("{}", snapshot::report(&report));
    Ok(if report.holds() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
