//! One trainee's lab: the world started from their scenario, what the user saw, and every
//! request of their page (admin center reads and changes through the admin API, device
//! actions, enrolling again, logs, hints, the debrief).

use std::path::PathBuf;
use std::time::Instant;

use hyper::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::Mutex;

use enrollsim_simulator::device::Outcome;

use crate::evidence;
use crate::lab::{Lab, LabError};
use crate::scenario::{Action, ResolutionStep, Scenario};

use super::debrief::{debrief, hint_ladder, Debrief, Ending, TraineeAction};
use super::reply::{Call, Reply};
use super::trainee;

/// How much of the trainee's session changes as they act.
struct Progress {
    /// The last enrollment's outcome: what the phone shows.
    outcome: Outcome,
    actions: Vec<TraineeAction>,
    hints_used: usize,
    started: Instant,
    debrief: Option<Debrief>,
}

/// One trainee's lab.
pub(super) struct Session {
    id: String,
    scenario: Scenario,
    results: Option<PathBuf>,
    lab: Lab,
    /// Held while the trainee's request acts, so their requests act one at a time.
    progress: Mutex<Progress>,
}

/// A Graph call the page asks the lab to make.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GraphCall {
    method: String,
    path: String,
    #[serde(default)]
    body: Option<Value>,
}

/// A push certificate button, or a button of Apple Business Manager or Microsoft support.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ButtonCall {
    action: String,
}

/// Letting time pass.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WaitCall {
    hours: i64,
}

fn bad(text: impl Into<String>) -> Reply {
    Reply::text(StatusCode::BAD_REQUEST, text)
}

/// The JSON body of `call` read as `T`, or a 400 saying why not.
fn body<T: serde::de::DeserializeOwned>(call: &Call) -> Result<T, Reply> {
    serde_json::from_slice(&call.body).map_err(|e| bad(format!("The request body: {e}")))
}

/// A Graph path the lab proxies: the admin API's own versions, nothing else.
fn checked_graph_path(path: &str) -> Result<&str, Reply> {
    let allowed = (path.starts_with("/v1.0/") || path.starts_with("/beta/"))
        && path.len() <= 1024
        && !path.contains("..")
        && path
            .chars()
            .all(|c| c.is_ascii_graphic() && c != '#' && c != '\\');
    if allowed {
        Ok(path)
    } else {
        Err(bad(
            "A Graph path starts with /v1.0/ or /beta/ and holds printable ASCII only.",
        ))
    }
}

impl Session {
    /// Starts `scenario`'s world, plays the other people's attempts and the user's failed
    /// one: the trainee arrives after the user called the helpdesk.
    pub async fn start(
        id: String,
        scenario: Scenario,
        results: Option<PathBuf>,
    ) -> Result<Session, LabError> {
        let lab = Lab::start(&scenario.world).await?;
        for attempt in &scenario.attempts {
            let _ = lab.enroll(&attempt.action()).await;
        }
        let outcome = lab.enroll(&scenario.action).await;
        lab.world.recorder.drain();
        Ok(Session {
            id,
            results,
            lab,
            progress: Mutex::new(Progress {
                outcome,
                actions: Vec::new(),
                hints_used: 0,
                started: Instant::now(),
                debrief: None,
            }),
            scenario,
        })
    }

    /// Stops the world.
    pub async fn shutdown(self) {
        self.lab.world.shutdown().await;
    }

    /// How the user enrolls again.
    fn again(&self) -> Action {
        self.scenario
            .reenroll
            .clone()
            .unwrap_or_else(|| self.scenario.action.clone())
    }

