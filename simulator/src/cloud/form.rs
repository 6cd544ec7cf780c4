//! `application/x-www-form-urlencoded` bodies and RFC 3986 percent-encoding: the one place the
//! simulator's services and clients encode and decode them, over the `percent-encoding` and
//! `form_urlencoded` crates.

use std::collections::BTreeMap;

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Every byte but RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`) is encoded: what
/// OAuth 1.0a signatures require (RFC 5849 §3.6), and what the simulated clients send in forms.
pub const RFC3986_RESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Decodes a form body into name → value (the last value wins for repeated names).
pub fn decode(body: &[u8]) -> BTreeMap<String, String> {
    pairs(body).into_iter().collect()
}

/// Decodes a form body or query string into its pairs, in order; `+` is a space and malformed
/// escapes are kept as they are.
pub fn pairs(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

/// Encodes name/value pairs as a form body.
pub fn encode(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// RFC 3986 percent-encoding of everything but unreserved characters, with upper-case hex
/// (what OAuth 1.0a signatures require too).
pub fn percent_encode(s: &str) -> String {
    utf8_percent_encode(s, RFC3986_RESERVED).to_string()
}

/// Decodes `%XX` escapes and `+` as a space; malformed escapes are kept as they are.
pub fn percent_decode(s: &str) -> String {
    let spaced = s.replace('+', " ");
    percent_decode_str(&spaced).decode_utf8_lossy().into_owned()
}

/// Decodes `%XX` escapes strictly (`+` stays `+`): `None` for a truncated or non-hex escape or
/// for bytes that are not UTF-8, as OAuth 1.0a header values must be rejected then.
pub fn percent_decode_strict(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let well_formed = bytes.iter().enumerate().all(|(i, &b)| {
        b != b'%'
            || bytes
                .get(i + 1..i + 3)
                .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit))
    });
    if !well_formed {
        return None;
    }
    percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(|text| text.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_tolerates_garbage() {
        let body = encode(&[("username", "a+b@contoso.example"), ("scope", "x y")]);
        let form = decode(body.as_bytes());
        assert_eq!(form["username"], "a+b@contoso.example");
        assert_eq!(form["scope"], "x y");
        let broken = decode(b"a=%zz&b=%4&c");
        assert_eq!(broken["a"], "%zz");
        assert_eq!(broken["b"], "%4");
        assert_eq!(broken["c"], "");
    }

    #[test]
    fn encodes_exactly_the_rfc3986_reserved_bytes() {
        assert_eq!(percent_encode("AZaz09-._~"), "AZaz09-._~");
        assert_eq!(
            percent_encode("a b+c/d=é*!'()"),
            "a%20b%2Bc%2Fd%3D%C3%A9%2A%21%27%28%29"
        );
        assert_eq!(percent_decode("a%20b+c%2b%zz"), "a b c+%zz");
    }

    #[test]
    fn strict_decoding_refuses_what_oauth_refuses() {
        assert_eq!(percent_decode_strict("a%2Bb+c").as_deref(), Some("a+b+c"));
        assert_eq!(percent_decode_strict("%C3%A9").as_deref(), Some("é"));
        for bad in ["%", "%4", "%zz", "%4g", "%C3", "%FF"] {
            assert_eq!(percent_decode_strict(bad), None, "{bad}");
        }
    }
}
