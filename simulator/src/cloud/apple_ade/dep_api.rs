//! The DEP (Device Assignment) API Apple serves at `https://mdmenrollment.apple.com`, as a
//! [`Handler`] over the shared [`AppleAdeState`](super::AppleAdeState).
//!
//! Shapes follow Apple's endpoint pages under developer.apple.com/documentation/devicemanagement
//! ("Device Assignment"): `GET /session` takes an OAuth 1.0a `Authorization` header and
//! answers `{"auth_session_token": …}`; every other call needs `X-ADM-Auth-Session`
//! (missing or stale: 401 `UNAUTHORIZED`, after which clients authenticate again, as
//! "Authenticating with the Automated Device Enrollment program" says) and a `User-Agent`
//! (missing: 400 `USER_AGENT_MISSING`, listed on every endpoint page). Errors come back as the
//! bare token (`EXPIRED_CURSOR`) in a `text/plain;charset=UTF8` body, one of the three shapes
//! clients must accept (see [`crate::wire::dep::DepErrorBodyShape`]). Successful answers are
//! `application/json;charset=UTF8`.
//!
//! Endpoints: `GET /account`, `POST /server/devices`, `POST /devices/sync`, `POST /devices`,
//! `POST /profile`, `GET /profile?profile_uuid=`, `POST` or `PUT /profile/devices` (Apple's
//! page says POST; depsim and older clients use PUT) and `DELETE /profile/devices`. A body
//! that is not JSON of the right shape gets 400 `MALFORMED_REQUEST_BODY`. Nothing here
//! panics on any input: every parse is fallible and every failure is an answer.

use hyper::{Method, StatusCode};

use super::oauth::{OAuthError, OAuthParams};
use super::state::{lock, SharedAdeState};
use crate::clock::VirtualClock;
use crate::cloud::form;
use crate::net::{BoxFuture, Handler, Request, Response};
use crate::rng::SeededRng;
use crate::wire::content_type::{DEP_JSON, DEP_SESSION_HEADER};
use crate::wire::dep::{
    parse_define_body, AssignProfileRequest, DepErrorCode, DeviceDetailsRequest,
    FetchDevicesRequest, RemoveProfileRequest, SessionResponse, SyncDevicesRequest,
};

/// The host name of Apple's DEP API.
pub const DEP_HOST: &str = "mdmenrollment.apple.com";

/// The body of a 500 answer while Apple's service is failing.
pub const INTERNAL_ERROR: &str = "INTERNAL_SERVER_ERROR";

/// The `Content-Type` of error bodies (a bare token).
const ERROR_CONTENT_TYPE: &str = "text/plain;charset=UTF8";

/// Apple's DEP API over the shared state.
#[derive(Debug, Clone)]
pub struct DepApi {
    state: SharedAdeState,
    clock: VirtualClock,
    rng: SeededRng,
}

/// An error answer before it becomes a [`Response`].
struct Failure {
    status: u16,
    body: String,
}

impl From<DepErrorCode> for Failure {
    fn from(code: DepErrorCode) -> Failure {
        Failure {
            status: code.typical_status(),
            body: code.as_str().to_string(),
        }
    }
}

/// An error answer: the status and the bare body.
fn error(status: u16, body: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    Response::with_body(status, ERROR_CONTENT_TYPE, body.to_string())
}

/// The answer for a DEP error token, with the status Apple sends it with.
fn code_error(code: &DepErrorCode) -> Response {
    error(code.typical_status(), code.as_str())
}

fn ok_json(body: Vec<u8>) -> Response {
    Response::with_body(StatusCode::OK, DEP_JSON, body)
}

/// Decodes the query string into pairs (for the OAuth signature and `profile_uuid`).
fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    form::pairs(query.unwrap_or_default().as_bytes())
}

/// Reads a JSON body; an empty body reads as `{}` where every key is optional.
fn json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, DepErrorCode> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|_| DepErrorCode::MalformedRequestBody)
}

impl DepApi {
    /// The API over `state`, reading `clock` and drawing tokens and cursors from `rng`.
    pub fn new(state: SharedAdeState, clock: VirtualClock, rng: SeededRng) -> DepApi {
        DepApi { state, clock, rng }
    }

    /// The shared state.
    pub fn state(&self) -> &SharedAdeState {
        &self.state
    }

