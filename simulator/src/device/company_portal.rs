//! The Company Portal app's enrollment flow, and the Company Portal website's in Safari.
//!
//! App flow: sign in (Entra ID, at the cloud the app's Cloud setting picks) → eligibility check
//! → workplace join → enrollment session → Safari downloads the profile → Settings installs it
//! (profiled, which checks in with Intune) → the push wakes mdmclient → the app polls the
//! session until Intune says enrolled or failed. Each refusal is shown where the real app or OS
//! shows it.
//!
//! Website flow: Safari signs in — reusing a session cookie it already holds, which is how a
//! previous user's cookie can silently enroll the device for the wrong account — and the
//! website hands Settings the profile.

use base64::Engine;
use bytes::Bytes;
use hyper::{Method, StatusCode};

use super::logs::{Level, Process};
use super::messages::UserMessage;
use super::profiled::InstallOptions;
use super::sign_in::SignInApp;
use super::spec::{CompanyPortalApp, SessionCookie};
use super::{Credentials, Device, Outcome};
use crate::cloud::entra::{self, login_host, Cloud, COMPANY_PORTAL_CLIENT_ID};
use crate::cloud::intune::{enrollment_host, PORTAL_HOST};
use crate::net::client::{HttpsClient, OutgoingRequest};
use crate::recorder::Screen;
use crate::wire::content_type::APPLE_ASPEN_CONFIG;
use crate::wire::entra::{
    DeviceRegistrationRequest, DeviceRegistrationResponse, RegistrationError, JOIN_TYPE_REGISTER,
};
use crate::wire::intune_enrollment::{
    EligibilityRequest, ServiceError, SessionCreated, SessionProgress, SessionRequest, SessionState,
};

/// What the Company Portal app holds once its user is signed in: its client, the cloud it
/// signed in to and the bearer token every later service step carries.
struct PortalSession {
    client: HttpsClient,
    cloud: Cloud,
    token: String,
}

impl PortalSession {
    /// A request to one of the cloud's services, carrying the user's token.
    fn request(&self, method: Method, host: &str, path: &str) -> OutgoingRequest {
        OutgoingRequest::new(method, host, path)
            .header("authorization", format!("Bearer {}", self.token))
    }
}

/// What the app tells the services about the device it runs on.
struct PortalDeviceFacts {
    os_name: &'static str,
    os_version: String,
    product: String,
    name: String,
}

/// The enrollment session Intune opened: its id and the profile Safari downloads.
struct EnrollmentSession {
    session_id: String,
    profile_url: String,
}

/// The Company Portal app, as it signs in.
const COMPANY_PORTAL_APP: SignInApp = SignInApp {
    client_id: COMPANY_PORTAL_CLIENT_ID,
    name: "Microsoft Intune Company Portal",
    client_app: "Mobile Apps and Desktop clients",
    sends_request_id: true,
    process: Process::CompanyPortal,
};

/// The Company Portal website in Safari, as it signs in.
const COMPANY_PORTAL_WEBSITE: SignInApp = SignInApp {
    client_id: "0000000a-0000-0000-c000-000000000000",
    name: "Intune Company Portal website",
    client_app: "Browser",
    sends_request_id: true,
    process: Process::Safari,
};

impl Device {
    /// Enrolls through the Company Portal app, signed in as `user`.
    #[tracing::instrument(name = "company_portal", skip_all, fields(upn = %user.upn))]
    pub async fn enroll_with_company_portal(&self, user: &Credentials) -> Outcome {
        let outcome = self
            .company_portal_steps(user)
            .await
            .unwrap_or_else(|stopped| stopped);
        tracing::info!(?outcome, "Company Portal enrollment ended");
        outcome
    }

    /// The app's steps in order; `Err` is where the flow stopped, with what the user saw.
    async fn company_portal_steps(&self, user: &Credentials) -> Result<Outcome, Outcome> {
        let Some(app) = self.lock().spec.company_portal.clone() else {
            return Err(Outcome::NotManaged {
                detail: "the Company Portal app is not installed".into(),
            });
        };
        let facts = self.launch_company_portal(&app);
        let portal = self.company_portal_sign_in(&app, user).await?;
        self.check_eligibility(&portal, &app, &facts).await?;
        let azure_device_id = self.workplace_join(&portal, &app, &facts).await?;
        let session = self
            .create_enrollment_session(&portal, azure_device_id)
            .await?;
        let profile = self.download_profile(&session.profile_url).await?;
        if let Err(message) = self.install_in_settings(&profile).await {
            self.cp_log(
                "ERROR",
                "Enrollment",
                "Management profile installation did not complete",
            );
            return Err(self.show(Screen::Settings, message));
        }
        self.handle_push().await;
        Ok(self
            .poll_enrollment_status(&portal, &session.session_id, user)
            .await)
    }

