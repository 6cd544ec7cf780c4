//! Scenarios with several people and a history in real time units (tests/people/): a device
//! retired and enrolled by a new user, four hundred days of history, each directory history
//! verb and its effect, restrictions that exclude groups, and load errors for the new values
//! placed at file, line and column.

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

/// Each directory verb of a history, replayed through the admin API, leaves the state it
/// says: the scenario that relies on it reproduces, and without the step it does not.
#[tokio::test]
async fn each_directory_history_verb_is_what_makes_its_scenario_fail() {
    type IsStep = fn(&HistoryStep) -> bool;
    let cases: [(&str, IsStep); 5] = [
        ("licence-removed-from-group.toml", |h| {
            matches!(h, HistoryStep::RemoveGroupLicense { .. })
        }),
        ("removed-from-licensed-group.toml", |h| {
            matches!(h, HistoryStep::RemoveFromGroup { .. })
        }),
        ("licence-removed-from-user.toml", |h| {
            matches!(h, HistoryStep::RemoveLicense { .. })
        }),
        ("mdm-authority-changed-to-configuration-manager.toml", |h| {
            matches!(h, HistoryStep::SetMdmAuthority { .. })
        }),
        ("added-to-licensed-group-enrolls.toml", |h| {
            matches!(h, HistoryStep::AddToGroup { .. })
        }),
    ];
    for (file, step) in cases {
        let scenario = people(file);
        let report = run_scenario(&scenario).await.unwrap();
        assert!(report.holds(), "{file}: {:?}", report.outcome);
        let mut without = scenario.clone();
        let before = without.world.history.len();
        without.world.history.retain(|h| !step(h));
        assert_eq!(without.world.history.len(), before - 1, "{file}");
        let report = run_scenario(&without).await.unwrap();
        assert!(
            !report.reproduced,
            "{file} without the step: {:?}",
            report.outcome
        );
    }
}

/// The directory as the admin API shows it after each verb: group membership, licences, the
/// MDM authority, a deleted user (gone from `users` and their groups, their seat freed, and
/// refused at sign-in).
#[tokio::test]
async fn directory_history_verbs_change_what_the_admin_api_shows() {
    let mut spec = people("removed-from-licensed-group.toml").world;
    spec.history = vec![
        HistoryStep::RemoveFromGroup {
            user: "alex@contoso.example".into(),
            group: "sales".into(),
        },
        HistoryStep::AssignLicense {
            user: "alex@contoso.example".into(),
            sku: "EMS".into(),
        },
        HistoryStep::SetMdmAuthority {
            authority: enrollsim::MdmAuthority::ConfigurationManager,
        },
    ];
    let world = World::start(&spec).await.unwrap();
    let groups = world
        .admin_get("/v1.0/users/alex@contoso.example/transitiveMemberOf")
        .await
        .unwrap();
    assert_eq!(groups["value"].as_array().unwrap().len(), 0, "{groups}");
    let licences = world
        .admin_get("/v1.0/users/alex@contoso.example/licenseDetails")
        .await
        .unwrap();
    assert_eq!(licences["value"][0]["skuPartNumber"], "EMS", "{licences}");
    // A client that percent-encodes the UPN in the path reaches the same user.
    let encoded = world
        .admin_get("/v1.0/users/alex%40contoso.example/licenseDetails")
        .await
        .unwrap();
    assert_eq!(encoded, licences);
    let organization = world.admin_get("/v1.0/organization").await.unwrap();
    assert_eq!(
        organization["value"][0]["mobileDeviceManagementAuthority"],
        "configurationManager"
    );
    world.shutdown().await;

    spec.history = vec![
        HistoryStep::AddToGroup {
            user: "alex@contoso.example".into(),
            group: "sales".into(),
        },
        HistoryStep::RemoveLicense {
            user: "alex@contoso.example".into(),
            sku: "EMS".into(),
        },
    ];
    // Alex is already in Sales: Graph refuses the duplicate reference, and the history
    // stops there rather than skipping the step.
    let err = World::start(&spec).await.unwrap_err().to_string();
    assert!(err.contains("already exist"), "{err}");

    let mut spec = people("sku-without-seats-freed-by-deleted-user.toml").world;
    let world = World::start(&spec).await.unwrap();
    let users = world.admin_get("/v1.0/users").await.unwrap();
    let upns: Vec<&str> = users["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userPrincipalName"].as_str().unwrap())
        .collect();
    assert_eq!(upns, ["alex@contoso.example"]);
    let skus = world.admin_get("/v1.0/subscribedSkus").await.unwrap();
    assert_eq!(skus["value"][0]["consumedUnits"], 0, "{skus}");
    world.shutdown().await;

    // A deleted user cannot sign in to enroll.
    spec.history
        .retain(|h| !matches!(h, HistoryStep::DeleteUser { .. }));
    spec.history.push(HistoryStep::DeleteUser {
        user: "alex@contoso.example".into(),
    });
    let world = World::start(&spec).await.unwrap();
    let outcome = world
        .enroll(&enrollsim::Action::company_portal("alex@contoso.example"))
        .await;
    assert!(
        !matches!(outcome, enrollsim::Outcome::Enrolled { .. }),
        "{outcome:?}"
    );
    world.shutdown().await;
}

