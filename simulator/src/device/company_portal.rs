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
use hyper::{Method, StatusCode};
use serde_json::Value;

use super::logs::{Level, Process};
use super::messages::UserMessage;
use super::profiled::InstallOptions;
use super::spec::SessionCookie;
use super::{Credentials, Device, Outcome};
use crate::cloud::entra::{
    self, login_host, Cloud, COMPANY_PORTAL_CLIENT_ID, INTUNE_ENROLLMENT_APP_ID,
};
use crate::cloud::form;
use crate::cloud::intune::{enrollment_host, PORTAL_HOST};
use crate::net::client::{HttpsClient, OutgoingRequest};
use crate::recorder::Screen;
use crate::wire::content_type::APPLE_ASPEN_CONFIG;

/// A failed sign-in: the AADSTS code and the page's text.
struct SignInFailure {
    code: String,
    text: String,
}

impl Device {
    async fn sign_in(
        &self,
        client: &HttpsClient,
        cloud: Cloud,
        user: &Credentials,
        app: (&str, &str, &str),
    ) -> Result<String, SignInFailure> {
        let (client_id, app_name, client_app) = app;
        let host = login_host(cloud);
        let body = form::encode(&[
            ("grant_type", "password"),
            ("client_id", client_id),
            ("scope", &format!("{INTUNE_ENROLLMENT_APP_ID}/.default")),
            ("username", &user.upn),
            ("password", &user.password),
            // The app and the browser show Microsoft's MFA prompt; the user approves it.
            ("mfa", "approved"),
            ("app_display_name", app_name),
            ("client_app", client_app),
        ]);
        let request = OutgoingRequest::new(Method::POST, host, "/organizations/oauth2/v2.0/token")
            .header("client-request-id", self.rng.uuid_lower())
            .body("application/x-www-form-urlencoded", body);
        match client.send(request).await {
            Ok(r) if r.status == StatusCode::OK => r
                .json::<Value>()
                .ok()
                .and_then(|v| v["access_token"].as_str().map(str::to_string))
                .ok_or(SignInFailure {
                    code: "invalid_response".into(),
                    text: "The sign-in service sent an unreadable answer.".into(),
                }),
            Ok(r) => {
                let v: Value = r.json().unwrap_or(Value::Null);
                let description = v["error_description"].as_str().unwrap_or("").to_string();
                let first_line = description.lines().next().unwrap_or("").to_string();
                let code = first_line.split(':').next().unwrap_or("").to_string();
                Err(SignInFailure {
                    code,
                    text: first_line,
                })
            }
            Err(e) => Err(SignInFailure {
                code: "network".into(),
                text: e.to_string(),
            }),
        }
    }

