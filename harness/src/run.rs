//! Replaying a scenario: start its world, let the user act, check that the failure is the one
//! expected, collect the evidence and diagnose it blind, carry out the documented fix, enroll
//! again and check that the device is managed for the right user.
//!
//! A scenario with several faults (`expect.then`) is replayed stage by stage: after each fix
//! the user tries again, the failure that follows is checked against its stage, diagnosed
//! blind from fresh evidence and fixed with that stage's resolution, until the device enrolls.

use enrollsim_diagnostics::{diagnose, AffectedUsers, Cause, Diagnosis, EvidenceBundle, Section};
use enrollsim_simulator::device::Outcome;
use serde::{Serialize, Serializer};

use crate::evidence;
use crate::lab::{Lab, LabError};
use crate::scenario::{
    Action, Attempt, Expectation, FollowOnStage, OutcomeKind, ResolutionStep, Scenario,
};
use crate::timeline::Timeline;

/// Everything a scenario run produced.
///
/// As JSON (`run --report`) it also carries `diagnosed_section` and `diagnosed_cause`, the ids
/// of the diagnosis' section and cause, which [`RunReport::diagnosed_section`] and
/// [`RunReport::diagnosed_cause`] derive rather than store.
#[derive(Debug, Clone)]
pub struct RunReport {
    /// Scenario id.
    pub id: String,
    /// Scenario title.
    pub title: String,
    /// The article section the scenario belongs to.
    pub section: Option<Section>,
    /// The cause the scenario sets up.
    pub cause_expected: Option<Cause>,
    /// How the user's attempt ended.
    pub outcome: Outcome,
    /// Whether it ended as expected.
    pub reproduced: bool,
    /// The text the user saw, if any.
    pub message: Option<String>,
    /// The blind diagnosis of the evidence (failure scenarios only).
    pub diagnosis: Option<Diagnosis>,
    /// Whether the device enrolled after the resolution (`true` for happy paths that enrolled).
    pub fixed: bool,
    /// How the enrollment after the resolution ended.
    pub fix_outcome: Option<Outcome>,
    /// What went wrong carrying out the resolution, if anything.
    pub fix_error: Option<String>,
    /// The timeline of the user's attempt.
    pub timeline: Timeline,
    /// The timeline of the resolution and the second attempt.
    pub fix_timeline: Timeline,
    /// The evidence collected after the attempt (not part of the JSON form).
    pub evidence: EvidenceBundle,
    /// The failures that followed the first fix, one per `expect.then` stage, in order (empty
    /// for a single fault). `fixed`, `fix_outcome` and `fix_timeline` then describe the
    /// attempt after the last stage's fix.
    pub stages: Vec<StageReport>,
    /// The other people's attempts before the action, in order (`scenario.attempts`).
    pub attempts: Vec<AttemptReport>,
}

/// One of the other people's attempts before the scenario's action.
#[derive(Debug, Clone, Serialize)]
pub struct AttemptReport {
    /// Who.
    pub user: String,
    /// On which device (`None`: the world's device).
    pub device: Option<String>,
    /// How it ended.
    pub outcome: Outcome,
    /// Whether it ended as its expectation says.
    pub reproduced: bool,
    /// The attempt.
    pub timeline: Timeline,
}

/// One failure that followed a fix: what the user met, its blind diagnosis and its own fix.
#[derive(Debug, Clone, Serialize)]
pub struct StageReport {
    /// The article section the stage expects.
    pub section: Section,
    /// The cause the stage expects.
    pub cause_expected: Cause,
    /// How the attempt after the previous fix ended.
    pub outcome: Outcome,
    /// Whether it ended as the stage expects.
    pub reproduced: bool,
    /// The text the user saw, if any.
    pub message: Option<String>,
    /// The blind diagnosis of the evidence collected after this attempt.
    pub diagnosis: Diagnosis,
    /// The section the diagnosis settled on.
    pub diagnosed_section: Option<Section>,
    /// The cause the diagnosis settled on.
    pub diagnosed_cause: Option<Cause>,
    /// The fix carried out after this attempt.
    pub fix: Vec<ResolutionStep>,
    /// What went wrong carrying out the fix, if anything.
    pub fix_error: Option<String>,
    /// The previous fix and this attempt.
    pub timeline: Timeline,
    /// The evidence collected after this attempt.
    #[serde(skip)]
    pub evidence: EvidenceBundle,
}

