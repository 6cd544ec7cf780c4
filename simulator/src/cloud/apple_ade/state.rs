//! Apple Business Manager's side of ADE, as plain data: the organisation, its MDM servers and
//! their server tokens, its devices and which MDM server each is assigned to, the DEP profiles
//! the servers defined and which serial has which, plus the DEP API's own bookkeeping
//! (sessions, seen OAuth nonces, cursors and the change log that sync reads).
//!
//! No I/O happens here and no clock or generator is read behind the caller's back: every
//! operation takes the virtual time `now` (and the seeded generator when it makes up an
//! identifier), so the same calls give the same state. The DEP API operations live next door
//! ([`super::session`], [`super::devices`], [`super::profiles`]); this file holds the data and
//! the administrator's actions in Apple Business Manager, which are what a scenario sets up:
//!
//! - **Download Token**: [`AppleAdeState::issue_server_token`]. Apple Business Manager warns
//!   that downloading a new token for a server invalidates the one in use; here the new token
//!   keeps the server's consumer key and access token but gets new secrets, so a client still
//!   holding the old file fails the signature check (401), which is what Fleet reports from the
//!   real service (fleetdm/fleet#47700: `signature_invalid` after a token was regenerated in
//!   ABM without being uploaded).
//! - **Terms and conditions**: [`AppleAdeState::terms_accepted`]; while false every call
//!   answers 403 `T_C_NOT_SIGNED` (Apple, "Interpreting Automated Device Enrollment program
//!   error codes").
//! - **Remove Intune from the MDM server list / add it back**:
//!   [`AppleAdeState::set_access_denied`]; meanwhile the server's calls get 403
//!   `ACCESS_DENIED`. Adding it back keeps its consumer key, token and profiles (enrollsim's
//!   simplification: a brand-new server would need a new token and new profiles).
//! - **Apple's own trouble**: [`AppleAdeState::internal_error_until`] (every call answers 500
//!   until then), [`AppleAdeState::forget_cursors`] and [`AppleAdeState::forget_profiles`]
//!   (Apple no longer knows cursors or profiles it issued: `INVALID_CURSOR`, `NOT_FOUND`).
//! - **Assign devices to an MDM server**: [`AppleAdeState::assign_device`], which logs the
//!   `added`/`deleted` operations that `POST /devices/sync` reports.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use time::{Duration, OffsetDateTime};

use super::token::ServerToken;
use crate::rng::SeededRng;
use crate::wire::dep::{DepDevice, DepProfile, OpType, ProfileStatus};

/// How long an `auth_session_token` stays valid. Apple does not publish the lifetime, only
/// that an expired session gets 401; a few minutes is what clients observe.
pub const SESSION_LIFETIME: Duration = Duration::minutes(5);
/// How old a cursor may be: Apple's "Sync the List of Devices" says the cursor "should not be
/// older than 7 days"; older ones get `EXPIRED_CURSOR`.
pub const CURSOR_LIFETIME: Duration = Duration::days(7);
/// How long a server token is valid (Apple Business Manager tokens last a year).
pub const TOKEN_LIFETIME: Duration = Duration::days(365);
/// Default page size of fetch and sync.
pub const DEFAULT_PAGE_SIZE: u32 = 100;
/// Largest page size of fetch and sync.
pub const MAX_PAGE_SIZE: u32 = 1000;

/// The state shared by the DEP API and the device-facing handler.
pub type SharedAdeState = Arc<Mutex<AppleAdeState>>;

/// Locks shared state, recovering it if a holder panicked (the data stays consistent: no
/// operation leaves it half-written across an await point).
pub fn lock(state: &SharedAdeState) -> MutexGuard<'_, AppleAdeState> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}

/// The organisation that owns the Apple Business Manager account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    /// `org_name`, also the cloud configuration's `OrganizationName`.
    pub name: String,
    /// `org_id`.
    pub org_id: String,
    /// `org_id_hash`.
    pub org_id_hash: String,
    /// `org_email`.
    pub email: String,
    /// `org_phone`.
    pub phone: String,
    /// `org_address`.
    pub address: String,
    /// `org_type`: `org` (Apple Business Manager) or `edu` (Apple School Manager).
    pub org_type: String,
    /// `org_version`: `v2` for Apple Business Manager.
    pub org_version: String,
    /// `admin_id`: the Apple ID of the administrator who manages the MDM servers.
    pub admin_id: String,
}

