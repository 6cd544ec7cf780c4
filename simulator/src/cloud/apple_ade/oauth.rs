//! OAuth 1.0a with HMAC-SHA1, as Apple's DEP `/session` endpoint speaks it.
//!
//! Apple's "Authenticating with the Automated Device Enrollment program"
//! (developer.apple.com/documentation/devicemanagement/authenticating-with-the-automated-device-enrollment-program)
//! says `GET https://mdmenrollment.apple.com/session` "supports the OAuth 1.0a protocol": the
//! request carries an `Authorization: OAuth realm="ADM", ...` header with the consumer key and
//! access token of the server token, a timestamp, a nonce and an `HMAC-SHA1` signature. The
//! signature is the one of RFC 5849 §3.4: the base string is the method, the base string URI and
//! the normalized parameters, each percent-encoded (§3.6) and joined by `&`; the key is the
//! encoded consumer secret and the encoded token secret joined by `&`.
//!
//! This module is pure: it builds and parses headers and computes and checks signatures. Which
//! token is valid, which nonce was seen, is the state's business ([`super::state`]). Problems
//! with the header itself are [`OAuthError`]s, which Apple answers with 400 ("Interpreting
//! Automated Device Enrollment program error codes": unsupported parameters, unsupported
//! signature method, missing or duplicated parameter).

use aws_lc_rs::hmac;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;

// RFC 5849 §3.6 percent-encoding is RFC 3986's: every byte but `A-Z a-z 0-9 - . _ ~`.
use crate::cloud::form::{percent_decode_strict, percent_encode};

/// The realm Apple's DEP service expects in the `Authorization` header.
pub const REALM: &str = "ADM";
/// The only signature method Apple's DEP service accepts.
pub const SIGNATURE_METHOD: &str = "HMAC-SHA1";
/// The OAuth protocol version sent (`oauth_version`).
pub const OAUTH_VERSION: &str = "1.0";

/// Why an `Authorization` header is not an acceptable OAuth 1.0a header (Apple: 400).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OAuthError {
    /// No `Authorization` header at all.
    #[error("the request has no Authorization header")]
    MissingHeader,
    /// The header is not of the `OAuth` scheme, or cannot be parsed as `name="value"` pairs.
    #[error("the Authorization header is not an OAuth header: {0}")]
    Malformed(String),
    /// A required protocol parameter is absent.
    #[error("missing OAuth parameter {0}")]
    MissingParameter(&'static str),
    /// A protocol parameter appears twice.
    #[error("duplicated OAuth parameter {0}")]
    DuplicatedParameter(String),
    /// A parameter that is not part of OAuth 1.0a (or not accepted here).
    #[error("unsupported OAuth parameter {0}")]
    UnsupportedParameter(String),
    /// A signature method other than `HMAC-SHA1`.
    #[error("unsupported signature method {0}")]
    UnsupportedSignatureMethod(String),
    /// An `oauth_version` other than `1.0`.
    #[error("unsupported OAuth version {0}")]
    UnsupportedVersion(String),
}

impl OAuthError {
    /// The name the OAuth Problem Reporting extension gives this problem
    /// (`parameter_absent`, `parameter_rejected`, ...), used in response bodies.
    pub fn problem(&self) -> &'static str {
        match self {
            OAuthError::MissingHeader | OAuthError::MissingParameter(_) => "parameter_absent",
            OAuthError::Malformed(_)
            | OAuthError::DuplicatedParameter(_)
            | OAuthError::UnsupportedParameter(_) => "parameter_rejected",
            OAuthError::UnsupportedSignatureMethod(_) => "signature_method_rejected",
            OAuthError::UnsupportedVersion(_) => "version_rejected",
        }
    }
}

/// The four secrets of a server token that sign a request.
#[derive(Debug, Clone, Copy)]
pub struct Credentials<'a> {
    /// `consumer_key` of the server token.
    pub consumer_key: &'a str,
    /// `consumer_secret` of the server token.
    pub consumer_secret: &'a str,
    /// `access_token` of the server token.
    pub access_token: &'a str,
    /// `access_secret` of the server token.
    pub access_secret: &'a str,
}

