//! The MDM server's side of the DEP API: a client that holds a server token, opens sessions
//! with a signed OAuth 1.0a `GET /session`, and calls the endpoints with typed bodies.
//!
//! It behaves the way Apple's "Authenticating with the Automated Device Enrollment program"
//! asks clients to, and the way nanodep's `client.Transport` does: send the stored
//! `X-ADM-Auth-Session`; with none, or on a 401, authenticate and retry once; keep a
//! refreshed `X-ADM-Auth-Session` when a response carries one. Every request has a
//! `User-Agent`, `X-Server-Protocol-Version` and, with a body,
//! `Content-Type: application/json;charset=UTF8`. The OAuth nonce comes from the world's
//! [`SeededRng`] and the timestamp from its [`VirtualClock`], so runs are reproducible.
//! Error bodies are read in any of Apple's three shapes ([`DepErrorCode::from_body`]).

use std::sync::{Arc, Mutex};

use hyper::{Method, StatusCode};

use super::dep_api::DEP_HOST;
use super::oauth::OAuthParams;
use super::token::ServerToken;
use crate::clock::VirtualClock;
use crate::net::client::{ClientError, HttpsClient, IncomingResponse, OutgoingRequest};
use crate::rng::SeededRng;
use crate::wire::content_type::{DEP_JSON, DEP_PROTOCOL_VERSION_HEADER, DEP_SESSION_HEADER};
use crate::wire::dep::{
    AccountDetail, AssignProfileRequest, AssignProfileResponse, DefineProfileResponse,
    DepErrorCode, DepProfile, DeviceDetailsRequest, DeviceDetailsResponse, DeviceListResponse,
    DeviceStatusesResponse, FetchDevicesRequest, RemoveProfileRequest, SessionResponse,
    SyncDevicesRequest,
};

/// The `X-Server-Protocol-Version` the client sends.
pub const PROTOCOL_VERSION: &str = "7";
/// The default `User-Agent`.
pub const DEFAULT_USER_AGENT: &str = "enrollsim-dep-client/1.0";

/// Why a DEP call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DepClientError {
    /// No HTTP answer (unreachable, TLS failure...).
    #[error("DEP API unreachable: {0}")]
    Transport(#[from] ClientError),
    /// `GET /session` refused the server token: 400 (bad OAuth request), 401 (unknown or
    /// replaced token, bad signature, used nonce) or 403 (`ACCESS_DENIED`,
    /// `T_C_NOT_SIGNED`).
    #[error("DEP authentication failed with {status}: {code}{}", problem.as_deref().map(|p| format!(" ({p})")).unwrap_or_default())]
    Auth {
        /// HTTP status.
        status: u16,
        /// The DEP token of the body (403), or `UNAUTHORIZED` / `BAD_REQUEST` for 401 / 400.
        code: DepErrorCode,
        /// The OAuth problem of a 400/401 body (`token_rejected`, `signature_invalid`...).
        problem: Option<String>,
    },
    /// An endpoint answered with an error token.
    #[error("DEP API answered {status}: {code}")]
    Api {
        /// HTTP status.
        status: u16,
        /// Apple's error token.
        code: DepErrorCode,
    },
    /// A success answer whose body did not decode.
    #[error("unreadable DEP answer from {endpoint}: {detail}")]
    Decode {
        /// The endpoint.
        endpoint: &'static str,
        /// What was wrong.
        detail: String,
    },
}

impl DepClientError {
    /// The HTTP status, when an answer came back.
    pub fn status(&self) -> Option<u16> {
        match self {
            DepClientError::Auth { status, .. } | DepClientError::Api { status, .. } => {
                Some(*status)
            }
            _ => None,
        }
    }

