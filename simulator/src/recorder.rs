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
            self.keep_exchange(recorder, entry.at, entry.device.clone(), exchange);
        }
    }

    fn keep_exchange(
        &self,
        recorder: u64,
        at: OffsetDateTime,
        device: Option<String>,
        exchange: &HttpExchange,
    ) {
        self.exchanges
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(ArchivedExchange {
                recorder,
                at,
                device,
                exchange: exchange.clone(),
            });
    }
}

/// How much a [`Recorder`] keeps.
///
/// A scenario keeps everything: its timeline and evidence are the point. A load run of
/// thousands of devices cannot (a BYOD enrollment records about thirty entries with their
/// bodies, some tens of kilobytes), so it keeps the whole story of the devices whose flow
/// failed and only counts those that succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RecordMode {
    /// Every entry, in order (scenarios, tests, `--har`).
    #[default]
    All,
    /// A device's entries are held until its flow is [settled](Recorder::settle): kept when it
    /// failed, counted and dropped when it succeeded. Entries of no device are kept up to
    /// [`UNATTRIBUTED_KEPT`], oldest dropped first.
    Failures,
    /// Nothing but the counts.
    None,
}

/// How many entries that belong to no device a [`RecordMode::Failures`] recorder keeps (the
/// most recent ones): enough to read what the services did lately, bounded for any fleet.
pub const UNATTRIBUTED_KEPT: usize = 4096;

/// What a recorder in [`RecordMode::Failures`] or [`RecordMode::None`] did not keep, summed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecordSummary {
    /// Device flows settled as succeeded (their entries were dropped).
    pub succeeded: u64,
    /// Device flows settled as failed (their entries were kept).
    pub failed: u64,
    /// Entries dropped.
    pub dropped_entries: u64,
    /// HTTP exchanges among the dropped entries.
    pub dropped_exchanges: u64,
}

/// Where a reserved entry waits to be filled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Slot {
    /// At this position of the kept timeline, counted from the recorder's first entry ever.
    Kept(usize),
    /// At this index of a device's held entries (until its flow is settled).
    Held(String, usize),
    /// Nowhere: the recorder keeps nothing of it (a `--har` archive still does).
    Dropped {
        /// When it started.
        at: OffsetDateTime,
        /// The device it belongs to.
        device: Option<String>,
    },
}

#[derive(Debug, Default)]
struct Book {
    mode: RecordMode,
    entries: Vec<Entry>,
    /// Entries of devices whose flow is not settled yet ([`RecordMode::Failures`]).
    held: std::collections::HashMap<String, Vec<Entry>>,
    /// How many entries left the front of `entries` (drained or trimmed): a [`Slot::Kept`]
    /// position minus this is its index.
    gone: usize,
    summary: RecordSummary,
}

impl Book {
    fn drop_counted(&mut self, entries: &[Entry]) {
        self.summary.dropped_entries += entries.len() as u64;
        self.summary.dropped_exchanges += entries
            .iter()
            .filter(|e| matches!(e.what, Happening::Http(_)))
            .count() as u64;
    }

    /// Puts `entry` where the mode says; where it went.
    fn place(&mut self, entry: Entry) -> Slot {
        match (self.mode, entry.device.clone()) {
            (RecordMode::All, _) => self.keep(entry),
            (RecordMode::None, device) => {
                self.drop_counted(std::slice::from_ref(&entry));
                Slot::Dropped {
                    at: entry.at,
                    device,
                }
            }
            (RecordMode::Failures, Some(device)) => {
                let held = self.held.entry(device.clone()).or_default();
                held.push(entry);
                Slot::Held(device, held.len() - 1)
            }
            (RecordMode::Failures, None) => {
                if self.entries.len() >= 2 * UNATTRIBUTED_KEPT {
                    let excess = self.entries.len() - UNATTRIBUTED_KEPT;
                    let trimmed: Vec<Entry> = self.entries.drain(..excess).collect();
                    self.gone += excess;
                    self.drop_counted(&trimmed);
                }
                self.keep(entry)
            }
        }
    }

    fn keep(&mut self, entry: Entry) -> Slot {
        self.entries.push(entry);
        Slot::Kept(self.gone + self.entries.len() - 1)
    }

