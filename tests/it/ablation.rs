//! Ablation: for every catalog failure, each part of its evidence bundle is removed in turn
//! (the message, where it appeared, the device log, the Company Portal log, the tenant view,
//! the troubleshooting events, the sign-ins, the user's Company Portal website device list).
//! The diagnosis must then either keep the right cause, or lower its confidence and say what
//! to collect; it must never name a different cause with confidence. And the case the issue
//! named — the Company Portal unavailable because of records only the website shows — is not
//! decided by the tenant view without the user's device list.

use enrollsim::diagnostics::{CollectItem, Location};
use enrollsim::{diagnose, Cause, Diagnosis, EvidenceBundle};

/// A named cause at or above this confidence is a verdict (the diagnosis then asks for nothing).
const SURE: u32 = 75;

type Ablation = (&'static str, fn(&mut EvidenceBundle));

/// Each part of a bundle, and how to take it out.
fn ablations() -> Vec<Ablation> {
    vec![
        ("message", |b| {
            if let Some(r) = b.manifest.user_report.as_mut() {
                r.message.clear();
            }
        }),
        ("location", |b| {
            if let Some(r) = b.manifest.user_report.as_mut() {
                r.location = None;
            }
        }),
        ("device log", |b| b.device_log = None),
        ("company portal log", |b| b.company_portal_log = None),
        ("tenant view", |b| b.tenant = None),
        ("enrollment events", |b| b.enrollment_events = None),
        ("sign-ins", |b| b.sign_ins = None),
        ("company portal devices", |b| {
            b.company_portal_devices = None
        }),
    ]
}

/// Whether `d` is acceptable for a case whose cause is `expected`: the right cause, or doubt
/// that says what to collect — never another cause named with confidence.
fn acceptable(d: &Diagnosis, expected: Cause) -> Result<(), String> {
    match d.cause {
        Some(c) if c == expected => Ok(()),
        _ if d.confidence.percent() < SURE && !d.collect.is_empty() => Ok(()),
        Some(c) => Err(format!(
            "names {c:?} at {}% instead of {expected:?}",
            d.confidence.percent()
        )),
        None => Err("names no cause and asks for nothing".into()),
    }
}

fn asks_for(collect: &[CollectItem], id: &str) -> bool {
    collect.iter().any(|c| c.id == id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_any_one_part_never_yields_a_confident_wrong_cause() {
    let scenarios = enrollsim::catalog::builtin().expect("catalog loads");
    let mut failures = Vec::new();
    let mut cases = 0;
    for s in scenarios.iter().filter(|s| s.cause.is_some()) {
        let expected = s.cause.unwrap();
        let report = enrollsim::run_scenario(s).await.expect("world starts");
        cases += 1;
        for (part, remove) in ablations() {
            let mut bundle = report.evidence.clone();
            remove(&mut bundle);
            let d = diagnose(&bundle);
            if let Err(e) = acceptable(&d, expected) {
                failures.push(format!("{} without the {part}: {e}", s.id));
            }
        }
    }
    assert!(cases >= 18, "only {cases} failure scenarios");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_only_devices_need_the_users_device_list() {
    let scenarios = enrollsim::catalog::builtin().expect("catalog loads");
    let s = scenarios
        .iter()
        .find(|s| s.id == "company-portal-unavailable-device-limit")
        .expect("the catalog has the case");
    let report = enrollsim::run_scenario(s).await.expect("world starts");
    let full = diagnose(&report.evidence);
    assert_eq!(
        full.cause,
        Some(Cause::DeviceLimitReached),
        "{}",
        full.render_text()
    );

    // The tenant view alone (the admin center's device list is under the limit) does not decide.
    let mut tenant_only =
        EvidenceBundle::from_message("", "").with_location(Location::CompanyPortal);
    tenant_only.manifest.device = report.evidence.manifest.device.clone();
    tenant_only.tenant = report.evidence.tenant.clone();
    let d = diagnose(&tenant_only);
    assert!(
        d.cause != Some(Cause::DeviceLimitReached) || d.confidence.percent() < SURE,
        "{}",
        d.render_text()
    );

    // Without the website's list, the full bundle no longer decides by itself: it asks for it.
    let mut without = report.evidence.clone();
    without.company_portal_devices = None;
    let d = diagnose(&without);
    assert!(d.confidence.percent() < SURE, "{}", d.render_text());
    assert!(
        asks_for(&d.collect, "company-portal-devices"),
        "{}",
        d.render_text()
    );
}

/// Keeps only one part of a bundle (with the manifest's device facts and enrollment type, which
/// any collection has).
fn only(full: &EvidenceBundle, part: &str) -> EvidenceBundle {
    let mut b = EvidenceBundle::default();
    b.manifest.device = full.manifest.device.clone();
    b.manifest.enrollment_type = full.manifest.enrollment_type;
    b.manifest.collected_at = full.manifest.collected_at.clone();
    match part {
        "user report" => b.manifest.user_report = full.manifest.user_report.clone(),
        "device log" => b.device_log = full.device_log.clone(),
        "company portal log" => b.company_portal_log = full.company_portal_log.clone(),
        "tenant view" => b.tenant = full.tenant.clone(),
        "enrollment events" => b.enrollment_events = full.enrollment_events.clone(),
        "sign-ins" => b.sign_ins = full.sign_ins.clone(),
        _ => b.company_portal_devices = full.company_portal_devices.clone(),
    }
    b
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_single_part_names_a_wrong_cause_with_confidence() {
    let scenarios = enrollsim::catalog::builtin().expect("catalog loads");
    let mut failures = Vec::new();
    for s in scenarios.iter().filter(|s| s.cause.is_some()) {
        let expected = s.cause.unwrap();
        let report = enrollsim::run_scenario(s).await.expect("world starts");
        for part in [
            "user report",
            "device log",
            "company portal log",
            "tenant view",
            "enrollment events",
            "sign-ins",
            "company portal devices",
        ] {
            let d = diagnose(&only(&report.evidence, part));
            if let Err(e) = acceptable(&d, expected) {
                failures.push(format!("{} with only the {part}: {e}", s.id));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