impl StageReport {
    /// Reproduced as expected and diagnosed as the expected pair.
    #[must_use]
    pub fn holds(&self) -> bool {
        self.reproduced
            && self.diagnosed_section == Some(self.section)
            && self.diagnosed_cause == Some(self.cause_expected)
    }
}

impl RunReport {
    /// The section the blind diagnosis settled on, if any.
    #[must_use]
    pub fn diagnosed_section(&self) -> Option<Section> {
        self.diagnosis.as_ref().and_then(|d| d.section)
    }

    /// The cause the blind diagnosis settled on, if any.
    #[must_use]
    pub fn diagnosed_cause(&self) -> Option<Cause> {
        self.diagnosis.as_ref().and_then(|d| d.cause)
    }

    /// Whether every check holds: reproduced, diagnosed as expected, every following stage
    /// reproduced and diagnosed as expected, fixed in the end.
    #[must_use]
    pub fn holds(&self) -> bool {
        self.first_stage_holds()
            && self.stages.iter().all(StageReport::holds)
            && self.attempts.iter().all(|a| a.reproduced)
    }

    /// Whether the first failure was reproduced and diagnosed as expected and the device
    /// enrolled in the end; for a failure outside the article (no section expected, a
    /// diagnosis made), whether it was reproduced and the diagnosis named no section or cause.
    fn first_stage_holds(&self) -> bool {
        if self.section.is_none() && self.diagnosis.is_some() {
            return self.reproduced
                && self.diagnosed_section().is_none()
                && self.diagnosed_cause().is_none();
        }
        let diagnosed = match (self.section, self.cause_expected) {
            (Some(section), Some(cause)) => {
                self.diagnosed_section() == Some(section) && self.diagnosed_cause() == Some(cause)
            }
            _ => true,
        };
        self.reproduced && diagnosed && self.fixed
    }
}

/// The JSON form of a [`RunReport`]: its fields in their order, with the diagnosed ids derived
/// from the diagnosis, so `run --report` keeps the field names and values it always had.
#[derive(Serialize)]
struct RunReportJson<'a> {
    id: &'a str,
    title: &'a str,
    section: Option<Section>,
    cause_expected: Option<Cause>,
    outcome: &'a Outcome,
    reproduced: bool,
    message: Option<&'a str>,
    diagnosis: Option<&'a Diagnosis>,
    diagnosed_section: Option<Section>,
    diagnosed_cause: Option<Cause>,
    fixed: bool,
    fix_outcome: Option<&'a Outcome>,
    fix_error: Option<&'a str>,
    timeline: &'a Timeline,
    fix_timeline: &'a Timeline,
    #[serde(skip_serializing_if = "<[StageReport]>::is_empty")]
    stages: &'a [StageReport],
    #[serde(skip_serializing_if = "<[AttemptReport]>::is_empty")]
    attempts: &'a [AttemptReport],
}

impl Serialize for RunReport {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        RunReportJson {
            id: &self.id,
            title: &self.title,
            section: self.section,
            cause_expected: self.cause_expected,
            outcome: &self.outcome,
            reproduced: self.reproduced,
            message: self.message.as_deref(),
            diagnosis: self.diagnosis.as_ref(),
            diagnosed_section: self.diagnosed_section(),
            diagnosed_cause: self.diagnosed_cause(),
            fixed: self.fixed,
            fix_outcome: self.fix_outcome.as_ref(),
            fix_error: self.fix_error.as_deref(),
            timeline: &self.timeline,
            fix_timeline: &self.fix_timeline,
            stages: &self.stages,
            attempts: &self.attempts,
        }
        .serialize(serializer)
    }
}

