//! Installing a configuration profile, as profiled does.
//!
//! The rules that decide the article's Settings messages:
//! - A profile with the identifier of an installed one is an update. Apple's `com.apple.mdm`
//!   schema says `Topic`, `ServerURL` and `CheckInURL` must not change in an update ("Any
//!   change is an error, and the update rejected"), so a stale management profile whose topic
//!   or URLs differ makes the install fail with "The new MDM payload does not match the old
//!   payload".
//! - Only one MDM payload can be installed. A management profile from another MDM (another
//!   identifier) blocks the new one; profiled reports it without reaching the new server, and
//!   Settings shows "Connection to the server could not be established" (the article lists
//!   "already enrolled with another MDM provider" under that message).
//! - The MDM payload is installed by checking in: `Authenticate`, then `TokenUpdate`. If the
//!   server refuses either, the whole profile is rolled back and Settings shows
//!   "Connection to the server could not be established".
//! - Certificate and identity payloads are written to the keychain. A corrupted keychain
//!   (see [`super::keychain`]) makes that write fail; profiled reports the payload installation
//!   failure wrapping the keychain's `OSStatus`, and Settings shows "A network error has
//!   occurred" — the article's unspecified iOS error, which only restoring the device clears.

use std::sync::Arc;

use bytes::Bytes;
use enrollsim_certs::Identity;

use super::logs::{Level, NsError, Process};
use super::messages::UserMessage;
use super::spec::{InstalledMdmPayload, InstalledProfile};
use super::{Device, MdmEnrollment};
use crate::wire::checkin::{Authenticate, CheckinMessage, TokenUpdate};
use crate::wire::cms::Signer;
use crate::wire::content_type::MDM_CHECKIN;
use crate::wire::mdm_signature;
use crate::wire::profile::{ConfigurationProfile, MdmPayload, Payload};

/// Why an install failed: the message Settings shows.
pub type InstallError = UserMessage;

/// What the install was asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstallOptions {
    /// A profile the user installs in Settings (the management profile).
    Interactive,
    /// A profile the MDM server pushes with `InstallProfile` (no MDM payload allowed).
    FromMdm,
}

fn summary(profile: &ConfigurationProfile) -> InstalledProfile {
    InstalledProfile {
        identifier: profile.payload_identifier.clone(),
        uuid: profile.payload_uuid.clone(),
        display_name: profile.payload_display_name.clone().unwrap_or_default(),
        organization: profile.payload_organization.clone().unwrap_or_default(),
        mdm: profile.mdm_payload().map(|m| InstalledMdmPayload {
            topic: m.topic.clone(),
            server_url: m.server_url.clone(),
            check_in_url: m.effective_check_in_url().to_string(),
            check_out_when_removed: m.checks_out_when_removed(),
            sign_message: m.signs_messages(),
        }),
        removable: !profile.payload_removal_disallowed.unwrap_or(false),
    }
}

impl Device {
    fn install_failed(
        &self,
        domain: &'static str,
        code: i64,
        description: &str,
        message: UserMessage,
    ) -> InstallError {
        let error = NsError::new(domain, code, description);
        self.install_failed_with(&error, message)
    }

    /// Logs `error` as profiled logs a failed installation.
    fn install_failed_with(&self, error: &NsError, message: UserMessage) -> InstallError {
        self.log_error(Process::Profiled, "MC: Profile installation failed.", error);
        message
    }

    /// Has the user leave the next management profile the device downloads for `delay` before
    /// installing it (they put the device down on the install screen, say). One-shot: the
    /// installation after it goes straight on.
    pub fn leave_next_profile_for(&self, delay: time::Duration) {
        self.lock().install_delay = Some(delay);
    }

    /// The user's pause before an interactive install, if one was set.
    fn pause_before_install(&self) {
        let Some(delay) = self.lock().install_delay.take() else {
            return;
        };
        self.note(&format!(
            "the user leaves the downloaded profile for {} minutes before installing it",
            delay.whole_minutes()
        ));
        self.env.clock.advance(delay);
    }

