//! mdmclient: answering the MDM server after a push.
//!
//! A push wakes the device; it then `PUT`s `{UDID, Status: Idle}` to the ServerURL and answers
//! each command the server returns until the server answers with an empty body. Results carry
//! `Acknowledged`, or `Error` with an `ErrorChain` (outermost error first, as iOS orders it;
//! MCMDMErrorDomain 12021 for a command it does not implement), or `CommandFormatError` for a
//! command it cannot parse. `EraseDevice` is acknowledged first and carried out after.

use bytes::Bytes;
use hyper::{Method, StatusCode};

use super::logs::{Level, Process};
use super::messages::UserMessage;
use super::profiled::InstallOptions;
use super::{Device, MdmEnrollment};
use crate::net::client::{ClientError, HttpsClient, IncomingResponse, OutgoingRequest};
use crate::wire::command::{
    error_domain, Command, CommandEnvelope, CommandReport, CommandStatus, ErrorChainItem,
    ProfileListItem, SecurityInfo,
};
use crate::wire::content_type::MDM;
use crate::wire::WireError;

/// How a command session ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEnd {
    /// The server ended it with an empty answer; `commands` were answered.
    Done {
        /// How many commands were answered.
        commands: usize,
    },
    /// No push was waiting: nothing woke the device.
    NoPush,
    /// The exchange broke off.
    Failed(String),
}

/// How many times mdmclient sends one message before it gives up until the next push.
pub const MDM_ATTEMPTS: u32 = 6;

/// The first wait between attempts (virtual seconds); it doubles after each.
const FIRST_BACKOFF_SECS: u64 = 2;

impl Device {
    /// Sends one MDM message (check-in or command report), trying again with exponential
    /// backoff while the connection is refused, reset or times out, and after the wait a `503`
    /// or `429`'s `Retry-After` asks for. Resending is safe: both endpoints take `PUT`, which
    /// HTTP defines as idempotent (RFC 9110, 9.2.2), and the server treats a repeated
    /// check-in or result as the same one (see `cloud/intune/mdm.rs`). The waits pass on the
    /// device's virtual clock.
    pub(crate) async fn send_mdm(
        &self,
        client: &HttpsClient,
        request: OutgoingRequest,
    ) -> Result<IncomingResponse, ClientError> {
        self.send_retrying(Process::Mdmclient, client, request)
            .await
    }

    /// Sends `request` as [`Device::send_mdm`] does, logging retries as `process`.
    pub(crate) async fn send_retrying(
        &self,
        process: Process,
        client: &HttpsClient,
        request: OutgoingRequest,
    ) -> Result<IncomingResponse, ClientError> {
        let mut backoff = FIRST_BACKOFF_SECS;
        let mut attempt = 1;
        loop {
            let result = client.send(request.clone()).await;
            let wait = match &result {
                Err(e) if e.is_transient() => backoff,
                Ok(r) => match r.retry_later() {
                    Some(retry_after) => retry_after.unwrap_or(backoff),
                    None => return result,
                },
                Err(_) => return result,
            };
            if attempt >= MDM_ATTEMPTS {
                return result;
            }
            let why = match &result {
                Ok(r) => format!("HTTP {}", r.status.as_u16()),
                Err(e) => e.to_string(),
            };
            self.log(
                process,
                Level::Error,
                &format!(
                    "Request to {} failed ({why}); retrying in {wait} s",
                    request.host
                ),
            );
            self.env.clock.advance(time::Duration::seconds(wait as i64));
            backoff = (backoff * 2).min(300);
            attempt += 1;
        }
    }

    /// Runs one command session if a push is waiting in the device's mailbox.
    pub async fn handle_push(&self) -> SessionEnd {
        let push = {
            let mut s = self.lock();
            s.mailbox.as_mut().and_then(|m| m.try_recv().ok())
        };
        let Some(push) = push else {
            tracing::debug!("no push waiting");
            return SessionEnd::NoPush;
        };
        tracing::debug!(topic = %push.topic, "push received");
        self.log(
            Process::Apsd,
            Level::Notice,
            &format!("Received push for topic {}", push.topic),
        );
        self.command_session().await
    }

    /// Polls the server (Idle) and answers commands until it has none.
    #[tracing::instrument(name = "mdmclient", skip_all)]
    pub async fn command_session(&self) -> SessionEnd {
        let end = self.command_loop().await;
        tracing::debug!(?end, "command session ended");
        end
    }

