//! Which restriction applies to a user, and how many devices count against the limit.
//!
//! The rules follow Intune's "Set enrollment restrictions": users are subject only to the
//! highest-priority restriction assigned to a group they are in (priority 1 beats priority 2);
//! the Default restriction (priority 0 here) applies to everyone and is evaluated last; a
//! restriction assigned to no group has no effect. An assignment may also exclude groups: a
//! user in an excluded group is not subject to that restriction (exclusion wins over
//! inclusion), and falls through to the next priority, Default last. For the device limit, every device the user
//! has enrolled counts — including records the Company Portal website shows but the admin
//! center does not (the article's note under "Device cap reached").

use super::state::{
    DeviceLimitRestriction, IntuneState, ManagementState, PlatformRestriction, DEFAULT_DEVICE_LIMIT,
};

/// What [`effective`] needs of a restriction.
trait Assigned {
    fn priority(&self) -> u32;
    fn included(&self) -> &[String];
    fn excluded(&self) -> &[String];
}

impl Assigned for PlatformRestriction {
    fn priority(&self) -> u32 {
        self.priority
    }
    fn included(&self) -> &[String] {
        &self.groups
    }
    fn excluded(&self) -> &[String] {
        &self.excluded_groups
    }
}

impl Assigned for DeviceLimitRestriction {
    fn priority(&self) -> u32 {
        self.priority
    }
    fn included(&self) -> &[String] {
        &self.groups
    }
    fn excluded(&self) -> &[String] {
        &self.excluded_groups
    }
}

fn effective<'a, T: Assigned>(items: &'a [T], user_groups: &[String]) -> Option<&'a T> {
    let member = |groups: &[String]| groups.iter().any(|g| user_groups.contains(g));
    let assigned = items
        .iter()
        .filter(|r| r.priority() > 0)
        .filter(|r| member(r.included()) && !member(r.excluded()))
        .min_by_key(|r| r.priority());
    assigned.or_else(|| items.iter().find(|r| r.priority() == 0))
}

/// The platform restriction that applies to a user in `user_groups`.
pub fn platform_restriction_for<'a>(
    state: &'a IntuneState,
    user_groups: &[String],
) -> Option<&'a PlatformRestriction> {
    effective(&state.platform_restrictions, user_groups)
}

/// The device limit restriction that applies to a user in `user_groups`.
pub fn limit_restriction_for<'a>(
    state: &'a IntuneState,
    user_groups: &[String],
) -> Option<&'a DeviceLimitRestriction> {
    effective(&state.limit_restrictions, user_groups)
}

/// The limit that applies to a user.
pub fn device_limit_for(state: &IntuneState, user_groups: &[String]) -> u32 {
    limit_restriction_for(state, user_groups)
        .map(|r| r.limit)
        .unwrap_or(DEFAULT_DEVICE_LIMIT)
}

/// Devices enrolled by `upn` that count toward the limit, `(admin-visible, all)`.
pub fn enrolled_device_count(state: &IntuneState, upn: &str) -> (u32, u32) {
    let mine = state
        .devices_of_user(upn)
        .into_iter()
        .filter(|d| d.state != ManagementState::Enrolling);
    let (visible, all) = mine.fold((0, 0), |(v, a), d| (v + u32::from(d.admin_visible), a + 1));
    (visible, all)
}

/// Compares dotted version strings numerically ("17.10" > "17.9"); missing parts count as 0.
pub fn version_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let parts = |s: &str| -> Vec<u64> {
        s.split('.')
            .map(|p| {
                p.chars()
                    .take_while(char::is_ascii_digit)
                    .collect::<String>()
                    .parse()
                    .unwrap_or(0)
            })
            .collect()
    };
    let (pa, pb) = (parts(a), parts(b));
    let n = pa.len().max(pb.len());
    for i in 0..n {
        let o = pa.get(i).unwrap_or(&0).cmp(pb.get(i).unwrap_or(&0));
        if o.is_ne() {
            return o;
        }
    }
    std::cmp::Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(id: &str, priority: u32, groups: &[&str], limit: u32) -> DeviceLimitRestriction {
        DeviceLimitRestriction {
            id: id.into(),
            name: id.into(),
            priority,
            groups: groups.iter().map(|g| g.to_string()).collect(),
            excluded_groups: Vec::new(),
            limit,
        }
    }

    #[test]
    fn highest_priority_assigned_restriction_wins_and_default_is_last() {
        let mut state = IntuneState::new("t");
        state.limit_restrictions.push(limit("a", 5, &["A"], 3));
        state.limit_restrictions.push(limit("b", 2, &["B"], 7));
        state
            .limit_restrictions
            .push(limit("unassigned", 1, &[], 1));
        let joe = vec!["A".to_string(), "B".to_string()];
        assert_eq!(device_limit_for(&state, &joe), 7);
        assert_eq!(device_limit_for(&state, &["A".to_string()]), 3);
        assert_eq!(device_limit_for(&state, &["C".to_string()]), 15);
    }

    #[test]
    fn versions_compare_numerically() {
        use std::cmp::Ordering::*;
        assert_eq!(version_cmp("17.10", "17.9"), Greater);
        assert_eq!(version_cmp("5.2400.0", "5.2400"), Equal);
        assert_eq!(version_cmp("4.9", "5.2400.0"), Less);
    }

    #[test]
    fn an_excluded_group_falls_through_to_the_next_priority_and_default() {
        let mut state = IntuneState::new("t");
        let mut sales = limit("sales", 1, &["sales"], 3);
        sales.excluded_groups = vec!["managers".into()];
        state.limit_restrictions.push(sales);
        state
            .limit_restrictions
            .push(limit("all-staff", 2, &["staff"], 8));
        let seller = vec!["sales".to_string(), "staff".to_string()];
        assert_eq!(device_limit_for(&state, &seller), 3);
        let manager = vec![
            "sales".to_string(),
            "staff".to_string(),
            "managers".to_string(),
        ];
        assert_eq!(device_limit_for(&state, &manager), 8, "the next priority");
        let only_sales_manager = vec!["sales".to_string(), "managers".to_string()];
        assert_eq!(device_limit_for(&state, &only_sales_manager), 15, "Default");
    }
}
