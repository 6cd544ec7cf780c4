//! # enrollsim-texts
//!
//! The texts Microsoft's products and iOS show a user during an Intune iOS/iPadOS enrollment
//! (Company Portal, iOS Settings, Setup Assistant), in every language enrollsim knows, keyed by
//! the products' own message ids ([`MessageId`]), each language's file citing where its texts
//! were copied from.
//!
//! Why a crate of its own: the simulated device shows these texts and the diagnosis recognises
//! them, so both must read the same strings, while the diagnosis may depend on nothing of the
//! simulator's. This crate is plain data and depends on nothing of ours (serde, toml and
//! thiserror only); it knows no catalog, section or cause of the diagnosis, which maps the ids
//! to its own sections itself.
//!
//! Most localized texts are the headings of Microsoft's localized editions of its iOS/iPadOS
//! enrollment troubleshooting article, which quote the products' messages; a few are iOS's own
//! sentences that no article quotes. A language without a text for a message falls back to
//! English, as apps without a localisation do.
//!
//! ```
//! use enrollsim_texts::{text, MessageId};
//!
//! assert_eq!(text(MessageId::DeviceCapReached, "fr-FR"), Some("Nombre maximal d'appareils atteint"));
//! assert_eq!(text(MessageId::DeviceCapReached, "fi-FI"), Some("Device Cap Reached"));
//! ```
//!
//! Modules: [`MessageId`] (`message_id`), the data files and lookups ([`editions`],
//! [`text`]), locale matching (`locale`) and the placeholders of texts that name the device
//! or the organization ([`fill`]).

#![forbid(unsafe_code)]

mod editions;
mod locale;
mod message_id;
mod template;

pub use editions::{
    check, edition, edition_for_locale, editions, localized, text, Edition, Message, TextsError,
    ENGLISH,
};
pub use message_id::{MessageId, UnknownMessageId};
pub use template::fill;
