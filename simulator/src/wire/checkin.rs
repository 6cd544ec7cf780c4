//! MDM check-in messages (device to server, `PUT` to the CheckInURL): Authenticate,
//! TokenUpdate and CheckOut, tagged by `MessageType`.
//!
//! Key sets follow Apple's `mdm/checkin/*.yaml` for iOS device enrollment. `DeviceName`,
//! `Model` and `ModelName` are macOS-only (iOS "n/a" in the schema): the fields exist so a
//! server can read a macOS-shaped message, but an iOS device leaves them `None`. Any other
//! `MessageType` (UserAuthenticate, DeclarativeManagement, GetBootstrapToken, ...) decodes to
//! [`WireError::UnknownMessageType`] so the server can answer it the way Apple expects.

use plist::{Data, Value};
use serde::{Deserialize, Serialize};

use super::plist_io::{check_structure, decode, parse_dict, required_string, to_xml};
use super::schema::SchemaKind;
use super::WireError;

const WHAT: &str = "check-in message";

/// A check-in message, by `MessageType`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "MessageType")]
pub enum CheckinMessage {
    /// `Authenticate`: the first message, sent while the MDM payload installs.
    Authenticate(Authenticate),
    /// `TokenUpdate`: the push token; the real "enrolled" signal.
    TokenUpdate(TokenUpdate),
    /// `CheckOut`: the MDM profile was removed (only with `CheckOutWhenRemoved`).
    CheckOut(CheckOut),
}

/// `Authenticate` keys (iOS device enrollment).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Authenticate {
    /// `Topic`: the push topic from the MDM payload.
    #[serde(rename = "Topic")]
    pub topic: String,
    /// `UDID`.
    #[serde(rename = "UDID")]
    pub udid: String,
    /// `SerialNumber`. This and the next three are optional in Apple's schema (an iOS
    /// device sends them from iOS 9; clients that model a Mac, such as mdmb, leave them out),
    /// so a server reads a missing one as empty.
    #[serde(rename = "SerialNumber", default)]
    pub serial_number: String,
    /// `OSVersion`, e.g. `17.5`.
    #[serde(rename = "OSVersion", default)]
    pub os_version: String,
    /// `BuildVersion`, e.g. `21F79`.
    #[serde(rename = "BuildVersion", default)]
    pub build_version: String,
    /// `ProductName`, e.g. `iPhone15,2`.
    #[serde(rename = "ProductName", default)]
    pub product_name: String,
    /// `IMEI` (cellular devices).
    #[serde(rename = "IMEI", skip_serializing_if = "Option::is_none")]
    pub imei: Option<String>,
    /// `MEID` (CDMA devices).
    #[serde(rename = "MEID", skip_serializing_if = "Option::is_none")]
    pub meid: Option<String>,
    /// `DeviceName`: macOS only; an iOS device does not send it.
    #[serde(rename = "DeviceName", skip_serializing_if = "Option::is_none")]
    pub device_name: Option<String>,
    /// `Model`: macOS only.
    #[serde(rename = "Model", skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// `ModelName`: macOS only.
    #[serde(rename = "ModelName", skip_serializing_if = "Option::is_none")]
    pub model_name: Option<String>,
}

/// `TokenUpdate` keys (iOS device channel).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenUpdate {
    /// `Topic`.
    #[serde(rename = "Topic")]
    pub topic: String,
    /// `UDID`.
    #[serde(rename = "UDID")]
    pub udid: String,
    /// `Token`: the APNs device token (32 bytes).
    #[serde(rename = "Token")]
    pub token: Data,
    /// `PushMagic`: the string the server must put in every push.
    #[serde(rename = "PushMagic")]
    pub push_magic: String,
    /// `UnlockToken`: lets the server clear the passcode.
    #[serde(rename = "UnlockToken", skip_serializing_if = "Option::is_none")]
    pub unlock_token: Option<Data>,
    /// `AwaitingConfiguration`: ADE device held in Setup Assistant until `DeviceConfigured`.
    #[serde(
        rename = "AwaitingConfiguration",
        skip_serializing_if = "Option::is_none"
    )]
    pub awaiting_configuration: Option<bool>,
}

