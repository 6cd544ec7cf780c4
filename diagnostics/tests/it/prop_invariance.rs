//! Properties of the diagnosis and the bundle format, over generated inputs (proptest, few
//! cases each so the suite stays fast):
//! - the diagnosis reads kinds of evidence, never names or dates: renaming the user, the
//!   tenant's domain and name and the device's serial to any other names, and moving every
//!   date by whole years, leaves section, cause, confidence and candidates as they were;
//! - a bundle written to a directory reads back as it was, whatever its texts and names.

use std::path::{Path, PathBuf};

use proptest::prelude::*;

use crate::common::*;
use enrollsim_diagnostics::*;

/// Bundles broken in different places, so the property covers several rules.
fn fixtures() -> Vec<EvidenceBundle> {
    let connection =
        "Profile Installation Failed. Connection to the server could not be established.";
    let mut unlicensed = byod("User Name Not Recognized", Location::CompanyPortal);
    user(&mut unlicensed).assigned_licenses.clear();
    let mut no_apns = byod(connection, Location::Settings);
    tenant(&mut no_apns).apple_push_notification_certificate = None;
    let cap =
        byod("Device Cap Reached", Location::CompanyPortal).with_enrollment_events(vec![event(
            FailureCategory::EnrollmentRestrictionsEnforced,
            "Device limit reached",
        )]);
    vec![
        cap,
        unlicensed,
        no_apns,
        ade("Profile Installation Failed", Location::SetupAssistant),
        byod("", Location::CompanyPortal),
    ]
}

/// What a diagnosis decides, without the texts that quote names and dates.
fn decision(d: &Diagnosis) -> impl PartialEq + std::fmt::Debug {
    let candidates: Vec<_> = d.candidates.iter().map(|c| (c.section, c.cause)).collect();
    (d.section, d.cause, d.confidence, candidates)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn diagnosis_ignores_names_and_dates(
        which in 0usize..5,
        local in "[a-z]{1,6}\\.[a-z]{1,6}",
        domain in "[a-z]{4,10}\\.(test|example|org)",
        tenant_name in "[A-Z][a-z]{3,10}",
        serial in "[A-HJ-NP-Z0-9]{12}",
        years in -3i32..=3,
    ) {
        let b = &fixtures()[which];
        let mut swaps: Vec<(String, String)> = vec![
            (UPN.into(), format!("{local}@{domain}")),
            ("contoso.example".into(), domain.clone()),
            ("Contoso".into(), tenant_name),
            (SERIAL.into(), serial.clone()),
            (ADE_SERIAL.into(), serial.chars().rev().collect()),
        ];
        for year in 2024..=2029 {
            swaps.push((format!("{year}-"), format!("{}-", year + years)));
        }
        let before = diagnose(b);
        let after = diagnose(&swap_everywhere(b, &swaps));
        prop_assert_eq!(decision(&after), decision(&before), "renamed:\n{}", after.render_text());
    }
}

fn fresh_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("enrollsim-diagnostics-prop")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn bundle_round_trips_through_a_directory(
        message in "[ -~\u{e0}-\u{ff}\u{4e00}-\u{4e20}]{0,60}",
        serial in "[A-Z0-9]{0,14}",
        device_log in proptest::option::of("([ -~\u{e9}\u{fc}]{0,50}\n){0,8}"),
        portal_log in proptest::option::of("([ -~\u{e9}]{0,50}\n){0,8}"),
        reason in "[ -~]{0,40}",
        case in 0u32..1000,
    ) {
        let mut b = byod(&message, Location::CompanyPortal)
            .with_enrollment_events(vec![event(FailureCategory::Unknown, &reason)]);
        if let Some(d) = b.manifest.device.as_mut() {
            d.serial_number = Some(serial);
        }
        b.device_log = device_log;
        b.company_portal_log = portal_log;
        let dir = fresh_dir(&format!("round-trip-{case}"));
        b.write_dir(&dir).unwrap();
        let read = EvidenceBundle::read_dir(&dir).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        prop_assert!(read.problems.is_empty(), "{:?}", read.problems);
        let mut got = read.bundle;
        // The written manifest names the files it wrote; everything else is as it was.
        got.manifest.files = b.manifest.files.clone();
        prop_assert_eq!(got, b);
    }
}
