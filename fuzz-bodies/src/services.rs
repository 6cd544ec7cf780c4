//! Each service's request handling and the Graph `$filter` parser behind the admin API: one
//! world per process, started from a catalog scenario, whose services' handlers are called
//! directly (no TLS, no sockets between the fuzzer and the handler), and the request shape
//! libFuzzer mutates.

use std::sync::OnceLock;

use bytes::Bytes;
use enrollsim_harness::lab::Lab;
use enrollsim_harness::scenario::Scenario;
use enrollsim_simulator::net::{Handler, Request, Response};

use crate::{with, Outcome};
use arbitrary::Arbitrary;
use hyper::header::{HeaderName, HeaderValue};
use hyper::{HeaderMap, Method};

/// The catalog scenario whose world the handlers serve: a tenant where enrollment succeeds,
/// so every service has its state (users, licences, push certificate) to answer from.
const SCENARIO: &str = include_str!("../../scenarios/byod-success.toml");

/// The running world and the runtime its listeners (reached by services that call each other)
/// run on.
pub struct Served {
    /// Drives the handlers' futures and the world's servers.
    pub runtime: tokio::runtime::Runtime,
    /// The world, its history replayed.
    pub lab: Lab,
}

/// The process's world, started on first use.
pub fn served() -> &'static Served {
    static SERVED: OnceLock<Served> = OnceLock::new();
    SERVED.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let scenario = Scenario::from_toml_str(SCENARIO, "byod-success.toml").expect("catalog");
        let lab = runtime
            .block_on(Lab::start(&scenario.world))
            .expect("the catalog world starts");
        Served { runtime, lab }
    })
}

/// Which service answers.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub enum Service {
    /// Entra ID (token endpoint, device registration).
    Entra,
    /// Intune (enrollment, portal, MDM, admin API).
    Intune,
    /// APNs' provider API.
    Apns,
    /// Apple's ADE service (DEP API, iprofiles).
    AppleAde,
}

/// Hosts and paths the services route on: the fuzzer picks one and may add to it.
const ROUTES: &[(&str, &str)] = &[
    (
        "login.microsoftonline.com",
        "/organizations/oauth2/v2.0/token",
    ),
    (
        "enterpriseregistration.windows.net",
        "/EnrollmentServer/device",
    ),
    (
        "enrollment.manage.microsoft.com",
        "/enrollment/v1/eligibility",
    ),
    ("enrollment.manage.microsoft.com", "/enrollment/v1/sessions"),
    (
        "enrollment.manage.microsoft.com",
        "/enrollment/v1/profiles/",
    ),
    ("enrollment.manage.microsoft.com", "/enrollment/v1/ade/"),
    ("enrollment.manage.microsoft.com", "/enrollment/ios"),
    ("portal.manage.microsoft.com", "/devices"),
    ("i.manage.microsoft.com", "/checkin"),
    ("i.manage.microsoft.com", "/command"),
    (
        "graph.microsoft.com",
        "/v1.0/deviceManagement/managedDevices",
    ),
    (
        "graph.microsoft.com",
        "/beta/deviceManagement/deviceEnrollmentConfigurations",
    ),
    ("graph.microsoft.com", "/v1.0/users"),
    ("graph.microsoft.com", "/v1.0/groups"),
    ("graph.microsoft.com", "/v1.0/organization"),
    ("api.push.apple.com", "/3/device/"),
    ("mdmenrollment.apple.com", "/session"),
    ("mdmenrollment.apple.com", "/server/devices"),
    ("mdmenrollment.apple.com", "/devices/sync"),
    ("mdmenrollment.apple.com", "/profile"),
    ("mdmenrollment.apple.com", "/profile/devices"),
    ("mdmenrollment.apple.com", "/account"),
    ("iprofiles.apple.com", "/macProfile"),
];

const METHODS: [Method; 5] = [
    Method::GET,
    Method::POST,
    Method::PUT,
    Method::DELETE,
    Method::PATCH,
];

/// A request as libFuzzer builds it: a known route with a suffix, any query, headers and body,
/// with or without the admin's bearer token.
#[derive(Debug, Arbitrary)]
pub struct FuzzRequest {
    /// Which service gets it.
    pub service: Service,
    /// Index into the method list.
    pub method: u8,
    /// Index into the known routes.
    pub route: u8,
    /// Appended to the route's path.
    pub path_suffix: String,
    /// The query string.
    pub query: Option<String>,
    /// Extra headers (invalid names or values are dropped, as hyper would refuse them).
    pub headers: Vec<(String, String)>,
    /// Whether to send the admin API's bearer token.
    pub admin_token: bool,
    /// The body.
    pub body: Vec<u8>,
}

impl FuzzRequest {
    /// The request the handler sees.
    pub fn to_request(&self, admin_token: &str) -> Request {
        let (host, path) = ROUTES[usize::from(self.route) % ROUTES.len()];
        let mut headers = HeaderMap::new();
        for (name, value) in &self.headers {
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                headers.append(n, v);
            }
        }
        if self.admin_token {
            if let Ok(v) = HeaderValue::from_str(&format!("Bearer {admin_token}")) {
                headers.insert(hyper::header::AUTHORIZATION, v);
            }
        }
        Request {
            method: METHODS[usize::from(self.method) % METHODS.len()].clone(),
            host: host.to_string(),
            path: format!("{path}{}", self.path_suffix),
            query: self.query.clone(),
            headers,
            body: Bytes::from(self.body.clone()),
            peer: None,
        }
    }
}

/// Hands `request` to `service`'s handler in the process's world and waits for the answer.
fn answer(service: Service, request: Request) -> Response {
    let served = served();
    let world = &served.lab.world;
    let handler: &dyn Handler = match service {
        Service::Entra => &world.entra,
        Service::Intune => &world.intune,
        Service::Apns => &world.apns,
        Service::AppleAde => &world.apple_ade,
    };
    served.runtime.block_on(handler.handle(request))
}

/// Each service's request handling, structure-aware: a known route with any suffix, query,
/// headers and body goes straight to the service's handler; every request gets an answer.
pub fn service_request(bytes: &[u8]) -> Outcome {
    with(bytes, |input: FuzzRequest| {
        let token = served().lab.world.admin_token();
        let request = input.to_request(&token);
        let response = answer(input.service, request);
        assert!(response.status.as_u16() >= 100, "no status");
    })
}

/// The Graph `$filter` parser, through the admin API as a client reaches it: any filter text
/// on `managedDevices` gets a list or Graph's 400, never a panic or a 5xx.
pub fn graph_filter(bytes: &[u8]) -> Outcome {
    with(bytes, |filter: &str| {
        let token = served().lab.world.admin_token();
        let mut headers = hyper::HeaderMap::new();
        headers.insert(
            hyper::header::AUTHORIZATION,
            format!("Bearer {token}").parse().expect("a header value"),
        );
        let encoded: String = filter.bytes().map(|b| format!("%{b:02X}")).collect();
        let request = Request {
            method: hyper::Method::GET,
            host: "graph.microsoft.com".into(),
            path: "/v1.0/deviceManagement/managedDevices".into(),
            query: Some(format!("$filter={encoded}")),
            headers,
            body: bytes::Bytes::new(),
            peer: None,
        };
        let response = answer(Service::Intune, request);
        let status = response.status.as_u16();
        assert!(status == 200 || status == 400, "$filter answered {status}");
    })
}
