//! The training lab in a browser: a room of trainees, each with a broken world of their own.
//!
//! `enrollsim lab --web` serves this on loopback over plain HTTP. Each browser session (a
//! cookie) gets its own [`Lab`](crate::lab::Lab) started from a scenario; the page shows an
//! admin center built only on what the world's admin API serves (the server proxies the
//! page's Graph calls to it over HTTPS with the admin token), a phone showing what the user
//! saw, the logs a trainee could collect, a hint ladder and, when the device enrolls or the
//! trainee gives up, a debrief. Every request must carry the lab's random token (printed in
//! the lab's address), so another local user or a web page cannot drive a trainee's world.

mod assets;
mod debrief;
mod http;
mod reply;
mod room;
mod session;
mod trainee;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::scenario::Scenario;

pub use debrief::{Debrief, TraineeAction};

/// Why the web lab could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebLabError {
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address asked for.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// There is no scenario to open.
    #[error("the web lab needs at least one scenario")]
    NoScenario,
    /// The system's random source failed (the token could not be made).
    #[error("the system's random source failed")]
    Random,
}

/// How a web lab runs.
#[derive(Debug, Clone)]
pub struct WebLabConfig {
    /// The scenario every trainee opens, or with `random` the pool each trainee's is drawn from.
    pub scenarios: Vec<Scenario>,
    /// Draw each trainee's scenario from `scenarios` (for exams). Which failure a trainee has
    /// is never shown before the debrief, drawn or not: the page tells what the user reported.
    pub random: bool,
    /// Seed of the draw.
    pub seed: u64,
    /// Where to listen; loopback unless the instructor says otherwise.
    pub listen: SocketAddr,
    /// Where each trainee's results are written as JSON when their lab ends.
    pub results: Option<PathBuf>,
    /// How many trainees' worlds may run at once (each holds a dozen loopback listeners).
    pub max_sessions: usize,
}

impl WebLabConfig {
    /// One scenario for every trainee, on an ephemeral loopback port.
    pub fn new(scenario: Scenario) -> WebLabConfig {
        WebLabConfig {
            scenarios: vec![scenario],
            random: false,
            seed: 0,
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            results: None,
            max_sessions: 32,
        }
    }
}

/// A running web lab. Dropping it stops serving; [`WebLab::shutdown`] also stops the
/// trainees' worlds and waits for them.
pub struct WebLab {
    addr: SocketAddr,
    token: String,
    room: Arc<room::Room>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for WebLab {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebLab")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl WebLab {
    /// Binds `config.listen` and starts serving. Worlds start when trainees open the page.
    pub async fn start(config: WebLabConfig) -> Result<WebLab, WebLabError> {
        if config.scenarios.is_empty() {
            return Err(WebLabError::NoScenario);
        }
        let listener =
            TcpListener::bind(config.listen)
                .await
                .map_err(|source| WebLabError::Listen {
                    addr: config.listen,
                    source,
                })?;
        let addr = listener
            .local_addr()
            .map_err(|source| WebLabError::Listen {
                addr: config.listen,
                source,
            })?;
        let token = room::random_id().ok_or(WebLabError::Random)?;
        let room = Arc::new(room::Room::new(config, token.clone()));
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(http::serve(listener, room.clone(), stopped));
        Ok(WebLab {
            addr,
            token,
            room,
            stop,
            task: Some(task),
        })
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The token every request must carry (`?token=` or the `x-lab-token` header).
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The address to open in a browser, token included.
    pub fn url(&self) -> String {
        format!("http://{}/?token={}", self.addr, self.token)
    }

    /// How many trainees have a world running.
    pub async fn session_count(&self) -> usize {
        self.room.session_count().await
    }

    /// Stops serving, then stops every trainee's world.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        self.room.close().await;
    }
}

impl Drop for WebLab {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
