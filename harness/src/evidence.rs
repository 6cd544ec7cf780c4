//! Collecting what an admin can collect after a failed enrollment into an evidence bundle.
//!
//! This is the only bridge between a run and the diagnosis: the message the user reported
//! and where, the device's console log and the Company Portal log (as a log collector exports
//! them), the tenant's admin view (Graph shapes), Intune's enrollment troubleshooting events and
//! Entra's sign-in log. Nothing about the scenario — its id, title, section, cause or
//! expectation — goes in.

use enrollsim_diagnostics::{EnrollmentEvent, EvidenceBundle, SignInRecord};
use enrollsim_graph::requests::AuthenticationRequirements;
use enrollsim_graph::{
    ApnsCertificateView, Collection, ConditionalAccessPolicy, DepOnboardingSetting,
    DirectoryObject, EnrollmentConfiguration, EnrollmentConfigurationAssignment,
    FederatedDomainView, FederationEndpointView, Group, ImportedDeviceIdentityView, LicenseDetails,
    LicenseView, ManagedDevice, ManagedDeviceView, Organization, PortalDevice, SignIn, TenantView,
    User, UserView, ALL_LICENSED_USERS_TARGET_TYPE, EXCLUSION_GROUP_TARGET_TYPE,
};
use enrollsim_simulator::clock::rfc3339;
use enrollsim_simulator::cloud::entra::PUBLIC_LOGIN_HOST;
use enrollsim_simulator::cloud::intune::admin::shapes;
use enrollsim_simulator::device::Outcome;
use enrollsim_simulator::net::client::OutgoingRequest;
use hyper::Method;
use serde_json::json;

use crate::lab::{AdminApi, Lab, LabError};
use crate::scenario::{Action, EnrollVia};

/// The group every user is in: the bundle names it so the Default restrictions (priority 0),
/// which Graph assigns to all users (`allLicensedUsersAssignmentTarget`), show an assignment
/// the rules can match.
const ALL_USERS: &str = "all-users";

/// The groups a restriction is assigned to and the groups it excludes, from its Graph
/// assignments: the Default restrictions' "all licensed users" target is written as
/// [`ALL_USERS`].
async fn assigned_groups(
    admin: &AdminApi<'_>,
    id: &str,
) -> Result<(Vec<String>, Vec<String>), LabError> {
    let path = format!("/v1.0/deviceManagement/deviceEnrollmentConfigurations/{id}/assignments");
    let assignments: Vec<EnrollmentConfigurationAssignment> = list(admin, &path).await?;
    let (mut included, mut excluded) = (Vec::new(), Vec::new());
    for a in assignments {
        match a.target.odata_type.as_str() {
            ALL_LICENSED_USERS_TARGET_TYPE => included.push(ALL_USERS.to_string()),
            EXCLUSION_GROUP_TARGET_TYPE => excluded.extend(a.target.group_id),
            _ => included.extend(a.target.group_id),
        }
    }
    Ok((included, excluded))
}

/// The restrictions with the groups each is assigned to.
async fn configurations(admin: &AdminApi<'_>) -> Result<Vec<EnrollmentConfiguration>, LabError> {
    let mut configurations: Vec<EnrollmentConfiguration> = list(
        admin,
        "/v1.0/deviceManagement/deviceEnrollmentConfigurations",
    )
    .await?;
    for c in &mut configurations {
        let (id, groups, excluded) = match c {
            EnrollmentConfiguration::PlatformRestrictions(r) => {
                (&r.id, &mut r.assigned_group_ids, &mut r.excluded_group_ids)
            }
            EnrollmentConfiguration::Limit(r) => {
                (&r.id, &mut r.assigned_group_ids, &mut r.excluded_group_ids)
            }
            EnrollmentConfiguration::Other => continue,
        };
        (*groups, *excluded) = assigned_groups(admin, id).await?;
    }
    Ok(configurations)
}

