//! Shared plumbing for the JSON bodies (APNs, DEP API, MDM error bodies).

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::WireError;

/// Writes a model as compact JSON. The JSON models hold only strings, numbers, booleans,
/// lists and string-keyed maps, which serde_json always expresses.
pub(crate) fn to_json<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

/// Reads a JSON body, naming what was being read in the error.
pub(crate) fn from_json<T: DeserializeOwned>(
    what: &'static str,
    bytes: &[u8],
) -> Result<T, WireError> {
    serde_json::from_slice(bytes).map_err(|err| WireError::Json {
        what,
        detail: err.to_string(),
    })
}

/// Gives a JSON model inherent `to_json` and `from_json` methods.
macro_rules! json_body {
    ($ty:ty, $what:literal) => {
        impl $ty {
            /// The JSON body.
            pub fn to_json(&self) -> Vec<u8> {
                $crate::wire::json_io::to_json(self)
            }

            /// Reads the JSON body; the error names the offending field and position.
            pub fn from_json(bytes: &[u8]) -> Result<Self, $crate::wire::WireError> {
                $crate::wire::json_io::from_json($what, bytes)
            }
        }
    };
}

pub(crate) use json_body;
