//! The snapshot helpers render runs stably: the same world renders the same text every time,
//! a change of seed moves nothing the redaction leaves visible, and the renderings are what the
//! committed insta snapshots hold.

use enrollsim::scenario::OutcomeKind;
use enrollsim::{
    run_scenario, snapshot, Action, Expectation, ResolutionStep, Scenario, TenantSpec, UserSpec,
    WorldSpec,
};

fn device_cap(seed: u64) -> Scenario {
    Scenario {
        id: "device-cap-in-code".into(),
        title: "Alex has 3 devices; the tenant allows 3".into(),
        section: Some(enrollsim::Section::DeviceCapReached),
        cause: Some(enrollsim::Cause::DeviceLimitReached),
        world: WorldSpec::builder()
            .seed(seed)
            .tenant(TenantSpec::new("Contoso").device_limit(3))
            .user(UserSpec::new("alex@contoso.example").enrolled_devices(3))
            .build(),
        action: Action::company_portal("alex@contoso.example"),
        expect: Expectation {
            outcome: OutcomeKind::Failed,
            screen: None,
            message: None,
            text_contains: None,
            enrolled_as: None,
            then: Vec::new(),
        },
        resolution: vec![ResolutionStep::DeleteStaleDevices {
            user: "alex@contoso.example".into(),
            count: Some(1),
        }],
        reenroll: None,
        attempts: Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_built_in_code_matches_its_snapshots() {
    let r = run_scenario(&device_cap(42)).await.expect("runs");
    assert!(r.holds(), "{}", snapshot::report(&r));
    let diagnosis = r.diagnosis.as_ref().expect("a failure is diagnosed");
    // Named `library_snapshots__…`, as when this module was its own test file.
    crate::snapshot_settings().bind(|| {
        insta::assert_snapshot!(
            "library_snapshots__device_cap_in_code__report",
            snapshot::report(&r)
        );
        insta::assert_snapshot!(
            "library_snapshots__device_cap_in_code__diagnosis",
            snapshot::diagnosis(diagnosis)
        );
        insta::assert_yaml_snapshot!(
            "library_snapshots__device_cap_in_code__outcome",
            snapshot::value(&r.outcome)
        );
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_world_renders_the_same_and_seeds_are_redacted_away() {
    let first = snapshot::report(&run_scenario(&device_cap(1)).await.expect("runs"));
    let again = snapshot::report(&run_scenario(&device_cap(1)).await.expect("runs"));
    assert_eq!(first, again);
    let other_seed = snapshot::report(&run_scenario(&device_cap(2)).await.expect("runs"));
    let differing: Vec<(&str, &str)> = first
        .lines()
        .zip(other_seed.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert!(differing.is_empty(), "{differing:#?}");
    assert_eq!(first, other_seed);
    assert!(!first.contains("127.0.0.1:") || first.contains("127.0.0.1:[port]"));
}

/// Renewing an expired push certificate uploads a freshly signed certificate (whose size varies,
/// so timelines show the body's keys) and Apple's push service refuses the old one with a TLS
/// alert: three runs render byte for byte the same, alert included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_certificate_runs_render_stably() {
    let scenario = enrollsim::catalog::find("accountnotonboarded")
        .expect("catalog loads")
        .expect("accountnotonboarded is built in");
    let mut renderings = Vec::new();
    for _ in 0..3 {
        let r = run_scenario(&scenario).await.expect("runs");
        assert!(r.holds(), "{}", snapshot::report(&r));
        renderings.push(snapshot::report(&r));
    }
    assert!(renderings[0]
        .contains("applePushNotificationCertificate json{appleIdentifier,certificate}"));
    assert!(renderings[0].contains("received fatal alert: CertificateExpired"));
    assert!(renderings.windows(2).all(|w| w[0] == w[1]));
}
