//! Graph `signIn` (`auditLogs/signIns`): the full record the admin API serves, and the subset
//! the bundle's `sign-ins.json` keeps (the same status type, so both read one shape).

use serde::{Deserialize, Serialize};

/// One sign-in (the fields the lab keeps).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignIn {
    /// When (RFC 3339).
    #[serde(default)]
    pub created_date_time: String,
    /// Who.
    #[serde(default)]
    pub user_principal_name: String,
    /// The application signed in to.
    #[serde(default)]
    pub app_display_name: String,
    /// The client type.
    #[serde(default)]
    pub client_app_used: String,
    /// The correlation id the client sent.
    #[serde(default)]
    pub correlation_id: String,
    /// The outcome.
    #[serde(default)]
    pub status: SignInStatus,
    /// `success`, `failure` or `notApplied`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditional_access_status: Option<String>,
    /// Every Conditional Access policy's outcome for this sign-in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applied_conditional_access_policies: Vec<AppliedConditionalAccessPolicy>,
}

/// Graph `appliedConditionalAccessPolicy`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppliedConditionalAccessPolicy {
    /// The policy's id.
    #[serde(default)]
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub display_name: String,
    /// `success`, `failure`, `notApplied`, `notEnabled`, `reportOnlySuccess`...
    #[serde(default)]
    pub result: String,
    /// The grant controls it enforced (`Mfa`, `Block`, `RequireCompliantDevice`).
    #[serde(default)]
    pub enforced_grant_controls: Vec<String>,
}

/// Graph `signIn` as the bundle's `sign-ins.json` keeps it (the fields used).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInRecord {
    /// When (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_date_time: Option<String>,
    /// Who.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_principal_name: Option<String>,
    /// The application signed in to, e.g. `Microsoft Intune Enrollment`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_display_name: Option<String>,
    /// The client type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_app_used: Option<String>,
    /// The outcome.
    #[serde(default)]
    pub status: SignInStatus,
    /// `success`, `failure` or `notApplied`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditional_access_status: Option<String>,
    /// Every Conditional Access policy's outcome for this sign-in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applied_conditional_access_policies: Vec<AppliedConditionalAccessPolicy>,
}

/// Graph `signInStatus`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInStatus {
    /// 0 on success, otherwise the AADSTS number (50076 for `AADSTS50076`).
    #[serde(default)]
    pub error_code: i64,
    /// The reason, as Entra ID words it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_status_reads() {
        let s: SignInRecord =
            serde_json::from_str(r#"{"userPrincipalName": "a@b", "status": {"errorCode": 50076}}"#)
                .unwrap();
        assert_eq!(s.status.error_code, 50076);
    }
}
