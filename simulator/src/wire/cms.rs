//! CMS (RFC 5652) as Apple's protocols use it: SignedData, attached or detached, for SCEP
//! messages, `Mdm-Signature` and the ADE `MachineInfo`; EnvelopedData (RSA key transport,
//! AES-CBC) for the SCEP request and certificate. The ASN.1 structures are RustCrypto's `cms`
//! and `x509-cert`; the crypto is aws-lc-rs, the one crypto library the workspace already builds.
//!
//! Only what those protocols need is here: one signer, SHA-256 (SHA-1 accepted when verifying,
//! as older SCEP clients still sign with it), RSA or ECDSA P-256 signers, one RSA recipient.

use aws_lc_rs::cipher::{
    DecryptionContext, PaddedBlockDecryptingKey, PaddedBlockEncryptingKey, UnboundCipherKey,
    AES_128, AES_256,
};
use aws_lc_rs::digest;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use aws_lc_rs::rsa::{
    Pkcs1PrivateDecryptingKey, Pkcs1PublicEncryptingKey, PrivateDecryptingKey, PublicEncryptingKey,
};
use aws_lc_rs::signature::{self, EcdsaKeyPair, RsaKeyPair, UnparsedPublicKey};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::enveloped_data::{
    EncryptedContentInfo, EnvelopedData, KeyTransRecipientInfo, RecipientIdentifier, RecipientInfo,
    RecipientInfos,
};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use const_oid::ObjectIdentifier;
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode};
use thiserror::Error;
use x509_cert::attr::{Attribute, Attributes};
use x509_cert::spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;

/// The object identifiers this module reads and writes.
pub mod oid {
    use const_oid::ObjectIdentifier;

    /// `id-data`.
    pub const DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
    /// `id-signedData`.
    pub const SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
    /// `id-envelopedData`.
    pub const ENVELOPED_DATA: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.3");
    /// The `contentType` signed attribute.
    pub const CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
    /// The `messageDigest` signed attribute.
    pub const MESSAGE_DIGEST: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
    /// SHA-256.
    pub const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
    /// SHA-1.
    pub const SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
    /// `rsaEncryption` (also what many CMS writers put as the signature algorithm).
    pub const RSA_ENCRYPTION: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
    /// `sha256WithRSAEncryption`.
    pub const SHA256_WITH_RSA: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
    /// `sha1WithRSAEncryption`.
    pub const SHA1_WITH_RSA: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.5");
    /// `ecdsa-with-SHA256`.
    pub const ECDSA_WITH_SHA256: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
    /// `aes128-CBC`.
    pub const AES128_CBC: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.2");
    /// `desCBC` (read only: older SCEP servers still answer with it).
    pub const DES_CBC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.7");
    /// `des-ede3-cbc` (read only).
    pub const DES_EDE3_CBC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.3.7");
    /// `aes256-CBC`.
    pub const AES256_CBC: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.42");
}

/// Why a CMS structure could not be made or read.
#[derive(Debug, Error)]
pub enum CmsError {
    /// The bytes are not the DER structure expected.
    #[error("malformed CMS: {0}")]
    Malformed(String),
    /// The structure is well formed but uses something this module does not support.
    #[error("unsupported CMS: {0}")]
    Unsupported(String),
    /// The signature or the message digest does not match the content.
    #[error("CMS signature does not verify")]
    BadSignature,
    /// A key could not be used (wrong type, rejected by aws-lc).
    #[error("CMS key: {0}")]
    Key(String),
    /// Decryption failed: not for this key, or corrupt.
    #[error("CMS content cannot be decrypted")]
    Decrypt,
}

impl From<der::Error> for CmsError {
    fn from(e: der::Error) -> Self {
        CmsError::Malformed(e.to_string())
    }
}

enum SigningKey {
    Rsa(std::sync::Arc<RsaKeyPair>),
    EcdsaP256(EcdsaKeyPair),
}

/// Parsed RSA keys by their PKCS#8 bytes. Reading an RSA private key checks it (modular
/// arithmetic that costs about as much as a signature), and the lab's RSA keys are few: the
/// process's pool and each world's RA. Bounded, so a caller with fresh keys cannot grow it.
struct RsaKeyCache<T> {
    keys: std::sync::Mutex<Vec<(Vec<u8>, std::sync::Arc<T>)>>,
}

