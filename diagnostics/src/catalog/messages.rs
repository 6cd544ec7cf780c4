//! The texts users see, per section, in English and Italian, and the phrases users type for the
//! sections that have no message of their own; the other languages' texts come from one data
//! file per language (`data/messages/<tag>.toml`, see [`localized`]).
//!
//! The English texts are the English article's headings exactly (Microsoft's title case), the
//! Italian texts the Italian article's headings: the simulated device shows the same strings
//! (from `enrollsim-texts`), so they must not be reworded. The data files hold the localized
//! articles' headings the same way, each citing its source, so a contributor adds a language or
//! an older or newer translation without touching code. The headings that quote a product's
//! message (Company Portal, Settings) are read from `enrollsim-texts` by the message's id
//! (`product_texts`), and merged with the file's other headings and phrases.

use std::sync::OnceLock;

use super::{product_texts, Section};
use crate::bundle::Location;

/// A language the catalog has texts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Language {
    /// English.
    English,
    /// Italian.
    Italian,
    /// German.
    German,
    /// French.
    French,
    /// Spanish.
    Spanish,
    /// Portuguese as written in Brazil.
    PortugueseBrazil,
    /// Portuguese as written in Portugal.
    PortuguesePortugal,
    /// Dutch.
    Dutch,
    /// Swedish.
    Swedish,
    /// Polish.
    Polish,
    /// Czech.
    Czech,
    /// Hungarian.
    Hungarian,
    /// Turkish.
    Turkish,
    /// Russian.
    Russian,
    /// Japanese.
    Japanese,
    /// Korean.
    Korean,
    /// Chinese in simplified characters.
    ChineseSimplified,
    /// Chinese in traditional characters.
    ChineseTraditional,
}

impl Language {
    /// Every language, English and Italian first.
    pub const ALL: &'static [Language] = &[
        Language::English,
        Language::Italian,
        Language::German,
        Language::French,
        Language::Spanish,
        Language::PortugueseBrazil,
        Language::PortuguesePortugal,
        Language::Dutch,
        Language::Swedish,
        Language::Polish,
        Language::Czech,
        Language::Hungarian,
        Language::Turkish,
        Language::Russian,
        Language::Japanese,
        Language::Korean,
        Language::ChineseSimplified,
        Language::ChineseTraditional,
    ];

    /// The BCP 47 tag the catalog files it under (`de-DE`).
    pub fn tag(self) -> &'static str {
        match self {
            Language::English => "en-US",
            Language::Italian => "it-IT",
            Language::German => "de-DE",
            Language::French => "fr-FR",
            Language::Spanish => "es-ES",
            Language::PortugueseBrazil => "pt-BR",
            Language::PortuguesePortugal => "pt-PT",
            Language::Dutch => "nl-NL",
            Language::Swedish => "sv-SE",
            Language::Polish => "pl-PL",
            Language::Czech => "cs-CZ",
            Language::Hungarian => "hu-HU",
            Language::Turkish => "tr-TR",
            Language::Russian => "ru-RU",
            Language::Japanese => "ja-JP",
            Language::Korean => "ko-KR",
            Language::ChineseSimplified => "zh-CN",
            Language::ChineseTraditional => "zh-TW",
        }
    }

    /// The language's English name.
    pub fn name(self) -> &'static str {
        match self {
            Language::English => "English",
            Language::Italian => "Italian",
            Language::German => "German",
            Language::French => "French",
            Language::Spanish => "Spanish",
            Language::PortugueseBrazil => "Portuguese (Brazil)",
            Language::PortuguesePortugal => "Portuguese (Portugal)",
            Language::Dutch => "Dutch",
            Language::Swedish => "Swedish",
            Language::Polish => "Polish",
            Language::Czech => "Czech",
            Language::Hungarian => "Hungarian",
            Language::Turkish => "Turkish",
            Language::Russian => "Russian",
            Language::Japanese => "Japanese",
            Language::Korean => "Korean",
            Language::ChineseSimplified => "Chinese (Simplified)",
            Language::ChineseTraditional => "Chinese (Traditional)",
        }
    }

    /// The language of a BCP 47 tag (`it`, `it-IT` → Italian; `pt` → Brazil, `pt-PT` →
    /// Portugal; `zh-Hant`, `zh-TW`, `zh-HK` → traditional, other `zh` → simplified); an
    /// unknown tag is English, the language apps fall back to.
    pub fn from_tag(tag: &str) -> Language {
        Language::parse_tag(tag).unwrap_or(Language::English)
    }

    /// The language of a BCP 47 tag, `None` when the catalog has no texts in it.
    pub fn parse_tag(tag: &str) -> Option<Language> {
        let lower = tag.to_ascii_lowercase().replace('_', "-");
        let mut parts = lower.split('-');
        let primary = parts.next().unwrap_or("");
        let rest: Vec<&str> = parts.collect();
        let language = match primary {
            "en" => Language::English,
            "it" => Language::Italian,
            "de" => Language::German,
            "fr" => Language::French,
            "es" => Language::Spanish,
            "pt" if rest.contains(&"pt") => Language::PortuguesePortugal,
            "pt" => Language::PortugueseBrazil,
            "nl" => Language::Dutch,
            "sv" => Language::Swedish,
            "pl" => Language::Polish,
            "cs" => Language::Czech,
            "hu" => Language::Hungarian,
            "tr" => Language::Turkish,
            "ru" => Language::Russian,
            "ja" => Language::Japanese,
            "ko" => Language::Korean,
            "zh" if rest.iter().any(|p| ["hant", "tw", "hk", "mo"].contains(p)) => {
                Language::ChineseTraditional
            }
            "zh" => Language::ChineseSimplified,
            _ => return None,
        };
        Some(language)
    }
}

