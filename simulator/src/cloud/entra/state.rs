//! The directory: users, licences, groups, issued tokens, registered devices and the sign-in log.

use std::collections::HashMap;

use time::OffsetDateTime;

use super::conditional_access::{transitive_groups, AppliedPolicy, ConditionalAccessPolicy, Group};
use crate::index::{Keyed, PositionIndex};

/// The registration quota per user when the tenant does not set one: Entra's device
/// registration policy `userDeviceQuota` defaults to 50 (Microsoft Graph,
/// `deviceRegistrationPolicy`).
pub const DEFAULT_DEVICE_QUOTA: u32 = 50;

/// Service plans that entitle a user to Intune (the plans inside Intune, EMS and Microsoft 365
/// licences).
pub const INTUNE_SERVICE_PLANS: [&str; 4] =
    ["INTUNE_A", "INTUNE_EDU", "INTUNE_SMBIZ", "INTUNE_O365"];

/// A national cloud.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Cloud {
    /// The worldwide public cloud.
    #[default]
    Public,
    /// The US Government cloud.
    Government,
}

impl Cloud {
    /// The cloud's name as AADSTS messages spell it.
    pub fn instance_name(self) -> &'static str {
        match self {
            Cloud::Public => "Prod",
            Cloud::Government => "USGov",
        }
    }
}

/// A licence assigned to a user, with the service plans it enables.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct License {
    /// The SKU part number (`EMS`, `SPE_E3`, `INTUNE_A`...).
    pub sku: String,
    /// The enabled service plans.
    pub service_plans: Vec<String>,
}

impl License {
    /// Whether one of the enabled plans is an Intune plan.
    pub fn grants_intune(&self) -> bool {
        self.service_plans
            .iter()
            .any(|p| INTUNE_SERVICE_PLANS.contains(&p.as_str()))
    }
}

/// A subscription the tenant bought (Graph `subscribedSku`): its plans and how many seats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sku {
    /// Graph's `skuId`.
    pub sku_id: String,
    /// The part number (`EMS`...).
    pub part_number: String,
    /// Every service plan of the SKU.
    pub service_plans: Vec<String>,
    /// Seats bought (`prepaidUnits.enabled`).
    pub prepaid_units: u32,
}

/// A directory user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntraUser {
    /// Object id.
    pub id: String,
    /// User principal name.
    pub upn: String,
    /// Display name.
    pub display_name: String,
    /// Password.
    pub password: String,
    /// Assigned licences.
    pub licenses: Vec<License>,
    /// Groups the user is a member of (ids).
    pub groups: Vec<String>,
    /// Whether signing in requires multi-factor authentication (per-user MFA or a Conditional
    /// Access policy on the Intune enrollment app).
    pub mfa_required: bool,
    /// The cloud the user's tenant lives in.
    pub home_cloud: Cloud,
    /// Whether the account can sign in.
    pub enabled: bool,
}

impl EntraUser {
    /// Whether any licence enables an Intune plan.
    pub fn has_intune_plan(&self) -> bool {
        self.licenses.iter().any(License::grants_intune)
    }
}

/// An access token the token endpoint issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedToken {
    /// The user it was issued to.
    pub user_id: String,
    /// The client that asked.
    pub client_id: String,
    /// When it expires.
    pub expires_at: OffsetDateTime,
    /// Whether the user passed MFA for it.
    pub mfa_satisfied: bool,
    /// The cloud whose sign-in service issued it; only that cloud's services accept it.
    pub cloud: Cloud,
    /// The resource it is for (its `aud`), e.g. `https://graph.microsoft.com`.
    pub audience: String,
    /// The application permissions it carries (its `roles`): an app-only token's, granted to
    /// the app; empty for a user's token.
    pub roles: Vec<String>,
}

/// An application registered in the tenant that signs in as itself (client credentials).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppRegistration {
    /// Its application (client) id.
    pub client_id: String,
    /// Its client secret.
    pub client_secret: String,
    /// Its display name.
    pub display_name: String,
    /// The application permissions an admin consented to for it.
    pub roles: Vec<String>,
}

/// A device registered (workplace joined) in the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredDevice {
    /// The device object's id (the Entra device id).
    pub device_id: String,
    /// Its owner.
    pub user_id: String,
    /// Display name.
    pub display_name: String,
    /// OS version.
    pub os_version: String,
    /// When it registered.
    pub registered_at: OffsetDateTime,
}

