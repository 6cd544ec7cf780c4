//! Round trips of the SCEP exchange between [`super::client`] and [`super::server`], with the
//! lab's device CA issuing, and checks that the bodies are what RFC 8894 describes when read
//! back with the same RustCrypto structures.

use cms::content_info::ContentInfo;
use cms::enveloped_data::EnvelopedData;
use cms::signed_data::SignedData;
use der::Decode;
use enrollsim_certs::LabPki;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use x509_cert::Certificate;

use super::client::{self, CertRepOutcome, CertificateRequest};
use super::server::{ScepServer, CA_CAPS};
use super::{FailInfo, MessageType, PkiMessage, PkiStatus};
use crate::wire::cms::oid as cms_oid;

const NOW: OffsetDateTime = datetime!(2026-03-02 09:00 UTC);

fn server(pki: &LabPki) -> ScepServer {
    let ra = pki
        .intune_device_ca
        .scep_ra(
            "enrollsim SCEP RA",
            NOW - Duration::days(1),
            NOW + Duration::days(365),
        )
        .unwrap();
    let ra_key = match ra.private_key() {
        rustls::pki_types::PrivateKeyDer::Pkcs8(key) => key.secret_pkcs8_der().to_vec(),
        _ => panic!("RA key is not PKCS#8"),
    };
    ScepServer::new(
        pki.intune_device_ca.certificate().to_vec(),
        ra.certificate().to_vec(),
        ra_key,
    )
    .unwrap()
}

fn request(challenge: &str) -> CertificateRequest {
    CertificateRequest {
        subject: vec![("CN".into(), "3F2504E0-4F89-11D3-9A0C-0305E82C3301".into())],
        challenge: Some(challenge.into()),
        key_index: 1,
    }
}

fn recipient(server: &ScepServer) -> Vec<u8> {
    let (body, content_type) = server.ca_cert_answer().unwrap();
    client::recipient_certificate(&body, content_type).unwrap()
}

#[test]
fn ca_caps_lists_post_sha256_and_aes() {
    let caps = client::parse_ca_caps(CA_CAPS);
    for wanted in ["POSTPKIOperation", "SHA-256", "AES", "SCEPStandard"] {
        assert!(caps.iter().any(|c| c == wanted), "{wanted} missing");
    }
}

#[test]
fn get_ca_cert_answer_names_the_ra_as_recipient() {
    let pki = LabPki::new(NOW).unwrap();
    let server = server(&pki);
    let chosen = Certificate::from_der(&recipient(&server)).unwrap();
    assert_eq!(
        chosen.tbs_certificate().subject().to_string(),
        "CN=enrollsim SCEP RA"
    );
}

#[test]
fn pkcs_req_is_issued_the_certificate_for_its_own_key() {
    let pki = LabPki::new(NOW).unwrap();
    let server = server(&pki);
    let (body, pending) =
        client::pkcs_req(&request("one-time"), &recipient(&server), [7; 16], NOW).unwrap();

    let received = server.read_request(&body).unwrap();
    assert_eq!(received.message.message_type, MessageType::PkcsReq);
    assert_eq!(received.challenge.as_deref(), Some("one-time"));
    assert_eq!(received.subject, "CN=3F2504E0-4F89-11D3-9A0C-0305E82C3301");
    assert_eq!(received.message.transaction_id, pending.transaction_id);
    let issued = pki
        .intune_device_ca
        .issue_from_csr(&received.csr, NOW, NOW + Duration::days(365))
        .unwrap();
    let answer = server
        .answer(
            &received,
            Ok((issued.to_vec(), vec![server.ca_certificate().to_vec()])),
            [9; 16],
        )
        .unwrap();

    let CertRepOutcome::Issued { certificate, chain } =
        client::read_cert_rep(&answer, &pending).unwrap()
    else {
        panic!("not issued");
    };
    assert_eq!(certificate, issued.to_vec());
    assert_eq!(chain, vec![server.ca_certificate().to_vec()]);
    let certificate = Certificate::from_der(&certificate).unwrap();
    let spki =
        der::Encode::to_der(certificate.tbs_certificate().subject_public_key_info()).unwrap();
    assert_eq!(spki, received.public_key().unwrap());
    assert!(certificate
        .tbs_certificate()
        .issuer()
        .to_string()
        .contains("Intune MDM Device CA"));
}