    /// Opens the app: its first log lines, and the device facts the service steps send.
    fn launch_company_portal(&self, app: &CompanyPortalApp) -> PortalDeviceFacts {
        let facts = {
            let s = self.lock();
            PortalDeviceFacts {
                os_name: s.spec.os_name(),
                os_version: s.spec.os_version.clone(),
                product: s.spec.product.clone(),
                name: s.spec.name.clone(),
            }
        };
        tracing::debug!(version = %app.version, "Company Portal launched");
        self.log(
            Process::CompanyPortal,
            Level::Notice,
            &format!("Company Portal {} launched", app.version),
        );
        self.cp_log(
            "INFO",
            "App",
            &format!(
                "Company Portal version {} on {} {} ({})",
                app.version, facts.os_name, facts.os_version, facts.product
            ),
        );
        facts
    }

    /// The app's sign-in at the cloud its Cloud setting picks.
    async fn company_portal_sign_in(
        &self,
        app: &CompanyPortalApp,
        user: &Credentials,
    ) -> Result<PortalSession, Outcome> {
        let client = self.client("Company Portal");
        let cloud = app.cloud.cloud();
        // The user reads the welcome screen and types their user name and password.
        self.user_pause(25);
        self.cp_log(
            "INFO",
            "Authentication",
            &format!(
                "Cloud setting {:?}; signing in at authority https://{}/organizations",
                app.cloud,
                login_host(cloud)
            ),
        );
        let signed_in = self
            .sign_in(&client, cloud, user, &COMPANY_PORTAL_APP)
            .await;
        let token = match signed_in {
            Ok(t) => t,
            Err(f) => {
                tracing::debug!(code = %f.code(), "Company Portal sign-in failed");
                self.cp_log(
                    "ERROR",
                    "Authentication",
                    &format!("Sign-in failed: {}", f.text()),
                );
                return Err(self.show(Screen::SignIn, UserMessage::SignInError(f.text())));
            }
        };
        self.cp_log(
            "INFO",
            "Authentication",
            &format!("Signed in as {}", user.upn),
        );
        Ok(PortalSession {
            client,
            cloud,
            token,
        })
    }

    /// Asks Intune whether this device and app may enroll.
    async fn check_eligibility(
        &self,
        portal: &PortalSession,
        app: &CompanyPortalApp,
        facts: &PortalDeviceFacts,
    ) -> Result<(), Outcome> {
        let eligibility = portal
            .request(
                Method::POST,
                enrollment_host(portal.cloud),
                "/enrollment/v1/eligibility",
            )
            .json(&EligibilityRequest {
                company_portal_version: app.version.clone(),
                device_model: facts.product.clone(),
                os_version: facts.os_version.clone(),
                platform: "iOS".into(),
            });
        self.service_step(&portal.client, eligibility, "Eligibility", true)
            .await?;
        self.cp_log("INFO", "Enrollment", "Eligibility check passed");
        Ok(())
    }

