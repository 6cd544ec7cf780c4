//! Shared plumbing for the plist models: bytes to a top-level dictionary, a schema pre-check
//! that names the offending key, plist values to typed models, and models to XML.

use std::cell::Cell;
use std::fmt;
use std::io::Cursor;

use plist::{Dictionary, Value};
use serde::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use super::schema::{self, PlistType, SchemaKind};
use super::WireError;

/// The deepest nesting of arrays and dictionaries accepted. Apple's plists nest a handful
/// of levels; a hostile body nested thousands deep would overflow the stack when the parsed
/// value is walked or dropped, so it is refused before it is built.
pub(crate) const MAX_DEPTH: usize = 64;

/// The most values (of any kind) accepted in one plist. A binary plist can reference one
/// object from many places, so a few hundred bytes can expand into billions of values.
pub(crate) const MAX_VALUES: usize = 1 << 20;

/// Parses any plist encoding (XML, binary, ASCII) and requires a dictionary at the top.
pub(crate) fn parse_dict(what: &'static str, bytes: &[u8]) -> Result<Dictionary, WireError> {
    let not_a_plist = |err: plist::Error| WireError::NotAPlist {
        what,
        reason: clean_message(&err),
    };
    plist::from_reader::<_, DepthProbe>(Cursor::new(bytes)).map_err(not_a_plist)?;
    let value = Value::from_reader(Cursor::new(bytes)).map_err(not_a_plist)?;
    match value {
        Value::Dictionary(dict) => Ok(dict),
        other => Err(WireError::NotADictionary {
            what,
            found: PlistType::of(&other),
        }),
    }
}

/// Walks a plist's event stream without building it, failing past [`MAX_DEPTH`] levels or
/// [`MAX_VALUES`] values.
struct DepthProbe;

#[derive(Clone, Copy)]
struct ProbeSeed<'c> {
    depth: usize,
    count: &'c Cell<usize>,
}

impl<'de> Deserialize<'de> for DepthProbe {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<DepthProbe, D::Error> {
        let count = Cell::new(0);
        ProbeSeed {
            depth: 0,
            count: &count,
        }
        .deserialize(deserializer)?;
        Ok(DepthProbe)
    }
}

impl<'de> DeserializeSeed<'de> for ProbeSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        let seen = self.count.get() + 1;
        if seen > MAX_VALUES {
            return Err(de::Error::custom(format!("more than {MAX_VALUES} values")));
        }
        self.count.set(seen);
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ProbeSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any plist value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let inner = self.deeper::<A::Error>()?;
        while seq.next_element_seed(inner)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let inner = self.deeper::<A::Error>()?;
        while map.next_key::<de::IgnoredAny>()?.is_some() {
            map.next_value_seed(inner)?;
        }
        Ok(())
    }
}

impl ProbeSeed<'_> {
    fn deeper<E: de::Error>(self) -> Result<Self, E> {
        if self.depth >= MAX_DEPTH {
            return Err(E::custom(format!(
                "arrays and dictionaries nested deeper than {MAX_DEPTH} levels"
            )));
        }
        Ok(ProbeSeed {
            depth: self.depth + 1,
            count: self.count,
        })
    }
}

/// Fails with the first wrong type or disallowed value the schema finds for `kind`.
pub(crate) fn check_structure(
    what: &'static str,
    kind: SchemaKind,
    value: &Value,
) -> Result<(), WireError> {
    match schema::structural_violations(kind, value)
        .into_iter()
        .next()
    {
        Some(violation) => Err(violation.into_wire_error(what)),
        None => Ok(()),
    }
}

/// Decodes a plist value into a model; `path` prefixes key names in errors.
pub(crate) fn decode<T: DeserializeOwned>(
    what: &'static str,
    path: &str,
    value: &Value,
) -> Result<T, WireError> {
    plist::from_value(value).map_err(|err| serde_error(what, path, &err))
}

/// Reads an optional string key, failing when it holds another type.
pub(crate) fn optional_string<'d>(
    what: &'static str,
    dict: &'d Dictionary,
    key: &str,
) -> Result<Option<&'d str>, WireError> {
    match dict.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(WireError::WrongType {
            what,
            key: key.to_owned(),
            expected: PlistType::String,
            found: PlistType::of(other),
        }),
    }
}

/// Reads a required string key.
pub(crate) fn required_string<'d>(
    what: &'static str,
    dict: &'d Dictionary,
    key: &str,
) -> Result<&'d str, WireError> {
    optional_string(what, dict, key)?.ok_or_else(|| WireError::MissingKey {
        what,
        key: key.to_owned(),
    })
}

/// Writes a model as an XML plist.
pub(crate) fn try_to_xml<T: Serialize>(
    what: &'static str,
    value: &T,
) -> Result<Vec<u8>, WireError> {
    let mut out = Vec::new();
    plist::to_writer_xml(&mut out, value).map_err(|err| WireError::Unserializable {
        what,
        detail: clean_message(&err),
    })?;
    Ok(out)
}

/// Writes a model as an XML plist; only a plist UID inside a free-form dictionary can fail,
/// and XML has no way to express one.
pub(crate) fn to_xml<T: Serialize>(what: &'static str, value: &T) -> Vec<u8> {
    match try_to_xml(what, value) {
        Ok(bytes) => bytes,
        Err(err) => panic!("{err}"),
    }
}

fn serde_error(what: &'static str, path: &str, err: &plist::Error) -> WireError {
    let message = clean_message(err);
    if let Some(field) = missing_field(&message) {
        let key = if path.is_empty() {
            field.to_owned()
        } else {
            format!("{path}.{field}")
        };
        return WireError::MissingKey { what, key };
    }
    let detail = if path.is_empty() {
        message
    } else {
        format!("{path}: {message}")
    };
    WireError::Invalid { what, detail }
}

/// serde's "missing field `X`" names the key; keep it.
fn missing_field(message: &str) -> Option<&str> {
    let start = message.find("missing field `")? + "missing field `".len();
    let len = message[start..].find('`')?;
    Some(&message[start..start + len])
}

/// `plist::Error` displays serde messages as `Serde("...")`; unwrap them.
fn clean_message(err: &plist::Error) -> String {
    let text = err.to_string();
    match text
        .strip_prefix("Serde(\"")
        .and_then(|rest| rest.strip_suffix("\")"))
    {
        Some(inner) => inner.replace("\\\"", "\"").replace("\\\\", "\\"),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_field_is_extracted() {
        assert_eq!(missing_field("missing field `Topic`"), Some("Topic"));
        assert_eq!(missing_field("invalid type"), None);
    }
}
