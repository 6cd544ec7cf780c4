//! Log lines with their line numbers, process (or component) and level, folded for matching.
//!
//! Two formats (see `docs/evidence-bundle.md`): the iOS console and the Company Portal log
//! (`<RFC 3339> <LEVEL> [<component>] <text>`). The console is read in every shape an admin
//! gets it in:
//! - the syslog relay shape of Xcode's Devices window, iPhone Configuration Utility and
//!   `idevicesyslog` (`MMM DD HH:MM:SS <device> <process>[<pid>] <Level>: <text>`, also without
//!   the date and device name as in the article's excerpt), where old `profiled` builds put the
//!   real level inside the text (`<Notice>: (Error) MC: ...`);
//! - `log show` / `log stream` default style
//!   (`YYYY-MM-DD HH:MM:SS.ffffff-zzzz  0xTID  Error  0xACT  PID  TTL  process: text`);
//! - `log show --style compact` (`YYYY-MM-DD HH:MM:SS.fff E  process[pid:tid] text`);
//! - Console.app's copied rows (`error  14:03:42.755219-0600  mdmclient  text`).
//!
//! A line without a header (a wrapped line, an `NSError` block's `Domain : ...` line, a pasted
//! fragment) continues the entry above it and inherits its process and level; line numbers are
//! physical lines, 1-based.

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

/// How much of the line above a hard-wrapped line is matched with it: enough for a phrase cut
/// in two by a ticket's or terminal's wrapping (`XPC_TYPE_ERROR Connec` / `tion invalid`).
const WRAP_CARRY: usize = 48;

fn lines<'a>(text: &'a str, header: fn(&str) -> Option<Header>) -> Vec<LogLine<'a>> {
    let mut current: Header = (None, None);
    let mut above: Option<&str> = None;
    text.lines()
        .enumerate()
        .map(|(i, raw)| {
            let folded = match (header(raw), above) {
                (Some(h), _) => {
                    current = h;
                    fold(raw)
                }
                (None, Some(prev)) if is_hard_wrap(raw) => {
                    fold(&format!("{}{raw}", tail(prev, WRAP_CARRY)))
                }
                _ => fold(raw),
            };
            above = (!raw.trim().is_empty()).then_some(raw);
            LogLine {
                number: i + 1,
                raw,
                folded,
                process: current.0.clone(),
                level: current.1.clone(),
            }
        })
        .collect()
}

/// A line without a header that is not a field of an `NSError` dump: the rest of the line
/// above, cut where a ticket or terminal wrapped it.
fn is_hard_wrap(raw: &str) -> bool {
    !raw.trim().is_empty() && !is_nserror_field(raw)
}

/// The last `n` characters of `s`.
fn tail(s: &str, n: usize) -> &str {
    let start = s
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(0, |(i, _)| i);
    &s[start..]
}

/// Which of the console shapes a line is in: what the parser that reads real logs makes of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConsoleShape {
    /// The syslog relay's `MMM DD HH:MM:SS device process[pid] <Level>: text` (or a fragment of
    /// it from `process[pid]` on).
    Syslog,
    /// `log show` / `log stream`, default or compact style.
    LogShow,
    /// A row copied from Console.app.
    ConsoleRow,
    /// A field of an `NSError` dump (`Domain : ...`, `...Underlying error:`, `NSError:`).
    NsErrorField,
}

/// The shape of one console line, or `None` for a line the parser reads only as the
/// continuation of the entry above (a wrapped line, a fragment).
pub fn console_line_shape(line: &str) -> Option<ConsoleShape> {
    if unified_header(line).is_some() {
        Some(ConsoleShape::LogShow)
    } else if console_row_header(line).is_some() {
        Some(ConsoleShape::ConsoleRow)
    } else if syslog_header(line).is_some() {
        Some(ConsoleShape::Syslog)
    } else if is_nserror_field(line) {
        Some(ConsoleShape::NsErrorField)
    } else {
        None
    }
}