    /// Answers one of the page's API requests.
    pub async fn handle(&self, call: Call) -> Reply {
        let mut progress = self.progress.lock().await;
        let route = (call.method.clone(), call.path.as_str());
        let acts = call.method == Method::POST;
        if acts && progress.debrief.is_some() && route.1 != "/api/state" {
            return Reply::text(StatusCode::CONFLICT, "This lab has ended: see the debrief.");
        }
        let answer = match route {
            (Method::GET, "/api/state") => Ok(self.state(&progress)),
            (Method::GET, "/api/graph") => self.graph_read(&call).await,
            (Method::POST, "/api/graph") => self.graph_write(&call, &mut progress).await,
            (Method::POST, "/api/apns") => self.apns(&call, &mut progress).await,
            (Method::POST, "/api/portal") => self.portal(&call, &mut progress).await,
            (Method::POST, "/api/device") => self.device(&call, &mut progress).await,
            (Method::POST, "/api/wait") => self.wait(&call, &mut progress).await,
            (Method::POST, "/api/enroll") => Ok(self.enroll(&mut progress).await),
            (Method::POST, "/api/hint") => Ok(self.hint(&mut progress)),
            (Method::POST, "/api/give-up") => Ok(self.end(&mut progress, false)),
            (Method::GET, "/api/logs/console") => Ok(self.log(self.lab.device.console_log())),
            (Method::GET, "/api/logs/company-portal") => {
                Ok(self.log(self.lab.device.company_portal_log()))
            }
            (Method::GET, "/api/evidence") => Ok(self.evidence(&progress).await),
            (_, path) if path.starts_with("/api/") => Err(Reply::text(
                StatusCode::NOT_FOUND,
                format!("No such lab request: {} {path}", call.method),
            )),
            _ => Err(Reply::text(StatusCode::NOT_FOUND, "Nothing here.")),
        };
        answer.unwrap_or_else(|refusal| refusal)
    }

    /// Everything the page shows that is not read through the admin API.
    fn state(&self, progress: &Progress) -> Reply {
        let spec = self.lab.device.spec();
        let shown: Vec<Value> = self
            .lab
            .device
            .shown_messages()
            .into_iter()
            .map(|(screen, text)| json!({"screen": screen.id(), "text": text}))
            .collect();
        let state = json!({
            "lab": {
                "user": self.scenario.action.user,
                "enroll_via": self.scenario.action.enroll,
                "language": spec.locale,
                "device_name": spec.name,
                "serial": self.lab.device.serial(),
                "os_version": spec.os_version,
            },
            "device": {"outcome": progress.outcome, "shown": shown},
            "actions": progress.actions,
            "hints_used": progress.hints_used,
            "hints": hint_ladder(&self.scenario).into_iter().take(progress.hints_used).collect::<Vec<_>>(),
            "hints_total": hint_ladder(&self.scenario).len(),
            "debrief": progress.debrief,
        });
        Reply::json(StatusCode::OK, &state)
    }

    fn record(
        &self,
        progress: &mut Progress,
        what: String,
        step: Option<String>,
        result: Result<String, String>,
    ) {
        let ok = result.is_ok();
        progress.actions.push(TraineeAction {
            at_seconds: progress.started.elapsed().as_secs(),
            what,
            step,
            ok,
            result: result.unwrap_or_else(|e| e),
            helped: None,
        });
    }

    /// A read of the admin API, as the admin center page makes it; not one of the trainee's
    /// actions.
    async fn graph_read(&self, call: &Call) -> Result<Reply, Reply> {
        let path = call
            .query
            .get("path")
            .ok_or_else(|| bad("Which Graph path? Send ?path=/v1.0/..."))?;
        let path = checked_graph_path(path)?;
        Ok(graph_answer(
            self.lab.admin().call(Method::GET, path, None).await,
        ))
    }

    /// A change through the admin API, recorded as the trainee's action.
    async fn graph_write(&self, call: &Call, progress: &mut Progress) -> Result<Reply, Reply> {
        let request: GraphCall = body(call)?;
        let method = match request.method.as_str() {
            "POST" => Method::POST,
            "PATCH" => Method::PATCH,
            "DELETE" => Method::DELETE,
            other => {
                return Err(bad(format!(
                    "A change is POST, PATCH or DELETE, not {other:?}"
                )))
            }
        };
        let path = checked_graph_path(&request.path)?;
        let verb = trainee::graph_verb(&method, path, request.body.as_ref());
        let answer = self
            .lab
            .admin()
            .call(method.clone(), path, request.body.clone())
            .await;
        let result = match &answer {
            Ok(_) => Ok("done".to_string()),
            Err(e) => Err(e.to_string()),
        };
        self.record(
            progress,
            trainee::describe_graph(&method, path),
            verb.map(str::to_string),
            result,
        );
        Ok(graph_answer(answer))
    }

