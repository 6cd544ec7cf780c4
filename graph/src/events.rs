//! Graph `enrollmentTroubleshootingEvent` and its `deviceEnrollmentFailureReason` categories:
//! what the admin API serves at `deviceManagement/troubleshootingEvents` and what the bundle's
//! `enrollment-events.json` holds. One type for both, so writer and reader cannot drift.

use serde::{Deserialize, Serialize};

/// Graph `enrollmentTroubleshootingEvent`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnrollmentEvent {
    /// Graph id.
    #[serde(default)]
    pub id: String,
    /// When the failure happened (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_date_time: Option<String>,
    /// Correlation id of the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    /// The Graph id of the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The Entra device id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
    /// The Intune device id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_device_identifier: Option<String>,
    /// `iOS`...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operating_system: Option<String>,
    /// OS version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_version: Option<String>,
    /// Graph `deviceEnrollmentType` name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrollment_type: Option<String>,
    /// Why enrollment failed, in Graph's categories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_category: Option<FailureCategory>,
    /// The detailed reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
}

/// Graph `deviceEnrollmentFailureReason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FailureCategory {
    /// Failure reason unknown.
    Unknown,
    /// Authentication failed.
    Authentication,
    /// Authenticated but not authorized to enroll.
    Authorization,
    /// The account could not be validated (blocked, enrollment not enabled).
    AccountValidation,
    /// The user could not be validated (does not exist, no licence).
    UserValidation,
    /// The device is not supported for MDM.
    DeviceNotSupported,
    /// The account is in maintenance.
    InMaintenance,
    /// The client sent a request the service does not understand.
    BadRequest,
    /// A feature used by the enrollment is not supported for the account.
    FeatureNotSupported,
    /// Enrollment restrictions set by the admin blocked the enrollment.
    EnrollmentRestrictionsEnforced,
    /// The client timed out or the user aborted.
    ClientDisconnected,
    /// The user did not finish in time.
    UserAbandonment,
    /// A value this version does not know.
    #[serde(other)]
    Other,
}

impl FailureCategory {
    /// Graph's name of the category.
    pub fn name(self) -> &'static str {
        match self {
            FailureCategory::Unknown => "unknown",
            FailureCategory::Authentication => "authentication",
            FailureCategory::Authorization => "authorization",
            FailureCategory::AccountValidation => "accountValidation",
            FailureCategory::UserValidation => "userValidation",
            FailureCategory::DeviceNotSupported => "deviceNotSupported",
            FailureCategory::InMaintenance => "inMaintenance",
            FailureCategory::BadRequest => "badRequest",
            FailureCategory::FeatureNotSupported => "featureNotSupported",
            FailureCategory::EnrollmentRestrictionsEnforced => "enrollmentRestrictionsEnforced",
            FailureCategory::ClientDisconnected => "clientDisconnected",
            FailureCategory::UserAbandonment => "userAbandonment",
            FailureCategory::Other => "other",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_read_graph_names() {
        let e: EnrollmentEvent = serde_json::from_str(
            r#"{"id": "1", "failureCategory": "enrollmentRestrictionsEnforced", "failureReason": "x", "more": true}"#,
        )
        .unwrap();
        assert_eq!(
            e.failure_category,
            Some(FailureCategory::EnrollmentRestrictionsEnforced)
        );
        let odd: EnrollmentEvent =
            serde_json::from_str(r#"{"failureCategory": "somethingNew"}"#).unwrap();
        assert_eq!(odd.failure_category, Some(FailureCategory::Other));
    }
}
