//! A running world served to clients that are not part of it.
//!
//! Every service of a world already listens on its own loopback port, behind a TLS certificate
//! issued by the world's lab root for the service's real host name. A [`ServedWorld`] hands a
//! test what its own client needs to reach them: each host's address and base URL, the lab root
//! to trust (PEM and DER), and the admin API's bearer token. A client connects to
//! `https://127.0.0.1:PORT` and sends the service's host name as TLS SNI and `Host` header,
//! exactly as the simulated device does.
//!
//! Certificates are judged at time: the simulated parties judge them on the world's virtual
//! clock, an outside client on the system clock. The services' certificates are valid from 30
//! days before the world's start to 335 days after it, so a world served to outside clients
//! should start at the current time: [`ServedWorld::start_now`] does that.
//!
//! Dropping the handle stops every service and frees its ports; [`ServedWorld::shutdown`] does
//! the same and waits until the listeners are closed.

use std::net::SocketAddr;

use base64::Engine;
use enrollsim_simulator::world::World;
use time::OffsetDateTime;

use crate::lab::{Lab, LabError};
use crate::scenario::WorldSpec;

/// The host name of the admin API (Microsoft Graph): `GET /v1.0/deviceManagement/managedDevices`
/// and the other calls an admin's tooling makes.
pub const ADMIN_API_HOST: &str = enrollsim_simulator::cloud::intune::GRAPH_HOST;

/// One host name of a served world and where it listens.
///
/// Several host names can share a listener (one server certificate names them all); each is
/// listed on its own.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Service {
    /// The host name the service answers to. Send it as TLS SNI and in the `Host` header: the
    /// service's certificate is issued for it, not for `127.0.0.1`.
    pub host: String,
    /// The loopback address the service listens on.
    pub addr: SocketAddr,
}

impl Service {
    /// The base URL to connect to: `https://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// `path` (which starts with `/`) appended to [`Service::base_url`].
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url(), path)
    }

    /// The port the service listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }
}

/// A running world and what an outside client needs to reach it. Dropping it stops every
/// service and frees its ports.
pub struct ServedWorld {
    lab: Lab,
    services: Vec<Service>,
    ca_pem: String,
    admin_token: String,
}

impl std::fmt::Debug for ServedWorld {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServedWorld")
            .field("services", &self.services)
            .finish_non_exhaustive()
    }
}

/// Encodes a DER certificate as PEM (`-----BEGIN CERTIFICATE-----`, 64-column base64).
pub fn certificate_pem(der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut pem = String::with_capacity(b64.len() + b64.len() / 64 + 64);
    pem.push_str("-----BEGIN CERTIFICATE-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        // base64 output is ASCII, so every chunk is valid UTF-8.
        pem.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    pem
}

fn services_of(world: &World) -> Vec<Service> {
    world
        .hosts
        .all()
        .into_iter()
        .map(|(host, addr)| Service { host, addr })
        .collect()
}

impl ServedWorld {
    /// Starts the world `spec` describes (replaying its history) and serves it.
    pub async fn start(spec: &WorldSpec) -> Result<ServedWorld, LabError> {
        Lab::start(spec).await.map(ServedWorld::new)
    }

    /// Starts the world `spec` describes with its virtual clock at the current UTC time (whole
    /// seconds) instead of `spec.start`, so that clients judging certificates by the system
    /// clock accept the services' certificates on any date. Settings relative to the start
    /// (push certificate dates, history) keep their meaning.
    pub async fn start_now(spec: &WorldSpec) -> Result<ServedWorld, LabError> {
        let mut spec = spec.clone();
        spec.start = OffsetDateTime::now_utc().truncate_to_second();
        ServedWorld::start(&spec).await
    }

    /// Serves a lab that is already running.
    pub fn new(lab: Lab) -> ServedWorld {
        let services = services_of(&lab.world);
        let ca_pem = certificate_pem(lab.world.trust_anchor().as_ref());
        let admin_token = lab.world.admin_token();
        ServedWorld {
            lab,
            services,
            ca_pem,
            admin_token,
        }
    }

    /// Every host name of the world and where it listens, sorted by host name.
    pub fn services(&self) -> &[Service] {
        &self.services
    }

    /// The service answering to `host` (case-insensitive).
    pub fn service(&self, host: &str) -> Option<&Service> {
        self.services
            .iter()
            .find(|s| s.host.eq_ignore_ascii_case(host))
    }

    /// The admin API (Microsoft Graph, [`ADMIN_API_HOST`]).
    pub fn admin_api(&self) -> Option<&Service> {
        self.service(ADMIN_API_HOST)
    }

    /// The distinct loopback ports the world listens on, ascending.
    pub fn ports(&self) -> Vec<u16> {
        let mut ports: Vec<u16> = self.services.iter().map(Service::port).collect();
        ports.sort_unstable();
        ports.dedup();
        ports
    }

    /// The lab root certificate every service's certificate chains to, as PEM. Trust it (and
    /// only it) in the client.
    pub fn ca_certificate_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The lab root certificate, DER-encoded.
    pub fn ca_certificate_der(&self) -> Vec<u8> {
        self.lab.world.trust_anchor().as_ref().to_vec()
    }

    /// The admin API's bearer token (`Authorization: Bearer TOKEN`).
    pub fn admin_token(&self) -> &str {
        &self.admin_token
    }

    /// The lab behind the services: its device, enrollment and resolution steps.
    pub fn lab(&self) -> &Lab {
        &self.lab
    }

    /// Stops every service and waits until its listener is closed.
    pub async fn shutdown(self) {
        self.lab.world.shutdown().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_wraps_at_64_columns() {
        // 60 bytes are 80 base64 characters: one full line and one of 16.
        let pem = certificate_pem(&[0u8; 60]);
        let lines: Vec<&str> = pem.lines().collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0], "-----BEGIN CERTIFICATE-----");
        assert_eq!(lines[1].len(), 64);
        assert_eq!(lines[2].len(), 16);
        assert_eq!(lines[3], "-----END CERTIFICATE-----");
        assert!(pem.ends_with('\n'));
    }
}
