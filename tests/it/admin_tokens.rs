//! The admin API's tokens are Entra's: issued by the world's sign-in service (the lab admin
//! app's client credentials grant, or a user's sign-in), for Microsoft Graph, expiring, and
//! judged by the admin API at the virtual time. Missing, garbled, expired and other-cloud
//! tokens get 401 `InvalidAuthenticationToken`; a valid token without an Intune permission
//! gets 403 `Authorization_RequestDenied`, in Graph's error shape.

use enrollsim_harness::lab::Lab;
use enrollsim_harness::scenario::{UserSpec, WorldSpec};
use enrollsim_simulator::cloud::entra::{GOVERNMENT_LOGIN_HOST, PUBLIC_LOGIN_HOST};
use enrollsim_simulator::cloud::form;
use enrollsim_simulator::cloud::intune::GRAPH_HOST;
use enrollsim_simulator::net::client::{HttpsClient, IncomingResponse, OutgoingRequest};
use enrollsim_simulator::net::tls::{client_config, HttpVersion};
use hyper::{Method, StatusCode};
use serde_json::Value;
use time::Duration;

const UPN: &str = "alex@contoso.example";
const GOV_UPN: &str = "sam@contoso.example";
const DEVICES: &str = "/v1.0/deviceManagement/managedDevices";
const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default";

async fn lab() -> Lab {
    let spec = WorldSpec::builder()
        .seed(1616)
        .user(UserSpec::new(UPN))
        .user(UserSpec::new(GOV_UPN).government_cloud())
        .build();
    Lab::start(&spec).await.expect("world starts")
}

fn client(lab: &Lab) -> HttpsClient {
    let world = &lab.world;
    let tls = client_config(
        &[world.trust_anchor()],
        None,
        HttpVersion::Http1,
        &world.clock,
    )
    .expect("client TLS configuration");
    HttpsClient::new(
        world.hosts.clone(),
        tls,
        HttpVersion::Http1,
        world.recorder.clone(),
        world.clock.clone(),
        "admin-token test",
    )
}

async fn send(client: &HttpsClient, request: OutgoingRequest) -> IncomingResponse {
    let what = format!("{} {}{}", request.method, request.host, request.path);
    client
        .send(request)
        .await
        .unwrap_or_else(|e| panic!("{what}: no HTTP answer: {e}"))
}

fn json(r: &IncomingResponse) -> Value {
    serde_json::from_slice(&r.body).unwrap_or_else(|e| {
        panic!(
            "body is not JSON ({e}): {}",
            String::from_utf8_lossy(&r.body)
        )
    })
}

/// A token from `login_host`'s token endpoint for the form `form`.
async fn token(client: &HttpsClient, login_host: &str, form: &str) -> String {
    let r = send(
        client,
        OutgoingRequest::new(Method::POST, login_host, "/organizations/oauth2/v2.0/token")
            .body("application/x-www-form-urlencoded", form.to_string()),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "token request: {}", json(&r));
    json(&r)["access_token"]
        .as_str()
        .expect("an access token")
        .to_string()
}

/// The lab admin app's client credentials grant at `login_host` for `scope`.
async fn app_token(lab: &Lab, client: &HttpsClient, login_host: &str, scope: &str) -> String {
    let (id, secret) = lab.admin_app_credentials();
    let form = form::encode(&[
        ("grant_type", "client_credentials"),
        ("client_id", &id),
        ("client_secret", &secret),
        ("scope", scope),
    ]);
    token(client, login_host, &form).await
}

/// A user's password sign-in at `login_host` for `scope`.
async fn user_token(
    lab: &Lab,
    client: &HttpsClient,
    login_host: &str,
    upn: &str,
    scope: &str,
) -> String {
    let password = lab.credentials(upn).password;
    let form = form::encode(&[
        ("grant_type", "password"),
        ("client_id", "14d82eec-204b-4c2f-b7e8-296a70dab67e"),
        ("username", upn),
        ("password", &password),
        ("scope", scope),
        ("mfa", "approved"),
    ]);
    token(client, login_host, &form).await
}

/// The admin API's answer to a device listing with `authorization` (none: no header).
async fn list_devices(client: &HttpsClient, authorization: Option<String>) -> IncomingResponse {
    let mut request = OutgoingRequest::new(Method::GET, GRAPH_HOST, DEVICES);
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    send(client, request).await
}

/// Asserts Graph's error shape with `status`, `code` and `message`.
fn assert_refused(r: &IncomingResponse, status: StatusCode, code: &str, message: &str) {
    let v = json(r);
    assert_eq!(r.status, status, "{v}");
    assert_eq!(v["error"]["code"], code, "{v}");
    assert_eq!(v["error"]["message"], message, "{v}");
    for key in ["request-id", "date"] {
        assert!(
            v["error"]["innerError"][key]
                .as_str()
                .is_some_and(|s| !s.is_empty()),
            "innerError.{key} missing: {v}"
        );
    }
}

