//! A device clock skewed, as a fault verb (`fault = "clock-skew"`): the device's TLS judges the
//! services' certificates by its own clock and its logs carry its own time, while the services
//! keep the world's. Far ahead or behind, the Company Portal cannot sign in (Foundation's
//! -1201 / -1204 in the device log); a few minutes off, it enrolls. The scenarios live in
//! `tests/faults/`; no entry of the article covers a device clock, and the diagnosis must not
//! claim one.

use std::path::Path;

use enrollsim::{
    diagnose, run_scenario, Action, FaultSpec, Outcome, Scenario, Span, UserSpec, World, WorldSpec,
};

const USER: &str = "alex@contoso.example";

fn scenario(file: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/faults")
        .join(file);
    Scenario::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Runs a scenario whose device cannot sign in over a certificate's dates: reproduced, the
/// NSURLError `code` at the root of a chain in the device log, and a blind diagnosis that names
/// no section of the article (it has none for a device's clock) while it reports the chain.
async fn fails_over_certificate_dates(file: &str, code: i64) {
    let scenario = scenario(file);
    let report = run_scenario(&scenario).await.expect("the scenario runs");
    assert!(
        report.reproduced,
        "{}: {:?} ({:?})",
        scenario.id, report.outcome, report.message
    );
    let log = report.evidence.device_log.clone().unwrap_or_default();
    assert!(
        log.contains(&format!("Error Domain=NSURLErrorDomain Code={code} ")),
        "{}: no NSURLErrorDomain {code} in the device log:\n{log}",
        scenario.id
    );
    let diagnosis = diagnose(&report.evidence);
    assert_eq!(
        diagnosis.section,
        None,
        "{}: the diagnosis claims a section:\n{}",
        scenario.id,
        diagnosis.render_text()
    );
    assert_eq!(diagnosis.cause, None, "{}", diagnosis.render_text());
    assert!(
        diagnosis
            .device_errors
            .iter()
            .any(|e| e.domain == "NSURLErrorDomain" && e.code == Some(code)),
        "{}: the report's device errors miss the certificate's date:\n{}",
        scenario.id,
        diagnosis.render_text()
    );
}

#[tokio::test]
async fn a_device_a_year_and_a_half_ahead_judges_the_certificate_expired() {
    fails_over_certificate_dates("device-clock-a-year-and-a-half-ahead.toml", -1201).await;
}

#[tokio::test]
async fn a_device_two_months_behind_judges_the_certificate_not_yet_valid() {
    fails_over_certificate_dates("device-clock-two-months-behind.toml", -1204).await;
}

#[tokio::test]
async fn a_device_a_few_minutes_off_enrolls() {
    let scenario = scenario("device-clock-minutes-off-enrolls.toml");
    let report = run_scenario(&scenario).await.expect("the scenario runs");
    assert!(report.reproduced, "{:?}", report.outcome);
    assert!(matches!(report.outcome, Outcome::Enrolled { .. }));
}

/// The device's logs carry its own time, the services' records the world's.
#[tokio::test]
async fn the_device_stamps_its_logs_with_its_own_clock() {
    let spec = WorldSpec::builder()
        .seed(1620)
        .user(UserSpec::new(USER))
        .fault(FaultSpec::clock_skew(None, Span::days(550)))
        .build();
    let world = World::start(&spec).await.expect("world starts");
    let action = Action::company_portal(USER);
    let outcome = world.enroll(&action).await;
    assert!(matches!(outcome, Outcome::Failed { .. }), "{outcome:?}");
    let bundle = world.evidence(&action, &outcome).await;
    // Console lines start with the month and day, as syslog writes them.
    let day = |t: time::OffsetDateTime| format!("{} {:>2} ", &t.month().to_string()[..3], t.day());
    let device_day = day(world.now() + time::Duration::days(550));
    let log = bundle.device_log.unwrap_or_default();
    assert!(
        log.lines()
            .next()
            .is_some_and(|l| l.starts_with(&device_day)),
        "the device log is not on the device's clock ({device_day:?}):\n{log}"
    );
    assert!(!log.contains(&day(world.now())), "{log}");
}

/// A clock skew is on a device, not a host, and needs its skew.
#[tokio::test]
async fn a_clock_skew_without_skew_or_with_a_host_stops_the_world() {
    for fault in [
        FaultSpec {
            host: Some("login.microsoftonline.com".into()),
            ..FaultSpec::clock_skew(None, Span::days(1))
        },
        FaultSpec {
            skew: None,
            ..FaultSpec::clock_skew(Some("F2LXJ0001"), Span::days(1))
        },
    ] {
        let spec = WorldSpec::builder()
            .seed(1621)
            .user(UserSpec::new(USER))
            .fault(fault.clone())
            .build();
        let started = World::start(&spec).await;
        assert!(started.is_err(), "{fault:?} started a world");
    }
}

/// Under Automated Device Enrollment, Setup Assistant's first call is the cloud configuration
/// from Apple: a device far ahead logs the fetch's failure (`MCCloudConfigurationErrorDomain`
/// 34006) over Foundation's -1201. (What the diagnosis makes of it is not asserted here: the
/// user's message is the article's "XPC_TYPE_ERROR Connection invalid" entry, whose one cause,
/// a connection problem, is not a clock's; see `docs/robustness.md`.)
#[tokio::test]
async fn an_ade_device_far_ahead_logs_the_certificate_date_under_the_cloud_configuration() {
    let text = format!(
        r#"
id = "ade-device-clock-ahead"
title = "An ADE iPhone whose clock is a year and a half ahead"
[world]
seed = 1622
[world.tenant.ade]
[[world.tenant.ade.profiles]]
name = "Corporate iPhones"
created_days_ago = 10
authentication = "company-portal"
default = true
[[world.users]]
upn = "{USER}"
[[world.faults]]
fault = "clock-skew"
skew = "550d"
[action]
enroll = "ade"
user = "{USER}"
[expect]
outcome = "not-managed"
"#
    );
    let scenario = Scenario::from_toml_str(&text, "tests/faults/x.toml").expect("scenario loads");
    let report = run_scenario(&scenario).await.expect("the scenario runs");
    assert!(
        !matches!(report.outcome, Outcome::Enrolled { .. }),
        "{:?}",
        report.outcome
    );
    let errors = diagnose(&report.evidence).device_errors;
    let codes: Vec<(&str, Option<i64>)> =
        errors.iter().map(|e| (e.domain.as_str(), e.code)).collect();
    assert!(
        codes.contains(&("MCCloudConfigurationErrorDomain", Some(34006)))
            && codes.contains(&("NSURLErrorDomain", Some(-1201))),
        "{codes:?}"
    );
}