    /// Apple's portal and Intune's upload: renew (same topic), replace (a new certificate,
    /// a new topic) or upload (a new one where there was none).
    async fn apns(&self, call: &Call, progress: &mut Progress) -> Result<Reply, Reply> {
        let request: ButtonCall = body(call)?;
        let admin = self.lab.admin();
        let (step, done) = match request.action.as_str() {
            "renew" => (
                ResolutionStep::RenewApnsCertificate,
                admin.renew_apns_certificate().await,
            ),
            "replace" => (
                ResolutionStep::ReplaceApnsCertificate,
                admin.upload_new_apns_certificate().await,
            ),
            "upload" => (
                ResolutionStep::UploadApnsCertificate,
                admin.upload_new_apns_certificate().await,
            ),
            other => {
                return Err(bad(format!(
                    "A push certificate is renewed, replaced or uploaded, not {other:?}"
                )))
            }
        };
        let what = format!("Apple MDM push certificate: {}", request.action);
        Ok(self.done(progress, what, &step, done.map_err(|e| e.to_string())))
    }

    /// Records a step's result and answers with it.
    fn done(
        &self,
        progress: &mut Progress,
        what: String,
        step: &ResolutionStep,
        result: Result<(), String>,
    ) -> Reply {
        let reply = match &result {
            Ok(()) => Reply::json(StatusCode::OK, &json!({"ok": true})),
            Err(e) => Reply::json(StatusCode::OK, &json!({"ok": false, "error": e})),
        };
        self.record(
            progress,
            what,
            Some(trainee::verb(step)),
            result.map(|()| "done".into()),
        );
        reply
    }

    /// A technician's action on the phone.
    async fn device(&self, call: &Call, progress: &mut Progress) -> Result<Reply, Reply> {
        let request: trainee::DeviceCall = body(call)?;
        let step = trainee::device_step(&request).map_err(bad)?;
        let done = self.lab.apply(&step).await.map_err(|e| e.to_string());
        let detail = [&request.cloud, &request.version, &request.build]
            .into_iter()
            .flatten()
            .cloned()
            .collect::<Vec<_>>();
        let what = if detail.is_empty() {
            format!("Device: {}", request.action)
        } else {
            format!("Device: {} ({})", request.action, detail.join(" "))
        };
        Ok(self.done(progress, what, &step, done))
    }

    /// Apple Business Manager's portal, or a request to Microsoft support.
    async fn portal(&self, call: &Call, progress: &mut Progress) -> Result<Reply, Reply> {
        let request: ButtonCall = body(call)?;
        let step = trainee::portal_step(&request.action).map_err(bad)?;
        let done = self.lab.apply(&step).await.map_err(|e| e.to_string());
        let what = format!("Portal: {}", request.action);
        Ok(self.done(progress, what, &step, done))
    }

    /// Lets hours of the world's time pass (Intune's scheduled syncs run).
    async fn wait(&self, call: &Call, progress: &mut Progress) -> Result<Reply, Reply> {
        let request: WaitCall = body(call)?;
        if !(1..=24 * 30).contains(&request.hours) {
            return Err(bad("Wait between 1 and 720 hours."));
        }
        let step = ResolutionStep::WaitHours {
            hours: request.hours,
        };
        let done = self.lab.apply(&step).await.map_err(|e| e.to_string());
        Ok(self.done(
            progress,
            format!("Waited {} hours", request.hours),
            &step,
            done,
        ))
    }

