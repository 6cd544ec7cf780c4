//! Collecting what an admin can collect after a failed enrollment into an evidence bundle.
//!
//! This is the only bridge between a run and the diagnosis: the message the user reported
//! and where, the device's console log and the Company Portal log (as a log collector exports
//! them), the tenant's admin view (Graph shapes), Intune's enrollment troubleshooting events and
//! Entra's sign-in log. Nothing about the scenario — its id, title, section, cause or
//! expectation — goes in.

use enrollsim_diagnostics::EvidenceBundle;
use enrollsim_simulator::clock::rfc3339;
use enrollsim_simulator::cloud::intune::restrictions::{device_limit_for, enrolled_device_count};
use enrollsim_simulator::cloud::intune::state::ManagementState;
use enrollsim_simulator::device::Outcome;
use serde_json::{json, Value};

use crate::lab::Lab;
use crate::scenario::{Action, EnrollVia};

/// The tenant as the admin center and Graph show it, in the bundle's `tenant.json` shape.
pub fn tenant_view(lab: &Lab) -> Value {
    let now = lab.world.clock.now();
    let ade = ade_view(lab);
    let intune = lab.world.intune.state();
    let intune = intune.lock().unwrap_or_else(|p| p.into_inner());
    let directory = lab.world.entra.state();
    let directory = directory.lock().unwrap_or_else(|p| p.into_inner());
    let apns = intune.apns.as_ref().map(|c| {
        json!({
            "appleIdentifier": c.apple_id,
            "topicIdentifier": c.topic,
            "expirationDateTime": rfc3339(c.expires_at),
            "lastModifiedDateTime": rfc3339(c.uploaded_at),
            "certificateUploadStatus": c.status_at(now),
        })
    });
    let mut configurations: Vec<Value> = intune.platform_restrictions.iter().map(|r| json!({
        "@odata.type": "#microsoft.graph.deviceEnrollmentPlatformRestrictionsConfiguration",
        "id": r.id, "displayName": r.name, "priority": r.priority,
        "assignedGroupIds": if r.priority == 0 { vec!["all-users".to_string()] } else { r.groups.clone() },
        "iosRestriction": r.ios,
    })).collect();
    configurations.extend(intune.limit_restrictions.iter().map(|r| json!({
        "@odata.type": "#microsoft.graph.deviceEnrollmentLimitConfiguration",
        "id": r.id, "displayName": r.name, "priority": r.priority,
        "assignedGroupIds": if r.priority == 0 { vec!["all-users".to_string()] } else { r.groups.clone() },
        "limit": r.limit,
    })));
    let users: Vec<Value> = directory.users.iter().map(|u| {
        let (visible, all) = enrolled_device_count(&intune, &u.upn);
        let mut member_of = u.groups.clone();
        member_of.push("all-users".into());
        json!({
            "id": u.id, "userPrincipalName": u.upn,
            "assignedLicenses": u.licenses.iter().map(|l| json!({"skuPartNumber": l.sku, "servicePlans": l.service_plans})).collect::<Vec<_>>(),
            "memberOf": member_of,
            "strongAuthenticationRequired": u.mfa_required,
            "homeCloud": u.home_cloud,
            "portalOnlyDeviceCount": all - visible,
            "effectiveDeviceLimit": device_limit_for(&intune, &u.groups),
        })
    }).collect();
    let devices: Vec<Value> = intune.devices.iter().filter(|d| d.admin_visible && d.state != ManagementState::Enrolling).map(|d| json!({
        "id": d.id, "deviceName": d.name, "serialNumber": d.serial, "userPrincipalName": d.upn,
        "operatingSystem": "iOS", "osVersion": d.os_version, "managedDeviceOwnerType": d.ownership,
        "enrolledDateTime": rfc3339(d.enrolled_at), "managementState": d.state,
        "deviceEnrollmentType": d.enrollment_type,
    })).collect();
    json!({
        "collectedDateTime": rfc3339(now),
        "mdmAuthority": intune.mdm_authority,
        "applePushNotificationCertificate": apns,
        "deviceEnrollmentConfigurations": configurations,
        "users": users,
        "managedDevices": devices,
        "depOnboardingSettings": ade,
        "importedDeviceIdentities": intune.corporate_identifiers.iter().map(|serial| json!({
            "importedDeviceIdentifier": serial,
            "importedDeviceIdentityType": "serialNumber",
        })).collect::<Vec<_>>(),
    })
}

/// The ADE part of the tenant view: Graph's `depOnboardingSettings` with their profiles and
/// imported devices.
pub fn ade_view(lab: &Lab) -> Value {
    lab.world.intune.dep_onboarding_settings()
}

/// Collects the bundle for `outcome` of `action`.
pub fn collect(lab: &Lab, action: &Action, outcome: &Outcome) -> EvidenceBundle {
    let now = rfc3339(lab.world.clock.now());
    let spec = lab.device.spec();
    let (message, location) = match outcome {
        Outcome::Failed { screen, text, .. } => (text.clone(), screen.id()),
        Outcome::Stuck { screen, .. } => (String::new(), screen.id()),
        Outcome::NotManaged { .. } | Outcome::Enrolled { .. } => (String::new(), "none"),
    };
    let manifest = json!({
        "format": enrollsim_diagnostics::FORMAT,
        "collected_at": now,
        "user_report": { "message": message, "where": location, "language": spec.locale },
        "enrollment_type": if action.enroll == EnrollVia::Ade { "ade" } else { "byod" },
        "device": {
            "platform": "iOS",
            "os_version": spec.os_version,
            "model": spec.product,
            "serial_number": spec.serial,
            "company_portal_version": spec.company_portal.as_ref().map(|a| a.version.clone()),
            "user_principal_name": action.user,
        },
        "files": {},
    });
    let events: Vec<Value> = {
        let intune = lab.world.intune.state();
        let intune = intune.lock().unwrap_or_else(|p| p.into_inner());
        intune
            .events
            .iter()
            .filter_map(|e| serde_json::to_value(e).ok())
            .collect()
    };
    let sign_ins = enrollsim_simulator::cloud::intune::admin::sign_in_log(&lab.world.intune);
    let join = |lines: Vec<String>| {
        if lines.is_empty() {
            None
        } else {
            Some(lines.join("\n") + "\n")
        }
    };
    EvidenceBundle {
        manifest: serde_json::from_value(manifest).unwrap_or_default(),
        device_log: join(lab.device.console_log()),
        company_portal_log: join(lab.device.company_portal_log()),
        tenant: serde_json::from_value(tenant_view(lab)).ok(),
        enrollment_events: serde_json::from_value(Value::Array(events)).ok(),
        sign_ins: serde_json::from_value(Value::Array(sign_ins)).ok(),
    }
}
