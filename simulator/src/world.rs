//! A running world: every service started on loopback, wired to one clock, one RNG and one
//! recorder, ready to hand out devices.
//!
//! Starting a world generates no keys (they are process-wide, see `enrollsim_certs::keys`): it
//! issues a handful of certificates, binds five loopback listeners and returns. Dropping the
//! world stops every listener and frees its ports.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use enrollsim_certs::{CertificateDer, Identity, LabPki};
use time::{Duration, OffsetDateTime};

use crate::clock::VirtualClock;
use crate::cloud::apns::{ApnsService, APNS_HOST};
use crate::cloud::apple_ade::state::{AppleAdeState, Organization};
use crate::cloud::apple_ade::AppleAdeService;
use crate::cloud::entra::{
    self, AppRegistration, Cloud, EntraService, EntraState, FederationServer, FederationService,
    IssuedToken,
};
use crate::cloud::intune::{self, IntuneService, IntuneState};
use crate::device::{Device, DeviceEnv, DeviceSpec};
use crate::net::client::HttpsClient;
use crate::net::faults::{Fault, FaultTable, FaultVerb};
use crate::net::server::{serve_with_faults, ServerFaults, ServerHandle};
use crate::net::tls::{
    client_config, rotating_server_config, ClientAuth, HttpVersion, RotatingLeaf, TlsConfigError,
};
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
/// Intune's APNs client for one push certificate (its DER), and when it last pushed (virtual).
type CachedApnsClient = (Vec<u8>, HttpsClient, OffsetDateTime);

/// How long Intune's HTTP/2 connection to APNs may sit unused before the next push opens a
/// new one. Apple: keep connections open across notifications, but "leave a connection open
/// unless you know it will be idle for an extended period of time" ("Sending notification
/// requests to APNs"). Without a bound, a connection opened before a jump of months of virtual
/// time would carry pushes for a certificate that expired meanwhile: APNs judges the
/// certificate at the handshake, so the new connection is where an expired one is refused.
const APNS_CONNECTION_IDLE_LIMIT: Duration = Duration::hours(1);

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
    /// The federation service of the tenant's federated domain, when it has one.
    pub federation: Option<FederationService>,
    /// The network faults scheduled in the world, which listeners and clients consult.
    pub faults: FaultTable,
    anonymous_tls: Arc<rustls::ClientConfig>,
    servers: Vec<ServerHandle>,
    /// Whether the services' leaves must satisfy clients judging by the system clock too.
    system_clock: Arc<AtomicBool>,
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
    leaves: Arc<RotatingLeaf>,
    auth: ClientAuth,
    faults: &ServerFaults,
    handler: Arc<dyn Handler>,
) -> Result<ServerHandle, WorldError> {
    // The first leaf is issued now, so that a PKI that cannot issue fails the start.
    leaves.current()?;
    let tls = rotating_server_config(leaves, auth, &faults.clock)?;
    let default_host = names.first().map(|n| (*n).to_string());
    let handle = serve_with_faults(tls, handler, default_host, Some(faults.clone())).await?;
    for n in names {
        hosts.insert(n, handle.addr());
    }
    Ok(handle)
}

/// How long the world's standing admin token lasts (virtual time): longer than any history a
/// world replays, so that the token a harness, the web lab or `serve` hands out once keeps
/// working; tokens the lab's admin app asks for with its client credentials last an hour.
const STANDING_ADMIN_TOKEN_YEARS: i64 = 100;

/// Registers the lab's admin app in the directory, granted Intune's application permissions,
/// and records `admin_token` as a token Entra issued to it for Microsoft Graph in the public
/// cloud at `now`. Its client secret is derived from the token, so that registering it draws
/// nothing from the world's RNG (the ids and secrets every other party draws stay the same).
fn register_lab_admin_app(directory: &Mutex<EntraState>, admin_token: &str, now: OffsetDateTime) {
    let roles: Vec<String> = entra::INTUNE_ADMIN_ROLES.map(String::from).to_vec();
    let mut directory = directory.lock().unwrap_or_else(|p| p.into_inner());
    directory.apps.push(AppRegistration {
        client_id: entra::LAB_ADMIN_APP_ID.into(),
        client_secret: lab_admin_secret(admin_token),
        display_name: "enrollsim lab admin".into(),
        roles: roles.clone(),
    });
    directory.tokens.insert(
        admin_token.to_string(),
        IssuedToken {
            user_id: entra::LAB_ADMIN_APP_ID.into(),
            client_id: entra::LAB_ADMIN_APP_ID.into(),
            expires_at: now + Duration::days(365 * STANDING_ADMIN_TOKEN_YEARS),
            mfa_satisfied: false,
            cloud: Cloud::Public,
            audience: entra::GRAPH_AUDIENCE.into(),
            roles,
        },
    );
}

/// The lab admin app's client secret, derived from the world's standing admin token.
fn lab_admin_secret(admin_token: &str) -> String {
    format!("lab~{}", admin_token.trim_start_matches("admin."))
}

