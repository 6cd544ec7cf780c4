//! Intune's SCEP service: where a device sent a `com.apple.security.scep` payload obtains its
//! identity. It answers RFC 8894's GetCACaps, GetCACert and PKIOperation (through
//! [`crate::wire::scep::server`]), and grants a PKCSReq only for a one-time challenge Intune
//! handed out with the management profile, within its lifetime: Microsoft documents a
//! 15-minute limit on the SCEP certificate request after the profile download (past it, the
//! device reports "The SCEP server returned an invalid response."). The identity is issued by
//! Intune's device CA, which the MDM endpoints trust.
//!
//! The service keeps its own challenges behind a mutex so that it can serve Intune's hosts and,
//! unchanged, a foreign client that was handed a challenge (`enrollsim serve`).

use std::collections::HashMap;
use std::sync::Mutex;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use enrollsim_certs::LabPki;
use hyper::{Method, StatusCode};
use time::{Duration, OffsetDateTime};

use super::state::{EnrollmentChannel, FailureCategory, SessionProgress};
use super::Refusal;
use crate::net::{Request, Response};
use crate::wire::scep::server::{ReceivedRequest, ScepServer, CA_CAPS};
use crate::wire::scep::{FailInfo, ScepError, PKI_MESSAGE_CONTENT_TYPE};

/// Where Intune's MDM hosts serve SCEP (the lab's choice of path: Microsoft does not document
/// the one its profiles name).
pub const SCEP_PATH: &str = "/DeviceGatewayProxy/ios/scep";

/// Serves [`SCEP_PATH`] for Intune at the world's virtual time. An identity issued for a
/// challenge of an enrollment session becomes that session's: the MDM endpoints then know the
/// device by it. A refused challenge of a session is logged as an enrollment failure.
pub(crate) fn handle(service: &super::IntuneService, request: &Request) -> Response {
    let scep = match service.scep() {
        Ok(scep) => scep,
        Err(e) => return Response::text(StatusCode::INTERNAL_SERVER_ERROR, e),
    };
    let mut nonce = [0u8; 16];
    nonce.copy_from_slice(&service.rng.bytes(16));
    let (response, outcome) = scep.handle(&service.pki, request, service.clock.now(), nonce);
    if let Some(ScepOutcome {
        session: Some(session),
        result,
    }) = outcome
    {
        match result {
            Ok(certificate) => attach_identity(service, &session, &certificate),
            Err(refusal) => log_refusal(service, &session, refusal),
        }
    }
    response
}

fn attach_identity(service: &super::IntuneService, session: &str, certificate: &[u8]) {
    let certificate = enrollsim_certs::CertificateDer::from(certificate.to_vec());
    let Ok(facts) = enrollsim_certs::inspect::facts(&certificate) else {
        return;
    };
    // Through the state's setter, so the MDM endpoints find the session by this serial
    // without a scan of every session.
    service
        .lock()
        .set_session_identity(session, facts.serial_hex);
    service.note(
        None,
        format!("issued a SCEP identity for enrollment session {session}"),
    );
}

/// Logs a refused challenge of `session` in the troubleshooting pane. Microsoft documents the
/// device's message, not the record; the code and text are the lab's words for the check.
fn log_refusal(service: &super::IntuneService, session: &str, refusal: ChallengeRefusal) {
    let Some(found) = service.lock().sessions.get(session).cloned() else {
        return;
    };
    let (code, category, reason) = match refusal {
        ChallengeRefusal::Expired => (
            "ScepChallengeExpired",
            FailureCategory::UserAbandonment,
            "The SCEP certificate request came more than 15 minutes after the management profile was downloaded.",
        ),
        ChallengeRefusal::AlreadyUsed => (
            "ScepChallengeAlreadyUsed",
            FailureCategory::BadRequest,
            "A certificate was already issued for this SCEP challenge.",
        ),
        ChallengeRefusal::Unknown => (
            "ScepChallengeInvalid",
            FailureCategory::BadRequest,
            "The SCEP challenge was not issued by this service.",
        ),
    };
    let enrollment_type = match found.channel {
        EnrollmentChannel::Ade => "appleBulkWithUser",
        _ => "userEnrollment",
    };
    let refused = Refusal {
        status: StatusCode::OK,
        code,
        category,
        reason: reason.to_string(),
    };
    service.log_failure(&refused, Some(&found.user_id), None, enrollment_type, None);
    if let Some(s) = service.lock().sessions.get_mut(session) {
        s.progress = SessionProgress::Failed {
            error_code: code.to_string(),
        };
    }
}

