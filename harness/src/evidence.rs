//! Collecting what an admin can collect after a failed enrollment into an evidence bundle.
//!
//! This is the only bridge between a run and the diagnosis: the message the user reported
//! and where, the device's console log and the Company Portal log (as a log collector exports
//! them), the tenant's admin view (Graph shapes), Intune's enrollment troubleshooting events and
//! Entra's sign-in log. Nothing about the scenario — its id, title, section, cause or
//! expectation — goes in.

use enrollsim_diagnostics::EvidenceBundle;
use enrollsim_graph::{
    DepOnboardingSettingView, ImportedDeviceIdentityView, ManagedDeviceView, TenantView, UserView,
};
use enrollsim_simulator::clock::rfc3339;
use enrollsim_simulator::cloud::entra::EntraUser;
use enrollsim_simulator::cloud::intune::admin::shapes;
use enrollsim_simulator::cloud::intune::state::{IntuneState, ManagementState};
use enrollsim_simulator::device::Outcome;
use serde_json::{json, Value};

use crate::lab::Lab;
use crate::scenario::{Action, EnrollVia};

/// The group every user is in: the bundle names it so the Default restrictions (priority 0),
/// which apply to everyone, show an assignment the rules can match.
const ALL_USERS: &str = "all-users";

/// The groups a restriction applies to, as the bundle shows them.
fn assigned_groups(priority: u32, groups: &[String]) -> Vec<String> {
    if priority == 0 {
        vec![ALL_USERS.to_string()]
    } else {
        groups.to_vec()
    }
}

/// A user as the bundle shows them: licences, groups (with [`ALL_USERS`]), MFA, cloud and
/// the devices only the portal shows.
fn user_view(intune: &IntuneState, u: &EntraUser) -> UserView {
    let user = shapes::user(intune, u);
    let mut member_of = user.member_of;
    member_of.push(ALL_USERS.into());
    UserView {
        id: user.id,
        user_principal_name: user.user_principal_name,
        assigned_licenses: user.assigned_licenses,
        member_of,
        strong_authentication_required: user.strong_authentication_required,
        home_cloud: Some(user.home_cloud),
        portal_only_device_count: user.portal_only_device_count,
    }
}

/// The tenant as the admin center and Graph show it, in the bundle's `tenant.json` shape.
pub fn tenant_view(lab: &Lab) -> TenantView {
    let now = lab.world.clock.now();
    let ade = ade_view(lab);
    let intune = lab.world.intune.state();
    let intune = intune.lock().unwrap_or_else(|p| p.into_inner());
    let directory = lab.world.entra.state();
    let directory = directory.lock().unwrap_or_else(|p| p.into_inner());
    let platform = intune
        .platform_restrictions
        .iter()
        .map(|r| shapes::platform_configuration(r, assigned_groups(r.priority, &r.groups)));
    let limits = intune
        .limit_restrictions
        .iter()
        .map(|r| shapes::limit_configuration(r, assigned_groups(r.priority, &r.groups)));
    TenantView {
        collected_date_time: Some(rfc3339(now)),
        mdm_authority: Some(intune.mdm_authority.graph_name().into()),
        apple_push_notification_certificate: intune
            .apns
            .as_ref()
            .map(|c| shapes::apns_certificate(c, now)),
        device_enrollment_configurations: platform.chain(limits).collect(),
        users: directory
            .users
            .iter()
            .map(|u| user_view(&intune, u))
            .collect(),
        managed_devices: intune
            .devices
            .iter()
            .filter(|d| d.admin_visible && d.state != ManagementState::Enrolling)
            .map(|d| ManagedDeviceView::from(shapes::managed_device(d)))
            .collect(),
        dep_onboarding_settings: ade,
        imported_device_identities: intune
            .corporate_identifiers
            .iter()
            .map(|serial| ImportedDeviceIdentityView {
                imported_device_identifier: serial.clone(),
                imported_device_identity_type: Some("serialNumber".into()),
            })
            .collect(),
    }
}

/// The ADE part of the tenant view: Graph's `depOnboardingSettings` with their profiles and
/// imported devices.
pub fn ade_view(lab: &Lab) -> Vec<DepOnboardingSettingView> {
    lab.world
        .intune
        .dep_onboarding_settings()
        .into_iter()
        .map(Into::into)
        .collect()
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
    // The manifest is enrollsim's own format (not a Graph shape); it is written as the documented
    // JSON and read back through the diagnosis's tolerant `Manifest`, which maps screen ids it does
    // not know to `other` exactly as a bundle read from disk would.
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
    // The bundle's sign-in records keep a subset of Graph's `signIn`; serde does the projection.
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
        tenant: Some(tenant_view(lab)),
        enrollment_events: serde_json::from_value(Value::Array(events)).ok(),
        sign_ins: serde_json::to_value(sign_ins)
            .and_then(serde_json::from_value)
            .ok(),
    }
}