    /// Installs `bytes` as a configuration profile.
    #[tracing::instrument(name = "install_profile", skip_all, fields(?options))]
    pub async fn install_profile(
        &self,
        bytes: &Bytes,
        options: InstallOptions,
    ) -> Result<(), InstallError> {
        if options == InstallOptions::Interactive {
            self.pause_before_install();
        }
        self.log(
            Process::Profiled,
            Level::Notice,
            "Beginning profile installation...",
        );
        let profile = self.read_profile(bytes)?;
        let new_mdm = profile.mdm_payload().cloned();
        if let Some(new_mdm) = &new_mdm {
            self.check_mdm_payload_may_install(&profile, new_mdm, options)?;
        }
        // Certificates first: the identity the MDM payload names must be installed before it
        // can authenticate.
        let mut identity = self.import_certificates(&profile, new_mdm.as_ref())?;
        // Then the SCEP payloads, which need the network: the MDM payload may name one.
        if let Some(obtained) = self
            .obtain_scep_identities(&profile, new_mdm.as_ref())
            .await?
        {
            identity = Some(obtained);
        }
        if let Some(mdm) = &new_mdm {
            let Some(identity) = identity else {
                return Err(self.install_failed(
                    "MCInstallationErrorDomain",
                    4014,
                    "The MDM payload's identity certificate is missing.",
                    UserMessage::ProfileInvalid,
                ));
            };
            let payload = InstalledMdmPayload {
                topic: mdm.topic.clone(),
                server_url: mdm.server_url.clone(),
                check_in_url: mdm.effective_check_in_url().to_string(),
                check_out_when_removed: mdm.checks_out_when_removed(),
                sign_message: mdm.signs_messages(),
            };
            self.enroll_mdm(payload, &identity).await?;
        }
        self.keep_installed(&profile);
        Ok(())
    }

    /// Parses the profile and logs which one is being installed.
    fn read_profile(&self, bytes: &Bytes) -> Result<ConfigurationProfile, InstallError> {
        let profile = ConfigurationProfile::from_xml(bytes).map_err(|e| {
            self.install_failed(
                "MCProfileErrorDomain",
                1000,
                &format!("The profile could not be read: {e}"),
                UserMessage::ProfileInvalid,
            )
        })?;
        tracing::debug!(identifier = %profile.payload_identifier, "installing profile");
        self.log(
            Process::Profiled,
            Level::Notice,
            &format!(
                "Installing profile \"{}\" ({})",
                profile.payload_display_name.as_deref().unwrap_or(""),
                profile.payload_identifier
            ),
        );
        Ok(profile)
    }

    /// Writes a certificate or identity payload to the keychain (`SecItemAdd`).
    ///
    /// `MCInstallationErrorDomain` 4001 is profiled's "Installation failure" (Apple's error
    /// table, see `logs.rs`), which wraps the underlying cause. The underlying
    /// `NSOSStatusErrorDomain` code is the Security framework's.
    fn add_to_keychain(&self) -> Result<(), InstallError> {
        let Some((status, _name)) = self.lock().spec.keychain.write_error() else {
            return Ok(());
        };
        let error = NsError::new(
            "MCInstallationErrorDomain",
            4001,
            "A network error has occurred.",
        )
        .caused_by(NsError::new(
            "NSOSStatusErrorDomain",
            status.into(),
            // Foundation's description of an OSStatus error.
            format!("The operation couldn’t be completed. (OSStatus error {status}.)"),
        ));
        Err(self.install_failed_with(&error, UserMessage::ProfileNetworkError))
    }

