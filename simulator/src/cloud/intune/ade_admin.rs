//! The admin API's Automated Device Enrollment resources, in Graph's shapes:
//! `deviceManagement/depOnboardingSettings` (tokens), their `enrollmentProfiles`,
//! `syncWithAppleDeviceEnrollmentProgram` and `importedAppleDeviceIdentities`.

// As in `admin`: both arms of the handlers' results are the HTTP answer.
#![allow(clippy::result_large_err)]

use hyper::{Method, StatusCode};
use serde_json::{json, Value};

use super::ade::{AdeAuthMethod, SyncError};
use super::IntuneService;
use crate::clock::rfc3339;
use crate::net::{Request, Response};

fn graph_error(
    service: &IntuneService,
    status: StatusCode,
    code: &str,
    message: String,
) -> Response {
    Response::json(
        status,
        &json!({"error": {"code": code, "message": message, "innerError": {"request-id": service.rng.uuid_lower(), "date": rfc3339(service.clock.now())}}}),
    )
}

/// Routes ADE admin requests; `None` when the path is not an ADE resource.
pub async fn route(
    service: &IntuneService,
    request: &Request,
    segments: &[&str],
) -> Option<Result<Response, Response>> {
    let not_found = |what: &str| {
        Err(graph_error(
            service,
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            format!("No {what} with that id."),
        ))
    };
    Some(match (&request.method, segments) {
        (&Method::POST, ["deviceManagement", "depOnboardingSettings"]) => {
            create_token(service, request)
        }
        (
            &Method::POST,
            ["deviceManagement", "depOnboardingSettings", id, "enrollmentProfiles"],
        ) => create_profile(service, request, id),
        (&Method::GET, ["deviceManagement", "depOnboardingSettings"]) => Ok(Response::json(
            StatusCode::OK,
            &json!({"value": service.dep_onboarding_settings()}),
        )),
        (
            &Method::POST,
            ["deviceManagement", "depOnboardingSettings", id, "syncWithAppleDeviceEnrollmentProgram"],
        ) => match service.sync_ade(id, true).await {
            Ok(_) => Ok(Response::empty(StatusCode::NO_CONTENT)),
            Err(SyncError::UnknownToken(_)) => not_found("enrollment program token"),
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
        },
        (&Method::GET, ["deviceManagement", "depOnboardingSettings", id, "enrollmentProfiles"]) => {
            token_part(service, id, "enrollmentProfiles")
        }
        (
            &Method::PATCH,
            ["deviceManagement", "depOnboardingSettings", id, "enrollmentProfiles", pid],
        ) => {
            let body: Value = match serde_json::from_slice(&request.body) {
                Ok(v) => v,
                Err(e) => {
                    return Some(Err(graph_error(
                        service,
                        StatusCode::BAD_REQUEST,
                        "BadRequest",
                        format!("The request body is not valid JSON: {e}."),
                    )))
                }
            };
            let method = match body.get("authenticationMethod") {
                None => None,
                Some(m) => match serde_json::from_value::<AdeAuthMethod>(m.clone()) {
                    Ok(m) => Some(m),
                    Err(_) => return Some(Err(graph_error(service, StatusCode::BAD_REQUEST, "BadRequest", format!("'authenticationMethod' must be companyPortal, setupAssistantLegacy or setupAssistantModern; got {m}.")))),
                },
            };
            let now = service.clock.now();
            let mut state = service.lock();
            let Some(p) = state
                .ade_tokens
                .iter_mut()
                .filter(|t| t.id == *id)
                .flat_map(|t| t.profiles.iter_mut())
                .find(|p| p.id == *pid)
            else {
                drop(state);
                return Some(not_found("enrollment profile"));
            };
            if let Some(name) = body.get("displayName").and_then(Value::as_str) {
                p.name = name.to_string();
            }
            if let Some(m) = method {
                p.auth = m;
            }
            // Any edit, even of the description, gives the profile a new modification time.
            p.modified_at = now;
            let name = p.name.clone();
            drop(state);
            service.note(None, format!("admin edited enrollment profile '{name}'"));
            Ok(Response::empty(StatusCode::NO_CONTENT))
        }
        (&Method::POST, ["deviceManagement", "depOnboardingSettings", id, "uploadDepToken"]) => {
            upload_token(service, request, id)
        }
        (
            &Method::POST,
            ["deviceManagement", "depOnboardingSettings", id, "enrollmentProfiles", pid, "updateDeviceProfileAssignment"],
        ) => assign_devices(service, request, id, pid),
        (
            &Method::GET,
            ["deviceManagement", "depOnboardingSettings", id, "importedAppleDeviceIdentities"],
        ) => token_part(service, id, "importedAppleDeviceIdentities"),
        _ => return None,
    })
}

fn body(service: &IntuneService, request: &Request) -> Result<Value, Response> {
    serde_json::from_slice(&request.body).map_err(|e| {
        graph_error(
            service,
            StatusCode::BAD_REQUEST,
            "BadRequest",
            format!("The request body is not valid JSON: {e}."),
        )
    })
}

