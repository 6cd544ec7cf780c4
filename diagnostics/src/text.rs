//! Text folding for matching what users type against the catalog: compatibility-decomposed
//! (Unicode NFKD, so full-width forms and ligatures fold too), lower case, accents and other
//! combining marks removed, punctuation, whitespace and line breaks dropped, with the word
//! boundaries remembered.
//!
//! Scripts written without spaces (Chinese, Japanese kana) have no words to remember: each of
//! their characters counts as a word of its own, so a match may start and end at any character
//! there, which makes matching them substring matching.
//!
//! Matching runs on the *squashed* form (letters and digits only), so `NoEnrollmentPolicy`,
//! `no enrollment policy`, `XPC_TYPE_ERROR` and `xpc type error` all compare equal, while the
//! remembered word boundaries stop a match from starting or ending inside a word of the user's
//! text.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// A text reduced to its letters and digits, with word boundaries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Squashed {
    /// The folded characters.
    pub chars: Vec<char>,
    /// `starts[i]`: a word starts at `i` (length `chars.len() + 1`).
    pub starts: Vec<bool>,
    /// `ends[i]`: a word ends just before `i` (length `chars.len() + 1`).
    pub ends: Vec<bool>,
}

impl Squashed {
    /// Folds `text`, keeping at most `limit` characters.
    pub fn new(text: &str, limit: usize) -> Squashed {
        let mut out = Squashed {
            chars: Vec::new(),
            starts: Vec::new(),
            ends: vec![false],
        };
        let mut in_word = false;
        for c in text.nfkd().filter(|c| !is_combining_mark(*c)) {
            let mut folded = false;
            for lower in c.to_lowercase() {
                let mut buf = [0u8; 4];
                let letters = special_fold(lower).unwrap_or_else(|| lower.encode_utf8(&mut buf));
                for f in letters.chars().filter(|f| f.is_alphanumeric()) {
                    if out.chars.len() >= limit {
                        return out.finish();
                    }
                    let unspaced = is_unspaced_script(f);
                    if unspaced && in_word {
                        out.end_word();
                    }
                    out.starts.push(!in_word || unspaced);
                    out.chars.push(f);
                    out.ends.push(false);
                    in_word = !unspaced;
                    if unspaced {
                        out.end_word();
                    }
                    folded = true;
                }
            }
            if !folded && in_word {
                in_word = false;
                out.end_word();
            }
        }
        out.finish()
    }

    fn end_word(&mut self) {
        if let Some(last) = self.ends.last_mut() {
            *last = true;
        }
    }

    fn finish(mut self) -> Squashed {
        self.starts.push(false);
        self.end_word();
        self
    }

    /// Number of folded characters.
    pub fn len(&self) -> usize {
        self.chars.len()
    }

    /// No letters or digits at all.
    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }
}

/// Lower-case `text` and remove accents, keeping everything else (used for log matching).
pub(crate) fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for lower in text
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
    {
        match special_fold(lower) {
            Some(letters) => out.push_str(letters),
            None => out.push(lower),
        }
    }
    out
}

/// Letters that carry their accent in the letter itself (no decomposition), folded the way
/// people type them without the accent.
fn special_fold(c: char) -> Option<&'static str> {
    Some(match c {
        'ł' => "l",
        'ø' => "o",
        'đ' | 'ð' => "d",
        'ı' => "i",
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        'þ' => "th",
        _ => return None,
    })
}

/// Chinese characters and Japanese kana: scripts written without spaces between words.
fn is_unspaced_script(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30ff}'   // hiragana, katakana
        | '\u{31f0}'..='\u{31ff}' // katakana extensions
        | '\u{3400}'..='\u{4dbf}' // CJK extension A
        | '\u{4e00}'..='\u{9fff}' // CJK unified ideographs
        | '\u{f900}'..='\u{faff}' // CJK compatibility ideographs
        | '\u{20000}'..='\u{2fa1f}')
}

/// Cuts `text` to at most `max` characters on a character boundary, marking the cut.
pub(crate) fn clip(text: &str, max: usize) -> String {
    let trimmed = text.trim();
    if trimmed.chars().count() <= max {
        return trimmed.to_string();
    }
    let mut out: String = trimmed.chars().take(max).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn squash(s: &str) -> String {
        Squashed::new(s, 1000).chars.into_iter().collect()
    }

    #[test]
    fn folds_case_accents_and_punctuation() {
        assert_eq!(
            squash("Si è verificato, un ERRORE!"),
            "sieverificatounerrore"
        );
        assert_eq!(squash("XPC_TYPE_ERROR"), "xpctypeerror");
        assert_eq!(squash("doesn’t\nstart"), "doesntstart");
        assert_eq!(squash("e\u{301}"), "e");
    }

    #[test]
    fn remembers_word_boundaries() {
        let s = Squashed::new("ab, c", 100);
        assert_eq!(s.chars, vec!['a', 'b', 'c']);
        assert_eq!(s.starts, vec![true, false, true, false]);
        assert_eq!(s.ends, vec![false, false, true, true]);
        let empty = Squashed::new(" .. ", 100);
        assert!(empty.is_empty());
        assert_eq!(empty.starts, vec![false]);
        assert_eq!(empty.ends, vec![true]);
    }

    #[test]
    fn limit_and_clip() {
        assert_eq!(Squashed::new("abcdef", 3).len(), 3);
        assert_eq!(clip("  àèìòù  ", 3), "àèì…");
        assert_eq!(clip("short", 10), "short");
        assert_eq!(fold("Èra NoEnrollmentPolicy"), "era noenrollmentpolicy");
    }

    #[test]
    fn folds_letters_without_decomposition_and_full_width_forms() {
        assert_eq!(squash("Połączenie"), "polaczenie");
        assert_eq!(squash("Kayıt"), "kayit");
        assert_eq!(squash("Größe"), "grosse");
        assert_eq!(squash("ＮｏＥｎｒｏｌｌｍｅｎｔ"), "noenrollment");
        assert_eq!(squash("Ž Ř ő"), "zro");
    }

    #[test]
    fn unspaced_scripts_make_every_character_a_word() {
        let s = Squashed::new("已达到 设备", 100);
        assert_eq!(s.chars.len(), 5);
        assert!(s.starts[..5].iter().all(|b| *b));
        assert!(s.ends[1..].iter().all(|b| *b));
        let mixed = Squashed::new("MDM 承載", 100);
        assert_eq!(mixed.starts, vec![true, false, false, true, true, false]);
        assert_eq!(mixed.ends, vec![false, false, false, true, true, true]);
    }
}
