//! Reading scenario files: TOML in, a [`Scenario`] or an error that names the file, the line and
//! what was expected.

use std::path::{Path, PathBuf};

use super::model::{Cause, HistoryStep, OutcomeKind, ResolutionStep, Scenario, DEFAULT_DEVICE};

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("{file}: cannot read: {source}")]
    Read {
        /// The file.
        file: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The TOML is malformed, has an unknown key, a value of the wrong type, an id the catalog
    /// does not have, or a start time that is not RFC 3339; the position is the value's.
    #[error("{file}:{line}:{column}: {message}")]
    Parse {
        /// The file (or `<string>`).
        file: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What was wrong and what was expected.
        message: String,
    },
    /// The file parsed but says something impossible.
    #[error("{file}:{line}:{column}: {message}")]
    Invalid {
        /// The file.
        file: PathBuf,
        /// 1-based line of the offending key (1 when it cannot be located).
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// Two scenarios share an id.
    #[error("{file}: scenario id {id:?} is already used by {other}")]
    DuplicateId {
        /// The file.
        file: PathBuf,
        /// The id.
        id: String,
        /// The other file.
        other: PathBuf,
    },
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rfind('\n')
        .map_or(before.len(), |i| before.len() - i - 1)
        + 1;
    (line, column)
}

/// Where to point for a parse error over `span`: at the value the message quotes, when it is
/// written as a value at or after the span's start, else at the span's start. A value inside
/// an internally tagged table (a history or resolution step) gets only the array's first
/// `[[...]]` header as its span from serde, which would put a bad `by = "100 days"` lines
/// away from where it is written.
fn quoted_value_within(text: &str, span: std::ops::Range<usize>, message: &str) -> usize {
    let quoted = message
        .split_once('"')
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(value, _)| format!("\"{value}\""));
    let after = text.get(span.start..).unwrap_or("");
    let as_value = |q: &String| {
        after
            .match_indices(q.as_str())
            .map(|(at, _)| at)
            .find(|at| after[..*at].trim_end().ends_with('='))
    };
    quoted
        .as_ref()
        .and_then(as_value)
        .map_or(span.start, |at| span.start + at)
}

