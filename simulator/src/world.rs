//! A running world: every service started on loopback, wired to one clock, one RNG and one
//! recorder, ready to hand out devices.
//!
//! Starting a world generates no keys (they are process-wide, see `enrollsim_certs::keys`): it
//! issues a handful of certificates, binds five loopback listeners and returns. Dropping the
//! world stops every listener and frees its ports.

use std::sync::{Arc, Mutex};

use enrollsim_certs::{CertificateDer, Identity, LabPki};
use time::{Duration, OffsetDateTime};

use crate::clock::VirtualClock;
use crate::cloud::apns::{ApnsService, APNS_HOST};
use crate::cloud::apple_ade::state::{AppleAdeState, Organization};
use crate::cloud::apple_ade::AppleAdeService;
use crate::cloud::entra::{self, EntraService, EntraState};
use crate::cloud::intune::{self, IntuneService, IntuneState};
use crate::device::{Device, DeviceEnv, DeviceSpec};
use crate::net::client::HttpsClient;
use crate::net::server::{serve, ServerHandle};
use crate::net::tls::{client_config, server_config, ClientAuth, HttpVersion, TlsConfigError};
use crate::net::{Handler, HostMap};
use crate::recorder::Recorder;
use crate::rng::SeededRng;

/// Why a world could not start.
#[derive(Debug, thiserror::Error)]
pub enum WorldError {
    /// A certificate could not be issued.
    #[error("lab PKI: {0}")]
    Certificates(#[from] enrollsim_certs::CertError),
    /// A TLS configuration could not be built.
    #[error(transparent)]
    Tls(#[from] TlsConfigError),
    /// A listener could not be bound on loopback.
    #[error("cannot listen on 127.0.0.1: {0}")]
    Listen(#[from] std::io::Error),
}

/// Intune's APNs client and the push certificate (DER) it was built for.
type CachedApnsClient = (Vec<u8>, HttpsClient);

/// The knobs a world starts with.
#[derive(Debug, Clone)]
pub struct WorldOptions {
    /// Seed of every identifier the world makes up.
    pub seed: u64,
    /// The virtual time the world starts at.
    pub start: OffsetDateTime,
}

/// A running world.
pub struct World {
    /// The virtual clock.
    pub clock: VirtualClock,
    /// The world's RNG (devices get forks of it).
    pub rng: SeededRng,
    /// Everything that happened.
    pub recorder: Recorder,
    /// The lab PKI.
    pub pki: Arc<LabPki>,
    /// Where each host listens.
    pub hosts: HostMap,
    /// Entra ID.
    pub entra: EntraService,
    /// Intune.
    pub intune: IntuneService,
    /// APNs.
    pub apns: ApnsService,
    /// Apple's ADE service (DEP API and device activation) and Apple Business Manager's state.
    pub apple_ade: AppleAdeService,
    anonymous_tls: Arc<rustls::ClientConfig>,
    servers: Vec<ServerHandle>,
}

impl std::fmt::Debug for World {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("World")
            .field("hosts", &self.hosts.all())
            .finish_non_exhaustive()
    }
}

async fn start_server(
    hosts: &HostMap,
    names: &[&str],
    identity: &Identity,
    auth: ClientAuth,
    clock: &VirtualClock,
    handler: Arc<dyn Handler>,
) -> Result<ServerHandle, WorldError> {
    let tls = server_config(identity, auth, clock)?;
    let handle = serve(tls, handler).await?;
    for n in names {
        hosts.insert(n, handle.addr());
    }
    Ok(handle)
}

impl World {
    /// Starts a world whose directory and tenant are `directory` and `tenant`.
    pub async fn start(
        options: WorldOptions,
        directory: EntraState,
        tenant: IntuneState,
    ) -> Result<World, WorldError> {
        let clock = VirtualClock::starting_at(options.start);
        let rng = SeededRng::new(options.seed);
        let recorder = Recorder::new();
        let pki = Arc::new(LabPki::new(options.start)?);
        let hosts = HostMap::new();
        let trust = vec![pki.lab_root.certificate().clone()];
        let anonymous_tls = client_config(&trust, None, HttpVersion::Http1, &clock)?;

        let tenant_name = tenant.tenant_name.clone();
        let directory = Arc::new(Mutex::new(directory));
        let entra = EntraService::new(
            directory.clone(),
            clock.clone(),
            rng.fork(),
            recorder.clone(),
        );
        let apns = ApnsService::new(clock.clone(), rng.fork(), recorder.clone());

        // Intune keeps one APNs client per push certificate: building a TLS configuration parses
        // the RSA key, which is worth doing once rather than per push.
        let apns_client = {
            let (hosts, trust, clock, recorder) = (
                hosts.clone(),
                trust.clone(),
                clock.clone(),
                recorder.clone(),
            );
            let cache: Arc<Mutex<Option<CachedApnsClient>>> = Arc::default();
            Arc::new(move |identity: &Identity| {
                let der = identity.certificate().to_vec();
                let mut cached = cache.lock().unwrap_or_else(|p| p.into_inner());
                if let Some((key, client)) = cached.as_ref() {
                    if *key == der {
                        return Some(client.clone());
                    }
                }
                let tls = client_config(&trust, Some(identity), HttpVersion::Http2, &clock).ok()?;
                let client = HttpsClient::new(
                    hosts.clone(),
                    tls,
                    HttpVersion::Http2,
                    recorder.clone(),
                    clock.clone(),
                    "Intune",
                );
                *cached = Some((der, client.clone()));
                Some(client)
            })
        };
        let admin_token = format!("admin.{}", rng.hex(16));
        let outbound = HttpsClient::new(
            hosts.clone(),
            anonymous_tls.clone(),
            HttpVersion::Http1,
            recorder.clone(),
            clock.clone(),
            "Intune",
        );
        let intune = IntuneService::new(
            Arc::new(Mutex::new(tenant)),
            directory,
            pki.clone(),
            clock.clone(),
            rng.fork(),
            recorder.clone(),
            apns_client,
            outbound,
            admin_token,
        );
        let apple_ade = AppleAdeService::new(
            AppleAdeState::new(Organization::new(&tenant_name, &rng)).shared(),
            clock.clone(),
            rng.fork(),
        );

        // One listener per service; the MDM endpoints ask for the device identity, APNs
        // demands the push certificate.
        let listeners: [(&[&str], ClientAuth, Arc<dyn Handler>); 5] = [
            (&entra::HOSTS, ClientAuth::None, Arc::new(entra.clone())),
            (
                &intune::PUBLIC_HOSTS,
                ClientAuth::None,
                Arc::new(intune.clone()),
            ),
            (
                &intune::MDM_HOSTS,
                ClientAuth::Optional(vec![pki.intune_device_ca.certificate().clone()]),
                Arc::new(intune.clone()),
            ),
            (
                &[APNS_HOST],
                ClientAuth::Required(vec![pki.apple_push_ca.certificate().clone()]),
                Arc::new(apns.clone()),
            ),
            (
                &AppleAdeService::HOSTS,
                ClientAuth::None,
                Arc::new(apple_ade.clone()),
            ),
        ];
        let mut servers = Vec::with_capacity(listeners.len());
        for (names, auth, handler) in listeners {
            let identity = pki.server_identity(names, options.start)?;
            servers.push(start_server(&hosts, names, &identity, auth, &clock, handler).await?);
        }

        Ok(World {
            apple_ade,
            clock,
            rng,
            recorder,
            pki,
            hosts,
            entra,
            intune,
            apns,
            anonymous_tls,
            servers,
        })
    }

    /// The root certificate every client of this world must trust.
    pub fn trust_anchor(&self) -> CertificateDer<'static> {
        self.pki.lab_root.certificate().clone()
    }

    /// A device as `spec` describes it.
    pub fn device(&self, spec: DeviceSpec) -> Device {
        let env = DeviceEnv {
            hosts: self.hosts.clone(),
            trust: vec![self.trust_anchor()],
            anonymous_tls: self.anonymous_tls.clone(),
            // Each device keeps its own time, which pushes the world's forward.
            clock: self.clock.child(),
            recorder: self.recorder.clone(),
            apns: self.apns.clone(),
        };
        Device::new(spec, env, self.rng.fork())
    }

    /// An HTTPS client for the admin (it still needs the admin token as bearer).
    pub fn admin_client(&self) -> HttpsClient {
        HttpsClient::new(
            self.hosts.clone(),
            self.anonymous_tls.clone(),
            HttpVersion::Http1,
            self.recorder.clone(),
            self.clock.clone(),
            "admin",
        )
    }

    /// The admin API's bearer token.
    pub fn admin_token(&self) -> String {
        self.intune.admin_token().to_string()
    }

    /// Apple's Push Certificates Portal: issues a push certificate for `topic`, valid for a year
    /// from now (a renewal keeps the topic; a new certificate has a new one).
    pub fn apple_push_certificate(
        &self,
        topic: &str,
    ) -> Result<Identity, enrollsim_certs::CertError> {
        let now = self.clock.now();
        self.pki
            .push_certificate(topic, now - Duration::minutes(1), now + Duration::days(365))
    }

    /// Puts a push certificate for `topic` in Intune, valid from `not_before` to `not_after`,
    /// as if the admin had created it in Apple's portal and uploaded it.
    pub fn install_push_certificate(
        &self,
        apple_id: &str,
        topic: &str,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> Result<(), enrollsim_certs::CertError> {
        let identity = self.pki.push_certificate(topic, not_before, not_after)?;
        let mut state = self.intune.state.lock().unwrap_or_else(|p| p.into_inner());
        state.apns = Some(crate::cloud::intune::state::ApnsCertificate {
            apple_id: apple_id.to_string(),
            topic: topic.to_string(),
            identity,
            expires_at: not_after,
            uploaded_at: not_before,
        });
        Ok(())
    }

    /// Stops every service and waits until their ports are free.
    pub async fn shutdown(self) {
        for s in self.servers {
            s.shutdown().await;
        }
    }
}
