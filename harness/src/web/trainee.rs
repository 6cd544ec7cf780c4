//! What a trainee's clicks amount to, in the scenario format's words: a device button is the
//! [`ResolutionStep`] a technician would carry out, and an admin center change (a Graph write)
//! is named by the `do` verb of the step it amounts to, so the debrief can hold the trainee's
//! actions against the scenario's documented fix without new mechanics.

use hyper::Method;
use serde_json::Value;

use crate::scenario::{CloudSetting, ResolutionStep};

/// What a device button sends: the action and what it needs.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DeviceCall {
    pub action: String,
    /// `set-company-portal-cloud`: automatic, public or government.
    #[serde(default)]
    pub cloud: Option<String>,
    /// `update-os`: the version and build Software Update installs.
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub build: Option<String>,
}

/// A step in a portal that is not the Intune admin center (Apple Business Manager has no API an
/// admin calls; Microsoft support acts on the service; AD FS is managed on premises), by its `do` verb.
pub(super) fn portal_step(action: &str) -> Result<ResolutionStep, String> {
    Ok(match action {
        "accept-abm-terms" => ResolutionStep::AcceptAbmTerms,
        "readd-mdm-server" => ResolutionStep::ReaddMdmServer,
        "renew-ade-token" => ResolutionStep::RenewAdeToken,
        "request-support-sync-retry" => ResolutionStep::RequestSupportSyncRetry,
        "upload-public-key-to-abm" => ResolutionStep::UploadPublicKeyToAbm,
        "enable-ws-trust-endpoint" => ResolutionStep::EnableWsTrustEndpoint,
        other => return Err(format!("unknown portal action {other:?}")),
    })
}

/// The device action a button names, as the step the lab carries out on the device.
pub(super) fn device_step(call: &DeviceCall) -> Result<ResolutionStep, String> {
    let cloud = call.cloud.as_deref();
    Ok(match call.action.as_str() {
        "update-os" => match (&call.version, &call.build) {
            (Some(version), Some(build)) if !version.is_empty() && !build.is_empty() => {
                ResolutionStep::UpdateOs {
                    version: version.clone(),
                    build: build.clone(),
                }
            }
            _ => return Err("update-os needs a version and a build".into()),
        },
        "remove-management-profile" => ResolutionStep::RemoveManagementProfile,
        "reinstall-company-portal" => ResolutionStep::ReinstallCompanyPortal,
        "clear-safari-cookies" => ResolutionStep::ClearSafariCookies,
        "restore-as-new" => ResolutionStep::RestoreAsNew,
        "use-other-network" => ResolutionStep::UseOtherNetwork,
        "set-company-portal-cloud" => {
            let cloud = match cloud {
                Some("automatic") => CloudSetting::Automatic,
                Some("public") => CloudSetting::Public,
                Some("government") => CloudSetting::Government,
                other => {
                    return Err(format!(
                        "cloud must be automatic, public or government, not {other:?}"
                    ))
                }
            };
            ResolutionStep::SetCompanyPortalCloud { cloud }
        }
        other => return Err(format!("unknown device action {other:?}")),
    })
}

/// The `do` verb of a resolution step (`delete-stale-devices`, `renew-apns-certificate`...).
pub(super) fn verb(step: &ResolutionStep) -> String {
    serde_json::to_value(step)
        .ok()
        .and_then(|v| v.get("do").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_default()
}

/// The resolution step an admin API write amounts to, by its `do` verb; `None` for a write no
/// documented fix consists of.
pub(super) fn graph_verb(
    method: &Method,
    path: &str,
    body: Option<&Value>,
) -> Option<&'static str> {
    let segments: Vec<&str> = path
        .split('?')
        .next()
        .unwrap_or("")
        .split('/')
        .filter(|s| !s.is_empty())
        .skip(1)
        .collect();
    let has = |member: &str| body.is_some_and(|b| b.get(member).is_some());
    Some(match (method.as_str(), segments.as_slice()) {
        ("DELETE", ["deviceManagement", "managedDevices", _]) => "delete-stale-devices",
        ("POST", ["deviceManagement", "managedDevices", _, "retire"]) => "retire-device",
        ("PATCH", ["deviceManagement", "deviceEnrollmentConfigurations", _]) if has("limit") => {
            "set-device-limit"
        }
        ("PATCH", ["deviceManagement", "deviceEnrollmentConfigurations", _]) => {
            restriction_verb(body)?
        }
        ("POST", ["users", _, "assignLicense"]) => "assign-license",
        ("POST", ["organization", _, "setMobileDeviceManagementAuthority"]) => "set-mdm-authority",
        ("POST", ["deviceManagement", "depOnboardingSettings", _, "enrollmentProfiles", ..]) => {
            "create-enrollment-profile"
        }
        ("PATCH", ["users", _, "authentication", "requirements"]) => "disable-mfa",
        ("PATCH", ["deviceManagement", "depOnboardingSettings", _, "enrollmentProfiles", _])
            if has("authenticationMethod") =>
        {
            "set-enrollment-profile-authentication"
        }
        ("PATCH", ["deviceManagement", "depOnboardingSettings", _, "enrollmentProfiles", _])
            if has("displayName") || has("supportPhoneNumber") || has("department") =>
        {
            "set-enrollment-profile-fields"
        }
        ("PATCH", ["deviceManagement", "depOnboardingSettings", _, "enrollmentProfiles", _]) => {
            "edit-enrollment-profile"
        }
        (
            "POST",
            ["deviceManagement", "depOnboardingSettings", _, "syncWithAppleDeviceEnrollmentProgram"],
        ) => "sync-ade-token",
        _ => return None,
    })
}

/// Which device type restriction change a PATCH of `iosRestriction` makes.
fn restriction_verb(body: Option<&Value>) -> Option<&'static str> {
    let ios = body?.get("iosRestriction")?;
    if ios.get("platformBlocked") == Some(&Value::Bool(false)) {
        Some("allow-ios-platform")
    } else if ios.get("personalDeviceEnrollmentBlocked") == Some(&Value::Bool(false)) {
        Some("allow-personally-owned-devices")
    } else {
        None
    }
}

/// A short description of an admin API write for the trainee's action list.
pub(super) fn describe_graph(method: &Method, path: &str) -> String {
    format!("Admin center: {method} {path}")
}