/// The protocol parameters of an OAuth 1.0a `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthParams {
    /// `realm` (not signed).
    pub realm: Option<String>,
    /// `oauth_consumer_key`.
    pub consumer_key: String,
    /// `oauth_token`.
    pub token: String,
    /// `oauth_signature_method`.
    pub signature_method: String,
    /// `oauth_signature` (base64), empty until signed.
    pub signature: String,
    /// `oauth_timestamp` (seconds since the epoch, as text).
    pub timestamp: String,
    /// `oauth_nonce`.
    pub nonce: String,
    /// `oauth_version`, when sent.
    pub version: Option<String>,
}

impl OAuthParams {
    /// Signs a request for `method` and `base_uri` (scheme, host and path, no query) with
    /// `credentials`, `nonce` and `timestamp`; `query` holds the request's query parameters
    /// (decoded), which RFC 5849 §3.4.1.3 folds into the signature.
    pub fn sign(
        method: &str,
        base_uri: &str,
        query: &[(String, String)],
        credentials: Credentials<'_>,
        nonce: &str,
        timestamp: i64,
    ) -> OAuthParams {
        let mut params = OAuthParams {
            realm: Some(REALM.to_string()),
            consumer_key: credentials.consumer_key.to_string(),
            token: credentials.access_token.to_string(),
            signature_method: SIGNATURE_METHOD.to_string(),
            signature: String::new(),
            timestamp: timestamp.to_string(),
            nonce: nonce.to_string(),
            version: Some(OAUTH_VERSION.to_string()),
        };
        let base = signature_base_string(method, base_uri, &params.signed_params(query));
        params.signature = hmac_sha1_signature(
            &base,
            credentials.consumer_secret,
            credentials.access_secret,
        );
        params
    }

    /// The parameters that enter the signature: the protocol parameters (without
    /// `oauth_signature` and `realm`) and the request's query parameters.
    pub fn signed_params(&self, query: &[(String, String)]) -> Vec<(String, String)> {
        let mut out = vec![
            ("oauth_consumer_key".to_string(), self.consumer_key.clone()),
            ("oauth_token".to_string(), self.token.clone()),
            (
                "oauth_signature_method".to_string(),
                self.signature_method.clone(),
            ),
            ("oauth_timestamp".to_string(), self.timestamp.clone()),
            ("oauth_nonce".to_string(), self.nonce.clone()),
        ];
        if let Some(v) = &self.version {
            out.push(("oauth_version".to_string(), v.clone()));
        }
        out.extend(query.iter().cloned());
        out
    }

    /// The `Authorization` header value: `OAuth realm="ADM", oauth_consumer_key="...", ...`,
    /// every value percent-encoded (RFC 5849 §3.5.1).
    pub fn to_header(&self) -> String {
        let mut parts = Vec::new();
        if let Some(realm) = &self.realm {
            parts.push(format!("realm=\"{}\"", percent_encode(realm)));
        }
        let mut push = |k: &str, v: &str| parts.push(format!("{k}=\"{}\"", percent_encode(v)));
        push("oauth_consumer_key", &self.consumer_key);
        push("oauth_token", &self.token);
        push("oauth_signature_method", &self.signature_method);
        push("oauth_signature", &self.signature);
        push("oauth_timestamp", &self.timestamp);
        push("oauth_nonce", &self.nonce);
        if let Some(v) = &self.version {
            push("oauth_version", v);
        }
        format!("OAuth {}", parts.join(", "))
    }

