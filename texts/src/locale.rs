//! Which edition of the texts a device locale reads.
//!
//! A device's locale is a BCP 47 tag in any of the shapes iOS and users write (`de-AT`,
//! `de_DE`, `zh-Hant-HK`, `IT`); the editions are filed under one tag per language (`de-DE`).
//! Portuguese and Chinese have two editions each, told apart by region or script.

/// The edition tag for `locale` among `tags` (`de-AT` -> `de-DE`; `pt-PT` -> `pt-PT`, other
/// `pt` -> `pt-BR`; `zh-Hant`, `zh-TW`, `zh-HK`, `zh-MO` -> `zh-TW`, other `zh` -> `zh-CN`);
/// `None` when no edition is in that language.
pub(crate) fn edition_tag<'a>(
    locale: &str,
    tags: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = locale.to_ascii_lowercase().replace('_', "-");
    let mut parts = lower.split('-');
    let primary = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    let wanted = match primary {
        "pt" if rest.contains(&"pt") => Some("pt-PT"),
        "pt" => Some("pt-BR"),
        "zh" if rest.iter().any(|p| ["hant", "tw", "hk", "mo"].contains(p)) => Some("zh-TW"),
        "zh" => Some("zh-CN"),
        _ => None,
    };
    tags.into_iter().find(|tag| match wanted {
        Some(wanted) => tag.eq_ignore_ascii_case(wanted),
        None => {
            !primary.is_empty()
                && tag
                    .split('-')
                    .next()
                    .is_some_and(|p| p.eq_ignore_ascii_case(primary))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TAGS: [&str; 6] = ["en-US", "it-IT", "pt-BR", "pt-PT", "zh-CN", "zh-TW"];

    #[test]
    fn locales_find_their_language_s_edition() {
        let tag = |locale| edition_tag(locale, TAGS);
        assert_eq!(tag("en-GB"), Some("en-US"));
        assert_eq!(tag("IT"), Some("it-IT"));
        assert_eq!(tag("it_CH"), Some("it-IT"));
        assert_eq!(tag("pt"), Some("pt-BR"));
        assert_eq!(tag("pt-PT"), Some("pt-PT"));
        assert_eq!(tag("zh-Hant-HK"), Some("zh-TW"));
        assert_eq!(tag("zh-Hans"), Some("zh-CN"));
        assert_eq!(tag("fi-FI"), None);
        assert_eq!(tag(""), None);
    }
}
