//! Which section of the article each product message belongs to: the one mapping from the
//! products' message ids (`enrollsim-texts`) to the catalog.
//!
//! The article's headings for the Company Portal's and Settings' errors quote the products'
//! messages; their texts in every language live in `enrollsim-texts`, keyed by the products'
//! own ids, and the simulated device shows them from there. The catalog reads them through this
//! table, so that the texts crate knows nothing of the article and the device nothing of the
//! catalog. Everything else about the article (its other headings, the phrases users type, the
//! sections an edition lacks) stays in the catalog's own data files.

use enrollsim_texts::MessageId;

use super::Section;

/// Product message -> the section whose heading quotes it.
const SECTION_OF_MESSAGE: [(MessageId, Section); 9] = [
    (MessageId::ProfileNetworkError, Section::NetworkError),
    (
        MessageId::ProfileServerUnreachable,
        Section::ConnectionNotEstablished,
    ),
    (MessageId::ServiceNotSupported, Section::ServiceNotSupported),
    (
        MessageId::CompanyPortalUnavailable,
        Section::CompanyPortalUnavailable,
    ),
    (MessageId::DeviceCapReached, Section::DeviceCapReached),
    (MessageId::WorkplaceJoinFailed, Section::WorkplaceJoinFailed),
    (
        MessageId::UserLicenseTypeInvalid,
        Section::UserLicenseTypeInvalid,
    ),
    (
        MessageId::UserNameNotRecognized,
        Section::UserNameNotRecognized,
    ),
    (
        MessageId::ProfilePayloadMismatch,
        Section::MdmPayloadMismatch,
    ),
];

/// The section whose heading quotes the product message `id`, if one does.
fn section_of(id: MessageId) -> Option<Section> {
    SECTION_OF_MESSAGE
        .iter()
        .find(|(m, _)| *m == id)
        .map(|(_, s)| *s)
}

/// Whether the section's heading is a product's message (its texts then come from
/// `enrollsim-texts`, not from the catalog's data files).
pub(super) fn is_product_message(section: Section) -> bool {
    SECTION_OF_MESSAGE.iter().any(|(_, s)| *s == section)
}

/// The headings of the language filed under `tag` that quote a product message, as
/// (section, texts as published), in the texts crate's order; `None` when the texts crate has
/// no edition under that tag.
pub(super) fn headings_in(tag: &str) -> Option<Vec<(Section, Vec<String>)>> {
    let edition = enrollsim_texts::edition(tag)?;
    Some(
        edition
            .messages
            .iter()
            .filter_map(|m| Some((section_of(m.id)?, m.texts.clone())))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_section_quotes_one_message_at_most() {
        for (i, (id, section)) in SECTION_OF_MESSAGE.iter().enumerate() {
            for (other_id, other_section) in &SECTION_OF_MESSAGE[i + 1..] {
                assert_ne!(id, other_id);
                assert_ne!(section, other_section);
            }
        }
    }

    /// The device shows the texts crate's English and Italian texts; the catalog recognises
    /// its own English and Italian headings. They must be the same strings.
    #[test]
    fn the_products_english_and_italian_texts_are_the_catalog_s_headings() {
        for (id, section) in SECTION_OF_MESSAGE {
            let message = section.message();
            assert_eq!(
                enrollsim_texts::localized(id, "en-US"),
                Some(message.english),
                "{id}"
            );
            assert_eq!(
                enrollsim_texts::localized(id, "it-IT"),
                Some(message.italian),
                "{id}"
            );
        }
    }
}
