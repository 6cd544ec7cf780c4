//! Bad input never panics and never decides on nonsense: garbage dates, empty records,
//! enormous messages and logs, odd characters.

use crate::common::*;
use enrollsim_diagnostics::*;

#[test]
fn empty_bundle() {
    let d = diagnose(&EvidenceBundle::default());
    assert_eq!((d.section, d.cause), (None, None));
    assert_eq!(d.confidence.value(), 0.0);
    assert!(d.candidates.is_empty());
    assert!(!d.collect.is_empty());
    let _ = d.render_text();
}

#[test]
fn garbage_everywhere() {
    let mut b =
        byod("\u{0}\u{202e}Ünïcödé ☃ profile", Location::Other).with_collected_at("yesterday");
    b.manifest.device.as_mut().unwrap().company_portal_version = Some("five".into());
    let t = tenant(&mut b);
    t.collected_date_time = Some("2026-02-30T99:99:99Z".into());
    t.apple_push_notification_certificate
        .as_mut()
        .unwrap()
        .expiration_date_time = Some("soon".into());
    t.users.push(UserView::default());
    t.managed_devices.push(ManagedDeviceView::default());
    t.device_enrollment_configurations
        .push(EnrollmentConfiguration::Other);
    t.device_enrollment_configurations
        .push(platform_restriction(-5, &[], IosRestriction::default()));
    t.dep_onboarding_settings
        .push(DepOnboardingSettingView::default());
    t.dep_onboarding_settings[0].enrollment_profiles[0].last_modified_date_time = Some("".into());
    let b = b
        .with_enrollment_events(vec![
            EnrollmentEvent::default(),
            event(FailureCategory::Other, ""),
        ])
        .with_sign_ins(vec![SignInRecord::default(), sign_in(-1, "\u{0}")])
        .with_device_log("<\n <>:\n<Error>:\nx <É>: y\n\u{feff}\r\n".repeat(50))
        .with_company_portal_log("not-a-date ERROR [x\n2026-11-26T10:39:52.000Z\n".repeat(50));
    let d = diagnose(&b);
    let _ = d.render_text();
    let _ = serde_json::to_string(&d).unwrap();
}

#[test]
fn huge_inputs_stay_fast() {
    let message = "Device Cap Reached ".to_string() + &"blah ".repeat(100_000);
    let log: String = (0..20_000)
        .map(|i| {
            format!(
                "Nov 26 10:40:{:02} iPhone profiled[171] <Notice>: line {i}\n",
                i % 60
            )
        })
        .collect();
    let b = byod(&message, Location::CompanyPortal)
        .with_device_log(log.clone())
        .with_company_portal_log(log);
    let started = std::time::Instant::now();
    let d = diagnose(&b);
    assert_eq!(d.section, Some(Section::DeviceCapReached));
    assert!(
        started.elapsed().as_secs() < 10,
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn diagnosis_is_deterministic() {
    let b = byod("Profile Installation Failed.", Location::Settings);
    let first = serde_json::to_string(&diagnose(&b)).unwrap();
    for _ in 0..5 {
        assert_eq!(serde_json::to_string(&diagnose(&b)).unwrap(), first);
    }
    assert_eq!(diagnose(&b).render_text(), diagnose(&b).render_text());
}

#[test]
fn confidences_are_two_decimals_in_range() {
    let b = byod(
        "Company Portal Temporarily Unavailable",
        Location::CompanyPortal,
    );
    let v = serde_json::to_value(diagnose(&b)).unwrap();
    let mut all = vec![v["confidence"].as_f64().unwrap()];
    all.extend(
        v["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["confidence"].as_f64().unwrap()),
    );
    for c in all {
        assert!((0.0..=1.0).contains(&c));
        assert_eq!((c * 100.0).round() / 100.0, c);
    }
}
