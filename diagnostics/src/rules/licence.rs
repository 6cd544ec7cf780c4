//! Licensing: the enrolling user has no licence with an enabled Intune service plan. Read from
//! the tenant (licences and their enabled plans), from Intune's `userValidation` events and from
//! the Company Portal's codes (`UserLicenseTypeInvalid`, "User Name Not Recognized").
//!
//! Which message the user saw follows from where they enrolled: the Company Portal shows
//! "User License Type Invalid" when a licence lacks an Intune plan and "User Name Not
//! Recognized" when there is no licence at all; web enrollment fails in Settings.

use super::{event_fact, find_code, quote, Context, Finding, HintRank, TENANT};
use crate::bundle::{FailureCategory, UserView};
use crate::catalog::{Cause, Section};
use crate::report::EvidenceItem;

pub(super) fn rules(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    if let Some(user) = ctx.user {
        tenant_licences(user, out);
    }
    for &(i, e) in &ctx.events {
        if e.failure_category == Some(FailureCategory::UserValidation) {
            let reason = crate::text::fold(e.failure_reason.as_deref().unwrap_or(""));
            let weight = if reason.contains("licen") { 0.75 } else { 0.6 };
            out.push(Finding::support(
                Cause::UserNotLicensed,
                weight,
                vec![event_fact(i, e)],
            ));
        }
    }
    if let Some((source, line)) = find_code(ctx, "userlicensetypeinvalid") {
        out.push(
            Finding::support(Cause::UserNotLicensed, 0.85, vec![quote(source, line)])
                .hint(Section::UserLicenseTypeInvalid, HintRank::Firm),
        );
    }
    let not_recognized = find_code(ctx, "usernamenotrecognized").or_else(|| {
        ctx.log_lines()
            .find(|(_, l)| l.folded.contains("not authorized to use microsoft intune"))
    });
    if let Some((source, line)) = not_recognized {
        out.push(
            Finding::support(Cause::UserNotLicensed, 0.85, vec![quote(source, line)])
                .hint(Section::UserNameNotRecognized, HintRank::Firm),
        );
    }
}

/// An Intune service plan: `INTUNE_A`, `INTUNE_EDU`, `INTUNE_SMBIZ`, `EMS`... but not
/// `INTUNE_O365` (basic mobility for Microsoft 365, not Intune).
pub(crate) fn is_intune_plan(plan: &str) -> bool {
    let p = plan.trim().to_ascii_uppercase();
    (p.starts_with("INTUNE") && p != "INTUNE_O365") || p == "EMS" || p.starts_with("EMS_")
}

fn tenant_licences(user: &UserView, out: &mut Vec<Finding>) {
    let licensed = user
        .assigned_licenses
        .iter()
        .find(|l| l.service_plans.iter().any(|p| is_intune_plan(p)));
    if let Some(l) = licensed {
        out.push(Finding::against(
            Cause::UserNotLicensed,
            0.85,
            vec![EvidenceItem::fact(
                TENANT,
                format!(
                    "the user's licence {} has an enabled Intune service plan",
                    l.sku_part_number
                ),
            )],
        ));
        return;
    }
    let (fact, section) = if user.assigned_licenses.is_empty() {
        (
            "the user has no licence assigned".to_string(),
            Section::UserNameNotRecognized,
        )
    } else {
        let skus: Vec<&str> = user
            .assigned_licenses
            .iter()
            .map(|l| l.sku_part_number.as_str())
            .collect();
        (
            format!(
                "the user's licences ({}) have no enabled Intune service plan",
                skus.join(", ")
            ),
            Section::UserLicenseTypeInvalid,
        )
    };
    out.push(
        Finding::support(
            Cause::UserNotLicensed,
            0.85,
            vec![EvidenceItem::fact(TENANT, fact)],
        )
        .hint(section, HintRank::Weak),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intune_plans() {
        for p in [
            "INTUNE_A",
            "intune_edu",
            "INTUNE_SMBIZ",
            "EMS",
            "INTUNE_A_VL",
        ] {
            assert!(is_intune_plan(p), "{p}");
        }
        for p in ["INTUNE_O365", "EXCHANGE_S_STANDARD", "", "AAD_PREMIUM"] {
            assert!(!is_intune_plan(p), "{p}");
        }
    }
}
