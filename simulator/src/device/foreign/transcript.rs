//! Reading what the device did against a foreign server out of its recorder: one line per
//! exchange for people, and the commands the server sent with the device's answers.
//!
//! The recorder already holds every request and answer with both bodies, so the account of a
//! foreign enrollment is read from the wire rather than kept on the side by the flows: it says
//! what the server actually received.

use std::collections::HashMap;

use plist::Value;

use crate::recorder::{Happening, HttpExchange, Recorder};
use crate::wire::command::{CommandReport, CommandStatus};
use crate::wire::content_type::{MDM, MDM_CHECKIN, MDM_SIGNATURE_HEADER};

/// A command the server sent and the device's answer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AnsweredCommand {
    /// `RequestType`.
    pub request_type: String,
    /// `CommandUUID`.
    pub command_uuid: String,
    /// The `Status` the device answered (`Acknowledged`, `Error`, `CommandFormatError`,
    /// `NotNow`), or `Unanswered` when the session broke off first.
    pub status: String,
    /// The root cause of an `Error` (the last `ErrorChain` entry), as `domain code: text`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The people's account and the commands.
pub(super) struct Transcript {
    pub steps: Vec<String>,
    pub commands: Vec<AnsweredCommand>,
}

fn exchanges(recorder: &Recorder) -> Vec<HttpExchange> {
    recorder
        .entries()
        .into_iter()
        .filter_map(|entry| match entry.what {
            Happening::Http(exchange) => Some(*exchange),
            _ => None,
        })
        .collect()
}

/// Whether the exchange's request was a `content_type` body.
fn sent_as(exchange: &HttpExchange, content_type: &str) -> bool {
    exchange
        .request_content_type
        .as_deref()
        .is_some_and(|ct| ct.eq_ignore_ascii_case(content_type))
}

/// `CommandUUID` and `Command.RequestType` of a command envelope, read loosely so that a
/// command the device does not implement is still named.
fn envelope_names(body: &[u8]) -> Option<(String, String)> {
    let value = Value::from_reader(std::io::Cursor::new(body)).ok()?;
    let dict = value.as_dictionary()?;
    let uuid = dict.get("CommandUUID")?.as_string()?.to_string();
    let request_type = dict
        .get("Command")
        .and_then(Value::as_dictionary)
        .and_then(|c| c.get("RequestType"))
        .and_then(Value::as_string)
        .unwrap_or("?")
        .to_string();
    Some((uuid, request_type))
}

fn message_type(body: &[u8]) -> String {
    Value::from_reader(std::io::Cursor::new(body))
        .ok()
        .and_then(|v| {
            v.as_dictionary()
                .and_then(|d| d.get("MessageType"))
                .and_then(Value::as_string)
                .map(str::to_string)
        })
        .unwrap_or_else(|| "check-in".into())
}

fn status_of(status: CommandStatus) -> &'static str {
    match status {
        CommandStatus::Idle => "Idle",
        CommandStatus::Acknowledged => "Acknowledged",
        CommandStatus::Error => "Error",
        CommandStatus::CommandFormatError => "CommandFormatError",
        CommandStatus::NotNow => "NotNow",
    }
}

/// `HTTP 200`, or why no answer came.
fn outcome(exchange: &HttpExchange) -> String {
    match (exchange.status, &exchange.failure) {
        (Some(status), _) => format!("HTTP {status}"),
        (None, Some(failure)) => format!("failed: {failure}"),
        (None, None) => "no answer".into(),
    }
}

/// How the request proved the device's identity, when it did at the HTTP level.
fn signed(exchange: &HttpExchange) -> &'static str {
    let has_signature = exchange
        .request_headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case(MDM_SIGNATURE_HEADER));
    if has_signature {
        ", signed with Mdm-Signature"
    } else {
        ""
    }
}

fn scep_step(exchange: &HttpExchange) -> Option<String> {
    let (path, query) = exchange.path.split_once('?')?;
    let operation = form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "operation")?
        .1
        .into_owned();
    Some(format!(
        "SCEP {operation} ({} {}{path}): {}",
        exchange.method,
        exchange.host,
        outcome(exchange)
    ))
}

