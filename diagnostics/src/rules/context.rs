//! What the rules read, prepared once per bundle: parsed log lines, the enrolling user's tenant
//! record, the events and sign-ins that concern that user, the reference time for relative
//! dates, and a few tenant lookups shared by several rules (effective restrictions, the ADE
//! profile assigned to the device).

use crate::bundle::{
    DepOnboardingSettingView, EnrollmentConfiguration, EnrollmentEvent, EnrollmentProfileView,
    EnrollmentType, EvidenceBundle, Location, SignInRecord, TenantView, UserView,
};
use crate::dates::parse_rfc3339;
use crate::logs::{console_lines, portal_lines, LogLine};

/// Source names used in evidence.
pub(crate) const DEVICE_LOG: &str = "device.log";
pub(crate) const PORTAL_LOG: &str = "company-portal.log";
pub(crate) const TENANT: &str = "tenant.json";
pub(crate) const EVENTS: &str = "enrollment-events.json";
pub(crate) const SIGN_INS: &str = "sign-ins.json";
pub(crate) const MANIFEST: &str = "bundle.json";

/// Everything the rules read.
pub(crate) struct Context<'a> {
    pub bundle: &'a EvidenceBundle,
    pub device_lines: Vec<LogLine<'a>>,
    pub portal_lines: Vec<LogLine<'a>>,
    pub tenant: Option<&'a TenantView>,
    /// The enrolling user's tenant record, when it can be told.
    pub user: Option<&'a UserView>,
    /// The enrolling user's UPN, lower-cased.
    pub upn: Option<String>,
    /// The device serial number, upper-cased.
    pub serial: Option<String>,
    /// Collection time (seconds since the epoch), for relative dates.
    pub now: Option<i64>,
    pub enrollment_type: Option<EnrollmentType>,
    pub location: Option<Location>,
    /// Events about this user (all events when the user is unknown), with their index.
    pub events: Vec<(usize, &'a EnrollmentEvent)>,
    /// Sign-ins of this user (all when unknown), with their index.
    pub sign_ins: Vec<(usize, &'a SignInRecord)>,
}

impl<'a> Context<'a> {
    pub fn new(bundle: &'a EvidenceBundle) -> Context<'a> {
        let tenant = bundle.tenant.as_ref();
        let device = bundle.device();
        let manifest_upn = device
            .and_then(|d| d.user_principal_name.as_deref())
            .map(|u| u.trim().to_lowercase())
            .filter(|u| !u.is_empty());
        let events_all = bundle.enrollment_events.as_deref().unwrap_or(&[]);
        let sign_ins_all = bundle.sign_ins.as_deref().unwrap_or(&[]);
        let user =
            tenant.and_then(|t| find_user(t, manifest_upn.as_deref(), events_all, sign_ins_all));
        let upn = manifest_upn.or_else(|| user.map(|u| u.user_principal_name.to_lowercase()));
        let events = events_all
            .iter()
            .enumerate()
            .filter(|(_, e)| match (user, e.user_id.as_deref()) {
                (Some(u), Some(id)) if !u.id.is_empty() => id == u.id,
                _ => true,
            })
            .collect();
        let sign_ins = sign_ins_all
            .iter()
            .enumerate()
            .filter(|(_, s)| match (&upn, s.user_principal_name.as_deref()) {
                (Some(mine), Some(theirs)) => theirs.trim().eq_ignore_ascii_case(mine),
                _ => true,
            })
            .collect();
        let now = tenant
            .and_then(|t| t.collected_date_time.as_deref())
            .and_then(parse_rfc3339)
            .or_else(|| {
                bundle
                    .manifest
                    .collected_at
                    .as_deref()
                    .and_then(parse_rfc3339)
            });
        Context {
            bundle,
            device_lines: bundle
                .device_log
                .as_deref()
                .map(console_lines)
                .unwrap_or_default(),
            portal_lines: bundle
                .company_portal_log
                .as_deref()
                .map(portal_lines)
                .unwrap_or_default(),
            tenant,
            user,
            upn,
            serial: device
                .and_then(|d| d.serial_number.as_deref())
                .map(|s| s.trim().to_uppercase())
                .filter(|s| !s.is_empty()),
            now,
            enrollment_type: bundle.manifest.enrollment_type,
            location: bundle.location(),
            events,
            sign_ins,
        }
    }

    /// Both logs, each line with its source name.
    pub fn log_lines(&self) -> impl Iterator<Item = (&'static str, &LogLine<'a>)> {
        self.portal_lines
            .iter()
            .map(|l| (PORTAL_LOG, l))
            .chain(self.device_lines.iter().map(|l| (DEVICE_LOG, l)))
    }

    pub fn is_ade(&self) -> bool {
        self.enrollment_type == Some(EnrollmentType::Ade)
    }

    pub fn is_byod(&self) -> bool {
        self.enrollment_type == Some(EnrollmentType::Byod)
    }

    /// The restriction of one kind that applies to the user: the lowest priority number among
    /// non-default restrictions assigned to one of the user's groups, else Default (priority 0).
    /// With the user unknown only Default can be told.
    pub fn effective_restriction<T>(
        &self,
        pick: impl Fn(&'a EnrollmentConfiguration) -> Option<&'a T>,
    ) -> Option<(&'a T, i64, bool)> {
        let tenant = self.tenant?;
        let mut best: Option<(&'a T, i64, bool)> = None;
        for config in &tenant.device_enrollment_configurations {
            let (Some(inner), Some((priority, groups))) =
                (pick(config), config.priority_and_groups())
            else {
                continue;
            };
            let is_default = priority == 0;
            let member = |gs: &[String]| {
                self.user
                    .is_some_and(|u| gs.iter().any(|g| u.member_of.iter().any(|m| m == g)))
            };
            // An excluded group wins over an assigned one: its members fall through.
            let applies = is_default || (member(groups) && !member(config.excluded_groups()));
            if !applies {
                continue;
            }
            let better = match best {
                None => true,
                // A group restriction beats Default; between group restrictions the lower number wins.
                Some((_, p, d)) => !is_default && (d || priority < p),
            };
            if better {
                best = Some((inner, priority, is_default));
            }
        }
        best
    }

    /// The ADE token and the enrollment profile(s) that concern the device: the profile assigned
    /// to its serial number, or (serial unknown or not imported) the profiles of the only token.
    pub fn ade_profiles(
        &self,
    ) -> Vec<(
        &'a DepOnboardingSettingView,
        &'a EnrollmentProfileView,
        bool,
    )> {
        let Some(tenant) = self.tenant else {
            return Vec::new();
        };
        if let Some(serial) = &self.serial {
            for token in &tenant.dep_onboarding_settings {
                let assigned = token.imported_apple_device_identities.iter().find(|d| {
                    d.serial_number
                        .as_deref()
                        .is_some_and(|s| s.trim().eq_ignore_ascii_case(serial))
                });
                if let Some(device) = assigned {
                    return device
                        .requested_enrollment_profile_id
                        .as_deref()
                        .and_then(|id| token.enrollment_profiles.iter().find(|p| p.id == id))
                        .map(|p| vec![(token, p, true)])
                        .unwrap_or_default();
                }
            }
        }
        match tenant.dep_onboarding_settings.as_slice() {
            [token] => token
                .enrollment_profiles
                .iter()
                .map(|p| (token, p, false))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// The enrolling user: by UPN, else by the events' user id, else by the sign-ins' UPN, else the
/// only user of the tenant.
fn find_user<'a>(
    tenant: &'a TenantView,
    upn: Option<&str>,
    events: &[EnrollmentEvent],
    sign_ins: &[SignInRecord],
) -> Option<&'a UserView> {
    let by_upn = |upn: &str| {
        tenant
            .users
            .iter()
            .find(|u| u.user_principal_name.trim().eq_ignore_ascii_case(upn))
    };
    if let Some(upn) = upn {
        return by_upn(upn);
    }
    let unique = |found: Vec<&'a UserView>| -> Option<&'a UserView> {
        match found.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    };
    let mut from_events: Vec<&UserView> = tenant
        .users
        .iter()
        .filter(|u| {
            !u.id.is_empty()
                && events
                    .iter()
                    .any(|e| e.user_id.as_deref() == Some(u.id.as_str()))
        })
        .collect();
    from_events.dedup_by(|a, b| a.id == b.id);
    if let Some(u) = unique(from_events) {
        return Some(u);
    }
    let from_sign_ins: Vec<&UserView> = tenant
        .users
        .iter()
        .filter(|u| {
            sign_ins.iter().any(|s| {
                s.user_principal_name
                    .as_deref()
                    .is_some_and(|n| n.trim().eq_ignore_ascii_case(&u.user_principal_name))
            })
        })
        .collect();
    if let Some(u) = unique(from_sign_ins) {
        return Some(u);
    }
    unique(tenant.users.iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::{DeviceFacts, DeviceLimitConfiguration};

    fn limit(priority: i64, groups: &[&str], limit: u32) -> EnrollmentConfiguration {
        EnrollmentConfiguration::Limit(DeviceLimitConfiguration {
            priority,
            assigned_group_ids: groups.iter().map(|g| g.to_string()).collect(),
            limit,
            ..Default::default()
        })
    }

    fn bundle(member_of: &[&str]) -> EvidenceBundle {
        let tenant = TenantView {
            device_enrollment_configurations: vec![
                limit(0, &["all"], 15),
                limit(5, &["a"], 3),
                limit(2, &["b"], 7),
                limit(1, &["nobody"], 1),
            ],
            users: vec![UserView {
                id: "u1".into(),
                user_principal_name: "Someone@Example.test".into(),
                member_of: member_of.iter().map(|g| g.to_string()).collect(),
                ..Default::default()
            }],
            ..Default::default()
        };
        EvidenceBundle::default()
            .with_device(DeviceFacts {
                user_principal_name: Some("someone@example.test".into()),
                ..Default::default()
            })
            .with_tenant(tenant)
    }

    fn effective(member_of: &[&str]) -> u32 {
        let b = bundle(member_of);
        let ctx = Context::new(&b);
        fn pick(c: &EnrollmentConfiguration) -> Option<&DeviceLimitConfiguration> {
            match c {
                EnrollmentConfiguration::Limit(l) => Some(l),
                _ => None,
            }
        }
        ctx.effective_restriction(pick)
            .map(|(l, _, _)| l.limit)
            .unwrap()
    }

    #[test]
    fn highest_priority_group_restriction_wins_and_default_is_last() {
        assert_eq!(effective(&["a", "b"]), 7);
        assert_eq!(effective(&["a"]), 3);
        assert_eq!(effective(&["c"]), 15);
    }

    #[test]
    fn an_excluded_group_falls_through_to_the_next_priority() {
        let mut b = bundle(&["a", "b", "x"]);
        if let Some(tenant) = b.tenant.as_mut() {
            for c in &mut tenant.device_enrollment_configurations {
                if let EnrollmentConfiguration::Limit(l) = c {
                    if l.priority == 2 {
                        l.excluded_group_ids = vec!["x".into()];
                    }
                }
            }
        }
        let ctx = Context::new(&b);
        let limit = ctx
            .effective_restriction(|c| match c {
                EnrollmentConfiguration::Limit(l) => Some(l),
                _ => None,
            })
            .map(|(l, _, _)| l.limit);
        assert_eq!(limit, Some(3), "priority 2 excludes x: priority 5 applies");
    }

    #[test]
    fn user_is_found_case_insensitively() {
        let b = bundle(&[]);
        let ctx = Context::new(&b);
        assert_eq!(ctx.user.map(|u| u.id.as_str()), Some("u1"));
        assert_eq!(ctx.upn.as_deref(), Some("someone@example.test"));
    }
}
