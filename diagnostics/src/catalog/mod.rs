//! The failure catalog: the troubleshooting article's sections (named by their anchors), our
//! causes, which causes each section lists, the texts users see (English and Italian) and the
//! resolution steps.
//!
//! Section and cause ids are the public, stable ids of `DESIGN.md`; they are the serde form and
//! the [`FromStr`] input of [`Section`] and [`Cause`].

mod messages;
mod product_texts;
mod resolution;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

pub use messages::{
    check_message_data, localized, localized_all, user_messages, Language, LocalizedMessage,
    LocalizedTexts, MessageDataError, MessageKind, UserMessage,
};
pub use resolution::ResolutionStep;

/// An id that is not in the catalog. Its message points to the nearest valid id, or lists them
/// all when none is close, so that a typo in a scenario file is fixed without opening the docs.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown {kind} id {value:?}; {}", hint(self.nearest, self.valid))]
#[non_exhaustive]
pub struct ParseIdError {
    /// `section` or `cause`.
    pub kind: &'static str,
    /// The text that did not parse.
    pub value: String,
    /// The valid id closest to `value`, when one is close enough to be a likely typo.
    pub nearest: Option<&'static str>,
    /// Every valid id of this kind, in catalog order.
    pub valid: &'static [&'static str],
}

impl ParseIdError {
    fn new(kind: &'static str, value: &str, valid: &'static [&'static str]) -> Self {
        ParseIdError {
            kind,
            value: value.to_string(),
            nearest: nearest(value, valid),
            valid,
        }
    }
}

/// Below this Jaro-Winkler similarity a valid id is not offered as what was meant: the ids share
/// long prefixes ("profile-installation-failed-..."), so a looser bound suggests unrelated ones.
const LIKELY_TYPO: f64 = 0.85;

fn nearest(value: &str, valid: &[&'static str]) -> Option<&'static str> {
    let wanted = value.trim().to_ascii_lowercase();
    valid
        .iter()
        .map(|id| (strsim::jaro_winkler(&wanted, id), *id))
        .filter(|(similarity, _)| *similarity >= LIKELY_TYPO)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, id)| id)
}

fn hint(nearest: Option<&str>, valid: &[&str]) -> String {
    match nearest {
        Some(id) => format!("did you mean {id:?}?"),
        None => format!("expected one of: {}", valid.join(", ")),
    }
}

/// Declares an id enum with `ALL`, `id()`, `FromStr`, `Display` and serde as the id string.
macro_rules! id_enum {
    ($(#[$meta:meta])* $name:ident, $kind:literal, { $($(#[$vmeta:meta])* $variant:ident => $id:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every value, in catalog order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// Every id, in catalog order (what a file may write).
            pub const IDS: &'static [&'static str] = &[$($id,)+];

            /// The stable id.
            pub fn id(self) -> &'static str {
                match self {
                    $($name::$variant => $id,)+
                }
            }
        }

        impl FromStr for $name {
            type Err = ParseIdError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let wanted = s.trim();
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.id().eq_ignore_ascii_case(wanted))
                    .ok_or_else(|| ParseIdError::new($kind, s, $name::IDS))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.id())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.id())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = String::deserialize(deserializer)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

/// The page of the current article an entry is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Page {
    /// `troubleshoot-ios-enrollment-errors.md` (10/08/2024).
    Main,
    /// `profile-installation-failed.md` (12/05/2023), where the "Profile Installation
    /// Failed" errors moved.
    Companion,
    /// `device-enrollment-program-enroll-ios.md`, the ADE enrollment article (MicrosoftDocs/memdocs,
    /// 10/18/2021), whose "Distribute devices" section documents the SCEP error of ADE with
    /// user affinity; the troubleshooting article has no entry for it.
    AdeEnrollment,
}

