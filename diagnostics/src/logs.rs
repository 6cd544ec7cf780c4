//! Log lines with their line numbers, process (or component) and level, folded for matching.
//!
//! Two formats (see `docs/evidence-bundle.md`): the iOS console
//! (`MMM DD HH:MM:SS <device> <process>[<pid>] <Level>: <text>`, also without the date and
//! device name as in the article's excerpt) and the Company Portal log
//! (`<RFC 3339> <LEVEL> [<component>] <text>`). A line without a header continues the entry
//! above it and inherits its process and level; line numbers are physical lines, 1-based.

use crate::dates::parse_rfc3339;
use crate::text::fold;

/// One physical log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LogLine<'a> {
    /// 1-based physical line number.
    pub number: usize,
    /// The line as written.
    pub raw: &'a str,
    /// The line, lower-cased and without accents.
    pub folded: String,
    /// The process (console) or component (Company Portal), lower-cased, when known.
    pub process: Option<String>,
    /// The level, lower-cased (`error`, `notice`, `info`...), when known.
    pub level: Option<String>,
}

impl LogLine<'_> {
    /// Any of `needles` (already lower-case) occurs in the line.
    pub fn has_any(&self, needles: &[&str]) -> bool {
        needles.iter().any(|n| self.folded.contains(n))
    }

    /// The line is at error level or worse.
    pub fn is_error(&self) -> bool {
        matches!(
            self.level.as_deref(),
            Some("error" | "fault" | "critical" | "fatal")
        )
    }
}

/// Splits an iOS console log.
pub(crate) fn console_lines(text: &str) -> Vec<LogLine<'_>> {
    lines(text, console_header)
}

/// Splits a Company Portal log.
pub(crate) fn portal_lines(text: &str) -> Vec<LogLine<'_>> {
    lines(text, portal_header)
}

type Header = (Option<String>, Option<String>);

fn lines<'a>(text: &'a str, header: fn(&str) -> Option<Header>) -> Vec<LogLine<'a>> {
    let mut current: Header = (None, None);
    text.lines()
        .enumerate()
        .map(|(i, raw)| {
            if let Some(h) = header(raw) {
                current = h;
            }
            LogLine {
                number: i + 1,
                raw,
                folded: fold(raw),
                process: current.0.clone(),
                level: current.1.clone(),
            }
        })
        .collect()
}

/// `... <process>[pid] <Level>: text` → (process, level).
fn console_header(line: &str) -> Option<Header> {
    let open = line
        .find(" <")
        .or_else(|| line.starts_with('<').then_some(0))?;
    let rest = &line[open..].trim_start();
    let close = rest.find(">:")?;
    let level = rest.get(1..close)?;
    if level.is_empty() || !level.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let before = line[..open].split_whitespace().last().unwrap_or("");
    let process = before
        .split(['[', '('])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    Some((
        (!process.is_empty()).then_some(process),
        Some(level.to_ascii_lowercase()),
    ))
}

/// `<RFC 3339> <LEVEL> [<component>] text` → (component, level).
fn portal_header(line: &str) -> Option<Header> {
    let mut words = line.split_whitespace();
    parse_rfc3339(words.next()?)?;
    let level = words
        .next()?
        .trim_matches(|c: char| !c.is_ascii_alphabetic())
        .to_ascii_lowercase();
    let component = words.next().filter(|w| w.starts_with('[')).map(|w| {
        w.trim_matches(|c| c == '[' || c == ']')
            .to_ascii_lowercase()
    });
    Some((component, (!level.is_empty()).then_some(level)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn console_headers() {
        let log = "Nov 26 10:40:12 iPhone profiled[171] <Error>: Installing failed\n  continued detail\nmobileassetd[83] <Notice>: 0x1 Client connection: XPC_TYPE_ERROR Connection invalid\niPhone com.apple.accessibility.AccessibilityUIServer(MobileAsset)[288] <Notice>: x";
        let lines = console_lines(log);
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0].process.as_deref(), Some("profiled"));
        assert!(lines[0].is_error());
        assert_eq!(lines[1].number, 2);
        assert_eq!(lines[1].process.as_deref(), Some("profiled"));
        assert_eq!(lines[2].process.as_deref(), Some("mobileassetd"));
        assert_eq!(lines[2].level.as_deref(), Some("notice"));
        assert!(lines[2].has_any(&["xpc_type_error"]));
        assert_eq!(
            lines[3].process.as_deref(),
            Some("com.apple.accessibility.accessibilityuiserver")
        );
    }

    #[test]
    fn portal_headers() {
        let log = "2026-11-26T10:40:12.000Z ERROR [Enrollment] DeviceCapReached\nnot a header\n\u{0}\u{1}";
        let lines = portal_lines(log);
        assert_eq!(lines[0].process.as_deref(), Some("enrollment"));
        assert_eq!(lines[0].level.as_deref(), Some("error"));
        assert_eq!(lines[1].level.as_deref(), Some("error"));
        assert_eq!(lines.len(), 3);
    }

    #[test]
    fn odd_lines_do_not_panic() {
        for l in ["<", " <>:", "<Error>:", "x <É>: y", "é <Error>: ü"] {
            let _ = console_header(l);
            let _ = portal_header(l);
        }
        assert_eq!(
            console_header("<Error>: starts with level")
                .unwrap()
                .1
                .as_deref(),
            Some("error")
        );
    }
}
