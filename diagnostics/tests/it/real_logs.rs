//! Log-only diagnosis of real, public iOS log excerpts (`diagnostics/tests/corpus/`): each is
//! diagnosed with nothing but the log, as `enrollsim diagnose --log FILE` does, and must name
//! the article section it belongs to (an invalid profile: the current article's "Invalid
//! Profile" entry), or no section at all where it shows no enrollment failure or a failure the
//! article has no entry for (a SCEP failure, an untrusted server certificate, macOS's device
//! verification): naming a wrong section is the failure this guards against. The share that is right is the figure the README quotes. Each excerpt is also
//! read as a ticket would mangle it: hard-wrapped at 72 columns, its first line cut (a partial
//! paste), and under another device's name; the verdict must not change.
//!
//! Only excerpts found in public sources are here, each short and with its source and terms
//! next to it. GitHub issue text is quoted under GitHub's Terms of Service (users' content,
//! shown publicly); Microsoft Learn articles are CC BY 4.0 (MicrosoftDocs repositories).

use enrollsim_diagnostics::*;

/// What a corpus excerpt shows.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expected {
    /// A failure the article has a section for.
    Section(Section),
    /// A failure whose source names the fix: the diagnosis must name this cause (under any
    /// section that lists it).
    Cause(Cause),
    /// A failure the catalog has no section for: the diagnosis must name none.
    OutsideCatalog(&'static str),
    /// No enrollment failure: the diagnosis must name none.
    NoFailure,
}

struct Excerpt {
    file: &'static str,
    log: &'static str,
    expected: Expected,
    source: &'static str,
    terms: &'static str,
}

const GITHUB_TOS: &str =
    "GitHub issue text, quoted under the GitHub Terms of Service; short excerpt";
const MS_LEARN: &str =
    "Microsoft Learn, CC BY 4.0 (MicrosoftDocs/SupportArticles-docs); short excerpt";

macro_rules! excerpt {
    ($file:literal, $expected:expr, $source:literal, $terms:expr) => {
        Excerpt {
            file: $file,
            log: include_str!(concat!("../../tests/corpus/", $file)),
            expected: $expected,
            source: $source,
            terms: $terms,
        }
    };
}