impl Scenario {
    /// Parses a scenario from TOML text; `origin` names it in errors.
    #[must_use = "a parsed scenario does nothing until it is run"]
    pub fn from_toml_str(text: &str, origin: impl AsRef<Path>) -> Result<Scenario, ScenarioError> {
        let file = origin.as_ref().to_path_buf();
        let scenario: Scenario = toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map(|s| line_col(text, quoted_value_within(text, s, e.message())))
                .unwrap_or((1, 1));
            ScenarioError::Parse {
                file: file.clone(),
                line,
                column,
                message: e.message().to_string(),
            }
        })?;
        scenario.validate().map_err(|(message, key, value)| {
            let (line, column) = locate(text, key, &value);
            ScenarioError::Invalid {
                file,
                line,
                column,
                message,
            }
        })?;
        Ok(scenario)
    }

    /// Loads a scenario file.
    #[must_use = "a loaded scenario does nothing until it is run"]
    pub fn load(path: impl AsRef<Path>) -> Result<Scenario, ScenarioError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
            file: path.to_path_buf(),
            source,
        })?;
        Scenario::from_toml_str(&text, path)
    }

    /// The scenario as TOML.
    #[must_use]
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }

    /// Checks what the TOML types cannot say; an error carries the message and the key and
    /// value to point at.
    fn validate(&self) -> Result<(), Problem> {
        self.validate_id()?;
        self.validate_devices()?;
        self.validate_users()?;
        self.validate_directory()?;
        self.validate_seats()?;
        self.validate_step_references()?;
        self.validate_directory_steps()?;
        self.validate_limits()?;
        self.validate_catalog_pair()?;
        self.validate_stages()
    }

    /// Every resolution of the scenario with the path that names it in errors: the first
    /// cause's, then each follow-on stage's.
    fn resolutions(&self) -> Vec<(String, &[ResolutionStep])> {
        let mut all = vec![("resolution".to_string(), &self.resolution[..])];
        for (i, stage) in self.expect.then.iter().enumerate() {
            all.push((
                format!("expect.then[{i}].resolution"),
                &stage.resolution[..],
            ));
        }
        all
    }

    /// Follow-on stages belong to a failure scenario, each names a pair the article lists,
    /// and no stage repeats a cause already met (it would have been fixed).
    fn validate_stages(&self) -> Result<(), Problem> {
        if self.expect.then.is_empty() {
            return Ok(());
        }
        if self.cause.is_none() {
            let m = "expect.then needs the scenario's own section and cause: the first failure is the first stage".to_string();
            return Err((m, "then", String::new()));
        }
        let mut met: Vec<Cause> = self.cause.into_iter().collect();
        for (i, stage) in self.expect.then.iter().enumerate() {
            if !stage.section.causes().contains(&stage.cause) {
                let m = format!(
                    "expect.then[{i}]: the article does not list cause {:?} under section {:?}; it lists {}",
                    stage.cause.id(),
                    stage.section.id(),
                    ids(&stage.section.causes())
                );
                return Err((m, "cause", stage.cause.id().to_string()));
            }
            if met.contains(&stage.cause) {
                let m = format!(
                    "expect.then[{i}].cause {:?} is met again although an earlier stage fixed it",
                    stage.cause.id()
                );
                return Err((m, "cause", stage.cause.id().to_string()));
            }
            if stage.outcome == OutcomeKind::Enrolled {
                let m = format!("expect.then[{i}].outcome is enrolled; a stage is a failure that follows a fix (the enrollment after the last fix is implied)");
                return Err((m, "outcome", "enrolled".to_string()));
            }
            met.push(stage.cause);
        }
        Ok(())
    }

    fn validate_id(&self) -> Result<(), Problem> {
        let valid = !self.id.is_empty()
            && self
                .id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if valid {
            return Ok(());
        }
        let m = format!(
            "id {:?} must be non-empty and use only letters, digits, '-' and '_'",
            self.id
        );
        Err((m, "id", self.id.clone()))
    }

    fn knows_user(&self, upn: &str) -> bool {
        self.world
            .users
            .iter()
            .any(|u| u.upn.eq_ignore_ascii_case(upn))
    }

    /// The ids actions may name: `world.device`'s and those of `world.devices`.
    fn device_ids(&self) -> Vec<&str> {
        let first = self.world.device.id.as_deref().unwrap_or(DEFAULT_DEVICE);
        let further = self.world.devices.iter().filter_map(|d| d.id.as_deref());
        std::iter::once(first).chain(further).collect()
    }

    /// Every device of `world.devices` has an id, and no two devices share one.
    fn validate_devices(&self) -> Result<(), Problem> {
        let known = self.device_ids();
        if let Some(i) = self.world.devices.iter().position(|d| d.id.is_none()) {
            let m = format!("world.devices[{i}] needs an id for actions to name it by");
            return Err((m, "[[world.devices]]", i.to_string()));
        }
        for (i, id) in known.iter().enumerate() {
            if known[..i].contains(id) {
                let m = format!("device id {id:?} is used twice");
                return Err((m, "id", format!("\"{id}\"")));
            }
        }
        for (i, step) in self.world.history.iter().enumerate() {
            if let Some(id) = history_device(step).filter(|d| !known.contains(&d.as_str())) {
                let m = format!(
                    "world.history[{i}].device {id:?} is not a device of the world (ids: {})",
                    ids(&known)
                );
                return Err((m, "device", id.clone()));
            }
        }
        Ok(())
    }

    /// The actions and attempts: who and on which device, and whom the device should end up
    /// enrolled for, all of the world.
    fn validate_users(&self) -> Result<(), Problem> {
        let attempts = self
            .attempts
            .iter()
            .enumerate()
            .map(|(i, a)| (format!("attempts[{i}]"), Some(a.action()), Some(&a.expect)));
        let actions = [
            (
                "action".to_string(),
                Some(self.action.clone()),
                Some(&self.expect),
            ),
            ("reenroll".to_string(), self.reenroll.clone(), None),
        ]
        .into_iter()
        .chain(attempts);
        let devices = self.device_ids();
        for (what, action, expect) in actions {
            let Some(a) = action else { continue };
            if !self.knows_user(&a.user) {
                let m = format!("{what}.user {:?} is not one of world.users", a.user);
                return Err((m, "user", a.user.clone()));
            }
            if let Some(id) = a.device.filter(|d| !devices.contains(&d.as_str())) {
                let m = format!(
                    "{what}.device {id:?} is not a device of the world (ids: {})",
                    ids(&devices)
                );
                return Err((m, "device", id));
            }
            let enrolled_as = expect.and_then(|e| e.enrolled_as.as_ref());
            if let Some(upn) = enrolled_as.filter(|u| !self.knows_user(u)) {
                let m = format!("{what}: expect.enrolled_as {upn:?} is not one of world.users");
                return Err((m, "enrolled_as", upn.clone()));
            }
        }
        Ok(())
    }
    /// The users and ADE profiles that history and resolution steps name exist in the world,
    /// so a typo fails at load rather than as a resolution error after the run.
    fn validate_step_references(&self) -> Result<(), Problem> {
        let history_users = self.world.history.iter().map(|h| match h {
            HistoryStep::Enroll { user, .. }
            | HistoryStep::DeleteUser { user }
            | HistoryStep::AddToGroup { user, .. }
            | HistoryStep::RemoveFromGroup { user, .. }
            | HistoryStep::AssignLicense { user, .. }
            | HistoryStep::RemoveLicense { user, .. } => Some(user),
            _ => None,
        });
        let mut lists = vec![(
            "world.history".to_string(),
            history_users.collect::<Vec<_>>(),
        )];
        for (what, steps) in self.resolutions() {
            lists.push((what, steps.iter().map(|r| step_references(r).0).collect()));
        }
        for (what, users) in lists {
            for (i, user) in users.into_iter().enumerate() {
                if let Some(user) = user.filter(|u| !self.knows_user(u)) {
                    let m = format!("{what}[{i}].user {user:?} is not one of world.users");
                    return Err((m, "user", user.clone()));
                }
            }
        }
        let profiles = self.world.tenant.ade.as_ref().map(|a| &a.profiles[..]);
        let known = |name: &str| profiles.is_some_and(|p| p.iter().any(|p| p.name == name));
        for (what, steps) in self.resolutions() {
            for (i, step) in steps.iter().enumerate() {
                if let Some(profile) = step_references(step).1.filter(|p| !known(p)) {
                    let m = format!(
                        "{what}[{i}].profile {profile:?} is not one of world.tenant.ade.profiles"
                    );
                    return Err((m, "profile", profile.clone()));
                }
            }
        }
        Ok(())
    }

    /// Whether `id` names a group: declared in `world.tenant.groups` or listed by a user.
    fn knows_group(&self, id: &str) -> bool {
        self.world.tenant.groups.iter().any(|g| g.id == id)
            || self
                .world
                .users
                .iter()
                .any(|u| u.groups.iter().any(|g| g == id))
    }

    /// Groups and Conditional Access policies name users and groups of the world.
    fn validate_directory(&self) -> Result<(), Problem> {
        let tenant = &self.world.tenant;
        for (i, g) in tenant.groups.iter().enumerate() {
            if let Some(m) = g
                .members
                .iter()
                .find(|m| !self.knows_user(m) && !self.knows_group(m))
            {
                let m2 = format!("world.tenant.groups[{i}].members: {m:?} is neither one of world.users nor a group");
                return Err((m2, "members", m.clone()));
            }
        }
        for (i, p) in tenant.conditional_access.iter().enumerate() {
            let users = p
                .include_users
                .iter()
                .filter(|u| !u.eq_ignore_ascii_case(crate::scenario::ALL_USERS));
            if let Some(u) = users.chain(&p.exclude_users).find(|u| !self.knows_user(u)) {
                let m = format!("world.tenant.conditional_access[{i}] ({:?}) names user {u:?}, who is not one of world.users", p.name);
                let key = if p.exclude_users.contains(u) {
                    "exclude_users"
                } else {
                    "include_users"
                };
                return Err((m, key, u.clone()));
            }
            if let Some(g) = p
                .include_groups
                .iter()
                .chain(&p.exclude_groups)
                .find(|g| !self.knows_group(g))
            {
                let m = format!("world.tenant.conditional_access[{i}] ({:?}) names group {g:?}, which is not one of world.tenant.groups", p.name);
                let key = if p.exclude_groups.contains(g) {
                    "exclude_groups"
                } else {
                    "include_groups"
                };
                return Err((m, key, g.clone()));
            }
        }
        Ok(())
    }

    /// No subscription starts with more holders than seats: a licence with no seat left cannot
    /// be assigned, so a world that needs one cannot exist.
    fn validate_seats(&self) -> Result<(), Problem> {
        let tenant = &self.world.tenant;
        for (i, sku) in tenant.skus.iter().enumerate() {
            let holders = self
                .world
                .users
                .iter()
                .filter(|u| {
                    u.licenses.iter().any(|l| license_sku(l) == sku.sku)
                        || self.groups_of(&u.upn).iter().any(|g| {
                            tenant.groups.iter().any(|x| {
                                &x.id == g && x.licenses.iter().any(|l| l.sku() == sku.sku)
                            })
                        })
                })
                .count() as u32;
            if holders > sku.seats {
                let m = format!(
                    "world.tenant.skus[{i}]: {} licences of {} are assigned but only {} seats were bought; assigning a licence with no seats left fails",
                    holders, sku.sku, sku.seats
                );
                return Err((m, "seats", sku.seats.to_string()));
            }
        }
        Ok(())
    }

    /// Every group `upn` belongs to, transitively (listed on the user or by a group).
    fn groups_of(&self, upn: &str) -> std::collections::BTreeSet<String> {
        let tenant = &self.world.tenant;
        let mut found: std::collections::BTreeSet<String> = self
            .world
            .users
            .iter()
            .filter(|u| u.upn.eq_ignore_ascii_case(upn))
            .flat_map(|u| u.groups.iter().cloned())
            .collect();
        found.extend(
            tenant
                .groups
                .iter()
                .filter(|g| g.members.iter().any(|m| m.eq_ignore_ascii_case(upn)))
                .map(|g| g.id.clone()),
        );
        loop {
            let outer: Vec<String> = tenant
                .groups
                .iter()
                .filter(|g| !found.contains(&g.id) && g.members.iter().any(|m| found.contains(m)))
                .map(|g| g.id.clone())
                .collect();
            if outer.is_empty() {
                return found;
            }
            found.extend(outer);
        }
    }

    /// Resolution steps name groups and policies of the tenant.
    fn validate_directory_steps(&self) -> Result<(), Problem> {
        let policies = &self.world.tenant.conditional_access;
        for (what, steps) in self.resolutions() {
            for (i, step) in steps.iter().enumerate() {
                let (group, policy) = match step {
                    ResolutionStep::AddToGroup { group, .. }
                    | ResolutionStep::RemoveFromGroup { group, .. }
                    | ResolutionStep::AssignGroupLicense { group, .. } => (Some(group), None),
                    ResolutionStep::EnableServicePlan { group, .. } => (group.as_ref(), None),
                    ResolutionStep::ExcludeFromPolicy { policy, group, .. } => {
                        (group.as_ref(), Some(policy))
                    }
                    ResolutionStep::SetPolicyGrant { policy, .. }
                    | ResolutionStep::SetPolicyState { policy, .. } => (None, Some(policy)),
                    _ => (None, None),
                };
                if let Some(g) = group.filter(|g| !self.knows_group(g)) {
                    let m = format!("{what}[{i}].group {g:?} is not one of world.tenant.groups");
                    return Err((m, "group", g.clone()));
                }
                if let Some(p) = policy.filter(|p| !policies.iter().any(|x| &x.name == *p)) {
                    let m = format!(
                        "{what}[{i}].policy {p:?} is not one of world.tenant.conditional_access"
                    );
                    return Err((m, "policy", p.clone()));
                }
            }
        }
        for (i, step) in self.world.history.iter().enumerate() {
            let (HistoryStep::AddToGroup { group, .. }
            | HistoryStep::RemoveFromGroup { group, .. }
            | HistoryStep::RemoveGroupLicense { group, .. }) = step
            else {
                continue;
            };
            if !self.knows_group(group) {
                let m =
                    format!("world.history[{i}].group {group:?} is not one of world.tenant.groups");
                return Err((m, "group", group.clone()));
            }
        }
        Ok(())
    }

    fn validate_limits(&self) -> Result<(), Problem> {
        for (i, l) in self.world.tenant.limit_restrictions.iter().enumerate() {
            if !(1..=15).contains(&l.limit) {
                let m = format!(
                    "world.tenant.limit_restrictions[{i}].limit is {}; Intune allows 1 to 15",
                    l.limit
                );
                return Err((m, "limit", l.limit.to_string()));
            }
        }
        let limit = self.world.tenant.default_device_limit;
        if !(1..=15).contains(&limit) {
            let m = format!("world.tenant.default_device_limit is {limit}; Intune allows 1 to 15");
            return Err((m, "default_device_limit", limit.to_string()));
        }
        Ok(())
    }

    /// A failure scenario names both its section and its cause, and the article lists that
    /// cause under that section: the run checks the blind diagnosis against exactly this pair.
    fn validate_catalog_pair(&self) -> Result<(), Problem> {
        match (self.section, self.cause) {
            (None, None) => Ok(()),
            (Some(section), None) => {
                let m = format!(
                    "section {:?} is set without a cause; give one of {}",
                    section.id(),
                    ids(&section.causes())
                );
                Err((m, "section", section.id().to_string()))
            }
            (None, Some(cause)) => {
                let m = format!(
                    "cause {:?} is set without a section; give one of {}",
                    cause.id(),
                    ids(&cause.sections())
                );
                Err((m, "cause", cause.id().to_string()))
            }
            (Some(section), Some(cause)) if !section.causes().contains(&cause) => {
                let m = format!(
                    "the article does not list cause {:?} under section {:?}; it lists {}",
                    cause.id(),
                    section.id(),
                    ids(&section.causes())
                );
                Err((m, "cause", cause.id().to_string()))
            }
            _ => Ok(()),
        }
    }
}