/// `    Domain : X`, `    Code   : 4001`, `    ...Underlying error:`, `    NSError:`.
fn is_nserror_field(line: &str) -> bool {
    const KEYS: &[&str] = &[
        "Desc", "Sugg", "US Desc", "US Sugg", "Domain", "Code", "Type", "Params",
    ];
    let t = line.trim();
    if t == "NSError:" || t == "...Underlying error:" || t == ")" {
        return true;
    }
    t.split_once(':')
        .is_some_and(|(key, _)| KEYS.contains(&key.trim_end()))
}

/// Any of the console shapes above → (process, level).
fn console_header(line: &str) -> Option<Header> {
    unified_header(line)
        .or_else(|| console_row_header(line))
        .or_else(|| syslog_header(line))
}

/// `log show` default and compact styles: a date, a time, then either the default style's
/// `0xTID Level 0xACT PID TTL process:` columns or compact's `Lv process[pid:tid]`.
fn unified_header(line: &str) -> Option<Header> {
    let mut words = line.split_whitespace();
    let date = words.next()?;
    let time = words.next()?;
    if !is_iso_date(date) || !is_clock_time(time) {
        return None;
    }
    let next = words.next()?;
    if next.starts_with("0x") {
        let level = unified_level(words.next()?)?;
        let mut rest = words.skip_while(|w| w.starts_with("0x") || w.parse::<u64>().is_ok());
        let process = rest.next()?.trim_end_matches(':');
        return Some((process_name(process), Some(level.to_string())));
    }
    let level = unified_level(next)?;
    let process = words.next()?;
    Some((process_name(process), Some(level.to_string())))
}

/// Console.app's copied row: `level  time  process  text`.
fn console_row_header(line: &str) -> Option<Header> {
    let mut words = line.split_whitespace();
    let level = words.next()?;
    if !matches!(level, "default" | "info" | "debug" | "error" | "fault") {
        return None;
    }
    if !is_clock_time(words.next()?) {
        return None;
    }
    let process = words.next()?;
    Some((
        process_name(process),
        Some(unified_level(level)?.to_string()),
    ))
}

/// `log show`'s level column (`Default`, `Error`...) or compact's abbreviation (`Df`, `E`...),
/// as the console's level names.
fn unified_level(word: &str) -> Option<&'static str> {
    Some(match word.to_ascii_lowercase().as_str() {
        "default" | "df" => "notice",
        "info" | "i" => "info",
        "debug" | "db" => "debug",
        "error" | "e" => "error",
        "fault" | "f" | "ft" => "fault",
        _ => return None,
    })
}

