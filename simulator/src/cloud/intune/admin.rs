//! The admin API, in Microsoft Graph's resource names and JSON shapes.
//!
//! What an admin does in the Intune and Microsoft 365 admin centers goes through here over
//! HTTPS: read and delete managed devices, read and change enrollment restrictions and device
//! limits, upload (renew or replace) the Apple MDM push certificate, assign licences, change a
//! user's per-user MFA state, read the enrollment troubleshooting events and the sign-in log.
//! Both `/v1.0/` and `/beta/` prefixes are accepted. Errors use Graph's error shape
//! (`{"error": {"code", "message", "innerError"}}`) and status codes.

// Handlers return `Result<Response, Response>`: both arms are the HTTP answer and go straight
// back to hyper, so boxing the error arm would only add an allocation.
#![allow(clippy::result_large_err)]

use base64::Engine;
use hyper::{Method, StatusCode};
use serde_json::{json, Value};

use super::restrictions::{device_limit_for, enrolled_device_count};
use super::state::{
    ApnsCertificate, IosRestriction, ManagementState, MdmAuthority, DEVICE_LIMIT_RANGE,
};
use super::IntuneService;
use crate::clock::rfc3339;
use crate::cloud::entra::License;
use crate::net::{Request, Response};

fn graph_error(
    service: &IntuneService,
    status: StatusCode,
    code: &str,
    message: impl Into<String>,
) -> Response {
    Response::json(
        status,
        &json!({"error": {
            "code": code,
            "message": message.into(),
            "innerError": {"request-id": service.rng.uuid_lower(), "date": rfc3339(service.clock.now())}
        }}),
    )
}

fn body_json(service: &IntuneService, request: &Request) -> Result<Value, Response> {
    serde_json::from_slice(&request.body).map_err(|e| {
        graph_error(
            service,
            StatusCode::BAD_REQUEST,
            "BadRequest",
            format!(
                "The request body is not valid JSON: {e} (line {}, column {}).",
                e.line(),
                e.column()
            ),
        )
    })
}

/// Routes `graph.microsoft.com`.
pub async fn handle(service: &IntuneService, request: Request) -> Response {
    if crate::cloud::entra::bearer_token(&request).as_deref() != Some(service.admin_token()) {
        return graph_error(
            service,
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            "Access token is empty or invalid.",
        );
    }
    let path = request.path.trim_matches('/');
    let path = path
        .strip_prefix("v1.0/")
        .or_else(|| path.strip_prefix("beta/"))
        .unwrap_or(path);
    let segments: Vec<&str> = path.split('/').collect();
    let result = match (&request.method, segments.as_slice()) {
        (&Method::GET, ["deviceManagement", "managedDevices"]) => list_devices(service, &request),
        (&Method::GET, ["deviceManagement", "managedDevices", id]) => get_device(service, id),
        (&Method::DELETE, ["deviceManagement", "managedDevices", id]) => delete_device(service, id),
        (&Method::POST, ["deviceManagement", "managedDevices", id, "syncDevice"]) => {
            sync_device(service, id).await
        }
        (&Method::POST, ["deviceManagement", "managedDevices", id, "retire"]) => {
            retire_device(service, id)
        }
        (&Method::GET, ["deviceManagement", "deviceEnrollmentConfigurations"]) => {
            Ok(list_configurations(service))
        }
        (&Method::PATCH, ["deviceManagement", "deviceEnrollmentConfigurations", id]) => {
            patch_configuration(service, &request, id)
        }
        (&Method::GET, ["deviceManagement", "applePushNotificationCertificate"]) => {
            Ok(get_apns(service))
        }
        (&Method::PATCH, ["deviceManagement", "applePushNotificationCertificate"]) => {
            upload_apns(service, &request)
        }
        (&Method::GET, ["deviceManagement", "troubleshootingEvents"]) => Ok(Response::json(
            StatusCode::OK,
            &json!({"value": service.lock().events}),
        )),
        (&Method::POST, ["organization", _, "setMobileDeviceManagementAuthority"]) => {
            service.lock().mdm_authority = MdmAuthority::Intune;
            Ok(Response::json(StatusCode::OK, &json!({"value": 1})))
        }
        (&Method::GET, ["users"]) => Ok(list_users(service)),
        (&Method::GET, ["users", id, "licenseDetails"]) => license_details(service, id),
        (&Method::GET, ["users", id, "managedDevices"]) => user_devices(service, id),
        (&Method::POST, ["users", id, "assignLicense"]) => assign_license(service, &request, id),
        (&Method::PATCH, ["users", id, "authentication", "requirements"]) => {
            set_mfa(service, &request, id)
        }
        (&Method::GET, ["auditLogs", "signIns"]) => Ok(sign_ins(service)),
        _ => match super::ade_admin::route(service, &request, &segments).await {
            Some(r) => r,
            None => Err(graph_error(
                service,
                StatusCode::NOT_FOUND,
                "ResourceNotFound",
                format!("Resource not found for the segment '{}'.", path),
            )),
        },
    };
    match result {
        Ok(r) | Err(r) => r,
    }
}