impl Page {
    /// The page's file name without `.md`, as in its URL.
    pub fn slug(self) -> &'static str {
        match self {
            Page::Main => "troubleshoot-ios-enrollment-errors",
            Page::Companion => "profile-installation-failed",
            Page::AdeEnrollment => "device-enrollment-program-enroll-ios",
        }
    }

    /// The published page.
    pub fn url(self) -> String {
        match self {
            Page::AdeEnrollment => format!(
                "https://learn.microsoft.com/mem/intune/enrollment/{}",
                self.slug()
            ),
            _ => format!(
                "https://learn.microsoft.com/troubleshoot/mem/intune/device-enrollment/{}",
                self.slug()
            ),
        }
    }
}

/// Which version of the article an entry first appears in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Edition {
    /// The 2020 article (memdocs, 06/16/2020): the seed list; its anchors are the section ids.
    Seed,
    /// Added since: in the current article only; its current anchor is the section id.
    New,
}

/// Where the current article has an entry: its page, its anchor (a heading's generated
/// anchor, or an explicit one), and for the entries that are rows of a table rather than
/// headings, the row's error message cell (the rows share the table's anchor).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CurrentAnchor {
    /// The page.
    pub page: Page,
    /// The anchor on that page.
    pub anchor: &'static str,
    /// The table row's "Error message" cell, for a table entry.
    pub row: Option<&'static str>,
}

impl CurrentAnchor {
    /// `page#anchor`, then the row in brackets: how a report names it.
    pub fn label(self) -> String {
        match self.row {
            Some(row) => format!("{}#{} [{row}]", self.page.slug(), self.anchor),
            None => format!("{}#{}", self.page.slug(), self.anchor),
        }
    }

    /// The link to it.
    pub fn url(self) -> String {
        format!("{}#{}", self.page.url(), self.anchor)
    }
}