    /// Apple's rules for an MDM payload: never from MDM, one MDM payload per device, and an
    /// update must keep the server it names.
    fn check_mdm_payload_may_install(
        &self,
        profile: &ConfigurationProfile,
        new_mdm: &MdmPayload,
        options: InstallOptions,
    ) -> Result<(), InstallError> {
        if options == InstallOptions::FromMdm {
            // 12011 "Invalid MDM configuration" (Apple's error table, see `logs.rs`): the table
            // has no code of its own for an MDM payload pushed by MDM.
            return Err(self.install_failed(
                "MCMDMErrorDomain",
                12011,
                "An MDM payload cannot be installed by MDM.",
                UserMessage::ProfileInvalid,
            ));
        }
        let installed = self.lock().spec.profiles.clone();
        for old in installed.iter() {
            let Some(old_mdm) = &old.mdm else { continue };
            let same_server = old_mdm.topic == new_mdm.topic
                && old_mdm.server_url == new_mdm.server_url
                && old_mdm.check_in_url == new_mdm.effective_check_in_url();
            if old.identifier != profile.payload_identifier {
                self.log(Process::Profiled, Level::Error, &format!(
                    "An MDM payload is already installed by profile \"{}\" (ServerURL: {}). Only one MDM payload may be installed.",
                    old.identifier, old_mdm.server_url
                ));
                // 12001 "Multiple MDM instances" (Apple's error table, see `logs.rs`).
                return Err(self.install_failed(
                    "MCMDMErrorDomain",
                    12001,
                    "The device is already managed by another MDM server.",
                    UserMessage::ProfileServerUnreachable,
                ));
            }
            if !same_server {
                self.log(Process::Profiled, Level::Error, &format!(
                    "The new MDM payload does not match the old payload. Installed Topic: {}, ServerURL: {}; new Topic: {}, ServerURL: {}",
                    old_mdm.topic, old_mdm.server_url, new_mdm.topic, new_mdm.server_url
                ));
                // 12012 "MDM replacement mismatch" (Apple's error table, see `logs.rs`).
                return Err(self.install_failed(
                    "MCMDMErrorDomain",
                    12012,
                    "The new MDM payload does not match the old payload.",
                    UserMessage::ProfilePayloadMismatch,
                ));
            }
        }
        Ok(())
    }

    /// Installs the root and identity payloads; the identity `new_mdm` names, when imported.
    fn import_certificates(
        &self,
        profile: &ConfigurationProfile,
        new_mdm: Option<&MdmPayload>,
    ) -> Result<Option<Identity>, InstallError> {
        let mut identity: Option<Identity> = None;
        for payload in &profile.payload_content {
            match payload {
                Payload::RootCertificate(root) => {
                    self.add_to_keychain()?;
                    self.log(
                        Process::Profiled,
                        Level::Notice,
                        &format!(
                            "Installed root certificate payload {}",
                            root.payload_identifier
                        ),
                    );
                }
                Payload::Pkcs12(p12) => {
                    let id = Identity::from_pkcs12(
                        p12.payload_content.as_ref(),
                        p12.password.as_deref().unwrap_or(""),
                    )
                    .map_err(|e| {
                        self.install_failed(
                            "MCInstallationErrorDomain",
                            4014,
                            &format!("The identity could not be imported: {e}"),
                            UserMessage::ProfileInvalid,
                        )
                    })?;
                    self.add_to_keychain()?;
                    self.log(
                        Process::Profiled,
                        Level::Notice,
                        &format!("Imported identity payload {}", p12.payload_identifier),
                    );
                    if new_mdm.is_some_and(|m| m.identity_certificate_uuid == p12.payload_uuid) {
                        identity = Some(id);
                    }
                }
                _ => {}
            }
        }
        Ok(identity)
    }

