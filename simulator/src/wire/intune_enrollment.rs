//! The JSON bodies of Intune's Company Portal enrollment API (`enrollment.manage.microsoft.com`,
//! `/enrollment/v1/...`), shared by the service that writes them and the Company Portal app
//! that reads them: eligibility, enrollment sessions, their progress, and the service's error
//! body (`errorCode`, `message`, `correlationId`) the app logs and turns into its screens.
//!
//! Fields are declared in the order they are written on the wire, so bodies stay
//! byte-identical whichever side writes them. Readers tolerate missing fields, except the eligibility request's, which
//! the service requires.

use serde::{Deserialize, Serialize};

use super::json_io::json_body;

/// The service's error body. Refusals that are logged as troubleshooting events carry the
/// event's correlation id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ServiceError {
    /// The code the app maps to a screen (`DeviceCapReached`...).
    pub error_code: String,
    /// The service's text.
    pub message: String,
    /// The troubleshooting event's correlation id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
}

json_body!(ServiceError, "enrollment service error");

/// `POST /enrollment/v1/eligibility`: what the app says about itself and the device. The
/// service refuses a body without the platform and the versions it judges.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EligibilityRequest {
    /// The app's version.
    pub company_portal_version: String,
    /// The product type (`iPhone15,2`).
    #[serde(default)]
    pub device_model: String,
    /// The OS version.
    pub os_version: String,
    /// `iOS` (or `iPadOS`).
    pub platform: String,
}

json_body!(EligibilityRequest, "eligibility request");

/// The answer to an eligible device.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Eligible {
    /// Always true in this answer.
    pub eligible: bool,
    /// How to enroll (`companyPortal`).
    pub enrollment_method: String,
}

json_body!(Eligible, "eligibility answer");

/// `POST /enrollment/v1/sessions`: the Entra device id from workplace join, if the app has one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SessionRequest {
    /// The registered device's id (`null` without one).
    pub azure_ad_device_id: Option<String>,
}

json_body!(SessionRequest, "session request");

/// A new session and where its management profile is downloaded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SessionCreated {
    /// The session's id, which the app polls.
    pub session_id: String,
    /// The profile link the app opens in Safari.
    pub profile_url: String,
}

json_body!(SessionCreated, "session created");

/// Progress of an enrollment session, as the Company Portal polls it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum SessionProgress {
    /// Profile not downloaded yet.
    Created,
    /// Profile downloaded.
    ProfileDownloaded,
    /// Device authenticated.
    Authenticated,
    /// Token received; waiting for the device to take its first commands.
    TokenReceived,
    /// Enrolled.
    Enrolled,
    /// Failed with a service error code.
    Failed {
        /// The code (`AccountNotOnboarded`...).
        #[serde(rename = "errorCode")]
        error_code: String,
    },
}

impl SessionProgress {
    /// The `state` the body names.
    pub fn state(&self) -> &'static str {
        match self {
            SessionProgress::Created => "created",
            SessionProgress::ProfileDownloaded => "profileDownloaded",
            SessionProgress::Authenticated => "authenticated",
            SessionProgress::TokenReceived => "tokenReceived",
            SessionProgress::Enrolled => "enrolled",
            SessionProgress::Failed { .. } => "failed",
        }
    }
}

/// `GET /enrollment/v1/sessions/<id>`: a session's progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionState {
    /// The session's id.
    pub session_id: String,
    /// How far it got.
    pub progress: SessionProgress,
}

json_body!(SessionState, "session state");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_names_its_state_as_the_body_does() {
        for progress in [
            SessionProgress::Created,
            SessionProgress::ProfileDownloaded,
            SessionProgress::Authenticated,
            SessionProgress::TokenReceived,
            SessionProgress::Enrolled,
            SessionProgress::Failed {
                error_code: "DeviceCapReached".into(),
            },
        ] {
            let body = SessionState {
                session_id: "s".into(),
                progress: progress.clone(),
            };
            let json: serde_json::Value = serde_json::from_slice(&body.to_json()).unwrap();
            assert_eq!(json["progress"]["state"], progress.state());
            assert_eq!(SessionState::from_json(&body.to_json()).unwrap(), body);
        }
    }

    #[test]
    fn error_bodies_omit_a_missing_correlation_id() {
        let error = ServiceError {
            error_code: "NotFound".into(),
            message: "No such enrollment session.".into(),
            correlation_id: None,
        };
        assert_eq!(
            String::from_utf8(error.to_json()).unwrap(),
            r#"{"errorCode":"NotFound","message":"No such enrollment session."}"#
        );
    }
}
