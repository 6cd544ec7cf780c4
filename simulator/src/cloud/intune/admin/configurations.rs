//! `deviceManagement/deviceEnrollmentConfigurations`: the device type (platform) and device
//! limit restrictions.

use enrollsim_graph::requests::EnrollmentConfigurationPatch;
use enrollsim_graph::{
    AssignmentTarget, EnrollmentConfigurationAssignment, ALL_LICENSED_USERS_TARGET_TYPE,
    EXCLUSION_GROUP_TARGET_TYPE, GROUP_TARGET_TYPE,
};
use hyper::{Method, StatusCode};
use serde_json::Value;

use super::{bad_request, body, not_found, ok_value, shapes, Answer};
use crate::cloud::intune::state::{IosRestriction, DEVICE_LIMIT_RANGE};
use crate::cloud::intune::IntuneService;
use crate::net::{Request, Response};

/// Routes `deviceManagement/deviceEnrollmentConfigurations/...` (`rest` is what follows).
pub(super) fn route(service: &IntuneService, request: &Request, rest: &[&str]) -> Option<Answer> {
    Some(match (&request.method, rest) {
        (&Method::GET, []) => list_configurations(service),
        (&Method::GET, [id, "assignments"]) => assignments(service, id),
        (&Method::PATCH, [id]) => patch_configuration(service, request, id),
        _ => return None,
    })
}

fn list_configurations(service: &IntuneService) -> Answer {
    let state = service.lock();
    let platform = state
        .platform_restrictions
        .iter()
        .map(|r| shapes::platform_configuration(r, r.groups.clone()));
    let limits = state
        .limit_restrictions
        .iter()
        .map(|r| shapes::limit_configuration(r, r.groups.clone()));
    ok_value(platform.chain(limits).collect::<Vec<_>>())
}

/// `deviceEnrollmentConfigurations/{id}/assignments`: the Default restrictions (priority 0)
/// apply to every licensed user; the others to their groups, less the excluded groups (each an
/// `exclusionGroupAssignmentTarget`).
fn assignments(service: &IntuneService, id: &str) -> Answer {
    let found = {
        let state = service.lock();
        let platform = state
            .platform_restrictions
            .iter()
            .map(|r| (&r.id, r.priority, &r.groups, &r.excluded_groups));
        let limits = state
            .limit_restrictions
            .iter()
            .map(|r| (&r.id, r.priority, &r.groups, &r.excluded_groups));
        platform
            .chain(limits)
            .find(|(rid, ..)| rid.as_str() == id)
            .map(|(_, priority, groups, excluded)| (priority, groups.clone(), excluded.clone()))
    };
    let Some((priority, groups, excluded)) = found else {
        return Err(not_found(
            service,
            format!("No enrollment configuration with id {id}."),
        ));
    };
    let targets: Vec<AssignmentTarget> = if priority == 0 {
        vec![AssignmentTarget {
            odata_type: ALL_LICENSED_USERS_TARGET_TYPE.into(),
            group_id: None,
        }]
    } else {
        let target = |kind: &str, g: String| AssignmentTarget {
            odata_type: kind.into(),
            group_id: Some(g),
        };
        let included = groups.into_iter().map(|g| target(GROUP_TARGET_TYPE, g));
        let excluded = excluded
            .into_iter()
            .map(|g| target(EXCLUSION_GROUP_TARGET_TYPE, g));
        included.chain(excluded).collect()
    };
    ok_value(
        targets
            .into_iter()
            .enumerate()
            .map(|(i, target)| EnrollmentConfigurationAssignment {
                id: format!("{id}_{i}"),
                target,
            })
            .collect::<Vec<_>>(),
    )
}

fn patch_configuration(service: &IntuneService, request: &Request, id: &str) -> Answer {
    let patch: EnrollmentConfigurationPatch = body(service, request)?;
    let is_limit = service.lock().limit_restrictions.iter().any(|r| r.id == id);
    if is_limit {
        return patch_limit(service, id, patch.limit.as_ref());
    }
    let is_platform = service
        .lock()
        .platform_restrictions
        .iter()
        .any(|r| r.id == id);
    if is_platform {
        return patch_platform(service, id, patch.ios_restriction);
    }
    Err(not_found(
        service,
        format!("No enrollment configuration with id {id}."),
    ))
}

/// A new device limit, which must be a whole number in the admin center's range.
fn patch_limit(service: &IntuneService, id: &str, limit: Option<&Value>) -> Answer {
    let limit = match limit {
        None => None,
        Some(raw) => Some(
            raw.as_u64()
                .and_then(|l| u32::try_from(l).ok())
                .filter(|l| DEVICE_LIMIT_RANGE.contains(l))
                .ok_or_else(|| {
                    bad_request(
                        service,
                        format!(
                            "'limit' must be a whole number from {} to {}; got {raw}.",
                            DEVICE_LIMIT_RANGE.start(),
                            DEVICE_LIMIT_RANGE.end()
                        ),
                    )
                })?,
        ),
    };
    let mut state = service.lock();
    let Some(r) = state.limit_restrictions.iter_mut().find(|r| r.id == id) else {
        drop(state);
        return Err(not_found(
            service,
            format!("No enrollment configuration with id {id}."),
        ));
    };
    if let Some(limit) = limit {
        r.limit = limit;
    }
    let name = r.name.clone();
    drop(state);
    service.note(
        None,
        format!("admin changed device limit restriction '{name}'"),
    );
    Ok(Response::empty(StatusCode::NO_CONTENT))
}

/// New iOS/iPadOS settings of a device type restriction, read strictly (an unknown member is
/// refused rather than ignored, so a typo does not pass for a change).
fn patch_platform(service: &IntuneService, id: &str, ios: Option<Value>) -> Answer {
    let ios = ios
        .map(serde_json::from_value::<IosRestriction>)
        .transpose()
        .map_err(|e| bad_request(service, format!("'iosRestriction': {e}")))?;
    let mut state = service.lock();
    let Some(r) = state.platform_restrictions.iter_mut().find(|r| r.id == id) else {
        drop(state);
        return Err(not_found(
            service,
            format!("No enrollment configuration with id {id}."),
        ));
    };
    if let Some(ios) = ios {
        r.ios = ios;
    }
    let name = r.name.clone();
    drop(state);
    service.note(
        None,
        format!("admin changed device type restriction '{name}'"),
    );
    Ok(Response::empty(StatusCode::NO_CONTENT))
}
