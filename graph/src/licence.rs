//! One assigned licence with its enabled plans: shared by users, groups and the tenant view,
//! so it lives in a leaf module that none of them has to import the others for.

use serde::{Deserialize, Serialize};

/// One assigned licence.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LicenseView {
    /// The SKU, e.g. `EMS` or `SPE_E3`.
    #[serde(default)]
    pub sku_part_number: String,
    /// The enabled service plans of this licence, e.g. `INTUNE_A`.
    #[serde(default)]
    pub service_plans: Vec<String>,
}
