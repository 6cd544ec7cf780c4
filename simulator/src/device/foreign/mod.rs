//! The simulated device against a foreign MDM server: nanomdm, MicroMDM, a vendor's server, or
//! anything else that speaks Apple's protocol, outside any world.
//!
//! Nothing here is a second implementation of the device: the device installs the enrollment
//! profile through the same [`profiled`](super::profiled) path the world uses (certificate
//! payloads, the SCEP payload's exchange, the MDM payload's `Authenticate` and `TokenUpdate`,
//! signed with `Mdm-Signature` when the payload says `SignMessage`, over mutual TLS with the
//! identity otherwise) and answers commands with [`mdmclient`](super::mdmclient). What differs
//! is the environment: no world resolves host names, so the device's requests go straight to
//! each URL's loopback address ([`DirectRoute`]); it trusts only the CA it is given; its clock
//! starts at the system time, since a foreign server judges certificates by it; and no APNs
//! wakes it, so it polls the server for a number of idle check-in rounds.
//!
//! What happened comes back as a [`ForeignEnrollment`], read from the device's own recorder by
//! [`transcript`].

mod transcript;

use enrollsim_certs::{CertificateDer, LabPki};
use time::OffsetDateTime;

use super::mdmclient::SessionEnd;
use super::profiled::InstallOptions;
use super::{Device, DeviceEnv, DeviceSpec};
use crate::clock::VirtualClock;
use crate::cloud::apns::ApnsService;
use crate::net::direct::DirectRoute;
use crate::net::tls::{client_config, HttpVersion, TlsConfigError};
use crate::net::HostMap;
use crate::recorder::Recorder;
use crate::rng::SeededRng;
pub use transcript::AnsweredCommand;

/// How the device meets the foreign server.
#[derive(Debug, Clone, Default)]
pub struct ForeignOptions {
    /// The CA certificates the device trusts for https (and nothing else).
    pub trust: Vec<CertificateDer<'static>>,
    /// Whether plain `http` URLs may be used (a real device refuses them).
    pub allow_http: bool,
    /// Seed of the device's serial number, UDID and every value it makes up.
    pub seed: u64,
}

/// The idle check-ins after enrolling.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CheckIns {
    /// How many rounds: each polls the ServerURL and answers commands until the server has
    /// none.
    pub rounds: u32,
    /// How long the device waits between two rounds, in real time: the server lives on the
    /// system clock, and a command queued meanwhile reaches the next round (no APNs wakes the
    /// device, so the wait stands in for the push a server would send).
    pub interval: std::time::Duration,
}

