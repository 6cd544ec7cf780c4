//! Microsoft Intune: enrollment, the MDM channel, the admin API and the troubleshooting log.
//!
//! Hosts:
//! - `enrollment.manage.microsoft.com` — the Company Portal's enrollment API ([`enrollment`]):
//!   eligibility, enrollment sessions, the management profile download, session status.
//! - `portal.manage.microsoft.com` — the Company Portal website's enrollment, used from Safari.
//! - `i.manage.microsoft.com` — the MDM check-in and command endpoints ([`mdm`]), which
//!   authenticate the device by its identity certificate over mutual TLS.
//! - `graph.microsoft.com` — the admin API ([`admin`]), in Microsoft Graph's shapes.
//!
//! Modules by job: [`state`] holds the tenant's records (plain data, importing no sibling);
//! [`ade`] syncs ADE tokens with Apple; [`ade_enroll`] is the endpoint ADE devices enroll
//! through; [`admin`] routes every admin API resource from one router.
//!
//! Users, groups and licences live in Entra ID; Intune reads them from the shared directory,
//! as the real service does.

pub mod ade;
pub mod ade_enroll;
pub mod admin;
pub mod enrollment;
pub mod inventory;
pub mod mdm;
pub mod profile;
pub mod restrictions;
pub mod scep;
pub mod state;

use std::sync::{Arc, Mutex, OnceLock};

use hyper::StatusCode;

use crate::clock::{rfc3339, VirtualClock};
use crate::cloud::apns::APNS_HOST;
use crate::cloud::entra::{Cloud, EntraState, EntraUser};
use crate::net::client::{HttpsClient, OutgoingRequest};
use crate::net::{BoxFuture, Handler, Request, Response};
use crate::recorder::{Entry, Happening, Recorder};
use crate::rng::SeededRng;
use enrollsim_certs::LabPki;

pub use state::IntuneState;
use state::{FailureCategory, TroubleshootingEvent};

/// The Company Portal enrollment API host.
pub const ENROLLMENT_HOST: &str = "enrollment.manage.microsoft.com";
/// The Company Portal website host.
pub const PORTAL_HOST: &str = "portal.manage.microsoft.com";
/// The MDM host (check-in and commands).
pub const MDM_HOST: &str = "i.manage.microsoft.com";
/// The Company Portal enrollment API in the US Government cloud.
pub const GOVERNMENT_ENROLLMENT_HOST: &str = "enrollment.manage.microsoft.us";
/// The MDM host in the US Government cloud.
pub const GOVERNMENT_MDM_HOST: &str = "i.manage.microsoft.us";
/// Hosts of the MDM endpoints (mutual TLS), public and government.
pub const MDM_HOSTS: [&str; 2] = [MDM_HOST, GOVERNMENT_MDM_HOST];
/// The admin API host.
pub const GRAPH_HOST: &str = "graph.microsoft.com";
/// Hosts served without client certificates.
pub const PUBLIC_HOSTS: [&str; 4] = [
    ENROLLMENT_HOST,
    GOVERNMENT_ENROLLMENT_HOST,
    PORTAL_HOST,
    GRAPH_HOST,
];

/// The cloud a host name belongs to (`*.us` hosts are the US Government cloud's).
pub fn cloud_of_host(host: &str) -> Cloud {
    if host.ends_with(".us") {
        Cloud::Government
    } else {
        Cloud::Public
    }
}

/// The Company Portal enrollment API of a cloud.
pub fn enrollment_host(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::Public => ENROLLMENT_HOST,
        Cloud::Government => GOVERNMENT_ENROLLMENT_HOST,
    }
}

/// The MDM host of a cloud.
pub fn mdm_host(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::Public => MDM_HOST,
        Cloud::Government => GOVERNMENT_MDM_HOST,
    }
}

/// Builds Intune's HTTP/2 client for APNs from the push certificate in force (a renewed or
/// replaced certificate takes effect on the next push).
pub type ApnsClientFactory =
    Arc<dyn Fn(&enrollsim_certs::Identity) -> Option<HttpsClient> + Send + Sync>;

/// The Intune service of a world.
#[derive(Clone)]
pub struct IntuneService {
    pub(crate) state: Arc<Mutex<IntuneState>>,
    pub(crate) directory: Arc<Mutex<EntraState>>,
    pub(crate) pki: Arc<LabPki>,
    pub(crate) clock: VirtualClock,
    pub(crate) rng: SeededRng,
    pub(crate) recorder: Recorder,
    /// Builds Intune's APNs client from the current push certificate.
    pub(crate) apns_client: ApnsClientFactory,
    /// Intune's own HTTPS client for Apple's DEP API and Entra ID.
    pub(crate) outbound: HttpsClient,
    admin_token: String,
    /// The SCEP service, made on first use: its RA certificate and RSA key cost nothing to a
    /// world that never runs SCEP.
    scep: Arc<OnceLock<Result<scep::IntuneScep, String>>>,
}

