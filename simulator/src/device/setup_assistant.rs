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
use bytes::Bytes;
use hyper::{Method, StatusCode};

use super::logs::{Level, NsError, Process};
use super::messages::UserMessage;
use super::profiled::{split_url, InstallOptions};
use super::sign_in::{certificate_date_error, SignInApp, SignInFailure};
use super::{Credentials, Device, Outcome};
use crate::cloud::apple_ade::activation::{
    read_cloud_configuration, CLOUD_CONFIG_PATH, IPROFILES_HOST,
};
use crate::cloud::entra::{Cloud, INTUNE_ENROLLMENT_APP_ID};
use crate::net::client::{HttpsClient, OutgoingRequest};
use crate::recorder::Screen;
use crate::wire::cloud_config::{CloudConfigRequest, CloudConfiguration, MachineInfo};
use crate::wire::cms::{self, Signer};
use crate::wire::content_type::PKCS7_SIGNATURE;

/// Where the device posts its `MachineInfo` for the enrollment profile.
struct MdmEnrollmentServer {
    host: String,
    path: String,
    /// `MachineInfo`, CMS-signed with the device's Apple identity, and its content type.
    info: (&'static str, Vec<u8>),
    /// The organization the cloud configuration names, for the messages that name it.
    organization: String,
}

impl MdmEnrollmentServer {
    fn post(&self, authorization: Option<String>) -> OutgoingRequest {
        let (content_type, body) = &self.info;
        let request = OutgoingRequest::new(Method::POST, &self.host, &self.path)
            .body(content_type, body.clone());
        match authorization {
            Some(a) => request.header("authorization", a),
            None => request,
        }
    }
}

/// Setup Assistant's web sheet for modern authentication, as it signs in.
const SETUP_ASSISTANT_WEB_SIGN_IN: SignInApp = SignInApp {
    client_id: INTUNE_ENROLLMENT_APP_ID,
    name: "Microsoft Intune Enrollment",
    client_app: "Mobile Apps and Desktop clients",
    sends_request_id: false,
    process: Process::SetupAssistant,
};

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
    #[tracing::instrument(name = "setup_assistant", skip_all, fields(upn = %user.upn))]
    pub async fn activate(&self, user: &Credentials) -> Outcome {
        let outcome = self
            .activation_steps(user)
            .await
            .unwrap_or_else(|stopped| stopped);
        tracing::info!(?outcome, "Setup Assistant ended");
        outcome
    }

    /// Setup Assistant's steps in order; `Err` is where it stopped, with what the user saw.
    async fn activation_steps(&self, user: &Credentials) -> Result<Outcome, Outcome> {
        self.erase_for_activation();
        let info = self.machine_info();
        // The user picks a language, a region and a Wi-Fi network.
        self.user_pause(40);
        self.log(
            Process::SetupAssistant,
            Level::Notice,
            "Activation started; checking for a cloud configuration",
        );
        let client = self.client("Setup Assistant");
        let config = self
            .fetch_cloud_configuration(&client, &info.serial)
            .await?;
        self.accept_cloud_configuration(&config);
        let Some((host, path)) = split_url(&config.configuration_url) else {
            return Err(self.show(
                Screen::SetupAssistant,
                UserMessage::CloudConfigurationUnavailable,
            ));
        };
        let server = MdmEnrollmentServer {
            host,
            path,
            info: self.signed_machine_info(&info),
            organization: config.organization_name.clone(),
        };
        // The user reads the Remote Management screen and taps Next.
        self.user_pause(10);
        let mut authorization = None;
        if config.configuration_web_url.is_some() {
            self.user_pause(25);
            match self.web_sign_in(&client, user).await {
                Ok(token) => authorization = Some(format!("Bearer {token}")),
                Err(text) => return Err(self.show(Screen::SignIn, UserMessage::SignInError(text))),
            }
        }
        let profile = self
            .fetch_enrollment_profile(&client, &server, authorization, user)
            .await?;
        if let Err(message) = self
            .install_profile(&profile, InstallOptions::Interactive)
            .await
        {
            return Err(self.show(Screen::SetupAssistant, message));
        }
        Ok(self.await_final_configuration(user).await)
    }

