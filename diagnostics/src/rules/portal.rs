//! The Company Portal app: a version the service no longer supports, a damaged install, or a
//! failed Workplace Join (device registration, whose key the app reads from its keychain), read
//! from the Company Portal log and from the service's refusals of an old client. Reinstalling
//! the app is the fix for all of them: a new install has a new keychain item. The
//! installed version is compared with a minimum the log states, when it states one.

use super::{event_fact, has_any, quote, Context, Finding, HintRank, PORTAL_LOG, STRONG};
use crate::catalog::{Cause, Section};
use crate::logs::LogLine;
use crate::report::EvidenceItem;
use crate::version;

const UNSUPPORTED: &[&str] = &[
    "not supported",
    "unsupported",
    "no longer supported",
    "below the minimum",
    "below minimum",
    "minimum supported",
    "minimum required",
    "too old",
    "outdated",
    "out of date",
    "update required",
    "upgrade required",
    "older than",
    "oldest supported",
];
/// Words that introduce the oldest version the service accepts.
const MINIMUM: &[&str] = &["minimum", "oldest supported"];
const DAMAGED: &[&str] = &[
    "corrupt",
    "damaged",
    "integrity check",
    "code signature",
    "signature is invalid",
    "missing resource",
    "bundle is invalid",
];
const WORKPLACE_JOIN: &[&str] = &[
    "workplace join",
    "workplacejoin",
    "workplace-join",
    "device registration",
    "wpj",
];
/// A keychain read the app reports with the Security framework's `OSStatus` names or codes.
const KEYCHAIN_READ: &[&str] = &[
    "osstatus",
    "errsecitemnotfound",
    "errsecdecode",
    "-25300",
    "-26275",
];
const FAILED: &[&str] = &[
    "fail",
    "error",
    "could not",
    "couldn't",
    "unable",
    "invalid",
];

pub(super) fn rules(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let lines = &ctx.portal_lines;
    if let Some(l) = lines
        .iter()
        .find(|l| l.folded.contains("version") && l.has_any(UNSUPPORTED))
    {
        let mut evidence = vec![quote(PORTAL_LOG, l)];
        evidence.extend(version_fact(ctx, l));
        out.push(
            Finding::support(Cause::CompanyPortalOutdated, STRONG, evidence)
                .hint(Section::CompanyPortalUnavailable, HintRank::Weak),
        );
    }
    let refused = ctx.events.iter().find(|(_, e)| {
        let reason = crate::text::fold(e.failure_reason.as_deref().unwrap_or(""));
        reason.contains("company portal")
            && reason.contains("version")
            && has_any(&reason, UNSUPPORTED)
    });
    if let Some(&(i, e)) = refused {
        out.push(
            Finding::support(Cause::CompanyPortalOutdated, 0.7, vec![event_fact(i, e)])
                .hint(Section::CompanyPortalUnavailable, HintRank::Weak),
        );
    }
    if let Some(l) = lines.iter().find(|l| l.has_any(DAMAGED)) {
        out.push(
            Finding::support(
                Cause::CompanyPortalOutdated,
                0.7,
                vec![quote(PORTAL_LOG, l)],
            )
            .hint(Section::CompanyPortalUnavailable, HintRank::Weak),
        );
    }
    if let Some(l) = lines
        .iter()
        .find(|l| l.has_any(WORKPLACE_JOIN) && l.has_any(FAILED))
    {
        out.push(
            Finding::support(
                Cause::CompanyPortalOutdated,
                0.75,
                vec![quote(PORTAL_LOG, l)],
            )
            .hint(Section::WorkplaceJoinFailed, HintRank::Firm),
        );
    }
    if let Some(l) = lines
        .iter()
        .find(|l| l.has_any(WORKPLACE_JOIN) && l.has_any(KEYCHAIN_READ))
    {
        // The app could not read its own registration key: the install, not the service.
        out.push(
            Finding::support(
                Cause::CompanyPortalOutdated,
                0.6,
                vec![quote(PORTAL_LOG, l)],
            )
            .hint(Section::WorkplaceJoinFailed, HintRank::Weak),
        );
    }
}

/// The installed version against the minimum the line states (the first version number after
/// "minimum" or "oldest supported"), when the manifest knows the installed version.
fn version_fact(ctx: &Context<'_>, line: &LogLine<'_>) -> Option<EvidenceItem> {
    let installed_text = ctx.bundle.device()?.company_portal_version.as_deref()?;
    let installed = version::parse(installed_text)?;
    // The first version number after "minimum" (or "oldest supported").
    let at = MINIMUM.iter().filter_map(|m| line.folded.find(m)).min()?;
    let after = &line.folded[at..];
    let minimum = version::find_all(after).into_iter().next()?;
    (version::compare(&installed, &minimum).is_lt()).then(|| {
        let shown: Vec<String> = minimum.iter().map(u64::to_string).collect();
        EvidenceItem::fact(
            super::MANIFEST,
            format!("device.company_portal_version = {installed_text}, below the minimum {} the service states", shown.join(".")),
        )
    })
}
