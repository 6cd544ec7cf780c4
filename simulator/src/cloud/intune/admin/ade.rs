//! The admin API's Automated Device Enrollment resources, in Graph's shapes:
//! `deviceManagement/depOnboardingSettings` (tokens), their `enrollmentProfiles`,
//! `syncWithAppleDeviceEnrollmentProgram`, `importedAppleDeviceIdentities`,
//! `getEncryptionPublicKey` and `uploadDepToken`.

use enrollsim_graph::requests::{
    EnrollmentProfilePatch, NewDepOnboardingSetting, NewEnrollmentProfile,
    UpdateDeviceProfileAssignment, UploadDepToken,
};
use enrollsim_graph::DepOnboardingSetting;
use hyper::{Method, StatusCode};
use serde_json::Value;

use super::{bad_request, body, graph_error, not_found, ok_value, Answer};
use crate::cloud::apple_ade::token::{key_id, recipient_of, ServerToken};
use crate::cloud::intune::ade::SyncError;
use crate::cloud::intune::state::{
    AdeAuthMethod, AdeProfile, AdeUploadFailure, EnrollmentProgramToken,
};
use crate::cloud::intune::IntuneService;
use crate::net::{Request, Response};

/// Routes `deviceManagement/depOnboardingSettings/...` (`rest` is what follows).
pub(super) async fn route(
    service: &IntuneService,
    request: &Request,
    rest: &[&str],
) -> Option<Answer> {
    Some(match (&request.method, rest) {
        (&Method::GET, []) => ok_value(service.dep_onboarding_settings()),
        (&Method::POST, []) => create_token(service, request),
        (&Method::POST, [id, "uploadDepToken"]) => upload_token(service, request, id),
        (&Method::GET, [id, "getEncryptionPublicKey"]) => encryption_public_key(service, id),
        (&Method::POST, [id, "syncWithAppleDeviceEnrollmentProgram"]) => {
            sync_now(service, id).await
        }
        (&Method::GET, [id, "importedAppleDeviceIdentities"]) => token_part(service, id, |t| {
            ok_value(t.imported_apple_device_identities)
        }),
        (_, [id, "enrollmentProfiles", profile @ ..]) => {
            profile_route(service, request, id, profile)?
        }
        _ => return None,
    })
}

/// Routes `depOnboardingSettings/{id}/enrollmentProfiles/...` (`rest` is what follows).
fn profile_route(
    service: &IntuneService,
    request: &Request,
    id: &str,
    rest: &[&str],
) -> Option<Answer> {
    Some(match (&request.method, rest) {
        (&Method::GET, []) => token_part(service, id, |t| ok_value(t.enrollment_profiles)),
        (&Method::POST, []) => create_profile(service, request, id),
        (&Method::PATCH, [pid]) => edit_profile(service, request, id, pid),
        (&Method::POST, [pid, "updateDeviceProfileAssignment"]) => {
            assign_devices(service, request, id, pid)
        }
        _ => return None,
    })
}

/// "Sync now": throttled, and Apple's refusals surface as a bad gateway.
async fn sync_now(service: &IntuneService, id: &str) -> Answer {
    match service.sync_ade(id, true).await {
        Ok(_) => Ok(Response::empty(StatusCode::NO_CONTENT)),
        Err(SyncError::UnknownToken(_)) => Err(not_found(
            service,
            "No enrollment program token with that id.",
        )),
        Err(e @ SyncError::Throttled(_)) => Err(graph_error(
            service,
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequests",
            e.to_string(),
        )),
        Err(e) => Err(graph_error(
            service,
            StatusCode::BAD_GATEWAY,
            "AppleServiceError",
            e.to_string(),
        )),
    }
}

/// An `authenticationMethod` member as the service reads it; the message names the choices.
fn auth_method(service: &IntuneService, raw: &Value) -> Result<AdeAuthMethod, Response> {
    serde_json::from_value(raw.clone()).map_err(|_| {
        bad_request(
            service,
            format!("'authenticationMethod' must be companyPortal, setupAssistantLegacy or setupAssistantModern; got {raw}."),
        )
    })
}