/// What every service of a world shares: time, randomness, evidence, names and trust.
struct Commons {
    clock: VirtualClock,
    rng: SeededRng,
    recorder: Recorder,
    hosts: HostMap,
    trust: Vec<CertificateDer<'static>>,
    anonymous_tls: Arc<rustls::ClientConfig>,
    system_clock: Arc<AtomicBool>,
    faults: FaultTable,
}

impl Commons {
    /// A client for `actor` without a client identity.
    fn client(&self, actor: &str) -> HttpsClient {
        HttpsClient::new(
            self.hosts.clone(),
            self.anonymous_tls.clone(),
            HttpVersion::Http1,
            self.recorder.clone(),
            self.clock.clone(),
            actor,
        )
        .with_faults(self.faults.clone())
    }

    /// Intune's APNs clients: one per push certificate, since building a TLS configuration
    /// parses the RSA key, which is worth doing once rather than per push.
    fn apns_clients(&self) -> impl Fn(&Identity) -> Option<HttpsClient> + Send + Sync + 'static {
        let (hosts, trust, clock, recorder, faults) = (
            self.hosts.clone(),
            self.trust.clone(),
            self.clock.clone(),
            self.recorder.clone(),
            self.faults.clone(),
        );
        let cache: Arc<Mutex<Option<CachedApnsClient>>> = Arc::default();
        move |identity: &Identity| {
            let der = identity.certificate().to_vec();
            let mut cached = cache.lock().unwrap_or_else(|p| p.into_inner());
            let now = clock.now();
            if let Some((key, client, last_push)) = cached.as_mut() {
                if *key == der {
                    if now - *last_push > APNS_CONNECTION_IDLE_LIMIT {
                        client.close_idle();
                    }
                    *last_push = now;
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
            )
            .with_faults(faults.clone());
            *cached = Some((der, client.clone(), now));
            Some(client)
        }
    }
}

/// The services of a world, before they listen.
struct Services {
    entra: EntraService,
    intune: IntuneService,
    apns: ApnsService,
    apple_ade: AppleAdeService,
    federation: Option<FederationService>,
}

impl Services {
    /// Builds the services over `directory` and `tenant`. Each takes its fork of the world's
    /// RNG in a fixed order, which keeps every identifier of a seed the same.
    fn new(
        commons: &Commons,
        pki: &Arc<LabPki>,
        directory: EntraState,
        tenant: IntuneState,
    ) -> Services {
        let Commons {
            clock,
            rng,
            recorder,
            ..
        } = commons;
        let tenant_name = tenant.tenant_name.clone();
        let federated = directory.federated_domains.first().map(|d| d.name.clone());
        let directory = Arc::new(Mutex::new(directory));
        let entra = EntraService::new(
            directory.clone(),
            clock.clone(),
            rng.fork(),
            recorder.clone(),
        )
        .with_outbound(commons.client("Entra ID"));
        let federation = federated.map(|domain| {
            FederationService::new(FederationServer::for_domain(&domain), directory.clone())
        });
        let apns = ApnsService::new(clock.clone(), rng.fork(), recorder.clone());
        let admin_token = format!("admin.{}", rng.hex(16));
        register_lab_admin_app(&directory, &admin_token, clock.now());
        let intune = IntuneService::new(
            Arc::new(Mutex::new(tenant)),
            directory,
            pki.clone(),
            clock.clone(),
            rng.fork(),
            recorder.clone(),
            Arc::new(commons.apns_clients()),
            commons.client("Intune"),
            admin_token,
        );
        let apple_ade = AppleAdeService::new(
            AppleAdeState::new(Organization::new(&tenant_name, rng)).shared(),
            clock.clone(),
            rng.fork(),
        );
        Services {
            entra,
            intune,
            apns,
            apple_ade,
            federation,
        }
    }

    /// Binds one listener per service; the MDM endpoints ask for the device identity, APNs
    /// demands the push certificate.
    async fn listen(
        &self,
        commons: &Commons,
        pki: &Arc<LabPki>,
    ) -> Result<Vec<ServerHandle>, WorldError> {
        let federation_host = self.federation.as_ref().map(|f| {
            f.server()
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .host
                .clone()
        });
        let federation_names: Vec<&str> = federation_host.iter().map(String::as_str).collect();
        let mut listeners: Vec<(&[&str], ClientAuth, Arc<dyn Handler>)> = vec![
            (
                &entra::HOSTS,
                ClientAuth::None,
                Arc::new(self.entra.clone()),
            ),
            (
                &intune::PUBLIC_HOSTS,
                ClientAuth::None,
                Arc::new(self.intune.clone()),
            ),
            (
                &intune::MDM_HOSTS,
                ClientAuth::Optional(vec![pki.intune_device_ca.certificate().clone()]),
                Arc::new(self.intune.clone()),
            ),
            (
                &[APNS_HOST],
                ClientAuth::Required(vec![pki.apple_push_ca.certificate().clone()]),
                Arc::new(self.apns.clone()),
            ),
            (
                &AppleAdeService::HOSTS,
                ClientAuth::None,
                Arc::new(self.apple_ade.clone()),
            ),
        ];
        if let Some(federation) = &self.federation {
            listeners.push((
                &federation_names,
                ClientAuth::None,
                Arc::new(federation.clone()),
            ));
        }
        let mut servers = Vec::with_capacity(listeners.len());
        let faults = ServerFaults {
            table: commons.faults.clone(),
            clock: commons.clock.clone(),
        };
        for (names, auth, handler) in listeners {
            let leaves = RotatingLeaf::new(
                pki.clone(),
                names,
                commons.clock.clone(),
                commons.system_clock.clone(),
            );
            let server = start_server(
                &commons.hosts,
                names,
                Arc::new(leaves),
                auth,
                &faults,
                handler,
            )
            .await?;
            tracing::debug!(hosts = ?names, addr = %server.addr(), "service listening");
            servers.push(server);
        }
        Ok(servers)
    }
}

