//! What iOS and the Company Portal show the user, in the device's language.
//!
//! The English texts are the ones Microsoft's troubleshooting article quotes (they are the
//! products' own strings, which is how users report them); the Italian texts are the Italian
//! edition's. German, French, Spanish, Portuguese (Brazil, Portugal), Dutch, Swedish, Polish,
//! Czech, Hungarian, Turkish, Russian, Japanese, Korean and Chinese (simplified, traditional)
//! devices show the headings of that language's edition of the article, read from the same
//! cited data files the diagnosis recognises them from (`diagnostics/data/messages/`; the
//! simulator does not link the diagnosis crate, it only embeds the data). Messages the article
//! has no heading for, and other locales, fall back to English, as apps without a
//! localisation do.

use std::collections::HashMap;
use std::sync::OnceLock;

/// A message the device can show.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UserMessage {
    /// Settings: profile installation failed with a network error.
    ProfileNetworkError,
    /// Settings: profile installation failed, the server could not be reached.
    ProfileServerUnreachable,
    /// Settings: profile installation failed, the MDM payload differs from the installed one.
    ProfilePayloadMismatch,
    /// Settings: the profile could not be read.
    ProfileInvalid,
    /// Settings: the SCEP payload's identity could not be obtained; holds the SCEP error's
    /// text ("The SCEP server returned an invalid response.").
    ProfileScepFailed(String),
    /// Company Portal: the service refuses enrollment for lack of an enrollment policy.
    ServiceNotSupported,
    /// Company Portal: generic failure.
    CompanyPortalUnavailable,
    /// Company Portal: too many devices.
    DeviceCapReached,
    /// Company Portal: device registration failed.
    WorkplaceJoinFailed,
    /// Company Portal: the licence does not cover Intune.
    UserLicenseTypeInvalid,
    /// Company Portal: Intune does not know the user.
    UserNameNotRecognized,
    /// Setup Assistant: the device could not get its configuration from Apple.
    CloudConfigurationUnavailable,
    /// Setup Assistant: the MDM server refused the enrollment profile with an error
    /// description ("Invalid Profile" for a device type restriction), shown after the
    /// organization's name (see [`UserMessage::configuration_not_downloaded`]). The id holds
    /// the description only: the organization is the tenant's, not the failure's.
    ConfigurationNotDownloaded(String),
    /// A bare service error code, as the Company Portal website or the app shows it.
    ServiceCode(String),
    /// The Microsoft sign-in page's error, with its AADSTS text.
    SignInError(String),
}

fn is_italian(locale: &str) -> bool {
    locale.to_ascii_lowercase().starts_with("it")
}

/// The localized headings, embedded: (file tag, file text).
const HEADINGS: &[(&str, &str)] = &[
    (
        "de-DE",
        include_str!("../../../diagnostics/data/messages/de-DE.toml"),
    ),
    (
        "fr-FR",
        include_str!("../../../diagnostics/data/messages/fr-FR.toml"),
    ),
    (
        "es-ES",
        include_str!("../../../diagnostics/data/messages/es-ES.toml"),
    ),
    (
        "pt-BR",
        include_str!("../../../diagnostics/data/messages/pt-BR.toml"),
    ),
    (
        "pt-PT",
        include_str!("../../../diagnostics/data/messages/pt-PT.toml"),
    ),
    (
        "nl-NL",
        include_str!("../../../diagnostics/data/messages/nl-NL.toml"),
    ),
    (
        "sv-SE",
        include_str!("../../../diagnostics/data/messages/sv-SE.toml"),
    ),
    (
        "pl-PL",
        include_str!("../../../diagnostics/data/messages/pl-PL.toml"),
    ),
    (
        "cs-CZ",
        include_str!("../../../diagnostics/data/messages/cs-CZ.toml"),
    ),
    (
        "hu-HU",
        include_str!("../../../diagnostics/data/messages/hu-HU.toml"),
    ),
    (
        "tr-TR",
        include_str!("../../../diagnostics/data/messages/tr-TR.toml"),
    ),
    (
        "ru-RU",
        include_str!("../../../diagnostics/data/messages/ru-RU.toml"),
    ),
    (
        "ja-JP",
        include_str!("../../../diagnostics/data/messages/ja-JP.toml"),
    ),
    (
        "ko-KR",
        include_str!("../../../diagnostics/data/messages/ko-KR.toml"),
    ),
    (
        "zh-CN",
        include_str!("../../../diagnostics/data/messages/zh-CN.toml"),
    ),
    (
        "zh-TW",
        include_str!("../../../diagnostics/data/messages/zh-TW.toml"),
    ),
];

