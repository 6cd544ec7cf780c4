//! The library example in README.md, verbatim: if the README's code stops compiling or
//! passing, this test fails.

use enrollsim::{
    diagnose, Action, Cause, Outcome, ResolutionStep, TenantSpec, UserSpec, World, WorldSpec,
};

#[tokio::test]
async fn device_cap_is_diagnosed_and_fixed() -> Result<(), enrollsim::LabError> {
    let spec = WorldSpec::builder()
        .tenant(TenantSpec::new("Contoso").device_limit(5))
        .user(UserSpec::new("alex@contoso.example").enrolled_devices(5))
        .build();
    let world = World::start(&spec).await?;
    let alex = Action::company_portal("alex@contoso.example");
    let outcome = world.enroll(&alex).await;
    assert!(matches!(outcome, Outcome::Failed { .. }));
    let diagnosis = diagnose(&world.evidence(&alex, &outcome).await);
    assert_eq!(diagnosis.cause, Some(Cause::DeviceLimitReached));
    world
        .apply(&ResolutionStep::DeleteStaleDevices {
            user: alex.user.clone(),
            count: Some(1),
        })
        .await?;
    assert!(matches!(
        world.enroll(&alex).await,
        Outcome::Enrolled { .. }
    ));
    Ok(())
}

/// The code above is the README's, to the byte.
#[test]
fn the_readme_shows_this_code() {
    let readme = include_str!("../../README.md");
    let this = include_str!("readme_example.rs");
    let start = this.find("use enrollsim").unwrap();
    let end = this.find("/// The code above").unwrap();
    let code = this[start..end].trim_end();
    assert!(
        readme.contains(code),
        "README.md's library example differs from tests/it/readme_example.rs"
    );
}