/// What a PKIOperation did with a challenge: the enrollment session it was handed out for, if
/// any, and the issued certificate (DER) or the refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScepOutcome {
    /// The session of the challenge.
    pub session: Option<String>,
    /// The issued certificate or why none was.
    pub result: Result<Vec<u8>, ChallengeRefusal>,
}

/// How long a challenge stays valid after Intune hands it out (the documented 15 minutes).
pub const CHALLENGE_LIFETIME: Duration = Duration::minutes(15);

/// How long an identity Intune issues over SCEP is valid (a year, like the PKCS#12 ones).
pub const IDENTITY_LIFETIME: Duration = Duration::days(365);

/// A challenge Intune handed out with a management profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScepChallenge {
    /// The value the SCEP payload carries as `Challenge`.
    pub value: String,
    /// When it was handed out (virtual time).
    pub issued_at: OffsetDateTime,
    /// Whether a certificate was already issued for it (challenges are one-time).
    pub used: bool,
    /// The transaction that spent it and the certificate (DER) issued to it: a device that
    /// lost the answer resends the same PKCSReq, and gets the same certificate again.
    pub issued: Option<(String, Vec<u8>)>,
    /// The enrollment session whose profile carried it.
    pub session: Option<String>,
}

/// Why a PKCSReq was refused, as Intune would log it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengeRefusal {
    /// No challenge was sent, or Intune never issued it.
    Unknown,
    /// Issued more than [`CHALLENGE_LIFETIME`] ago.
    Expired,
    /// A certificate was already issued for it.
    AlreadyUsed,
}

/// The SCEP service: its RA and the challenges it will honour.
#[derive(Debug)]
pub struct IntuneScep {
    server: ScepServer,
    /// By value: one lookup per request, however many profiles were handed out.
    challenges: Mutex<HashMap<String, ScepChallenge>>,
}

