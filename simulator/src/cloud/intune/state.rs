//! Intune's tenant state: settings an admin changes, and records the service keeps, including
//! the Automated Device Enrollment tokens, profiles and imported devices. Plain data: the
//! services that act on it (sync, enrollment, the admin API) import this module, never the
//! other way round.

use std::collections::{HashMap, VecDeque};

use enrollsim_certs::Identity;
use time::{Duration, OffsetDateTime};

use crate::cloud::apple_ade::token::ServerToken;
use crate::index::{Keyed, PositionIndex};
use crate::wire::command::Command;

/// Who manages the tenant's devices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum MdmAuthority {
    /// Intune standalone.
    #[default]
    Intune,
    /// Configuration Manager (hybrid MDM, retired): an Intune licence does not cover it.
    ConfigurationManager,
    /// Not set yet.
    Unknown,
}

impl MdmAuthority {
    /// The name Graph shows (the serde name).
    pub fn graph_name(self) -> &'static str {
        match self {
            MdmAuthority::Intune => "intune",
            MdmAuthority::ConfigurationManager => "configurationManager",
            MdmAuthority::Unknown => "unknown",
        }
    }
}

/// The Apple MDM push certificate uploaded to Intune.
#[derive(Debug, Clone)]
pub struct ApnsCertificate {
    /// The Apple ID used in Apple's portal (a reminder for renewal).
    pub apple_id: String,
    /// The MDM topic (`com.apple.mgmt.External.<uuid>`), the certificate's subject `UID`.
    pub topic: String,
    /// The certificate and key Intune uses as its APNs client identity.
    pub identity: Identity,
    /// Expiry.
    pub expires_at: OffsetDateTime,
    /// When it was uploaded or last renewed.
    pub uploaded_at: OffsetDateTime,
}

/// How long Intune keeps accepting an expired push certificate before it treats it as gone:
/// Apple's 30-day grace period for renewal (Intune, "Get an Apple MDM push certificate").
pub const APNS_GRACE_PERIOD: Duration = Duration::days(30);

impl ApnsCertificate {
    /// Whether Intune still treats the certificate as usable at `now` (valid, or expired less
    /// than the grace period ago). Past that, enrollment answers `NoEnrollmentPolicy`.
    pub fn usable_at(&self, now: OffsetDateTime) -> bool {
        now < self.expires_at + APNS_GRACE_PERIOD
    }

    /// The status Graph shows (`active` or `expired`).
    pub fn status_at(&self, now: OffsetDateTime) -> &'static str {
        if now < self.expires_at {
            "active"
        } else {
            "expired"
        }
    }
}

/// The iOS/iPadOS part of a device type restriction.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IosRestriction {
    /// The whole platform is blocked.
    #[serde(default, alias = "platform_blocked")]
    pub platform_blocked: bool,
    /// Personally owned devices are blocked.
    #[serde(default, alias = "personal_device_enrollment_blocked")]
    pub personal_device_enrollment_blocked: bool,
    /// Lowest allowed OS version (major.minor.rev), Company Portal enrollment only.
    #[serde(default, alias = "os_minimum_version")]
    pub os_minimum_version: Option<String>,
    /// Highest allowed OS version.
    #[serde(default, alias = "os_maximum_version")]
    pub os_maximum_version: Option<String>,
}

/// A device type (platform) restriction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformRestriction {
    /// Id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Priority: 0 is the Default restriction (applies to all users, evaluated last); otherwise
    /// the lowest number among the user's restrictions wins.
    pub priority: u32,
    /// Assigned group ids (the Default restriction applies to everyone regardless).
    pub groups: Vec<String>,
    /// Excluded group ids: their members fall through to the next restriction (Default last).
    pub excluded_groups: Vec<String>,
    /// iOS/iPadOS settings.
    pub ios: IosRestriction,
}

/// The device limit Intune uses unless a restriction says otherwise.
pub const DEFAULT_DEVICE_LIMIT: u32 = 15;
/// The range the admin center allows for a device limit.
pub const DEVICE_LIMIT_RANGE: std::ops::RangeInclusive<u32> = 1..=15;

