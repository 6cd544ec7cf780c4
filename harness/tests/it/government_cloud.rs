//! A government-cloud tenant lives behind the US Government cloud's hosts: with the Company
//! Portal's Cloud setting on Government the whole enrollment goes there, and a token from one
//! cloud is refused by the other cloud's services.

use enrollsim_harness::lab::Lab;
use enrollsim_harness::scenario::{Action, CloudSetting, DeviceSetup, UserSpec, WorldSpec};
use enrollsim_simulator::cloud::form;
use enrollsim_simulator::device::Outcome;
use enrollsim_simulator::net::client::OutgoingRequest;
use hyper::{Method, StatusCode};

const UPN: &str = "ana@agency.example";

#[tokio::test]
async fn government_users_enroll_against_government_hosts_only() {
    let spec = WorldSpec::builder()
        .user(UserSpec::new(UPN).government_cloud())
        .device(DeviceSetup::iphone().company_portal_cloud(CloudSetting::Government))
        .build();
    let lab = Lab::start(&spec).await.unwrap();
    assert_eq!(
        lab.enroll(&Action::company_portal(UPN)).await,
        Outcome::Enrolled { upn: UPN.into() }
    );
    let profiles = lab.device.spec().profiles;
    let mdm = profiles
        .iter()
        .find_map(|p| p.mdm.clone())
        .expect("a management profile");
    assert!(
        mdm.server_url.starts_with("https://i.manage.microsoft.us/"),
        "{}",
        mdm.server_url
    );

    // A token from the government cloud's sign-in service is no good at the public cloud's
    // enrollment service.
    let client = lab.world.admin_client();
    let body = form::encode(&[
        ("grant_type", "password"),
        ("client_id", "test"),
        ("username", UPN),
        ("password", "Passw0rd!"),
        ("mfa", "approved"),
    ]);
    let token = client
        .send(
            OutgoingRequest::new(
                Method::POST,
                "login.microsoftonline.us",
                "/organizations/oauth2/v2.0/token",
            )
            .body("application/x-www-form-urlencoded", body),
        )
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let eligibility = |host: &str| {
        OutgoingRequest::new(Method::POST, host, "/enrollment/v1/eligibility")
            .header("authorization", format!("Bearer {token}"))
            .json(&serde_json::json!({"platform": "iOS", "osVersion": "17.5", "companyPortalVersion": "5.2411.0"}))
    };
    let public = client
        .send(eligibility("enrollment.manage.microsoft.com"))
        .await
        .unwrap();
    assert_eq!(public.status, StatusCode::UNAUTHORIZED);
    let government = client
        .send(eligibility("enrollment.manage.microsoft.us"))
        .await
        .unwrap();
    assert_ne!(government.status, StatusCode::UNAUTHORIZED);
}
