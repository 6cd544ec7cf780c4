//! What iOS and the Company Portal show the user, in the device's language.
//!
//! The English texts are the ones Microsoft's troubleshooting article quotes (they are the
//! products' own strings, which is how users report them); the Italian texts are the Italian
//! edition's. Other locales fall back to English, as apps without a localisation do.

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
    /// A bare service error code, as the Company Portal website or the app shows it.
    ServiceCode(String),
    /// The Microsoft sign-in page's error, with its AADSTS text.
    SignInError(String),
}

fn is_italian(locale: &str) -> bool {
    locale.to_ascii_lowercase().starts_with("it")
}

impl UserMessage {
    /// The text in `locale` (`en-US`, `it-IT`...) on a device of `model` ("iPhone", "iPad"),
    /// which iOS names in its own texts.
    pub fn text(&self, locale: &str, model: &str) -> String {
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
            (UserMessage::ServiceCode(code), _) => return code.clone(),
            (UserMessage::SignInError(text), _) => return text.clone(),
        };
        s.to_string()
    }

    /// The message the Company Portal app shows for a service error code.
    pub fn for_company_portal_code(code: &str) -> UserMessage {
        match code {
            "NoEnrollmentPolicy" => UserMessage::ServiceNotSupported,
            "DeviceCapReached" => UserMessage::DeviceCapReached,
            "UserLicenseTypeInvalid" => UserMessage::UserLicenseTypeInvalid,
            "UserNameNotRecognized" => UserMessage::UserNameNotRecognized,
            "AccountNotOnboarded"
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
            UserMessage::DeviceCapReached.text("fr-FR", "iPhone"),
            "Device Cap Reached"
        );
        assert_eq!(
            UserMessage::for_company_portal_code("Whatever"),
            UserMessage::CompanyPortalUnavailable
        );
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
}
