//! Building a lab from a world spec: directory, tenant, certificates, device, history.

use enrollsim_simulator::cloud::entra::{EntraState, EntraUser, License};
use enrollsim_simulator::cloud::intune::admin::default_plans;
use enrollsim_simulator::cloud::intune::state::{
    DeviceLimitRestriction, IntuneState, ManagedDevice, ManagementState, Ownership,
    PlatformRestriction,
};
use enrollsim_simulator::device::{
    CompanyPortalApp, DeviceSpec, InstalledMdmPayload, InstalledProfile, Outcome, SessionCookie,
};
use enrollsim_simulator::rng::SeededRng;
use enrollsim_simulator::world::{World, WorldOptions};
use time::Duration;

use super::{Lab, LabError};
use crate::scenario::{Action, HistoryStep, LicenseSpec, WorldSpec};

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

pub(super) async fn start(spec: &WorldSpec) -> Result<Lab, LabError> {
    let start = spec.start;
    // Identifiers the spec leaves open come from their own stream of the seed, so adding a
    // user does not change the device's serial.
    let ids = SeededRng::new(spec.seed.wrapping_mul(0x9E37_79B9).wrapping_add(17));
    let tenant = &spec.tenant;

    let mut directory = EntraState::new(&ids.uuid_lower(), &tenant.domain);
    directory.device_quota = tenant.device_registration_quota;
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

    let serial = spec
        .device
        .serial
        .clone()
        .unwrap_or_else(|| ids.alphanumeric(12));
    let udid = spec
        .device
        .udid
        .clone()
        .unwrap_or_else(|| format!("00008110-{}", ids.hex(8).to_uppercase()));
    let mut intune = IntuneState::new(&tenant.name);
    intune.mdm_authority = tenant.mdm_authority;
    intune.platform_restrictions[0].ios = tenant.default_restriction.clone();
    intune.limit_restrictions[0].limit = tenant.default_device_limit;
    for (i, r) in tenant.platform_restrictions.iter().enumerate() {
        intune.platform_restrictions.push(PlatformRestriction {
            id: format!("platform-restriction-{}", i + 1),
            name: r.name.clone(),
            priority: r.priority,
            groups: r.groups.clone(),
            ios: r.ios.clone(),
        });
    }
    for (i, r) in tenant.limit_restrictions.iter().enumerate() {
        intune.limit_restrictions.push(DeviceLimitRestriction {
            id: format!("limit-restriction-{}", i + 1),
            name: r.name.clone(),
            priority: r.priority,
            groups: r.groups.clone(),
            limit: r.limit,
        });
    }
    intune.corporate_identifiers = tenant.corporate_identifiers.clone();
    if spec.device.corporate_identifier {
        intune.corporate_identifiers.push(serial.clone());
    }
    if let Some(v) = &tenant.min_company_portal_version {
        intune.min_company_portal_version = v.clone();
    }
    for u in &spec.users {
        for i in 0..(u.enrolled_devices + u.portal_only_devices) {
            let enrolled_at = start - Duration::days(400 - i64::from(i) * 7);
            intune.devices.push(ManagedDevice {
                id: ids.uuid_lower(),
                azure_ad_device_id: Some(ids.uuid_lower()),
                upn: u.upn.clone(),
                name: format!(
                    "{}_iPhone_{}",
                    u.upn.split('@').next().unwrap_or("user"),
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
                admin_visible: i < u.enrolled_devices,
                topic: None,
                push_token: None,
                push_magic: None,
                identity_serial: None,
                awaiting_configuration: false,
                queue: Default::default(),
                results: Vec::new(),
                last_push_failure: None,
            });
        }
    }

    // With ADE, the world begins before the scenario's start so that the token upload and the
    // profiles can be replayed at their own times through the admin API.
    let world_start = tenant
        .ade
        .as_ref()
        .map_or(start, |ade| ade_history_start(ade, start).min(start));
    let world = World::start(
        WorldOptions {
            seed: spec.seed,
            start: world_start,
        },
        directory,
        intune,
    )
    .await?;
    if tenant.apns.uploaded {
        let topic = tenant
            .apns
            .topic
            .clone()
            .unwrap_or_else(|| format!("com.apple.mgmt.External.{}", ids.uuid_lower()));
        world.install_push_certificate(
            &tenant.apns.apple_id,
            &topic,
            start - Duration::days(tenant.apns.issued_days_ago),
            start + Duration::days(tenant.apns.expires_in_days),
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
    }

    if let Some(ade) = &tenant.ade {
        setup_ade(&world, ade, &serial, start, &ids).await?;
    }

    let d = &spec.device;
    let cookie = d.safari_session.as_ref().map(|upn| {
        let user = spec.users.iter().find(|u| u.upn.eq_ignore_ascii_case(upn));
        let host = match user.map(|u| u.cloud) {
            Some(enrollsim_simulator::cloud::entra::Cloud::Government) => {
                enrollsim_simulator::cloud::entra::GOVERNMENT_LOGIN_HOST
            }
            _ => enrollsim_simulator::cloud::entra::PUBLIC_LOGIN_HOST,
        };
        SessionCookie {
            host: host.into(),
            upn: upn.clone(),
            password: user.map(|u| u.password.clone()).unwrap_or_default(),
        }
    });
    let device_spec = DeviceSpec {
        serial,
        udid,
        product: d.product.clone(),
        os_version: d.os_version.clone(),
        build: d.build.clone(),
        name: d.name.clone(),
        locale: d.locale.clone(),
        imei: None,
        profiles: d
            .profiles
            .iter()
            .map(|p| InstalledProfile {
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
                }),
                removable: true,
            })
            .collect(),
        company_portal: d.company_portal.installed.then(|| CompanyPortalApp {
            version: d
                .company_portal
                .version
                .clone()
                .unwrap_or_else(|| CompanyPortalApp::default().version),
            damaged: d.company_portal.damaged,
            cloud: d.company_portal.cloud,
        }),
        safari_cookies: cookie.into_iter().collect(),
        blocked_hosts: d.blocked_hosts.iter().cloned().collect(),
        configuration_store_damaged: d.configuration_store_damaged,
    };
    let device = world.device(device_spec);
    let lab = Lab {
        world,
        device,
        users: spec.users.clone(),
    };

    for (i, step) in spec.history.iter().enumerate() {
        match step {
            HistoryStep::Enroll { via, user } => {
                let outcome = lab
                    .enroll(&Action {
                        enroll: *via,
                        user: user.clone(),
                    })
                    .await;
                if !matches!(outcome, Outcome::Enrolled { .. }) {
                    return Err(LabError::History {
                        step: i,
                        detail: format!("{outcome:?}"),
                    });
                }
            }
            HistoryStep::RenewApnsCertificate => lab.admin().renew_apns_certificate().await?,
            HistoryStep::ReplaceApnsCertificate => {
                lab.admin().upload_new_apns_certificate().await?
            }
            HistoryStep::AdvanceDays { days } => {
                lab.world.clock.advance(Duration::days(*days));
                // Intune's timer: tokens due for their delta sync sync now.
                lab.world.intune.run_due_syncs().await;
            }
        }
    }
    // What happened before the run is the world's past, not the run's timeline.
    lab.world.recorder.drain();
    lab.device.forget_shown_messages();
    Ok(lab)
}

