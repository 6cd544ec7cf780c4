//! A federated domain over TLS on loopback: realm discovery says where the federation service
//! is, its MEX publishes the WS-Trust endpoints it serves, and Entra ID has a federated user's
//! password validated at WS-Trust 1.3 Username/Mixed — which fails, with AADSTS50126, when the
//! endpoint is disabled or the password is wrong.

use enrollsim_simulator::cloud::entra::federation::USERNAME_MIXED_13;
use enrollsim_simulator::cloud::entra::{
    Cloud, EntraState, EntraUser, FederatedDomain, FederationServer, INTUNE_ENROLLMENT_APP_ID,
};
use enrollsim_simulator::cloud::form;
use enrollsim_simulator::cloud::intune::IntuneState;
use enrollsim_simulator::net::client::OutgoingRequest;
use enrollsim_simulator::world::{World, WorldOptions};
use hyper::{Method, StatusCode};
use time::macros::datetime;

async fn federated_world() -> World {
    let mut directory = EntraState::new("t1", "fabrikam.example");
    directory.users.push(EntraUser {
        id: "u1".into(),
        upn: "kim@fabrikam.example".into(),
        display_name: "Kim".into(),
        password: "pw".into(),
        licenses: vec![],
        groups: vec![],
        mfa_required: false,
        home_cloud: Cloud::Public,
        enabled: true,
    });
    let service = FederationServer::for_domain("fabrikam.example");
    directory.federated_domains.push(FederatedDomain {
        name: "fabrikam.example".into(),
        issuer_uri: service.url("/adfs/services/trust"),
        metadata_exchange_uri: service.url("/adfs/services/trust/mex"),
        active_sign_in_uri: service.url(USERNAME_MIXED_13),
        passive_sign_in_uri: service.url("/adfs/ls/"),
    });
    World::start(
        WorldOptions {
            seed: 11,
            start: datetime!(2026-11-26 09:00 UTC),
        },
        directory,
        IntuneState::new("Fabrikam"),
    )
    .await
    .unwrap()
}

/// A password grant as Intune makes it for legacy Setup Assistant sign-in (or, `interactive`,
/// as a client that shows the sign-in page): status and body.
async fn password_grant(world: &World, password: &str, interactive: bool) -> (StatusCode, String) {
    let mut fields = vec![
        ("grant_type", "password"),
        ("client_id", INTUNE_ENROLLMENT_APP_ID),
        ("username", "kim@fabrikam.example"),
        ("password", password),
        ("scope", "https://enrollment.manage.microsoft.com/.default"),
    ];
    if interactive {
        fields.push(("mfa", "approved"));
    }
    let body = form::encode(&fields);
    let request = OutgoingRequest::new(
        Method::POST,
        "login.microsoftonline.com",
        "/organizations/oauth2/v2.0/token",
    )
    .body("application/x-www-form-urlencoded", body);
    let r = world.admin_client().send(request).await.unwrap();
    (r.status, String::from_utf8_lossy(&r.body).into_owned())
}

async fn get(world: &World, host: &str, path: &str) -> (StatusCode, String) {
    let r = world
        .admin_client()
        .send(OutgoingRequest::new(Method::GET, host, path))
        .await
        .unwrap();
    (r.status, String::from_utf8_lossy(&r.body).into_owned())
}

#[tokio::test]
async fn a_federated_users_password_is_validated_at_ws_trust_13() {
    let world = federated_world().await;
    let (status, realm) = get(
        &world,
        "login.microsoftonline.com",
        "/common/userrealm/kim@fabrikam.example?api-version=2.0",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(realm.contains(r#""NameSpaceType":"Federated""#), "{realm}");
    assert!(
        realm.contains("https://adfs.fabrikam.example/adfs/services/trust/13/usernamemixed"),
        "{realm}"
    );
    let (_, mex) = get(&world, "adfs.fabrikam.example", "/adfs/services/trust/mex").await;
    assert!(mex.contains(USERNAME_MIXED_13), "{mex}");

    let (status, body) = password_grant(&world, "pw", false).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = password_grant(&world, "wrong", false).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("AADSTS50126"), "{body}");

    let federation = world.federation.as_ref().expect("a federation service");
    if let Some(e) = federation
        .server()
        .lock()
        .unwrap()
        .endpoint_mut(USERNAME_MIXED_13)
    {
        e.enabled = false;
    }
    let (_, mex) = get(&world, "adfs.fabrikam.example", "/adfs/services/trust/mex").await;
    assert!(!mex.contains(USERNAME_MIXED_13), "{mex}");
    let (status, body) = password_grant(&world, "pw", false).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("AADSTS50126"), "{body}");
    // A client that shows the sign-in page goes to AD FS's passive page instead.
    let (status, body) = password_grant(&world, "pw", true).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = password_grant(&world, "wrong", true).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let log = world.entra.state().lock().unwrap().sign_ins.clone();
    assert_eq!(
        log.iter().map(|s| s.status.error_code).collect::<Vec<_>>(),
        [0, 50126, 50126, 0, 50126]
    );
}
