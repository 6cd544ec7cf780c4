//! RFC 3339 timestamps as seconds since the Unix epoch.
//!
//! The rules never look at a date on its own: they compare two dates of the same bundle (a
//! profile's modification time with a token's upload time, a certificate's expiry with the
//! collection time), so moving every date of a bundle by the same amount changes nothing.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Seconds in a day.
pub(crate) const DAY: i64 = 86_400;

/// Parses `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)` (also with a space between date and time, as
/// some exports write it, or a lower-case `t`/`z`) into seconds since the Unix epoch.
pub(crate) fn parse_rfc3339(text: &str) -> Option<i64> {
    let text = text.trim();
    // RFC 3339 §5.6 lets applications use a space for the `T`; `time` reads only `T`/`t`.
    let normalized;
    let text = if text.as_bytes().get(10) == Some(&b' ') && text.is_char_boundary(11) {
        normalized = format!("{}T{}", &text[..10], &text[11..]);
        normalized.as_str()
    } else {
        text
    };
    OffsetDateTime::parse(text, &Rfc3339)
        .ok()
        .map(OffsetDateTime::unix_timestamp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_utc_and_offsets() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("2000-03-01T00:00:00Z"), Some(951_868_800));
        assert_eq!(
            parse_rfc3339("2026-11-26T10:40:00.123Z"),
            parse_rfc3339("2026-11-26T10:40:00Z")
        );
        assert_eq!(
            parse_rfc3339("2026-11-26T11:40:00+01:00"),
            parse_rfc3339("2026-11-26T10:40:00Z")
        );
        assert_eq!(
            parse_rfc3339("2026-11-26 10:40:00Z"),
            parse_rfc3339("2026-11-26T10:40:00Z")
        );
        assert_eq!(
            parse_rfc3339("2024-02-29T00:00:00Z").map(|s| s % DAY),
            Some(0)
        );
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        for bad in [
            "",
            "2026",
            "2026-13-01T00:00:00Z",
            "2025-02-29T00:00:00Z",
            "2026-11-26T10:40:00",
            "2026-11-26T10:40:00.Z",
            "2026-11-26T10:40:00+1:00",
            "２０２６-11-26T10:40:00Z",
            "2026-11-26T10:40:00Zjunk",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn day_differences() {
        let a = parse_rfc3339("2026-10-12T10:00:00Z").unwrap();
        let b = parse_rfc3339("2026-11-26T10:40:00Z").unwrap();
        assert_eq!((b - a) / DAY, 45);
    }
}
