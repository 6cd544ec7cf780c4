//! Seeing the wire: `--har FILE` writes a run's exchanges as HAR 1.2 (checked here against the
//! structure the HAR 1.2 specification requires), `SSLKEYLOGFILE` makes every TLS endpoint and
//! client log its secrets in the NSS key log format Wireshark reads, and `enrollsim serve`
//! keeps a world up for clients of someone else's. Each runs the CLI as a child process, so the
//! environment variable is set only there.

use std::io::BufRead;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use serde_json::Value;
use time::format_description::well_known::Iso8601;

fn enrollsim(args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_enrollsim"));
    command.args(args).env_remove("SSLKEYLOGFILE");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("runs")
}

// --- a validator of HAR 1.2's structure, from the specification's tables --------------------

type Problems = Vec<String>;

/// Checks that `object[name]` is present (when `required`) and has the type `check` accepts.
fn field(
    problems: &mut Problems,
    at: &str,
    object: &Value,
    name: &str,
    required: bool,
    kind: (&str, fn(&Value) -> bool),
) {
    match object.get(name) {
        None if required => problems.push(format!("{at}.{name}: missing")),
        None => {}
        Some(v) if !(kind.1)(v) => problems.push(format!("{at}.{name}: not {}: {v}", kind.0)),
        Some(_) => {}
    }
}

const STRING: (&str, fn(&Value) -> bool) = ("a string", Value::is_string);
const NUMBER: (&str, fn(&Value) -> bool) = ("a number", Value::is_number);
const OBJECT: (&str, fn(&Value) -> bool) = ("an object", Value::is_object);
const ARRAY: (&str, fn(&Value) -> bool) = ("an array", Value::is_array);

fn date_time(problems: &mut Problems, at: &str, v: &Value) {
    let text = v.as_str().unwrap_or_default();
    if time::OffsetDateTime::parse(text, &Iso8601::DEFAULT).is_err() {
        problems.push(format!("{at}: not an ISO 8601 date and time: {text:?}"));
    }
}

fn name_values(problems: &mut Problems, at: &str, list: &Value) {
    for (i, pair) in list.as_array().into_iter().flatten().enumerate() {
        let at = format!("{at}[{i}]");
        field(problems, &at, pair, "name", true, STRING);
        field(problems, &at, pair, "value", true, STRING);
    }
}

fn validate_request(problems: &mut Problems, at: &str, r: &Value) {
    for name in ["method", "url", "httpVersion"] {
        field(problems, at, r, name, true, STRING);
    }
    for name in ["cookies", "headers", "queryString"] {
        field(problems, at, r, name, true, ARRAY);
    }
    field(problems, at, r, "headersSize", true, NUMBER);
    field(problems, at, r, "bodySize", true, NUMBER);
    name_values(problems, &format!("{at}.headers"), &r["headers"]);
    name_values(problems, &format!("{at}.queryString"), &r["queryString"]);
    if let Some(post) = r.get("postData") {
        let at = format!("{at}.postData");
        field(problems, &at, post, "mimeType", true, STRING);
        field(problems, &at, post, "text", false, STRING);
        field(problems, &at, post, "params", false, ARRAY);
        body_text(problems, &at, post);
    }
    if r["url"]
        .as_str()
        .is_some_and(|u| !u.starts_with("https://"))
    {
        problems.push(format!("{at}.url: not an absolute https URL"));
    }
}

fn validate_response(problems: &mut Problems, at: &str, r: &Value) {
    field(problems, at, r, "status", true, NUMBER);
    for name in ["statusText", "httpVersion", "redirectURL"] {
        field(problems, at, r, name, true, STRING);
    }
    field(problems, at, r, "cookies", true, ARRAY);
    field(problems, at, r, "headers", true, ARRAY);
    field(problems, at, r, "content", true, OBJECT);
    field(problems, at, r, "headersSize", true, NUMBER);
    field(problems, at, r, "bodySize", true, NUMBER);
    name_values(problems, &format!("{at}.headers"), &r["headers"]);
    let content = &r["content"];
    let at = format!("{at}.content");
    field(problems, &at, content, "size", true, NUMBER);
    field(problems, &at, content, "mimeType", true, STRING);
    field(problems, &at, content, "text", false, STRING);
    field(problems, &at, content, "encoding", false, STRING);
    body_text(problems, &at, content);
}