    /// Registers the device with Entra ID; the registered device id, when the answer has one.
    async fn workplace_join(
        &self,
        portal: &PortalSession,
        app: &CompanyPortalApp,
        facts: &PortalDeviceFacts,
    ) -> Result<Option<String>, Outcome> {
        let transport_key = self.read_registration_key(app);
        let join = portal
            .request(
                Method::POST,
                entra::registration_host(portal.cloud),
                "/EnrollmentServer/device/?api-version=2.0",
            )
            .json(&DeviceRegistrationRequest {
                device_display_name: facts.name.clone(),
                device_type: "iOS".into(),
                join_type: JOIN_TYPE_REGISTER,
                os_version: facts.os_version.clone(),
                transport_key,
            });
        let azure_device_id = match portal.client.send(join).await {
            Ok(r) if r.status == StatusCode::OK => DeviceRegistrationResponse::from_json(&r.body)
                .ok()
                .map(|answer| answer.device_id)
                .filter(|id| !id.is_empty()),
            Ok(r) => {
                let refusal = RegistrationError::from_json(&r.body).unwrap_or_default();
                let failure = format!(
                    "Workplace join failed: HTTP {} {} ({})",
                    r.status.as_u16(),
                    refusal.subcode,
                    refusal.message
                );
                return Err(self.workplace_join_failed(&failure));
            }
            Err(e) => {
                return Err(self.workplace_join_failed(&format!("Workplace join failed: {e}")))
            }
        };
        self.cp_log(
            "INFO",
            "WorkplaceJoin",
            &format!(
                "Device registered with Entra ID as {}",
                azure_device_id.as_deref().unwrap_or("?")
            ),
        );
        Ok(azure_device_id)
    }

    /// The public half of the app's workplace-join key pair, read from its keychain access
    /// group; empty when the keychain cannot give it, which is what the app then sends.
    fn read_registration_key(&self, app: &CompanyPortalApp) -> String {
        match app.registration_key.read_error() {
            None => base64::engine::general_purpose::STANDARD.encode(self.rng.bytes(32)),
            Some((status, name)) => {
                self.cp_log(
                    "WARN",
                    "WorkplaceJoin",
                    &format!("Workplace join key read failed: OSStatus {status} ({name})"),
                );
                String::new()
            }
        }
    }

    fn workplace_join_failed(&self, log_line: &str) -> Outcome {
        tracing::debug!(reason = log_line, "workplace join failed");
        self.cp_log("ERROR", "WorkplaceJoin", log_line);
        self.show(Screen::CompanyPortal, UserMessage::WorkplaceJoinFailed)
    }

    /// Opens an enrollment session with Intune; it names the profile Safari downloads.
    async fn create_enrollment_session(
        &self,
        portal: &PortalSession,
        azure_device_id: Option<String>,
    ) -> Result<EnrollmentSession, Outcome> {
        let request = portal
            .request(
                Method::POST,
                enrollment_host(portal.cloud),
                "/enrollment/v1/sessions",
            )
            .json(&SessionRequest {
                azure_ad_device_id: azure_device_id,
            });
        let answer = self
            .service_step(&portal.client, request, "Session", false)
            .await?;
        let Some(SessionCreated {
            session_id,
            profile_url,
        }) = SessionCreated::from_json(&answer)
            .ok()
            .filter(|s| !s.session_id.is_empty() && !s.profile_url.is_empty())
        else {
            self.cp_log(
                "ERROR",
                "Enrollment",
                "The enrollment session answer has no profile link",
            );
            return Err(self.show(Screen::CompanyPortal, UserMessage::CompanyPortalUnavailable));
        };
        self.cp_log(
            "INFO",
            "Enrollment",
            &format!(
                "Enrollment session {session_id} created; opening the management profile in Safari"
            ),
        );
        Ok(EnrollmentSession {
            session_id,
            profile_url,
        })
    }

    /// Safari downloads the management profile the session names.
    async fn download_profile(&self, profile_url: &str) -> Result<Bytes, Outcome> {
        let Some((host, path)) = super::profiled::split_url(profile_url) else {
            return Err(self.show(Screen::CompanyPortal, UserMessage::CompanyPortalUnavailable));
        };
        let safari = self.client("Safari");
        let download = match safari
            .send(OutgoingRequest::new(Method::GET, &host, &path))
            .await
        {
            Ok(r)
                if r.status == StatusCode::OK
                    && r.header("content-type")
                        .is_some_and(|c| c.starts_with(APPLE_ASPEN_CONFIG)) =>
            {
                r.body
            }
            Ok(r) => {
                self.cp_log(
                    "ERROR",
                    "Enrollment",
                    &format!("Profile download failed: HTTP {}", r.status.as_u16()),
                );
                return Err(self.show(
                    Screen::Safari,
                    UserMessage::ServiceCode(format!("HTTP {}", r.status.as_u16())),
                ));
            }
            Err(e) => {
                self.cp_log(
                    "ERROR",
                    "Enrollment",
                    &format!("Profile download failed: {e}"),
                );
                return Err(self.show(Screen::Safari, UserMessage::ProfileServerUnreachable));
            }
        };
        self.log(
            Process::Safari,
            Level::Notice,
            "Downloaded configuration profile; handing it to Settings",
        );
        Ok(download)
    }

