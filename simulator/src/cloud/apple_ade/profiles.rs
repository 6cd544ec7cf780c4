//! The DEP API's profile operations against the state — define (`POST /profile`), get
//! (`GET /profile`), assign (`POST`/`PUT /profile/devices`) and remove
//! (`DELETE /profile/devices`) — and the lookup the device-facing hop makes at activation.
//!
//! Checks follow Apple's "Define a Profile" page (developer.apple.com/documentation/
//! devicemanagement/define-profile): on top of [`crate::wire::dep::validate_profile`]
//! (name length, https URL, `FLAGS_INVALID` for an unremovable unsupervised profile, field
//! lengths), Apple rejects a `url` over 2000 characters (`CONFIG_URL_INVALID`), an empty
//! `department`, `support_phone_number` or `support_email_address`, an `org_magic` that is
//! empty or over 256 characters (`MAGIC_INVALID`) and an invalid `language`/`region`
//! (`LOCALE_INVALID`); enrollsim also refuses `anchor_certs` that are not base64
//! (`MALFORMED_REQUEST_BODY`, Apple names no token for it). "Assign a Profile" answers 404 `NOT_FOUND` for an unknown profile and
//! a per-serial `SUCCESS` or `NOT_ACCESSIBLE`; "Remove a Profile" leaves the devices without
//! a profile, "however, if those devices have already obtained the profile, this has no
//! effect until the device is wiped and activated again" — the device's business.

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use time::OffsetDateTime;

use super::state::{AppleAdeState, DefinedProfile, Organization, ProfileAssignment};
use crate::rng::SeededRng;
use crate::wire::dep::{
    validate_profile, AssignProfileResponse, DefineProfileResponse, DepErrorCode, DepProfile,
    DeviceStatus, DeviceStatusesResponse, OpType, ProfileStatus,
};

/// Longest `url`, in characters ("2000 URL encoded characters").
const MAX_URL: usize = 2000;
/// Longest `org_magic`, in characters.
const MAX_MAGIC: usize = 256;

/// The define checks Apple runs that [`validate_profile`] leaves out.
pub fn check_define_rules(profile: &DepProfile) -> Result<(), DepErrorCode> {
    validate_profile(profile)?;
    let chars = |s: &str| s.chars().count();
    if chars(&profile.url) > MAX_URL
        || profile
            .configuration_web_url
            .as_deref()
            .is_some_and(|u| chars(u) > MAX_URL)
    {
        return Err(DepErrorCode::ConfigUrlInvalid);
    }
    if profile.department.as_deref().is_some_and(str::is_empty) {
        return Err(DepErrorCode::DepartmentInvalid);
    }
    if profile
        .support_phone_number
        .as_deref()
        .is_some_and(str::is_empty)
    {
        return Err(DepErrorCode::SupportPhoneInvalid);
    }
    if profile
        .support_email_address
        .as_deref()
        .is_some_and(str::is_empty)
    {
        return Err(DepErrorCode::SupportEmailInvalid);
    }
    if profile
        .org_magic
        .as_deref()
        .is_some_and(|m| m.is_empty() || chars(m) > MAX_MAGIC)
    {
        return Err(DepErrorCode::MagicInvalid);
    }
    let letters = |s: &str, min: usize, max: usize| {
        (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphabetic())
    };
    if profile
        .language
        .as_deref()
        .is_some_and(|l| !letters(l, 2, 3))
        || profile.region.as_deref().is_some_and(|r| !letters(r, 2, 2))
    {
        return Err(DepErrorCode::LocaleInvalid);
    }
    let all_base64 = |certs: Option<&Vec<String>>| {
        certs
            .into_iter()
            .flatten()
            .all(|c| BASE64.decode(c.trim()).is_ok_and(|der| !der.is_empty()))
    };
    if !all_base64(profile.anchor_certs.as_ref())
        || !all_base64(profile.supervising_host_certs.as_ref())
    {
        // Apple names no token for this; the body is not what the endpoint takes.
        return Err(DepErrorCode::MalformedRequestBody);
    }
    Ok(())
}

impl AppleAdeState {
    /// `POST /profile`: checks and stores the profile for `server`, assigns it to the serials
    /// in its `devices`, and returns the new `profile_uuid` with the per-serial outcomes.
    pub fn define_profile(
        &mut self,
        server: &str,
        mut profile: DepProfile,
        rng: &SeededRng,
        now: OffsetDateTime,
    ) -> Result<DefineProfileResponse, DepErrorCode> {
        check_define_rules(&profile)?;
        let serials = profile.devices.take().unwrap_or_default();
        let uuid = rng.hex(16).to_uppercase();
        self.profiles.insert(
            uuid.clone(),
            DefinedProfile {
                uuid: uuid.clone(),
                server: server.to_string(),
                profile,
                defined_at: now,
            },
        );
        let devices = self.assign_serials(server, &uuid, &serials, now);
        Ok(DefineProfileResponse {
            profile_uuid: uuid,
            devices,
        })
    }

