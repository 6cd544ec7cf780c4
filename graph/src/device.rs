//! Graph `managedDevice`, as the admin API serves it (`deviceManagement/managedDevices`,
//! `users/{id}/managedDevices`).

use serde::{Deserialize, Serialize};

use crate::tenant::ManagedDeviceView;

/// Graph `managedDevice` (the fields the lab keeps). The optional members are written as
/// `null` when unset, as Graph does.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedDevice {
    /// Intune device id.
    #[serde(default)]
    pub id: String,
    /// Device name.
    #[serde(default)]
    pub device_name: String,
    /// The user the device is enrolled for.
    #[serde(default)]
    pub user_principal_name: String,
    /// Serial number.
    #[serde(default)]
    pub serial_number: String,
    /// `iOS`.
    #[serde(default)]
    pub operating_system: String,
    /// OS version.
    #[serde(default)]
    pub os_version: String,
    /// Model (`iPhone15,2`).
    #[serde(default)]
    pub model: String,
    /// `personal` or `company`.
    #[serde(default)]
    pub managed_device_owner_type: String,
    /// `userEnrollment`, `appleBulkWithUser`...
    #[serde(default)]
    pub device_enrollment_type: String,
    /// When it enrolled (RFC 3339).
    #[serde(default)]
    pub enrolled_date_time: String,
    /// Last check-in (RFC 3339).
    #[serde(default)]
    pub last_sync_date_time: String,
    /// `managed`, `retirePending`...
    #[serde(default)]
    pub management_state: String,
    /// The Entra device id, when the device workplace-joined.
    #[serde(default, rename = "azureADDeviceId")]
    pub azure_ad_device_id: Option<String>,
    /// Why the last push to the device failed (enrollsim extension).
    #[serde(default)]
    pub last_push_failure: Option<String>,
}

impl From<ManagedDevice> for ManagedDeviceView {
    /// The fields of a device the bundle's tenant view keeps.
    fn from(d: ManagedDevice) -> Self {
        ManagedDeviceView {
            id: d.id,
            device_name: Some(d.device_name),
            serial_number: Some(d.serial_number),
            user_principal_name: Some(d.user_principal_name),
            operating_system: Some(d.operating_system),
            os_version: Some(d.os_version),
            managed_device_owner_type: Some(d.managed_device_owner_type),
            enrolled_date_time: Some(d.enrolled_date_time),
            management_state: Some(d.management_state),
            device_enrollment_type: Some(d.device_enrollment_type),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_members_are_null_not_absent() {
        let v = serde_json::to_value(ManagedDevice::default()).unwrap();
        assert!(v.get("azureADDeviceId").is_some_and(|v| v.is_null()));
        assert!(v.get("lastPushFailure").is_some_and(|v| v.is_null()));
    }
}
