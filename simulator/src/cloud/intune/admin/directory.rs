//! `groups` and `identity/conditionalAccess/policies`: Entra's groups (static membership,
//! members added and removed through `$ref`) and the Conditional Access policies, read and
//! patched the way the Entra admin center does through Graph.

use enrollsim_graph::{
    ConditionalAccessApplications, ConditionalAccessConditions, ConditionalAccessGrantControls,
    ConditionalAccessPolicyPatch, ConditionalAccessUsers, DirectoryObject, MemberReference,
};
use hyper::{Method, StatusCode};

use super::{bad_request, body, graph_error, ok_value, shapes, Answer};
use crate::cloud::entra::{ConditionalAccessPolicy, GrantControl, Group, PolicyState};
use crate::cloud::intune::IntuneService;
use crate::net::{Request, Response};

/// Routes `groups/...` (`rest` is what follows).
pub(super) fn route_groups(
    service: &IntuneService,
    request: &Request,
    rest: &[&str],
) -> Option<Answer> {
    Some(match (&request.method, rest) {
        (&Method::GET, []) => {
            let groups = service.directory().groups.clone();
            ok_value(groups.iter().map(group).collect::<Vec<_>>())
        }
        (&Method::GET, [id, "members"]) => members(service, id),
        (&Method::POST, [id, "members", "$ref"]) => add_member(service, request, id),
        (&Method::DELETE, [id, "members", member, "$ref"]) => remove_member(service, id, member),
        (&Method::POST, [id, "assignLicense"]) => assign_group_license(service, request, id),
        _ => return None,
    })
}

/// Routes `identity/conditionalAccess/policies/...`.
pub(super) fn route_policies(
    service: &IntuneService,
    request: &Request,
    rest: &[&str],
) -> Option<Answer> {
    Some(match (&request.method, rest) {
        (&Method::GET, []) => {
            let policies = service.directory().conditional_access_policies.clone();
            ok_value(policies.iter().map(policy).collect::<Vec<_>>())
        }
        (&Method::PATCH, [id]) => patch_policy(service, request, id),
        _ => return None,
    })
}

/// Graph `group`.
pub fn group(g: &Group) -> enrollsim_graph::Group {
    enrollsim_graph::Group {
        id: g.id.clone(),
        display_name: g.display_name.clone(),
        security_enabled: true,
        members: Vec::new(),
        assigned_licenses: g.licenses.iter().map(shapes::license).collect(),
    }
}

/// Graph `conditionalAccessPolicy`.
pub fn policy(p: &ConditionalAccessPolicy) -> enrollsim_graph::ConditionalAccessPolicy {
    enrollsim_graph::ConditionalAccessPolicy {
        id: p.id.clone(),
        display_name: p.display_name.clone(),
        state: p.state.graph_name().into(),
        conditions: ConditionalAccessConditions {
            users: ConditionalAccessUsers {
                include_users: p.include_users.clone(),
                exclude_users: p.exclude_users.clone(),
                include_groups: p.include_groups.clone(),
                exclude_groups: p.exclude_groups.clone(),
            },
            applications: ConditionalAccessApplications {
                include_applications: p.include_applications.clone(),
            },
        },
        grant_controls: Some(ConditionalAccessGrantControls {
            operator: "AND".into(),
            built_in_controls: p
                .grant_controls
                .iter()
                .map(|c| c.graph_name().into())
                .collect(),
        }),
    }
}

fn group_not_found(service: &IntuneService, id: &str) -> Response {
    graph_error(
        service,
        StatusCode::NOT_FOUND,
        "Request_ResourceNotFound",
        format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."),
    )
}

/// `groups/{id}/members`: direct members, users and groups told apart by `@odata.type`.
fn members(service: &IntuneService, id: &str) -> Answer {
    let directory = service.directory();
    let found = directory.groups.iter().find(|g| g.id == id);
    let Some(found) = found else {
        drop(directory);
        return Err(group_not_found(service, id));
    };
    let kind = |m: &str| {
        if directory.groups.iter().any(|g| g.id == m) {
            "#microsoft.graph.group"
        } else {
            "#microsoft.graph.user"
        }
    };
    let value: Vec<DirectoryObject> = found
        .members
        .iter()
        .map(|m| DirectoryObject {
            odata_type: kind(m).into(),
            id: m.clone(),
        })
        .collect();
    drop(directory);
    ok_value(value)
}

/// `POST groups/{id}/members/$ref` with `{"@odata.id": ".../directoryObjects/{member}"}`.
fn add_member(service: &IntuneService, request: &Request, id: &str) -> Answer {
    let reference: MemberReference = body(service, request)?;
    let member = reference
        .odata_id
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    let mut directory = service.directory();
    let known = directory.users.iter().any(|u| u.id == member)
        || directory.groups.iter().any(|g| g.id == member);
    let Some(target) = directory.groups.iter_mut().find(|g| g.id == id) else {
        drop(directory);
        return Err(group_not_found(service, id));
    };
    if !known {
        drop(directory);
        return Err(bad_request(
            service,
            format!("Resource '{member}' does not exist or one of its queried reference-property objects are not present."),
        ));
    }
    if target.members.contains(&member) {
        drop(directory);
        return Err(bad_request(
            service,
            "One or more added object references already exist for the following modified properties: 'members'.",
        ));
    }
    target.members.push(member.clone());
    drop(directory);
    service.note(None, format!("admin added {member} to group {id}"));
    Ok(Response::empty(StatusCode::NO_CONTENT))
}

