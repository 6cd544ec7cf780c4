//! A readable, stable rendering of what happened in a run: who sent what to whom, what the user
//! saw, what the services decided.
//!
//! Every time is virtual and every identifier seeded, so the same scenario renders the same
//! timeline byte for byte; [`Timeline::redacted`] additionally masks UUIDs, hex tokens, serial
//! numbers and loopback ports (see [`redact`]) for snapshots that should survive a change of
//! seed.

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
    /// The serial number of the device the line concerns (its own requests, what its user
    /// saw), if any. Not serialized: reports keep their shape; it tells a fleet's devices apart.
    #[serde(skip)]
    pub device: Option<String>,
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
    if let Some(scep) = summarize_scep(ct, body) {
        return scep;
    }
    let text = String::from_utf8_lossy(body);
    let first: String = text.lines().next().unwrap_or("").chars().take(60).collect();
    if ct.starts_with("text/") {
        format!(" \"{first}\"")
    } else {
        format!(" {} B", body.len())
    }
}

/// SCEP bodies and CMS-signed plists by what they are rather than their size, which changes
/// from run to run with the ECDSA signatures they carry.
fn summarize_scep(content_type: &str, body: &[u8]) -> Option<String> {
    use enrollsim_simulator::wire::scep::{self, PkiMessage};
    if content_type.starts_with(scep::CA_RA_CERT_CONTENT_TYPE) {
        return Some(" CA/RA certificates".into());
    }
    if content_type.starts_with(scep::CA_CERT_CONTENT_TYPE) {
        return Some(" CA certificate".into());
    }
    if content_type.starts_with(enrollsim_simulator::wire::content_type::PKCS7_SIGNATURE) {
        // An ADE device's signed MachineInfo: the plist inside names it.
        let inner = enrollsim_simulator::wire::cms::verify(body, None)
            .ok()
            .and_then(|v| plist::from_bytes::<plist::Dictionary>(&v.content).ok());
        return Some(match inner {
            Some(d) if d.contains_key("UDID") => " CMS-signed MachineInfo".into(),
            Some(_) => " CMS-signed plist".into(),
            None => " CMS SignedData (unreadable)".into(),
        });
    }
    if !content_type.starts_with(scep::PKI_MESSAGE_CONTENT_TYPE) {
        return None;
    }
    Some(match PkiMessage::decode(body) {
        Ok((m, _)) => match m.pki_status {
            Some(status) => format!(" pkiMessage {:?} {status:?}", m.message_type),
            None => format!(" pkiMessage {:?}", m.message_type),
        },
        Err(_) => " pkiMessage (unreadable)".into(),
    })
}

fn http_line(x: &HttpExchange) -> String {
    let request = summarize_body(x.request_content_type.as_deref(), &x.request_body);
    let (path, query) = x.path.split_once('?').unwrap_or((&x.path, ""));
    // A SCEP URL is one path for every operation; the operation says which request it is.
    let operation = form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "operation")
        .map(|(_, v)| format!("?operation={v}"))
        .unwrap_or_default();
    let path = format!("{path}{operation}");
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
    #[must_use]
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
                TimelineLine {
                    at,
                    kind,
                    text,
                    device: e.device.clone(),
                }
            })
            .collect();
        Timeline { lines }
    }

    /// The timeline as text, one line per entry.
    #[must_use]
    pub fn render(&self) -> String {
        self.lines
            .iter()
            .map(|l| format!("{} {:<4} {}\n", l.at, l.kind, l.text))
            .collect()
    }

    /// The text with UUIDs, long hex tokens, serial-like ids and certificate serials masked.
    #[must_use]
    pub fn redacted(&self) -> String {
        redact(&self.render())
    }
}

/// Masks what a change of seed, a loopback port or the process would move in `text`, so that
/// a snapshot changes only when behaviour does: UUIDs (`[uuid]`), runs of 16 or more hex
/// digits and shorter hex tokens mixing digits and letters (`[hex]`), abbreviated hex runs of
/// 6 or more digits cut short with an ellipsis (`4a5efd7b…` → `[hex]…`), 12-character serial
/// numbers (`[serial]`) and loopback ports (`127.0.0.1:[port]`).
#[must_use]
pub fn redact(text: &str) -> String {
    let text = mask_number_after(&mask_tokens(text), "127.0.0.1:", "[port]");
    mask_abbreviated_hex(&text)
}

/// Masks each word (letters, digits and `-`) that is an identifier.
fn mask_tokens(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_inclusive(|c: char| !(c.is_ascii_alphanumeric() || c == '-')) {
        let (token, sep) = match word.char_indices().last() {
            Some((i, c)) if !(c.is_ascii_alphanumeric() || c == '-') => (&word[..i], &word[i..]),
            _ => (word, ""),
        };
        out.push_str(&redact_token(token));
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
    // Shorter tokens mixing digits and letters ("0cb9c5f2") are still seeded identifiers.
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

/// Replaces the run of digits right after each `marker` with `mask`.
fn mask_number_after(text: &str, marker: &str, mask: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(marker) {
        let after = &rest[i + marker.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        out.push_str(&rest[..i + marker.len()]);
        if digits > 0 {
            out.push_str(mask);
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

/// Masks a run of 6 or more hex digits cut short with an ellipsis (`4a5efd7b…` → `[hex]…`),
/// unless it is the end of a longer word (`xdeadbeef…`).
fn mask_abbreviated_hex(text: &str) -> String {
    let mut pieces = text.split('…').peekable();
    let mut out = String::with_capacity(text.len());
    while let Some(piece) = pieces.next() {
        if pieces.peek().is_none() {
            out.push_str(piece);
            break;
        }
        let hex = piece
            .bytes()
            .rev()
            .take_while(u8::is_ascii_hexdigit)
            .count();
        let before = piece[..piece.len() - hex].chars().next_back();
        if hex >= 6 && !before.is_some_and(|c| c.is_alphanumeric()) {
            out.push_str(&piece[..piece.len() - hex]);
            out.push_str("[hex]");
        } else {
            out.push_str(piece);
        }
        out.push('…');
    }
    out
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

    #[test]
    fn ports_are_masked_only_after_loopback() {
        assert_eq!(
            mask_number_after(
                "a 127.0.0.1:8443/x, b 127.0.0.1:, c 10.0.0.1:80",
                "127.0.0.1:",
                "[port]"
            ),
            "a 127.0.0.1:[port]/x, b 127.0.0.1:, c 10.0.0.1:80"
        );
    }

    #[test]
    fn abbreviated_hex_is_masked() {
        assert_eq!(
            mask_abbreviated_hex("token 4a5efd7b… and café… and xdeadbeef… end…"),
            "token [hex]… and café… and xdeadbeef… end…"
        );
        assert_eq!(
            redact("serial 0cb9c5f2… and 12345678…"),
            "serial [hex]… and [hex]…"
        );
    }
}
