//! Building a lab from a world spec: directory, tenant, certificates, device, history.
//!
//! Identifiers the spec leaves open are drawn from one seeded stream in a fixed order
//! (directory, device serial and UDID, the tenant's earlier devices, push topic, ADE, device
//! profiles), so the same spec always makes the same world.

use std::collections::HashMap;

use enrollsim_graph::requests::{
    EnrollmentProfilePatch, NewDepOnboardingSetting, NewEnrollmentProfile,
};
use enrollsim_simulator::cloud::apple_ade::state::{lock, AbmDevice};
use enrollsim_simulator::cloud::entra::{EntraState, EntraUser, License};
use enrollsim_simulator::cloud::intune::ade::SyncError;
use enrollsim_simulator::cloud::intune::admin::default_plans;
use enrollsim_simulator::cloud::intune::state::{
    DeviceLimitRestriction, IntuneState, ManagedDevice, ManagementState, Ownership,
    PlatformRestriction,
};
use enrollsim_simulator::device::spec::model_name;
use enrollsim_simulator::device::{
    CompanyPortalApp, Device, DeviceSpec, InstalledMdmPayload, InstalledProfile, SessionCookie,
};
use enrollsim_simulator::rng::SeededRng;
use enrollsim_simulator::world::{World, WorldOptions};
use hyper::Method;
use time::{Duration, OffsetDateTime};

use super::{Lab, LabError};
use crate::scenario::{
    AdeProfileSpec, AdeSpec, DeviceSetup, LicenseSpec, ProfileSpec, TenantSpec, UserSpec, WorldSpec,
};

fn license(spec: &LicenseSpec) -> License {
    match spec {
        LicenseSpec::Sku(sku) => License {
            sku: sku.clone(),
            service_plans: default_plans(sku),
        },
        LicenseSpec::WithPlans { sku, service_plans } => License {
            sku: sku.clone(),
            service_plans: service_plans.clone(),
        },
    }
}

/// The world `spec` describes, started, with its devices switched on; the history is replayed
/// by the caller.
pub(super) async fn start(spec: &WorldSpec) -> Result<Lab, LabError> {
    let start = spec.start;
    // Identifiers the spec leaves open come from their own stream of the seed, so adding a
    // user does not change the device's serial.
    let ids = SeededRng::new(spec.seed.wrapping_mul(0x9E37_79B9).wrapping_add(17));
    let directory = directory(spec, &ids);
    let (serial, udid) = device_ids(&spec.device, &ids);
    let intune = intune_state(spec, &serial, start, &ids);
    let world = start_world(spec, start, directory, intune).await?;
    super::faults::schedule(&world, &spec.faults, start)?;
    install_push_certificate(&world, &spec.tenant, start, &ids)?;
    super::entra_build::configure_federation_service(&world, &spec.tenant);
    if let Some(ade) = &spec.tenant.ade {
        setup_ade(&world, ade, &serial, start, &ids).await?;
    }
    let device = world.device(device_spec(&spec.device, serial, udid, &spec.users, &ids));
    let others = further_devices(&world, spec, &ids)?;
    let lab = Lab {
        world,
        device,
        device_id: spec
            .device
            .id
            .clone()
            .unwrap_or_else(|| crate::scenario::DEFAULT_DEVICE.to_string()),
        others,
        users: std::sync::Arc::new(super::device::Users::new(spec.users.clone())),
        ade: spec.tenant.ade.clone(),
        ids,
    };
    Ok(lab)
}

/// The spec's further devices, by id, switched on at the start; their identifiers come after
/// everything else the spec leaves open, so a world without them is made as before.
fn further_devices(
    world: &World,
    spec: &WorldSpec,
    ids: &SeededRng,
) -> Result<Vec<(String, Device)>, LabError> {
    let mut devices = Vec::new();
    for setup in &spec.devices {
        let id = setup
            .id
            .clone()
            .ok_or_else(|| LabError::Spec("every device of world.devices needs an id".into()))?;
        let (serial, udid) = device_ids(setup, ids);
        register_added_device(world, spec.tenant.ade.as_ref(), setup, &serial)?;
        let device = world.device(device_spec(setup, serial, udid, &spec.users, ids));
        devices.push((id, device));
    }
    Ok(devices)
}

