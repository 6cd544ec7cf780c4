//! The tests' hold on Chromium: a chromedriver process of their own, and a trainee's browser
//! (a fresh profile, so that each has their own cookie and thus their own lab session).

use std::future::Future;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use enrollsim_harness::web::WebLab;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Map, Value};

/// How long a screen may take to show what a test waits for.
const PATIENCE: Duration = Duration::from_secs(30);

fn binary(variable: &str, default: &str) -> PathBuf {
    let path = std::env::var_os(variable).map_or_else(|| PathBuf::from(default), PathBuf::from);
    assert!(
        path.is_file(),
        "{} is missing: install Debian's chromium and chromium-driver (apt-get install chromium \
         chromium-driver; .ci/run does) or set {variable}",
        path.display()
    );
    path
}

/// A chromedriver of the test's own, stopped when dropped.
pub struct WebDriver {
    child: Child,
    url: String,
    chromium: PathBuf,
}

impl Drop for WebDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl WebDriver {
    /// Starts chromedriver on a free loopback port and waits until it answers.
    pub async fn start() -> WebDriver {
        let chromium = binary("CHROMIUM", "/usr/bin/chromium");
        let chromedriver = binary("CHROMEDRIVER", "/usr/bin/chromedriver");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let started = Instant::now();
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(started.elapsed() < PATIENCE, "chromedriver did not listen");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        WebDriver {
            child,
            url: format!("http://127.0.0.1:{port}"),
            chromium,
        }
    }

    /// A trainee's headless Chromium with a fresh profile, opened at the lab's address.
    pub async fn trainee(&self, lab: &WebLab) -> Trainee {
        let profile = tempfile::tempdir().expect("a profile directory");
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1280,900",
        ]
        .iter()
        .map(|a| a.to_string())
        .chain([format!("--user-data-dir={}", profile.path().display())])
        .collect::<Vec<_>>();
        let mut capabilities = Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({"binary": self.chromium, "args": args}),
        );
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .expect("a Chromium session");
        client.goto(&lab.url()).await.expect("the lab's page opens");
        Trainee {
            client,
            _profile: Arc::new(profile),
        }
    }
}

/// One trainee's browser.
#[derive(Clone)]
pub struct Trainee {
    client: Client,
    _profile: Arc<tempfile::TempDir>,
}

