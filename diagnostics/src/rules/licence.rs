//! Licensing: the enrolling user has no licence with an enabled Intune service plan. Read from
//! the tenant (licences and their enabled plans), from Intune's `userValidation` events and from
//! the Company Portal's codes (`UserLicenseTypeInvalid`, "User Name Not Recognized").
//!
//! Which message the user saw follows from where they enrolled: the Company Portal shows
//! "User License Type Invalid" when a licence lacks an Intune plan and "User Name Not
//! Recognized" when there is no licence at all; web enrollment fails in Settings.

use super::{event_fact, find_code, quote, Context, Finding, HintRank, TENANT};
use crate::bundle::{FailureCategory, TenantView, UserView};
use crate::catalog::{Cause, Section};
use crate::report::EvidenceItem;

pub(super) fn rules(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    if let Some(user) = ctx.user {
        tenant_licences(user, ctx.tenant, out);
    }
    if let Some(finding) = ctx.tenant.and_then(configuration_manager_authority) {
        out.push(finding);
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

/// A tenant whose MDM authority is Configuration Manager (hybrid MDM): Intune standalone does
/// not take the enrollment whatever the user's licence, and the Company Portal says "User
/// License Type Invalid"; setting the authority to Intune is the fix.
fn configuration_manager_authority(tenant: &TenantView) -> Option<Finding> {
    let authority = tenant.mdm_authority.as_deref()?;
    if !authority.eq_ignore_ascii_case("configurationManager") {
        return None;
    }
    Some(
        Finding::support(
            Cause::UserNotLicensed,
            0.6,
            vec![EvidenceItem::fact(
                TENANT,
                "the MDM authority is configurationManager: Intune licences do not cover enrollment until it is set to Intune",
            )],
        )
        .hint(Section::UserLicenseTypeInvalid, HintRank::Weak),
    )
}

/// What the tenant's subscriptions and group licences add to an unlicensed verdict: an Intune
/// plan the SKU has but the assignment turned off, a licence that comes through a group, a
/// group licence with Intune that the user is not in.
fn licensing_facts(user: &UserView, tenant: Option<&TenantView>) -> Vec<EvidenceItem> {
    let Some(tenant) = tenant else {
        return Vec::new();
    };
    let mut facts = Vec::new();
    for l in &user.assigned_licenses {
        let sku = tenant
            .subscribed_skus
            .iter()
            .find(|s| s.sku_part_number == l.sku_part_number);
        let off = sku.into_iter().flat_map(|s| &s.service_plans).find(|p| {
            is_intune_plan(&p.service_plan_name) && !l.service_plans.contains(&p.service_plan_name)
        });
        if let Some(p) = off {
            facts.push(EvidenceItem::fact(
                TENANT,
                format!(
                    "{} includes {}, turned off in the user's assignment (disabledPlans)",
                    l.sku_part_number, p.service_plan_name
                ),
            ));
        }
    }
    for g in &tenant.groups {
        let intune = g
            .assigned_licenses
            .iter()
            .find(|l| l.service_plans.iter().any(|p| is_intune_plan(p)));
        let member = user.member_of.contains(&g.id);
        if member && !g.assigned_licenses.is_empty() {
            let skus: Vec<&str> = g
                .assigned_licenses
                .iter()
                .map(|l| l.sku_part_number.as_str())
                .collect();
            facts.push(EvidenceItem::fact(
                TENANT,
                format!(
                    "group {} assigns the user {} (group-based licensing)",
                    g.display_name,
                    skus.join(", ")
                ),
            ));
        } else if let (false, Some(l)) = (member, intune) {
            facts.push(EvidenceItem::fact(
                TENANT,
                format!(
                    "group {} assigns {} with an Intune plan; the user is not a member",
                    g.display_name, l.sku_part_number
                ),
            ));
        }
    }
    facts
}

fn tenant_licences(user: &UserView, tenant: Option<&TenantView>, out: &mut Vec<Finding>) {
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
    let mut evidence = vec![EvidenceItem::fact(TENANT, fact)];
    evidence.extend(licensing_facts(user, tenant));
    out.push(
        Finding::support(Cause::UserNotLicensed, 0.85, evidence).hint(section, HintRank::Weak),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::LicenseView;

    #[test]
    fn a_configuration_manager_authority_points_at_the_licence_type() {
        let mut tenant = TenantView {
            mdm_authority: Some("configurationManager".into()),
            ..Default::default()
        };
        let finding = configuration_manager_authority(&tenant).expect("a finding");
        assert_eq!(finding.cause, Cause::UserNotLicensed);
        assert!(finding.weight > 0.0);
        tenant.mdm_authority = Some("intune".into());
        assert!(configuration_manager_authority(&tenant).is_none());
    }

    #[test]
    fn a_disabled_intune_plan_and_a_group_licence_are_named() {
        let user = UserView {
            id: "u".into(),
            assigned_licenses: vec![LicenseView {
                sku_part_number: "EMS".into(),
                service_plans: vec!["AAD_PREMIUM".into()],
            }],
            member_of: vec!["staff".into()],
            ..Default::default()
        };
        let tenant: TenantView = serde_json::from_value(serde_json::json!({
            "subscribedSkus": [{"skuPartNumber": "EMS", "servicePlans": [
                {"servicePlanName": "INTUNE_A"}, {"servicePlanName": "AAD_PREMIUM"}]}],
            "groups": [
                {"id": "staff", "displayName": "Staff", "assignedLicenses": [
                    {"skuPartNumber": "EMS", "servicePlans": ["AAD_PREMIUM"]}]},
                {"id": "it", "displayName": "IT", "assignedLicenses": [
                    {"skuPartNumber": "SPE_E3", "servicePlans": ["INTUNE_A"]}]}
            ]
        }))
        .unwrap();
        let facts: Vec<String> = licensing_facts(&user, Some(&tenant))
            .iter()
            .map(|f| format!("{f:?}"))
            .collect();
        assert_eq!(facts.len(), 3, "{facts:?}");
        assert!(facts[0].contains("INTUNE_A, turned off"), "{facts:?}");
        assert!(
            facts[1].contains("group Staff assigns the user EMS"),
            "{facts:?}"
        );
        assert!(facts[2].contains("the user is not a member"), "{facts:?}");
    }

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