    /// `GET /profile?profile_uuid=`: the profile as defined. `PROFILE_UUID_REQUIRED` without a
    /// UUID, `NOT_FOUND` for an unknown one or one another server defined.
    pub fn get_profile(
        &self,
        server: &str,
        uuid: Option<&str>,
    ) -> Result<DepProfile, DepErrorCode> {
        let uuid = uuid
            .filter(|u| !u.is_empty())
            .ok_or(DepErrorCode::ProfileUuidRequired)?;
        self.profiles
            .get(uuid)
            .filter(|p| p.server == server)
            .map(|p| p.profile.clone())
            .ok_or(DepErrorCode::NotFound)
    }

    /// `POST /profile/devices`: assigns the profile to the serials (the latest assignment
    /// wins). `PROFILE_UUID_REQUIRED`, `DEVICE_ID_REQUIRED`, or `NOT_FOUND` (HTTP 404).
    pub fn assign_profile(
        &mut self,
        server: &str,
        uuid: Option<&str>,
        serials: &[String],
        now: OffsetDateTime,
    ) -> Result<AssignProfileResponse, DepErrorCode> {
        let uuid = uuid
            .filter(|u| !u.is_empty())
            .ok_or(DepErrorCode::ProfileUuidRequired)?;
        if serials.is_empty() {
            return Err(DepErrorCode::DeviceIdRequired);
        }
        if self.profiles.get(uuid).is_none_or(|p| p.server != server) {
            return Err(DepErrorCode::NotFound);
        }
        let devices = self.assign_serials(server, uuid, serials, now);
        Ok(AssignProfileResponse {
            profile_uuid: uuid.to_string(),
            devices,
            retry_after_seconds: None,
        })
    }

    /// `DELETE /profile/devices`: the serials lose their profile (`profile_status` becomes
    /// `removed`). `DEVICE_ID_REQUIRED` for an empty list.
    pub fn remove_profile(
        &mut self,
        server: &str,
        serials: &[String],
        now: OffsetDateTime,
    ) -> Result<DeviceStatusesResponse, DepErrorCode> {
        if serials.is_empty() {
            return Err(DepErrorCode::DeviceIdRequired);
        }
        let mut out = DeviceStatusesResponse::default();
        for serial in serials {
            if !self.accessible(server, serial) {
                out.devices
                    .insert(serial.clone(), DeviceStatus::NotAccessible);
                continue;
            }
            let entry = self
                .assignments
                .entry(serial.clone())
                .or_insert(ProfileAssignment {
                    profile_uuid: None,
                    status: ProfileStatus::Empty,
                    assigned_at: None,
                    pushed_at: None,
                });
            entry.status = ProfileStatus::Removed;
            self.log(serial, server, OpType::Modified, now);
            out.devices.insert(serial.clone(), DeviceStatus::Success);
        }
        Ok(out)
    }

    fn assign_serials(
        &mut self,
        server: &str,
        uuid: &str,
        serials: &[String],
        now: OffsetDateTime,
    ) -> BTreeMap<String, DeviceStatus> {
        let mut out = BTreeMap::new();
        for serial in serials {
            if !self.accessible(server, serial) {
                out.insert(serial.clone(), DeviceStatus::NotAccessible);
                continue;
            }
            self.assignments.insert(
                serial.clone(),
                ProfileAssignment {
                    profile_uuid: Some(uuid.to_string()),
                    status: ProfileStatus::Assigned,
                    assigned_at: Some(now),
                    pushed_at: None,
                },
            );
            self.log(serial, server, OpType::Modified, now);
            out.insert(serial.clone(), DeviceStatus::Success);
        }
        out
    }

    /// What a device activating with `serial` gets: the profile assigned to it and the
    /// organisation, or `None` when the serial is unknown, assigned to no MDM server, or has
    /// no profile (or had it removed). On success the assignment becomes `pushed` with
    /// `profile_push_time` = `now`, and the change is logged for sync.
    pub fn activation_profile(
        &mut self,
        serial: &str,
        now: OffsetDateTime,
    ) -> Option<(DefinedProfile, Organization)> {
        let server = self.devices.get(serial)?.mdm_server.clone()?;
        let assignment = self.assignments.get_mut(serial)?;
        if !matches!(
            assignment.status,
            ProfileStatus::Assigned | ProfileStatus::Pushed
        ) {
            return None;
        }
        let uuid = assignment.profile_uuid.clone()?;
        let profile = self
            .profiles
            .get(&uuid)
            .filter(|p| p.server == server)?
            .clone();
        assignment.status = ProfileStatus::Pushed;
        assignment.pushed_at = Some(now);
        self.log(serial, &server, OpType::Modified, now);
        Some((profile, self.organization.clone()))
    }
}
