//! A device type restriction that blocks the iOS/iPadOS platform, met by an ADE device: ADE
//! skips the Company Portal's eligibility check, so Intune refuses the enrollment profile and
//! Setup Assistant says "... could not be downloaded from <Company Name>: Invalid Profile".
//! Read from the restriction that applies to the user (the tenant view), Intune's
//! troubleshooting event, and the device's line with the refusal. A BYOD device meeting the same
//! restriction is the "Connection to the server" entry's first scenario (`restrictions.rs`).

use super::{event_fact, has_any, quote, Context, Finding, HintRank, TENANT};
use crate::bundle::{EnrollmentConfiguration, FailureCategory, PlatformRestrictionsConfiguration};
use crate::catalog::{Cause, Section};
use crate::report::EvidenceItem;

pub(super) fn rules(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    if !ctx.is_ade() {
        return;
    }
    let mut evidence = Vec::new();
    let mut weight: f64 = 0.0;
    if let Some((config, _, is_default)) = ctx.effective_restriction(ios_restriction) {
        let blocked = config
            .ios_restriction
            .as_ref()
            .is_some_and(|r| r.platform_blocked);
        if !blocked {
            out.push(Finding::against(
                Cause::IosPlatformBlocked,
                0.85,
                vec![EvidenceItem::fact(
                    TENANT,
                    format!(
                        "the device type restriction \"{}\" that applies allows iOS/iPadOS",
                        config.display_name
                    ),
                )],
            ));
            return;
        }
        let which = if is_default {
            "the Default (All Users)"
        } else {
            "the user's group"
        };
        evidence.push(EvidenceItem::fact(
            TENANT,
            format!(
                "{which} device type restriction \"{}\" blocks the iOS/iPadOS platform",
                config.display_name
            ),
        ));
        weight += 0.6;
    }
    for &(i, e) in &ctx.events {
        let reason = crate::text::fold(e.failure_reason.as_deref().unwrap_or(""));
        if e.failure_category == Some(FailureCategory::EnrollmentRestrictionsEnforced)
            && has_any(&reason, &["platform blocked", "devicetypenotsupported"])
        {
            evidence.push(event_fact(i, e));
            weight += 0.3;
            break;
        }
    }
    if let Some((source, line)) = ctx
        .log_lines()
        .find(|(_, l)| l.folded.contains("invalid profile"))
    {
        evidence.push(quote(source, line));
        weight += 0.2;
    }
    if evidence.is_empty() {
        return;
    }
    out.push(
        Finding::support(Cause::IosPlatformBlocked, weight.min(0.95), evidence)
            .hint(Section::InvalidProfile, HintRank::Firm),
    );
}

fn ios_restriction(c: &EnrollmentConfiguration) -> Option<&PlatformRestrictionsConfiguration> {
    match c {
        EnrollmentConfiguration::PlatformRestrictions(p) => Some(p),
        _ => None,
    }
}