#[derive(serde::Deserialize)]
struct HeadingFile {
    #[serde(default)]
    message: Vec<Heading>,
}

#[derive(serde::Deserialize)]
struct Heading {
    section: String,
    texts: Vec<String>,
}

/// File tag -> (section anchor -> the heading the device shows). A file that does not parse
/// is left out (the device then speaks English); the diagnosis crate's tests check them all.
fn headings() -> &'static HashMap<&'static str, HashMap<String, String>> {
    static HEADINGS_BY_TAG: OnceLock<HashMap<&'static str, HashMap<String, String>>> =
        OnceLock::new();
    HEADINGS_BY_TAG.get_or_init(|| {
        HEADINGS
            .iter()
            .filter_map(|(tag, text)| {
                let file: HeadingFile = toml::from_str(text).ok()?;
                let by_section = file
                    .message
                    .into_iter()
                    .filter_map(|h| Some((h.section, h.texts.into_iter().next()?)))
                    .collect();
                Some((*tag, by_section))
            })
            .collect()
    })
}

/// The data file for a device locale (`de-AT` -> `de-DE`, `pt-PT` -> `pt-PT`, other `pt` ->
/// `pt-BR`, `zh-Hant`/`zh-TW`/`zh-HK` -> `zh-TW`, other `zh` -> `zh-CN`).
fn file_tag(locale: &str) -> Option<&'static str> {
    let lower = locale.to_ascii_lowercase().replace('_', "-");
    let mut parts = lower.split('-');
    let primary = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    match primary {
        "pt" if rest.contains(&"pt") => Some("pt-PT"),
        "pt" => Some("pt-BR"),
        "zh" if rest.iter().any(|p| ["hant", "tw", "hk", "mo"].contains(p)) => Some("zh-TW"),
        "zh" => Some("zh-CN"),
        _ => HEADINGS
            .iter()
            .map(|(tag, _)| *tag)
            .find(|tag| tag.split('-').next() == Some(primary)),
    }
}

/// The article's anchor for the messages that are one of its headings.
fn article_section(message: &UserMessage) -> Option<&'static str> {
    Some(match message {
        UserMessage::ProfileNetworkError => "profile-installation-failed-a-network-error-has-occurred",
        UserMessage::ProfileServerUnreachable => "profile-installation-failed-connection-to-the-server-could-not-be-established",
        UserMessage::ProfilePayloadMismatch => "profile-installation-failed-the-new-mdm-payload-does-not-match-the-old-payload",
        UserMessage::ServiceNotSupported => "this-service-is-not-supported-no-enrollment-policy",
        UserMessage::CompanyPortalUnavailable => "company-portal-temporarily-unavailable-the-company-portal-app-encountered-a-problem-if-the-problem-persists-contact-your-system-administrator",
        UserMessage::DeviceCapReached => "device-cap-reached",
        UserMessage::WorkplaceJoinFailed => "workplace-join-failed",
        UserMessage::UserLicenseTypeInvalid => "user-license-type-invalid",
        UserMessage::UserNameNotRecognized => "user-name-not-recognized-this-user-account-is-not-authorized-to-use-microsoft-intune-contact-your-system-administrator-if-you-think-you-have-received-this-message-in-error",
        _ => return None,
    })
}

/// The localized heading for `message` on a device in `locale`, if that language's edition
/// has one.
fn localized_heading(message: &UserMessage, locale: &str) -> Option<String> {
    let section = article_section(message)?;
    headings().get(file_tag(locale)?)?.get(section).cloned()
}