/// Whether `outcome` is what `expect` says.
pub fn outcome_matches(expect: &Expectation, outcome: &Outcome) -> bool {
    let kind = match outcome {
        Outcome::Enrolled { .. } => OutcomeKind::Enrolled,
        Outcome::Failed { .. } => OutcomeKind::Failed,
        Outcome::Stuck { .. } => OutcomeKind::Stuck,
        Outcome::NotManaged { .. } => OutcomeKind::NotManaged,
    };
    if kind != expect.outcome {
        return false;
    }
    let (screen, message, text) = match outcome {
        Outcome::Failed {
            screen,
            message,
            text,
        } => (Some(*screen), Some(message), Some(text.as_str())),
        Outcome::Stuck { screen, .. } => (Some(*screen), None, None),
        _ => (None, None, None),
    };
    let enrolled_for = match outcome {
        Outcome::Enrolled { upn } => Some(upn.as_str()),
        _ => None,
    };
    expect
        .enrolled_as
        .as_deref()
        .is_none_or(|u| enrolled_for.is_some_and(|e| e.eq_ignore_ascii_case(u)))
        && expect.screen.is_none_or(|s| Some(s) == screen)
        && expect.message.as_ref().is_none_or(|m| Some(m) == message)
        && expect
            .text_contains
            .as_deref()
            .is_none_or(|t| text.is_some_and(|x| x.contains(t)))
}

/// Runs `scenario` end to end, stage by stage when it holds several faults.
pub async fn run_scenario(scenario: &Scenario) -> Result<RunReport, LabError> {
    let lab = Lab::start(&scenario.world).await?;
    let attempts = run_attempts(&lab, &scenario.attempts).await;
    let outcome = lab.enroll(&scenario.action).await;
    let timeline = Timeline::from_entries(&lab.world.recorder.drain());
    let reproduced = outcome_matches(&scenario.expect, &outcome);
    let message = shown_text(&outcome);
    let mut evidence = evidence::collect(&lab, &scenario.action, &outcome).await;
    if let Some(scope) = affected_users(&scenario.action, &outcome, &attempts) {
        evidence = evidence.with_affected_users(scope);
    }
    let is_failure_scenario = scenario.section.is_some();
    // A failure no entry of the article covers (a device clock set by hand, say): the diagnosis
    // runs, and holds when it names no section rather than the nearest wrong one; the article
    // has no fix for it, so none is applied.
    let outside_article = !is_failure_scenario && scenario.expect.outcome != OutcomeKind::Enrolled;
    let diagnosis = (is_failure_scenario || outside_article).then(|| diagnose(&evidence));

    let mut stages = Vec::new();
    let (fixed, fix_outcome, fix_error) = if is_failure_scenario {
        let again = scenario.reenroll.as_ref().unwrap_or(&scenario.action);
        let mut error = apply_all(&lab, &scenario.resolution).await;
        for stage in &scenario.expect.then {
            if error.is_some() {
                break;
            }
            let report = run_stage(&lab, again, stage).await;
            error.clone_from(&report.fix_error);
            let go_on = report.reproduced;
            stages.push(report);
            if !go_on {
                break;
            }
        }
        let last = lab.enroll(again).await;
        let fixed = error.is_none()
            && stages.iter().all(|s| s.reproduced)
            && matches!(&last, Outcome::Enrolled { upn } if upn.eq_ignore_ascii_case(&again.user));
        (fixed, Some(last), error)
    } else {
        (
            matches!(&outcome, Outcome::Enrolled { .. }) && reproduced,
            None,
            None,
        )
    };
    let fix_timeline = Timeline::from_entries(&lab.world.recorder.drain());
    lab.world.shutdown().await;
    Ok(RunReport {
        id: scenario.id.clone(),
        title: scenario.title.clone(),
        section: scenario.section,
        cause_expected: scenario.cause,
        outcome,
        reproduced,
        message,
        diagnosis,
        fixed,
        fix_outcome,
        fix_error,
        timeline,
        fix_timeline,
        evidence,
        stages,
        attempts,
    })
}

