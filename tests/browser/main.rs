//! End-to-end tests of the web lab in headless Chromium, driven over WebDriver (chromedriver).
//!
//! They are a test target of their own (`cargo test --features browser --test browser`), which
//! `cargo test --workspace` does not build: they need Debian's `chromium` and
//! `chromium-driver` (`.ci/run` installs them). Without them the tests fail; they never skip.
//! Screenshots of each screen go to `$ENROLLSIM_SCREENSHOTS`, else
//! `target/browser-screenshots/`.

// A test reads best as one story from setup to the last assertion.
#![allow(clippy::too_many_lines)]

mod driver;
mod solve_catalog;

use driver::{Trainee, WebDriver};
use enrollsim::catalog;
use enrollsim::Scenario;
use enrollsim_harness::web::{WebLab, WebLabConfig};

const ALEX: &str = "alex@contoso.example";

/// The device list's delete buttons (each labelled "Delete <device> (<serial>)").
const DELETE_BUTTONS: &str = "button[aria-label^='Delete ']";

fn scenario(id: &str) -> Scenario {
    catalog::builtin()
        .expect("the catalog loads")
        .into_iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("no catalog scenario {id}"))
}

async fn lab(id: &str) -> WebLab {
    WebLab::start(WebLabConfig::new(scenario(id)))
        .await
        .expect("the web lab starts")
}

/// Opens the Users page and the list of `upn`'s devices.
async fn open_user_devices(trainee: &Trainee, upn: &str) {
    trainee.click_text("Users").await;
    trainee.click_label(&format!("Devices of {upn}")).await;
    trainee
        .wait_until("the device list", |t| async move {
            t.text("#admin-view").await.contains("Devices of") && t.count(DELETE_BUTTONS).await > 0
        })
        .await;
}

