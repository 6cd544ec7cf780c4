//! The Company Portal's enrollment API and the Company Portal website's enrollment.
//!
//! The app's flow: `POST /enrollment/v1/eligibility` → (workplace join at Entra) →
//! `POST /enrollment/v1/sessions` → the user opens the returned profile URL in Safari
//! (`GET /enrollment/v1/profiles/<token>`, served as `application/x-apple-aspen-config`) →
//! Settings installs it → the app polls `GET /enrollment/v1/sessions/<id>`.
//!
//! What is checked where matters, because it decides which message the user sees:
//! - The eligibility check refuses what the service can judge from the user and the app alone:
//!   no MDM authority, an app too old to support, a user Intune does not know or whose licence
//!   does not cover Intune, no usable push certificate, a blocked platform or OS version, and
//!   the device limit counted over the devices the admin center lists. The app knows how to
//!   show each of these codes.
//! - Ownership cannot be judged yet: an iOS app cannot read the serial number, so Intune only
//!   learns whether the device is a corporate identifier when it authenticates with its serial
//!   (see [`super::mdm`]). A block on personally owned devices therefore shows up while Settings
//!   installs the profile.
//! - Creating the session counts every enrolled record of the user, including those only the
//!   Company Portal website shows; the app has no screen for `DeviceCapReached` at that step and
//!   falls back to "Company Portal Temporarily Unavailable" — the article's note that this
//!   message can also mean the device limit.
//! - The website (Safari) hands out the profile after checking only the MDM authority and the
//!   push certificate, and shows the bare error code otherwise; licences and restrictions are
//!   then enforced when the device authenticates.

use hyper::{Method, StatusCode};

use super::restrictions::{
    device_limit_for, enrolled_device_count, platform_restriction_for, version_cmp,
};
use super::state::{
    EnrollmentChannel, EnrollmentSession, FailureCategory, MdmAuthority, PlatformRestriction,
    SessionProgress,
};
use super::{IntuneService, Refusal};
use crate::cloud::entra::EntraUser;
use crate::net::{Request, Response};
use crate::wire::content_type::APPLE_ASPEN_CONFIG as ASPEN_CONFIG;
use crate::wire::intune_enrollment::{
    EligibilityRequest, Eligible, ServiceError, SessionCreated, SessionRequest, SessionState,
};

/// An error answer without a troubleshooting event.
fn service_error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    let body = ServiceError {
        error_code: code.to_string(),
        message: message.into(),
        correlation_id: None,
    };
    Response::json(status, &body)
}

fn refuse(
    service: &IntuneService,
    refusal: Refusal,
    user: Option<&EntraUser>,
    os: Option<&str>,
) -> Response {
    let correlation_id = service.log_failure(
        &refusal,
        user.map(|u| u.id.as_str()),
        os,
        "userEnrollment",
        None,
    );
    let body = ServiceError {
        error_code: refusal.code.to_string(),
        message: refusal.reason,
        correlation_id: Some(correlation_id),
    };
    Response::json(refusal.status, &body)
}

/// Checks that do not depend on the app: authority, user licence, push certificate.
fn tenant_checks(service: &IntuneService, user: &EntraUser) -> Option<Refusal> {
    let state = service.lock();
    let now = service.clock.now();
    if state.mdm_authority == MdmAuthority::Unknown {
        return Some(Refusal {
            status: StatusCode::FORBIDDEN,
            code: "MdmAuthorityNotDefined",
            category: FailureCategory::AccountValidation,
            reason: "MDM authority not defined.".into(),
        });
    }
    if user.licenses.is_empty() {
        return Some(Refusal {
            status: StatusCode::FORBIDDEN,
            code: "UserNameNotRecognized",
            category: FailureCategory::UserValidation,
            reason: "User name not recognized.".into(),
        });
    }
    if !user.has_intune_plan() || state.mdm_authority == MdmAuthority::ConfigurationManager {
        return Some(Refusal {
            status: StatusCode::FORBIDDEN,
            code: "UserLicenseTypeInvalid",
            category: FailureCategory::UserValidation,
            reason: "User license type invalid.".into(),
        });
    }
    match &state.apns {
        // The certificate's setup was begun (Intune made the signing request) and never
        // finished: the service names the certificate rather than the policy.
        None if state.apns_request_pending => Some(Refusal {
            status: StatusCode::FORBIDDEN,
            code: "APNSCertificateNotValid",
            category: FailureCategory::AccountValidation,
            reason: "APNs certificate not valid.".into(),
        }),
        None => Some(Refusal {
            status: StatusCode::FORBIDDEN,
            code: "NoEnrollmentPolicy",
            category: FailureCategory::AccountValidation,
            reason: "No enrollment policy.".into(),
        }),
        Some(cert) if !cert.usable_at(now) => Some(Refusal {
            status: StatusCode::FORBIDDEN,
            code: "NoEnrollmentPolicy",
            category: FailureCategory::AccountValidation,
            reason: "No enrollment policy.".into(),
        }),
        Some(_) => None,
    }
}