/// A device limit restriction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceLimitRestriction {
    /// Id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Priority, as for [`PlatformRestriction::priority`].
    pub priority: u32,
    /// Assigned group ids.
    pub groups: Vec<String>,
    /// Excluded group ids, as for [`PlatformRestriction::excluded_groups`].
    pub excluded_groups: Vec<String>,
    /// How many devices one user may enroll (1–15).
    pub limit: u32,
}

/// How a device is owned, as Intune classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ownership {
    /// Personally owned (every iOS device enrolled through the Company Portal unless its serial
    /// is a corporate identifier).
    Personal,
    /// Corporate owned (ADE, or a corporate identifier).
    Company,
}

impl Ownership {
    /// The name Graph shows in `managedDeviceOwnerType` (the serde name).
    pub fn graph_name(self) -> &'static str {
        match self {
            Ownership::Personal => "personal",
            Ownership::Company => "company",
        }
    }
}

/// Where a managed device is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ManagementState {
    /// Authenticated, waiting for its token.
    Enrolling,
    /// Enrolled and reachable.
    Managed,
    /// A retire was requested but the device never checked out: the record lingers.
    RetirePending,
}

impl ManagementState {
    /// The name Graph shows in `managementState` (the serde name).
    pub fn graph_name(self) -> &'static str {
        match self {
            ManagementState::Enrolling => "enrolling",
            ManagementState::Managed => "managed",
            ManagementState::RetirePending => "retirePending",
        }
    }
}

/// A managed device record.
#[derive(Debug, Clone)]
pub struct ManagedDevice {
    /// Intune device id.
    pub id: String,
    /// Entra device id, when the device workplace-joined.
    pub azure_ad_device_id: Option<String>,
    /// The user it is enrolled for (UPN).
    pub upn: String,
    /// Device name.
    pub name: String,
    /// Serial number.
    pub serial: String,
    /// UDID.
    pub udid: String,
    /// OS version.
    pub os_version: String,
    /// Model ("iPhone15,2").
    pub model: String,
    /// Ownership.
    pub ownership: Ownership,
    /// `userEnrollment` (Company Portal) or `appleBulkWithUser` / `appleBulkWithoutUser` (ADE).
    pub enrollment_type: String,
    /// Lifecycle state.
    pub state: ManagementState,
    /// Enrolled at.
    pub enrolled_at: OffsetDateTime,
    /// Last check-in.
    pub last_contact: OffsetDateTime,
    /// Whether the admin center lists it. Records that only the Company Portal website shows
    /// (the article's "devices visible only in the user portal") have `false`; they still count
    /// toward the user's device limit.
    pub admin_visible: bool,
    /// The MDM topic the device subscribed to.
    pub topic: Option<String>,
    /// APNs device token (hex).
    pub push_token: Option<String>,
    /// PushMagic.
    pub push_magic: Option<String>,
    /// The serial number (hex) of the identity certificate it authenticates with.
    pub identity_serial: Option<String>,
    /// The device is in Setup Assistant waiting for `DeviceConfigured`.
    pub awaiting_configuration: bool,
    /// Commands queued for it.
    pub queue: VecDeque<QueuedCommand>,
    /// Results received, in order: (request type, status).
    pub results: Vec<(String, String)>,
    /// Why the last push to the device failed, if it did.
    pub last_push_failure: Option<String>,
}

/// A command waiting for a device.
#[derive(Debug, Clone)]
pub struct QueuedCommand {
    /// Its CommandUUID.
    pub uuid: String,
    /// The command.
    pub command: Command,
}

/// How an enrollment session was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum EnrollmentChannel {
    /// The Company Portal app.
    CompanyPortal,
    /// The Company Portal website in Safari.
    Web,
    /// Automated Device Enrollment (Setup Assistant).
    Ade,
}

/// Progress of an enrollment session: its shape is the enrollment API's.
pub use crate::wire::intune_enrollment::SessionProgress;

