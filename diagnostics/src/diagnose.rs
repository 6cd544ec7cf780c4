//! The decision: combine what the user reported with what the rules found, rank the causes,
//! and name a section and a cause when the evidence is clear enough.
//!
//! For every cause, the message supports it through the sections that list it (weighted by how
//! the article presents the cause under that section, and a little less when the message
//! appeared somewhere that section's message does not), the rules' findings support it or
//! speak against it, and the two are combined as independent signals:
//! `1 - (1 - evidence) * (1 - 0.7 * message)`, times `1 - against`. A cause that no section of
//! the recognised message lists loses a quarter. A cause is named when it reaches 0.50 and
//! leads the next one by 0.15; otherwise a section is still named when the message decides it
//! or when every close candidate shares it, and a section that lists a single cause names that
//! cause when it leads. Scores are whole percent, so results never jitter.
//!
//! Several faults at once: when close causes all reach 0.50 and none leads, the one whose
//! check the services run first is named if the attempt's own evidence (the message, a log
//! line, an event, a sign-in) shows it: the later checks were never reached ([`order`]).
//! Causes checked after the named one that the tenant's state shows are not alternatives but
//! what follows once it is fixed; they are listed as follow-ons, not as candidates.

mod order;

use crate::bundle::{EvidenceBundle, Location};
use crate::catalog::{Cause, Section};
use crate::collect::collect;
use crate::message::{recognize, MessageMatch};
use crate::report::{Candidate, Confidence, Diagnosis, EvidenceItem, FollowOn};
use crate::rules::{self, Context, Finding, HintRank, MANIFEST, TENANT};
use crate::text::clip;
use order::{check_of, is_website, Check};

/// A cause is named at this score...
const DECIDE: u32 = 50;
/// ...when it leads the next cause by this much (also the "close candidate" margin).
const MARGIN: u32 = 15;
/// How much a complete message alone can carry.
const MESSAGE_WEIGHT: f64 = 0.7;
/// At most this many candidates are listed.
const MAX_CANDIDATES: usize = 6;
/// Candidates below this are not listed.
const MIN_CANDIDATE: u32 = 5;
/// A cause checked later is listed as a follow-on from this score.
const FOLLOW_ON: u32 = 50;

/// Diagnoses one bundle. Blind: it reads kinds of evidence, never names or ids.
pub fn diagnose(bundle: &EvidenceBundle) -> Diagnosis {
    let ctx = Context::new(bundle);
    let findings = rules::run(&ctx);
    let matches = recognize(bundle.message());
    let scorer = Scorer {
        ctx: &ctx,
        findings: &findings,
        matches: &matches,
    };
    scorer.decide()
}

struct Scorer<'a> {
    ctx: &'a Context<'a>,
    findings: &'a [Finding],
    matches: &'a [MessageMatch],
}

#[derive(Debug, Clone, Copy)]
struct Ranked {
    cause: Cause,
    section: Section,
    percent: u32,
}