fn device_json(d: &super::state::ManagedDevice) -> Value {
    json!({
        "id": d.id,
        "deviceName": d.name,
        "userPrincipalName": d.upn,
        "serialNumber": d.serial,
        "operatingSystem": "iOS",
        "osVersion": d.os_version,
        "model": d.model,
        "managedDeviceOwnerType": d.ownership,
        "deviceEnrollmentType": d.enrollment_type,
        "enrolledDateTime": rfc3339(d.enrolled_at),
        "lastSyncDateTime": rfc3339(d.last_contact),
        "managementState": d.state,
        "azureADDeviceId": d.azure_ad_device_id,
        "lastPushFailure": d.last_push_failure,
    })
}

/// A `$filter` of the form Graph clients send most: `field eq 'value'` clauses joined by `and`.
fn parse_filter(filter: &str) -> Result<Vec<(String, String)>, String> {
    filter
        .split(" and ")
        .map(|clause| {
            let (field, value) = clause
                .trim()
                .split_once(" eq ")
                .ok_or_else(|| format!("unsupported $filter clause {clause:?}: only `field eq 'value'` (joined by `and`) is supported"))?;
            let value = value.trim();
            let value = value
                .strip_prefix('\'')
                .and_then(|v| v.strip_suffix('\''))
                .unwrap_or(value);
            Ok((field.trim().to_string(), value.to_string()))
        })
        .collect()
}

fn list_devices(service: &IntuneService, request: &Request) -> Result<Response, Response> {
    let filter = request
        .query
        .as_deref()
        .unwrap_or("")
        .split('&')
        .find_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            let k = crate::cloud::form::percent_decode(k);
            (k == "$filter").then(|| crate::cloud::form::percent_decode(v))
        });
    let clauses = match filter.as_deref().map(parse_filter).transpose() {
        Ok(c) => c.unwrap_or_default(),
        Err(m) => {
            return Err(graph_error(
                service,
                StatusCode::BAD_REQUEST,
                "BadRequest",
                m,
            ))
        }
    };
    let state = service.lock();
    let value: Vec<Value> = state
        .devices
        .iter()
        .filter(|d| d.admin_visible && d.state != ManagementState::Enrolling)
        .map(device_json)
        .filter(|d| {
            clauses.iter().all(|(field, value)| {
                d.get(field).is_some_and(|v| match v {
                    Value::String(s) => s.eq_ignore_ascii_case(value),
                    Value::Bool(b) => value.parse::<bool>().is_ok_and(|v| v == *b),
                    Value::Number(n) => value.parse::<f64>().ok() == n.as_f64(),
                    _ => false,
                })
            })
        })
        .collect();
    Ok(Response::json(StatusCode::OK, &json!({"value": value})))
}

fn get_device(service: &IntuneService, id: &str) -> Result<Response, Response> {
    let state = service.lock();
    match state.devices.iter().find(|d| d.id == id && d.admin_visible) {
        Some(d) => Ok(Response::json(StatusCode::OK, &device_json(d))),
        None => {
            drop(state);
            Err(graph_error(
                service,
                StatusCode::NOT_FOUND,
                "ResourceNotFound",
                format!("No managed device with id {id}."),
            ))
        }
    }
}

/// `users/{id}/managedDevices`: every device record of the user, including those only the
/// Company Portal website shows (what the user sees when signing in to the portal).
fn user_devices(service: &IntuneService, id: &str) -> Result<Response, Response> {
    let user = find_user(service, id)?;
    let state = service.lock();
    let value: Vec<Value> = state
        .devices
        .iter()
        .filter(|d| d.upn.eq_ignore_ascii_case(&user.upn) && d.state != ManagementState::Enrolling)
        .map(device_json)
        .collect();
    Ok(Response::json(StatusCode::OK, &json!({"value": value})))
}