/// An enrollment session: one user enrolling one device.
#[derive(Debug, Clone)]
pub struct EnrollmentSession {
    /// Session id (also the identity certificate's common name).
    pub id: String,
    /// Who.
    pub user_id: String,
    /// UPN.
    pub upn: String,
    /// How.
    pub channel: EnrollmentChannel,
    /// Entra device id from workplace join, if any.
    pub azure_ad_device_id: Option<String>,
    /// The one-time path segment of the profile URL.
    pub profile_token: String,
    /// Created at.
    pub created_at: OffsetDateTime,
    /// The identity certificate's serial (hex), once the profile was issued.
    pub identity_serial: Option<String>,
    /// Progress.
    pub progress: SessionProgress,
    /// The device's UDID, once it authenticated.
    pub udid: Option<String>,
    /// The cloud the session was opened in; the profile points the device at its MDM host.
    pub cloud: crate::cloud::entra::Cloud,
}

/// Graph's `deviceEnrollmentFailureReason`: one type for the state, the admin API and the bundle.
pub use enrollsim_graph::FailureCategory;

/// An `enrollmentTroubleshootingEvent`.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TroubleshootingEvent {
    /// Id.
    pub id: String,
    /// When.
    pub event_date_time: String,
    /// Correlation id.
    pub correlation_id: String,
    /// User object id.
    pub user_id: Option<String>,
    /// Entra device id.
    pub device_id: Option<String>,
    /// Intune device id.
    pub managed_device_identifier: Option<String>,
    /// `iOS`.
    pub operating_system: String,
    /// OS version.
    pub os_version: Option<String>,
    /// `userEnrollment`, `appleBulkWithUser`...
    pub enrollment_type: String,
    /// Category.
    pub failure_category: FailureCategory,
    /// Detail.
    pub failure_reason: String,
}

/// How an ADE enrollment profile authenticates the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum AdeAuthMethod {
    /// In the Company Portal after Setup Assistant (supports MFA).
    #[default]
    #[serde(alias = "company-portal")]
    CompanyPortal,
    /// Setup Assistant's own sign-in sheet (no MFA).
    #[serde(alias = "setup-assistant-legacy")]
    SetupAssistantLegacy,
    /// Setup Assistant with modern authentication (a web view; Entra MFA works).
    #[serde(alias = "setup-assistant-modern")]
    SetupAssistantModern,
}

impl AdeAuthMethod {
    /// The name Graph shows in `authenticationMethod` (the serde name).
    pub fn graph_name(self) -> &'static str {
        match self {
            AdeAuthMethod::CompanyPortal => "companyPortal",
            AdeAuthMethod::SetupAssistantLegacy => "setupAssistantLegacy",
            AdeAuthMethod::SetupAssistantModern => "setupAssistantModern",
        }
    }
}

/// An enrollment profile of a token.
#[derive(Debug, Clone)]
pub struct AdeProfile {
    /// Id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Created at.
    pub created_at: OffsetDateTime,
    /// Last modified at.
    pub modified_at: OffsetDateTime,
    /// Authentication method.
    pub auth: AdeAuthMethod,
    /// The profile's UUID at Apple, once sent.
    pub apple_uuid: Option<String>,
    /// The modification time of the version Apple holds.
    pub sent_version: Option<OffsetDateTime>,
    /// The support phone number shown in Setup Assistant (Apple's `support_phone_number`).
    pub support_phone: Option<String>,
    /// The department shown in Setup Assistant (Apple's `department`).
    pub department: Option<String>,
}

/// A device Apple assigned to the token, as Intune imported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedDevice {
    /// Serial number.
    pub serial: String,
    /// The enrollment profile Intune assigned it to.
    pub profile_id: Option<String>,
    /// Whether Apple confirmed the assignment.
    pub assigned_at_apple: bool,
}