    /// Runs each SCEP payload's exchange and writes the identity to the keychain; returns the
    /// identity `new_mdm` names, when it is one of them. A failed exchange fails the install
    /// with the chain profiled logs (device log in mosen/SCEPy#1: two
    /// `MCInstallationErrorDomain` 4001 errors, `MCProfileErrorDomain` 1009 naming the
    /// profile, then the `MCSCEPErrorDomain` cause, each suggesting the cause's text).
    async fn obtain_scep_identities(
        &self,
        profile: &ConfigurationProfile,
        new_mdm: Option<&MdmPayload>,
    ) -> Result<Option<Identity>, InstallError> {
        let mut identity = None;
        for payload in &profile.payload_content {
            let Payload::Scep(scep) = payload else {
                continue;
            };
            let obtained = match self.obtain_scep_identity(scep).await {
                Ok(obtained) => obtained,
                Err(e) => {
                    let cause = e.ns_error();
                    let reason = cause.description.clone();
                    let name = profile.payload_display_name.as_deref().unwrap_or("");
                    let error = NsError::new(
                        "MCInstallationErrorDomain",
                        4001,
                        "Profile Installation Failed",
                    )
                    .suggest(reason.clone())
                    .caused_by(
                        NsError::new(
                            "MCInstallationErrorDomain",
                            4001,
                            "Profile Failed to Install",
                        )
                        .suggest(reason.clone())
                        .caused_by(
                            NsError::new(
                                "MCProfileErrorDomain",
                                1009,
                                format!("The profile “{name}” could not be installed."),
                            )
                            .suggest(reason.clone())
                            .caused_by(cause),
                        ),
                    );
                    return Err(
                        self.install_failed_with(&error, UserMessage::ProfileScepFailed(reason))
                    );
                }
            };
            self.add_to_keychain()?;
            if new_mdm.is_some_and(|m| m.identity_certificate_uuid == scep.payload_uuid) {
                identity = Some(obtained);
            }
        }
        Ok(identity)
    }

    /// Records the profile as installed, replacing the one with its identifier.
    fn keep_installed(&self, profile: &ConfigurationProfile) {
        let installed = summary(profile);
        let mut state = self.lock();
        state
            .spec
            .profiles
            .retain(|p| p.identifier != installed.identifier);
        state.spec.profiles.push(installed);
        drop(state);
        self.log(
            Process::Profiled,
            Level::Notice,
            &format!("Profile \"{}\" installed.", profile.payload_identifier),
        );
    }

    /// Installs the MDM payload: push registration, `Authenticate`, `TokenUpdate`.
    async fn enroll_mdm(
        &self,
        payload: InstalledMdmPayload,
        identity: &Identity,
    ) -> Result<(), InstallError> {
        let client = self.identity_client(identity).map_err(|e| {
            self.install_failed(
                "MCInstallationErrorDomain",
                4014,
                &format!("The identity cannot be used for TLS: {e}"),
                UserMessage::ProfileInvalid,
            )
        })?;
        let (udid, serial, os, build, product, imei, awaiting) = {
            let s = self.lock();
            (
                s.spec.udid.clone(),
                s.spec.serial.clone(),
                s.spec.os_version.clone(),
                s.spec.build.clone(),
                s.spec.product.clone(),
                s.spec.imei.clone(),
                s.awaiting_configuration,
            )
        };
        let signer = if payload.sign_message {
            Some(Arc::new(message_signer(identity).map_err(|e| {
                self.install_failed(
                    "MCInstallationErrorDomain",
                    4014,
                    &format!("The identity cannot sign messages: {e}"),
                    UserMessage::ProfileInvalid,
                )
            })?))
        } else {
            None
        };
        let enrollment = MdmEnrollment {
            payload: payload.clone(),
            client,
            signer,
        };
        let (token, mailbox) = self.env.apns.register(&payload.topic, &self.rng);
        self.log(
            Process::Apsd,
            Level::Notice,
            &format!("Registered topic {} for push", payload.topic),
        );
        let mut authenticate =
            Authenticate::ios(&payload.topic, &udid, &serial, &os, &build, &product);
        authenticate.imei = imei;
        self.checkin(&enrollment, CheckinMessage::Authenticate(authenticate))
            .await?;
        let push_magic = self.rng.uuid();
        let mut update = TokenUpdate::new(&payload.topic, &udid, token.clone(), &push_magic);
        if awaiting {
            update.awaiting_configuration = Some(true);
        }
        {
            let mut s = self.lock();
            s.mailbox = Some(mailbox);
            s.push_token = Some(token);
            s.push_magic = Some(push_magic);
            s.mdm = Some(enrollment.clone());
        }
        if let Err(e) = self
            .checkin(&enrollment, CheckinMessage::TokenUpdate(update))
            .await
        {
            let mut s = self.lock();
            s.mdm = None;
            s.mailbox = None;
            return Err(e);
        }
        Ok(())
    }