const RSA_KEY_CACHE_SIZE: usize = 64;

impl<T> RsaKeyCache<T> {
    const fn new() -> Self {
        RsaKeyCache {
            keys: std::sync::Mutex::new(Vec::new()),
        }
    }

    fn get_or_parse<E>(
        &self,
        pkcs8: &[u8],
        parse: impl FnOnce(&[u8]) -> Result<T, E>,
    ) -> Result<std::sync::Arc<T>, E> {
        let lock = || self.keys.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, key)) = lock().iter().find(|(k, _)| k == pkcs8) {
            return Ok(key.clone());
        }
        let key = std::sync::Arc::new(parse(pkcs8)?);
        let mut keys = lock();
        if keys.len() >= RSA_KEY_CACHE_SIZE {
            keys.remove(0);
        }
        keys.push((pkcs8.to_vec(), key.clone()));
        Ok(key)
    }
}

static SIGNING_KEYS: RsaKeyCache<RsaKeyPair> = RsaKeyCache::new();
static DECRYPTING_KEYS: RsaKeyCache<Pkcs1PrivateDecryptingKey> = RsaKeyCache::new();

/// Who signs: a private key (PKCS#8, RSA or ECDSA P-256) and its certificate.
pub struct Signer {
    key: SigningKey,
    certificate: Certificate,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer").finish_non_exhaustive()
    }
}

impl Signer {
    /// A signer from a PKCS#8 private key and its DER certificate.
    pub fn new(pkcs8: &[u8], certificate_der: &[u8]) -> Result<Signer, CmsError> {
        let key = match SIGNING_KEYS.get_or_parse(pkcs8, RsaKeyPair::from_pkcs8) {
            Ok(rsa) => SigningKey::Rsa(rsa),
            Err(_) => SigningKey::EcdsaP256(
                EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8)
                    .map_err(|e| CmsError::Key(e.to_string()))?,
            ),
        };
        Ok(Signer {
            key,
            certificate: Certificate::from_der(certificate_der)?,
        })
    }

    fn signature_algorithm(&self) -> AlgorithmIdentifierOwned {
        match self.key {
            SigningKey::Rsa(_) => algorithm(oid::SHA256_WITH_RSA, Some(null())),
            SigningKey::EcdsaP256(_) => algorithm(oid::ECDSA_WITH_SHA256, None),
        }
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, CmsError> {
        let rng = SystemRandom::new();
        match &self.key {
            SigningKey::Rsa(key) => {
                let mut out = vec![0; key.public_modulus_len()];
                key.sign(&signature::RSA_PKCS1_SHA256, &rng, message, &mut out)
                    .map_err(|e| CmsError::Key(e.to_string()))?;
                Ok(out)
            }
            SigningKey::EcdsaP256(key) => Ok(key
                .sign(&rng, message)
                .map_err(|e| CmsError::Key(e.to_string()))?
                .as_ref()
                .to_vec()),
        }
    }
}

fn null() -> Any {
    Any::null()
}

fn algorithm(oid: ObjectIdentifier, parameters: Option<Any>) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned { oid, parameters }
}

/// One signed attribute with a single value.
pub fn attribute(oid: ObjectIdentifier, value: Any) -> Result<Attribute, CmsError> {
    let mut values = SetOfVec::new();
    values.insert(value)?;
    Ok(Attribute { oid, values })
}

fn issuer_and_serial(certificate: &Certificate) -> IssuerAndSerialNumber {
    IssuerAndSerialNumber {
        issuer: certificate.tbs_certificate().issuer().clone(),
        serial_number: certificate.tbs_certificate().serial_number().clone(),
    }
}

