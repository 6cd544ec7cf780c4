//! Intune's Automated Device Enrollment sync with Apple.
//!
//! Intune talks to Apple's DEP API with the server token the admin uploaded (OAuth 1.0a
//! session, then the device and profile calls). A sync imports the serials Apple Business
//! Manager assigned to the token, then sends Apple the enrollment profiles *that changed since
//! the token was uploaded* and assigns them to their devices. A profile that was created before
//! the token and never edited afterwards is therefore never sent: Apple has no profile for the
//! device, the device gets an empty cloud configuration and Setup Assistant never shows Remote
//! Management — the article's "ADE enrollment doesn't start", whose fix is to edit the profile
//! (new modification time) and sync. The admin's "Sync now" is allowed once per 15 minutes
//! (Intune, "Automatically enroll iOS/iPadOS devices with ADE").
//!
//! A sync that Apple refuses is recorded on the token ([`AdeSyncFailure`]: Apple's status, its
//! error token or OAuth problem, the endpoint) and shown to the admin as the token's sync
//! error (`lastSyncErrorCode` and enrollsim's `lastSyncError` in Graph): the article's "Sync
//! token errors between Intune and ADE" are these answers. A successful sync clears it.
//! The first sync fetches Apple's whole device list (`POST /server/devices`); later ones ask
//! for the changes since the stored cursor (`POST /devices/sync`), so a cursor Apple lost
//! (`INVALID_CURSOR`), one older than seven days (`EXPIRED_CURSOR`) and a cursor Intune lost
//! after its first fetch (`CURSOR_REQUIRED`) all surface here. Intune support's retry
//! ([`IntuneService::support_sync_retry`]) starts over with a full fetch.
//!
//! The token, profile and device records are plain state ([`super::state`]); the endpoint ADE
//! devices enroll through is [`super::ade_enroll`], the admin's resources are in
//! [`super::admin`].

use time::{Duration, OffsetDateTime};

use super::{IntuneService, ENROLLMENT_HOST};
use crate::cloud::apple_ade::client::{DepClient, DepClientError};
use crate::cloud::apple_ade::token::ServerToken;
use crate::wire::dep::DepProfile;

// The ADE records used to live here; their old paths keep working.
pub use super::state::{
    AdeAuthMethod, AdeProfile, AdeSyncFailure, EnrollmentProgramToken, ImportedDevice,
};

/// How often Intune syncs every token with Apple on its own (the delta sync).
pub const AUTOMATIC_SYNC_INTERVAL: Duration = Duration::hours(12);

/// How often an admin may press "Sync now".
pub const MANUAL_SYNC_INTERVAL: Duration = Duration::minutes(15);

/// Why a sync did not happen or failed.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum SyncError {
    /// No such token.
    #[error("no enrollment program token {0}")]
    UnknownToken(String),
    /// "Sync now" was pressed less than 15 minutes after the last one.
    #[error("a sync was requested at {0}; the next one is allowed 15 minutes later")]
    Throttled(String),
    /// No server token was uploaded to the enrollment program token.
    #[error("no server token has been uploaded for this enrollment program token")]
    NoServerToken,
    /// Apple refused a call, or could not be reached.
    #[error("Apple's DEP API ({endpoint}): {error}")]
    Apple {
        /// The endpoint called.
        endpoint: &'static str,
        /// What went wrong.
        error: DepClientError,
    },
}

/// Tags a DEP client error with the endpoint that gave it.
fn at(endpoint: &'static str) -> impl Fn(DepClientError) -> SyncError {
    move |error| SyncError::Apple { endpoint, error }
}

impl SyncError {
    /// The failure as Intune records it on the token, at `now`; `None` for refusals that
    /// never reached Apple (unknown token, throttled "Sync now").
    pub fn failure(&self, now: OffsetDateTime) -> Option<AdeSyncFailure> {
        match self {
            SyncError::UnknownToken(_) | SyncError::Throttled(_) => None,
            SyncError::NoServerToken => Some(AdeSyncFailure {
                at: now,
                status: None,
                code: "NO_SERVER_TOKEN".into(),
                endpoint: String::new(),
            }),
            SyncError::Apple { endpoint, error } => {
                let code = match error {
                    DepClientError::Auth {
                        problem: Some(p), ..
                    } => p.clone(),
                    DepClientError::Transport(_) => "UNREACHABLE".into(),
                    DepClientError::Decode { .. } => "UNREADABLE_ANSWER".into(),
                    other => other
                        .code()
                        .map_or_else(|| "UNKNOWN".into(), |c| c.as_str().to_string()),
                };
                // A refused `/session` surfaces in whichever call opened the session.
                let endpoint = match error {
                    DepClientError::Auth { .. } => "/session",
                    _ => endpoint,
                };
                Some(AdeSyncFailure {
                    at: now,
                    status: error.status(),
                    code,
                    endpoint: endpoint.to_string(),
                })
            }
        }
    }
}

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SyncReport {
    /// Newly imported serials.
    pub imported: Vec<String>,
    /// Profiles sent to Apple.
    pub profiles_sent: Vec<String>,
    /// Serials assigned at Apple.
    pub assigned: Vec<String>,
}