/// Deletes the first device of the device list showing, as a trainee clicks it.
async fn delete_one_device(trainee: &Trainee) {
    let count = trainee.count(DELETE_BUTTONS).await;
    trainee.click_css(DELETE_BUTTONS).await;
    trainee
        .wait_until(
            "the deleted device to leave the list",
            move |t| async move { t.count(DELETE_BUTTONS).await == count - 1 },
        )
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_trainee_solves_the_device_cap_lab_by_deleting_stale_devices() {
    let driver = WebDriver::start().await;
    let lab = lab("device-cap-reached").await;
    let trainee = driver.trainee(&lab).await;
    trainee.wait_for_phone("Device Cap Reached").await;
    trainee.screenshot("device-cap-phone").await;
    trainee.check_labels("the start page").await;

    open_user_devices(&trainee, ALEX).await;
    assert_eq!(
        trainee.count(DELETE_BUTTONS).await,
        15,
        "the user's 15 devices"
    );
    trainee.screenshot("device-cap-users-devices").await;
    trainee.check_labels("the user's devices").await;
    delete_one_device(&trainee).await;
    delete_one_device(&trainee).await;

    // Keyboard only: Tab reaches the enrol button, with a visible focus, and Enter presses it.
    assert!(
        trainee.tab_to("enroll", 60).await,
        "Tab reaches \"Try enrolling again\" with a visible focus outline"
    );
    trainee.press_enter("#enroll").await;
    trainee.wait_for_debrief().await;
    let debrief = trainee.text("#debrief").await;
    assert!(debrief.contains("Debrief: fixed"), "{debrief}");
    assert!(debrief.contains("device-cap-reached"), "{debrief}");
    assert!(debrief.contains("(part of the fix)"), "{debrief}");
    assert!(!debrief.contains("(did not help)"), "{debrief}");
    trainee.screenshot("device-cap-debrief").await;
    // Another lab: the trainee's world is replaced by a fresh one.
    trainee.click_css("#new-lab").await;
    trainee.wait_for_phone("Device Cap Reached").await;
    assert!(
        trainee.text("#debrief").await.is_empty(),
        "a new lab has no debrief"
    );
    assert_eq!(
        lab.session_count().await,
        1,
        "the finished world was stopped"
    );
    trainee.close().await;
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn replacing_the_push_certificate_instead_of_renewing_leaves_the_device_unreachable() {
    let driver = WebDriver::start().await;
    let lab = lab("accountnotonboarded").await;
    let trainee = driver.trainee(&lab).await;
    trainee.wait_for_phone("AccountNotOnboarded").await;
    trainee.click_text("Apple MDM push certificate").await;
    trainee
        .wait_until("the push certificate page", |t| async move {
            t.text("#admin-view").await.contains("topicIdentifier")
        })
        .await;
    let topic_before = trainee.text("#admin-view").await;
    trainee.screenshot("push-certificate").await;
    trainee.check_labels("the push certificate page").await;
    trainee
        .click_label("Replace the push certificate with a new one (a new topic)")
        .await;
    trainee
        .wait_until("the new certificate", move |t| {
            let before = topic_before.clone();
            async move { t.text("#admin-view").await != before }
        })
        .await;

    trainee.click_css("#enroll").await;
    // The device holds the management profile of the old topic: the new one does not match,
    // and the device stays out of Intune's reach.
    trainee
        .wait_for_phone("does not match the old payload")
        .await;
    trainee.screenshot("push-certificate-replaced-phone").await;
    trainee.click_text("All devices").await;
    trainee
        .wait_until("the device list", |t| async move {
            t.text("#admin-view").await.contains("All devices")
        })
        .await;
    let devices = trainee.text("#admin-view").await;
    assert!(
        !devices.contains("managed"),
        "the device is not managed: {devices}"
    );

    trainee.click_css("#give-up").await;
    trainee.wait_for_debrief().await;
    let debrief = trainee.text("#debrief").await;
    assert!(debrief.contains("Debrief: not fixed"), "{debrief}");
    assert!(
        debrief.contains("Apple MDM push certificate: replace — done (did not help)"),
        "{debrief}"
    );
    assert!(
        debrief.contains("Renew"),
        "the documented fix renews: {debrief}"
    );
    trainee.screenshot("push-certificate-debrief").await;
    trainee.close().await;
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_trainees_labs_stay_independent() {
    let driver = WebDriver::start().await;
    let lab = lab("device-cap-reached").await;
    let first = driver.trainee(&lab).await;
    let second = driver.trainee(&lab).await;
    first.wait_for_phone("Device Cap Reached").await;
    second.wait_for_phone("Device Cap Reached").await;
    assert_eq!(
        lab.session_count().await,
        2,
        "one world per browser session"
    );

    open_user_devices(&first, ALEX).await;
    delete_one_device(&first).await;
    delete_one_device(&first).await;
    first.click_css("#enroll").await;
    first.wait_for_debrief().await;

    open_user_devices(&second, ALEX).await;
    assert_eq!(
        second.count(DELETE_BUTTONS).await,
        15,
        "the first trainee's deletions are not in the second's tenant"
    );
    second.click_css("#enroll").await;
    second
        .wait_until("the second trainee's attempt", |t| async move {
            t.text("#status").await.contains("Still not enrolled")
        })
        .await;
    assert!(second
        .text("#phone-message")
        .await
        .contains("Device Cap Reached"));
    assert!(
        second.text("#debrief").await.is_empty(),
        "no debrief for the second"
    );
    second.screenshot("two-trainees-second").await;
    first.close().await;
    second.close().await;
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_catalog_scenario_is_solved_through_the_browser() {
    let driver = WebDriver::start().await;
    let failures: Vec<Scenario> = catalog::builtin()
        .expect("the catalog loads")
        .into_iter()
        .filter(|s| s.section.is_some())
        .collect();
    assert!(failures.len() > 30, "the whole catalog: {}", failures.len());
    for scenario in &failures {
        solve_catalog::solve(&driver, scenario).await;
    }
}
