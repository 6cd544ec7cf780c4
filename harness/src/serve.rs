//! A running world served to clients that are not part of it.
//!
//! Every service of a world already listens on its own loopback port, behind a TLS certificate
//! issued by the world's lab root for the service's real host name. A [`Lab`] hands a test
//! what its own client needs to reach them: each host's address and base URL, the lab root
//! to trust (PEM and DER), and the admin API's bearer token. A client connects to
//! `https://127.0.0.1:PORT` and sends the service's host name as TLS SNI and `Host` header,
//! exactly as the simulated device does.
//!
//! Certificates are judged at time: the simulated parties judge them on the world's virtual
//! clock, an outside client on the system clock. The services rotate their year-long leaves on
//! the virtual clock, so a world served to outside clients should start at the current time:
//! [`Lab::start_now`] does that, and has the services' leaves cover the system clock too (a
//! history may have moved the virtual clock far past it).
//!
//! [`Lab::enrollment_profile`] hands such a client a standard enrollment profile: the one
//! Intune's own profile code builds for a user, with its service URLs pointed at the
//! listeners' addresses, since an outside client resolves no simulated host names. Its identity
//! is a SCEP payload (`com.apple.security.scep`) whose `URL` is the SCEP endpoint on the MDM
//! listener's `127.0.0.1` address, with a one-time challenge Intune handed out for the user's
//! enrollment session: the client generates its key, obtains the identity over SCEP and
//! authenticates with it. The challenge is judged on the world's virtual clock, which a served
//! world does not move, so it stays valid however long the client takes to use it.

use std::net::SocketAddr;

use base64::Engine;

use crate::lab::Lab;

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

/// Why no enrollment profile could be made for an outside client.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The world has no such user.
    #[error("no user {0} in the tenant")]
    UnknownUser(String),
    /// Intune did not issue a profile (no push certificate, say).
    #[error("Intune issued no profile: {0}")]
    Refused(String),
    /// The profile Intune issued is not a property list.
    #[error("the profile is not a property list: {0}")]
    Plist(#[from] plist::Error),
}

/// Points every `https://HOST...` string of `value` at the address HOST listens on.
fn point_at_addresses(value: &mut plist::Value, services: &[Service]) {
    match value {
        plist::Value::String(text) => {
            for service in services {
                let prefix = format!("https://{}", service.host);
                let rest = text.strip_prefix(&prefix);
                if let Some(rest) = rest.filter(|r| r.is_empty() || r.starts_with(['/', '?'])) {
                    *text = format!("{}{rest}", service.base_url());
                    return;
                }
            }
        }
        plist::Value::Array(items) => {
            for item in items {
                point_at_addresses(item, services);
            }
        }
        plist::Value::Dictionary(entries) => {
            for (_, item) in entries.iter_mut() {
                point_at_addresses(item, services);
            }
        }
        _ => {}
    }
}

/// Sets `SignMessage` on the profile's MDM payload: an outside client may not present its
/// identity in TLS (mdmb, for one, enrolls only with signed messages), and Intune's MDM
/// endpoints accept `Mdm-Signature` as well as mutual TLS.
fn ask_for_signed_messages(profile: &mut plist::Value) {
    let payloads = profile
        .as_dictionary_mut()
        .and_then(|p| p.get_mut("PayloadContent"))
        .and_then(plist::Value::as_array_mut);
    for payload in payloads.into_iter().flatten() {
        let Some(payload) = payload.as_dictionary_mut() else {
            continue;
        };
        if payload.get("PayloadType").and_then(plist::Value::as_string) == Some("com.apple.mdm") {
            payload.insert("SignMessage".into(), plist::Value::Boolean(true));
        }
    }
}

impl Lab {
    /// A standard enrollment profile (`.mobileconfig`, XML) for `upn`, for an Apple MDM client
    /// that is not part of the world: Intune opens an enrollment session for the user and
    /// builds the profile as its profile download does; every service URL in it then names
    /// the listener's address (`https://127.0.0.1:PORT/...`), which the services' certificates
    /// name too while the world is served to outside clients ([`Lab::start_now`]), and its MDM
    /// payload asks for `Mdm-Signature` (`SignMessage`).
    pub fn enrollment_profile(&self, upn: &str) -> Result<Vec<u8>, ProfileError> {
        let user = {
            let directory = self.world.entra.state();
            let directory = directory.lock().unwrap_or_else(|p| p.into_inner());
            directory
                .users
                .iter()
                .find(|u| u.upn.eq_ignore_ascii_case(upn))
                .cloned()
                .ok_or_else(|| ProfileError::UnknownUser(upn.to_string()))?
        };
        let issued = enrollsim_simulator::cloud::intune::enrollment::issue_profile(
            &self.world.intune,
            &user,
        )
        .map_err(ProfileError::Refused)?;
        let mut profile = plist::Value::from_reader(std::io::Cursor::new(issued))?;
        point_at_addresses(&mut profile, &self.services());
        ask_for_signed_messages(&mut profile);
        let mut xml = Vec::new();
        profile.to_writer_xml(&mut xml)?;
        Ok(xml)
    }

    /// Every host name of the world and where it listens, sorted by host name.
    pub fn services(&self) -> Vec<Service> {
        self.world
            .hosts
            .all()
            .into_iter()
            .map(|(host, addr)| Service { host, addr })
            .collect()
    }

    /// The lab root certificate every service's certificate chains to, DER-encoded. Trust it
    /// (and only it) in the client.
    pub fn ca_certificate_der(&self) -> Vec<u8> {
        self.world.trust_anchor().as_ref().to_vec()
    }

    /// The admin API's bearer token (`Authorization: Bearer TOKEN`): the token Entra issued
    /// to the lab's admin app when the world started, for Microsoft Graph, lasting longer than
    /// any history a world replays.
    pub fn admin_token(&self) -> String {
        self.world.admin_token()
    }

    /// The lab admin app's client id and secret, for a client credentials grant that gets an
    /// admin API token lasting an hour of virtual time.
    pub fn admin_app_credentials(&self) -> (String, String) {
        self.world.admin_app_credentials()
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
