//! The user's device list as the Company Portal website shows it (`company-portal-devices.json`).
//!
//! Why a part of its own: the website lists every device record the user has, including records
//! the admin center's device list does not show, and those count toward the device limit. No
//! Graph call returns what the website shows, so an admin gets it only from the user (a
//! screenshot, or the list copied out of the website's Devices page). It is optional: the
//! diagnosis reads it when present and asks for it when the case turns on it.

use serde::{Deserialize, Serialize};

/// One device tile of the Company Portal website's Devices page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PortalDevice {
    /// The device name the tile shows.
    #[serde(default)]
    pub device_name: String,
    /// The model the device details show (`iPhone`, `iPad`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// "Last contacted", as the device details show it (a date; RFC 3339 when transcribed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_contacted: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_transcribed_list() {
        let list: Vec<PortalDevice> = serde_json::from_str(
            r#"[{"deviceName": "Alex's iPhone", "lastContacted": "2026-01-02T00:00:00Z"}, {}]"#,
        )
        .unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].device_name, "Alex's iPhone");
        assert_eq!(list[1].model, None);
    }
}