/// Signs `content` (type `id-data`) as a CMS `ContentInfo` holding SignedData, DER. With
/// `attached` the content travels inside (SCEP, `MachineInfo`); without, the signature is
/// detached (`Mdm-Signature`). `extra` signed attributes go with `contentType` and
/// `messageDigest` (SCEP's transaction attributes).
pub fn sign(
    signer: &Signer,
    content: Option<&[u8]>,
    attached: bool,
    extra: Vec<Attribute>,
) -> Result<Vec<u8>, CmsError> {
    let body = content.unwrap_or_default();
    let digest = digest::digest(&digest::SHA256, body);
    let mut signed_attrs = Attributes::new();
    signed_attrs.insert(attribute(oid::CONTENT_TYPE, Any::encode_from(&oid::DATA)?)?)?;
    signed_attrs.insert(attribute(
        oid::MESSAGE_DIGEST,
        Any::encode_from(&OctetString::new(digest.as_ref())?)?,
    )?)?;
    for extra_attribute in extra {
        signed_attrs.insert(extra_attribute)?;
    }
    let signature = signer.sign(&signed_attrs.to_der()?)?;
    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(issuer_and_serial(&signer.certificate)),
        digest_alg: algorithm(oid::SHA256, None),
        signed_attrs: Some(signed_attrs),
        signature_algorithm: signer.signature_algorithm(),
        signature: OctetString::new(signature)?,
        unsigned_attrs: None,
    };
    let econtent = match content {
        Some(body) if attached => Some(Any::encode_from(&OctetString::new(body)?)?),
        _ => None,
    };
    let mut certificates = SetOfVec::new();
    certificates.insert(CertificateChoices::Certificate(signer.certificate.clone()))?;
    let mut digest_algorithms = SetOfVec::new();
    digest_algorithms.insert(algorithm(oid::SHA256, None))?;
    let mut signer_infos = SetOfVec::new();
    signer_infos.insert(signer_info)?;
    let signed_data = SignedData {
        version: CmsVersion::V1,
        digest_algorithms,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: oid::DATA,
            econtent,
        },
        certificates: Some(CertificateSet(certificates)),
        crls: None,
        signer_infos: SignerInfos(signer_infos),
    };
    wrap(oid::SIGNED_DATA, &signed_data)
}

/// A "degenerate" SignedData: certificates only, no signer (RFC 8894's certs-only message, how
/// a SCEP server hands out its CA and RA certificates and the issued certificate).
pub fn certificates_only(certificates_der: &[&[u8]]) -> Result<Vec<u8>, CmsError> {
    let mut certificates = SetOfVec::new();
    for der in certificates_der {
        certificates.insert(CertificateChoices::Certificate(Certificate::from_der(der)?))?;
    }
    let signed_data = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::new(),
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: oid::DATA,
            econtent: None,
        },
        certificates: Some(CertificateSet(certificates)),
        crls: None,
        signer_infos: SignerInfos(SetOfVec::new()),
    };
    wrap(oid::SIGNED_DATA, &signed_data)
}

fn wrap(content_type: ObjectIdentifier, content: &impl Encode) -> Result<Vec<u8>, CmsError> {
    Ok(ContentInfo {
        content_type,
        content: Any::from_der(&content.to_der()?)?,
    }
    .to_der()?)
}

fn unwrap_signed_data(der: &[u8]) -> Result<SignedData, CmsError> {
    let info = ContentInfo::from_der(der)?;
    if info.content_type != oid::SIGNED_DATA {
        return Err(CmsError::Unsupported(format!(
            "content type {} is not signedData",
            info.content_type
        )));
    }
    Ok(info.content.decode_as::<SignedData>()?)
}

/// The certificates a SignedData carries, DER, in its order (a certs-only message's payload).
pub fn certificates_of(der: &[u8]) -> Result<Vec<Vec<u8>>, CmsError> {
    let signed_data = unwrap_signed_data(der)?;
    let mut out = Vec::new();
    for choice in signed_data.certificates.iter().flat_map(|set| set.0.iter()) {
        if let CertificateChoices::Certificate(certificate) = choice {
            out.push(certificate.to_der()?);
        }
    }
    Ok(out)
}

/// A SignedData whose signature checked out.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The signed content: the attached one, or the detached one given.
    pub content: Vec<u8>,
    /// The signer's certificate, DER.
    pub signer_certificate: Vec<u8>,
    /// The signed attributes (SCEP reads its transaction attributes here).
    pub signed_attributes: Vec<Attribute>,
}

