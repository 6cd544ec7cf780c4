//! enrollsim's device against micromdm's `scepserver` and `nanomdm`: it obtains its identity
//! over SCEP with the server's challenge, signs its check-ins (`Mdm-Signature`, which nanomdm
//! verifies against the SCEP CA), and answers the commands queued through nanomdm's API.
//!
//! Both servers speak plain HTTP, so the device runs with `--allow-http`. No APNs wakes the
//! device: it checks in on an interval, and the commands are queued once nanomdm has logged
//! its `TokenUpdate` (nanomdm clears a device's queue when it enrolls).

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use base64::Engine;
use serde_json::Value;

use crate::http::{self, basic, Call};
use crate::peers::{enrollsim, peer, run, wait_for, wait_listening, Running};

const CHALLENGE: &str = "interop-challenge";
const API_KEY: &str = "interop-api-key";

/// scepserver (with its CA) and nanomdm trusting that CA, on free loopback ports.
struct Servers {
    _scep: Running,
    nanomdm: Running,
    scep_url: String,
    mdm_url: String,
    nanomdm_addr: SocketAddr,
}

fn start_servers(dir: &Path) -> Servers {
    let scepserver = peer("scepserver");
    let nanomdm = peer("nanomdm");
    let depot = dir.join("depot");
    let (status, output) = run(
        "scepserver ca -init",
        Command::new(&scepserver)
            .args(["ca", "-init", "-depot"])
            .arg(&depot),
        &dir.join("scep-init.log"),
        Duration::from_secs(60),
    );
    assert!(status.success(), "scepserver ca -init: {output}");
    let scep_port = crate::peers::free_port();
    let scep = Running::start(
        "scepserver",
        Command::new(&scepserver)
            .arg("-depot")
            .arg(&depot)
            .args(["-http-addr", &format!("127.0.0.1:{scep_port}")])
            .args(["-challenge", CHALLENGE, "-allowrenew", "0"]),
        &dir.join("scepserver.log"),
    );
    let mdm_port = crate::peers::free_port();
    let nanomdm = Running::start(
        "nanomdm",
        Command::new(&nanomdm)
            .arg("-ca")
            .arg(depot.join("ca.pem"))
            .args(["-api", API_KEY, "-debug", "-storage", "filekv"])
            .arg("-storage-dsn")
            .arg(dir.join("db"))
            .args(["-listen", &format!("127.0.0.1:{mdm_port}")]),
        &dir.join("nanomdm.log"),
    );
    wait_listening("scepserver", scep_port);
    wait_listening("nanomdm", mdm_port);
    Servers {
        _scep: scep,
        nanomdm,
        scep_url: format!("http://127.0.0.1:{scep_port}/scep"),
        mdm_url: format!("http://127.0.0.1:{mdm_port}/mdm"),
        nanomdm_addr: SocketAddr::from(([127, 0, 0, 1], mdm_port)),
    }
}

/// The value of `key=` in a logfmt line.
fn logfmt<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    line.split_whitespace()
        .find_map(|field| field.strip_prefix(key)?.strip_prefix('='))
}

/// The id of the device nanomdm logged a `msg=<message>` check-in for, once it has.
fn checked_in(log: &str, message: &str) -> Option<String> {
    log.lines()
        .filter(|line| logfmt(line, "msg") == Some(message))
        .find_map(|line| logfmt(line, "id").map(str::to_string))
}

/// A command envelope as nanomdm's API takes it.
fn command(uuid: &str, request_type: &str, keys: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict>
<key>CommandUUID</key><string>{uuid}</string>
<key>Command</key><dict><key>RequestType</key><string>{request_type}</string>{keys}</dict>
</dict></plist>"#
    )
    .into_bytes()
}

/// The commands the test queues: each one the device must acknowledge, EraseDevice last
/// (nothing follows an erase).
fn commands() -> Vec<(&'static str, &'static str, String)> {
    let settings = include_bytes!("installed.mobileconfig");
    let payload = base64::engine::general_purpose::STANDARD.encode(settings);
    vec![
        (
            "interop-1",
            "DeviceInformation",
            "<key>Queries</key><array><string>UDID</string><string>SerialNumber</string>\
             <string>OSVersion</string></array>"
                .to_string(),
        ),
        ("interop-2", "SecurityInfo", String::new()),
        (
            "interop-3",
            "InstallProfile",
            format!("<key>Payload</key><data>{payload}</data>"),
        ),
        ("interop-4", "ProfileList", String::new()),
        (
            "interop-5",
            "RemoveProfile",
            "<key>Identifier</key><string>org.enrollsim.interop.settings</string>".to_string(),
        ),
        (
            "interop-6",
            "DeviceLock",
            "<key>Message</key><string>Return to IT</string>".to_string(),
        ),
        ("interop-7", "EraseDevice", String::new()),
    ]
}