/// `DELETE groups/{id}/members/{member}/$ref`.
fn remove_member(service: &IntuneService, id: &str, member: &str) -> Answer {
    let mut directory = service.directory();
    let Some(target) = directory.groups.iter_mut().find(|g| g.id == id) else {
        drop(directory);
        return Err(group_not_found(service, id));
    };
    let before = target.members.len();
    target.members.retain(|m| m != member);
    let removed = target.members.len() != before;
    // A membership written on the user (the simple form) is removed the same way.
    let on_user = directory
        .users
        .iter_mut()
        .find(|u| u.id == member)
        .map(|u| {
            let had = u.groups.len();
            u.groups.retain(|g| g != id);
            had != u.groups.len()
        })
        .unwrap_or(false);
    drop(directory);
    if !(removed || on_user) {
        return Err(group_not_found(service, member));
    }
    service.note(None, format!("admin removed {member} from group {id}"));
    Ok(Response::empty(StatusCode::NO_CONTENT))
}

/// `PATCH identity/conditionalAccess/policies/{id}`: state, conditions, grant controls.
fn patch_policy(service: &IntuneService, request: &Request, id: &str) -> Answer {
    let patch: ConditionalAccessPolicyPatch = body(service, request)?;
    let state = match patch.state.as_deref().map(PolicyState::from_graph) {
        Some(None) => {
            return Err(bad_request(
                service,
                "'state' must be 'enabled', 'disabled' or 'enabledForReportingButNotEnforced'.",
            ))
        }
        Some(Some(s)) => Some(s),
        None => None,
    };
    let controls = match &patch.grant_controls {
        Some(g) => Some(
            g.built_in_controls
                .iter()
                .map(|c| GrantControl::from_graph(c).ok_or(c))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|c| bad_request(service, format!("Unknown built-in control '{c}'.")))?,
        ),
        None => None,
    };
    let mut directory = service.directory();
    let Some(found) = directory
        .conditional_access_policies
        .iter_mut()
        .find(|p| p.id == id)
    else {
        drop(directory);
        return Err(group_not_found(service, id));
    };
    if let Some(state) = state {
        found.state = state;
    }
    if let Some(c) = patch.conditions {
        found.include_users = c.users.include_users;
        found.exclude_users = c.users.exclude_users;
        found.include_groups = c.users.include_groups;
        found.exclude_groups = c.users.exclude_groups;
        found.include_applications = c.applications.include_applications;
    }
    if let Some(controls) = controls {
        found.grant_controls = controls;
    }
    let name = found.display_name.clone();
    drop(directory);
    service.note(
        None,
        format!("admin changed Conditional Access policy '{name}'"),
    );
    Ok(Response::empty(StatusCode::NO_CONTENT))
}

/// `groups/{id}/assignLicense` (group-based licensing): the group's members, transitively,
/// inherit the licences. A SKU without a seat for every member who would newly hold it is
/// refused with the error `users/{id}/assignLicense` gives.
fn assign_group_license(service: &IntuneService, request: &Request, id: &str) -> Answer {
    let change: enrollsim_graph::requests::AssignLicense = body(service, request)?;
    let mut directory = service.directory();
    let Some(group) = directory.groups.iter().find(|g| g.id == id).cloned() else {
        drop(directory);
        return Err(group_not_found(service, id));
    };
    let mut licenses = group.licenses.clone();
    if let Some(remove) = &change.remove_licenses {
        licenses.retain(|l| !remove.contains(&l.sku));
    }
    for add in change.add_licenses.unwrap_or_default() {
        let Some(license) = super::users::added_license(&directory, add) else {
            drop(directory);
            return Err(bad_request(service, "every added licence needs 'skuId'."));
        };
        let newcomers = directory
            .users
            .iter()
            .filter(|u| directory.member_of(u).contains(id))
            .filter(|u| {
                !directory
                    .effective_licenses(u)
                    .iter()
                    .any(|l| l.sku == license.sku)
            })
            .count() as u32;
        if directory
            .seats_left(&license.sku)
            .is_some_and(|left| left < newcomers)
        {
            drop(directory);
            return Err(super::users::no_seats(service, &license.sku));
        }
        licenses.retain(|l| l.sku != license.sku);
        licenses.push(license);
    }
    if let Some(g) = directory.groups.iter_mut().find(|g| g.id == id) {
        g.licenses = licenses;
    }
    let view = self::group(
        directory
            .groups
            .iter()
            .find(|g| g.id == id)
            .unwrap_or(&group),
    );
    drop(directory);
    service.note(None, format!("admin changed the licences of group {id}"));
    Ok(Response::json(StatusCode::OK, &view))
}
