//! Government cloud: a government user whose Company Portal authenticates against the public
//! cloud (the Cloud setting left on Automatic). Read from Entra ID's national-cloud redirection
//! error (AADSTS90038), the user's home cloud in the tenant, and the authority the Company
//! Portal log shows. A successful sign-in after the redirection error shows that the device got
//! past sign-in since (the Cloud setting was changed): the mismatch is then not what stops it now.

use super::{contains_word, quote, Context, Finding, SIGN_INS, STRONG, TENANT};
use crate::catalog::Cause;
use crate::report::EvidenceItem;

/// National cloud tenant redirection, invalid national cloud id.
const CLOUD_CODES: &[(i64, f64)] = &[(90038, STRONG), (90051, 0.5)];
const PUBLIC_AUTHORITY: &str = "login.microsoftonline.com";

pub(super) fn rules(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    signed_in_since(ctx, out);
    let mut redirected = false;
    for &(code, weight) in CLOUD_CODES {
        let needle = format!("aadsts{code}");
        let item = ctx
            .sign_ins
            .iter()
            .find(|(_, s)| s.status.error_code == code)
            .map(|&(i, _)| {
                EvidenceItem::fact(
                    SIGN_INS,
                    format!(
                        "sign-in {} failed with AADSTS{code} (national cloud mismatch)",
                        i + 1
                    ),
                )
            })
            .or_else(|| {
                ctx.log_lines()
                    .find(|(_, l)| contains_word(&l.folded, &needle))
                    .map(|(s, l)| quote(s, l))
            });
        if let Some(item) = item {
            out.push(Finding::support(
                Cause::GovernmentCloudNotSelected,
                weight,
                vec![item],
            ));
            redirected = true;
        }
    }
    let home = ctx
        .user
        .and_then(|u| u.home_cloud.as_deref())
        .map(str::trim);
    let government = home.is_some_and(|h| {
        h.eq_ignore_ascii_case("government") || h.to_ascii_lowercase().starts_with("usgov")
    });
    if government {
        let mut evidence = vec![EvidenceItem::fact(
            TENANT,
            "the user's home cloud is the government cloud (homeCloud = government)",
        )];
        let mut weight = 0.5;
        if let Some(l) = ctx
            .portal_lines
            .iter()
            .find(|l| l.folded.contains(PUBLIC_AUTHORITY))
        {
            evidence.push(quote(super::PORTAL_LOG, l));
            weight = 0.75;
        }
        if let Some(l) = ctx
            .portal_lines
            .iter()
            .find(|l| l.folded.contains("cloud") && l.folded.contains("automatic"))
        {
            evidence.push(quote(super::PORTAL_LOG, l));
        }
        out.push(Finding::support(
            Cause::GovernmentCloudNotSelected,
            weight,
            evidence,
        ));
    } else if home.is_some() && !redirected {
        out.push(Finding::against(
            Cause::GovernmentCloudNotSelected,
            0.8,
            vec![EvidenceItem::fact(
                TENANT,
                "the user's home cloud is the public cloud",
            )],
        ));
    }
}

/// The device got past sign-in since a national-cloud redirection error: the Company Portal
/// log's latest authority is not the public cloud's, or the latest sign-in succeeded.
fn signed_in_since(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let evidence = if let Some(line) = authority_changed(ctx) {
        quote(super::PORTAL_LOG, line)
    } else {
        let codes: Vec<i64> = CLOUD_CODES.iter().map(|(c, _)| *c).collect();
        let Some((i, _)) = super::sign_in_passed_since(ctx, &codes) else {
            return;
        };
        EvidenceItem::fact(
            SIGN_INS,
            format!(
                "sign-in {} succeeded after the national cloud mismatch: sign-in was passed",
                i + 1
            ),
        )
    };
    out.push(Finding::against(
        Cause::GovernmentCloudNotSelected,
        STRONG,
        vec![evidence],
    ));
}

/// The Company Portal log's latest sign-in authority, when it is not the public cloud's and it
/// comes after a national-cloud redirection error.
fn authority_changed<'c, 'a>(ctx: &'c Context<'a>) -> Option<&'c crate::logs::LogLine<'a>> {
    let redirected = ctx.portal_lines.iter().rposition(|l| {
        CLOUD_CODES
            .iter()
            .any(|(c, _)| contains_word(&l.folded, &format!("aadsts{c}")))
    })?;
    let (at, latest) = ctx
        .portal_lines
        .iter()
        .enumerate()
        .rfind(|(_, l)| l.folded.contains("authority"))?;
    (at > redirected && !latest.folded.contains(PUBLIC_AUTHORITY)).then_some(latest)
}