/// The Company Portal's eligibility check, in the order the real service answers: the caller
/// has already signed in (the bearer token, checked in [`handle`]); then the app's version,
/// the tenant and the user's licence, the push certificate, and last the enrollment
/// restrictions (platform, OS version, device limit). The order follows where each fact can be
/// judged: "Troubleshoot iOS/iPadOS device enrollment problems in Microsoft Intune"
/// (learn.microsoft.com/troubleshoot/mem/intune/device-enrollment/troubleshoot-ios-enrollment-errors)
/// has an outdated app fixed before anything else, and restrictions apply to licensed users
/// ("What are enrollment restrictions?",
/// MicrosoftDocs/memdocs intune/device-enrollment/restrictions.md). With several faults
/// the first refusal wins, so the later ones only show once it is fixed.
async fn eligibility(service: &IntuneService, request: &Request, user: &EntraUser) -> Response {
    let body: EligibilityRequest = match serde_json::from_slice(&request.body) {
        Ok(b) => b,
        Err(e) => {
            return service_error(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                format!("eligibility request: {e}"),
            )
        }
    };
    let os = Some(body.os_version.as_str());
    if let Some(refusal) = client_version_refusal(service, &body) {
        return refuse(service, refusal, Some(user), os);
    }
    if let Some(refusal) = tenant_checks(service, user) {
        return refuse(service, refusal, Some(user), os);
    }
    if let Some(refusal) = device_refusal(service, &body, user) {
        return refuse(service, refusal, Some(user), os);
    }
    let eligible = Eligible {
        eligible: true,
        enrollment_method: "companyPortal".into(),
    };
    Response::json(StatusCode::OK, &eligible)
}

/// A Company Portal older than the oldest the service supports.
fn client_version_refusal(service: &IntuneService, body: &EligibilityRequest) -> Option<Refusal> {
    let state = service.lock();
    let min = &state.min_company_portal_version;
    version_cmp(&body.company_portal_version, min)
        .is_lt()
        .then(|| Refusal {
            status: StatusCode::BAD_REQUEST,
            code: "UnsupportedClientVersion",
            category: FailureCategory::BadRequest,
            reason: format!(
                "Company Portal version {} not supported (minimum {min}).",
                body.company_portal_version
            ),
        })
}

/// The oldest iOS/iPadOS the service enrolls.
const OLDEST_SUPPORTED_IOS: &str = "8.0";

/// Whether the OS version is outside the restriction's allowed range.
fn os_version_outside(r: &PlatformRestriction, os_version: &str) -> bool {
    r.ios
        .os_minimum_version
        .as_deref()
        .is_some_and(|min| version_cmp(os_version, min).is_lt())
        || r.ios
            .os_maximum_version
            .as_deref()
            .is_some_and(|max| version_cmp(os_version, max).is_gt())
}