/// The other people's attempts, in order, each checked against its expectation.
async fn run_attempts(lab: &Lab, attempts: &[Attempt]) -> Vec<AttemptReport> {
    let mut reports = Vec::new();
    for attempt in attempts {
        let outcome = lab.enroll(&attempt.action()).await;
        reports.push(AttemptReport {
            user: attempt.user.clone(),
            device: attempt.device.clone(),
            reproduced: outcome_matches(&attempt.expect, &outcome),
            outcome,
            timeline: Timeline::from_entries(&lab.world.recorder.drain()),
        });
    }
    reports
}

/// What the user reports when asked "does it happen to all users or only some?": known only
/// when other users tried; `some` when one of them enrolled, `all` when every one failed.
/// Nothing to report when the action itself enrolled.
#[must_use]
pub fn affected_users(
    action: &Action,
    outcome: &Outcome,
    attempts: &[AttemptReport],
) -> Option<AffectedUsers> {
    if matches!(outcome, Outcome::Enrolled { .. }) {
        return None;
    }
    let mut others = attempts
        .iter()
        .filter(|a| !a.user.eq_ignore_ascii_case(&action.user))
        .peekable();
    others.peek()?;
    if others.any(|a| matches!(a.outcome, Outcome::Enrolled { .. })) {
        Some(AffectedUsers::Some)
    } else {
        Some(AffectedUsers::All)
    }
}

/// The text the user saw, if the attempt failed with one.
fn shown_text(outcome: &Outcome) -> Option<String> {
    match outcome {
        Outcome::Failed { text, .. } => Some(text.clone()),
        _ => None,
    }
}

/// Carries out `steps` in order; the first step that fails, and why, stops it.
async fn apply_all(lab: &Lab, steps: &[ResolutionStep]) -> Option<String> {
    for step in steps {
        if let Err(e) = lab.apply(step).await {
            return Some(format!("{step:?}: {e}"));
        }
    }
    None
}

