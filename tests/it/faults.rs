//! Network faults as world state: each verb met through the real flows, scheduled from a
//! scenario's `[[world.faults]]` and from the library, and the "nothing lost" run — a fleet
//! under connection resets and an APNs outage ends with every device enrolled once and every
//! command acted on exactly once.
//!
//! Nothing here is timed; `nothing_is_lost_under_resets_and_an_apns_outage` reports its wall
//! time on stderr for the record.

use std::sync::Arc;

use enrollsim::fleet::Fleet;

use enrollsim::{
    Action, DeviceSetup, FaultKind, FaultSpec, Outcome, Scenario, Span, UserSpec, World, WorldSpec,
};

const MDM_HOST: &str = "i.manage.microsoft.com";
const USER: &str = "alex@contoso.example";

fn one_user() -> WorldSpec {
    WorldSpec::builder()
        .seed(16)
        .user(UserSpec::new(USER))
        .build()
}

async fn enroll_with(fault: FaultSpec) -> (World, Outcome) {
    let world = World::start(&one_user()).await.expect("world starts");
    world.schedule_fault(&fault).expect("fault scheduled");
    let outcome = world.enroll(&Action::company_portal(USER)).await;
    (world, outcome)
}

#[tokio::test]
async fn a_scenario_schedules_faults_in_its_world() {
    let text = format!(
        r#"
id = "faults-in-toml"
title = "The MDM service answers 503 for a minute; mdmclient waits as Retry-After asks"
[world]
seed = 16
[[world.users]]
upn = "{USER}"
[[world.faults]]
fault = "unavailable"
host = "{MDM_HOST}"
lasting = "1m"
retry_after = 30
[[world.faults]]
fault = "reset"
host = "{MDM_HOST}"
rate = 0.05
[[world.faults]]
fault = "apns-outage"
after = "10m"
lasting = "5m"
[action]
enroll = "company-portal"
user = "{USER}"
[expect]
outcome = "enrolled"
"#
    );
    let scenario = Scenario::from_toml_str(&text, "tests/faults/x.toml").expect("scenario loads");
    assert_eq!(scenario.world.faults.len(), 3);
    assert_eq!(scenario.world.faults[2].fault, FaultKind::ApnsOutage);
    let world = World::start(&scenario.world).await.expect("world starts");
    let outcome = world.enroll(&scenario.action).await;
    assert_eq!(outcome, Outcome::Enrolled { upn: USER.into() });
    assert!(world.fault_hits(FaultKind::Unavailable) > 0);
    let timeline = world.take_timeline().render();
    assert!(
        timeline.contains(" 503"),
        "no 503 in the timeline:\n{timeline}"
    );
}

#[tokio::test]
async fn an_unknown_fault_verb_is_a_load_error() {
    let text = r#"
id = "bad-fault"
title = "x"
[[world.faults]]
fault = "meteor"
host = "*"
[action]
enroll = "company-portal"
user = "alex@contoso.example"
[expect]
outcome = "enrolled"
"#;
    let err = Scenario::from_toml_str(text, "tests/faults/x.toml").expect_err("refused");
    assert!(err.to_string().contains("meteor"), "{err}");
}

#[tokio::test]
async fn a_service_that_is_down_refuses_the_connection() {
    let (world, outcome) = enroll_with(FaultSpec::new(FaultKind::Down, "*")).await;
    assert!(!matches!(outcome, Outcome::Enrolled { .. }), "{outcome:?}");
    let timeline = world.take_timeline().render();
    assert!(timeline.contains("Connection refused"), "{timeline}");
}

#[tokio::test]
async fn a_host_that_does_not_resolve_stops_the_flow() {
    let (world, outcome) = enroll_with(FaultSpec::new(FaultKind::Unresolvable, "*")).await;
    assert!(!matches!(outcome, Outcome::Enrolled { .. }), "{outcome:?}");
    assert!(world.fault_hits(FaultKind::Unresolvable) > 0);
    let timeline = world.take_timeline().render();
    assert!(timeline.contains("could not be resolved"), "{timeline}");
}

#[tokio::test]
async fn tls_handshakes_that_time_out_fail_the_mdm_check_in_after_its_retries() {
    let (world, outcome) = enroll_with(FaultSpec::new(FaultKind::TlsTimeout, MDM_HOST)).await;
    assert!(!matches!(outcome, Outcome::Enrolled { .. }), "{outcome:?}");
    // mdmclient tried the Authenticate check-in as often as it tries any message.
    assert_eq!(world.fault_hits(FaultKind::TlsTimeout), 6);
    // Each attempt waited out URLSession's 60-second timeout in virtual time.
    let timeline = world.take_timeline().render();
    assert!(timeline.contains("timed out"), "{timeline}");
}