/// What the device and the user's restrictions refuse, in the service's order: platform,
/// blocked iOS, OS version range, device limit.
fn device_refusal(
    service: &IntuneService,
    body: &EligibilityRequest,
    user: &EntraUser,
) -> Option<Refusal> {
    let state = service.lock();
    let restriction = platform_restriction_for(&state, &user.groups);
    let (visible, _) = enrolled_device_count(&state, &user.upn);
    let limit = device_limit_for(&state, &user.groups);
    if !body.platform.eq_ignore_ascii_case("iOS") && !body.platform.eq_ignore_ascii_case("iPadOS") {
        Some(Refusal {
            status: StatusCode::FORBIDDEN,
            code: "DeviceTypeNotSupported",
            category: FailureCategory::DeviceNotSupported,
            reason: format!("Platform {} not supported.", body.platform),
        })
    } else if version_cmp(&body.os_version, OLDEST_SUPPORTED_IOS).is_lt() {
        // Intune manages iOS/iPadOS 8.0 and later whatever the restrictions say (the article's
        // DeviceTypeNotSupported row); an older device is a device type it does not support.
        Some(Refusal {
            status: StatusCode::FORBIDDEN,
            code: "DeviceTypeNotSupported",
            category: FailureCategory::DeviceNotSupported,
            reason: format!(
                "{} {} not supported (minimum {OLDEST_SUPPORTED_IOS}).",
                body.platform, body.os_version
            ),
        })
    } else if let Some(r) = restriction.filter(|r| r.ios.platform_blocked) {
        Some(Refusal::platform_blocked(r))
    } else if restriction.is_some_and(|r| os_version_outside(r, &body.os_version)) {
        Some(Refusal {
            status: StatusCode::FORBIDDEN,
            code: "OsVersionNotSupported",
            category: FailureCategory::EnrollmentRestrictionsEnforced,
            reason: format!("OS version {} not allowed.", body.os_version),
        })
    } else if visible >= limit {
        Some(Refusal {
            status: StatusCode::FORBIDDEN,
            code: "DeviceCapReached",
            category: FailureCategory::EnrollmentRestrictionsEnforced,
            reason: "Device limit reached.".into(),
        })
    } else {
        None
    }
}

fn new_session(
    service: &IntuneService,
    user: &EntraUser,
    channel: EnrollmentChannel,
    azure_ad_device_id: Option<String>,
    cloud: crate::cloud::entra::Cloud,
) -> EnrollmentSession {
    let session = EnrollmentSession {
        id: service.rng.uuid_lower(),
        user_id: user.id.clone(),
        upn: user.upn.clone(),
        channel,
        azure_ad_device_id,
        profile_token: service.rng.hex(16),
        created_at: service.clock.now(),
        identity_serial: None,
        progress: SessionProgress::Created,
        udid: None,
        cloud,
    };
    service
        .lock()
        .sessions
        .insert(session.id.clone(), session.clone());
    session
}

async fn create_session(service: &IntuneService, request: &Request, user: &EntraUser) -> Response {
    let body: SessionRequest = serde_json::from_slice(&request.body).unwrap_or_default();
    let count = {
        let state = service.lock();
        let (_, all) = enrolled_device_count(&state, &user.upn);
        (all, device_limit_for(&state, &user.groups))
    };
    if count.0 >= count.1 {
        return refuse(
            service,
            Refusal {
                status: StatusCode::CONFLICT,
                code: "DeviceCapReached",
                category: FailureCategory::EnrollmentRestrictionsEnforced,
                reason: "Device limit reached.".into(),
            },
            Some(user),
            None,
        );
    }
    // A body it cannot read (a device id that is not a string) leaves the session without a
    // device id, as the service ignores what it cannot use.
    let device_id = body.azure_ad_device_id;
    let cloud = super::cloud_of_host(&request.host);
    let session = new_session(
        service,
        user,
        EnrollmentChannel::CompanyPortal,
        device_id,
        cloud,
    );
    let created = SessionCreated {
        profile_url: format!(
            "https://{}/enrollment/v1/profiles/{}",
            super::enrollment_host(cloud),
            session.profile_token
        ),
        session_id: session.id,
    };
    Response::json(StatusCode::CREATED, &created)
}

async fn download_profile(service: &IntuneService, token: &str) -> Response {
    let session = service
        .lock()
        .sessions
        .values()
        .find(|s| s.profile_token == token)
        .cloned();
    let Some(session) = session else {
        return service_error(
            StatusCode::NOT_FOUND,
            "NotFound",
            "No enrollment session has this profile link.",
        );
    };
    if session.progress != SessionProgress::Created {
        return service_error(
            StatusCode::GONE,
            "ProfileAlreadyDownloaded",
            "This profile link was already used.",
        );
    }
    profile_response(service, &session)
}

/// The management profile for `user`, issued outside the Company Portal's flow (a world served
/// to an MDM client of someone else's): an enrollment session is opened for the user and its
/// profile is built exactly as the profile download builds it.
pub fn issue_profile(service: &IntuneService, user: &EntraUser) -> Result<Vec<u8>, String> {
    let session = new_session(
        service,
        user,
        EnrollmentChannel::CompanyPortal,
        None,
        crate::cloud::entra::Cloud::Public,
    );
    let response = profile_response(service, &session);
    if response.status == StatusCode::OK {
        Ok(response.body.to_vec())
    } else {
        Err(String::from_utf8_lossy(&response.body).into_owned())
    }
}

