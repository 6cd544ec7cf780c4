//! Dotted version numbers (`5.2404.0`, `17.5`): parsing, comparing, and finding them in a log
//! line, for the Company Portal version rule.

use std::cmp::Ordering;

/// Parses `a.b.c` (digits and dots only, at least one dot or a plain number).
pub(crate) fn parse(text: &str) -> Option<Vec<u64>> {
    let parts: Option<Vec<u64>> = text
        .trim()
        .split('.')
        .map(|p| p.parse::<u64>().ok())
        .collect();
    parts.filter(|p| !p.is_empty())
}

/// Compares two versions, missing components counting as 0.
pub(crate) fn compare(a: &[u64], b: &[u64]) -> Ordering {
    let n = a.len().max(b.len());
    (0..n)
        .map(|i| {
            a.get(i)
                .copied()
                .unwrap_or(0)
                .cmp(&b.get(i).copied().unwrap_or(0))
        })
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

/// The dotted numbers in a line (`5.2404.0`), in order.
pub(crate) fn find_all(line: &str) -> Vec<Vec<u64>> {
    line.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map(|t| t.trim_matches('.'))
        .filter(|t| t.contains('.'))
        .filter_map(parse)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_compare() {
        assert_eq!(parse("5.2404.0"), Some(vec![5, 2404, 0]));
        assert_eq!(parse("x"), None);
        assert_eq!(parse("1..2"), None);
        assert_eq!(compare(&[5, 2101], &[5, 2404, 0]), Ordering::Less);
        assert_eq!(compare(&[5, 2404], &[5, 2404, 0]), Ordering::Equal);
    }

    #[test]
    fn finds_versions_in_text() {
        assert_eq!(
            find_all("client 5.2101.0 below minimum 5.2404.0."),
            vec![vec![5, 2101, 0], vec![5, 2404, 0]]
        );
        assert!(find_all("no versions 2026 here").is_empty());
    }
}
