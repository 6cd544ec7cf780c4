//! The admin's directory steps: group membership, group licences and service plans,
//! Conditional Access policies and the MDM authority, through the same Graph calls the Entra and Intune admin centers make
//! (`groups/{id}/members/$ref`, `identity/conditionalAccess/policies/{id}`,
//! `organization/{id}/setMobileDeviceManagementAuthority`).

use enrollsim_graph::requests::{AddLicense, AssignLicense, SetMdmAuthority};
use enrollsim_graph::{
    Collection, ConditionalAccessGrantControls, ConditionalAccessPolicy,
    ConditionalAccessPolicyPatch, Group, LicenseDetails, MemberReference, Organization, User,
};
use hyper::Method;

use super::admin::AdminApi;
use super::LabError;
use crate::scenario::{GrantSpec, MdmAuthority, PolicyStateSpec, ResolutionStep};

/// Graph's `builtInControls` name of a grant.
pub(crate) fn grant_name(grant: GrantSpec) -> &'static str {
    match grant {
        GrantSpec::Mfa => "mfa",
        GrantSpec::CompliantDevice => "compliantDevice",
        GrantSpec::Block => "block",
    }
}

/// Graph's `state` name of a policy state.
pub(crate) fn state_name(state: PolicyStateSpec) -> &'static str {
    match state {
        PolicyStateSpec::Enabled => "enabled",
        PolicyStateSpec::Disabled => "disabled",
        PolicyStateSpec::ReportOnly => "enabledForReportingButNotEnforced",
    }
}

