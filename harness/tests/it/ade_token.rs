//! The enrollment program token's life: Apple Business Manager's "Download Token" invalidates
//! the token Intune holds, so sync fails until the admin uploads the new one ("Renew token");
//! "Sync now" is refused within 15 minutes of the previous request.

use enrollsim_harness::lab::Lab;
use enrollsim_harness::scenario::{AdeSpec, TenantSpec, UserSpec, WorldSpec};
use enrollsim_simulator::cloud::apple_ade::state::lock;
use hyper::Method;
use serde_json::json;
use time::Duration;

#[tokio::test]
async fn a_new_abm_token_breaks_sync_until_it_is_uploaded() {
    let spec = WorldSpec::builder()
        .seed(77)
        .tenant(TenantSpec {
            ade: Some(AdeSpec::default()),
            ..TenantSpec::new("Contoso")
        })
        .user(UserSpec::new("alex@contoso.example"))
        .build();
    let lab = Lab::start(&spec).await.unwrap();
    let admin = lab.admin();
    let tokens = admin
        .call(
            Method::GET,
            "/beta/deviceManagement/depOnboardingSettings",
            None,
        )
        .await
        .unwrap();
    let id = tokens["value"][0]["id"].as_str().unwrap().to_string();
    let sync = format!(
        "/beta/deviceManagement/depOnboardingSettings/{id}/syncWithAppleDeviceEnrollmentProgram"
    );

    admin
        .call(Method::POST, &sync, None)
        .await
        .expect("first manual sync works");
    let throttled = admin
        .call(Method::POST, &sync, None)
        .await
        .unwrap_err()
        .to_string();
    assert!(throttled.contains("429"), "{throttled}");

    // The ABM admin downloads a new server token: the one Intune holds stops working.
    let new_token = {
        let mut apple = lock(lab.world.apple_ade.state());
        let server = apple.servers().next().unwrap().uuid.clone();
        apple
            .download_token_file(&server, &lab.world.rng, lab.world.clock.now())
            .unwrap()
    };
    lab.world.clock.advance(Duration::minutes(16));
    let broken = admin
        .call(Method::POST, &sync, None)
        .await
        .unwrap_err()
        .to_string();
    assert!(broken.contains("502") && broken.contains("401"), "{broken}");

    lab.world.clock.advance(Duration::minutes(16));
    admin
        .call(
            Method::POST,
            &format!("/beta/deviceManagement/depOnboardingSettings/{id}/uploadDepToken"),
            Some(json!({"appleId": "abm-admin@contoso.example", "depToken": new_token})),
        )
        .await
        .expect("upload");
    admin
        .call(Method::POST, &sync, None)
        .await
        .expect("sync works with the renewed token");

    let bad = admin
        .call(
            Method::POST,
            &format!("/beta/deviceManagement/depOnboardingSettings/{id}/uploadDepToken"),
            Some(json!({"appleId": "x", "depToken": "not a token"})),
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(bad.contains("400") && bad.contains("depToken"), "{bad}");
}

/// A token file Apple Business Manager encrypted to another public key cannot be opened: the
/// admin center's upload error, recorded on the token until the token's own key is uploaded to
/// the MDM server and a new file downloaded.
#[tokio::test]
async fn a_token_for_another_public_key_is_refused_until_the_tokens_key_is_uploaded() {
    let spec = WorldSpec::builder()
        .seed(78)
        .tenant(TenantSpec {
            ade: Some(AdeSpec::default()),
            ..TenantSpec::new("Contoso")
        })
        .user(UserSpec::new("alex@contoso.example"))
        .build();
    let lab = Lab::start(&spec).await.unwrap();
    let admin = lab.admin();
    let settings = "/beta/deviceManagement/depOnboardingSettings";
    let tokens = admin.call(Method::GET, settings, None).await.unwrap();
    let id = tokens["value"][0]["id"].as_str().unwrap().to_string();
    let upload = format!("{settings}/{id}/uploadDepToken");
    let server = lock(lab.world.apple_ade.state())
        .servers()
        .next()
        .unwrap()
        .uuid
        .clone();
    let download = || {
        lock(lab.world.apple_ade.state())
            .download_token_file(&server, &lab.world.rng, lab.world.clock.now())
            .unwrap()
    };

    lock(lab.world.apple_ade.state())
        .upload_public_key(
            &server,
            "-----BEGIN PUBLIC KEY-----\nb3RoZXI=\n-----END PUBLIC KEY-----\n",
        )
        .unwrap();
    let body = json!({"appleId": "abm-admin@contoso.example", "depToken": download()});
    let refused = admin
        .call(Method::POST, &upload, Some(body))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        refused.contains("400") && refused.contains("AjaxError: ajaxExtended call failed"),
        "{refused}"
    );
    let tokens = admin.call(Method::GET, settings, None).await.unwrap();
    let error = &tokens["value"][0]["lastUploadError"];
    assert!(
        error["message"].as_str().is_some_and(
            |m| m.contains("An error occurred while uploading the Enrollment Program token")
        ),
        "{tokens}"
    );

    let key = admin
        .call(
            Method::GET,
            &format!("{settings}/{id}/getEncryptionPublicKey"),
            None,
        )
        .await
        .unwrap();
    let pem = key["value"].as_str().unwrap();
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----"), "{pem}");
    lock(lab.world.apple_ade.state())
        .upload_public_key(&server, pem)
        .unwrap();
    let body = json!({"appleId": "abm-admin@contoso.example", "depToken": download()});
    admin
        .call(Method::POST, &upload, Some(body))
        .await
        .expect("a token for the token's own key uploads");
    let tokens = admin.call(Method::GET, settings, None).await.unwrap();
    assert!(
        tokens["value"][0].get("lastUploadError").is_none(),
        "{tokens}"
    );
}