impl Organization {
    /// An Apple Business Manager organisation called `name`, its ids drawn from `rng`.
    pub fn new(name: &str, rng: &SeededRng) -> Organization {
        let domain: String = name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        let domain = if domain.is_empty() {
            "example".to_string()
        } else {
            domain
        };
        Organization {
            name: name.to_string(),
            org_id: (1_000_000 + rng.below(9_000_000)).to_string(),
            org_id_hash: rng.hex(32),
            email: format!("it@{domain}.example"),
            phone: "+1 408 555 0100".to_string(),
            address: "1 Infinite Loop, Cupertino CA 95014, US".to_string(),
            org_type: "org".to_string(),
            org_version: "v2".to_string(),
            admin_id: format!("admin@{domain}.example"),
        }
    }
}

/// A server token as issued, with when it was issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedToken {
    /// The token the admin downloaded.
    pub token: ServerToken,
    /// When it was downloaded.
    pub issued_at: OffsetDateTime,
    /// Which download this is for the server (1 for the first); sessions opened with an
    /// older generation die when a new token is downloaded.
    pub generation: u64,
}

/// An MDM server defined in Apple Business Manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MdmServer {
    /// Its name (`server_name`).
    pub name: String,
    /// Its UUID (`server_uuid`).
    pub uuid: String,
    /// Its OAuth consumer key, fixed when the server is created.
    pub consumer_key: String,
    /// The token currently valid, if one was downloaded and not revoked.
    pub token: Option<IssuedToken>,
    /// When true, Apple answers 403 `ACCESS_DENIED` (the server lost access to the account).
    pub access_denied: bool,
    /// The public key (`.pem`) the admin uploaded for the server ("MDM Server Settings >
    /// Upload Public Key"); Apple encrypts the server tokens it hands out to it.
    pub public_key: Option<String>,
}

/// A device in Apple Business Manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbmDevice {
    /// `serial_number`.
    pub serial_number: String,
    /// `model`, e.g. `iPhone 15`.
    pub model: String,
    /// `description`, e.g. `IPHONE 15 BLACK 128GB-USA`.
    pub description: String,
    /// `color`.
    pub color: String,
    /// `asset_tag`.
    pub asset_tag: Option<String>,
    /// `os`: `iOS`, `iPadOS`...
    pub os: String,
    /// `device_family`: `iPhone`, `iPad`...
    pub device_family: String,
    /// The UUID of the MDM server it is assigned to, if any.
    pub mdm_server: Option<String>,
    /// `device_assigned_date`.
    pub assigned_date: Option<OffsetDateTime>,
    /// `device_assigned_by`.
    pub assigned_by: Option<String>,
}

impl AbmDevice {
    /// An iPhone with serial `serial`, not yet assigned to an MDM server.
    pub fn iphone(serial: &str) -> AbmDevice {
        AbmDevice {
            serial_number: serial.to_string(),
            model: "iPhone 15".to_string(),
            description: "IPHONE 15 BLACK 128GB-USA".to_string(),
            color: "BLACK".to_string(),
            asset_tag: None,
            os: "iOS".to_string(),
            device_family: "iPhone".to_string(),
            mdm_server: None,
            assigned_date: None,
            assigned_by: None,
        }
    }

    /// An iPad with serial `serial`, not yet assigned to an MDM server.
    pub fn ipad(serial: &str) -> AbmDevice {
        AbmDevice {
            model: "iPad Air".to_string(),
            description: "IPAD AIR WI-FI 64GB SPACE GRAY".to_string(),
            color: "SPACE GRAY".to_string(),
            os: "iPadOS".to_string(),
            device_family: "iPad".to_string(),
            ..AbmDevice::iphone(serial)
        }
    }
}

/// A DEP profile an MDM server defined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinedProfile {
    /// `profile_uuid` Apple gave it.
    pub uuid: String,
    /// The UUID of the MDM server that defined it.
    pub server: String,
    /// The profile JSON as defined (without its `devices`).
    pub profile: DepProfile,
    /// When it was defined.
    pub defined_at: OffsetDateTime,
}