/// Entra ID's directory: the tenant and its users.
fn directory(spec: &WorldSpec, ids: &SeededRng) -> EntraState {
    let mut directory = EntraState::new(&ids.uuid_lower(), &spec.tenant.domain);
    directory.device_quota = spec.tenant.device_registration_quota;
    for u in &spec.users {
        directory.users.push(EntraUser {
            id: ids.uuid_lower(),
            upn: u.upn.clone(),
            display_name: u.upn.split('@').next().unwrap_or(&u.upn).to_string(),
            password: u.password.clone(),
            licenses: u.licenses.iter().map(license).collect(),
            groups: u.groups.clone(),
            mfa_required: u.mfa_required,
            home_cloud: u.cloud,
            enabled: true,
        });
    }
    super::entra_build::add_groups_and_policies(&mut directory, &spec.tenant, ids);
    super::entra_build::add_federation(&mut directory, &spec.tenant);
    directory
}

/// The device's serial number and UDID: the setup's, or made up from the seed.
pub(super) fn device_ids(setup: &DeviceSetup, ids: &SeededRng) -> (String, String) {
    let serial = setup.serial.clone().unwrap_or_else(|| ids.alphanumeric(12));
    let udid = setup
        .udid
        .clone()
        .unwrap_or_else(|| format!("00008110-{}", ids.hex(8).to_uppercase()));
    (serial, udid)
}

/// Intune's state at the start: authority, restrictions, corporate identifiers and the users'
/// earlier devices.
fn intune_state(
    spec: &WorldSpec,
    serial: &str,
    start: OffsetDateTime,
    ids: &SeededRng,
) -> IntuneState {
    let tenant = &spec.tenant;
    let mut intune = IntuneState::new(&tenant.name);
    intune.mdm_authority = tenant.mdm_authority;
    intune.apns_request_pending = !tenant.apns.uploaded && tenant.apns.request_downloaded;
    add_restrictions(&mut intune, tenant);
    intune.corporate_identifiers = tenant.corporate_identifiers.clone();
    if spec.device.corporate_identifier {
        intune.corporate_identifiers.push(serial.to_string());
    }
    if let Some(v) = &tenant.min_company_portal_version {
        intune.min_company_portal_version = v.clone();
    }
    for u in &spec.users {
        for i in 0..(u.enrolled_devices + u.portal_only_devices) {
            intune.devices.push(earlier_device(u, i, start, ids));
        }
    }
    intune
}

/// The tenant's default restrictions and the ones assigned to groups.
fn add_restrictions(intune: &mut IntuneState, tenant: &TenantSpec) {
    intune.platform_restrictions[0].ios = tenant.default_restriction.clone();
    intune.limit_restrictions[0].limit = tenant.default_device_limit;
    for (i, r) in tenant.platform_restrictions.iter().enumerate() {
        intune.platform_restrictions.push(PlatformRestriction {
            id: format!("platform-restriction-{}", i + 1),
            name: r.name.clone(),
            priority: r.priority,
            groups: r.groups.clone(),
            excluded_groups: r.exclude_groups.clone(),
            ios: r.ios.clone(),
        });
    }
    for (i, r) in tenant.limit_restrictions.iter().enumerate() {
        intune.limit_restrictions.push(DeviceLimitRestriction {
            id: format!("limit-restriction-{}", i + 1),
            name: r.name.clone(),
            priority: r.priority,
            groups: r.groups.clone(),
            excluded_groups: r.exclude_groups.clone(),
            limit: r.limit,
        });
    }
}

/// The `i`-th device `user` enrolled long before the start (hidden from the admin's view when
/// it is one of the user's portal-only devices).
fn earlier_device(
    user: &UserSpec,
    i: u32,
    start: OffsetDateTime,
    ids: &SeededRng,
) -> ManagedDevice {
    let enrolled_at = start - Duration::days(400 - i64::from(i) * 7);
    ManagedDevice {
        id: ids.uuid_lower(),
        azure_ad_device_id: Some(ids.uuid_lower()),
        upn: user.upn.clone(),
        name: format!(
            "{}_iPhone_{}",
            user.upn.split('@').next().unwrap_or("user"),
            i + 1
        ),
        serial: ids.alphanumeric(12),
        udid: format!("00008030-{}", ids.hex(8).to_uppercase()),
        os_version: "16.7".into(),
        model: "iPhone12,1".into(),
        ownership: Ownership::Personal,
        enrollment_type: "userEnrollment".into(),
        state: ManagementState::Managed,
        enrolled_at,
        last_contact: enrolled_at + Duration::days(30),
        admin_visible: i < user.enrolled_devices,
        topic: None,
        push_token: None,
        push_magic: None,
        identity_serial: None,
        awaiting_configuration: false,
        queue: Default::default(),
        results: Vec::new(),
        last_push_failure: None,
    }
}

