//! The directory part of building a lab: a tenant spec's groups (with their licences),
//! subscriptions and Conditional Access policies turned into Entra's records, with users named by UPN resolved to object ids,
//! and a federated domain with its federation service's endpoints.

use enrollsim_simulator::cloud::entra::conditional_access::ALL;
use enrollsim_simulator::cloud::entra::federation::{MEX_PATH, PASSIVE_PATH, USERNAME_MIXED_13};
use enrollsim_simulator::cloud::entra::{
    ConditionalAccessPolicy, EntraState, FederatedDomain, FederationServer, GrantControl, Group,
    License, PolicyState, Sku, INTUNE_APP_ID, INTUNE_ENROLLMENT_APP_ID,
};
use enrollsim_simulator::cloud::intune::admin::default_plans;
use enrollsim_simulator::rng::SeededRng;
use enrollsim_simulator::world::World;

use crate::scenario::{
    CloudAppSpec, ConditionalAccessSpec, GrantSpec, GroupLicenseSpec, PolicyStateSpec, TenantSpec,
    ALL_USERS,
};

/// Adds the spec's groups and policies to `directory`, whose users already exist. Policy ids
/// are drawn from `ids` only when the tenant has policies, so other worlds keep their ids.
pub(super) fn add_groups_and_policies(
    directory: &mut EntraState,
    tenant: &TenantSpec,
    ids: &SeededRng,
) {
    for g in &tenant.groups {
        let members = g.members.iter().map(|m| object_id(directory, m)).collect();
        directory.groups.push(Group {
            id: g.id.clone(),
            display_name: g.name.clone().unwrap_or_else(|| g.id.clone()),
            members,
            licenses: g
                .licenses
                .iter()
                .map(|l| group_license(tenant, l))
                .collect(),
        });
    }
    for s in &tenant.skus {
        directory.skus.push(Sku {
            sku_id: ids.uuid_lower(),
            part_number: s.sku.clone(),
            service_plans: sku_plans(tenant, &s.sku),
            prepaid_units: s.seats,
        });
    }
    for p in &tenant.conditional_access {
        let policy = policy(directory, p, ids.uuid_lower());
        directory.conditional_access_policies.push(policy);
    }
}

/// The tenant's domain as federated (`Set-MgDomainFederationConfiguration`): Entra ID sends
/// its users' credentials to the federation service's WS-Trust 1.3 Username/Mixed endpoint.
pub(super) fn add_federation(directory: &mut EntraState, tenant: &TenantSpec) {
    if tenant.federation.is_none() {
        return;
    }
    let service = FederationServer::for_domain(&tenant.domain);
    directory.federated_domains.push(FederatedDomain {
        name: tenant.domain.clone(),
        issuer_uri: service.url("/adfs/services/trust"),
        metadata_exchange_uri: service.url(MEX_PATH),
        active_sign_in_uri: service.url(USERNAME_MIXED_13),
        passive_sign_in_uri: service.url(PASSIVE_PATH),
    });
}

/// The federation service's endpoints as its administrator left them.
pub(super) fn configure_federation_service(world: &World, tenant: &TenantSpec) {
    let (Some(spec), Some(service)) = (&tenant.federation, &world.federation) else {
        return;
    };
    let server = service.server();
    let mut server = server.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(endpoint) = server.endpoint_mut(USERNAME_MIXED_13) {
        endpoint.enabled = spec.ws_trust_13_enabled;
    }
}

/// Every plan of `sku`: the tenant's subscription lists them, else the lab's defaults.
fn sku_plans(tenant: &TenantSpec, sku: &str) -> Vec<String> {
    tenant
        .skus
        .iter()
        .find(|s| s.sku == sku)
        .and_then(|s| s.service_plans.clone())
        .unwrap_or_else(|| default_plans(sku))
}

/// A group's licence: the SKU's plans minus those turned off.
fn group_license(tenant: &TenantSpec, l: &GroupLicenseSpec) -> License {
    let mut service_plans = sku_plans(tenant, l.sku());
    service_plans.retain(|p| !l.disabled_plans().contains(p));
    License {
        sku: l.sku().to_string(),
        service_plans,
    }
}

/// A user's object id for a UPN, else the name as it is (a group id or `All`).
fn object_id(directory: &EntraState, name: &str) -> String {
    directory
        .user_by_upn(name)
        .map_or_else(|| name.to_string(), |u| u.id.clone())
}

fn policy(
    directory: &EntraState,
    p: &ConditionalAccessSpec,
    id: String,
) -> ConditionalAccessPolicy {
    let users = |names: &[String]| -> Vec<String> {
        names
            .iter()
            .map(|n| {
                if n.eq_ignore_ascii_case(ALL_USERS) {
                    ALL.to_string()
                } else {
                    object_id(directory, n)
                }
            })
            .collect()
    };
    ConditionalAccessPolicy {
        id,
        display_name: p.name.clone(),
        state: match p.state {
            PolicyStateSpec::Enabled => PolicyState::Enabled,
            PolicyStateSpec::Disabled => PolicyState::Disabled,
            PolicyStateSpec::ReportOnly => PolicyState::ReportOnly,
        },
        include_users: users(&p.include_users),
        exclude_users: users(&p.exclude_users),
        include_groups: p.include_groups.clone(),
        exclude_groups: p.exclude_groups.clone(),
        include_applications: p
            .apps
            .iter()
            .map(|a| {
                match a {
                    CloudAppSpec::IntuneEnrollment => INTUNE_ENROLLMENT_APP_ID,
                    CloudAppSpec::Intune => INTUNE_APP_ID,
                    CloudAppSpec::All => ALL,
                }
                .to_string()
            })
            .collect(),
        grant_controls: p
            .grant
            .iter()
            .map(|g| match g {
                GrantSpec::Mfa => GrantControl::Mfa,
                GrantSpec::CompliantDevice => GrantControl::CompliantDevice,
                GrantSpec::Block => GrantControl::Block,
            })
            .collect(),
    }
}