/// Reads the device's exchanges.
pub(super) fn read(recorder: &Recorder) -> Transcript {
    let mut steps = Vec::new();
    let mut commands: Vec<AnsweredCommand> = Vec::new();
    let mut sent: HashMap<String, String> = HashMap::new();
    for exchange in exchanges(recorder) {
        if sent_as(&exchange, MDM_CHECKIN) {
            let kind = message_type(&exchange.request_body);
            steps.push(format!(
                "{kind} check-in to {}{}{}: {}",
                exchange.host,
                exchange.path,
                signed(&exchange),
                outcome(&exchange)
            ));
        } else if sent_as(&exchange, MDM) {
            command_step(&exchange, &mut steps, &mut commands, &mut sent);
        } else if let Some(step) = scep_step(&exchange) {
            steps.push(step);
        } else {
            steps.push(format!(
                "{} {}{}: {}",
                exchange.method,
                exchange.host,
                exchange.path,
                outcome(&exchange)
            ));
        }
    }
    Transcript { steps, commands }
}

/// One exchange on the command channel: the device's report, then what the server sent back.
fn command_step(
    exchange: &HttpExchange,
    steps: &mut Vec<String>,
    commands: &mut Vec<AnsweredCommand>,
    sent: &mut HashMap<String, String>,
) {
    let said = match CommandReport::from_xml(&exchange.request_body) {
        Ok(report) if report.status == CommandStatus::Idle => "Idle".to_string(),
        Ok(report) => {
            let uuid = report.command_uuid.clone().unwrap_or_default();
            let request_type = report
                .request_type
                .clone()
                .or_else(|| sent.get(&uuid).cloned())
                .unwrap_or_else(|| "?".into());
            let status = status_of(report.status).to_string();
            let error = report.root_cause().map(|cause| {
                format!(
                    "{} {}: {}",
                    cause.error_domain, cause.error_code, cause.localized_description
                )
            });
            match commands
                .iter_mut()
                .rev()
                .find(|c| c.command_uuid == uuid && c.status == "Unanswered")
            {
                Some(command) => {
                    command.status = status.clone();
                    command.error = error;
                }
                None => commands.push(AnsweredCommand {
                    request_type: request_type.clone(),
                    command_uuid: uuid.clone(),
                    status: status.clone(),
                    error,
                }),
            }
            format!("{status} to {request_type} {uuid}")
        }
        Err(_) => "a result".to_string(),
    };
    let answer = match (exchange.status, envelope_names(&exchange.response_body)) {
        (Some(200), Some((uuid, request_type))) => {
            sent.insert(uuid.clone(), request_type.clone());
            commands.push(AnsweredCommand {
                request_type: request_type.clone(),
                command_uuid: uuid.clone(),
                status: "Unanswered".into(),
                error: None,
            });
            format!("server sent {request_type} {uuid}")
        }
        (Some(200), None) if exchange.response_body.is_empty() => {
            "server has no more commands".to_string()
        }
        _ => outcome(exchange),
    };
    steps.push(format!(
        "Command channel {}{} ({said}{}): {answer}",
        exchange.host,
        exchange.path,
        signed(exchange)
    ));
}

/// Settings' message `text` with what caused it: the last exchange that failed or was
/// refused, else the last error the device logged.
pub(super) fn failure_with_cause(text: &str, recorder: &Recorder, console: &[String]) -> String {
    let failed = exchanges(recorder)
        .into_iter()
        .rev()
        .find(|e| e.failure.is_some() || e.status.is_some_and(|s| !(200..300).contains(&s)));
    if let Some(exchange) = failed {
        return format!(
            "{text} ({} {}{}: {})",
            exchange.method,
            exchange.host,
            exchange.path.split('?').next().unwrap_or(""),
            outcome(&exchange)
        );
    }
    let logged = console
        .iter()
        .rev()
        .find(|line| line.contains("<Error>:"))
        .and_then(|line| line.split_once("<Error>: "))
        .map(|(_, message)| message.to_string());
    match logged {
        Some(cause) => format!("{text} ({cause})"),
        None => text.to_string(),
    }
}