/// The URL an ADE profile's devices post their `MachineInfo` to.
pub fn enrollment_url(profile_id: &str) -> String {
    format!("https://{ENROLLMENT_HOST}/enrollment/v1/ade/{profile_id}")
}

/// The profile Apple gets for `p`: supervised, mandatory, not removable, waiting for
/// `DeviceConfigured`; with a configuration web page unless Setup Assistant signs the user in
/// with its own sheet.
fn apple_profile(p: &AdeProfile) -> DepProfile {
    let mut profile = DepProfile::new(&p.name, enrollment_url(&p.id));
    profile.is_supervised = Some(true);
    profile.is_mandatory = Some(true);
    profile.is_mdm_removable = Some(false);
    profile.await_device_configured = Some(true);
    profile.department = p.department.clone();
    profile.support_phone_number = p.support_phone.clone();
    if p.auth != AdeAuthMethod::SetupAssistantLegacy {
        profile.configuration_web_url = Some(format!("{}/web", enrollment_url(&p.id)));
    }
    profile
}

/// Profiles Apple must get: changed after the token was uploaded, and not sent in this version.
fn profiles_to_send(token: &EnrollmentProgramToken) -> Vec<AdeProfile> {
    token
        .profiles
        .iter()
        .filter(|p| p.modified_at > token.uploaded_at && p.sent_version != Some(p.modified_at))
        .cloned()
        .collect()
}

/// Per profile Apple holds (by its Apple UUID), the serials not yet assigned to it at Apple.
fn pending_assignments(token: &EnrollmentProgramToken) -> Vec<(String, Vec<String>)> {
    token
        .profiles
        .iter()
        .filter_map(|p| {
            let uuid = p.apple_uuid.clone()?;
            let serials: Vec<String> = token
                .devices
                .iter()
                .filter(|d| d.profile_id.as_deref() == Some(&p.id) && !d.assigned_at_apple)
                .map(|d| d.serial.clone())
                .collect();
            (!serials.is_empty()).then_some((uuid, serials))
        })
        .collect()
}

/// The note a sync leaves, naming the profiles it skipped because they predate the token.
fn sync_note(report: &SyncReport, skipped: &[String]) -> String {
    let skipped = if skipped.is_empty() {
        String::new()
    } else {
        format!(
            "; unchanged since before the token upload, not sent: [{}]",
            skipped.join(", ")
        )
    };
    format!(
        "ADE sync: {} device(s) imported, profile(s) sent to Apple: [{}], devices assigned: {}{}",
        report.imported.len(),
        report.profiles_sent.join(", "),
        report.assigned.len(),
        skipped
    )
}

impl IntuneService {
    fn dep_client(&self, token: &ServerToken) -> DepClient {
        DepClient::new(
            self.outbound.clone(),
            token.clone(),
            self.clock.clone(),
            self.rng.clone(),
        )
        .with_user_agent("Microsoft Intune/1.0")
    }

    /// Runs `f` on the token `token_id` under the state lock; `None` when there is no such token.
    fn with_token<R>(
        &self,
        token_id: &str,
        f: impl FnOnce(&mut EnrollmentProgramToken) -> R,
    ) -> Option<R> {
        let mut state = self.lock();
        state
            .ade_tokens
            .iter_mut()
            .find(|t| t.id == token_id)
            .map(f)
    }

    /// Syncs a token with Apple. `manual` is the admin's "Sync now" (throttled). A failure
    /// Apple answered is recorded on the token for the admin to see.
    pub async fn sync_ade(&self, token_id: &str, manual: bool) -> Result<SyncReport, SyncError> {
        let token = self.start_sync(token_id, manual)?;
        let result = self.run_sync(token_id, &token).await;
        if let Err(e) = &result {
            let now = self.clock.now();
            if let Some(failure) = e.failure(now) {
                let line = format!(
                    "ADE sync failed: Apple answered {} {} on {}",
                    failure.status.map_or("-".into(), |s| s.to_string()),
                    failure.code,
                    failure.endpoint
                );
                self.with_token(token_id, |t| t.last_sync_error = Some(failure));
                self.note(None, line);
            }
        }
        result
    }