/// Replacing the ADE token with one from another MDM server in Apple Business Manager: Apple
/// refuses Intune's sync (the cursor belongs to the tenant's server), so an iPhone Apple
/// assigns to Intune's server afterwards is never imported and its ADE enrollment does not
/// reach Intune; renewing the tenant's own token brings the next one in.
#[tokio::test]
async fn a_replaced_ade_token_no_longer_brings_in_the_tenants_new_devices() {
    use enrollsim::{Action, DeviceSetup, ResolutionStep};
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/ade-success.toml");
    let mut spec = Scenario::load(&path).unwrap().world;
    spec.history = vec![HistoryStep::ReplaceAdeToken];
    let world = World::start(&spec).await.unwrap();
    let before = imported(&world).await;
    let setup = |serial: &str| DeviceSetup {
        serial: Some(serial.into()),
        ..DeviceSetup::iphone()
    };
    let late = world.add_device(&setup("F2LLATE00001")).unwrap();
    // The uploaded token belongs to another MDM server: a new token starts with a full fetch,
    // which Apple answers with that server's devices, none of the tenant's.
    world.apply(&ResolutionStep::SyncAdeToken).await.unwrap();
    assert_eq!(imported(&world).await, before, "nothing new is imported");
    let outcome = world
        .enroll_on(&late, &Action::ade("alex@contoso.example"))
        .await;
    assert!(
        !matches!(outcome, enrollsim::Outcome::Enrolled { .. }),
        "{outcome:?}"
    );
    world.shutdown().await;

    spec.history.push(HistoryStep::RenewAdeToken);
    let world = World::start(&spec).await.unwrap();
    let before = imported(&world).await;
    let late = world.add_device(&setup("F2LLATE00002")).unwrap();
    world.apply(&ResolutionStep::SyncAdeToken).await.unwrap();
    assert_eq!(
        imported(&world).await,
        before + 1,
        "the new iPhone is imported"
    );
    let outcome = world
        .enroll_on(&late, &Action::ade("alex@contoso.example"))
        .await;
    assert!(
        matches!(outcome, enrollsim::Outcome::Enrolled { .. }),
        "{outcome:?}"
    );
    world.shutdown().await;
}