/// The user and the ADE profile a resolution step names, if any.
fn step_references(step: &ResolutionStep) -> (Option<&String>, Option<&String>) {
    match step {
        ResolutionStep::AssignLicense { user, .. }
        | ResolutionStep::AllowPersonallyOwnedDevices { user }
        | ResolutionStep::AllowIosPlatform { user }
        | ResolutionStep::SetDeviceLimit { user, .. }
        | ResolutionStep::DeleteStaleDevices { user, .. }
        | ResolutionStep::DisableMfa { user }
        | ResolutionStep::AddToGroup { user, .. }
        | ResolutionStep::RemoveFromGroup { user, .. } => (Some(user), None),
        ResolutionStep::ExcludeFromPolicy { user, .. }
        | ResolutionStep::EnableServicePlan { user, .. } => (user.as_ref(), None),
        ResolutionStep::EditEnrollmentProfile { profile }
        | ResolutionStep::SetEnrollmentProfileFields { profile, .. }
        | ResolutionStep::SetEnrollmentProfileAuthentication { profile, .. } => {
            (None, Some(profile))
        }
        ResolutionStep::RenewApnsCertificate
        | ResolutionStep::ReplaceApnsCertificate
        | ResolutionStep::UploadApnsCertificate
        | ResolutionStep::RemoveManagementProfile
        | ResolutionStep::ReinstallCompanyPortal
        | ResolutionStep::ClearSafariCookies
        | ResolutionStep::RestoreAsNew
        | ResolutionStep::SetCompanyPortalCloud { .. }
        | ResolutionStep::UseOtherNetwork
        | ResolutionStep::UpdateOs { .. }
        | ResolutionStep::SyncAdeToken
        | ResolutionStep::AcceptAbmTerms
        | ResolutionStep::ReaddMdmServer
        | ResolutionStep::RenewAdeToken
        | ResolutionStep::UploadPublicKeyToAbm
        | ResolutionStep::EnableWsTrustEndpoint
        | ResolutionStep::CreateEnrollmentProfile { .. }
        | ResolutionStep::RequestSupportSyncRetry
        | ResolutionStep::WaitHours { .. }
        | ResolutionStep::Wait { .. }
        | ResolutionStep::SetPolicyGrant { .. }
        | ResolutionStep::SetPolicyState { .. }
        | ResolutionStep::SetMdmAuthority
        | ResolutionStep::AssignGroupLicense { .. } => (None, None),
    }
}

