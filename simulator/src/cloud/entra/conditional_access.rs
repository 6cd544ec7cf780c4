//! Entra groups (static membership, nested) and Conditional Access policies, evaluated at
//! sign-in the way Entra does: every enabled policy whose users and cloud apps match applies,
//! and an unmet grant control of any of them refuses the token with its own AADSTS code.
//!
//! A policy includes users and groups (or `All`), excludes users and groups (an exclusion always
//! wins), targets cloud apps by application id (or `All`) and requires grant controls (all of
//! them: the simulator models the `AND` operator, the one the admin center proposes for
//! "Require all the selected controls"). What was evaluated is kept for the sign-in log's
//! `conditionalAccessStatus` and `appliedConditionalAccessPolicies`.

use std::collections::BTreeSet;

/// The value of a policy's user or application list that matches everyone.
pub const ALL: &str = "All";

/// The application id of "Microsoft Intune" (the MDM service itself), which Conditional Access
/// policies may target beside "Microsoft Intune Enrollment".
pub const INTUNE_APP_ID: &str = "0000000a-0000-0000-c000-000000000000";

/// An Entra security group with static (assigned) membership.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Group {
    /// Object id.
    pub id: String,
    /// Display name.
    pub display_name: String,
    /// Members: user object ids and group object ids (a nested group's members are members).
    pub members: Vec<String>,
    /// Licences assigned to the group (group-based licensing): every member, transitively,
    /// holds them.
    pub licenses: Vec<super::License>,
}

/// Whether a policy is enforced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PolicyState {
    /// On.
    #[default]
    Enabled,
    /// Off.
    Disabled,
    /// Evaluated and logged, never enforced ("Report-only").
    ReportOnly,
}

impl PolicyState {
    /// Graph's `state` value.
    pub fn graph_name(self) -> &'static str {
        match self {
            PolicyState::Enabled => "enabled",
            PolicyState::Disabled => "disabled",
            PolicyState::ReportOnly => "enabledForReportingButNotEnforced",
        }
    }

    /// The state for Graph's `state` value.
    pub fn from_graph(name: &str) -> Option<Self> {
        match name {
            "enabled" => Some(PolicyState::Enabled),
            "disabled" => Some(PolicyState::Disabled),
            "enabledForReportingButNotEnforced" => Some(PolicyState::ReportOnly),
            _ => None,
        }
    }
}

/// A built-in grant control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GrantControl {
    /// Block access.
    Block,
    /// Require multifactor authentication.
    Mfa,
    /// Require the device to be marked as compliant.
    CompliantDevice,
}

impl GrantControl {
    /// Graph's `builtInControls` value.
    pub fn graph_name(self) -> &'static str {
        match self {
            GrantControl::Block => "block",
            GrantControl::Mfa => "mfa",
            GrantControl::CompliantDevice => "compliantDevice",
        }
    }

    /// The control for Graph's `builtInControls` value.
    pub fn from_graph(name: &str) -> Option<Self> {
        match name {
            "block" => Some(GrantControl::Block),
            "mfa" => Some(GrantControl::Mfa),
            "compliantDevice" => Some(GrantControl::CompliantDevice),
            _ => None,
        }
    }

    /// How the sign-in log names the control in `enforcedGrantControls`.
    pub fn sign_in_log_name(self) -> &'static str {
        match self {
            GrantControl::Block => "Block",
            GrantControl::Mfa => "Mfa",
            GrantControl::CompliantDevice => "RequireCompliantDevice",
        }
    }
}

/// A Conditional Access policy.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConditionalAccessPolicy {
    /// Object id.
    pub id: String,
    /// Display name.
    pub display_name: String,
    /// Whether it is enforced.
    pub state: PolicyState,
    /// Users it applies to (object ids, or `All`).
    pub include_users: Vec<String>,
    /// Users it never applies to.
    pub exclude_users: Vec<String>,
    /// Groups it applies to (members, transitively).
    pub include_groups: Vec<String>,
    /// Groups whose members it never applies to.
    pub exclude_groups: Vec<String>,
    /// Cloud apps it applies to (application ids, or `All`).
    pub include_applications: Vec<String>,
    /// Every control a sign-in must satisfy.
    pub grant_controls: Vec<GrantControl>,
}

/// What the signing-in client has proved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SignInContext {
    /// The user approved an MFA prompt.
    pub mfa_satisfied: bool,
    /// The device is marked compliant (never, before it is enrolled).
    pub device_compliant: bool,
}

/// The result of one policy for one sign-in, as `appliedConditionalAccessPolicy.result` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyResult {
    /// Applied and satisfied.
    Success,
    /// Applied and not satisfied.
    Failure,
    /// The user or the app is outside the policy.
    NotApplied,
    /// The policy is off.
    NotEnabled,
    /// Report-only, would have been satisfied.
    ReportOnlySuccess,
    /// Report-only, would have refused.
    ReportOnlyFailure,
}

