//! The article's warning under AccountNotOnboarded: renew the APNs certificate, never replace
//! it. Renewing keeps the MDM topic, so devices enrolled before still get pushes; replacing
//! creates a new topic, and every device enrolled under the old one becomes unreachable until
//! it is enrolled again.

use enrollsim_harness::lab::Lab;
use enrollsim_harness::scenario::{Action, EnrollVia, HistoryStep, UserSpec, WorldSpec};
use enrollsim_simulator::device::mdmclient::SessionEnd;
use enrollsim_simulator::device::Outcome;
use hyper::Method;

const UPN: &str = "alex@contoso.example";

async fn enrolled_lab(seed: u64) -> Lab {
    let spec = WorldSpec::builder()
        .seed(seed)
        .user(UserSpec::new(UPN))
        .history(HistoryStep::Enroll {
            via: EnrollVia::CompanyPortal,
            user: UPN.into(),
            device: None,
        })
        .build();
    Lab::start(&spec)
        .await
        .expect("lab starts and the device enrolls")
}

async fn push_to_device(lab: &Lab) -> (SessionEnd, Option<String>) {
    let admin = lab.admin();
    let devices = admin
        .call(Method::GET, "/v1.0/deviceManagement/managedDevices", None)
        .await
        .unwrap();
    let serial = lab.device.serial();
    let id = devices["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["serialNumber"] == serial.as_str())
        .expect("device listed")["id"]
        .as_str()
        .unwrap()
        .to_string();
    admin
        .call(
            Method::POST,
            &format!("/v1.0/deviceManagement/managedDevices/{id}/syncDevice"),
            None,
        )
        .await
        .unwrap();
    let end = lab.device.handle_push().await;
    let devices = admin
        .call(Method::GET, "/v1.0/deviceManagement/managedDevices", None)
        .await
        .unwrap();
    let failure = devices["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id.as_str())
        .and_then(|d| d["lastPushFailure"].as_str().map(str::to_string));
    (end, failure)
}

#[tokio::test]
async fn renewing_keeps_enrolled_devices_reachable() {
    let lab = enrolled_lab(301).await;
    let (before, _) = push_to_device(&lab).await;
    assert!(
        matches!(before, SessionEnd::Done { .. }),
        "reachable before: {before:?}"
    );
    lab.admin().renew_apns_certificate().await.unwrap();
    let (after, failure) = push_to_device(&lab).await;
    assert!(
        matches!(after, SessionEnd::Done { .. }),
        "renewed: {after:?} {failure:?}"
    );
    assert_eq!(failure, None);
}

#[tokio::test]
async fn replacing_strands_enrolled_devices_until_they_reenroll() {
    let lab = enrolled_lab(302).await;
    lab.admin().upload_new_apns_certificate().await.unwrap();
    let (after, failure) = push_to_device(&lab).await;
    assert_eq!(after, SessionEnd::NoPush, "the device must not be woken");
    let failure = failure.expect("Intune records the refused push");
    assert!(failure.contains("DeviceTokenNotForTopic"), "{failure}");
    // Re-enrolling fixes it, but only after the old management profile (old topic) is removed:
    // the new profile's topic differs, which iOS refuses as an update.
    let again = lab.enroll(&Action::company_portal(UPN)).await;
    assert!(
        matches!(&again, Outcome::Failed { text, .. } if text.contains("does not match the old payload")),
        "{again:?}"
    );
    lab.device.remove_management_profiles().await;
    let again = lab.enroll(&Action::company_portal(UPN)).await;
    assert_eq!(again, Outcome::Enrolled { upn: UPN.into() });
    let (end, failure) = push_to_device(&lab).await;
    assert!(
        matches!(end, SessionEnd::Done { .. }),
        "{end:?} {failure:?}"
    );
}
