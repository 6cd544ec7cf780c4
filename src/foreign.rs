//! The simulated iOS device against a foreign MDM server: give it a standard enrollment profile
//! (`.mobileconfig` with SCEP and MDM payloads) and it enrolls into whatever server the profile
//! names, on loopback, then checks in and answers the commands it is sent.
//!
//! It is the same device the worlds use (see `enrollsim_simulator::device::foreign`), so a
//! foreign server sees what Intune's simulated service sees: the SCEP exchange, `Authenticate`
//! and `TokenUpdate` (with `Mdm-Signature` when the profile asks for it), the command channel.
//! `enrollsim device enroll` is its command line.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use enrollsim::foreign::{enroll_device, CheckIns, ForeignOptions};
//! let profile = std::fs::read("enroll.mobileconfig")?;
//! let options = ForeignOptions { allow_http: true, seed: 7, ..Default::default() };
//! let checkins = CheckIns { rounds: 3, ..Default::default() };
//! let report = enroll_device(&profile, &options, checkins).await?;
//! println!("{} enrolled: {}", report.udid, report.enrolled);
//! # Ok(()) }
//! ```

pub use enrollsim_simulator::device::foreign::{
    AnsweredCommand, CheckIns, ForeignDeviceError, ForeignEnrollment, ForeignOptions,
};
use enrollsim_simulator::device::Device;

/// Enrolls a new simulated iPhone (serial number and UDID from `options.seed`) with `profile`,
/// then runs the idle check-in rounds `checkins` asks for. Failures of the enrollment itself are in the
/// report (`enrolled`, `error`); only a device that cannot be set up (an unusable CA) is an
/// error here.
pub async fn enroll_device(
    profile: &[u8],
    options: &ForeignOptions,
    checkins: CheckIns,
) -> Result<ForeignEnrollment, ForeignDeviceError> {
    let device = Device::for_foreign_server(options)?;
    Ok(device.enroll_into_foreign_server(profile, checkins).await)
}