/// What kind of text a section's message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MessageKind {
    /// A message the device shows on screen.
    Displayed,
    /// A bare error code the device or the Company Portal website shows.
    Code,
    /// A line that appears in the device console log, not on screen.
    LogExcerpt,
    /// A symptom with no message: the text describes what the user experiences.
    Symptom,
}

/// The texts of one section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserMessage {
    /// The section.
    pub section: Section,
    /// What kind of text it is.
    pub kind: MessageKind,
    /// The English text (the English article's heading, exactly).
    pub english: &'static str,
    /// The Italian text (the Italian article's heading, exactly).
    pub italian: &'static str,
    /// Where the text typically appears.
    pub shown_in: &'static [Location],
    /// Codes that stand for the message when typed alone (language-neutral).
    pub codes: &'static [&'static str],
    /// Other English phrases users type for it.
    pub phrases_en: &'static [&'static str],
    /// Other Italian phrases users type for it.
    pub phrases_it: &'static [&'static str],
}

const NONE: &[&str] = &[];

static MESSAGES: [UserMessage; 23] = [
    UserMessage {
        section: Section::NetworkError,
        kind: MessageKind::Displayed,
        english: "Profile Installation Failed. A network error has occurred.",
        italian: "Installazione profilo non riuscita. Si è verificato un errore di rete.",
        shown_in: &[Location::Settings],
        codes: NONE,
        phrases_en: NONE,
        phrases_it: NONE,
    },
    UserMessage {
        section: Section::ConnectionNotEstablished,
        kind: MessageKind::Displayed,
        english: "Profile Installation Failed. Connection to the server could not be established.",
        italian: "Installazione profilo non riuscita. Non è stato possibile stabilire una connessione al server.",
        shown_in: &[Location::Settings, Location::Safari],
        codes: NONE,
        phrases_en: NONE,
        phrases_it: NONE,
    },
    UserMessage {
        section: Section::ServiceNotSupported,
        kind: MessageKind::Displayed,
        english: "This Service is not supported. No Enrollment Policy.",
        italian: "Questo servizio non è supportato. Nessun criterio di registrazione.",
        shown_in: &[Location::CompanyPortal],
        codes: NONE,
        phrases_en: NONE,
        phrases_it: NONE,
    },
    UserMessage {
        section: Section::CompanyPortalUnavailable,
        kind: MessageKind::Displayed,
        english: "Company Portal Temporarily Unavailable. The Company Portal app encountered a problem. If the problem persists, contact your system administrator.",
        italian: "Portale aziendale temporaneamente non disponibile. Si è verificato un problema nell'app Portale aziendale. Se il problema persiste, contattare l'amministratore del sistema.",
        shown_in: &[Location::CompanyPortal],
        codes: NONE,
        phrases_en: NONE,
        phrases_it: NONE,
    },
    UserMessage {
        section: Section::DeviceCapReached,
        kind: MessageKind::Displayed,
        english: "Device Cap Reached",
        italian: "Numero massimo dispositivi raggiunto",
        shown_in: &[Location::CompanyPortal],
        codes: &["DeviceCapReached"],
        phrases_en: NONE,
        phrases_it: NONE,
    },
    UserMessage {
        section: Section::WorkplaceJoinFailed,
        kind: MessageKind::Displayed,
        english: "Workplace Join failed",
        italian: "Workplace Join non riuscito",
        shown_in: &[Location::CompanyPortal],
        codes: NONE,
        phrases_en: NONE,
        phrases_it: NONE,
    },
    UserMessage {
        section: Section::UserLicenseTypeInvalid,
        kind: MessageKind::Displayed,
        english: "User License Type Invalid",
        italian: "Tipo di licenza utente non valido",
        shown_in: &[Location::CompanyPortal],
        codes: &["UserLicenseTypeInvalid"],
        phrases_en: NONE,
        phrases_it: NONE,
    },
    UserMessage {
        section: Section::UserNameNotRecognized,
        kind: MessageKind::Displayed,
        english: "User Name Not Recognized. This user account is not authorized to use Microsoft Intune. Contact your system administrator if you think you have received this message in error.",
        italian: "Nome utente non riconosciuto. Questo account utente non è autorizzato a usare Microsoft Intune. Se si ritiene di aver ricevuto questo messaggio per errore, contattare l'amministratore di sistema.",
        shown_in: &[Location::CompanyPortal],
        codes: &["UserNameNotRecognized"],
        phrases_en: NONE,
        phrases_it: NONE,
    },
    UserMessage {
        section: Section::MdmPayloadMismatch,
        kind: MessageKind::Displayed,
        english: "Profile Installation Failed. The new MDM payload does not match the old payload.",
        italian: "Installazione profilo non riuscita. Il nuovo payload di MDM non corrisponde al payload precedente.",
        shown_in: &[Location::Settings],
        codes: NONE,
        phrases_en: NONE,
        phrases_it: NONE,
    },
    UserMessage {
        section: Section::NoEnrollmentPolicy,
        kind: MessageKind::Code,
        english: "NoEnrollmentPolicy",
        italian: "NoEnrollmentPolicy",
        shown_in: &[Location::Safari, Location::CompanyPortal],
        codes: &["NoEnrollmentPolicy"],
        phrases_en: NONE,
        phrases_it: NONE,
    },
    UserMessage {
        section: Section::AccountNotOnboarded,
        kind: MessageKind::Code,
        english: "AccountNotOnboarded",
        italian: "AccountNotOnboarded",
        shown_in: &[Location::Safari, Location::CompanyPortal],
        codes: &["AccountNotOnboarded"],
        phrases_en: NONE,
        phrases_it: NONE,
    },
    UserMessage {
        section: Section::XpcConnectionInvalid,
        kind: MessageKind::LogExcerpt,
        english: "XPC_TYPE_ERROR Connection invalid",
        italian: "Connessione XPC_TYPE_ERROR non valida",
        shown_in: &[Location::SetupAssistant],
        codes: &["XPC_TYPE_ERROR"],
        phrases_en: NONE,
        phrases_it: NONE,
    },
    UserMessage {
        section: Section::AdeEnrollmentDoesntStart,
        kind: MessageKind::Symptom,
        english: "ADE enrollment doesn't start",
        italian: "Il processo di Registrazione automatica del dispositivo non viene avviato",
        shown_in: &[Location::SetupAssistant, Location::NotShown],
        codes: NONE,
        phrases_en: &[
            "enrollment doesn't start",
            "enrollment does not start",
            "enrollment never starts",
            "Remote Management never appears",
            "Remote Management does not appear",
            "no Remote Management screen",
            "Setup Assistant skips Remote Management",
        ],
        phrases_it: &[
            "la registrazione non viene avviata",
            "la registrazione non si avvia",
            "la registrazione non parte",
            "Gestione remota non viene visualizzata",
            "Gestione remota non compare",
        ],
    },
    UserMessage {
        section: Section::AdeStuckAtUserLogin,
        kind: MessageKind::Symptom,
        english: "ADE enrollment stuck at user login",
        italian: "Registrazione automatica del dispositivo bloccata all'accesso dell'utente",
        shown_in: &[Location::SetupAssistant, Location::SignIn],
        codes: NONE,
        phrases_en: &[
            "stuck at user login",
            "stuck at the sign-in screen",
            "stuck at sign in",
            "stuck at login",
            "stuck after entering credentials",
            "stuck after entering the password",
            "hangs after entering credentials",
        ],
        phrases_it: &[
            "bloccata all'accesso",
            "bloccato all'accesso",
            "si blocca dopo aver immesso le credenziali",
            "si blocca dopo aver inserito le credenziali",
            "bloccato dopo aver inserito le credenziali",
            "bloccata dopo l'inserimento delle credenziali",
        ],
    },
    UserMessage {
        section: Section::GovernmentCloudRedirect,
        kind: MessageKind::Symptom,
        english: "Authentication doesn't redirect to the government cloud",
        italian: "L'autenticazione non viene reindirizzata al cloud per enti pubblici",
        shown_in: &[Location::SignIn, Location::CompanyPortal],
        codes: NONE,
        phrases_en: &[
            "doesn't redirect to the government cloud",
            "not redirected to the government cloud",
            "redirected to the public cloud",
            "government cloud",
        ],
        phrases_it: &[
            "non viene reindirizzata al cloud per enti pubblici",
            "reindirizzati al cloud pubblico",
            "reindirizzato al cloud pubblico",
            "cloud per enti pubblici",
        ],
    },
    UserMessage {
        section: Section::ApnsCertificateNotValid,
        kind: MessageKind::Code,
        english: "APNSCertificateNotValid",
        italian: "APNSCertificateNotValid",
        shown_in: &[Location::CompanyPortal],
        codes: &["APNSCertificateNotValid"],
        phrases_en: NONE,
        phrases_it: NONE,
    },
    UserMessage {
        section: Section::DeviceTypeNotSupported,
        kind: MessageKind::Code,
        english: "DeviceTypeNotSupported",
        italian: "DeviceTypeNotSupported",
        shown_in: &[Location::CompanyPortal],
        codes: &["DeviceTypeNotSupported"],
        phrases_en: &["device type not supported", "device type isn't supported"],
        phrases_it: NONE,
    },
    UserMessage {
        section: Section::MdmAuthorityNotDefined,
        kind: MessageKind::Code,
        english: "MdmAuthorityNotDefined",
        italian: "MdmAuthorityNotDefined",
        shown_in: &[Location::Safari, Location::CompanyPortal],
        codes: &["MdmAuthorityNotDefined"],
        phrases_en: &["mobile device management authority hasn't been defined"],
        phrases_it: NONE,
    },
    UserMessage {
        section: Section::InvalidProfile,
        kind: MessageKind::Displayed,
        // The heading is "The configuration for your iPhone/iPad could not be downloaded from
        // <Company Name>: Invalid Profile"; only its last words are the failure's own. Its
        // opening is also Setup Assistant's "could not be retrieved" (Apple's service
        // unreachable), and "could not be" the Connection entry's, so as a pattern it would
        // claim those messages. The Italian article of 2020 has no such entry; the device
        // shows the English text.
        english: "Invalid Profile",
        italian: "Invalid Profile",
        shown_in: &[Location::SetupAssistant],
        codes: NONE,
        phrases_en: NONE,
        phrases_it: NONE,
    },
    // --- ADE token sync and upload (current article). The admin sees these in the admin
    // center, not on the device; the Italian texts are our translation (the Italian article
    // of 2020 has no such section).
    UserMessage {
        section: Section::AdeSyncTokenErrors,
        kind: MessageKind::Symptom,
        english: "Sync token errors between Intune and ADE",
        italian: "Errori di sincronizzazione del token tra Intune e ADE",
        shown_in: &[Location::Other, Location::NotShown],
        codes: &["T_C_NOT_SIGNED", "ACCESS_DENIED", "EXPIRED_CURSOR", "INVALID_CURSOR", "CURSOR_REQUIRED"],
        phrases_en: &[
            "Expired or invalid token",
            "Access denied",
            "Terms and conditions not accepted",
            "Internal server error",
            "Invalid support phone number",
            "Invalid configuration profile name",
            "Invalid cursor",
            "Cursor expired",
            "Required cursor",
            "Apple profile not found",
            "Invalid department entry",
            "token sync error",
        ],
        phrases_it: &["errore di sincronizzazione del token"],
    },
    UserMessage {
        section: Section::AdeTokenUploadError,
        kind: MessageKind::Symptom,
        english: "Error: An error occurred while uploading the Enrollment Program token",
        italian: "Errore: si è verificato un errore durante il caricamento del token del programma di registrazione",
        shown_in: &[Location::Other],
        codes: &["AjaxError"],
        phrases_en: &[
            "ajaxExtended call failed",
            "An error occurred while uploading the Enrollment Program token",
        ],
        phrases_it: &["caricamento del token del programma di registrazione"],
    },
    UserMessage {
        section: Section::VerifyWsTrust13Enabled,
        // The article gives no message: the user's ADE device with user affinity cannot
        // enroll (legacy Setup Assistant keeps asking for the password). The Italian text is
        // our translation (the Italian article of 2020 has no such section).
        kind: MessageKind::Symptom,
        english: "Verify WS-Trust 1.3 is enabled",
        italian: "Verificare che WS-Trust 1.3 sia abilitato",
        shown_in: &[Location::SetupAssistant, Location::NotShown],
        codes: NONE,
        phrases_en: &["WS-Trust", "usernamemixed"],
        phrases_it: &["WS-Trust"],
    },
    UserMessage {
        section: Section::ScepInvalidResponse,
        kind: MessageKind::Displayed,
        // iOS's own sentence (MCSCEPErrorDomain 22013), after "Profile Installation Failed."
        // in Setup Assistant or Settings; the ADE article quotes it in English only, and a
        // device in another language still shows the English sentence the lab has.
        english: "The SCEP server returned an invalid response.",
        italian: "The SCEP server returned an invalid response.",
        shown_in: &[Location::SetupAssistant, Location::Settings],
        codes: NONE,
        phrases_en: &["scep server returned an invalid response", "scep server"],
        phrases_it: NONE,
    },
];

