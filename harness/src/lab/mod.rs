//! A running lab: the simulated world built from a [`WorldSpec`], its devices, and the hands
//! that act in it — the users enrolling, the admin calling the admin API over HTTPS, the
//! technician handling a device.
//!
//! This is the harness's lower level: its fields reach into the simulator for the tests that
//! speak the wire protocols themselves. The `enrollsim` crate wraps it in its `World`, which
//! keeps these internals private.

mod abm;
mod adfs;
mod admin;
mod build;
mod device;
mod directory;
mod entra_build;
mod faults;
mod history;

use std::sync::Arc;

use enrollsim_simulator::device::{Credentials, Device, Outcome};
use enrollsim_simulator::rng::SeededRng;
use enrollsim_simulator::world::World;

pub use admin::AdminApi;
pub use device::DeviceHandle;
use device::{credentials_among, enroll_device};

use crate::scenario::{Action, AdeSpec, DeviceSetup, ResolutionStep, WorldSpec};

/// Why the lab could not start or act.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LabError {
    /// The world did not start.
    #[error("cannot start the world: {0}")]
    World(#[from] enrollsim_simulator::world::WorldError),
    /// The spec is inconsistent.
    #[error("invalid world: {0}")]
    Spec(String),
    /// An admin API call failed.
    #[error("admin API {method} {path} answered {status}: {body}")]
    Admin {
        /// Method.
        method: String,
        /// Path.
        path: String,
        /// Status (0 when no response came).
        status: u16,
        /// Body or transport error.
        body: String,
    },
    /// A certificate could not be issued.
    #[error("lab PKI: {0}")]
    Certificates(#[from] enrollsim_certs::CertError),
    /// A step of the world's history did not go as it should.
    #[error("history step {step} did not complete: {detail}")]
    History {
        /// The step's index.
        step: usize,
        /// What happened instead.
        detail: String,
    },
    /// A history step whose flow (an admin API) the simulator does not serve yet.
    #[error("history step {verb} is not supported yet")]
    Unsupported {
        /// The step's `do` verb.
        verb: &'static str,
    },
}

/// A running world with its device.
pub struct Lab {
    /// The world.
    pub world: World,
    /// The device of the spec.
    pub device: Device,
    /// Its id, which actions name it by.
    device_id: String,
    /// The spec's further devices, by id.
    others: Vec<(String, Device)>,
    /// The users of the spec, shared with every device handle (their passwords).
    users: Arc<device::Users>,
    /// The tenant's ADE setup: devices added later join Apple Business Manager as the spec's
    /// device did.
    ade: Option<AdeSpec>,
    /// The stream identifiers the spec leaves open come from; devices added later draw theirs
    /// from it too, after the spec's.
    ids: SeededRng,
}

impl std::fmt::Debug for Lab {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lab")
            .field("device", &self.device)
            .finish_non_exhaustive()
    }
}

impl Lab {
    /// Starts the world `spec` describes and replays its history.
    pub async fn start(spec: &WorldSpec) -> Result<Lab, LabError> {
        let lab = build::start(spec).await?;
        history::replay(&lab, &spec.history).await?;
        // What happened before the run is the world's past, not the run's timeline.
        lab.world.recorder.drain();
        lab.device.forget_shown_messages();
        for (_, device) in &lab.others {
            device.forget_shown_messages();
        }
        Ok(lab)
    }

    /// Starts the world `spec` describes with its virtual clock at the current UTC time (whole
    /// seconds) instead of `spec.start`, so that clients judging certificates by the system
    /// clock accept the services' certificates on any date. Settings relative to the start
    /// (push certificate dates, history) keep their meaning.
    pub async fn start_now(spec: &WorldSpec) -> Result<Lab, LabError> {
        let mut spec = spec.clone();
        spec.start = time::OffsetDateTime::now_utc().truncate_to_second();
        let lab = Lab::start(&spec).await?;
        // A history that advanced the virtual clock leaves it ahead of the system clock, by
        // which outside clients judge: the services' next leaves cover both.
        lab.world.serve_clients_on_system_clock();
        Ok(lab)
    }

    /// The credentials of a user of the spec.
    pub fn credentials(&self, upn: &str) -> Credentials {
        credentials_among(&self.users, upn)
    }

