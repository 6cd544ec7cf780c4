//! Each service's request handling, structure-aware: a known route with any suffix, query,
//! headers and body goes straight to the service's handler; every request gets an answer.
#![no_main]

use enrollsim_fuzz::{answer, served, FuzzRequest};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: FuzzRequest| {
    let token = served().lab.world.admin_token();
    let request = input.to_request(&token);
    let response = answer(input.service, request);
    assert!(response.status.as_u16() >= 100, "no status");
});
