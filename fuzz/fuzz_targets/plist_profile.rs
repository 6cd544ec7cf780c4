//! Configuration profiles (the management profile, its SCEP and certificate payloads) and the
//! other plists a device or the ADE cloud sends: cloud configuration, MachineInfo, MDM errors.
#![no_main]

use enrollsim_simulator::wire::cloud_config::{CloudConfiguration, MachineInfo};
use enrollsim_simulator::wire::mdm_error::MdmErrorBody;
use enrollsim_simulator::wire::profile::ConfigurationProfile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(profile) = ConfigurationProfile::from_xml(bytes) {
        let _ = ConfigurationProfile::from_xml(&profile.to_xml());
    }
    let _ = CloudConfiguration::from_xml(bytes);
    let _ = MachineInfo::from_xml(bytes);
    let _ = MdmErrorBody::from_xml(bytes);
});
