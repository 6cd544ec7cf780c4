//! The one error type of the `wire` module.
//!
//! Decoding untrusted bytes is the main source of errors, so each variant says what was
//! being decoded (`what`), which key is at fault (a path such as `PayloadContent[0].Topic`)
//! and what was expected, precise enough for a simulated device or server to log it the way
//! a real one would.

use super::schema::PlistType;

/// Why a wire body could not be decoded (or, rarely, encoded).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// The bytes are not a property list at all.
    #[error("{what}: not a readable property list ({reason})")]
    NotAPlist {
        /// What was being decoded, e.g. "check-in message".
        what: &'static str,
        /// The parser's complaint.
        reason: String,
    },
    /// The property list's top level is not a dictionary.
    #[error("{what}: the top level is {found}, expected <dictionary>")]
    NotADictionary {
        /// What was being decoded.
        what: &'static str,
        /// The type found at the top level.
        found: PlistType,
    },
    /// A required key is absent.
    #[error("{what}: required key `{key}` is missing")]
    MissingKey {
        /// What was being decoded.
        what: &'static str,
        /// The key path.
        key: String,
    },
    /// A key holds a value of the wrong type.
    #[error("{what}: key `{key}` is {found}, expected {expected}")]
    WrongType {
        /// What was being decoded.
        what: &'static str,
        /// The key path.
        key: String,
        /// The type Apple's schema (or ours) asks for.
        expected: PlistType,
        /// The type found.
        found: PlistType,
    },
    /// A key holds a value outside the allowed set.
    #[error("{what}: key `{key}` has value `{found}`, allowed: {allowed}")]
    ValueNotAllowed {
        /// What was being decoded.
        what: &'static str,
        /// The key path.
        key: String,
        /// The value found.
        found: String,
        /// The allowed values, comma-separated.
        allowed: String,
    },
    /// A check-in message whose `MessageType` is not Authenticate, TokenUpdate or CheckOut.
    #[error("check-in message: MessageType `{message_type}` is not Authenticate, TokenUpdate or CheckOut")]
    UnknownMessageType {
        /// The `MessageType` received (e.g. `UserAuthenticate`).
        message_type: String,
    },
    /// A command whose `RequestType` enrollsim does not implement. A device answers it with
    /// `Status` = `Error` (MCMDMErrorDomain 12021), which needs the command's UUID.
    #[error("command: RequestType `{request_type}` is not supported")]
    UnknownRequestType {
        /// The `RequestType` received.
        request_type: String,
        /// The envelope's `CommandUUID`, when it was readable.
        command_uuid: Option<String>,
    },
    /// A value is well-typed but unusable for another reason.
    #[error("{what}: {detail}")]
    Invalid {
        /// What was being decoded.
        what: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// A JSON body that does not match the model.
    #[error("{what}: not valid JSON for this body ({detail})")]
    Json {
        /// What was being decoded.
        what: &'static str,
        /// The JSON parser's complaint (with line and column).
        detail: String,
    },
    /// A string that should hold base64 does not.
    #[error("{what}: key `{key}` is not valid base64")]
    InvalidBase64 {
        /// What was being decoded.
        what: &'static str,
        /// The key path.
        key: String,
    },
    /// A value that cannot be written in the requested format (e.g. a plist UID in XML).
    #[error("{what}: cannot be written ({detail})")]
    Unserializable {
        /// What was being encoded.
        what: &'static str,
        /// The writer's complaint.
        detail: String,
    },
}
