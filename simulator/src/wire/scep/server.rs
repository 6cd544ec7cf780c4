//! The server side of SCEP: what any RFC 8894 service answers to GetCACaps, GetCACert and
//! PKIOperation, with a registration authority (RA) certificate that clients envelope their
//! request to and that signs the answers, beside the CA that issues. Whether to grant a request
//! (the challenge, its lifetime) is the caller's decision: Intune's SCEP service makes it from
//! its state, a test from anything it likes.

use der::{Decode, Encode};
use x509_cert::request::CertReq;

use super::{
    oid, FailInfo, MessageType, PkiMessage, PkiStatus, ScepError, CA_RA_CERT_CONTENT_TYPE,
};
use crate::wire::cms::{self, Signer};

/// What this server's GetCACaps answers: POST for PKIOperation, SHA-256 and AES, RFC 8894.
pub const CA_CAPS: &str = "POSTPKIOperation\nSHA-256\nAES\nSCEPStandard\n";

/// A SCEP service's keys: the issuing CA's certificate and the RA's certificate and key.
pub struct ScepServer {
    ca_certificate: Vec<u8>,
    ra_certificate: Vec<u8>,
    ra_key: Vec<u8>,
    signer: Signer,
}

impl std::fmt::Debug for ScepServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScepServer").finish_non_exhaustive()
    }
}

/// A PKCSReq the server could read: who sent it and what it asks for.
#[derive(Debug, Clone)]
pub struct ReceivedRequest {
    /// The message's attributes.
    pub message: PkiMessage,
    /// The certificate that signed the request (self-signed for a first request); the answer
    /// is enveloped to it.
    pub signer_certificate: Vec<u8>,
    /// The decrypted PKCS#10 request, DER.
    pub csr: Vec<u8>,
    /// The CSR's `challengePassword`, if any.
    pub challenge: Option<String>,
    /// The CSR's subject, as an RFC 4514 string.
    pub subject: String,
}

impl ScepServer {
    /// A server issuing from `ca_certificate` (DER) with the RA `ra_certificate` (DER, RSA) and
    /// its PKCS#8 key.
    pub fn new(
        ca_certificate: Vec<u8>,
        ra_certificate: Vec<u8>,
        ra_key: Vec<u8>,
    ) -> Result<ScepServer, ScepError> {
        let signer = Signer::new(&ra_key, &ra_certificate)?;
        Ok(ScepServer {
            ca_certificate,
            ra_certificate,
            ra_key,
            signer,
        })
    }

    /// The GetCACert answer: body and `Content-Type` (a certs-only SignedData with RA and CA).
    pub fn ca_cert_answer(&self) -> Result<(Vec<u8>, &'static str), ScepError> {
        let body = cms::certificates_only(&[&self.ra_certificate, &self.ca_certificate])?;
        Ok((body, CA_RA_CERT_CONTENT_TYPE))
    }

    /// Verifies and decrypts a PKIOperation body. An error means the message cannot be
    /// answered at all (not SCEP, not signed, not for this RA); the HTTP layer refuses it.
    pub fn read_request(&self, body: &[u8]) -> Result<ReceivedRequest, ScepError> {
        let (message, verified) = PkiMessage::decode(body)?;
        if !matches!(
            message.message_type,
            MessageType::PkcsReq | MessageType::RenewalReq
        ) {
            return Err(ScepError::Mismatch(format!(
                "{:?} is not supported",
                message.message_type
            )));
        }
        let enveloped = message
            .enveloped
            .as_deref()
            .ok_or_else(|| ScepError::Mismatch("request without content".into()))?;
        let csr = cms::open_envelope(enveloped, &self.ra_key)?;
        let request = CertReq::from_der(&csr)?;
        let challenge = request
            .info
            .attributes
            .iter()
            .find(|a| a.oid == oid::CHALLENGE_PASSWORD)
            .and_then(|a| a.values.iter().next())
            .map(|value| String::from_utf8_lossy(value.value()).into_owned());
        Ok(ReceivedRequest {
            signer_certificate: verified.signer_certificate,
            subject: request.info.subject.to_string(),
            challenge,
            csr,
            message,
        })
    }

    /// The CertRep for `request`: SUCCESS with `decision`'s certificate (and `chain`),
    /// enveloped to the requester, or FAILURE with its failInfo. `sender_nonce` is the
    /// server's fresh nonce.
    pub fn answer(
        &self,
        request: &ReceivedRequest,
        decision: Result<(Vec<u8>, Vec<Vec<u8>>), FailInfo>,
        sender_nonce: [u8; 16],
    ) -> Result<Vec<u8>, ScepError> {
        let (pki_status, fail_info, enveloped) = match decision {
            Ok((certificate, chain)) => {
                let mut certificates: Vec<&[u8]> = vec![&certificate];
                certificates.extend(chain.iter().map(Vec::as_slice));
                let certs_only = cms::certificates_only(&certificates)?;
                let enveloped = cms::envelope(&certs_only, &request.signer_certificate)?;
                (PkiStatus::Success, None, Some(enveloped))
            }
            Err(fail_info) => (PkiStatus::Failure, Some(fail_info), None),
        };
        let message = PkiMessage {
            message_type: MessageType::CertRep,
            transaction_id: request.message.transaction_id.clone(),
            sender_nonce: sender_nonce.to_vec(),
            recipient_nonce: Some(request.message.sender_nonce.clone()),
            pki_status: Some(pki_status),
            fail_info,
            enveloped,
        };
        message.encode(&self.signer)
    }

    /// The CA certificate (DER), for callers that publish it elsewhere (the trust store of a
    /// foreign client, the SCEP payload's `CAFingerprint`).
    pub fn ca_certificate(&self) -> &[u8] {
        &self.ca_certificate
    }
}

impl ReceivedRequest {
    /// The CSR's public key (SubjectPublicKeyInfo DER), to tie the issued identity to it.
    pub fn public_key(&self) -> Result<Vec<u8>, ScepError> {
        Ok(CertReq::from_der(&self.csr)?.info.public_key.to_der()?)
    }
}
