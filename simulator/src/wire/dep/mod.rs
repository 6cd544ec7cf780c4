//! The DEP (Device Assignment) API between an MDM server and `mdmenrollment.apple.com`:
//! JSON bodies of the session, account, device fetch/sync/details/disown, profile define,
//! get, assign and remove endpoints, the error tokens Apple answers with, and the profile
//! checks Apple runs on define.
//!
//! Apple publishes no machine-readable schema for this API; key names follow Apple's
//! endpoint pages (see `apple-wire-details.md` 4.8). Times are RFC 3339 strings
//! ([`format_time`]). Every body has `to_json` and `from_json`.

mod account;
mod device;
mod error;
mod profile;
mod validate;

pub use account::{AccountDetail, AccountUrl, SessionResponse, UrlLimit};
pub use device::{
    DepDevice, DeviceDetailsRequest, DeviceDetailsResponse, DeviceListResponse, DeviceStatus,
    DeviceStatusesResponse, FetchDevicesRequest, OpType, ProfileStatus, SyncDevicesRequest,
};
pub use error::{DepErrorBodyShape, DepErrorCode};
pub use profile::{
    AssignProfileRequest, AssignProfileResponse, DefineProfileResponse, DepProfile,
    RemoveProfileRequest,
};
pub use validate::{parse_define_body, validate_profile};

/// Parses a DEP API time (RFC 3339).
pub use crate::clock::parse_rfc3339 as parse_time;
/// Formats a time the way the DEP API does (RFC 3339, e.g. `2024-05-01T10:00:00Z`, with the
/// fraction of a second when there is one).
pub use crate::clock::rfc3339_exact as format_time;
