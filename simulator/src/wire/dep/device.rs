//! Device records and the fetch, sync, details and disown bodies.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::wire::json_io::json_body;

/// `profile_status` of a device record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProfileStatus {
    /// No profile assigned.
    Empty,
    /// A profile is assigned; the device has not fetched it.
    Assigned,
    /// The device fetched its cloud configuration.
    Pushed,
    /// The assignment was removed.
    Removed,
}

/// `op_type` of a sync record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OpType {
    /// Added to the MDM server.
    Added,
    /// Changed (e.g. profile assigned).
    Modified,
    /// Removed from the MDM server.
    Deleted,
}

/// Per-serial outcome in define, assign, remove, disown and details answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DeviceStatus {
    /// Done.
    Success,
    /// Unknown serial, or one assigned to another MDM server.
    NotAccessible,
    /// Failed.
    Failed,
    /// Throttled; retry after `retry_after_seconds` (protocol version 10+).
    Throttled,
}

/// A device record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepDevice {
    /// `serial_number`.
    pub serial_number: String,
    /// `model`, e.g. `iPhone 15`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// `description`, e.g. `IPHONE 15 BLACK 128GB-USA`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `color`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    /// `asset_tag`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset_tag: Option<String>,
    /// `os`: `iOS`, `iPadOS`, `OSX`, `tvOS` or `visionOS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    /// `device_family`: `iPhone`, `iPad`, `Mac`, `AppleTV`, `iPod` or `Vision`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_family: Option<String>,
    /// `profile_status`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_status: Option<ProfileStatus>,
    /// `profile_uuid` of the assigned profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_uuid: Option<String>,
    /// `profile_assign_time`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub profile_assign_time: Option<OffsetDateTime>,
    /// `profile_push_time`: when the device fetched the cloud configuration.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub profile_push_time: Option<OffsetDateTime>,
    /// `device_assigned_date`: when the device was assigned to this MDM server.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub device_assigned_date: Option<OffsetDateTime>,
    /// `device_assigned_by`: who assigned it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_assigned_by: Option<String>,
    /// `mdm_migration_deadline`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub mdm_migration_deadline: Option<OffsetDateTime>,
    /// `op_type` (sync only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op_type: Option<OpType>,
    /// `op_date` (sync only).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub op_date: Option<OffsetDateTime>,
    /// `response_status` (details only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_status: Option<DeviceStatus>,
}

impl DepDevice {
    /// A record with only the serial number.
    pub fn new(serial_number: impl Into<String>) -> DepDevice {
        DepDevice {
            serial_number: serial_number.into(),
            model: None,
            description: None,
            color: None,
            asset_tag: None,
            os: None,
            device_family: None,
            profile_status: None,
            profile_uuid: None,
            profile_assign_time: None,
            profile_push_time: None,
            device_assigned_date: None,
            device_assigned_by: None,
            mdm_migration_deadline: None,
            op_type: None,
            op_date: None,
            response_status: None,
        }
    }
}

json_body!(DepDevice, "DEP device record");

/// `POST /server/devices` body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchDevicesRequest {
    /// `cursor` from the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// `limit`: page size (default 100, maximum 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

json_body!(FetchDevicesRequest, "DEP fetch request");

/// `POST /devices/sync` body. `cursor` is required by Apple (`CURSOR_REQUIRED`); it is
/// optional here so a service can answer that error itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncDevicesRequest {
    /// `cursor` from the last fetch or sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// `limit`: page size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

json_body!(SyncDevicesRequest, "DEP sync request");

/// The fetch and sync answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceListResponse {
    /// `cursor` for the next call.
    pub cursor: String,
    /// `devices` of this page.
    #[serde(default)]
    pub devices: Vec<DepDevice>,
    /// `fetched_until`: time of the newest record returned.
    #[serde(with = "time::serde::rfc3339")]
    pub fetched_until: OffsetDateTime,
    /// `more_to_follow`.
    pub more_to_follow: bool,
}

json_body!(DeviceListResponse, "DEP device list");

/// `POST /devices` (details) and `POST /devices/disown` body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceDetailsRequest {
    /// `devices`: serial numbers (empty is `DEVICE_ID_REQUIRED`).
    #[serde(default)]
    pub devices: Vec<String>,
}

json_body!(DeviceDetailsRequest, "DEP device list request");

/// `POST /devices` answer: a record per serial, `response_status` `NOT_ACCESSIBLE` for
/// unknown or foreign serials.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceDetailsResponse {
    /// `devices`: serial to record.
    pub devices: BTreeMap<String, DepDevice>,
}

json_body!(DeviceDetailsResponse, "DEP device details");

/// Per-serial outcomes: the disown and remove-profile answers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceStatusesResponse {
    /// `devices`: serial to outcome.
    pub devices: BTreeMap<String, DeviceStatus>,
}

json_body!(DeviceStatusesResponse, "DEP device statuses");

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn times_are_rfc3339_text_on_the_wire() {
        let mut d = DepDevice::new("F2LXK0ABCD12");
        d.op_date = Some(datetime!(2024-05-01 10:00:00.25 UTC));
        let json = String::from_utf8(d.to_json()).unwrap_or_default();
        assert!(
            json.contains(r#""op_date":"2024-05-01T10:00:00.25Z""#),
            "{json}"
        );
        assert!(!json.contains("profile_push_time"), "{json}");
        let read = DepDevice::from_json(
            br#"{"serial_number":"A","device_assigned_date":"2024-04-30T08:00:00Z"}"#,
        );
        assert_eq!(
            read.map(|d| d.device_assigned_date),
            Ok(Some(datetime!(2024-04-30 08:00 UTC)))
        );
        assert!(DepDevice::from_json(br#"{"serial_number":"A","op_date":"yesterday"}"#).is_err());
    }
}
