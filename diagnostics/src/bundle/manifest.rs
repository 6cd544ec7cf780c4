//! The manifest (`bundle.json`): what the user reported, the device, and where the other parts
//! live. It is the only required file of a bundle, so its types are tolerant: every field but
//! `format` may be absent, and unknown values of the small enums read as `Other`.

use serde::{Deserialize, Serialize};

/// The format identifier written to and expected in `bundle.json`.
pub const FORMAT: &str = "enrollsim-evidence/1";

/// The manifest of an evidence bundle (`bundle.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// When the evidence was collected (RFC 3339, UTC). Dates are judged relative to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collected_at: Option<String>,
    /// What the user reported seeing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_report: Option<UserReport>,
    /// How the device was being enrolled; absent when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrollment_type: Option<EnrollmentType>,
    /// Facts about the device and its user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<DeviceFacts>,
    /// Where the optional parts live, relative to the bundle directory.
    #[serde(default)]
    pub files: FileMap,
}

impl Default for Manifest {
    fn default() -> Self {
        Manifest {
            format: FORMAT.to_string(),
            collected_at: None,
            user_report: None,
            enrollment_type: None,
            device: None,
            files: FileMap::default(),
        }
    }
}

/// What the user reported: the message as they typed it, where it appeared, in which language.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserReport {
    /// Free text as reported: any case, punctuation, partial, English or Italian; may be empty.
    #[serde(default)]
    pub message: String,
    /// Where the message appeared; `None` when not reported.
    #[serde(rename = "where", default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// The device language as a BCP 47 tag (`en-US`, `it-IT`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Whom the failure hits, as the article's first questions ask: every user, only some,
    /// or one; `None` when not asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affected_users: Option<AffectedUsers>,
}

/// The user's answer to "does it happen to all users or only some?".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum AffectedUsers {
    /// Every user who tries.
    All,
    /// Some users; others enroll.
    Some,
    /// Only the one user (nobody else has tried, or others enroll).
    One,
}

/// Where a message appeared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Location {
    /// The Company Portal app.
    CompanyPortal,
    /// The Settings app, while installing a profile.
    Settings,
    /// Setup Assistant, during Automated Device Enrollment.
    SetupAssistant,
    /// The Company Portal website in Safari.
    Safari,
    /// The Microsoft sign-in page.
    SignIn,
    /// Nothing was shown.
    #[serde(rename = "none")]
    NotShown,
    /// A value this version does not know.
    #[serde(other)]
    Other,
}

impl Location {
    /// The identifier used in `bundle.json`.
    pub fn id(self) -> &'static str {
        match self {
            Location::CompanyPortal => "company-portal",
            Location::Settings => "settings",
            Location::SetupAssistant => "setup-assistant",
            Location::Safari => "safari",
            Location::SignIn => "sign-in",
            Location::NotShown => "none",
            Location::Other => "other",
        }
    }
}

/// How the device was being enrolled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EnrollmentType {
    /// Bring your own device: Company Portal app or website, user-initiated.
    Byod,
    /// Apple Automated Device Enrollment (Setup Assistant, corporate-owned).
    Ade,
    /// A value this version does not know.
    #[serde(other)]
    Other,
}

/// Facts about the device and its user, as the admin or the user can read them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceFacts {
    /// `iOS` or `iPadOS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// The OS version, e.g. `17.5`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_version: Option<String>,
    /// The model identifier, e.g. `iPhone15,2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// The serial number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<String>,
    /// The installed Company Portal version, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_portal_version: Option<String>,
    /// The user who was enrolling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_principal_name: Option<String>,
}

/// Where the optional parts live, relative to the bundle directory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileMap {
    /// The iOS console log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_log: Option<String>,
    /// The Company Portal log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_portal_log: Option<String>,
    /// The tenant's admin view.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// The enrollment troubleshooting events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrollment_events: Option<String>,
    /// The Entra ID sign-ins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_ins: Option<String>,
    /// The user's device list as the Company Portal website shows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_portal_devices: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_reads_the_documented_example() {
        let json = r#"{
          "format": "enrollsim-evidence/1",
          "collected_at": "2026-11-26T10:40:00Z",
          "user_report": {"message": "Device Cap Reached", "where": "company-portal", "language": "en-US"},
          "enrollment_type": "byod",
          "device": {"platform": "iOS", "serial_number": "X1"},
          "files": {"device_log": "device.log"},
          "extra": 1
        }"#;
        let m: Manifest = serde_json::from_str(json).unwrap();
        let report = m.user_report.unwrap();
        assert_eq!(report.location, Some(Location::CompanyPortal));
        assert_eq!(m.enrollment_type, Some(EnrollmentType::Byod));
        assert_eq!(m.files.device_log.as_deref(), Some("device.log"));
    }

    #[test]
    fn unknown_enum_values_read_as_other() {
        let json = r#"{"format": "enrollsim-evidence/1", "user_report": {"message": "", "where": "lock-screen"}, "enrollment_type": "apple-configurator"}"#;
        let m: Manifest = serde_json::from_str(json).unwrap();
        assert_eq!(m.user_report.unwrap().location, Some(Location::Other));
        assert_eq!(m.enrollment_type, Some(EnrollmentType::Other));
    }

    #[test]
    fn none_location_serializes_as_none() {
        let r = UserReport {
            affected_users: None,
            message: String::new(),
            location: Some(Location::NotShown),
            language: None,
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"message":"","where":"none"}"#
        );
    }
}
