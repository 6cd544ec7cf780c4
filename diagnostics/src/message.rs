//! Recognising a reported message: which article sections could it be, and how well does it
//! match?
//!
//! Users report messages loosely: in any of the catalog's languages (English and Italian from
//! the code's table, the others from the data files, older and newer translations alike), in any case, without punctuation, with
//! line breaks, only the first sentence, a truncated prefix, a bare code (`NoEnrollmentPolicy`,
//! `DeviceCapReached`, `XPC_TYPE_ERROR`), or embedded in a longer sentence. Each catalog text is
//! split into sentences; every sentence is looked for in the user's text on the squashed form
//! (see the `text` module), as a whole, as a prefix (the user stopped typing) or as a longer
//! fragment. A complete match scores the pattern's base; a partial one scores by how much text
//! it explains. When one section's match covers only part of what another section's match
//! covers (`NoEnrollmentPolicy` inside "This Service is not supported. No Enrollment Policy."),
//! the smaller one counts for less. Shared sentences ("Profile Installation Failed.") give equal
//! scores to every section that has them, so ambiguity stays visible.

use std::cmp::Reverse;
use std::sync::OnceLock;

use crate::catalog::{localized_all, user_messages, Language, Section};
use crate::text::Squashed;

/// How much of a user's text is looked at.
const MAX_CHARS: usize = 1000;
/// A sentence prefix must explain this many letters (or the whole sentence).
const MIN_PREFIX: usize = 10;
/// A single word typed alone must have this many letters.
const MIN_ALONE: usize = 8;
/// A fragment from inside a sentence must explain this many letters (and three words).
const MIN_FRAGMENT: usize = 14;
/// Factor for a match that explains only part of what another section's match explains.
const DOMINATED: f64 = 0.4;

/// One section a message may belong to.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageMatch {
    /// The section.
    pub section: Section,
    /// How well the text matches, 0.0..=1.0, rounded to two decimals.
    pub score: f64,
    /// The catalog text or phrase that matched best.
    pub pattern: &'static str,
    /// Its language; `None` for a language-neutral code.
    pub language: Option<Language>,
    /// The whole pattern was found (not just part of it).
    pub complete: bool,
}

struct Pattern {
    section: Section,
    text: &'static str,
    language: Option<Language>,
    base: f64,
    sentences: Vec<Sentence>,
}

fn patterns() -> &'static [Pattern] {
    static PATTERNS: OnceLock<Vec<Pattern>> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let mut out = Vec::new();
        let mut push = |section, text: &'static str, language, base| {
            let sentences: Vec<Sentence> = text
                .split(['.', '!', '?', '。', '！', '？', '．'])
                .map(|s| Squashed::new(s, usize::MAX))
                .filter(|s| !s.is_empty())
                .map(Sentence::new)
                .collect();
            if !sentences.is_empty() {
                out.push(Pattern {
                    section,
                    text,
                    language,
                    base,
                    sentences,
                });
            }
        };
        for m in user_messages() {
            push(m.section, m.english, Some(Language::English), 1.0);
            if m.italian != m.english {
                push(m.section, m.italian, Some(Language::Italian), 1.0);
            }
            for code in m.codes {
                push(m.section, code, None, 0.95);
            }
            for phrase in m.phrases_en {
                push(m.section, phrase, Some(Language::English), 0.85);
            }
            for phrase in m.phrases_it {
                push(m.section, phrase, Some(Language::Italian), 0.85);
            }
        }
        // The other languages' texts after English and Italian, so that a tie keeps the
        // code's table's pattern.
        for file in localized_all() {
            for m in &file.messages {
                for text in &m.texts {
                    push(m.section, text.as_str(), Some(file.language), 1.0);
                }
                for phrase in &m.phrases {
                    push(m.section, phrase.as_str(), Some(file.language), 0.85);
                }
            }
        }
        out
    })
}

/// Where one sentence of a pattern was found in the user's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Found {
    at: usize,
    len: usize,
    whole: bool,
}