    /// Parses an `Authorization` header value, rejecting what Apple rejects with 400: a
    /// missing, duplicated or unknown parameter, a signature method other than HMAC-SHA1, a
    /// version other than 1.0. Never panics, whatever the input.
    pub fn parse(header: &str) -> Result<OAuthParams, OAuthError> {
        let header = header.trim();
        let (scheme, rest) = header
            .split_once(char::is_whitespace)
            .unwrap_or((header, ""));
        if !scheme.eq_ignore_ascii_case("OAuth") {
            return Err(OAuthError::Malformed(format!("scheme {scheme:?}")));
        }
        let mut seen: Vec<(String, String)> = Vec::new();
        for pair in split_pairs(rest)? {
            let (name, value) = pair;
            if seen.iter().any(|(n, _)| *n == name) {
                return Err(OAuthError::DuplicatedParameter(name));
            }
            match name.as_str() {
                "realm"
                | "oauth_consumer_key"
                | "oauth_token"
                | "oauth_signature_method"
                | "oauth_signature"
                | "oauth_timestamp"
                | "oauth_nonce"
                | "oauth_version" => {}
                _ => return Err(OAuthError::UnsupportedParameter(name)),
            }
            seen.push((name, value));
        }
        let take = |name: &'static str| -> Option<String> {
            seen.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
        };
        let required = |name: &'static str| take(name).ok_or(OAuthError::MissingParameter(name));
        let params = OAuthParams {
            realm: take("realm"),
            consumer_key: required("oauth_consumer_key")?,
            token: required("oauth_token")?,
            signature_method: required("oauth_signature_method")?,
            signature: required("oauth_signature")?,
            timestamp: required("oauth_timestamp")?,
            nonce: required("oauth_nonce")?,
            version: take("oauth_version"),
        };
        if params.signature_method != SIGNATURE_METHOD {
            return Err(OAuthError::UnsupportedSignatureMethod(
                params.signature_method,
            ));
        }
        if let Some(v) = &params.version {
            if v != OAUTH_VERSION {
                return Err(OAuthError::UnsupportedVersion(v.clone()));
            }
        }
        if params.timestamp.is_empty() || !params.timestamp.bytes().all(|b| b.is_ascii_digit()) {
            return Err(OAuthError::Malformed(
                "oauth_timestamp is not a number".into(),
            ));
        }
        for (name, value) in [
            ("oauth_consumer_key", &params.consumer_key),
            ("oauth_token", &params.token),
            ("oauth_signature", &params.signature),
            ("oauth_nonce", &params.nonce),
        ] {
            if value.is_empty() {
                return Err(OAuthError::MissingParameter(name));
            }
        }
        Ok(params)
    }

    /// Whether the signature is the HMAC-SHA1 of this request's base string under the two
    /// secrets (compared in constant time).
    pub fn verify(
        &self,
        method: &str,
        base_uri: &str,
        query: &[(String, String)],
        consumer_secret: &str,
        token_secret: &str,
    ) -> bool {
        let Ok(tag) = BASE64.decode(self.signature.as_bytes()) else {
            return false;
        };
        let base = signature_base_string(method, base_uri, &self.signed_params(query));
        let key = hmac::Key::new(
            hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
            signing_key(consumer_secret, token_secret).as_bytes(),
        );
        hmac::verify(&key, base.as_bytes(), &tag).is_ok()
    }
}

/// Splits `name="value", name="value"` into decoded pairs.
fn split_pairs(s: &str) -> Result<Vec<(String, String)>, OAuthError> {
    let mut out = Vec::new();
    for raw in s.split(',') {
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        let (name, value) = raw
            .split_once('=')
            .ok_or_else(|| OAuthError::Malformed(format!("{raw:?} is not name=\"value\"")))?;
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .ok_or_else(|| OAuthError::Malformed(format!("value of {name} is not quoted")))?;
        let name = percent_decode_strict(name.trim())
            .ok_or_else(|| OAuthError::Malformed(format!("bad encoding in {name:?}")))?;
        let value = percent_decode_strict(value)
            .ok_or_else(|| OAuthError::Malformed(format!("bad encoding in value of {name}")))?;
        out.push((name, value));
    }
    Ok(out)
}

/// The signature base string of RFC 5849 §3.4.1: `METHOD&encoded(base_uri)&encoded(params)`,
/// where the parameters are encoded, sorted by name then value, and joined as `k=v&k=v`.
pub fn signature_base_string(method: &str, base_uri: &str, params: &[(String, String)]) -> String {
    let mut encoded: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (percent_encode(k), percent_encode(v)))
        .collect();
    encoded.sort();
    let normalized = encoded
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        percent_encode(base_uri),
        percent_encode(&normalized)
    )
}

