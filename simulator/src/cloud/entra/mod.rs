//! Microsoft Entra ID: the directory, the OAuth 2.0 token endpoint and device registration.
//!
//! One handler serves both clouds — `login.microsoftonline.com` (public) and
//! `login.microsoftonline.us` (US Government) — plus device registration
//! (`enterpriseregistration.windows.net`). Which cloud a request reached is decided by the host
//! name it was sent to, so a government user whose Company Portal signs in through the public
//! cloud fails the way the article describes, with the real AADSTS code.
//!
//! A domain can be federated: its users' passwords are checked by the tenant's federation
//! service ([`federation`], AD FS-like, its own host), which Entra ID calls over WS-Trust 1.3,
//! and realm discovery (`/common/userrealm/{upn}`) tells clients so.

pub mod conditional_access;
pub mod federation;
mod handler;
mod state;

pub use conditional_access::{
    AppliedPolicy, ConditionalAccessPolicy, GrantControl, Group, PolicyResult, PolicyState,
    INTUNE_APP_ID,
};
pub use federation::{FederationEndpoint, FederationServer, FederationService};
pub use handler::{bearer_token, EntraService};
pub use state::{
    AppRegistration, Cloud, EntraState, EntraUser, FederatedDomain, IssuedToken, License,
    RegisteredDevice, SignInRecord, SignInStatus, Sku, DEFAULT_DEVICE_QUOTA, INTUNE_SERVICE_PLANS,
};

/// Host of the public cloud's sign-in service.
pub const PUBLIC_LOGIN_HOST: &str = "login.microsoftonline.com";
/// Host of the US Government cloud's sign-in service.
pub const GOVERNMENT_LOGIN_HOST: &str = "login.microsoftonline.us";
/// Host of device registration (workplace join).
pub const REGISTRATION_HOST: &str = "enterpriseregistration.windows.net";
/// Host of device registration in the US Government cloud.
pub const GOVERNMENT_REGISTRATION_HOST: &str = "enterpriseregistration.microsoftonline.us";
/// Every host this service answers.
pub const HOSTS: [&str; 4] = [
    PUBLIC_LOGIN_HOST,
    GOVERNMENT_LOGIN_HOST,
    REGISTRATION_HOST,
    GOVERNMENT_REGISTRATION_HOST,
];

/// The sign-in host of a cloud.
pub fn login_host(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::Public => PUBLIC_LOGIN_HOST,
        Cloud::Government => GOVERNMENT_LOGIN_HOST,
    }
}

/// The device registration host of a cloud.
pub fn registration_host(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::Public => REGISTRATION_HOST,
        Cloud::Government => GOVERNMENT_REGISTRATION_HOST,
    }
}

/// The application id of "Microsoft Intune Enrollment", the resource an enrollment token is for
/// (the id Conditional Access policies target).
pub const INTUNE_ENROLLMENT_APP_ID: &str = "d4ebce55-015a-49b5-a083-c84d1797ae8c";
/// The Company Portal's client id.
pub const COMPANY_PORTAL_CLIENT_ID: &str = "9ba1a5c7-f17a-4de9-a1f1-6178c8d51223";

/// The audience of Microsoft Graph in the public cloud; the world's admin API accepts tokens
/// for it only.
pub const GRAPH_AUDIENCE: &str = "https://graph.microsoft.com";

/// The application id of the lab's own admin app, which holds the world's standing admin
/// token and can ask for fresh ones with its client credentials.
pub const LAB_ADMIN_APP_ID: &str = "5f0b6a8e-3c1d-4e7a-9b2f-0d6c8e4a1b73";

/// The Intune application permissions the lab's admin app was granted (Graph's names).
pub const INTUNE_ADMIN_ROLES: [&str; 3] = [
    "DeviceManagementManagedDevices.ReadWrite.All",
    "DeviceManagementServiceConfig.ReadWrite.All",
    "DeviceManagementConfiguration.ReadWrite.All",
];