/// Starts the services. With ADE, the world begins before the scenario's start so that the
/// token upload and the profiles can be replayed at their own times through the admin API.
async fn start_world(
    spec: &WorldSpec,
    start: OffsetDateTime,
    directory: EntraState,
    intune: IntuneState,
) -> Result<World, LabError> {
    let world_start = spec
        .tenant
        .ade
        .as_ref()
        .map_or(start, |ade| ade_history_start(ade, start).min(start));
    let options = WorldOptions {
        seed: spec.seed,
        start: world_start,
    };
    Ok(World::start(options, directory, intune).await?)
}

/// The tenant's push certificate, as the spec dates it (and revoked by Apple if it says so).
fn install_push_certificate(
    world: &World,
    tenant: &TenantSpec,
    start: OffsetDateTime,
    ids: &SeededRng,
) -> Result<(), LabError> {
    if !tenant.apns.uploaded {
        return Ok(());
    }
    let topic = tenant
        .apns
        .topic
        .clone()
        .unwrap_or_else(|| format!("com.apple.mgmt.External.{}", ids.uuid_lower()));
    world.install_push_certificate(
        &tenant.apns.apple_id,
        &topic,
        start - tenant.apns.issued_days_ago.duration(),
        start + tenant.apns.expires_in_days.duration(),
    )?;
    if tenant.apns.revoked_by_apple {
        let state = world.intune.state();
        let serial_hex = state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .apns
            .as_ref()
            .and_then(|c| enrollsim_certs::inspect::facts(c.identity.certificate()).ok())
            .map(|f| f.serial_hex);
        if let Some(s) = serial_hex {
            world.apns.revoke_certificate(&s);
        }
    }
    Ok(())
}

/// The Safari session the setup keeps, signed in at the user's own cloud.
fn safari_cookie(setup: &DeviceSetup, users: &[UserSpec]) -> Option<SessionCookie> {
    use enrollsim_simulator::cloud::entra::{Cloud, GOVERNMENT_LOGIN_HOST, PUBLIC_LOGIN_HOST};
    let upn = setup.safari_session.as_ref()?;
    let user = users.iter().find(|u| u.upn.eq_ignore_ascii_case(upn));
    let host = match user.map(|u| u.cloud) {
        Some(Cloud::Government) => GOVERNMENT_LOGIN_HOST,
        _ => PUBLIC_LOGIN_HOST,
    };
    Some(SessionCookie {
        host: host.into(),
        upn: upn.clone(),
        password: user.map(|u| u.password.clone()).unwrap_or_default(),
    })
}

/// A configuration profile installed before the run.
fn installed_profile(p: &ProfileSpec, ids: &SeededRng) -> InstalledProfile {
    InstalledProfile {
        identifier: p.identifier.clone(),
        uuid: ids.uuid(),
        display_name: p.display_name.clone(),
        organization: p.organization.clone(),
        mdm: p.mdm.as_ref().map(|m| InstalledMdmPayload {
            topic: m.topic.clone(),
            server_url: m.server_url.clone(),
            check_in_url: m
                .check_in_url
                .clone()
                .unwrap_or_else(|| m.server_url.clone()),
            check_out_when_removed: false,
            sign_message: false,
        }),
        removable: true,
    }
}

/// The simulator's description of the device `setup` describes.
pub(super) fn device_spec(
    setup: &DeviceSetup,
    serial: String,
    udid: String,
    users: &[UserSpec],
    ids: &SeededRng,
) -> DeviceSpec {
    let cookie = safari_cookie(setup, users);
    let portal = &setup.company_portal;
    DeviceSpec {
        serial,
        udid,
        product: setup.product.clone(),
        os_version: setup.os_version.clone(),
        build: setup.build.clone(),
        name: setup
            .name
            .clone()
            .unwrap_or_else(|| model_name(&setup.product).to_string()),
        locale: setup.locale.clone(),
        imei: None,
        profiles: setup
            .profiles
            .iter()
            .map(|p| installed_profile(p, ids))
            .collect(),
        company_portal: portal.installed.then(|| CompanyPortalApp {
            version: portal
                .version
                .clone()
                .unwrap_or_else(|| CompanyPortalApp::default().version),
            registration_key: portal.registration_key,
            cloud: portal.cloud,
        }),
        safari_cookies: cookie.into_iter().collect(),
        blocked_hosts: setup.blocked_hosts.iter().cloned().collect(),
        keychain: setup.keychain,
    }
}

