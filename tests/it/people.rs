//! Scenarios with several people and a history in real time units (tests/people/): a device
//! retired and enrolled by a new user, four hundred days of history, and load errors for the
//! new values placed at file, line and column.

use std::path::Path;

use enrollsim::{
    run_scenario, AffectedUsers, Cause, EvidenceBundle, HistoryStep, Scenario, Span, World,
};

fn people(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/people")
        .join(name);
    Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn a_retired_device_is_enrolled_by_a_new_user() {
    let scenario = people("retired-then-enrolled-by-new-user.toml");
    let report = run_scenario(&scenario).await.unwrap();
    assert!(report.reproduced, "{:?}", report.outcome);

    // Without the retire, the device still carries Alex's management profile: Blake does
    // not end up the device's user.
    let mut kept = scenario.clone();
    kept.world
        .history
        .retain(|h| !matches!(h, HistoryStep::Retire { .. }));
    let report = run_scenario(&kept).await.unwrap();
    assert!(!report.reproduced, "{:?}", report.outcome);
}

#[tokio::test]
async fn a_history_of_four_hundred_days_in_real_units() {
    let scenario = people("four-hundred-days-later.toml");
    let world = World::start(&scenario.world).await.unwrap();
    // Four hundred days, and the moments the certificate renewal took on the wire.
    let passed = world.now() - scenario.world.start;
    assert!(passed >= Span::days(400).duration(), "{passed}");
    assert!(
        passed < Span::days(400).duration() + Span::minutes(1).duration(),
        "{passed}"
    );
    world.shutdown().await;
    let report = run_scenario(&scenario).await.unwrap();
    assert!(report.reproduced, "{:?}", report.outcome);
}

#[test]
fn a_bad_duration_and_an_unknown_enrolled_as_name_file_line_and_column() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/people/four-hundred-days-later.toml"),
    )
    .unwrap();
    let bad = text.replace("by = \"100d\"", "by = \"100 days\"");
    let err = Scenario::from_toml_str(&bad, "people/bad.toml")
        .unwrap_err()
        .to_string();
    assert!(err.contains("people/bad.toml:"), "{err}");
    assert!(err.contains("\"36h\""), "{err}");
    let line = bad.lines().position(|l| l.contains("100 days")).unwrap() + 1;
    assert!(err.contains(&format!(":{line}:")), "{err}");

    let bad = text.replace(
        "enrolled_as = \"alex@contoso.example\"",
        "enrolled_as = \"casey@contoso.example\"",
    );
    let err = Scenario::from_toml_str(&bad, "people/bad.toml")
        .unwrap_err()
        .to_string();
    let line = bad.lines().position(|l| l.contains("casey")).unwrap() + 1;
    assert!(err.contains(&format!("people/bad.toml:{line}:")), "{err}");
    assert!(err.contains("enrolled_as"), "{err}");
}

#[tokio::test]
async fn two_users_on_one_shared_ipad_one_refused_one_enrolled() {
    let scenario = people("shared-ipad-one-user-licensed.toml");
    let report = run_scenario(&scenario).await.unwrap();
    assert_eq!(report.attempts.len(), 1);
    assert!(
        report.attempts[0].reproduced,
        "{:?}",
        report.attempts[0].outcome
    );
    assert!(report.reproduced, "{:?}", report.outcome);
    assert!(report.holds());

    // Swapped expectations do not hold: each action is checked against its own.
    let mut swapped = scenario.clone();
    std::mem::swap(&mut swapped.expect, &mut swapped.attempts[0].expect);
    let report = run_scenario(&swapped).await.unwrap();
    assert!(!report.attempts[0].reproduced && !report.reproduced);
    assert!(!report.holds());
}

#[tokio::test]
async fn the_scope_of_a_failure_reaches_the_evidence_and_changes_the_diagnosis() {
    // Alex enrolls on his iPhone, Blake is refused on hers: only some users fail.
    let some = run_scenario(&people("only-some-users-unlicensed.toml"))
        .await
        .unwrap();
    assert!(some.holds(), "{:?}", some.outcome);
    assert_eq!(some.evidence.affected_users(), Some(AffectedUsers::Some));

    // No push certificate: both are refused, on their own devices.
    let all = run_scenario(&people("push-certificate-missing-for-everyone.toml"))
        .await
        .unwrap();
    assert!(all.holds(), "{:?}", all.outcome);
    assert_eq!(all.evidence.affected_users(), Some(AffectedUsers::All));

    // The same evidence with the report that other users enroll fine: the tenant-wide push
    // certificate is less likely than with every user failing.
    let confidence = |bundle: &EvidenceBundle| {
        let d = enrollsim::diagnose(bundle);
        d.candidates
            .iter()
            .find(|c| c.cause == Cause::ApnsCertificateMissing)
            .map_or(0, |c| c.confidence.percent())
    };
    let told_some = all
        .evidence
        .clone()
        .with_affected_users(AffectedUsers::Some);
    assert!(
        confidence(&told_some) < confidence(&all.evidence),
        "{} vs {}",
        confidence(&told_some),
        confidence(&all.evidence)
    );
}

#[test]
fn an_action_on_an_unknown_device_names_file_line_and_column() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/people/shared-ipad-one-user-licensed.toml"),
    )
    .unwrap();
    let bad = text.replacen(
        "user = \"alex@contoso.example\"\ndevice = \"shared-ipad\"",
        "user = \"alex@contoso.example\"\ndevice = \"kiosk-ipad\"",
        1,
    );
    assert_ne!(bad, text);
    let err = Scenario::from_toml_str(&bad, "people/bad.toml")
        .unwrap_err()
        .to_string();
    let line = bad.lines().position(|l| l.contains("kiosk-ipad")).unwrap() + 1;
    assert!(err.contains(&format!("people/bad.toml:{line}:")), "{err}");
    assert!(err.contains("shared-ipad"), "{err}");
}

#[tokio::test]
async fn a_history_verb_without_its_admin_api_is_refused_not_skipped() {
    let mut spec = people("four-hundred-days-later.toml").world;
    spec.history = vec![HistoryStep::RemoveFromGroup {
        user: "alex@contoso.example".into(),
        group: "sales".into(),
    }];
    let err = World::start(&spec).await.unwrap_err().to_string();
    assert!(
        err.contains("remove-from-group is not supported yet"),
        "{err}"
    );
}

#[tokio::test]
async fn tenant_dates_take_real_units_and_whole_days_as_before() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/people/four-hundred-days-later.toml"),
    )
    .unwrap()
    .replace(
        "[world]\nseed = 7102\n",
        "[world]\nseed = 7102\n\n[world.tenant.apns]\nexpires_in_days = \"-36h\"\n",
    );
    let scenario = Scenario::from_toml_str(&text, "people/x.toml").unwrap();
    assert_eq!(scenario.world.tenant.apns.expires_in_days, Span::hours(-36));
    let mut spec = scenario.world.clone();
    spec.history.clear();
    let world = World::start(&spec).await.unwrap();
    let cert = world
        .admin_get("/v1.0/deviceManagement/applePushNotificationCertificate")
        .await
        .unwrap();
    let expiry = cert["expirationDateTime"].as_str().unwrap().to_string();
    let expected = spec.start - Span::hours(36).duration();
    let expected = expected
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    assert_eq!(expiry, expected);
    world.shutdown().await;
}
