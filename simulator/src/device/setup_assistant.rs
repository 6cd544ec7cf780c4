//! Setup Assistant: activating an Automated Device Enrollment device.
//!
//! Activation asks Apple for the device's cloud configuration (`iprofiles.apple.com`). If Apple
//! cannot be reached, iOS's asset and configuration daemons log what the article quotes
//! (`XPC_TYPE_ERROR Connection invalid`) and Setup Assistant cannot go on. If Apple has no
//! profile for the serial, Setup Assistant finishes without a Remote Management pane: the device
//! is simply not managed. Otherwise the device posts its `MachineInfo` to the profile's URL,
//! authenticating the user as the MDM server asks — a web sign-in where the profile has a
//! configuration web URL (modern authentication, MFA works), or Setup Assistant's own
//! user-name-and-password sheet answering a Basic challenge (legacy, no MFA) — installs the
//! enrollment profile and waits in "Awaiting final configuration" until the server sends
//! `DeviceConfigured`.

use base64::Engine;
use hyper::{Method, StatusCode};

use super::logs::{Level, Process};
use super::messages::UserMessage;
use super::profiled::{split_url, InstallOptions};
use super::{Credentials, Device, Outcome};
use crate::cloud::apple_ade::activation::{
    read_cloud_configuration, CLOUD_CONFIG_PATH, IPROFILES_HOST,
};
use crate::cloud::entra::INTUNE_ENROLLMENT_APP_ID;
use crate::cloud::form;
use crate::net::client::OutgoingRequest;
use crate::recorder::Screen;
use crate::wire::cloud_config::{CloudConfigRequest, MachineInfo};

/// How many times a user retypes their password before giving up on a sign-in sheet that
/// keeps coming back.
const SIGN_IN_ATTEMPTS: usize = 3;

impl Device {
    fn log_xpc_connection_invalid(&self) {
        // The lines iOS writes when its asset daemon loses Apple's services, as the article
        // quotes them.
        let xpc = "0x1a49aebc0 Client connection: XPC_TYPE_ERROR Connection invalid <error: 0x1a49aebc0> { count = 1, transaction: 0, voucher = 0x0, contents = \"XPCErrorDescription\" => <string: 0x1a49aee18> { length = 18, contents = \"Connection invalid\" } }";
        self.log(Process::Mobileassetd, Level::Notice, xpc);
        self.log(
            Process::Mobileassetd,
            Level::Notice,
            "Client connection invalid (Connection invalid); terminating connection",
        );
        self.log(Process::AccessibilityUiServer, Level::Notice, "[MobileAssetError:29] Unable to copy asset information from https://mesu.apple.com/assets/ for asset type com.apple.MobileAsset.VoiceServices.CombinedVocalizerVoices");
        self.log(Process::Mobileassetd, Level::Notice, xpc);
    }

    /// Erases the device state that does not survive a wipe, as before any activation.
    fn erase_for_activation(&self) {
        let mut s = self.lock();
        s.spec.profiles.clear();
        s.spec.company_portal = None;
        s.spec.safari_cookies.clear();
        s.mdm = None;
        s.mailbox = None;
        s.supervised = false;
        s.awaiting_configuration = false;
    }

