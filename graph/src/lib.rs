//! Plain serde types for the Microsoft Graph resources enrollsim speaks, and the evidence
//! bundle's tenant view (`tenant.json`) built from them.
//!
//! Why a crate of its own: the simulated admin API serves these shapes, the harness's admin
//! client and evidence collection read them, and the diagnosis reads the bundle written in
//! them. Keeping one definition here means a field renamed on one side cannot silently stop
//! matching on the other, while the diagnosis still depends on nothing of the simulator's
//! (this crate depends only on serde).
//!
//! Two families of types live here:
//! - the admin API's wire shapes ([`device`], [`dep`], [`user`], [`directory`], [`sign_in`], [`requests`],
//!   wrapped in [`odata`] envelopes), which always carry every field they name (`null` when
//!   unset, as Graph writes them);
//! - the bundle's tenant view ([`tenant`]) and the user-collected device list ([`portal`]), where every optional field may be absent, so that
//!   a real admin's partial export reads without loss. The admin shapes convert into it.

#![forbid(unsafe_code)]

pub mod assignments;
pub mod dep;
pub mod device;
pub mod directory;
pub mod events;
pub mod licence;
pub mod odata;
pub mod portal;
pub mod requests;
pub mod sign_in;
pub mod tenant;
pub mod user;

pub use assignments::{
    AssignmentTarget, DirectoryObject, EnrollmentConfigurationAssignment,
    ALL_LICENSED_USERS_TARGET_TYPE, EXCLUSION_GROUP_TARGET_TYPE, GROUP_TARGET_TYPE,
};
pub use dep::{DepEnrollmentProfile, DepOnboardingSetting, ImportedAppleDeviceIdentity};
pub use device::ManagedDevice;
pub use directory::{
    ConditionalAccessApplications, ConditionalAccessConditions, ConditionalAccessGrantControls,
    ConditionalAccessPolicy, ConditionalAccessPolicyPatch, ConditionalAccessUsers, Group,
    MemberReference,
};
pub use events::{EnrollmentEvent, FailureCategory};
pub use odata::{Collection, GraphError, GraphErrorDetail, InnerError, ValueOf};
pub use portal::PortalDevice;
pub use sign_in::{AppliedConditionalAccessPolicy, SignIn, SignInRecord, SignInStatus};
pub use tenant::{
    ApnsCertificateView, DepOnboardingSettingView, DepSyncError, DepUploadError,
    DeviceLimitConfiguration, EnrollmentConfiguration, EnrollmentProfileView, FederatedDomainView,
    FederationEndpointView, ImportedDeviceIdentityView, ImportedDeviceView, IosRestriction,
    LicenseView, ManagedDeviceView, PlatformRestrictionsConfiguration, TenantView, UserView,
};
pub use user::{LicenseDetails, Organization, PrepaidUnits, ServicePlanInfo, SubscribedSku, User};

/// The `@odata.type` of a device type (platform) restriction.
pub const PLATFORM_RESTRICTIONS_TYPE: &str =
    "#microsoft.graph.deviceEnrollmentPlatformRestrictionsConfiguration";
/// The `@odata.type` of a device limit restriction.
pub const LIMIT_CONFIGURATION_TYPE: &str = "#microsoft.graph.deviceEnrollmentLimitConfiguration";
