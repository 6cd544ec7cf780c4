//! Text folding for matching what users type against the catalog: lower case, accents removed,
//! punctuation, whitespace and line breaks dropped, with the word boundaries remembered.
//!
//! Matching runs on the *squashed* form (letters and digits only), so `NoEnrollmentPolicy`,
//! `no enrollment policy`, `XPC_TYPE_ERROR` and `xpc type error` all compare equal, while the
//! remembered word boundaries stop a match from starting or ending inside a word of the user's
//! text.

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
        let mut chars = Vec::new();
        let mut starts = Vec::new();
        let mut ends = vec![false];
        let mut in_word = false;
        'outer: for c in text.chars() {
            if is_combining_mark(c) {
                continue;
            }
            let mut folded = false;
            for lower in c.to_lowercase() {
                let f = fold_accent(lower);
                if f.is_alphanumeric() {
                    if chars.len() >= limit {
                        break 'outer;
                    }
                    starts.push(!in_word);
                    chars.push(f);
                    ends.push(false);
                    in_word = true;
                    folded = true;
                }
            }
            if !folded && in_word {
                in_word = false;
                if let Some(last) = ends.last_mut() {
                    *last = true;
                }
            }
        }
        starts.push(false);
        if let Some(last) = ends.last_mut() {
            *last = true;
        }
        Squashed {
            chars,
            starts,
            ends,
        }
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
    text.chars()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(fold_accent)
        .collect()
}

fn is_combining_mark(c: char) -> bool {
    ('\u{0300}'..='\u{036f}').contains(&c)
}

fn fold_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ç' => 'c',
        'ñ' => 'n',
        other => other,
    }
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
}
