//! The diagnosis: what [`crate::diagnose()`] returns, its JSON shape and its text rendering.
//!
//! JSON: `{"section", "current_section", "cause", "confidence", "evidence", "resolution",
//! "candidates", "collect"}` with `section`/`current_section`/`cause` null when undecided.
//! `section` is the 2020 article's anchor for the entries it had (tools depend on it) and the
//! current article's for the entries added since; `current_section` is always the current
//! article's anchor, and `follow_ons` when the evidence shows causes
//! whose checks come after the named one (absent when there are none). The text rendering is stable and deterministic
//! so that it can be snapshot-tested.

use std::fmt::Write as _;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::catalog::{Cause, Language, ResolutionStep, Section};

/// A confidence in 0.0..=1.0, held as whole percent so it never jitters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Confidence(u8);

impl Confidence {
    /// From whole percent (clamped to 100).
    pub fn from_percent(percent: u32) -> Confidence {
        Confidence(percent.min(100) as u8)
    }

    /// From a fraction, rounded to two decimals and clamped to 0.0..=1.0 (NaN is 0).
    pub fn from_f64(value: f64) -> Confidence {
        if value.is_nan() {
            return Confidence(0);
        }
        Confidence((value.clamp(0.0, 1.0) * 100.0).round() as u8)
    }

    /// Whole percent.
    pub fn percent(self) -> u32 {
        u32::from(self.0)
    }

    /// As a fraction with two decimals.
    pub fn value(self) -> f64 {
        f64::from(self.0) / 100.0
    }
}

impl Serialize for Confidence {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.value())
    }
}

impl<'de> Deserialize<'de> for Confidence {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        f64::deserialize(deserializer).map(Confidence::from_f64)
    }
}

/// One piece of evidence: which part, and which line or fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceItem {
    /// The part: `bundle.json`, `device.log`, `company-portal.log`, `tenant.json`,
    /// `enrollment-events.json` or `sign-ins.json`.
    pub source: String,
    /// The 1-based line of a log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The log line's text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// A fact read from a structured part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fact: Option<String>,
}

impl EvidenceItem {
    /// A log line.
    pub fn line(source: &str, line: usize, text: impl Into<String>) -> EvidenceItem {
        EvidenceItem {
            source: source.to_string(),
            line: Some(line),
            text: Some(text.into()),
            fact: None,
        }
    }

    /// A fact.
    pub fn fact(source: &str, fact: impl Into<String>) -> EvidenceItem {
        EvidenceItem {
            source: source.to_string(),
            line: None,
            text: None,
            fact: Some(fact.into()),
        }
    }
}

/// A ranked alternative.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    /// The article section.
    pub section: Section,
    /// The cause.
    pub cause: Cause,
    /// How likely.
    pub confidence: Confidence,
}

/// A fact to collect next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectItem {
    /// A stable id (`exact-message`, `device-count-and-limit`, ...).
    pub id: String,
    /// What to collect, for a human.
    pub text: String,
}

/// A cause the evidence shows but whose check comes after the one that refused: ruled out as
/// the current cause, and what the user is expected to meet once the current one is fixed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowOn {
    /// The article section its failure is expected under.
    pub section: Section,
    /// The cause.
    pub cause: Cause,
    /// How strongly the evidence shows it.
    pub confidence: Confidence,
    /// What shows it.
    pub evidence: Vec<EvidenceItem>,
}

/// An `NSError` the device logged, read out of the device log's error chains: what failed on
/// the device and why, whether or not the catalog has a section for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggedError {
    /// The 1-based line of `device.log` with its `Domain`.
    pub line: usize,
    /// `MCInstallationErrorDomain`...
    pub domain: String,
    /// The domain's code, when the log gives one.
    pub code: Option<i64>,
    /// Its place in the chain: 0 for the outermost error, +1 for each underlying one.
    pub depth: usize,
}

/// The device log's error chains, indented by depth; nothing when there are none.
fn render_device_errors(errors: &[LoggedError], out: &mut String) {
    if errors.is_empty() {
        return;
    }
    out.push_str("\nErrors in the device log (outermost first):\n");
    for e in errors {
        let code = e.code.map(|c| format!(" {c}")).unwrap_or_default();
        let indent = "  ".repeat(e.depth);
        let _ = writeln!(out, "  {indent}- line {}: {}{code}", e.line, e.domain);
    }
}

