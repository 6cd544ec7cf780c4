//! One entry of a profile's `PayloadContent`, as an enum by `PayloadType`.
//!
//! The typed variants cover what an enrollment profile carries; every other payload type is
//! kept verbatim as a dictionary, so a profile round-trips without losing anything.

use plist::{Dictionary, Value};
use serde::de::Error as _;
use serde::ser::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{MdmPayload, Pkcs12Payload, RootCertificatePayload, ScepPayload};
use crate::wire::plist_io::{decode, required_string};
use crate::wire::schema::PlistType;
use crate::wire::WireError;

const WHAT: &str = "configuration profile";

/// A payload of a configuration profile, by `PayloadType`.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    /// `com.apple.mdm`.
    Mdm(MdmPayload),
    /// `com.apple.security.root`.
    RootCertificate(RootCertificatePayload),
    /// `com.apple.security.pkcs12`.
    Pkcs12(Pkcs12Payload),
    /// `com.apple.security.scep`.
    Scep(ScepPayload),
    /// Any other payload type, kept as the whole dictionary (including `PayloadType`).
    Other(Dictionary),
}

impl Payload {
    /// The `PayloadType` (empty for an `Other` dictionary without one).
    pub fn payload_type(&self) -> &str {
        match self {
            Payload::Mdm(_) => MdmPayload::PAYLOAD_TYPE,
            Payload::RootCertificate(_) => RootCertificatePayload::PAYLOAD_TYPE,
            Payload::Pkcs12(_) => Pkcs12Payload::PAYLOAD_TYPE,
            Payload::Scep(_) => ScepPayload::PAYLOAD_TYPE,
            Payload::Other(dict) => other_string(dict, "PayloadType").unwrap_or(""),
        }
    }

    /// The `PayloadUUID`.
    pub fn payload_uuid(&self) -> Option<&str> {
        match self {
            Payload::Mdm(p) => Some(&p.payload_uuid),
            Payload::RootCertificate(p) => Some(&p.payload_uuid),
            Payload::Pkcs12(p) => Some(&p.payload_uuid),
            Payload::Scep(p) => Some(&p.payload_uuid),
            Payload::Other(dict) => other_string(dict, "PayloadUUID"),
        }
    }

    /// The `PayloadIdentifier`.
    pub fn payload_identifier(&self) -> Option<&str> {
        match self {
            Payload::Mdm(p) => Some(&p.payload_identifier),
            Payload::RootCertificate(p) => Some(&p.payload_identifier),
            Payload::Pkcs12(p) => Some(&p.payload_identifier),
            Payload::Scep(p) => Some(&p.payload_identifier),
            Payload::Other(dict) => other_string(dict, "PayloadIdentifier"),
        }
    }

    /// The `PayloadVersion` (1 for an `Other` dictionary without a readable one).
    pub fn payload_version(&self) -> i64 {
        match self {
            Payload::Mdm(p) => p.payload_version,
            Payload::RootCertificate(p) => p.payload_version,
            Payload::Pkcs12(p) => p.payload_version,
            Payload::Scep(p) => p.payload_version,
            Payload::Other(dict) => dict
                .get("PayloadVersion")
                .and_then(Value::as_signed_integer)
                .unwrap_or(1),
        }
    }

    /// The `PayloadDisplayName`.
    pub fn payload_display_name(&self) -> Option<&str> {
        match self {
            Payload::Mdm(p) => p.payload_display_name.as_deref(),
            Payload::RootCertificate(p) => p.payload_display_name.as_deref(),
            Payload::Pkcs12(p) => p.payload_display_name.as_deref(),
            Payload::Scep(p) => p.payload_display_name.as_deref(),
            Payload::Other(dict) => other_string(dict, "PayloadDisplayName"),
        }
    }

    /// Whether this payload can be the device identity an MDM payload points at.
    pub fn is_identity(&self) -> bool {
        matches!(self, Payload::Pkcs12(_) | Payload::Scep(_))
            || self.payload_type() == "com.apple.security.acme"
    }

    /// Decodes one `PayloadContent` item; `path` (e.g. `PayloadContent[1]`) prefixes keys in
    /// errors.
    pub(crate) fn from_value(path: &str, value: &Value) -> Result<Payload, WireError> {
        let Value::Dictionary(dict) = value else {
            return Err(WireError::WrongType {
                what: WHAT,
                key: path.to_owned(),
                expected: PlistType::Dictionary,
                found: PlistType::of(value),
            });
        };
        let payload_type = required_string(WHAT, dict, "PayloadType").map_err(|err| match err {
            WireError::MissingKey { what, .. } => WireError::MissingKey {
                what,
                key: if path.is_empty() {
                    "PayloadType".to_owned()
                } else {
                    format!("{path}.PayloadType")
                },
            },
            other => other,
        })?;
        Ok(match payload_type {
            MdmPayload::PAYLOAD_TYPE => Payload::Mdm(decode(WHAT, path, value)?),
            RootCertificatePayload::PAYLOAD_TYPE => {
                Payload::RootCertificate(decode(WHAT, path, value)?)
            }
            Pkcs12Payload::PAYLOAD_TYPE => Payload::Pkcs12(decode(WHAT, path, value)?),
            ScepPayload::PAYLOAD_TYPE => Payload::Scep(decode(WHAT, path, value)?),
            _ => Payload::Other(dict.clone()),
        })
    }

    /// The payload as a plist dictionary, `PayloadType` first.
    pub fn to_dictionary(&self) -> Result<Dictionary, plist::Error> {
        let body = match self {
            Payload::Other(dict) => return Ok(dict.clone()),
            Payload::Mdm(p) => plist::to_value(p)?,
            Payload::RootCertificate(p) => plist::to_value(p)?,
            Payload::Pkcs12(p) => plist::to_value(p)?,
            Payload::Scep(p) => plist::to_value(p)?,
        };
        let mut dict = Dictionary::new();
        dict.insert("PayloadType".to_owned(), Value::from(self.payload_type()));
        if let Value::Dictionary(body) = body {
            dict.extend(body);
        }
        Ok(dict)
    }
}

fn other_string<'d>(dict: &'d Dictionary, key: &str) -> Option<&'d str> {
    dict.get(key).and_then(Value::as_string)
}

impl From<MdmPayload> for Payload {
    fn from(p: MdmPayload) -> Payload {
        Payload::Mdm(p)
    }
}

impl From<RootCertificatePayload> for Payload {
    fn from(p: RootCertificatePayload) -> Payload {
        Payload::RootCertificate(p)
    }
}

impl From<Pkcs12Payload> for Payload {
    fn from(p: Pkcs12Payload) -> Payload {
        Payload::Pkcs12(p)
    }
}

impl From<ScepPayload> for Payload {
    fn from(p: ScepPayload) -> Payload {
        Payload::Scep(p)
    }
}

impl Serialize for Payload {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_dictionary()
            .map_err(S::Error::custom)?
            .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Payload {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Payload, D::Error> {
        let dict = Dictionary::deserialize(deserializer)?;
        Payload::from_value("", &Value::Dictionary(dict)).map_err(D::Error::custom)
    }
}
