//! rustls configurations for the services and their clients, judged at virtual time.
//!
//! All configurations use the aws-lc-rs provider explicitly (rustls 0.24 will require that) and
//! the world's [`VirtualClock`] as their time provider: a certificate that has expired in the
//! scenario's world fails the handshake exactly as an expired certificate does for real.
//!
//! Every configuration logs its TLS secrets to the file named by `SSLKEYLOGFILE` when that is set
//! (NSS key log format, what Wireshark reads to decrypt a capture of a run); unset, nothing is
//! written.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use enrollsim_certs::{Identity, LabPki};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::CertificateDer;
use rustls::server::WantsServerCert;
use rustls::server::{ClientHello, ResolvesServerCert, WebPkiClientVerifier};
use rustls::sign::{CertifiedKey, SigningKey, SingleCertAndKey};
use rustls::{ClientConfig, ConfigBuilder, RootCertStore, ServerConfig};
use time::{Duration, OffsetDateTime};

use crate::clock::VirtualClock;

/// Why a TLS configuration could not be built.
#[derive(Debug, thiserror::Error)]
pub enum TlsConfigError {
    /// rustls rejected a certificate, key or setting.
    #[error("TLS configuration: {0}")]
    Rustls(#[from] rustls::Error),
    /// A trust anchor could not be added or the client verifier could not be built.
    #[error("TLS trust configuration: {0}")]
    Trust(String),
    /// A service's TLS leaf could not be issued.
    #[error("TLS leaf: {0}")]
    Leaf(#[from] enrollsim_certs::CertError),
}

/// The process-wide crypto provider (aws-lc-rs).
pub fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    PROVIDER
        .get_or_init(|| Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
        .clone()
}

/// The process-wide crypto provider of the simulated clients: aws-lc-rs with the TLS 1.3
/// suites in the order iOS's ClientHello offers them, TLS_AES_128_GCM_SHA256 first (captures of
/// Safari on iOS 17 list 0x1301, 0x1302, 0x1303: e.g. penumbra-x/rquest,
/// `src/tls/impersonate/safari/mod.rs`, the cipher list its `safari_ios_17_2` profile sends).
/// rustls's default puts TLS_AES_256_GCM_SHA384 first, and a rustls server follows the client's
/// order, so without this every handshake ran its key schedule on SHA-384 where an iPhone's
/// runs on SHA-256. The TLS 1.2 suites keep rustls's order: nothing here negotiates TLS 1.2.
///
/// Key exchange groups as iOS before 26 offers them: X25519 (with its key share), then P-256
/// and P-384 (the same Safari captures: supported groups 0x001d, 0x0017, 0x0018, 0x0019, key
/// share x25519; P-521 is not in rustls's aws-lc-rs provider). The hybrid X25519MLKEM768 that
/// rustls offers first by default only comes with iOS 26, which "will include X25519MLKEM768 in
/// the supported_groups extension ... along with a corresponding key share" (Apple, "Prepare
/// your network for quantum-secure encryption in TLS", support.apple.com/122756); the lab's
/// devices run older releases (iOS 17.5 by default, no scenario runs 26), so their handshakes
/// are plain X25519.
pub fn client_provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    PROVIDER
        .get_or_init(|| {
            use rustls::crypto::aws_lc_rs::{cipher_suite, kx_group};
            let mut provider = rustls::crypto::aws_lc_rs::default_provider();
            provider.kx_groups = vec![kx_group::X25519, kx_group::SECP256R1, kx_group::SECP384R1];
            let ios_tls13_order = [
                cipher_suite::TLS13_AES_128_GCM_SHA256,
                cipher_suite::TLS13_AES_256_GCM_SHA384,
                cipher_suite::TLS13_CHACHA20_POLY1305_SHA256,
            ];
            let tls12 = provider
                .cipher_suites
                .iter()
                .filter(|s| s.tls13().is_none())
                .copied();
            provider.cipher_suites = ios_tls13_order.into_iter().chain(tls12).collect();
            Arc::new(provider)
        })
        .clone()
}

/// The process-wide key log: one writer shared by every configuration, so that lines from
/// concurrent handshakes do not interleave inside one another in the file.
fn key_log() -> Arc<dyn rustls::KeyLog> {
    static KEY_LOG: OnceLock<Arc<rustls::KeyLogFile>> = OnceLock::new();
    KEY_LOG
        .get_or_init(|| Arc::new(rustls::KeyLogFile::new()))
        .clone()
}

/// Whether and how a server asks for client certificates.
#[derive(Debug, Clone)]
pub enum ClientAuth {
    /// No client certificate is asked for.
    None,
    /// A certificate is asked for; if one is sent it must chain to these roots; if none is sent
    /// the request goes through without identity and the service decides (Intune's MDM
    /// endpoints answer 401, as MDM servers do).
    Optional(Vec<CertificateDer<'static>>),
    /// A certificate chaining to these roots is required to finish the handshake (APNs).
    Required(Vec<CertificateDer<'static>>),
}

fn roots(certs: &[CertificateDer<'static>]) -> Result<Arc<RootCertStore>, TlsConfigError> {
    let mut store = RootCertStore::empty();
    for c in certs {
        store
            .add(c.clone())
            .map_err(|e| TlsConfigError::Trust(e.to_string()))?;
    }
    Ok(Arc::new(store))
}

/// A server configuration presenting `identity`.
pub fn server_config(
    identity: &Identity,
    client_auth: ClientAuth,
    clock: &VirtualClock,
) -> Result<Arc<ServerConfig>, TlsConfigError> {
    let mut config = server_builder(client_auth, clock)?
        .with_single_cert(identity.cert_chain(), identity.private_key())?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    config.key_log = key_log();
    config.ticketer = session_tickets()?;
    Ok(Arc::new(config))
}

/// A server configuration presenting whichever leaf `leaves` serves at the handshake's moment.
pub fn rotating_server_config(
    leaves: Arc<RotatingLeaf>,
    client_auth: ClientAuth,
    clock: &VirtualClock,
) -> Result<Arc<ServerConfig>, TlsConfigError> {
    let mut config = server_builder(client_auth, clock)?.with_cert_resolver(leaves);
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    config.key_log = key_log();
    config.ticketer = session_tickets()?;
    Ok(Arc::new(config))
}

/// Stateless TLS 1.3 session tickets, as the real services' front ends issue: a device
/// checking in again resumes its session (its identity travels in the ticket) instead of a full
/// mutual-TLS handshake, however many devices there are. rustls's default keeps at most 256
/// sessions in memory, which a fleet of thousands evicts before anyone returns. A ticket lives
/// six hours of virtual time; past that the handshake is a full one, certificates judged anew.
fn session_tickets() -> Result<Arc<dyn rustls::server::ProducesTickets>, TlsConfigError> {
    Ok(rustls::crypto::aws_lc_rs::Ticketer::new()?)
}

fn server_builder(
    client_auth: ClientAuth,
    clock: &VirtualClock,
) -> Result<ConfigBuilder<ServerConfig, WantsServerCert>, TlsConfigError> {
    let builder = ServerConfig::builder_with_details(provider(), Arc::new(clock.clone()))
        .with_protocol_versions(rustls::DEFAULT_VERSIONS)?;
    Ok(match client_auth {
        ClientAuth::None => builder.with_no_client_auth(),
        ClientAuth::Optional(ca) | ClientAuth::Required(ca) if ca.is_empty() => {
            builder.with_no_client_auth()
        }
        ClientAuth::Optional(ca) => {
            let v = WebPkiClientVerifier::builder_with_provider(roots(&ca)?, provider())
                .allow_unauthenticated()
                .build()
                .map_err(|e| TlsConfigError::Trust(e.to_string()))?;
            builder.with_client_cert_verifier(v)
        }
        ClientAuth::Required(ca) => {
            let v = WebPkiClientVerifier::builder_with_provider(roots(&ca)?, provider())
                .build()
                .map_err(|e| TlsConfigError::Trust(e.to_string()))?;
            builder.with_client_cert_verifier(v)
        }
    })
}

/// How long a service's TLS leaf is valid: a year, within the CA/Browser Forum's 398-day
/// ceiling that the public CAs issuing Microsoft's and Apple's service certificates follow.
pub const LEAF_LIFETIME: Duration = Duration::days(365);

/// How long before its leaf expires a service puts a new one in place.
pub const LEAF_RENEWAL_MARGIN: Duration = Duration::days(60);

/// How far a leaf is back-dated: a party's clock may lag the world's (a device's own clock
/// catches up when it next acts), and it must still accept the leaf the service presents.
const LEAF_BACKDATE: Duration = Duration::days(30);

/// One service's TLS leaf, rotated as the real services rotate theirs.
///
/// Rotation rather than one certificate spanning the whole timeline: Microsoft's and Apple's
/// endpoints present leaves of a year or less and put a new one in place weeks before the old
/// one expires, so a world whose history covers years sees several leaves, as a client talking
/// to the real services over years would. Issuing a leaf with the lab's shared keys costs tens
/// of microseconds, and a leaf is only issued when a handshake finds the current one due, so
/// rotation costs nothing noticeable.
///
/// Leaves are judged at the world's virtual time. A world served to outside clients (see
/// [`RotatingLeaf::also_cover_system_clock`]) is also judged by the system clock, which may
/// lie far behind a world whose history advanced it: then the leaf's window is widened to
/// cover the system clock's now as well, since no single year-long leaf could.
pub struct RotatingLeaf {
    pki: Arc<LabPki>,
    hosts: Vec<String>,
    clock: VirtualClock,
    system_clock: Arc<AtomicBool>,
    current: Mutex<Option<Leaf>>,
}

struct Leaf {
    /// Whether the leaf also names 127.0.0.1 (issued while outside clients were served).
    names_address: bool,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    key: Arc<CertifiedKey>,
}

impl std::fmt::Debug for RotatingLeaf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RotatingLeaf")
            .field("hosts", &self.hosts)
            .finish_non_exhaustive()
    }
}

impl RotatingLeaf {
    /// The leaves for `hosts`, issued by `pki`'s lab root on `clock`'s time. `system_clock`,
    /// shared by every service of a world, says whether outside clients judge them too.
    pub fn new(
        pki: Arc<LabPki>,
        hosts: &[&str],
        clock: VirtualClock,
        system_clock: Arc<AtomicBool>,
    ) -> Self {
        RotatingLeaf {
            pki,
            hosts: hosts.iter().map(|h| (*h).to_string()).collect(),
            clock,
            system_clock,
            current: Mutex::new(None),
        }
    }

