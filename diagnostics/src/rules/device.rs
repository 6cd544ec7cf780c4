//! Device-side profile installation failures, read from the console log: an unspecified iOS
//! problem (a profile installation error whose underlying cause is the device's keychain or
//! profile store), an MDM profile from another server already installed, and a new MDM payload
//! whose Topic or server differs from the installed one. Intune never sees these attempts, so
//! Intune failure events speak (a little) against them.

use super::{quote, Context, Finding, HintRank, DEVICE_LOG, EVENTS, STRONG};
use crate::bundle::FailureCategory;
use crate::catalog::{Cause, Section};
use crate::logs::LogLine;
use crate::report::EvidenceItem;

const PAYLOAD_MISMATCH: &[&str] = &[
    "does not match the old payload",
    "does not match the existing",
    "does not match the installed",
    "payload does not match",
];
const MISMATCH_WORDS: &[&str] = &[
    "differ",
    "does not match",
    "mismatch",
    "must not change",
    "cannot change",
    "cannot be changed",
];
const PAYLOAD_KEYS: &[&str] = &[
    "topic",
    "serverurl",
    "server url",
    "checkinurl",
    "checkin url",
];
const ALREADY: &[&str] = &[
    "already installed",
    "already enrolled",
    "already managed",
    "already present",
    "managed by another",
    "enrolled with another",
    "enrolled in another",
    "another mdm",
    "other mdm",
    "different mdm",
];
const STORE_ERRORS: &[&str] = &[
    "keychain",
    "mckeychainerrordomain",
    "configuration store",
    "errsec",
    "secitem",
    "nsosstatuserrordomain",
    "-34018",
    "-25295",
    "errsecinvalidkeychain",
    "-25300",
    "-25299",
    "profile store",
    "certificate store",
    "data store",
    "store error",
    "store is corrupt",
    "store could not",
];
const NETWORK_ERRORS: &[&str] = &[
    "nsurlerrordomain",
    "not connected to the internet",
    "network connection was lost",
    "request timed out",
    "could not connect to the server",
    "cannot find host",
];
/// Hosts that belong to Intune, Microsoft sign-in or Apple, not to another MDM provider.
const OWN_HOSTS: &[&str] = &[
    "manage.microsoft.com",
    "microsoftonline.com",
    "microsoft.com",
    "apple.com",
];

pub(super) fn rules(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let mismatch = payload_mismatch(ctx, out);
    let other = other_mdm(ctx, out);
    // An invalid profile, a SCEP failure or an untrusted server is not the unspecified error.
    let elsewhere = super::device_chain::rules(ctx, out);
    unspecified(ctx, out, mismatch || other || elsewhere);
    intune_saw_a_failure(ctx, out);
}

/// The line says the new MDM payload does not match the installed one.
fn is_mismatch(l: &LogLine<'_>) -> bool {
    l.has_any(PAYLOAD_MISMATCH) || (l.has_any(PAYLOAD_KEYS) && l.has_any(MISMATCH_WORDS))
}

/// An `NSError` dump's `US Desc` / `US Sugg` line repeats `Desc` / `Sugg` in US English: quoting
/// both says nothing more.
fn is_us_english_copy(l: &LogLine<'_>) -> bool {
    l.raw.trim_start().starts_with("US ")
}

/// The new MDM payload's Topic or server differs from the installed one.
fn payload_mismatch(ctx: &Context<'_>, out: &mut Vec<Finding>) -> bool {
    let lines: Vec<_> = ctx
        .device_lines
        .iter()
        .filter(|l| is_mismatch(l) && !is_us_english_copy(l))
        .take(3)
        .collect();
    if lines.is_empty() {
        return false;
    }
    let evidence = lines.iter().map(|l| quote(DEVICE_LOG, l)).collect();
    out.push(
        Finding::support(Cause::ManagementProfilePresent, STRONG, evidence)
            .hint(Section::MdmPayloadMismatch, HintRank::Firm),
    );
    true
}