/// The device a history step names, if it names one.
fn history_device(step: &HistoryStep) -> Option<&String> {
    match step {
        HistoryStep::Enroll { device, .. }
        | HistoryStep::RemoveManagementProfile { device }
        | HistoryStep::Unenroll { device }
        | HistoryStep::Retire { device }
        | HistoryStep::Wipe { device }
        | HistoryStep::DeleteDeviceRecord { device } => device.as_ref(),
        _ => None,
    }
}

/// The SKU part number of a user's licence.
fn license_sku(l: &crate::scenario::LicenseSpec) -> &str {
    match l {
        crate::scenario::LicenseSpec::Sku(sku)
        | crate::scenario::LicenseSpec::WithPlans { sku, .. } => sku,
    }
}

/// What [`Scenario::validate`] found wrong: the message, and the key and value to point at.
type Problem = (String, &'static str, String);

fn ids<T: std::fmt::Display>(values: &[T]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
    quoted.join(", ")
}

/// The line and column of the first `key = ...value...` in `text`: a key opening its line,
/// else one inside an inline table (`{ user = "..." }`), or the `value`-th header of an array
/// of tables when `key` is one; 1:1 when absent.
fn locate(text: &str, key: &str, value: &str) -> (usize, usize) {
    // An array-of-tables header (`[[world.devices]]`), `value` saying which entry.
    if key.starts_with('[') {
        let nth = value.parse().unwrap_or(0);
        let headers = text.lines().enumerate().filter(|(_, l)| l.trim() == key);
        if let Some((i, _)) = headers.into_iter().nth(nth) {
            return (i + 1, 1);
        }
    }
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let Some(rest) = trimmed.strip_prefix(key) else {
            continue;
        };
        if rest.trim_start().starts_with('=') && rest.contains(value) {
            return (i + 1, line.len() - trimmed.len() + 1);
        }
    }
    for (i, line) in text.lines().enumerate() {
        let inline = line.match_indices(key).find(|(at, _)| {
            let before = line[..*at].trim_end();
            let rest = line[at + key.len()..].trim_start();
            (before.ends_with('{') || before.ends_with(','))
                && rest.starts_with('=')
                && rest.contains(value)
        });
        if let Some((at, _)) = inline {
            return (i + 1, at + 1);
        }
    }
    (1, 1)
}

