//! A readable, stable rendering of what happened in a run: who sent what to whom, what the user
//! saw, what the services decided.
//!
//! Every time is virtual and every identifier seeded, so the same scenario renders the same
//! timeline byte for byte; [`Timeline::redacted`] additionally masks UUIDs, hex tokens and
//! serial numbers for snapshots that should survive a change of seed.

use enrollsim_simulator::recorder::{Entry, Happening, HttpExchange};
use serde::Serialize;

/// One line of a timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineLine {
    /// Virtual time, `HH:MM:SS.mmm`.
    pub at: String,
    /// `http`, `user`, or `note`.
    pub kind: &'static str,
    /// What happened.
    pub text: String,
}

/// A run's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Timeline {
    /// The lines, in order.
    pub lines: Vec<TimelineLine>,
}

fn summarize_body(content_type: Option<&str>, body: &[u8]) -> String {
    if body.is_empty() {
        return String::new();
    }
    let ct = content_type.unwrap_or("");
    if ct.contains("json") {
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) {
            for key in ["errorCode", "error", "reason", "code"] {
                if let Some(s) = v.get(key).and_then(|x| x.as_str()) {
                    let codes = v
                        .get("error_codes")
                        .and_then(|c| c.get(0))
                        .map(|c| format!(" AADSTS{c}"))
                        .unwrap_or_default();
                    return format!(" {key}={s}{codes}");
                }
            }
            // Key names rather than sizes: bodies carrying certificates differ in length from
            // run to run (ECDSA signatures do), the keys do not.
            if let Some(obj) = v.as_object() {
                let keys: Vec<&str> = obj.keys().map(String::as_str).take(6).collect();
                return format!(" json{{{}}}", keys.join(","));
            }
        }
        return " json".into();
    }
    if let Ok(plist::Value::Dictionary(d)) = plist::from_bytes::<plist::Value>(body) {
        let get = |k: &str| d.get(k).and_then(|v| v.as_string()).map(str::to_string);
        if let Some(t) = get("MessageType") {
            return format!(" MessageType={t}");
        }
        if let Some(s) = get("Status") {
            return format!(
                " Status={s}{}",
                get("RequestType")
                    .map(|r| format!(" RequestType={r}"))
                    .unwrap_or_default()
            );
        }
        if let Some(plist::Value::Dictionary(c)) = d.get("Command") {
            return format!(
                " Command={}",
                c.get("RequestType")
                    .and_then(|v| v.as_string())
                    .unwrap_or("?")
            );
        }
        if let Some(t) = get("PayloadType") {
            return format!(
                " {t} profile {}",
                get("PayloadIdentifier").unwrap_or_default()
            );
        }
    }
    let text = String::from_utf8_lossy(body);
    let first: String = text.lines().next().unwrap_or("").chars().take(60).collect();
    if ct.starts_with("text/") {
        format!(" \"{first}\"")
    } else {
        format!(" {} B", body.len())
    }
}

fn http_line(x: &HttpExchange) -> String {
    let request = summarize_body(x.request_content_type.as_deref(), &x.request_body);
    let path = x.path.split('?').next().unwrap_or(&x.path);
    let answer = match (x.status, &x.failure) {
        (Some(s), _) => format!(
            "{s}{}",
            summarize_body(x.response_content_type.as_deref(), &x.response_body)
        ),
        (None, Some(f)) => format!("failed: {f}"),
        (None, None) => "no answer".into(),
    };
    format!(
        "{} -> {} {} {}{} => {}",
        x.from, x.host, x.method, path, request, answer
    )
}

impl Timeline {
    /// Renders recorder entries.
    pub fn from_entries(entries: &[Entry]) -> Timeline {
        let lines = entries
            .iter()
            .map(|e| {
                let at = format!(
                    "{:02}:{:02}:{:02}.{:03}",
                    e.at.hour(),
                    e.at.minute(),
                    e.at.second(),
                    e.at.millisecond()
                );
                let (kind, text) = match &e.what {
                    Happening::Http(x) => ("http", http_line(x)),
                    Happening::UserSaw { screen, text, .. } => {
                        ("user", format!("[{}] {}", screen.id(), text))
                    }
                    Happening::Note { party, text } => ("note", format!("{party}: {text}")),
                };
                TimelineLine { at, kind, text }
            })
            .collect();
        Timeline { lines }
    }

    /// The timeline as text, one line per entry.
    pub fn render(&self) -> String {
        self.lines
            .iter()
            .map(|l| format!("{} {:<4} {}\n", l.at, l.kind, l.text))
            .collect()
    }

    /// The text with UUIDs, long hex tokens, serial-like ids and certificate serials masked.
    pub fn redacted(&self) -> String {
        redact(&self.render())
    }
}

/// Masks UUIDs (`[uuid]`), runs of 16+ hex digits (`[hex]`) and 12-character serial numbers
/// (`[serial]`) in `text`.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_inclusive(|c: char| !(c.is_ascii_alphanumeric() || c == '-')) {
        let (token, sep) = match word.char_indices().last() {
            Some((i, c)) if !(c.is_ascii_alphanumeric() || c == '-') => (&word[..i], &word[i..]),
            _ => (word, ""),
        };
        // An abbreviated token ("0cb9c5f2…") is masked whatever its digits.
        if sep.starts_with('…') && token.len() >= 8 && token.chars().all(|c| c.is_ascii_hexdigit())
        {
            out.push_str("[hex]");
        } else {
            out.push_str(&redact_token(token));
        }
        out.push_str(sep);
    }
    out
}

fn redact_token(t: &str) -> String {
    let is_hex = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_hexdigit());
    let parts: Vec<&str> = t.split('-').collect();
    if parts.len() == 5
        && [8, 4, 4, 4, 12]
            .iter()
            .zip(&parts)
            .all(|(n, p)| p.len() == *n && is_hex(p))
    {
        return "[uuid]".into();
    }
    if t.len() >= 16 && is_hex(t) {
        return "[hex]".into();
    }
    // Abbreviated tokens ("0cb9c5f2…") are still seeded identifiers.
    if t.len() >= 8
        && is_hex(t)
        && t.chars().any(|c| c.is_ascii_digit())
        && t.chars().any(|c| c.is_ascii_alphabetic())
    {
        return "[hex]".into();
    }
    if t.len() == 12
        && t.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && t.chars().any(|c| c.is_ascii_digit())
        && t.chars().any(|c| c.is_ascii_uppercase())
    {
        return "[serial]".into();
    }
    t.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_identifiers_but_not_words() {
        let s = "device F2LXK1ABCD12 token 0a1b2c3d4e5f60718293a4b5 id 6f1c2e3a-0000-4000-8000-000000000001 says Hello";
        assert_eq!(
            redact(s),
            "device [serial] token [hex] id [uuid] says Hello"
        );
    }
}
