//! The data files, one per language (`data/<tag>.toml`), embedded and read once.
//!
//! Each file is an edition: the texts of one language as a product shows them, each entry
//! keyed by its [`MessageId`], with the source it was copied from. A file that does not load
//! is left out (its language then reads English) and [`check`] says why; the tests load them
//! all.

use std::sync::OnceLock;

use crate::locale::edition_tag;
use crate::MessageId;

/// The tag of the English edition, the one every other falls back to.
pub const ENGLISH: &str = "en-US";

/// The data files, embedded: (tag, file text).
const DATA_FILES: &[(&str, &str)] = &[
    ("en-US", include_str!("../data/en-US.toml")),
    ("it-IT", include_str!("../data/it-IT.toml")),
    ("de-DE", include_str!("../data/de-DE.toml")),
    ("fr-FR", include_str!("../data/fr-FR.toml")),
    ("es-ES", include_str!("../data/es-ES.toml")),
    ("pt-BR", include_str!("../data/pt-BR.toml")),
    ("pt-PT", include_str!("../data/pt-PT.toml")),
    ("nl-NL", include_str!("../data/nl-NL.toml")),
    ("sv-SE", include_str!("../data/sv-SE.toml")),
    ("pl-PL", include_str!("../data/pl-PL.toml")),
    ("cs-CZ", include_str!("../data/cs-CZ.toml")),
    ("hu-HU", include_str!("../data/hu-HU.toml")),
    ("tr-TR", include_str!("../data/tr-TR.toml")),
    ("ru-RU", include_str!("../data/ru-RU.toml")),
    ("ja-JP", include_str!("../data/ja-JP.toml")),
    ("ko-KR", include_str!("../data/ko-KR.toml")),
    ("zh-CN", include_str!("../data/zh-CN.toml")),
    ("zh-TW", include_str!("../data/zh-TW.toml")),
];

/// One language's texts, from its data file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edition {
    /// The file's BCP 47 tag (`de-DE`).
    pub tag: &'static str,
    /// The language's English name.
    pub name: String,
    /// Where the texts were copied from.
    pub source: String,
    /// The texts per message, in the file's order.
    pub messages: Vec<Message>,
}

/// One message's texts in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The message.
    pub id: MessageId,
    /// The text as published, first the one the product shows today, then older or newer
    /// translations of it.
    pub texts: Vec<String>,
}

impl Edition {
    /// The texts of a message, if the edition has any.
    pub fn message(&self, id: MessageId) -> Option<&Message> {
        self.messages.iter().find(|m| m.id == id)
    }

    /// The text the product shows for `id` in this language, if the edition has one.
    pub fn text(&self, id: MessageId) -> Option<&str> {
        self.message(id)?.texts.first().map(String::as_str)
    }
}

/// A data file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TextsError {
    /// Not valid TOML or not the expected shape.
    #[error("data/{file}.toml: {source}")]
    Toml {
        /// The file's tag.
        file: &'static str,
        /// What the parser said.
        source: Box<toml::de::Error>,
    },
    /// The `language` field is not the file's own tag.
    #[error("data/{file}.toml: language {language:?} is not the file's tag")]
    LanguageMismatch {
        /// The file's tag.
        file: &'static str,
        /// The field as written.
        language: String,
    },
    /// An id that is no [`MessageId`].
    #[error("data/{file}.toml: unknown message id {id:?}")]
    UnknownId {
        /// The file's tag.
        file: &'static str,
        /// The id as written.
        id: String,
    },
    /// The same id twice in one file.
    #[error("data/{file}.toml: message {id} is listed twice")]
    DuplicateId {
        /// The file's tag.
        file: &'static str,
        /// The id.
        id: MessageId,
    },
    /// A message with no text.
    #[error("data/{file}.toml: message {id} has no text")]
    EmptyTexts {
        /// The file's tag.
        file: &'static str,
        /// The id.
        id: MessageId,
    },
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FileShape {
    language: String,
    name: String,
    source: String,
    #[serde(default)]
    message: Vec<MessageShape>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageShape {
    id: String,
    texts: Vec<String>,
}

fn parse_message(file: &'static str, shape: MessageShape) -> Result<Message, TextsError> {
    let id = shape.id.parse().map_err(|_| TextsError::UnknownId {
        file,
        id: shape.id.clone(),
    })?;
    if shape.texts.iter().all(|t| t.trim().is_empty()) {
        return Err(TextsError::EmptyTexts { file, id });
    }
    Ok(Message {
        id,
        texts: shape.texts,
    })
}

fn parse_data_file(file: &'static str, text: &str) -> Result<Edition, TextsError> {
    let shape: FileShape = toml::from_str(text).map_err(|e| TextsError::Toml {
        file,
        source: Box::new(e),
    })?;
    if !shape.language.eq_ignore_ascii_case(file) {
        return Err(TextsError::LanguageMismatch {
            file,
            language: shape.language,
        });
    }
    let mut messages: Vec<Message> = Vec::with_capacity(shape.message.len());
    for m in shape.message {
        let message = parse_message(file, m)?;
        if messages.iter().any(|seen| seen.id == message.id) {
            return Err(TextsError::DuplicateId {
                file,
                id: message.id,
            });
        }
        messages.push(message);
    }
    Ok(Edition {
        tag: file,
        name: shape.name,
        source: shape.source,
        messages,
    })
}

fn parsed_files() -> &'static [Result<Edition, TextsError>] {
    static PARSED: OnceLock<Vec<Result<Edition, TextsError>>> = OnceLock::new();
    PARSED.get_or_init(|| {
        DATA_FILES
            .iter()
            .map(|(file, text)| parse_data_file(file, text))
            .collect()
    })
}