/// Loads every `*.toml` in `dir`, sorted by id; ids must be unique.
#[must_use = "loaded scenarios do nothing until they are run"]
pub fn load_dir(dir: impl AsRef<Path>) -> Result<Vec<(PathBuf, Scenario)>, ScenarioError> {
    let (loaded, errors) = load_dir_tolerant(dir)?;
    match errors.into_iter().next() {
        Some(first) => Err(first),
        None => Ok(loaded),
    }
}

/// Loads every `*.toml` in `dir` that can be loaded, sorted by id, and says why each other file
/// could not (in file name order), so that one broken file does not keep the others out. A file
/// reusing an id already loaded is one of the errors. Fails only when `dir` cannot be read.
#[allow(clippy::type_complexity)]
pub fn load_dir_tolerant(
    dir: impl AsRef<Path>,
) -> Result<(Vec<(PathBuf, Scenario)>, Vec<ScenarioError>), ScenarioError> {
    let dir = dir.as_ref();
    let entries = std::fs::read_dir(dir).map_err(|source| ScenarioError::Read {
        file: dir.to_path_buf(),
        source,
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let mut loaded: Vec<(PathBuf, Scenario)> = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        let s = match Scenario::load(&p) {
            Ok(s) => s,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        match loaded.iter().find(|(_, o)| o.id == s.id) {
            Some((other, _)) => errors.push(ScenarioError::DuplicateId {
                file: p.clone(),
                id: s.id.clone(),
                other: other.clone(),
            }),
            None => loaded.push((p, s)),
        }
    }
    loaded.sort_by(|a, b| a.1.id.cmp(&b.1.id));
    Ok((loaded, errors))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Cause, OutcomeKind, ResolutionStep, Section};
    use time::macros::datetime;

    /// A valid failure scenario, with `extra` lines inserted after the catalog ids.
    fn with(section: &str, cause: &str, extra: &str) -> String {
        format!(
            "id = \"x\"\ntitle = \"t\"\nsection = \"{section}\"\ncause = \"{cause}\"\n{extra}\n\
             [[world.users]]\nupn = \"alex@contoso.example\"\n\
             [action]\nenroll = \"company-portal\"\nuser = \"alex@contoso.example\"\n\
             [expect]\noutcome = \"failed\"\n"
        )
    }

    fn error(text: &str) -> String {
        Scenario::from_toml_str(text, "scenarios/x.toml")
            .expect_err("a broken scenario is refused")
            .to_string()
    }

    #[test]
    fn catalog_ids_load_as_typed_values() {
        let text = with("device-cap-reached", "device-limit-reached", "");
        let s = Scenario::from_toml_str(&text, "scenarios/x.toml").unwrap();
        assert_eq!(s.section, Some(Section::DeviceCapReached));
        assert_eq!(s.cause, Some(Cause::DeviceLimitReached));
    }

    #[test]
    fn unknown_section_names_file_line_column_and_the_nearest_id() {
        let err = error(&with("device-cap-reachd", "device-limit-reached", ""));
        assert!(
            err.starts_with("scenarios/x.toml:3:11: unknown section id \"device-cap-reachd\""),
            "{err}"
        );
        assert!(err.contains("did you mean \"device-cap-reached\""), "{err}");
    }

    #[test]
    fn unknown_cause_names_file_line_column_and_the_valid_ids() {
        let err = error(&with("device-cap-reached", "too-many-phones", ""));
        assert!(
            err.starts_with("scenarios/x.toml:4:9: unknown cause id \"too-many-phones\""),
            "{err}"
        );
        for id in Cause::IDS {
            assert!(err.contains(id), "{id} is not listed: {err}");
        }
    }

    #[test]
    fn a_cause_the_section_does_not_list_is_refused() {
        let err = error(&with("device-cap-reached", "user-not-licensed", ""));
        assert!(err.starts_with("scenarios/x.toml:4:1: "), "{err}");
        assert!(err.contains("\"device-limit-reached\""), "{err}");
        let text = with("device-cap-reached", "device-limit-reached", "")
            .replace("cause = \"device-limit-reached\"\n", "");
        let err = error(&text);
        assert!(err.starts_with("scenarios/x.toml:3:1: "), "{err}");
        assert!(err.contains("without a cause"), "{err}");
    }

    #[test]
    fn bad_start_names_file_line_column_and_a_valid_time() {
        let text = with(
            "device-cap-reached",
            "device-limit-reached",
            "[world]\nstart = \"26/11/2026 09:00\"",
        );
        let err = error(&text);
        assert!(
            err.starts_with("scenarios/x.toml:6:9: world.start \"26/11/2026 09:00\""),
            "{err}"
        );
        assert!(err.contains("RFC 3339") && err.contains("2026-11-26T09:00:00Z"));
        let local = text.replace("\"26/11/2026 09:00\"", "2026-11-26T09:00:00");
        assert!(error(&local).starts_with("scenarios/x.toml:6:9: world.start"));
    }

    #[test]
    fn start_reads_a_string_or_a_toml_date_time() {
        for written in ["\"2027-01-02T03:04:05Z\"", "2027-01-02T03:04:05Z"] {
            let text = with(
                "device-cap-reached",
                "device-limit-reached",
                &format!("[world]\nstart = {written}"),
            );
            let s = Scenario::from_toml_str(&text, "x.toml").unwrap();
            assert_eq!(
                s.world.start,
                datetime!(2027-01-02 03:04:05 UTC),
                "{written}"
            );
        }
    }

    #[test]
    fn a_scenario_survives_a_round_trip_through_toml() {
        let text = with(
            "device-cap-reached",
            "device-limit-reached",
            "[world]\nstart = \"2027-01-02T03:04:05+01:00\"",
        );
        let s = Scenario::from_toml_str(&text, "x.toml").unwrap();
        let toml = s.to_toml();
        assert!(toml.contains("section = \"device-cap-reached\""), "{toml}");
        assert!(
            toml.contains("start = \"2027-01-02T03:04:05+01:00\""),
            "{toml}"
        );
        assert_eq!(Scenario::from_toml_str(&toml, "again.toml").unwrap(), s);
    }

    #[test]
    fn steps_must_name_users_and_profiles_of_the_world() {
        let base = with("device-cap-reached", "device-limit-reached", "");
        let text =
            format!("{base}[[resolution]]\ndo = \"disable-mfa\"\nuser = \"alx@contoso.example\"\n");
        let err = error(&text);
        assert!(
            err.starts_with("scenarios/x.toml:15:1: resolution[0].user \"alx@"),
            "{err}"
        );
        let text = base.replace(
            "[action]",
            "[[world.history]]\ndo = \"enroll\"\nvia = \"safari\"\nuser = \"sam@contoso.example\"\n[action]",
        );
        let err = error(&text);
        assert!(err.contains("world.history[0].user \"sam@"), "{err}");
        let text =
            format!("{base}[[resolution]]\ndo = \"edit-enrollment-profile\"\nprofile = \"Shop\"\n");
        let err = error(&text);
        assert!(
            err.starts_with("scenarios/x.toml:15:1: resolution[0].profile \"Shop\""),
            "{err}"
        );
    }

    #[test]
    fn the_format_doc_lists_every_section_and_cause_id() {
        let doc = include_str!("../../../docs/scenario-format.md");
        for id in Section::IDS.iter().chain(Cause::IDS) {
            assert!(doc.contains(&format!("`{id}`")), "{id} is not in the doc");
        }
    }

    #[test]
    fn every_catalog_and_variant_file_loads_and_round_trips() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut seen = 0;
        for dir in ["scenarios", "tests/variants", "tests/combined"] {
            for (path, s) in load_dir(root.join(dir)).unwrap_or_else(|e| panic!("{e}")) {
                let again =
                    Scenario::from_toml_str(&s.to_toml(), &path).unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(again, s, "{}", path.display());
                seen += 1;
            }
        }
        assert!(seen >= 40, "only {seen} scenario files");
    }

    /// A failure scenario with one follow-on stage, written `stage`.
    fn with_stage(stage: &str) -> String {
        format!(
            "{}[[expect.then]]\n{stage}\n",
            with("user-license-type-invalid", "user-not-licensed", "")
        )
    }

    #[test]
    fn follow_on_stages_load_as_typed_values_in_either_toml_form() {
        let table = with_stage(
            "section = \"device-cap-reached\"\ncause = \"device-limit-reached\"\nmessage = \"device-cap-reached\"\n\
             resolution = [{ do = \"delete-stale-devices\", user = \"alex@contoso.example\", count = 2 }]",
        );
        let s = Scenario::from_toml_str(&table, "x.toml").unwrap();
        let stage = &s.expect.then[0];
        assert_eq!(stage.section, Section::DeviceCapReached);
        assert_eq!(stage.cause, Cause::DeviceLimitReached);
        assert_eq!(stage.outcome, OutcomeKind::Failed);
        assert_eq!(
            stage.resolution,
            vec![ResolutionStep::DeleteStaleDevices {
                user: "alex@contoso.example".into(),
                count: Some(2)
            }]
        );
        let inline = with("user-license-type-invalid", "user-not-licensed", "").replace(
            "outcome = \"failed\"\n",
            "outcome = \"failed\"\nthen = [{ section = \"device-cap-reached\", cause = \"device-limit-reached\", message = \"device-cap-reached\", resolution = [{ do = \"delete-stale-devices\", user = \"alex@contoso.example\", count = 2 }] }]\n",
        );
        assert_eq!(Scenario::from_toml_str(&inline, "x.toml").unwrap(), s);
        let again = Scenario::from_toml_str(&s.to_toml(), "again.toml").unwrap();
        assert_eq!(again, s);
    }

    #[test]
    fn follow_on_stages_are_checked_with_file_line_column() {
        let err = error(&with_stage(
            "section = \"device-cap-reached\"\ncause = \"personal-devices-blocked\"",
        ));
        assert!(
            err.starts_with("scenarios/x.toml:15:1: expect.then[0]: the article does not list cause \"personal-devices-blocked\""),
            "{err}"
        );
        let err = error(&with_stage(
            "section = \"device-cap-reached\"\ncause = \"device-limit-reachd\"",
        ));
        assert!(
            err.starts_with("scenarios/x.toml:15:9: unknown cause id \"device-limit-reachd\""),
            "{err}"
        );
        let err = error(&with_stage(
            "section = \"device-cap-reached\"\ncause = \"device-limit-reached\"\n\
             resolution = [{ do = \"delete-stale-devices\", user = \"sam@contoso.example\" }]",
        ));
        assert!(
            err.starts_with("scenarios/x.toml:16:46: expect.then[0].resolution[0].user \"sam@"),
            "{err}"
        );
        let err = error(&with_stage(
            "section = \"user-license-type-invalid\"\ncause = \"user-not-licensed\"",
        ));
        assert!(
            err.contains("expect.then[0].cause \"user-not-licensed\" is met again"),
            "{err}"
        );
        let err = error(&with_stage(
            "section = \"device-cap-reached\"\ncause = \"device-limit-reached\"\noutcome = \"enrolled\"",
        ));
        assert!(
            err.starts_with("scenarios/x.toml:16:1: expect.then[0].outcome is enrolled"),
            "{err}"
        );
        let happy = "id = \"x\"\ntitle = \"t\"\n[[world.users]]\nupn = \"a@b\"\n[action]\nenroll = \"company-portal\"\nuser = \"a@b\"\n\
                     [expect]\noutcome = \"enrolled\"\n[[expect.then]]\nsection = \"device-cap-reached\"\ncause = \"device-limit-reached\"\n";
        assert!(error(happy).contains("expect.then needs the scenario's own section and cause"));
    }

    #[test]
    fn unknown_key_names_file_line_and_expected_keys() {
        let text = "id = \"x\"\ntitle = \"t\"\ncolour = 3\n[action]\nenroll = \"company-portal\"\nuser = \"a@b\"\n[expect]\noutcome = \"enrolled\"\n";
        let err = Scenario::from_toml_str(text, "scenarios/x.toml")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("scenarios/x.toml:3:1: unknown field `colour`"),
            "{err}"
        );
        assert!(err.contains("expected one of"), "{err}");
    }

    #[test]
    fn wrong_type_and_unknown_user_are_reported() {
        let text = "id = \"x\"\ntitle = 5\n";
        let err = Scenario::from_toml_str(text, "s.toml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("s.toml:2:9:"), "{err}");
        let text = "id = \"x\"\ntitle = \"t\"\n[action]\nenroll = \"company-portal\"\nuser = \"ghost@b\"\n[expect]\noutcome = \"enrolled\"\n";
        let err = Scenario::from_toml_str(text, "s.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("ghost@b"), "{err}");
    }
    /// A happy path with two devices and an attempt before the action; `devices` replaces
    /// the `[[world.devices]]` tables.
    fn people(devices: &str) -> String {
        format!(
            "id = \"p\"\ntitle = \"t\"\n\
             [[world.users]]\nupn = \"alex@contoso.example\"\n\
             [[world.users]]\nupn = \"blake@contoso.example\"\n\
             {devices}\n\
             [[world.history]]\ndo = \"advance\"\nby = \"90m\"\n\
             [[world.history]]\ndo = \"retire\"\n\
             [[attempts]]\nenroll = \"company-portal\"\nuser = \"blake@contoso.example\"\n\
             device = \"ipad\"\n[attempts.expect]\noutcome = \"failed\"\n\
             [action]\nenroll = \"company-portal\"\nuser = \"alex@contoso.example\"\n\
             [expect]\noutcome = \"enrolled\"\nenrolled_as = \"alex@contoso.example\"\n"
        )
    }

    #[test]
    fn devices_attempts_and_history_verbs_load_as_typed_values_and_round_trip() {
        let text = people("[[world.devices]]\nid = \"ipad\"\nproduct = \"iPad13,16\"");
        let s = Scenario::from_toml_str(&text, "people/p.toml").unwrap();
        assert_eq!(s.world.devices[0].id.as_deref(), Some("ipad"));
        assert_eq!(s.attempts[0].action().device.as_deref(), Some("ipad"));
        assert_eq!(
            s.expect.enrolled_as.as_deref(),
            Some("alex@contoso.example")
        );
        assert_eq!(
            s.world.history,
            vec![
                HistoryStep::Advance {
                    by: crate::scenario::Span::minutes(90)
                },
                HistoryStep::Retire { device: None }
            ]
        );
        let again = Scenario::from_toml_str(&s.to_toml(), "people/p.toml").unwrap();
        assert_eq!(again, s);
    }

    #[test]
    fn a_device_without_an_id_or_with_a_taken_one_is_refused_where_it_is() {
        let text =
            people("[[world.devices]]\nid = \"ipad\"\n[[world.devices]]\nproduct = \"iPad13,16\"");
        let e = error(&text);
        let line = text
            .lines()
            .enumerate()
            .filter(|(_, l)| *l == "[[world.devices]]")
            .nth(1)
            .unwrap()
            .0
            + 1;
        assert!(e.starts_with(&format!("scenarios/x.toml:{line}:1:")), "{e}");
        assert!(e.contains("world.devices[1] needs an id"), "{e}");

        let text = people("[[world.devices]]\nid = \"ipad\"\n[[world.devices]]\nid = \"ipad\"");
        assert!(error(&text).contains("device id \"ipad\" is used twice"));

        let text = people("[[world.devices]]\nid = \"tablet\"");
        let e = error(&text);
        assert!(
            e.contains("attempts[0].device \"ipad\" is not a device of the world"),
            "{e}"
        );
        assert!(e.contains("\"device\", \"tablet\""), "{e}");
    }

    #[test]
    fn history_steps_that_name_a_user_must_name_one_of_the_world() {
        let text = people("[[world.devices]]\nid = \"ipad\"").replace(
            "do = \"retire\"",
            "do = \"remove-from-group\"\nuser = \"casey@contoso.example\"\ngroup = \"sales\"",
        );
        let e = error(&text);
        assert!(
            e.contains("world.history[1].user \"casey@contoso.example\""),
            "{e}"
        );
    }
    #[test]
    fn a_wait_resolution_step_reads_a_span() {
        let text = format!(
            "{}[[resolution]]\ndo = \"wait\"\nby = \"36h\"\n",
            with("device-cap-reached", "device-limit-reached", "")
        );
        let s = Scenario::from_toml_str(&text, "scenarios/x.toml").unwrap();
        assert_eq!(
            s.resolution,
            vec![ResolutionStep::Wait {
                by: crate::scenario::Span::hours(36)
            }]
        );
        let bad = text.replace("\"36h\"", "\"a day and a half\"");
        let e = error(&bad);
        let line = bad.lines().position(|l| l.contains("a day")).unwrap() + 1;
        assert!(e.starts_with(&format!("scenarios/x.toml:{line}:")), "{e}");
    }
    #[test]
    fn advance_to_reads_an_rfc_3339_instant_and_places_a_bad_one() {
        let text = people("[[world.devices]]\nid = \"ipad\"").replace(
            "do = \"retire\"",
            "do = \"advance-to\"\nat = \"2027-12-01T09:00:00Z\"",
        );
        let s = Scenario::from_toml_str(&text, "people/p.toml").unwrap();
        assert_eq!(
            s.world.history[1],
            HistoryStep::AdvanceTo {
                at: datetime!(2027-12-01 09:00 UTC)
            }
        );
        let bad = text.replace("2027-12-01T09:00:00Z", "1 Dec 2027");
        let e = error(&bad);
        let line = bad.lines().position(|l| l.contains("1 Dec 2027")).unwrap() + 1;
        assert!(e.starts_with(&format!("scenarios/x.toml:{line}:")), "{e}");
        assert!(e.contains("RFC 3339"), "{e}");
    }
}
