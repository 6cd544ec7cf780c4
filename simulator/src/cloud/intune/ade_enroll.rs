//! The endpoint ADE devices enroll through: `POST /enrollment/v1/ade/<profile id>`, the `url`
//! of the profile Intune sent Apple ([`super::ade::enrollment_url`]).
//!
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

// Steps return `Result<_, Response>`: the error arm is the HTTP answer that goes straight back
// to hyper, as in the admin API.
#![allow(clippy::result_large_err)]

use base64::Engine;
use hyper::{Method, StatusCode};

use super::state::{
    AdeAuthMethod, AdeProfile, EnrollmentChannel, EnrollmentSession, FailureCategory,
    SessionProgress,
};
use super::{IntuneService, Refusal};
use crate::cloud::entra::{EntraUser, PUBLIC_LOGIN_HOST};
use crate::cloud::form;
use crate::net::client::OutgoingRequest;
use crate::net::{Request, Response};
use crate::wire::cloud_config::MachineInfo;
use crate::wire::cms;
use crate::wire::content_type::{APPLE_ASPEN_CONFIG, PKCS7_SIGNATURE};
use crate::wire::entra::TokenError;

/// The enrollment type troubleshooting events name for ADE with user affinity.
const ADE_ENROLLMENT_TYPE: &str = "appleBulkWithUser";

/// Entra's refusal of a password sign-in: the AADSTS number and the first line of its text.
type SignInFailure = (u32, String);

/// Setup Assistant's Basic challenge, sent again after a failed sign-in.
fn basic_challenge(text: &str) -> Response {
    Response::text(StatusCode::UNAUTHORIZED, text.to_string())
        .header("www-authenticate", "Basic realm=\"Microsoft Intune\"")
}

/// `user:password` from a Basic authorization header.
fn basic_credentials(request: &Request) -> Option<(String, String)> {
    let decoded = request
        .header("authorization")
        .and_then(|h| h.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok())?;
    let (upn, password) = decoded.split_once(':')?;
    Some((upn.to_string(), password.to_string()))
}

impl IntuneService {
    /// `POST /enrollment/v1/ade/<profile id>`: an ADE device asks for its enrollment profile.
    ///
    /// Checked in the order of the ADE flow: the device's serial must belong to the profile's
    /// token (Apple's cloud configuration, fetched during activation, already pointed here),
    /// then the user authenticates the way the profile says, then the licence. Setup Assistant
    /// shows the Remote Management screen and its sign-in only after activation
    /// ("Automatically enroll iOS/iPadOS devices by using Apple's Automated Device Enrollment",
    /// learn.microsoft.com/mem/intune/enrollment/device-enrollment-program-enroll-ios), so
    /// an unreachable Apple service hides every later fault, MFA included.
    pub(crate) async fn ade_enroll(&self, request: &Request, profile_id: &str) -> Response {
        let info = match self.signed_machine_info(request) {
            Ok(i) => i,
            Err(reason) => return Response::text(StatusCode::BAD_REQUEST, reason),
        };
        let profile = match self.profile_for_device(profile_id, &info.serial) {
            Ok(p) => p,
            Err(r) => return r,
        };
        let user = match self.ade_user(request, &profile, &info).await {
            Ok(u) => u,
            Err(r) => return r,
        };
        if let Err(r) = self.check_ade_licence(&user, &info) {
            return r;
        }
        if let Err(r) = self.check_ade_device_type(&user, &info) {
            return r;
        }
        self.issue_ade_profile(&user)
    }

    /// The device's `MachineInfo`, which Apple has devices post as attached CMS SignedData
    /// (`application/pkcs7-signature`) by their Apple-issued identity (Apple wire notes: "the
    /// signer is the device identity chaining to the Apple Root CA"). An unsigned body, a bad
    /// signature or a signer Apple's iPhone Device CA did not issue is refused with 400.
    fn signed_machine_info(&self, request: &Request) -> Result<MachineInfo, String> {
        if request.media_type().as_deref() != Some(PKCS7_SIGNATURE) {
            return Err(format!(
                "MachineInfo must be CMS-signed ({PKCS7_SIGNATURE}), not {}",
                request.header("content-type").unwrap_or("(none)")
            ));
        }
        let verified =
            cms::verify(&request.body, None).map_err(|e| format!("MachineInfo signature: {e}"))?;
        let apple = self.pki.apple_device_ca().map_err(|e| e.to_string())?;
        if !cms::issued_by(&verified.signer_certificate, apple.certificate()) {
            return Err("MachineInfo is not signed by an Apple device identity".into());
        }
        MachineInfo::from_xml(&verified.content).map_err(|e| format!("malformed MachineInfo: {e}"))
    }

    /// The enrollment profile, if `serial` is one of its token's devices.
    fn profile_for_device(&self, profile_id: &str, serial: &str) -> Result<AdeProfile, Response> {
        let found = {
            let state = self.lock();
            state.ade_tokens.iter().find_map(|t| {
                let p = t.profiles.iter().find(|p| p.id == profile_id)?;
                let known = t.devices.iter().any(|d| d.serial == serial);
                Some((p.clone(), known))
            })
        };
        match found {
            None => Err(Response::text(
                StatusCode::NOT_FOUND,
                "no such enrollment profile",
            )),
            Some((_, false)) => Err(Response::text(
                StatusCode::FORBIDDEN,
                format!(
                    "device {serial} is not assigned to this tenant's enrollment program token"
                ),
            )),
            Some((profile, true)) => Ok(profile),
        }
    }

