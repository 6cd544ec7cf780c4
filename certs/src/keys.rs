//! Keys generated once per process and shared by every world.
//!
//! rcgen signs certificates in microseconds but an RSA-2048 key costs about 50 ms to generate
//! (see the project's stack notes), so the PKI never generates a key per certificate: each role
//! has one key for the whole process. Certificates still differ per world and per device
//! (subject, serial number, validity), which is all the protocol looks at.

use std::sync::OnceLock;

use rcgen::{KeyPair, RsaKeySize, PKCS_ECDSA_P256_SHA256, PKCS_RSA_SHA256};

use crate::CertError;

/// The roles that own a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRole {
    /// The lab root CA that issues TLS server certificates.
    LabRoot,
    /// The CA playing Apple's push certificate authority.
    ApplePushCa,
    /// The CA Intune uses to issue device identities (RSA-2048).
    IntuneDeviceCa,
    /// The CA playing Apple's iPhone Device CA (the factory identities ADE devices sign with).
    AppleDeviceCa,
    /// Every TLS server certificate.
    Server,
    /// The tenant's APNs push certificate (RSA-2048, as Apple issues them).
    Push,
    /// Device identity certificates.
    Device,
}

struct Keys {
    lab_root: KeyPair,
    push_ca: KeyPair,
    device_ca: KeyPair,
    apple_device_ca: KeyPair,
    server: KeyPair,
    push: KeyPair,
    device: KeyPair,
}

static KEYS: OnceLock<Result<Keys, String>> = OnceLock::new();

fn p256() -> Result<KeyPair, rcgen::Error> {
    KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)
}

fn generate() -> Result<Keys, rcgen::Error> {
    Ok(Keys {
        lab_root: p256()?,
        push_ca: p256()?,
        // RSA, as the CA behind Intune's SCEP service (NDES-style) is: SCEP clients such as
        // micromdm/scep envelope their request to every certificate of the GetCACert answer,
        // and PKCS#7 enveloping needs RSA recipients.
        device_ca: KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, RsaKeySize::_2048)?,
        apple_device_ca: p256()?,
        server: p256()?,
        push: KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, RsaKeySize::_2048)?,
        device: p256()?,
    })
}

/// The shared key of a role, generated on first use.
pub fn key(role: KeyRole) -> Result<&'static KeyPair, CertError> {
    let keys = KEYS
        .get_or_init(|| generate().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| CertError::KeyGeneration(e.clone()))?;
    Ok(match role {
        KeyRole::LabRoot => &keys.lab_root,
        KeyRole::ApplePushCa => &keys.push_ca,
        KeyRole::IntuneDeviceCa => &keys.device_ca,
        KeyRole::AppleDeviceCa => &keys.apple_device_ca,
        KeyRole::Server => &keys.server,
        KeyRole::Push => &keys.push,
        KeyRole::Device => &keys.device,
    })
}

/// How many RSA keys the pool holds: devices take them in turn, so a process generates this many
/// RSA-2048 keys once however many devices enroll.
pub const RSA_POOL_SIZE: usize = 4;

static RSA_POOL: OnceLock<Result<Vec<KeyPair>, String>> = OnceLock::new();

/// An RSA-2048 key from the process's pool, for what must be RSA: a device's SCEP key (the
/// SCEP payload says `Key Type` RSA) and the SCEP RA's key (the key a SCEP client envelopes its
/// request to). Generated on first use, apart from the other roles' keys, so a process that never
/// runs SCEP never pays for them.
pub fn rsa_pool_key(index: usize) -> Result<&'static KeyPair, CertError> {
    let pool = RSA_POOL
        .get_or_init(|| {
            (0..RSA_POOL_SIZE)
                .map(|_| KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, RsaKeySize::_2048))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| CertError::KeyGeneration(e.clone()))?;
    Ok(&pool[index % RSA_POOL_SIZE])
}