/// `uploadDepToken` (`{"appleId", "depToken"}`): the admin renews the token with the server
/// token downloaded from Apple Business Manager (the decrypted `.p7m` text).
fn upload_token(
    service: &IntuneService,
    request: &Request,
    id: &str,
) -> Result<Response, Response> {
    let body = body(service, request)?;
    let bad = |m: &str| {
        graph_error(
            service,
            StatusCode::BAD_REQUEST,
            "BadRequest",
            m.to_string(),
        )
    };
    let apple_id = body
        .get("appleId")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("'appleId' is required."))?;
    let text = body
        .get("depToken")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("'depToken' (the server token file's text) is required."))?;
    let token = crate::cloud::apple_ade::token::ServerToken::from_token_file(text)
        .map_err(|e| bad(&format!("'depToken': {e}")))?;
    let now = service.clock.now();
    let mut state = service.lock();
    let Some(t) = state.ade_tokens.iter_mut().find(|t| t.id == id) else {
        drop(state);
        return Err(token_not_found(service));
    };
    t.server_token = Some(token);
    t.apple_id = apple_id.to_string();
    t.uploaded_at = now;
    t.expires_at = now + time::Duration::days(365);
    drop(state);
    service.note(
        None,
        "admin uploaded a new server token for the enrollment program token".into(),
    );
    Ok(Response::empty(StatusCode::NO_CONTENT))
}

/// `updateDeviceProfileAssignment` (`{"deviceIds": [serial...]}`): assigns devices to a
/// profile; Apple learns of it at the next sync.
fn assign_devices(
    service: &IntuneService,
    request: &Request,
    id: &str,
    pid: &str,
) -> Result<Response, Response> {
    let body = body(service, request)?;
    let Some(serials) = body.get("deviceIds").and_then(Value::as_array) else {
        return Err(graph_error(
            service,
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "'deviceIds' (an array of serial numbers) is required.".into(),
        ));
    };
    let serials: Vec<String> = serials
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    let mut state = service.lock();
    let Some(t) = state
        .ade_tokens
        .iter_mut()
        .find(|t| t.id == id && t.profiles.iter().any(|p| p.id == pid))
    else {
        drop(state);
        return Err(graph_error(
            service,
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            "No such token or enrollment profile.".into(),
        ));
    };
    let unknown: Vec<&String> = serials
        .iter()
        .filter(|s| !t.devices.iter().any(|d| &d.serial == *s))
        .collect();
    if !unknown.is_empty() {
        let m = format!("These serial numbers are not imported from Apple: {unknown:?}.");
        drop(state);
        return Err(graph_error(
            service,
            StatusCode::BAD_REQUEST,
            "BadRequest",
            m,
        ));
    }
    for d in t.devices.iter_mut().filter(|d| serials.contains(&d.serial)) {
        d.profile_id = Some(pid.to_string());
        d.assigned_at_apple = false;
    }
    Ok(Response::empty(StatusCode::NO_CONTENT))
}

/// `POST depOnboardingSettings` (`{"tokenName", "appleIdentifier"}`): the admin starts adding an
/// enrollment program token; the server token follows with `uploadDepToken`.
fn create_token(service: &IntuneService, request: &Request) -> Result<Response, Response> {
    let body = body(service, request)?;
    let name = body
        .get("tokenName")
        .and_then(Value::as_str)
        .unwrap_or("Enrollment program token")
        .to_string();
    let apple_id = body
        .get("appleIdentifier")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let now = service.clock.now();
    let id = service.rng.uuid_lower();
    service
        .lock()
        .ade_tokens
        .push(super::ade::EnrollmentProgramToken {
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
        });
    Ok(Response::json(
        StatusCode::CREATED,
        &json!({"id": id, "tokenName": name, "appleIdentifier": apple_id}),
    ))
}

/// `POST depOnboardingSettings/{id}/enrollmentProfiles`
/// (`{"displayName", "authenticationMethod", "isDefault"}`): a new ADE enrollment profile.
fn create_profile(
    service: &IntuneService,
    request: &Request,
    id: &str,
) -> Result<Response, Response> {
    let body = body(service, request)?;
    let bad = |m: String| graph_error(service, StatusCode::BAD_REQUEST, "BadRequest", m);
    let name = body
        .get("displayName")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("'displayName' is required.".into()))?
        .to_string();
    let auth = match body.get("authenticationMethod") {
        None => AdeAuthMethod::default(),
        Some(m) => serde_json::from_value(m.clone()).map_err(|_| bad(format!("'authenticationMethod' must be companyPortal, setupAssistantLegacy or setupAssistantModern; got {m}.")))?,
    };
    let is_default = body
        .get("isDefault")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let now = service.clock.now();
    let profile_id = service.rng.uuid_lower();
    let mut state = service.lock();
    let Some(t) = state.ade_tokens.iter_mut().find(|t| t.id == id) else {
        drop(state);
        return Err(token_not_found(service));
    };
    t.profiles.push(super::ade::AdeProfile {
        id: profile_id.clone(),
        name: name.clone(),
        created_at: now,
        modified_at: now,
        auth,
        apple_uuid: None,
        sent_version: None,
    });
    if is_default {
        t.default_profile = Some(profile_id.clone());
    }
    drop(state);
    service.note(None, format!("admin created enrollment profile '{name}'"));
    Ok(Response::json(
        StatusCode::CREATED,
        &json!({"id": profile_id, "displayName": name, "authenticationMethod": auth, "isDefault": is_default}),
    ))
}

/// One collection of a token (`enrollmentProfiles`, `importedAppleDeviceIdentities`) as a
/// Graph list.
fn token_part(service: &IntuneService, id: &str, part: &str) -> Result<Response, Response> {
    let all = service.dep_onboarding_settings();
    match all
        .as_array()
        .and_then(|a| a.iter().find(|t| t["id"] == id))
    {
        Some(t) => Ok(Response::json(StatusCode::OK, &json!({"value": t[part]}))),
        None => Err(token_not_found(service)),
    }
}

/// Graph's 404 for an unknown enrollment program token.
fn token_not_found(service: &IntuneService) -> Response {
    graph_error(
        service,
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        "No enrollment program token with that id.".into(),
    )
}
