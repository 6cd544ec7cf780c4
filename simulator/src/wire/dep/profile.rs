//! The ADE profile (`POST /profile`, `GET /profile`) and the assign and remove bodies.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::DeviceStatus;
use crate::wire::json_io::json_body;

/// An ADE (DEP) profile as defined by the MDM server. Flags are optional on the wire; the
/// accessor methods apply Apple's defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepProfile {
    /// `profile_name` (1..=125 characters).
    pub profile_name: String,
    /// `url`: where the device posts `MachineInfo` to fetch the enrollment profile (https).
    pub url: String,
    /// `configuration_web_url`: the web-view variant (iOS 13+).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration_web_url: Option<String>,
    /// `allow_pairing` (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_pairing: Option<bool>,
    /// `is_supervised` (default false; iOS 13+ supervises every ADE device anyway).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_supervised: Option<bool>,
    /// `is_multi_user` (Shared iPad).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_multi_user: Option<bool>,
    /// `is_mandatory` (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_mandatory: Option<bool>,
    /// `await_device_configured` (default false): hold Setup Assistant until
    /// `DeviceConfigured`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub await_device_configured: Option<bool>,
    /// `is_mdm_removable` (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_mdm_removable: Option<bool>,
    /// `auto_advance_setup` (tvOS, macOS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_advance_setup: Option<bool>,
    /// `support_phone_number` (at most 50 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_phone_number: Option<String>,
    /// `support_email_address` (at most 250 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_email_address: Option<String>,
    /// `org_magic`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_magic: Option<String>,
    /// `department` (at most 125 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// `anchor_certs`: base64 DER certificates the device pins for `url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor_certs: Option<Vec<String>>,
    /// `supervising_host_certs`: base64 DER certificates of supervising hosts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervising_host_certs: Option<Vec<String>>,
    /// `skip_setup_items`: Setup Assistant panes to skip (see `schema::skip_keys`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_setup_items: Option<Vec<String>>,
    /// `language` (ISO 639-1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// `region` (ISO 3166-1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// `devices`: serials to assign on define.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub devices: Option<Vec<String>>,
}

impl DepProfile {
    /// A profile with a name and URL and every flag left to Apple's default.
    pub fn new(profile_name: impl Into<String>, url: impl Into<String>) -> DepProfile {
        DepProfile {
            profile_name: profile_name.into(),
            url: url.into(),
            configuration_web_url: None,
            allow_pairing: None,
            is_supervised: None,
            is_multi_user: None,
            is_mandatory: None,
            await_device_configured: None,
            is_mdm_removable: None,
            auto_advance_setup: None,
            support_phone_number: None,
            support_email_address: None,
            org_magic: None,
            department: None,
            anchor_certs: None,
            supervising_host_certs: None,
            skip_setup_items: None,
            language: None,
            region: None,
            devices: None,
        }
    }

    /// `allow_pairing`, default true.
    pub fn allows_pairing(&self) -> bool {
        self.allow_pairing.unwrap_or(true)
    }

    /// `is_supervised`, default false.
    pub fn supervised(&self) -> bool {
        self.is_supervised.unwrap_or(false)
    }

    /// `is_mandatory`, default false.
    pub fn mandatory(&self) -> bool {
        self.is_mandatory.unwrap_or(false)
    }

    /// `await_device_configured`, default false.
    pub fn awaits_device_configured(&self) -> bool {
        self.await_device_configured.unwrap_or(false)
    }

    /// `is_mdm_removable`, default true.
    pub fn mdm_removable(&self) -> bool {
        self.is_mdm_removable.unwrap_or(true)
    }
}

json_body!(DepProfile, "DEP profile");

/// `POST /profile` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefineProfileResponse {
    /// `profile_uuid` Apple assigned.
    pub profile_uuid: String,
    /// `devices`: outcome per serial listed in the profile.
    #[serde(default)]
    pub devices: BTreeMap<String, DeviceStatus>,
}

json_body!(DefineProfileResponse, "DEP define-profile response");

/// `POST /profile/devices` (assign) body. Both keys are required by Apple
/// (`PROFILE_UUID_REQUIRED`, `DEVICE_ID_REQUIRED`) and optional here so a service can answer
/// those errors itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignProfileRequest {
    /// `profile_uuid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_uuid: Option<String>,
    /// `devices`: serial numbers.
    #[serde(default)]
    pub devices: Vec<String>,
}

json_body!(AssignProfileRequest, "DEP assign-profile request");

/// `POST /profile/devices` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignProfileResponse {
    /// `profile_uuid`.
    pub profile_uuid: String,
    /// `devices`: outcome per serial.
    pub devices: BTreeMap<String, DeviceStatus>,
    /// `retry_after_seconds` when a device was `THROTTLED` (protocol version 10+).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<u64>,
}

json_body!(AssignProfileResponse, "DEP assign-profile response");

/// `DELETE /profile/devices` body; the answer is a
/// [`DeviceStatusesResponse`](super::DeviceStatusesResponse).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoveProfileRequest {
    /// `profile_uuid` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_uuid: Option<String>,
    /// `devices`: serial numbers.
    #[serde(default)]
    pub devices: Vec<String>,
}

json_body!(RemoveProfileRequest, "DEP remove-profile request");
