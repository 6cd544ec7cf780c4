//! DEP API authentication against the state: opening a session with a signed OAuth request,
//! and checking the `X-ADM-Auth-Session` of every other call.
//!
//! The checks and their answers follow Apple's "Interpreting Automated Device Enrollment
//! program error codes" (developer.apple.com/documentation/devicemanagement): 401 for an
//! unknown consumer key, an invalid or expired token, a bad signature or an already-used
//! nonce; 403 `ACCESS_DENIED` when the server has no access and `T_C_NOT_SIGNED` when the
//! organisation has not accepted the latest terms. Apple's "Authenticating with the Automated
//! Device Enrollment program" adds that a missing or expired session gets 401, after which
//! the client opens a new session. The 401 bodies of `/session` use the problem names of the
//! OAuth Problem Reporting extension (`token_rejected`, `signature_invalid`...), the words
//! Fleet sees from the real service (fleetdm/fleet#47700).

use time::OffsetDateTime;

use super::oauth::OAuthParams;
use super::state::{AppleAdeState, Session, SESSION_LIFETIME};
use crate::rng::SeededRng;
use crate::wire::dep::DepErrorCode;

/// Why `GET /session` refused to open a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SessionDenied {
    /// No MDM server has this consumer key (401).
    #[error("invalid consumer key")]
    ConsumerKeyUnknown,
    /// The access token is not (or no longer) valid for the server (401).
    #[error("invalid token")]
    TokenRejected,
    /// The access token is past its `access_token_expiry` (401).
    #[error("expired token")]
    TokenExpired,
    /// The signature does not verify with the server's current secrets (401).
    #[error("invalid signature")]
    SignatureInvalid,
    /// The nonce was already used (401).
    #[error("nonce already used")]
    NonceUsed,
    /// The server has no access to the account (403 `ACCESS_DENIED`).
    #[error("access denied")]
    AccessDenied,
    /// The organisation has not accepted the latest terms (403 `T_C_NOT_SIGNED`).
    #[error("terms and conditions not accepted")]
    TermsNotSigned,
}

impl SessionDenied {
    /// The HTTP status Apple answers with.
    pub fn status(self) -> u16 {
        match self {
            SessionDenied::AccessDenied | SessionDenied::TermsNotSigned => 403,
            _ => 401,
        }
    }

    /// The response body: the DEP error token for 403s, the OAuth problem for 401s.
    pub fn body(self) -> String {
        match self {
            SessionDenied::AccessDenied => DepErrorCode::AccessDenied.as_str().to_string(),
            SessionDenied::TermsNotSigned => DepErrorCode::TermsNotSigned.as_str().to_string(),
            SessionDenied::ConsumerKeyUnknown => "oauth_problem=consumer_key_unknown".into(),
            SessionDenied::TokenRejected => "oauth_problem=token_rejected".into(),
            SessionDenied::TokenExpired => "oauth_problem=token_expired".into(),
            SessionDenied::SignatureInvalid => "oauth_problem=signature_invalid".into(),
            SessionDenied::NonceUsed => "oauth_problem=nonce_used".into(),
        }
    }
}

impl AppleAdeState {
    /// Checks a signed `/session` request and, if it passes, opens a session and returns its
    /// `auth_session_token`. `base_uri` and `query` are what the signature covers.
    pub fn open_session(
        &mut self,
        params: &OAuthParams,
        method: &str,
        base_uri: &str,
        query: &[(String, String)],
        rng: &SeededRng,
        now: OffsetDateTime,
    ) -> Result<String, SessionDenied> {
        let server = self
            .servers
            .values()
            .find(|s| s.consumer_key == params.consumer_key)
            .ok_or(SessionDenied::ConsumerKeyUnknown)?;
        let issued = server.token.as_ref().ok_or(SessionDenied::TokenRejected)?;
        if issued.token.access_token != params.token {
            return Err(SessionDenied::TokenRejected);
        }
        if now >= issued.token.expiry() {
            return Err(SessionDenied::TokenExpired);
        }
        if !params.verify(
            method,
            base_uri,
            query,
            &issued.token.consumer_secret,
            &issued.token.access_secret,
        ) {
            return Err(SessionDenied::SignatureInvalid);
        }
        let nonce_key = format!(
            "{}\n{}\n{}",
            params.consumer_key, params.token, params.nonce
        );
        if self.nonces.contains(&nonce_key) {
            return Err(SessionDenied::NonceUsed);
        }
        let server_uuid = server.uuid.clone();
        let generation = issued.generation;
        let denied = server.access_denied;
        self.nonces.insert(nonce_key);
        if denied {
            return Err(SessionDenied::AccessDenied);
        }
        if !self.terms_accepted {
            return Err(SessionDenied::TermsNotSigned);
        }
        // Forget sessions nobody can use any more, so a long run does not accumulate them.
        self.sessions
            .retain(|_, s| now - s.issued_at < SESSION_LIFETIME);
        let token = format!("{}O{}", now.unix_timestamp(), rng.hex(24).to_uppercase());
        self.sessions.insert(
            token.clone(),
            Session {
                server: server_uuid,
                generation,
                issued_at: now,
            },
        );
        Ok(token)
    }

    /// Checks the `X-ADM-Auth-Session` of a call and returns the MDM server's UUID:
    /// `UNAUTHORIZED` (401) when missing, unknown, expired or opened with a replaced token;
    /// `ACCESS_DENIED` or `T_C_NOT_SIGNED` (403) when the account no longer allows the call.
    pub fn authorize(
        &mut self,
        session: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<String, DepErrorCode> {
        let token = session.ok_or(DepErrorCode::Unauthorized)?;
        let s = self
            .sessions
            .get(token)
            .ok_or(DepErrorCode::Unauthorized)?
            .clone();
        let current_generation = self
            .servers
            .get(&s.server)
            .and_then(|srv| srv.token.as_ref())
            .map(|t| t.generation);
        if now - s.issued_at >= SESSION_LIFETIME || current_generation != Some(s.generation) {
            self.sessions.remove(token);
            return Err(DepErrorCode::Unauthorized);
        }
        if self
            .servers
            .get(&s.server)
            .is_some_and(|srv| srv.access_denied)
        {
            return Err(DepErrorCode::AccessDenied);
        }
        if !self.terms_accepted {
            return Err(DepErrorCode::TermsNotSigned);
        }
        Ok(s.server)
    }
}