impl Verified {
    /// The first value of the signed attribute `oid`.
    pub fn attribute(&self, oid: ObjectIdentifier) -> Option<&Any> {
        self.signed_attributes
            .iter()
            .find(|a| a.oid == oid)
            .and_then(|a| a.values.iter().next())
    }
}

/// Verifies a CMS SignedData (DER) made by one signer whose certificate it carries, against its
/// attached content or, when `detached` is given, against that. Whether the signer is to be
/// trusted is the caller's question: this only proves the signer's key signed these bytes.
pub fn verify(der: &[u8], detached: Option<&[u8]>) -> Result<Verified, CmsError> {
    let signed_data = unwrap_signed_data(der)?;
    let content = match (&signed_data.encap_content_info.econtent, detached) {
        (_, Some(body)) => body.to_vec(),
        (Some(econtent), None) => econtent.decode_as::<OctetString>()?.into_bytes().into(),
        (None, None) => Vec::new(),
    };
    let signer_info = signed_data
        .signer_infos
        .0
        .iter()
        .next()
        .ok_or_else(|| CmsError::Malformed("no signer".into()))?;
    let certificate = signer_certificate(&signed_data, &signer_info.sid)?;
    let digest_algorithm = match signer_info.digest_alg.oid {
        oid::SHA256 => &digest::SHA256,
        oid::SHA1 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
        other => return Err(CmsError::Unsupported(format!("digest {other}"))),
    };
    let (signed_message, signed_attributes) = match &signer_info.signed_attrs {
        Some(attrs) => {
            let claimed = attrs
                .iter()
                .find(|a| a.oid == oid::MESSAGE_DIGEST)
                .and_then(|a| a.values.iter().next())
                .ok_or_else(|| CmsError::Malformed("no messageDigest".into()))?
                .decode_as::<OctetString>()?;
            if claimed.as_bytes() != digest::digest(digest_algorithm, &content).as_ref() {
                return Err(CmsError::BadSignature);
            }
            (attrs.to_der()?, attrs.iter().cloned().collect())
        }
        None => (content.clone(), Vec::new()),
    };
    check_signature(
        &certificate,
        signer_info.signature_algorithm.oid,
        signer_info.digest_alg.oid,
        &signed_message,
        signer_info.signature.as_bytes(),
    )?;
    Ok(Verified {
        content,
        signer_certificate: certificate.to_der()?,
        signed_attributes,
    })
}

fn signer_certificate(
    signed_data: &SignedData,
    sid: &SignerIdentifier,
) -> Result<Certificate, CmsError> {
    let SignerIdentifier::IssuerAndSerialNumber(wanted) = sid else {
        return Err(CmsError::Unsupported("subjectKeyIdentifier signer".into()));
    };
    signed_data
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .find_map(|choice| match choice {
            CertificateChoices::Certificate(c) if issuer_and_serial(c) == *wanted => {
                Some(c.clone())
            }
            _ => None,
        })
        .ok_or_else(|| CmsError::Malformed("signer certificate not included".into()))
}

fn check_signature(
    certificate: &Certificate,
    signature_oid: ObjectIdentifier,
    digest_oid: ObjectIdentifier,
    message: &[u8],
    signature_bytes: &[u8],
) -> Result<(), CmsError> {
    let spki = certificate.tbs_certificate().subject_public_key_info();
    let public_key = spki.subject_public_key.raw_bytes();
    let algorithm: &dyn signature::VerificationAlgorithm = match (signature_oid, digest_oid) {
        (oid::SHA256_WITH_RSA, _) | (oid::RSA_ENCRYPTION, oid::SHA256) => {
            &signature::RSA_PKCS1_2048_8192_SHA256
        }
        (oid::SHA1_WITH_RSA, _) | (oid::RSA_ENCRYPTION, oid::SHA1) => {
            &signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY
        }
        (oid::ECDSA_WITH_SHA256, _) => &signature::ECDSA_P256_SHA256_ASN1,
        (other, _) => return Err(CmsError::Unsupported(format!("signature {other}"))),
    };
    UnparsedPublicKey::new(algorithm, public_key)
        .verify(message, signature_bytes)
        .map_err(|_| CmsError::BadSignature)
}

