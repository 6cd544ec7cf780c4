//! The web lab over HTTP, without a browser: the token guards every request, each browser
//! session has a world of its own, bad input is answered with a 4xx, and the debrief holds the
//! trainee's actions against the documented fix.

use std::collections::HashMap;
use std::path::Path;

use bytes::Bytes;
use enrollsim_harness::scenario::Scenario;
use enrollsim_harness::web::{WebLab, WebLabConfig};
use http_body_util::{BodyExt, Full};
use hyper::{Method, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};

fn catalog(id: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios")
        .join(format!("{id}.toml"));
    Scenario::load(path).expect("catalog scenario loads")
}

struct Answer {
    status: StatusCode,
    headers: hyper::HeaderMap,
    body: Bytes,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("JSON answer")
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One browser: its cookie jar holds the lab's session cookie.
struct Browser<'l> {
    lab: &'l WebLab,
    cookie: Option<String>,
}

impl<'l> Browser<'l> {
    fn new(lab: &'l WebLab) -> Self {
        Browser { lab, cookie: None }
    }

    async fn send(&mut self, method: Method, target: &str, body: Option<Vec<u8>>) -> Answer {
        let stream = tokio::net::TcpStream::connect(self.lab.addr())
            .await
            .unwrap();
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .unwrap();
        tokio::spawn(connection);
        let mut request = hyper::Request::builder()
            .method(method)
            .uri(target)
            .header("host", self.lab.addr().to_string());
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        if body.is_some() {
            request = request.header("content-type", "application/json");
        }
        let request = request
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .unwrap();
        let response = sender.send_request(request).await.unwrap();
        let (parts, body) = response.into_parts();
        if let Some(set) = parts.headers.get("set-cookie") {
            let pair = set.to_str().unwrap().split(';').next().unwrap().to_string();
            self.cookie = Some(pair);
        }
        Answer {
            status: parts.status,
            headers: parts.headers,
            body: body.collect().await.unwrap().to_bytes(),
        }
    }

    fn with_token(&self, path: &str) -> String {
        let join = if path.contains('?') { '&' } else { '?' };
        format!("{path}{join}token={}", self.lab.token())
    }

    async fn open(&mut self) -> Answer {
        let target = self.with_token("/");
        self.send(Method::GET, &target, None).await
    }

    async fn get(&mut self, path: &str) -> Answer {
        let target = self.with_token(path);
        self.send(Method::GET, &target, None).await
    }

    async fn post(&mut self, path: &str, body: Value) -> Answer {
        let target = self.with_token(path);
        self.send(Method::POST, &target, Some(body.to_string().into_bytes()))
            .await
    }

    async fn user_devices(&mut self, upn: &str) -> Vec<Value> {
        let answer = self
            .get(&format!("/api/graph?path=/v1.0/users/{upn}/managedDevices"))
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        answer.json()["value"]["value"].as_array().unwrap().clone()
    }
}

const ALEX: &str = "alex@contoso.example";

#[tokio::test]
async fn every_request_needs_the_token() {
    let lab = WebLab::start(WebLabConfig::new(catalog("device-cap-reached")))
        .await
        .unwrap();
    assert!(
        lab.addr().ip().is_loopback(),
        "loopback unless told otherwise"
    );
    let mut browser = Browser::new(&lab);
    for target in ["/", "/assets/lab.js", "/api/state", "/?token=wrong"] {
        let answer = browser.send(Method::GET, target, None).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{target}");
    }
    assert_eq!(
        lab.session_count().await,
        0,
        "no world for a refused request"
    );
    let page = browser.open().await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(browser.cookie.is_some(), "the page sets the session cookie");
    assert!(
        page.text().contains(lab.token()),
        "the page carries the token to its script"
    );
    assert_eq!(
        page.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .split(';')
            .next(),
        Some("default-src 'self'"),
        "scripts and styles only from the lab"
    );
    // The token also travels as a header, as the page's script sends it.
    let target = "/api/state";
    let mut request_with_header = Browser::new(&lab);
    request_with_header.cookie.clone_from(&browser.cookie);
    let stream = tokio::net::TcpStream::connect(lab.addr()).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    let request = hyper::Request::builder()
        .uri(target)
        .header("host", lab.addr().to_string())
        .header("x-lab-token", lab.token())
        .header("cookie", browser.cookie.clone().unwrap())
        .body(Full::new(Bytes::new()))
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    lab.shutdown().await;
}