fn delete_device(service: &IntuneService, id: &str) -> Result<Response, Response> {
    let mut state = service.lock();
    let before = state.devices.len();
    // An admin can delete a device record the admin center lists; records only the user's
    // portal shows are deleted by the user there, which the API models with the same call.
    state.devices.retain(|d| d.id != id);
    if state.devices.len() == before {
        drop(state);
        return Err(graph_error(
            service,
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            format!("No managed device with id {id}."),
        ));
    }
    drop(state);
    service.note(None, format!("admin deleted managed device {id}"));
    Ok(Response::empty(StatusCode::NO_CONTENT))
}

/// `syncDevice`: Intune wakes the device through APNs so it checks in. Graph accepts the
/// request (204) whether or not Apple delivers the push; a refused push is recorded as the
/// device's last push failure, which the device list shows.
async fn sync_device(service: &IntuneService, id: &str) -> Result<Response, Response> {
    let target = {
        let state = service.lock();
        state
            .devices
            .iter()
            .find(|d| d.id == id)
            .map(|d| (d.push_token.clone(), d.push_magic.clone(), d.serial.clone()))
    };
    let Some((token, magic, serial)) = target else {
        return Err(graph_error(
            service,
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            format!("No managed device with id {id}."),
        ));
    };
    let (Some(token), Some(magic)) = (token, magic) else {
        return Err(graph_error(
            service,
            StatusCode::CONFLICT,
            "Conflict",
            format!("Device {id} has no push token yet."),
        ));
    };
    let result = service.push(&token, &magic).await;
    let mut state = service.lock();
    if let Some(d) = state.devices.iter_mut().find(|d| d.id == id) {
        d.last_push_failure = result.as_ref().err().cloned();
    }
    drop(state);
    if let Err(e) = result {
        service.note(
            Some(&serial),
            format!("push to device {serial} failed: {e}"),
        );
    }
    Ok(Response::empty(StatusCode::NO_CONTENT))
}

fn retire_device(service: &IntuneService, id: &str) -> Result<Response, Response> {
    let mut state = service.lock();
    let Some(d) = state.devices.iter_mut().find(|d| d.id == id) else {
        drop(state);
        return Err(graph_error(
            service,
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            format!("No managed device with id {id}."),
        ));
    };
    d.state = ManagementState::RetirePending;
    Ok(Response::empty(StatusCode::NO_CONTENT))
}

fn list_configurations(service: &IntuneService) -> Response {
    let state = service.lock();
    let mut value: Vec<Value> = state
        .platform_restrictions
        .iter()
        .map(|r| {
            json!({
                "@odata.type": "#microsoft.graph.deviceEnrollmentPlatformRestrictionsConfiguration",
                "id": r.id, "displayName": r.name, "priority": r.priority,
                "assignedGroupIds": r.groups, "iosRestriction": r.ios,
            })
        })
        .collect();
    value.extend(state.limit_restrictions.iter().map(|r| {
        json!({
            "@odata.type": "#microsoft.graph.deviceEnrollmentLimitConfiguration",
            "id": r.id, "displayName": r.name, "priority": r.priority,
            "assignedGroupIds": r.groups, "limit": r.limit,
        })
    }));
    Response::json(StatusCode::OK, &json!({"value": value}))
}

fn patch_configuration(
    service: &IntuneService,
    request: &Request,
    id: &str,
) -> Result<Response, Response> {
    let body = body_json(service, request)?;
    let mut state = service.lock();
    if let Some(r) = state.limit_restrictions.iter_mut().find(|r| r.id == id) {
        if let Some(limit) = body.get("limit") {
            let Some(limit) = limit
                .as_u64()
                .and_then(|l| u32::try_from(l).ok())
                .filter(|l| DEVICE_LIMIT_RANGE.contains(l))
            else {
                drop(state);
                return Err(graph_error(
                    service,
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    format!(
                        "'limit' must be a whole number from {} to {}; got {limit}.",
                        DEVICE_LIMIT_RANGE.start(),
                        DEVICE_LIMIT_RANGE.end()
                    ),
                ));
            };
            r.limit = limit;
        }
        let name = r.name.clone();
        drop(state);
        service.note(
            None,
            format!("admin changed device limit restriction '{name}'"),
        );
        return Ok(Response::empty(StatusCode::NO_CONTENT));
    }
    if let Some(r) = state.platform_restrictions.iter_mut().find(|r| r.id == id) {
        if let Some(ios) = body.get("iosRestriction") {
            match serde_json::from_value::<IosRestriction>(ios.clone()) {
                Ok(ios) => r.ios = ios,
                Err(e) => {
                    drop(state);
                    return Err(graph_error(
                        service,
                        StatusCode::BAD_REQUEST,
                        "BadRequest",
                        format!("'iosRestriction': {e}"),
                    ));
                }
            }
        }
        let name = r.name.clone();
        drop(state);
        service.note(
            None,
            format!("admin changed device type restriction '{name}'"),
        );
        return Ok(Response::empty(StatusCode::NO_CONTENT));
    }
    drop(state);
    Err(graph_error(
        service,
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        format!("No enrollment configuration with id {id}."),
    ))
}