impl World {
    /// Starts a world whose directory and tenant are `directory` and `tenant`.
    #[tracing::instrument(name = "world_start", skip_all, fields(seed = options.seed))]
    pub async fn start(
        options: WorldOptions,
        directory: EntraState,
        tenant: IntuneState,
    ) -> Result<World, WorldError> {
        let clock = VirtualClock::starting_at(options.start);
        let pki = Arc::new(LabPki::new(options.start)?);
        let trust = vec![pki.lab_root.certificate().clone()];
        let anonymous_tls = client_config(&trust, None, HttpVersion::Http1, &clock)?;
        let commons = Commons {
            clock,
            rng: SeededRng::new(options.seed),
            recorder: Recorder::new(),
            hosts: HostMap::new(),
            trust,
            anonymous_tls,
            system_clock: Arc::default(),
            // Its own stream, so that scheduling faults changes no identifier of the seed.
            faults: FaultTable::new(options.seed ^ 0xFA17_5EED),
        };
        let services = Services::new(&commons, &pki, directory, tenant);
        let servers = services.listen(&commons, &pki).await?;
        let Services {
            entra,
            intune,
            apns,
            apple_ade,
            federation,
        } = services;
        let Commons {
            clock,
            rng,
            recorder,
            hosts,
            anonymous_tls,
            system_clock,
            faults,
            ..
        } = commons;
        Ok(World {
            apple_ade,
            federation,
            clock,
            rng,
            recorder,
            pki,
            hosts,
            entra,
            intune,
            apns,
            faults,
            anonymous_tls,
            servers,
            system_clock,
        })
    }

    /// From now on the services' TLS leaves must also be valid by the system clock, for
    /// clients outside the world (which judge certificates by it, not by virtual time).
    ///
    /// Such clients are Apple devices of their own, whose push tokens come from Apple's APNs:
    /// the world's APNs accepts pushes for tokens it does not know from then on.
    pub fn serve_clients_on_system_clock(&self) {
        self.system_clock.store(true, Ordering::Relaxed);
        self.apns.accept_outside_devices();
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
            direct: None,
            factory_pki: self.pki.clone(),
            faults: self.faults.clone(),
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

    /// A client for an admin's evidence collection: the same HTTPS as
    /// [`admin_client`](Self::admin_client), but its reads are not recorded, because reading the
    /// tenant is not part of the story a timeline tells.
    pub fn collector_client(&self) -> HttpsClient {
        HttpsClient::new(
            self.hosts.clone(),
            self.anonymous_tls.clone(),
            HttpVersion::Http1,
            Recorder::new(),
            self.clock.clone(),
            "admin",
        )
    }

    /// The admin API's bearer token.
    pub fn admin_token(&self) -> String {
        self.intune.admin_token().to_string()
    }

    /// The client id and secret of the lab's admin app: a client credentials grant at the
    /// public cloud's token endpoint with them and the scope
    /// `https://graph.microsoft.com/.default` gets an admin API token that lasts an hour.
    pub fn admin_app_credentials(&self) -> (String, String) {
        (
            entra::LAB_ADMIN_APP_ID.to_string(),
            lab_admin_secret(self.intune.admin_token()),
        )
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

    /// Schedules a network fault (see [`FaultTable`]).
    pub fn schedule_fault(&self, fault: Fault) {
        tracing::debug!(?fault, "fault scheduled");
        self.faults.add(fault);
    }

    /// An APNs outage from `from` until `until`: Apple's provider API answers
    /// `503 ServiceUnavailable` with `Retry-After: retry_after_secs`.
    pub fn apns_outage(&self, from: OffsetDateTime, until: OffsetDateTime, retry_after_secs: u64) {
        self.schedule_fault(
            Fault::new(APNS_HOST, FaultVerb::Unavailable { retry_after_secs }).between(from, until),
        );
    }

    /// Stops every service and waits until their ports are free.
    pub async fn shutdown(self) {
        for s in self.servers {
            s.shutdown().await;
        }
    }
}
