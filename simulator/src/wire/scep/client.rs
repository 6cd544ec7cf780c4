//! The device side of SCEP, as iOS's profiled runs it for a `com.apple.security.scep` payload:
//! read the server's capabilities and CA, build a PKCSReq (a CSR with the challenge, enveloped
//! to the CA or RA and signed by a throwaway self-signed certificate over the new key), and read
//! the CertRep. The HTTP part is the caller's, so the same steps serve the simulated device
//! against Intune and against any RFC 8894 server.
//!
//! Keys come from the process's RSA pool ([`enrollsim_certs::keys::rsa_pool_key`]): RSA-2048
//! generation costs tens of milliseconds, and the protocol only needs each device's key to be
//! one the device holds.

use aws_lc_rs::digest;
use der::asn1::SetOfVec;
use der::{Any, Decode, Encode, Tag};
use enrollsim_certs::keys::rsa_pool_key;
use rcgen::{Attribute, CertificateParams, DistinguishedName, DnType, KeyPair, PublicKeyData};
use time::{Duration, OffsetDateTime};
use x509_cert::ext::pkix::BasicConstraints;
use x509_cert::Certificate;

use super::{FailInfo, MessageType, PkiMessage, PkiStatus, ScepError, CA_RA_CERT_CONTENT_TYPE};
use crate::wire::cms::{self, Signer};

/// The capabilities a GetCACaps answer lists, one per line (`POSTPKIOperation`, `SHA-256`,
/// `AES`, `SCEPStandard`, ...).
pub fn parse_ca_caps(body: &str) -> Vec<String> {
    body.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_string)
        .collect()
}

/// The certificate to envelope the request to, from a GetCACert answer: the CA itself
/// (`application/x-x509-ca-cert`, DER) or, in a CA/RA answer (certs-only SignedData), the RA:
/// the certificate that is not a CA.
pub fn recipient_certificate(body: &[u8], content_type: &str) -> Result<Vec<u8>, ScepError> {
    if !content_type.starts_with(CA_RA_CERT_CONTENT_TYPE) {
        Certificate::from_der(body)?;
        return Ok(body.to_vec());
    }
    let certificates = cms::certificates_of(body)?;
    for der in &certificates {
        let certificate = Certificate::from_der(der)?;
        let is_ca = certificate
            .tbs_certificate()
            .get_extension::<BasicConstraints>()?
            .is_some_and(|(_, constraints)| constraints.ca);
        if !is_ca {
            return Ok(der.clone());
        }
    }
    certificates
        .into_iter()
        .next()
        .ok_or_else(|| ScepError::Certificate("GetCACert answer has no certificate".into()))
}

/// What the device asks for: the payload's subject (`[[oid or short name, value]]` pairs, as
/// the SCEP payload's `Subject`), its challenge, and which pool key it uses.
#[derive(Debug, Clone)]
pub struct CertificateRequest {
    /// The subject's relative names, in order: (`CN`, `O`, `OU`, ... or a dotted OID, value).
    pub subject: Vec<(String, String)>,
    /// The one-time challenge (`Challenge`), sent as the CSR's `challengePassword`.
    pub challenge: Option<String>,
    /// Which key of the process's RSA pool the device holds.
    pub key_index: usize,
}

/// A request on its way: what the device keeps to read the answer.
#[derive(Debug, Clone)]
pub struct PendingRequest {
    /// The device's new private key (PKCS#8).
    pub private_key: Vec<u8>,
    /// Its public key (SubjectPublicKeyInfo DER): the answer's certificate is the one for it.
    pub public_key: Vec<u8>,
    /// The throwaway self-signed certificate that signed the request; the answer is
    /// enveloped to it.
    pub signer_certificate: Vec<u8>,
    /// `transactionID`: the hex SHA-256 of the public key, as RFC 8894 suggests.
    pub transaction_id: String,
    /// `senderNonce` of the request, which the answer must echo.
    pub sender_nonce: Vec<u8>,
}

/// What a CertRep said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertRepOutcome {
    /// The issued certificate (DER) and the rest of what the server sent along.
    Issued {
        /// The device's new identity certificate.
        certificate: Vec<u8>,
        /// Other certificates in the answer (the issuing CA, usually).
        chain: Vec<Vec<u8>>,
    },
    /// Refused, with the reason.
    Failed(FailInfo),
    /// Waiting for approval (the device would poll).
    Pending,
}

fn dn_type(name: &str) -> DnType {
    match name {
        "CN" => DnType::CommonName,
        "O" => DnType::OrganizationName,
        "OU" => DnType::OrganizationalUnitName,
        "C" => DnType::CountryName,
        "L" => DnType::LocalityName,
        "ST" => DnType::StateOrProvinceName,
        dotted => DnType::CustomDnType(
            dotted
                .split('.')
                .filter_map(|arc| arc.parse().ok())
                .collect(),
        ),
    }
}