fn get_apns(service: &IntuneService) -> Response {
    let state = service.lock();
    let now = service.clock.now();
    match &state.apns {
        None => graph_error(
            service,
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            "No Apple MDM push certificate has been uploaded.",
        ),
        Some(c) => Response::json(
            StatusCode::OK,
            &json!({
                "appleIdentifier": c.apple_id,
                "topicIdentifier": c.topic,
                "expirationDateTime": rfc3339(c.expires_at),
                "lastModifiedDateTime": rfc3339(c.uploaded_at),
                "certificateUploadStatus": c.status_at(now),
            }),
        ),
    }
}

/// Uploads a push certificate from Apple's portal: `{"appleIdentifier", "certificate"}` with the
/// certificate as base64 DER. Intune made the certificate request, so it already holds the key.
fn upload_apns(service: &IntuneService, request: &Request) -> Result<Response, Response> {
    let body = body_json(service, request)?;
    let bad = |m: String| graph_error(service, StatusCode::BAD_REQUEST, "BadRequest", m);
    let apple_id = body
        .get("appleIdentifier")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("'appleIdentifier' is required.".into()))?;
    let cert_b64 = body
        .get("certificate")
        .and_then(Value::as_str)
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
        apple_id: apple_id.to_string(),
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

fn user_json(service: &IntuneService, u: &crate::cloud::entra::EntraUser) -> Value {
    let state = service.lock();
    let (visible, all) = enrolled_device_count(&state, &u.upn);
    json!({
        "id": u.id, "userPrincipalName": u.upn, "displayName": u.display_name,
        "accountEnabled": u.enabled,
        "assignedLicenses": u.licenses.iter().map(|l| json!({"skuPartNumber": l.sku, "servicePlans": l.service_plans})).collect::<Vec<_>>(),
        "memberOf": u.groups,
        "strongAuthenticationRequired": u.mfa_required,
        "homeCloud": u.home_cloud,
        "portalOnlyDeviceCount": all - visible,
        "deviceLimit": device_limit_for(&state, &u.groups),
    })
}

fn list_users(service: &IntuneService) -> Response {
    let users = service.directory().users.clone();
    let value: Vec<Value> = users.iter().map(|u| user_json(service, u)).collect();
    Response::json(StatusCode::OK, &json!({"value": value}))
}

