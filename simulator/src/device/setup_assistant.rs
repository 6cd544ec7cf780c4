//! Setup Assistant: activation of an Automated Device Enrollment device.

use super::{Credentials, Device, Outcome};

impl Device {
    /// Turns the device on and goes through Setup Assistant, signing in as `user` if the
    /// enrollment profile asks for it.
    pub async fn activate(&self, _user: &Credentials) -> Outcome {
        Outcome::NotManaged {
            detail: "Automated Device Enrollment is not simulated yet".into(),
        }
    }
}