impl IntuneScep {
    /// The service for `pki`'s device CA, with an RA certificate valid around `now`.
    pub fn new(pki: &LabPki, now: OffsetDateTime) -> Result<IntuneScep, ScepError> {
        let ra = pki
            .intune_device_ca
            .scep_ra(
                "Microsoft Intune SCEP RA",
                now - Duration::days(30),
                now + Duration::days(3650),
            )
            .map_err(|e| ScepError::Certificate(e.to_string()))?;
        let enrollsim_certs::PrivateKeyDer::Pkcs8(key) = ra.private_key() else {
            return Err(ScepError::Certificate("RA key is not PKCS#8".into()));
        };
        let server = ScepServer::new(
            pki.intune_device_ca.certificate().to_vec(),
            ra.certificate().to_vec(),
            key.secret_pkcs8_der().to_vec(),
        )?;
        Ok(IntuneScep {
            server,
            challenges: Mutex::new(HashMap::new()),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, ScepChallenge>> {
        self.challenges
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records a challenge handed out at `now`, for no enrollment session.
    pub fn issue_challenge(&self, value: impl Into<String>, now: OffsetDateTime) {
        let value = value.into();
        self.lock().insert(
            value.clone(),
            ScepChallenge {
                value,
                issued_at: now,
                used: false,
                issued: None,
                session: None,
            },
        );
    }

    /// Records a challenge handed out at `now` with the management profile of `session`.
    pub fn issue_session_challenge(&self, value: &str, session: &str, now: OffsetDateTime) {
        self.lock().insert(
            value.to_string(),
            ScepChallenge {
                value: value.to_string(),
                issued_at: now,
                used: false,
                issued: None,
                session: Some(session.to_string()),
            },
        );
    }

    /// The certificate already issued to `request`'s transaction for its challenge, if this
    /// is a resent PKCSReq. RFC 8894 (section 3.2.1.1) keeps one `transactionID` for every
    /// message of an enrollment, so a device that lost the CertRep (a reset connection) and
    /// sends its request again is recognised and answered alike, rather than refused for a
    /// challenge it spent itself.
    fn reissue(&self, request: &ReceivedRequest) -> Option<(Option<String>, Vec<u8>)> {
        let challenges = self.lock();
        let challenge = challenges.get(request.challenge.as_deref()?)?;
        match &challenge.issued {
            Some((transaction, certificate)) if *transaction == request.message.transaction_id => {
                Some((challenge.session.clone(), certificate.clone()))
            }
            _ => None,
        }
    }

    /// Records the certificate issued to `request`'s transaction (see [`Self::reissue`]).
    fn record_issue(&self, request: &ReceivedRequest, certificate: &[u8]) {
        let mut challenges = self.lock();
        if let Some(challenge) = request
            .challenge
            .as_deref()
            .and_then(|value| challenges.get_mut(value))
        {
            challenge.issued = Some((request.message.transaction_id.clone(), certificate.to_vec()));
        }
    }

    /// Checks and spends the challenge of `request` at `now`; says which session it was
    /// handed out for, granted or not.
    pub fn redeem(
        &self,
        request: &ReceivedRequest,
        now: OffsetDateTime,
    ) -> (Option<String>, Result<(), ChallengeRefusal>) {
        let mut challenges = self.lock();
        let Some(challenge) = request
            .challenge
            .as_deref()
            .and_then(|value| challenges.get_mut(value))
        else {
            return (None, Err(ChallengeRefusal::Unknown));
        };
        let session = challenge.session.clone();
        if challenge.used {
            return (session, Err(ChallengeRefusal::AlreadyUsed));
        }
        if now - challenge.issued_at > CHALLENGE_LIFETIME {
            return (session, Err(ChallengeRefusal::Expired));
        }
        challenge.used = true;
        (session, Ok(()))
    }

    /// Answers one SCEP request at virtual time `now`; `nonce` is the service's fresh
    /// `senderNonce`. Returns the response and, for a PKIOperation it could read, the outcome
    /// (the challenge's session, the issued certificate's DER or the refusal).
    pub fn handle(
        &self,
        pki: &LabPki,
        request: &Request,
        now: OffsetDateTime,
        nonce: [u8; 16],
    ) -> (Response, Option<ScepOutcome>) {
        let query: Vec<(String, String)> =
            form_urlencoded::parse(request.query.as_deref().unwrap_or("").as_bytes())
                .into_owned()
                .collect();
        let param = |name: &str| query.iter().find(|(k, _)| k == name).map(|(_, v)| v);
        match param("operation").map(String::as_str) {
            Some("GetCACaps") => (
                Response::with_body(StatusCode::OK, "text/plain", CA_CAPS),
                None,
            ),
            Some("GetCACert") => match self.server.ca_cert_answer() {
                Ok((body, content_type)) => (
                    Response::with_body(StatusCode::OK, content_type, body),
                    None,
                ),
                Err(e) => (
                    Response::text(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
                    None,
                ),
            },
            Some("PKIOperation") => {
                let body = if request.method == Method::GET {
                    match param("message").map(|m| STANDARD.decode(m.trim())) {
                        Some(Ok(body)) => body,
                        _ => return (bad_request("PKIOperation without a message"), None),
                    }
                } else {
                    request.body.to_vec()
                };
                self.pki_operation(pki, &body, now, nonce)
            }
            _ => (bad_request("unknown SCEP operation"), None),
        }
    }

    fn pki_operation(
        &self,
        pki: &LabPki,
        body: &[u8],
        now: OffsetDateTime,
        nonce: [u8; 16],
    ) -> (Response, Option<ScepOutcome>) {
        let received = match self.server.read_request(body) {
            Ok(received) => received,
            Err(e) => return (bad_request(&e.to_string()), None),
        };
        if let Some((_session, certificate)) = self.reissue(&received) {
            // Answered as before; the session already has this identity.
            return match self
                .server
                .answer(&received, Ok((certificate, Vec::new())), nonce)
            {
                Ok(answer) => (
                    Response::with_body(StatusCode::OK, PKI_MESSAGE_CONTENT_TYPE, answer),
                    None,
                ),
                Err(e) => (
                    Response::text(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
                    None,
                ),
            };
        }
        let (session, redeemed) = self.redeem(&received, now);
        // Backdated a little, as CAs do, so a device whose clock is a moment behind accepts it.
        let outcome = redeemed.and_then(|()| {
            pki.intune_device_ca
                .issue_from_csr(
                    &received.csr,
                    now - Duration::minutes(5),
                    now + IDENTITY_LIFETIME,
                )
                .map(|certificate| certificate.to_vec())
                .map_err(|_| ChallengeRefusal::Unknown)
        });
        // The issued certificate alone, as micromdm's scepserver answers: a certs-only
        // SignedData holds a SET, which DER sorts, so a CA certificate beside it could come
        // first, and clients that take the first certificate as theirs (micromdm/scep's, in
        // mdmb) would sign with the CA's. The device has the CA from GetCACert.
        let decision = match &outcome {
            Ok(certificate) => {
                self.record_issue(&received, certificate);
                Ok((certificate.clone(), Vec::new()))
            }
            Err(_) => Err(FailInfo::BadRequest),
        };
        match self.server.answer(&received, decision, nonce) {
            Ok(answer) => (
                Response::with_body(StatusCode::OK, PKI_MESSAGE_CONTENT_TYPE, answer),
                Some(ScepOutcome {
                    session,
                    result: outcome,
                }),
            ),
            Err(e) => (
                Response::text(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
                Some(ScepOutcome {
                    session,
                    result: outcome,
                }),
            ),
        }
    }
}

fn bad_request(reason: &str) -> Response {
    Response::text(StatusCode::BAD_REQUEST, reason.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::scep::client::{self, CertRepOutcome, CertificateRequest};
    use bytes::Bytes;
    use hyper::HeaderMap;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-03-02 09:00 UTC);

    fn get(operation: &str) -> Request {
        Request {
            method: Method::GET,
            host: "i.manage.microsoft.com".into(),
            path: "/scep".into(),
            query: Some(format!("operation={operation}")),
            headers: HeaderMap::new(),
            body: Bytes::new(),
            peer: None,
        }
    }

    fn post(body: Vec<u8>) -> Request {
        Request {
            method: Method::POST,
            body: body.into(),
            ..get("PKIOperation")
        }
    }

    /// The device's side over the service's handler: GetCACert, then a PKCSReq at `at`.
    fn enroll(
        scep: &IntuneScep,
        pki: &LabPki,
        challenge: &str,
        at: OffsetDateTime,
    ) -> CertRepOutcome {
        enroll_with_key(scep, pki, challenge, at, 3)
    }

    /// [`enroll`] with the pool key `key_index`: the transactionID derives from the key, so
    /// the same key resends the same transaction.
    fn enroll_with_key(
        scep: &IntuneScep,
        pki: &LabPki,
        challenge: &str,
        at: OffsetDateTime,
        key_index: usize,
    ) -> CertRepOutcome {
        let (ca, _) = scep.handle(pki, &get("GetCACert"), at, [0; 16]);
        let content_type = ca
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let recipient = client::recipient_certificate(&ca.body, &content_type).unwrap();
        let request = CertificateRequest {
            subject: vec![("CN".into(), "device".into())],
            challenge: Some(challenge.into()),
            key_index,
        };
        let (body, pending) = client::pkcs_req(&request, &recipient, [4; 16], at).unwrap();
        let (answer, _) = scep.handle(pki, &post(body), at, [5; 16]);
        assert_eq!(answer.status, StatusCode::OK);
        client::read_cert_rep(&answer.body, &pending).unwrap()
    }

    #[test]
    fn a_fresh_challenge_is_honoured_once() {
        let pki = LabPki::new(NOW).unwrap();
        let scep = IntuneScep::new(&pki, NOW).unwrap();
        scep.issue_challenge("c1", NOW);
        let at = NOW + Duration::minutes(14);
        assert!(matches!(
            enroll(&scep, &pki, "c1", at),
            CertRepOutcome::Issued { .. }
        ));
        // Another key (another transaction) cannot spend it again.
        assert_eq!(
            enroll_with_key(&scep, &pki, "c1", at, 4),
            CertRepOutcome::Failed(FailInfo::BadRequest)
        );
    }

    #[test]
    fn a_resent_request_gets_the_certificate_already_issued() {
        let pki = LabPki::new(NOW).unwrap();
        let scep = IntuneScep::new(&pki, NOW).unwrap();
        scep.issue_challenge("c1", NOW);
        let first = enroll(&scep, &pki, "c1", NOW);
        assert!(matches!(first, CertRepOutcome::Issued { .. }));
        // The answer was lost; the device sends the same PKCSReq again.
        assert_eq!(enroll(&scep, &pki, "c1", NOW + Duration::seconds(4)), first);
    }

    #[test]
    fn a_challenge_older_than_fifteen_minutes_is_refused() {
        let pki = LabPki::new(NOW).unwrap();
        let scep = IntuneScep::new(&pki, NOW).unwrap();
        scep.issue_challenge("c1", NOW);
        assert_eq!(
            enroll(&scep, &pki, "c1", NOW + Duration::minutes(16)),
            CertRepOutcome::Failed(FailInfo::BadRequest)
        );
        assert_eq!(
            enroll(&scep, &pki, "never issued", NOW),
            CertRepOutcome::Failed(FailInfo::BadRequest)
        );
    }

    #[test]
    fn caps_and_garbage() {
        let pki = LabPki::new(NOW).unwrap();
        let scep = IntuneScep::new(&pki, NOW).unwrap();
        let (caps, _) = scep.handle(&pki, &get("GetCACaps"), NOW, [0; 16]);
        assert!(String::from_utf8_lossy(&caps.body).contains("POSTPKIOperation"));
        let (garbage, outcome) = scep.handle(&pki, &post(b"not CMS".to_vec()), NOW, [0; 16]);
        assert_eq!(garbage.status, StatusCode::BAD_REQUEST);
        assert!(outcome.is_none());
    }
}
