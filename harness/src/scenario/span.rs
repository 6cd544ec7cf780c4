//! [`Span`]: a length of time written in real units (`"90m"`, `"36h"`, `"400d"`), or as a bare
//! integer, read as days, which is how scenarios wrote time before units existed.
//!
//! The text form is parsed here rather than by a general duration crate because the format is
//! deliberately small (one number, one unit) and its error must say what was written and show
//! a valid value; the TOML loader places that error at the value's line and column.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::Duration;

/// A length of time: a whole number of minutes, hours or days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    amount: i64,
    unit: SpanUnit,
}

/// The unit a [`Span`] was written in (kept, so that it is written back the same way).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum SpanUnit {
    Minutes,
    Hours,
    Days,
}

impl Span {
    /// `n` minutes.
    #[must_use]
    pub const fn minutes(n: i64) -> Span {
        Span {
            amount: n,
            unit: SpanUnit::Minutes,
        }
    }

    /// `n` hours.
    #[must_use]
    pub const fn hours(n: i64) -> Span {
        Span {
            amount: n,
            unit: SpanUnit::Hours,
        }
    }

    /// `n` days.
    #[must_use]
    pub const fn days(n: i64) -> Span {
        Span {
            amount: n,
            unit: SpanUnit::Days,
        }
    }

    /// The span as a [`time::Duration`].
    #[must_use]
    pub fn duration(self) -> Duration {
        match self.unit {
            SpanUnit::Minutes => Duration::minutes(self.amount),
            SpanUnit::Hours => Duration::hours(self.amount),
            SpanUnit::Days => Duration::days(self.amount),
        }
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.unit {
            SpanUnit::Minutes => 'm',
            SpanUnit::Hours => 'h',
            SpanUnit::Days => 'd',
        };
        write!(f, "{}{unit}", self.amount)
    }
}

/// Why a text is not a [`Span`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{written:?} is not a length of time: write a whole number and a unit, m (minutes), h (hours) or d (days), such as \"90m\", \"36h\" or \"400d\"")]
pub struct SpanError {
    written: String,
}

impl FromStr for Span {
    type Err = SpanError;

    fn from_str(text: &str) -> Result<Span, SpanError> {
        let error = || SpanError {
            written: text.to_string(),
        };
        let trimmed = text.trim();
        let split = trimmed
            .char_indices()
            .last()
            .map(|(i, _)| i)
            .ok_or_else(error)?;
        let (number, unit) = trimmed.split_at(split);
        let amount: i64 = number.parse().map_err(|_| error())?;
        let span = match unit {
            "m" => Span::minutes(amount),
            "h" => Span::hours(amount),
            "d" => Span::days(amount),
            _ => return Err(error()),
        };
        Ok(span)
    }
}

/// How a span may be written in a scenario.
#[derive(Deserialize)]
#[serde(untagged)]
enum Written {
    /// `"36h"`.
    Text(String),
    /// `400`: days, the form before units.
    Days(i64),
}

impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Span, D::Error> {
        match Written::deserialize(deserializer)? {
            Written::Text(text) => text.parse().map_err(serde::de::Error::custom),
            Written::Days(days) => Ok(Span::days(days)),
        }
    }
}

impl Serialize for Span {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Serialize)]
    struct Holder {
        by: Span,
    }

    #[test]
    fn real_units_parse() {
        assert_eq!(
            "90m".parse::<Span>().unwrap().duration(),
            Duration::minutes(90)
        );
        assert_eq!(
            "36h".parse::<Span>().unwrap().duration(),
            Duration::hours(36)
        );
        assert_eq!(
            "400d".parse::<Span>().unwrap().duration(),
            Duration::days(400)
        );
        assert_eq!(
            "-10d".parse::<Span>().unwrap().duration(),
            Duration::days(-10)
        );
    }

    #[test]
    fn bad_text_is_refused_with_an_example() {
        for bad in ["", "d", "10", "10w", "1.5h", "ten days", "10 d"] {
            let err = bad.parse::<Span>().unwrap_err().to_string();
            assert!(err.contains("\"36h\""), "{bad}: {err}");
        }
    }

    #[test]
    fn an_integer_is_days_and_text_round_trips() {
        let h: Holder = toml::from_str("by = 400").unwrap();
        assert_eq!(h.by, Span::days(400));
        let h: Holder = toml::from_str("by = \"36h\"").unwrap();
        assert_eq!(h.by, Span::hours(36));
        assert_eq!(toml::to_string(&h).unwrap().trim(), "by = \"36h\"");
    }
}
