//! Replaying a scenario: start its world, let the user act, check that the failure is the one
//! expected, collect the evidence and diagnose it blind, carry out the documented fix, enroll
//! again and check that the device is managed for the right user.

use enrollsim_diagnostics::{diagnose, Diagnosis, EvidenceBundle};
use enrollsim_simulator::device::Outcome;
use serde::Serialize;

use crate::evidence;
use crate::lab::{Lab, LabError};
use crate::scenario::{Expectation, OutcomeKind, Scenario};
use crate::timeline::Timeline;

/// Everything a scenario run produced.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    /// Scenario id.
    pub id: String,
    /// Scenario title.
    pub title: String,
    /// The article section the scenario belongs to.
    pub section: Option<String>,
    /// The cause the scenario sets up.
    pub cause_expected: Option<String>,
    /// How the user's attempt ended.
    pub outcome: Outcome,
    /// Whether it ended as expected.
    pub reproduced: bool,
    /// The text the user saw, if any.
    pub message: Option<String>,
    /// The blind diagnosis of the evidence (failure scenarios only).
    pub diagnosis: Option<Diagnosis>,
    /// `diagnosis.section` as an id.
    pub diagnosed_section: Option<String>,
    /// `diagnosis.cause` as an id.
    pub diagnosed_cause: Option<String>,
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
    /// The evidence collected after the attempt.
    #[serde(skip)]
    pub evidence: EvidenceBundle,
}

impl RunReport {
    /// Whether every check holds: reproduced, diagnosed as expected, fixed.
    pub fn holds(&self) -> bool {
        let diagnosed = match (&self.section, &self.cause_expected) {
            (Some(section), Some(cause)) => {
                self.diagnosed_section.as_deref() == Some(section.as_str())
                    && self.diagnosed_cause.as_deref() == Some(cause.as_str())
            }
            _ => true,
        };
        self.reproduced && diagnosed && self.fixed
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
    expect.screen.is_none_or(|s| Some(s) == screen)
        && expect.message.as_ref().is_none_or(|m| Some(m) == message)
        && expect
            .text_contains
            .as_deref()
            .is_none_or(|t| text.is_some_and(|x| x.contains(t)))
}

/// Runs `scenario` end to end.
pub async fn run_scenario(scenario: &Scenario) -> Result<RunReport, LabError> {
    let lab = Lab::start(&scenario.world).await?;
    let outcome = lab.enroll(&scenario.action).await;
    let timeline = Timeline::from_entries(&lab.world.recorder.drain());
    let reproduced = outcome_matches(&scenario.expect, &outcome);
    let message = match &outcome {
        Outcome::Failed { text, .. } => Some(text.clone()),
        _ => None,
    };
    let evidence = evidence::collect(&lab, &scenario.action, &outcome);
    let is_failure_scenario = scenario.section.is_some();
    let diagnosis = is_failure_scenario.then(|| diagnose(&evidence));

    let (fixed, fix_outcome, fix_error) = if is_failure_scenario {
        let mut error = None;
        for step in &scenario.resolution {
            if let Err(e) = lab.apply(step).await {
                error = Some(format!("{step:?}: {e}"));
                break;
            }
        }
        let again = scenario.reenroll.as_ref().unwrap_or(&scenario.action);
        let second = lab.enroll(again).await;
        let fixed = error.is_none()
            && matches!(&second, Outcome::Enrolled { upn } if upn.eq_ignore_ascii_case(&again.user));
        (fixed, Some(second), error)
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
        section: scenario.section.clone(),
        cause_expected: scenario.cause.clone(),
        outcome,
        reproduced,
        message,
        diagnosed_section: diagnosis
            .as_ref()
            .and_then(|d| d.section.map(|s| s.id().to_string())),
        diagnosed_cause: diagnosis
            .as_ref()
            .and_then(|d| d.cause.map(|c| c.id().to_string())),
        diagnosis,
        fixed,
        fix_outcome,
        fix_error,
        timeline,
        fix_timeline,
        evidence,
    })
}
