//! Names, seeds, order and dates carry no meaning: a failure comes from the state of the world,
//! and the blind diagnosis reads kinds of evidence, never names.
//!
//! For every scenario of the built-in catalog this makes a copy with a new id and title, new
//! user principal names (every user renamed consistently wherever the scenario names them:
//! action, re-enrollment, resolution steps, history, Safari session), another tenant name and
//! domain (a government user stays a government user), another seed, another device serial
//! and the users listed in another order; it runs the copies in a shuffled order and checks that
//! each one fails the same way (outcome kind, screen, message id), is diagnosed with the same
//! section and cause, and is fixed by the same resolution, and that no old name leaks into the
//! copy's evidence. Then it moves every date of every scenario by a year either way and checks
//! that the diagnosis does not change.
//!
//! The tenant and people suites (`tests/tenant/`, `tests/people/`) get the same renamed copies.
//!
//! The shuffles use a fixed seed; set `ENROLLSIM_SHUFFLE_SEED` to try another order.

use enrollsim::{Outcome, RunReport, Scenario};
use serde_json::Value;
use time::macros::datetime;
use time::OffsetDateTime;

/// Local parts for renamed users, in the order the original scenario lists its users.
const NEW_LOCAL_PARTS: [&str; 6] = [
    "morgan.lee",
    "riley.chen",
    "casey.okafor",
    "quinn.ito",
    "devon.silva",
    "harper.novak",
];

/// xorshift64*: a tiny deterministic generator for the shuffles.
struct Shuffler(u64);

