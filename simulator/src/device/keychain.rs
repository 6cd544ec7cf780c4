//! The device's keychain, as far as enrollment consults it: profiled writes a profile's
//! certificates and identities to it, and the Company Portal keeps its workplace-join (device
//! registration) key pair in it. A fault here is device state, not a scripted failure: the
//! flows that read or write the keychain fail where they touch it, with the `OSStatus` the
//! Security framework returns.
//!
//! The codes are Apple's, from the Security framework's `SecBase.h` ("Security Framework Result
//! Codes", <https://developer.apple.com/documentation/security/security-framework-result-codes>).

/// `errSecInvalidKeychain`: "The specified keychain is not a valid keychain file."
pub const ERR_SEC_INVALID_KEYCHAIN: (i32, &str) = (-25295, "errSecInvalidKeychain");
/// `errSecItemNotFound`: "The specified item could not be found in the keychain."
pub const ERR_SEC_ITEM_NOT_FOUND: (i32, &str) = (-25300, "errSecItemNotFound");
/// `errSecDecode`: "Unable to decode the provided data."
pub const ERR_SEC_DECODE: (i32, &str) = (-26275, "errSecDecode");

/// The state of the device's keychain database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeychainState {
    /// Readable and writable.
    #[default]
    Healthy,
    /// The database is damaged: every write fails with `errSecInvalidKeychain` until the
    /// device is erased (restored as new), which creates a new keychain.
    Corrupted,
}

impl KeychainState {
    /// The `OSStatus` a write (`SecItemAdd`) returns, if it fails.
    pub fn write_error(self) -> Option<(i32, &'static str)> {
        match self {
            KeychainState::Healthy => None,
            KeychainState::Corrupted => Some(ERR_SEC_INVALID_KEYCHAIN),
        }
    }
}

/// The Company Portal's device registration (workplace join) key pair in its keychain access
/// group: the public half is the `TransportKey` device registration asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RegistrationKey {
    /// The key pair is there and readable.
    #[default]
    Present,
    /// The app's data says the key was created, but the item is gone (device-only keychain
    /// items do not come back with a backup restored to another device).
    Missing,
    /// The item is there but cannot be decoded into a key.
    Unusable,
}

impl RegistrationKey {
    /// The `OSStatus` reading the key returns, if it fails.
    pub fn read_error(self) -> Option<(i32, &'static str)> {
        match self {
            RegistrationKey::Present => None,
            RegistrationKey::Missing => Some(ERR_SEC_ITEM_NOT_FOUND),
            RegistrationKey::Unusable => Some(ERR_SEC_DECODE),
        }
    }
}
