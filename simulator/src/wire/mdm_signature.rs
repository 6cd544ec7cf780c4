//! The `Mdm-Signature` header (Apple, `SignMessage` in the MDM payload): base64 of a detached
//! CMS SignedData over the exact HTTP body, signed with the device identity and carrying its
//! certificate. It proves the device's identity to a server behind a TLS-terminating proxy, in
//! place of the TLS client certificate.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use thiserror::Error;

use super::cms::{self, CmsError, Signer};

/// The header's name.
pub const HEADER: &str = "mdm-signature";

/// Why an `Mdm-Signature` was refused.
#[derive(Debug, Error)]
pub enum MdmSignatureError {
    /// The header is not base64.
    #[error("Mdm-Signature is not base64")]
    NotBase64,
    /// The CMS inside is malformed or does not verify over the body.
    #[error("Mdm-Signature: {0}")]
    Cms(#[from] CmsError),
}

/// The header value for `body`, signed by the device identity `signer`.
pub fn sign(body: &[u8], signer: &Signer) -> Result<String, CmsError> {
    Ok(STANDARD.encode(cms::sign(signer, Some(body), false, Vec::new())?))
}

/// Verifies a header value against `body`; returns the signer's certificate (DER). Whether that
/// certificate is one the server issued is the caller's check ([`cms::issued_by`]).
pub fn verify(header: &str, body: &[u8]) -> Result<Vec<u8>, MdmSignatureError> {
    let der = STANDARD
        .decode(header.trim())
        .map_err(|_| MdmSignatureError::NotBase64)?;
    Ok(cms::verify(&der, Some(body))?.signer_certificate)
}

#[cfg(test)]
mod tests {
    use super::*;
    use enrollsim_certs::LabPki;
    use rustls::pki_types::PrivateKeyDer;
    use time::macros::datetime;
    use time::Duration;

    #[test]
    fn a_signed_body_verifies_and_names_an_identity_of_the_device_ca() {
        let now = datetime!(2026-03-02 09:00 UTC);
        let pki = LabPki::new(now).unwrap();
        let other = LabPki::new(now).unwrap();
        let identity = pki
            .device_identity("device", now, now + Duration::days(1))
            .unwrap();
        let PrivateKeyDer::Pkcs8(key) = identity.private_key() else {
            panic!("not PKCS#8");
        };
        let signer = Signer::new(key.secret_pkcs8_der(), identity.certificate()).unwrap();
        let body = b"<?xml version=\"1.0\"?><plist version=\"1.0\"><dict/></plist>";
        let header = sign(body, &signer).unwrap();

        let certificate = verify(&header, body).unwrap();
        assert_eq!(certificate, identity.certificate().to_vec());
        assert!(cms::issued_by(
            &certificate,
            pki.intune_device_ca.certificate()
        ));
        assert!(!cms::issued_by(
            &certificate,
            other.intune_device_ca.certificate()
        ));
        assert!(verify(&header, b"another body").is_err());
        assert!(matches!(
            verify("not base64!", body),
            Err(MdmSignatureError::NotBase64)
        ));
    }
}
