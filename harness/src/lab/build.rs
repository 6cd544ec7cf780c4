//! Building a lab from a world spec: directory, tenant, certificates, device, history.

use enrollsim_simulator::clock::parse_rfc3339;
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
    let start = parse_rfc3339(&spec.start)
        .ok_or_else(|| LabError::Spec(format!("start {:?} is not RFC 3339", spec.start)))?;
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

    let world = World::start(
        WorldOptions {
            seed: spec.seed,
            start,
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
            HistoryStep::AdvanceDays { days } => lab.world.clock.advance(Duration::days(*days)),
        }
    }
    // What happened before the run is the world's past, not the run's timeline.
    lab.world.recorder.drain();
    lab.device.forget_shown_messages();
    Ok(lab)
}

/// Apple Business Manager assigns the device to Intune's MDM server; the admin uploaded the
/// server token and created the profiles; Intune's automatic sync has run since.
async fn setup_ade(
    world: &World,
    ade: &crate::scenario::AdeSpec,
    serial: &str,
    start: time::OffsetDateTime,
    ids: &SeededRng,
) -> Result<(), LabError> {
    use enrollsim_simulator::cloud::apple_ade::state::{lock, AbmDevice};
    use enrollsim_simulator::cloud::intune::ade::{AdeProfile, EnrollmentProgramToken};
    let uploaded_at = start - Duration::days(ade.token_uploaded_days_ago);
    let server_token = {
        let mut apple = lock(world.apple_ade.state());
        let server = apple.add_mdm_server("Microsoft Intune", ids);
        let token = apple
            .issue_server_token(&server, ids, uploaded_at)
            .map_err(|e| LabError::Spec(format!("Apple Business Manager: {e}")))?;
        apple.add_device(AbmDevice::iphone(serial), uploaded_at);
        if ade.device_assigned {
            apple
                .assign_device(serial, Some(&server), uploaded_at)
                .map_err(|e| LabError::Spec(format!("Apple Business Manager: {e}")))?;
        }
        token
    };
    let profiles: Vec<AdeProfile> = ade
        .profiles
        .iter()
        .map(|p| AdeProfile {
            id: ids.uuid_lower(),
            name: p.name.clone(),
            created_at: start - Duration::days(p.created_days_ago),
            modified_at: start - Duration::days(p.modified_days_ago.unwrap_or(p.created_days_ago)),
            auth: p.authentication,
            apple_uuid: None,
            sent_version: None,
        })
        .collect();
    let default_profile = ade
        .profiles
        .iter()
        .zip(&profiles)
        .find(|(spec, _)| spec.default)
        .map(|(_, p)| p.id.clone());
    let token_id = ids.uuid_lower();
    {
        let state = world.intune.state();
        let mut state = state.lock().unwrap_or_else(|p| p.into_inner());
        state.ade_tokens.push(EnrollmentProgramToken {
            id: token_id.clone(),
            name: ade.token_name.clone(),
            apple_id: ade.apple_id.clone(),
            server_token,
            uploaded_at,
            expires_at: uploaded_at + Duration::days(365),
            last_sync: None,
            last_sync_triggered: None,
            cursor: None,
            profiles,
            default_profile,
            devices: Vec::new(),
        });
    }
    // Intune's automatic sync (every 12 hours) has run since the upload.
    world
        .intune
        .sync_ade(&token_id, false)
        .await
        .map_err(|e| LabError::Spec(format!("initial ADE sync: {e}")))?;
    Ok(())
}
