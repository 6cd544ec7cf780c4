//! A running lab: the simulated world built from a [`WorldSpec`], its device, and the hands
//! that act in it — the user enrolling, the admin calling the admin API over HTTPS, the
//! technician handling the device.

mod admin;
mod build;

use enrollsim_simulator::device::{Credentials, Device, Outcome};
use enrollsim_simulator::world::World;

pub use admin::AdminApi;

use crate::scenario::{Action, EnrollVia, ResolutionStep, UserSpec, WorldSpec};

/// Why the lab could not start or act.
#[derive(Debug, thiserror::Error)]
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
}

/// A running world with its device.
pub struct Lab {
    /// The world.
    pub world: World,
    /// The device.
    pub device: Device,
    users: Vec<UserSpec>,
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
        build::start(spec).await
    }

    /// The credentials of a user of the spec.
    pub fn credentials(&self, upn: &str) -> Credentials {
        let password = self
            .users
            .iter()
            .find(|u| u.upn.eq_ignore_ascii_case(upn))
            .map(|u| u.password.clone())
            .unwrap_or_default();
        Credentials {
            upn: upn.to_string(),
            password,
        }
    }

    /// The admin API, over HTTPS.
    pub fn admin(&self) -> AdminApi<'_> {
        AdminApi::new(&self.world)
    }

    /// The user acts: enrolls the device.
    pub async fn enroll(&self, action: &Action) -> Outcome {
        let credentials = self.credentials(&action.user);
        // One story: the user acts after everything that happened before.
        self.device.sync_clock();
        match action.enroll {
            EnrollVia::CompanyPortal => self.device.enroll_with_company_portal(&credentials).await,
            EnrollVia::Safari => self.device.enroll_with_safari(&credentials).await,
            EnrollVia::Ade => self.device.activate(&credentials).await,
        }
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
            ResolutionStep::RemoveManagementProfile => {
                self.device.remove_management_profiles().await;
                Ok(())
            }
            ResolutionStep::ReinstallCompanyPortal => {
                self.device.reinstall_company_portal();
                Ok(())
            }
            ResolutionStep::ClearSafariCookies => {
                self.device.clear_safari_cookies();
                Ok(())
            }
            ResolutionStep::RestoreAsNew => {
                self.device.restore_as_new();
                self.device.install_company_portal();
                Ok(())
            }
            ResolutionStep::SetCompanyPortalCloud { cloud } => {
                self.device.set_company_portal_cloud(*cloud);
                Ok(())
            }
            ResolutionStep::UseOtherNetwork => {
                self.device.use_other_network();
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
        }
    }
}