/// How many leading characters a word start is filed under (see [`UserText`]). Every piece
/// of a sentence that counts is at least this long, except a whole sentence shorter than it.
const KEY: usize = 4;
/// Bits per character in a key (Unicode scalar values fit in 21).
const KEY_BITS: usize = 21;

/// The first [`KEY`] characters from `at`, packed first character highest so that keys sort
/// as the texts do; zero past the end (never a squashed character, and below all of them).
fn key_at(chars: &[char], at: usize) -> u128 {
    (0..KEY).fold(0, |key, k| {
        let c = chars.get(at + k).map_or(0, |c| u128::from(u32::from(*c)));
        (key << KEY_BITS) | c
    })
}

/// A key cut to its first `n` characters.
fn key_prefix(key: u128, n: usize) -> u128 {
    key >> (KEY_BITS * (KEY - n))
}

/// One sentence of a pattern, with the word starts a piece that counts may begin at.
struct Sentence {
    squashed: Squashed,
    /// `(j, key_at(j), n)`: from word start `j` a piece must match at least `n` (at most
    /// [`KEY`]) characters, the first `n` of the key.
    heads: Vec<(usize, u128, usize)>,
}

impl Sentence {
    /// A piece counts only when it is long enough (see [`find_sentence`]): a prefix must be
    /// the whole sentence or at least the shorter of the prefix and alone minimums, a
    /// fragment at least the fragment minimum, so word starts with less left are dropped.
    fn new(squashed: Squashed) -> Sentence {
        let heads = (0..squashed.len())
            .filter(|&j| squashed.starts[j])
            .filter_map(|j| {
                let needed = if j == 0 {
                    MIN_PREFIX.min(MIN_ALONE).min(squashed.len())
                } else if squashed.len() - j >= MIN_FRAGMENT {
                    MIN_FRAGMENT
                } else {
                    return None;
                };
                Some((j, key_at(&squashed.chars, j), needed.min(KEY)))
            })
            .collect();
        Sentence { squashed, heads }
    }
}

/// The user's text, squashed, with its word starts filed by their first characters, so that
/// each word of a sentence is compared only with the user's words that begin with the same
/// few letters, not with all of them (the catalog's thousands of words against every word of
/// a long paste made recognition cost milliseconds).
struct UserText {
    squashed: Squashed,
    /// `(key_at(i), i)` of every word start `i`, sorted.
    heads: Vec<(u128, usize)>,
}

impl UserText {
    fn new(text: &str) -> UserText {
        let squashed = Squashed::new(text, MAX_CHARS);
        let mut heads: Vec<(u128, usize)> = (0..squashed.len())
            .filter(|&i| squashed.starts[i])
            .map(|i| (key_at(&squashed.chars, i), i))
            .collect();
        heads.sort_unstable();
        UserText { squashed, heads }
    }

    /// The word starts of the user's text whose first `n` characters are those of `key`.
    fn starting_with(&self, key: u128, n: usize) -> impl Iterator<Item = usize> + '_ {
        let wanted = key_prefix(key, n);
        let from = self
            .heads
            .partition_point(|(h, _)| key_prefix(*h, n) < wanted);
        self.heads[from..]
            .iter()
            .take_while(move |(h, _)| key_prefix(*h, n) == wanted)
            .map(|(_, i)| *i)
    }
}

/// How pieces of a sentence are preferred: the longest, then a prefix over a fragment, then
/// the earliest in the user's text, then in the sentence.
type Rank = (usize, bool, Reverse<usize>, Reverse<usize>);

/// The longest piece of `sentence` found in `user`, starting and ending on the user's word
/// boundaries: the whole sentence, a prefix of it, or a long enough fragment.
fn find_sentence(text: &UserText, sentence: &Sentence) -> Option<Found> {
    let user = &text.squashed;
    let (heads, sentence) = (&sentence.heads, &sentence.squashed);
    let mut best: Option<(Rank, Found)> = None;
    for &(j, head, needed) in heads {
        for i in text.starting_with(head, needed) {
            let Some(found) = match_at(user, sentence, i, j) else {
                continue;
            };
            let len = found.len;
            let rank = (len, j == 0, Reverse(i), Reverse(j));
            if best.as_ref().is_none_or(|(r, _)| rank > *r) {
                best = Some((rank, found));
            }
        }
    }
    best.map(|(_, f)| f)
}