/// Whether `certificate_der` carries a valid signature of `issuer_der`'s key and names it as
/// issuer: the chain check a server makes of a certificate that reached it inside a signature
/// rather than through a TLS handshake (validity dates are the caller's, at its virtual time).
pub fn issued_by(certificate_der: &[u8], issuer_der: &[u8]) -> bool {
    let (Ok(certificate), Ok(issuer)) = (
        Certificate::from_der(certificate_der),
        Certificate::from_der(issuer_der),
    ) else {
        return false;
    };
    if certificate.tbs_certificate().issuer() != issuer.tbs_certificate().subject() {
        return false;
    }
    let Ok(tbs) = certificate.tbs_certificate().to_der() else {
        return false;
    };
    let Some(signature_bytes) = certificate.signature().as_bytes() else {
        return false;
    };
    check_signature(
        &issuer,
        certificate.signature_algorithm().oid,
        oid::SHA256,
        &tbs,
        signature_bytes,
    )
    .is_ok()
}

/// Encrypts `content` for the holder of `recipient_certificate_der`'s RSA key: a CMS
/// `ContentInfo` holding EnvelopedData (RSA PKCS#1 v1.5 key transport, AES-128-CBC), DER.
pub fn envelope(content: &[u8], recipient_certificate_der: &[u8]) -> Result<Vec<u8>, CmsError> {
    let recipient = Certificate::from_der(recipient_certificate_der)?;
    let rng = SystemRandom::new();
    let mut content_key = [0u8; 16];
    rng.fill(&mut content_key)
        .map_err(|e| CmsError::Key(e.to_string()))?;
    let cipher_key =
        UnboundCipherKey::new(&AES_128, &content_key).map_err(|e| CmsError::Key(e.to_string()))?;
    let encrypting = PaddedBlockEncryptingKey::cbc_pkcs7(cipher_key)
        .map_err(|e| CmsError::Key(e.to_string()))?;
    let mut ciphertext = content.to_vec();
    let context = encrypting
        .encrypt(&mut ciphertext)
        .map_err(|e| CmsError::Key(e.to_string()))?;
    let DecryptionContext::Iv128(iv) = context else {
        return Err(CmsError::Key("AES-CBC without a 128-bit IV".into()));
    };
    let spki_der = recipient
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()?;
    let public_key =
        PublicEncryptingKey::from_der(&spki_der).map_err(|e| CmsError::Key(e.to_string()))?;
    let key_transport =
        Pkcs1PublicEncryptingKey::new(public_key).map_err(|e| CmsError::Key(e.to_string()))?;
    let mut encrypted_key = vec![0; key_transport.ciphertext_size()];
    let encrypted_key = key_transport
        .encrypt(&content_key, &mut encrypted_key)
        .map_err(|e| CmsError::Key(e.to_string()))?
        .to_vec();
    let iv_bytes: &[u8] = iv.as_ref();
    let mut recip_infos = SetOfVec::new();
    recip_infos.insert(RecipientInfo::Ktri(KeyTransRecipientInfo {
        version: CmsVersion::V0,
        rid: RecipientIdentifier::IssuerAndSerialNumber(issuer_and_serial(&recipient)),
        key_enc_alg: algorithm(oid::RSA_ENCRYPTION, Some(null())),
        enc_key: OctetString::new(encrypted_key)?,
    }))?;
    let enveloped = EnvelopedData {
        version: CmsVersion::V0,
        originator_info: None,
        recip_infos: RecipientInfos(recip_infos),
        encrypted_content: EncryptedContentInfo {
            content_type: oid::DATA,
            content_enc_alg: algorithm(
                oid::AES128_CBC,
                Some(Any::encode_from(&OctetString::new(iv_bytes)?)?),
            ),
            encrypted_content: Some(OctetString::new(ciphertext)?),
        },
        unprotected_attrs: None,
    };
    wrap(oid::ENVELOPED_DATA, &enveloped)
}

