//! "The SCEP server returned an invalid response." during an ADE enrollment with user affinity:
//! the ADE enrollment article ("Distribute devices") puts it down to the 15-minute limit on the
//! SCEP challenge the management profile carries. Read from the device's error chain (the
//! `MCSCEPErrorDomain` 22013 root under the installation failure), Intune's troubleshooting
//! event for a challenge that came too late, and the enrollment being ADE. A SCEP failure of
//! another kind (an RA or CA answer the device cannot read, a server it cannot reach) is not
//! this entry, and speaks against it.

use super::{event_fact, has_any, quote, Context, Finding, HintRank, DEVICE_LOG};
use crate::catalog::{Cause, Section};
use crate::report::EvidenceItem;

/// iOS's code for a PKIOperation answer it cannot use, which a refused challenge is to it
/// (Apple's MDM protocol reference, "Error Codes", MCSCEPErrorDomain).
const INVALID_PKI_RESPONSE: i64 = 22013;

pub(super) fn rules(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let text: Vec<&str> = ctx.device_lines.iter().map(|l| l.raw).collect();
    let errors = crate::error_chain::errors(&text.join("\n"));
    let Some(root) = errors.iter().find(|e| e.domain == "MCSCEPErrorDomain") else {
        return;
    };
    // The chain reader points at the `Domain` line; the `Desc` line above it says what failed.
    let line = ctx
        .device_lines
        .iter()
        .filter(|l| l.number <= root.line && l.number + 6 > root.line)
        .find(|l| l.raw.trim_start().starts_with("Desc"))
        .or_else(|| ctx.device_lines.iter().find(|l| l.number == root.line));
    if root.code != Some(INVALID_PKI_RESPONSE) {
        let evidence = line.map(|l| vec![quote(DEVICE_LOG, l)]).unwrap_or_default();
        out.push(Finding::against(Cause::ScepChallengeExpired, 0.6, evidence));
        return;
    }
    let mut evidence: Vec<_> = line.map(|l| quote(DEVICE_LOG, l)).into_iter().collect();
    evidence.push(EvidenceItem::fact(
        DEVICE_LOG,
        format!(
            "line {}: MCSCEPErrorDomain {INVALID_PKI_RESPONSE}, an invalid PKIOperation response",
            root.line
        ),
    ));
    let mut weight = 0.5;
    for &(i, e) in &ctx.events {
        let reason = crate::text::fold(e.failure_reason.as_deref().unwrap_or(""));
        if has_any(&reason, &["scep"]) && has_any(&reason, &["15 minutes", "expired"]) {
            evidence.push(event_fact(i, e));
            weight += 0.35;
            break;
        }
    }
    if ctx.is_ade() {
        weight += 0.1;
    }
    out.push(
        Finding::support(
            Cause::ScepChallengeExpired,
            f64::min(weight, 0.95),
            evidence,
        )
        .hint(Section::ScepInvalidResponse, HintRank::Firm),
    );
}
