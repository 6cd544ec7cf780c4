//! The `com.apple.mdm` payload: where the device checks in, which push topic it listens on
//! and which identity it authenticates with.

use serde::{Deserialize, Serialize};

/// A `com.apple.mdm` payload (Apple's `mdm/profiles/com.apple.mdm.yaml`).
///
/// `Topic`, `ServerURL` and `CheckInURL` must not change when the payload is updated; a
/// device rejects a second MDM payload whose server differs from the installed one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MdmPayload {
    /// `PayloadIdentifier`.
    #[serde(rename = "PayloadIdentifier")]
    pub payload_identifier: String,
    /// `PayloadUUID`.
    #[serde(rename = "PayloadUUID")]
    pub payload_uuid: String,
    /// `PayloadVersion` (1).
    #[serde(rename = "PayloadVersion")]
    pub payload_version: i64,
    /// `PayloadDisplayName`.
    #[serde(rename = "PayloadDisplayName", skip_serializing_if = "Option::is_none")]
    pub payload_display_name: Option<String>,
    /// `PayloadDescription`.
    #[serde(rename = "PayloadDescription", skip_serializing_if = "Option::is_none")]
    pub payload_description: Option<String>,
    /// `PayloadOrganization`.
    #[serde(
        rename = "PayloadOrganization",
        skip_serializing_if = "Option::is_none"
    )]
    pub payload_organization: Option<String>,
    /// `IdentityCertificateUUID`: the `PayloadUUID` of the SCEP, ACME or PKCS#12 payload that
    /// gives the device its identity.
    #[serde(rename = "IdentityCertificateUUID")]
    pub identity_certificate_uuid: String,
    /// `Topic`: must begin with `com.apple.mgmt.` and equal the push certificate's UID.
    #[serde(rename = "Topic")]
    pub topic: String,
    /// `ServerURL` (https): where command results go.
    #[serde(rename = "ServerURL")]
    pub server_url: String,
    /// `CheckInURL` (https); defaults to `ServerURL`.
    #[serde(rename = "CheckInURL", skip_serializing_if = "Option::is_none")]
    pub check_in_url: Option<String>,
    /// `AccessRights`: bit flags 1..4096; 8191 grants everything.
    #[serde(rename = "AccessRights", skip_serializing_if = "Option::is_none")]
    pub access_rights: Option<i64>,
    /// `CheckOutWhenRemoved`: send CheckOut when the profile is removed.
    #[serde(
        rename = "CheckOutWhenRemoved",
        skip_serializing_if = "Option::is_none"
    )]
    pub check_out_when_removed: Option<bool>,
    /// `SignMessage`: add the `Mdm-Signature` header to every request.
    #[serde(rename = "SignMessage", skip_serializing_if = "Option::is_none")]
    pub sign_message: Option<bool>,
    /// `ServerCapabilities`, e.g. `com.apple.mdm.per-user-connections`.
    #[serde(rename = "ServerCapabilities", skip_serializing_if = "Option::is_none")]
    pub server_capabilities: Option<Vec<String>>,
    /// `UseDevelopmentAPNS`: use the sandbox push environment.
    #[serde(rename = "UseDevelopmentAPNS", skip_serializing_if = "Option::is_none")]
    pub use_development_apns: Option<bool>,
}

impl MdmPayload {
    /// The `PayloadType` of this payload.
    pub const PAYLOAD_TYPE: &'static str = "com.apple.mdm";
    /// `AccessRights` granting every right (1 | 2 | ... | 4096).
    pub const ALL_ACCESS_RIGHTS: i64 = 8191;
    /// The prefix every MDM push topic carries.
    pub const TOPIC_PREFIX: &'static str = "com.apple.mgmt.";

    /// An MDM payload with every access right and nothing else optional set.
    pub fn new(
        payload_identifier: impl Into<String>,
        payload_uuid: impl Into<String>,
        identity_certificate_uuid: impl Into<String>,
        topic: impl Into<String>,
        server_url: impl Into<String>,
    ) -> MdmPayload {
        MdmPayload {
            payload_identifier: payload_identifier.into(),
            payload_uuid: payload_uuid.into(),
            payload_version: 1,
            payload_display_name: None,
            payload_description: None,
            payload_organization: None,
            identity_certificate_uuid: identity_certificate_uuid.into(),
            topic: topic.into(),
            server_url: server_url.into(),
            check_in_url: None,
            access_rights: Some(Self::ALL_ACCESS_RIGHTS),
            check_out_when_removed: None,
            sign_message: None,
            server_capabilities: None,
            use_development_apns: None,
        }
    }

    /// Where check-in messages go: `CheckInURL`, or `ServerURL` when it is absent.
    pub fn effective_check_in_url(&self) -> &str {
        self.check_in_url.as_deref().unwrap_or(&self.server_url)
    }

    /// Whether `Topic` has the `com.apple.mgmt.` prefix Apple requires.
    pub fn topic_has_mgmt_prefix(&self) -> bool {
        self.topic.starts_with(Self::TOPIC_PREFIX)
    }

    /// Whether requests carry `Mdm-Signature` (`SignMessage`, default false).
    pub fn signs_messages(&self) -> bool {
        self.sign_message.unwrap_or(false)
    }

    /// Whether the device uses the development (sandbox) APNs (`UseDevelopmentAPNS`).
    pub fn uses_development_apns(&self) -> bool {
        self.use_development_apns.unwrap_or(false)
    }

    /// Whether the device sends CheckOut on removal (`CheckOutWhenRemoved`, default false).
    pub fn checks_out_when_removed(&self) -> bool {
        self.check_out_when_removed.unwrap_or(false)
    }

    /// Whether an update from `self` to `new` keeps what Apple forbids changing
    /// (`Topic`, `ServerURL`, `CheckInURL`); a device rejects the update otherwise.
    pub fn same_server_as(&self, new: &MdmPayload) -> bool {
        self.topic == new.topic
            && self.server_url == new.server_url
            && self.check_in_url == new.check_in_url
    }
}
