//! The device-facing hop of ADE: at activation, a device asks Apple for its cloud
//! configuration by serial number, at `https://iprofiles.apple.com`.
//!
//! **This hop's shape is enrollsim's own.** Apple does not document it: reverse engineering
//! (Duo Labs' work on macOS `cloudconfigurationd`) shows `POST /macProfile` with an
//! "Absinthe"-encrypted, signed body that decrypts to `{"sn": …, "action":
//! "RequestProfileConfiguration"}`, and nobody outside Apple can reproduce the encryption.
//! enrollsim keeps the path and the decrypted body, sent in clear over TLS: the device posts
//! [`CloudConfigRequest`] as JSON (extra keys, such as `MachineInfo`-like fields, are
//! ignored), and the service answers 200 with the [`CloudConfiguration`] as an XML plist,
//! `Content-Type: application/x-apple-aspen-config`.
//!
//! The configuration comes from the DEP profile assigned to the serial (see
//! [`CloudConfiguration::from_dep_profile`] for the key mapping and the client rules:
//! `IsMDMUnremovable` and `AwaitDeviceConfigured` only when supervised, `IsMultiUser` dropped
//! unless supervised), completed with the organisation's address, phone and e-mail; the
//! assignment becomes `pushed` with `profile_push_time` (Apple's device record: the status
//! moves to `pushed` once the device fetched its configuration).
//!
//! When the serial has no profile — not in Apple Business Manager at all, assigned to no MDM
//! server, or no profile assigned or it was removed — the answer is a normal 200 with an
//! empty dictionary: the device then shows no Remote Management pane and finishes setup
//! unmanaged. That is how "ADE enrollment doesn't start" happens for real, so it is not an
//! error here. [`read_cloud_configuration`] turns either answer back into an
//! `Option<CloudConfiguration>` for the device.

use hyper::{Method, StatusCode};
use plist::{Dictionary, Value};

use super::state::{lock, SharedAdeState};
use crate::clock::VirtualClock;
use crate::net::{BoxFuture, Handler, Request, Response};
use crate::wire::cloud_config::{CloudConfigRequest, CloudConfiguration};
use crate::wire::content_type::APPLE_ASPEN_CONFIG;
use crate::wire::WireError;

/// The host name of Apple's device-facing ADE service.
pub const IPROFILES_HOST: &str = "iprofiles.apple.com";
/// The path a device posts its [`CloudConfigRequest`] to.
pub const CLOUD_CONFIG_PATH: &str = "/macProfile";

/// Apple's device-facing ADE service over the shared state.
#[derive(Debug, Clone)]
pub struct ActivationService {
    state: SharedAdeState,
    clock: VirtualClock,
}

fn empty_dictionary_xml() -> Vec<u8> {
    let mut out = Vec::new();
    let _ = Value::Dictionary(Dictionary::new()).to_writer_xml(&mut out);
    out
}

fn text(status: StatusCode, body: &str) -> Response {
    Response::with_body(status, "text/plain;charset=UTF8", body.to_string())
}

impl ActivationService {
    /// The service over `state`, reading `clock`.
    pub fn new(state: SharedAdeState, clock: VirtualClock) -> ActivationService {
        ActivationService { state, clock }
    }

    /// The cloud configuration for `serial` right now, marking the assignment `pushed`;
    /// `None` when the serial has no profile.
    pub fn cloud_configuration(&self, serial: &str) -> Option<CloudConfiguration> {
        let now = self.clock.now();
        let (profile, org) = lock(&self.state).activation_profile(serial, now)?;
        // Anchor and supervising-host certificates are checked at define, so this only
        // fails for a profile put into the state by hand; such a profile is not served.
        let mut config = CloudConfiguration::from_dep_profile(&profile.profile, &org.name).ok()?;
        config.organization_address = Some(org.address);
        config.organization_phone = Some(org.phone);
        config.organization_email = Some(org.email);
        Some(config)
    }

    /// Answers one request.
    pub fn answer(&self, request: &Request) -> Response {
        if request.path != CLOUD_CONFIG_PATH {
            return text(StatusCode::NOT_FOUND, "Not Found");
        }
        if request.method != Method::POST {
            return text(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed");
        }
        let ask = match CloudConfigRequest::from_json(&request.body) {
            Ok(ask) => ask,
            Err(e) => return text(StatusCode::BAD_REQUEST, &e.to_string()),
        };
        if ask.action != CloudConfigRequest::ACTION || ask.sn.trim().is_empty() {
            return text(StatusCode::BAD_REQUEST, "unsupported request");
        }
        let body = match self.cloud_configuration(ask.sn.trim()) {
            Some(config) => config.to_xml(),
            None => empty_dictionary_xml(),
        };
        Response::with_body(StatusCode::OK, APPLE_ASPEN_CONFIG, body)
    }
}

impl Handler for ActivationService {
    fn handle(&self, request: Request) -> BoxFuture<'_, Response> {
        let response = self.answer(&request);
        Box::pin(async move { response })
    }
}

/// Reads the service's answer as a device does: `None` for the empty dictionary (no
/// profile: skip Remote Management), the configuration otherwise.
pub fn read_cloud_configuration(body: &[u8]) -> Result<Option<CloudConfiguration>, WireError> {
    if let Ok(Value::Dictionary(d)) = Value::from_reader(std::io::Cursor::new(body)) {
        if d.is_empty() {
            return Ok(None);
        }
    }
    CloudConfiguration::from_xml(body).map(Some)
}
