//! The evidence a run leaves behind, in the order it happened.
//!
//! Every HTTP exchange (recorded by the client that made it, with both bodies), every message a
//! user was shown, and every notable decision of a service lands here with its virtual time.
//! Device console logs and the Company Portal log live on the device itself
//! ([`crate::device`]); service-side records (troubleshooting events, sign-in logs) live in the
//! services' state. A harness turns all of these into an evidence bundle and a timeline.
//!
//! A process that wants the wire of its runs (the CLI's `--har`) installs the process-wide
//! [`WireArchive`]: every recorder then also copies each HTTP exchange there, where draining a
//! timeline does not reach it. Nothing is copied unless it is installed, so a world that nobody
//! asks to look at keeps nothing beyond its timeline.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use bytes::Bytes;
use time::OffsetDateTime;

/// Where on the device a message was shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Screen {
    /// The Company Portal app.
    CompanyPortal,
    /// The Settings app, installing a profile.
    Settings,
    /// Setup Assistant, during Automated Device Enrollment.
    SetupAssistant,
    /// The Company Portal website in Safari.
    Safari,
    /// The Microsoft sign-in page.
    SignIn,
}

impl Screen {
    /// The id used in evidence bundles.
    pub fn id(self) -> &'static str {
        match self {
            Screen::CompanyPortal => "company-portal",
            Screen::Settings => "settings",
            Screen::SetupAssistant => "setup-assistant",
            Screen::Safari => "safari",
            Screen::SignIn => "sign-in",
        }
    }
}

/// One HTTP request and what came back, as the client saw it.
#[derive(Debug, Clone)]
pub struct HttpExchange {
    /// Who sent it ("iPhone F2LX…/Company Portal", "Intune", "admin"...).
    pub from: String,
    /// The host name it was sent to.
    pub host: String,
    /// HTTP method.
    pub method: String,
    /// Path and query.
    pub path: String,
    /// Request `Content-Type`, if any.
    pub request_content_type: Option<String>,
    /// Request body.
    pub request_body: Bytes,
    /// Response status, or `None` when no HTTP response came back.
    pub status: Option<u16>,
    /// Response `Content-Type`, if any.
    pub response_content_type: Option<String>,
    /// Response body.
    pub response_body: Bytes,
    /// Why no response came back (connection refused, TLS alert...).
    pub failure: Option<String>,
    /// The HTTP version spoken ("HTTP/1.1", "HTTP/2"), kept for HAR export.
    pub http_version: &'static str,
    /// Request headers as sent, in order (including `host` on HTTP/1.1), kept for HAR export.
    pub request_headers: Vec<(String, String)>,
    /// Response headers as received, in order; empty when no response came back.
    pub response_headers: Vec<(String, String)>,
}

/// What happened.
#[derive(Debug, Clone)]
pub enum Happening {
    /// An HTTP exchange.
    Http(Box<HttpExchange>),
    /// A message shown to the user.
    UserSaw {
        /// The device that showed it.
        device: String,
        /// Where it was shown.
        screen: Screen,
        /// The text, in the device's language.
        text: String,
    },
    /// A notable decision or state change of a party.
    Note {
        /// The party ("Intune", "APNs", "device"...).
        party: String,
        /// What it did.
        text: String,
    },
}

/// One entry of the timeline.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Virtual time.
    pub at: OffsetDateTime,
    /// The device this belongs to, when one does (its serial number).
    pub device: Option<String>,
    /// What happened.
    pub what: Happening,
}

/// One exchange kept by the [`WireArchive`].
#[derive(Debug, Clone)]
pub struct ArchivedExchange {
    /// Which recorder (one per world) recorded it, numbered from 1 in order of creation.
    pub recorder: u64,
    /// Virtual time at which it started.
    pub at: OffsetDateTime,
    /// The device it belongs to, if any (its serial number).
    pub device: Option<String>,
    /// The exchange.
    pub exchange: HttpExchange,
}

/// Every HTTP exchange of every world of the process, kept apart from the timelines (which
/// runs drain). It holds all of them in memory until [`WireArchive::take`]: install it only
/// when the wire is wanted.
#[derive(Debug, Clone, Default)]
pub struct WireArchive {
    exchanges: Arc<Mutex<Vec<ArchivedExchange>>>,
}

static WIRE_ARCHIVE: OnceLock<WireArchive> = OnceLock::new();

impl WireArchive {
    /// Installs the process-wide archive (or returns the one installed): from now on every
    /// recorder copies its exchanges into it.
    pub fn install() -> WireArchive {
        WIRE_ARCHIVE.get_or_init(WireArchive::default).clone()
    }

    /// The exchanges archived so far, which are removed from the archive.
    pub fn take(&self) -> Vec<ArchivedExchange> {
        std::mem::take(&mut *self.exchanges.lock().unwrap_or_else(|p| p.into_inner()))
    }

    fn keep(&self, recorder: u64, entry: &Entry) {
        if let Happening::Http(exchange) = &entry.what {
            self.exchanges
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(ArchivedExchange {
                    recorder,
                    at: entry.at,
                    device: entry.device.clone(),
                    exchange: HttpExchange::clone(exchange),
                });
        }
    }
}

/// A shared, append-only list of timeline entries.
#[derive(Debug, Clone)]
pub struct Recorder {
    entries: Arc<Mutex<Vec<Entry>>>,
    /// This recorder's number in the [`WireArchive`].
    number: u64,
}

impl Default for Recorder {
    fn default() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Recorder {
            entries: Arc::default(),
            number: NEXT.fetch_add(1, Ordering::Relaxed),
        }
    }
}

impl Recorder {
    /// An empty recorder.
    pub fn new() -> Self {
        Recorder::default()
    }

    /// Appends an entry.
    pub fn record(&self, entry: Entry) {
        if let Some(archive) = WIRE_ARCHIVE.get() {
            archive.keep(self.number, &entry);
        }
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(entry);
    }

    /// Reserves the next place in the timeline for something that starts now and completes
    /// later (an HTTP exchange), so that what happens during it — a service calling another —
    /// comes after it, as it did. [`Recorder::fill`] puts the finished entry in its place.
    pub fn reserve(&self, at: OffsetDateTime, device: Option<String>) -> usize {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.push(Entry {
            at,
            device,
            what: Happening::Note {
                party: String::new(),
                text: String::new(),
            },
        });
        entries.len() - 1
    }

    /// Completes a reserved place (ignored if the recorder was drained meanwhile).
    pub fn fill(&self, index: usize, what: Happening) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(e) = entries.get_mut(index) {
            e.what = what;
            if let Some(archive) = WIRE_ARCHIVE.get() {
                archive.keep(self.number, e);
            }
        }
    }

    /// A copy of every entry so far.
    pub fn entries(&self) -> Vec<Entry> {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Entries belonging to `device` (by serial number), plus those that belong to no device.
    pub fn entries_for(&self, device: &str) -> Vec<Entry> {
        self.entries()
            .into_iter()
            .filter(|e| e.device.as_deref().is_none_or(|d| d == device))
            .collect()
    }

    /// How many entries there are.
    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets everything recorded so far (between a failed run and its re-enrollment, a
    /// harness may keep both timelines apart).
    pub fn drain(&self) -> Vec<Entry> {
        std::mem::take(&mut *self.entries.lock().unwrap_or_else(|p| p.into_inner()))
    }
}
