//! Obtaining the device's identity over SCEP, as profiled does for a `com.apple.security.scep`
//! payload before it installs the MDM payload that names it: GetCACaps, GetCACert, then a
//! PKIOperation carrying a PKCSReq (RFC 8894), against the payload's `URL`, over the device's
//! own network with profiled's user agent.
//!
//! The protocol steps are [`crate::wire::scep::client`]'s; this module is the device's HTTP part
//! and its reading of failures. Each failure maps to the `MCSCEPErrorDomain` code iOS reports
//! for it (Apple's archived MDM Protocol Reference, "Error Codes": 22002 invalid CA response,
//! 22003 invalid RA response, 22005 network error, 22006 insufficient CA caps, 22013 invalid
//! PKIOperation response), so that profiled can log the chain and Settings show its message.
//! The descriptions of 22003 and 22013 are those device logs show; the others are the lab's
//! wording of the code's meaning.
//! A FAILURE CertRep (a wrong or stale challenge) is an invalid PKIOperation response to iOS:
//! Microsoft documents "The SCEP server returned an invalid response." for a SCEP request made
//! after the challenge's 15 minutes.
//!
//! A PENDING answer (manual approval at the CA) is not polled: it would need CertPoll messages
//! the client does not build, and neither Intune nor the lab's peers answer PENDING.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use enrollsim_certs::Identity;
use hyper::Method;
use thiserror::Error;

use super::logs::{Level, NsError, Process};
use super::Device;
use crate::net::client::{ClientError, HttpsClient, IncomingResponse, OutgoingRequest};
use crate::wire::profile::ScepPayload;
use crate::wire::scep::client::{self, CertRepOutcome};
use crate::wire::scep::{FailInfo, ScepError, PKI_MESSAGE_CONTENT_TYPE};

/// Why the device could not obtain its identity over SCEP.
#[derive(Debug, Error)]
pub enum ScepIdentityError {
    /// The payload's `URL` is not an http(s) URL.
    #[error("the SCEP payload's URL cannot be used: {0}")]
    InvalidUrl(ClientError),
    /// No HTTP answer came back for an operation.
    #[error("SCEP {operation}: {source}")]
    Network {
        /// `GetCACaps`, `GetCACert` or `PKIOperation`.
        operation: &'static str,
        /// What the transport said.
        source: ClientError,
    },
    /// The server answered an operation with an HTTP error.
    #[error("SCEP {operation}: HTTP {status}")]
    Status {
        /// Which operation.
        operation: &'static str,
        /// The status code.
        status: u16,
    },
    /// The capabilities do not include what iOS requires (a SHA-2 digest or SHA-1 at least is
    /// not negotiable; iOS needs the server to accept its request at all).
    #[error("SCEP server capabilities are insufficient: {0}")]
    InsufficientCaps(String),
    /// The GetCACert answer could not be read.
    #[error("SCEP GetCACert answer is invalid: {0}")]
    InvalidCaResponse(ScepError),
    /// The request could not be built (key or CSR).
    #[error("SCEP request could not be made: {0}")]
    Request(ScepError),
    /// The PKIOperation answer could not be read or does not match the request.
    #[error("SCEP PKIOperation answer is invalid: {0}")]
    InvalidPkiResponse(ScepError),
    /// The server refused the request (a FAILURE CertRep).
    #[error("SCEP server refused the request: failInfo {0:?}")]
    Refused(FailInfo),
    /// The server left the request PENDING, which the device does not poll.
    #[error("SCEP server left the request pending")]
    Pending,
}

/// The text iOS gives an invalid PKIOperation response (localization key
/// `SCEP_ERROR_INVALID_PKI_RESPONSE`, as a device log quoted in mosen/SCEPy#1 shows it); it is
/// also the `Sugg` of the installation error around it and the second line of Settings' alert.
pub const INVALID_PKI_RESPONSE: &str = "The SCEP server returned an invalid response.";