#[test]
fn a_refused_request_reads_as_failure_with_its_fail_info() {
    let pki = LabPki::new(NOW).unwrap();
    let server = server(&pki);
    let (body, pending) =
        client::pkcs_req(&request("stale"), &recipient(&server), [1; 16], NOW).unwrap();
    let received = server.read_request(&body).unwrap();
    let answer = server
        .answer(&received, Err(FailInfo::BadRequest), [2; 16])
        .unwrap();
    let (message, _) = PkiMessage::decode(&answer).unwrap();
    assert_eq!(message.pki_status, Some(PkiStatus::Failure));
    assert_eq!(message.enveloped, None);
    assert_eq!(
        client::read_cert_rep(&answer, &pending).unwrap(),
        CertRepOutcome::Failed(FailInfo::BadRequest)
    );
}

#[test]
fn an_answer_to_another_request_is_refused_by_the_client() {
    let pki = LabPki::new(NOW).unwrap();
    let server = server(&pki);
    let (body, _) = client::pkcs_req(&request("a"), &recipient(&server), [1; 16], NOW).unwrap();
    let (_, other) = client::pkcs_req(&request("b"), &recipient(&server), [3; 16], NOW).unwrap();
    let received = server.read_request(&body).unwrap();
    let answer = server
        .answer(&received, Err(FailInfo::BadRequest), [2; 16])
        .unwrap();
    assert!(client::read_cert_rep(&answer, &other).is_err());
}

#[test]
fn a_tampered_request_does_not_verify() {
    let pki = LabPki::new(NOW).unwrap();
    let server = server(&pki);
    let (mut body, _) = client::pkcs_req(&request("x"), &recipient(&server), [1; 16], NOW).unwrap();
    let last = body.len() - 1;
    body[last] ^= 0xff;
    assert!(server.read_request(&body).is_err());
}

/// The PKIOperation body read with the bare `cms` structures: a ContentInfo of SignedData over
/// id-data whose content is an EnvelopedData, with SCEP's attributes signed (RFC 8894 3.2).
#[test]
fn pki_operation_body_has_rfc_8894_structure() {
    let pki = LabPki::new(NOW).unwrap();
    let server = server(&pki);
    let (body, _) = client::pkcs_req(&request("x"), &recipient(&server), [1; 16], NOW).unwrap();
    let info = ContentInfo::from_der(&body).unwrap();
    assert_eq!(info.content_type, cms_oid::SIGNED_DATA);
    let signed: SignedData = info.content.decode_as().unwrap();
    assert_eq!(signed.encap_content_info.econtent_type, cms_oid::DATA);
    let signer = signed.signer_infos.0.iter().next().unwrap();
    let attribute_oids: Vec<_> = signer
        .signed_attrs
        .as_ref()
        .unwrap()
        .iter()
        .map(|a| a.oid)
        .collect();
    for wanted in [
        super::oid::MESSAGE_TYPE,
        super::oid::TRANSACTION_ID,
        super::oid::SENDER_NONCE,
        cms_oid::CONTENT_TYPE,
        cms_oid::MESSAGE_DIGEST,
    ] {
        assert!(attribute_oids.contains(&wanted), "{wanted} not signed");
    }
    let econtent = signed.encap_content_info.econtent.unwrap();
    let inner = econtent.decode_as::<der::asn1::OctetString>().unwrap();
    let enveloped = ContentInfo::from_der(inner.as_bytes()).unwrap();
    assert_eq!(enveloped.content_type, cms_oid::ENVELOPED_DATA);
    let enveloped: EnvelopedData = enveloped.content.decode_as().unwrap();
    assert_eq!(
        enveloped.encrypted_content.content_enc_alg.oid,
        cms_oid::AES128_CBC
    );
}
