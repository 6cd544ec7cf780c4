//! `users`: the directory as the admin API shows it, licences, per-user MFA, and the devices
//! a user sees in the Company Portal website.

use enrollsim_graph::requests::{AddLicense, AssignLicense, AuthenticationRequirements};
use enrollsim_graph::DirectoryObject;
use hyper::{Method, StatusCode};

use super::{bad_request, body, graph_error, ok_value, shapes, Answer};
use crate::cloud::entra::{EntraState, EntraUser, License};
use crate::cloud::intune::state::ManagementState;
use crate::cloud::intune::IntuneService;
use crate::net::{Request, Response};

/// Routes `users/...` (`rest` is what follows).
pub(super) fn route(service: &IntuneService, request: &Request, rest: &[&str]) -> Option<Answer> {
    Some(match (&request.method, rest) {
        (&Method::GET, []) => list_users(service),
        (&Method::GET, [id, "licenseDetails"]) => license_details(service, id),
        (&Method::GET, [id, "managedDevices"]) => user_devices(service, id),
        (&Method::GET, [id, "memberOf"]) => member_of(service, id, false),
        (&Method::GET, [id, "transitiveMemberOf"]) => member_of(service, id, true),
        (&Method::GET, [id, "authentication", "requirements"]) => get_mfa(service, id),
        (&Method::POST, [id, "assignLicense"]) => assign_license(service, request, id),
        (&Method::PATCH, [id, "authentication", "requirements"]) => set_mfa(service, request, id),
        (&Method::DELETE, [id]) => delete_user(service, id),
        _ => return None,
    })
}

fn list_users(service: &IntuneService) -> Answer {
    let users = service.directory().users.clone();
    ok_value(users.iter().map(shapes::user).collect::<Vec<_>>())
}

/// `DELETE users/{id}`: the user leaves the directory and every group that listed them; their
/// licences free their seats. Intune keeps the device records of the user, as it does until
/// an admin cleans them up, but the user can no longer sign in.
fn delete_user(service: &IntuneService, id: &str) -> Answer {
    let user = find_user(service, id)?;
    let mut directory = service.directory();
    directory.users.retain(|u| u.id != user.id);
    for group in &mut directory.groups {
        group
            .members
            .retain(|m| m != &user.id && !m.eq_ignore_ascii_case(&user.upn));
    }
    drop(directory);
    service.note(None, format!("admin deleted user {}", user.upn));
    Ok(Response::empty(StatusCode::NO_CONTENT))
}

