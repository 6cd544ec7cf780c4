//! rustls configurations for the services and their clients, judged at virtual time.
//!
//! All configurations use the aws-lc-rs provider explicitly (rustls 0.24 will require that) and
//! the world's [`VirtualClock`] as their time provider: a certificate that has expired in the
//! scenario's world fails the handshake exactly as an expired certificate does for real.

use std::sync::{Arc, OnceLock};

use enrollsim_certs::Identity;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::CertificateDer;
use rustls::server::WebPkiClientVerifier;
use rustls::{ClientConfig, RootCertStore, ServerConfig};

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
}

/// The process-wide crypto provider (aws-lc-rs).
pub fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    PROVIDER
        .get_or_init(|| Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
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
    let builder = ServerConfig::builder_with_details(provider(), Arc::new(clock.clone()))
        .with_protocol_versions(rustls::DEFAULT_VERSIONS)?;
    let builder = match client_auth {
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
    };
    let mut config = builder.with_single_cert(identity.cert_chain(), identity.private_key())?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// The HTTP version a client speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpVersion {
    /// HTTP/1.1, as iOS's URL loading system uses for MDM.
    Http1,
    /// HTTP/2, which Apple's APNs provider API requires.
    Http2,
}

/// A client configuration trusting `trust`, presenting `identity` if given.
pub fn client_config(
    trust: &[CertificateDer<'static>],
    identity: Option<&Identity>,
    version: HttpVersion,
    clock: &VirtualClock,
) -> Result<Arc<ClientConfig>, TlsConfigError> {
    let builder = ClientConfig::builder_with_details(provider(), Arc::new(clock.clone()))
        .with_protocol_versions(rustls::DEFAULT_VERSIONS)?
        .with_root_certificates(roots(trust)?);
    let mut config = match identity {
        Some(id) => builder.with_client_auth_cert(id.cert_chain(), id.private_key())?,
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = match version {
        HttpVersion::Http1 => vec![b"http/1.1".to_vec()],
        HttpVersion::Http2 => vec![b"h2".to_vec()],
    };
    Ok(Arc::new(config))
}
