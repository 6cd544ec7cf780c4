//! The error tokens of the DEP API and the three body shapes Apple sends them in: a bare
//! token (`EXPIRED_CURSOR`), a JSON string (`"EXPIRED_CURSOR"`), or a JSON object with
//! `code` or `error`. Clients must accept all three.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::wire::WireError;

macro_rules! dep_error_codes {
    ($($(#[$doc:meta])* $name:ident = $token:literal, $status:literal;)*) => {
        /// A DEP API error token.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum DepErrorCode {
            $($(#[$doc])* $name,)*
            /// A token Apple may send that enrollsim does not name.
            Other(String),
        }

        impl DepErrorCode {
            /// Every named token.
            pub const ALL: &'static [DepErrorCode] = &[$(DepErrorCode::$name,)*];

            /// The token, e.g. `EXPIRED_CURSOR`.
            pub fn as_str(&self) -> &str {
                match self {
                    $(DepErrorCode::$name => $token,)*
                    DepErrorCode::Other(token) => token,
                }
            }

            /// The code for `token` (`Other` when enrollsim does not name it).
            pub fn parse(token: &str) -> DepErrorCode {
                match token {
                    $($token => DepErrorCode::$name,)*
                    other => DepErrorCode::Other(other.to_owned()),
                }
            }

            /// The HTTP status Apple usually sends with the token. `NOT_FOUND` is 400 on
            /// `GET /profile` but 404 on assign; pick per endpoint there.
            pub fn typical_status(&self) -> u16 {
                match self {
                    $(DepErrorCode::$name => $status,)*
                    DepErrorCode::Other(_) => 400,
                }
            }
        }
    };
}

dep_error_codes! {
    /// The cursor is older than 7 days.
    ExpiredCursor = "EXPIRED_CURSOR", 400;
    /// The cursor is not one Apple issued.
    InvalidCursor = "INVALID_CURSOR", 400;
    /// The cursor has no more data (fetch).
    ExhaustedCursor = "EXHAUSTED_CURSOR", 400;
    /// Sync was called without a cursor.
    CursorRequired = "CURSOR_REQUIRED", 400;
    /// The body is not valid JSON for the endpoint.
    MalformedRequestBody = "MALFORMED_REQUEST_BODY", 400;
    /// The request lists no serial numbers.
    DeviceIdRequired = "DEVICE_ID_REQUIRED", 400;
    /// The request has no profile UUID.
    ProfileUuidRequired = "PROFILE_UUID_REQUIRED", 400;
    /// The profile UUID is unknown.
    NotFound = "NOT_FOUND", 400;
    /// `/session`: the token is not allowed.
    AccessDenied = "ACCESS_DENIED", 403;
    /// `/session`: new terms and conditions must be accepted in Apple Business Manager.
    TermsNotSigned = "T_C_NOT_SIGNED", 403;
    /// The session is not allowed for this call.
    Forbidden = "FORBIDDEN", 403;
    /// The server token expired (status unverified).
    ExpiredToken = "EXPIRED_TOKEN", 403;
    /// The session token is not valid; authenticate again.
    Unauthorized = "UNAUTHORIZED", 401;
    /// The `User-Agent` header is missing.
    UserAgentMissing = "USER_AGENT_MISSING", 400;
    /// The `User-Agent` header is not accepted.
    UserAgentInvalid = "USER_AGENT_INVALID", 400;
    /// Define: `profile_name` is missing.
    ConfigNameRequired = "CONFIG_NAME_REQUIRED", 400;
    /// Define: `profile_name` is empty or longer than 125 characters.
    ConfigNameInvalid = "CONFIG_NAME_INVALID", 400;
    /// Define: `url` is missing.
    ConfigUrlRequired = "CONFIG_URL_REQUIRED", 400;
    /// Define: `url` (or `configuration_web_url`) is not https.
    ConfigUrlInvalid = "CONFIG_URL_INVALID", 400;
    /// Define: a department is required (depsim scripts it).
    ConfigDepartmentRequired = "CONFIG_DEPARTMENT_REQUIRED", 400;
    /// Define: a support phone is required (depsim scripts it).
    ConfigSupportPhoneRequired = "CONFIG_SUPPORT_PHONE_REQUIRED", 400;
    /// Define: `department` is longer than 125 characters.
    DepartmentInvalid = "DEPARTMENT_INVALID", 400;
    /// Define: an unsupervised profile that cannot be removed.
    FlagsInvalid = "FLAGS_INVALID", 400;
    /// Define: `language` or `region` is not valid.
    LocaleInvalid = "LOCALE_INVALID", 400;
    /// Define: `org_magic` is not valid.
    MagicInvalid = "MAGIC_INVALID", 400;
    /// Define: `support_email_address` is longer than 250 characters.
    SupportEmailInvalid = "SUPPORT_EMAIL_INVALID", 400;
    /// Define: `support_phone_number` is longer than 50 characters.
    SupportPhoneInvalid = "SUPPORT_PHONE_INVALID", 400;
    /// Account-driven enrollment: the discovery URL is missing.
    MdmServiceDiscoveryUrlRequired = "MDM_SERVICE_DISCOVERY_URL_REQUIRED", 400;
    /// Account-driven enrollment: the discovery URL is not valid.
    MdmServiceDiscoveryUrlNotValid = "MDM_SERVICE_DISCOVERY_URL_NOT_VALID", 400;
    /// The organisation does not support the call.
    OrgNotSupported = "ORG_NOT_SUPPORTED", 403;
    /// AppleSeed for IT is turned off for the organisation.
    AppleSeedForItTurnedOff = "APPLE_SEED_FOR_IT_TURNED_OFF", 403;
}

/// How an error token is written in a response body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DepErrorBodyShape {
    /// `EXPIRED_CURSOR`
    Bare,
    /// `"EXPIRED_CURSOR"`
    JsonString,
    /// `{"code":"EXPIRED_CURSOR"}`
    JsonObject,
}

impl DepErrorCode {
    /// The response body in `shape`.
    pub fn to_body(&self, shape: DepErrorBodyShape) -> Vec<u8> {
        match shape {
            DepErrorBodyShape::Bare => self.as_str().as_bytes().to_vec(),
            DepErrorBodyShape::JsonString => serde_json::Value::String(self.as_str().to_owned())
                .to_string()
                .into_bytes(),
            DepErrorBodyShape::JsonObject => serde_json::json!({ "code": self.as_str() })
                .to_string()
                .into_bytes(),
        }
    }

    /// Reads the token from an error body in any of Apple's three shapes. Fails on an empty
    /// body or one that holds no token (HTML, prose, a JSON object without `code`/`error`).
    pub fn from_body(body: &[u8]) -> Result<DepErrorCode, WireError> {
        const WHAT: &str = "DEP error body";
        let invalid = |detail: &str| WireError::Invalid {
            what: WHAT,
            detail: detail.to_owned(),
        };
        let text = std::str::from_utf8(body)
            .map_err(|_| invalid("not UTF-8"))?
            .trim();
        if text.is_empty() {
            return Err(invalid("empty body"));
        }
        let token = match text.as_bytes()[0] {
            b'{' => {
                let object: serde_json::Map<String, serde_json::Value> = serde_json::from_str(text)
                    .map_err(|err| WireError::Json {
                        what: WHAT,
                        detail: err.to_string(),
                    })?;
                ["code", "error"]
                    .iter()
                    .find_map(|key| object.get(*key).and_then(|v| v.as_str()))
                    .map(str::to_owned)
                    .ok_or_else(|| invalid("JSON object without a `code` or `error` string"))?
            }
            b'"' => serde_json::from_str::<String>(text).map_err(|err| WireError::Json {
                what: WHAT,
                detail: err.to_string(),
            })?,
            _ => text.to_owned(),
        };
        if is_token(&token) {
            Ok(DepErrorCode::parse(&token))
        } else {
            Err(invalid(
                "no error token (expected upper-case letters, digits and `_`)",
            ))
        }
    }
}

/// Apple's tokens are upper-case letters, digits and underscores.
fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 64
        && text
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

impl fmt::Display for DepErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for DepErrorCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for DepErrorCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<DepErrorCode, D::Error> {
        let token = String::deserialize(deserializer)?;
        Ok(DepErrorCode::parse(&token))
    }
}