/// The match of the sentence's text from its character `j` against the user's from `i`, cut at
/// a word boundary, if it is long enough to count: the whole sentence, a prefix of it, or a
/// fragment from inside it.
fn match_at(user: &Squashed, sentence: &Squashed, i: usize, j: usize) -> Option<Found> {
    let common = user.chars[i..]
        .iter()
        .zip(&sentence.chars[j..])
        .take_while(|(a, b)| a == b)
        .count();
    let len = (1..=common)
        .rev()
        .find(|&k| user.ends[i + k] && (j == 0 || sentence.ends[j + k]))?;
    let whole = j == 0 && len == sentence.len();
    let words = (i..i + len).filter(|&k| user.starts[k]).count();
    let alone = i == 0 && i + len == user.len();
    let enough = if j == 0 {
        // A prefix: long enough, and more than one word unless it is all the user typed.
        (len >= MIN_PREFIX.min(sentence.len()) && (words >= 2 || alone))
            || (alone && len >= MIN_ALONE)
    } else {
        // A fragment from inside a sentence: long and several words.
        len >= MIN_FRAGMENT && words >= 3
    };
    (whole || enough).then_some(Found { at: i, len, whole })
}

/// Score of one pattern and the user positions it explains.
fn score_pattern(user: &UserText, pattern: &Pattern) -> Option<(f64, bool, Vec<bool>)> {
    let found: Vec<Option<Found>> = pattern
        .sentences
        .iter()
        .map(|s| find_sentence(user, s))
        .collect();
    let explained: usize = found.iter().flatten().map(|f| f.len).sum();
    if explained == 0 {
        return None;
    }
    let complete = found.iter().all(|f| f.is_some_and(|f| f.whole));
    let score = if complete {
        pattern.base
    } else {
        (0.4 + 0.5 * (explained as f64 / 30.0).min(1.0))
            .min(0.9)
            .min(pattern.base - 0.05)
    };
    let mut covered = vec![false; user.squashed.len()];
    for f in found.iter().flatten() {
        for c in covered.iter_mut().skip(f.at).take(f.len) {
            *c = true;
        }
    }
    Some((score, complete, covered))
}

/// The sections `text` may be, best first (ties in catalog order). Empty when nothing matches.
pub fn recognize(text: &str) -> Vec<MessageMatch> {
    let user = UserText::new(text);
    if user.squashed.is_empty() {
        return Vec::new();
    }
    // Best pattern per section.
    let mut best: Vec<(MessageMatch, Vec<bool>)> = Vec::new();
    for pattern in patterns() {
        let Some((score, complete, covered)) = score_pattern(&user, pattern) else {
            continue;
        };
        let candidate = MessageMatch {
            section: pattern.section,
            score,
            pattern: pattern.text,
            language: pattern.language,
            complete,
        };
        match best.iter_mut().find(|(m, _)| m.section == pattern.section) {
            Some(slot) if slot.0.score >= score => {}
            Some(slot) => *slot = (candidate, covered),
            None => best.push((candidate, covered)),
        }
    }
    // A match that explains a strict part of what a better-or-equal match explains counts less.
    let dominated: Vec<bool> = best
        .iter()
        .map(|(a, ca)| {
            best.iter().any(|(b, cb)| {
                b.section != a.section && b.score >= a.score && strict_subset(ca, cb)
            })
        })
        .collect();
    let mut out: Vec<MessageMatch> = best
        .into_iter()
        .zip(dominated)
        .map(|((mut m, _), d)| {
            if d {
                m.score *= DOMINATED;
            }
            m.score = (m.score * 100.0).round() / 100.0;
            m
        })
        .filter(|m| m.score > 0.0)
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.section.cmp(&b.section)));
    out
}

