//! Intune's automatic ADE delta sync runs every 12 hours: an edited profile reaches Apple at
//! the next one, not before (or at once, with "Sync now").

use enrollsim_harness::lab::Lab;
use enrollsim_harness::scenario::{
    Action, AdeProfileSpec, AdeSpec, ResolutionStep, Span, TenantSpec, UserSpec, WorldSpec,
};
use enrollsim_simulator::device::Outcome;

#[tokio::test]
async fn an_edited_profile_reaches_apple_at_the_next_delta_sync() {
    let ade = AdeSpec {
        token_uploaded_days_ago: Span::days(5),
        profiles: vec![AdeProfileSpec {
            name: "Old".into(),
            created_days_ago: Span::days(30),
            ..AdeProfileSpec::default()
        }],
        ..AdeSpec::default()
    };
    let spec = WorldSpec::builder()
        .tenant(TenantSpec {
            ade: Some(ade),
            ..TenantSpec::new("Contoso")
        })
        .user(UserSpec::new("alex@contoso.example"))
        .build();
    let lab = Lab::start(&spec).await.unwrap();
    let alex = Action::ade("alex@contoso.example");
    assert!(matches!(
        lab.enroll(&alex).await,
        Outcome::NotManaged { .. }
    ));

    lab.apply(&ResolutionStep::EditEnrollmentProfile {
        profile: "Old".into(),
    })
    .await
    .unwrap();
    lab.apply(&ResolutionStep::WaitHours { hours: 6 })
        .await
        .unwrap();
    assert!(
        matches!(lab.enroll(&alex).await, Outcome::NotManaged { .. }),
        "no sync is due 6 hours after the last one"
    );

    lab.apply(&ResolutionStep::WaitHours { hours: 7 })
        .await
        .unwrap();
    assert_eq!(
        lab.enroll(&alex).await,
        Outcome::Enrolled {
            upn: "alex@contoso.example".into()
        }
    );
}
