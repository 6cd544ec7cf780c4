//! Graph `group` and `conditionalAccessPolicy` (`identity/conditionalAccess/policies`): the
//! directory's groups and the policies Entra evaluates at sign-in, as the admin API serves
//! them and the bundle's tenant view keeps them.

use serde::{Deserialize, Serialize};

/// Graph `group` (the fields used), with its direct members' ids as the bundle keeps them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    /// Object id.
    #[serde(default)]
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub display_name: String,
    /// `true` for a security group.
    #[serde(default)]
    pub security_enabled: bool,
    /// Direct members (user and group ids); filled from `groups/{id}/members` in the bundle,
    /// absent from the admin API's `groups` list as in Graph.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
    /// Licences assigned to the group (group-based licensing), with their enabled plans.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assigned_licenses: Vec<crate::licence::LicenseView>,
}

/// The body of `POST groups/{id}/members/$ref`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberReference {
    /// `https://graph.microsoft.com/v1.0/directoryObjects/{id}`.
    #[serde(rename = "@odata.id")]
    pub odata_id: String,
}

/// Graph `conditionalAccessPolicy` (the fields used).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionalAccessPolicy {
    /// Object id.
    #[serde(default)]
    pub id: String,
    /// Name.
    #[serde(default)]
    pub display_name: String,
    /// `enabled`, `disabled` or `enabledForReportingButNotEnforced`.
    #[serde(default)]
    pub state: String,
    /// Who and what it applies to.
    #[serde(default)]
    pub conditions: ConditionalAccessConditions,
    /// What it requires.
    #[serde(default)]
    pub grant_controls: Option<ConditionalAccessGrantControls>,
}

/// The body of `PATCH identity/conditionalAccess/policies/{id}`: any part may be left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionalAccessPolicyPatch {
    /// A new state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// New conditions (replacing the old ones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<ConditionalAccessConditions>,
    /// New grant controls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_controls: Option<ConditionalAccessGrantControls>,
}

/// Graph `conditionalAccessConditionSet` (users and applications).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionalAccessConditions {
    /// Users and groups.
    #[serde(default)]
    pub users: ConditionalAccessUsers,
    /// Cloud apps.
    #[serde(default)]
    pub applications: ConditionalAccessApplications,
}

/// Graph `conditionalAccessUsers`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionalAccessUsers {
    /// User ids, or `All`.
    #[serde(default)]
    pub include_users: Vec<String>,
    /// User ids never covered.
    #[serde(default)]
    pub exclude_users: Vec<String>,
    /// Group ids whose members are covered.
    #[serde(default)]
    pub include_groups: Vec<String>,
    /// Group ids whose members are never covered.
    #[serde(default)]
    pub exclude_groups: Vec<String>,
}

/// Graph `conditionalAccessApplications`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionalAccessApplications {
    /// Application ids, or `All`.
    #[serde(default)]
    pub include_applications: Vec<String>,
}

/// Graph `conditionalAccessGrantControls`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionalAccessGrantControls {
    /// `AND` or `OR`.
    #[serde(default)]
    pub operator: String,
    /// `block`, `mfa`, `compliantDevice`...
    #[serde(default)]
    pub built_in_controls: Vec<String>,
}
