//! The DEP server token: the four OAuth secrets Apple Business Manager hands the admin.
//!
//! Apple's "Authenticating with the Automated Device Enrollment program" and "Examining server
//! tokens" (developer.apple.com/documentation/devicemanagement) describe it: the admin
//! downloads an S/MIME-encrypted `.p7m` from the MDM server's page in Apple Business Manager;
//! decrypted, it is a MIME text whose body wraps, between `-----BEGIN MESSAGE-----` and
//! `-----END MESSAGE-----`, a JSON object with `consumer_key`, `consumer_secret`,
//! `access_token`, `access_secret` and `access_token_expiry`.
//!
//! `wire::dep` has no model for this object (it is not a DEP API body), so it lives here.
//! enrollsim does not encrypt the `.p7m`: [`ServerToken::to_token_file`] writes the decrypted
//! text, and [`ServerToken::from_token_file`] reads either that text or the bare JSON.
//!
//! What the encryption decides is kept, though: Apple Business Manager encrypts the file to the
//! public key the admin uploaded for the MDM server (Intune's key for one enrollment program
//! token, from Graph's `getEncryptionPublicKey`), and only the holder of that key can read it.
//! [`ServerToken::to_encrypted_file`] writes the text with the recipient's key named in a
//! header, as S/MIME's `RecipientInfo` names the recipient's certificate, and
//! [`recipient_of`] reads it back; Intune opens a file only when it names its own key
//! ([`key_id`] of the PEM it handed out).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::oauth::Credentials;

/// A DEP server token (the decrypted content of the `.p7m`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerToken {
    /// `consumer_key` (`CK_…`).
    pub consumer_key: String,
    /// `consumer_secret` (`CS_…`).
    pub consumer_secret: String,
    /// `access_token` (`AT_O…`).
    pub access_token: String,
    /// `access_secret` (`AS_…`).
    pub access_secret: String,
    /// `access_token_expiry`, RFC 3339 in the file (Apple's tokens are valid for a year).
    #[serde(with = "time::serde::rfc3339")]
    pub access_token_expiry: OffsetDateTime,
}

/// Why a token file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenFileError {
    /// The text holds no JSON object with the four secrets.
    #[error("not a DEP server token: {0}")]
    NotAToken(String),
}

impl ServerToken {
    /// The signing credentials.
    pub fn credentials(&self) -> Credentials<'_> {
        Credentials {
            consumer_key: &self.consumer_key,
            consumer_secret: &self.consumer_secret,
            access_token: &self.access_token,
            access_secret: &self.access_secret,
        }
    }

    /// When the token expires (`access_token_expiry`).
    pub fn expiry(&self) -> OffsetDateTime {
        self.access_token_expiry
    }

    /// The token JSON.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// The decrypted `.p7m` text: a MIME part whose body is the JSON between
    /// `-----BEGIN MESSAGE-----` and `-----END MESSAGE-----`.
    pub fn to_token_file(&self) -> String {
        format!(
            "Content-Type: text/plain;charset=UTF8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n\
             -----BEGIN MESSAGE-----\r\n{}\r\n-----END MESSAGE-----\r\n",
            String::from_utf8_lossy(&self.to_json())
        )
    }

    /// The `.p7m` as Apple Business Manager hands it out, encrypted to `public_key_pem` (the
    /// `.pem` uploaded for the MDM server): the decrypted text behind a header naming the
    /// recipient's key.
    pub fn to_encrypted_file(&self, public_key_pem: &str) -> String {
        format!(
            "{RECIPIENT_HEADER}: {}\r\n{}",
            key_id(public_key_pem),
            self.to_token_file()
        )
    }

    /// Reads a token from the decrypted `.p7m` text or from the bare JSON.
    pub fn from_token_file(text: &str) -> Result<ServerToken, TokenFileError> {
        const BEGIN: &str = "-----BEGIN MESSAGE-----";
        const END: &str = "-----END MESSAGE-----";
        let body = match (text.find(BEGIN), text.find(END)) {
            (Some(start), Some(end)) if start + BEGIN.len() <= end => {
                text.get(start + BEGIN.len()..end).unwrap_or(text)
            }
            _ => text,
        };
        let body = body.trim();
        serde_json::from_str(body).map_err(|e| TokenFileError::NotAToken(e.to_string()))
    }

    /// A token with the given secrets, expiring at `expiry`.
    pub fn new(
        consumer_key: String,
        consumer_secret: String,
        access_token: String,
        access_secret: String,
        expiry: OffsetDateTime,
    ) -> ServerToken {
        ServerToken {
            consumer_key,
            consumer_secret,
            access_token,
            access_secret,
            access_token_expiry: expiry,
        }
    }
}

/// The header of an encrypted token file that names the recipient's key.
const RECIPIENT_HEADER: &str = "X-Recipient-Key";

/// A public key's identity: the base64 body of its PEM, without the armour and line breaks
/// (two PEMs of one key compare equal however they were wrapped).
pub fn key_id(public_key_pem: &str) -> String {
    public_key_pem
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("-----"))
        .collect()
}

/// The key a token file was encrypted to, if it names one.
pub fn recipient_of(text: &str) -> Option<&str> {
    text.lines()
        .take_while(|l| !l.trim().is_empty())
        .find_map(|l| l.strip_prefix(RECIPIENT_HEADER)?.strip_prefix(':'))
        .map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn token_file_round_trips() {
        let t = ServerToken::new(
            "CK_a".into(),
            "CS_b".into(),
            "AT_Oc".into(),
            "AS_d".into(),
            datetime!(2027-11-26 10:00 UTC),
        );
        assert_eq!(
            ServerToken::from_token_file(&t.to_token_file()),
            Ok(t.clone())
        );
        let json = String::from_utf8(t.to_json()).unwrap_or_default();
        assert_eq!(ServerToken::from_token_file(&json), Ok(t.clone()));
        assert_eq!(t.expiry(), datetime!(2027-11-26 10:00 UTC));
        assert!(json.contains(r#""access_token_expiry":"2027-11-26T10:00:00Z""#));
        assert!(
            ServerToken::from_token_file("-----END MESSAGE----- -----BEGIN MESSAGE-----").is_err()
        );
    }

    #[test]
    fn an_encrypted_file_names_its_recipient_and_still_reads() {
        let t = ServerToken::new(
            "CK_a".into(),
            "CS_b".into(),
            "AT_Oc".into(),
            "AS_d".into(),
            datetime!(2027-11-26 10:00 UTC),
        );
        let pem = "-----BEGIN CERTIFICATE-----\nQUJD\nREVG\n-----END CERTIFICATE-----\n";
        let file = t.to_encrypted_file(pem);
        assert_eq!(recipient_of(&file), Some("QUJDREVG"));
        assert_eq!(key_id(pem), "QUJDREVG");
        assert_eq!(ServerToken::from_token_file(&file), Ok(t.clone()));
        assert_eq!(recipient_of(&t.to_token_file()), None);
    }
}
