//! [`DeviceHandle`]: one device of a running lab, cheap to clone and `Send`, so that a fleet's
//! devices can act side by side from their own tokio tasks.

use std::sync::Arc;

use enrollsim_simulator::device::{Credentials, Device, Outcome};

use crate::scenario::{Action, EnrollVia, UserSpec};

/// The credentials of `upn` among `users` (an empty password for a stranger).
pub(super) fn credentials_among(users: &[UserSpec], upn: &str) -> Credentials {
    let password = users
        .iter()
        .find(|u| u.upn.eq_ignore_ascii_case(upn))
        .map(|u| u.password.clone())
        .unwrap_or_default();
    Credentials {
        upn: upn.to_string(),
        password,
    }
}

/// `device` runs the enrollment `action` names, as far as it goes.
pub(super) async fn enroll_device(device: &Device, users: &[UserSpec], action: &Action) -> Outcome {
    let credentials = credentials_among(users, &action.user);
    if let Some(delay) = action.install_profile_after {
        device.leave_next_profile_for(delay.duration());
    }
    match action.enroll {
        EnrollVia::CompanyPortal => device.enroll_with_company_portal(&credentials).await,
        EnrollVia::Safari => device.enroll_with_safari(&credentials).await,
        EnrollVia::Ade => device.activate(&credentials).await,
    }
}

/// One device of a running world.
///
/// Clone it and move the clone into a tokio task: the devices of a fleet act side by side,
/// each on its own clock, which starts at the world's time when the device is added. A device
/// does not wait for what other parties did meanwhile unless told to
/// ([`DeviceHandle::sync_clock`]), so a thousand users waiting a minute each take a minute of
/// the world's time, not a thousand.
#[derive(Clone)]
pub struct DeviceHandle {
    device: Device,
    users: Arc<Vec<UserSpec>>,
}

impl std::fmt::Debug for DeviceHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceHandle")
            .field("serial", &self.device.serial())
            .finish_non_exhaustive()
    }
}

impl DeviceHandle {
    pub(super) fn new(device: Device, users: Arc<Vec<UserSpec>>) -> DeviceHandle {
        DeviceHandle { device, users }
    }

    /// The user acts on this device: enrolls it the way `action` says, from the device's own
    /// time.
    #[must_use = "the outcome says whether the device enrolled"]
    pub async fn enroll(&self, action: &Action) -> Outcome {
        enroll_device(&self.device, &self.users, action).await
    }

    /// Brings the device's clock up to the world's: what it does next happens after
    /// everything the world has done so far. Call it on every device of a fleet before they
    /// act to have them start at one virtual moment.
    pub fn sync_clock(&self) {
        self.device.sync_clock();
    }

    /// The serial number.
    pub fn serial(&self) -> String {
        self.device.serial()
    }

    /// Whether the device is supervised (it enrolled through ADE).
    pub fn is_supervised(&self) -> bool {
        self.device.is_supervised()
    }

    /// The push topic of every MDM management profile installed on the device.
    pub fn management_topics(&self) -> Vec<String> {
        self.device
            .spec()
            .profiles
            .iter()
            .filter_map(|p| p.mdm.as_ref().map(|m| m.topic.clone()))
            .collect()
    }
}