impl ScepIdentityError {
    /// The error as profiled reports it: `MCSCEPErrorDomain` with Apple's code.
    pub(crate) fn ns_error(&self) -> NsError {
        let (code, description) = match self {
            ScepIdentityError::InvalidUrl(_) | ScepIdentityError::InsufficientCaps(_) => {
                (22006, "The SCEP server’s configuration is not supported.")
            }
            ScepIdentityError::Network { .. } => (22005, "The SCEP server could not be reached."),
            ScepIdentityError::Status { operation, .. } if *operation != "PKIOperation" => {
                (22002, "The Certificate Authority’s response is invalid.")
            }
            ScepIdentityError::InvalidCaResponse(_) => {
                (22003, "The Registration Authority’s response is invalid.")
            }
            ScepIdentityError::Request(_) => (22011, "The certificate request could not be made."),
            ScepIdentityError::Status { .. }
            | ScepIdentityError::InvalidPkiResponse(_)
            | ScepIdentityError::Refused(_)
            | ScepIdentityError::Pending => (22013, INVALID_PKI_RESPONSE),
        };
        NsError::new("MCSCEPErrorDomain", code, description)
    }
}

/// profiled's `User-Agent` on the SCEP exchange for a device on iOS `os_version`. Its shape is
/// what MDM servers log (`profiled/1.0 CFNetwork/901.1 Darwin/17.6.0` from iOS 11.4, micromdm
/// issues #441 and #453); the CFNetwork build of other majors is that of their `.0` release in
/// public user-agent lists, and Darwin's version follows iOS's (major + 6, and the same minor
/// in recent releases).
pub fn profiled_user_agent(os_version: &str) -> String {
    let mut parts = os_version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    if (major, minor) == (11, 4) {
        return "profiled/1.0 CFNetwork/901.1 Darwin/17.6.0".to_string();
    }
    let cfnetwork = match major {
        0..=11 => "901.1",
        12 => "974.2.1",
        13 => "1107.1",
        14 => "1197",
        15 => "1312",
        16 => "1390",
        17 => "1474",
        _ => "1568.100.1",
    };
    format!(
        "profiled/1.0 CFNetwork/{cfnetwork} Darwin/{}.{minor}.0",
        major + 6
    )
}

/// The payload's URL with `operation` (and `message`) added to its query.
fn operation_url(base: &str, operation: &str, message: Option<&str>) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("operation", operation);
    if let Some(message) = message {
        query.append_pair("message", message);
    }
    let separator = if base.contains('?') { '&' } else { '?' };
    format!("{base}{separator}{}", query.finish())
}

/// The SCEP exchange of one payload: the client, the URL, the user agent.
struct Exchange<'a> {
    device: &'a Device,
    client: HttpsClient,
    url: &'a str,
    user_agent: String,
}

impl Exchange<'_> {
    async fn send(
        &self,
        operation: &'static str,
        request: OutgoingRequest,
    ) -> Result<IncomingResponse, ScepIdentityError> {
        let request = request.header("user-agent", self.user_agent.clone());
        // Resent like mdmclient's messages when the connection breaks: GetCACaps and
        // GetCACert are reads, and a resent PKCSReq keeps its transactionID, which the server
        // recognises (RFC 8894, section 3.2.1.1).
        let response = self
            .device
            .send_retrying(Process::Profiled, &self.client, request)
            .await
            .map_err(|source| ScepIdentityError::Network { operation, source })?;
        if response.status != hyper::StatusCode::OK {
            return Err(ScepIdentityError::Status {
                operation,
                status: response.status.as_u16(),
            });
        }
        Ok(response)
    }

    async fn get(
        &self,
        operation: &'static str,
        message: Option<&str>,
    ) -> Result<IncomingResponse, ScepIdentityError> {
        let url = operation_url(self.url, operation, message);
        let request =
            OutgoingRequest::for_url(Method::GET, &url).map_err(ScepIdentityError::InvalidUrl)?;
        self.send(operation, request).await
    }

    /// PKIOperation by POST when the server offers it, else by GET with the message in base64.
    async fn pki_operation(
        &self,
        caps: &[String],
        body: Vec<u8>,
    ) -> Result<IncomingResponse, ScepIdentityError> {
        if caps.iter().any(|c| c == "POSTPKIOperation") {
            let url = operation_url(self.url, "PKIOperation", None);
            let request = OutgoingRequest::for_url(Method::POST, &url)
                .map_err(ScepIdentityError::InvalidUrl)?
                .body(PKI_MESSAGE_CONTENT_TYPE, body);
            self.send("PKIOperation", request).await
        } else {
            self.get("PKIOperation", Some(&STANDARD.encode(body))).await
        }
    }
}