fn signing_key(consumer_secret: &str, token_secret: &str) -> String {
    format!(
        "{}&{}",
        percent_encode(consumer_secret),
        percent_encode(token_secret)
    )
}

/// The base64 HMAC-SHA1 of `base_string` under `encoded(consumer_secret)&encoded(token_secret)`
/// (RFC 5849 §3.4.2).
pub fn hmac_sha1_signature(base_string: &str, consumer_secret: &str, token_secret: &str) -> String {
    let key = hmac::Key::new(
        hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        signing_key(consumer_secret, token_secret).as_bytes(),
    );
    BASE64.encode(hmac::sign(&key, base_string.as_bytes()).as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn photos_params(nonce: &str, ts: &str, version: bool) -> Vec<(String, String)> {
        let mut p: Vec<(String, String)> = [
            ("file", "vacation.jpg"),
            ("size", "original"),
            ("oauth_consumer_key", "dpf43f3p2l4k3l03"),
            ("oauth_token", "nnch734d00sl2jdk"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", ts),
            ("oauth_nonce", nonce),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        if version {
            p.push(("oauth_version".into(), "1.0".into()));
        }
        p
    }

    #[test]
    fn rfc5849_section_1_2_vector() {
        let base = signature_base_string(
            "GET",
            "http://photos.example.net/photos",
            &photos_params("chapoH", "137131202", false),
        );
        assert_eq!(
            hmac_sha1_signature(&base, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00"),
            "MdpQcU8iPSUjWoN/UDMsK2sui9I="
        );
    }

    #[test]
    fn oauth_core_1_0_appendix_a_vector() {
        let base = signature_base_string(
            "GET",
            "http://photos.example.net/photos",
            &photos_params("kllo9940pd9333jh", "1191242096", true),
        );
        assert_eq!(
            base,
            "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26\
             oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3Dkllo9940pd9333jh%26\
             oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1191242096%26\
             oauth_token%3Dnnch734d00sl2jdk%26oauth_version%3D1.0%26size%3Doriginal"
        );
        assert_eq!(
            hmac_sha1_signature(&base, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00"),
            "tR3+Ty81lMeYAr/Fid0kMTYa/WM="
        );
    }

    #[test]
    fn header_round_trips_and_verifies() {
        let creds = Credentials {
            consumer_key: "CK_1",
            consumer_secret: "CS/+=1",
            access_token: "AT_1",
            access_secret: "AS 1",
        };
        let uri = "https://mdmenrollment.apple.com/session";
        let signed = OAuthParams::sign("GET", uri, &[], creds, "n0nce", 1_800_000_000);
        let parsed = OAuthParams::parse(&signed.to_header()).expect("parses");
        assert_eq!(parsed, signed);
        assert!(parsed.verify("GET", uri, &[], "CS/+=1", "AS 1"));
        assert!(!parsed.verify("GET", uri, &[], "CS/+=1", "other"));
    }

    #[test]
    fn rejects_what_apple_rejects() {
        assert!(matches!(
            OAuthParams::parse("Basic abc"),
            Err(OAuthError::Malformed(_))
        ));
        assert_eq!(
            OAuthParams::parse(r#"OAuth oauth_consumer_key="a""#),
            Err(OAuthError::MissingParameter("oauth_token"))
        );
        let dup = r#"OAuth oauth_nonce="a", oauth_nonce="b""#;
        assert_eq!(
            OAuthParams::parse(dup),
            Err(OAuthError::DuplicatedParameter("oauth_nonce".into()))
        );
        let plaintext = r#"OAuth oauth_consumer_key="a", oauth_token="b", oauth_signature_method="PLAINTEXT", oauth_signature="c", oauth_timestamp="1", oauth_nonce="d""#;
        assert_eq!(
            OAuthParams::parse(plaintext),
            Err(OAuthError::UnsupportedSignatureMethod("PLAINTEXT".into()))
        );
        for junk in [
            "",
            "OAuth",
            "OAuth ,,,",
            "OAuth a",
            "OAuth a=\"%zz\"",
            "OAuth é=\"\"",
        ] {
            assert!(OAuthParams::parse(junk).is_err(), "{junk:?}");
        }
    }
}