impl Scorer<'_> {
    /// How strongly the message names `section`, lowered when it appeared somewhere else.
    fn message(&self, section: Section) -> f64 {
        let Some(m) = self.matches.iter().find(|m| m.section == section) else {
            return 0.0;
        };
        let elsewhere = match self.ctx.location {
            None | Some(Location::NotShown | Location::Other) => false,
            Some(l) => !section.message().shown_in.contains(&l),
        };
        if elsewhere {
            m.score * 0.85
        } else {
            m.score
        }
    }

    fn strongest_message(&self) -> f64 {
        Section::ALL
            .iter()
            .map(|s| self.message(*s))
            .fold(0.0, f64::max)
    }

    /// How typical a cause is for a section's message.
    fn prior(section: Section, cause: Cause) -> f64 {
        match (section, cause) {
            (Section::CompanyPortalUnavailable, Cause::CompanyPortalOutdated) => 0.8,
            (Section::CompanyPortalUnavailable, Cause::DeviceLimitReached) => 0.5,
            (
                Section::ConnectionNotEstablished
                | Section::ServiceNotSupported
                | Section::NoEnrollmentPolicy,
                _,
            ) => 0.5,
            _ => 1.0,
        }
    }

    /// Nothing was shown during an ADE: that itself is the symptom of some sections.
    fn silent_ade(&self, cause: Cause) -> f64 {
        let silent = self.ctx.bundle.message().trim().is_empty();
        let ade = self.ctx.is_ade()
            || (self.ctx.enrollment_type.is_none()
                && self.ctx.location == Some(Location::SetupAssistant));
        if !silent || !ade {
            return 0.0;
        }
        let at_sign_in = self.ctx.location == Some(Location::SignIn);
        match cause {
            Cause::AdeProfilePredatesToken if at_sign_in => 0.15,
            Cause::AdeProfilePredatesToken => 0.35,
            Cause::MfaDuringAde if at_sign_in => 0.35,
            Cause::MfaDuringAde | Cause::AdeServiceUnreachable => 0.2,
            _ => 0.0,
        }
    }

    fn score(&self, cause: Cause) -> u32 {
        let (mut keep, mut against) = (1.0, 1.0);
        for f in self.findings.iter().filter(|f| f.cause == cause) {
            if f.weight > 0.0 {
                keep *= 1.0 - f.weight.min(1.0);
            } else {
                against *= 1.0 - (-f.weight).min(1.0);
            }
        }
        let sections = cause.sections();
        let by_message = sections
            .iter()
            .map(|s| self.message(*s) * Self::prior(*s, cause))
            .fold(0.0, f64::max);
        let support = by_message.max(self.silent_ade(cause));
        let unexplained =
            self.strongest_message() >= 0.7 && sections.iter().all(|s| self.message(*s) < 0.3);
        let score = (1.0 - keep * (1.0 - MESSAGE_WEIGHT * support))
            * against
            * if unexplained { 0.75 } else { 1.0 };
        Confidence::from_f64(score).percent()
    }

    /// The section to name for a cause: the message's, else what the evidence points at,
    /// else where the message appeared, else the article's main section for the cause.
    fn section_for(&self, cause: Cause) -> Section {
        let sections = cause.sections();
        let mut by_message: Option<(f64, Section)> = None;
        for s in &sections {
            let m = self.message(*s);
            if m >= 0.3 && by_message.is_none_or(|(best, _)| m > best) {
                by_message = Some((m, *s));
            }
        }
        if let Some((_, s)) = by_message {
            return s;
        }
        let hint = |rank: HintRank| {
            self.findings
                .iter()
                .filter(|f| f.cause == cause && f.weight > 0.0)
                .filter_map(|f| f.hint)
                .find(|(s, r)| *r == rank && sections.contains(s))
                .map(|(s, _)| s)
        };
        let by_location = match (cause, self.ctx.location) {
            (
                Cause::ApnsCertificateMissing | Cause::ApnsCertificateInvalid,
                Some(Location::CompanyPortal),
            ) => Some(Section::ServiceNotSupported),
            (
                Cause::ApnsCertificateMissing | Cause::ApnsCertificateInvalid,
                Some(Location::Safari),
            ) => Some(Section::NoEnrollmentPolicy),
            (Cause::UserNotLicensed, Some(Location::Settings | Location::Safari)) => {
                Some(Section::ConnectionNotEstablished)
            }
            _ => None,
        };
        let fallback = match (cause, self.ctx.location) {
            (Cause::UserNotLicensed, Some(Location::CompanyPortal)) => {
                Section::UserLicenseTypeInvalid
            }
            _ => cause.primary_section(),
        };
        hint(HintRank::Firm)
            .or(by_location)
            .or_else(|| hint(HintRank::Weak))
            .unwrap_or(fallback)
    }

    fn ranked(&self) -> Vec<Ranked> {
        let mut ranked: Vec<Ranked> = Cause::ALL
            .iter()
            .map(|&cause| Ranked {
                cause,
                section: self.section_for(cause),
                percent: self.score(cause),
            })
            .collect();
        ranked.sort_by(|a, b| b.percent.cmp(&a.percent).then(a.cause.cmp(&b.cause)));
        ranked
    }

    /// The section the message alone decides, if it does.
    fn message_section(&self) -> Option<Section> {
        let mut scored: Vec<(f64, Section)> = Section::ALL
            .iter()
            .map(|s| (self.message(*s), *s))
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let (first, second) = (scored.first()?, scored.get(1).map(|s| s.0).unwrap_or(0.0));
        (first.0 >= 0.5 && first.0 - second >= f64::from(MARGIN) / 100.0).then_some(first.1)
    }

    fn check(&self, cause: Cause) -> Check {
        check_of(cause, is_website(self.ctx.location))
    }

    /// Whether this attempt's own evidence shows `cause` refusing: the message, a log line, an
    /// event or a sign-in (not only the tenant's configuration, which shows latent faults too).
    fn observed(&self, cause: Cause) -> bool {
        let by_message = cause.sections().iter().any(|s| self.message(*s) >= 0.3);
        let by_record = self.findings.iter().any(|f| {
            f.cause == cause && f.weight > 0.0 && f.evidence.iter().any(|e| e.source != TENANT)
        });
        by_message || by_record || self.silent_ade(cause) > 0.0
    }

    /// With several close causes and none leading, the one checked first, when the attempt's
    /// evidence shows it and every other close cause is checked strictly later.
    fn first_checked(&self, ranked: &[Ranked]) -> Option<Ranked> {
        let top = ranked.first()?.percent;
        let close: Vec<&Ranked> = ranked
            .iter()
            .filter(|r| r.percent >= DECIDE && r.percent + MARGIN > top)
            .collect();
        let first = **close.iter().min_by_key(|r| self.check(r.cause))?;
        let later = close
            .iter()
            .filter(|r| r.cause != first.cause)
            .all(|r| self.check(r.cause) > self.check(first.cause));
        (close.len() >= 2 && later && self.observed(first.cause)).then_some(first)
    }

    /// The section a follow-on's failure is expected under: where the enrollment channel shows
    /// it, else where its evidence points, else the article's main section for it.
    fn follow_on_section(&self, cause: Cause) -> Section {
        let sections = cause.sections();
        let website = is_website(self.ctx.location);
        let by_channel = match cause {
            // The website leaves the licence to the device's authentication.
            Cause::UserNotLicensed if website => Some(Section::ConnectionNotEstablished),
            Cause::ApnsCertificateMissing | Cause::ApnsCertificateInvalid if !website => {
                Some(Section::ServiceNotSupported)
            }
            _ => None,
        };
        let hinted = || {
            self.findings
                .iter()
                .filter(|f| f.cause == cause && f.weight > 0.0)
                .filter_map(|f| f.hint)
                .filter(|(s, _)| sections.contains(s))
                .max_by_key(|(_, rank)| *rank)
                .map(|(s, _)| s)
        };
        let fallback = match cause {
            Cause::UserNotLicensed if !self.ctx.is_ade() => Section::UserLicenseTypeInvalid,
            _ => cause.primary_section(),
        };
        by_channel.or_else(hinted).unwrap_or(fallback)
    }

    /// Causes checked after `named` that the tenant's state shows, in check order.
    fn follow_ons(&self, named: Cause, ranked: &[Ranked]) -> Vec<FollowOn> {
        let after = self.check(named);
        let mut out: Vec<(Check, FollowOn)> = ranked
            .iter()
            .filter(|r| r.cause != named && r.percent >= FOLLOW_ON)
            .filter(|r| self.check(r.cause) > after)
            .filter_map(|r| {
                let mut state: Vec<&Finding> = self
                    .findings
                    .iter()
                    .filter(|f| f.cause == r.cause && f.weight > 0.0)
                    .filter(|f| f.evidence.iter().any(|e| e.source == TENANT))
                    .collect();
                state.sort_by(|a, b| b.weight.total_cmp(&a.weight));
                let evidence: Vec<EvidenceItem> = state
                    .iter()
                    .flat_map(|f| f.evidence.iter().cloned())
                    .collect();
                let follow_on = FollowOn {
                    section: self.follow_on_section(r.cause),
                    cause: r.cause,
                    confidence: Confidence::from_percent(r.percent),
                    evidence,
                };
                (!state.is_empty()).then_some((self.check(r.cause), follow_on))
            })
            .collect();
        out.sort_by_key(|(check, _)| *check);
        out.into_iter().map(|(_, f)| f).collect()
    }

    fn decide(&self) -> Diagnosis {
        let ranked = self.ranked();
        let top = ranked[0];
        let runner_up = ranked.get(1).map(|r| r.percent).unwrap_or(0);
        let by_score = top.percent >= DECIDE && top.percent - runner_up >= MARGIN;
        // Several faults at once: the one checked first is what the user met.
        let first = if by_score {
            None
        } else {
            self.first_checked(&ranked)
        };
        let lead = first.unwrap_or(top);
        let cause = (by_score || first.is_some()).then_some(lead.cause);
        let section = match cause {
            Some(_) => Some(lead.section),
            None => self.undecided_section(&ranked),
        };
        // A section that lists a single cause names it, when that cause also leads.
        let cause = cause.or_else(|| match section.map(Section::causes).as_deref() {
            Some([only]) if *only == top.cause => Some(top.cause),
            _ => None,
        });
        let confidence = self.confidence(cause, section, lead, &ranked);
        let follow_ons = cause
            .map(|c| self.follow_ons(c, &ranked))
            .unwrap_or_default();
        // A section with more causes than the list holds (the ADE token sync table) still
        // lists every one of them when it is the section named.
        let listed = section.map_or(0, |s| s.causes().len()).max(MAX_CANDIDATES);
        // A follow-on was ruled out as the current cause: it is not an alternative.
        let candidates: Vec<Candidate> = ranked
            .iter()
            .filter(|r| r.percent >= MIN_CANDIDATE)
            .filter(|r| !follow_ons.iter().any(|f| f.cause == r.cause))
            .take(listed)
            .map(|r| Candidate {
                section: r.section,
                cause: r.cause,
                confidence: Confidence::from_percent(r.percent),
            })
            .collect();
        let shown: Vec<Cause> = match cause {
            Some(c) => vec![c],
            None => candidates
                .iter()
                .filter(|c| section.is_none_or(|s| c.section == s))
                .map(|c| c.cause)
                .collect(),
        };
        let evidence = self.evidence(section, &shown);
        let resolution = cause.map(|c| c.resolution(section)).unwrap_or_default();
        let collect = collect(
            self.ctx,
            !self.matches.is_empty(),
            cause.is_some(),
            confidence,
            &candidates,
        );
        Diagnosis {
            section,
            current_section: section.map(|s| s.current_section().to_string()),
            cause,
            confidence,
            evidence,
            resolution,
            candidates,
            collect,
            follow_ons,
            device_errors: crate::error_chain::logged(&self.ctx.device_lines),
        }
    }

    /// With no cause named: the section the message decides, or the one every close candidate
    /// shares.
    fn undecided_section(&self, ranked: &[Ranked]) -> Option<Section> {
        let top = ranked.first()?.percent;
        self.message_section().or_else(|| {
            let mut close = ranked
                .iter()
                .filter(|r| r.percent >= MIN_CANDIDATE && r.percent + MARGIN > top);
            let first = close.next()?.section;
            close.all(|r| r.section == first).then_some(first)
        })
    }

    fn confidence(
        &self,
        cause: Option<Cause>,
        section: Option<Section>,
        lead: Ranked,
        ranked: &[Ranked],
    ) -> Confidence {
        match (cause, section) {
            (Some(_), _) => Confidence::from_percent(lead.percent),
            (None, Some(s)) => {
                let best = ranked
                    .iter()
                    .filter(|r| r.section == s)
                    .map(|r| r.percent)
                    .max()
                    .unwrap_or(0);
                let by_message = Confidence::from_f64(self.message(s) * MESSAGE_WEIGHT).percent();
                Confidence::from_percent(best.max(by_message))
            }
            (None, None) => Confidence::default(),
        }
    }

    fn evidence(&self, section: Option<Section>, causes: &[Cause]) -> Vec<EvidenceItem> {
        let mut out = Vec::new();
        if let Some(m) = section.and_then(|s| self.matches.iter().find(|m| m.section == s)) {
            let language = match m.language {
                Some(language) => format!("{} text", language.name()),
                None => "code".to_string(),
            };
            let fact = if m.complete {
                format!(
                    "user_report.message matches the {language} \"{}\"",
                    m.pattern
                )
            } else {
                format!(
                    "user_report.message \"{}\" matches part of the {language} \"{}\"",
                    clip(self.ctx.bundle.message(), 200).replace(['\n', '\r'], " "),
                    m.pattern
                )
            };
            out.push(EvidenceItem::fact(MANIFEST, fact));
            if let Some(l) = self.ctx.location {
                out.push(EvidenceItem::fact(
                    MANIFEST,
                    format!("user_report.where = {}", l.id()),
                ));
            }
        }
        if causes.iter().any(|c| self.silent_ade(*c) > 0.0) {
            out.push(EvidenceItem::fact(
                MANIFEST,
                "no message was reported during an Automated Device Enrollment",
            ));
        }
        for cause in causes {
            let mut supporting: Vec<&Finding> = self
                .findings
                .iter()
                .filter(|f| f.cause == *cause && f.weight > 0.0)
                .collect();
            supporting.sort_by(|a, b| b.weight.total_cmp(&a.weight));
            for item in supporting.into_iter().flat_map(|f| f.evidence.iter()) {
                if !out.contains(item) {
                    out.push(item.clone());
                }
            }
        }
        out
    }
}