/// An MDM payload from another provider's server is already installed.
fn other_mdm(ctx: &Context<'_>, out: &mut Vec<Finding>) -> bool {
    let mut found = false;
    for l in ctx
        .device_lines
        .iter()
        .filter(|l| l.folded.contains("mdm") && l.has_any(ALREADY) && !is_mismatch(l))
    {
        let hosts = hosts(&l.folded);
        let foreign: Vec<&str> = hosts.iter().copied().filter(|h| !is_own_host(h)).collect();
        let explicit = l.has_any(&[
            "another mdm",
            "other mdm",
            "different mdm",
            "managed by another",
            "enrolled with another",
            "enrolled in another",
        ]);
        let mut evidence = vec![quote(DEVICE_LOG, l)];
        if let Some(host) = foreign.first() {
            evidence.push(EvidenceItem::fact(DEVICE_LOG, format!("the installed MDM server {host} is not an Intune server (manage.microsoft.com)")));
            out.push(Finding::support(Cause::EnrolledInOtherMdm, 0.85, evidence));
        } else if explicit {
            out.push(Finding::support(Cause::EnrolledInOtherMdm, 0.6, evidence));
        } else if !hosts.is_empty() {
            // An Intune MDM profile is already there: a management profile, not another provider.
            out.push(Finding::support(
                Cause::ManagementProfilePresent,
                0.5,
                evidence,
            ));
            continue;
        } else {
            out.push(Finding::support(
                Cause::EnrolledInOtherMdm,
                0.35,
                evidence.clone(),
            ));
            out.push(Finding::support(
                Cause::ManagementProfilePresent,
                0.3,
                evidence,
            ));
        }
        found = true;
        break;
    }
    found
}

/// A profile installation error whose underlying error is the device's own store.
fn unspecified(ctx: &Context<'_>, out: &mut Vec<Finding>, explained: bool) {
    let install = ctx
        .device_lines
        .iter()
        .find(|l| l.folded.contains("mcinstallationerrordomain"));
    let store = ctx
        .device_lines
        .iter()
        .find(|l| l.has_any(STORE_ERRORS) && (l.is_error() || l.folded.contains("error")));
    match (install, store) {
        (Some(i), Some(s)) if !explained => {
            let mut evidence = vec![quote(DEVICE_LOG, i)];
            if s.number != i.number {
                evidence.push(quote(DEVICE_LOG, s));
            }
            out.push(Finding::support(
                Cause::IosUnspecifiedError,
                STRONG,
                evidence,
            ));
        }
        (Some(i), None) if !explained => {
            out.push(Finding::support(
                Cause::IosUnspecifiedError,
                0.4,
                vec![quote(DEVICE_LOG, i)],
            ));
        }
        _ => {}
    }
    if let Some(n) = ctx.device_lines.iter().find(|l| l.has_any(NETWORK_ERRORS)) {
        out.push(Finding::against(
            Cause::IosUnspecifiedError,
            0.3,
            vec![quote(DEVICE_LOG, n)],
        ));
    }
}

/// Intune recorded an enrollment failure for the user: the attempt reached the service, which
/// speaks against purely device-side causes.
fn intune_saw_a_failure(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let seen = ctx.events.iter().any(|(_, e)| {
        !matches!(
            e.failure_category,
            None | Some(FailureCategory::ClientDisconnected | FailureCategory::UserAbandonment)
        )
    });
    if seen {
        let fact = vec![EvidenceItem::fact(
            EVENTS,
            "Intune recorded an enrollment failure for the user",
        )];
        for cause in [
            Cause::IosUnspecifiedError,
            Cause::EnrolledInOtherMdm,
            Cause::ManagementProfilePresent,
        ] {
            out.push(Finding::against(cause, 0.3, fact.clone()));
        }
    }
}

/// Host names of the `http(s)://` URLs in a folded line.
fn hosts(folded: &str) -> Vec<&str> {
    folded
        .match_indices("://")
        .filter(|(i, _)| folded[..*i].ends_with("http") || folded[..*i].ends_with("https"))
        .filter_map(|(i, _)| {
            let rest = &folded[i + 3..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
                .unwrap_or(rest.len());
            let host = rest[..end].trim_end_matches('.');
            (!host.is_empty()).then_some(host)
        })
        .collect()
}

fn is_own_host(host: &str) -> bool {
    OWN_HOSTS
        .iter()
        .any(|own| host == *own || host.ends_with(&format!(".{own}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_hosts() {
        assert_eq!(
            hosts("payload from https://mdm.example.net/checkin and http://x.manage.microsoft.com:443/ already installed"),
            vec!["mdm.example.net", "x.manage.microsoft.com"]
        );
        assert!(is_own_host("enrollment.manage.microsoft.com"));
        assert!(is_own_host("manage.microsoft.com"));
        assert!(!is_own_host("evilmanage.microsoft.com.example"));
        assert!(!is_own_host("mdm.example.net"));
    }
}
