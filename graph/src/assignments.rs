//! Graph's assignment and membership shapes: `enrollmentConfigurationAssignment` (who a
//! restriction applies to) and the `directoryObject` references `users/{id}/memberOf` lists.
//! An admin's collection script reads them to know which restriction applies to a user.

use serde::{Deserialize, Serialize};

/// `@odata.type` of an assignment to one group.
pub const GROUP_TARGET_TYPE: &str = "#microsoft.graph.groupAssignmentTarget";
/// `@odata.type` of an assignment that excludes one group.
pub const EXCLUSION_GROUP_TARGET_TYPE: &str = "#microsoft.graph.exclusionGroupAssignmentTarget";
/// `@odata.type` of the Default restrictions' assignment to every licensed user.
pub const ALL_LICENSED_USERS_TARGET_TYPE: &str =
    "#microsoft.graph.allLicensedUsersAssignmentTarget";

/// Graph `enrollmentConfigurationAssignment`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnrollmentConfigurationAssignment {
    /// Assignment id.
    #[serde(default)]
    pub id: String,
    /// Whom it targets.
    #[serde(default)]
    pub target: AssignmentTarget,
}

/// Graph `deviceAndAppManagementAssignmentTarget` (group or all licensed users).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentTarget {
    /// [`GROUP_TARGET_TYPE`], [`EXCLUSION_GROUP_TARGET_TYPE`] or
    /// [`ALL_LICENSED_USERS_TARGET_TYPE`].
    #[serde(rename = "@odata.type", default)]
    pub odata_type: String,
    /// The group, for a group target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
}

/// Graph `directoryObject` as `memberOf` lists it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryObject {
    /// `#microsoft.graph.group`.
    #[serde(rename = "@odata.type", default)]
    pub odata_type: String,
    /// Object id.
    #[serde(default)]
    pub id: String,
}