fn params_for(subject: &[(String, String)], now: OffsetDateTime) -> CertificateParams {
    let mut params = CertificateParams::default();
    let mut name = DistinguishedName::new();
    for (kind, value) in subject {
        name.push(dn_type(kind), value.as_str());
    }
    params.distinguished_name = name;
    params.not_before = now - Duration::hours(1);
    params.not_after = now + Duration::days(1);
    params
}

fn challenge_attribute(challenge: &str) -> Result<Attribute, ScepError> {
    let mut values = SetOfVec::new();
    values.insert(Any::new(Tag::Utf8String, challenge.as_bytes())?)?;
    Ok(Attribute {
        oid: &[1, 2, 840, 113549, 1, 9, 7],
        values: values.to_der()?,
    })
}

fn certificate_error(e: rcgen::Error) -> ScepError {
    ScepError::Certificate(e.to_string())
}

/// Builds the PKIOperation body of a PKCSReq for `request`, enveloped to `recipient` (the
/// certificate [`recipient_certificate`] chose) at virtual time `now`. `sender_nonce` is the
/// device's 16 random bytes (the caller's seeded RNG keeps runs reproducible).
pub fn pkcs_req(
    request: &CertificateRequest,
    recipient: &[u8],
    sender_nonce: [u8; 16],
    now: OffsetDateTime,
) -> Result<(Vec<u8>, PendingRequest), ScepError> {
    let key: &KeyPair =
        rsa_pool_key(request.key_index).map_err(|e| ScepError::Certificate(e.to_string()))?;
    let params = params_for(&request.subject, now);
    let attributes = match &request.challenge {
        Some(challenge) => vec![challenge_attribute(challenge)?],
        None => Vec::new(),
    };
    let csr = params
        .serialize_request_with_attributes(key, attributes)
        .map_err(certificate_error)?;
    let signer_certificate = params.self_signed(key).map_err(certificate_error)?;
    let public_key = key.subject_public_key_info();
    let transaction_id = hex(digest::digest(&digest::SHA256, &public_key).as_ref());
    let enveloped = cms::envelope(csr.der(), recipient)?;
    let message = PkiMessage {
        message_type: MessageType::PkcsReq,
        transaction_id: transaction_id.clone(),
        sender_nonce: sender_nonce.to_vec(),
        recipient_nonce: None,
        pki_status: None,
        fail_info: None,
        enveloped: Some(enveloped),
    };
    let private_key = key.serialize_der();
    let signer = Signer::new(&private_key, signer_certificate.der())?;
    let body = message.encode(&signer)?;
    Ok((
        body,
        PendingRequest {
            private_key,
            public_key,
            signer_certificate: signer_certificate.der().to_vec(),
            transaction_id,
            sender_nonce: sender_nonce.to_vec(),
        },
    ))
}

/// Reads a CertRep for `pending`: checks it echoes the transaction and nonce, and for SUCCESS
/// decrypts the certificate.
pub fn read_cert_rep(body: &[u8], pending: &PendingRequest) -> Result<CertRepOutcome, ScepError> {
    let (message, _) = PkiMessage::decode(body)?;
    if message.message_type != MessageType::CertRep {
        return Err(ScepError::Mismatch(format!(
            "answer is a {:?}, not a CertRep",
            message.message_type
        )));
    }
    if message.transaction_id != pending.transaction_id {
        return Err(ScepError::Mismatch("transactionID".into()));
    }
    if message.recipient_nonce.as_deref() != Some(pending.sender_nonce.as_slice()) {
        return Err(ScepError::Mismatch("recipientNonce".into()));
    }
    match message.pki_status {
        Some(PkiStatus::Success) => {
            let enveloped = message
                .enveloped
                .ok_or_else(|| ScepError::Mismatch("SUCCESS without a certificate".into()))?;
            let certs_only = cms::open_envelope(&enveloped, &pending.private_key)?;
            // A certs-only SET OF is sorted, not in the server's order: the device's
            // certificate is the one for its key.
            let mut certificates = cms::certificates_of(&certs_only)?;
            let position = certificates
                .iter()
                .position(|der| certifies(der, &pending.public_key))
                .ok_or_else(|| ScepError::Mismatch("no certificate for the device's key".into()))?;
            let certificate = certificates.remove(position);
            Ok(CertRepOutcome::Issued {
                certificate,
                chain: certificates,
            })
        }
        Some(PkiStatus::Failure) => Ok(CertRepOutcome::Failed(
            message.fail_info.unwrap_or(FailInfo::BadRequest),
        )),
        Some(PkiStatus::Pending) => Ok(CertRepOutcome::Pending),
        None => Err(ScepError::Attribute {
            name: "pkiStatus",
            problem: "missing".into(),
        }),
    }
}

fn certifies(certificate_der: &[u8], public_key: &[u8]) -> bool {
    Certificate::from_der(certificate_der)
        .ok()
        .and_then(|c| c.tbs_certificate().subject_public_key_info().to_der().ok())
        .is_some_and(|spki| spki == public_key)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}