/// A device added to a running world joins the tenant as the spec's device did: its serial
/// as a corporate identifier if the setup says so, and in Apple Business Manager, assigned to
/// Intune's MDM server, when the tenant's ADE assigns its devices.
pub(super) fn register_added_device(
    world: &World,
    ade: Option<&AdeSpec>,
    setup: &DeviceSetup,
    serial: &str,
) -> Result<(), LabError> {
    if setup.corporate_identifier {
        let state = world.intune.state();
        let mut state = state.lock().unwrap_or_else(|p| p.into_inner());
        state.corporate_identifiers.push(serial.to_string());
    }
    if !ade.is_some_and(|a| a.device_assigned) {
        return Ok(());
    }
    let now = world.clock.now();
    let mut apple = lock(world.apple_ade.state());
    let server = apple.servers().next().map(|s| s.uuid.clone());
    // Apple Business Manager lists the device as the model it is.
    let record = if model_name(&setup.product) == "iPad" {
        AbmDevice::ipad(serial)
    } else {
        AbmDevice::iphone(serial)
    };
    apple.add_device(record, now);
    apple
        .assign_device(serial, server.as_deref(), now)
        .map_err(|e| LabError::Spec(format!("Apple Business Manager: {e}")))
}

/// The moment the ADE history begins: one minute before the earliest of the token upload and
/// the profiles' creation.
fn ade_history_start(ade: &AdeSpec, start: OffsetDateTime) -> OffsetDateTime {
    let token = start - ade.token_uploaded_days_ago.duration();
    let first_profile = ade
        .profiles
        .iter()
        .map(|p| start - p.created_days_ago.duration())
        .min();
    first_profile.map_or(token, |p| p.min(token)) - Duration::minutes(1)
}

/// One thing the admin did in the tenant's ADE history.
enum AdeStep<'a> {
    UploadToken,
    CreateProfile(&'a AdeProfileSpec),
    EditProfile(&'a AdeProfileSpec),
}

/// The ADE history in the order it happened: token uploads, profiles created and edited.
fn ade_history(ade: &AdeSpec, start: OffsetDateTime) -> Vec<(OffsetDateTime, AdeStep<'_>)> {
    let token_at = start - ade.token_uploaded_days_ago.duration();
    let first = ade_history_start(ade, start) + Duration::minutes(1);
    // The middle number orders what happened at the same moment: upload, create, edit.
    let mut steps: Vec<(OffsetDateTime, u8, AdeStep<'_>)> = Vec::new();
    if first < token_at {
        // The token existed before; it was uploaded again later.
        steps.push((first, 0, AdeStep::UploadToken));
    }
    steps.push((token_at, 0, AdeStep::UploadToken));
    for p in &ade.profiles {
        let created = start - p.created_days_ago.duration();
        steps.push((created, 1, AdeStep::CreateProfile(p)));
        if let Some(m) = p
            .modified_days_ago
            .filter(|m| m.duration() != p.created_days_ago.duration())
        {
            steps.push((start - m.duration(), 2, AdeStep::EditProfile(p)));
        }
    }
    steps.sort_by_key(|(t, order, _)| (*t, *order));
    steps.into_iter().map(|(t, _, step)| (t, step)).collect()
}

/// Apple Business Manager at the beginning of the history: Intune's MDM server, and the
/// device (assigned to that server if the spec says so). Returns the server's id.
fn register_in_abm(
    world: &World,
    ade: &AdeSpec,
    serial: &str,
    first: OffsetDateTime,
    ids: &SeededRng,
) -> Result<String, LabError> {
    let mut apple = lock(world.apple_ade.state());
    let server = apple.add_mdm_server(INTUNE_MDM_SERVER, ids);
    apple.add_device(AbmDevice::iphone(serial), first);
    // A later assignment happens in `setup_ade`, at its time.
    if ade.device_assigned && ade.apple.device_assigned_days_ago.is_none() {
        apple
            .assign_device(serial, Some(&server), first)
            .map_err(|e| LabError::Spec(format!("Apple Business Manager: {e}")))?;
    }
    Ok(server)
}

/// The admin's hands in the ADE history: the enrollment program token and its profiles,
/// through the admin API.
struct AdeAdmin<'w> {
    world: &'w World,
    ade: &'w AdeSpec,
    server: String,
    token_id: String,
    profile_ids: HashMap<String, String>,
}

/// The name Apple Business Manager shows for the tenant's Intune MDM server.
const INTUNE_MDM_SERVER: &str = "Microsoft Intune";

const DEP_SETTINGS: &str = "/beta/deviceManagement/depOnboardingSettings";

impl<'w> AdeAdmin<'w> {
    /// The admin adds the enrollment program token in Intune.
    async fn create_token(
        world: &'w World,
        ade: &'w AdeSpec,
        server: String,
    ) -> Result<AdeAdmin<'w>, LabError> {
        let body = NewDepOnboardingSetting {
            token_name: Some(ade.token_name.clone()),
            apple_identifier: Some(ade.apple_id.clone()),
            ..NewDepOnboardingSetting::default()
        };
        let created: NewDepOnboardingSetting = super::AdminApi::new(world)
            .request(Method::POST, DEP_SETTINGS, Some(&body))
            .await?;
        Ok(AdeAdmin {
            world,
            ade,
            server,
            token_id: created.id.unwrap_or_default(),
            profile_ids: HashMap::new(),
        })
    }

    async fn replay(&mut self, step: AdeStep<'_>, ids: &SeededRng) -> Result<(), LabError> {
        let admin = super::AdminApi::new(self.world);
        let token = format!("{DEP_SETTINGS}/{}", self.token_id);
        match step {
            AdeStep::UploadToken => {
                let token = (self.token_id.as_str(), self.ade.apple_id.as_str());
                super::abm::upload_server_token(self.world, &self.server, token, ids).await?;
            }
            AdeStep::CreateProfile(p) => {
                let body = NewEnrollmentProfile {
                    display_name: Some(p.name.clone()),
                    authentication_method: Some(
                        serde_json::to_value(p.authentication)
                            .map_err(|e| LabError::Spec(format!("authentication method: {e}")))?,
                    ),
                    is_default: Some(p.default),
                    support_phone_number: p.support_phone.clone(),
                    department: p.department.clone(),
                    ..NewEnrollmentProfile::default()
                };
                let created: NewEnrollmentProfile = admin
                    .request(
                        Method::POST,
                        &format!("{token}/enrollmentProfiles"),
                        Some(&body),
                    )
                    .await?;
                self.profile_ids
                    .insert(p.name.clone(), created.id.unwrap_or_default());
            }
            AdeStep::EditProfile(p) => {
                let id = self.profile_ids.get(&p.name).cloned().unwrap_or_default();
                let body = EnrollmentProfilePatch {
                    description: Some("Edited".into()),
                    ..EnrollmentProfilePatch::default()
                };
                admin
                    .send(
                        Method::PATCH,
                        &format!("{token}/enrollmentProfiles/{id}"),
                        Some(&body),
                    )
                    .await?;
            }
        }
        Ok(())
    }
}

