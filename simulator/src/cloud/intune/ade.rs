//! Intune's side of Automated Device Enrollment: enrollment program tokens, enrollment
//! profiles, sync with Apple, and the endpoint ADE devices enroll through.
//!
//! **Sync.** Intune talks to Apple's DEP API with the server token the admin uploaded (OAuth
//! 1.0a session, then the device and profile calls). A sync imports the serials Apple Business
//! Manager assigned to the token, then sends Apple the enrollment profiles *that changed since
//! the token was uploaded* and assigns them to their devices. A profile that was created before
//! the token and never edited afterwards is therefore never sent: Apple has no profile for the
//! device, the device gets an empty cloud configuration and Setup Assistant never shows Remote
//! Management — the article's "ADE enrollment doesn't start", whose fix is to edit the profile
//! (new modification time) and sync. The admin's "Sync now" is allowed once per 15 minutes
//! (Intune, "Automatically enroll iOS/iPadOS devices with ADE").
//!
//! **Enrollment.** The profile's `url` points here (`POST /enrollment/v1/ade/<profile id>`).
//! The device posts its `MachineInfo`. How the user is authenticated follows the profile:
//! - *Setup Assistant (legacy)*: Intune answers 401 with a Basic challenge; Setup Assistant
//!   shows its own user name and password sheet and posts again; Intune checks the password
//!   against Entra ID with a non-interactive sign-in, which cannot satisfy MFA — with MFA
//!   required the sign-in fails (AADSTS50076), Intune answers 401 again and the sheet comes back:
//!   the article's "stuck at user login".
//! - *Setup Assistant with modern authentication* and *Company Portal*: the profile carries a
//!   `configuration_web_url`; the device signs the user in to Entra interactively (MFA works)
//!   and posts with the bearer token. (With the Company Portal method the real user sign-in
//!   happens in the app after Setup Assistant; the lab folds it into activation.)

use base64::Engine;
use hyper::{Method, StatusCode};
use serde_json::{json, Value};
use time::{Duration, OffsetDateTime};