    /// Turns the (erased) device on and goes through Setup Assistant, signing in as `user`
    /// when the enrollment asks for it.
    pub async fn activate(&self, user: &Credentials) -> Outcome {
        self.erase_for_activation();
        let (serial, udid, product, build, os, locale) = {
            let s = self.lock();
            (
                s.spec.serial.clone(),
                s.spec.udid.clone(),
                s.spec.product.clone(),
                s.spec.build.clone(),
                s.spec.os_version.clone(),
                s.spec.locale.clone(),
            )
        };
        // The user picks a language, a region and a Wi-Fi network.
        self.user_pause(40);
        self.log(
            Process::SetupAssistant,
            Level::Notice,
            "Activation started; checking for a cloud configuration",
        );
        let client = self.client("Setup Assistant");
        let request = OutgoingRequest::new(Method::POST, IPROFILES_HOST, CLOUD_CONFIG_PATH)
            .json(&CloudConfigRequest::new(&serial));
        let body = match client.send(request).await {
            Ok(r) if r.status == StatusCode::OK => r.body,
            Ok(r) => {
                self.log(
                    Process::CloudConfiguration,
                    Level::Error,
                    &format!(
                        "Cloud configuration request failed: HTTP {}",
                        r.status.as_u16()
                    ),
                );
                return self.show(
                    Screen::SetupAssistant,
                    UserMessage::CloudConfigurationUnavailable,
                );
            }
            Err(e) => {
                self.log_xpc_connection_invalid();
                self.log(Process::CloudConfiguration, Level::Error, &format!("Could not retrieve the cloud configuration from https://{IPROFILES_HOST}: {e}"));
                return self.show(
                    Screen::SetupAssistant,
                    UserMessage::CloudConfigurationUnavailable,
                );
            }
        };
        let config = match read_cloud_configuration(&body) {
            Ok(Some(c)) => c,
            Ok(None) => {
                self.log(Process::CloudConfiguration, Level::Notice, "No cloud configuration found for this device; Remote Management is not required");
                self.log(
                    Process::SetupAssistant,
                    Level::Notice,
                    "Setup Assistant finished without Remote Management",
                );
                return Outcome::NotManaged {
                    detail: "Setup Assistant finished without a Remote Management screen".into(),
                };
            }
            Err(e) => {
                self.log(
                    Process::CloudConfiguration,
                    Level::Error,
                    &format!("The cloud configuration is unreadable: {e}"),
                );
                return self.show(
                    Screen::SetupAssistant,
                    UserMessage::CloudConfigurationUnavailable,
                );
            }
        };
        {
            let mut s = self.lock();
            // Since iOS 13 every ADE device is supervised, whatever the profile says.
            s.supervised = true;
            s.awaiting_configuration = config.await_device_configured;
        }
        self.log(
            Process::CloudConfiguration,
            Level::Notice,
            &format!(
                "Cloud configuration received; ConfigurationURL {}",
                config.configuration_url
            ),
        );
        self.log(
            Process::SetupAssistant,
            Level::Notice,
            "Showing Remote Management",
        );

        let Some((host, path)) = split_url(&config.configuration_url) else {
            return self.show(
                Screen::SetupAssistant,
                UserMessage::CloudConfigurationUnavailable,
            );
        };
        let mut info = MachineInfo::new(&udid, &serial, &product, &build);
        info.os_version = Some(os);
        info.language = Some(locale);
        let post = |auth: Option<String>| {
            // Real devices wrap MachineInfo in a CMS signature made with their Apple-issued
            // identity; the lab has no Apple device identity and sends the plist itself.
            let mut r = OutgoingRequest::new(Method::POST, &host, &path)
                .body("application/x-apple-aspen-deviceinfo", info.to_xml());
            if let Some(a) = auth {
                r = r.header("authorization", a);
            }
            r
        };
        let mut authorization = None;
        // The user reads the Remote Management screen and taps Next.
        self.user_pause(10);
        if config.configuration_web_url.is_some() {
            self.user_pause(25);
            match self.web_sign_in(&client, user).await {
                Ok(token) => authorization = Some(format!("Bearer {token}")),
                Err(text) => return self.show(Screen::SignIn, UserMessage::SignInError(text)),
            }
        }
        let mut attempts = 0;
        let profile = loop {
            let response = match client.send(post(authorization.clone())).await {
                Ok(r) => r,
                Err(e) => {
                    self.log(
                        Process::SetupAssistant,
                        Level::Error,
                        &format!("Cannot reach the MDM server: {e}"),
                    );
                    return self.show(
                        Screen::SetupAssistant,
                        UserMessage::CloudConfigurationUnavailable,
                    );
                }
            };
            match response.status {
                StatusCode::OK => break response.body,
                StatusCode::UNAUTHORIZED
                    if response
                        .header("www-authenticate")
                        .is_some_and(|h| h.starts_with("Basic")) =>
                {
                    if attempts == SIGN_IN_ATTEMPTS {
                        self.log(Process::SetupAssistant, Level::Notice, "User authentication did not complete; still showing the sign-in screen");
                        return Outcome::Stuck { screen: Screen::SetupAssistant, detail: "the sign-in screen comes back after the user enters their credentials".into() };
                    }
                    if attempts > 0 {
                        self.log(
                            Process::SetupAssistant,
                            Level::Error,
                            "MDM server rejected the user's credentials (HTTP 401)",
                        );
                    }
                    attempts += 1;
                    self.user_pause(25);
                    self.log(
                        Process::SetupAssistant,
                        Level::Notice,
                        "MDM server requires user authentication; showing the sign-in screen",
                    );
                    let basic = base64::engine::general_purpose::STANDARD
                        .encode(format!("{}:{}", user.upn, user.password));
                    authorization = Some(format!("Basic {basic}"));
                }
                status => {
                    self.log(
                        Process::SetupAssistant,
                        Level::Error,
                        &format!(
                            "MDM server answered HTTP {}: {}",
                            status.as_u16(),
                            String::from_utf8_lossy(&response.body)
                        ),
                    );
                    return self.show(
                        Screen::SetupAssistant,
                        UserMessage::ServiceCode(format!("HTTP {}", status.as_u16())),
                    );
                }
            }
        };
        if let Err(message) = self
            .install_profile(&profile, InstallOptions::Interactive)
            .await
        {
            return self.show(Screen::SetupAssistant, message);
        }
        self.log(
            Process::SetupAssistant,
            Level::Notice,
            "Awaiting final configuration",
        );
        self.handle_push().await;
        if self.lock().awaiting_configuration {
            return Outcome::Stuck {
                screen: Screen::SetupAssistant,
                detail: "Awaiting final configuration from the MDM server".into(),
            };
        }
        self.log(
            Process::SetupAssistant,
            Level::Notice,
            "Setup Assistant finished; device is managed",
        );
        Outcome::Enrolled {
            upn: user.upn.clone(),
        }
    }