/// What happened in the tenant's ADE history, replayed at its time through the admin API:
/// Apple Business Manager assigns the device to Intune's MDM server and hands out the server
/// token; the admin adds the enrollment program token in Intune and uploads it; the admin
/// creates (and later edits) the enrollment profiles; a profile created before the last token
/// upload is the article's "ADE enrollment doesn't start" — the token was first uploaded
/// earlier, the profile created, then the token uploaded again. Intune's automatic sync runs at
/// the scenario's start.
async fn setup_ade(
    world: &World,
    ade: &AdeSpec,
    serial: &str,
    start: OffsetDateTime,
    ids: &SeededRng,
) -> Result<(), LabError> {
    let steps = ade_history(ade, start);
    let first = ade_history_start(ade, start) + Duration::minutes(1);
    let server = register_in_abm(world, ade, serial, first, ids)?;
    let mut admin = AdeAdmin::create_token(world, ade, server).await?;
    // Adding a token: Intune's public key goes to the MDM server before any token download.
    super::abm::upload_public_key(world, &admin.server, &admin.token_id).await?;
    for (at, step) in steps {
        world.clock.advance_to(at);
        admin.replay(step, ids).await?;
    }
    let abm = super::abm::AbmHistory {
        world,
        ade,
        serial,
        server: &admin.server,
        token_id: &admin.token_id,
    };
    abm.replay_until(start).await?;
    world.clock.advance_to(start);
    abm.apply_state_at_start()?;
    // Intune's automatic sync (every 12 hours) has run since; a sync Apple refuses is what
    // the admin sees on the token, not a fault of the spec.
    match world.intune.sync_ade(&admin.token_id, false).await {
        Ok(_) | Err(SyncError::Apple { .. }) => Ok(()),
        Err(e) => Err(LabError::Spec(format!("automatic ADE sync: {e}"))),
    }
}