/// The section, its heading and where the current article has it; or that it is undecided.
fn render_section(section: Option<Section>, out: &mut String) {
    let Some(s) = section else {
        out.push_str("Section:    undecided\n");
        return;
    };
    let _ = writeln!(out, "Section:    {}", s.id());
    let _ = writeln!(out, "            \"{}\"", s.text(Language::English));
    let current = s.current().label();
    let _ = match s.seed_anchor() {
        Some(_) => writeln!(out, "Current:    {current}"),
        None => writeln!(out, "Current:    {current} (not in the 2020 article)"),
    };
}

/// The outcome of a diagnosis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnosis {
    /// The article section, or `None` when undecided.
    pub section: Option<Section>,
    /// The section's anchor in the current article ([`Section::current_section`]), `None`
    /// when undecided.
    #[serde(default)]
    pub current_section: Option<String>,
    /// The cause, or `None` when undecided.
    pub cause: Option<Cause>,
    /// How sure the diagnosis is of what it names (0 when it names nothing).
    pub confidence: Confidence,
    /// What supports it.
    pub evidence: Vec<EvidenceItem>,
    /// What to do (empty when the cause is undecided).
    pub resolution: Vec<ResolutionStep>,
    /// The alternatives considered, best first.
    pub candidates: Vec<Candidate>,
    /// What to collect next to tell the candidates apart.
    pub collect: Vec<CollectItem>,
    /// After fixing the named cause, expect these, in the order the services check them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub follow_ons: Vec<FollowOn>,
    /// The error chains the device log shows, outermost error first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub device_errors: Vec<LoggedError>,
}