impl Trainee {
    /// Waits until `ready` holds, failing the test after [`PATIENCE`].
    pub async fn wait_until<F, Fut>(&self, what: &str, ready: F)
    where
        F: Fn(Trainee) -> Fut,
        Fut: Future<Output = bool>,
    {
        let started = Instant::now();
        while !ready(self.clone()).await {
            if started.elapsed() > PATIENCE {
                let status = self.text("#status").await;
                let page = self.text("main").await;
                panic!("waited in vain for {what}; status: {status}\npage:\n{page}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the phone shows a message containing `text`.
    pub async fn wait_for_phone(&self, text: &str) {
        let wanted = text.to_string();
        self.wait_until(&format!("the phone to show {text:?}"), move |t| {
            let wanted = wanted.clone();
            async move { t.text("#phone-message").await.contains(&wanted) }
        })
        .await;
    }

    /// Waits until the debrief shows.
    pub async fn wait_for_debrief(&self) {
        self.wait_until("the debrief", |t| async move {
            t.text("#debrief").await.contains("Debrief")
        })
        .await;
    }

    /// The browser, for what the helpers here do not cover.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The element `xpath` finds, once it is there.
    pub async fn element(&self, xpath: &str) -> fantoccini::elements::Element {
        let wanted = xpath.to_string();
        self.wait_until(xpath, move |t| {
            let wanted = wanted.clone();
            async move { t.client.find(Locator::XPath(&wanted)).await.is_ok() }
        })
        .await;
        self.client
            .find(Locator::XPath(xpath))
            .await
            .unwrap_or_else(|e| panic!("no {xpath}: {e}"))
    }

    /// Does `click` and waits until the page reports the result in its status line, then lets
    /// the page redraw what the change touched.
    pub async fn act<F, Fut>(&self, click: F)
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = ()>,
    {
        self.client
            .execute(
                "document.getElementById('status').textContent = '';",
                Vec::new(),
            )
            .await
            .expect("clearing the status");
        click().await;
        self.wait_until("the page's report", |t| async move {
            !t.text("#status").await.is_empty()
        })
        .await;
        let status = self.text("#status").await;
        assert!(
            !status.starts_with("Failed") && !status.contains("refused"),
            "the lab refused: {status}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    /// The visible text of the first element `css` finds ("" when there is none).
    pub async fn text(&self, css: &str) -> String {
        match self.client.find(Locator::Css(css)).await {
            Ok(element) => element.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// How many elements `css` finds.
    pub async fn count(&self, css: &str) -> usize {
        self.client
            .find_all(Locator::Css(css))
            .await
            .map_or(0, |all| all.len())
    }

    pub async fn click_css(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("clicking {css}: {e}"));
    }

    /// Clicks the button whose text is `text`.
    pub async fn click_text(&self, text: &str) {
        let xpath = format!("//button[normalize-space()=\"{text}\"]");
        self.client
            .find(Locator::XPath(&xpath))
            .await
            .unwrap_or_else(|e| panic!("no button {text:?}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("clicking {text:?}: {e}"));
    }

    /// Clicks the button whose accessible label is `label`, once it is there.
    pub async fn click_label(&self, label: &str) {
        let css = format!("button[aria-label=\"{label}\"]");
        let wanted = css.clone();
        self.wait_until(&format!("a button labelled {label:?}"), move |t| {
            let wanted = wanted.clone();
            async move { t.count(&wanted).await > 0 }
        })
        .await;
        self.click_css(&css).await;
    }

    /// Focuses the element and presses Enter, as a keyboard user does.
    pub async fn press_enter(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
            .send_keys(&Key::Enter.to_string())
            .await
            .unwrap_or_else(|e| panic!("pressing Enter on {css}: {e}"));
    }

    /// Presses Tab from the top of the page until the element `id` has the focus (at most
    /// `limit` times); true when it got there with a visible focus outline.
    pub async fn tab_to(&self, id: &str, limit: usize) -> bool {
        self.client
            .execute(
                "document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);",
                Vec::new(),
            )
            .await
            .expect("resetting the focus");
        let body = self
            .client
            .find(Locator::Css("body"))
            .await
            .expect("the page");
        for _ in 0..limit {
            body.send_keys(&Key::Tab.to_string()).await.expect("Tab");
            let focused = self
                .client
                .execute(
                    "const e = document.activeElement;
                     return [e ? e.id : '', e ? getComputedStyle(e).outlineStyle : 'none'];",
                    Vec::new(),
                )
                .await
                .expect("the focused element");
            if focused[0] == id {
                return focused[1] != "none";
            }
        }
        false
    }

    /// Every form control without a label and every button or link without an accessible name.
    pub async fn check_labels(&self, screen: &str) {
        let script = "const bad = [];
            for (const c of document.querySelectorAll('input, select, textarea'))
              if (!c.labels || c.labels.length === 0) bad.push(c.outerHTML);
            for (const b of document.querySelectorAll('button, a'))
              if (!((b.getAttribute('aria-label') || '').trim() || b.textContent.trim())) bad.push(b.outerHTML);
            return bad;";
        let unlabelled = self
            .client
            .execute(script, Vec::new())
            .await
            .expect("the check runs");
        assert_eq!(
            unlabelled,
            Value::Array(Vec::new()),
            "unlabelled controls on {screen}"
        );
    }

    /// Saves a screenshot of the page as `<name>.png`.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("a screenshot");
        let dir = std::env::var_os("ENROLLSIM_SCREENSHOTS").map_or_else(
            || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/browser-screenshots"),
            PathBuf::from,
        );
        std::fs::create_dir_all(&dir).expect("the screenshot directory");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("the screenshot is written");
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}