/// Decrypts a CMS EnvelopedData (DER) with the recipient's RSA key (PKCS#8).
pub fn open_envelope(der: &[u8], recipient_pkcs8: &[u8]) -> Result<Vec<u8>, CmsError> {
    let info = ContentInfo::from_der(der)?;
    if info.content_type != oid::ENVELOPED_DATA {
        return Err(CmsError::Unsupported(format!(
            "content type {} is not envelopedData",
            info.content_type
        )));
    }
    let enveloped = info.content.decode_as::<EnvelopedData>()?;
    let key_transport = DECRYPTING_KEYS.get_or_parse(recipient_pkcs8, |pkcs8| {
        let private_key =
            PrivateDecryptingKey::from_pkcs8(pkcs8).map_err(|e| CmsError::Key(e.to_string()))?;
        Pkcs1PrivateDecryptingKey::new(private_key).map_err(|e| CmsError::Key(e.to_string()))
    })?;
    // A client may envelope to several recipients (micromdm/scep's, in mdmb, to every
    // certificate of the GetCACert answer, CA and RA, in the SET's order): the content key
    // is the one this key can unwrap.
    let mut key_transport_recipients = enveloped
        .recip_infos
        .0
        .iter()
        .filter_map(|info| match info {
            RecipientInfo::Ktri(recipient) => Some(recipient),
            _ => None,
        })
        .peekable();
    if key_transport_recipients.peek().is_none() {
        return Err(CmsError::Unsupported(
            "recipient is not key transport".into(),
        ));
    }
    let mut buffer = vec![0; key_transport.min_output_size()];
    let content_key = key_transport_recipients
        .find_map(|recipient| {
            key_transport
                .decrypt(recipient.enc_key.as_bytes(), &mut buffer)
                .ok()
                .map(|key: &mut [u8]| key.to_vec())
        })
        .ok_or(CmsError::Decrypt)?;
    let encrypted = &enveloped.encrypted_content;
    let iv = encrypted
        .content_enc_alg
        .parameters
        .as_ref()
        .ok_or_else(|| CmsError::Malformed("no IV".into()))?
        .decode_as::<OctetString>()?;
    let ciphertext = encrypted
        .encrypted_content
        .as_ref()
        .ok_or_else(|| CmsError::Malformed("no encrypted content".into()))?
        .as_bytes();
    decrypt_content(
        encrypted.content_enc_alg.oid,
        &content_key,
        iv.as_bytes(),
        ciphertext,
    )
}