fn strict_subset(a: &[bool], b: &[bool]) -> bool {
    a.iter().zip(b).all(|(x, y)| !*x || *y) && a.iter().zip(b).any(|(x, y)| !*x && *y)
}

/// The language `text` is most likely written in: from its script where the script says it
/// (kana is Japanese, Hangul Korean, Cyrillic Russian, Chinese characters alone Chinese), and
/// otherwise, or to tell simplified from traditional Chinese, the language of the best
/// matching catalog text. `None` when neither tells.
pub fn detect_language(text: &str) -> Option<Language> {
    let has = |range: std::ops::RangeInclusive<char>| text.chars().any(|c| range.contains(&c));
    if has('\u{3040}'..='\u{30ff}') {
        return Some(Language::Japanese);
    }
    if has('\u{ac00}'..='\u{d7af}') || has('\u{1100}'..='\u{11ff}') {
        return Some(Language::Korean);
    }
    if has('\u{0400}'..='\u{04ff}') {
        return Some(Language::Russian);
    }
    if has('\u{4e00}'..='\u{9fff}') {
        // Japanese texts share characters (and whole headings) with Chinese ones, so only the
        // two Chinese scripts compete here; simplified unless traditional matches better.
        let chinese = [Language::ChineseSimplified, Language::ChineseTraditional];
        return Some(best_language_among(text, &chinese).unwrap_or(Language::ChineseSimplified));
    }
    recognize(text).into_iter().find_map(|m| m.language)
}