impl ForeignOptions {
    /// Reads the CA certificates to trust from PEM text (`-----BEGIN CERTIFICATE-----`
    /// blocks; anything else in the file is skipped).
    pub fn trust_pem(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, ForeignDeviceError> {
        use rustls::pki_types::pem::PemObject;
        let certificates = CertificateDer::pem_slice_iter(pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| ForeignDeviceError::Pem(e.to_string()))?;
        if certificates.is_empty() {
            return Err(ForeignDeviceError::Pem(
                "no CERTIFICATE block in the file".into(),
            ));
        }
        Ok(certificates)
    }
}

/// Why the device could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum ForeignDeviceError {
    /// The trusted CA cannot be used as a TLS root.
    #[error("the trusted CA cannot be used: {0}")]
    Trust(#[from] TlsConfigError),
    /// The trusted CA file is not PEM certificates.
    #[error("the trusted CA is not a PEM certificate: {0}")]
    Pem(String),
    /// The device's own certificates could not be made.
    #[error("the device's certificates: {0}")]
    Certificates(#[from] enrollsim_certs::CertError),
}

/// What happened when the device enrolled into a foreign server.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ForeignEnrollment {
    /// The device's UDID (the id MDM servers key it by).
    pub udid: String,
    /// Its serial number.
    pub serial: String,
    /// Whether the MDM payload is installed: `Authenticate` and `TokenUpdate` were accepted.
    pub enrolled: bool,
    /// How many idle check-in rounds were asked for.
    pub checkins: u32,
    /// How many of them the server answered to the end (an empty answer after the commands).
    pub checkins_ok: u32,
    /// Every command the server sent and what the device answered, in order.
    pub commands: Vec<AnsweredCommand>,
    /// Whether an `EraseDevice` erased the device (no check-in follows one).
    pub erased: bool,
    /// Why the enrollment or a check-in failed.
    pub error: Option<String>,
    /// What happened, one line per step, for people.
    pub steps: Vec<String>,
}

impl Device {
    /// An iPhone that talks to foreign servers on loopback, trusting only `options.trust`.
    pub fn for_foreign_server(options: &ForeignOptions) -> Result<Device, ForeignDeviceError> {
        let rng = SeededRng::new(options.seed);
        let serial = rng.alphanumeric(12);
        let udid = format!("00008120-{}", rng.hex(8).to_uppercase());
        let clock = VirtualClock::starting_at(OffsetDateTime::now_utc());
        let recorder = Recorder::new();
        // The device's own factory: no foreign server checks its Apple identity.
        let factory_pki = std::sync::Arc::new(LabPki::new(clock.now())?);
        let anonymous_tls = client_config(&options.trust, None, HttpVersion::Http1, &clock)?;
        let env = DeviceEnv {
            hosts: HostMap::new(),
            trust: options.trust.clone(),
            anonymous_tls,
            apns: ApnsService::new(clock.clone(), rng.fork(), recorder.clone()),
            clock,
            recorder,
            direct: Some(DirectRoute {
                allow_http: options.allow_http,
            }),
            factory_pki,
            // A foreign server's network is the real loopback: no simulated faults.
            faults: crate::net::faults::FaultTable::default(),
        };
        Ok(Device::new(DeviceSpec::iphone(&serial, &udid), env, rng))
    }

    /// Installs the enrollment profile `profile` (a `.mobileconfig`, XML) as a user would in
    /// Settings, then polls the server for `checkins` idle check-in rounds, answering what it
    /// sends.
    pub async fn enroll_into_foreign_server(
        &self,
        profile: &[u8],
        checkins: CheckIns,
    ) -> ForeignEnrollment {
        let (udid, serial) = {
            let s = self.lock();
            (s.spec.udid.clone(), s.spec.serial.clone())
        };
        let mut report = ForeignEnrollment {
            udid,
            serial,
            enrolled: false,
            checkins: checkins.rounds,
            checkins_ok: 0,
            commands: Vec::new(),
            erased: false,
            error: None,
            steps: Vec::new(),
        };
        let bytes = bytes::Bytes::copy_from_slice(profile);
        match self
            .install_profile(&bytes, InstallOptions::Interactive)
            .await
        {
            Ok(()) => report.enrolled = self.lock().mdm.is_some(),
            Err(message) => {
                let text = message.text("en-US", self.lock().spec.model());
                report.error = Some(transcript::failure_with_cause(
                    &text,
                    &self.env.recorder,
                    &self.console_log(),
                ));
            }
        }
        if report.enrolled {
            self.check_in_rounds(checkins, &mut report).await;
        } else if report.error.is_none() {
            report.error = Some("the profile has no MDM payload: nothing to enroll into".into());
        }
        let transcript = transcript::read(&self.env.recorder);
        report.steps = transcript.steps;
        report.commands = transcript.commands;
        report
    }

    /// The idle check-in rounds: each polls the ServerURL and answers commands until the
    /// server has none. An erased device stops; a failed round is reported and the next one
    /// is tried, as a device retries at its next wake-up.
    async fn check_in_rounds(&self, checkins: CheckIns, report: &mut ForeignEnrollment) {
        for round in 1..=checkins.rounds {
            if round > 1 {
                tokio::time::sleep(checkins.interval).await;
            }
            match self.command_session().await {
                SessionEnd::Done { .. } => report.checkins_ok += 1,
                SessionEnd::Failed(reason) => {
                    report
                        .error
                        .get_or_insert(format!("check-in {round} failed: {reason}"));
                }
                SessionEnd::NoPush => {}
            }
            if self.lock().mdm.is_none() {
                report.erased = true;
                break;
            }
        }
    }
}