/// `2022-10-11`.
fn is_iso_date(word: &str) -> bool {
    let b = word.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// `14:03:42`, optionally followed by fractions of a second and a zone offset.
fn is_clock_time(word: &str) -> bool {
    let b = word.as_bytes();
    b.len() >= 8
        && b[2] == b':'
        && b[5] == b':'
        && [0, 1, 3, 4, 6, 7].iter().all(|&i| b[i].is_ascii_digit())
}

/// `mdmclient[2183:1a2b]`, `mdmclient:` or `com.apple.x(MobileAsset)[288]` → the lower-case name.
fn process_name(word: &str) -> Option<String> {
    let name = word
        .split(['[', '('])
        .next()
        .unwrap_or("")
        .trim_end_matches(':')
        .to_ascii_lowercase();
    (!name.is_empty()).then_some(name)
}

/// `... <process>[pid] <Level>: text` → (process, level). The level inside the text of old
/// `profiled` lines (`(Error) MC: ...`) wins over the relay's `<Notice>`.
fn syslog_header(line: &str) -> Option<Header> {
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
    let text = rest[close + 2..].trim_start();
    let level = match text.get(..7).map(str::to_ascii_lowercase).as_deref() {
        Some("(error)") => "error".to_string(),
        Some("(fault)") => "fault".to_string(),
        _ => level.to_ascii_lowercase(),
    };
    Some((process_name(before), Some(level)))
}

/// `<RFC 3339> <LEVEL> [<component>] text`, or the Intune apps' tab-separated
/// `<RFC 3339>\t<LEVEL>\t\t<bundle id>\t<thread>\t\t\t <Component>: text` → (component, level).
/// `ERRO` is the Intune apps' error level.
fn portal_header(line: &str) -> Option<Header> {
    let mut words = line.split_whitespace();
    parse_rfc3339(words.next()?)?;
    let level = match words
        .next()?
        .trim_matches(|c: char| !c.is_ascii_alphabetic())
        .to_ascii_lowercase()
        .as_str()
    {
        "erro" => "error".to_string(),
        other => other.to_string(),
    };
    let component = match words.next() {
        Some(w) if w.starts_with('[') => Some(
            w.trim_matches(|c| c == '[' || c == ']')
                .to_ascii_lowercase(),
        ),
        Some(w) if w.contains('.') => words
            .find(|w| w.ends_with(':'))
            .map(|w| w.trim_end_matches(':').to_ascii_lowercase()),
        _ => None,
    };
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
    fn unified_log_shapes() {
        let log = "2022-10-11 14:03:42.755219-0600 0x137ae    Error       0x0                  2183   0    mdmclient: [com.apple.ManagedClient:MDMAgent] failed\n\
                   2023-08-28 10:19:48.845 Df mdmclient[3270:3694b] [com.apple.ManagedClient:MDMAgent] Installed\n\
                   error\t14:03:42.755219-0600\tprofiled\tCannot install\n\
                   Mar 17 03:07:46 iPad profiled[1764] <Notice>: (Error) MC: Cannot retrieve SCEP identity: NSError:\n\
                   \x20   Domain : MCSCEPErrorDomain";
        let lines = console_lines(log);
        let got: Vec<_> = lines
            .iter()
            .map(|l| (l.process.as_deref(), l.level.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                (Some("mdmclient"), Some("error")),
                (Some("mdmclient"), Some("notice")),
                (Some("profiled"), Some("error")),
                (Some("profiled"), Some("error")),
                (Some("profiled"), Some("error")),
            ]
        );
    }

    #[test]
    fn a_phrase_cut_by_wrapping_is_matched_on_the_second_line() {
        let log = "iPhone mobileassetd[83] <Notice>: 0x1 Client connection: XPC_TYPE_ERROR Connec\ntion invalid <error: 0x1>";
        let lines = console_lines(log);
        assert!(!lines[0].folded.contains("connection invalid"));
        assert!(lines[1]
            .folded
            .contains("xpc_type_error connection invalid"));
        assert_eq!(lines[1].raw, "tion invalid <error: 0x1>");
        assert_eq!(tail("abcdé", 2), "dé");
        assert_eq!(tail("ab", 5), "ab");
    }

    #[test]
    fn shapes() {
        assert_eq!(
            console_line_shape("    Code   : 4001"),
            Some(ConsoleShape::NsErrorField)
        );
        assert_eq!(
            console_line_shape("    ...Underlying error:"),
            Some(ConsoleShape::NsErrorField)
        );
        assert_eq!(
            console_line_shape("iPhone profiled[171] <Error>: x"),
            Some(ConsoleShape::Syslog)
        );
        assert_eq!(console_line_shape("terminating connection"), None);
    }

    #[test]
    fn portal_headers() {
        let log = "2026-11-26T10:40:12.000Z ERROR [Enrollment] DeviceCapReached\nnot a header\n\u{0}\u{1}";
        let lines = portal_lines(log);
        assert_eq!(lines[0].process.as_deref(), Some("enrollment"));
        assert_eq!(lines[0].level.as_deref(), Some("error"));
        assert_eq!(lines[1].level.as_deref(), Some("error"));
        assert_eq!(lines.len(), 3);
        let intune = "2023-03-21T08:59:45.429Z\tERRO\t\tcom.microsoft.CompanyPortal\t0\t\t\t Enrollment: failed";
        let lines = portal_lines(intune);
        assert_eq!(lines[0].process.as_deref(), Some("enrollment"));
        assert!(lines[0].is_error());
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
