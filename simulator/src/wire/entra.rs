//! Microsoft Entra ID's JSON bodies, shared by the service that writes them and the clients
//! that read them (the device's apps, and Intune signing a Setup Assistant user in).
//!
//! - The token endpoint (`/oauth2/v2.0/token`): the success body and the OAuth error body with
//!   Entra's AADSTS fields (Microsoft identity platform, "Error codes":
//!   <https://learn.microsoft.com/entra/identity-platform/reference-error-codes>).
//! - Device registration (`/EnrollmentServer/device/`, workplace join): the request a client
//!   sends ([MS-DVRJ] 3.1.5.1.1.1, "Request Body"), the answer and the service's error body.
//!
//! Fields are declared in the order the bodies are written on the wire (alphabetical for the
//! bodies Entra writes), so a body read and written again is byte-identical. Readers accept a
//! body with fields missing, as clients do: every field has a default.

use serde::{Deserialize, Serialize};

use super::json_io::json_body;

/// The token endpoint's answer to a granted request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TokenResponse {
    /// The bearer token.
    pub access_token: String,
    /// Seconds until it expires.
    pub expires_in: u32,
    /// Seconds until it expires when the service is degraded.
    pub ext_expires_in: u32,
    /// The scope granted.
    pub scope: String,
    /// Always `Bearer`.
    pub token_type: String,
}

json_body!(TokenResponse, "token response");

/// The token endpoint's error body: OAuth's `error` and `error_description`, plus Entra's
/// AADSTS code list, trace and correlation ids.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TokenError {
    /// The request's correlation id (the client's `client-request-id`, when it sent one).
    pub correlation_id: String,
    /// OAuth's error (`invalid_grant`, `interaction_required`...).
    pub error: String,
    /// The AADSTS numbers.
    pub error_codes: Vec<u32>,
    /// `AADSTS<code>: <text>` then trace id, correlation id and timestamp lines (CRLF).
    pub error_description: String,
    /// Where the code is explained.
    pub error_uri: String,
    /// When, RFC 3339.
    pub timestamp: String,
    /// The service's trace id.
    pub trace_id: String,
}

json_body!(TokenError, "token error");

impl TokenError {
    /// The first line of the description: `AADSTS50076: <text>`.
    pub fn first_line(&self) -> &str {
        self.error_description.lines().next().unwrap_or("")
    }

    /// `AADSTS50076`, as the first line starts.
    pub fn aadsts(&self) -> &str {
        self.first_line().split(':').next().unwrap_or("")
    }

    /// The first AADSTS number, 0 when there is none.
    pub fn code(&self) -> u32 {
        self.error_codes.first().copied().unwrap_or(0)
    }
}

/// An OAuth error without AADSTS details (an endpoint that does not exist).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OAuthError {
    /// The error.
    pub error: String,
    /// What went wrong.
    pub error_description: String,
}

json_body!(OAuthError, "OAuth error");

/// A device registration (join) request, as the Company Portal sends it for workplace join.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeviceRegistrationRequest {
    /// The device's name.
    #[serde(rename = "DeviceDisplayName")]
    pub device_display_name: String,
    /// The OS family (`iOS`).
    #[serde(rename = "DeviceType")]
    pub device_type: String,
    /// The kind of join: 4 is "Azure AD register" (workplace join).
    #[serde(rename = "JoinType")]
    pub join_type: u32,
    /// The OS version.
    #[serde(rename = "OSVersion")]
    pub os_version: String,
    /// The base64 public half of the key pair the app keeps in its keychain.
    #[serde(rename = "TransportKey")]
    pub transport_key: String,
}

json_body!(DeviceRegistrationRequest, "device registration request");

/// The join type of a workplace join ("Azure AD register").
pub const JOIN_TYPE_REGISTER: u32 = 4;

/// The registered device's user, in a registration answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegisteredUser {
    /// The user's object id.
    #[serde(rename = "ObjectId")]
    pub object_id: String,
}

/// The answer to a registration: the new device object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeviceRegistrationResponse {
    /// The Entra device id.
    #[serde(rename = "DeviceId")]
    pub device_id: String,
    /// Whose device it is.
    #[serde(rename = "User")]
    pub user: RegisteredUser,
}

json_body!(DeviceRegistrationResponse, "device registration response");

/// Device registration's refusal: a code, a subcode naming the check, and a message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegistrationError {
    /// `invalid_request`, `unauthorized`...
    pub code: String,
    /// What the service says.
    pub message: String,
    /// The check that refused (`error_missing_transport_key`...).
    pub subcode: String,
}

json_body!(RegistrationError, "device registration error");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_keep_their_wire_order() {
        let request = DeviceRegistrationRequest {
            device_display_name: "iPad".into(),
            device_type: "iOS".into(),
            join_type: JOIN_TYPE_REGISTER,
            os_version: "17.5".into(),
            transport_key: "a2V5".into(),
        };
        assert_eq!(
            String::from_utf8(request.to_json()).unwrap(),
            r#"{"DeviceDisplayName":"iPad","DeviceType":"iOS","JoinType":4,"OSVersion":"17.5","TransportKey":"a2V5"}"#
        );
        let error = TokenError {
            error_description: "AADSTS50076: MFA.\r\nTrace ID: x".into(),
            error_codes: vec![50076],
            ..TokenError::default()
        };
        assert_eq!(error.aadsts(), "AADSTS50076");
        assert_eq!(error.first_line(), "AADSTS50076: MFA.");
        assert_eq!(error.code(), 50076);
        let read = TokenError::from_json(&error.to_json()).unwrap();
        assert_eq!(read, error);
    }

    #[test]
    fn a_reader_accepts_missing_fields() {
        let answer = DeviceRegistrationResponse::from_json(br#"{"DeviceId":"d"}"#).unwrap();
        assert_eq!(answer.device_id, "d");
        assert!(TokenResponse::from_json(b"\"token\"").is_err());
    }
}