impl UserMessage {
    /// The text in `locale` (`en-US`, `it-IT`...) on a device of `model` ("iPhone", "iPad"),
    /// which iOS names in its own texts.
    pub fn text(&self, locale: &str, model: &str) -> String {
        if let Some(heading) = localized_heading(self, locale) {
            return heading;
        }
        let it = is_italian(locale);
        let s = match (self, it) {
            (UserMessage::ProfileNetworkError, false) => "Profile Installation Failed. A network error has occurred.",
            (UserMessage::ProfileNetworkError, true) => "Installazione profilo non riuscita. Si è verificato un errore di rete.",
            (UserMessage::ProfileServerUnreachable, false) => "Profile Installation Failed. Connection to the server could not be established.",
            (UserMessage::ProfileServerUnreachable, true) => "Installazione profilo non riuscita. Non è stato possibile stabilire una connessione al server.",
            (UserMessage::ProfilePayloadMismatch, false) => "Profile Installation Failed. The new MDM payload does not match the old payload.",
            (UserMessage::ProfilePayloadMismatch, true) => "Installazione profilo non riuscita. Il nuovo payload di MDM non corrisponde al payload precedente.",
            (UserMessage::ProfileInvalid, false) => "Profile Installation Failed. The profile is invalid.",
            (UserMessage::ProfileInvalid, true) => "Installazione profilo non riuscita. Il profilo non è valido.",
            // The SCEP sentence is quoted in English by Microsoft's ADE article; no edition
            // gives it in another language, so it follows the heading as it is.
            (UserMessage::ProfileScepFailed(reason), false) => return format!("Profile Installation Failed. {reason}"),
            (UserMessage::ProfileScepFailed(reason), true) => return format!("Installazione profilo non riuscita. {reason}"),
            (UserMessage::ServiceNotSupported, false) => "This Service is not supported. No Enrollment Policy.",
            (UserMessage::ServiceNotSupported, true) => "Questo servizio non è supportato. Nessun criterio di registrazione.",
            (UserMessage::CompanyPortalUnavailable, false) => "Company Portal Temporarily Unavailable. The Company Portal app encountered a problem. If the problem persists, contact your system administrator.",
            (UserMessage::CompanyPortalUnavailable, true) => "Portale aziendale temporaneamente non disponibile. Si è verificato un problema nell'app Portale aziendale. Se il problema persiste, contattare l'amministratore del sistema.",
            (UserMessage::DeviceCapReached, false) => "Device Cap Reached",
            (UserMessage::DeviceCapReached, true) => "Numero massimo dispositivi raggiunto",
            (UserMessage::WorkplaceJoinFailed, false) => "Workplace Join failed",
            (UserMessage::WorkplaceJoinFailed, true) => "Workplace Join non riuscito",
            (UserMessage::UserLicenseTypeInvalid, false) => "User License Type Invalid",
            (UserMessage::UserLicenseTypeInvalid, true) => "Tipo di licenza utente non valido",
            (UserMessage::UserNameNotRecognized, false) => "User Name Not Recognized. This user account is not authorized to use Microsoft Intune. Contact your system administrator if you think you have received this message in error.",
            (UserMessage::UserNameNotRecognized, true) => "Nome utente non riconosciuto. Questo account utente non è autorizzato a usare Microsoft Intune. Se si ritiene di aver ricevuto questo messaggio per errore, contattare l'amministratore di sistema.",
            (UserMessage::CloudConfigurationUnavailable, false) => return format!("Unable to retrieve configuration. The configuration for your {model} could not be retrieved. Try again later or use a different network."),
            (UserMessage::CloudConfigurationUnavailable, true) => return format!("Impossibile recuperare la configurazione. Non è stato possibile recuperare la configurazione di {model}. Riprova più tardi o usa un'altra rete."),
            // The current article gives this text in English only; the Italian article of 2020
            // has no such entry, so an Italian device shows the English sentence.
            (UserMessage::ConfigurationNotDownloaded(reason), _) => {
                return UserMessage::configuration_not_downloaded(model, "<Company Name>", reason)
            }
            (UserMessage::ServiceCode(code), _) => return code.clone(),
            (UserMessage::SignInError(text), _) => return text.clone(),
        };
        s.to_string()
    }

    /// Setup Assistant's sentence for an enrollment profile the MDM server refused, naming the
    /// organization of the cloud configuration.
    pub fn configuration_not_downloaded(model: &str, organization: &str, reason: &str) -> String {
        format!("The configuration for your {model} could not be downloaded from {organization}: {reason}")
    }