    fn at_slot(&mut self, slot: &Slot) -> Option<&mut Entry> {
        match slot {
            Slot::Kept(position) => {
                let i = position.checked_sub(self.gone)?;
                self.entries.get_mut(i)
            }
            Slot::Held(device, i) => self.held.get_mut(device)?.get_mut(*i),
            Slot::Dropped { .. } => None,
        }
    }
}

/// A shared, append-only list of timeline entries.
#[derive(Debug, Clone)]
pub struct Recorder {
    book: Arc<Mutex<Book>>,
    /// This recorder's number in the [`WireArchive`].
    number: u64,
}

impl Default for Recorder {
    fn default() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Recorder {
            book: Arc::default(),
            number: NEXT.fetch_add(1, Ordering::Relaxed),
        }
    }
}

impl Recorder {
    /// An empty recorder that keeps everything.
    pub fn new() -> Self {
        Recorder::default()
    }

    fn book(&self) -> std::sync::MutexGuard<'_, Book> {
        self.book.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Changes how much the recorder keeps from now on. Entries held for unsettled devices
    /// stay held until settled; what it kept so far stays.
    pub fn set_mode(&self, mode: RecordMode) {
        self.book().mode = mode;
    }

    /// How much the recorder keeps.
    pub fn mode(&self) -> RecordMode {
        self.book().mode
    }

    /// What the recorder counted instead of keeping.
    pub fn summary(&self) -> RecordSummary {
        self.book().summary
    }

    /// Ends the flow of `device` (its serial number) as it ended: a [`RecordMode::Failures`]
    /// recorder moves the entries it held for the device into the timeline when it failed and
    /// drops them when it succeeded. Other modes only count it.
    pub fn settle(&self, device: &str, succeeded: bool) {
        let mut book = self.book();
        let held = book.held.remove(device).unwrap_or_default();
        if succeeded {
            book.summary.succeeded += 1;
            book.drop_counted(&held);
        } else {
            book.summary.failed += 1;
            book.entries.extend(held);
        }
    }

    /// Appends an entry.
    pub fn record(&self, entry: Entry) {
        if let Some(archive) = WIRE_ARCHIVE.get() {
            archive.keep(self.number, &entry);
        }
        self.book().place(entry);
    }

    /// Reserves the next place in the timeline for something that starts now and completes
    /// later (an HTTP exchange), so that what happens during it — a service calling another —
    /// comes after it, as it did. [`Recorder::fill`] puts the finished entry in its place.
    pub fn reserve(&self, at: OffsetDateTime, device: Option<String>) -> Slot {
        self.book().place(Entry {
            at,
            device,
            what: Happening::Note {
                party: String::new(),
                text: String::new(),
            },
        })
    }

    /// Completes a reserved place (ignored if the recorder was drained meanwhile).
    pub fn fill(&self, slot: &Slot, what: Happening) {
        let mut book = self.book();
        if let Some(e) = book.at_slot(slot) {
            e.what = what;
            if let Some(archive) = WIRE_ARCHIVE.get() {
                archive.keep(self.number, e);
            }
            return;
        }
        let Happening::Http(exchange) = &what else {
            return;
        };
        if let Slot::Dropped { at, device } = slot {
            book.summary.dropped_exchanges += 1;
            // The HAR keeps every exchange, whatever the timeline keeps.
            if let Some(archive) = WIRE_ARCHIVE.get() {
                archive.keep_exchange(self.number, *at, device.clone(), exchange);
            }
        }
    }

    /// A copy of every entry kept so far.
    pub fn entries(&self) -> Vec<Entry> {
        self.book().entries.clone()
    }

    /// Entries belonging to `device` (by serial number), plus those that belong to no device.
    pub fn entries_for(&self, device: &str) -> Vec<Entry> {
        self.entries()
            .into_iter()
            .filter(|e| e.device.as_deref().is_none_or(|d| d == device))
            .collect()
    }

    /// How many entries are kept.
    pub fn len(&self) -> usize {
        self.book().entries.len()
    }

    /// Whether nothing was kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets everything kept so far (between a failed run and its re-enrollment, a
    /// harness may keep both timelines apart).
    pub fn drain(&self) -> Vec<Entry> {
        let mut book = self.book();
        book.gone += book.entries.len();
        std::mem::take(&mut book.entries)
    }
}
