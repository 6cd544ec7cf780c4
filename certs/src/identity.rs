//! A certificate with its private key, as a TLS endpoint or a configuration profile needs it.

use p12_keystore::{
    Certificate as P12Certificate, EncryptionAlgorithm, KeyStore, MacAlgorithm, Pkcs12ImportPolicy,
    PrivateKey, PrivateKeyChain,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::CertError;

/// PBKDF iterations of the PKCS#12 files the lab writes (see [`Identity::to_pkcs12`]).
const PKCS12_ITERATIONS: u32 = 64;

/// A leaf certificate, its PKCS#8 private key and the chain above it (issuer first).
#[derive(Clone)]
pub struct Identity {
    cert: CertificateDer<'static>,
    key_pkcs8: Vec<u8>,
    chain: Vec<CertificateDer<'static>>,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        f.debug_struct("Identity")
            .field("subject", &crate::inspect::subject(&self.cert).ok())
            .finish()
    }
}

impl Identity {
    pub(crate) fn new(
        cert: CertificateDer<'static>,
        key_pkcs8: Vec<u8>,
        chain: Vec<CertificateDer<'static>>,
    ) -> Self {
        Identity {
            cert,
            key_pkcs8,
            chain,
        }
    }

    /// An identity a client obtained itself (over SCEP: its own key, the certificate the server
    /// issued for it and the issuers the server sent along, nearest first).
    pub fn from_parts(certificate: Vec<u8>, key_pkcs8: Vec<u8>, chain: Vec<Vec<u8>>) -> Identity {
        Identity::new(
            CertificateDer::from(certificate),
            key_pkcs8,
            chain.into_iter().map(CertificateDer::from).collect(),
        )
    }

    /// The leaf certificate, DER.
    pub fn certificate(&self) -> &CertificateDer<'static> {
        &self.cert
    }

    /// The leaf followed by its issuers, as a TLS endpoint sends it.
    pub fn cert_chain(&self) -> Vec<CertificateDer<'static>> {
        std::iter::once(self.cert.clone())
            .chain(self.chain.iter().cloned())
            .collect()
    }

    /// The private key, as rustls takes it.
    pub fn private_key(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key_pkcs8.clone()))
    }

    /// Packs the identity as PKCS#12, the way a `com.apple.security.pkcs12` payload carries it.
    ///
    /// iOS imports PKCS#12 files protected with the legacy 3DES / SHA-1 algorithms most reliably,
    /// so that is what this writes (the project's stack notes cite the reports of iOS rejecting
    /// AES-protected files). The iteration count is kept low: the password travels in the same
    /// profile, so key stretching buys nothing, while at OpenSSL's 2048 the key derivation was
    /// a fifth of the CPU of a 1000-device load run (`perf` on `enrollsim load`).
    pub fn to_pkcs12(&self, password: &str) -> Result<Vec<u8>, CertError> {
        let p12_err = |e: p12_keystore::error::Error| CertError::Pkcs12Write(e.to_string());
        let key = PrivateKey::from_der(&self.key_pkcs8).map_err(p12_err)?;
        let certs = self
            .cert_chain()
            .iter()
            .map(|c| P12Certificate::from_der(c.as_ref()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(p12_err)?;
        let chain = PrivateKeyChain::new(b"enrollsim-identity".to_vec(), key, certs);
        let mut store = KeyStore::new();
        store.add_entry(
            "identity",
            p12_keystore::KeyStoreEntry::PrivateKeyChain(chain),
        );
        store
            .writer(password)
            .encryption_algorithm(EncryptionAlgorithm::PbeWithShaAnd3KeyTripleDesCbc)
            .mac_algorithm(MacAlgorithm::HmacSha1)
            .encryption_iterations(PKCS12_ITERATIONS)
            .mac_iterations(PKCS12_ITERATIONS)
            .write()
            .map_err(p12_err)
    }

    /// Reads an identity out of a PKCS#12 archive, as iOS does when it installs an identity
    /// payload. A wrong password or damaged data is an error, never a panic.
    pub fn from_pkcs12(data: &[u8], password: &str) -> Result<Identity, CertError> {
        let store = KeyStore::from_pkcs12(data, password, Pkcs12ImportPolicy::Relaxed)
            .map_err(|e| CertError::Pkcs12Read(e.to_string()))?;
        let (_, chain) = store
            .private_key_chain()
            .ok_or_else(|| CertError::Pkcs12Read("the archive holds no private key".into()))?;
        let mut certs = chain
            .certs()
            .iter()
            .map(|c| CertificateDer::from(c.as_der().to_vec()));
        let leaf = certs
            .next()
            .ok_or_else(|| CertError::Pkcs12Read("the private key has no certificate".into()))?;
        Ok(Identity::new(
            leaf,
            chain.key().as_der().to_vec(),
            certs.collect(),
        ))
    }
}

impl Identity {
    /// The APNs identity for a push certificate Apple issued on Intune's certificate request:
    /// Intune generated that request, so it holds the private key (the process-wide push key).
    pub fn push_identity(
        certificate: CertificateDer<'static>,
        pki: &crate::LabPki,
    ) -> Result<Identity, CertError> {
        crate::inspect::facts(&certificate)?;
        let key = crate::keys::key(crate::keys::KeyRole::Push)?;
        Ok(Identity::new(
            certificate,
            key.serialize_der(),
            vec![pki.apple_push_ca.certificate().clone()],
        ))
    }
}