fn corpus() -> Vec<Excerpt> {
    vec![
        excerpt!(
            "xpc-connection-invalid.log",
            Expected::Section(Section::XpcConnectionInvalid),
            "https://learn.microsoft.com/troubleshoot/mem/intune/device-enrollment/troubleshoot-ios-enrollment-errors#xpc_type_error-connection-invalid",
            "Microsoft Learn, CC BY 4.0 (MicrosoftDocs/SupportArticles-docs); the article's own quote"
        ),
        excerpt!(
            "invalid-profile-topic-missing.log",
            // The reporter's fix was adding the push certificate the Topic comes from: Intune's
            // equivalent is the APNs certificate the articles says is missing.
            Expected::Cause(Cause::ApnsCertificateMissing),
            "https://github.com/micromdm/micromdm/issues/496",
            GITHUB_TOS
        ),
        excerpt!(
            "invalid-profile-identity-missing.log",
            // `Desc : Invalid Profile` is the text the current article's entry ends in.
            Expected::Section(Section::InvalidProfile),
            "https://github.com/thrasr/mdm-server/issues/15",
            GITHUB_TOS
        ),
        excerpt!(
            "scep-identity.log",
            // No entry of the current article is about SCEP (see `rules/device_chain.rs`).
            Expected::OutsideCatalog("SCEP failure"),
            "https://github.com/wso2-attic/wso2mobileserver/issues/2",
            GITHUB_TOS
        ),
        excerpt!(
            "untrusted-server-certificate.log",
            // No entry of the current article is about TLS trust (see `rules/device_chain.rs`).
            Expected::OutsideCatalog("untrusted server certificate"),
            "https://github.com/project-imas/mdm-server/issues/47",
            GITHUB_TOS
        ),
        excerpt!(
            "cloud-config-device-not-verified.log",
            Expected::OutsideCatalog("ADE service cannot verify the device (macOS)"),
            "https://github.com/fleetdm/fleet/issues/8167",
            GITHUB_TOS
        ),
        excerpt!(
            "clean-profiled-start.log",
            Expected::NoFailure,
            "https://github.com/wso2-attic/wso2mobileserver/issues/2",
            GITHUB_TOS
        ),
        excerpt!(
            "clean-mdmclient-installed.log",
            Expected::NoFailure,
            "https://github.com/jamf/jamfprotect/pull/91",
            GITHUB_TOS
        ),
        excerpt!(
            "xpc-dep-enrollment-kb4490646.log",
            // KB 4490646, the support article the troubleshooting article's entry came from:
            // four lines, with the MobileAsset client's failure between them.
            Expected::Section(Section::XpcConnectionInvalid),
            "https://github.com/MicrosoftDocs/SupportArticles-docs/blob/main/support/mem/intune/dep-enrollment-error.md",
            MS_LEARN
        ),
        excerpt!(
            "scep-no-getcacaps.log",
            // The device does not trust the NDES server's chain, so it never asks GetCACaps;
            // profiled reports it as a SCEP identity it cannot retrieve.
            Expected::OutsideCatalog("SCEP failure"),
            "https://github.com/MicrosoftDocs/SupportArticles-docs/blob/main/support/mem/intune/certificates/ios-scep-failure-no-getcacaps.md",
            MS_LEARN
        ),
        excerpt!(
            "scep-ota-enrollment-failure.log",
            // The step after the SCEP failure of `scep-identity.log`, quoted on its own: the OTA
            // profile service gives up.
            Expected::OutsideCatalog("SCEP failure"),
            "https://github.com/wso2-attic/wso2mobileserver/issues/2",
            GITHUB_TOS
        ),
        excerpt!(
            "untrusted-dep-server-34011.log",
            // cloudconfigurationd refusing an intercepted Device Enrollment server (macOS): the
            // device cannot get a trusted connection to Apple's ADE service, which is the
            // XPC entry's cause ("a connection problem between the device and the Apple ADE
            // service"), and its fix (another network, without the interception) is the one
            // that entry gives. An MDM server the device does not trust has no entry.
            Expected::Section(Section::XpcConnectionInvalid),
            "https://duo.com/labs/research/mdm-me-maybe",
            "Duo Labs research, quoted as a short excerpt (fair use)"
        ),
        excerpt!(
            "clean-profiled-install-ios9.log",
            Expected::NoFailure,
            "https://github.com/project-imas/mdm-server/issues/35",
            GITHUB_TOS
        ),
        excerpt!(
            "clean-mdmclient-app-install-duplicate.log",
            // An app install refused on an enrolled Mac: errors, but no enrollment failure.
            Expected::NoFailure,
            "https://github.com/MicrosoftDocs/SupportArticles-docs/blob/main/support/mem/intune/app-management/cannot-install-macos-apps-and-run-shell-scripts.md",
            MS_LEARN
        ),
        excerpt!(
            "clean-device-not-awaiting-configuration.log",
            // A command's ErrorChain after Setup Assistant finished: the device is enrolled.
            Expected::NoFailure,
            "https://github.com/fleetdm/fleet/issues/46550",
            GITHUB_TOS
        ),
    ]
}

fn log_only(log: &str) -> Diagnosis {
    let bundle = EvidenceBundle {
        device_log: Some(log.to_string()),
        ..EvidenceBundle::default()
    };
    diagnose(&bundle)
}

fn right(excerpt: &Excerpt, d: &Diagnosis) -> bool {
    match excerpt.expected {
        Expected::Section(s) => d.section == Some(s),
        Expected::Cause(c) => {
            d.cause == Some(c) && d.section.is_some_and(|s| s.causes().contains(&c))
        }
        Expected::OutsideCatalog(_) | Expected::NoFailure => d.section.is_none(),
    }
}

#[test]
fn every_excerpt_is_cited() {
    for e in corpus() {
        assert!(e.source.starts_with("https://"), "{}", e.file);
        assert!(!e.terms.is_empty(), "{}", e.file);
        assert!(
            e.log.lines().count() <= 20,
            "{} is not a short excerpt",
            e.file
        );
    }
}

