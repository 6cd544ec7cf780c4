//! Reading the fields of a certificate that the services act on (subject, topic, validity).

use rustls::pki_types::CertificateDer;
use time::OffsetDateTime;
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::CertError;

/// The fields of a certificate the simulated services look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateFacts {
    /// The subject common name.
    pub common_name: Option<String>,
    /// The subject `UID` (an APNs push certificate's topic).
    pub uid: Option<String>,
    /// The issuer's common name.
    pub issuer_common_name: Option<String>,
    /// Start of validity.
    pub not_before: OffsetDateTime,
    /// End of validity.
    pub not_after: OffsetDateTime,
    /// The serial number, hex.
    pub serial_hex: String,
}

/// Reads the facts of a DER certificate.
pub fn facts(der: &CertificateDer<'_>) -> Result<CertificateFacts, CertError> {
    let (_, cert) = X509Certificate::from_der(der.as_ref())
        .map_err(|e| CertError::NotACertificate(e.to_string()))?;
    let first = |name: &x509_parser::x509::X509Name<'_>, oid: &x509_parser::der_parser::Oid<'_>| {
        name.iter_by_oid(oid)
            .next()
            .and_then(|a| a.as_str().ok().map(str::to_string))
    };
    let uid_oid = x509_parser::der_parser::oid!(0.9.2342 .19200300 .100 .1 .1);
    let cn_oid = x509_parser::oid_registry::OID_X509_COMMON_NAME;
    Ok(CertificateFacts {
        common_name: first(cert.subject(), &cn_oid),
        uid: first(cert.subject(), &uid_oid),
        issuer_common_name: first(cert.issuer(), &cn_oid),
        not_before: cert.validity().not_before.to_datetime(),
        not_after: cert.validity().not_after.to_datetime(),
        serial_hex: cert.raw_serial_as_string(),
    })
}

/// The subject common name, or the topic for a push certificate.
pub fn subject(der: &CertificateDer<'_>) -> Result<String, CertError> {
    let f = facts(der)?;
    Ok(f.uid.or(f.common_name).unwrap_or_default())
}
