//! The ids of the messages Microsoft's products and iOS show during enrollment.
//!
//! The ids are the products' side of things: the Company Portal's service codes where the
//! message has one (`DeviceCapReached`, `UserLicenseTypeInvalid`), otherwise a name for what
//! the screen says (`ProfileNetworkError`). They are the names the simulated device's messages
//! go by, and the keys of the data files; they say nothing about any article that quotes the
//! texts, so a reader of this crate learns no catalog of anyone's.

use std::fmt;
use std::str::FromStr;

macro_rules! message_ids {
    ($($(#[$doc:meta])* $id:ident,)+) => {
        /// A message a product shows the user, by its own id.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum MessageId {
            $($(#[$doc])* $id,)+
        }

        impl MessageId {
            /// Every id, in the order the data files list them.
            pub const ALL: &'static [MessageId] = &[$(MessageId::$id,)+];

            /// The id as the data files write it (`DeviceCapReached`).
            pub fn name(self) -> &'static str {
                match self {
                    $(MessageId::$id => stringify!($id),)+
                }
            }
        }
    };
}

message_ids! {
    /// iOS Settings: profile installation failed with a network error.
    ProfileNetworkError,
    /// iOS Settings: profile installation failed, the server could not be reached.
    ProfileServerUnreachable,
    /// Company Portal: the service refuses enrollment for lack of an enrollment policy.
    ServiceNotSupported,
    /// Company Portal: generic failure.
    CompanyPortalUnavailable,
    /// Company Portal: the user has enrolled as many devices as allowed.
    DeviceCapReached,
    /// Company Portal: device registration failed.
    WorkplaceJoinFailed,
    /// Company Portal: the user's licence does not cover Intune.
    UserLicenseTypeInvalid,
    /// Company Portal: Intune does not know the user.
    UserNameNotRecognized,
    /// iOS Settings: the new MDM payload differs from the installed one.
    ProfilePayloadMismatch,
    /// iOS Settings: the profile could not be read.
    ProfileInvalid,
    /// iOS Settings or Setup Assistant: the SCEP payload's identity could not be obtained;
    /// the text holds a `{reason}` placeholder for iOS's SCEP error sentence.
    ProfileScepFailed,
    /// Setup Assistant: the device could not get its configuration from Apple; `{model}`.
    CloudConfigurationUnavailable,
    /// Setup Assistant: the MDM server refused the enrollment profile; `{model}`,
    /// `{organization}` and `{reason}`.
    ConfigurationNotDownloaded,
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is no [`MessageId`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown message id {0:?}")]
pub struct UnknownMessageId(pub String);

impl FromStr for MessageId {
    type Err = UnknownMessageId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MessageId::ALL
            .iter()
            .copied()
            .find(|id| id.name() == s)
            .ok_or_else(|| UnknownMessageId(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_and_read_back_from_their_names() {
        let names: HashSet<&str> = MessageId::ALL.iter().map(|id| id.name()).collect();
        assert_eq!(names.len(), MessageId::ALL.len());
        for id in MessageId::ALL {
            assert_eq!(id.name().parse::<MessageId>(), Ok(*id));
            assert_eq!(id.to_string(), id.name());
        }
        assert_eq!(
            "device cap reached".parse::<MessageId>(),
            Err(UnknownMessageId("device cap reached".into()))
        );
    }
}