/// A body with `encoding` must be base64 (the only encoding HAR tools read).
fn body_text(problems: &mut Problems, at: &str, body: &Value) {
    if let Some(encoding) = body.get("encoding").and_then(Value::as_str) {
        let text = body["text"].as_str().unwrap_or_default();
        if encoding != "base64"
            || base64::engine::general_purpose::STANDARD
                .decode(text)
                .is_err()
        {
            problems.push(format!("{at}: text is not valid {encoding}"));
        }
    }
}

fn validate_entry(problems: &mut Problems, at: &str, e: &Value, pages: &[&str]) {
    field(problems, at, e, "pageref", false, STRING);
    if let Some(page) = e.get("pageref").and_then(Value::as_str) {
        if !pages.contains(&page) {
            problems.push(format!("{at}.pageref: no page {page}"));
        }
    }
    field(problems, at, e, "startedDateTime", true, STRING);
    date_time(
        problems,
        &format!("{at}.startedDateTime"),
        &e["startedDateTime"],
    );
    field(problems, at, e, "time", true, NUMBER);
    for name in ["request", "response", "cache", "timings"] {
        field(problems, at, e, name, true, OBJECT);
    }
    validate_request(problems, &format!("{at}.request"), &e["request"]);
    validate_response(problems, &format!("{at}.response"), &e["response"]);
    let timings = &e["timings"];
    for name in ["send", "wait", "receive"] {
        field(
            problems,
            &format!("{at}.timings"),
            timings,
            name,
            true,
            NUMBER,
        );
        // Only blocked, dns, connect and ssl may be -1 (not applicable).
        if timings[name].as_f64().is_some_and(|t| t < 0.0) {
            problems.push(format!("{at}.timings.{name}: negative"));
        }
    }
    for name in ["blocked", "dns", "connect", "ssl"] {
        field(
            problems,
            &format!("{at}.timings"),
            timings,
            name,
            false,
            NUMBER,
        );
    }
}

/// Every place where `har` departs from HAR 1.2's required fields and types.
fn validate_har(har: &Value) -> Problems {
    let mut problems = Problems::new();
    field(&mut problems, "", har, "log", true, OBJECT);
    let log = &har["log"];
    field(&mut problems, "log", log, "version", true, STRING);
    field(&mut problems, "log", log, "creator", true, OBJECT);
    field(&mut problems, "log", log, "pages", false, ARRAY);
    field(&mut problems, "log", log, "entries", true, ARRAY);
    field(
        &mut problems,
        "log.creator",
        &log["creator"],
        "name",
        true,
        STRING,
    );
    field(
        &mut problems,
        "log.creator",
        &log["creator"],
        "version",
        true,
        STRING,
    );
    let mut page_ids = Vec::new();
    for (i, page) in log["pages"].as_array().into_iter().flatten().enumerate() {
        let at = format!("log.pages[{i}]");
        for name in ["startedDateTime", "id", "title"] {
            field(&mut problems, &at, page, name, true, STRING);
        }
        field(&mut problems, &at, page, "pageTimings", true, OBJECT);
        date_time(
            &mut problems,
            &format!("{at}.startedDateTime"),
            &page["startedDateTime"],
        );
        page_ids.extend(page["id"].as_str());
    }
    for (i, entry) in log["entries"].as_array().into_iter().flatten().enumerate() {
        validate_entry(
            &mut problems,
            &format!("log.entries[{i}]"),
            entry,
            &page_ids,
        );
    }
    problems
}

#[test]
fn the_validator_catches_what_har_1_2_requires() {
    let broken = serde_json::json!({"log": {"version": "1.2", "creator": {"name": "x"},
        "entries": [{"startedDateTime": "yesterday", "time": 0, "request": {}, "response": {},
        "cache": {}, "timings": {"send": -1, "wait": 0, "receive": 0}}]}});
    let problems = validate_har(&broken);
    for expected in [
        "log.creator.version: missing",
        "log.entries[0].startedDateTime: not an ISO 8601",
        "log.entries[0].request.method: missing",
        "log.entries[0].response.content: missing",
        "log.entries[0].timings.send: negative",
    ] {
        assert!(
            problems.iter().any(|p| p.starts_with(expected)),
            "{expected} not reported in {problems:#?}"
        );
    }
}

