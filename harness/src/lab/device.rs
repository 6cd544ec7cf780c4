//! [`DeviceHandle`]: one device of a running lab, cheap to clone and `Send`, so that a fleet's
//! devices can act side by side from their own tokio tasks.

use std::collections::HashMap;
use std::sync::Arc;

use enrollsim_simulator::device::mdmclient::SessionEnd;
use enrollsim_simulator::device::{Credentials, Device, Outcome};

use crate::scenario::{Action, EnrollVia, UserSpec};

/// The spec's users, found by UPN without a scan: a fleet of 100,000 devices signs in 100,000
/// users.
pub(crate) struct Users {
    list: Vec<UserSpec>,
    /// Lower-case UPN to index in `list` (the first user with that UPN).
    by_upn: HashMap<String, usize>,
}

impl Users {
    pub(crate) fn new(list: Vec<UserSpec>) -> Users {
        let mut by_upn = HashMap::with_capacity(list.len());
        for (i, u) in list.iter().enumerate() {
            by_upn.entry(u.upn.to_lowercase()).or_insert(i);
        }
        Users { list, by_upn }
    }
}

impl std::ops::Deref for Users {
    type Target = Vec<UserSpec>;
    fn deref(&self) -> &Vec<UserSpec> {
        &self.list
    }
}

/// The credentials of `upn` among `users` (an empty password for a stranger).
pub(super) fn credentials_among(users: &Users, upn: &str) -> Credentials {
    let password = users
        .by_upn
        .get(&upn.to_lowercase())
        .map(|&i| users.list[i].password.clone())
        .unwrap_or_default();
    Credentials {
        upn: upn.to_string(),
        password,
    }
}

/// `device` runs the enrollment `action` names, as far as it goes.
pub(super) async fn enroll_device(device: &Device, users: &Users, action: &Action) -> Outcome {
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
    users: Arc<Users>,
}

impl std::fmt::Debug for DeviceHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceHandle")
            .field("serial", &self.device.serial())
            .finish_non_exhaustive()
    }
}

impl DeviceHandle {
    pub(super) fn new(device: Device, users: Arc<Users>) -> DeviceHandle {
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

    /// The UDID.
    pub fn udid(&self) -> String {
        self.device.spec().udid
    }

    /// mdmclient polls the MDM server (`Idle`) and answers whatever commands wait, as an
    /// enrolled device does when it checks in without having been pushed to.
    pub async fn check_in(&self) -> SessionEnd {
        self.device.command_session().await
    }

    /// If a push woke the device, mdmclient runs its command session; [`SessionEnd::NoPush`]
    /// otherwise.
    pub async fn handle_push(&self) -> SessionEnd {
        self.device.handle_push().await
    }

    /// The device goes idle and closes its connection to the MDM server (the next check-in
    /// connects again): an idle fleet holds no sockets.
    pub fn go_idle(&self) {
        self.device.close_connections();
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