    async fn run_sync(
        &self,
        token_id: &str,
        token: &EnrollmentProgramToken,
    ) -> Result<SyncReport, SyncError> {
        let server_token = token
            .server_token
            .as_ref()
            .ok_or(SyncError::NoServerToken)?;
        let client = self.dep_client(server_token);
        let mut report = SyncReport::default();
        let (serials, cursor) =
            fetch_serials(&client, token.initial_fetch_done, token.cursor.clone()).await?;
        let (to_send, uploaded_at) = self.import_devices(token_id, serials, cursor, &mut report)?;
        self.send_profiles(&client, token_id, &to_send, &mut report)
            .await?;
        self.assign_at_apple(&client, token_id, &mut report).await?;
        self.finish_sync(token_id, uploaded_at, &report);
        Ok(report)
    }

    /// Intune support's retry of a token's sync, which the article's cursor entries ask the
    /// admin to request: support drops the stored cursor, and the sync starts over with a
    /// full fetch of Apple's device list. Not throttled (it is not the admin's "Sync now").
    pub async fn support_sync_retry(&self, token_id: &str) -> Result<SyncReport, SyncError> {
        self.with_token(token_id, |t| {
            t.cursor = None;
            t.initial_fetch_done = false;
        })
        .ok_or_else(|| SyncError::UnknownToken(token_id.into()))?;
        self.note(
            None,
            "Intune support reset the token's sync cursor and retried the sync".into(),
        );
        self.sync_ade(token_id, false).await
    }

    /// Finds the token and, for "Sync now", enforces and records the throttle; returns a copy
    /// to work from without holding the lock across Apple's calls.
    fn start_sync(
        &self,
        token_id: &str,
        manual: bool,
    ) -> Result<EnrollmentProgramToken, SyncError> {
        let now = self.clock.now();
        self.with_token(token_id, |token| {
            if manual {
                if let Some(last) = token
                    .last_sync_triggered
                    .filter(|l| now - *l < MANUAL_SYNC_INTERVAL)
                {
                    return Err(SyncError::Throttled(crate::clock::rfc3339(last)));
                }
                token.last_sync_triggered = Some(now);
            }
            Ok(token.clone())
        })
        .ok_or_else(|| SyncError::UnknownToken(token_id.into()))?
    }

    /// Records the new cursor, imports serials Apple newly assigned (with the default
    /// profile), and returns the profiles Apple must get with the token's upload time.
    fn import_devices(
        &self,
        token_id: &str,
        serials: Vec<String>,
        cursor: String,
        report: &mut SyncReport,
    ) -> Result<(Vec<AdeProfile>, OffsetDateTime), SyncError> {
        self.with_token(token_id, |t| {
            t.cursor = Some(cursor);
            t.initial_fetch_done = true;
            for serial in serials {
                if !t.devices.iter().any(|d| d.serial == serial) {
                    t.devices.push(ImportedDevice {
                        serial: serial.clone(),
                        profile_id: t.default_profile.clone(),
                        assigned_at_apple: false,
                    });
                    report.imported.push(serial);
                }
            }
            (profiles_to_send(t), t.uploaded_at)
        })
        .ok_or_else(|| SyncError::UnknownToken(token_id.into()))
    }

    /// Defines each profile at Apple; its devices must then be assigned to the new UUID.
    async fn send_profiles(
        &self,
        client: &DepClient,
        token_id: &str,
        to_send: &[AdeProfile],
        report: &mut SyncReport,
    ) -> Result<(), SyncError> {
        for p in to_send {
            let uuid = client
                .define_profile(&apple_profile(p))
                .await
                .map_err(at("/profile"))?;
            report.profiles_sent.push(p.name.clone());
            self.with_token(token_id, |t| {
                if let Some(sp) = t.profiles.iter_mut().find(|x| x.id == p.id) {
                    sp.apple_uuid = Some(uuid);
                    sp.sent_version = Some(p.modified_at);
                }
                for d in t
                    .devices
                    .iter_mut()
                    .filter(|d| d.profile_id.as_deref() == Some(&p.id))
                {
                    d.assigned_at_apple = false;
                }
            });
        }
        Ok(())
    }