use super::state::{EnrollmentChannel, EnrollmentSession, FailureCategory, SessionProgress};
use super::{IntuneService, Refusal, ENROLLMENT_HOST};
use crate::cloud::apple_ade::client::DepClient;
use crate::cloud::apple_ade::token::ServerToken;
use crate::cloud::entra::{EntraUser, PUBLIC_LOGIN_HOST};
use crate::cloud::form;
use crate::net::client::OutgoingRequest;
use crate::net::{Request, Response};
use crate::wire::cloud_config::MachineInfo;
use crate::wire::content_type::APPLE_ASPEN_CONFIG;
use crate::wire::dep::DepProfile;

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
}

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
    /// Apple refused a call.
    #[error("Apple's DEP API: {0}")]
    Apple(String),
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

    /// Syncs a token with Apple. `manual` is the admin's "Sync now" (throttled).
    pub async fn sync_ade(&self, token_id: &str, manual: bool) -> Result<SyncReport, SyncError> {
        let now = self.clock.now();
        let token = {
            let mut state = self.lock();
            let token = state
                .ade_tokens
                .iter_mut()
                .find(|t| t.id == token_id)
                .ok_or_else(|| SyncError::UnknownToken(token_id.into()))?;
            if manual {
                if let Some(last) = token
                    .last_sync_triggered
                    .filter(|l| now - *l < MANUAL_SYNC_INTERVAL)
                {
                    return Err(SyncError::Throttled(crate::clock::rfc3339(last)));
                }
                token.last_sync_triggered = Some(now);
            }
            token.clone()
        };
        let Some(server_token) = &token.server_token else {
            return Err(SyncError::Apple(
                "no server token has been uploaded for this enrollment program token".into(),
            ));
        };
        let client = self.dep_client(server_token);
        let apple =
            |e: crate::cloud::apple_ade::client::DepClientError| SyncError::Apple(e.to_string());
        let mut report = SyncReport::default();
        // Devices: a full fetch the first time, then deltas from the cursor.
        let mut serials = Vec::new();
        let mut cursor = token.cursor.clone();
        let full = cursor.is_none();
        loop {
            let page = if full {
                client.fetch_devices(cursor.as_deref()).await
            } else {
                client
                    .sync_devices(cursor.as_deref().unwrap_or_default())
                    .await
            }
            .map_err(apple)?;
            serials.extend(page.devices.iter().map(|d| d.serial_number.clone()));
            let done = !page.more_to_follow || page.devices.is_empty();
            cursor = Some(page.cursor);
            if done {
                break;
            }
        }
        let (to_send, uploaded_at) = {
            let mut state = self.lock();
            let Some(t) = state.ade_tokens.iter_mut().find(|t| t.id == token_id) else {
                return Err(SyncError::UnknownToken(token_id.into()));
            };
            t.cursor = cursor;
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
            let uploaded_at = t.uploaded_at;
            let to_send: Vec<AdeProfile> = t
                .profiles
                .iter()
                .filter(|p| p.modified_at > uploaded_at && p.sent_version != Some(p.modified_at))
                .cloned()
                .collect();
            (to_send, uploaded_at)
        };
        for p in &to_send {
            let mut profile = DepProfile::new(&p.name, enrollment_url(&p.id));
            profile.is_supervised = Some(true);
            profile.is_mandatory = Some(true);
            profile.is_mdm_removable = Some(false);
            profile.await_device_configured = Some(true);
            profile.department = Some("IT".into());
            profile.support_phone_number = Some("+1 555 0100".into());
            if p.auth != AdeAuthMethod::SetupAssistantLegacy {
                profile.configuration_web_url = Some(format!("{}/web", enrollment_url(&p.id)));
            }
            let uuid = client.define_profile(&profile).await.map_err(apple)?;
            report.profiles_sent.push(p.name.clone());
            let mut state = self.lock();
            if let Some(sp) = state
                .ade_tokens
                .iter_mut()
                .find(|t| t.id == token_id)
                .and_then(|t| t.profiles.iter_mut().find(|x| x.id == p.id))
            {
                sp.apple_uuid = Some(uuid);
                sp.sent_version = Some(p.modified_at);
            }
            if let Some(t) = state.ade_tokens.iter_mut().find(|t| t.id == token_id) {
                for d in t
                    .devices
                    .iter_mut()
                    .filter(|d| d.profile_id.as_deref() == Some(&p.id))
                {
                    d.assigned_at_apple = false;
                }
            }
        }
        // Assign devices to the profiles Apple holds.
        let assignments: Vec<(String, Vec<String>)> = {
            let state = self.lock();
            let t = state.ade_tokens.iter().find(|t| t.id == token_id);
            t.map(|t| {
                t.profiles
                    .iter()
                    .filter_map(|p| {
                        let uuid = p.apple_uuid.clone()?;
                        let serials: Vec<String> = t
                            .devices
                            .iter()
                            .filter(|d| {
                                d.profile_id.as_deref() == Some(&p.id) && !d.assigned_at_apple
                            })
                            .map(|d| d.serial.clone())
                            .collect();
                        (!serials.is_empty()).then_some((uuid, serials))
                    })
                    .collect()
            })
            .unwrap_or_default()
        };
        for (uuid, serials) in assignments {
            client
                .assign_profile(&uuid, &serials)
                .await
                .map_err(apple)?;
            let mut state = self.lock();
            if let Some(t) = state.ade_tokens.iter_mut().find(|t| t.id == token_id) {
                for d in t.devices.iter_mut().filter(|d| serials.contains(&d.serial)) {
                    d.assigned_at_apple = true;
                }
            }
            report.assigned.extend(serials);
        }
        let mut state = self.lock();
        if let Some(t) = state.ade_tokens.iter_mut().find(|t| t.id == token_id) {
            t.last_sync = Some(self.clock.now());
            let skipped: Vec<String> = t
                .profiles
                .iter()
                .filter(|p| p.modified_at <= uploaded_at && p.apple_uuid.is_none())
                .map(|p| p.name.clone())
                .collect();
            drop(state);
            self.note(None, format!(
                "ADE sync: {} device(s) imported, profile(s) sent to Apple: [{}], devices assigned: {}{}",
                report.imported.len(),
                report.profiles_sent.join(", "),
                report.assigned.len(),
                if skipped.is_empty() { String::new() } else { format!("; unchanged since before the token upload, not sent: [{}]", skipped.join(", ")) }
            ));
        }
        Ok(report)
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

    async fn password_sign_in(
        &self,
        upn: &str,
        password: &str,
    ) -> Result<EntraUser, (u32, String)> {
        let body = form::encode(&[
            ("grant_type", "password"),
            ("client_id", crate::cloud::entra::INTUNE_ENROLLMENT_APP_ID),
            ("username", upn),
            ("password", password),
            ("scope", "https://enrollment.manage.microsoft.com/.default"),
            ("app_display_name", "Microsoft Intune Enrollment"),
            ("client_app", "Other clients"),
        ]);
        let request = OutgoingRequest::new(
            Method::POST,
            PUBLIC_LOGIN_HOST,
            "/organizations/oauth2/v2.0/token",
        )
        .body("application/x-www-form-urlencoded", body);
        match self.outbound.send(request).await {
            Ok(r) if r.status == StatusCode::OK => self
                .directory()
                .user_by_upn(upn)
                .cloned()
                .ok_or((50034, "user vanished".into())),
            Ok(r) => {
                let v: Value = r.json().unwrap_or(Value::Null);
                let code = v["error_codes"][0].as_u64().unwrap_or(0) as u32;
                Err((
                    code,
                    v["error_description"]
                        .as_str()
                        .unwrap_or("")
                        .lines()
                        .next()
                        .unwrap_or("")
                        .to_string(),
                ))
            }
            Err(e) => Err((0, e.to_string())),
        }
    }

    /// `POST /enrollment/v1/ade/<profile id>`: an ADE device asks for its enrollment profile.
    pub(crate) async fn ade_enroll(&self, request: &Request, profile_id: &str) -> Response {
        let info = match MachineInfo::from_xml(&request.body) {
            Ok(i) => i,
            Err(e) => {
                return Response::text(
                    StatusCode::BAD_REQUEST,
                    format!("malformed MachineInfo: {e}"),
                )
            }
        };
        let profile = {
            let state = self.lock();
            state.ade_tokens.iter().find_map(|t| {
                let p = t.profiles.iter().find(|p| p.id == profile_id)?;
                let known = t.devices.iter().any(|d| d.serial == info.serial);
                Some((p.clone(), known))
            })
        };
        let Some((profile, known)) = profile else {
            return Response::text(StatusCode::NOT_FOUND, "no such enrollment profile");
        };
        if !known {
            return Response::text(
                StatusCode::FORBIDDEN,
                format!(
                    "device {} is not assigned to this tenant's enrollment program token",
                    info.serial
                ),
            );
        }
        let user = match profile.auth {
            AdeAuthMethod::SetupAssistantLegacy => {
                let basic = request
                    .header("authorization")
                    .and_then(|h| h.strip_prefix("Basic "))
                    .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
                    .and_then(|b| String::from_utf8(b).ok());
                let Some((upn, password)) = basic.as_deref().and_then(|s| s.split_once(':')) else {
                    return Response::text(
                        StatusCode::UNAUTHORIZED,
                        "user authentication required",
                    )
                    .header("www-authenticate", "Basic realm=\"Microsoft Intune\"");
                };
                match self.password_sign_in(upn, password).await {
                    Ok(u) => u,
                    Err((code, text)) => {
                        let refusal = Refusal {
                            status: StatusCode::UNAUTHORIZED,
                            code: "AuthenticationFailed",
                            category: FailureCategory::Authentication,
                            reason: format!(
                                "Setup Assistant sign-in for {upn} failed (AADSTS{code}): {}",
                                text.split_once(": ")
                                    .map_or(text.as_str(), |(_, rest)| rest)
                            ),
                        };
                        let user_id = self.directory().user_by_upn(upn).map(|u| u.id.clone());
                        self.log_failure(
                            &refusal,
                            user_id.as_deref(),
                            info.os_version.as_deref(),
                            "appleBulkWithUser",
                            Some(&info.serial),
                        );
                        return Response::text(
                            StatusCode::UNAUTHORIZED,
                            "user authentication failed",
                        )
                        .header("www-authenticate", "Basic realm=\"Microsoft Intune\"");
                    }
                }
            }
            AdeAuthMethod::SetupAssistantModern | AdeAuthMethod::CompanyPortal => {
                match self.user_for_token(request) {
                    Some(u) => u,
                    None => {
                        return Response::text(
                            StatusCode::UNAUTHORIZED,
                            "sign in through the configuration web page first",
                        )
                        .header("www-authenticate", "Bearer")
                    }
                }
            }
        };
        if !user.has_intune_plan() {
            let refusal = Refusal {
                status: StatusCode::FORBIDDEN,
                code: "UserLicenseTypeInvalid",
                category: FailureCategory::UserValidation,
                reason: format!("User {} has no Intune licence.", user.upn),
            };
            self.log_failure(
                &refusal,
                Some(&user.id),
                info.os_version.as_deref(),
                "appleBulkWithUser",
                Some(&info.serial),
            );
            return Response::text(StatusCode::FORBIDDEN, refusal.reason);
        }
        let session = EnrollmentSession {
            id: self.rng.uuid_lower(),
            user_id: user.id.clone(),
            upn: user.upn.clone(),
            channel: EnrollmentChannel::Ade,
            azure_ad_device_id: None,
            profile_token: self.rng.hex(16),
            created_at: self.clock.now(),
            identity_serial: None,
            progress: SessionProgress::Created,
            udid: None,
            cloud: crate::cloud::entra::Cloud::Public,
        };
        self.lock()
            .sessions
            .insert(session.id.clone(), session.clone());
        match super::profile::build(self, &session) {
            Ok((bytes, serial)) => {
                if let Some(s) = self.lock().sessions.get_mut(&session.id) {
                    s.identity_serial = Some(serial);
                    s.progress = SessionProgress::ProfileDownloaded;
                }
                Response::with_body(StatusCode::OK, APPLE_ASPEN_CONFIG, bytes)
            }
            Err(e) => Response::text(StatusCode::INTERNAL_SERVER_ERROR, e),
        }
    }

    /// The tenant's ADE state as Graph's `depOnboardingSettings` (with enrollsim's
    /// extensions, see docs/evidence-bundle.md).
    pub fn dep_onboarding_settings(&self) -> Value {
        let state = self.lock();
        let rfc = crate::clock::rfc3339;
        Value::Array(state.ade_tokens.iter().map(|t| json!({
            "id": t.id,
            "tokenName": t.name,
            "appleIdentifier": t.apple_id,
            "tokenExpirationDateTime": rfc(t.expires_at),
            "lastModifiedDateTime": rfc(t.uploaded_at),
            "tokenUploadedDateTime": rfc(t.uploaded_at),
            "lastSuccessfulSyncDateTime": t.last_sync.map(rfc),
            "lastSyncTriggeredDateTime": t.last_sync_triggered.map(rfc),
            "enrollmentProfiles": t.profiles.iter().map(|p| json!({
                "id": p.id,
                "displayName": p.name,
                "createdDateTime": rfc(p.created_at),
                "lastModifiedDateTime": rfc(p.modified_at),
                "requiresUserAuthentication": true,
                "authenticationMethod": p.auth,
                "isDefault": t.default_profile.as_deref() == Some(p.id.as_str()),
                "isSyncedToApple": p.apple_uuid.is_some(),
            })).collect::<Vec<_>>(),
            "importedAppleDeviceIdentities": t.devices.iter().map(|d| json!({
                "serialNumber": d.serial,
                "requestedEnrollmentProfileId": d.profile_id,
                "enrollmentState": if d.assigned_at_apple { "assigned" } else { "notContacted" },
            })).collect::<Vec<_>>(),
        })).collect())
    }
}