/// The message table: for every section, its English and Italian texts (exactly as the
/// article's headings), what kind of text it is, where it appears, and the codes and phrases
/// users type for it. The simulator shows `english`/`italian` of the
/// [`MessageKind::Displayed`] and [`MessageKind::Code`] entries on the simulated device.
pub fn user_messages() -> &'static [UserMessage] {
    &MESSAGES
}

pub(super) fn message_for(section: Section) -> &'static UserMessage {
    // The table has one entry per section, in `Section::ALL` order (checked by a test).
    let index = Section::ALL.iter().position(|s| *s == section).unwrap_or(0);
    &MESSAGES[index]
}

/// The data files, embedded: (tag, file text).
const DATA_FILES: &[(&str, &str)] = &[
    ("de-DE", include_str!("../../data/messages/de-DE.toml")),
    ("fr-FR", include_str!("../../data/messages/fr-FR.toml")),
    ("es-ES", include_str!("../../data/messages/es-ES.toml")),
    ("pt-BR", include_str!("../../data/messages/pt-BR.toml")),
    ("pt-PT", include_str!("../../data/messages/pt-PT.toml")),
    ("nl-NL", include_str!("../../data/messages/nl-NL.toml")),
    ("sv-SE", include_str!("../../data/messages/sv-SE.toml")),
    ("pl-PL", include_str!("../../data/messages/pl-PL.toml")),
    ("cs-CZ", include_str!("../../data/messages/cs-CZ.toml")),
    ("hu-HU", include_str!("../../data/messages/hu-HU.toml")),
    ("tr-TR", include_str!("../../data/messages/tr-TR.toml")),
    ("ru-RU", include_str!("../../data/messages/ru-RU.toml")),
    ("ja-JP", include_str!("../../data/messages/ja-JP.toml")),
    ("ko-KR", include_str!("../../data/messages/ko-KR.toml")),
    ("zh-CN", include_str!("../../data/messages/zh-CN.toml")),
    ("zh-TW", include_str!("../../data/messages/zh-TW.toml")),
];