impl std::fmt::Debug for IntuneService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IntuneService").finish_non_exhaustive()
    }
}

/// How a service-side refusal is reported to the Company Portal and logged.
pub(crate) struct Refusal {
    pub status: StatusCode,
    pub code: &'static str,
    pub category: FailureCategory,
    pub reason: String,
}

impl Refusal {
    /// The iOS/iPadOS platform is blocked by `restriction` (checked at eligibility and, for
    /// enrollments that skip it, at Authenticate).
    pub(crate) fn platform_blocked(restriction: &state::PlatformRestriction) -> Refusal {
        Refusal {
            status: StatusCode::FORBIDDEN,
            code: "DeviceTypeNotSupported",
            category: FailureCategory::EnrollmentRestrictionsEnforced,
            reason: format!("Platform blocked by restriction {}.", restriction.id),
        }
    }
}

impl IntuneService {
    /// The service over `state`, reading users from `directory`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        state: Arc<Mutex<IntuneState>>,
        directory: Arc<Mutex<EntraState>>,
        pki: Arc<LabPki>,
        clock: VirtualClock,
        rng: SeededRng,
        recorder: Recorder,
        apns_client: ApnsClientFactory,
        outbound: HttpsClient,
        admin_token: String,
    ) -> Self {
        IntuneService {
            state,
            directory,
            pki,
            clock,
            rng,
            recorder,
            apns_client,
            outbound,
            admin_token,
            scep: Arc::new(OnceLock::new()),
        }
    }

    /// Intune's SCEP service (made on first use, with an RA valid around the current time).
    pub fn scep(&self) -> Result<&scep::IntuneScep, String> {
        self.scep
            .get_or_init(|| {
                scep::IntuneScep::new(&self.pki, self.clock.now()).map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The shared tenant state.
    pub fn state(&self) -> Arc<Mutex<IntuneState>> {
        self.state.clone()
    }

    /// The bearer token the admin API accepts.
    pub fn admin_token(&self) -> &str {
        &self.admin_token
    }

    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, IntuneState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn directory(&self) -> std::sync::MutexGuard<'_, EntraState> {
        self.directory.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn note(&self, device: Option<&str>, text: String) {
        self.recorder.record(Entry {
            at: self.clock.now(),
            device: device.map(str::to_string),
            what: Happening::Note {
                party: "Intune".into(),
                text,
            },
        });
    }

    /// The user a bearer token was issued to.
    pub(crate) fn user_for_token(&self, request: &Request) -> Option<EntraUser> {
        let token = crate::cloud::entra::bearer_token(request)?;
        let directory = self.directory();
        let issued = directory.validate_token(&token, self.clock.now())?;
        // A cloud's services accept only tokens its own sign-in service issued.
        if issued.cloud != cloud_of_host(&request.host) {
            return None;
        }
        directory
            .user(&issued.user_id)
            .map(|u| directory.resolved_user(u))
    }

    /// Logs a troubleshooting event for a refusal.
    pub(crate) fn log_failure(
        &self,
        refusal: &Refusal,
        user_id: Option<&str>,
        os_version: Option<&str>,
        enrollment_type: &str,
        device: Option<&str>,
    ) -> String {
        let correlation_id = self.rng.uuid_lower();
        let event = TroubleshootingEvent {
            id: self.rng.uuid_lower(),
            event_date_time: rfc3339(self.clock.now()),
            correlation_id: correlation_id.clone(),
            user_id: user_id.map(str::to_string),
            device_id: None,
            managed_device_identifier: None,
            operating_system: "iOS".into(),
            os_version: os_version.map(str::to_string),
            enrollment_type: enrollment_type.into(),
            failure_category: refusal.category,
            // The troubleshooting pane's form: the service's code, then its short text.
            failure_reason: format!("{}: {}", refusal.code, refusal.reason),
        };
        self.lock().events.push(event);
        self.note(
            device,
            format!("refused enrollment: {} ({})", refusal.code, refusal.reason),
        );
        correlation_id
    }

    /// Sends an MDM push through APNs with the tenant's push certificate, retrying while APNs
    /// is unavailable. Apple's "Handling notification responses from APNs" lists 429 (too many
    /// requests), 500 and 503 (the server is unavailable) as answers to retry later
    /// (https://developer.apple.com/documentation/usernotifications/handling-notification-responses-from-apns);
    /// Intune waits the `Retry-After` it is given (else backs off exponentially from 1 s) in
    /// virtual time, for at most [`PUSH_RETRY_BUDGET_SECS`] in all. A refusal (certificate,
    /// topic, token) is final at once.
    pub(crate) async fn push(&self, token_hex: &str, push_magic: &str) -> Result<(), PushError> {
        let mut waited = 0u64;
        let mut backoff = 1u64;
        loop {
            match self.push_once(token_hex, push_magic).await {
                Err(PushError::Transient {
                    reason,
                    retry_after,
                }) => {
                    let wait = retry_after.unwrap_or(backoff).max(1);
                    if waited + wait > PUSH_RETRY_BUDGET_SECS {
                        return Err(PushError::Transient {
                            reason,
                            retry_after,
                        });
                    }
                    tracing::debug!(wait, %reason, "APNs unavailable; retrying later");
                    waited += wait;
                    backoff = (backoff * 2).min(64);
                    let until = self.clock.now() + time::Duration::seconds(wait as i64);
                    self.clock.advance_to(until);
                }
                other => return other,
            }
        }
    }

    async fn push_once(&self, token_hex: &str, push_magic: &str) -> Result<(), PushError> {
        let refused = |reason: String| PushError::Refused(reason);
        let apns = self.lock().apns.clone();
        let Some(apns) = apns else {
            return Err(refused(
                "no Apple MDM push certificate is configured".into(),
            ));
        };
        let Some(client) = (self.apns_client)(&apns.identity) else {
            return Err(refused(
                "the push certificate cannot be used as a TLS identity".into(),
            ));
        };
        let request = OutgoingRequest::new(
            hyper::Method::POST,
            APNS_HOST,
            &format!("/3/device/{token_hex}"),
        )
        .header("apns-topic", apns.topic.clone())
        .header("apns-push-type", "mdm")
        .json(&crate::wire::apns::MdmPush::new(push_magic));
        match client.send(request).await {
            Ok(r) if r.status == StatusCode::OK => Ok(()),
            Ok(r) => {
                let reason = format!(
                    "APNs answered {}: {}",
                    r.status.as_u16(),
                    String::from_utf8_lossy(&r.body)
                );
                if matches!(r.status.as_u16(), 429 | 500 | 503) {
                    let retry_after = r.header("retry-after").and_then(|v| v.trim().parse().ok());
                    Err(PushError::Transient {
                        reason,
                        retry_after,
                    })
                } else {
                    Err(refused(reason))
                }
            }
            // A connection refused, reset or timed out is the network's fault and passes; a
            // handshake APNs refused (in TLS 1.3 its alert arrives after the handshake, as an
            // HTTP failure) is the certificate's and does not.
            Err(e) if e.is_transient() => Err(PushError::Transient {
                reason: e.to_string(),
                retry_after: None,
            }),
            Err(e) => Err(refused(e.to_string())),
        }
    }
}

/// How long Intune keeps retrying one push while APNs is unavailable (virtual seconds).
pub const PUSH_RETRY_BUDGET_SECS: u64 = 15 * 60;

/// Why a push did not reach APNs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PushError {
    /// APNs or the TLS handshake refused it: retrying will not help.
    #[error("{0}")]
    Refused(String),
    /// APNs was unavailable (or the network broke) for longer than Intune retries.
    #[error("{reason}")]
    Transient {
        /// What the last attempt met.
        reason: String,
        /// The last `Retry-After`, in seconds.
        retry_after: Option<u64>,
    },
}

impl Handler for IntuneService {
    fn handle(&self, request: Request) -> BoxFuture<'_, Response> {
        Box::pin(async move {
            match request.host.as_str() {
                ENROLLMENT_HOST | GOVERNMENT_ENROLLMENT_HOST => {
                    enrollment::handle(self, request).await
                }
                PORTAL_HOST => enrollment::handle_portal(self, request).await,
                MDM_HOST | GOVERNMENT_MDM_HOST if request.path == scep::SCEP_PATH => {
                    scep::handle(self, &request)
                }
                MDM_HOST | GOVERNMENT_MDM_HOST => mdm::handle(self, request).await,
                GRAPH_HOST => admin::handle(self, request).await,
                other => Response::text(
                    StatusCode::MISDIRECTED_REQUEST,
                    format!("{other} is not served here"),
                ),
            }
        })
    }
}