    /// The user, authenticated the way the profile says.
    async fn ade_user(
        &self,
        request: &Request,
        profile: &AdeProfile,
        info: &MachineInfo,
    ) -> Result<EntraUser, Response> {
        match profile.auth {
            AdeAuthMethod::SetupAssistantLegacy => {
                self.setup_assistant_sign_in(request, info).await
            }
            AdeAuthMethod::SetupAssistantModern | AdeAuthMethod::CompanyPortal => {
                self.user_for_token(request).ok_or_else(|| {
                    Response::text(
                        StatusCode::UNAUTHORIZED,
                        "sign in through the configuration web page first",
                    )
                    .header("www-authenticate", "Bearer")
                })
            }
        }
    }

    /// Setup Assistant's own sheet: Basic credentials checked with a password sign-in; a
    /// failure is logged and the sheet comes back.
    async fn setup_assistant_sign_in(
        &self,
        request: &Request,
        info: &MachineInfo,
    ) -> Result<EntraUser, Response> {
        let Some((upn, password)) = basic_credentials(request) else {
            return Err(basic_challenge("user authentication required"));
        };
        let (code, _text) = match self.password_sign_in(&upn, &password).await {
            Ok(u) => return Ok(u),
            Err(failure) => failure,
        };
        let refusal = Refusal {
            status: StatusCode::UNAUTHORIZED,
            code: "AuthenticationFailed",
            category: FailureCategory::Authentication,
            reason: format!("Authentication failed (AADSTS{code})."),
        };
        let user_id = self.directory().user_by_upn(&upn).map(|u| u.id.clone());
        self.log_failure(
            &refusal,
            user_id.as_deref(),
            info.os_version.as_deref(),
            ADE_ENROLLMENT_TYPE,
            Some(&info.serial),
        );
        Err(basic_challenge("user authentication failed"))
    }

    /// A non-interactive password sign-in at Entra ID, as Intune makes it for Setup
    /// Assistant's sheet (it cannot satisfy MFA).
    async fn password_sign_in(
        &self,
        upn: &str,
        password: &str,
    ) -> Result<EntraUser, SignInFailure> {
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
            Ok(r) if r.status == StatusCode::OK => {
                let directory = self.directory();
                directory
                    .user_by_upn(upn)
                    .map(|u| directory.resolved_user(u))
                    .ok_or((50034, "user vanished".into()))
            }
            Ok(r) => {
                let e = TokenError::from_json(&r.body).unwrap_or_default();
                Err((e.code(), e.first_line().to_string()))
            }
            Err(e) => Err((0, e.to_string())),
        }
    }

    /// Refuses (and logs) a user without an Intune licence.
    fn check_ade_licence(&self, user: &EntraUser, info: &MachineInfo) -> Result<(), Response> {
        if user.has_intune_plan() {
            return Ok(());
        }
        let refusal = Refusal {
            status: StatusCode::FORBIDDEN,
            code: "UserLicenseTypeInvalid",
            category: FailureCategory::UserValidation,
            reason: "User license type invalid.".into(),
        };
        self.log_failure(
            &refusal,
            Some(&user.id),
            info.os_version.as_deref(),
            ADE_ENROLLMENT_TYPE,
            Some(&info.serial),
        );
        Err(Response::text(StatusCode::FORBIDDEN, refusal.reason))
    }

    /// Refuses (and logs) an ADE device whose user's device type restriction blocks the
    /// iOS/iPadOS platform. ADE skips the Company Portal's eligibility check, so the
    /// restriction is applied here; the answer is a JSON error whose description Setup
    /// Assistant shows: "... could not be downloaded from <Company Name>: Invalid Profile" (the
    /// current article; "Automatically enroll iOS/iPadOS devices by using Apple's Automated
    /// Device Enrollment": a default restriction blocking iOS/iPadOS makes ADE fail with
    /// Invalid Profile). A restriction blocking only personally owned devices lets ADE through,
    /// ADE devices being corporate.
    fn check_ade_device_type(&self, user: &EntraUser, info: &MachineInfo) -> Result<(), Response> {
        let refusal = {
            let state = self.lock();
            super::restrictions::platform_restriction_for(&state, &user.groups)
                .filter(|r| r.ios.platform_blocked)
                .map(Refusal::platform_blocked)
        };
        let Some(refusal) = refusal else {
            return Ok(());
        };
        self.log_failure(
            &refusal,
            Some(&user.id),
            info.os_version.as_deref(),
            ADE_ENROLLMENT_TYPE,
            Some(&info.serial),
        );
        let body = serde_json::json!({
            "code": refusal.code,
            "description": "Invalid Profile",
        });
        Err(Response::json(refusal.status, &body))
    }

    /// Opens an ADE enrollment session for `user` and answers with its management profile.
    fn issue_ade_profile(&self, user: &EntraUser) -> Response {
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
            Ok(bytes) => {
                if let Some(s) = self.lock().sessions.get_mut(&session.id) {
                    s.progress = SessionProgress::ProfileDownloaded;
                }
                Response::with_body(StatusCode::OK, APPLE_ASPEN_CONFIG, bytes)
            }
            Err(e) => Response::text(StatusCode::INTERNAL_SERVER_ERROR, e),
        }
    }
}