/// A user as the bundle shows them, from their licence details (enabled plans), group
/// memberships (with [`ALL_USERS`]) and per-user MFA state.
async fn user_view(admin: &AdminApi<'_>, user: User) -> Result<UserView, LabError> {
    let id = &user.id;
    let licences: Vec<LicenseDetails> =
        list(admin, &format!("/v1.0/users/{id}/licenseDetails")).await?;
    // Nested groups count wherever a group is used (restrictions, licences, Conditional
    // Access), so the bundle keeps the transitive membership.
    let groups: Vec<DirectoryObject> =
        list(admin, &format!("/v1.0/users/{id}/transitiveMemberOf")).await?;
    let mfa: AuthenticationRequirements = admin
        .get(&format!("/beta/users/{id}/authentication/requirements"))
        .await?;
    let mut member_of: Vec<String> = groups.into_iter().map(|g| g.id).collect();
    member_of.push(ALL_USERS.into());
    Ok(UserView {
        id: user.id,
        user_principal_name: user.user_principal_name,
        assigned_licenses: licences
            .into_iter()
            .map(|l| LicenseView {
                sku_part_number: l.sku_part_number,
                service_plans: l
                    .service_plans
                    .into_iter()
                    .filter(|p| p.provisioning_status == "Success")
                    .map(|p| p.service_plan_name)
                    .collect(),
            })
            .collect(),
        member_of,
        strong_authentication_required: matches!(
            mfa.per_user_mfa_state.as_deref(),
            Some("enforced" | "enabled")
        ),
        home_cloud: Some(user.home_cloud),
    })
}

/// The directory's groups with their direct members, and the Conditional Access policies.
async fn directory(
    admin: &AdminApi<'_>,
) -> Result<(Vec<Group>, Vec<ConditionalAccessPolicy>), LabError> {
    let mut groups: Vec<Group> = list(admin, "/v1.0/groups").await?;
    for group in &mut groups {
        let path = format!("/v1.0/groups/{}/members", group.id);
        let members: Vec<DirectoryObject> = list(admin, &path).await?;
        group.members = members.into_iter().map(|m| m.id).collect();
    }
    let policies = list(admin, "/v1.0/identity/conditionalAccess/policies").await?;
    Ok((groups, policies))
}

/// `GET path` as a Graph collection.
async fn list<T: serde::de::DeserializeOwned>(
    admin: &AdminApi<'_>,
    path: &str,
) -> Result<Vec<T>, LabError> {
    Ok(admin.get::<Collection<T>>(path).await?.value)
}

/// The tenant as an admin's collection script reads it: Graph GETs over HTTPS, one per
/// resource, as the admin center's data comes from them.
pub async fn tenant_view(lab: &Lab) -> Result<TenantView, LabError> {
    let admin = AdminApi::collector(&lab.world);
    let organization: Vec<Organization> = list(&admin, "/v1.0/organization").await?;
    // Graph answers 404 when no push certificate was ever uploaded.
    let apns: Option<ApnsCertificateView> = admin
        .get("/v1.0/deviceManagement/applePushNotificationCertificate")
        .await
        .ok();
    let configurations = configurations(&admin).await?;
    let mut users = Vec::new();
    for user in list::<User>(&admin, "/v1.0/users").await? {
        users.push(user_view(&admin, user).await?);
    }
    let devices: Vec<ManagedDevice> = list(&admin, "/v1.0/deviceManagement/managedDevices").await?;
    let ade: Vec<DepOnboardingSetting> = list(
        &admin,
        "/beta/deviceManagement/depOnboardingSettings?$expand=enrollmentProfiles,importedAppleDeviceIdentities",
    )
    .await?;
    let identities: Vec<ImportedDeviceIdentityView> =
        list(&admin, "/beta/deviceManagement/importedDeviceIdentities").await?;
    let (groups, conditional_access_policies) = directory(&admin).await?;
    let subscribed_skus = list(&admin, "/v1.0/subscribedSkus").await?;
    Ok(TenantView {
        collected_date_time: Some(rfc3339(lab.world.clock.now())),
        mdm_authority: organization
            .into_iter()
            .next()
            .map(|o| o.mobile_device_management_authority),
        apple_push_notification_certificate: apns,
        device_enrollment_configurations: configurations,
        users,
        managed_devices: devices.into_iter().map(ManagedDeviceView::from).collect(),
        dep_onboarding_settings: ade.into_iter().map(Into::into).collect(),
        imported_device_identities: identities,
        groups,
        conditional_access_policies,
        subscribed_skus,
        federated_domains: Vec::new(),
    })
}