/// The language among `languages` whose catalog text matches `text` best (the first on a
/// tie).
fn best_language_among(text: &str, languages: &[Language]) -> Option<Language> {
    let user = UserText::new(text);
    let mut best: Option<(f64, Language)> = None;
    for pattern in patterns() {
        let Some(language) = pattern.language.filter(|l| languages.contains(l)) else {
            continue;
        };
        let Some((score, _, _)) = score_pattern(&user, pattern) else {
            continue;
        };
        let rank = |l: Language| languages.iter().position(|x| *x == l);
        let better =
            best.is_none_or(|(s, l)| score > s || (score == s && rank(language) < rank(l)));
        if better {
            best = Some((score, language));
        }
    }
    best.map(|(_, l)| l)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The search before the word starts were filed by letter: every word start of the user's
    /// text against every word start of the sentence, the first best kept.
    fn find_sentence_by_scan(user: &Squashed, sentence: &Squashed) -> Option<Found> {
        let mut best: Option<(usize, bool, Found)> = None;
        for i in (0..user.len()).filter(|&i| user.starts[i]) {
            for j in (0..sentence.len()).filter(|&j| sentence.starts[j]) {
                let Some(found) = match_at(user, sentence, i, j) else {
                    continue;
                };
                let len = found.len;
                let key = (len, j == 0);
                if best.as_ref().is_none_or(|(l, p, _)| key > (*l, *p)) {
                    best = Some((len, j == 0, found));
                }
            }
        }
        best.map(|(_, _, f)| f)
    }

    /// A user's text made of pieces of catalog texts (any language), repeated words and
    /// filler, so that sentences match whole, as prefixes, as fragments and several times.
    fn user_text() -> impl Strategy<Value = String> {
        let texts: Vec<&'static str> = patterns().iter().map(|p| p.text).collect();
        let piece = prop_oneof![
            (
                proptest::sample::select(texts),
                any::<prop::sample::Index>(),
                0usize..60
            )
                .prop_map(|(text, start, len)| {
                    let chars: Vec<char> = text.chars().collect();
                    let from = start.index(chars.len().max(1));
                    chars[from..].iter().take(len).collect::<String>()
                }),
            "[a-e ]{0,12}",
            "(profile|installation|failed|the|device|cap|reached|no) ",
        ];
        // Said twice at times: equally good matches at two places must pick the same one.
        (proptest::collection::vec(piece, 0..5), 1usize..=2)
            .prop_map(|(pieces, times)| pieces.join(" ").repeat(times))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn filing_word_starts_by_letter_finds_what_the_full_scan_finds(text in user_text()) {
            let user = UserText::new(&text);
            for sentence in patterns().iter().flat_map(|p| &p.sentences) {
                prop_assert_eq!(
                    find_sentence(&user, sentence),
                    find_sentence_by_scan(&user.squashed, &sentence.squashed),
                    "{:?}", text
                );
            }
        }
    }

    fn top(text: &str) -> Option<Section> {
        recognize(text).first().map(|m| m.section)
    }

    #[test]
    fn full_messages_any_case_and_punctuation() {
        assert_eq!(top("device cap reached"), Some(Section::DeviceCapReached));
        assert_eq!(
            top("PROFILE INSTALLATION FAILED\nconnection to the server could not be established"),
            Some(Section::ConnectionNotEstablished)
        );
        assert_eq!(
            top("Numero massimo dispositivi raggiunto"),
            Some(Section::DeviceCapReached)
        );
        assert_eq!(
            top("si e verificato un errore di rete"),
            Some(Section::NetworkError)
        );
    }

    #[test]
    fn codes_alone_and_embedded() {
        assert_eq!(top("NoEnrollmentPolicy"), Some(Section::NoEnrollmentPolicy));
        assert_eq!(
            top("the portal said AccountNotOnboarded when she tried"),
            Some(Section::AccountNotOnboarded)
        );
        assert_eq!(top("xpc_type_error"), Some(Section::XpcConnectionInvalid));
        assert_eq!(
            top("UserLicenseTypeInvalid"),
            Some(Section::UserLicenseTypeInvalid)
        );
    }

    #[test]
    fn a_longer_message_beats_the_code_inside_it() {
        let m = recognize("This service is not supported. No enrollment policy.");
        assert_eq!(m[0].section, Section::ServiceNotSupported);
        assert!(m[0].complete);
        let code = m
            .iter()
            .find(|m| m.section == Section::NoEnrollmentPolicy)
            .unwrap();
        assert!(code.score <= 0.4);
    }

    #[test]
    fn profile_installation_failed_alone_is_ambiguous() {
        let m = recognize("Profile Installation Failed.");
        let sections: Vec<Section> = m.iter().take(3).map(|m| m.section).collect();
        assert_eq!(
            sections,
            vec![
                Section::NetworkError,
                Section::ConnectionNotEstablished,
                Section::MdmPayloadMismatch
            ]
        );
        assert_eq!(m[0].score, m[1].score);
        assert_eq!(m[1].score, m[2].score);
    }

    #[test]
    fn truncated_prefix() {
        assert_eq!(
            top("company portal temporarily unav"),
            Some(Section::CompanyPortalUnavailable)
        );
        assert_eq!(
            top("Profile installation failed. The new MDM pay"),
            Some(Section::MdmPayloadMismatch)
        );
    }

    #[test]
    fn one_word_of_a_long_sentence_is_not_enough() {
        assert!(recognize("XPC_TYPE_ERROR connection invalid")
            .iter()
            .all(|m| m.section != Section::ConnectionNotEstablished));
        assert!(recognize("nessun criterio di registrazione")
            .iter()
            .all(|m| m.section != Section::AdeStuckAtUserLogin));
        assert_eq!(top("workplace"), Some(Section::WorkplaceJoinFailed));
    }

    #[test]
    fn words_inside_other_words_do_not_match() {
        assert!(recognize("the device capacity is fine")
            .iter()
            .all(|m| m.section != Section::DeviceCapReached));
        assert!(recognize("").is_empty());
        assert!(recognize("hello").is_empty());
    }

    #[test]
    fn symptom_phrases() {
        assert_eq!(
            top("the iPad is stuck after entering credentials"),
            Some(Section::AdeStuckAtUserLogin)
        );
        assert_eq!(
            top("si blocca dopo aver inserito le credenziali"),
            Some(Section::AdeStuckAtUserLogin)
        );
        assert_eq!(
            top("Remote Management never appears"),
            Some(Section::AdeEnrollmentDoesntStart)
        );
        assert_eq!(
            top("users get redirected to the public cloud"),
            Some(Section::GovernmentCloudRedirect)
        );
    }
}