/// Which profile a serial has, and whether the device fetched it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileAssignment {
    /// `profile_uuid` (kept after removal, for the record).
    pub profile_uuid: Option<String>,
    /// `profile_status`.
    pub status: ProfileStatus,
    /// `profile_assign_time`.
    pub assigned_at: Option<OffsetDateTime>,
    /// `profile_push_time`: when the device last fetched its cloud configuration.
    pub pushed_at: Option<OffsetDateTime>,
}

/// One entry of the change log that `POST /devices/sync` reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceEvent {
    /// The serial number.
    pub serial: String,
    /// The MDM server the change concerns.
    pub server: String,
    /// `op_type`.
    pub op_type: OpType,
    /// `op_date`.
    pub at: OffsetDateTime,
}

/// An `auth_session_token` Apple issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Session {
    pub(super) server: String,
    pub(super) generation: u64,
    pub(super) issued_at: OffsetDateTime,
}

/// A cursor Apple issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Cursor {
    pub(super) server: String,
    pub(super) issued_at: OffsetDateTime,
    pub(super) kind: CursorKind,
}

/// Where a cursor stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum CursorKind {
    /// A full fetch in progress over the serials assigned when it started.
    Fetch {
        snapshot: Arc<[String]>,
        offset: usize,
        event_mark: usize,
    },
    /// A sync position in the change log.
    Sync { event_mark: usize },
}

/// An administrator action that names something that does not exist.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdeStateError {
    /// No MDM server has this UUID.
    #[error("no MDM server {0} in Apple Business Manager")]
    UnknownServer(String),
    /// No device has this serial number.
    #[error("no device {0} in Apple Business Manager")]
    UnknownDevice(String),
    /// The server has no public key, so Apple Business Manager has nothing to encrypt a
    /// server token to (it asks for the `.pem` when the server is created).
    #[error("MDM server {0} has no public key in Apple Business Manager")]
    NoPublicKey(String),
}

/// Apple Business Manager's state and the DEP API's bookkeeping.
#[derive(Debug, Clone)]
pub struct AppleAdeState {
    /// The organisation.
    pub organization: Organization,
    /// Whether the organisation accepted the latest terms and conditions.
    pub terms_accepted: bool,
    /// Until when Apple's DEP API answers every call with 500 (an incident on Apple's side).
    pub internal_error_until: Option<OffsetDateTime>,
    pub(super) servers: BTreeMap<String, MdmServer>,
    pub(super) devices: BTreeMap<String, AbmDevice>,
    pub(super) profiles: BTreeMap<String, DefinedProfile>,
    pub(super) assignments: BTreeMap<String, ProfileAssignment>,
    pub(super) sessions: HashMap<String, Session>,
    pub(super) nonces: HashSet<String>,
    pub(super) cursors: HashMap<String, Cursor>,
    pub(super) events: Vec<DeviceEvent>,
}

impl AppleAdeState {
    /// An account for `organization` with terms accepted and nothing else.
    pub fn new(organization: Organization) -> AppleAdeState {
        AppleAdeState {
            organization,
            terms_accepted: true,
            internal_error_until: None,
            servers: BTreeMap::new(),
            devices: BTreeMap::new(),
            profiles: BTreeMap::new(),
            assignments: BTreeMap::new(),
            sessions: HashMap::new(),
            nonces: HashSet::new(),
            cursors: HashMap::new(),
            events: Vec::new(),
        }
    }

    /// Wraps the state for sharing between the handlers and the world.
    pub fn shared(self) -> SharedAdeState {
        Arc::new(Mutex::new(self))
    }

    /// Adds an MDM server called `name` and returns its UUID.
    pub fn add_mdm_server(&mut self, name: &str, rng: &SeededRng) -> String {
        let uuid = rng.uuid();
        let server = MdmServer {
            name: name.to_string(),
            uuid: uuid.clone(),
            consumer_key: format!("CK_{}", rng.hex(64)),
            token: None,
            access_denied: false,
            public_key: None,
        };
        self.servers.insert(uuid.clone(), server);
        uuid
    }