/// `PATCH .../enrollmentProfiles/{pid}`: any edit, even of the description alone, gives the
/// profile a new modification time (what makes a sync send it to Apple again).
fn edit_profile(service: &IntuneService, request: &Request, id: &str, pid: &str) -> Answer {
    let patch: EnrollmentProfilePatch = body(service, request)?;
    let method = patch
        .authentication_method
        .as_ref()
        .map(|m| auth_method(service, m))
        .transpose()?;
    let now = service.clock.now();
    let mut state = service.lock();
    let Some(p) = state
        .ade_tokens
        .iter_mut()
        .filter(|t| t.id == id)
        .flat_map(|t| t.profiles.iter_mut())
        .find(|p| p.id == pid)
    else {
        drop(state);
        return Err(not_found(service, "No enrollment profile with that id."));
    };
    if let Some(name) = patch.display_name {
        p.name = name;
    }
    if let Some(phone) = patch.support_phone_number {
        p.support_phone = Some(phone);
    }
    if let Some(department) = patch.department {
        p.department = Some(department);
    }
    if let Some(m) = method {
        p.auth = m;
    }
    p.modified_at = now;
    let name = p.name.clone();
    drop(state);
    service.note(None, format!("admin edited enrollment profile '{name}'"));
    Ok(Response::empty(StatusCode::NO_CONTENT))
}

/// What the admin center shows when a server token upload fails, as the current article
/// quotes it ("Error: An error occurred while uploading the Enrollment Program token").
pub const UPLOAD_ERROR_TEXT: &str = "An error occurred while uploading the Enrollment Program token. Request ID: AjaxError: ajaxExtended call failed";

/// `GET depOnboardingSettings/{id}/getEncryptionPublicKey`: the public key (PEM) Intune holds
/// for the token, which the admin uploads to the MDM server in Apple Business Manager
/// (Graph answers `{"value": "..."}`).
fn encryption_public_key(service: &IntuneService, id: &str) -> Answer {
    let state = service.lock();
    match state.ade_tokens.iter().find(|t| t.id == id) {
        Some(t) => ok_value(t.encryption_public_key.clone()),
        None => {
            drop(state);
            Err(token_not_found(service))
        }
    }
}

/// `uploadDepToken` (`{"appleId", "depToken"}`): the admin renews the token with the server
/// token downloaded from Apple Business Manager (the `.p7m`). Intune opens it with the key it
/// holds for this token; a file encrypted to another key (Apple Business Manager holds another
/// `.pem` for the MDM server) cannot be opened, and the admin center shows its upload error.
/// The next sync fetches Apple's whole device list again.
fn upload_token(service: &IntuneService, request: &Request, id: &str) -> Answer {
    let upload: UploadDepToken = body(service, request)?;
    let apple_id = upload
        .apple_id
        .ok_or_else(|| bad_request(service, "'appleId' is required."))?;
    let text = upload.dep_token.ok_or_else(|| {
        bad_request(
            service,
            "'depToken' (the server token file's text) is required.",
        )
    })?;
    let token = ServerToken::from_token_file(&text)
        .map_err(|e| bad_request(service, format!("'depToken': {e}")))?;
    let now = service.clock.now();
    let mut state = service.lock();
    let Some(t) = state.ade_tokens.iter_mut().find(|t| t.id == id) else {
        drop(state);
        return Err(token_not_found(service));
    };
    if recipient_of(&text) != Some(key_id(&t.encryption_public_key).as_str()) {
        t.last_upload_error = Some(AdeUploadFailure {
            at: now,
            message: UPLOAD_ERROR_TEXT.into(),
        });
        drop(state);
        service.note(
            None,
            "server token upload refused: the file is not encrypted to this token's public key"
                .into(),
        );
        return Err(bad_request(service, UPLOAD_ERROR_TEXT));
    }
    t.server_token = Some(token);
    // A new server token starts over with a full fetch: the old cursor may be older than
    // Apple accepts (an expired token is renewed weeks later) or belong to another server.
    t.cursor = None;
    t.initial_fetch_done = false;
    t.apple_id = apple_id;
    t.uploaded_at = now;
    t.expires_at = now + time::Duration::days(365);
    t.last_upload_error = None;
    drop(state);
    service.note(
        None,
        "admin uploaded a new server token for the enrollment program token".into(),
    );
    Ok(Response::empty(StatusCode::NO_CONTENT))
}

/// `updateDeviceProfileAssignment` (`{"deviceIds": [serial...]}`): assigns devices to a
/// profile; Apple learns of it at the next sync.
fn assign_devices(service: &IntuneService, request: &Request, id: &str, pid: &str) -> Answer {
    let assignment: UpdateDeviceProfileAssignment = body(service, request)?;
    let Some(serials) = assignment.device_ids else {
        return Err(bad_request(
            service,
            "'deviceIds' (an array of serial numbers) is required.",
        ));
    };
    let mut state = service.lock();
    let Some(t) = state
        .ade_tokens
        .iter_mut()
        .find(|t| t.id == id && t.profiles.iter().any(|p| p.id == pid))
    else {
        drop(state);
        return Err(not_found(service, "No such token or enrollment profile."));
    };
    let unknown: Vec<&String> = serials
        .iter()
        .filter(|s| !t.devices.iter().any(|d| &d.serial == *s))
        .collect();
    if !unknown.is_empty() {
        let m = format!("These serial numbers are not imported from Apple: {unknown:?}.");
        drop(state);
        return Err(bad_request(service, m));
    }
    for d in t.devices.iter_mut().filter(|d| serials.contains(&d.serial)) {
        d.profile_id = Some(pid.to_string());
        d.assigned_at_apple = false;
    }
    Ok(Response::empty(StatusCode::NO_CONTENT))
}