#[tokio::test]
async fn a_slow_network_costs_virtual_time_not_wall_time() {
    let plain = World::start(&one_user()).await.expect("world starts");
    let start = plain.now();
    let plain_outcome = plain.enroll(&Action::company_portal(USER)).await;
    assert_eq!(plain_outcome, Outcome::Enrolled { upn: USER.into() });
    let plain_took = plain.now() - start;

    let mut slow = FaultSpec::new(FaultKind::Slow, "*");
    slow.latency_ms = Some(5_000);
    let wall = std::time::Instant::now();
    let (world, outcome) = enroll_with(slow).await;
    assert_eq!(outcome, Outcome::Enrolled { upn: USER.into() });
    let slow_took = world.now() - start;
    assert!(
        slow_took > plain_took + time::Duration::seconds(30),
        "slow {slow_took} vs plain {plain_took}"
    );
    assert!(wall.elapsed() < std::time::Duration::from_secs(30));
}

#[tokio::test]
async fn the_same_seed_resets_the_same_requests() {
    let hits = || async {
        let (world, outcome) =
            enroll_with(FaultSpec::new(FaultKind::Reset, MDM_HOST).rate(0.5)).await;
        let tallies: Vec<(u32, u32)> = world
            .command_results()
            .values()
            .map(|t| (t.received, t.accepted))
            .collect();
        (outcome, world.fault_hits(FaultKind::Reset), tallies)
    };
    let first = hits().await;
    assert_eq!(first, hits().await);
    assert!(first.1 > 0, "a 50 % reset rate hit nothing");
}

fn fleet_upn(i: usize) -> String {
    format!("user{i:04}@contoso.example")
}

fn fleet_device(i: usize) -> DeviceSetup {
    DeviceSetup {
        serial: Some(format!("NLS{i:09}")),
        udid: Some(format!("00008110-{:016X}", 0x4E15_0000_0000u64 + i as u64)),
        name: Some(format!("iPhone {i}")),
        ..DeviceSetup::iphone()
    }
}

/// Devices of the nothing-lost run: about 23 s in a debug build on two shared cores when run
/// alone.
const FLEET: usize = 1_000;

/// The commands Intune queues for a Company Portal enrollment (DeviceInformation,
/// SecurityInfo, ProfileList, InstallProfile), plus the inventory refresh of the push phase.
const COMMANDS_PER_DEVICE: usize = 5;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_lost_under_resets_and_an_apns_outage() {
    nothing_lost(FLEET).await;
}

/// `fleet_size` devices enroll while one in twenty connections to the MDM service is reset and
/// APNs is out, then each gets a push and a `DeviceInformation`: every device ends enrolled
/// once, and every command queued for it acted on exactly once.
async fn nothing_lost(fleet_size: usize) {
    let wall = std::time::Instant::now();
    let mut builder = WorldSpec::builder()
        .seed(1616)
        // One in twenty connections to the MDM service is reset mid-body, for the whole run.
        .fault(FaultSpec::new(FaultKind::Reset, MDM_HOST).rate(0.05))
        // APNs is out for the first three minutes, while the fleet's TokenUpdates push.
        .fault(FaultSpec::apns_outage(Span::minutes(0), Span::minutes(3)));
    for i in 0..fleet_size {
        builder = builder.user(UserSpec::new(&fleet_upn(i)));
    }
    let world = Arc::new(World::start(&builder.build()).await.expect("world starts"));
    let mut fleet = Fleet::new(world.clone(), 64);
    for i in 0..fleet_size {
        fleet
            .add(&fleet_device(i), Action::company_portal(&fleet_upn(i)))
            .expect("device added");
    }

    let enrolled = fleet.enroll().await;
    assert_eq!(
        enrolled.succeeded, fleet_size,
        "{} failed to enroll",
        enrolled.failed
    );
    let pushed = fleet.push().await;
    assert_eq!(
        pushed.succeeded, fleet_size,
        "{} pushes were not answered",
        pushed.failed
    );

    // The faults really happened.
    let resets = world.fault_hits(FaultKind::Reset);
    assert!(resets > fleet_size as u64 / 10, "only {resets} resets");
    assert!(
        world.fault_hits(FaultKind::ApnsOutage) > 0,
        "the outage hit no push"
    );

    // Every device enrolled once: one record per UDID, each managed.
    let records = world.device_records_by_udid();
    assert_eq!(records.len(), fleet_size);
    let twice: Vec<_> = records.iter().filter(|(_, n)| **n != 1).collect();
    assert!(
        twice.is_empty(),
        "devices recorded more than once: {twice:?}"
    );
    assert_eq!(world.managed_device_count(), fleet_size);
    assert_eq!(world.registered_device_count(), fleet_size);

    // Every queued command was acted on exactly once, whatever the resends.
    assert_eq!(world.queued_command_count(), 0, "commands still queued");
    let results = world.command_results();
    assert_eq!(results.len(), fleet_size * COMMANDS_PER_DEVICE);
    let not_once: Vec<_> = results.iter().filter(|(_, t)| t.accepted != 1).collect();
    assert!(
        not_once.is_empty(),
        "commands not acted on exactly once: {not_once:?}"
    );
    let resent = results.values().filter(|t| t.received > 1).count();
    assert!(
        resent > 0,
        "no result was ever resent: the resets missed the command reports"
    );
    eprintln!(
        "nothing lost: {fleet_size} devices, {resets} resets, {resent} results resent, {:.1} s",
        wall.elapsed().as_secs_f64()
    );
}
