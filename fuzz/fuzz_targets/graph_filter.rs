//! The Graph `$filter` parser, through the admin API as a client reaches it: any filter text
//! on `managedDevices` gets a list or Graph's 400, never a panic or a 5xx.
#![no_main]

use enrollsim_fuzz::{answer, served, Service};
use enrollsim_simulator::net::Request;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|filter: &str| {
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
});
