//! Certificate authorities of the lab and the certificates they issue.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use rcgen::{
    BasicConstraints, CertificateParams, CertificateSigningRequestParams, DistinguishedName,
    DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose, SanType, SerialNumber,
};
use rustls::pki_types::{CertificateDer, CertificateSigningRequestDer};
use time::{Duration, OffsetDateTime};

use crate::keys::{key, rsa_pool_key, KeyRole};
use crate::{CertError, Identity};

/// The OID of the X.500 `UID` attribute (0.9.2342.19200300.100.1.1), which carries the MDM
/// topic in an APNs push certificate's subject.
pub const UID_OID: [u64; 7] = [0, 9, 2342, 19200300, 100, 1, 1];

/// Serial numbers come from a counter, not from randomness, so the fields of every certificate a
/// scenario issues are predictable (the same approach as rustls's test CA).
static SERIAL: AtomicU64 = AtomicU64::new(1);

fn next_serial() -> SerialNumber {
    SerialNumber::from(SERIAL.fetch_add(1, Ordering::Relaxed))
}

/// A certificate authority: its certificate and the issuer that signs with its shared key.
pub struct Authority {
    name: String,
    der: CertificateDer<'static>,
    issuer: Issuer<'static, &'static KeyPair>,
}

impl std::fmt::Debug for Authority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authority")
            .field("name", &self.name)
            .finish()
    }
}

impl Authority {
    fn new_root(name: &str, role: KeyRole, now: OffsetDateTime) -> Result<Self, CertError> {
        let signing_key = key(role)?;
        let mut params = CertificateParams::default();
        params.distinguished_name = dn(&[(DnType::CommonName, name)]);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        // Roots outlive every scenario: ten years either side of the world's start.
        params.not_before = now - Duration::days(3650);
        params.not_after = now + Duration::days(3650);
        params.serial_number = Some(next_serial());
        let cert = params
            .self_signed(signing_key)
            .map_err(|source| CertError::Issue {
                subject: name.to_string(),
                source,
            })?;
        Ok(Authority {
            name: name.to_string(),
            der: cert.der().clone(),
            issuer: Issuer::new(params, signing_key),
        })
    }

    /// The authority's display name (its subject common name).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The authority's certificate, DER.
    pub fn certificate(&self) -> &CertificateDer<'static> {
        &self.der
    }

    /// Issues a certificate for a PKCS#10 request (what a SCEP server does with the CSR it
    /// decrypted): the subject and key come from the request, the rest is the authority's choice
    /// (client authentication, valid from `not_before` to `not_after`). Extensions the client
    /// asked for are not copied, as Intune sets its own.
    pub fn issue_from_csr(
        &self,
        csr_der: &[u8],
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> Result<CertificateDer<'static>, CertError> {
        let request = CertificateSigningRequestDer::from(csr_der.to_vec());
        let mut csr = CertificateSigningRequestParams::from_der(&request).map_err(|source| {
            CertError::Issue {
                subject: "(certificate signing request)".to_string(),
                source,
            }
        })?;
        let params = &mut csr.params;
        params.custom_extensions.clear();
        params.subject_alt_names.clear();
        params.is_ca = IsCa::NoCa;
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params.not_before = not_before;
        params.not_after = not_after;
        params.serial_number = Some(next_serial());
        params.use_authority_key_identifier_extension = true;
        let cert = csr
            .signed_by(&self.issuer)
            .map_err(|source| CertError::Issue {
                subject: "(certificate signing request)".to_string(),
                source,
            })?;
        Ok(cert.der().clone())
    }

    /// A SCEP registration authority certificate issued by this authority: RSA (SCEP clients
    /// envelope their request to it, RFC 8894 section 3.1), key encipherment and signing, named
    /// `name`. Returns the certificate and its PKCS#8 key.
    pub fn scep_ra(
        &self,
        name: &str,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> Result<Identity, CertError> {
        let ra_key = rsa_pool_key(0)?;
        let mut params = CertificateParams::default();
        params.distinguished_name = dn(&[(DnType::CommonName, name)]);
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.not_before = not_before;
        params.not_after = not_after;
        params.serial_number = Some(next_serial());
        params.use_authority_key_identifier_extension = true;
        let cert = params
            .signed_by(ra_key, &self.issuer)
            .map_err(|source| CertError::Issue {
                subject: name.to_string(),
                source,
            })?;
        Ok(Identity::new(
            cert.der().clone(),
            ra_key.serialize_der(),
            vec![self.der.clone()],
        ))
    }

    fn issue(
        &self,
        mut params: CertificateParams,
        role: KeyRole,
        subject: &str,
    ) -> Result<Identity, CertError> {
        let leaf_key = key(role)?;
        params.serial_number = Some(next_serial());
        params.use_authority_key_identifier_extension = true;
        let cert = params
            .signed_by(leaf_key, &self.issuer)
            .map_err(|source| CertError::Issue {
                subject: subject.to_string(),
                source,
            })?;
        Ok(Identity::new(
            cert.der().clone(),
            leaf_key.serialize_der(),
            vec![self.der.clone()],
        ))
    }
}

fn dn(parts: &[(DnType, &str)]) -> DistinguishedName {
    let mut name = DistinguishedName::new();
    for (ty, value) in parts {
        name.push(ty.clone(), *value);
    }
    name
}

/// Numbers each PKI, so that two worlds' authorities never share a name: they share keys
/// (see [`crate::keys`]), and with the same name too a certificate of one world would verify
/// in another.
static PKI_NUMBER: AtomicU64 = AtomicU64::new(1);