#[tokio::test]
async fn the_standing_admin_token_and_a_fresh_app_token_are_accepted() {
    let lab = lab().await;
    let client = client(&lab);
    let r = list_devices(&client, Some(format!("Bearer {}", lab.admin_token()))).await;
    assert_eq!(r.status, StatusCode::OK);
    let fresh = app_token(&lab, &client, PUBLIC_LOGIN_HOST, GRAPH_SCOPE).await;
    let r = list_devices(&client, Some(format!("Bearer {fresh}"))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", json(&r));
    // The standing token outlives any history a world replays.
    lab.world.clock.advance(Duration::days(3 * 365));
    let r = list_devices(&client, Some(format!("Bearer {}", lab.admin_token()))).await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn a_missing_or_garbled_token_is_401() {
    let lab = lab().await;
    let client = client(&lab);
    let empty = "Access token is empty or invalid.";
    for authorization in [
        None,
        Some("Bearer ".to_string()),
        Some("Bearer eyJ0eXAiOiJKV1Qi.garbled".to_string()),
        Some(format!("Basic {}", lab.admin_token())),
    ] {
        let r = list_devices(&client, authorization).await;
        assert_refused(
            &r,
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            empty,
        );
    }
}

#[tokio::test]
async fn a_token_expires_when_the_virtual_clock_passes_its_exp() {
    let lab = lab().await;
    let client = client(&lab);
    let token = app_token(&lab, &client, PUBLIC_LOGIN_HOST, GRAPH_SCOPE).await;
    let bearer = || Some(format!("Bearer {token}"));
    lab.world.clock.advance(Duration::minutes(59));
    assert_eq!(list_devices(&client, bearer()).await.status, StatusCode::OK);
    lab.world.clock.advance(Duration::minutes(2));
    assert_refused(
        &list_devices(&client, bearer()).await,
        StatusCode::UNAUTHORIZED,
        "InvalidAuthenticationToken",
        "Lifetime validation failed, the token is expired.",
    );
    // Its holder asks for a new one.
    let fresh = app_token(&lab, &client, PUBLIC_LOGIN_HOST, GRAPH_SCOPE).await;
    let r = list_devices(&client, Some(format!("Bearer {fresh}"))).await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn another_clouds_token_is_401() {
    let lab = lab().await;
    let client = client(&lab);
    // Issued by the public cloud for the US Government's and 21Vianet's Graph.
    for scope in [
        "https://graph.microsoft.us/.default",
        "https://microsoftgraph.chinacloudapi.cn/.default",
    ] {
        let token = app_token(&lab, &client, PUBLIC_LOGIN_HOST, scope).await;
        assert_refused(
            &list_devices(&client, Some(format!("Bearer {token}"))).await,
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            "Access token validation failure. Invalid audience.",
        );
    }
    // A government user's token from the government cloud's sign-in service, for its Graph and
    // for the public Graph's audience: the issuer is not the public cloud's.
    let token = user_token(
        &lab,
        &client,
        GOVERNMENT_LOGIN_HOST,
        GOV_UPN,
        "https://graph.microsoft.us/.default",
    )
    .await;
    assert_refused(
        &list_devices(&client, Some(format!("Bearer {token}"))).await,
        StatusCode::UNAUTHORIZED,
        "InvalidAuthenticationToken",
        "Access token validation failure. Invalid audience.",
    );
    let token = user_token(&lab, &client, GOVERNMENT_LOGIN_HOST, GOV_UPN, GRAPH_SCOPE).await;
    assert_refused(
        &list_devices(&client, Some(format!("Bearer {token}"))).await,
        StatusCode::UNAUTHORIZED,
        "InvalidAuthenticationToken",
        "Access token validation failure. Invalid issuer.",
    );
}

#[tokio::test]
async fn a_valid_token_without_an_intune_permission_is_403() {
    let lab = lab().await;
    let client = client(&lab);
    // A user who is no Intune administrator signs in to Microsoft Graph.
    let token = user_token(&lab, &client, PUBLIC_LOGIN_HOST, UPN, GRAPH_SCOPE).await;
    assert_refused(
        &list_devices(&client, Some(format!("Bearer {token}"))).await,
        StatusCode::FORBIDDEN,
        "Authorization_RequestDenied",
        "Insufficient privileges to complete the operation.",
    );
}

#[tokio::test]
async fn a_wrong_client_secret_gets_no_token() {
    let lab = lab().await;
    let client = client(&lab);
    let (id, _) = lab.admin_app_credentials();
    let form = form::encode(&[
        ("grant_type", "client_credentials"),
        ("client_id", &id),
        ("client_secret", "not-the-secret"),
        ("scope", GRAPH_SCOPE),
    ]);
    let r = send(
        &client,
        OutgoingRequest::new(
            Method::POST,
            PUBLIC_LOGIN_HOST,
            "/organizations/oauth2/v2.0/token",
        )
        .body("application/x-www-form-urlencoded", form),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(json(&r)["error"], "invalid_client");
    assert_eq!(json(&r)["error_codes"][0], 7000215);
}
