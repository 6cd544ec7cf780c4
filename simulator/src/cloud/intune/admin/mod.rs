//! The admin API, in Microsoft Graph's resource names and JSON shapes (the types of the
//! `enrollsim-graph` crate).
//!
//! What an admin does in the Intune and Microsoft 365 admin centers goes through here over
//! HTTPS: read and delete managed devices, read and change enrollment restrictions and device
//! limits, upload (renew or replace) the Apple MDM push certificate, assign licences, change a
//! user's per-user MFA state, manage ADE tokens and profiles, read the enrollment
//! troubleshooting events and the sign-in log. Both `/v1.0/` and `/beta/` prefixes are accepted.
//! Errors use Graph's error shape (`{"error": {"code", "message", "innerError"}}`) and status
//! codes.
//!
//! [`route`] is the one router: it names every resource family and hands it to the module
//! that serves it.

// Handlers return `Result<Response, Response>`: both arms are the HTTP answer and go straight
// back to hyper, so boxing the error arm would only add an allocation.
#![allow(clippy::result_large_err)]

mod ade;
mod apns;
mod configurations;
mod devices;
pub mod directory;
pub mod shapes;
mod token;
mod users;

use enrollsim_graph::{GraphError, ValueOf};
use hyper::{Method, StatusCode};
use serde::de::DeserializeOwned;

use super::state::MdmAuthority;
use super::IntuneService;
use crate::clock::rfc3339;
use crate::net::{Request, Response};

pub use ade::UPLOAD_ERROR_TEXT;
pub use shapes::sign_in_log;
pub use users::default_plans;

/// What a handler answers: both arms are the HTTP response.
type Answer = Result<Response, Response>;

/// Graph's error body with a fresh request id and the current time.
fn graph_error(
    service: &IntuneService,
    status: StatusCode,
    code: &str,
    message: impl Into<String>,
) -> Response {
    let body = GraphError::new(
        code,
        message,
        service.rng.uuid_lower(),
        rfc3339(service.clock.now()),
    );
    Response::json(status, &body)
}

/// Graph's 400 `BadRequest`.
fn bad_request(service: &IntuneService, message: impl Into<String>) -> Response {
    graph_error(service, StatusCode::BAD_REQUEST, "BadRequest", message)
}

/// Graph's 404 `ResourceNotFound`.
fn not_found(service: &IntuneService, message: impl Into<String>) -> Response {
    graph_error(service, StatusCode::NOT_FOUND, "ResourceNotFound", message)
}

/// The request body as `T`; a malformed body is a 400 naming where the parser stopped.
fn body<T: DeserializeOwned>(service: &IntuneService, request: &Request) -> Result<T, Response> {
    serde_json::from_slice(&request.body).map_err(|e| {
        bad_request(
            service,
            format!(
                "The request body is not valid JSON: {e} (line {}, column {}).",
                e.line(),
                e.column()
            ),
        )
    })
}

/// `{"value": ...}` with 200.
fn ok_value(value: impl serde::Serialize) -> Answer {
    Ok(Response::json(StatusCode::OK, &ValueOf::new(value)))
}

/// Routes `graph.microsoft.com`.
pub async fn handle(service: &IntuneService, request: Request) -> Response {
    if let Err(refusal) = token::judge(service, &request) {
        return refusal;
    }
    let path = request.path.trim_matches('/');
    let path = path
        .strip_prefix("v1.0/")
        .or_else(|| path.strip_prefix("beta/"))
        .unwrap_or(path);
    // Graph addresses users by UPN in a path segment, which clients percent-encode
    // (`alex%40contoso.example`); the routes compare decoded segments.
    let decoded: Vec<std::borrow::Cow<'_, str>> = path
        .split('/')
        .map(|segment| percent_encoding::percent_decode_str(segment).decode_utf8_lossy())
        .collect();
    let segments: Vec<&str> = decoded.iter().map(AsRef::as_ref).collect();
    match route(service, &request, &segments).await {
        Some(Ok(r) | Err(r)) => r,
        None => not_found(
            service,
            format!("Resource not found for the segment '{path}'."),
        ),
    }
}

/// `organization`: the tenant, with its MDM authority (Graph's
/// `mobileDeviceManagementAuthority`).
fn organization(service: &IntuneService) -> Answer {
    let tenant_id = service.directory().tenant_id.clone();
    let authority = service.lock().mdm_authority.graph_name();
    ok_value(vec![enrollsim_graph::Organization {
        id: tenant_id,
        mobile_device_management_authority: authority.into(),
    }])
}

/// `organization/{id}/setMobileDeviceManagementAuthority`: Graph's action takes no body and
/// makes Intune the authority. The lab also accepts `{"mobileDeviceManagementAuthority": ...}`
/// to replay a tenant whose authority was set elsewhere (the Configuration Manager console).
fn set_mdm_authority(service: &IntuneService, request: &Request) -> Answer {
    let authority = if request.body.is_empty() {
        MdmAuthority::Intune
    } else {
        let change: enrollsim_graph::requests::SetMdmAuthority = body(service, request)?;
        match change.mobile_device_management_authority.as_deref() {
            None | Some("intune") => MdmAuthority::Intune,
            Some("configurationManager" | "sccm") => MdmAuthority::ConfigurationManager,
            Some("unknown") => MdmAuthority::Unknown,
            Some(other) => {
                return Err(bad_request(
                    service,
                    format!(
                    "'{other}' is not an MDM authority: intune, configurationManager or unknown."
                ),
                ))
            }
        }
    };
    service.lock().mdm_authority = authority;
    ok_value(1)
}

/// The one router: each resource family goes to the module that serves it; `None` when no
/// resource matches.
async fn route(service: &IntuneService, request: &Request, segments: &[&str]) -> Option<Answer> {
    let method = &request.method;
    match segments {
        ["deviceManagement", "managedDevices", rest @ ..] => {
            devices::route(service, request, rest).await
        }
        ["deviceManagement", "deviceEnrollmentConfigurations", rest @ ..] => {
            configurations::route(service, request, rest)
        }
        ["deviceManagement", "applePushNotificationCertificate"] => apns::route(service, request),
        ["deviceManagement", "depOnboardingSettings", rest @ ..] => {
            ade::route(service, request, rest).await
        }
        ["deviceManagement", "troubleshootingEvents"] if method == Method::GET => {
            let events = service.lock().events.clone();
            Some(ok_value(
                events
                    .iter()
                    .map(shapes::troubleshooting_event)
                    .collect::<Vec<_>>(),
            ))
        }
        ["deviceManagement", "importedDeviceIdentities"] if method == Method::GET => {
            let serials = service.lock().corporate_identifiers.clone();
            Some(ok_value(
                serials
                    .iter()
                    .map(|s| shapes::imported_device_identity(s))
                    .collect::<Vec<_>>(),
            ))
        }
        ["organization"] if method == Method::GET => Some(organization(service)),
        ["organization", _, "setMobileDeviceManagementAuthority"] if method == Method::POST => {
            Some(set_mdm_authority(service, request))
        }
        ["users", rest @ ..] => users::route(service, request, rest),
        ["groups", rest @ ..] => directory::route_groups(service, request, rest),
        ["subscribedSkus"] if method == Method::GET => Some(users::subscribed_skus(service)),
        ["identity", "conditionalAccess", "policies", rest @ ..] => {
            directory::route_policies(service, request, rest)
        }
        ["auditLogs", "signIns"] if method == Method::GET => Some(ok_value(sign_in_log(service))),
        _ => None,
    }
}