    /// `MachineInfo` as a real device posts it: attached CMS SignedData by the identity the
    /// device holds from Apple's iPhone Device CA (`application/pkcs7-signature`). Should the
    /// lab be unable to sign, the plist goes unsigned and the server's refusal is what the user
    /// meets.
    fn signed_machine_info(&self, info: &MachineInfo) -> (&'static str, Vec<u8>) {
        let plist = info.to_xml();
        let now = self.env.clock.now();
        let signed = self
            .env
            .factory_pki
            .apple_device_identity(
                &info.udid,
                now - time::Duration::days(365),
                now + time::Duration::days(3650),
            )
            .map_err(|e| e.to_string())
            .and_then(|identity| {
                let enrollsim_certs::PrivateKeyDer::Pkcs8(key) = identity.private_key() else {
                    return Err("the device identity key is not PKCS#8".to_string());
                };
                let signer = Signer::new(key.secret_pkcs8_der(), identity.certificate())
                    .map_err(|e| e.to_string())?;
                cms::sign(&signer, Some(&plist), true, Vec::new()).map_err(|e| e.to_string())
            });
        match signed {
            Ok(body) => (PKCS7_SIGNATURE, body),
            Err(e) => {
                tracing::warn!(error = %e, "MachineInfo goes unsigned");
                ("application/x-apple-aspen-deviceinfo", plist)
            }
        }
    }

    /// What the device tells the MDM server about itself (`MachineInfo`).
    fn machine_info(&self) -> MachineInfo {
        let s = self.lock();
        let mut info =
            MachineInfo::new(&s.spec.udid, &s.spec.serial, &s.spec.product, &s.spec.build);
        info.os_version = Some(s.spec.os_version.clone());
        info.language = Some(s.spec.locale.clone());
        info
    }