    /// Sends one check-in message; any answer but 200 fails the installation.
    pub(crate) async fn checkin(
        &self,
        enrollment: &MdmEnrollment,
        message: CheckinMessage,
    ) -> Result<(), InstallError> {
        let (client, payload) = (&enrollment.client, &enrollment.payload);
        let kind = message.message_type();
        // A foreign server's URL may be http with a port; the transport decides what it
        // may reach (the world's resolves host names, a direct route refuses plain http
        // unless allowed).
        let Ok(request) =
            crate::net::client::OutgoingRequest::for_url(hyper::Method::PUT, &payload.check_in_url)
        else {
            // 2004 "Unsupported field value" (Apple's error table, see `logs.rs`).
            return Err(self.install_failed(
                "MCPayloadErrorDomain",
                2004,
                "The CheckInURL is not a valid https URL.",
                UserMessage::ProfileInvalid,
            ));
        };
        let host = request.host.clone();
        let body = message.to_xml();
        let request = request.header("user-agent", "MDM/1.0");
        let request = enrollment.sign(request, &body).body(MDM_CHECKIN, body);
        match self.send_mdm(client, request).await {
            Ok(r) if r.status == hyper::StatusCode::OK => {
                self.log(
                    Process::Mdmclient,
                    Level::Notice,
                    &format!("{kind} check-in accepted by {host}"),
                );
                Ok(())
            }
            Ok(r) => {
                self.log(
                    Process::Mdmclient,
                    Level::Error,
                    &format!(
                        "{kind} check-in rejected by {host}: HTTP {}",
                        r.status.as_u16()
                    ),
                );
                Err(self.install_failed(
                    "MCHTTPTransactionErrorDomain",
                    23001,
                    &format!(
                        "The MDM server returned status {} to {kind}.",
                        r.status.as_u16()
                    ),
                    UserMessage::ProfileServerUnreachable,
                ))
            }
            Err(e) => {
                self.log(
                    Process::Mdmclient,
                    Level::Error,
                    &format!("{kind} check-in failed: {e}"),
                );
                Err(self.install_failed(
                    "NSURLErrorDomain",
                    -1004,
                    &format!("Could not connect to the server: {e}"),
                    UserMessage::ProfileServerUnreachable,
                ))
            }
        }
    }
}

/// The device identity as a CMS signer, for `Mdm-Signature`.
fn message_signer(identity: &Identity) -> Result<Signer, String> {
    let enrollsim_certs::PrivateKeyDer::Pkcs8(key) = identity.private_key() else {
        return Err("the identity key is not PKCS#8".into());
    };
    Signer::new(key.secret_pkcs8_der(), identity.certificate()).map_err(|e| e.to_string())
}

impl MdmEnrollment {
    /// `request` with `Mdm-Signature` over `body` when the payload asks for it (`SignMessage`).
    /// A body that cannot be signed goes unsigned: the server's refusal is what the device
    /// then reports, as with any refused check-in.
    pub(crate) fn sign(
        &self,
        request: crate::net::client::OutgoingRequest,
        body: &[u8],
    ) -> crate::net::client::OutgoingRequest {
        match self
            .signer
            .as_deref()
            .and_then(|signer| mdm_signature::sign(body, signer).ok())
        {
            Some(signature) => request.header(mdm_signature::HEADER, signature),
            None => request,
        }
    }
}

/// Splits an https URL into host and path.
pub(crate) fn split_url(url: &str) -> Option<(String, String)> {
    let rest = url.strip_prefix("https://")?;
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    (!host.is_empty()).then(|| (host.to_string(), path.to_string()))
}
