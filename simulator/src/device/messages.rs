//! What iOS and the Company Portal show the user, in the device's language.
//!
//! The texts are the products' own strings, kept per language in `enrollsim-texts` under the
//! products' message ids ([`UserMessage::id`]); most are quoted by Microsoft's troubleshooting
//! article in its localized editions, which is how users report them. A message without a
//! text in the device's language, and a locale without an edition, fall back to English, as
//! apps without a localisation do.

use enrollsim_texts::MessageId;

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

/// The placeholder of the organization when the device does not name one.
const SOME_ORGANIZATION: &str = "<Company Name>";

/// The text of `id` in `locale` with the moment's words in its placeholders.
fn filled(id: MessageId, locale: &str, model: &str, organization: &str, reason: &str) -> String {
    // Every id has an English text (enrollsim-texts' tests), so the id's name never shows.
    let template = enrollsim_texts::text(id, locale).unwrap_or(id.name());
    enrollsim_texts::fill(
        template,
        &[
            ("model", model),
            ("organization", organization),
            ("reason", reason),
        ],
    )
}

impl UserMessage {
    /// The product's own id of the message, whose texts the device shows; `None` for the
    /// messages that carry their text whole (a bare code, the sign-in page's error).
    pub fn id(&self) -> Option<MessageId> {
        Some(match self {
            UserMessage::ProfileNetworkError => MessageId::ProfileNetworkError,
            UserMessage::ProfileServerUnreachable => MessageId::ProfileServerUnreachable,
            UserMessage::ProfilePayloadMismatch => MessageId::ProfilePayloadMismatch,
            UserMessage::ProfileInvalid => MessageId::ProfileInvalid,
            UserMessage::ProfileScepFailed(_) => MessageId::ProfileScepFailed,
            UserMessage::ServiceNotSupported => MessageId::ServiceNotSupported,
            UserMessage::CompanyPortalUnavailable => MessageId::CompanyPortalUnavailable,
            UserMessage::DeviceCapReached => MessageId::DeviceCapReached,
            UserMessage::WorkplaceJoinFailed => MessageId::WorkplaceJoinFailed,
            UserMessage::UserLicenseTypeInvalid => MessageId::UserLicenseTypeInvalid,
            UserMessage::UserNameNotRecognized => MessageId::UserNameNotRecognized,
            UserMessage::CloudConfigurationUnavailable => MessageId::CloudConfigurationUnavailable,
            UserMessage::ConfigurationNotDownloaded(_) => MessageId::ConfigurationNotDownloaded,
            UserMessage::ServiceCode(_) | UserMessage::SignInError(_) => return None,
        })
    }

    /// The text in `locale` (`en-US`, `it-IT`...) on a device of `model` ("iPhone", "iPad"),
    /// which iOS names in its own texts.
    pub fn text(&self, locale: &str, model: &str) -> String {
        let reason = match self {
            UserMessage::ServiceCode(text) | UserMessage::SignInError(text) => return text.clone(),
            UserMessage::ProfileScepFailed(reason)
            | UserMessage::ConfigurationNotDownloaded(reason) => reason.as_str(),
            _ => "",
        };
        self.id().map_or_else(String::new, |id| {
            filled(id, locale, model, SOME_ORGANIZATION, reason)
        })
    }

    /// Setup Assistant's sentence for an enrollment profile the MDM server refused, naming the
    /// organization of the cloud configuration. English: the current article gives it in
    /// English only.
    pub fn configuration_not_downloaded(model: &str, organization: &str, reason: &str) -> String {
        let id = MessageId::ConfigurationNotDownloaded;
        filled(id, enrollsim_texts::ENGLISH, model, organization, reason)
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
        // Every edition loads and has every text the Company Portal and Settings show.
        assert!(enrollsim_texts::check().is_empty());
        for edition in enrollsim_texts::editions() {
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
                let id = message.id().unwrap();
                assert!(edition.text(id).is_some(), "{}: {id}", edition.tag);
            }
        }
        // Not one of the article's headings: English.
        assert!(UserMessage::ProfileInvalid
            .text("de-DE", "iPhone")
            .starts_with("Profile Installation Failed"));
    }
}
