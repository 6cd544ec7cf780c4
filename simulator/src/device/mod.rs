//! The simulated iOS device.
//!
//! A device is cheap: plain state behind a mutex and async flows that run as tasks, so one
//! process can enroll thousands at once. Its parts mirror the processes of iOS that take part in
//! an enrollment, each in its own module and each writing its own console lines:
//!
//! - [`company_portal`]: the Company Portal app's flow (sign-in, eligibility, workplace join,
//!   enrollment session, profile hand-off to Safari and Settings, status polling), and the
//!   Company Portal website's flow in Safari;
//! - [`profiled`]: installing a configuration profile the way profiled does, with Apple's rules
//!   for MDM payloads;
//! - [`mdmclient`]: check-ins and the Idle → command → result loop;
//! - [`foreign`]: the same device against a foreign MDM server (nanomdm, say) on loopback;
//! - [`actions`]: what a user or technician does to the device (remove a profile, reinstall the
//!   app, clear Safari's cookies, restore, change networks).
//!
//! What the user sees goes to [`messages`], in the device's language.

pub mod actions;
pub mod company_portal;
pub mod foreign;
pub mod keychain;
pub mod logs;
pub mod mdmclient;
pub mod messages;
mod own_clock;
pub mod profiled;
pub mod scep_identity;
pub mod setup_assistant;
mod sign_in;
pub mod spec;

use std::sync::{Arc, Mutex, MutexGuard};

use enrollsim_certs::{CertificateDer, Identity};
use rustls::ClientConfig;
use tokio::sync::mpsc;

use crate::clock::VirtualClock;
use crate::cloud::apns::{ApnsService, Push};
use crate::net::client::HttpsClient;
use crate::net::direct::DirectRoute;
use crate::net::tls::{client_config_judged_by, HttpVersion};
use crate::net::HostMap;
use crate::recorder::{Entry, Happening, Recorder, Screen};
use crate::rng::SeededRng;
use logs::{Level, Process};
use messages::UserMessage;
pub use spec::{
    CloudSetting, CompanyPortalApp, DeviceSpec, InstalledMdmPayload, InstalledProfile,
    KeychainState, RegistrationKey, SessionCookie,
};

/// What the world gives a device: where services are, what to trust, time, randomness.
#[derive(Clone)]
pub struct DeviceEnv {
    /// Service addresses.
    pub hosts: HostMap,
    /// Roots the device trusts for TLS.
    pub trust: Vec<CertificateDer<'static>>,
    /// The shared client configuration without a client identity.
    pub anonymous_tls: Arc<ClientConfig>,
    /// The world's clock.
    pub clock: VirtualClock,
    /// The world's recorder.
    pub recorder: Recorder,
    /// APNs, for the device's push registration.
    pub apns: ApnsService,
    /// Set when the device talks to foreign servers instead of the world's: requests go to
    /// their URL's own (loopback) address.
    pub direct: Option<DirectRoute>,
    /// The world's PKI, as the factory: the device's Apple-issued identity (which signs the
    /// ADE `MachineInfo`) comes from its iPhone Device CA.
    pub factory_pki: Arc<enrollsim_certs::LabPki>,
    /// The world's network faults, which the device's clients meet.
    pub faults: crate::net::faults::FaultTable,
}

/// The user operating the device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// UPN.
    pub upn: String,
    /// Password.
    pub password: String,
}

/// How an enrollment attempt ended, from the device's point of view.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case", tag = "outcome")]
pub enum Outcome {
    /// The device is managed, for `upn`.
    Enrolled {
        /// The user the device is enrolled for.
        upn: String,
    },
    /// The user saw an error.
    Failed {
        /// Where.
        screen: Screen,
        /// Which message.
        message: UserMessage,
        /// Its text in the device's language.
        text: String,
    },
    /// The flow hung on a screen without an error (the user waits forever).
    Stuck {
        /// Where.
        screen: Screen,
        /// What it waits for.
        detail: String,
    },
    /// The flow ended without error but the device is not managed (ADE never started).
    NotManaged {
        /// What happened instead.
        detail: String,
    },
}

/// The MDM enrollment the device holds once a management profile is installed.
#[derive(Clone)]
pub(crate) struct MdmEnrollment {
    pub payload: InstalledMdmPayload,
    pub client: HttpsClient,
    /// Signs each request (`Mdm-Signature`) when the payload has `SignMessage`.
    pub signer: Option<Arc<crate::wire::cms::Signer>>,
}

