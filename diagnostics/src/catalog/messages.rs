//! The texts users see, per section, in English and Italian, and the phrases users type for the
//! sections that have no message of their own.
//!
//! The English texts are the English article's headings exactly (Microsoft's title case), the
//! Italian texts the Italian article's headings: the simulator shows these strings on the
//! simulated device, so they must not be reworded.

use super::Section;
use crate::bundle::Location;

/// A language the catalog has texts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Language {
    /// English.
    English,
    /// Italian.
    Italian,
}

impl Language {
    /// The language of a BCP 47 tag (`it`, `it-IT` → Italian); anything else is English.
    pub fn from_tag(tag: &str) -> Language {
        let primary = tag.split(['-', '_']).next().unwrap_or("");
        if primary.eq_ignore_ascii_case("it") {
            Language::Italian
        } else {
            Language::English
        }
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

static MESSAGES: [UserMessage; 15] = [
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
    fn language_tags() {
        assert_eq!(Language::from_tag("it-IT"), Language::Italian);
        assert_eq!(Language::from_tag("IT"), Language::Italian);
        assert_eq!(Language::from_tag("en-US"), Language::English);
        assert_eq!(Language::from_tag(""), Language::English);
    }
}
