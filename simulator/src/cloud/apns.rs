//! Apple Push Notification service: the HTTP/2 provider API and the devices' push connections.
//!
//! Providers (Intune) send `POST /3/device/<token>` with body `{"mdm":"<PushMagic>"}` over
//! HTTP/2, authenticating with the MDM push certificate as the TLS client certificate. The TLS
//! layer does the first check, as Apple's does: an expired certificate, or one Apple did not
//! issue, fails the handshake before any HTTP is spoken. Past the handshake, the certificate's
//! topic (its subject `UID`) must be the topic the device registered its token for, otherwise
//! `DeviceTokenNotForTopic` — which is what happens to every enrolled device when an admin
//! *replaces* the push certificate instead of renewing it. Reasons and statuses follow Apple's
//! "Handling notification responses from APNs".
//!
//! The device side of APNs is a persistent connection in iOS (apsd), not HTTP; here a device
//! registers a topic and gets a token and a mailbox, and a delivered push lands in the mailbox.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use hyper::{Method, StatusCode};
use serde_json::json;
use tokio::sync::mpsc;

use crate::clock::VirtualClock;
use crate::net::{BoxFuture, Handler, Request, Response};
use crate::recorder::{Entry, Happening, Recorder};
use crate::rng::{hex, SeededRng};

/// The APNs provider API host.
pub const APNS_HOST: &str = "api.push.apple.com";

/// Apple's limit on a notification payload for MDM (4 KiB).
const MAX_PAYLOAD: usize = 4096;

/// A notification delivered to a device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Push {
    /// The topic it was sent on.
    pub topic: String,
    /// The `mdm` value: the PushMagic the device gave the server.
    pub push_magic: String,
}

struct Registration {
    topic: String,
    mailbox: mpsc::UnboundedSender<Push>,
}

/// APNs state: registered device tokens and certificates Apple has revoked.
#[derive(Default)]
pub struct ApnsState {
    registrations: HashMap<String, Registration>,
    /// Serial numbers (hex) of push certificates Apple no longer accepts, though they are
    /// within their validity (revoked in the Apple Push Certificates Portal).
    pub revoked_certificate_serials: BTreeSet<String>,
    /// How many notifications were delivered.
    pub delivered: u64,
    /// Whether devices outside the world may be pushed to (a served world): their tokens come
    /// from Apple's real APNs, so this one cannot know them.
    pub outside_devices: bool,
}

impl std::fmt::Debug for ApnsState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApnsState")
            .field("registrations", &self.registrations.len())
            .field("delivered", &self.delivered)
            .finish()
    }
}

/// The APNs service of a world.
#[derive(Clone, Debug)]
pub struct ApnsService {
    state: Arc<Mutex<ApnsState>>,
    clock: VirtualClock,
    rng: SeededRng,
    recorder: Recorder,
}