/// `POST depOnboardingSettings` (`{"tokenName", "appleIdentifier"}`): the admin starts adding an
/// enrollment program token; the server token follows with `uploadDepToken`.
fn create_token(service: &IntuneService, request: &Request) -> Answer {
    let new: NewDepOnboardingSetting = body(service, request)?;
    let name = new
        .token_name
        .unwrap_or_else(|| "Enrollment program token".into());
    let apple_id = new.apple_identifier.unwrap_or_default();
    let now = service.clock.now();
    let id = service.rng.uuid_lower();
    service.lock().ade_tokens.push(EnrollmentProgramToken {
        id: id.clone(),
        name: name.clone(),
        apple_id: apple_id.clone(),
        server_token: None,
        uploaded_at: now,
        expires_at: now,
        last_sync: None,
        last_sync_triggered: None,
        cursor: None,
        profiles: Vec::new(),
        default_profile: None,
        devices: Vec::new(),
        last_sync_error: None,
        initial_fetch_done: false,
        encryption_public_key: token_public_key(&id),
        last_upload_error: None,
    });
    let created = NewDepOnboardingSetting {
        id: Some(id),
        token_name: Some(name),
        apple_identifier: Some(apple_id),
    };
    Ok(Response::json(StatusCode::CREATED, &created))
}

/// `POST depOnboardingSettings/{id}/enrollmentProfiles`
/// (`{"displayName", "authenticationMethod", "isDefault"}`): a new ADE enrollment profile.
fn create_profile(service: &IntuneService, request: &Request, id: &str) -> Answer {
    let new: NewEnrollmentProfile = body(service, request)?;
    let name = new
        .display_name
        .ok_or_else(|| bad_request(service, "'displayName' is required."))?;
    let auth = match &new.authentication_method {
        None => AdeAuthMethod::default(),
        Some(m) => auth_method(service, m)?,
    };
    let is_default = new.is_default.unwrap_or(false);
    let now = service.clock.now();
    let profile_id = service.rng.uuid_lower();
    let mut state = service.lock();
    let Some(t) = state.ade_tokens.iter_mut().find(|t| t.id == id) else {
        drop(state);
        return Err(token_not_found(service));
    };
    t.profiles.push(AdeProfile {
        id: profile_id.clone(),
        name: name.clone(),
        created_at: now,
        modified_at: now,
        auth,
        apple_uuid: None,
        sent_version: None,
        support_phone: new.support_phone_number.clone(),
        department: new.department.clone(),
    });
    if is_default {
        t.default_profile = Some(profile_id.clone());
    }
    drop(state);
    service.note(None, format!("admin created enrollment profile '{name}'"));
    let created = NewEnrollmentProfile {
        id: Some(profile_id),
        display_name: Some(name),
        authentication_method: Some(Value::String(auth.graph_name().into())),
        is_default: Some(is_default),
        support_phone_number: new.support_phone_number,
        department: new.department,
    };
    Ok(Response::json(StatusCode::CREATED, &created))
}

/// The public key of a new token, as a PEM block. enrollsim encrypts nothing with it (see
/// `apple_ade::token`), so its body only has to differ from every other token's: it is made
/// from the token's id (drawing from the seeded generator would move every later id).
fn token_public_key(token_id: &str) -> String {
    use base64::Engine;
    let body = base64::engine::general_purpose::STANDARD.encode(format!("intune-dep-{token_id}"));
    format!("-----BEGIN PUBLIC KEY-----\n{body}\n-----END PUBLIC KEY-----\n")
}

/// One collection of a token (`enrollmentProfiles`, `importedAppleDeviceIdentities`) as a
/// Graph list.
fn token_part(
    service: &IntuneService,
    id: &str,
    part: impl FnOnce(DepOnboardingSetting) -> Answer,
) -> Answer {
    match service
        .dep_onboarding_settings()
        .into_iter()
        .find(|t| t.id == id)
    {
        Some(t) => part(t),
        None => Err(token_not_found(service)),
    }
}

/// Graph's 404 for an unknown enrollment program token.
fn token_not_found(service: &IntuneService) -> Response {
    not_found(service, "No enrollment program token with that id.")
}
