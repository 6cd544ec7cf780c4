//! The directory part of a tenant spec: Entra groups with static (possibly nested) membership
//! and Conditional Access policies. Kept apart from `model.rs` because it is the one part of the
//! spec that names users and groups by reference, which `load.rs` checks.

use serde::{Deserialize, Serialize};

/// An Entra security group with assigned membership.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupSpec {
    /// The id restrictions, policies and users name it by.
    pub id: String,
    /// Display name (the id when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Members: UPNs of users and ids of other groups (nested groups).
    #[serde(default)]
    pub members: Vec<String>,
    /// Licences assigned to the group (group-based licensing).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<GroupLicenseSpec>,
}

/// A licence assigned to a group: a SKU, or a SKU with plans turned off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum GroupLicenseSpec {
    /// Every plan of the SKU (`"EMS"`).
    Sku(String),
    /// Some plans turned off (`{ sku = "EMS", disabled_plans = ["INTUNE_A"] }`).
    WithDisabledPlans {
        /// SKU part number.
        sku: String,
        /// Plans turned off for this assignment.
        disabled_plans: Vec<String>,
    },
}

impl GroupLicenseSpec {
    /// The SKU part number.
    pub fn sku(&self) -> &str {
        match self {
            GroupLicenseSpec::Sku(sku) | GroupLicenseSpec::WithDisabledPlans { sku, .. } => sku,
        }
    }

    /// The plans turned off.
    pub fn disabled_plans(&self) -> &[String] {
        match self {
            GroupLicenseSpec::Sku(_) => &[],
            GroupLicenseSpec::WithDisabledPlans { disabled_plans, .. } => disabled_plans,
        }
    }
}

/// A subscription the tenant bought: its seats and (optionally) its plans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkuSpec {
    /// SKU part number.
    pub sku: String,
    /// Seats bought.
    pub seats: u32,
    /// The SKU's service plans (the lab's defaults for the part number when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_plans: Option<Vec<String>>,
}

/// Whether a Conditional Access policy is enforced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PolicyStateSpec {
    /// On.
    #[default]
    Enabled,
    /// Off.
    Disabled,
    /// Logged, never enforced.
    ReportOnly,
}

/// A cloud app a policy targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CloudAppSpec {
    /// Microsoft Intune Enrollment (`d4ebce55-015a-49b5-a083-c84d1797ae8c`).
    IntuneEnrollment,
    /// Microsoft Intune (`0000000a-0000-0000-c000-000000000000`).
    Intune,
    /// All cloud apps.
    All,
}

/// A built-in grant control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GrantSpec {
    /// Require multifactor authentication.
    Mfa,
    /// Require the device to be marked as compliant.
    CompliantDevice,
    /// Block access.
    Block,
}

/// The value of `include_users` that covers every user.
pub const ALL_USERS: &str = "All";

/// A Conditional Access policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionalAccessSpec {
    /// Display name (resolution steps name the policy by it).
    pub name: String,
    /// Enforced, off or report-only.
    #[serde(default)]
    pub state: PolicyStateSpec,
    /// UPNs, or `"All"`.
    #[serde(default)]
    pub include_users: Vec<String>,
    /// UPNs never covered.
    #[serde(default)]
    pub exclude_users: Vec<String>,
    /// Groups whose members (transitively) are covered.
    #[serde(default)]
    pub include_groups: Vec<String>,
    /// Groups whose members are never covered.
    #[serde(default)]
    pub exclude_groups: Vec<String>,
    /// Targeted cloud apps (Microsoft Intune Enrollment when absent).
    #[serde(default = "default_apps")]
    pub apps: Vec<CloudAppSpec>,
    /// Every control a sign-in must satisfy.
    pub grant: Vec<GrantSpec>,
}

fn default_apps() -> Vec<CloudAppSpec> {
    vec![CloudAppSpec::IntuneEnrollment]
}

impl ConditionalAccessSpec {
    /// A policy named `name` requiring `grant` of every user of the enrollment app; narrow it
    /// with the fields.
    pub fn new(name: &str, grant: &[GrantSpec]) -> Self {
        ConditionalAccessSpec {
            name: name.into(),
            state: PolicyStateSpec::Enabled,
            include_users: Vec::new(),
            exclude_users: Vec::new(),
            include_groups: Vec::new(),
            exclude_groups: Vec::new(),
            apps: default_apps(),
            grant: grant.to_vec(),
        }
    }
}