/// An enrollment program token (Graph's `depOnboardingSetting`).
#[derive(Debug, Clone)]
pub struct EnrollmentProgramToken {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// The Apple ID of the ABM account.
    pub apple_id: String,
    /// The server token (decrypted `.p7m`), once uploaded.
    pub server_token: Option<ServerToken>,
    /// When it was uploaded.
    pub uploaded_at: OffsetDateTime,
    /// When it expires.
    pub expires_at: OffsetDateTime,
    /// Last successful sync.
    pub last_sync: Option<OffsetDateTime>,
    /// Last manual sync request.
    pub last_sync_triggered: Option<OffsetDateTime>,
    /// Apple's device cursor.
    pub cursor: Option<String>,
    /// Enrollment profiles.
    pub profiles: Vec<AdeProfile>,
    /// The profile new devices get.
    pub default_profile: Option<String>,
    /// Imported devices.
    pub devices: Vec<ImportedDevice>,
    /// How the last sync ended; `None` when it succeeded or none ran.
    pub last_sync_error: Option<AdeSyncFailure>,
    /// Whether the first full fetch of Apple's device list completed; later syncs ask Apple
    /// for the changes since [`EnrollmentProgramToken::cursor`].
    pub initial_fetch_done: bool,
    /// The public key (PEM) Intune made for this token (Graph's `getEncryptionPublicKey`):
    /// Intune can open only a server token file encrypted to it.
    pub encryption_public_key: String,
    /// How the admin's last upload of a server token was refused; `None` once one succeeded.
    pub last_upload_error: Option<AdeUploadFailure>,
}

/// A refused server token upload, as the admin center showed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdeUploadFailure {
    /// When.
    pub at: OffsetDateTime,
    /// The admin center's error text.
    pub message: String,
}

/// A sync with Apple that failed, as Intune records it for the admin: Apple's HTTP status and
/// error token (or the OAuth problem of a refused `/session`), and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdeSyncFailure {
    /// When the sync failed.
    pub at: OffsetDateTime,
    /// Apple's HTTP status; `None` when Apple could not be reached.
    pub status: Option<u16>,
    /// Apple's error token (`T_C_NOT_SIGNED`, `EXPIRED_CURSOR`...), or the OAuth problem of
    /// a refused `/session` (`token_expired`...).
    pub code: String,
    /// The DEP API endpoint that answered (`/session`, `/devices/sync`...).
    pub endpoint: String,
}

/// The minimum Company Portal version the enrollment service accepts. Older apps are refused
/// with `UnsupportedClientVersion` (Microsoft retires old Company Portal versions; the article's
/// "Company Portal is out of date" cause).
pub const DEFAULT_MIN_COMPANY_PORTAL_VERSION: &str = "5.2400.0";

/// The results received for one command.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResultTally {
    /// Result reports that named the command (a device whose answer was lost resends it).
    pub received: u32,
    /// Reports Intune acted on: the one that took the command off the queue.
    pub accepted: u32,
    /// The status of the accepted report.
    pub status: String,
}

/// The tenant as Intune keeps it.
#[derive(Debug, Clone)]
pub struct IntuneState {
    /// Tenant display name.
    pub tenant_name: String,
    /// MDM authority.
    pub mdm_authority: MdmAuthority,
    /// The push certificate, if uploaded.
    pub apns: Option<ApnsCertificate>,
    /// The admin downloaded Intune's certificate signing request for a push certificate but
    /// never uploaded the certificate made from it: the setup was started and not completed.
    pub apns_request_pending: bool,
    /// Device type restrictions (the Default one has priority 0).
    pub platform_restrictions: Vec<PlatformRestriction>,
    /// Device limit restrictions (the Default one has priority 0).
    pub limit_restrictions: Vec<DeviceLimitRestriction>,
    /// Serial numbers registered as corporate identifiers.
    pub corporate_identifiers: Vec<String>,
    /// Managed devices.
    pub devices: Vec<ManagedDevice>,
    /// Enrollment sessions by id.
    pub sessions: HashMap<String, EnrollmentSession>,
    /// The troubleshooting event log.
    pub events: Vec<TroubleshootingEvent>,
    /// Oldest Company Portal version accepted.
    pub min_company_portal_version: String,
    /// Enrollment program tokens (ADE).
    pub ade_tokens: Vec<EnrollmentProgramToken>,
    /// Whether APNs refused the push certificate the last time Intune pushed (the tenant is
    /// then "not onboarded" until the certificate is renewed).
    pub apns_rejected: Option<String>,
    /// Devices by UDID, serial and user; sessions by profile link and identity (see
    /// [`crate::index`]).
    pub lookup: IntuneIndex,
    /// Every command result received, by CommandUUID: how many reports arrived and how many
    /// Intune acted on (never more than one).
    pub command_results: HashMap<String, ResultTally>,
}

