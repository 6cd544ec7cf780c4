//! Apple's Automated Device Enrollment service: Apple Business Manager's state, the DEP API
//! an MDM server calls, and the hop a device makes at activation to learn its cloud
//! configuration.
//!
//! ```text
//!  Intune ──DepClient──► mdmenrollment.apple.com  (DepApi)            ─┐
//!                                                                        ├─ AppleAdeState
//!  iPhone (Setup Assistant) ──► iprofiles.apple.com (ActivationService) ─┘
//! ```
//!
//! - [`state`]: the organisation, MDM servers and their server tokens, devices and their
//!   MDM server, DEP profiles and assignments, and the API's sessions, nonces and cursors.
//!   The administrator's actions in Apple Business Manager (download a token, assign a
//!   device, accept the terms) are methods there; scenarios set the world up through them.
//! - [`oauth`]: OAuth 1.0a HMAC-SHA1 signing and checking (RFC 5849), which `GET /session`
//!   requires.
//! - [`session`], [`devices`], [`profiles`]: the DEP API operations against the state.
//! - [`dep_api`]: the DEP API as an HTTP [`Handler`] for `mdmenrollment.apple.com`.
//! - [`activation`]: the device-facing hop as a [`Handler`] for `iprofiles.apple.com`, in a
//!   private format of enrollsim's (Apple's is undocumented and encrypted).
//! - [`client`]: [`DepClient`], the MDM server's side of the DEP API.
//! - [`token`]: the server token the admin downloads.
//!
//! [`AppleAdeService`] serves both host names from one listener.
//!
//! Failures are not scripted: an old token fails its signature check, a profile assigned to
//! no serial leaves the device's configuration empty, a cursor kept for eight days expires —
//! because the state says so when the parties follow the protocol.

pub mod activation;
pub mod client;
pub mod dep_api;
pub mod devices;
pub mod oauth;
pub mod profiles;
pub mod session;
pub mod state;
pub mod token;

pub use activation::{
    read_cloud_configuration, ActivationService, CLOUD_CONFIG_PATH, IPROFILES_HOST,
};
pub use client::{DepClient, DepClientError};
pub use dep_api::{DepApi, DEP_HOST};
pub use session::SessionDenied;
pub use state::{
    AbmDevice, AdeStateError, AppleAdeState, DefinedProfile, DeviceEvent, IssuedToken, MdmServer,
    Organization, ProfileAssignment, SharedAdeState,
};
pub use token::ServerToken;

use hyper::StatusCode;

use crate::clock::VirtualClock;
use crate::net::{BoxFuture, Handler, Request, Response};
use crate::rng::SeededRng;

/// Both of Apple's ADE hosts behind one handler: requests for [`DEP_HOST`] go to the
/// [`DepApi`], requests for [`IPROFILES_HOST`] to the [`ActivationService`], by the host
/// name the client asked for (SNI). Give its listener a certificate for both names.
#[derive(Debug, Clone)]
pub struct AppleAdeService {
    dep: DepApi,
    activation: ActivationService,
}

impl AppleAdeService {
    /// The service over `state`, reading `clock` and drawing identifiers from `rng`.
    pub fn new(state: SharedAdeState, clock: VirtualClock, rng: SeededRng) -> AppleAdeService {
        AppleAdeService {
            dep: DepApi::new(state.clone(), clock.clone(), rng),
            activation: ActivationService::new(state, clock),
        }
    }

    /// The host names the service answers.
    pub const HOSTS: [&'static str; 2] = [DEP_HOST, IPROFILES_HOST];

    /// The DEP API part.
    pub fn dep_api(&self) -> &DepApi {
        &self.dep
    }

    /// The device-facing part.
    pub fn activation(&self) -> &ActivationService {
        &self.activation
    }

    /// The shared state.
    pub fn state(&self) -> &SharedAdeState {
        self.dep.state()
    }

    /// Answers one request, by host.
    pub fn answer(&self, request: &Request) -> Response {
        match request.host.as_str() {
            DEP_HOST => self.dep.answer(request),
            IPROFILES_HOST => self.activation.answer(request),
            _ => Response::text(StatusCode::MISDIRECTED_REQUEST, "unknown host"),
        }
    }
}

impl Handler for AppleAdeService {
    fn handle(&self, request: Request) -> BoxFuture<'_, Response> {
        let response = self.answer(&request);
        Box::pin(async move { response })
    }
}