    /// The user opens Settings, reviews the downloaded profile and taps Install (both flows
    /// end here).
    async fn install_in_settings(&self, profile: &Bytes) -> Result<(), UserMessage> {
        self.user_pause(15);
        self.install_profile(profile, InstallOptions::Interactive)
            .await
    }

    /// Asks Intune how the session ended, and shows it as the app does.
    async fn poll_enrollment_status(
        &self,
        portal: &PortalSession,
        session_id: &str,
        user: &Credentials,
    ) -> Outcome {
        let status = portal.request(
            Method::GET,
            enrollment_host(portal.cloud),
            &format!("/enrollment/v1/sessions/{session_id}"),
        );
        let progress = match portal.client.send(status).await {
            Ok(r) if r.status == StatusCode::OK => {
                SessionState::from_json(&r.body).ok().map(|s| s.progress)
            }
            _ => None,
        };
        match progress {
            Some(SessionProgress::Enrolled) => {
                self.cp_log(
                    "INFO",
                    "Enrollment",
                    "Enrollment complete; the device is managed",
                );
                Outcome::Enrolled {
                    upn: user.upn.clone(),
                }
            }
            Some(SessionProgress::Failed { error_code: code }) => {
                self.cp_log(
                    "ERROR",
                    "Enrollment",
                    &format!("Enrollment failed with error {code}"),
                );
                self.show(
                    Screen::CompanyPortal,
                    UserMessage::for_company_portal_code(&code),
                )
            }
            other => {
                let other = other.as_ref().map(SessionProgress::state);
                self.cp_log(
                    "WARN",
                    "Enrollment",
                    &format!("Enrollment not confirmed (state {other:?}); still waiting"),
                );
                Outcome::Stuck {
                    screen: Screen::CompanyPortal,
                    detail: "waiting for the device to finish enrolling".into(),
                }
            }
        }
    }

    /// Sends a Company Portal service request; on refusal, logs and shows what the app shows.
    /// `knows_codes`: whether the app has screens for this step's codes.
    async fn service_step(
        &self,
        client: &HttpsClient,
        request: OutgoingRequest,
        step: &str,
        knows_codes: bool,
    ) -> Result<Bytes, Outcome> {
        match client.send(request).await {
            Ok(r) if r.status.is_success() => Ok(r.body),
            Ok(r) => {
                let refusal = ServiceError::from_json(&r.body).unwrap_or_default();
                let code = if refusal.error_code.is_empty() {
                    "Unknown".to_string()
                } else {
                    refusal.error_code.clone()
                };
                self.cp_log("ERROR", step, &format!("Service refused the request: HTTP {} errorCode={code} correlationId={} message={}", r.status.as_u16(), refusal.correlation_id.as_deref().unwrap_or(""), refusal.message));
                let message = if knows_codes {
                    UserMessage::for_company_portal_code(&code)
                } else {
                    UserMessage::CompanyPortalUnavailable
                };
                Err(self.show(Screen::CompanyPortal, message))
            }
            Err(e) => {
                self.cp_log("ERROR", step, &format!("Request failed: {e}"));
                Err(self.show(Screen::CompanyPortal, UserMessage::CompanyPortalUnavailable))
            }
        }
    }

    /// Enrolls through the Company Portal website in Safari, as `user` — unless Safari already
    /// holds a sign-in cookie, which it uses instead.
    #[tracing::instrument(name = "safari", skip_all, fields(upn = %user.upn))]
    pub async fn enroll_with_safari(&self, user: &Credentials) -> Outcome {
        let outcome = self
            .safari_steps(user)
            .await
            .unwrap_or_else(|stopped| stopped);
        tracing::info!(?outcome, "Company Portal website enrollment ended");
        outcome
    }