/// Intune's lookups: managed devices by UDID, serial number and UPN, and enrollment sessions
/// by their profile link and identity certificate.
#[derive(Debug, Clone, Default)]
pub struct IntuneIndex {
    devices: PositionIndex,
    /// Session id by identity serial and by profile token: hints, checked on use and
    /// refreshed from the sessions when one is missing or stale.
    session_by_identity: HashMap<String, String>,
    session_by_profile_token: HashMap<String, String>,
}

fn udid_key(udid: &str) -> String {
    format!("udid:{udid}")
}

fn serial_key(serial: &str) -> String {
    format!("serial:{serial}")
}

fn upn_key(upn: &str) -> String {
    format!("upn:{}", upn.to_ascii_lowercase())
}

impl Keyed for ManagedDevice {
    fn id(&self) -> &str {
        &self.id
    }
    fn keys(&self, out: &mut Vec<String>) {
        out.push(udid_key(&self.udid));
        out.push(serial_key(&self.serial));
        out.push(upn_key(&self.upn));
    }
}

impl IntuneState {
    /// A tenant with Intune as MDM authority, default restrictions and no push certificate.
    pub fn new(tenant_name: &str) -> Self {
        IntuneState {
            tenant_name: tenant_name.to_string(),
            mdm_authority: MdmAuthority::Intune,
            apns: None,
            apns_request_pending: false,
            platform_restrictions: vec![PlatformRestriction {
                id: "default-platform-restriction".into(),
                name: "All users and all devices".into(),
                priority: 0,
                groups: vec![],
                excluded_groups: vec![],
                ios: IosRestriction::default(),
            }],
            limit_restrictions: vec![DeviceLimitRestriction {
                id: "default-limit-restriction".into(),
                name: "All users and all devices".into(),
                priority: 0,
                groups: vec![],
                excluded_groups: vec![],
                limit: DEFAULT_DEVICE_LIMIT,
            }],
            corporate_identifiers: Vec::new(),
            devices: Vec::new(),
            sessions: HashMap::new(),
            events: Vec::new(),
            min_company_portal_version: DEFAULT_MIN_COMPANY_PORTAL_VERSION.into(),
            apns_rejected: None,
            ade_tokens: Vec::new(),
            command_results: HashMap::new(),
            lookup: IntuneIndex::default(),
        }
    }

    /// The device record with `udid`.
    pub fn device_by_udid_mut(&mut self, udid: &str) -> Option<&mut ManagedDevice> {
        self.device_mut_where(udid, |_| true)
    }

    /// Positions in `devices` of the records with `udid`, ascending.
    pub fn device_positions_by_udid(&self, udid: &str) -> Vec<usize> {
        let positions = self
            .lookup
            .devices
            .positions(&self.devices, &udid_key(udid));
        positions
            .into_iter()
            .filter(|&i| self.devices[i].udid == udid)
            .collect()
    }

    /// The first device record with `udid` for which `pick` holds.
    pub fn device_mut_where(
        &mut self,
        udid: &str,
        pick: impl Fn(&ManagedDevice) -> bool,
    ) -> Option<&mut ManagedDevice> {
        let found = self
            .device_positions_by_udid(udid)
            .into_iter()
            .find(|&i| pick(&self.devices[i]))?;
        self.devices.get_mut(found)
    }

    /// Device records with serial number `serial` or UDID `udid`, in the list's order.
    pub fn devices_by_serial_or_udid(&self, serial: &str, udid: &str) -> Vec<&ManagedDevice> {
        let mut positions = self.device_positions_by_udid(udid);
        positions.extend(
            self.lookup
                .devices
                .positions(&self.devices, &serial_key(serial)),
        );
        positions.sort_unstable();
        positions.dedup();
        positions
            .into_iter()
            .map(|i| &self.devices[i])
            .filter(|d| d.serial == serial || d.udid == udid)
            .collect()
    }