/// Every edition that loaded, English first.
pub fn editions() -> impl Iterator<Item = &'static Edition> {
    parsed_files().iter().filter_map(|r| r.as_ref().ok())
}

/// The edition filed under `tag` exactly (`de-DE`, any case).
pub fn edition(tag: &str) -> Option<&'static Edition> {
    editions().find(|e| e.tag.eq_ignore_ascii_case(tag))
}

/// The edition a device in `locale` reads (`de-AT` -> `de-DE`; see the `locale` module).
pub fn edition_for_locale(locale: &str) -> Option<&'static Edition> {
    edition(edition_tag(locale, editions().map(|e| e.tag))?)
}

/// What is wrong with the embedded data files: empty when every file loads.
pub fn check() -> Vec<&'static TextsError> {
    parsed_files()
        .iter()
        .filter_map(|r| r.as_ref().err())
        .collect()
}

/// The text of `id` in the language of `locale`, `None` when that language's edition has
/// none (no fallback; see [`text`]).
pub fn localized(id: MessageId, locale: &str) -> Option<&'static str> {
    edition_for_locale(locale)?.text(id)
}

/// The text of `id` on a device in `locale`: its language's, or English when that language
/// has none, as apps without a localisation do. `None` only for an id without an English text
/// (the tests keep every id in English).
pub fn text(id: MessageId, locale: &str) -> Option<&'static str> {
    localized(id, locale).or_else(|| edition(ENGLISH)?.text(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_data_file_loads_under_its_own_tag() {
        let errors: Vec<String> = check().iter().map(ToString::to_string).collect();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(editions().count(), DATA_FILES.len());
        for edition in editions() {
            assert!(edition.source.starts_with("https://"), "{}", edition.tag);
            assert!(!edition.messages.is_empty(), "{}", edition.tag);
            assert!(!edition.name.is_empty(), "{}", edition.tag);
        }
    }

    #[test]
    fn every_message_id_has_an_english_text() {
        let english = edition(ENGLISH).expect("the English file loads");
        for id in MessageId::ALL {
            assert!(english.text(*id).is_some(), "{id} has no English text");
        }
    }

    #[test]
    fn lookups_by_locale_fall_back_to_english() {
        assert_eq!(
            text(MessageId::DeviceCapReached, "de-AT"),
            Some("Gerätekapazität erreicht")
        );
        assert_eq!(
            text(MessageId::DeviceCapReached, "fi-FI"),
            Some("Device Cap Reached")
        );
        assert_eq!(localized(MessageId::DeviceCapReached, "fi-FI"), None);
        assert_eq!(localized(MessageId::ProfileInvalid, "de-DE"), None);
        assert_eq!(
            text(MessageId::DeviceCapReached, "it-IT"),
            Some("Numero massimo dispositivi raggiunto")
        );
        assert_eq!(
            text(MessageId::DeviceCapReached, "zh-Hant-HK"),
            Some("已到達裝置上限")
        );
    }

    #[test]
    fn bad_files_say_what_is_wrong() {
        let head = "language = \"de-DE\"\nname = \"German\"\nsource = \"https://x\"\n";
        let bad = parse_data_file("fr-FR", head);
        assert!(matches!(bad, Err(TextsError::LanguageMismatch { .. })));
        let bad = parse_data_file(
            "de-DE",
            &format!("{head}[[message]]\nid = \"Nope\"\ntexts = [\"a\"]\n"),
        );
        assert!(matches!(bad, Err(TextsError::UnknownId { .. })));
        let twice = "[[message]]\nid = \"DeviceCapReached\"\ntexts = [\"a\"]\n";
        let bad = parse_data_file("de-DE", &format!("{head}{twice}{twice}"));
        assert!(matches!(bad, Err(TextsError::DuplicateId { .. })));
        let bad = parse_data_file(
            "de-DE",
            &format!("{head}[[message]]\nid = \"DeviceCapReached\"\ntexts = [\" \"]\n"),
        );
        assert!(matches!(bad, Err(TextsError::EmptyTexts { .. })));
    }
}