    /// The website's steps in order; `Err` is where the flow stopped, with what the user saw.
    async fn safari_steps(&self, user: &Credentials) -> Result<Outcome, Outcome> {
        let safari = self.client("Safari");
        let (account, cloud) = self.safari_account(user);
        // The user types their user name and password on the website.
        self.user_pause(20);
        let token = self.website_sign_in(&safari, cloud, &account).await?;
        self.remember_sign_in(cloud, &account);
        let profile = self.open_enrollment_page(&safari, &token).await?;
        if let Err(message) = self.install_in_settings(&profile).await {
            return Err(self.show(Screen::Settings, message));
        }
        Ok(match self.handle_push().await {
            super::mdmclient::SessionEnd::Done { .. } => Outcome::Enrolled { upn: account.upn },
            other => Outcome::Stuck {
                screen: Screen::Settings,
                detail: format!("the device was never contacted by the server ({other:?})"),
            },
        })
    }

    /// Who Safari signs in as, and where: the saved session's account when Safari holds a
    /// sign-in cookie, otherwise `user` at the public cloud.
    fn safari_account(&self, user: &Credentials) -> (Credentials, Cloud) {
        let cookie = self
            .lock()
            .spec
            .safari_cookies
            .iter()
            .find(|c| c.host == entra::PUBLIC_LOGIN_HOST || c.host == entra::GOVERNMENT_LOGIN_HOST)
            .cloned();
        let Some(c) = cookie else {
            return (user.clone(), Cloud::Public);
        };
        tracing::debug!(upn = %c.upn, "Safari reuses a saved sign-in session");
        self.log(
            Process::Safari,
            Level::Notice,
            &format!("Signed in with the saved session for {}", c.upn),
        );
        let cloud = if c.host == entra::GOVERNMENT_LOGIN_HOST {
            Cloud::Government
        } else {
            Cloud::Public
        };
        (
            Credentials {
                upn: c.upn,
                password: c.password,
            },
            cloud,
        )
    }

    /// The website's sign-in; a failure is shown on the sign-in page.
    async fn website_sign_in(
        &self,
        safari: &HttpsClient,
        cloud: Cloud,
        account: &Credentials,
    ) -> Result<String, Outcome> {
        let signed_in = self
            .sign_in(safari, cloud, account, &COMPANY_PORTAL_WEBSITE)
            .await;
        signed_in.map_err(|f| {
            let (code, text) = (f.code(), f.text());
            tracing::debug!(%code, "website sign-in failed");
            self.log(
                Process::Safari,
                Level::Error,
                &format!("Sign-in failed: {text} ({code})"),
            );
            self.show(Screen::SignIn, UserMessage::SignInError(text))
        })
    }

    /// Safari keeps the session cookie of the sign-in, replacing the one it had for that cloud.
    fn remember_sign_in(&self, cloud: Cloud, account: &Credentials) {
        let mut state = self.lock();
        let cookies = &mut state.spec.safari_cookies;
        cookies.retain(|c| c.host != login_host(cloud));
        cookies.push(SessionCookie {
            host: login_host(cloud).into(),
            upn: account.upn.clone(),
            password: account.password.clone(),
        });
    }

    /// Opens the website's iOS enrollment page, which hands Settings the management profile.
    async fn open_enrollment_page(
        &self,
        safari: &HttpsClient,
        token: &str,
    ) -> Result<Bytes, Outcome> {
        let request = OutgoingRequest::new(Method::GET, PORTAL_HOST, "/enrollment/ios")
            .header("authorization", format!("Bearer {token}"));
        match safari.send(request).await {
            Ok(r) if r.status == StatusCode::OK => Ok(r.body),
            Ok(r) => {
                let page = String::from_utf8_lossy(&r.body).to_string();
                let code = page
                    .split("<h1>")
                    .nth(1)
                    .and_then(|s| s.split("</h1>").next())
                    .unwrap_or("Error")
                    .to_string();
                self.log(
                    Process::Safari,
                    Level::Error,
                    &format!(
                        "Company Portal website answered HTTP {}: {code}",
                        r.status.as_u16()
                    ),
                );
                Err(self.show(Screen::Safari, UserMessage::ServiceCode(code)))
            }
            Err(e) => {
                self.log(
                    Process::Safari,
                    Level::Error,
                    &format!("Cannot open the Company Portal website: {e}"),
                );
                Err(self.show(
                    Screen::Safari,
                    UserMessage::ServiceCode(
                        "Safari cannot open the page because the server cannot be found.".into(),
                    ),
                ))
            }
        }
    }
}