    /// Asks Apple for the device's cloud configuration; `Err(NotManaged)` when Apple has none.
    async fn fetch_cloud_configuration(
        &self,
        client: &HttpsClient,
        serial: &str,
    ) -> Result<CloudConfiguration, Outcome> {
        let request = OutgoingRequest::new(Method::POST, IPROFILES_HOST, CLOUD_CONFIG_PATH)
            .json(&CloudConfigRequest::new(serial));
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
                return Err(self.cloud_configuration_unavailable());
            }
            Err(e) => {
                tracing::debug!(error = %e, "Apple's cloud configuration service is unreachable");
                self.log_xpc_connection_invalid();
                // The domain is the one mdmclient logs for cloud configuration failures
                // (https://github.com/fleetdm/fleet/issues/8167), whose codes are 340xx there
                // and in https://duo.com/labs/research/mdm-me-maybe; 34006 and its text are
                // what `profiles show -type enrollment` prints when the Device Enrollment
                // configuration cannot be fetched (quoted in the write-up of
                // https://github.com/nstrauss/macos-management-scripts/tree/master/enrollment_config_helper).
                // -1004 and its text are Foundation's NSURLErrorCannotConnectToHost
                // (https://developer.apple.com/documentation/foundation/1508628-url_loading_system_error_codes).
                let error = NsError::new(
                    "MCCloudConfigurationErrorDomain",
                    34006,
                    "The cloud configuration server is unavailable.",
                )
                .caused_by(
                    // A certificate outside its dates to the device's clock is Foundation's
                    // -1201/-1204 (`sign_in::certificate_date_error`).
                    certificate_date_error(&e, IPROFILES_HOST).unwrap_or_else(|| {
                        NsError::new(
                            "NSURLErrorDomain",
                            -1004,
                            "Could not connect to the server.",
                        )
                    }),
                );
                self.log_error(
                    Process::CloudConfiguration,
                    &format!("Could not retrieve the cloud configuration from https://{IPROFILES_HOST}: {e}."),
                    &error,
                );
                return Err(self.cloud_configuration_unavailable());
            }
        };
        match read_cloud_configuration(&body) {
            Ok(Some(c)) => Ok(c),
            Ok(None) => {
                self.log(Process::CloudConfiguration, Level::Notice, "No cloud configuration found for this device; Remote Management is not required");
                self.log(
                    Process::SetupAssistant,
                    Level::Notice,
                    "Setup Assistant finished without Remote Management",
                );
                Err(Outcome::NotManaged {
                    detail: "Setup Assistant finished without a Remote Management screen".into(),
                })
            }
            Err(e) => {
                self.log(
                    Process::CloudConfiguration,
                    Level::Error,
                    &format!("The cloud configuration is unreadable: {e}"),
                );
                Err(self.cloud_configuration_unavailable())
            }
        }
    }

    fn cloud_configuration_unavailable(&self) -> Outcome {
        self.show(
            Screen::SetupAssistant,
            UserMessage::CloudConfigurationUnavailable,
        )
    }

    /// The device becomes supervised and shows Remote Management.
    fn accept_cloud_configuration(&self, config: &CloudConfiguration) {
        {
            let mut s = self.lock();
            // Since iOS 13 every ADE device is supervised, whatever the profile says.
            s.supervised = true;
            s.awaiting_configuration = config.await_device_configured;
        }
        tracing::debug!(url = %config.configuration_url, "cloud configuration received");
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
    }

    /// Posts `MachineInfo` to the MDM server until it answers with the enrollment profile,
    /// showing the user-name-and-password sheet whenever it asks for Basic authentication.
    async fn fetch_enrollment_profile(
        &self,
        client: &HttpsClient,
        server: &MdmEnrollmentServer,
        mut authorization: Option<String>,
        user: &Credentials,
    ) -> Result<Bytes, Outcome> {
        let mut attempts = 0;
        loop {
            let response = match client.send(server.post(authorization.clone())).await {
                Ok(r) => r,
                Err(e) => {
                    self.log(
                        Process::SetupAssistant,
                        Level::Error,
                        &format!("Cannot reach the MDM server: {e}"),
                    );
                    return Err(self.cloud_configuration_unavailable());
                }
            };
            match response.status {
                StatusCode::OK => return Ok(response.body),
                StatusCode::UNAUTHORIZED
                    if response
                        .header("www-authenticate")
                        .is_some_and(|h| h.starts_with("Basic")) =>
                {
                    authorization = Some(self.basic_sign_in_sheet(&mut attempts, user)?);
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
                    return Err(match error_description(&response) {
                        Some(reason) => {
                            let model = self.lock().spec.model();
                            let text = UserMessage::configuration_not_downloaded(
                                model,
                                &server.organization,
                                &reason,
                            );
                            let message = UserMessage::ConfigurationNotDownloaded(reason);
                            self.show_text(Screen::SetupAssistant, message, text)
                        }
                        None => self.show(
                            Screen::SetupAssistant,
                            UserMessage::ServiceCode(format!("HTTP {}", status.as_u16())),
                        ),
                    });
                }
            }
        }
    }

    /// The legacy sign-in sheet answering a Basic challenge: the `Authorization` it sends, or
    /// `Err(Stuck)` once the user has retyped their password [`SIGN_IN_ATTEMPTS`] times.
    fn basic_sign_in_sheet(
        &self,
        attempts: &mut usize,
        user: &Credentials,
    ) -> Result<String, Outcome> {
        if *attempts == SIGN_IN_ATTEMPTS {
            self.log(
                Process::SetupAssistant,
                Level::Notice,
                "User authentication did not complete; still showing the sign-in screen",
            );
            return Err(Outcome::Stuck {
                screen: Screen::SetupAssistant,
                detail: "the sign-in screen comes back after the user enters their credentials"
                    .into(),
            });
        }
        if *attempts > 0 {
            self.log(
                Process::SetupAssistant,
                Level::Error,
                "MDM server rejected the user's credentials (HTTP 401)",
            );
        }
        *attempts += 1;
        tracing::debug!(
            attempt = *attempts,
            "MDM server asks for Basic authentication"
        );
        self.user_pause(25);
        self.log(
            Process::SetupAssistant,
            Level::Notice,
            "MDM server requires user authentication; showing the sign-in screen",
        );
        let basic = base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", user.upn, user.password));
        Ok(format!("Basic {basic}"))
    }

    /// "Awaiting final configuration" until the server sends `DeviceConfigured`.
    async fn await_final_configuration(&self, user: &Credentials) -> Outcome {
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
        client: &HttpsClient,
        user: &Credentials,
    ) -> Result<String, String> {
        let signed_in = self
            .sign_in(client, Cloud::Public, user, &SETUP_ASSISTANT_WEB_SIGN_IN)
            .await;
        signed_in.map_err(|failure| match failure {
            SignInFailure::Refused { text, .. } => {
                self.log(
                    Process::SetupAssistant,
                    Level::Error,
                    &format!("Sign-in failed: {text}"),
                );
                text
            }
            SignInFailure::Unreadable => "unreadable sign-in answer".to_string(),
            SignInFailure::Network(text) => text,
        })
    }
}

/// The error description of an MDM server's JSON error answer (`{"code", "description"}`),
/// which Setup Assistant shows after "could not be downloaded from <organization>"; a bare
/// status or a text body has none.
fn error_description(response: &crate::net::client::IncomingResponse) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct ErrorAnswer {
        description: String,
    }
    response
        .header("content-type")
        .is_some_and(|t| t.starts_with("application/json"))
        .then(|| response.json::<ErrorAnswer>().ok())
        .flatten()
        .map(|e| e.description)
}