    /// Assigns devices to the profiles Apple holds.
    async fn assign_at_apple(
        &self,
        client: &DepClient,
        token_id: &str,
        report: &mut SyncReport,
    ) -> Result<(), SyncError> {
        let assignments = self
            .with_token(token_id, |t| pending_assignments(t))
            .unwrap_or_default();
        for (uuid, serials) in assignments {
            client
                .assign_profile(&uuid, &serials)
                .await
                .map_err(at("/profile/devices"))?;
            self.with_token(token_id, |t| {
                for d in t.devices.iter_mut().filter(|d| serials.contains(&d.serial)) {
                    d.assigned_at_apple = true;
                }
            });
            report.assigned.extend(serials);
        }
        Ok(())
    }

    /// Stamps the sync time and notes what the sync did and skipped.
    fn finish_sync(&self, token_id: &str, uploaded_at: OffsetDateTime, report: &SyncReport) {
        let now = self.clock.now();
        let skipped = self.with_token(token_id, |t| {
            t.last_sync = Some(now);
            t.last_sync_error = None;
            t.profiles
                .iter()
                .filter(|p| p.modified_at <= uploaded_at && p.apple_uuid.is_none())
                .map(|p| p.name.clone())
                .collect::<Vec<_>>()
        });
        if let Some(skipped) = skipped {
            self.note(None, sync_note(report, &skipped));
        }
    }

    /// Runs the automatic delta sync of every token that has a server token and has not
    /// synced for [`AUTOMATIC_SYNC_INTERVAL`]. The world has no scheduler: whoever moves the
    /// clock (a harness advancing days) calls this, as Intune's timer would fire.
    pub async fn run_due_syncs(&self) -> Vec<(String, Result<SyncReport, SyncError>)> {
        let now = self.clock.now();
        let due: Vec<String> = self
            .lock()
            .ade_tokens
            .iter()
            .filter(|t| t.server_token.is_some())
            .filter(|t| {
                t.last_sync
                    .is_none_or(|l| now - l >= AUTOMATIC_SYNC_INTERVAL)
            })
            .map(|t| t.id.clone())
            .collect();
        let mut out = Vec::with_capacity(due.len());
        for id in due {
            let result = self.sync_ade(&id, false).await;
            out.push((id, result));
        }
        out
    }
}

/// The serials Apple assigned to the token: a full fetch the first time, then deltas from the
/// cursor (sent as it is stored: a lost cursor goes out empty and Apple answers
/// `CURSOR_REQUIRED`). Returns them with the new cursor.
async fn fetch_serials(
    client: &DepClient,
    initial_fetch_done: bool,
    mut cursor: Option<String>,
) -> Result<(Vec<String>, String), SyncError> {
    let full = !initial_fetch_done;
    let mut serials = Vec::new();
    loop {
        let page = if full {
            client
                .fetch_devices(cursor.as_deref())
                .await
                .map_err(at("/server/devices"))
        } else {
            client
                .sync_devices(cursor.as_deref().unwrap_or_default())
                .await
                .map_err(at("/devices/sync"))
        }?;
        serials.extend(page.devices.iter().map(|d| d.serial_number.clone()));
        let done = !page.more_to_follow || page.devices.is_empty();
        cursor = Some(page.cursor);
        if done {
            return Ok((serials, cursor.unwrap_or_default()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::dep::DepErrorCode;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-26 09:00 UTC);

    #[test]
    fn a_refused_session_is_recorded_with_its_oauth_problem_on_session() {
        let e = at("/server/devices")(DepClientError::Auth {
            status: 401,
            code: DepErrorCode::Unauthorized,
            problem: Some("token_expired".into()),
        });
        let f = e.failure(NOW).expect("Apple answered");
        assert_eq!(f.status, Some(401));
        assert_eq!(f.code, "token_expired");
        assert_eq!(f.endpoint, "/session");
        let e = at("/server/devices")(DepClientError::Auth {
            status: 403,
            code: DepErrorCode::TermsNotSigned,
            problem: None,
        });
        assert_eq!(
            e.failure(NOW).map(|f| f.code),
            Some("T_C_NOT_SIGNED".into())
        );
    }

    #[test]
    fn an_endpoint_error_keeps_its_endpoint_and_token() {
        let e = at("/devices/sync")(DepClientError::Api {
            status: 400,
            code: DepErrorCode::ExpiredCursor,
        });
        let f = e.failure(NOW).expect("Apple answered");
        assert_eq!(
            (f.status, f.code.as_str(), f.endpoint.as_str()),
            (Some(400), "EXPIRED_CURSOR", "/devices/sync")
        );
    }

    #[test]
    fn refusals_that_never_reached_apple_are_not_recorded() {
        assert_eq!(SyncError::Throttled("x".into()).failure(NOW), None);
        assert_eq!(SyncError::UnknownToken("x".into()).failure(NOW), None);
    }
}
