//! The end of a trainee's lab: what the failure was (the article's section and cause), the
//! documented fix, the trainee's actions in order with the ones that did not help, time and
//! hints; and the hint ladder offered while the lab runs. The debrief is also what an
//! instructor's gradebook reads (`--results`).

use enrollsim_diagnostics::{Cause, Language, Section};
use serde::Serialize;

use crate::scenario::Scenario;

use super::trainee::verb;

/// One thing the trainee did, in order.
#[derive(Debug, Clone, Serialize)]
pub struct TraineeAction {
    /// Seconds since the lab opened (wall clock: the trainee's time, not the world's).
    pub at_seconds: u64,
    /// What the trainee did, for people.
    pub what: String,
    /// The scenario format's `do` verb it amounts to, when it is a step of some documented fix.
    pub step: Option<String>,
    /// Whether it went through (an admin API refusal or a failed enrollment does not).
    pub ok: bool,
    /// What came of it.
    pub result: String,
    /// Filled in the debrief: whether it was part of the documented fix (`None` for tries at
    /// enrolling, which are neither).
    pub helped: Option<bool>,
}

/// The article's section, as the debrief names it.
#[derive(Debug, Clone, Serialize)]
pub struct SectionNote {
    /// Its id (the 2020 article's anchor, or the current one for entries added since).
    pub id: String,
    /// Its heading in English.
    pub heading: String,
    /// Both articles' anchors.
    pub anchors: String,
}

/// The cause, as the debrief names it.
#[derive(Debug, Clone, Serialize)]
pub struct CauseNote {
    /// Its id.
    pub id: String,
    /// A short English title.
    pub title: String,
}

/// How a trainee's lab ended.
#[derive(Debug, Clone, Serialize)]
pub struct Debrief {
    /// The trainee's session (anonymous: the cookie's id).
    pub session: String,
    /// The scenario's id (revealed only now in a random lab).
    pub scenario: String,
    /// Its title.
    pub title: String,
    /// The device enrolled for the right user.
    pub solved: bool,
    /// The trainee gave up.
    pub gave_up: bool,
    /// The article's section.
    pub section: Option<SectionNote>,
    /// The cause.
    pub cause: Option<CauseNote>,
    /// The documented fix, in the catalog's words.
    pub documented_fix: Vec<String>,
    /// The scenario's own resolution steps, by their `do` verbs.
    pub fix_steps: Vec<String>,
    /// What the trainee did, in order, each marked whether it helped.
    pub actions: Vec<TraineeAction>,
    /// Seconds from opening the lab to its end.
    pub seconds: u64,
    /// How many rungs of the hint ladder the trainee climbed.
    pub hints_used: usize,
    /// Why the results file could not be written, if it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub results_error: Option<String>,
}

/// The `do` verbs of every step of the scenario's documented fix, follow-on stages included.
pub(super) fn documented_verbs(scenario: &Scenario) -> Vec<String> {
    scenario
        .resolution
        .iter()
        .chain(
            scenario
                .expect
                .then
                .iter()
                .flat_map(|s| s.resolution.iter()),
        )
        .map(verb)
        .collect()
}

fn section_note(section: Section) -> SectionNote {
    SectionNote {
        id: section.id().to_string(),
        heading: section.text(Language::from_tag("en")).to_string(),
        anchors: section.anchors_label(),
    }
}

fn documented_fix(scenario: &Scenario) -> Vec<String> {
    scenario
        .cause
        .map(|cause: Cause| {
            cause
                .resolution(scenario.section)
                .into_iter()
                .map(|step| step.text)
                .collect()
        })
        .unwrap_or_default()
}

/// What the debrief needs besides the scenario.
pub(super) struct Ending {
    pub session: String,
    pub solved: bool,
    pub actions: Vec<TraineeAction>,
    pub seconds: u64,
    pub hints_used: usize,
}

/// The debrief of `scenario` ended as `ending` says.
pub(super) fn debrief(scenario: &Scenario, ending: Ending) -> Debrief {
    let verbs = documented_verbs(scenario);
    let actions = ending
        .actions
        .into_iter()
        .map(|mut action| {
            action.helped = match &action.step {
                Some(step) if step == "enroll" => None,
                Some(step) => Some(action.ok && verbs.contains(step)),
                None => Some(false),
            };
            action
        })
        .collect();
    Debrief {
        session: ending.session,
        scenario: scenario.id.clone(),
        title: scenario.title.clone(),
        solved: ending.solved,
        gave_up: !ending.solved,
        section: scenario.section.map(section_note),
        cause: scenario.cause.map(|c| CauseNote {
            id: c.id().to_string(),
            title: c.title().to_string(),
        }),
        documented_fix: documented_fix(scenario),
        fix_steps: verbs,
        actions,
        seconds: ending.seconds,
        hints_used: ending.hints_used,
        results_error: None,
    }
}

/// The hint ladder, from a nudge to the answer: where to look, the article's section, the
/// cause, the documented fix.
pub(super) fn hint_ladder(scenario: &Scenario) -> Vec<String> {
    let mut ladder = vec![
        "Start from what the user saw: read the exact message on the phone and find it in the \
         article. Then ask the article's first question: does it happen to every user or only \
         some? The troubleshooting pane and the user's devices and restrictions tell."
            .to_string(),
    ];
    if let Some(section) = scenario.section {
        let note = section_note(section);
        ladder.push(format!(
            "The article's section: \"{}\" ({}).",
            note.heading, note.anchors
        ));
    }
    if let Some(cause) = scenario.cause {
        ladder.push(format!("The cause: {}.", cause.title()));
    }
    let fix = documented_fix(scenario);
    if !fix.is_empty() {
        ladder.push(format!("The documented fix: {}", fix.join(" ")));
    }
    ladder
}
