//! `deviceManagement/managedDevices`: list (with `$filter`), read, delete, sync and retire.

use hyper::{Method, StatusCode};
use serde_json::Value;

use super::{graph_error, not_found, ok_value, shapes, Answer};
use crate::cloud::intune::state::{ManagedDevice, ManagementState};
use crate::cloud::intune::IntuneService;
use crate::net::{Request, Response};

/// Routes `deviceManagement/managedDevices/...` (`rest` is what follows).
pub(super) async fn route(
    service: &IntuneService,
    request: &Request,
    rest: &[&str],
) -> Option<Answer> {
    Some(match (&request.method, rest) {
        (&Method::GET, []) => list_devices(service, request),
        (&Method::GET, [id]) => get_device(service, id),
        (&Method::DELETE, [id]) => delete_device(service, id),
        (&Method::POST, [id, "syncDevice"]) => sync_device(service, id).await,
        (&Method::POST, [id, "retire"]) => retire_device(service, id),
        _ => return None,
    })
}

/// Devices the admin center lists: not enrolling, and not only shown in the user's portal.
pub(super) fn listed(d: &&ManagedDevice) -> bool {
    d.admin_visible && d.state != ManagementState::Enrolling
}

fn no_device(service: &IntuneService, id: &str) -> Response {
    not_found(service, format!("No managed device with id {id}."))
}

/// A `$filter` of the form Graph clients send most: `field eq 'value'` clauses joined by `and`.
fn parse_filter(filter: &str) -> Result<Vec<(String, String)>, String> {
    filter
        .split(" and ")
        .map(|clause| {
            let (field, value) = clause
                .trim()
                .split_once(" eq ")
                .ok_or_else(|| format!("unsupported $filter clause {clause:?}: only `field eq 'value'` (joined by `and`) is supported"))?;
            let value = value.trim();
            // OData writes a quote inside a string literal twice (`'Alex''s iPhone'`).
            let value = match value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) {
                Some(quoted) => quoted.replace("''", "'"),
                None => value.to_string(),
            };
            Ok((field.trim().to_string(), value))
        })
        .collect()
}

/// The `$filter` query parameter, decoded.
fn filter_parameter(request: &Request) -> Option<String> {
    request
        .query
        .as_deref()
        .unwrap_or("")
        .split('&')
        .find_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            let k = crate::cloud::form::percent_decode(k);
            (k == "$filter").then(|| crate::cloud::form::percent_decode(v))
        })
}

/// Whether a device's Graph member `field` equals `value` as `$filter` compares them (strings
/// without regard to case). The device is matched as the JSON clients see, so any member
/// can be filtered on.
fn matches(device: &Value, field: &str, value: &str) -> bool {
    device.get(field).is_some_and(|v| match v {
        Value::String(s) => s.eq_ignore_ascii_case(value),
        Value::Bool(b) => value.parse::<bool>().is_ok_and(|v| v == *b),
        Value::Number(n) => value.parse::<f64>().ok() == n.as_f64(),
        _ => false,
    })
}

fn list_devices(service: &IntuneService, request: &Request) -> Answer {
    let clauses = match filter_parameter(request).as_deref().map(parse_filter) {
        None => Vec::new(),
        Some(Ok(c)) => c,
        Some(Err(m)) => {
            return Err(graph_error(
                service,
                StatusCode::BAD_REQUEST,
                "BadRequest",
                m,
            ))
        }
    };
    let devices: Vec<_> = service
        .lock()
        .devices
        .iter()
        .filter(listed)
        .map(shapes::managed_device)
        .collect();
    let value: Vec<_> = devices
        .into_iter()
        .filter(|d| {
            let json = serde_json::to_value(d).unwrap_or(Value::Null);
            clauses
                .iter()
                .all(|(field, value)| matches(&json, field, value))
        })
        .collect();
    ok_value(value)
}

fn get_device(service: &IntuneService, id: &str) -> Answer {
    let device = {
        let state = service.lock();
        let found = state.devices.iter().find(|d| d.id == id && d.admin_visible);
        found.map(shapes::managed_device)
    };
    match device {
        Some(d) => Ok(Response::json(StatusCode::OK, &d)),
        None => Err(no_device(service, id)),
    }
}

fn delete_device(service: &IntuneService, id: &str) -> Answer {
    let mut state = service.lock();
    let before = state.devices.len();
    // An admin can delete a device record the admin center lists; records only the user's
    // portal shows are deleted by the user there, which the API models with the same call.
    state.devices.retain(|d| d.id != id);
    let deleted = state.devices.len() != before;
    drop(state);
    if !deleted {
        return Err(no_device(service, id));
    }
    service.note(None, format!("admin deleted managed device {id}"));
    Ok(Response::empty(StatusCode::NO_CONTENT))
}

/// `syncDevice`: Intune wakes the device through APNs so it checks in. Graph accepts the
/// request (204) whether or not Apple delivers the push; a refused push is recorded as the
/// device's last push failure, which the device list shows.
async fn sync_device(service: &IntuneService, id: &str) -> Answer {
    let target = {
        let state = service.lock();
        state
            .devices
            .iter()
            .find(|d| d.id == id)
            .map(|d| (d.push_token.clone(), d.push_magic.clone(), d.serial.clone()))
    };
    let Some((token, magic, serial)) = target else {
        return Err(no_device(service, id));
    };
    let (Some(token), Some(magic)) = (token, magic) else {
        return Err(graph_error(
            service,
            StatusCode::CONFLICT,
            "Conflict",
            format!("Device {id} has no push token yet."),
        ));
    };
    let result = service.push(&token, &magic).await;
    let mut state = service.lock();
    if let Some(d) = state.devices.iter_mut().find(|d| d.id == id) {
        d.last_push_failure = result.as_ref().err().map(ToString::to_string);
    }
    drop(state);
    if let Err(e) = result {
        service.note(
            Some(&serial),
            format!("push to device {serial} failed: {e}"),
        );
    }
    Ok(Response::empty(StatusCode::NO_CONTENT))
}

fn retire_device(service: &IntuneService, id: &str) -> Answer {
    let mut state = service.lock();
    let Some(d) = state.devices.iter_mut().find(|d| d.id == id) else {
        drop(state);
        return Err(no_device(service, id));
    };
    d.state = ManagementState::RetirePending;
    Ok(Response::empty(StatusCode::NO_CONTENT))
}

#[cfg(test)]
mod tests {
    use super::parse_filter;

    #[test]
    fn a_doubled_quote_in_a_string_literal_is_one_quote() {
        assert_eq!(
            parse_filter("deviceName eq 'Alex''s iPhone' and operatingSystem eq 'iOS'"),
            Ok(vec![
                ("deviceName".to_string(), "Alex's iPhone".to_string()),
                ("operatingSystem".to_string(), "iOS".to_string()),
            ])
        );
    }

    #[test]
    fn filters_parse_as_graph_clients_send_them() {
        assert_eq!(
            parse_filter(
                "userPrincipalName eq 'alex@contoso.example' and operatingSystem eq 'iOS'"
            )
            .unwrap(),
            vec![
                ("userPrincipalName".into(), "alex@contoso.example".into()),
                ("operatingSystem".into(), "iOS".into())
            ]
        );
        assert!(parse_filter("startswith(deviceName,'A')")
            .unwrap_err()
            .contains("unsupported"));
    }
}