    /// The admin API, over HTTPS.
    pub fn admin(&self) -> AdminApi<'_> {
        AdminApi::new(&self.world)
    }

    /// A `GET` on the admin API over HTTPS; the JSON answer.
    pub async fn admin_get(&self, path: &str) -> Result<serde_json::Value, LabError> {
        self.admin().call(hyper::Method::GET, path, None).await
    }

    /// The spec's device, as a handle.
    pub fn device_handle(&self) -> DeviceHandle {
        DeviceHandle::new(self.device.clone(), self.users.clone())
    }

    /// Adds a device to the running world, switched on now (see [`DeviceHandle`]). A serial
    /// number or UDID `setup` leaves open is made up from the seed. In a tenant with ADE whose
    /// spec assigns its device, Apple Business Manager holds the new device too, assigned to
    /// Intune's MDM server (Intune imports it at its next sync).
    pub fn add_device(&self, setup: &DeviceSetup) -> Result<DeviceHandle, LabError> {
        let (serial, udid) = build::device_ids(setup, &self.ids);
        build::register_added_device(&self.world, self.ade.as_ref(), setup, &serial)?;
        let spec = build::device_spec(setup, serial, udid, &self.users, &self.ids);
        Ok(DeviceHandle::new(
            self.world.device(spec),
            self.users.clone(),
        ))
    }

    /// The device of the spec with id `id`: `world.device` (by its id, or
    /// [`DEFAULT_DEVICE`](crate::scenario::DEFAULT_DEVICE))
    /// or one of `world.devices`.
    pub fn device_by_id(&self, id: &str) -> Option<&Device> {
        if let Some((_, device)) = self.others.iter().find(|(other, _)| other == id) {
            return Some(device);
        }
        (id == self.device_id).then_some(&self.device)
    }

    /// The device `action` acts on: the one it names, else the spec's device.
    pub fn acting_device(&self, action: &Action) -> Option<&Device> {
        match action.device.as_deref() {
            None => Some(&self.device),
            Some(id) => self.device_by_id(id),
        }
    }

    /// The device of the spec with id `id`, as a handle.
    pub fn device_handle_by_id(&self, id: &str) -> Option<DeviceHandle> {
        self.device_by_id(id)
            .map(|d| DeviceHandle::new(d.clone(), self.users.clone()))
    }

    /// The user acts on the device the action names (the spec's device when it names none):
    /// enrolls it, after everything that happened before. An id the spec does not have is
    /// refused at load; here it ends as the device not being managed, with no device to act.
    #[must_use = "the outcome says whether the device enrolled"]
    pub async fn enroll(&self, action: &Action) -> Outcome {
        let Some(device) = self.acting_device(action) else {
            return Outcome::NotManaged {
                detail: format!("the world has no device {:?}", action.device),
            };
        };
        // One story: the user acts after everything that happened before.
        device.sync_clock();
        enroll_device(device, &self.users, action).await
    }

    /// Carries out one resolution step, through the admin API or on the device.
    pub async fn apply(&self, step: &ResolutionStep) -> Result<(), LabError> {
        let admin = self.admin();
        self.device.sync_clock();
        match step {
            ResolutionStep::AssignLicense { user, sku } => admin.assign_license(user, sku).await,
            ResolutionStep::AllowPersonallyOwnedDevices { user } => {
                admin
                    .patch_user_platform_restriction(user, |r| {
                        r.personal_device_enrollment_blocked = false
                    })
                    .await
            }
            ResolutionStep::AllowIosPlatform { user } => {
                admin
                    .patch_user_platform_restriction(user, |r| r.platform_blocked = false)
                    .await
            }
            ResolutionStep::SetDeviceLimit { user, limit } => {
                admin.set_user_device_limit(user, *limit).await
            }
            ResolutionStep::DeleteStaleDevices { user, count } => {
                admin
                    .delete_stale_devices(user, &self.device.serial(), *count)
                    .await
            }
            ResolutionStep::RenewApnsCertificate => admin.renew_apns_certificate().await,
            ResolutionStep::ReplaceApnsCertificate | ResolutionStep::UploadApnsCertificate => {
                admin.upload_new_apns_certificate().await
            }
            ResolutionStep::DisableMfa { user } => admin.disable_mfa(user).await,
            ResolutionStep::RemoveManagementProfile
            | ResolutionStep::ReinstallCompanyPortal
            | ResolutionStep::ClearSafariCookies
            | ResolutionStep::RestoreAsNew
            | ResolutionStep::SetCompanyPortalCloud { .. }
            | ResolutionStep::UseOtherNetwork
            | ResolutionStep::UpdateOs { .. } => {
                self.apply_on_device(step).await;
                Ok(())
            }
            ResolutionStep::EditEnrollmentProfile { profile } => {
                admin.edit_enrollment_profile(profile, None).await
            }
            ResolutionStep::SetEnrollmentProfileAuthentication { profile, method } => {
                admin.edit_enrollment_profile(profile, Some(*method)).await
            }
            ResolutionStep::SyncAdeToken => admin.sync_ade_tokens().await,
            ResolutionStep::WaitHours { hours } => {
                self.world.clock.advance(time::Duration::hours(*hours));
                self.world.intune.run_due_syncs().await;
                Ok(())
            }
            ResolutionStep::Wait { by } => {
                self.world.clock.advance(by.duration());
                self.world.intune.run_due_syncs().await;
                Ok(())
            }
            ResolutionStep::EnableWsTrustEndpoint => adfs::enable_ws_trust_endpoint(self),
            other => match abm::apply(self, other).await {
                Some(done) => done,
                None => admin.apply_directory_step(other).await.unwrap_or_else(|| {
                    Err(LabError::Spec(format!(
                        "{other:?} is not a step the lab can carry out"
                    )))
                }),
            },
        }
    }

    /// A technician's step on the device itself (Settings, the App Store, recovery mode).
    async fn apply_on_device(&self, step: &ResolutionStep) {
        match step {
            ResolutionStep::RemoveManagementProfile => {
                self.device.remove_management_profiles().await;
            }
            ResolutionStep::ReinstallCompanyPortal => {
                self.device.reinstall_company_portal();
            }
            ResolutionStep::ClearSafariCookies => {
                self.device.clear_safari_cookies();
            }
            ResolutionStep::RestoreAsNew => {
                self.device.restore_as_new();
                self.device.install_company_portal();
            }
            ResolutionStep::SetCompanyPortalCloud { cloud } => {
                self.device.set_company_portal_cloud(*cloud);
            }
            ResolutionStep::UseOtherNetwork => {
                self.device.use_other_network();
            }
            ResolutionStep::UpdateOs { version, build } => {
                self.device.update_os(version, build);
            }
            // `apply` sends only the steps above here.
            _ => {}
        }
    }
}
