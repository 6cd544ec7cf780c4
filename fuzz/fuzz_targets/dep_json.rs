//! The DEP API's JSON (profiles, device lists, error bodies) and the other JSON bodies of the
//! wire (APNs push and error, cloud configuration request, MDM error).
#![no_main]

use enrollsim_simulator::wire::apns::{ApnsErrorBody, MdmPush};
use enrollsim_simulator::wire::cloud_config::CloudConfigRequest;
use enrollsim_simulator::wire::dep::{self, DepErrorCode, DepProfile, DeviceListResponse};
use enrollsim_simulator::wire::mdm_error::MdmErrorBody;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(profile) = DepProfile::from_json(bytes) {
        let _ = DepProfile::from_json(&profile.to_json());
    }
    let _ = DeviceListResponse::from_json(bytes);
    let _ = DepErrorCode::from_body(bytes);
    let _ = dep::parse_define_body(bytes);
    let _ = MdmPush::from_json(bytes);
    let _ = ApnsErrorBody::from_json(bytes);
    let _ = CloudConfigRequest::from_json(bytes);
    let _ = MdmErrorBody::from_json(bytes);
});
