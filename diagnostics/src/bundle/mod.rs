//! The evidence bundle: everything an admin can collect about one failed enrollment, in code
//! ([`EvidenceBundle`], with public fields so producers can build one directly) and on disk
//! (a directory described in `docs/evidence-bundle.md`, read with [`EvidenceBundle::read_dir`]
//! and written with [`EvidenceBundle::write_dir`]).
//!
//! Every part but the manifest is optional: the diagnosis works with whatever is present.

mod events;
mod io;
mod manifest;
pub mod tenant;

pub use enrollsim_graph::PortalDevice;
pub use events::{EnrollmentEvent, FailureCategory, SignInRecord, SignInStatus};
pub use io::{BundleError, BundleProblem, Part, ProblemKind, ReadBundle};
pub use manifest::{
    AffectedUsers, DeviceFacts, EnrollmentType, FileMap, Location, Manifest, UserReport, FORMAT,
};
pub use tenant::{
    ApnsCertificateView, DepOnboardingSettingView, DepUploadError, DeviceLimitConfiguration,
    EnrollmentConfiguration, EnrollmentProfileView, FederatedDomainView, FederationEndpointView,
    ImportedDeviceIdentityView, ImportedDeviceView, IosRestriction, LicenseView, ManagedDeviceView,
    PlatformRestrictionsConfiguration, TenantView, UserView,
};

/// One evidence bundle. Build it in code (all fields are public, `Default` gives an empty
/// bundle with the right format) or read it from a directory.
///
/// ```
/// use enrollsim_diagnostics::{EvidenceBundle, Location, EnrollmentType};
///
/// let bundle = EvidenceBundle::from_message("Workplace Join failed", "en-US")
///     .with_location(Location::CompanyPortal)
///     .with_enrollment_type(EnrollmentType::Byod)
///     .with_company_portal_log("2026-11-26T10:40:12.000Z ERROR [WorkplaceJoin] Device registration failed");
/// assert_eq!(bundle.message(), "Workplace Join failed");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EvidenceBundle {
    /// `bundle.json`.
    pub manifest: Manifest,
    /// `device.log`: the iOS console log.
    pub device_log: Option<String>,
    /// `company-portal.log`: the Company Portal log.
    pub company_portal_log: Option<String>,
    /// `tenant.json`: the tenant's admin view.
    pub tenant: Option<TenantView>,
    /// `enrollment-events.json`: Intune's enrollment troubleshooting events.
    pub enrollment_events: Option<Vec<EnrollmentEvent>>,
    /// `sign-ins.json`: Entra ID sign-ins.
    pub sign_ins: Option<Vec<SignInRecord>>,
    /// `company-portal-devices.json`: the user's device list as the Company Portal website
    /// shows it (collected by the user; no Graph call returns it).
    pub company_portal_devices: Option<Vec<PortalDevice>>,
}

impl EvidenceBundle {
    /// A bundle holding only what the user reported: the message and the device language
    /// (a BCP 47 tag such as `en-US` or `it-IT`; an empty string means unknown).
    pub fn from_message(message: impl Into<String>, language: impl Into<String>) -> Self {
        let language = language.into();
        EvidenceBundle {
            manifest: Manifest {
                user_report: Some(UserReport {
                    message: message.into(),
                    location: None,
                    language: (!language.is_empty()).then_some(language),
                    affected_users: None,
                }),
                ..Manifest::default()
            },
            ..EvidenceBundle::default()
        }
    }

    /// Sets where the message appeared.
    pub fn with_location(mut self, location: Location) -> Self {
        self.manifest
            .user_report
            .get_or_insert_with(UserReport::default)
            .location = Some(location);
        self
    }

    /// Sets how the device was being enrolled.
    pub fn with_enrollment_type(mut self, enrollment_type: EnrollmentType) -> Self {
        self.manifest.enrollment_type = Some(enrollment_type);
        self
    }

    /// Sets the collection time (RFC 3339).
    pub fn with_collected_at(mut self, collected_at: impl Into<String>) -> Self {
        self.manifest.collected_at = Some(collected_at.into());
        self
    }

    /// Sets the device facts.
    pub fn with_device(mut self, device: DeviceFacts) -> Self {
        self.manifest.device = Some(device);
        self
    }

    /// Attaches the iOS console log text.
    pub fn with_device_log(mut self, text: impl Into<String>) -> Self {
        self.device_log = Some(text.into());
        self
    }

    /// Attaches the Company Portal log text.
    pub fn with_company_portal_log(mut self, text: impl Into<String>) -> Self {
        self.company_portal_log = Some(text.into());
        self
    }

    /// Attaches the tenant's admin view.
    pub fn with_tenant(mut self, tenant: TenantView) -> Self {
        self.tenant = Some(tenant);
        self
    }

    /// Attaches enrollment troubleshooting events.
    pub fn with_enrollment_events(mut self, events: Vec<EnrollmentEvent>) -> Self {
        self.enrollment_events = Some(events);
        self
    }

    /// Attaches sign-in records.
    pub fn with_sign_ins(mut self, sign_ins: Vec<SignInRecord>) -> Self {
        self.sign_ins = Some(sign_ins);
        self
    }

    /// Sets the user's answer to "does it happen to all users or only some?".
    pub fn with_affected_users(mut self, scope: AffectedUsers) -> Self {
        self.manifest
            .user_report
            .get_or_insert_with(UserReport::default)
            .affected_users = Some(scope);
        self
    }

    /// The user's answer to "does it happen to all users or only some?", when asked.
    pub fn affected_users(&self) -> Option<AffectedUsers> {
        self.manifest
            .user_report
            .as_ref()
            .and_then(|r| r.affected_users)
    }

    /// Attaches the user's device list from the Company Portal website.
    pub fn with_company_portal_devices(mut self, devices: Vec<PortalDevice>) -> Self {
        self.company_portal_devices = Some(devices);
        self
    }

    /// The reported message, or `""`.
    pub fn message(&self) -> &str {
        self.manifest
            .user_report
            .as_ref()
            .map(|r| r.message.as_str())
            .unwrap_or("")
    }

    /// Where the message appeared, when reported.
    pub fn location(&self) -> Option<Location> {
        self.manifest.user_report.as_ref().and_then(|r| r.location)
    }

    /// The device facts, when present.
    pub fn device(&self) -> Option<&DeviceFacts> {
        self.manifest.device.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_message_sets_report_and_format() {
        let b =
            EvidenceBundle::from_message("NoEnrollmentPolicy", "").with_location(Location::Safari);
        assert_eq!(b.manifest.format, FORMAT);
        assert_eq!(b.message(), "NoEnrollmentPolicy");
        assert_eq!(b.location(), Some(Location::Safari));
        assert_eq!(b.manifest.user_report.unwrap().language, None);
    }

    #[test]
    fn location_can_be_set_without_a_message() {
        let b = EvidenceBundle::default().with_location(Location::SetupAssistant);
        assert_eq!(b.message(), "");
        assert_eq!(b.location(), Some(Location::SetupAssistant));
    }
}
