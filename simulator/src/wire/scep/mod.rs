//! SCEP (RFC 8894), the protocol a `com.apple.security.scep` payload makes the device speak to
//! obtain its identity: the operations and content types of the HTTP binding, and the
//! `pkiMessage` (a CMS SignedData with SCEP's transaction attributes around an enveloped
//! request or answer).
//!
//! [`client`] is what a device does (build a PKCSReq, read a CertRep) and [`server`] what a
//! SCEP service does (answer GetCACaps, GetCACert and PKIOperation). Both speak RFC 8894 as
//! other implementations do (micromdm/scep), so either side can face a foreign peer.

pub mod client;
pub mod server;

use const_oid::ObjectIdentifier;
use der::asn1::OctetString;
use der::{Any, Tag};
use thiserror::Error;

use super::cms::{self, CmsError, Signer, Verified};

/// `Content-Type` of a PKIOperation request and of its answer.
pub const PKI_MESSAGE_CONTENT_TYPE: &str = "application/x-pki-message";
/// `Content-Type` of a GetCACert answer with one CA certificate (DER).
pub const CA_CERT_CONTENT_TYPE: &str = "application/x-x509-ca-cert";
/// `Content-Type` of a GetCACert answer with a CA and an RA (certs-only SignedData).
pub const CA_RA_CERT_CONTENT_TYPE: &str = "application/x-x509-ca-ra-cert";

/// SCEP's signed attributes (RFC 8894 section 3.2.1, under id-VeriSign 2.16.840.1.113733).
pub mod oid {
    use const_oid::ObjectIdentifier;

    /// `messageType` (PrintableString of a decimal number).
    pub const MESSAGE_TYPE: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("2.16.840.1.113733.1.9.2");
    /// `pkiStatus`.
    pub const PKI_STATUS: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("2.16.840.1.113733.1.9.3");
    /// `failInfo`.
    pub const FAIL_INFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.113733.1.9.4");
    /// `senderNonce` (OCTET STRING, 16 bytes).
    pub const SENDER_NONCE: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("2.16.840.1.113733.1.9.5");
    /// `recipientNonce`.
    pub const RECIPIENT_NONCE: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("2.16.840.1.113733.1.9.6");
    /// `transactionID` (PrintableString).
    pub const TRANSACTION_ID: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("2.16.840.1.113733.1.9.7");
    /// PKCS#9 `challengePassword`, in the CSR.
    pub const CHALLENGE_PASSWORD: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.7");
}

/// Why a SCEP message could not be made or read.
#[derive(Debug, Error)]
pub enum ScepError {
    /// The CMS layer refused it.
    #[error(transparent)]
    Cms(#[from] CmsError),
    /// A SCEP attribute is missing or has a value SCEP does not define.
    #[error("SCEP attribute {name}: {problem}")]
    Attribute {
        /// Which attribute.
        name: &'static str,
        /// What is wrong with it.
        problem: String,
    },
    /// A key or certificate of the exchange could not be made.
    #[error("SCEP key or certificate: {0}")]
    Certificate(String),
    /// The server answered for another transaction or nonce than the one asked.
    #[error("SCEP answer does not match the request: {0}")]
    Mismatch(String),
}

impl From<der::Error> for ScepError {
    fn from(e: der::Error) -> Self {
        ScepError::Cms(CmsError::from(e))
    }
}

macro_rules! numbered {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// The decimal string SCEP carries.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The value for a decimal string, if SCEP defines it.
            pub fn from_code(code: &str) -> Option<$name> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

numbered!(
    /// `messageType`.
    MessageType {
        /// The server's answer.
        CertRep = "3",
        /// Renewal with an existing identity.
        RenewalReq = "17",
        /// An initial certificate request.
        PkcsReq = "19",
        /// Polling a PENDING request.
        CertPoll = "20",
        /// Asking for a certificate by issuer and serial.
        GetCert = "21",
        /// Asking for a CRL.
        GetCrl = "22",
    }
);

numbered!(
    /// `pkiStatus` of a CertRep.
    PkiStatus {
        /// Granted: the enveloped content is the certificate.
        Success = "0",
        /// Refused: `failInfo` says why.
        Failure = "2",
        /// Waiting for manual approval.
        Pending = "3",
    }
);

numbered!(
    /// `failInfo` of a FAILURE CertRep.
    FailInfo {
        /// Unrecognized or unsupported algorithm.
        BadAlg = "0",
        /// Integrity check (signature) failed.
        BadMessageCheck = "1",
        /// Transaction not permitted or supported (a wrong or expired challenge lands here).
        BadRequest = "2",
        /// The message time was not sufficiently close to the system time.
        BadTime = "3",
        /// No certificate could be identified matching the criteria.
        BadCertId = "4",
    }
);

/// A SCEP `pkiMessage`: the transaction attributes and the enveloped content, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PkiMessage {
    /// `messageType`.
    pub message_type: MessageType,
    /// `transactionID`: the client's, echoed by the server.
    pub transaction_id: String,
    /// `senderNonce`.
    pub sender_nonce: Vec<u8>,
    /// `recipientNonce`: in a CertRep, the request's sender nonce.
    pub recipient_nonce: Option<Vec<u8>>,
    /// `pkiStatus` (CertRep only).
    pub pki_status: Option<PkiStatus>,
    /// `failInfo` (FAILURE only).
    pub fail_info: Option<FailInfo>,
    /// The enveloped content (EnvelopedData DER): the CSR of a request, the certificate of a
    /// SUCCESS. None in a FAILURE or PENDING answer.
    pub enveloped: Option<Vec<u8>>,
}

fn printable(value: &str) -> Result<Any, ScepError> {
    Ok(Any::new(Tag::PrintableString, value.as_bytes())?)
}

fn octets(value: &[u8]) -> Result<Any, ScepError> {
    Ok(Any::encode_from(&OctetString::new(value)?)?)
}

impl PkiMessage {
    /// The message as CMS SignedData (DER), signed by `signer`: the body of a PKIOperation.
    pub fn encode(&self, signer: &Signer) -> Result<Vec<u8>, ScepError> {
        let mut attributes = vec![
            cms::attribute(oid::MESSAGE_TYPE, printable(self.message_type.code())?)?,
            cms::attribute(oid::TRANSACTION_ID, printable(&self.transaction_id)?)?,
            cms::attribute(oid::SENDER_NONCE, octets(&self.sender_nonce)?)?,
        ];
        if let Some(nonce) = &self.recipient_nonce {
            attributes.push(cms::attribute(oid::RECIPIENT_NONCE, octets(nonce)?)?);
        }
        if let Some(status) = self.pki_status {
            attributes.push(cms::attribute(oid::PKI_STATUS, printable(status.code())?)?);
        }
        if let Some(fail_info) = self.fail_info {
            attributes.push(cms::attribute(
                oid::FAIL_INFO,
                printable(fail_info.code())?,
            )?);
        }
        Ok(cms::sign(
            signer,
            self.enveloped.as_deref(),
            true,
            attributes,
        )?)
    }