fn enqueue(servers: &Servers, udid: &str) {
    for (uuid, request_type, keys) in commands() {
        let path = format!("/v1/enqueue/{udid}?nopush=1");
        let (status, body) = http::plain(
            servers.nanomdm_addr,
            Call {
                method: "PUT",
                path: &path,
                headers: vec![("authorization", basic("nanomdm", API_KEY))],
                body: command(uuid, request_type, &keys),
            },
        );
        let body = String::from_utf8_lossy(&body);
        assert_eq!(status, 200, "enqueue {request_type}: {body}");
        assert!(body.contains(uuid), "enqueue {request_type}: {body}");
    }
}

#[test]
fn enrollsim_device_enrolls_into_nanomdm_with_a_scep_identity_and_answers_its_commands() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let servers = start_servers(dir.path());
    let profile = include_str!("enroll.mobileconfig")
        .replace("@SCEP_URL@", &servers.scep_url)
        .replace("@CHALLENGE@", CHALLENGE)
        .replace("@SERVER_URL@", &servers.mdm_url);
    let profile_path = dir.path().join("enroll.mobileconfig");
    std::fs::write(&profile_path, profile).expect("writes the profile");

    let mut device = Running::start(
        "enrollsim device enroll",
        Command::new(enrollsim())
            .env_remove("RUST_LOG")
            .args(["device", "enroll", "--json", "--allow-http", "--seed", "11"])
            .args(["--checkins", "5", "--interval", "1"])
            .arg("--profile")
            .arg(&profile_path),
        &dir.path().join("device.json"),
    );
    let udid = wait_for(
        "nanomdm to log the device's TokenUpdate",
        Duration::from_secs(60),
        || checked_in(&servers.nanomdm.output(), "TokenUpdate"),
    );
    enqueue(&servers, &udid);
    let status = device.wait(Duration::from_secs(90));
    let output = device.output();
    let report: Value = serde_json::from_str(output.trim())
        .unwrap_or_else(|e| panic!("one JSON object ({e}): {output}"));
    assert!(status.success(), "exit {status:?}: {report:#}");
    let nanomdm_log = servers.nanomdm.output();

    // nanomdm logged both check-ins, for the device the report names.
    assert_eq!(report["udid"], udid.as_str(), "{report:#}");
    assert_eq!(
        checked_in(&nanomdm_log, "Authenticate").as_deref(),
        Some(udid.as_str()),
        "{nanomdm_log}"
    );
    assert_eq!(report["enrolled"], true, "{report:#}");
    assert!(report["error"].is_null(), "{report:#}");
    assert!(report["checkins_ok"].as_u64() >= Some(1), "{report:#}");
    assert_eq!(report["erased"], true, "{report:#}");

    // Every queued command was acknowledged: in the device's report and in nanomdm's log.
    let answered = report["commands"].as_array().expect("commands");
    for (uuid, request_type, _) in commands() {
        let answer = answered
            .iter()
            .find(|c| c["command_uuid"] == uuid)
            .unwrap_or_else(|| panic!("{request_type} {uuid} not answered: {report:#}"));
        assert_eq!(answer["request_type"], request_type, "{report:#}");
        assert_eq!(
            answer["status"], "Acknowledged",
            "{request_type}: {report:#}"
        );
        assert!(
            nanomdm_log.lines().any(|line| {
                logfmt(line, "status") == Some("Acknowledged")
                    && logfmt(line, "command_uuid") == Some(uuid)
            }),
            "nanomdm did not log {request_type} {uuid} as acknowledged:\n{nanomdm_log}"
        );
    }
}

#[test]
fn the_device_refuses_plain_http_unless_allowed_and_says_why() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let servers = start_servers(dir.path());
    let profile = include_str!("enroll.mobileconfig")
        .replace("@SCEP_URL@", &servers.scep_url)
        .replace("@CHALLENGE@", CHALLENGE)
        .replace("@SERVER_URL@", &servers.mdm_url);
    let profile_path = dir.path().join("enroll.mobileconfig");
    std::fs::write(&profile_path, profile).expect("writes the profile");
    let (status, output) = run(
        "enrollsim device enroll",
        Command::new(enrollsim())
            .env_remove("RUST_LOG")
            .args(["device", "enroll", "--json", "--profile"])
            .arg(&profile_path),
        &dir.path().join("device.json"),
        Duration::from_secs(60),
    );
    let report: Value = serde_json::from_str(output.trim())
        .unwrap_or_else(|e| panic!("one JSON object ({e}): {output}"));
    assert_eq!(status.code(), Some(1), "{report:#}");
    assert_eq!(report["enrolled"], false, "{report:#}");
    let error = report["error"].as_str().expect("an error");
    assert!(error.contains("https"), "{error}");
    // Nothing reached the servers.
    assert!(
        checked_in(&servers.nanomdm.output(), "Authenticate").is_none(),
        "{}",
        servers.nanomdm.output()
    );
}