/// One language's texts, from its data file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalizedTexts {
    /// The language.
    pub language: Language,
    /// Where the texts were copied from.
    pub source: String,
    /// Sections the source edition has no heading for.
    pub missing: Vec<Section>,
    /// The texts per section.
    pub messages: Vec<LocalizedMessage>,
}

/// One section's texts in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalizedMessage {
    /// The section.
    pub section: Section,
    /// The heading as published, first the one the simulated device shows, then older or
    /// newer translations of it.
    pub texts: Vec<String>,
    /// Other phrases users type for it.
    pub phrases: Vec<String>,
}

impl LocalizedTexts {
    /// The texts of a section, if the file has any.
    pub fn message(&self, section: Section) -> Option<&LocalizedMessage> {
        self.messages.iter().find(|m| m.section == section)
    }
}

/// A data file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MessageDataError {
    /// Not valid TOML or not the expected shape.
    #[error("data/messages/{file}.toml: {source}")]
    Toml {
        /// The file's tag.
        file: String,
        /// What the parser said.
        source: Box<toml::de::Error>,
    },
    /// A section id that is not in the catalog.
    #[error("data/messages/{file}.toml: unknown section {section:?}")]
    UnknownSection {
        /// The file's tag.
        file: String,
        /// The id as written.
        section: String,
    },
    /// The `language` field is not the file's own tag.
    #[error("data/messages/{file}.toml: language {language:?} is not the file's tag")]
    LanguageMismatch {
        /// The file's tag.
        file: String,
        /// The field as written.
        language: String,
    },
    /// A message with no text.
    #[error("data/messages/{file}.toml: section {section} has no text")]
    EmptyTexts {
        /// The file's tag.
        file: String,
        /// The section.
        section: String,
    },
    /// Texts for a section whose heading is a product's message: they belong in
    /// `enrollsim-texts`, under the message's id.
    #[error("data/messages/{file}.toml: section {section} quotes a product message; its texts belong in enrollsim-texts")]
    ProductText {
        /// The file's tag.
        file: String,
        /// The section.
        section: String,
    },
    /// `enrollsim-texts` has no edition of the file's language.
    #[error("data/messages/{file}.toml: enrollsim-texts has no edition {file}")]
    NoProductTexts {
        /// The file's tag.
        file: String,
    },
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FileShape {
    language: String,
    #[serde(default)]
    #[allow(dead_code)] // Documentation for contributors; the code reads `source`.
    name: String,
    source: String,
    #[serde(default)]
    missing: Vec<String>,
    #[serde(default)]
    message: Vec<MessageShape>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageShape {
    section: String,
    // Empty for a section whose texts are a product message's (phrases only).
    #[serde(default)]
    texts: Vec<String>,
    #[serde(default)]
    phrases: Vec<String>,
}

fn parse_section(file: &str, id: &str) -> Result<Section, MessageDataError> {
    id.parse().map_err(|_| MessageDataError::UnknownSection {
        file: file.to_string(),
        section: id.to_string(),
    })
}

/// The headings of the language filed under `file` that quote a product message, from
/// `enrollsim-texts`.
fn product_messages(file: &str) -> Result<Vec<LocalizedMessage>, MessageDataError> {
    let headings =
        product_texts::headings_in(file).ok_or_else(|| MessageDataError::NoProductTexts {
            file: file.to_string(),
        })?;
    Ok(headings
        .into_iter()
        .map(|(section, texts)| LocalizedMessage {
            section,
            texts,
            phrases: Vec::new(),
        })
        .collect())
}

fn parse_data_file(file: &str, text: &str) -> Result<LocalizedTexts, MessageDataError> {
    let shape: FileShape = toml::from_str(text).map_err(|e| MessageDataError::Toml {
        file: file.to_string(),
        source: Box::new(e),
    })?;
    let language = Language::parse_tag(&shape.language)
        .filter(|l| l.tag().eq_ignore_ascii_case(file))
        .ok_or_else(|| MessageDataError::LanguageMismatch {
            file: file.to_string(),
            language: shape.language.clone(),
        })?;
    let missing = shape
        .missing
        .iter()
        .map(|id| parse_section(file, id))
        .collect::<Result<_, _>>()?;
    let mut messages = product_messages(file)?;
    for m in shape.message {
        let section = parse_section(file, &m.section)?;
        if product_texts::is_product_message(section) && !m.texts.is_empty() {
            return Err(MessageDataError::ProductText {
                file: file.to_string(),
                section: m.section,
            });
        }
        if let Some(product) = messages.iter_mut().find(|p| p.section == section) {
            product.phrases.extend(m.phrases);
            continue;
        }
        if m.texts.iter().all(|t| t.trim().is_empty()) {
            return Err(MessageDataError::EmptyTexts {
                file: file.to_string(),
                section: m.section,
            });
        }
        messages.push(LocalizedMessage {
            section,
            texts: m.texts,
            phrases: m.phrases,
        });
    }
    // The article's order, whichever file a heading came from.
    messages.sort_by_key(|m| Section::ALL.iter().position(|s| *s == m.section));
    Ok(LocalizedTexts {
        language,
        source: shape.source,
        missing,
        messages,
    })
}

fn parsed_files() -> &'static [Result<LocalizedTexts, MessageDataError>] {
    static PARSED: OnceLock<Vec<Result<LocalizedTexts, MessageDataError>>> = OnceLock::new();
    PARSED.get_or_init(|| {
        DATA_FILES
            .iter()
            .map(|(file, text)| parse_data_file(file, text))
            .collect()
    })
}