fn decrypt_content(
    cipher_oid: ObjectIdentifier,
    key: &[u8],
    iv: &[u8],
    ciphertext: &[u8],
) -> Result<Vec<u8>, CmsError> {
    use cbc::cipher::{block_padding::Pkcs7, BlockModeDecrypt, KeyIvInit};
    let des = |result: Result<Vec<u8>, _>| result.map_err(|_| CmsError::Decrypt);
    let cipher = match cipher_oid {
        oid::AES128_CBC => &AES_128,
        oid::AES256_CBC => &AES_256,
        oid::DES_CBC => {
            return des(cbc::Decryptor::<des::Des>::new_from_slices(key, iv)
                .map_err(|_| CmsError::Decrypt)?
                .decrypt_padded_vec::<Pkcs7>(ciphertext))
        }
        oid::DES_EDE3_CBC => {
            return des(cbc::Decryptor::<des::TdesEde3>::new_from_slices(key, iv)
                .map_err(|_| CmsError::Decrypt)?
                .decrypt_padded_vec::<Pkcs7>(ciphertext))
        }
        other => return Err(CmsError::Unsupported(format!("content cipher {other}"))),
    };
    let iv: [u8; 16] = iv
        .try_into()
        .map_err(|_| CmsError::Malformed("IV is not 16 bytes".into()))?;
    let key = UnboundCipherKey::new(cipher, key).map_err(|_| CmsError::Decrypt)?;
    let decrypting = PaddedBlockDecryptingKey::cbc_pkcs7(key).map_err(|_| CmsError::Decrypt)?;
    let mut plaintext = ciphertext.to_vec();
    let plain = decrypting
        .decrypt(&mut plaintext, DecryptionContext::Iv128(iv.into()))
        .map_err(|_| CmsError::Decrypt)?;
    Ok(plain.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use enrollsim_certs::LabPki;
    use rustls::pki_types::PrivateKeyDer;
    use time::macros::datetime;
    use time::Duration;

    fn device_signer(pki: &LabPki) -> (Signer, Vec<u8>) {
        let now = datetime!(2026-03-02 09:00 UTC);
        let identity = pki
            .device_identity("device", now, now + Duration::days(1))
            .unwrap();
        let PrivateKeyDer::Pkcs8(key) = identity.private_key() else {
            panic!("not PKCS#8");
        };
        let certificate = identity.certificate().to_vec();
        (
            Signer::new(key.secret_pkcs8_der(), &certificate).unwrap(),
            certificate,
        )
    }

    #[test]
    fn detached_signature_verifies_only_over_its_body() {
        let pki = LabPki::new(datetime!(2026-03-02 09:00 UTC)).unwrap();
        let (signer, certificate) = device_signer(&pki);
        let body = b"<plist><dict/></plist>";
        let signature = sign(&signer, Some(body), false, Vec::new()).unwrap();
        let verified = verify(&signature, Some(body)).unwrap();
        assert_eq!(verified.signer_certificate, certificate);
        assert_eq!(verified.content, body);
        assert!(matches!(
            verify(&signature, Some(b"<plist><dict>x</dict></plist>")),
            Err(CmsError::BadSignature)
        ));
    }

    #[test]
    fn attached_signature_carries_its_content() {
        let pki = LabPki::new(datetime!(2026-03-02 09:00 UTC)).unwrap();
        let (signer, _) = device_signer(&pki);
        let signed = sign(&signer, Some(b"MachineInfo"), true, Vec::new()).unwrap();
        assert_eq!(verify(&signed, None).unwrap().content, b"MachineInfo");
    }

    #[test]
    fn envelope_opens_only_with_the_recipient_key() {
        let now = datetime!(2026-03-02 09:00 UTC);
        let pki = LabPki::new(now).unwrap();
        let ra = pki
            .intune_device_ca
            .scep_ra("ra", now, now + Duration::days(1))
            .unwrap();
        let PrivateKeyDer::Pkcs8(key) = ra.private_key() else {
            panic!("not PKCS#8");
        };
        let sealed = envelope(b"secret CSR", ra.certificate()).unwrap();
        assert_eq!(
            open_envelope(&sealed, key.secret_pkcs8_der()).unwrap(),
            b"secret CSR"
        );
        let other = enrollsim_certs::keys::rsa_pool_key(2)
            .unwrap()
            .serialize_der();
        assert!(open_envelope(&sealed, &other).is_err());
    }

    const OPENSSL_DES_CBC: &[u8] = &[
        0x8d, 0xa0, 0x10, 0xa9, 0x43, 0x97, 0x33, 0x4f, 0xb2, 0x23, 0x4c, 0x56, 0x72, 0xbc, 0x58,
        0x57,
    ];

    /// DES-CBC is what micromdm/scep envelopes its CertRep with; the content here was
    /// encrypted with OpenSSL (`openssl enc -des-cbc -K 0123456789abcdef -iv 1122334455667788`).
    #[test]
    fn des_cbc_content_from_older_servers_decrypts() {
        let ciphertext = OPENSSL_DES_CBC;
        let plain = decrypt_content(
            oid::DES_CBC,
            &[0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef],
            &[0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88],
            ciphertext,
        )
        .unwrap();
        assert_eq!(plain, b"enrollsim SCEP");
    }

    #[test]
    fn certificates_only_round_trips() {
        let pki = LabPki::new(datetime!(2026-03-02 09:00 UTC)).unwrap();
        let root = pki.lab_root.certificate().to_vec();
        let ca = pki.intune_device_ca.certificate().to_vec();
        let bundle = certificates_only(&[&ca, &root]).unwrap();
        let back = certificates_of(&bundle).unwrap();
        assert_eq!(back.len(), 2);
        assert!(back.contains(&root) && back.contains(&ca));
    }
}