    /// The web sign-in of modern authentication: Entra's interactive page, MFA included.
    async fn web_sign_in(
        &self,
        client: &crate::net::client::HttpsClient,
        user: &Credentials,
    ) -> Result<String, String> {
        let body = form::encode(&[
            ("grant_type", "password"),
            ("client_id", INTUNE_ENROLLMENT_APP_ID),
            ("scope", &format!("{INTUNE_ENROLLMENT_APP_ID}/.default")),
            ("username", &user.upn),
            ("password", &user.password),
            ("mfa", "approved"),
            ("app_display_name", "Microsoft Intune Enrollment"),
            ("client_app", "Mobile Apps and Desktop clients"),
        ]);
        let request = OutgoingRequest::new(
            Method::POST,
            crate::cloud::entra::PUBLIC_LOGIN_HOST,
            "/organizations/oauth2/v2.0/token",
        )
        .body("application/x-www-form-urlencoded", body);
        match client.send(request).await {
            Ok(r) if r.status == StatusCode::OK => r
                .json::<serde_json::Value>()
                .ok()
                .and_then(|v| v["access_token"].as_str().map(str::to_string))
                .ok_or_else(|| "unreadable sign-in answer".to_string()),
            Ok(r) => {
                let v: serde_json::Value = r.json().unwrap_or_default();
                let text = v["error_description"]
                    .as_str()
                    .unwrap_or("")
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_string();
                self.log(
                    Process::SetupAssistant,
                    Level::Error,
                    &format!("Sign-in failed: {text}"),
                );
                Err(text)
            }
            Err(e) => Err(e.to_string()),
        }
    }
}