    /// Enrolls through the Company Portal app, signed in as `user`.
    pub async fn enroll_with_company_portal(&self, user: &Credentials) -> Outcome {
        let app = self.lock().spec.company_portal.clone();
        let Some(app) = app else {
            return Outcome::NotManaged {
                detail: "the Company Portal app is not installed".into(),
            };
        };
        let client = self.client("Company Portal");
        let (os_version, product, name) = {
            let s = self.lock();
            (
                s.spec.os_version.clone(),
                s.spec.product.clone(),
                s.spec.name.clone(),
            )
        };
        self.log(
            Process::CompanyPortal,
            Level::Notice,
            &format!("Company Portal {} launched", app.version),
        );
        self.cp_log(
            "INFO",
            "App",
            &format!(
                "Company Portal version {} on iOS {os_version} ({product})",
                app.version
            ),
        );
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
        let token = match self
            .sign_in(
                &client,
                cloud,
                user,
                (
                    COMPANY_PORTAL_CLIENT_ID,
                    "Microsoft Intune Company Portal",
                    "Mobile Apps and Desktop clients",
                ),
            )
            .await
        {
            Ok(t) => t,
            Err(f) => {
                self.cp_log(
                    "ERROR",
                    "Authentication",
                    &format!("Sign-in failed: {}", f.text),
                );
                return self.show(Screen::SignIn, UserMessage::SignInError(f.text));
            }
        };
        self.cp_log(
            "INFO",
            "Authentication",
            &format!("Signed in as {}", user.upn),
        );

        let eligibility = OutgoingRequest::new(Method::POST, enrollment_host(cloud), "/enrollment/v1/eligibility")
            .header("authorization", format!("Bearer {token}"))
            .json(&serde_json::json!({"platform": "iOS", "osVersion": os_version, "companyPortalVersion": app.version, "deviceModel": product}));
        if let Err(outcome) = self
            .service_step(&client, eligibility, "Eligibility", true)
            .await
        {
            return outcome;
        }
        self.cp_log("INFO", "Enrollment", "Eligibility check passed");

        // Workplace join: the transport key lives in the app's keychain; a damaged install
        // cannot read it and sends none.
        let transport_key = if app.damaged {
            self.cp_log(
                "WARN",
                "WorkplaceJoin",
                "Could not read the workplace join key from the keychain (errSecItemNotFound)",
            );
            String::new()
        } else {
            base64::engine::general_purpose::STANDARD.encode(self.rng.bytes(32))
        };
        let join = OutgoingRequest::new(Method::POST, entra::registration_host(cloud), "/EnrollmentServer/device/?api-version=2.0")
            .header("authorization", format!("Bearer {token}"))
            .json(&serde_json::json!({"DeviceDisplayName": name, "OSVersion": os_version, "DeviceType": "iOS", "JoinType": 4, "TransportKey": transport_key}));
        let azure_device_id = match client.send(join).await {
            Ok(r) if r.status == StatusCode::OK => r
                .json::<Value>()
                .ok()
                .and_then(|v| v["DeviceId"].as_str().map(str::to_string)),
            Ok(r) => {
                let v: Value = r.json().unwrap_or(Value::Null);
                self.cp_log(
                    "ERROR",
                    "WorkplaceJoin",
                    &format!(
                        "Workplace join failed: HTTP {} {} ({})",
                        r.status.as_u16(),
                        v["subcode"].as_str().unwrap_or(""),
                        v["message"].as_str().unwrap_or("")
                    ),
                );
                return self.show(Screen::CompanyPortal, UserMessage::WorkplaceJoinFailed);
            }
            Err(e) => {
                self.cp_log(
                    "ERROR",
                    "WorkplaceJoin",
                    &format!("Workplace join failed: {e}"),
                );
                return self.show(Screen::CompanyPortal, UserMessage::WorkplaceJoinFailed);
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

        let session = OutgoingRequest::new(
            Method::POST,
            enrollment_host(cloud),
            "/enrollment/v1/sessions",
        )
        .header("authorization", format!("Bearer {token}"))
        .json(&serde_json::json!({"azureAdDeviceId": azure_device_id}));
        let session = match self.service_step(&client, session, "Session", false).await {
            Ok(v) => v,
            Err(outcome) => return outcome,
        };
        let (Some(session_id), Some(profile_url)) = (
            session["sessionId"].as_str(),
            session["profileUrl"].as_str(),
        ) else {
            self.cp_log(
                "ERROR",
                "Enrollment",
                "The enrollment session answer has no profile link",
            );
            return self.show(Screen::CompanyPortal, UserMessage::CompanyPortalUnavailable);
        };
        self.cp_log(
            "INFO",
            "Enrollment",
            &format!(
                "Enrollment session {session_id} created; opening the management profile in Safari"
            ),
        );

        let Some((host, path)) = super::profiled::split_url(profile_url) else {
            return self.show(Screen::CompanyPortal, UserMessage::CompanyPortalUnavailable);
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
                return self.show(
                    Screen::Safari,
                    UserMessage::ServiceCode(format!("HTTP {}", r.status.as_u16())),
                );
            }
            Err(e) => {
                self.cp_log(
                    "ERROR",
                    "Enrollment",
                    &format!("Profile download failed: {e}"),
                );
                return self.show(Screen::Safari, UserMessage::ProfileServerUnreachable);
            }
        };
        self.log(
            Process::Safari,
            Level::Notice,
            "Downloaded configuration profile; handing it to Settings",
        );
        // The user opens Settings, reviews the profile and taps Install.
        self.user_pause(15);
        if let Err(message) = self
            .install_profile(&download, InstallOptions::Interactive)
            .await
        {
            self.cp_log(
                "ERROR",
                "Enrollment",
                "Management profile installation did not complete",
            );
            return self.show(Screen::Settings, message);
        }
        self.handle_push().await;

        let status = OutgoingRequest::new(
            Method::GET,
            enrollment_host(cloud),
            &format!("/enrollment/v1/sessions/{session_id}"),
        )
        .header("authorization", format!("Bearer {token}"));
        let progress = match client.send(status).await {
            Ok(r) if r.status == StatusCode::OK => {
                r.json::<Value>().unwrap_or(Value::Null)["progress"].clone()
            }
            _ => Value::Null,
        };
        match progress["state"].as_str() {
            Some("enrolled") => {
                self.cp_log(
                    "INFO",
                    "Enrollment",
                    "Enrollment complete; the device is managed",
                );
                Outcome::Enrolled {
                    upn: user.upn.clone(),
                }
            }
            Some("failed") => {
                let code = progress["errorCode"]
                    .as_str()
                    .unwrap_or("Unknown")
                    .to_string();
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
    ) -> Result<Value, Outcome> {
        match client.send(request).await {
            Ok(r) if r.status.is_success() => Ok(r.json().unwrap_or(Value::Null)),
            Ok(r) => {
                let v: Value = r.json().unwrap_or(Value::Null);
                let code = v["errorCode"].as_str().unwrap_or("Unknown").to_string();
                self.cp_log("ERROR", step, &format!("Service refused the request: HTTP {} errorCode={code} correlationId={} message={}", r.status.as_u16(), v["correlationId"].as_str().unwrap_or(""), v["message"].as_str().unwrap_or("")));
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
    pub async fn enroll_with_safari(&self, user: &Credentials) -> Outcome {
        let safari = self.client("Safari");
        let cookie = self
            .lock()
            .spec
            .safari_cookies
            .iter()
            .find(|c| c.host == entra::PUBLIC_LOGIN_HOST || c.host == entra::GOVERNMENT_LOGIN_HOST)
            .cloned();
        let (signed_in, cloud) = match &cookie {
            Some(c) => {
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
                        upn: c.upn.clone(),
                        password: c.password.clone(),
                    },
                    cloud,
                )
            }
            None => (user.clone(), Cloud::Public),
        };
        // The user types their user name and password on the website.
        self.user_pause(20);
        let token = match self
            .sign_in(
                &safari,
                cloud,
                &signed_in,
                (
                    "0000000a-0000-0000-c000-000000000000",
                    "Intune Company Portal website",
                    "Browser",
                ),
            )
            .await
        {
            Ok(t) => t,
            Err(f) => {
                self.log(
                    Process::Safari,
                    Level::Error,
                    &format!("Sign-in failed: {} ({})", f.text, f.code),
                );
                return self.show(Screen::SignIn, UserMessage::SignInError(f.text));
            }
        };
        self.lock()
            .spec
            .safari_cookies
            .retain(|c| c.host != login_host(cloud));
        self.lock().spec.safari_cookies.push(SessionCookie {
            host: login_host(cloud).into(),
            upn: signed_in.upn.clone(),
            password: signed_in.password.clone(),
        });
        let request = OutgoingRequest::new(Method::GET, PORTAL_HOST, "/enrollment/ios")
            .header("authorization", format!("Bearer {token}"));
        let profile = match safari.send(request).await {
            Ok(r) if r.status == StatusCode::OK => r.body,
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
                return self.show(Screen::Safari, UserMessage::ServiceCode(code));
            }
            Err(e) => {
                self.log(
                    Process::Safari,
                    Level::Error,
                    &format!("Cannot open the Company Portal website: {e}"),
                );
                return self.show(
                    Screen::Safari,
                    UserMessage::ServiceCode(
                        "Safari cannot open the page because the server cannot be found.".into(),
                    ),
                );
            }
        };
        self.user_pause(15);
        if let Err(message) = self
            .install_profile(&profile, InstallOptions::Interactive)
            .await
        {
            return self.show(Screen::Settings, message);
        }
        match self.handle_push().await {
            super::mdmclient::SessionEnd::Done { .. } => Outcome::Enrolled { upn: signed_in.upn },
            other => Outcome::Stuck {
                screen: Screen::Settings,
                detail: format!("the device was never contacted by the server ({other:?})"),
            },
        }
    }
}
