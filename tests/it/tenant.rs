//! The tenant model end to end: groups (nested), Conditional Access policies on groups and
//! the MDM authority. Each scenario in `tests/tenant/` must reproduce, be diagnosed blind to
//! its section and cause (or, for a decoy, enroll), and be fixed through the admin API.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_tenant_scenario_reproduces_is_diagnosed_and_is_fixed() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tenant");
    let scenarios = enrollsim::catalog::load(&dir).expect("tenant scenarios load");
    assert!(scenarios.len() >= 5, "only {} scenarios", scenarios.len());
    let mut failures = Vec::new();
    for s in &scenarios {
        let r = enrollsim::run_scenario(s).await.expect("world starts");
        if !r.holds() {
            failures.push(format!(
                "{}: reproduced={} diagnosed={:?}/{:?} expected={:?}/{:?} fixed={} fix={:?} err={:?}",
                r.id, r.reproduced, r.diagnosed_section(), r.diagnosed_cause(), r.section, r.cause_expected, r.fixed, r.fix_outcome, r.fix_error
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A SKU whose seats are all taken cannot be assigned: Graph's 400 with its message, the admin
/// API's `subscribedSkus` shows the seats bought and consumed, and the user stays unlicensed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sku_with_no_seats_left_cannot_be_assigned() {
    use enrollsim::{Action, ResolutionStep, TenantSpec, UserSpec, WorldSpec};
    let spec = WorldSpec::builder()
        .tenant(TenantSpec::new("Contoso").sku_seats("EMS", 1))
        .user(UserSpec::new("sam@contoso.example"))
        .user(UserSpec::new("alex@contoso.example").unlicensed())
        .build();
    let world = enrollsim::World::start(&spec).await.expect("world starts");
    let skus = world.admin_get("/v1.0/subscribedSkus").await.expect("skus");
    assert_eq!(skus["value"][0]["prepaidUnits"]["enabled"], 1);
    assert_eq!(skus["value"][0]["consumedUnits"], 1);
    let err = world
        .apply(&ResolutionStep::AssignLicense {
            user: "alex@contoso.example".into(),
            sku: "EMS".into(),
        })
        .await
        .expect_err("no seat left");
    let text = err.to_string();
    assert!(text.contains("400"), "{text}");
    assert!(
        text.contains("Subscription with SKU EMS does not have any available licenses."),
        "{text}"
    );
    let outcome = world
        .enroll(&Action::company_portal("alex@contoso.example"))
        .await;
    assert!(
        !matches!(outcome, enrollsim::Outcome::Enrolled { .. }),
        "{outcome:?}"
    );
}

/// Group members, CA policies and seat counts that name what the world lacks are refused at
/// load with file:line:col.
#[test]
fn tenant_references_are_checked_at_load() {
    let base = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/tenant/ca-mfa-sales-group-ade-legacy.toml"),
    )
    .unwrap();
    let cases = [
        (
            base.replace(
                "include_groups = [\"sales\"]",
                "include_groups = [\"marketing\"]",
            ),
            "names group \"marketing\"",
        ),
        (
            base.replace(
                "include_groups = [\"sales\"]",
                "include_groups = [\"sales\"]\nexclude_users = [\"ghost@contoso.example\"]",
            ),
            "names user \"ghost@contoso.example\"",
        ),
        (
            base.replace(
                "members = [\"alex@contoso.example\"]",
                "members = [\"alex@contoso.example\", \"nobody\"]",
            ),
            "\"nobody\" is neither",
        ),
        (
            base.replace(
                "policy = \"Require MFA for Sales\"",
                "policy = \"Require MFA\"",
            ),
            "policy \"Require MFA\" is not one of",
        ),
        (
            base.replace(
                "[[world.users]]",
                "[[world.tenant.skus]]\nsku = \"EMS\"\nseats = 0\n\n[[world.users]]",
            ),
            "only 0 seats were bought",
        ),
    ];
    for (text, wanted) in cases {
        let err = enrollsim::Scenario::from_toml_str(&text, "tenant.toml")
            .expect_err(wanted)
            .to_string();
        assert!(err.starts_with("tenant.toml:"), "{err}");
        let position: Vec<&str> = err.splitn(4, ':').collect();
        assert!(
            position[1].parse::<usize>().unwrap() > 1,
            "no line in {err}"
        );
        assert!(err.contains(wanted), "{err} lacks {wanted}");
    }
}

/// Block and require-compliant-device policies refuse the Company Portal's sign-in with
/// AADSTS53003 and AADSTS53000, and the sign-in log shows the policy, its result and the
/// enforced control; patching the policy's grant through Graph changes the next sign-in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn block_and_compliant_device_policies_refuse_sign_in_and_are_logged() {
    use enrollsim::{
        Action, ConditionalAccessSpec, GrantSpec, ResolutionStep, TenantSpec, UserSpec, WorldSpec,
    };
    let alex = "alex@contoso.example";
    let spec = WorldSpec::builder()
        .tenant(
            TenantSpec::new("Contoso")
                .group("sales", &[alex])
                .conditional_access(
                    ConditionalAccessSpec::new("Block Sales", &[GrantSpec::Block])
                        .include_group("sales"),
                ),
        )
        .user(UserSpec::new(alex))
        .build();
    let world = enrollsim::World::start(&spec).await.expect("world starts");
    let last_sign_in = || async {
        let log = world.admin_get("/v1.0/auditLogs/signIns").await.unwrap();
        log["value"].as_array().unwrap().last().unwrap().clone()
    };
    let outcome = world.enroll(&Action::company_portal(alex)).await;
    assert!(!matches!(outcome, enrollsim::Outcome::Enrolled { .. }));
    let s = last_sign_in().await;
    assert_eq!(s["status"]["errorCode"], 53003, "{s}");
    assert_eq!(s["conditionalAccessStatus"], "failure");
    let applied = &s["appliedConditionalAccessPolicies"][0];
    assert_eq!(applied["displayName"], "Block Sales");
    assert_eq!(applied["result"], "failure");
    assert_eq!(applied["enforcedGrantControls"][0], "Block");

    let grant = |grant: Vec<GrantSpec>| ResolutionStep::SetPolicyGrant {
        policy: "Block Sales".into(),
        grant,
    };
    world
        .apply(&grant(vec![GrantSpec::CompliantDevice]))
        .await
        .unwrap();
    let _ = world.enroll(&Action::company_portal(alex)).await;
    let s = last_sign_in().await;
    assert_eq!(s["status"]["errorCode"], 53000, "{s}");
    assert_eq!(
        s["appliedConditionalAccessPolicies"][0]["enforcedGrantControls"][0],
        "RequireCompliantDevice"
    );

    world.apply(&grant(vec![GrantSpec::Mfa])).await.unwrap();
    let outcome = world.enroll(&Action::company_portal(alex)).await;
    assert!(
        matches!(outcome, enrollsim::Outcome::Enrolled { .. }),
        "the Company Portal can satisfy MFA: {outcome:?}"
    );
    let s = last_sign_in().await;
    assert_eq!(s["status"]["errorCode"], 0, "{s}");
    assert_eq!(s["conditionalAccessStatus"], "success");
}