    /// "Download Token": issues a new server token for `server`, valid for a year from `now`.
    /// The previous token of the server stops working at once (its secrets no longer sign),
    /// and so do the sessions opened with it.
    pub fn issue_server_token(
        &mut self,
        server: &str,
        rng: &SeededRng,
        now: OffsetDateTime,
    ) -> Result<ServerToken, AdeStateError> {
        let entry = self
            .servers
            .get_mut(server)
            .ok_or_else(|| AdeStateError::UnknownServer(server.to_string()))?;
        let (access_token, generation) = match &entry.token {
            Some(t) => (t.token.access_token.clone(), t.generation + 1),
            None => (format!("AT_O{}", rng.hex(64)), 1),
        };
        let token = ServerToken::new(
            entry.consumer_key.clone(),
            format!("CS_{}", rng.hex(64)),
            access_token,
            format!("AS_{}", rng.hex(64)),
            now + TOKEN_LIFETIME,
        );
        entry.token = Some(IssuedToken {
            token: token.clone(),
            issued_at: now,
            generation,
        });
        Ok(token)
    }

    /// "MDM Server Settings > Upload Public Key": the `.pem` Apple encrypts the server's next
    /// tokens to. The token in use keeps working; only the next download changes.
    pub fn upload_public_key(&mut self, server: &str, pem: &str) -> Result<(), AdeStateError> {
        let entry = self
            .servers
            .get_mut(server)
            .ok_or_else(|| AdeStateError::UnknownServer(server.to_string()))?;
        entry.public_key = Some(pem.to_string());
        Ok(())
    }

    /// "Download Token" as the admin gets it: a new server token ([`Self::issue_server_token`])
    /// in the `.p7m` encrypted to the server's public key.
    pub fn download_token_file(
        &mut self,
        server: &str,
        rng: &SeededRng,
        now: OffsetDateTime,
    ) -> Result<String, AdeStateError> {
        let key = self
            .servers
            .get(server)
            .ok_or_else(|| AdeStateError::UnknownServer(server.to_string()))?
            .public_key
            .clone()
            .ok_or_else(|| AdeStateError::NoPublicKey(server.to_string()))?;
        Ok(self
            .issue_server_token(server, rng, now)?
            .to_encrypted_file(&key))
    }

    /// Revokes the server's token (as deleting it in Apple Business Manager would): every
    /// session with it dies and `/session` answers 401.
    pub fn revoke_server_token(&mut self, server: &str) -> Result<(), AdeStateError> {
        let entry = self
            .servers
            .get_mut(server)
            .ok_or_else(|| AdeStateError::UnknownServer(server.to_string()))?;
        entry.token = None;
        Ok(())
    }

    /// Sets whether the server has lost access to the account (403 `ACCESS_DENIED`).
    pub fn set_access_denied(&mut self, server: &str, denied: bool) -> Result<(), AdeStateError> {
        let entry = self
            .servers
            .get_mut(server)
            .ok_or_else(|| AdeStateError::UnknownServer(server.to_string()))?;
        entry.access_denied = denied;
        Ok(())
    }

    /// Adds (or replaces) a device. Its `mdm_server` is honoured and logged as `added`.
    pub fn add_device(&mut self, device: AbmDevice, now: OffsetDateTime) {
        let serial = device.serial_number.clone();
        let server = device.mdm_server.clone();
        self.devices.insert(serial.clone(), device);
        if let Some(server) = server {
            self.log(&serial, &server, OpType::Added, now);
        }
    }