/// How many devices the tenant's (first) ADE token has imported.
async fn imported(world: &World) -> usize {
    let tokens = world
        .admin_get("/beta/deviceManagement/depOnboardingSettings")
        .await
        .unwrap();
    let token = tokens["value"][0]["id"].as_str().unwrap();
    let devices = world
        .admin_get(&format!(
            "/beta/deviceManagement/depOnboardingSettings/{token}/importedAppleDeviceIdentities"
        ))
        .await
        .unwrap();
    devices["value"].as_array().map_or(0, Vec::len)
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

/// An excluded group on a restriction: its members fall through to the next priority (here
/// Default), Graph lists the exclusion as an `exclusionGroupAssignmentTarget`, the bundle
/// carries it, and without it the excluded users fail too.
#[tokio::test]
async fn excluded_groups_fall_through_and_reach_the_admin_api_and_the_bundle() {
    for file in [
        "personal-block-excludes-executives.toml",
        "device-limit-excludes-managers.toml",
    ] {
        let scenario = people(file);
        let world = World::start(&scenario.world).await.unwrap();
        let configurations = world
            .admin_get("/v1.0/deviceManagement/deviceEnrollmentConfigurations")
            .await
            .unwrap();
        let restriction = configurations["value"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["priority"] == 1)
            .unwrap();
        let id = restriction["id"].as_str().unwrap();
        let assignments = world
            .admin_get(&format!(
                "/v1.0/deviceManagement/deviceEnrollmentConfigurations/{id}/assignments"
            ))
            .await
            .unwrap();
        let targets: Vec<&str> = assignments["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["target"]["@odata.type"].as_str().unwrap())
            .collect();
        assert_eq!(
            targets,
            [
                "#microsoft.graph.groupAssignmentTarget",
                "#microsoft.graph.exclusionGroupAssignmentTarget"
            ],
            "{file}"
        );
        world.shutdown().await;

        let report = run_scenario(&scenario).await.unwrap();
        assert!(report.holds(), "{file}: {:?}", report.outcome);
        let tenant = report.evidence.tenant.as_ref().unwrap();
        let excluded: Vec<&String> = tenant
            .device_enrollment_configurations
            .iter()
            .flat_map(|c| c.excluded_groups())
            .collect();
        assert_eq!(excluded.len(), 1, "{file}: {excluded:?}");

        let mut without = scenario.clone();
        for r in &mut without.world.tenant.platform_restrictions {
            r.exclude_groups.clear();
        }
        for r in &mut without.world.tenant.limit_restrictions {
            r.exclude_groups.clear();
        }
        let report = run_scenario(&without).await.unwrap();
        assert!(
            !report.attempts[0].reproduced,
            "{file}: without the exclusion the excluded user is restricted too: {:?}",
            report.attempts[0].outcome
        );
    }
}

/// A history step naming a group the tenant lacks fails at load, at the value's line.
#[test]
fn a_history_step_naming_an_unknown_group_names_file_line_and_column() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/people/licence-removed-from-group.toml"),
    )
    .unwrap();
    let bad = text.replace("group = \"sales\"\nsku", "group = \"marketing\"\nsku");
    assert_ne!(bad, text);
    let err = Scenario::from_toml_str(&bad, "people/bad.toml")
        .unwrap_err()
        .to_string();
    let line = bad.lines().position(|l| l.contains("marketing")).unwrap() + 1;
    assert!(err.contains(&format!("people/bad.toml:{line}:")), "{err}");
    assert!(err.contains("world.tenant.groups"), "{err}");
}

/// The builder says the same: a device limit of one for Sales that excludes Managers leaves a
/// sales manager with a device under Default's fifteen, and a salesperson capped.
#[tokio::test]
async fn the_builder_excludes_groups_from_a_restriction() {
    use enrollsim::{Action, Outcome, TenantSpec, UserSpec, WorldSpec};
    let spec = WorldSpec::builder()
        .tenant(
            TenantSpec::new("Contoso")
                .limit_restriction("Sales: 1 device", 1, &["sales"], 1)
                .exclude_groups_from("Sales: 1 device", &["managers"]),
        )
        .user(
            UserSpec::new("alex@contoso.example")
                .group("sales")
                .group("managers")
                .enrolled_devices(1),
        )
        .user(
            UserSpec::new("blake@contoso.example")
                .group("sales")
                .enrolled_devices(1),
        )
        .build();
    let world = World::start(&spec).await.unwrap();
    let blake = world
        .enroll(&Action::company_portal("blake@contoso.example"))
        .await;
    assert!(matches!(blake, Outcome::Failed { .. }), "{blake:?}");
    let alex = Action::company_portal("alex@contoso.example");
    assert_eq!(
        world.enroll(&alex).await,
        Outcome::Enrolled {
            upn: alex.user.clone()
        }
    );
    world.shutdown().await;
}