/// One follow-on stage: the user tries again, the failure is checked and diagnosed blind, and
/// the stage's fix is carried out (only when the failure was the one expected).
async fn run_stage(lab: &Lab, action: &Action, stage: &FollowOnStage) -> StageReport {
    let outcome = lab.enroll(action).await;
    let timeline = Timeline::from_entries(&lab.world.recorder.drain());
    let reproduced = outcome_matches(&stage.expectation(), &outcome);
    let evidence = evidence::collect(lab, action, &outcome).await;
    let diagnosis = diagnose(&evidence);
    let fix_error = if reproduced {
        apply_all(lab, &stage.resolution).await
    } else {
        None
    };
    StageReport {
        section: stage.section,
        cause_expected: stage.cause,
        message: shown_text(&outcome),
        outcome,
        reproduced,
        diagnosed_section: diagnosis.section,
        diagnosed_cause: diagnosis.cause,
        diagnosis,
        fix: stage.resolution.clone(),
        fix_error,
        timeline,
        evidence,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A report of a device-cap run whose diagnosis came from the message alone.
    fn report(expected: (Section, Cause)) -> RunReport {
        let evidence = EvidenceBundle::from_message("Device Cap Reached", "en");
        RunReport {
            id: "x".into(),
            title: "t".into(),
            section: Some(expected.0),
            cause_expected: Some(expected.1),
            outcome: Outcome::Enrolled { upn: "a@b".into() },
            reproduced: true,
            message: None,
            diagnosis: Some(diagnose(&evidence)),
            fixed: true,
            fix_outcome: None,
            fix_error: None,
            timeline: Timeline::from_entries(&[]),
            fix_timeline: Timeline::from_entries(&[]),
            evidence,
            stages: Vec::new(),
            attempts: Vec::new(),
        }
    }

    #[test]
    fn json_keeps_its_field_names_and_writes_ids() {
        let r = report((Section::DeviceCapReached, Cause::DeviceLimitReached));
        let json = serde_json::to_value(&r).unwrap();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        for key in [
            "id",
            "title",
            "section",
            "cause_expected",
            "outcome",
            "reproduced",
            "message",
            "diagnosis",
            "diagnosed_section",
            "diagnosed_cause",
            "fixed",
            "fix_outcome",
            "fix_error",
            "timeline",
            "fix_timeline",
        ] {
            assert!(keys.contains(&key), "{key} missing from {keys:?}");
        }
        assert!(!keys.contains(&"evidence"));
        assert!(
            !keys.contains(&"stages"),
            "a single fault keeps the old shape"
        );
        assert_eq!(json["section"], "device-cap-reached");
        assert_eq!(json["cause_expected"], "device-limit-reached");
        assert_eq!(json["diagnosed_section"], json["diagnosis"]["section"]);
        assert_eq!(json["diagnosed_cause"], json["diagnosis"]["cause"]);
    }

    #[test]
    fn holds_compares_the_typed_diagnosis_with_the_expected_pair() {
        let r = report((Section::DeviceCapReached, Cause::DeviceLimitReached));
        assert_eq!(r.diagnosed_section(), Some(Section::DeviceCapReached));
        assert_eq!(r.diagnosed_cause(), Some(Cause::DeviceLimitReached));
        assert!(r.holds());
        let r = report((Section::DeviceCapReached, Cause::UserNotLicensed));
        assert!(!r.holds());
    }

    /// A failure outside the article (no section expected): it holds when the diagnosis names
    /// no section, not fixed, and does not when the diagnosis names one.
    #[test]
    fn a_failure_outside_the_article_holds_when_no_section_is_named() {
        let mut r = report((Section::DeviceCapReached, Cause::DeviceLimitReached));
        r.section = None;
        r.cause_expected = None;
        r.fixed = false;
        assert!(!r.holds(), "the message names the device cap section");
        let nothing = EvidenceBundle::from_message("", "en");
        r.diagnosis = Some(diagnose(&nothing));
        assert_eq!(r.diagnosed_section(), None);
        assert!(r.holds());
        r.reproduced = false;
        assert!(!r.holds());
    }

    /// A stage that met the licence refusal, diagnosed from the message alone.
    fn stage(reproduced: bool) -> StageReport {
        let evidence = EvidenceBundle::from_message("User License Type Invalid", "en");
        let diagnosis = diagnose(&evidence);
        StageReport {
            section: Section::UserLicenseTypeInvalid,
            cause_expected: Cause::UserNotLicensed,
            outcome: Outcome::Enrolled { upn: "a@b".into() },
            reproduced,
            message: None,
            diagnosed_section: diagnosis.section,
            diagnosed_cause: diagnosis.cause,
            diagnosis,
            fix: Vec::new(),
            fix_error: None,
            timeline: Timeline::from_entries(&[]),
            evidence,
        }
    }

    #[test]
    fn holds_checks_every_stage_and_json_lists_them() {
        let mut r = report((Section::DeviceCapReached, Cause::DeviceLimitReached));
        r.stages.push(stage(true));
        assert!(r.holds());
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["stages"][0]["cause_expected"], "user-not-licensed");
        assert_eq!(json["stages"][0]["diagnosed_cause"], "user-not-licensed");
        assert!(json["stages"][0].get("evidence").is_none());
        r.stages.push(stage(false));
        assert!(!r.holds(), "a stage not reproduced fails the run");
        r.stages.pop();
        r.stages[0].diagnosed_cause = Some(Cause::DeviceLimitReached);
        assert!(!r.holds(), "a stage diagnosed otherwise fails the run");
    }
}
