//! The rules: each looks at one kind of evidence (a code or pattern in a log, a tenant fact, a
//! troubleshooting event, a sign-in error) and says how much it supports or speaks against a
//! cause, with the evidence to show and, sometimes, the article section the evidence points at.
//!
//! Rules are about kinds of evidence only. They never look at user names, serial numbers,
//! tenant or profile names (those only appear in the evidence text), and dates are only ever
//! compared with each other or with the collection time.

mod ade;
mod ade_restriction;
mod ade_sync;
mod apns;
mod cloud;
mod conditional_access;
mod context;
mod device;
mod eligibility;
mod licence;
mod portal;
mod restrictions;
mod scep;

pub(crate) use context::{Context, DEVICE_LOG, EVENTS, MANIFEST, PORTAL_LOG, SIGN_INS, TENANT};

use crate::catalog::{Cause, Section};
use crate::logs::LogLine;
use crate::report::EvidenceItem;
use crate::text::clip;

/// How much a rule trusts its evidence.
pub(crate) const STRONG: f64 = 0.8;

/// Longest log line quoted in evidence.
const MAX_QUOTE: usize = 300;

/// How firmly a finding points at a section (higher wins).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum HintRank {
    /// A tenant nuance or a code that several sections share.
    Weak,
    /// A code or log line that names the section's own message.
    Firm,
}

/// One rule's verdict about one cause.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Finding {
    pub cause: Cause,
    /// 0..=1 for support, -1..0 for evidence against.
    pub weight: f64,
    pub evidence: Vec<EvidenceItem>,
    pub hint: Option<(Section, HintRank)>,
}

impl Finding {
    pub fn support(cause: Cause, weight: f64, evidence: Vec<EvidenceItem>) -> Finding {
        Finding {
            cause,
            weight,
            evidence,
            hint: None,
        }
    }

    pub fn against(cause: Cause, weight: f64, evidence: Vec<EvidenceItem>) -> Finding {
        Finding {
            cause,
            weight: -weight,
            evidence,
            hint: None,
        }
    }

    pub fn hint(mut self, section: Section, rank: HintRank) -> Finding {
        self.hint = Some((section, rank));
        self
    }
}

/// Runs every rule.
pub(crate) fn run(ctx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    device::rules(ctx, &mut out);
    restrictions::rules(ctx, &mut out);
    licence::rules(ctx, &mut out);
    apns::rules(ctx, &mut out);
    portal::rules(ctx, &mut out);
    ade::rules(ctx, &mut out);
    ade_sync::rules(ctx, &mut out);
    cloud::rules(ctx, &mut out);
    conditional_access::rules(ctx, &mut out);
    eligibility::rules(ctx, &mut out);
    ade_restriction::rules(ctx, &mut out);
    scep::rules(ctx, &mut out);
    out
}

/// A log line as evidence.
pub(crate) fn quote(source: &str, line: &LogLine<'_>) -> EvidenceItem {
    EvidenceItem::line(source, line.number, clip(line.raw, MAX_QUOTE))
}

/// Any of `needles` (lower-case) occurs in `folded`.
pub(crate) fn has_any(folded: &str, needles: &[&str]) -> bool {
    needles.iter().any(|n| folded.contains(n))
}

/// The first log line (either log) containing `code` (lower-case) as a whole word.
pub(crate) fn find_code<'c, 'a>(
    ctx: &'c Context<'a>,
    code: &str,
) -> Option<(&'static str, &'c LogLine<'a>)> {
    ctx.log_lines()
        .find(|(_, l)| contains_word(&l.folded, code))
}

/// `needle` occurs in `hay` not glued to other letters or digits.
pub(crate) fn contains_word(hay: &str, needle: &str) -> bool {
    hay.match_indices(needle).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + needle.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// An enrollment troubleshooting event as evidence.
pub(crate) fn event_fact(index: usize, event: &crate::bundle::EnrollmentEvent) -> EvidenceItem {
    let category = event.failure_category.map(|c| c.name()).unwrap_or("(none)");
    let reason = event
        .failure_reason
        .as_deref()
        .map(|r| clip(r, MAX_QUOTE))
        .unwrap_or_default();
    EvidenceItem::fact(
        EVENTS,
        format!(
            "event {}: failureCategory = {category}, failureReason = \"{reason}\"",
            index + 1
        ),
    )
}

/// The user's latest sign-in, when it succeeded after the latest one that failed with one of
/// `codes`: the device got past that sign-in since, so its failure is not what stops it now.
pub(crate) fn sign_in_passed_since<'c>(
    ctx: &'c Context<'_>,
    codes: &[i64],
) -> Option<(usize, &'c crate::bundle::SignInRecord)> {
    let when = |s: &crate::bundle::SignInRecord| {
        s.created_date_time
            .as_deref()
            .and_then(crate::dates::parse_rfc3339)
    };
    let failed_at = ctx
        .sign_ins
        .iter()
        .filter(|(_, s)| codes.contains(&s.status.error_code))
        .filter_map(|(_, s)| when(s))
        .max()?;
    let (at, i, latest) = ctx
        .sign_ins
        .iter()
        .filter_map(|&(i, s)| when(s).map(|t| (t, i, s)))
        .max_by_key(|(t, i, _)| (*t, *i))?;
    (latest.status.error_code == 0 && at > failed_at).then_some((i, latest))
}

/// A duration in words: whole days, else hours, else minutes.
pub(crate) fn span(seconds: i64) -> String {
    let s = seconds.unsigned_abs();
    let (n, unit) = if s >= 86_400 {
        (s / 86_400, "day")
    } else if s >= 3_600 {
        (s / 3_600, "hour")
    } else {
        (s / 60, "minute")
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_words_only() {
        assert!(contains_word(
            "error: devicecapreached.",
            "devicecapreached"
        ));
        assert!(!contains_word("xdevicecapreachedx", "devicecapreached"));
        assert!(contains_word("aadsts50076:", "aadsts50076"));
        assert!(!contains_word("aadsts500761", "aadsts50076"));
    }

    #[test]
    fn spans() {
        assert_eq!(span(45 * 86_400 + 5), "45 days");
        assert_eq!(span(-86_400), "1 day");
        assert_eq!(span(7_200), "2 hours");
        assert_eq!(span(59), "0 minutes");
    }
}