    /// Assigns `serial` to the MDM server `server` (or unassigns it with `None`), as an admin
    /// does in Apple Business Manager. Moving a device clears its profile assignment and logs
    /// `deleted` for the old server and `added` for the new one.
    pub fn assign_device(
        &mut self,
        serial: &str,
        server: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<(), AdeStateError> {
        if let Some(s) = server {
            if !self.servers.contains_key(s) {
                return Err(AdeStateError::UnknownServer(s.to_string()));
            }
        }
        let admin = self.organization.admin_id.clone();
        let device = self
            .devices
            .get_mut(serial)
            .ok_or_else(|| AdeStateError::UnknownDevice(serial.to_string()))?;
        let old = device.mdm_server.clone();
        if old.as_deref() == server {
            return Ok(());
        }
        device.mdm_server = server.map(str::to_string);
        device.assigned_date = server.map(|_| now);
        device.assigned_by = server.map(|_| admin);
        self.assignments.remove(serial);
        if let Some(old) = old {
            self.log(serial, &old, OpType::Deleted, now);
        }
        if let Some(new) = server {
            self.log(serial, new, OpType::Added, now);
        }
        Ok(())
    }

    /// Releases a device from the organisation: it leaves Apple Business Manager.
    pub fn release_device(
        &mut self,
        serial: &str,
        now: OffsetDateTime,
    ) -> Result<(), AdeStateError> {
        let device = self
            .devices
            .remove(serial)
            .ok_or_else(|| AdeStateError::UnknownDevice(serial.to_string()))?;
        self.assignments.remove(serial);
        if let Some(server) = device.mdm_server {
            self.log(serial, &server, OpType::Deleted, now);
        }
        Ok(())
    }

    /// Forgets every cursor issued so far (Apple then answers `INVALID_CURSOR` to them).
    pub fn forget_cursors(&mut self) {
        self.cursors.clear();
    }

    /// Forgets every profile defined so far, and the assignments to them (Apple then
    /// answers `NOT_FOUND` when a server assigns one).
    pub fn forget_profiles(&mut self) {
        self.profiles.clear();
        self.assignments.clear();
    }

    /// Whether Apple's DEP API is failing at `now` (500 to every call).
    pub fn failing_at(&self, now: OffsetDateTime) -> bool {
        self.internal_error_until.is_some_and(|until| now < until)
    }

    /// Forgets every open session, as a restart of Apple's service would.
    pub fn drop_sessions(&mut self) {
        self.sessions.clear();
    }

    /// The MDM server with this UUID.
    pub fn server(&self, uuid: &str) -> Option<&MdmServer> {
        self.servers.get(uuid)
    }

    /// Every MDM server, by UUID.
    pub fn servers(&self) -> impl Iterator<Item = &MdmServer> {
        self.servers.values()
    }

    /// The device with this serial.
    pub fn device(&self, serial: &str) -> Option<&AbmDevice> {
        self.devices.get(serial)
    }

    /// Every device, by serial.
    pub fn devices(&self) -> impl Iterator<Item = &AbmDevice> {
        self.devices.values()
    }

    /// The profile with this UUID.
    pub fn defined_profile(&self, uuid: &str) -> Option<&DefinedProfile> {
        self.profiles.get(uuid)
    }

    /// Every defined profile, by UUID.
    pub fn defined_profiles(&self) -> impl Iterator<Item = &DefinedProfile> {
        self.profiles.values()
    }

    /// The profile assignment of `serial`, if it ever had one.
    pub fn assignment(&self, serial: &str) -> Option<&ProfileAssignment> {
        self.assignments.get(serial)
    }

    /// The change log, oldest first.
    pub fn events(&self) -> &[DeviceEvent] {
        &self.events
    }

    /// The device record Apple shows for `serial` (profile fields included), if it exists.
    pub fn dep_device(&self, serial: &str) -> Option<DepDevice> {
        let d = self.devices.get(serial)?;
        let mut out = DepDevice::new(&d.serial_number);
        out.model = Some(d.model.clone());
        out.description = Some(d.description.clone());
        out.color = Some(d.color.clone());
        out.asset_tag = d.asset_tag.clone();
        out.os = Some(d.os.clone());
        out.device_family = Some(d.device_family.clone());
        out.device_assigned_date = d.assigned_date;
        out.device_assigned_by = d.assigned_by.clone();
        match self.assignments.get(serial) {
            Some(a) => {
                out.profile_status = Some(a.status);
                out.profile_uuid = a
                    .profile_uuid
                    .clone()
                    .filter(|_| a.status != ProfileStatus::Removed);
                out.profile_assign_time = a.assigned_at;
                out.profile_push_time = a.pushed_at;
            }
            None => out.profile_status = Some(ProfileStatus::Empty),
        }
        Some(out)
    }

    /// Whether `serial` is in the account and assigned to `server`.
    pub(super) fn accessible(&self, server: &str, serial: &str) -> bool {
        self.devices
            .get(serial)
            .is_some_and(|d| d.mdm_server.as_deref() == Some(server))
    }

    /// Appends to the change log.
    pub(super) fn log(&mut self, serial: &str, server: &str, op_type: OpType, at: OffsetDateTime) {
        self.events.push(DeviceEvent {
            serial: serial.to_string(),
            server: server.to_string(),
            op_type,
            at,
        });
    }
}