/// `CheckOut` keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckOut {
    /// `Topic`.
    #[serde(rename = "Topic")]
    pub topic: String,
    /// `UDID`.
    #[serde(rename = "UDID")]
    pub udid: String,
}

impl CheckinMessage {
    /// The `MessageType` value.
    pub fn message_type(&self) -> &'static str {
        match self {
            CheckinMessage::Authenticate(_) => "Authenticate",
            CheckinMessage::TokenUpdate(_) => "TokenUpdate",
            CheckinMessage::CheckOut(_) => "CheckOut",
        }
    }

    /// The device's `UDID`.
    pub fn udid(&self) -> &str {
        match self {
            CheckinMessage::Authenticate(m) => &m.udid,
            CheckinMessage::TokenUpdate(m) => &m.udid,
            CheckinMessage::CheckOut(m) => &m.udid,
        }
    }

    /// The push `Topic`.
    pub fn topic(&self) -> &str {
        match self {
            CheckinMessage::Authenticate(m) => &m.topic,
            CheckinMessage::TokenUpdate(m) => &m.topic,
            CheckinMessage::CheckOut(m) => &m.topic,
        }
    }

    /// The message as an XML plist.
    pub fn to_xml(&self) -> Vec<u8> {
        to_xml(WHAT, self)
    }

    /// Reads a check-in message. A missing `MessageType` is [`WireError::MissingKey`]; one
    /// enrollsim does not speak is [`WireError::UnknownMessageType`].
    pub fn from_xml(bytes: &[u8]) -> Result<CheckinMessage, WireError> {
        let dict = parse_dict(WHAT, bytes)?;
        let message_type = required_string(WHAT, &dict, "MessageType")?;
        if !matches!(message_type, "Authenticate" | "TokenUpdate" | "CheckOut") {
            return Err(WireError::UnknownMessageType {
                message_type: message_type.to_owned(),
            });
        }
        let value = Value::Dictionary(dict);
        check_structure(WHAT, SchemaKind::CheckinMessage, &value)?;
        decode(WHAT, "", &value)
    }
}

impl Authenticate {
    /// An iOS Authenticate message (no macOS-only keys, no IMEI/MEID).
    pub fn ios(
        topic: impl Into<String>,
        udid: impl Into<String>,
        serial_number: impl Into<String>,
        os_version: impl Into<String>,
        build_version: impl Into<String>,
        product_name: impl Into<String>,
    ) -> Authenticate {
        Authenticate {
            topic: topic.into(),
            udid: udid.into(),
            serial_number: serial_number.into(),
            os_version: os_version.into(),
            build_version: build_version.into(),
            product_name: product_name.into(),
            imei: None,
            meid: None,
            device_name: None,
            model: None,
            model_name: None,
        }
    }
}

impl TokenUpdate {
    /// A TokenUpdate without unlock token or ADE flag.
    pub fn new(
        topic: impl Into<String>,
        udid: impl Into<String>,
        token: Vec<u8>,
        push_magic: impl Into<String>,
    ) -> TokenUpdate {
        TokenUpdate {
            topic: topic.into(),
            udid: udid.into(),
            token: Data::new(token),
            push_magic: push_magic.into(),
            unlock_token: None,
            awaiting_configuration: None,
        }
    }

    /// Whether the device waits in Setup Assistant for `DeviceConfigured`.
    pub fn is_awaiting_configuration(&self) -> bool {
        self.awaiting_configuration.unwrap_or(false)
    }
}

impl From<Authenticate> for CheckinMessage {
    fn from(m: Authenticate) -> CheckinMessage {
        CheckinMessage::Authenticate(m)
    }
}

impl From<TokenUpdate> for CheckinMessage {
    fn from(m: TokenUpdate) -> CheckinMessage {
        CheckinMessage::TokenUpdate(m)
    }
}

impl From<CheckOut> for CheckinMessage {
    fn from(m: CheckOut) -> CheckinMessage {
        CheckinMessage::CheckOut(m)
    }
}