impl PolicyResult {
    /// Graph's `result` value.
    pub fn graph_name(self) -> &'static str {
        match self {
            PolicyResult::Success => "success",
            PolicyResult::Failure => "failure",
            PolicyResult::NotApplied => "notApplied",
            PolicyResult::NotEnabled => "notEnabled",
            PolicyResult::ReportOnlySuccess => "reportOnlySuccess",
            PolicyResult::ReportOnlyFailure => "reportOnlyFailure",
        }
    }
}

/// One policy's outcome in a sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedPolicy {
    /// The policy's id.
    pub id: String,
    /// Its display name.
    pub display_name: String,
    /// The outcome.
    pub result: PolicyResult,
    /// The controls it enforced (empty when it did not apply).
    pub enforced_grant_controls: Vec<GrantControl>,
}

/// Every policy's outcome in a sign-in, and the first unmet control of an enforced policy.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Evaluation {
    /// One entry per policy, in the tenant's order.
    pub applied: Vec<AppliedPolicy>,
    /// The unmet control that refuses the sign-in (block before device state before MFA, the
    /// order in which Entra reports them).
    pub unmet: Option<GrantControl>,
}

impl Evaluation {
    /// The sign-in's `conditionalAccessStatus`: `failure` when an enforced policy refused,
    /// `success` when one applied and was satisfied, `notApplied` otherwise.
    pub fn status(&self) -> &'static str {
        if self.unmet.is_some() {
            "failure"
        } else if self
            .applied
            .iter()
            .any(|p| p.result == PolicyResult::Success)
        {
            "success"
        } else {
            "notApplied"
        }
    }
}

/// The groups `user_id` belongs to, directly (`direct`, the ids on the user, and the groups that
/// list the user) or through nested groups.
pub fn transitive_groups(groups: &[Group], user_id: &str, direct: &[String]) -> BTreeSet<String> {
    let mut found: BTreeSet<String> = direct.iter().cloned().collect();
    found.extend(
        groups
            .iter()
            .filter(|g| g.members.iter().any(|m| m == user_id))
            .map(|g| g.id.clone()),
    );
    loop {
        let outer: Vec<String> = groups
            .iter()
            .filter(|g| !found.contains(&g.id) && g.members.iter().any(|m| found.contains(m)))
            .map(|g| g.id.clone())
            .collect();
        if outer.is_empty() {
            return found;
        }
        found.extend(outer);
    }
}

fn lists(values: &[String], wanted: &str) -> bool {
    values.iter().any(|v| v == ALL || v == wanted)
}

impl ConditionalAccessPolicy {
    /// Whether the policy's conditions cover this user (in `member_of`) signing in to `app_id`.
    pub fn covers(&self, user_id: &str, member_of: &BTreeSet<String>, app_id: &str) -> bool {
        let included = lists(&self.include_users, user_id)
            || self.include_groups.iter().any(|g| member_of.contains(g));
        let excluded = self.exclude_users.iter().any(|u| u == user_id)
            || self.exclude_groups.iter().any(|g| member_of.contains(g));
        included && !excluded && lists(&self.include_applications, app_id)
    }

    /// The first control the sign-in does not meet.
    fn unmet(&self, context: SignInContext) -> Option<GrantControl> {
        let mut controls = self.grant_controls.clone();
        controls.sort();
        controls.into_iter().find(|c| match c {
            GrantControl::Block => true,
            GrantControl::Mfa => !context.mfa_satisfied,
            GrantControl::CompliantDevice => !context.device_compliant,
        })
    }
}