fn find_user(service: &IntuneService, id: &str) -> Result<EntraUser, Response> {
    service
        .directory()
        .users
        .iter()
        .find(|u| u.id == id || u.upn.eq_ignore_ascii_case(id))
        .cloned()
        .ok_or_else(|| graph_error(service, StatusCode::NOT_FOUND, "Request_ResourceNotFound", format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present.")))
}

/// `users/{id}/licenseDetails`: every licence the user holds, directly or through a group,
/// with the SKU's plans that are turned off listed as `Disabled`.
fn license_details(service: &IntuneService, id: &str) -> Answer {
    let user = find_user(service, id)?;
    let directory = service.directory();
    let details: Vec<_> = directory
        .effective_licenses(&user)
        .iter()
        .map(|l| {
            let mut d = shapes::license_details(l);
            let all_plans = directory.skus.iter().find(|s| s.part_number == l.sku);
            for plan in all_plans.into_iter().flat_map(|s| &s.service_plans) {
                if !l.service_plans.contains(plan) {
                    d.service_plans.push(enrollsim_graph::ServicePlanInfo {
                        service_plan_name: plan.clone(),
                        provisioning_status: "Disabled".into(),
                    });
                }
            }
            d
        })
        .collect();
    drop(directory);
    ok_value(details)
}

/// `users/{id}/memberOf` (direct) and `transitiveMemberOf` (through nested groups too): the
/// groups the user is in, as directory object references.
fn member_of(service: &IntuneService, id: &str, transitive: bool) -> Answer {
    let user = find_user(service, id)?;
    let directory = service.directory();
    let groups: Vec<String> = if transitive {
        directory.member_of(&user).into_iter().collect()
    } else {
        let mut direct = user.groups.clone();
        direct.extend(
            directory
                .groups
                .iter()
                .filter(|g| g.members.contains(&user.id) && !user.groups.contains(&g.id))
                .map(|g| g.id.clone()),
        );
        direct
    };
    drop(directory);
    ok_value(
        groups
            .iter()
            .map(|g| DirectoryObject {
                odata_type: "#microsoft.graph.group".into(),
                id: g.clone(),
            })
            .collect::<Vec<_>>(),
    )
}

/// `users/{id}/authentication/requirements`: the per-user MFA state.
fn get_mfa(service: &IntuneService, id: &str) -> Answer {
    let user = find_user(service, id)?;
    let state = if user.mfa_required {
        "enforced"
    } else {
        "disabled"
    };
    Ok(Response::json(
        StatusCode::OK,
        &AuthenticationRequirements {
            per_user_mfa_state: Some(state.into()),
        },
    ))
}

/// `users/{id}/managedDevices`: every device record of the user, including those only the
/// Company Portal website shows (what the user sees when signing in to the portal).
fn user_devices(service: &IntuneService, id: &str) -> Answer {
    let user = find_user(service, id)?;
    let state = service.lock();
    let value: Vec<_> = state
        .devices
        .iter()
        .filter(|d| d.upn.eq_ignore_ascii_case(&user.upn) && d.state != ManagementState::Enrolling)
        .map(shapes::managed_device)
        .collect();
    ok_value(value)
}

/// `assignLicense`: `{"addLicenses": [{"skuId": "EMS", "servicePlans": [...]}], "removeLicenses": ["SKU"]}`.
/// Graph identifies SKUs by GUID; the lab accepts the SKU part number in `skuId` and, as an
/// extension, the enabled plans (defaulting to the SKU's Intune plan for Intune-bearing SKUs).
fn assign_license(service: &IntuneService, request: &Request, id: &str) -> Answer {
    let change: AssignLicense = body(service, request)?;
    let user = find_user(service, id)?;
    let bad = |m: &str| graph_error(service, StatusCode::BAD_REQUEST, "Request_BadRequest", m);
    let add = change
        .add_licenses
        .ok_or_else(|| bad("'addLicenses' is required (an array)."))?;
    let mut licenses = user.licenses.clone();
    if let Some(remove) = change.remove_licenses {
        licenses.retain(|l| !remove.contains(&l.sku));
    }
    for l in add {
        let license = added_license(&service.directory(), l)
            .ok_or_else(|| bad("every added licence needs 'skuId'."))?;
        let directory = service.directory();
        let holds = directory
            .effective_licenses(&user)
            .iter()
            .any(|l| l.sku == license.sku);
        let full = directory.seats_left(&license.sku) == Some(0);
        drop(directory);
        if full && !holds {
            return Err(no_seats(service, &license.sku));
        }
        licenses.retain(|x| x.sku != license.sku);
        licenses.push(license);
    }
    if let Some(u) = service.directory().user_mut(&user.id) {
        u.licenses = licenses;
    }
    service.note(None, format!("admin changed the licences of {}", user.upn));
    let user = find_user(service, id)?;
    let view = shapes::user(&user);
    Ok(Response::json(StatusCode::OK, &view))
}

/// The licence an `addLicenses` entry grants: the plans it names, else the SKU's plans (the
/// tenant's subscription, else the SKU's defaults), minus `disabledPlans`; `None` without a SKU.
pub(super) fn added_license(directory: &EntraState, l: AddLicense) -> Option<License> {
    let sku = l.sku_id?;
    let mut service_plans = l.service_plans.unwrap_or_else(|| {
        directory
            .skus
            .iter()
            .find(|s| s.part_number == sku)
            .map_or_else(|| default_plans(&sku), |s| s.service_plans.clone())
    });
    let disabled = l.disabled_plans.unwrap_or_default();
    service_plans.retain(|p| !disabled.contains(p));
    Some(License { sku, service_plans })
}

/// Graph's answer to a licence with no seat left (`assignLicense`, 400).
pub(super) fn no_seats(service: &IntuneService, sku: &str) -> Response {
    graph_error(
        service,
        StatusCode::BAD_REQUEST,
        "Request_BadRequest",
        format!("Subscription with SKU {sku} does not have any available licenses."),
    )
}

/// `subscribedSkus`: the tenant's subscriptions with seats bought and consumed.
pub(super) fn subscribed_skus(service: &IntuneService) -> Answer {
    let directory = service.directory();
    let value: Vec<_> = directory
        .skus
        .iter()
        .map(|s| enrollsim_graph::SubscribedSku {
            sku_id: s.sku_id.clone(),
            sku_part_number: s.part_number.clone(),
            prepaid_units: enrollsim_graph::PrepaidUnits {
                enabled: s.prepaid_units,
            },
            consumed_units: directory.consumed_units(&s.part_number),
            service_plans: s
                .service_plans
                .iter()
                .map(|p| enrollsim_graph::ServicePlanInfo {
                    service_plan_name: p.clone(),
                    provisioning_status: "Success".into(),
                })
                .collect(),
        })
        .collect();
    drop(directory);
    ok_value(value)
}

/// The service plans a SKU enables by default.
pub fn default_plans(sku: &str) -> Vec<String> {
    match sku {
        "INTUNE_A" | "EMS" | "EMSPREMIUM" | "SPE_E3" | "SPE_E5" | "M365EDU_A3_FACULTY" => {
            vec!["INTUNE_A".into(), "AAD_PREMIUM".into()]
        }
        "INTUNE_EDU" => vec!["INTUNE_EDU".into()],
        "SPB" => vec!["INTUNE_SMBIZ".into(), "INTUNE_A".into()],
        _ => vec!["EXCHANGE_S_STANDARD".into()],
    }
}

fn set_mfa(service: &IntuneService, request: &Request, id: &str) -> Answer {
    let requirements: AuthenticationRequirements = body(service, request)?;
    let user = find_user(service, id)?;
    let state = requirements.per_user_mfa_state.unwrap_or_default();
    let required = match state.as_str() {
        "disabled" => false,
        "enforced" | "enabled" => true,
        _ => {
            return Err(bad_request(
                service,
                "'perUserMfaState' must be 'disabled', 'enabled' or 'enforced'.",
            ))
        }
    };
    if let Some(u) = service.directory().user_mut(&user.id) {
        u.mfa_required = required;
    }
    service.note(
        None,
        format!("admin set per-user MFA of {} to {state}", user.upn),
    );
    Ok(Response::empty(StatusCode::NO_CONTENT))
}