/// The outcome of a sign-in, as the sign-in log shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInStatus {
    /// 0 for success, otherwise the AADSTS number.
    pub error_code: u32,
    /// Why it failed.
    pub failure_reason: Option<String>,
}

/// One entry of the tenant's sign-in log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInRecord {
    /// When.
    pub at: OffsetDateTime,
    /// Who.
    pub upn: String,
    /// The client application's display name.
    pub app_display_name: String,
    /// How the client signed in ("Mobile Apps and Desktop clients", "Browser"...).
    pub client_app_used: String,
    /// The outcome.
    pub status: SignInStatus,
    /// Correlation id.
    pub correlation_id: String,
    /// `conditionalAccessStatus`: `success`, `failure` or `notApplied` (empty when the sign-in
    /// failed before Conditional Access was evaluated).
    pub conditional_access_status: String,
    /// Every policy's outcome (`appliedConditionalAccessPolicies`).
    pub applied_policies: Vec<AppliedPolicy>,
}

/// A verified domain whose users sign in at a federation service (Graph's
/// `internalDomainFederation`): Entra ID sends their passwords to `active_sign_in_uri`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FederatedDomain {
    /// The domain (the users' UPN suffix).
    pub name: String,
    /// `issuerUri`.
    pub issuer_uri: String,
    /// `metadataExchangeUri`: the federation service's MEX document.
    pub metadata_exchange_uri: String,
    /// `activeSignInUri`: where non-interactive clients' credentials go (WS-Trust 1.3
    /// Username/Mixed).
    pub active_sign_in_uri: String,
    /// `passiveSignInUri`: the browser sign-in page.
    pub passive_sign_in_uri: String,
}

/// The directory of one tenant.
#[derive(Debug, Clone)]
pub struct EntraState {
    /// Tenant id.
    pub tenant_id: String,
    /// Verified domain (UPN suffix).
    pub domain: String,
    /// Users.
    pub users: Vec<EntraUser>,
    /// Registration quota per user.
    pub device_quota: u32,
    /// Registered devices.
    pub devices: Vec<RegisteredDevice>,
    /// Issued access tokens.
    pub tokens: HashMap<String, IssuedToken>,
    /// Applications that sign in with client credentials.
    pub apps: Vec<AppRegistration>,
    /// The sign-in log (only sign-ins that reached the user's home cloud appear in it).
    pub sign_ins: Vec<SignInRecord>,
    /// Groups with static membership.
    pub groups: Vec<Group>,
    /// Conditional Access policies, in the order the admin center lists them.
    pub conditional_access_policies: Vec<ConditionalAccessPolicy>,
    /// Subscriptions with seat counts; a SKU not listed here is not counted.
    pub skus: Vec<Sku>,
    /// Domains whose users sign in at a federation service.
    pub federated_domains: Vec<FederatedDomain>,
    /// Users by UPN and id, devices by owner (see [`crate::index`]).
    pub lookup: DirectoryIndex,
}

/// The directory's lookups: users by UPN and id, registered devices by owner.
#[derive(Debug, Clone, Default)]
pub struct DirectoryIndex {
    users: PositionIndex,
    devices: PositionIndex,
}

fn user_upn_key(upn: &str) -> String {
    format!("upn:{}", upn.to_ascii_lowercase())
}

fn user_id_key(id: &str) -> String {
    format!("id:{id}")
}

impl Keyed for EntraUser {
    fn id(&self) -> &str {
        &self.id
    }
    fn keys(&self, out: &mut Vec<String>) {
        out.push(user_upn_key(&self.upn));
        out.push(user_id_key(&self.id));
    }
}

impl Keyed for RegisteredDevice {
    fn id(&self) -> &str {
        &self.device_id
    }
    fn keys(&self, out: &mut Vec<String>) {
        out.push(self.user_id.clone());
    }
}

impl EntraState {
    /// An empty directory.
    pub fn new(tenant_id: &str, domain: &str) -> Self {
        EntraState {
            tenant_id: tenant_id.to_string(),
            domain: domain.to_string(),
            users: Vec::new(),
            device_quota: DEFAULT_DEVICE_QUOTA,
            devices: Vec::new(),
            tokens: HashMap::new(),
            apps: Vec::new(),
            sign_ins: Vec::new(),
            groups: Vec::new(),
            conditional_access_policies: Vec::new(),
            skus: Vec::new(),
            federated_domains: Vec::new(),
            lookup: DirectoryIndex::default(),
        }
    }