impl Device {
    /// Runs the SCEP exchange `payload` describes and returns the identity it obtained (the
    /// device's new key and the certificate the server issued for it). Logs as profiled does;
    /// the caller decides what a failure means for the installation.
    pub(crate) async fn obtain_scep_identity(
        &self,
        payload: &ScepPayload,
    ) -> Result<Identity, ScepIdentityError> {
        self.log(
            Process::Profiled,
            Level::Notice,
            &format!(
                "Retrieving SCEP identity for payload {} from {}",
                payload.payload_identifier, payload.payload_content.url
            ),
        );
        let result = self.scep_exchange(payload).await;
        match &result {
            Ok(_) => self.log(
                Process::Profiled,
                Level::Notice,
                &format!(
                    "Retrieved SCEP identity for payload {}",
                    payload.payload_identifier
                ),
            ),
            Err(e) => {
                tracing::debug!(error = %e, "SCEP exchange failed");
                self.log_error(
                    Process::Profiled,
                    "MC: Cannot retrieve SCEP identity.",
                    &e.ns_error(),
                );
            }
        }
        result
    }

    async fn scep_exchange(&self, payload: &ScepPayload) -> Result<Identity, ScepIdentityError> {
        let content = &payload.payload_content;
        OutgoingRequest::for_url(Method::GET, &content.url)
            .map_err(ScepIdentityError::InvalidUrl)?;
        let os_version = self.lock().spec.os_version.clone();
        let exchange = Exchange {
            device: self,
            client: self.client("profiled"),
            url: &content.url,
            user_agent: profiled_user_agent(&os_version),
        };
        let caps = exchange.get("GetCACaps", None).await?;
        let caps = client::parse_ca_caps(&String::from_utf8_lossy(&caps.body));
        let ca = exchange.get("GetCACert", content.name.as_deref()).await?;
        let recipient =
            client::recipient_certificate(&ca.body, ca.header("content-type").unwrap_or_default())
                .map_err(ScepIdentityError::InvalidCaResponse)?;
        // One draw gives the nonce and, from it, which pool key the device generated.
        let mut nonce = [0u8; 16];
        nonce.copy_from_slice(&self.rng.bytes(16));
        let request = content.certificate_request(usize::from(nonce[0]));
        let (body, pending) = client::pkcs_req(&request, &recipient, nonce, self.env.clock.now())
            .map_err(ScepIdentityError::Request)?;
        let answer = exchange.pki_operation(&caps, body).await?;
        match client::read_cert_rep(&answer.body, &pending)
            .map_err(ScepIdentityError::InvalidPkiResponse)?
        {
            CertRepOutcome::Issued { certificate, chain } => Ok(Identity::from_parts(
                certificate,
                pending.private_key,
                chain,
            )),
            CertRepOutcome::Failed(info) => Err(ScepIdentityError::Refused(info)),
            CertRepOutcome::Pending => Err(ScepIdentityError::Pending),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agent_follows_the_os_version() {
        assert_eq!(
            profiled_user_agent("11.4"),
            "profiled/1.0 CFNetwork/901.1 Darwin/17.6.0"
        );
        assert_eq!(
            profiled_user_agent("17.5"),
            "profiled/1.0 CFNetwork/1474 Darwin/23.5.0"
        );
    }

    #[test]
    fn operations_go_in_the_query() {
        assert_eq!(
            operation_url("https://h/scep", "GetCACert", Some("Intune CA")),
            "https://h/scep?operation=GetCACert&message=Intune+CA"
        );
        assert_eq!(
            operation_url("https://h/scep?tenant=1", "GetCACaps", None),
            "https://h/scep?tenant=1&operation=GetCACaps"
        );
    }

    #[test]
    fn a_refusal_is_an_invalid_pki_response_to_ios() {
        let e = ScepIdentityError::Refused(FailInfo::BadRequest).ns_error();
        assert_eq!((e.domain, e.code), ("MCSCEPErrorDomain", 22013));
        assert_eq!(e.description, INVALID_PKI_RESPONSE);
    }
}