/// Declares [`Section`] with [`id_enum!`], plus each entry's edition and current anchor. An
/// entry reads `Variant => "id", seed|new Main|Companion "anchor" [row "Error message"],`:
/// one line is all a new entry declares.
macro_rules! section_enum {
    ($(#[$meta:meta])* $name:ident, {
        $($(#[$vmeta:meta])* $variant:ident => $id:literal,
            $edition:ident $page:ident $anchor:literal $(row $row:literal)?,)+
    }) => {
        id_enum!($(#[$meta])* $name, "section", { $($(#[$vmeta])* $variant => $id,)+ });

        impl $name {
            /// Which version of the article the entry first appears in.
            pub fn edition(self) -> Edition {
                match self {
                    $($name::$variant => section_enum!(@edition $edition),)+
                }
            }

            /// Where the current article has the entry.
            pub fn current(self) -> CurrentAnchor {
                match self {
                    $($name::$variant => CurrentAnchor {
                        page: Page::$page,
                        anchor: $anchor,
                        row: section_enum!(@row $($row)?),
                    },)+
                }
            }
        }
    };
    (@edition seed) => { Edition::Seed };
    (@edition new) => { Edition::New };
    (@row) => { None };
    (@row $row:literal) => { Some($row) };
}

section_enum!(
    /// A section of the troubleshooting article, identified by its anchor: the 2020 article's
    /// anchor for the entries it had, the current article's anchor for the entries added since.
    /// Each also names where the current article has it ([`Section::current`]).
    #[non_exhaustive]
    Section, {
        // The 2020 article (memdocs, 06/16/2020): `seed` entries keep its anchors as their ids.
        /// "Profile Installation Failed. A network error has occurred."
        NetworkError => "profile-installation-failed-a-network-error-has-occurred",
            seed Companion "error-profile-installation-failed-a-network-error-has-occurred",
        /// "Profile Installation Failed. Connection to the server could not be established."
        ConnectionNotEstablished => "profile-installation-failed-connection-to-the-server-could-not-be-established",
            seed Companion "error-profile-installation-failed-connection-to-the-server-could-not-be-established",
        /// "This Service is not supported. No Enrollment Policy." (folded into the
        /// `NoEnrollmentPolicy` row since 2021)
        ServiceNotSupported => "this-service-is-not-supported-no-enrollment-policy",
            seed Main "iosipados-enrollment-errors" row "NoEnrollmentPolicy",
        /// "Company Portal Temporarily Unavailable. ..."
        CompanyPortalUnavailable => "company-portal-temporarily-unavailable-the-company-portal-app-encountered-a-problem-if-the-problem-persists-contact-your-system-administrator",
            seed Main "iosipados-enrollment-errors" row "Company Portal Temporarily Unavailable",
        /// "Device Cap Reached"
        DeviceCapReached => "device-cap-reached",
            seed Main "iosipados-enrollment-errors" row "DeviceCapReached",
        /// "Workplace Join failed"
        WorkplaceJoinFailed => "workplace-join-failed",
            seed Main "workplace-join-failed",
        /// "User License Type Invalid"
        UserLicenseTypeInvalid => "user-license-type-invalid",
            seed Main "iosipados-enrollment-errors" row "UserLicenseTypeInvalid",
        /// "User Name Not Recognized. ..."
        UserNameNotRecognized => "user-name-not-recognized-this-user-account-is-not-authorized-to-use-microsoft-intune-contact-your-system-administrator-if-you-think-you-have-received-this-message-in-error",
            seed Main "user-name-not-recognized",
        /// "Profile Installation Failed. The new MDM payload does not match the old payload."
        MdmPayloadMismatch => "profile-installation-failed-the-new-mdm-payload-does-not-match-the-old-payload",
            seed Companion "error-profile-installation-failed-the-new-mdm-payload-does-not-match-the-old-payload",
        /// "NoEnrollmentPolicy"
        NoEnrollmentPolicy => "noenrollmentpolicy",
            seed Main "iosipados-enrollment-errors" row "NoEnrollmentPolicy",
        /// "AccountNotOnboarded"
        AccountNotOnboarded => "accountnotonboarded",
            seed Main "iosipados-enrollment-errors" row "AccountNotOnboarded",
        /// "XPC_TYPE_ERROR Connection invalid"
        XpcConnectionInvalid => "xpc_type_error-connection-invalid",
            seed Main "xpc_type_error-connection-invalid",
        /// "ADE enrollment doesn't start"
        AdeEnrollmentDoesntStart => "ade-enrollment-doesnt-start",
            seed Main "ade-enrollment-doesnt-start",
        /// "ADE enrollment stuck at user login"
        AdeStuckAtUserLogin => "ade-enrollment-stuck-at-user-login",
            seed Main "ade-enrollment-stuck-at-user-login",
        /// "Authentication doesn't redirect to the government cloud"
        GovernmentCloudRedirect => "authentication-doesnt-redirect-to-the-government-cloud",
            seed Main "authentication-doesnt-redirect-to-the-government-cloud",
        // Entries added since 2020 (SupportArticles-docs, 10/08/2024): `new` entries' ids are
        // their current anchors; a table row's id is its row's error code as an anchor would
        // spell it (`"iosipados-enrollment-errors" row "APNSCertificateNotValid"` →
        // `apnscertificatenotvalid`), because the rows share their table's anchor.
        /// "APNSCertificateNotValid": the push certificate's setup was not completed, or it
        /// expired.
        ApnsCertificateNotValid => "apnscertificatenotvalid",
            new Main "iosipados-enrollment-errors" row "APNSCertificateNotValid",
        /// "DeviceTypeNotSupported": a device that is not iOS/iPadOS 8.0 or later.
        DeviceTypeNotSupported => "devicetypenotsupported",
            new Main "iosipados-enrollment-errors" row "DeviceTypeNotSupported",
        /// "MdmAuthorityNotDefined": the tenant has no MDM authority.
        MdmAuthorityNotDefined => "mdmauthoritynotdefined",
            new Main "iosipados-enrollment-errors" row "MdmAuthorityNotDefined",
        /// "The configuration for your iPhone/iPad could not be downloaded from <Company
        /// Name>: Invalid Profile"
        InvalidProfile => "the-configuration-for-your-iphoneipad-could-not-be-downloaded-from-company-name-invalid-profile",
            new Main "the-configuration-for-your-iphoneipad-could-not-be-downloaded-from-company-name-invalid-profile",
        // --- ADE token sync and upload (current article, 10/08/2024; not in the 2020 one).
        // Their ids are the current article's anchors.
        /// "Sync token errors between Intune and ADE" (a table of admin-side errors)
        AdeSyncTokenErrors => "sync-token-errors-between-intune-and-ade",
            new Main "sync-token-errors-between-intune-and-ade",
        /// "Error: An error occurred while uploading the Enrollment Program token"
        AdeTokenUploadError => "error-an-error-occurred-while-uploading-the-enrollment-program-token",
            new Main "error-an-error-occurred-while-uploading-the-enrollment-program-token",
        // --- end of the ADE token block.
        /// "Verify WS-Trust 1.3 is enabled" (in 2020 only in the sibling troubleshooting
        /// article; on this page since)
        VerifyWsTrust13Enabled => "verify-ws-trust-13-is-enabled",
            new Main "verify-ws-trust-13-is-enabled",
        // From the ADE enrollment article rather than the troubleshooting one: its "Distribute
        // devices" section quotes the error, so the quoted message stands in for a table row.
        /// "The SCEP server returned an invalid response." (ADE with user affinity)
        ScepInvalidResponse => "the-scep-server-returned-an-invalid-response",
            new AdeEnrollment "distribute-devices" row "The SCEP server returned an invalid response.",
    }
);

id_enum!(
    /// A cause of an enrollment failure (our ids; see `DESIGN.md`).
    #[non_exhaustive]
    Cause, "cause", {
        /// An unspecified iOS/iPadOS problem on the device.
        IosUnspecifiedError => "ios-unspecified-error",
        /// Enrollment restrictions block personally owned (or all) iOS/iPadOS devices.
        PersonalDevicesBlocked => "personal-devices-blocked",
        /// The device is still enrolled to a previous user.
        PreviousUserNotRemoved => "previous-user-not-removed",
        /// The device is enrolled with another MDM provider.
        EnrolledInOtherMdm => "enrolled-in-other-mdm",
        /// The user has no valid Intune licence.
        UserNotLicensed => "user-not-licensed",
        /// No Apple MDM push certificate is configured.
        ApnsCertificateMissing => "apns-certificate-missing",
        /// The Apple MDM push certificate is invalid or expired beyond the grace period.
        ApnsCertificateInvalid => "apns-certificate-invalid",
        /// The Apple MDM push certificate must be renewed.
        ApnsCertificateNeedsRenewal => "apns-certificate-needs-renewal",
        /// The Company Portal app is outdated or damaged.
        CompanyPortalOutdated => "company-portal-outdated",
        /// The user reached the device enrollment limit.
        DeviceLimitReached => "device-limit-reached",
        /// A management profile is already installed.
        ManagementProfilePresent => "management-profile-present",
        /// The device cannot reach Apple's ADE service.
        AdeServiceUnreachable => "ade-service-unreachable",
        /// The ADE enrollment profile predates the ADE token upload.
        AdeProfilePredatesToken => "ade-profile-predates-token",
        /// MFA is required during ADE enrollment.
        MfaDuringAde => "mfa-during-ade",
        /// The government cloud is not selected in Company Portal.
        GovernmentCloudNotSelected => "government-cloud-not-selected",
        // --- ADE token sync and upload (current article).
        /// "Expired or invalid token": the server token expired, was revoked or is malformed.
        AdeTokenExpiredOrInvalid => "ade-token-expired-or-invalid",
        /// "Access denied": Intune's MDM server was removed in Apple Business Manager.
        AdeAccessDenied => "ade-access-denied",
        /// "Terms and conditions not accepted" in Apple Business Manager.
        AbmTermsNotAccepted => "abm-terms-not-accepted",
        /// "Internal server error" from Apple's DEP service.
        AppleInternalServerError => "apple-internal-server-error",
        /// "Invalid support phone number" in an enrollment profile.
        AdeProfileInvalidSupportPhone => "ade-profile-invalid-support-phone",
        /// "Invalid configuration profile name".
        AdeProfileInvalidName => "ade-profile-invalid-name",
        /// "Invalid cursor": Apple rejected or did not find the sync cursor.
        AdeSyncCursorInvalid => "ade-sync-cursor-invalid",
        /// "Cursor expired": the sync cursor is older than Apple accepts.
        AdeSyncCursorExpired => "ade-sync-cursor-expired",
        /// "Required cursor": Intune asked for changes without a cursor.
        AdeSyncCursorRequired => "ade-sync-cursor-required",
        /// "Apple profile not found": Apple no longer has the profile Intune assigns.
        AppleProfileNotFound => "apple-profile-not-found",
        /// "Invalid department entry" in an enrollment profile.
        AdeProfileInvalidDepartment => "ade-profile-invalid-department",
        /// The enrollment program token upload failed ("AjaxError: ajaxExtended call failed").
        AdeTokenUploadFailed => "ade-token-upload-failed",
        // --- end of the ADE token block.
        /// The device is not iOS/iPadOS, or runs a version older than 8.0.
        UnsupportedDeviceType => "unsupported-device-type",
        /// The tenant's MDM authority has not been set.
        MdmAuthorityNotSet => "mdm-authority-not-set",
        /// A device type restriction blocks the iOS/iPadOS platform for an ADE device.
        IosPlatformBlocked => "ios-platform-blocked",
        /// The federation service's WS-Trust 1.3 Username/Mixed endpoint is disabled, so a
        /// federated user's non-interactive sign-in cannot be validated.
        WsTrust13EndpointDisabled => "ws-trust-13-endpoint-disabled",
        /// The management profile was installed more than 15 minutes after it was downloaded:
        /// its one-time SCEP challenge had expired.
        ScepChallengeExpired => "scep-challenge-expired",
    }
);

/// The (section, cause) pairs the article documents, in article order.
const PAIRS: &[(Section, Cause)] = &[
    (Section::NetworkError, Cause::IosUnspecifiedError),
    (
        Section::ConnectionNotEstablished,
        Cause::PersonalDevicesBlocked,
    ),
    (
        Section::ConnectionNotEstablished,
        Cause::PreviousUserNotRemoved,
    ),
    (Section::ConnectionNotEstablished, Cause::EnrolledInOtherMdm),
    (Section::ConnectionNotEstablished, Cause::UserNotLicensed),
    (Section::ServiceNotSupported, Cause::ApnsCertificateMissing),
    (Section::ServiceNotSupported, Cause::ApnsCertificateInvalid),
    (
        Section::CompanyPortalUnavailable,
        Cause::CompanyPortalOutdated,
    ),
    (Section::CompanyPortalUnavailable, Cause::DeviceLimitReached),
    (Section::DeviceCapReached, Cause::DeviceLimitReached),
    (Section::WorkplaceJoinFailed, Cause::CompanyPortalOutdated),
    (Section::UserLicenseTypeInvalid, Cause::UserNotLicensed),
    (Section::UserNameNotRecognized, Cause::UserNotLicensed),
    (Section::MdmPayloadMismatch, Cause::ManagementProfilePresent),
    (Section::NoEnrollmentPolicy, Cause::ApnsCertificateMissing),
    (Section::NoEnrollmentPolicy, Cause::ApnsCertificateInvalid),
    (
        Section::AccountNotOnboarded,
        Cause::ApnsCertificateNeedsRenewal,
    ),
    (Section::XpcConnectionInvalid, Cause::AdeServiceUnreachable),
    (
        Section::AdeEnrollmentDoesntStart,
        Cause::AdeProfilePredatesToken,
    ),
    (Section::AdeStuckAtUserLogin, Cause::MfaDuringAde),
    (
        Section::GovernmentCloudRedirect,
        Cause::GovernmentCloudNotSelected,
    ),
    // --- ADE token sync and upload: the table's rows in the article's order.
    (Section::AdeSyncTokenErrors, Cause::AdeTokenExpiredOrInvalid),
    (Section::AdeSyncTokenErrors, Cause::AdeAccessDenied),
    (Section::AdeSyncTokenErrors, Cause::AbmTermsNotAccepted),
    (Section::AdeSyncTokenErrors, Cause::AppleInternalServerError),
    (
        Section::AdeSyncTokenErrors,
        Cause::AdeProfileInvalidSupportPhone,
    ),
    (Section::AdeSyncTokenErrors, Cause::AdeProfileInvalidName),
    (Section::AdeSyncTokenErrors, Cause::AdeSyncCursorInvalid),
    (Section::AdeSyncTokenErrors, Cause::AdeSyncCursorExpired),
    (Section::AdeSyncTokenErrors, Cause::AdeSyncCursorRequired),
    (Section::AdeSyncTokenErrors, Cause::AppleProfileNotFound),
    (
        Section::AdeSyncTokenErrors,
        Cause::AdeProfileInvalidDepartment,
    ),
    (Section::AdeTokenUploadError, Cause::AdeTokenUploadFailed),
    // --- end of the ADE token block.
    (
        Section::ApnsCertificateNotValid,
        Cause::ApnsCertificateMissing,
    ),
    (
        Section::ApnsCertificateNotValid,
        Cause::ApnsCertificateInvalid,
    ),
    (
        Section::DeviceTypeNotSupported,
        Cause::UnsupportedDeviceType,
    ),
    (Section::MdmAuthorityNotDefined, Cause::MdmAuthorityNotSet),
    (Section::InvalidProfile, Cause::IosPlatformBlocked),
    (
        Section::VerifyWsTrust13Enabled,
        Cause::WsTrust13EndpointDisabled,
    ),
    (Section::ScepInvalidResponse, Cause::ScepChallengeExpired),
];

/// Every (section, cause) pair the article documents, in article order.
pub fn pairs() -> &'static [(Section, Cause)] {
    PAIRS
}

impl Section {
    /// The 2020 article's anchor, for the entries it had (`None` for the entries added since).
    pub fn seed_anchor(self) -> Option<&'static str> {
        (self.edition() == Edition::Seed).then(|| self.id())
    }

    /// The current article's anchor: what JSON reports as `current_section`.
    pub fn current_section(self) -> &'static str {
        self.current().anchor
    }

    /// Both anchors for a person: `seed-anchor (now page#anchor [row])`, or for an entry added
    /// since 2020, `page#anchor [row] (new)`.
    pub fn anchors_label(self) -> String {
        match self.seed_anchor() {
            Some(seed) => format!("{seed} (now {})", self.current().label()),
            None => format!("{} (new)", self.current().label()),
        }
    }

    /// The causes the article lists under this section, in article order.
    pub fn causes(self) -> Vec<Cause> {
        PAIRS
            .iter()
            .filter(|(s, _)| *s == self)
            .map(|(_, c)| *c)
            .collect()
    }

    /// The message texts and where they appear.
    pub fn message(self) -> &'static UserMessage {
        messages::message_for(self)
    }

    /// The text in a language: the article's heading, which is the device's message for the
    /// error-message sections.
    pub fn text(self, language: Language) -> &'static str {
        messages::text_in(self, language)
    }
}