fn find_user(
    service: &IntuneService,
    id: &str,
) -> Result<crate::cloud::entra::EntraUser, Response> {
    service
        .directory()
        .users
        .iter()
        .find(|u| u.id == id || u.upn.eq_ignore_ascii_case(id))
        .cloned()
        .ok_or_else(|| graph_error(service, StatusCode::NOT_FOUND, "Request_ResourceNotFound", format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present.")))
}

fn license_details(service: &IntuneService, id: &str) -> Result<Response, Response> {
    let user = find_user(service, id)?;
    let value: Vec<Value> = user.licenses.iter().map(|l| json!({
        "skuPartNumber": l.sku,
        "servicePlans": l.service_plans.iter().map(|p| json!({"servicePlanName": p, "provisioningStatus": "Success"})).collect::<Vec<_>>(),
    })).collect();
    Ok(Response::json(StatusCode::OK, &json!({"value": value})))
}

/// `assignLicense`: `{"addLicenses": [{"skuId": "EMS", "servicePlans": [...]}], "removeLicenses": ["SKU"]}`.
/// Graph identifies SKUs by GUID; the lab accepts the SKU part number in `skuId` and, as an
/// extension, the enabled plans (defaulting to the SKU's Intune plan for Intune-bearing SKUs).
fn assign_license(
    service: &IntuneService,
    request: &Request,
    id: &str,
) -> Result<Response, Response> {
    let body = body_json(service, request)?;
    let user = find_user(service, id)?;
    let bad = |m: String| graph_error(service, StatusCode::BAD_REQUEST, "Request_BadRequest", m);
    let add = body
        .get("addLicenses")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("'addLicenses' is required (an array).".into()))?;
    let mut licenses = user.licenses.clone();
    if let Some(remove) = body.get("removeLicenses").and_then(Value::as_array) {
        let remove: Vec<&str> = remove.iter().filter_map(Value::as_str).collect();
        licenses.retain(|l| !remove.contains(&l.sku.as_str()));
    }
    for l in add {
        let sku = l
            .get("skuId")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("every added licence needs 'skuId'.".into()))?;
        let plans = match l.get("servicePlans").and_then(Value::as_array) {
            Some(p) => p
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            None => default_plans(sku),
        };
        licenses.retain(|x| x.sku != sku);
        licenses.push(License {
            sku: sku.to_string(),
            service_plans: plans,
        });
    }
    if let Some(u) = service.directory().user_mut(&user.id) {
        u.licenses = licenses;
    }
    service.note(None, format!("admin changed the licences of {}", user.upn));
    let user = find_user(service, id)?;
    Ok(Response::json(StatusCode::OK, &user_json(service, &user)))
}

/// The service plans a SKU enables by default.
pub fn default_plans(sku: &str) -> Vec<String> {
    match sku {
        "INTUNE_A" | "EMS" | "EMSPREMIUM" | "SPE_E3" | "SPE_E5" | "M365EDU_A3_FACULTY" => {
            vec!["INTUNE_A".into(), "AAD_PREMIUM".into()]
        }
        "INTUNE_EDU" => vec!["INTUNE_EDU".into()],
        "SPB" => vec!["INTUNE_SMBIZ".into(), "INTUNE_A".into()],
        _ => vec!["EXCHANGE_S_STANDARD".into()],
    }
}

fn set_mfa(service: &IntuneService, request: &Request, id: &str) -> Result<Response, Response> {
    let body = body_json(service, request)?;
    let user = find_user(service, id)?;
    let state = body.get("perUserMfaState").and_then(Value::as_str);
    let required = match state {
        Some("disabled") => false,
        Some("enforced") | Some("enabled") => true,
        _ => {
            return Err(graph_error(
                service,
                StatusCode::BAD_REQUEST,
                "BadRequest",
                "'perUserMfaState' must be 'disabled', 'enabled' or 'enforced'.",
            ))
        }
    };
    if let Some(u) = service.directory().user_mut(&user.id) {
        u.mfa_required = required;
    }
    service.note(
        None,
        format!(
            "admin set per-user MFA of {} to {}",
            user.upn,
            state.unwrap_or_default()
        ),
    );
    Ok(Response::empty(StatusCode::NO_CONTENT))
}

/// The tenant's sign-in log as Graph's `signIn` resources (`auditLogs/signIns`).
pub fn sign_in_log(service: &IntuneService) -> Vec<Value> {
    service.directory().sign_ins.iter().map(|s| json!({
        "createdDateTime": rfc3339(s.at),
        "userPrincipalName": s.upn,
        "appDisplayName": s.app_display_name,
        "clientAppUsed": s.client_app_used,
        "correlationId": s.correlation_id,
        "status": {"errorCode": s.status.error_code, "failureReason": s.status.failure_reason},
    })).collect()
}

fn sign_ins(service: &IntuneService) -> Response {
    Response::json(StatusCode::OK, &json!({"value": sign_in_log(service)}))
}

#[cfg(test)]
mod tests {
    use super::parse_filter;

    #[test]
    fn filters_parse_as_graph_clients_send_them() {
        assert_eq!(
            parse_filter(
                "userPrincipalName eq 'alex@contoso.example' and operatingSystem eq 'iOS'"
            )
            .unwrap(),
            vec![
                ("userPrincipalName".into(), "alex@contoso.example".into()),
                ("operatingSystem".into(), "iOS".into())
            ]
        );
        assert!(parse_filter("startswith(deviceName,'A')")
            .unwrap_err()
            .contains("unsupported"));
    }
}