    /// The leaf presented now, issuing a new one first when the current one does not cover
    /// the moments it is judged at or is within [`LEAF_RENEWAL_MARGIN`] of expiring.
    pub fn current(&self) -> Result<Arc<CertifiedKey>, TlsConfigError> {
        let now = self.clock.now();
        let mut moments = vec![now];
        let served_outside = self.system_clock.load(Ordering::Relaxed);
        if served_outside {
            moments.push(OffsetDateTime::now_utc());
        }
        let earliest = moments.iter().copied().min().unwrap_or(now);
        let latest = moments.iter().copied().max().unwrap_or(now);
        let mut current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(leaf) = current.as_ref() {
            if leaf.not_before <= earliest
                && latest < leaf.not_after - LEAF_RENEWAL_MARGIN
                && leaf.names_address == served_outside
            {
                return Ok(leaf.key.clone());
            }
        }
        let leaf = self.issue(earliest - LEAF_BACKDATE, latest + LEAF_LIFETIME)?;
        let key = leaf.key.clone();
        tracing::debug!(hosts = ?self.hosts, not_after = %leaf.not_after, "new TLS leaf");
        *current = Some(leaf);
        Ok(key)
    }

    fn issue(
        &self,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> Result<Leaf, TlsConfigError> {
        let mut hosts: Vec<&str> = self.hosts.iter().map(String::as_str).collect();
        let served_outside = self.system_clock.load(Ordering::Relaxed);
        if served_outside {
            // Outside clients reach a served world by address (the enrollment profile of
            // `enrollsim serve` names https://127.0.0.1:PORT), so its leaves name it too.
            hosts.push("127.0.0.1");
        }
        let identity = self
            .pki
            .server_identity_between(&hosts, not_before, not_after)?;
        let key =
            CertifiedKey::from_der(identity.cert_chain(), identity.private_key(), &provider())?;
        Ok(Leaf {
            names_address: served_outside,
            not_before,
            not_after,
            key: Arc::new(key),
        })
    }
}

impl ResolvesServerCert for RotatingLeaf {
    fn resolve(&self, _client_hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        match self.current() {
            Ok(key) => Some(key),
            Err(e) => {
                // rustls aborts the handshake on None, which is what a service without a
                // usable certificate does.
                tracing::warn!(hosts = ?self.hosts, error = %e, "no TLS leaf");
                None
            }
        }
    }
}

/// The HTTP version a client speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpVersion {
    /// HTTP/1.1, as iOS's URL loading system uses for MDM.
    Http1,
    /// HTTP/2, which Apple's APNs provider API requires.
    Http2,
}

/// How many parsed client keys [`client_signing_key`] keeps before it starts over.
const CLIENT_KEYS: usize = 64;

/// Parsed signing keys by their PKCS#8 DER.
type SigningKeysByDer = HashMap<Vec<u8>, Arc<dyn SigningKey>>;

/// The signing key of `identity`'s private key, parsed once per key for the process.
///
/// Identities share the lab's keys (see `enrollsim_certs::keys`: a device's SCEP key comes from
/// a small pool), while each device builds its own client configuration. Parsing the PKCS#8 key
/// per configuration made every device's first mutual-TLS handshake pay for a new aws-lc RSA
/// object: the key's checks, its Montgomery contexts and its first blinding factor (a modular
/// inverse), about as much as the CertificateVerify signature itself. What goes on the wire is
/// the same: the same key signs.
fn client_signing_key(identity: &Identity) -> Result<Arc<dyn SigningKey>, TlsConfigError> {
    static KEYS: OnceLock<Mutex<SigningKeysByDer>> = OnceLock::new();
    let der = identity.private_key();
    let mut keys = KEYS
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if let Some(key) = keys.get(der.secret_der()) {
        return Ok(key.clone());
    }
    let key = client_provider()
        .key_provider
        .load_private_key(der.clone_key())?;
    if keys.len() >= CLIENT_KEYS {
        keys.clear();
    }
    keys.insert(der.secret_der().to_vec(), key.clone());
    Ok(key)
}

/// How many TLS sessions (one per host) a client configuration keeps for resumption.
const CLIENT_SESSIONS: usize = 16;

/// A client configuration trusting `trust`, presenting `identity` if given.
pub fn client_config(
    trust: &[CertificateDer<'static>],
    identity: Option<&Identity>,
    version: HttpVersion,
    clock: &VirtualClock,
) -> Result<Arc<ClientConfig>, TlsConfigError> {
    client_config_judged_by(trust, identity, version, Arc::new(clock.clone()))
}

/// A client configuration like [`client_config`] that judges certificates by `time`: a
/// device's own clock, which may be off the world's.
pub fn client_config_judged_by(
    trust: &[CertificateDer<'static>],
    identity: Option<&Identity>,
    version: HttpVersion,
    time: Arc<dyn rustls::time_provider::TimeProvider>,
) -> Result<Arc<ClientConfig>, TlsConfigError> {
    let builder = ClientConfig::builder_with_details(client_provider(), time)
        .with_protocol_versions(rustls::DEFAULT_VERSIONS)?
        .with_root_certificates(roots(trust)?);
    let mut config = match identity {
        Some(id) => {
            let key = CertifiedKey::new(id.cert_chain(), client_signing_key(id)?);
            key.keys_match()?;
            builder.with_client_cert_resolver(Arc::new(SingleCertAndKey::from(key)))
        }
        None => builder.with_no_client_auth(),
    };
    // One party talks to a handful of hosts; rustls's default cache reserves room for 256
    // sessions in every configuration, which a fleet of devices with their own identity
    // configuration pays for per device.
    config.resumption = rustls::client::Resumption::in_memory_sessions(CLIENT_SESSIONS);
    config.alpn_protocols = match version {
        HttpVersion::Http1 => vec![b"http/1.1".to_vec()],
        HttpVersion::Http2 => vec![b"h2".to_vec()],
    };
    config.key_log = key_log();
    Ok(Arc::new(config))
}