/// Evaluates every policy for `user_id` (member of `member_of`) signing in to `app_id`.
pub fn evaluate(
    policies: &[ConditionalAccessPolicy],
    user_id: &str,
    member_of: &BTreeSet<String>,
    app_id: &str,
    context: SignInContext,
) -> Evaluation {
    let mut evaluation = Evaluation::default();
    for policy in policies {
        let covers = policy.covers(user_id, member_of, app_id);
        let unmet = policy.unmet(context);
        let result = match (policy.state, covers, unmet) {
            (PolicyState::Disabled, _, _) => PolicyResult::NotEnabled,
            (_, false, _) => PolicyResult::NotApplied,
            (PolicyState::ReportOnly, true, None) => PolicyResult::ReportOnlySuccess,
            (PolicyState::ReportOnly, true, Some(_)) => PolicyResult::ReportOnlyFailure,
            (PolicyState::Enabled, true, None) => PolicyResult::Success,
            (PolicyState::Enabled, true, Some(control)) => {
                evaluation.unmet = Some(evaluation.unmet.map_or(control, |u| u.min(control)));
                PolicyResult::Failure
            }
        };
        let enforced = if matches!(result, PolicyResult::Success | PolicyResult::Failure) {
            policy.grant_controls.clone()
        } else {
            Vec::new()
        };
        evaluation.applied.push(AppliedPolicy {
            id: policy.id.clone(),
            display_name: policy.display_name.clone(),
            result,
            enforced_grant_controls: enforced,
        });
    }
    evaluation
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(id: &str, members: &[&str]) -> Group {
        Group {
            id: id.into(),
            display_name: id.into(),
            members: members.iter().map(|m| m.to_string()).collect(),
            licenses: Vec::new(),
        }
    }

    fn mfa_on(group: &str) -> ConditionalAccessPolicy {
        ConditionalAccessPolicy {
            id: "p1".into(),
            display_name: "Require MFA for Sales".into(),
            include_groups: vec![group.into()],
            include_applications: vec![crate::cloud::entra::INTUNE_ENROLLMENT_APP_ID.into()],
            grant_controls: vec![GrantControl::Mfa],
            ..Default::default()
        }
    }

    #[test]
    fn nested_membership_is_transitive() {
        let groups = [
            group("all-staff", &["sales"]),
            group("sales", &["emea-sales"]),
            group("emea-sales", &["u1"]),
            group("it", &["u2"]),
        ];
        let found = transitive_groups(&groups, "u1", &[]);
        assert_eq!(
            found.into_iter().collect::<Vec<_>>(),
            ["all-staff", "emea-sales", "sales"]
        );
    }

    #[test]
    fn membership_cycles_end() {
        let groups = [group("a", &["b", "u"]), group("b", &["a"])];
        assert_eq!(transitive_groups(&groups, "u", &[]).len(), 2);
    }

    #[test]
    fn mfa_policy_on_a_group_refuses_without_mfa_and_passes_with_it() {
        let policies = [mfa_on("sales")];
        let member_of = BTreeSet::from(["sales".to_string()]);
        let app = crate::cloud::entra::INTUNE_ENROLLMENT_APP_ID;
        let refused = evaluate(&policies, "u1", &member_of, app, SignInContext::default());
        assert_eq!(refused.unmet, Some(GrantControl::Mfa));
        assert_eq!(refused.status(), "failure");
        let passed = evaluate(
            &policies,
            "u1",
            &member_of,
            app,
            SignInContext {
                mfa_satisfied: true,
                device_compliant: false,
            },
        );
        assert_eq!(passed.unmet, None);
        assert_eq!(passed.status(), "success");
        assert_eq!(
            passed.applied[0].enforced_grant_controls,
            [GrantControl::Mfa]
        );
    }

    #[test]
    fn exclusion_wins_and_other_apps_are_not_covered() {
        let mut policy = mfa_on("sales");
        let member_of = BTreeSet::from(["sales".to_string()]);
        let app = crate::cloud::entra::INTUNE_ENROLLMENT_APP_ID;
        assert!(policy.covers("u1", &member_of, app));
        assert!(!policy.covers("u1", &member_of, INTUNE_APP_ID));
        policy.exclude_users.push("u1".into());
        let evaluation = evaluate(&[policy], "u1", &member_of, app, SignInContext::default());
        assert_eq!(evaluation.applied[0].result, PolicyResult::NotApplied);
        assert_eq!(evaluation.status(), "notApplied");
    }

    #[test]
    fn block_is_reported_before_mfa_and_disabled_or_report_only_never_refuse() {
        let app = crate::cloud::entra::INTUNE_ENROLLMENT_APP_ID;
        let all = |id: &str, control, state| ConditionalAccessPolicy {
            id: id.into(),
            state,
            include_users: vec![ALL.into()],
            include_applications: vec![ALL.into()],
            grant_controls: vec![control],
            ..Default::default()
        };
        let policies = [
            all("mfa", GrantControl::Mfa, PolicyState::Enabled),
            all("block", GrantControl::Block, PolicyState::Enabled),
        ];
        let e = evaluate(
            &policies,
            "u",
            &BTreeSet::new(),
            app,
            SignInContext::default(),
        );
        assert_eq!(e.unmet, Some(GrantControl::Block));
        let quiet = [
            all("off", GrantControl::Block, PolicyState::Disabled),
            all(
                "audit",
                GrantControl::CompliantDevice,
                PolicyState::ReportOnly,
            ),
        ];
        let e = evaluate(&quiet, "u", &BTreeSet::new(), app, SignInContext::default());
        assert_eq!(e.unmet, None);
        assert_eq!(e.applied[0].result, PolicyResult::NotEnabled);
        assert_eq!(e.applied[1].result, PolicyResult::ReportOnlyFailure);
    }
}
