//! Graph `signIn` (`auditLogs/signIns`), as the admin API serves it.

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
}

/// Graph `signInStatus`; `failureReason` is `null` on success.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInStatus {
    /// 0 on success, otherwise the AADSTS number.
    #[serde(default)]
    pub error_code: u32,
    /// Why it failed.
    #[serde(default)]
    pub failure_reason: Option<String>,
}