fn profile_response(service: &IntuneService, session: &EnrollmentSession) -> Response {
    match super::profile::build(service, session) {
        Ok(bytes) => {
            if let Some(s) = service.lock().sessions.get_mut(&session.id) {
                s.progress = SessionProgress::ProfileDownloaded;
            }
            Response::with_body(StatusCode::OK, ASPEN_CONFIG, bytes).header(
                "content-disposition",
                "attachment; filename=\"Management Profile.mobileconfig\"",
            )
        }
        Err(reason) => service_error(StatusCode::INTERNAL_SERVER_ERROR, "InternalError", reason),
    }
}

fn session_status(service: &IntuneService, id: &str, user: &EntraUser) -> Response {
    let state = service.lock();
    match state.sessions.get(id).filter(|s| s.user_id == user.id) {
        Some(s) => Response::json(
            StatusCode::OK,
            &SessionState {
                session_id: s.id.clone(),
                progress: s.progress.clone(),
            },
        ),
        None => service_error(
            StatusCode::NOT_FOUND,
            "NotFound",
            "No such enrollment session.",
        ),
    }
}

fn unauthorized() -> Response {
    service_error(
        StatusCode::UNAUTHORIZED,
        "Unauthorized",
        "A valid bearer token for the Intune enrollment service is required.",
    )
    .header(
        "www-authenticate",
        "Bearer authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\"",
    )
}

/// Routes `enrollment.manage.microsoft.com`.
pub async fn handle(service: &IntuneService, request: Request) -> Response {
    let segments: Vec<&str> = request.path.trim_matches('/').split('/').collect();
    match (&request.method, segments.as_slice()) {
        (&Method::GET, ["enrollment", "v1", "profiles", token]) => {
            return download_profile(service, token).await
        }
        (&Method::POST, ["enrollment", "v1", "ade", profile_id]) => {
            return service.ade_enroll(&request, profile_id).await
        }
        _ => {}
    }
    let Some(user) = service.user_for_token(&request) else {
        return unauthorized();
    };
    match (&request.method, segments.as_slice()) {
        (&Method::POST, ["enrollment", "v1", "eligibility"]) => {
            eligibility(service, &request, &user).await
        }
        (&Method::POST, ["enrollment", "v1", "sessions"]) => {
            create_session(service, &request, &user).await
        }
        (&Method::GET, ["enrollment", "v1", "sessions", id]) => session_status(service, id, &user),
        _ => service_error(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!("no endpoint {} {}", request.method, request.path),
        ),
    }
}

/// Routes `portal.manage.microsoft.com`: `GET /enrollment/ios` hands Safari the profile.
pub async fn handle_portal(service: &IntuneService, request: Request) -> Response {
    if !(request.method == Method::GET && request.path == "/enrollment/ios") {
        return Response::with_body(
            StatusCode::NOT_FOUND,
            "text/html; charset=utf-8",
            "<html><body><h1>Page not found</h1></body></html>",
        );
    }
    let Some(user) = service.user_for_token(&request) else {
        return unauthorized();
    };
    let refusal = {
        let state = service.lock();
        let now = service.clock.now();
        if state.mdm_authority == MdmAuthority::Unknown {
            Some(("MdmAuthorityNotDefined", "MDM authority not defined."))
        } else if state.apns.as_ref().is_none_or(|c| !c.usable_at(now)) {
            Some(("NoEnrollmentPolicy", "No enrollment policy."))
        } else {
            None
        }
    };
    if let Some((code, reason)) = refusal {
        let correlation = service.log_failure(
            &Refusal {
                status: StatusCode::FORBIDDEN,
                code,
                category: FailureCategory::AccountValidation,
                reason: reason.into(),
            },
            Some(&user.id),
            None,
            "userEnrollment",
            None,
        );
        // The website shows the service's error code itself.
        return Response::with_body(
            StatusCode::FORBIDDEN,
            "text/html; charset=utf-8",
            format!(
                "<html><body><h1>{code}</h1><p>Correlation ID: {correlation}</p></body></html>"
            ),
        );
    }
    let session = new_session(
        service,
        &user,
        EnrollmentChannel::Web,
        None,
        crate::cloud::entra::Cloud::Public,
    );
    profile_response(service, &session)
}