    async fn command_loop(&self) -> SessionEnd {
        let (mdm, udid) = {
            let s = self.lock();
            (s.mdm.clone(), s.spec.udid.clone())
        };
        let Some(mdm) = mdm else {
            return SessionEnd::Failed("no MDM enrollment".into());
        };
        if OutgoingRequest::for_url(Method::PUT, &mdm.payload.server_url).is_err() {
            return SessionEnd::Failed("invalid ServerURL".into());
        }
        let mut report = CommandReport::idle(&udid);
        // A server that never stops sending would keep a real device busy forever; the lab
        // stops after a generous bound so a broken server cannot hang a test. Each round
        // sends the answer to the `answered`-th command (the first sends Idle).
        for answered in 0..64 {
            // iOS erases itself once the server has its acknowledgement of EraseDevice.
            let erasing = report.status == CommandStatus::Acknowledged
                && report.request_type.as_deref() == Some("EraseDevice");
            let body = match self.exchange_report(&mdm, &report).await {
                Ok(body) => body,
                Err(end) => return end,
            };
            if erasing {
                self.erase_all_content();
                return SessionEnd::Done { commands: answered };
            }
            if body.is_empty() {
                self.log(
                    Process::Mdmclient,
                    Level::Notice,
                    "Server has no more commands",
                );
                return SessionEnd::Done { commands: answered };
            }
            report = match CommandEnvelope::from_xml(&body) {
                Ok(envelope) => self.answer(&udid, envelope).await,
                Err(e) => self.refuse(&udid, &body, e),
            };
        }
        SessionEnd::Failed("the server kept sending commands".into())
    }

    /// Sends `report` to the ServerURL; the server's answer (a command, or empty), or how the
    /// session ended when the server did not answer 200.
    async fn exchange_report(
        &self,
        mdm: &MdmEnrollment,
        report: &CommandReport,
    ) -> Result<Bytes, SessionEnd> {
        let body = report.to_xml();
        let request = OutgoingRequest::for_url(Method::PUT, &mdm.payload.server_url)
            .map_err(|e| SessionEnd::Failed(e.to_string()))?
            .header("user-agent", "MDM/1.0");
        let request = mdm.sign(request, &body).body(MDM, body);
        let response = match self.send_mdm(&mdm.client, request).await {
            Ok(r) => r,
            Err(e) => {
                self.log(
                    Process::Mdmclient,
                    Level::Error,
                    &format!("Command request failed: {e}"),
                );
                return Err(SessionEnd::Failed(e.to_string()));
            }
        };
        if response.status != StatusCode::OK {
            self.log(
                Process::Mdmclient,
                Level::Error,
                &format!("Server answered HTTP {}", response.status.as_u16()),
            );
            return Err(SessionEnd::Failed(format!(
                "HTTP {}",
                response.status.as_u16()
            )));
        }
        Ok(response.body)
    }

    /// The answer to a command that did not decode: `Error` with MCMDMErrorDomain 12021 for a
    /// `RequestType` the device does not implement, `CommandFormatError` otherwise.
    fn refuse(&self, udid: &str, body: &[u8], error: WireError) -> CommandReport {
        self.log(
            Process::Mdmclient,
            Level::Error,
            &format!("Cannot run command: {error}"),
        );
        match error {
            WireError::UnknownRequestType {
                request_type,
                command_uuid,
            } => CommandReport::error(
                udid,
                command_uuid.unwrap_or_default(),
                vec![ErrorChainItem::new(
                    12021,
                    error_domain::MC_MDM,
                    format!("The command “{request_type}” is not supported."),
                )
                .with_us_english(format!("The command “{request_type}” is not supported."))],
            )
            .with_request_type(request_type),
            _ => {
                let uuid = CommandEnvelope::peek_command_uuid(body).unwrap_or_default();
                CommandReport::command_format_error(udid, uuid)
            }
        }
    }