/// The three authorities of one simulated world.
#[derive(Debug)]
pub struct LabPki {
    /// Issues TLS server certificates; every simulated client trusts it.
    pub lab_root: Authority,
    /// Plays Apple's push certificate authority; the APNs service trusts it for client auth.
    pub apple_push_ca: Authority,
    /// Issues device identities at enrollment; Intune's MDM endpoints trust it for client auth.
    pub intune_device_ca: Authority,
    /// Plays Apple's "Apple iPhone Device CA", made on first use (only ADE devices need it).
    apple_device_ca: OnceLock<Result<Authority, String>>,
    /// This PKI's number and start, for the authorities made later.
    number: u64,
    created_at: OffsetDateTime,
}

impl LabPki {
    /// Creates the world's authorities, valid around `now`.
    pub fn new(now: OffsetDateTime) -> Result<Self, CertError> {
        let n = PKI_NUMBER.fetch_add(1, Ordering::Relaxed);
        Ok(LabPki {
            lab_root: Authority::new_root(
                &format!("enrollsim Lab Root CA {n}"),
                KeyRole::LabRoot,
                now,
            )?,
            apple_push_ca: Authority::new_root(
                &format!("enrollsim Apple Application Integration CA {n}"),
                KeyRole::ApplePushCa,
                now,
            )?,
            intune_device_ca: Authority::new_root(
                &format!("enrollsim Intune MDM Device CA {n}"),
                KeyRole::IntuneDeviceCa,
                now,
            )?,
            apple_device_ca: OnceLock::new(),
            number: n,
            created_at: now,
        })
    }

    /// The authority playing Apple's iPhone Device CA, which issues the identity a device holds
    /// from the factory (it signs the ADE `MachineInfo` with it). Made on first use.
    pub fn apple_device_ca(&self) -> Result<&Authority, CertError> {
        self.apple_device_ca
            .get_or_init(|| {
                Authority::new_root(
                    &format!("enrollsim Apple iPhone Device CA {}", self.number),
                    KeyRole::AppleDeviceCa,
                    self.created_at,
                )
                .map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(|e| CertError::KeyGeneration(e.clone()))
    }

    /// A device's factory identity for `udid`, issued by [`LabPki::apple_device_ca`], valid
    /// from `not_before` to `not_after`.
    pub fn apple_device_identity(
        &self,
        udid: &str,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> Result<Identity, CertError> {
        let mut params = CertificateParams::default();
        params.distinguished_name = dn(&[(DnType::CommonName, udid)]);
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.not_before = not_before;
        params.not_after = not_after;
        self.apple_device_ca()?.issue(params, KeyRole::Device, udid)
    }

    /// A TLS server certificate for `hosts`, valid for a year around `now`.
    pub fn server_identity(
        &self,
        hosts: &[&str],
        now: OffsetDateTime,
    ) -> Result<Identity, CertError> {
        self.server_identity_between(hosts, now - Duration::days(30), now + Duration::days(335))
    }

    /// A TLS server certificate for `hosts`, valid from `not_before` to `not_after` (a service
    /// rotating its leaf asks for each one's window).
    pub fn server_identity_between(
        &self,
        hosts: &[&str],
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> Result<Identity, CertError> {
        let subject = hosts.first().copied().unwrap_or("localhost");
        let mut params = CertificateParams::default();
        params.distinguished_name = dn(&[(DnType::CommonName, subject)]);
        params.subject_alt_names = hosts
            .iter()
            .map(|h| {
                // An address (a world served to outside clients at 127.0.0.1) is an IP SAN:
                // clients match an address only against those.
                if let Ok(ip) = h.parse::<std::net::IpAddr>() {
                    return Ok(SanType::IpAddress(ip));
                }
                let name = (*h).try_into().map_err(|source| CertError::Issue {
                    subject: h.to_string(),
                    source,
                })?;
                Ok(SanType::DnsName(name))
            })
            .collect::<Result<_, CertError>>()?;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.not_before = not_before;
        params.not_after = not_after;
        self.lab_root.issue(params, KeyRole::Server, subject)
    }

    /// An APNs MDM push certificate for `topic` (`com.apple.mgmt.External.<uuid>`), valid from
    /// `not_before` to `not_after`. Its subject carries the topic as `UID`, as Apple's do.
    pub fn push_certificate(
        &self,
        topic: &str,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> Result<Identity, CertError> {
        let guid = topic.rsplit('.').next().unwrap_or(topic);
        let common_name = format!("APSP:{guid}");
        let mut params = CertificateParams::default();
        params.distinguished_name = dn(&[
            (DnType::CustomDnType(UID_OID.to_vec()), topic),
            (DnType::CommonName, &common_name),
            (DnType::CountryName, "US"),
        ]);
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params.not_before = not_before;
        params.not_after = not_after;
        self.apple_push_ca.issue(params, KeyRole::Push, topic)
    }

    /// A device identity for `common_name` (Intune uses the device's enrollment id), valid from
    /// `not_before` to `not_after`.
    pub fn device_identity(
        &self,
        common_name: &str,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> Result<Identity, CertError> {
        let mut params = CertificateParams::default();
        params.distinguished_name = dn(&[(DnType::CommonName, common_name)]);
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params.not_before = not_before;
        params.not_after = not_after;
        self.intune_device_ca
            .issue(params, KeyRole::Device, common_name)
    }
}
