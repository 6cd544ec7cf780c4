//! The evidence collection reads the tenant through the admin API the way an admin's script
//! would: users through `licenseDetails`, `memberOf` and `authentication/requirements`,
//! restrictions through their `assignments`. What only the Company Portal website shows reaches
//! the bundle as the user's own part, never as a tenant field.

use enrollsim_graph::EnrollmentConfiguration;
use enrollsim_harness::evidence;
use enrollsim_harness::lab::Lab;
use enrollsim_harness::scenario::{Action, TenantSpec, UserSpec, WorldSpec};
use hyper::Method;

#[tokio::test]
async fn assignments_memberships_and_mfa_are_graph_resources() {
    let spec = WorldSpec::builder()
        .tenant(TenantSpec::new("Contoso").limit_restriction("Kiosk", 2, &["kiosk"], 3))
        .user(
            UserSpec::new("lee@contoso.example")
                .group("kiosk")
                .mfa_required()
                .enrolled_devices(1)
                .portal_only_devices(2),
        )
        .build();
    let lab = Lab::start(&spec).await.unwrap();
    let admin = lab.admin();
    let org = admin
        .call(Method::GET, "/v1.0/organization", None)
        .await
        .unwrap();
    assert_eq!(org["value"][0]["mobileDeviceManagementAuthority"], "intune");
    let users = admin.call(Method::GET, "/v1.0/users", None).await.unwrap();
    let user = &users["value"][0];
    // Only Graph's user properties: the object reads back through the Graph shape whole, so no
    // field an admin could not collect (a count computed from the simulator's state) is served.
    let typed: enrollsim_graph::user::User = serde_json::from_value(user.clone()).unwrap();
    let shape = serde_json::to_value(&typed).unwrap();
    for key in user.as_object().unwrap().keys() {
        assert!(
            shape.get(key).is_some(),
            "{key} is not a Graph user property: {user}"
        );
    }
    assert!(user.get("deviceLimit").is_none(), "{user}");
    let id = user["id"].as_str().unwrap();
    let groups = admin
        .call(Method::GET, &format!("/v1.0/users/{id}/memberOf"), None)
        .await
        .unwrap();
    assert_eq!(groups["value"][0]["id"], "kiosk");
    assert_eq!(groups["value"][0]["@odata.type"], "#microsoft.graph.group");
    let mfa = admin
        .call(
            Method::GET,
            &format!("/beta/users/{id}/authentication/requirements"),
            None,
        )
        .await
        .unwrap();
    assert_eq!(mfa["perUserMfaState"], "enforced");

    let outcome = lab
        .enroll(&Action::company_portal("lee@contoso.example"))
        .await;
    let bundle = evidence::collect(
        &lab,
        &Action::company_portal("lee@contoso.example"),
        &outcome,
    )
    .await;
    let tenant = bundle.tenant.expect("the tenant view was collected");
    let kiosk = tenant
        .device_enrollment_configurations
        .iter()
        .find_map(|c| match c {
            EnrollmentConfiguration::Limit(l) if l.display_name == "Kiosk" => Some(l),
            _ => None,
        })
        .expect("the group restriction");
    assert_eq!(kiosk.assigned_group_ids, ["kiosk"]);
    let default_limit = tenant
        .device_enrollment_configurations
        .iter()
        .find_map(|c| match c {
            EnrollmentConfiguration::Limit(l) if l.priority == 0 => Some(l),
            _ => None,
        })
        .expect("the Default restriction");
    assert_eq!(default_limit.assigned_group_ids, ["all-users"]);
    let lee = &tenant.users[0];
    assert!(lee.strong_authentication_required);
    assert!(lee.member_of.iter().any(|g| g == "kiosk"));
    // The admin center lists one device; the user's website list shows all three records.
    assert_eq!(tenant.managed_devices.len(), 1);
    assert_eq!(bundle.company_portal_devices.map(|d| d.len()), Some(3));
}
