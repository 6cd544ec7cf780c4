//! The fuzzers' seed corpora, from the catalog's real traffic: runs catalog scenarios, takes
//! every recorded request and response body and files it under the fuzz target that decodes
//! it (`fuzz/corpus/<target>/seed-<hash>`), with the scenario files, the catalog's message
//! texts and the device logs the evidence holds.
//!
//! By default it runs two scenarios into a scratch directory and checks that every decoder
//! target gets seeds. `ENROLLSIM_FUZZ_SEEDS=<dir>` runs the whole catalog into `<dir>`
//! (`bash .ci/fuzz --seed` does, into `fuzz/corpus`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use enrollsim_harness::evidence;
use enrollsim_harness::lab::Lab;
use enrollsim_harness::scenario::Scenario;
use enrollsim_simulator::recorder::{Happening, HttpExchange};

/// The fuzz target that decodes an exchange's request or response body, if any.
fn target_for(exchange: &HttpExchange, response: bool) -> Option<&'static str> {
    let host = exchange.host.as_str();
    let path = exchange.path.as_str();
    let content_type = if response {
        exchange.response_content_type.as_deref()
    } else {
        exchange.request_content_type.as_deref()
    }
    .unwrap_or("");
    if path.contains("/scep") {
        // SCEP's PKIOperation carries a CMS pkiMessage both ways; GetCACaps and GetCACert
        // carry no message.
        return content_type
            .contains("x-pki-message")
            .then_some("scep_pki_message");
    }
    if host.starts_with("i.manage.") {
        return Some(match (path.ends_with("checkin"), response) {
            (true, _) => "plist_checkin",
            (false, _) => "plist_command_report",
        });
    }
    if host == "mdmenrollment.apple.com" || host == "api.push.apple.com" {
        return Some("dep_json");
    }
    if content_type.contains("plist") || content_type.contains("aspen-config") {
        return Some("plist_profile");
    }
    None
}

/// FNV-1a, so a seed's name is stable and equal bodies share one file.
fn seed_name(bytes: &[u8]) -> String {
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("seed-{hash:016x}")
}

#[derive(Default)]
struct Corpus(BTreeMap<&'static str, BTreeMap<String, Vec<u8>>>);

impl Corpus {
    fn add(&mut self, target: &'static str, bytes: &[u8]) {
        if !bytes.is_empty() {
            self.0
                .entry(target)
                .or_default()
                .insert(seed_name(bytes), bytes.to_vec());
        }
    }

    fn write(&self, dir: &Path) {
        for (target, seeds) in &self.0 {
            let folder = dir.join(target);
            std::fs::create_dir_all(&folder).unwrap();
            for (name, bytes) in seeds {
                std::fs::write(folder.join(name), bytes).unwrap();
            }
        }
    }
}

async fn record(corpus: &mut Corpus, path: &Path) {
    let text = std::fs::read_to_string(path).unwrap();
    corpus.add("scenario_toml", text.as_bytes());
    let scenario = Scenario::from_toml_str(&text, path).unwrap();
    let lab = Lab::start(&scenario.world).await.unwrap();
    let outcome = lab.enroll(&scenario.action).await;
    for entry in lab.world.recorder.entries() {
        if let Happening::Http(exchange) = &entry.what {
            for response in [false, true] {
                if let Some(target) = target_for(exchange, response) {
                    let body = if response {
                        &exchange.response_body
                    } else {
                        &exchange.request_body
                    };
                    corpus.add(target, body);
                }
            }
        }
    }
    let bundle = evidence::collect(&lab, &scenario.action, &outcome).await;
    corpus.add("message_recognize", bundle.message().as_bytes());
    for log in [&bundle.device_log, &bundle.company_portal_log]
        .into_iter()
        .flatten()
    {
        corpus.add("device_log", log.as_bytes());
    }
    lab.world.shutdown().await;
}

fn catalog_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios")
}

#[tokio::test]
async fn catalog_traffic_seeds_every_decoder_target() {
    let out = std::env::var_os("ENROLLSIM_FUZZ_SEEDS").map(PathBuf::from);
    let mut files: Vec<PathBuf> = std::fs::read_dir(catalog_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    if out.is_none() {
        files.retain(|p| p.ends_with("byod-success.toml") || p.ends_with("ade-success.toml"));
    }
    let mut corpus = Corpus::default();
    for file in &files {
        record(&mut corpus, file).await;
    }
    for message in enrollsim_diagnostics::user_messages() {
        corpus.add("message_recognize", message.english.as_bytes());
        corpus.add("message_recognize", message.italian.as_bytes());
    }
    for target in [
        "plist_checkin",
        "plist_command_report",
        "plist_profile",
        "dep_json",
        "scenario_toml",
        "message_recognize",
        "device_log",
        "scep_pki_message",
    ] {
        assert!(
            corpus.0.get(target).is_some_and(|s| !s.is_empty()),
            "no seed for {target}: {:?}",
            corpus.0.keys().collect::<Vec<_>>()
        );
    }
    let dir =
        out.unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("enrollsim-fuzz-seeds"));
    corpus.write(&dir);
}