impl Cause {
    /// A short English title.
    pub fn title(self) -> &'static str {
        match self {
            Cause::IosUnspecifiedError => "An unspecified iOS/iPadOS problem on the device",
            Cause::PersonalDevicesBlocked => {
                "Enrollment restrictions block personally owned iOS/iPadOS devices"
            }
            Cause::PreviousUserNotRemoved => "The device is still enrolled to a previous user",
            Cause::EnrolledInOtherMdm => "The device is already enrolled with another MDM provider",
            Cause::UserNotLicensed => "The user has no valid Intune licence",
            Cause::ApnsCertificateMissing => "No Apple MDM push certificate is configured",
            Cause::ApnsCertificateInvalid => "The Apple MDM push certificate is invalid or expired",
            Cause::ApnsCertificateNeedsRenewal => "The Apple MDM push certificate needs renewal",
            Cause::CompanyPortalOutdated => "The Company Portal app is outdated or damaged",
            Cause::DeviceLimitReached => "The user has reached the device enrollment limit",
            Cause::ManagementProfilePresent => {
                "A management profile is already installed on the device"
            }
            Cause::AdeServiceUnreachable => {
                "The device cannot reach Apple's Automated Device Enrollment service"
            }
            Cause::AdeProfilePredatesToken => {
                "The ADE enrollment profile is older than the ADE token upload"
            }
            Cause::MfaDuringAde => {
                "MFA is required during ADE enrollment, which does not support it"
            }
            Cause::GovernmentCloudNotSelected => {
                "Company Portal does not send the government user to the government cloud"
            }
            Cause::UnsupportedDeviceType => {
                "The device is not an iOS/iPadOS device running version 8.0 or later"
            }
            Cause::MdmAuthorityNotSet => "The tenant's MDM authority has not been set",
            Cause::IosPlatformBlocked => "A device type restriction blocks the iOS/iPadOS platform",
            Cause::WsTrust13EndpointDisabled => {
                "The federation service's WS-Trust 1.3 Username/Mixed endpoint is disabled"
            }
            Cause::ScepChallengeExpired => {
                "The management profile was installed more than 15 minutes after its download, past its SCEP challenge's lifetime"
            }
            other => ade_token_title(other),
        }
    }

    /// The sections that list this cause, in article order.
    pub fn sections(self) -> Vec<Section> {
        PAIRS
            .iter()
            .filter(|(_, c)| *c == self)
            .map(|(s, _)| *s)
            .collect()
    }

    /// The section where the article gives this cause's resolution.
    pub fn primary_section(self) -> Section {
        match self {
            Cause::DeviceLimitReached => Section::DeviceCapReached,
            Cause::CompanyPortalOutdated => Section::CompanyPortalUnavailable,
            Cause::ApnsCertificateMissing | Cause::ApnsCertificateInvalid => {
                Section::NoEnrollmentPolicy
            }
            Cause::UserNotLicensed => Section::ConnectionNotEstablished,
            other => other
                .sections()
                .first()
                .copied()
                .unwrap_or(Section::NetworkError),
        }
    }

    /// The resolution, as numbered steps in our own words, each carrying the anchor of the
    /// article section its facts come from. `section` is the section diagnosed (it selects
    /// the anchor when the cause appears under several sections).
    pub fn resolution(self, section: Option<Section>) -> Vec<ResolutionStep> {
        resolution::steps(self, section)
    }
}