impl Shuffler {
    fn new() -> Shuffler {
        let seed = std::env::var("ENROLLSIM_SHUFFLE_SEED")
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(0x5EED_2026_1126);
        Shuffler(seed | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Fisher–Yates.
    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

/// Old name → new name, for every user of a scenario.
struct Renaming {
    upns: Vec<(String, String)>,
    /// The tenant's domain, and the domain of the model's default addresses (a scenario that
    /// moves its users to another domain may keep the default Apple IDs).
    old_domains: Vec<String>,
    new_domain: String,
    old_tenant: String,
    new_tenant: String,
}

impl Renaming {
    /// The new form of one string of the scenario, if it names something renamed: a user's UPN
    /// (exactly, any case), another address in the old domain (an Apple ID), or a name that
    /// starts with the old tenant name (an ADE token name).
    fn rename(&self, s: &str) -> Option<String> {
        if let Some((_, new)) = self
            .upns
            .iter()
            .find(|(old, _)| old.eq_ignore_ascii_case(s))
        {
            return Some(new.clone());
        }
        if let Some((local, domain)) = s.split_once('@') {
            if self
                .old_domains
                .iter()
                .any(|d| d.eq_ignore_ascii_case(domain))
            {
                return Some(format!("{local}@{}", self.new_domain));
            }
        }
        if !self.old_tenant.is_empty() {
            if let Some(rest) = s.strip_prefix(&format!("{} ", self.old_tenant)) {
                return Some(format!("{} {rest}", self.new_tenant));
            }
        }
        None
    }

    fn apply(&self, v: &mut Value) {
        match v {
            Value::String(s) => {
                if let Some(new) = self.rename(s) {
                    *s = new;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|x| self.apply(x)),
            Value::Object(map) => map.values_mut().for_each(|x| self.apply(x)),
            _ => {}
        }
    }
}

/// A copy of `original` with everything that is only a name changed.
fn renamed_copy(original: &Scenario, n: usize, shuffler: &mut Shuffler) -> (Scenario, Renaming) {
    let new_domain = format!("branch{n}.northwind.test");
    let upns = original
        .world
        .users
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let local = NEW_LOCAL_PARTS[i % NEW_LOCAL_PARTS.len()];
            let local = if i < NEW_LOCAL_PARTS.len() {
                local.to_string()
            } else {
                format!("{local}{i}")
            };
            (u.upn.clone(), format!("{local}@{new_domain}"))
        })
        .collect();
    let renaming = Renaming {
        upns,
        old_domains: vec![
            original.world.tenant.domain.clone(),
            enrollsim::TenantSpec::default().domain,
        ],
        new_domain: new_domain.clone(),
        old_tenant: original.world.tenant.name.clone(),
        new_tenant: format!("Northwind Branch {n}"),
    };

    // Rename through the serialized form, so that any field naming a user is renamed, including
    // fields added to the scenario model after this test was written.
    let mut value = serde_json::to_value(original).expect("a scenario serializes");
    renaming.apply(&mut value);
    let mut copy: Scenario = serde_json::from_value(value).expect("the renamed scenario reads");

    copy.id = format!("{}-renamed-{n}", original.id);
    copy.title = format!("Renamed copy {n}: tenant, users, seed, serial and user order differ");
    copy.world.tenant.name = renaming.new_tenant.clone();
    copy.world.tenant.domain = new_domain;
    copy.world.seed = original
        .world
        .seed
        .wrapping_mul(7919)
        .wrapping_add(1_000_003);
    copy.world.device.serial = Some(format!("NW{:02}Q7K4M9T2", n % 100));
    let before: Vec<String> = copy.world.users.iter().map(|u| u.upn.clone()).collect();
    shuffler.shuffle(&mut copy.world.users);
    if copy.world.users.len() > 1 && copy.world.users.iter().map(|u| &u.upn).eq(before.iter()) {
        copy.world.users.reverse();
    }

    // The copy is a valid scenario file, and it names none of the old users.
    let toml = copy.to_toml();
    let copy = Scenario::from_toml_str(&toml, format!("{}.toml", copy.id))
        .unwrap_or_else(|e| panic!("{}: the renamed copy does not load: {e}\n{toml}", copy.id));
    for (old, _) in &renaming.upns {
        assert!(
            !toml.to_lowercase().contains(&old.to_lowercase()),
            "{}: {old} is still named in the copy:\n{toml}",
            copy.id
        );
    }
    // The government semantics are the users' own setting and survive the rename.
    for u in &original.world.users {
        let (_, new) = renaming
            .upns
            .iter()
            .find(|(old, _)| *old == u.upn)
            .expect("every user is renamed");
        let renamed = copy
            .world
            .users
            .iter()
            .find(|c| c.upn == *new)
            .expect("the renamed user is in the copy");
        assert_eq!(renamed.cloud, u.cloud, "{}: {new} changed cloud", copy.id);
    }
    (copy, renaming)
}

fn outcome_kind(o: &Outcome) -> &'static str {
    match o {
        Outcome::Enrolled { .. } => "enrolled",
        Outcome::Failed { .. } => "failed",
        Outcome::Stuck { .. } => "stuck",
        Outcome::NotManaged { .. } => "not-managed",
    }
}

/// Where the outcome showed, as its JSON id.
fn outcome_screen(o: &Outcome) -> Option<String> {
    match o {
        Outcome::Failed { screen, .. } | Outcome::Stuck { screen, .. } => {
            Some(serde_json::to_string(screen).expect("a screen serializes"))
        }
        _ => None,
    }
}

/// The id of the message the user saw: its kebab-case id, with a service code's code, or with
/// only the AADSTS code of a sign-in error (whose text names the tenant).
fn message_id(o: &Outcome) -> Option<String> {
    let Outcome::Failed { message, .. } = o else {
        return None;
    };
    Some(
        match serde_json::to_value(message).expect("a message serializes") {
            Value::String(id) => id,
            Value::Object(map) => {
                let (kind, detail) = map.into_iter().next().expect("one variant");
                let detail = detail.as_str().unwrap_or_default().to_string();
                if kind == "sign-in-error" {
                    let code = detail.split(':').next().unwrap_or_default().to_string();
                    format!("{kind}:{code}")
                } else {
                    format!("{kind}:{detail}")
                }
            }
            other => other.to_string(),
        },
    )
}

fn summary(r: &RunReport) -> String {
    format!(
        "outcome={:?} reproduced={} diagnosed={:?}/{:?} fixed={} fix={:?} error={:?}",
        r.outcome,
        r.reproduced,
        r.diagnosed_section(),
        r.diagnosed_cause(),
        r.fixed,
        r.fix_outcome,
        r.fix_error
    )
}

fn catalog() -> Vec<Scenario> {
    let all = enrollsim::catalog::builtin().expect("the built-in catalog loads");
    assert!(all.len() >= 18, "only {} scenarios", all.len());
    all
}

/// Runs `s`, turning a hang into a failure that names the scenario.
async fn run(s: &Scenario) -> RunReport {
    tokio::time::timeout(
        std::time::Duration::from_secs(120),
        enrollsim::run_scenario(s),
    )
    .await
    .unwrap_or_else(|_| panic!("{}: the run hangs", s.id))
    .unwrap_or_else(|e| panic!("{}: the world does not start: {e}", s.id))
}

/// Everything the admin collected and everything the run printed, for leak checks.
fn everything_said(r: &RunReport) -> String {
    format!(
        "{:?}\n{}\n{}\n{}",
        r.evidence,
        r.timeline.render(),
        r.fix_timeline.render(),
        r.diagnosis
            .as_ref()
            .map(|d| d.render_text())
            .unwrap_or_default()
    )
    .to_lowercase()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renamed_copies_in_shuffled_order_behave_like_the_originals() {
    renamed_copies_behave_like(catalog()).await;
}

/// The same for the tenant and people suites (`tests/tenant/`, `tests/people/`): groups,
/// Conditional Access, several users and devices and histories name users too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renamed_tenant_and_people_copies_behave_like_the_originals() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut all = Vec::new();
    for dir in ["tenant", "people"] {
        all.extend(enrollsim::catalog::load(root.join(dir)).expect("the suite loads"));
    }
    renamed_copies_behave_like(all).await;
}

async fn renamed_copies_behave_like(originals: Vec<Scenario>) {
    let mut shuffler = Shuffler::new();
    let mut baseline = Vec::new();
    for s in &originals {
        let r = run(s).await;
        assert!(
            r.holds(),
            "{}: the original does not hold: {}",
            s.id,
            summary(&r)
        );
        baseline.push(r);
    }

    let mut copies: Vec<(usize, Scenario, Renaming)> = originals
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (copy, renaming) = renamed_copy(s, i + 1, &mut shuffler);
            (i, copy, renaming)
        })
        .collect();
    shuffler.shuffle(&mut copies);
    let order: Vec<&str> = copies.iter().map(|(_, c, _)| c.id.as_str()).collect();

    let mut failures = Vec::new();
    for (i, copy, renaming) in &copies {
        let original = &originals[*i];
        let before = &baseline[*i];
        let after = run(copy).await;
        let mut problems = Vec::new();
        if outcome_kind(&after.outcome) != outcome_kind(&before.outcome) {
            problems.push(format!(
                "outcome {} instead of {}",
                outcome_kind(&after.outcome),
                outcome_kind(&before.outcome)
            ));
        }
        if outcome_screen(&after.outcome) != outcome_screen(&before.outcome) {
            problems.push(format!(
                "screen {:?} instead of {:?}",
                outcome_screen(&after.outcome),
                outcome_screen(&before.outcome)
            ));
        }
        if message_id(&after.outcome) != message_id(&before.outcome) {
            problems.push(format!(
                "message {:?} instead of {:?}",
                message_id(&after.outcome),
                message_id(&before.outcome)
            ));
        }
        if !after.reproduced {
            problems.push("its own expectation does not hold".into());
        }
        if after.diagnosed_section() != before.diagnosed_section()
            || after.diagnosed_cause() != before.diagnosed_cause()
        {
            problems.push(format!(
                "diagnosed {:?}/{:?} instead of {:?}/{:?}",
                after.diagnosed_section(),
                after.diagnosed_cause(),
                before.diagnosed_section(),
                before.diagnosed_cause()
            ));
        }
        if after.diagnosed_section() != original.section
            || after.diagnosed_cause() != original.cause
        {
            problems.push(format!(
                "diagnosed {:?}/{:?}, the scenario says {:?}/{:?}",
                after.diagnosed_section(),
                after.diagnosed_cause(),
                original.section,
                original.cause
            ));
        }
        if !after.fixed {
            problems.push("not fixed".into());
        }
        let final_upn = match (&after.fix_outcome, &after.outcome) {
            (Some(Outcome::Enrolled { upn }), _) | (None, Outcome::Enrolled { upn }) => {
                Some(upn.clone())
            }
            _ => None,
        };
        let expected_upn = &copy.reenroll.as_ref().unwrap_or(&copy.action).user;
        if !final_upn
            .as_deref()
            .is_some_and(|u| u.eq_ignore_ascii_case(expected_upn))
        {
            problems.push(format!(
                "finally enrolled for {final_upn:?}, not {expected_upn}"
            ));
        }
        // Nothing of the old names reaches the copy's evidence, timelines or diagnosis.
        let said = everything_said(&after);
        for (old, new) in &renaming.upns {
            if said.contains(&old.to_lowercase()) {
                problems.push(format!("the old UPN {old} shows up in the run"));
            }
            let acting = copy.action.user.eq_ignore_ascii_case(new);
            if acting && !said.contains(&new.to_lowercase()) {
                problems.push(format!("the new UPN {new} is missing from the run"));
            }
        }
        let old_serial = before
            .evidence
            .manifest
            .device
            .as_ref()
            .and_then(|d| d.serial_number.clone())
            .unwrap_or_default();
        let new_serial = copy.world.device.serial.clone().unwrap_or_default();
        if old_serial.is_empty() || old_serial == new_serial {
            problems.push(format!("serial {old_serial:?} did not change"));
        } else if said.contains(&old_serial.to_lowercase()) {
            problems.push(format!("the old serial {old_serial} shows up in the run"));
        }
        if !said.contains(&new_serial.to_lowercase()) {
            problems.push(format!(
                "the new serial {new_serial} is missing from the run"
            ));
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{} (copy of {}): {}\n  copy:     {}\n  original: {}",
                copy.id,
                original.id,
                problems.join("; "),
                summary(&after),
                summary(before)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "run order {order:?}\n{}",
        failures.join("\n")
    );
}

