//! The room: every trainee's session by its cookie, the lab's token, and the routes that need
//! no session (the page and its assets).

use std::collections::HashMap;
use std::sync::Arc;

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use hyper::{Method, StatusCode};
use tokio::sync::Mutex;

use enrollsim_simulator::rng::SeededRng;

use super::assets;
use super::reply::{Call, Reply};
use super::session::Session;
use super::WebLabConfig;

/// 128 bits from the system's random source, as hex: tokens and session ids must not be
/// guessable, so they do not come from the world's seed.
pub(super) fn random_id() -> Option<String> {
    let mut bytes = [0u8; 16];
    SystemRandom::new().fill(&mut bytes).ok()?;
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Every trainee of one web lab.
pub(super) struct Room {
    config: WebLabConfig,
    token: String,
    /// Draws each trainee's scenario when the lab is random.
    draw: SeededRng,
    sessions: Mutex<HashMap<String, Arc<Session>>>,
}

impl Room {
    pub fn new(config: WebLabConfig, token: String) -> Room {
        Room {
            draw: SeededRng::new(config.seed),
            config,
            token,
            sessions: Mutex::new(HashMap::new()),
        }
    }

    /// Whether `candidate` is the lab's token (compared in constant time).
    pub fn token_matches(&self, candidate: &str) -> bool {
        aws_lc_rs::constant_time::verify_slices_are_equal(
            candidate.as_bytes(),
            self.token.as_bytes(),
        )
        .is_ok()
    }

    pub async fn session_count(&self) -> usize {
        self.sessions.lock().await.len()
    }

    /// Stops every trainee's world.
    pub async fn close(&self) {
        let sessions: Vec<Arc<Session>> =
            self.sessions.lock().await.drain().map(|(_, s)| s).collect();
        for session in sessions {
            if let Ok(session) = Arc::try_unwrap(session) {
                session.shutdown().await;
            }
        }
    }

    /// Answers one request whose token was checked.
    pub async fn handle(&self, call: Call) -> Reply {
        let session = match &call.session {
            Some(id) => self.sessions.lock().await.get(id).cloned(),
            None => None,
        };
        match (call.method.clone(), call.path.as_str()) {
            (Method::GET, "/") => match session {
                Some(_) => assets::page(&self.token),
                None => self.open_session().await,
            },
            (Method::GET, path) if path.starts_with("/assets/") => assets::asset(path),
            (Method::POST, "/api/leave") => match &call.session {
                Some(id) => self.leave(id).await,
                None => Reply::text(StatusCode::BAD_REQUEST, "No lab session to leave."),
            },
            (_, path) if path.starts_with("/api/") => match session {
                Some(session) => session.handle(call).await,
                None => Reply::text(
                    StatusCode::BAD_REQUEST,
                    "No lab session: open the lab's address again to start one.",
                ),
            },
            (_, "/") => Reply::text(StatusCode::METHOD_NOT_ALLOWED, "Only GET is served here."),
            _ => Reply::text(StatusCode::NOT_FOUND, "Nothing here."),
        }
    }

    /// Ends a trainee's session and stops its world (the next visit starts a new lab).
    async fn leave(&self, id: &str) -> Reply {
        let Some(session) = self.sessions.lock().await.remove(id) else {
            return Reply::text(StatusCode::BAD_REQUEST, "No such lab session.");
        };
        // A request of the trainee's still running keeps the world until it ends.
        if let Ok(session) = Arc::try_unwrap(session) {
            session.shutdown().await;
        }
        Reply::json(StatusCode::OK, &serde_json::json!({"ok": true}))
    }

    /// Starts a trainee's world and answers with the page and the cookie naming it.
    async fn open_session(&self) -> Reply {
        if self.session_count().await >= self.config.max_sessions {
            return Reply::text(
                StatusCode::SERVICE_UNAVAILABLE,
                "The room is full: every trainee's world this lab allows is running.",
            );
        }
        let Some(id) = random_id() else {
            return Reply::text(StatusCode::INTERNAL_SERVER_ERROR, "No random source.");
        };
        let pool = &self.config.scenarios;
        let index = if self.config.random {
            usize::try_from(self.draw.below(pool.len() as u64)).unwrap_or(0)
        } else {
            0
        };
        let Some(scenario) = pool.get(index).or(pool.first()).cloned() else {
            return Reply::text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The lab has no scenario.",
            );
        };
        let session = match Session::start(id.clone(), scenario, self.config.results.clone()).await
        {
            Ok(session) => session,
            Err(e) => {
                return Reply::text(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("The lab's world did not start: {e}"),
                )
            }
        };
        self.sessions
            .lock()
            .await
            .insert(id.clone(), Arc::new(session));
        let mut reply = assets::page(&self.token);
        reply.new_session = Some(id);
        reply
    }
}