#[test]
fn a_catalog_run_writes_a_har_1_2_file_with_its_bodies() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let path = tmp.path().join("run.har");
    let out = enrollsim(
        &[
            "run",
            "device-cap-reached",
            "--har",
            path.to_str().expect("utf-8"),
        ],
        &[],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let har: Value =
        serde_json::from_slice(&std::fs::read(&path).expect("the HAR is written")).expect("JSON");
    let problems = validate_har(&har);
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(har["log"]["version"], "1.2");
    let entries = har["log"]["entries"].as_array().expect("entries");
    assert!(entries.len() > 10, "{} entries", entries.len());
    // The management profile the re-enrolled device downloaded is a plist, as text.
    assert!(
        entries.iter().any(|e| e["response"]["content"]["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("<?xml") && t.contains("com.apple.mdm"))),
        "no management profile among the bodies"
    );
    // The refusal the user hit is there with its status and JSON body.
    assert!(entries.iter().any(|e| e["response"]["status"] == 403
        && e["response"]["content"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("DeviceCapReached"))));
    // HTTP/1.1 requests carry their Host header; APNs speaks HTTP/2.
    assert!(entries
        .iter()
        .any(|e| e["request"]["httpVersion"] == "HTTP/2"));
    assert!(entries
        .iter()
        .all(|e| e["request"]["httpVersion"] != "HTTP/1.1"
            || e["request"]["headers"]
                .as_array()
                .is_some_and(|h| h.iter().any(|h| h["name"] == "host"))));
}

#[test]
fn sslkeylogfile_gets_the_secrets_of_every_handshake() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let keys = tmp.path().join("keys.log");
    let out = enrollsim(&["run", "device-cap-reached"], &[("SSLKEYLOGFILE", &keys)]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = std::fs::read_to_string(&keys).expect("the key log is written");
    let lines: Vec<&str> = log.lines().collect();
    for label in [
        "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
        "SERVER_HANDSHAKE_TRAFFIC_SECRET",
        "CLIENT_TRAFFIC_SECRET_0",
        "SERVER_TRAFFIC_SECRET_0",
    ] {
        assert!(
            lines.iter().any(|l| l.starts_with(&format!("{label} "))),
            "no {label} line"
        );
    }
    // NSS key log format: LABEL <client random, 32 bytes hex> <secret hex>.
    for line in &lines {
        let fields: Vec<&str> = line.split(' ').collect();
        assert_eq!(fields.len(), 3, "{line}");
        assert_eq!(fields[1].len(), 64, "{line}");
        assert!(fields[1..]
            .iter()
            .all(|f| f.chars().all(|c| c.is_ascii_hexdigit())));
    }
    // Both ends of a handshake log it: each client random appears for client and server.
    let clients = lines
        .iter()
        .filter(|l| l.starts_with("CLIENT_HANDSHAKE_TRAFFIC_SECRET "))
        .count();
    assert!(clients >= 2, "{clients} handshakes");
}

/// GET `path` from `base_url` (`https://127.0.0.1:PORT`) trusting only the CA file. With
/// `host`, the client sends it as SNI and `Host` (as `curl --resolve` does; a listener serving
/// several host names needs it); without, it knows nothing of the simulated host names: it
/// checks the certificate against the address and sends the address as `Host`.
async fn get_by_address(
    base_url: &str,
    host: Option<&str>,
    ca_pem: &[u8],
    token: &str,
    path: &str,
) -> (u16, Vec<u8>) {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem) {
        roots.add(cert.expect("PEM parses")).expect("CA is usable");
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let authority = base_url.strip_prefix("https://").expect("an https URL");
    let addr: std::net::SocketAddr = authority.parse().expect("an address");
    let tcp = tokio::net::TcpStream::connect(addr)
        .await
        .expect("connects");
    let name = match host {
        Some(host) => ServerName::try_from(host.to_string()).expect("a host name"),
        None => ServerName::IpAddress(addr.ip().into()),
    };
    let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .expect("TLS handshake against the CA");
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
        .await
        .expect("HTTP/1.1 handshake");
    let driver = tokio::spawn(connection);
    let request = hyper::Request::get(path)
        .header("host", host.unwrap_or(authority))
        .header("authorization", format!("Bearer {token}"))
        .body(Empty::<Bytes>::new())
        .expect("request");
    let response = sender.send_request(request).await.expect("response");
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.expect("body");
    drop(sender);
    let _ = driver.await;
    (status, body.to_bytes().to_vec())
}

/// The payload of `profile` whose `PayloadType` is `kind`.
fn payload<'a>(profile: &'a plist::Dictionary, kind: &str) -> &'a plist::Dictionary {
    profile["PayloadContent"]
        .as_array()
        .expect("PayloadContent")
        .iter()
        .filter_map(plist::Value::as_dictionary)
        .find(|p| p["PayloadType"].as_string() == Some(kind))
        .unwrap_or_else(|| panic!("no {kind} payload"))
}