impl AdminApi<'_> {
    /// The object id of the user signing in as `upn`, as `GET /users` lists it.
    async fn user_id(&self, upn: &str) -> Result<String, LabError> {
        let users: enrollsim_graph::Collection<User> = self.get("/v1.0/users").await?;
        users
            .value
            .into_iter()
            .find(|u| u.user_principal_name.eq_ignore_ascii_case(upn))
            .map(|u| u.id)
            .ok_or_else(|| LabError::Spec(format!("no user {upn} in the directory")))
    }

    /// The Conditional Access policy named `name`.
    async fn policy(&self, name: &str) -> Result<ConditionalAccessPolicy, LabError> {
        let policies: enrollsim_graph::Collection<ConditionalAccessPolicy> = self
            .get("/v1.0/identity/conditionalAccess/policies")
            .await?;
        policies
            .value
            .into_iter()
            .find(|p| p.display_name == name)
            .ok_or_else(|| LabError::Spec(format!("no Conditional Access policy {name:?}")))
    }

    async fn patch_policy(
        &self,
        id: &str,
        patch: &ConditionalAccessPolicyPatch,
    ) -> Result<(), LabError> {
        let path = format!("/v1.0/identity/conditionalAccess/policies/{id}");
        self.send(Method::PATCH, &path, Some(patch)).await
    }

    /// Adds `upn` to group `group`.
    pub async fn add_to_group(&self, upn: &str, group: &str) -> Result<(), LabError> {
        let id = self.user_id(upn).await?;
        let reference = MemberReference {
            odata_id: format!("https://graph.microsoft.com/v1.0/directoryObjects/{id}"),
        };
        let path = format!("/v1.0/groups/{group}/members/$ref");
        self.send(Method::POST, &path, Some(&reference)).await
    }

    /// Removes `upn` from group `group`.
    pub async fn remove_from_group(&self, upn: &str, group: &str) -> Result<(), LabError> {
        let id = self.user_id(upn).await?;
        let path = format!("/v1.0/groups/{group}/members/{id}/$ref");
        self.send(Method::DELETE, &path, None::<&()>).await
    }

    /// Excludes a user and/or a group from the policy named `name`.
    pub async fn exclude_from_policy(
        &self,
        name: &str,
        upn: Option<&str>,
        group: Option<&str>,
    ) -> Result<(), LabError> {
        let policy = self.policy(name).await?;
        let mut conditions = policy.conditions;
        if let Some(upn) = upn {
            conditions
                .users
                .exclude_users
                .push(self.user_id(upn).await?);
        }
        if let Some(group) = group {
            conditions.users.exclude_groups.push(group.to_string());
        }
        let patch = ConditionalAccessPolicyPatch {
            conditions: Some(conditions),
            ..Default::default()
        };
        self.patch_policy(&policy.id, &patch).await
    }

    /// Replaces what the policy named `name` requires.
    pub async fn set_policy_grant(&self, name: &str, grant: &[GrantSpec]) -> Result<(), LabError> {
        let policy = self.policy(name).await?;
        let patch = ConditionalAccessPolicyPatch {
            grant_controls: Some(ConditionalAccessGrantControls {
                operator: "AND".into(),
                built_in_controls: grant.iter().map(|g| grant_name(*g).into()).collect(),
            }),
            ..Default::default()
        };
        self.patch_policy(&policy.id, &patch).await
    }

    /// Turns the policy named `name` on, off or to report-only.
    pub async fn set_policy_state(
        &self,
        name: &str,
        state: PolicyStateSpec,
    ) -> Result<(), LabError> {
        let policy = self.policy(name).await?;
        let patch = ConditionalAccessPolicyPatch {
            state: Some(state_name(state).into()),
            ..Default::default()
        };
        self.patch_policy(&policy.id, &patch).await
    }

    /// Sets the tenant's MDM authority to Intune.
    pub async fn set_mdm_authority(&self) -> Result<(), LabError> {
        let organization: enrollsim_graph::Collection<Organization> =
            self.get("/v1.0/organization").await?;
        let id = organization
            .value
            .first()
            .map(|o| o.id.clone())
            .unwrap_or_default();
        let path = format!("/v1.0/organization/{id}/setMobileDeviceManagementAuthority");
        self.call(Method::POST, &path, None).await.map(drop)
    }

    /// Sets the tenant's MDM authority to `authority` (the lab's extension of Graph's action,
    /// which only ever sets Intune: a history may replay an authority set elsewhere).
    pub async fn set_mdm_authority_to(&self, authority: MdmAuthority) -> Result<(), LabError> {
        let organization: Collection<Organization> = self.get("/v1.0/organization").await?;
        let id = organization
            .value
            .first()
            .map(|o| o.id.clone())
            .unwrap_or_default();
        let path = format!("/v1.0/organization/{id}/setMobileDeviceManagementAuthority");
        let change = SetMdmAuthority {
            mobile_device_management_authority: Some(authority.graph_name().into()),
        };
        self.send(Method::POST, &path, Some(&change)).await
    }

    /// Removes the licence `sku` assigned to `upn` directly (a licence inherited from a group
    /// stays: the admin center refuses to remove it from the user).
    pub async fn remove_license(&self, upn: &str, sku: &str) -> Result<(), LabError> {
        let change = AssignLicense {
            add_licenses: Some(Vec::new()),
            remove_licenses: Some(vec![sku.to_string()]),
        };
        let path = format!("/v1.0/users/{upn}/assignLicense");
        self.send(Method::POST, &path, Some(&change)).await
    }

    /// Removes the licence `sku` from group `group` (group-based licensing).
    pub async fn remove_group_license(&self, group: &str, sku: &str) -> Result<(), LabError> {
        let change = AssignLicense {
            add_licenses: Some(Vec::new()),
            remove_licenses: Some(vec![sku.to_string()]),
        };
        let path = format!("/v1.0/groups/{group}/assignLicense");
        self.send(Method::POST, &path, Some(&change)).await
    }

    /// Deletes the user `upn` from the directory.
    pub async fn delete_user(&self, upn: &str) -> Result<(), LabError> {
        let id = self.user_id(upn).await?;
        self.send(Method::DELETE, &format!("/v1.0/users/{id}"), None::<&()>)
            .await
    }

    /// Assigns `sku` to group `group`, with `plans` enabled (the SKU's plans when `None`).
    pub async fn assign_group_license(
        &self,
        group: &str,
        sku: &str,
        plans: Option<Vec<String>>,
    ) -> Result<(), LabError> {
        let change = AssignLicense {
            add_licenses: Some(vec![AddLicense {
                sku_id: Some(sku.to_string()),
                service_plans: plans,
                disabled_plans: None,
            }]),
            remove_licenses: Some(Vec::new()),
        };
        let path = format!("/v1.0/groups/{group}/assignLicense");
        self.send(Method::POST, &path, Some(&change)).await
    }

    /// Turns `plan` on in the licence `sku` of `upn` (their own assignment) or of `group`,
    /// keeping the plans already on, as the admin center's licence page does.
    pub async fn enable_service_plan(
        &self,
        upn: Option<&str>,
        group: Option<&str>,
        sku: &str,
        plan: &str,
    ) -> Result<(), LabError> {
        let with_plan = |mut plans: Vec<String>| {
            if !plans.iter().any(|p| p == plan) {
                plans.push(plan.to_string());
            }
            plans
        };
        if let Some(group) = group {
            let groups: Collection<Group> = self.get("/v1.0/groups").await?;
            let plans = groups
                .value
                .into_iter()
                .find(|g| g.id == group)
                .and_then(|g| {
                    g.assigned_licenses
                        .into_iter()
                        .find(|l| l.sku_part_number == sku)
                })
                .map(|l| l.service_plans)
                .unwrap_or_default();
            return self
                .assign_group_license(group, sku, Some(with_plan(plans)))
                .await;
        }
        let Some(upn) = upn else {
            return Err(LabError::Spec(
                "enable-service-plan names neither a user nor a group".into(),
            ));
        };
        let details: Collection<LicenseDetails> = self
            .get(&format!("/v1.0/users/{upn}/licenseDetails"))
            .await?;
        let plans = details
            .value
            .into_iter()
            .find(|l| l.sku_part_number == sku)
            .map(|l| {
                l.service_plans
                    .into_iter()
                    .filter(|p| p.provisioning_status == "Success")
                    .map(|p| p.service_plan_name)
                    .collect()
            })
            .unwrap_or_default();
        let change = AssignLicense {
            add_licenses: Some(vec![AddLicense {
                sku_id: Some(sku.to_string()),
                service_plans: Some(with_plan(plans)),
                disabled_plans: None,
            }]),
            remove_licenses: Some(Vec::new()),
        };
        let path = format!("/v1.0/users/{upn}/assignLicense");
        self.send(Method::POST, &path, Some(&change)).await
    }

    /// Carries out a directory step; `None` for a step that is not one.
    pub async fn apply_directory_step(
        &self,
        step: &ResolutionStep,
    ) -> Option<Result<(), LabError>> {
        Some(match step {
            ResolutionStep::AddToGroup { user, group } => self.add_to_group(user, group).await,
            ResolutionStep::RemoveFromGroup { user, group } => {
                self.remove_from_group(user, group).await
            }
            ResolutionStep::ExcludeFromPolicy {
                policy,
                user,
                group,
            } => {
                self.exclude_from_policy(policy, user.as_deref(), group.as_deref())
                    .await
            }
            ResolutionStep::SetPolicyGrant { policy, grant } => {
                self.set_policy_grant(policy, grant).await
            }
            ResolutionStep::SetPolicyState { policy, state } => {
                self.set_policy_state(policy, *state).await
            }
            ResolutionStep::SetMdmAuthority => self.set_mdm_authority().await,
            ResolutionStep::AssignGroupLicense { group, sku } => {
                self.assign_group_license(group, sku, None).await
            }
            ResolutionStep::EnableServicePlan {
                user,
                group,
                sku,
                plan,
            } => {
                self.enable_service_plan(user.as_deref(), group.as_deref(), sku, plan)
                    .await
            }
            _ => return None,
        })
    }
}