    /// Verifies a `pkiMessage` (its signature by the certificate it carries) and reads it.
    /// Returns the message and what the verification proved (the signer's certificate).
    pub fn decode(der: &[u8]) -> Result<(PkiMessage, Verified), ScepError> {
        let verified = cms::verify(der, None)?;
        let message_type = text(&verified, oid::MESSAGE_TYPE, "messageType")?
            .ok_or_else(|| missing("messageType"))?;
        let message = PkiMessage {
            message_type: MessageType::from_code(&message_type)
                .ok_or_else(|| unknown("messageType", &message_type))?,
            transaction_id: text(&verified, oid::TRANSACTION_ID, "transactionID")?
                .ok_or_else(|| missing("transactionID"))?,
            sender_nonce: bytes(&verified, oid::SENDER_NONCE)?
                .ok_or_else(|| missing("senderNonce"))?,
            recipient_nonce: bytes(&verified, oid::RECIPIENT_NONCE)?,
            pki_status: text(&verified, oid::PKI_STATUS, "pkiStatus")?
                .map(|code| PkiStatus::from_code(&code).ok_or_else(|| unknown("pkiStatus", &code)))
                .transpose()?,
            fail_info: text(&verified, oid::FAIL_INFO, "failInfo")?
                .map(|code| FailInfo::from_code(&code).ok_or_else(|| unknown("failInfo", &code)))
                .transpose()?,
            enveloped: (!verified.content.is_empty()).then(|| verified.content.clone()),
        };
        Ok((message, verified))
    }
}

fn missing(name: &'static str) -> ScepError {
    ScepError::Attribute {
        name,
        problem: "missing".into(),
    }
}

fn unknown(name: &'static str, value: &str) -> ScepError {
    ScepError::Attribute {
        name,
        problem: format!("unknown value {value:?}"),
    }
}

fn text(
    verified: &Verified,
    oid: ObjectIdentifier,
    name: &'static str,
) -> Result<Option<String>, ScepError> {
    verified
        .attribute(oid)
        .map(|value| {
            String::from_utf8(value.value().to_vec()).map_err(|_| ScepError::Attribute {
                name,
                problem: "not text".into(),
            })
        })
        .transpose()
}

fn bytes(verified: &Verified, oid: ObjectIdentifier) -> Result<Option<Vec<u8>>, ScepError> {
    verified
        .attribute(oid)
        .map(|value| Ok(value.decode_as::<OctetString>()?.as_bytes().to_vec()))
        .transpose()
}

#[cfg(test)]
mod tests;
