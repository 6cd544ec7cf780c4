//! Graph `user` (with enrollsim's extensions) and `licenseDetails`, as the admin API serves
//! them.

use serde::{Deserialize, Serialize};

use crate::licence::LicenseView;

/// A user as the admin API lists it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// Object id.
    #[serde(default)]
    pub id: String,
    /// The sign-in name.
    #[serde(default)]
    pub user_principal_name: String,
    /// Display name.
    #[serde(default)]
    pub display_name: String,
    /// Whether the account can sign in.
    #[serde(default)]
    pub account_enabled: bool,
    /// Licences with their enabled service plans.
    #[serde(default)]
    pub assigned_licenses: Vec<LicenseView>,
    /// Ids of the groups the user is in.
    #[serde(default)]
    pub member_of: Vec<String>,
    /// The user must pass MFA to sign in (enrollsim extension).
    #[serde(default)]
    pub strong_authentication_required: bool,
    /// `public` or `government` (enrollsim extension).
    #[serde(default)]
    pub home_cloud: String,
}

/// Graph `organization` (the fields used): the tenant and its MDM authority.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    /// The tenant id.
    #[serde(default)]
    pub id: String,
    /// `intune`, `office365`, `unknown`...
    #[serde(default)]
    pub mobile_device_management_authority: String,
}

/// Graph `licenseDetails`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LicenseDetails {
    /// The SKU part number.
    #[serde(default)]
    pub sku_part_number: String,
    /// The licence's service plans.
    #[serde(default)]
    pub service_plans: Vec<ServicePlanInfo>,
}

/// Graph `servicePlanInfo`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePlanInfo {
    /// The plan (`INTUNE_A`...).
    #[serde(default)]
    pub service_plan_name: String,
    /// `Success` when the plan is provisioned.
    #[serde(default)]
    pub provisioning_status: String,
}

/// Graph `subscribedSku`: a subscription with its seats.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscribedSku {
    /// The SKU's id.
    #[serde(default)]
    pub sku_id: String,
    /// The part number (`EMS`...).
    #[serde(default)]
    pub sku_part_number: String,
    /// Seats bought.
    #[serde(default)]
    pub prepaid_units: PrepaidUnits,
    /// Seats assigned (directly or through groups).
    #[serde(default)]
    pub consumed_units: u32,
    /// The SKU's service plans.
    #[serde(default)]
    pub service_plans: Vec<ServicePlanInfo>,
}

/// Graph `licenseUnitsDetail` (the field used).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrepaidUnits {
    /// Active seats.
    #[serde(default)]
    pub enabled: u32,
}