    /// Answers one request (synchronously: the state is in memory).
    pub fn answer(&self, request: &Request) -> Response {
        if lock(&self.state).failing_at(self.clock.now()) {
            // Apple documents 500 only as "internal server error"; the body names it.
            return error(500, INTERNAL_ERROR);
        }
        if request.path == "/session" {
            return if request.method == Method::GET {
                self.session(request)
            } else {
                error(405, "METHOD_NOT_ALLOWED")
            };
        }
        let known = matches!(
            request.path.as_str(),
            "/account"
                | "/server/devices"
                | "/devices/sync"
                | "/devices"
                | "/profile"
                | "/profile/devices"
        );
        if !known {
            return error(404, "NOT_FOUND");
        }
        let now = self.clock.now();
        let server = {
            let mut state = lock(&self.state);
            match state.authorize(request.header(DEP_SESSION_HEADER), now) {
                Ok(server) => server,
                Err(code) => return code_error(&code),
            }
        };
        if request
            .header("user-agent")
            .is_none_or(|ua| ua.trim().is_empty())
        {
            return code_error(&DepErrorCode::UserAgentMissing);
        }
        match self.call(request, &server) {
            Ok(body) => ok_json(body),
            Err(failure) => error(failure.status, &failure.body),
        }
    }

    /// `GET /session`.
    fn session(&self, request: &Request) -> Response {
        let params = match request
            .header("authorization")
            .ok_or(OAuthError::MissingHeader)
            .and_then(OAuthParams::parse)
        {
            Ok(p) => p,
            Err(e) => return error(400, &format!("oauth_problem={}", e.problem())),
        };
        let base_uri = format!("https://{DEP_HOST}{}", request.path);
        let query = query_pairs(request.query.as_deref());
        let now = self.clock.now();
        let opened = lock(&self.state).open_session(
            &params,
            request.method.as_str(),
            &base_uri,
            &query,
            &self.rng,
            now,
        );
        match opened {
            Ok(token) => {
                let body = SessionResponse {
                    auth_session_token: token,
                }
                .to_json();
                ok_json(body)
            }
            Err(denied) => error(denied.status(), &denied.body()),
        }
    }

    /// Every authenticated endpoint: the JSON answer, or the error response.
    fn call(&self, request: &Request, server: &str) -> Result<Vec<u8>, Failure> {
        let now = self.clock.now();
        let method = &request.method;
        let body = &request.body;
        let mut state = lock(&self.state);
        let err = Failure::from;
        match (request.path.as_str(), method) {
            ("/account", &Method::GET) => state.account(server).map(|a| a.to_json()).map_err(err),
            ("/server/devices", &Method::POST) => {
                let req: FetchDevicesRequest = json_body(body).map_err(err)?;
                state
                    .fetch_devices(server, req.cursor.as_deref(), req.limit, &self.rng, now)
                    .map(|r| r.to_json())
                    .map_err(err)
            }
            ("/devices/sync", &Method::POST) => {
                let req: SyncDevicesRequest = json_body(body).map_err(err)?;
                state
                    .sync_devices(server, req.cursor.as_deref(), req.limit, &self.rng, now)
                    .map(|r| r.to_json())
                    .map_err(err)
            }
            ("/devices", &Method::POST) => {
                let req: DeviceDetailsRequest = json_body(body).map_err(err)?;
                state
                    .device_details(server, &req.devices)
                    .map(|r| r.to_json())
                    .map_err(err)
            }
            ("/profile", &Method::POST) => {
                let profile = parse_define_body(body).map_err(err)?;
                state
                    .define_profile(server, profile, &self.rng, now)
                    .map(|r| r.to_json())
                    .map_err(err)
            }
            ("/profile", &Method::GET) => {
                let query = query_pairs(request.query.as_deref());
                let uuid = query
                    .iter()
                    .find(|(k, _)| k == "profile_uuid")
                    .map(|(_, v)| v.as_str());
                state
                    .get_profile(server, uuid)
                    .map(|p| p.to_json())
                    .map_err(err)
            }
            ("/profile/devices", &Method::POST | &Method::PUT) => {
                let req: AssignProfileRequest = json_body(body).map_err(err)?;
                state
                    .assign_profile(server, req.profile_uuid.as_deref(), &req.devices, now)
                    .map(|r| r.to_json())
                    .map_err(|c| match c {
                        // "Assign a Profile": 404 when the profile cannot be found.
                        DepErrorCode::NotFound => Failure {
                            status: 404,
                            body: c.as_str().to_string(),
                        },
                        other => Failure::from(other),
                    })
            }
            ("/profile/devices", &Method::DELETE) => {
                let req: RemoveProfileRequest = json_body(body).map_err(err)?;
                state
                    .remove_profile(server, &req.devices, now)
                    .map(|r| r.to_json())
                    .map_err(err)
            }
            _ => Err(Failure {
                status: 405,
                body: "METHOD_NOT_ALLOWED".to_string(),
            }),
        }
    }
}

impl Handler for DepApi {
    fn handle(&self, request: Request) -> BoxFuture<'_, Response> {
        let response = self.answer(&request);
        Box::pin(async move { response })
    }
}
