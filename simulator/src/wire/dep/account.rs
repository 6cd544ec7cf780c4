//! `GET /session` and `GET /account` bodies.

use serde::{Deserialize, Serialize};

use crate::wire::json_io::json_body;

/// The `/session` answer: the token every other call sends as `X-ADM-Auth-Session`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionResponse {
    /// `auth_session_token`.
    pub auth_session_token: String,
}

json_body!(SessionResponse, "DEP session response");

/// The `/account` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountDetail {
    /// `server_name`: the MDM server's name in Apple Business Manager.
    pub server_name: String,
    /// `server_uuid`.
    pub server_uuid: String,
    /// `admin_id`: the Apple ID that created the token.
    pub admin_id: String,
    /// `facilitator_id` (legacy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facilitator_id: Option<String>,
    /// `org_name`.
    pub org_name: String,
    /// `org_email`.
    pub org_email: String,
    /// `org_phone`.
    pub org_phone: String,
    /// `org_address`.
    pub org_address: String,
    /// `org_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    /// `org_id_hash`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_id_hash: Option<String>,
    /// `org_type`: `edu`, `org` or `tvprovider`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_type: Option<String>,
    /// `org_version`: `v1` or `v2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_version: Option<String>,
    /// `urls`: the endpoints and their limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urls: Option<Vec<AccountUrl>>,
}

json_body!(AccountDetail, "DEP account");

/// One entry of `urls`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountUrl {
    /// `uri`, e.g. `/server/devices`.
    pub uri: String,
    /// `http_method`, e.g. `["POST"]`.
    pub http_method: Vec<String>,
    /// `limit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<UrlLimit>,
}

/// Page-size limits of an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UrlLimit {
    /// `default` page size.
    pub default: u32,
    /// `maximum` page size.
    pub maximum: u32,
}