/// The moment the ADE history begins: one minute before the earliest of the token upload and
/// the profiles' creation.
fn ade_history_start(
    ade: &crate::scenario::AdeSpec,
    start: time::OffsetDateTime,
) -> time::OffsetDateTime {
    let token = start - Duration::days(ade.token_uploaded_days_ago);
    let first_profile = ade
        .profiles
        .iter()
        .map(|p| start - Duration::days(p.created_days_ago))
        .min();
    first_profile.map_or(token, |p| p.min(token)) - Duration::minutes(1)
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
    ade: &crate::scenario::AdeSpec,
    serial: &str,
    start: time::OffsetDateTime,
    ids: &SeededRng,
) -> Result<(), LabError> {
    use enrollsim_simulator::cloud::apple_ade::state::{lock, AbmDevice};
    use hyper::Method;
    use serde_json::json;

    enum Step<'a> {
        UploadToken,
        CreateProfile(&'a crate::scenario::AdeProfileSpec),
        EditProfile(&'a crate::scenario::AdeProfileSpec),
    }
    let token_at = start - Duration::days(ade.token_uploaded_days_ago);
    let first = ade_history_start(ade, start) + Duration::minutes(1);
    let mut steps: Vec<(time::OffsetDateTime, u8, Step<'_>)> = Vec::new();
    if first < token_at {
        // The token existed before; it was uploaded again later.
        steps.push((first, 0, Step::UploadToken));
    }
    steps.push((token_at, 0, Step::UploadToken));
    for p in &ade.profiles {
        let created = start - Duration::days(p.created_days_ago);
        steps.push((created, 1, Step::CreateProfile(p)));
        if let Some(m) = p.modified_days_ago.filter(|m| *m != p.created_days_ago) {
            steps.push((start - Duration::days(m), 2, Step::EditProfile(p)));
        }
    }
    steps.sort_by_key(|(t, order, _)| (*t, *order));

    let server = {
        let mut apple = lock(world.apple_ade.state());
        let server = apple.add_mdm_server("Microsoft Intune", ids);
        apple.add_device(AbmDevice::iphone(serial), first);
        if ade.device_assigned {
            apple
                .assign_device(serial, Some(&server), first)
                .map_err(|e| LabError::Spec(format!("Apple Business Manager: {e}")))?;
        }
        server
    };
    let admin = super::AdminApi::new(world);
    let base = "/beta/deviceManagement/depOnboardingSettings";
    let created = admin
        .call(
            Method::POST,
            base,
            Some(json!({"tokenName": ade.token_name, "appleIdentifier": ade.apple_id})),
        )
        .await?;
    let token_id = created["id"].as_str().unwrap_or_default().to_string();
    let mut profile_ids = std::collections::HashMap::new();
    for (at, _, step) in steps {
        world.clock.advance_to(at);
        match step {
            Step::UploadToken => {
                // The admin downloads the server token from Apple Business Manager and uploads it.
                let token = lock(world.apple_ade.state())
                    .issue_server_token(&server, ids, at)
                    .map_err(|e| LabError::Spec(format!("Apple Business Manager: {e}")))?;
                admin
                    .call(
                        Method::POST,
                        &format!("{base}/{token_id}/uploadDepToken"),
                        Some(json!({"appleId": ade.apple_id, "depToken": token.to_token_file()})),
                    )
                    .await?;
            }
            Step::CreateProfile(p) => {
                let created = admin.call(Method::POST, &format!("{base}/{token_id}/enrollmentProfiles"), Some(json!({"displayName": p.name, "authenticationMethod": p.authentication, "isDefault": p.default}))).await?;
                profile_ids.insert(
                    p.name.clone(),
                    created["id"].as_str().unwrap_or_default().to_string(),
                );
            }
            Step::EditProfile(p) => {
                let id = profile_ids.get(&p.name).cloned().unwrap_or_default();
                admin
                    .call(
                        Method::PATCH,
                        &format!("{base}/{token_id}/enrollmentProfiles/{id}"),
                        Some(json!({"description": "Edited"})),
                    )
                    .await?;
            }
        }
    }
    world.clock.advance_to(start);
    // Intune's automatic sync (every 12 hours) has run since.
    world
        .intune
        .sync_ade(&token_id, false)
        .await
        .map_err(|e| LabError::Spec(format!("automatic ADE sync: {e}")))?;
    Ok(())
}