impl Diagnosis {
    /// A plain-text report for humans; stable and deterministic.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        render_section(self.section, &mut out);
        match self.cause {
            Some(c) => {
                let _ = writeln!(out, "Cause:      {} ({})", c.id(), c.title());
            }
            None => out.push_str("Cause:      undecided\n"),
        }
        let _ = writeln!(out, "Confidence: {:.2}", self.confidence.value());
        if !self.evidence.is_empty() {
            out.push_str("\nEvidence:\n");
            for e in &self.evidence {
                let place = match e.line {
                    Some(n) => format!("{} line {}", e.source, n),
                    None => e.source.clone(),
                };
                let what = e.text.as_deref().or(e.fact.as_deref()).unwrap_or("");
                let _ = writeln!(out, "  - {place}: {what}");
            }
        }
        if !self.resolution.is_empty() {
            let mut anchors: Vec<&str> = Vec::new();
            for step in &self.resolution {
                if !anchors.contains(&step.anchor.id()) {
                    anchors.push(step.anchor.id());
                }
            }
            let _ = writeln!(
                out,
                "\nResolution (article section {}):",
                anchors.join(", ")
            );
            for step in &self.resolution {
                let _ = writeln!(out, "  {}. {}", step.step, step.text);
            }
        }
        if !self.follow_ons.is_empty() {
            out.push_str("\nAfter fixing this, expect (checked later, not reached yet):\n");
            for (i, f) in self.follow_ons.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "  {}. {:.2}  {}  [{}]",
                    i + 1,
                    f.confidence.value(),
                    f.cause.id(),
                    f.section.id()
                );
            }
        }
        render_device_errors(&self.device_errors, &mut out);
        if !self.candidates.is_empty() {
            out.push_str("\nCandidates:\n");
            for (i, c) in self.candidates.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "  {}. {:.2}  {}  [{}]",
                    i + 1,
                    c.confidence.value(),
                    c.cause.id(),
                    c.section.id()
                );
            }
        }
        if !self.collect.is_empty() {
            out.push_str("\nCollect next:\n");
            for c in &self.collect {
                let _ = writeln!(out, "  - {}", c.text);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Diagnosis {
        Diagnosis {
            section: Some(Section::DeviceCapReached),
            current_section: Some(Section::DeviceCapReached.current_section().to_string()),
            cause: Some(Cause::DeviceLimitReached),
            confidence: Confidence::from_f64(0.854),
            evidence: vec![
                EvidenceItem::line("company-portal.log", 3, "ERROR DeviceCapReached"),
                EvidenceItem::fact("tenant.json", "15 devices, limit 15"),
            ],
            resolution: Cause::DeviceLimitReached.resolution(Some(Section::DeviceCapReached)),
            candidates: vec![Candidate {
                section: Section::DeviceCapReached,
                cause: Cause::DeviceLimitReached,
                confidence: Confidence::from_percent(85),
            }],
            collect: vec![],
            follow_ons: vec![],
            device_errors: vec![],
        }
    }

    #[test]
    fn serializes_to_the_documented_shape() {
        let v = serde_json::to_value(sample()).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys.len(), 8);
        for k in [
            "section",
            "current_section",
            "cause",
            "confidence",
            "evidence",
            "resolution",
            "candidates",
            "collect",
        ] {
            assert!(keys.contains(&k), "{k}");
        }
        assert_eq!(v["confidence"], serde_json::json!(0.85));
        // A 2020 entry keeps its 2020 anchor; the current article's anchor comes beside it.
        assert_eq!(v["section"], "device-cap-reached");
        assert_eq!(v["current_section"], "iosipados-enrollment-errors");
        assert_eq!(
            v["evidence"][0],
            serde_json::json!({"source": "company-portal.log", "line": 3, "text": "ERROR DeviceCapReached"})
        );
        assert_eq!(
            v["evidence"][1],
            serde_json::json!({"source": "tenant.json", "fact": "15 devices, limit 15"})
        );
        assert_eq!(v["resolution"][0]["anchor"], "device-cap-reached");
        let back: Diagnosis = serde_json::from_value(v).unwrap();
        assert_eq!(back, sample());
    }

    #[test]
    fn undecided_serializes_nulls() {
        let d = Diagnosis {
            section: None,
            current_section: None,
            cause: None,
            confidence: Confidence::default(),
            evidence: vec![],
            resolution: vec![],
            candidates: vec![],
            collect: vec![],
            follow_ons: vec![],
            device_errors: vec![],
        };
        let v = serde_json::to_value(&d).unwrap();
        assert!(v["section"].is_null() && v["cause"].is_null());
        assert!(v["current_section"].is_null());
        assert_eq!(v["confidence"], serde_json::json!(0.0));
        assert!(d.render_text().contains("Section:    undecided"));
    }

    #[test]
    fn text_rendering_is_stable() {
        let text = sample().render_text();
        assert!(text
            .starts_with("Section:    device-cap-reached\n            \"Device Cap Reached\"\n"));
        assert!(text.contains(
            "Current:    troubleshoot-ios-enrollment-errors#iosipados-enrollment-errors [DeviceCapReached]\n"
        ));
        assert!(text.contains("Confidence: 0.85\n"));
        assert!(text.contains("  - company-portal.log line 3: ERROR DeviceCapReached\n"));
        assert!(text.contains("Resolution (article section device-cap-reached):\n  1. "));
        assert!(!text.lines().any(|l| l.ends_with(' ')));
        assert_eq!(text, sample().render_text());
    }

    #[test]
    fn follow_ons_serialize_and_render_only_when_present() {
        let mut d = sample();
        d.follow_ons.push(FollowOn {
            section: Section::DeviceCapReached,
            cause: Cause::DeviceLimitReached,
            confidence: Confidence::from_percent(60),
            evidence: vec![EvidenceItem::fact("tenant.json", "15 devices, limit 15")],
        });
        let v = serde_json::to_value(&d).unwrap();
        assert_eq!(v["follow_ons"][0]["cause"], "device-limit-reached");
        let back: Diagnosis = serde_json::from_value(v).unwrap();
        assert_eq!(back, d);
        let text = d.render_text();
        assert!(
            text.contains("After fixing this, expect (checked later, not reached yet):\n  1. 0.60  device-limit-reached  [device-cap-reached]\n"),
            "{text}"
        );
        assert!(!sample().render_text().contains("After fixing this"));
    }

    #[test]
    fn confidence_rounds_and_clamps() {
        assert_eq!(Confidence::from_f64(0.125).percent(), 13);
        assert_eq!(Confidence::from_f64(7.0).percent(), 100);
        assert_eq!(Confidence::from_f64(-1.0).percent(), 0);
        assert_eq!(Confidence::from_f64(f64::NAN).percent(), 0);
        assert_eq!(Confidence::from_percent(250).percent(), 100);
    }
}
