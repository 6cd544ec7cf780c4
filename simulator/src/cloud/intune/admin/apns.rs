//! `deviceManagement/applePushNotificationCertificate`: read, and upload (renew or replace).

use base64::Engine;
use enrollsim_graph::requests::ApnsCertificateUpload;
use hyper::{Method, StatusCode};

use super::{bad_request, body, not_found, shapes, Answer};
use crate::cloud::intune::state::ApnsCertificate;
use crate::cloud::intune::IntuneService;
use crate::net::{Request, Response};

/// Routes `deviceManagement/applePushNotificationCertificate`.
pub(super) fn route(service: &IntuneService, request: &Request) -> Option<Answer> {
    match request.method {
        Method::GET => Some(Ok(get_apns(service))),
        Method::PATCH => Some(upload_apns(service, request)),
        _ => None,
    }
}

fn get_apns(service: &IntuneService) -> Response {
    let now = service.clock.now();
    let view = service
        .lock()
        .apns
        .as_ref()
        .map(|c| shapes::apns_certificate(c, now));
    match view {
        None => not_found(service, "No Apple MDM push certificate has been uploaded."),
        Some(c) => Response::json(StatusCode::OK, &c),
    }
}

/// Uploads a push certificate from Apple's portal: `{"appleIdentifier", "certificate"}` with the
/// certificate as base64 DER. Intune made the certificate request, so it already holds the key.
fn upload_apns(service: &IntuneService, request: &Request) -> Answer {
    let upload: ApnsCertificateUpload = body(service, request)?;
    let bad = |m: String| bad_request(service, m);
    let apple_id = upload
        .apple_identifier
        .ok_or_else(|| bad("'appleIdentifier' is required.".into()))?;
    let cert_b64 = upload
        .certificate
        .ok_or_else(|| bad("'certificate' (base64 DER) is required.".into()))?;
    let der = base64::engine::general_purpose::STANDARD
        .decode(cert_b64.trim())
        .map_err(|e| bad(format!("'certificate' is not base64: {e}")))?;
    let der = enrollsim_certs::CertificateDer::from(der);
    let facts =
        enrollsim_certs::inspect::facts(&der).map_err(|e| bad(format!("'certificate': {e}")))?;
    let topic = facts.uid.clone().filter(|t| t.starts_with("com.apple.mgmt.")).ok_or_else(|| bad("The certificate is not an Apple MDM push certificate (no com.apple.mgmt. topic in its subject).".into()))?;
    let identity = enrollsim_certs::Identity::push_identity(der, &service.pki)
        .map_err(|e| bad(e.to_string()))?;
    let now = service.clock.now();
    let mut state = service.lock();
    let replaced = state.apns.as_ref().is_some_and(|old| old.topic != topic);
    state.apns = Some(ApnsCertificate {
        apple_id,
        topic: topic.clone(),
        identity,
        expires_at: facts.not_after,
        uploaded_at: now,
    });
    state.apns_rejected = None;
    drop(state);
    service.note(
        None,
        format!(
            "admin {} the Apple MDM push certificate (topic {topic})",
            if replaced { "replaced" } else { "uploaded" }
        ),
    );
    Ok(get_apns(service))
}
