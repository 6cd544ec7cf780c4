//! What a trainee's clicks amount to, in the scenario format's words: a device button is the
//! [`ResolutionStep`] a technician would carry out, and an admin center change (a Graph write)
//! is named by the `do` verb of the step it amounts to, so the debrief can hold the trainee's
//! actions against the scenario's documented fix without new mechanics.

use hyper::Method;
use serde_json::Value;

use crate::scenario::{CloudSetting, ResolutionStep};

/// The device action a button names (`remove-profile`, `cloud` with `cloud`...), as the
/// step the lab carries out on the device.
pub(super) fn device_step(action: &str, cloud: Option<&str>) -> Result<ResolutionStep, String> {
    Ok(match action {
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
        ("PATCH", ["users", _, "authentication", "requirements"]) => "disable-mfa",
        ("PATCH", ["deviceManagement", "depOnboardingSettings", _, "enrollmentProfiles", _])
            if has("authenticationMethod") =>
        {
            "set-enrollment-profile-authentication"
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