impl ApnsService {
    /// A service with no registrations.
    pub fn new(clock: VirtualClock, rng: SeededRng, recorder: Recorder) -> Self {
        ApnsService {
            state: Arc::new(Mutex::new(ApnsState::default())),
            clock,
            rng,
            recorder,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ApnsState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers a device for `topic` (what apsd does when the MDM payload is installed):
    /// returns the 32-byte device token and the mailbox pushes arrive in.
    pub fn register(
        &self,
        topic: &str,
        rng: &SeededRng,
    ) -> (Vec<u8>, mpsc::UnboundedReceiver<Push>) {
        let token = rng.bytes(32);
        let (tx, rx) = mpsc::unbounded_channel();
        self.lock().registrations.insert(
            hex(&token),
            Registration {
                topic: topic.to_string(),
                mailbox: tx,
            },
        );
        (token, rx)
    }

    /// From now on a device token with no registration is taken as a device outside the world (an Apple MDM client enrolled into a served world): the push is
    /// accepted, as Apple's APNs accepts it for a device it knows, and goes nowhere, since the
    /// device listens to Apple, not to this service. Without it such a token is
    /// `BadDeviceToken`, and Intune would never count the device as managed.
    pub fn accept_outside_devices(&self) {
        self.lock().outside_devices = true;
    }

    /// Marks a push certificate (by serial, hex) as revoked by Apple.
    pub fn revoke_certificate(&self, serial_hex: &str) {
        self.lock()
            .revoked_certificate_serials
            .insert(serial_hex.to_ascii_lowercase());
    }

    /// How many notifications were delivered so far.
    pub fn delivered(&self) -> u64 {
        self.lock().delivered
    }

    fn reject(&self, status: StatusCode, reason: &str) -> Response {
        tracing::debug!(status = status.as_u16(), reason, "push refused");
        let mut body = json!({ "reason": reason });
        if status == StatusCode::GONE {
            body["timestamp"] = json!(self.clock.now().unix_timestamp() * 1000);
        }
        Response::json(status, &body).header("apns-id", &self.rng.uuid())
    }

    fn send(&self, request: &Request, token: &str) -> Response {
        let Some(peer) = &request.peer else {
            return self.reject(StatusCode::FORBIDDEN, "MissingProviderToken");
        };
        let Ok(facts) = enrollsim_certs::inspect::facts(&peer.certificate) else {
            return self.reject(StatusCode::FORBIDDEN, "BadCertificate");
        };
        let Some(cert_topic) = facts.uid.clone() else {
            return self.reject(StatusCode::FORBIDDEN, "BadCertificate");
        };
        if request.body.len() > MAX_PAYLOAD {
            return self.reject(StatusCode::PAYLOAD_TOO_LARGE, "PayloadTooLarge");
        }
        let payload: serde_json::Value = match serde_json::from_slice(&request.body) {
            Ok(v) => v,
            Err(_) if request.body.is_empty() => {
                return self.reject(StatusCode::BAD_REQUEST, "PayloadEmpty")
            }
            Err(_) => return self.reject(StatusCode::BAD_REQUEST, "BadMessageId"),
        };
        let Some(push_magic) = payload.get("mdm").and_then(|v| v.as_str()) else {
            return self.reject(StatusCode::BAD_REQUEST, "PayloadEmpty");
        };
        if let Some(topic) = request.header("apns-topic") {
            if topic != cert_topic {
                return self.reject(StatusCode::BAD_REQUEST, "TopicDisallowed");
            }
        }
        let mut state = self.lock();
        if state
            .revoked_certificate_serials
            .contains(&facts.serial_hex.to_ascii_lowercase())
        {
            return self.reject(StatusCode::FORBIDDEN, "BadCertificate");
        }
        let registered = state
            .registrations
            .contains_key(&token.to_ascii_lowercase());
        if !registered && state.outside_devices {
            // Apple's APNs judges an outside device's token; this one cannot (mdmb, for one,
            // sends a placeholder), so it takes any.
            drop(state);
            return self.accept_for_outside_device(token);
        }
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return self.reject(StatusCode::BAD_REQUEST, "BadDeviceToken");
        }
        let Some(registration) = state.registrations.get(&token.to_ascii_lowercase()) else {
            return self.reject(StatusCode::BAD_REQUEST, "BadDeviceToken");
        };
        if registration.topic != cert_topic {
            return self.reject(StatusCode::BAD_REQUEST, "DeviceTokenNotForTopic");
        }
        let push = Push {
            topic: cert_topic,
            push_magic: push_magic.to_string(),
        };
        if registration.mailbox.send(push).is_err() {
            // The device is gone (wiped or its push connection dropped): the token is dead.
            state.registrations.remove(&token.to_ascii_lowercase());
            drop(state);
            return self.reject(StatusCode::GONE, "Unregistered");
        }
        state.delivered += 1;
        drop(state);
        tracing::debug!(device_token = &token[..8], "push delivered");
        self.recorder.record(Entry {
            at: self.clock.now(),
            device: None,
            what: Happening::Note {
                party: "APNs".into(),
                text: format!("delivered an MDM push to device token {}…", &token[..8]),
            },
        });
        Response::empty(StatusCode::OK).header("apns-id", &self.rng.uuid())
    }
}

impl ApnsService {
    /// A push for a device outside the world: accepted, recorded, not delivered.
    fn accept_for_outside_device(&self, token: &str) -> Response {
        self.recorder.record(Entry {
            at: self.clock.now(),
            device: None,
            what: Happening::Note {
                party: "APNs".into(),
                text: format!(
                    "accepted an MDM push for device token {}… of a device outside the world",
                    token.get(..8).unwrap_or(token)
                ),
            },
        });
        Response::empty(StatusCode::OK).header("apns-id", &self.rng.uuid())
    }
}

impl Handler for ApnsService {
    /// An outage (a fault in the world's table): `503` with APNs's JSON reason,
    /// `ServiceUnavailable`, and `Retry-After`. Apple's "Handling notification responses from
    /// APNs" lists 503 as "the server is shutting down and unavailable" and 429/500 beside it;
    /// providers retry those later (https://developer.apple.com/documentation/usernotifications/handling-notification-responses-from-apns).
    fn unavailable(&self, retry_after_secs: u64) -> Response {
        tracing::debug!(retry_after_secs, "APNs unavailable");
        self.reject(StatusCode::SERVICE_UNAVAILABLE, "ServiceUnavailable")
            .header("retry-after", &retry_after_secs.to_string())
    }

    fn handle(&self, request: Request) -> BoxFuture<'_, Response> {
        Box::pin(async move {
            match request.path.strip_prefix("/3/device/") {
                Some(token) if request.method == Method::POST => self.send(&request, token),
                Some(_) => self.reject(StatusCode::METHOD_NOT_ALLOWED, "MethodNotAllowed"),
                None => self.reject(StatusCode::NOT_FOUND, "BadPath"),
            }
        })
    }
}