#[test]
fn log_only_diagnosis_of_real_excerpts() {
    let corpus = corpus();
    let mut wrong = Vec::new();
    for e in &corpus {
        let d = log_only(e.log);
        if !right(e, &d) {
            wrong.push(format!(
                "{}: expected {:?}, got {:?}",
                e.file, e.expected, d.section
            ));
        }
    }
    let share = (corpus.len() - wrong.len()) as f64 / corpus.len() as f64;
    println!(
        "real excerpts: {}/{} right ({:.0} %)",
        corpus.len() - wrong.len(),
        corpus.len(),
        share * 100.0
    );
    assert!(share >= 0.9, "{wrong:#?}");
    // No clean excerpt may be read as a failure, whatever the share.
    for e in corpus.iter().filter(|e| e.expected == Expected::NoFailure) {
        assert_eq!(log_only(e.log).section, None, "{}", e.file);
    }
}

/// Hard-wraps every line at `width` characters, continuation lines flush left.
fn wrapped(log: &str, width: usize) -> String {
    let mut out = String::new();
    for line in log.lines() {
        let chars: Vec<char> = line.chars().collect();
        if chars.is_empty() {
            out.push('\n');
        }
        for chunk in chars.chunks(width) {
            out.extend(chunk);
            out.push('\n');
        }
    }
    out
}

/// The first line without its first 16 characters, as when a paste starts mid-line.
fn cut_first_line(log: &str) -> String {
    let mut lines = log.lines();
    let first: String = lines.next().unwrap_or("").chars().skip(16).collect();
    std::iter::once(first.as_str())
        .chain(lines)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Another device's name in place of the excerpt's.
fn renamed(log: &str) -> String {
    ["StevesLaptopiPhone", "Gao-Zhiguoteki-iPad", "iPhone "]
        .iter()
        .fold(log.to_string(), |l, name| {
            let new = if name.ends_with(' ') {
                "Kims-iPad-2 "
            } else {
                "Kims-iPad-2"
            };
            l.replace(name, new)
        })
}

#[test]
fn mangled_excerpts_keep_their_verdict() {
    let mut wrong = Vec::new();
    for e in corpus() {
        for (how, log) in [
            ("wrapped", wrapped(e.log, 72)),
            ("cut", cut_first_line(e.log)),
            ("renamed", renamed(e.log)),
        ] {
            let d = log_only(&log);
            if !right(&e, &d) {
                wrong.push(format!(
                    "{} {how}: expected {:?}, got {:?}",
                    e.file, e.expected, d.section
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn the_error_chain_is_reported_even_without_a_section() {
    let chain = |file: &str| -> Vec<(String, Option<i64>, usize)> {
        let e = corpus().into_iter().find(|e| e.file == file).expect(file);
        log_only(e.log)
            .device_errors
            .into_iter()
            .map(|e| (e.domain, e.code, e.depth))
            .collect()
    };
    assert_eq!(
        chain("scep-identity.log"),
        vec![("MCSCEPErrorDomain".to_string(), Some(22003), 0)]
    );
    assert_eq!(
        chain("invalid-profile-identity-missing.log"),
        vec![
            ("MCInstallationErrorDomain".to_string(), Some(4000), 0),
            ("MCProfileErrorDomain".to_string(), Some(1000), 1),
        ]
    );
    assert!(chain("clean-profiled-start.log").is_empty());
}

/// A SCEP failure and an MDM server the device does not trust have no entry in the current
/// article (see `rules/device_chain.rs`): the diagnosis names no section for them, yet it has
/// recognised them: it does not offer the "network error" entry's unspecified iOS error, and
/// it says what it saw and what to collect about it.
#[test]
fn chains_without_an_entry_are_recognised_but_unnamed() {
    for file in [
        "scep-identity.log",
        "scep-no-getcacaps.log",
        "scep-ota-enrollment-failure.log",
        "untrusted-server-certificate.log",
    ] {
        let e = corpus().into_iter().find(|e| e.file == file).expect(file);
        let d = log_only(e.log);
        assert_eq!(d.section, None, "{file}");
        let said = if file.starts_with("scep") {
            "scep-server"
        } else {
            "server-trust"
        };
        assert!(
            d.collect.iter().any(|c| c.id == said),
            "{file}: {:?}",
            d.collect
        );
        assert!(
            d.candidates
                .iter()
                .all(|c| c.cause != Cause::IosUnspecifiedError),
            "{file}: {:?}",
            d.candidates
        );
    }
}