    /// The message the Company Portal app shows for a service error code.
    pub fn for_company_portal_code(code: &str) -> UserMessage {
        match code {
            "NoEnrollmentPolicy" => UserMessage::ServiceNotSupported,
            "DeviceCapReached" => UserMessage::DeviceCapReached,
            "UserLicenseTypeInvalid" => UserMessage::UserLicenseTypeInvalid,
            "UserNameNotRecognized" => UserMessage::UserNameNotRecognized,
            "AccountNotOnboarded"
            | "APNSCertificateNotValid"
            | "MdmAuthorityNotDefined"
            | "DeviceTypeNotSupported"
            | "OsVersionNotSupported" => UserMessage::ServiceCode(code.to_string()),
            _ => UserMessage::CompanyPortalUnavailable,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn italian_devices_get_italian_texts_and_others_english() {
        assert!(UserMessage::DeviceCapReached
            .text("it-IT", "iPhone")
            .contains("massimo"));
        assert_eq!(
            UserMessage::DeviceCapReached.text("fi-FI", "iPhone"),
            "Device Cap Reached"
        );
        assert_eq!(
            UserMessage::for_company_portal_code("Whatever"),
            UserMessage::CompanyPortalUnavailable
        );
    }

    #[test]
    fn a_refused_ade_profile_names_the_organization_and_the_reason() {
        assert_eq!(
            UserMessage::configuration_not_downloaded("iPad", "Contoso", "Invalid Profile"),
            "The configuration for your iPad could not be downloaded from Contoso: Invalid Profile"
        );
        let message = UserMessage::ConfigurationNotDownloaded("Invalid Profile".into());
        assert!(message
            .text("en-US", "iPhone")
            .ends_with(": Invalid Profile"));
    }

    #[test]
    fn setup_assistant_names_the_model_it_runs_on() {
        let text = UserMessage::CloudConfigurationUnavailable.text("en-US", "iPad");
        assert!(
            text.contains("The configuration for your iPad could not"),
            "{text}"
        );
        let text = UserMessage::CloudConfigurationUnavailable.text("it-IT", "iPad");
        assert!(text.contains("configurazione di iPad."), "{text}");
    }

    #[test]
    fn devices_in_the_other_languages_get_their_editions_headings() {
        assert_eq!(
            UserMessage::DeviceCapReached.text("fr-FR", "iPhone"),
            "Nombre maximal d'appareils atteint"
        );
        assert_eq!(
            UserMessage::DeviceCapReached.text("de-AT", "iPhone"),
            "Gerätekapazität erreicht"
        );
        assert_eq!(
            UserMessage::ServiceNotSupported.text("ja-JP", "iPhone"),
            "このサービスはサポート対象外です。 登録ポリシーがありません。"
        );
        assert_eq!(
            UserMessage::DeviceCapReached.text("zh-Hant-HK", "iPad"),
            "已到達裝置上限"
        );
        assert_eq!(
            UserMessage::ProfilePayloadMismatch.text("pt-PT", "iPhone"),
            "Instalação de perfil falhou. A nova carga útil do MDM não corresponde à carga antiga."
        );
        // Every embedded file parses and has every heading the device can show.
        assert_eq!(headings().len(), HEADINGS.len());
        for (tag, by_section) in headings() {
            for message in [
                UserMessage::ProfileNetworkError,
                UserMessage::ProfileServerUnreachable,
                UserMessage::ProfilePayloadMismatch,
                UserMessage::ServiceNotSupported,
                UserMessage::CompanyPortalUnavailable,
                UserMessage::DeviceCapReached,
                UserMessage::WorkplaceJoinFailed,
                UserMessage::UserLicenseTypeInvalid,
                UserMessage::UserNameNotRecognized,
            ] {
                let section = article_section(&message).unwrap();
                assert!(by_section.contains_key(section), "{tag}: {section}");
            }
        }
        // Not one of the article's headings: English.
        assert!(UserMessage::ProfileInvalid
            .text("de-DE", "iPhone")
            .starts_with("Profile Installation Failed"));
    }
}
