//! `mdmb`, a simulated Apple device written by someone else, against the simulated Intune:
//! it installs the enrollment profile `enrollsim serve` writes (SCEP and MDM payloads pointing
//! at `https://127.0.0.1:PORT`), obtains its identity from Intune's SCEP service, enrolls
//! (`Authenticate`, `TokenUpdate`), shows up in the admin API, and checks in.
//!
//! mdmb is written in Go: it trusts the lab CA through `SSL_CERT_FILE`, sends no SNI to an IP
//! address and checks the address against the certificate's IP SANs, which the served
//! certificates carry for 127.0.0.1.

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

use crate::http::{self, Call};
use crate::peers::{enrollsim, peer, run};

/// `enrollsim serve`, stopped when dropped.
struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Starts `enrollsim serve --json` and reads its one line of JSON (at most a minute).
fn serve(out: &Path) -> (Served, Value) {
    let mut child = Command::new(enrollsim())
        .args(["serve", "--json", "--out"])
        .arg(out)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("enrollsim serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let served = Served(child);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = std::io::BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("enrollsim serve printed its JSON line within a minute");
    let value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("JSON ({e}): {line}"));
    (served, value)
}

/// The managed devices the admin API lists.
fn managed_devices(served: &Value) -> Vec<Value> {
    let host = enrollsim::ADMIN_API_HOST;
    let base = served["urls"][host].as_str().expect("the admin API's URL");
    let addr: SocketAddr = base
        .strip_prefix("https://")
        .and_then(|a| a.parse().ok())
        .expect("https://ADDRESS");
    let ca = std::fs::read(served["ca_certificate_path"].as_str().expect("CA path")).expect("CA");
    let token = served["admin_token"].as_str().expect("admin token");
    let (status, body) = http::tls(
        addr,
        host,
        &ca,
        Call {
            method: "GET",
            path: "/v1.0/deviceManagement/managedDevices",
            headers: vec![("authorization", format!("Bearer {token}"))],
            body: Vec::new(),
        },
    );
    let body: Value = serde_json::from_slice(&body).expect("JSON");
    assert_eq!(status, 200, "{body:#}");
    body["value"].as_array().expect("value").clone()
}

/// Runs mdmb with the lab CA trusted; its output, failing the test when it fails.
fn mdmb(dir: &Path, ca: &str, args: &[&str], log: &str) -> String {
    let (status, output) = run(
        &format!("mdmb {}", args.join(" ")),
        Command::new(peer("mdmb"))
            .arg("-db")
            .arg(dir.join("mdmb.db"))
            .args(args)
            .env("SSL_CERT_FILE", ca)
            .env_remove("SSL_CERT_DIR"),
        &dir.join(log),
        Duration::from_secs(120),
    );
    assert!(status.success(), "mdmb {args:?}: {status:?}\n{output}");
    output
}

/// The `Label    N` figure of mdmb's connect summary.
fn summary_figure(output: &str, label: &str) -> Option<u64> {
    output
        .lines()
        .find_map(|line| line.strip_prefix(label))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

#[test]
fn mdmb_enrolls_into_the_simulated_intune_and_checks_in() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (_served, served) = serve(&dir.path().join("served"));
    let ca = served["ca_certificate_path"].as_str().expect("CA path");
    let profile = served["enrollment_profile_path"]
        .as_str()
        .expect("profile path");
    assert!(
        managed_devices(&served).is_empty(),
        "a new tenant has no device"
    );

    let created = mdmb(dir.path(), ca, &["devices-create", "-n", "1"], "create.log");
    let udid = created
        .lines()
        .map(str::trim)
        .find(|line| line.len() == 36 && line.matches('-').count() == 4)
        .unwrap_or_else(|| panic!("mdmb printed no device UUID: {created}"))
        .to_string();

    let installed = mdmb(
        dir.path(),
        ca,
        &["-uuids", &udid, "devices-profiles-install", "-f", profile],
        "install.log",
    );
    // mdmb enrolls while it installs: SCEP, then Authenticate and TokenUpdate; any refusal
    // is an error line and leaves the device unenrolled.
    let devices = managed_devices(&served);
    assert_eq!(
        devices.len(),
        1,
        "mdmb: {installed}\nadmin API: {devices:#?}"
    );
    let device = &devices[0];
    assert_eq!(
        device["userPrincipalName"], served["user"],
        "enrolled for the profile's user: {device:#}"
    );
    assert!(
        device["serialNumber"]
            .as_str()
            .is_some_and(|s| !s.is_empty()),
        "{device:#}"
    );

    let connected = mdmb(
        dir.path(),
        ca,
        &["-uuids", &udid, "devices-connect", "-i", "3", "-w", "1"],
        "connect.log",
    );
    assert_eq!(
        summary_figure(&connected, "Total MDM connects"),
        Some(3),
        "{connected}"
    );
    assert_eq!(summary_figure(&connected, "Errors"), Some(0), "{connected}");
}
