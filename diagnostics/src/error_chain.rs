//! Apple's `NSError` chains as iOS logs them, read out of a console log so that the rules can
//! reason about the failing step and its root cause instead of single words.
//!
//! Three shapes occur in real logs:
//! - ManagedConfiguration's multi-line dump (`profiled`, `mdmclient`), one key per line and each
//!   underlying error after a `...Underlying error:` line (as quoted in
//!   <https://github.com/micromdm/micromdm/issues/496> and
//!   <https://github.com/thrasr/mdm-server/issues/15>):
//!   `Desc   : Profile Installation Failed` / `Domain : MCInstallationErrorDomain` / `Code   : 4001`;
//! - Foundation's one-line description,
//!   `Error Domain=MCCloudConfigurationErrorDomain Code=34007 "..." UserInfo={...}`
//!   (<https://github.com/fleetdm/fleet/issues/8167>);
//! - the same keys on one line (`Desc: ... Domain: X Code: N`), as a wrapped line is pasted.
//!
//! Each error found keeps its depth in the chain (0 = outermost), so the deepest one is the root
//! cause the rules care about.

use crate::logs::LogLine;
use crate::report::LoggedError;
use crate::text::fold;

/// One error of a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChainedError {
    /// `MCInstallationErrorDomain`, as written.
    pub domain: String,
    /// The code, when the log gives one.
    pub code: Option<i64>,
    /// `Desc` and `Sugg` (or the quoted description), folded, joined by a space.
    pub text: String,
    /// 0 for the outermost error, +1 for each `Underlying error`.
    pub depth: usize,
    /// 1-based physical line of its `Domain`.
    pub line: usize,
}

/// Every error of every chain in `log`, in the order they appear.
pub(crate) fn errors(log: &str) -> Vec<ChainedError> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut text = String::new();
    let mut after_underlying = false;
    let mut in_description = false;
    for (i, raw) in log.lines().enumerate() {
        let folded = fold(raw);
        let underlying = folded.contains("underlying error");
        if folded.contains("nserror:") && !underlying && !after_underlying && !is_continuation(raw)
        {
            // A new logged error starts a new chain.
            depth = 0;
            text.clear();
        }
        after_underlying = underlying && !folded.contains("domain");
        if after_underlying && !out.is_empty() {
            depth += 1;
        }
        let mut described = false;
        for key in ["desc", "sugg", "us desc", "us sugg"] {
            if let Some(v) = value_after(raw, key) {
                text.push(' ');
                text.push_str(&fold(v));
                described = true;
            }
        }
        let other_field = !described && is_field(raw);
        if !described && !other_field && in_description {
            // A `Desc` or `Sugg` value wrapped onto this line.
            text.push_str(&fold(raw));
        }
        in_description = described || (in_description && !other_field && !raw.contains("Domain"));
        for (domain, code, quoted) in domains(raw) {
            let mut t = std::mem::take(&mut text);
            if let Some(q) = quoted {
                t.push(' ');
                t.push_str(&fold(&q));
            }
            let code = code.or_else(|| next_code(log, i));
            out.push(ChainedError {
                domain,
                code,
                text: t.trim().to_string(),
                depth,
                line: i + 1,
            });
            if raw.contains("Underlying") || raw.contains("underlying") {
                depth += 1;
            }
        }
    }
    out
}

/// The errors of the chains in a device log's lines, as the report shows them.
pub(crate) fn logged(lines: &[LogLine<'_>]) -> Vec<LoggedError> {
    let text: Vec<&str> = lines.iter().map(|l| l.raw).collect();
    errors(&text.join("\n"))
        .into_iter()
        .map(|e| LoggedError {
            line: e.line,
            domain: e.domain,
            code: e.code,
            depth: e.depth,
        })
        .collect()
}

/// `Key : value` for any key of an `NSError` dump, or its `NSError:` / `...Underlying error:`
/// lines.
fn is_field(raw: &str) -> bool {
    let t = raw.trim();
    t == "NSError:"
        || t.starts_with("...Underlying")
        || t.split_once(':').is_some_and(|(k, _)| {
            matches!(
                k.trim_end(),
                "Desc" | "Sugg" | "US Desc" | "US Sugg" | "Domain" | "Code" | "Type" | "Params"
            )
        })
}

fn is_continuation(raw: &str) -> bool {
    raw.starts_with(char::is_whitespace)
}

/// `    Desc   : text` → `text` for `key` (case-insensitive, any spacing before the colon).
fn value_after<'a>(raw: &'a str, key: &str) -> Option<&'a str> {
    let trimmed = raw.trim_start();
    let head = trimmed.get(..key.len())?;
    if !head.eq_ignore_ascii_case(key) {
        return None;
    }
    let rest = trimmed[key.len()..].trim_start();
    rest.strip_prefix(':').map(str::trim)
}