pub(crate) struct DeviceState {
    pub spec: DeviceSpec,
    pub console: Vec<String>,
    pub company_portal_log: Vec<String>,
    pub shown: Vec<(Screen, String)>,
    pub mdm: Option<MdmEnrollment>,
    pub push_token: Option<Vec<u8>>,
    pub push_magic: Option<String>,
    pub mailbox: Option<mpsc::UnboundedReceiver<Push>>,
    pub supervised: bool,
    pub awaiting_configuration: bool,
    /// How long the user leaves the next downloaded management profile before installing it.
    pub install_delay: Option<time::Duration>,
    /// The device's TLS configuration for connections without a client identity, made on
    /// first use: its session cache is the device's own, so a device resumes only sessions
    /// it made itself, as an iPhone does, never another device's.
    pub anonymous_tls: Option<Arc<rustls::ClientConfig>>,
}

/// A simulated iPhone or iPad.
#[derive(Clone)]
pub struct Device {
    pub(crate) env: DeviceEnv,
    pub(crate) rng: SeededRng,
    pub(crate) state: Arc<Mutex<DeviceState>>,
}

impl std::fmt::Debug for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Device")
            .field("serial", &self.serial())
            .finish()
    }
}

impl Device {
    /// A device as `spec` describes it, living in `env`, drawing identifiers from `rng`.
    pub fn new(spec: DeviceSpec, env: DeviceEnv, rng: SeededRng) -> Self {
        Device {
            env,
            rng,
            state: Arc::new(Mutex::new(DeviceState {
                spec,
                console: Vec::new(),
                company_portal_log: Vec::new(),
                shown: Vec::new(),
                mdm: None,
                push_token: None,
                push_magic: None,
                mailbox: None,
                supervised: false,
                awaiting_configuration: false,
                install_delay: None,
                anonymous_tls: None,
            })),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, DeviceState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The serial number.
    pub fn serial(&self) -> String {
        self.lock().spec.serial.clone()
    }

    /// The device as it is now (profiles, apps, cookies, network).
    pub fn spec(&self) -> DeviceSpec {
        self.lock().spec.clone()
    }

    /// The console log so far.
    pub fn console_log(&self) -> Vec<String> {
        self.lock().console.clone()
    }

    /// The Company Portal's log so far.
    pub fn company_portal_log(&self) -> Vec<String> {
        self.lock().company_portal_log.clone()
    }

    /// Every message shown to the user, in order.
    pub fn shown_messages(&self) -> Vec<(Screen, String)> {
        self.lock().shown.clone()
    }

    /// Forgets the messages shown so far (the logs stay, as a real device's do).
    pub fn forget_shown_messages(&self) {
        self.lock().shown.clear();
    }

    /// Whether the device is supervised (ADE).
    pub fn is_supervised(&self) -> bool {
        self.lock().supervised
    }

    /// Time the user takes for a step (reading a screen, typing a password, tapping Install).
    ///
    /// It moves the device's own clock (see [`VirtualClock::child`]), so the users of a fleet
    /// wait in parallel.
    pub(crate) fn user_pause(&self, seconds: i64) {
        self.env.clock.advance(time::Duration::seconds(seconds));
    }

    /// Brings the device's clock up to the world's: its next step happens after everything
    /// the world has done so far. A harness replaying one story calls this before each step;
    /// a fleet's devices, which act at the same time, do not.
    pub fn sync_clock(&self) {
        self.env.clock.catch_up();
    }

    /// The device goes idle: mdmclient's connection to the MDM server closes, as iOS closes
    /// it some time after a session ends. The next check-in connects (and resumes TLS) again.
    pub fn close_connections(&self) {
        if let Some(mdm) = &self.lock().mdm {
            mdm.client.close_idle();
        }
    }

    /// Writes a console line.
    pub(crate) fn log(&self, process: Process, level: Level, text: &str) {
        let at = self.env.clock.tick(3);
        let mut state = self.lock();
        // Stamped by the device's own clock, off the world's by its skew.
        let at = at + self.env.faults.clock_skew(&state.spec.serial, at);
        let line = logs::console_line(at, &state.spec.name, process, level, text);
        state.console.push(line);
    }

    /// Writes a console entry that ends in `Error: NSError:` and the error's indented dump, as
    /// ManagedConfiguration logs a failure.
    pub(crate) fn log_error(&self, process: Process, text: &str, error: &logs::NsError) {
        self.log(process, Level::Error, &format!("{text} Error: NSError:"));
        self.lock().console.extend(error.dump());
    }

    /// Records what a person did to the device in the world's timeline.
    pub(crate) fn note(&self, text: &str) {
        let (serial, name) = {
            let s = self.lock();
            (s.spec.serial.clone(), s.spec.name.clone())
        };
        self.env.recorder.record(Entry {
            at: self.env.clock.tick(1000),
            device: Some(serial.clone()),
            what: Happening::Note {
                party: format!("{name} {serial}"),
                text: text.to_string(),
            },
        });
    }

    /// Writes a Company Portal log line.
    pub(crate) fn cp_log(&self, level: &str, component: &str, text: &str) {
        let at = self.env.clock.tick(2);
        let mut state = self.lock();
        let at = at + self.env.faults.clock_skew(&state.spec.serial, at);
        state
            .company_portal_log
            .push(logs::company_portal_line(at, level, component, text));
    }

    /// The device's own clock (the world's, off by any clock skew the world gives it).
    pub(crate) fn own_clock(&self) -> own_clock::OwnClock {
        own_clock::OwnClock {
            clock: self.env.clock.clone(),
            faults: self.env.faults.clone(),
            serial: self.lock().spec.serial.clone(),
        }
    }

    /// Shows `message` on `screen` and returns the failure outcome.
    pub(crate) fn show(&self, screen: Screen, message: UserMessage) -> Outcome {
        let text = {
            let state = self.lock();
            message.text(&state.spec.locale, state.spec.model())
        };
        self.show_text(screen, message, text)
    }

    /// Shows `message` worded as `text` (for a message whose words name more than the device
    /// knows, such as the organization Setup Assistant read from the cloud configuration).
    pub(crate) fn show_text(&self, screen: Screen, message: UserMessage, text: String) -> Outcome {
        let serial = self.lock().spec.serial.clone();
        self.lock().shown.push((screen, text.clone()));
        self.env.recorder.record(Entry {
            at: self.env.clock.tick(500),
            device: Some(serial.clone()),
            what: Happening::UserSaw {
                device: serial,
                screen,
                text: text.clone(),
            },
        });
        Outcome::Failed {
            screen,
            message,
            text,
        }
    }

    /// A client for `actor` on this device's network, without a client identity.
    pub(crate) fn client(&self, actor: &str) -> HttpsClient {
        let (serial, name, reach) = {
            let s = self.lock();
            (
                s.spec.serial.clone(),
                s.spec.name.clone(),
                s.spec.reachability(),
            )
        };
        let tls = self.anonymous_tls();
        let client = HttpsClient::new(
            self.env.hosts.clone(),
            tls,
            HttpVersion::Http1,
            self.env.recorder.clone(),
            self.env.clock.clone(),
            format!("{name} {serial}/{actor}"),
        )
        .for_device(&serial, reach);
        self.routed(client)
    }

    /// `client` as the device's network routes it: through the world's faults, and to
    /// foreign servers directly when the device talks to them.
    fn routed(&self, client: HttpsClient) -> HttpsClient {
        let client = client.with_faults(self.env.faults.clone());
        match self.env.direct {
            Some(route) => client.direct(Arc::new(route)),
            None => client,
        }
    }

    /// The device's configuration for connections without a client identity, judged by its
    /// own clock (the world's unless a clock skew is scheduled for it).
    fn anonymous_tls(&self) -> Arc<rustls::ClientConfig> {
        if let Some(tls) = self.lock().anonymous_tls.clone() {
            return tls;
        }
        let own = client_config_judged_by(
            &self.env.trust,
            None,
            HttpVersion::Http1,
            Arc::new(self.own_clock()),
        );
        // The world's trust anchors built its own configuration already; they do not fail
        // here, and the world's configuration is the same but for the session cache.
        let tls = own.unwrap_or_else(|_| self.env.anonymous_tls.clone());
        self.lock().anonymous_tls = Some(tls.clone());
        tls
    }

    /// A client presenting `identity` (mdmclient's mutual TLS).
    pub(crate) fn identity_client(&self, identity: &Identity) -> Result<HttpsClient, String> {
        let (serial, name, reach) = {
            let s = self.lock();
            (
                s.spec.serial.clone(),
                s.spec.name.clone(),
                s.spec.reachability(),
            )
        };
        let tls = client_config_judged_by(
            &self.env.trust,
            Some(identity),
            HttpVersion::Http1,
            Arc::new(self.own_clock()),
        )
        .map_err(|e| e.to_string())?;
        Ok(self.routed(
            HttpsClient::new(
                self.env.hosts.clone(),
                tls,
                HttpVersion::Http1,
                self.env.recorder.clone(),
                self.env.clock.clone(),
                format!("{name} {serial}/mdmclient"),
            )
            .for_device(&serial, reach),
        ))
    }
}