/// Every language's texts that loaded (a file that does not load is left out, and
/// [`check_message_data`] says why).
pub fn localized_all() -> impl Iterator<Item = &'static LocalizedTexts> {
    parsed_files().iter().filter_map(|r| r.as_ref().ok())
}

/// The texts of one language from its data file; `None` for English and Italian (their texts
/// are [`UserMessage::english`] and [`UserMessage::italian`]) and for a file that did not load.
pub fn localized(language: Language) -> Option<&'static LocalizedTexts> {
    localized_all().find(|l| l.language == language)
}

/// What is wrong with the embedded data files: empty when every file loads.
pub fn check_message_data() -> Vec<&'static MessageDataError> {
    parsed_files()
        .iter()
        .filter_map(|r| r.as_ref().err())
        .collect()
}

/// The heading of `section` in `language`: the article's text, English when the language's
/// edition has none.
pub(super) fn text_in(section: Section, language: Language) -> &'static str {
    let m = message_for(section);
    match language {
        Language::English => m.english,
        Language::Italian => m.italian,
        other => localized(other)
            .and_then(|l| l.message(section))
            .and_then(|m| m.texts.first())
            .map_or(m.english, String::as_str),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_section_order() {
        for (m, s) in MESSAGES.iter().zip(Section::ALL) {
            assert_eq!(m.section, *s);
        }
        assert_eq!(MESSAGES.len(), Section::ALL.len());
    }

    #[test]
    fn english_texts_are_the_english_headings() {
        assert_eq!(
            Section::DeviceCapReached.text(Language::English),
            "Device Cap Reached"
        );
        assert_eq!(
            Section::WorkplaceJoinFailed.text(Language::English),
            "Workplace Join failed"
        );
        assert_eq!(
            Section::ServiceNotSupported.text(Language::English),
            "This Service is not supported. No Enrollment Policy."
        );
        assert_eq!(
            Section::MdmPayloadMismatch.text(Language::English),
            "Profile Installation Failed. The new MDM payload does not match the old payload."
        );
        assert_eq!(
            Section::DeviceCapReached.text(Language::Italian),
            "Numero massimo dispositivi raggiunto"
        );
    }

    #[test]
    fn every_data_file_loads_and_other_languages_fall_back_to_english() {
        assert!(check_message_data().is_empty());
        assert_eq!(
            Section::DeviceCapReached.text(Language::German),
            "Gerätekapazität erreicht"
        );
        assert_eq!(
            Section::GovernmentCloudRedirect.text(Language::German),
            Section::GovernmentCloudRedirect.text(Language::English)
        );
        let bad = parse_data_file("de-DE", "language = \"fr-FR\"\nsource = \"x\"\n");
        assert!(matches!(
            bad,
            Err(MessageDataError::LanguageMismatch { .. })
        ));
        let bad = parse_data_file(
            "de-DE",
            "language = \"de-DE\"\nsource = \"x\"\n[[message]]\nsection = \"nope\"\ntexts = [\"a\"]\n",
        );
        assert!(matches!(bad, Err(MessageDataError::UnknownSection { .. })));
    }

    #[test]
    fn product_headings_come_from_the_texts_crate_and_phrases_join_them() {
        let head = "language = \"de-DE\"\nsource = \"x\"\n[[message]]\n";
        let section = Section::DeviceCapReached;
        let bad = parse_data_file(
            "de-DE",
            &format!("{head}section = \"{section}\"\ntexts = [\"a\"]\n"),
        );
        assert!(matches!(bad, Err(MessageDataError::ProductText { .. })));
        let file = parse_data_file(
            "de-DE",
            &format!("{head}section = \"{section}\"\nphrases = [\"zu viele Geräte\"]\n"),
        )
        .expect("phrases for a product message load");
        let message = file.message(section).expect("the texts crate's heading");
        assert_eq!(message.texts, ["Gerätekapazität erreicht"]);
        assert_eq!(message.phrases, ["zu viele Geräte"]);
    }

    #[test]
    fn language_tags() {
        assert_eq!(Language::from_tag("it-IT"), Language::Italian);
        assert_eq!(Language::from_tag("IT"), Language::Italian);
        assert_eq!(Language::from_tag("en-US"), Language::English);
        assert_eq!(Language::from_tag(""), Language::English);
        assert_eq!(Language::from_tag("de_AT"), Language::German);
        assert_eq!(Language::from_tag("pt"), Language::PortugueseBrazil);
        assert_eq!(Language::from_tag("pt-PT"), Language::PortuguesePortugal);
        assert_eq!(
            Language::from_tag("zh-Hant-TW"),
            Language::ChineseTraditional
        );
        assert_eq!(Language::from_tag("zh-HK"), Language::ChineseTraditional);
        assert_eq!(Language::from_tag("zh-Hans"), Language::ChineseSimplified);
        assert_eq!(Language::parse_tag("fi-FI"), None);
        for language in Language::ALL {
            assert_eq!(Language::from_tag(language.tag()), *language);
        }
    }
}