/// Every `Domain : X` / `Domain: X` / `Domain=X` on the line, with the code that follows it on
/// the same line (`Code : N`, `Code=N`) and a quoted description (`Code=N "text"`).
fn domains(raw: &str) -> Vec<(String, Option<i64>, Option<String>)> {
    let mut out = Vec::new();
    let mut rest = raw;
    while let Some(at) = rest.find("Domain") {
        let after = rest[at + "Domain".len()..].trim_start();
        let Some(after) = after
            .strip_prefix(':')
            .or_else(|| after.strip_prefix('='))
            .map(str::trim_start)
        else {
            rest = &rest[at + "Domain".len()..];
            continue;
        };
        let name: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
            .collect();
        let tail = &after[name.len()..];
        let (code, quoted) = code_in(tail);
        if name.ends_with("Domain") || name.contains("Error") {
            out.push((name, code, quoted));
        }
        rest = tail;
    }
    out
}

/// `Code : N` or `Code=N "text"` before the next `Domain` of the line.
fn code_in(tail: &str) -> (Option<i64>, Option<String>) {
    let scope = tail.find("Domain").map_or(tail, |d| &tail[..d]);
    let Some(at) = scope.find("Code") else {
        return (None, None);
    };
    let after = scope[at + 4..].trim_start();
    let Some(after) = after
        .strip_prefix(':')
        .or_else(|| after.strip_prefix('='))
        .map(str::trim_start)
    else {
        return (None, None);
    };
    let digits: String = after
        .chars()
        .enumerate()
        .take_while(|(i, c)| c.is_ascii_digit() || (*i == 0 && *c == '-'))
        .map(|(_, c)| c)
        .collect();
    let quoted = after[digits.len()..]
        .trim_start()
        .strip_prefix('"')
        .and_then(|q| q.split('"').next())
        .map(str::to_string);
    (digits.parse().ok(), quoted)
}

/// In the multi-line dump the code is on one of the next lines (`Code   : 4001`).
fn next_code(log: &str, domain_line: usize) -> Option<i64> {
    log.lines()
        .skip(domain_line + 1)
        .take(2)
        .find_map(|l| value_after(l, "code"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_line_dump_with_underlying_errors() {
        let log = "Install profile data, interactive error. Error: NSError:\n\
                   Desc   : Profile Installation Failed\n\
                   Domain : MCInstallationErrorDomain\n\
                   Code   : 4001\n\
                   ...Underlying error:\n\
                   NSError:\n\
                   Sugg   : The required field \u{201c}Topic\u{201d} is missing.\n\
                   Domain : MCProfileErrorDomain\n\
                   Code   : 1000\n";
        let e = errors(log);
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].domain, "MCInstallationErrorDomain");
        assert_eq!(e[0].code, Some(4001));
        assert_eq!(e[0].depth, 0);
        assert_eq!(e[1].domain, "MCProfileErrorDomain");
        assert_eq!(e[1].code, Some(1000));
        assert_eq!(e[1].depth, 1);
        assert!(e[1].text.contains("topic"));
    }

    #[test]
    fn a_wrapped_suggestion_is_read_whole() {
        let log = "US Sugg: The server certificate for \u{201c}https://10.1.3.2\n3:8080/checkin\u{201d} is invalid.\nDomain : MCInstallationErrorDomain\nCode   : 4001";
        let e = errors(log);
        assert_eq!(e.len(), 1);
        assert!(e[0].text.contains("server certificate"), "{}", e[0].text);
        assert!(e[0].text.contains("is invalid"), "{}", e[0].text);
    }

    #[test]
    fn one_line_shapes() {
        let e = errors("mdmclient: <OUTERROR> Error Domain=MCCloudConfigurationErrorDomain Code=34007 \"The Device Enrollment service could not verify\" UserInfo={}");
        assert_eq!(e[0].domain, "MCCloudConfigurationErrorDomain");
        assert_eq!(e[0].code, Some(34007));
        assert!(e[0].text.contains("could not verify"));
        let e = errors("profiled[171] <Error>: Profile installation failed. Error: NSError: Desc: x Underlying error: Domain: NSOSStatusErrorDomain Code: -25295 Domain: MCInstallationErrorDomain Code: 4001");
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].code, Some(-25295));
        assert_eq!(e[1].code, Some(4001));
    }
}