    async fn answer(&self, udid: &str, envelope: CommandEnvelope) -> CommandReport {
        let uuid = envelope.command_uuid.clone();
        let request_type = envelope.command.request_type();
        tracing::debug!(request_type, %uuid, "answering a command");
        self.log(
            Process::Mdmclient,
            Level::Notice,
            &format!("Processing {request_type} command {uuid}"),
        );
        let ack = CommandReport::acknowledged(udid, &uuid).with_request_type(request_type);
        // An error report answers the same command as the acknowledgement would.
        let error = |chain: Vec<ErrorChainItem>| {
            CommandReport::error(udid, &uuid, chain).with_request_type(request_type)
        };
        match envelope.command {
            Command::DeviceInformation { queries } => {
                ack.with_query_responses(self.query_responses(&queries))
            }
            Command::SecurityInfo => ack.with_security_info(SecurityInfo {
                hardware_encryption_caps: Some(3),
                passcode_present: Some(true),
                passcode_compliant: Some(true),
                passcode_compliant_with_profiles: Some(true),
                ..Default::default()
            }),
            Command::ProfileList { .. } => ack.with_profile_list(self.profile_list()),
            Command::InstallProfile { payload } => {
                let bytes = Bytes::from(payload.as_ref().to_vec());
                match self.install_profile(&bytes, InstallOptions::FromMdm).await {
                    Ok(()) => ack,
                    Err(message) => error(self.install_error_chain(&message)),
                }
            }
            Command::RemoveProfile { identifier } => match self.remove_profile(&identifier) {
                Ok(()) => ack,
                Err(chain) => error(chain),
            },
            Command::DeviceConfigured => {
                self.lock().awaiting_configuration = false;
                self.log(
                    Process::SetupAssistant,
                    Level::Notice,
                    "Received DeviceConfigured; continuing Setup Assistant",
                );
                ack
            }
            Command::CertificateList { .. } => ack.with_certificate_list(Vec::new()),
            Command::DeviceLock {
                message,
                phone_number,
            } => {
                self.log(Process::Mdmclient, Level::Notice, "Locking the device");
                // The device has a passcode (see SecurityInfo), so the Lock Screen shows what
                // the server asked for.
                if message.is_some() || phone_number.is_some() {
                    ack.with_message_result("Success")
                } else {
                    ack
                }
            }
            // The erase itself happens once the server has this acknowledgement.
            Command::EraseDevice { .. } => ack,
        }
    }

    /// `EraseDevice`: Erase All Content and Settings. Profiles, apps and the MDM enrollment
    /// are gone; the device starts over in Setup Assistant.
    fn erase_all_content(&self) {
        self.log(
            Process::Mdmclient,
            Level::Notice,
            "Erasing all content and settings as requested by the MDM server",
        );
        self.restore_as_new();
    }

    /// The installed profiles, as `ProfileList` reports them.
    fn profile_list(&self) -> Vec<ProfileListItem> {
        let profiles = self.lock().spec.profiles.clone();
        profiles
            .iter()
            .map(|p| ProfileListItem {
                payload_identifier: p.identifier.clone(),
                payload_uuid: p.uuid.clone(),
                payload_version: Some(1),
                payload_display_name: Some(p.display_name.clone()),
                payload_organization: Some(p.organization.clone()),
                payload_removal_disallowed: Some(!p.removable),
                is_managed: Some(p.mdm.is_none()),
                ..Default::default()
            })
            .collect()
    }

    /// The `ErrorChain` of a failed `InstallProfile`: the message Settings would show, in the
    /// device's language and in US English.
    fn install_error_chain(&self, message: &UserMessage) -> Vec<ErrorChainItem> {
        let model = self.lock().spec.model();
        let text = message.text(&self.lock().spec.locale, model);
        vec![ErrorChainItem::new(4001, "MCInstallationErrorDomain", text)
            .with_us_english(message.text("en-US", model))]
    }

    /// `RemoveProfile`: removes the profile unless it is the management profile; the error
    /// chain when no such profile is installed.
    fn remove_profile(&self, identifier: &str) -> Result<(), Vec<ErrorChainItem>> {
        let mut s = self.lock();
        let before = s.spec.profiles.len();
        s.spec
            .profiles
            .retain(|p| p.identifier != identifier || p.mdm.is_some());
        if s.spec.profiles.len() != before {
            return Ok(());
        }
        // 4024 "Profile not found" (Apple's error table, see `logs.rs`).
        Err(vec![ErrorChainItem::new(
            4024,
            "MCInstallationErrorDomain",
            format!("The profile “{identifier}” is not installed."),
        )])
    }

    fn query_responses(&self, queries: &[String]) -> plist::Dictionary {
        let s = self.lock();
        let mut d = plist::Dictionary::new();
        for q in queries {
            let v: Option<plist::Value> = match q.as_str() {
                "UDID" => Some(s.spec.udid.clone().into()),
                "SerialNumber" => Some(s.spec.serial.clone().into()),
                "OSVersion" => Some(s.spec.os_version.clone().into()),
                "BuildVersion" => Some(s.spec.build.clone().into()),
                "ProductName" => Some(s.spec.product.clone().into()),
                "DeviceName" => Some(s.spec.name.clone().into()),
                "IsSupervised" => Some(s.supervised.into()),
                "AwaitingConfiguration" => Some(s.awaiting_configuration.into()),
                "IMEI" => s.spec.imei.clone().map(Into::into),
                _ => None,
            };
            if let Some(v) = v {
                d.insert(q.clone(), v);
            }
        }
        d
    }
}
