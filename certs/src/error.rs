//! Errors of the lab PKI.

use thiserror::Error;

/// What can go wrong while issuing, packaging or reading a certificate.
#[derive(Debug, Error)]
pub enum CertError {
    /// rcgen refused the certificate parameters or could not sign.
    #[error("cannot issue certificate {subject:?}: {source}")]
    Issue {
        /// The subject that was being issued.
        subject: String,
        /// rcgen's error.
        #[source]
        source: rcgen::Error,
    },
    /// A key could not be generated (only at process start).
    #[error("cannot generate key: {0}")]
    KeyGeneration(String),
    /// A PKCS#12 archive could not be written.
    #[error("cannot write PKCS#12: {0}")]
    Pkcs12Write(String),
    /// A PKCS#12 archive could not be read: bad password, corrupt data or no key inside.
    #[error("cannot read PKCS#12: {0}")]
    Pkcs12Read(String),
    /// DER bytes are not a certificate.
    #[error("not an X.509 certificate: {0}")]
    NotACertificate(String),
}