/// `start` moved by `years` (29 February becomes 28 February).
fn shift_years(start: OffsetDateTime, years: i32) -> OffsetDateTime {
    let year = start.year() + years;
    start.replace_year(year).unwrap_or_else(|_| {
        start
            .replace_day(28)
            .and_then(|s| s.replace_year(year))
            .expect("28 February exists in every year")
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moving_every_date_by_a_year_keeps_the_diagnosis() {
    assert_eq!(
        shift_years(datetime!(2026-11-26 09:00 UTC), 1),
        datetime!(2027-11-26 09:00 UTC)
    );
    assert_eq!(
        shift_years(datetime!(2028-02-29 09:00 UTC), -1),
        datetime!(2027-02-28 09:00 UTC)
    );
    let mut failures = Vec::new();
    for original in &catalog() {
        let before = run(original).await;
        for years in [1, -1] {
            // Every other date of a scenario (the push certificate's issue and expiry, the ADE
            // token upload, profile creation, history) is relative to the start, so it moves too.
            let mut moved = original.clone();
            moved.id = format!("{}-moved-{years:+}y", original.id);
            moved.world.start = shift_years(original.world.start, years);
            let after = run(&moved).await;
            let mut problems = Vec::new();
            if outcome_kind(&after.outcome) != outcome_kind(&before.outcome)
                || message_id(&after.outcome) != message_id(&before.outcome)
            {
                problems.push(format!(
                    "outcome {:?} instead of {:?}",
                    after.outcome, before.outcome
                ));
            }
            if !after.reproduced || !after.fixed {
                problems.push("does not reproduce or is not fixed".into());
            }
            match (&before.diagnosis, &after.diagnosis) {
                (Some(b), Some(a)) => {
                    if (a.section, a.cause, a.confidence) != (b.section, b.cause, b.confidence) {
                        problems.push(format!(
                            "diagnosed {:?}/{:?} at {:.2} instead of {:?}/{:?} at {:.2}",
                            a.section,
                            a.cause,
                            a.confidence.value(),
                            b.section,
                            b.cause,
                            b.confidence.value()
                        ));
                    }
                    if a.candidates != b.candidates {
                        problems.push(format!(
                            "candidates {:?} instead of {:?}",
                            a.candidates, b.candidates
                        ));
                    }
                    if a.resolution != b.resolution {
                        problems.push("another resolution".into());
                    }
                    let sources = |d: &enrollsim::Diagnosis| -> Vec<String> {
                        d.evidence.iter().map(|e| e.source.clone()).collect()
                    };
                    if sources(a) != sources(b) {
                        problems.push(format!(
                            "evidence from {:?} instead of {:?}",
                            sources(a),
                            sources(b)
                        ));
                    }
                }
                (None, None) => {}
                (b, a) => problems.push(format!(
                    "diagnosis present: {} before, {} after",
                    b.is_some(),
                    a.is_some()
                )),
            }
            if !problems.is_empty() {
                failures.push(format!(
                    "{} (start {}): {}",
                    moved.id,
                    moved.world.start,
                    problems.join("; ")
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
