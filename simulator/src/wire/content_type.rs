//! HTTP `Content-Type` values of the Apple hops, so services and the device agree on them.

/// A configuration profile (`.mobileconfig`), signed or not.
pub const APPLE_ASPEN_CONFIG: &str = "application/x-apple-aspen-config";
/// A check-in message (`PUT` to the CheckInURL).
pub const MDM_CHECKIN: &str = "application/x-apple-aspen-mdm-checkin";
/// A command result (`PUT` to the ServerURL), as real devices send it.
pub const MDM: &str = "application/x-apple-aspen-mdm";
/// An XML plist response, e.g. a command envelope.
pub const XML_PLIST: &str = "application/xml";
/// The CMS-signed `MachineInfo` an ADE device posts to the profile URL.
pub const PKCS7_SIGNATURE: &str = "application/pkcs7-signature";
/// JSON bodies (APNs, MDM 403 error bodies).
pub const JSON: &str = "application/json";
/// What DEP API clients send (Apple's spelling, `UTF8` without a dash).
pub const DEP_JSON: &str = "application/json;charset=UTF8";

/// The header carrying the detached CMS signature of a check-in or command body.
pub const MDM_SIGNATURE_HEADER: &str = "Mdm-Signature";
/// The header of the web-view ADE flow carrying the base64 CMS `MachineInfo`.
pub const ASPEN_DEVICEINFO_HEADER: &str = "x-apple-aspen-deviceinfo";
/// The DEP session header.
pub const DEP_SESSION_HEADER: &str = "X-ADM-Auth-Session";
/// The DEP protocol version header.
pub const DEP_PROTOCOL_VERSION_HEADER: &str = "X-Server-Protocol-Version";
