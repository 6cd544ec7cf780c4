//! APNs provider API bodies (MDM server to Apple): the MDM push `{"mdm": "<PushMagic>"}`
//! and Apple's error body `{"reason", "timestamp"}` with every documented reason and its
//! HTTP status.
//!
//! Requests are `POST /3/device/<hex token>` over HTTP/2 with the MDM push certificate as
//! the TLS client certificate. Success is 200 with an empty body and an `apns-id` header.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::json_io::json_body;

/// The MDM wake-up push: the only key is `mdm`, holding the device's `PushMagic`. Decoding
/// rejects extra keys (an `aps` dictionary, say): an MDM push carries nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MdmPush {
    /// `mdm`: the `PushMagic` from the device's TokenUpdate.
    pub mdm: String,
}

impl MdmPush {
    /// A push for `push_magic`.
    pub fn new(push_magic: impl Into<String>) -> MdmPush {
        MdmPush {
            mdm: push_magic.into(),
        }
    }
}

json_body!(MdmPush, "APNs MDM push");

/// The request path for a device token: `/3/device/<lower-case hex>`.
pub fn device_path(token: &[u8]) -> String {
    let mut path = String::with_capacity(10 + token.len() * 2);
    path.push_str("/3/device/");
    for byte in token {
        path.push_str(&format!("{byte:02x}"));
    }
    path
}

/// Apple's error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApnsErrorBody {
    /// `reason`.
    pub reason: ApnsReason,
    /// `timestamp`: milliseconds since the Unix epoch when the token stopped being valid
    /// (410 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<i64>,
}

impl ApnsErrorBody {
    /// A body for `reason` without timestamp.
    pub fn new(reason: ApnsReason) -> ApnsErrorBody {
        ApnsErrorBody {
            reason,
            timestamp: None,
        }
    }

    /// The HTTP status Apple sends with this body.
    pub fn status(&self) -> u16 {
        self.reason.status()
    }
}

json_body!(ApnsErrorBody, "APNs error body");

macro_rules! apns_reasons {
    ($($(#[$doc:meta])* $name:ident = $status:literal,)*) => {
        /// An APNs failure `reason` (Apple, "Handling notification responses from APNs").
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum ApnsReason {
            $($(#[$doc])* $name,)*
        }

        impl ApnsReason {
            /// Every reason, in Apple's table order.
            pub const ALL: &'static [ApnsReason] = &[$(ApnsReason::$name,)*];

            /// The HTTP status Apple answers with.
            pub fn status(self) -> u16 {
                match self {
                    $(ApnsReason::$name => $status,)*
                }
            }

            /// The `reason` string.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ApnsReason::$name => stringify!($name),)*
                }
            }

            /// The reason named `text`, if Apple documents it.
            pub fn parse(text: &str) -> Option<ApnsReason> {
                match text {
                    $(stringify!($name) => Some(ApnsReason::$name),)*
                    _ => None,
                }
            }
        }
    };
}

apns_reasons! {
    /// The collapse identifier exceeds the maximum allowed size.
    BadCollapseId = 400,
    /// The device token is not valid for this environment or topic (often sandbox vs
    /// production: it hits every device at once).
    BadDeviceToken = 400,
    /// The `apns-expiration` value is bad.
    BadExpirationDate = 400,
    /// The `apns-id` value is bad.
    BadMessageId = 400,
    /// The `apns-priority` value is bad.
    BadPriority = 400,
    /// The `apns-topic` is invalid.
    BadTopic = 400,
    /// The device token does not match the topic.
    DeviceTokenNotForTopic = 400,
    /// A header was repeated.
    DuplicateHeaders = 400,
    /// Idle timeout (transient).
    IdleTimeout = 400,
    /// The `apns-push-type` value is invalid.
    InvalidPushType = 400,
    /// The device token is missing from the path.
    MissingDeviceToken = 400,
    /// The `apns-topic` header is missing and required.
    MissingTopic = 400,
    /// The message payload is empty.
    PayloadEmpty = 400,
    /// Pushing to this topic is not allowed.
    TopicDisallowed = 400,
    /// The certificate is invalid.
    BadCertificate = 403,
    /// The client certificate is for the wrong environment.
    BadCertificateEnvironment = 403,
    /// The provider token is stale.
    ExpiredProviderToken = 403,
    /// The action is not allowed.
    Forbidden = 403,
    /// The provider token is not valid.
    InvalidProviderToken = 403,
    /// No provider certificate or token was given.
    MissingProviderToken = 403,
    /// The key ID in the provider token is unrelated to the token's team.
    UnrelatedKeyIdInToken = 403,
    /// The key ID in the provider token does not match the environment.
    BadEnvironmentKeyIdInToken = 403,
    /// The request path is bad.
    BadPath = 404,
    /// Only POST is supported.
    MethodNotAllowed = 405,
    /// The device token has expired.
    ExpiredToken = 410,
    /// The device token is no longer active for the topic.
    Unregistered = 410,
    /// The payload is too large.
    PayloadTooLarge = 413,
    /// The provider token was updated too often.
    TooManyProviderTokenUpdates = 429,
    /// Too many requests to the same device token.
    TooManyRequests = 429,
    /// Apple's internal server error.
    InternalServerError = 500,
    /// The service is unavailable.
    ServiceUnavailable = 503,
    /// The APNs server is shutting down.
    Shutdown = 503,
}

impl ApnsReason {
    /// Whether the device token is dead (410): the only answer that means "stop pushing to
    /// this device".
    pub fn token_is_dead(self) -> bool {
        self.status() == 410
    }
}

impl fmt::Display for ApnsReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