/// The titles of the ADE token block (the current article's sync-error rows and upload error).
fn ade_token_title(cause: Cause) -> &'static str {
    match cause {
        Cause::AdeTokenExpiredOrInvalid => "The ADE server token is expired, revoked or malformed",
        Cause::AdeAccessDenied => {
            "Intune's MDM server no longer has access in Apple Business Manager"
        }
        Cause::AbmTermsNotAccepted => {
            "New terms and conditions are not accepted in Apple Business Manager"
        }
        Cause::AppleInternalServerError => "Apple's ADE service answers with an internal error",
        Cause::AdeProfileInvalidSupportPhone => {
            "An ADE enrollment profile's support phone number is invalid"
        }
        Cause::AdeProfileInvalidName => "An ADE enrollment profile's name is invalid",
        Cause::AdeSyncCursorInvalid => "Apple rejected or did not find the ADE sync cursor",
        Cause::AdeSyncCursorExpired => "The ADE sync cursor expired",
        Cause::AdeSyncCursorRequired => "Intune's ADE sync did not send a cursor",
        Cause::AppleProfileNotFound => "Apple does not have the ADE profile Intune assigns",
        Cause::AdeProfileInvalidDepartment => "An ADE enrollment profile's department is invalid",
        Cause::AdeTokenUploadFailed => "The enrollment program token upload failed",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for s in Section::ALL {
            assert_eq!(s.id().parse::<Section>().unwrap(), *s);
            let json = serde_json::to_string(s).unwrap();
            assert_eq!(serde_json::from_str::<Section>(&json).unwrap(), *s);
        }
        for c in Cause::ALL {
            assert_eq!(c.id().parse::<Cause>().unwrap(), *c);
        }
        assert!("nope".parse::<Cause>().is_err());
        assert_eq!(
            " Device-Cap-Reached ".parse::<Section>().unwrap(),
            Section::DeviceCapReached
        );
    }

    #[test]
    fn an_unknown_id_names_the_nearest_valid_one() {
        let err = "device-cap-reachd".parse::<Section>().unwrap_err();
        assert_eq!(err.nearest, Some("device-cap-reached"));
        assert_eq!(
            err.to_string(),
            "unknown section id \"device-cap-reachd\"; did you mean \"device-cap-reached\"?"
        );
        let err = "Device-Limit-Reched".parse::<Cause>().unwrap_err();
        assert_eq!(err.nearest, Some("device-limit-reached"));
    }

    #[test]
    fn an_unknown_id_far_from_every_valid_one_lists_them_all() {
        let err = "nope".parse::<Cause>().unwrap_err();
        assert_eq!(err.nearest, None);
        let message = err.to_string();
        assert!(message.starts_with("unknown cause id \"nope\"; expected one of: "));
        for id in Cause::IDS {
            assert!(message.contains(id), "{id} missing from {message}");
        }
        assert_eq!(Cause::IDS.len(), Cause::ALL.len());
        assert_eq!(Section::IDS.len(), Section::ALL.len());
    }

    #[test]
    fn every_section_and_cause_is_paired() {
        for s in Section::ALL {
            assert!(!s.causes().is_empty(), "{s} has no cause");
        }
        for c in Cause::ALL {
            assert!(c.sections().contains(&c.primary_section()), "{c}");
        }
    }

    /// The anchor Learn generates for a heading: lower case, punctuation other than `-` and
    /// `_` dropped, spaces as dashes.
    fn generated_anchor(heading: &str) -> String {
        heading
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
            .map(|c| if c == ' ' { '-' } else { c })
            .collect()
    }

    #[test]
    fn a_new_entry_is_named_by_its_current_anchor_or_table_row() {
        for s in Section::ALL {
            let current = s.current();
            match s.edition() {
                Edition::Seed => assert_eq!(s.seed_anchor(), Some(s.id())),
                Edition::New => {
                    assert_eq!(s.seed_anchor(), None);
                    let expected = current
                        .row
                        .map_or(current.anchor.to_string(), generated_anchor);
                    assert_eq!(s.id(), expected, "{s:?}");
                }
            }
            assert_eq!(current.anchor, generated_anchor(current.anchor), "{s:?}");
        }
    }

    #[test]
    fn current_anchors_are_the_current_headings() {
        assert_eq!(
            generated_anchor("iOS/iPadOS enrollment errors"),
            Section::NoEnrollmentPolicy.current_section()
        );
        assert_eq!(
            generated_anchor("Error: Profile Installation Failed. A Network Error Has Occurred."),
            Section::NetworkError.current_section()
        );
        assert_eq!(
            generated_anchor("XPC_TYPE_ERROR Connection invalid"),
            Section::XpcConnectionInvalid.current_section()
        );
        assert_eq!(
            Section::ServiceNotSupported.current(),
            Section::NoEnrollmentPolicy.current()
        );
        assert_eq!(Section::MdmPayloadMismatch.current().page, Page::Companion);
        assert_eq!(
            Section::DeviceCapReached.anchors_label(),
            "device-cap-reached (now troubleshoot-ios-enrollment-errors#iosipados-enrollment-errors [DeviceCapReached])"
        );
        assert_eq!(
            Section::WorkplaceJoinFailed.current().url(),
            "https://learn.microsoft.com/troubleshoot/mem/intune/device-enrollment/troubleshoot-ios-enrollment-errors#workplace-join-failed"
        );
    }

    #[test]
    fn design_table_ids() {
        assert_eq!(
            Section::XpcConnectionInvalid.id(),
            "xpc_type_error-connection-invalid"
        );
        assert_eq!(
            Section::ConnectionNotEstablished.causes(),
            vec![
                Cause::PersonalDevicesBlocked,
                Cause::PreviousUserNotRemoved,
                Cause::EnrolledInOtherMdm,
                Cause::UserNotLicensed
            ]
        );
        assert_eq!(
            Cause::DeviceLimitReached.sections(),
            vec![Section::CompanyPortalUnavailable, Section::DeviceCapReached]
        );
    }
}