    /// Apple's error token, when an answer came back.
    pub fn code(&self) -> Option<&DepErrorCode> {
        match self {
            DepClientError::Auth { code, .. } | DepClientError::Api { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// Reads an error answer: the token in any of Apple's shapes, or `fallback` when the body
/// holds none; plus the OAuth problem of an `oauth_problem=` body.
fn read_error(
    response: &IncomingResponse,
    fallback: DepErrorCode,
) -> (DepErrorCode, Option<String>) {
    let text = String::from_utf8_lossy(&response.body);
    let problem = text
        .split('&')
        .find_map(|p| p.trim().strip_prefix("oauth_problem="))
        .map(str::to_string);
    let code = DepErrorCode::from_body(&response.body).unwrap_or(fallback);
    (code, problem)
}

/// A DEP API client for one MDM server's token. Cheap to clone; clones share the token and
/// the session.
#[derive(Debug, Clone)]
pub struct DepClient {
    http: HttpsClient,
    clock: VirtualClock,
    rng: SeededRng,
    user_agent: String,
    token: Arc<Mutex<ServerToken>>,
    session: Arc<Mutex<Option<String>>>,
}

impl DepClient {
    /// A client sending through `http` and signing with `token`.
    pub fn new(
        http: HttpsClient,
        token: ServerToken,
        clock: VirtualClock,
        rng: SeededRng,
    ) -> DepClient {
        DepClient {
            http,
            clock,
            rng,
            user_agent: DEFAULT_USER_AGENT.to_string(),
            token: Arc::new(Mutex::new(token)),
            session: Arc::new(Mutex::new(None)),
        }
    }

    /// Sets the `User-Agent` the client sends.
    pub fn with_user_agent(mut self, user_agent: impl Into<String>) -> DepClient {
        self.user_agent = user_agent.into();
        self
    }

    /// The server token in use.
    pub fn token(&self) -> ServerToken {
        self.token.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Replaces the server token (Intune's "Renew token") and forgets the session.
    pub fn set_token(&self, token: ServerToken) {
        *self.token.lock().unwrap_or_else(|p| p.into_inner()) = token;
        self.set_session(None);
    }

    /// The session token currently held.
    pub fn session(&self) -> Option<String> {
        self.session
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn set_session(&self, session: Option<String>) {
        *self.session.lock().unwrap_or_else(|p| p.into_inner()) = session;
    }

    /// The `Authorization` header for a fresh `GET /session`, signed now with a new nonce.
    pub fn session_authorization(&self) -> String {
        let token = self.token();
        let nonce = self.rng.hex(16);
        let timestamp = self.clock.now().unix_timestamp();
        let base_uri = format!("https://{DEP_HOST}/session");
        OAuthParams::sign(
            "GET",
            &base_uri,
            &[],
            token.credentials(),
            &nonce,
            timestamp,
        )
        .to_header()
    }

    /// `GET /session`: opens a new session and keeps it.
    pub async fn authenticate(&self) -> Result<String, DepClientError> {
        let request = OutgoingRequest::new(Method::GET, DEP_HOST, "/session")
            .header("authorization", self.session_authorization())
            .header("user-agent", self.user_agent.clone())
            .header(DEP_PROTOCOL_VERSION_HEADER, PROTOCOL_VERSION);
        let response = self.http.send(request).await?;
        if !response.status.is_success() {
            let fallback = match response.status {
                StatusCode::UNAUTHORIZED => DepErrorCode::Unauthorized,
                _ => DepErrorCode::Other("BAD_REQUEST".to_string()),
            };
            let (code, problem) = read_error(&response, fallback);
            self.set_session(None);
            return Err(DepClientError::Auth {
                status: response.status.as_u16(),
                code,
                problem,
            });
        }
        let session = SessionResponse::from_json(&response.body)
            .map_err(|e| DepClientError::Decode {
                endpoint: "/session",
                detail: e.to_string(),
            })?
            .auth_session_token;
        self.set_session(Some(session.clone()));
        Ok(session)
    }

    async fn send_once(
        &self,
        method: &Method,
        path: &str,
        body: Option<&[u8]>,
        session: &str,
    ) -> Result<IncomingResponse, DepClientError> {
        let mut request = OutgoingRequest::new(method.clone(), DEP_HOST, path)
            .header(DEP_SESSION_HEADER, session)
            .header("user-agent", self.user_agent.clone())
            .header(DEP_PROTOCOL_VERSION_HEADER, PROTOCOL_VERSION);
        if let Some(body) = body {
            request = request.body(DEP_JSON, body.to_vec());
        }
        Ok(self.http.send(request).await?)
    }

    /// One authenticated call: authenticates first if needed, and once more on a 401.
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<IncomingResponse, DepClientError> {
        let session = match self.session() {
            Some(s) => s,
            None => self.authenticate().await?,
        };
        let mut response = self
            .send_once(&method, path, body.as_deref(), &session)
            .await?;
        if response.status == StatusCode::UNAUTHORIZED {
            let session = self.authenticate().await?;
            response = self
                .send_once(&method, path, body.as_deref(), &session)
                .await?;
        }
        if let Some(refreshed) = response.header(DEP_SESSION_HEADER) {
            self.set_session(Some(refreshed.to_string()));
        }
        if !response.status.is_success() {
            let fallback = DepErrorCode::Other(response.status.as_u16().to_string());
            let (code, _) = read_error(&response, fallback);
            if response.status == StatusCode::UNAUTHORIZED {
                self.set_session(None);
            }
            return Err(DepClientError::Api {
                status: response.status.as_u16(),
                code,
            });
        }
        Ok(response)
    }

    async fn call_json<T: serde::de::DeserializeOwned>(
        &self,
        method: Method,
        endpoint: &'static str,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<T, DepClientError> {
        let response = self.call(method, path, body).await?;
        response.json().map_err(|e| DepClientError::Decode {
            endpoint,
            detail: e.to_string(),
        })
    }

    /// `GET /account`.
    pub async fn account(&self) -> Result<AccountDetail, DepClientError> {
        self.call_json(Method::GET, "/account", "/account", None)
            .await
    }

    /// `POST /server/devices` with the default page size: a full fetch, page by page
    /// (`None` starts it; pass the returned cursor while `more_to_follow`).
    pub async fn fetch_devices(
        &self,
        cursor: Option<&str>,
    ) -> Result<DeviceListResponse, DepClientError> {
        self.fetch_devices_page(cursor, None).await
    }

    /// `POST /server/devices` with an explicit `limit`.
    pub async fn fetch_devices_page(
        &self,
        cursor: Option<&str>,
        limit: Option<u32>,
    ) -> Result<DeviceListResponse, DepClientError> {
        let body = FetchDevicesRequest {
            cursor: cursor.map(str::to_string),
            limit,
        };
        let body = serde_json::to_vec(&body).unwrap_or_default();
        self.call_json(
            Method::POST,
            "/server/devices",
            "/server/devices",
            Some(body),
        )
        .await
    }

    /// `POST /devices/sync`: the changes since `cursor` (from a fetch or a previous sync).
    pub async fn sync_devices(&self, cursor: &str) -> Result<DeviceListResponse, DepClientError> {
        let body = SyncDevicesRequest {
            cursor: Some(cursor.to_string()),
            limit: None,
        };
        let body = serde_json::to_vec(&body).unwrap_or_default();
        self.call_json(Method::POST, "/devices/sync", "/devices/sync", Some(body))
            .await
    }

    /// `POST /devices`: details per serial (`NOT_ACCESSIBLE` for foreign or unknown ones).
    pub async fn device_details(
        &self,
        serials: &[String],
    ) -> Result<DeviceDetailsResponse, DepClientError> {
        let body = DeviceDetailsRequest {
            devices: serials.to_vec(),
        };
        let body = serde_json::to_vec(&body).unwrap_or_default();
        self.call_json(Method::POST, "/devices", "/devices", Some(body))
            .await
    }

    /// `POST /profile`: defines the profile (assigning it to its `devices`, if any) and
    /// returns its `profile_uuid`.
    pub async fn define_profile(&self, profile: &DepProfile) -> Result<String, DepClientError> {
        Ok(self.define_profile_full(profile).await?.profile_uuid)
    }

    /// `POST /profile`, with the per-serial outcomes of the profile's `devices`.
    pub async fn define_profile_full(
        &self,
        profile: &DepProfile,
    ) -> Result<DefineProfileResponse, DepClientError> {
        self.call_json(
            Method::POST,
            "/profile",
            "/profile",
            Some(profile.to_json()),
        )
        .await
    }

    /// `GET /profile?profile_uuid=`.
    pub async fn get_profile(&self, profile_uuid: &str) -> Result<DepProfile, DepClientError> {
        let path = format!(
            "/profile?profile_uuid={}",
            crate::cloud::form::percent_encode(profile_uuid)
        );
        self.call_json(Method::GET, "/profile", &path, None).await
    }

    /// `POST /profile/devices`: assigns the profile to the serials.
    pub async fn assign_profile(
        &self,
        profile_uuid: &str,
        serials: &[String],
    ) -> Result<AssignProfileResponse, DepClientError> {
        let body = AssignProfileRequest {
            profile_uuid: Some(profile_uuid.to_string()),
            devices: serials.to_vec(),
        };
        let body = serde_json::to_vec(&body).unwrap_or_default();
        self.call_json(
            Method::POST,
            "/profile/devices",
            "/profile/devices",
            Some(body),
        )
        .await
    }

    /// `DELETE /profile/devices`: removes the serials' profile.
    pub async fn remove_profile(
        &self,
        serials: &[String],
    ) -> Result<DeviceStatusesResponse, DepClientError> {
        let body = RemoveProfileRequest {
            profile_uuid: None,
            devices: serials.to_vec(),
        };
        let body = serde_json::to_vec(&body).unwrap_or_default();
        self.call_json(
            Method::DELETE,
            "/profile/devices",
            "/profile/devices",
            Some(body),
        )
        .await
    }
}
