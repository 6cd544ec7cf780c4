//! Message-only diagnosis of every article heading, English and Italian, the way users report
//! them: as written, typed (lower case, no punctuation, line breaks), without accents,
//! embedded in a sentence, and cut to the first sentence. Each must name the right section
//! first, or, where the article lists several causes under the message, offer those causes as
//! candidates and say what to collect next. A first sentence that several headings share
//! ("Profile Installation Failed.") must offer every section that has it.

use enrollsim_diagnostics::*;

fn typed(text: &str) -> String {
    text.to_lowercase()
        .replace(". ", "\n")
        .chars()
        .filter(|c| !matches!(c, '.' | ',' | '\'' | '’'))
        .collect()
}

fn unaccented(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'à' => 'a',
            'è' | 'é' => 'e',
            'ì' => 'i',
            'ò' => 'o',
            'ù' => 'u',
            other => other,
        })
        .collect()
}

fn first_sentence(text: &str) -> String {
    match text.find(". ") {
        Some(i) => text[..=i].to_string(),
        None => text.to_string(),
    }
}

fn texts(language: Language) -> Vec<(Section, &'static str)> {
    user_messages()
        .iter()
        .map(|m| {
            (
                m.section,
                if language == Language::English {
                    m.english
                } else {
                    m.italian
                },
            )
        })
        .collect()
}

/// The sections whose text in `language` starts with the same first sentence as `text`.
fn sharing_first_sentence(language: Language, text: &str) -> Vec<Section> {
    let first = first_sentence(text);
    texts(language)
        .into_iter()
        .filter(|(_, t)| first_sentence(t) == first)
        .map(|(s, _)| s)
        .collect()
}

fn assert_names(section: Section, reported: &str, language: &str) {
    let d = diagnose(&EvidenceBundle::from_message(reported, language));
    let shown = || format!("reported {reported:?}\n{}", d.render_text());
    let causes = section.causes();
    if causes.len() == 1 {
        assert_eq!(d.section, Some(section), "{}", shown());
        assert_eq!(d.cause, Some(causes[0]), "{}", shown());
        assert_eq!(d.candidates[0].cause, causes[0], "{}", shown());
    } else {
        assert_eq!(d.section, Some(section), "{}", shown());
        for cause in &causes {
            assert!(
                d.candidates
                    .iter()
                    .any(|c| c.cause == *cause && c.section == section),
                "{cause}: {}",
                shown()
            );
        }
        assert!(!d.collect.is_empty(), "{}", shown());
    }
}

fn check_language(language: Language, tag: &str) {
    for (section, text) in texts(language) {
        assert_names(section, text, tag);
        assert_names(section, &typed(text), tag);
        assert_names(section, &typed(&unaccented(text)), tag);
        assert_names(
            section,
            &format!("When I enroll my phone it says \"{text}\" and stops"),
            tag,
        );

        let first = first_sentence(text);
        let sharing = sharing_first_sentence(language, text);
        for reported in [first.clone(), typed(&first)] {
            if sharing.len() == 1 {
                assert_names(section, &reported, tag);
            } else {
                let d = diagnose(&EvidenceBundle::from_message(reported.as_str(), tag));
                assert_eq!(
                    d.section,
                    None,
                    "{reported:?} is shared by {sharing:?}\n{}",
                    d.render_text()
                );
                for s in &sharing {
                    assert!(
                        d.candidates.iter().any(|c| c.section == *s),
                        "{s} missing for {reported:?}\n{}",
                        d.render_text()
                    );
                }
                assert!(!d.collect.is_empty());
            }
        }
    }
}

#[test]
fn every_english_heading() {
    check_language(Language::English, "en-US");
}

#[test]
fn every_italian_heading() {
    check_language(Language::Italian, "it-IT");
}

#[test]
fn profile_installation_failed_alone_offers_three_sections() {
    let d = diagnose(&EvidenceBundle::from_message(
        "Profile Installation Failed.",
        "en-US",
    ));
    let sections: Vec<Section> = d.candidates.iter().map(|c| c.section).collect();
    for s in [
        Section::NetworkError,
        Section::ConnectionNotEstablished,
        Section::MdmPayloadMismatch,
    ] {
        assert!(sections.contains(&s), "{s}");
    }
    assert_eq!(d.section, None);
    assert!(
        d.collect.iter().any(|c| c.id == "exact-message")
            || d.collect.iter().any(|c| c.id == "where-shown")
    );
}