/// The domain of `upn` as realm discovery answers for it, over HTTPS as `curl` would, and,
/// when it is federated and the lab runs its federation service, `Get-AdfsEndpoint`'s list
/// (the admin runs it on the AD FS server: no API, so it is read from the service's table).
/// `None` for a managed domain.
async fn federated_domain(lab: &Lab, upn: &str) -> Option<FederatedDomainView> {
    // The admin of a tenant without a federated domain has nothing to look up (the domain list
    // says so); skipping the call keeps every other run's timeline as it was.
    lab.world.federation.as_ref()?;
    // A UPN's characters are all allowed in a path segment (`@` included).
    let path = format!("/common/userrealm/{upn}?api-version=2.0");
    let request = OutgoingRequest::new(Method::GET, PUBLIC_LOGIN_HOST, &path);
    let response = lab.world.collector_client().send(request).await.ok()?;
    let realm: serde_json::Value = serde_json::from_slice(&response.body).ok()?;
    let text = |key: &str| realm.get(key).and_then(|v| v.as_str()).map(str::to_string);
    if text("NameSpaceType").as_deref() != Some("Federated") {
        return None;
    }
    let endpoints = lab.world.federation.as_ref().map(|service| {
        let server = service.server();
        let server = server.lock().unwrap_or_else(|p| p.into_inner());
        server
            .endpoints
            .iter()
            .map(|e| FederationEndpointView {
                address_path: e.address_path.clone(),
                protocol: Some(e.protocol.clone()),
                enabled: e.enabled,
                proxy: e.proxy,
            })
            .collect()
    });
    Some(FederatedDomainView {
        domain: text("DomainName").unwrap_or_default(),
        name_space_type: text("NameSpaceType"),
        federation_metadata_url: text("federation_metadata_url"),
        federation_active_auth_url: text("federation_active_auth_url"),
        endpoints,
    })
}

/// Intune's troubleshooting events and Entra's sign-in log, read through Graph.
async fn service_logs(lab: &Lab) -> Result<(Vec<EnrollmentEvent>, Vec<SignInRecord>), LabError> {
    let admin = AdminApi::collector(&lab.world);
    let events = list(&admin, "/beta/deviceManagement/troubleshootingEvents").await?;
    let sign_ins: Vec<SignIn> = list(&admin, "/v1.0/auditLogs/signIns").await?;
    // The bundle keeps a subset of Graph's `signIn`; serde does the projection.
    let sign_ins = serde_json::to_value(sign_ins)
        .and_then(serde_json::from_value)
        .unwrap_or_default();
    Ok((events, sign_ins))
}

/// What the user copies from the Company Portal website's Devices page: their own device list.
/// The website is the user's view, not the admin's; the lab renders it from Intune's records
/// the way the website lists them.
fn portal_devices(lab: &Lab, upn: &str) -> Vec<PortalDevice> {
    let intune = lab.world.intune.state();
    let intune = intune.lock().unwrap_or_else(|p| p.into_inner());
    shapes::portal_devices(&intune, upn)
}

/// Collects the bundle for `outcome` of `action`. A resource the collection cannot read is
/// left out of the bundle, as a collection script that hit an error would.
pub async fn collect(lab: &Lab, action: &Action, outcome: &Outcome) -> EvidenceBundle {
    let now = rfc3339(lab.world.clock.now());
    let device = lab.acting_device(action).unwrap_or(&lab.device);
    let spec = device.spec();
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
    let (events, sign_ins) = match service_logs(lab).await {
        Ok((events, sign_ins)) => (Some(events), Some(sign_ins)),
        Err(_) => (None, None),
    };
    let join = |lines: Vec<String>| {
        if lines.is_empty() {
            None
        } else {
            Some(lines.join("\n") + "\n")
        }
    };
    EvidenceBundle {
        manifest: serde_json::from_value(manifest).unwrap_or_default(),
        device_log: join(device.console_log()),
        company_portal_log: join(device.company_portal_log()),
        tenant: match tenant_view(lab).await {
            Ok(mut tenant) => {
                tenant.federated_domains = federated_domain(lab, &action.user)
                    .await
                    .into_iter()
                    .collect();
                Some(tenant)
            }
            Err(_) => None,
        },
        enrollment_events: events,
        sign_ins,
        company_portal_devices: Some(portal_devices(lab, &action.user)),
    }
}