    /// Device records enrolled for `upn` (case-insensitive), in the list's order.
    pub fn devices_of_user(&self, upn: &str) -> Vec<&ManagedDevice> {
        self.lookup
            .devices
            .positions(&self.devices, &upn_key(upn))
            .into_iter()
            .map(|i| &self.devices[i])
            .filter(|d| d.upn.eq_ignore_ascii_case(upn))
            .collect()
    }

    /// Removes the records with `udid` for which `remove` holds; whether any was removed.
    pub fn remove_devices_where(
        &mut self,
        udid: &str,
        remove: impl Fn(&ManagedDevice) -> bool,
    ) -> bool {
        let doomed: Vec<usize> = self
            .device_positions_by_udid(udid)
            .into_iter()
            .filter(|&i| remove(&self.devices[i]))
            .collect();
        for &i in doomed.iter().rev() {
            self.devices.remove(i);
        }
        !doomed.is_empty()
    }

    /// Adds a session and remembers its profile link.
    pub fn insert_session(&mut self, session: EnrollmentSession) {
        self.lookup
            .session_by_profile_token
            .insert(session.profile_token.clone(), session.id.clone());
        self.sessions.insert(session.id.clone(), session);
    }

    /// The session whose identity certificate has serial `serial` (hex).
    pub fn session_by_identity(&mut self, serial: &str) -> Option<&mut EnrollmentSession> {
        let fits = |s: &EnrollmentSession| s.identity_serial.as_deref() == Some(serial);
        let id = self.session_id_where(serial, fits, |l| &mut l.session_by_identity)?;
        self.sessions.get_mut(&id)
    }

    /// The session whose profile link ends in `token`.
    pub fn session_by_profile_token(&mut self, token: &str) -> Option<&mut EnrollmentSession> {
        let fits = |s: &EnrollmentSession| s.profile_token == token;
        let id = self.session_id_where(token, fits, |l| &mut l.session_by_profile_token)?;
        self.sessions.get_mut(&id)
    }

    /// The id of the session `key` names in the hints `hints` picks, if it `fits`; when the
    /// hint is missing or stale, the sessions are scanned once and the hint remembered.
    fn session_id_where(
        &mut self,
        key: &str,
        fits: impl Fn(&EnrollmentSession) -> bool,
        hints: impl Fn(&mut IntuneIndex) -> &mut HashMap<String, String>,
    ) -> Option<String> {
        let hinted = hints(&mut self.lookup).get(key).cloned();
        if let Some(id) = hinted.filter(|id| self.sessions.get(id).is_some_and(&fits)) {
            return Some(id);
        }
        let mut found: Vec<&EnrollmentSession> =
            self.sessions.values().filter(|s| fits(s)).collect();
        // Several sessions cannot share an identity or a link; if they did, the oldest wins.
        found.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        let id = found.first()?.id.clone();
        hints(&mut self.lookup).insert(key.to_string(), id.clone());
        Some(id)
    }

    /// Records that session `id` issued the identity certificate with serial `serial`.
    pub fn set_session_identity(&mut self, id: &str, serial: String) {
        if let Some(s) = self.sessions.get_mut(id) {
            s.identity_serial = Some(serial.clone());
            self.lookup
                .session_by_identity
                .insert(serial, id.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serde_name(v: impl serde::Serialize) -> String {
        serde_json::to_value(v)
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    }

    #[test]
    fn graph_names_are_the_serde_names() {
        for a in [
            MdmAuthority::Intune,
            MdmAuthority::ConfigurationManager,
            MdmAuthority::Unknown,
        ] {
            assert_eq!(a.graph_name(), serde_name(a));
        }
        for o in [Ownership::Personal, Ownership::Company] {
            assert_eq!(o.graph_name(), serde_name(o));
        }
        for m in [
            ManagementState::Enrolling,
            ManagementState::Managed,
            ManagementState::RetirePending,
        ] {
            assert_eq!(m.graph_name(), serde_name(m));
        }
        for m in [
            AdeAuthMethod::CompanyPortal,
            AdeAuthMethod::SetupAssistantLegacy,
            AdeAuthMethod::SetupAssistantModern,
        ] {
            assert_eq!(m.graph_name(), serde_name(m));
        }
    }
}
