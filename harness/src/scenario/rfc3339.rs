//! The serde form of `world.start`: an RFC 3339 time, read from a string or from a TOML offset
//! date-time, written as a string.
//!
//! Reading goes through the text rather than `time::serde::rfc3339::deserialize` so that a bad
//! date's error quotes what was written and shows a valid one; the TOML loader then places that
//! error at the value's line and column.

use serde::{Deserialize, Deserializer, Serializer};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// How a start time may be written in a scenario.
#[derive(Deserialize)]
#[serde(untagged)]
enum Written {
    /// `start = "2026-11-26T09:00:00Z"` (and every non-TOML format).
    Text(String),
    /// `start = 2026-11-26T09:00:00Z`, TOML's own date-time.
    Toml(toml::value::Datetime),
}

pub(super) fn serialize<S: Serializer>(
    start: &OffsetDateTime,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    time::serde::rfc3339::serialize(start, serializer)
}

pub(super) fn deserialize<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<OffsetDateTime, D::Error> {
    read(deserializer, "world.start ")
}

/// The text of an RFC 3339 time, in either form, parsed; `what` (with a trailing space, or
/// empty) names the value in the error.
fn read<'de, D: Deserializer<'de>>(
    deserializer: D,
    what: &str,
) -> Result<OffsetDateTime, D::Error> {
    let text = match Written::deserialize(deserializer)? {
        Written::Text(text) => text,
        Written::Toml(datetime) => datetime.to_string(),
    };
    OffsetDateTime::parse(&text, &Rfc3339).map_err(|_| {
        serde::de::Error::custom(format!(
            "{what}{text:?} is not an RFC 3339 time with an offset, such as \
             2026-11-26T09:00:00Z"
        ))
    })
}

/// The same forms for an instant other than `world.start` (a history step's `at`).
pub(super) mod instant {
    use serde::{Deserializer, Serializer};
    use time::OffsetDateTime;

    pub(crate) fn serialize<S: Serializer>(
        at: &OffsetDateTime,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        super::serialize(at, serializer)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<OffsetDateTime, D::Error> {
        super::read(deserializer, "")
    }
}
