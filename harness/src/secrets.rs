//! Masking the secrets an exchange carries before it is written for people (HAR files): bearer
//! tokens and cookies in headers, passwords and tokens in form and JSON bodies, and in Apple
//! configuration profiles the SCEP challenge, payload passwords and PKCS#12 identities.
//!
//! A HAR file is shared: attached to tickets, opened by colleagues. The wire itself stays
//! available to whoever asks for it (`har::har_with_secrets`, `SSLKEYLOGFILE`); what is written
//! by default keeps the shape of every exchange and none of its secrets.

use bytes::Bytes;
use enrollsim_simulator::recorder::HttpExchange;
use serde_json::Value;

/// What a masked value reads.
pub const MASK: &str = "[redacted]";

/// Header names whose values are secrets.
const SECRET_HEADERS: [&str; 3] = ["authorization", "cookie", "set-cookie"];

/// Form and JSON field names whose values are secrets.
const SECRET_FIELDS: [&str; 7] = [
    "password",
    "client_secret",
    "access_token",
    "refresh_token",
    "id_token",
    "assertion",
    "challenge",
];

/// Form fields that are secrets only in forms: an OAuth authorization `code` (in JSON, `code`
/// is Graph's error code, which a reader needs).
const SECRET_FORM_FIELDS: [&str; 1] = ["code"];

/// Profile keys whose values are secrets (a SCEP challenge, a PKCS#12 or Exchange password).
const SECRET_PROFILE_KEYS: [&str; 2] = ["Challenge", "Password"];

/// `exchange` with its secrets masked.
#[must_use]
pub fn masked(exchange: &HttpExchange) -> HttpExchange {
    let mut e = exchange.clone();
    e.request_headers = mask_headers(&e.request_headers);
    e.response_headers = mask_headers(&e.response_headers);
    e.request_body = mask_body(e.request_content_type.as_deref(), &e.request_body);
    e.response_body = mask_body(e.response_content_type.as_deref(), &e.response_body);
    e
}

fn mask_headers(pairs: &[(String, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(name, value)| {
            if !SECRET_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
                return (name.clone(), value.clone());
            }
            // Keep the scheme (`Bearer`, `Basic`), which says what kind of credential it was.
            let masked = match value.split_once(' ') {
                Some((scheme, _)) if name.eq_ignore_ascii_case("authorization") => {
                    format!("{scheme} {MASK}")
                }
                _ => MASK.to_string(),
            };
            (name.clone(), masked)
        })
        .collect()
}

fn is_secret_field(name: &str) -> bool {
    SECRET_FIELDS.contains(&name.to_ascii_lowercase().as_str())
}

fn mask_body(content_type: Option<&str>, body: &Bytes) -> Bytes {
    let media = content_type
        .and_then(|c| c.split(';').next())
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if media == "application/x-www-form-urlencoded" {
        return mask_form(body);
    }
    if media.ends_with("json") {
        if let Ok(mut value) = serde_json::from_slice::<Value>(body) {
            mask_json(&mut value);
            return Bytes::from(serde_json::to_vec(&value).unwrap_or_default());
        }
    }
    if let Ok(mut value) = plist::Value::from_reader(std::io::Cursor::new(body.as_ref())) {
        if mask_plist(&mut value) {
            let mut out = Vec::new();
            if value.to_writer_xml(&mut out).is_ok() {
                return Bytes::from(out);
            }
        }
    }
    body.clone()
}

fn mask_form(body: &Bytes) -> Bytes {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (name, value) in form_urlencoded::parse(body) {
        let secret = is_secret_field(&name) || SECRET_FORM_FIELDS.contains(&name.as_ref());
        let value = if secret { MASK.into() } else { value };
        out.append_pair(&name, &value);
    }
    Bytes::from(out.finish())
}

fn mask_json(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (name, v) in map.iter_mut() {
                if is_secret_field(name) && v.is_string() {
                    *v = Value::String(MASK.into());
                } else {
                    mask_json(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_json),
        _ => {}
    }
}

/// Masks a profile's secrets in place; whether there were any.
fn mask_plist(value: &mut plist::Value) -> bool {
    match value {
        plist::Value::Dictionary(dict) => {
            let pkcs12 = dict
                .get("PayloadType")
                .and_then(plist::Value::as_string)
                .is_some_and(|t| t == "com.apple.security.pkcs12");
            let mut found = false;
            for (key, v) in dict.iter_mut() {
                if SECRET_PROFILE_KEYS.contains(&key.as_str()) && v.as_string().is_some() {
                    *v = plist::Value::String(MASK.into());
                    found = true;
                } else if pkcs12 && key == "PayloadContent" {
                    *v = plist::Value::Data(MASK.as_bytes().to_vec());
                    found = true;
                } else {
                    found |= mask_plist(v);
                }
            }
            found
        }
        plist::Value::Array(items) => items.iter_mut().fold(false, |f, v| mask_plist(v) | f),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_json_and_headers_lose_their_secrets_and_keep_their_shape() {
        let form = mask_form(&Bytes::from_static(
            b"grant_type=password&username=a%40b&password=Passw0rd%21&code=c",
        ));
        assert_eq!(
            form,
            "grant_type=password&username=a%40b&password=%5Bredacted%5D&code=%5Bredacted%5D"
        );
        let mut json: Value =
            serde_json::json!({"access_token": "eyJ", "nested": [{"refresh_token": "r"}], "a": 1});
        mask_json(&mut json);
        assert_eq!(
            json,
            serde_json::json!({"access_token": MASK, "nested": [{"refresh_token": MASK}], "a": 1})
        );
        let headers = mask_headers(&[
            ("authorization".into(), "Bearer eyJ.x.y".into()),
            ("host".into(), "a".into()),
        ]);
        assert_eq!(headers[0].1, "Bearer [redacted]");
        assert_eq!(headers[1].1, "a");
    }

    #[test]
    fn a_profile_loses_its_challenge_and_identity() {
        let mut scep = plist::Dictionary::new();
        scep.insert("Challenge".into(), "one-time-secret".into());
        let mut p12 = plist::Dictionary::new();
        p12.insert("PayloadType".into(), "com.apple.security.pkcs12".into());
        p12.insert("PayloadContent".into(), plist::Value::Data(vec![1, 2, 3]));
        p12.insert("Password".into(), "p12-password".into());
        let mut profile = plist::Dictionary::new();
        profile.insert(
            "PayloadContent".into(),
            plist::Value::Array(vec![scep.into(), p12.into()]),
        );
        let mut xml = Vec::new();
        plist::Value::Dictionary(profile)
            .to_writer_xml(&mut xml)
            .unwrap();
        let masked = mask_body(Some("application/x-apple-aspen-config"), &Bytes::from(xml));
        let text = String::from_utf8_lossy(&masked);
        for secret in ["one-time-secret", "p12-password", "AQID"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }
}