    /// The user tries enrolling again; the lab ends when the device is managed for them.
    async fn enroll(&self, progress: &mut Progress) -> Reply {
        let again = self.again();
        let outcome = self.lab.enroll(&again).await;
        self.lab.world.recorder.drain();
        let solved =
            matches!(&outcome, Outcome::Enrolled { upn } if upn.eq_ignore_ascii_case(&again.user));
        let result = match &outcome {
            Outcome::Enrolled { upn } if solved => Ok(format!("enrolled for {upn}")),
            Outcome::Enrolled { upn } => Err(format!("enrolled, but for {upn}")),
            Outcome::Failed { text, .. } => Err(format!("failed: {text}")),
            Outcome::Stuck { detail, .. } => Err(format!("stuck: {detail}")),
            Outcome::NotManaged { detail } => Err(format!("not managed: {detail}")),
        };
        progress.outcome = outcome;
        self.record(
            progress,
            "Try enrolling again".into(),
            Some("enroll".into()),
            result,
        );
        if solved {
            return self.end(progress, true);
        }
        self.state(progress)
    }

    /// The next rung of the hint ladder.
    fn hint(&self, progress: &mut Progress) -> Reply {
        let ladder = hint_ladder(&self.scenario);
        progress.hints_used = (progress.hints_used + 1).min(ladder.len());
        self.state(progress)
    }

    /// Ends the lab: the debrief, written for the instructor when asked.
    fn end(&self, progress: &mut Progress, solved: bool) -> Reply {
        let ending = Ending {
            session: self.id.clone(),
            solved,
            actions: progress.actions.clone(),
            seconds: progress.started.elapsed().as_secs(),
            hints_used: progress.hints_used,
        };
        let mut debrief = debrief(&self.scenario, ending);
        if let Some(dir) = &self.results {
            let written = std::fs::create_dir_all(dir).and_then(|()| {
                let text = serde_json::to_vec_pretty(&debrief).unwrap_or_default();
                std::fs::write(dir.join(format!("{}.json", self.id)), text)
            });
            // The trainee's debrief stands either way; the instructor learns why no file came.
            debrief.results_error = written.err().map(|e| format!("{}: {e}", dir.display()));
        }
        progress.debrief = Some(debrief);
        self.state(progress)
    }

    fn log(&self, lines: Vec<String>) -> Reply {
        let mut text = lines.join("\n");
        text.push('\n');
        Reply::new(StatusCode::OK, "text/plain; charset=utf-8", text)
    }

    /// The evidence bundle an admin could collect now, as one JSON file: each of the bundle's
    /// files by name.
    async fn evidence(&self, progress: &Progress) -> Reply {
        let bundle = evidence::collect(&self.lab, &self.again(), &progress.outcome).await;
        let files = match bundle_files(&bundle) {
            Ok(files) => files,
            Err(e) => return Reply::text(StatusCode::INTERNAL_SERVER_ERROR, e),
        };
        let mut reply = Reply::json(StatusCode::OK, &files);
        reply.download = Some("evidence-bundle.json".into());
        reply
    }
}

/// The bundle's files (as `write_dir` writes them), by relative path.
fn bundle_files(
    bundle: &enrollsim_diagnostics::EvidenceBundle,
) -> Result<std::collections::BTreeMap<String, String>, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    bundle.write_dir(dir.path()).map_err(|e| e.to_string())?;
    let mut files = std::collections::BTreeMap::new();
    for entry in std::fs::read_dir(dir.path()).map_err(|e| e.to_string())? {
        let entry = entry.map_err(|e| e.to_string())?;
        let text = std::fs::read_to_string(entry.path()).map_err(|e| e.to_string())?;
        files.insert(entry.file_name().to_string_lossy().into_owned(), text);
    }
    Ok(files)
}

/// The admin API's answer passed on: its JSON, or its status and error body.
fn graph_answer(answer: Result<Value, LabError>) -> Reply {
    match answer {
        Ok(value) => Reply::json(StatusCode::OK, &json!({"status": 200, "value": value})),
        Err(LabError::Admin { status, body, .. }) => {
            let body = serde_json::from_str::<Value>(&body).unwrap_or(Value::String(body));
            Reply::json(StatusCode::OK, &json!({"status": status, "error": body}))
        }
        Err(e) => Reply::json(
            StatusCode::OK,
            &json!({"status": 0, "error": e.to_string()}),
        ),
    }
}
