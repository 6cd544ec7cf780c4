//! The multilingual test set: every heading of every language's data file (German, French,
//! Spanish, Portuguese of Brazil and Portugal, Dutch, Swedish, Polish, Czech, Hungarian,
//! Turkish, Russian, Japanese, Korean, Chinese simplified and traditional), diagnosed from the
//! message alone the way users report it: as published, typed (lower case, no punctuation,
//! sentences on separate lines), without accents, without spaces, embedded in a sentence of
//! the user's, and cut to its first sentence. Each must name the right section; a first
//! sentence that several headings share ("Fehler bei der Profilinstallation.") must instead
//! offer every section that has it, as in English. The figure over the whole set is the
//! README's.

use enrollsim_diagnostics::*;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

const SENTENCE_ENDS: [char; 3] = ['.', '。', '！'];

fn typed(text: &str) -> String {
    text.to_lowercase()
        .replace(". ", "\n")
        .replace("。 ", "\n")
        .chars()
        .filter(|c| !c.is_ascii_punctuation() && !matches!(c, '’' | '。' | '，' | '、'))
        .collect()
}

fn unaccented(text: &str) -> String {
    text.nfd().filter(|c| !is_combining_mark(*c)).collect()
}

fn without_spaces(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn first_sentence(text: &str) -> String {
    match text.find(|c| SENTENCE_ENDS.contains(&c)) {
        Some(i) => {
            let end = i + text[i..].chars().next().map_or(1, char::len_utf8);
            text[..end].trim().to_string()
        }
        None => text.to_string(),
    }
}

/// The sections whose text in the file starts with the same first sentence as `text`.
fn sharing_first_sentence(file: &LocalizedTexts, text: &str) -> Vec<Section> {
    let first = first_sentence(text);
    file.messages
        .iter()
        .filter(|m| m.texts.iter().any(|t| first_sentence(t) == first))
        .map(|m| m.section)
        .collect()
}

/// One report of the set, and what it must name.
struct Case {
    reported: String,
    tag: &'static str,
    expected: Vec<Section>,
}

fn cases(file: &LocalizedTexts) -> Vec<Case> {
    let tag = file.language.tag();
    let mut out = Vec::new();
    for m in &file.messages {
        for text in &m.texts {
            let mut whole = vec![
                text.clone(),
                typed(text),
                typed(&unaccented(text)),
                format!("{}: \"{text}\"", "iPhone"),
            ];
            if matches!(
                file.language,
                Language::Japanese | Language::ChineseSimplified | Language::ChineseTraditional
            ) {
                whole.push(without_spaces(text));
            }
            for reported in whole {
                out.push(Case {
                    reported,
                    tag,
                    expected: vec![m.section],
                });
            }
            let first = first_sentence(text);
            let sharing = sharing_first_sentence(file, text);
            for reported in [first.clone(), typed(&first), unaccented(&typed(&first))] {
                out.push(Case {
                    reported,
                    tag,
                    expected: sharing.clone(),
                });
            }
        }
    }
    out
}

/// Whether the diagnosis of a case names its section, or offers every section that shares
/// the text and names none.
fn passes(case: &Case) -> Result<(), String> {
    let d = diagnose(&EvidenceBundle::from_message(
        case.reported.as_str(),
        case.tag,
    ));
    let ok = match case.expected.as_slice() {
        [one] => d.section == Some(*one),
        several => {
            d.section.is_none()
                && several
                    .iter()
                    .all(|s| d.candidates.iter().any(|c| c.section == *s))
        }
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{} {:?}: expected {:?}\n{}",
            case.tag,
            case.reported,
            case.expected,
            d.render_text()
        ))
    }
}

fn check_language(language: Language) {
    let file = localized(language).expect("the language's data file loads");
    let failures: Vec<String> = cases(file).iter().filter_map(|c| passes(c).err()).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

macro_rules! per_language {
    ($($name:ident => $language:expr),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check_language($language);
            }
        )*
    };
}

per_language! {
    german => Language::German,
    french => Language::French,
    spanish => Language::Spanish,
    portuguese_brazil => Language::PortugueseBrazil,
    portuguese_portugal => Language::PortuguesePortugal,
    dutch => Language::Dutch,
    swedish => Language::Swedish,
    polish => Language::Polish,
    czech => Language::Czech,
    hungarian => Language::Hungarian,
    turkish => Language::Turkish,
    russian => Language::Russian,
    japanese => Language::Japanese,
    korean => Language::Korean,
    chinese_simplified => Language::ChineseSimplified,
    chinese_traditional => Language::ChineseTraditional,
}

#[test]
fn every_data_file_loads_and_covers_every_message_kind() {
    assert!(
        check_message_data().is_empty(),
        "{:?}",
        check_message_data()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    );
    let files: Vec<&LocalizedTexts> = localized_all().collect();
    assert_eq!(
        files.len(),
        Language::ALL.len() - 2,
        "one file per language"
    );
    for file in files {
        // Every section with a text of its own (the codes are language-neutral) has one here,
        // or the file says its edition lacks it.
        for m in user_messages() {
            if m.kind == MessageKind::Code {
                continue;
            }
            assert!(
                file.message(m.section).is_some() || file.missing.contains(&m.section),
                "{}: {} has no text and is not listed as missing",
                file.language.tag(),
                m.section
            );
        }
        for kind in [
            MessageKind::Displayed,
            MessageKind::LogExcerpt,
            MessageKind::Symptom,
        ] {
            assert!(
                file.messages
                    .iter()
                    .any(|m| m.section.message().kind == kind),
                "{}: no {kind:?} text",
                file.language.tag()
            );
        }
        assert!(
            file.source.starts_with("https://"),
            "{}",
            file.language.tag()
        );
    }
}

#[test]
fn the_language_is_detected_from_the_text() {
    for file in localized_all() {
        for m in &file.messages {
            let text = &m.texts[0];
            let detected = detect_language(text);
            // Identical headings across editions ("Workplace Join ...") may belong to a sibling
            // language; what must hold is that the detected language has this text.
            let has_it = detected.is_some_and(|l| {
                localized(l)
                    .and_then(|f| f.message(m.section))
                    .is_some_and(|other| other.texts.contains(text))
            });
            assert!(
                has_it,
                "{}: {text:?} detected as {detected:?}",
                file.language.tag()
            );
        }
    }
    assert_eq!(
        detect_language("デバイス キャップに達しました"),
        Some(Language::Japanese)
    );
    assert_eq!(
        detect_language("已到達裝置上限"),
        Some(Language::ChineseTraditional)
    );
    assert_eq!(
        detect_language("已达到设备上限"),
        Some(Language::ChineseSimplified)
    );
    assert_eq!(
        detect_language("gerätekapazität erreicht"),
        Some(Language::German)
    );
    assert_eq!(detect_language("hello"), None);
}

#[test]
fn overall_figure_on_the_multilingual_set() {
    let mut total = 0usize;
    let mut passed = 0usize;
    let mut failures = Vec::new();
    for file in localized_all() {
        for case in cases(file) {
            total += 1;
            match passes(&case) {
                Ok(()) => passed += 1,
                Err(e) => failures.push(e),
            }
        }
    }
    let figure = passed as f64 * 100.0 / total as f64;
    println!("multilingual set: {passed}/{total} = {figure:.1} %");
    assert!(
        figure >= 98.0,
        "{passed}/{total} = {figure:.1} %\n{}",
        failures.join("\n\n")
    );
}