/// The served child, killed when the test ends early, so a failed assertion leaves no server
/// running.
struct KillOnDrop(std::process::Child);

impl std::ops::Deref for KillOnDrop {
    type Target = std::process::Child;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for KillOnDrop {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_keeps_a_world_up_for_an_outside_client_and_stops_on_ctrl_c() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let mut child = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_enrollsim"))
            .args(["serve", "--json", "--out"])
            .arg(tmp.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starts"),
    );
    let mut stdout = std::io::BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("one line");
    let served: Value = serde_json::from_str(&line).expect("one JSON object on one line");

    let ca = std::fs::read(served["ca_certificate_path"].as_str().expect("CA path")).expect("CA");
    let token = served["admin_token"].as_str().expect("token");
    let graph = served["urls"][enrollsim::ADMIN_API_HOST]
        .as_str()
        .expect("the admin API's URL");
    let path = "/v1.0/deviceManagement/managedDevices";
    let admin = Some(enrollsim::ADMIN_API_HOST);
    let (status, body) = get_by_address(graph, admin, &ca, token, path).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let devices: Value = serde_json::from_slice(&body).expect("JSON");
    assert!(devices["value"].is_array(), "{devices}");
    let (status, _) = get_by_address(graph, admin, &ca, "wrong", path).await;
    assert_eq!(status, 401);

    let profile_path = served["enrollment_profile_path"].as_str().expect("profile");
    let profile = plist::Value::from_file(profile_path).expect("the profile is a plist");
    let profile = profile.as_dictionary().expect("a dictionary");
    assert_eq!(profile["PayloadType"].as_string(), Some("Configuration"));
    let mdm = payload(profile, "com.apple.mdm");
    let identity = mdm["IdentityCertificateUUID"]
        .as_string()
        .expect("identity");
    assert!(profile["PayloadContent"]
        .as_array()
        .expect("payloads")
        .iter()
        .filter_map(plist::Value::as_dictionary)
        .any(|p| p["PayloadUUID"].as_string() == Some(identity)));
    assert!(mdm["Topic"]
        .as_string()
        .is_some_and(|t| t.starts_with("com.apple.mgmt.")));
    // The identity comes over SCEP, from the SCEP listener's address, with a challenge of its
    // own (the library test `library_serve` runs the exchange itself).
    let scep = payload(profile, "com.apple.security.scep");
    assert_eq!(scep["PayloadUUID"].as_string(), Some(identity));
    let scep = scep["PayloadContent"]
        .as_dictionary()
        .expect("SCEP settings");
    let scep_url = scep["URL"].as_string().expect("URL");
    let scep_base = &scep_url[..scep_url.find("/Device").expect("a path")];
    assert!(scep_url.starts_with("https://127.0.0.1:"), "{scep_url}");
    assert!(served["urls"]
        .as_object()
        .expect("urls")
        .values()
        .any(|u| u == scep_base));
    assert!(scep["Challenge"].as_string().is_some_and(|c| !c.is_empty()));
    for key in ["ServerURL", "CheckInURL"] {
        let url = mdm[key].as_string().expect(key);
        assert!(url.starts_with("https://127.0.0.1:"), "{key} {url}");
        let base = &url[..url.find("/Device").expect("a path")];
        assert!(served["urls"]
            .as_object()
            .expect("urls")
            .values()
            .any(|u| u == base));
        // A client that knows only the address reaches the MDM service (its certificate names
        // the address): the service itself answers, refusing a GET as MDM endpoints do.
        let path = &url[base.len()..];
        let (status, body) = get_by_address(base, None, &ca, "", path).await;
        let body = String::from_utf8_lossy(&body);
        assert_eq!(status, 405, "{key}: {body}");
        assert!(body.contains("MDM endpoints take PUT"), "{key}: {body}");
    }

    // Ctrl-C stops it cleanly.
    let pid = child.id().to_string();
    let interrupted = Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill runs");
    assert!(interrupted.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().expect("waits") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("serve did not stop on SIGINT");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "{status:?}");
}
