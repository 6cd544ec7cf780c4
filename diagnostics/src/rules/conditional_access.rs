//! Conditional Access: MFA demanded by a policy rather than by per-user MFA. The sign-in log
//! names the policy that failed and the control it enforced; without the log, the tenant's
//! policies say whether one covers the user on the Intune enrollment app. Either way the ADE
//! profile's authentication method decides whether MFA can be satisfied, as for per-user MFA.

use enrollsim_graph::{ConditionalAccessPolicy, UserView};

use super::{Context, Finding, SIGN_INS, TENANT};
use crate::catalog::Cause;
use crate::report::EvidenceItem;

/// The Microsoft Intune Enrollment application (the resource of an enrollment sign-in).
const INTUNE_ENROLLMENT_APP_ID: &str = "d4ebce55-015a-49b5-a083-c84d1797ae8c";
/// The value of a policy's user or application list that means everyone.
const ALL: &str = "All";

pub(super) fn rules(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let from_log = mfa_policy_failure(ctx, out);
    if !from_log {
        mfa_policy_in_tenant(ctx, out);
    }
}

/// A sign-in a Conditional Access policy refused for want of MFA; whether there was one.
fn mfa_policy_failure(ctx: &Context<'_>, out: &mut Vec<Finding>) -> bool {
    let found = ctx.sign_ins.iter().find_map(|(i, s)| {
        s.applied_conditional_access_policies
            .iter()
            .find(|p| {
                p.result == "failure"
                    && p.enforced_grant_controls
                        .iter()
                        .any(|c| c.eq_ignore_ascii_case("mfa"))
            })
            .map(|p| (i, p))
    });
    let Some((i, policy)) = found else {
        return false;
    };
    let fact = EvidenceItem::fact(
        SIGN_INS,
        format!(
            "sign-in {}: Conditional Access policy \"{}\" failed (conditionalAccessStatus = failure, enforced control Mfa)",
            i + 1,
            policy.display_name
        ),
    );
    out.push(with_method(ctx, fact, 0.6));
    true
}

/// An enabled policy requiring MFA on the enrollment app that covers the user.
fn mfa_policy_in_tenant(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let (Some(tenant), Some(user)) = (ctx.tenant, ctx.user) else {
        return;
    };
    let Some(policy) = tenant
        .conditional_access_policies
        .iter()
        .find(|p| requires_mfa(p) && covers(p, user))
    else {
        return;
    };
    let fact = EvidenceItem::fact(
        TENANT,
        format!(
            "Conditional Access policy \"{}\" requires MFA of this user on Microsoft Intune Enrollment",
            policy.display_name
        ),
    );
    out.push(with_method(ctx, fact, 0.35));
}

/// Support for MFA during ADE from `fact`, stronger when the device's profile authenticates
/// with legacy Setup Assistant sign-in (which cannot do MFA).
fn with_method(ctx: &Context<'_>, fact: EvidenceItem, weight: f64) -> Finding {
    let legacy = ctx.ade_profiles().iter().any(|(_, p, _)| {
        p.authentication_method
            .as_deref()
            .is_some_and(|m| m.eq_ignore_ascii_case("setupAssistantLegacy"))
    });
    if legacy {
        let method = EvidenceItem::fact(
            TENANT,
            "the device's enrollment profile authenticates with setupAssistantLegacy, which cannot do MFA",
        );
        Finding::support(Cause::MfaDuringAde, weight + 0.15, vec![fact, method])
    } else {
        Finding::support(Cause::MfaDuringAde, weight, vec![fact])
    }
}

fn requires_mfa(p: &ConditionalAccessPolicy) -> bool {
    p.state == "enabled"
        && p.grant_controls.as_ref().is_some_and(|g| {
            g.built_in_controls
                .iter()
                .any(|c| c.eq_ignore_ascii_case("mfa"))
        })
        && p.conditions
            .applications
            .include_applications
            .iter()
            .any(|a| a == ALL || a.eq_ignore_ascii_case(INTUNE_ENROLLMENT_APP_ID))
}

/// Whether the policy's users cover `user` (memberOf is transitive in the bundle).
fn covers(p: &ConditionalAccessPolicy, user: &UserView) -> bool {
    let users = &p.conditions.users;
    let in_group = |groups: &[String]| groups.iter().any(|g| user.member_of.contains(g));
    let included = users
        .include_users
        .iter()
        .any(|u| u == ALL || *u == user.id)
        || in_group(&users.include_groups);
    let excluded = users.exclude_users.contains(&user.id) || in_group(&users.exclude_groups);
    included && !excluded
}

#[cfg(test)]
mod tests {
    use super::*;
    use enrollsim_graph::{
        ConditionalAccessApplications, ConditionalAccessConditions, ConditionalAccessGrantControls,
        ConditionalAccessUsers,
    };

    fn policy(include_groups: &[&str], exclude_users: &[&str]) -> ConditionalAccessPolicy {
        ConditionalAccessPolicy {
            id: "p".into(),
            display_name: "Require MFA".into(),
            state: "enabled".into(),
            conditions: ConditionalAccessConditions {
                users: ConditionalAccessUsers {
                    include_groups: include_groups.iter().map(|g| g.to_string()).collect(),
                    exclude_users: exclude_users.iter().map(|u| u.to_string()).collect(),
                    ..Default::default()
                },
                applications: ConditionalAccessApplications {
                    include_applications: vec![INTUNE_ENROLLMENT_APP_ID.into()],
                },
            },
            grant_controls: Some(ConditionalAccessGrantControls {
                operator: "AND".into(),
                built_in_controls: vec!["mfa".into()],
            }),
        }
    }

    fn user(groups: &[&str]) -> UserView {
        UserView {
            id: "u1".into(),
            member_of: groups.iter().map(|g| g.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn a_group_policy_covers_its_members_unless_excluded() {
        assert!(requires_mfa(&policy(&["g"], &[])));
        assert!(covers(&policy(&["g"], &[]), &user(&["g"])));
        assert!(!covers(&policy(&["g"], &[]), &user(&["other"])));
        assert!(!covers(&policy(&["g"], &["u1"]), &user(&["g"])));
    }

    #[test]
    fn a_disabled_policy_requires_nothing() {
        let mut p = policy(&["g"], &[]);
        p.state = "disabled".into();
        assert!(!requires_mfa(&p));
    }
}