#[tokio::test]
async fn two_trainees_have_worlds_of_their_own() {
    let lab = WebLab::start(WebLabConfig::new(catalog("device-cap-reached")))
        .await
        .unwrap();
    let mut first = Browser::new(&lab);
    let mut second = Browser::new(&lab);
    first.open().await;
    second.open().await;
    assert_ne!(first.cookie, second.cookie);
    assert_eq!(lab.session_count().await, 2);
    let devices = first.user_devices(ALEX).await;
    assert_eq!(devices.len(), 15);
    let id = devices[0]["id"].as_str().unwrap();
    let deleted = first
        .post(
            "/api/graph",
            json!({"method": "DELETE", "path": format!("/v1.0/deviceManagement/managedDevices/{id}")}),
        )
        .await;
    assert_eq!(deleted.json()["status"], 200, "{}", deleted.text());
    assert_eq!(first.user_devices(ALEX).await.len(), 14);
    assert_eq!(
        second.user_devices(ALEX).await.len(),
        15,
        "the other trainee's tenant is untouched"
    );
    let second_state = second.get("/api/state").await.json();
    assert_eq!(second_state["actions"], json!([]), "nor their action list");
    lab.shutdown().await;
}

#[tokio::test]
async fn bad_input_gets_a_4xx_and_the_lab_goes_on() {
    let lab = WebLab::start(WebLabConfig::new(catalog("device-cap-reached")))
        .await
        .unwrap();
    let mut browser = Browser::new(&lab);
    let no_session = browser.get("/api/state").await;
    assert_eq!(
        no_session.status,
        StatusCode::BAD_REQUEST,
        "{}",
        no_session.text()
    );
    browser.open().await;
    let target = browser.with_token("/api/graph");
    let cases: Vec<(Method, String, Option<Vec<u8>>, StatusCode)> = vec![
        (
            Method::POST,
            target.clone(),
            Some(b"{not json".to_vec()),
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::POST,
            target.clone(),
            Some(
                json!({"method": "GET", "path": "/v1.0/users"})
                    .to_string()
                    .into_bytes(),
            ),
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::POST,
            target.clone(),
            Some(
                json!({"method": "DELETE", "path": "https://example.com/"})
                    .to_string()
                    .into_bytes(),
            ),
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::POST,
            target.clone(),
            Some(
                json!({"method": "DELETE", "path": "/v1.0/../x"})
                    .to_string()
                    .into_bytes(),
            ),
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::POST,
            target.clone(),
            Some(vec![b' '; 70 * 1024]),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            Method::GET,
            browser.with_token("/api/graph"),
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::POST,
            browser.with_token("/api/device"),
            Some(json!({"action": "jailbreak"}).to_string().into_bytes()),
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::POST,
            browser.with_token("/api/device"),
            Some(
                json!({"action": "set-company-portal-cloud", "cloud": "moon"})
                    .to_string()
                    .into_bytes(),
            ),
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::POST,
            browser.with_token("/api/apns"),
            Some(json!({"action": "steal"}).to_string().into_bytes()),
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::POST,
            browser.with_token("/api/wait"),
            Some(json!({"hours": -3}).to_string().into_bytes()),
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::GET,
            browser.with_token("/api/nothing"),
            None,
            StatusCode::NOT_FOUND,
        ),
        (
            Method::DELETE,
            browser.with_token("/"),
            None,
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        (
            Method::GET,
            browser.with_token("/assets/../../etc/passwd"),
            None,
            StatusCode::NOT_FOUND,
        ),
    ];
    for (method, target, body, status) in cases {
        let answer = browser.send(method.clone(), &target, body).await;
        assert_eq!(
            answer.status,
            status,
            "{method} {target}: {}",
            answer.text()
        );
    }
    // A Graph call the admin API refuses is passed on as the admin API's answer.
    let refused = browser
        .post(
            "/api/graph",
            json!({"method": "DELETE", "path": "/v1.0/deviceManagement/managedDevices/nope"}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::OK);
    assert_eq!(refused.json()["status"], 404);
    let state = browser.get("/api/state").await;
    assert_eq!(state.status, StatusCode::OK, "the lab still answers");
    lab.shutdown().await;
}

#[tokio::test]
async fn the_debrief_marks_what_helped_and_the_results_are_written() {
    let results = tempfile::tempdir().unwrap();
    let mut config = WebLabConfig::new(catalog("device-cap-reached"));
    config.results = Some(results.path().to_path_buf());
    let lab = WebLab::start(config).await.unwrap();
    let mut browser = Browser::new(&lab);
    browser.open().await;
    let useless = browser
        .post("/api/device", json!({"action": "clear-safari-cookies"}))
        .await;
    assert_eq!(useless.json()["ok"], true);
    let hint = browser.post("/api/hint", json!(null)).await.json();
    assert_eq!(hint["hints_used"], 1);
    let devices = browser.user_devices(ALEX).await;
    for device in devices.iter().take(2) {
        let id = device["id"].as_str().unwrap();
        browser
            .post("/api/graph", json!({"method": "DELETE", "path": format!("/v1.0/deviceManagement/managedDevices/{id}")}))
            .await;
    }
    let state = browser.post("/api/enroll", json!(null)).await.json();
    let debrief = &state["debrief"];
    assert_eq!(debrief["solved"], true, "{state}");
    assert_eq!(debrief["section"]["id"], "device-cap-reached");
    assert_eq!(debrief["cause"]["id"], "device-limit-reached");
    assert_eq!(debrief["hints_used"], 1);
    let helped: Vec<(String, Value)> = debrief["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["what"].as_str().unwrap().to_string(), a["helped"].clone()))
        .collect();
    assert_eq!(
        helped[0],
        ("Device: clear-safari-cookies".to_string(), json!(false))
    );
    assert_eq!(helped[1].1, json!(true));
    assert_eq!(helped[2].1, json!(true));
    assert_eq!(helped[3], ("Try enrolling again".to_string(), Value::Null));
    let after = browser
        .post("/api/device", json!({"action": "restore-as-new"}))
        .await;
    assert_eq!(after.status, StatusCode::CONFLICT, "the lab has ended");
    let files: Vec<_> = std::fs::read_dir(results.path()).unwrap().collect();
    assert_eq!(files.len(), 1);
    let written: Value =
        serde_json::from_slice(&std::fs::read(files[0].as_ref().unwrap().path()).unwrap()).unwrap();
    assert_eq!(written["solved"], true);
    assert_eq!(written["actions"].as_array().unwrap().len(), 4);
    lab.shutdown().await;
}

#[tokio::test]
async fn a_random_lab_hides_the_scenario_until_the_debrief() {
    let mut config = WebLabConfig::new(catalog("device-cap-reached"));
    config.scenarios.push(catalog("accountnotonboarded"));
    config.random = true;
    config.seed = 5;
    let lab = WebLab::start(config).await.unwrap();
    let mut browser = Browser::new(&lab);
    browser.open().await;
    let state = browser.get("/api/state").await.json();
    assert_eq!(state["lab"]["title"], Value::Null);
    let ended = browser.post("/api/give-up", json!(null)).await.json();
    assert_eq!(ended["debrief"]["solved"], false);
    assert!(ended["debrief"]["scenario"].is_string());
    let logs = browser.get("/api/logs/company-portal").await;
    assert_eq!(logs.status, StatusCode::OK);
    let evidence = browser.get("/api/evidence").await;
    assert_eq!(evidence.status, StatusCode::OK);
    let files: HashMap<String, String> = serde_json::from_slice(&evidence.body).unwrap();
    assert!(files.contains_key("bundle.json"), "{:?}", files.keys());
    // Leaving stops the trainee's world; opening the lab again draws a new one.
    let left = browser.post("/api/leave", json!(null)).await;
    assert_eq!(left.status, StatusCode::OK, "{}", left.text());
    assert_eq!(lab.session_count().await, 0);
    assert_eq!(
        browser.get("/api/state").await.status,
        StatusCode::BAD_REQUEST
    );
    browser.open().await;
    let fresh = browser.get("/api/state").await.json();
    assert_eq!(fresh["debrief"], Value::Null, "a new lab");
    assert_eq!(lab.session_count().await, 1);
    lab.shutdown().await;
}