    /// The federation settings of the domain of `upn`, if that domain is federated.
    pub fn federation_of(&self, upn: &str) -> Option<&FederatedDomain> {
        let domain = upn.rsplit_once('@')?.1;
        self.federated_domains
            .iter()
            .find(|d| d.name.eq_ignore_ascii_case(domain))
    }

    /// The user with `upn` (case-insensitive).
    pub fn user_by_upn(&self, upn: &str) -> Option<&EntraUser> {
        let key = user_upn_key(upn);
        self.lookup
            .users
            .positions(&self.users, &key)
            .into_iter()
            .map(|i| &self.users[i])
            .find(|u| u.upn.eq_ignore_ascii_case(upn))
    }

    /// The user with object id `id`.
    pub fn user(&self, id: &str) -> Option<&EntraUser> {
        self.lookup
            .users
            .positions(&self.users, &user_id_key(id))
            .into_iter()
            .map(|i| &self.users[i])
            .find(|u| u.id == id)
    }

    /// Mutable access to the user with `upn` (case-insensitive) or object id.
    pub fn user_mut(&mut self, upn_or_id: &str) -> Option<&mut EntraUser> {
        let mut positions = self
            .lookup
            .users
            .positions(&self.users, &user_id_key(upn_or_id));
        positions.extend(
            self.lookup
                .users
                .positions(&self.users, &user_upn_key(upn_or_id)),
        );
        positions.sort_unstable();
        let found = positions.into_iter().find(|&i| {
            let u = &self.users[i];
            u.id == upn_or_id || u.upn.eq_ignore_ascii_case(upn_or_id)
        })?;
        self.users.get_mut(found)
    }

    /// How many devices the user with object id `user_id` has registered.
    pub fn registered_device_count(&self, user_id: &str) -> u32 {
        self.lookup
            .devices
            .positions(&self.devices, user_id)
            .into_iter()
            .filter(|&i| self.devices[i].user_id == user_id)
            .count() as u32
    }

    /// Every group the user belongs to, directly or through nested groups.
    pub fn member_of(&self, user: &EntraUser) -> std::collections::BTreeSet<String> {
        transitive_groups(&self.groups, &user.id, &user.groups)
    }

    /// The user as the services that rely on the directory see them: every group they belong
    /// to, transitively, in `groups`, and their effective licences in `licenses`.
    pub fn resolved_user(&self, user: &EntraUser) -> EntraUser {
        let mut resolved = user.clone();
        resolved.licenses = self.effective_licenses(user);
        resolved.groups = self.member_of(user).into_iter().collect();
        resolved
    }

    /// The user's licences: assigned directly or inherited from a group (transitively). One SKU
    /// from several assignments is one licence whose enabled plans are those any assignment
    /// enables (a plan disabled in one assignment and enabled in another is enabled).
    pub fn effective_licenses(&self, user: &EntraUser) -> Vec<License> {
        let member_of = self.member_of(user);
        let inherited = self
            .groups
            .iter()
            .filter(|g| member_of.contains(&g.id))
            .flat_map(|g| g.licenses.iter());
        let mut out: Vec<License> = Vec::new();
        for l in user.licenses.iter().chain(inherited) {
            match out.iter_mut().find(|o| o.sku == l.sku) {
                Some(o) => {
                    for p in &l.service_plans {
                        if !o.service_plans.contains(p) {
                            o.service_plans.push(p.clone());
                        }
                    }
                }
                None => out.push(l.clone()),
            }
        }
        out
    }

    /// How many users hold `part_number`, directly or through a group.
    pub fn consumed_units(&self, part_number: &str) -> u32 {
        self.users
            .iter()
            .filter(|u| {
                self.effective_licenses(u)
                    .iter()
                    .any(|l| l.sku == part_number)
            })
            .count() as u32
    }

    /// Seats left of `part_number`; `None` when the tenant does not count that SKU.
    pub fn seats_left(&self, part_number: &str) -> Option<u32> {
        let sku = self.skus.iter().find(|s| s.part_number == part_number)?;
        Some(
            sku.prepaid_units
                .saturating_sub(self.consumed_units(part_number)),
        )
    }

    /// The group with object id or display name `id_or_name`.
    pub fn group_mut(&mut self, id_or_name: &str) -> Option<&mut Group> {
        self.groups
            .iter_mut()
            .find(|g| g.id == id_or_name || g.display_name == id_or_name)
    }

    /// The token's record, if it exists and has not expired at `now`.
    pub fn validate_token(&self, token: &str, now: OffsetDateTime) -> Option<&IssuedToken> {
        self.tokens.get(token).filter(|t| t.expires_at > now)
    }
}