#[test]
fn codes_alone() {
    for (code, section) in [
        ("NoEnrollmentPolicy", Section::NoEnrollmentPolicy),
        ("AccountNotOnboarded", Section::AccountNotOnboarded),
        ("DeviceCapReached", Section::DeviceCapReached),
        ("UserLicenseTypeInvalid", Section::UserLicenseTypeInvalid),
        ("XPC_TYPE_ERROR", Section::XpcConnectionInvalid),
        ("UserNameNotRecognized", Section::UserNameNotRecognized),
    ] {
        assert_names(section, code, "");
    }
}

#[test]
fn truncated_prefixes() {
    assert_names(
        Section::CompanyPortalUnavailable,
        "Company Portal Temporarily Unava",
        "en",
    );
    assert_names(Section::UserNameNotRecognized, "user name not recogn", "en");
    assert_names(
        Section::ConnectionNotEstablished,
        "Installazione profilo non riuscita. Non è stato possibile stab",
        "it",
    );
    assert_names(
        Section::MdmPayloadMismatch,
        "profile installation failed the new mdm pay",
        "en",
    );
}

#[test]
fn where_the_message_appeared_breaks_a_tie() {
    // "No Enrollment Policy" typed with spaces: the Company Portal message or the bare code.
    let d = diagnose(
        &EvidenceBundle::from_message("no enrollment policy", "en").with_location(Location::Safari),
    );
    assert_eq!(
        d.section,
        Some(Section::NoEnrollmentPolicy),
        "{}",
        d.render_text()
    );
}

#[test]
fn company_portal_unavailable_ranks_the_note_second_and_asks_for_the_count() {
    let d = diagnose(&EvidenceBundle::from_message(
        "Company Portal Temporarily Unavailable. The Company Portal app encountered a problem. If the problem persists, contact your system administrator.",
        "en-US",
    ));
    assert_eq!(
        d.candidates[0].cause,
        Cause::CompanyPortalOutdated,
        "{}",
        d.render_text()
    );
    assert_eq!(
        d.candidates[1].cause,
        Cause::DeviceLimitReached,
        "{}",
        d.render_text()
    );
    assert!(
        d.collect.iter().any(|c| c.id == "device-count-and-limit"),
        "{}",
        d.render_text()
    );
}

#[test]
fn unknown_messages_decide_nothing() {
    for text in [
        "",
        "   ",
        "it doesn't work",
        "Errore sconosciuto",
        "🙂🙂",
        "\u{0}\u{1}",
    ] {
        let d = diagnose(&EvidenceBundle::from_message(text, "en"));
        assert_eq!((d.section, d.cause), (None, None), "{text:?}");
        assert!(
            d.collect.iter().any(|c| c.id == "exact-message"),
            "{text:?}"
        );
    }
}

#[test]
fn symptom_phrases() {
    assert_names(
        Section::AdeStuckAtUserLogin,
        "the iPad hangs after entering credentials in Setup Assistant",
        "en",
    );
    assert_names(
        Section::AdeEnrollmentDoesntStart,
        "Remote Management never appears on the new iPhones",
        "en",
    );
    assert_names(
        Section::GovernmentCloudRedirect,
        "gli utenti vengono reindirizzati al cloud pubblico",
        "it",
    );
    assert_names(
        Section::AdeStuckAtUserLogin,
        "il dispositivo si blocca dopo aver inserito le credenziali",
        "it",
    );
}

#[test]
fn only_some_users_failing_speaks_against_the_tenant_wide_push_certificate() {
    // "AccountNotOnboarded" alone points at the push certificate; when the user adds that
    // colleagues enroll fine, a tenant-wide cause no longer fits as well.
    let alone = diagnose(&EvidenceBundle::from_message(
        "AccountNotOnboarded",
        "en-US",
    ));
    let scoped = diagnose(
        &EvidenceBundle::from_message("AccountNotOnboarded", "en-US")
            .with_affected_users(AffectedUsers::Some),
    );
    let apns = |d: &Diagnosis| {
        d.candidates
            .iter()
            .filter(|c| {
                matches!(
                    c.cause,
                    Cause::ApnsCertificateMissing
                        | Cause::ApnsCertificateInvalid
                        | Cause::ApnsCertificateNeedsRenewal
                )
            })
            .map(|c| c.confidence.percent())
            .max()
            .unwrap_or(0)
    };
    assert!(apns(&alone) > 0, "{}", alone.render_text());
    assert!(
        apns(&scoped) < apns(&alone),
        "{}\n---\n{}",
        alone.render_text(),
        scoped.render_text()
    );
    // Answered once, the question is not asked again.
    let asks = |d: &Diagnosis| d.collect.iter().any(|c| c.id == "affected-users");
    assert!(!asks(&scoped), "{}", scoped.render_text());
}
