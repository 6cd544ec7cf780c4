//! Intune's MDM endpoints: check-in (`Authenticate`, `TokenUpdate`, `CheckOut`) and commands.
//!
//! Both authenticate the device by the identity certificate it presents over mutual TLS
//! (the certificate from the profile's PKCS#12 payload) or, as Apple allows when the MDM
//! payload has `SignMessage`, by the `Mdm-Signature` header (a detached CMS signature over the
//! body with that identity, checked against Intune's device CA and the virtual clock). A request
//! with neither gets 401, as MDM servers answer; a bad signature gets 400, as nanomdm answers;
//! a certificate the lab's device CA did not issue never gets past the handshake. Bodies are XML plists; a wrong `Content-Type` on check-in gets 415, an
//! unparsable body 400 with the reason (nanomdm answers the same way).
//!
//! `Authenticate` is where Intune first learns the device's serial number, so it is where it
//! decides ownership (corporate identifier or not) and enforces what depends on it: a block on
//! personally owned devices, a device record still held by another user, and — for profiles
//! downloaded from the website, which checks less up front — the user's licence and the device
//! limit. A refusal here makes profile installation fail in Settings with "Connection to the
//! server could not be established".
//!
//! `TokenUpdate` completes enrollment on the device side; Intune then queues its first
//! commands and wakes the device through APNs. If APNs refuses the push certificate (expired,
//! revoked), the tenant is not onboarded with Apple and the session fails with
//! `AccountNotOnboarded`, which the Company Portal shows.

use hyper::{Method, StatusCode};

use super::restrictions::{device_limit_for, enrolled_device_count, platform_restriction_for};
use super::state::{
    EnrollmentChannel, EnrollmentSession, FailureCategory, ManagedDevice, ManagementState,
    Ownership, QueuedCommand, SessionProgress,
};
use super::{IntuneService, Refusal};
use crate::cloud::entra::EntraUser;
use crate::net::{Request, Response};
use crate::rng::hex;
use crate::wire::checkin::{Authenticate, CheckinMessage, TokenUpdate};
use crate::wire::command::{Command, CommandEnvelope, CommandReport, CommandStatus};
use crate::wire::content_type::{MDM_CHECKIN, XML_PLIST};
use crate::wire::profile::{ConfigurationProfile, Payload};
use crate::wire::{cms, mdm_signature};

fn peer_serial(request: &Request) -> Option<String> {
    let peer = request.peer.as_ref()?;
    enrollsim_certs::inspect::facts(&peer.certificate)
        .ok()
        .map(|f| f.serial_hex)
}

/// The device identity an `Mdm-Signature` header proves: Some(Ok(serial)) for a signature over
/// this body by a certificate of Intune's device CA valid now, Some(Err(reason)) for a header
/// that fails any of that, None without the header.
fn signature_serial(service: &IntuneService, request: &Request) -> Option<Result<String, String>> {
    let header = request.header(mdm_signature::HEADER)?;
    let checked = mdm_signature::verify(header, &request.body)
        .map_err(|e| e.to_string())
        .and_then(|certificate| {
            if !cms::issued_by(&certificate, service.pki.intune_device_ca.certificate()) {
                return Err("the Mdm-Signature certificate was not issued by Intune".into());
            }
            let facts =
                enrollsim_certs::inspect::facts(&certificate.into()).map_err(|e| e.to_string())?;
            let now = service.clock.now();
            if now < facts.not_before || now > facts.not_after {
                return Err("the Mdm-Signature certificate is not valid now".into());
            }
            Ok(facts.serial_hex)
        });
    Some(checked)
}

/// Who the device is: its TLS client certificate, or else its `Mdm-Signature` (Apple accepts
/// either). A signature that is present but bad is refused with 400 even beside a client
/// certificate, as nanomdm does; no identity at all gets 401.
fn device_serial(
    service: &IntuneService,
    request: &Request,
) -> Result<String, (StatusCode, String)> {
    match (peer_serial(request), signature_serial(service, request)) {
        (_, Some(Err(reason))) => Err((StatusCode::BAD_REQUEST, reason)),
        (Some(serial), _) | (None, Some(Ok(serial))) => Ok(serial),
        (None, None) => Err((
            StatusCode::UNAUTHORIZED,
            "the request carries no device identity certificate".into(),
        )),
    }
}

fn unauthorized(reason: &str) -> Response {
    Response::text(StatusCode::UNAUTHORIZED, reason.to_string())
}

/// Routes `i.manage.microsoft.com`.
pub async fn handle(service: &IntuneService, request: Request) -> Response {
    let is_checkin = request.path.ends_with("/checkin");
    let is_command = request.path.ends_with("/command");
    if !is_checkin && !is_command {
        return Response::text(
            StatusCode::NOT_FOUND,
            format!("no MDM endpoint at {}", request.path),
        );
    }
    if request.method != Method::PUT {
        return Response::text(StatusCode::METHOD_NOT_ALLOWED, "MDM endpoints take PUT")
            .header("allow", "PUT");
    }
    let cert_serial = match device_serial(service, &request) {
        Ok(serial) => serial,
        Err((status, reason)) => {
            tracing::debug!(status = status.as_u16(), %reason, "MDM request refused");
            return Response::text(status, reason);
        }
    };
    if is_checkin {
        checkin(service, &request, &cert_serial).await
    } else {
        command(service, &request, &cert_serial)
    }
}

async fn checkin(service: &IntuneService, request: &Request, cert_serial: &str) -> Response {
    if request.media_type().as_deref() != Some(MDM_CHECKIN) {
        return Response::text(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "check-in bodies must be {MDM_CHECKIN}, not {}",
                request.header("content-type").unwrap_or("(none)")
            ),
        );
    }
    let message = match CheckinMessage::from_xml(&request.body) {
        Ok(m) => m,
        Err(e) => {
            tracing::debug!(error = %e, "malformed check-in");
            return Response::text(StatusCode::BAD_REQUEST, format!("malformed check-in: {e}"));
        }
    };
    match message {
        CheckinMessage::Authenticate(m) => authenticate(service, &m, cert_serial),
        CheckinMessage::TokenUpdate(m) => token_update(service, &m, cert_serial).await,
        CheckinMessage::CheckOut(m) => {
            let removed = service.lock().remove_devices_where(&m.udid, |d| {
                d.identity_serial.as_deref() == Some(cert_serial)
            });
            if removed {
                service.note(
                    None,
                    format!("device {} checked out; its record was removed", m.udid),
                );
                Response::empty(StatusCode::OK)
            } else {
                unauthorized("unknown device")
            }
        }
    }
}

fn session_for(service: &IntuneService, cert_serial: &str) -> Option<EnrollmentSession> {
    service.lock().session_by_identity(cert_serial).cloned()
}

fn authenticate(service: &IntuneService, m: &Authenticate, cert_serial: &str) -> Response {
    let Some(session) = session_for(service, cert_serial) else {
        return unauthorized("the identity certificate belongs to no enrollment session");
    };
    // A device whose first Authenticate was answered but whose answer was lost sends it
    // again: the record it created is kept as it is (check-ins are idempotent), so a replay
    // neither adds a record nor resets one that has gone on to TokenUpdate.
    let replay = service
        .lock()
        .devices_by_serial_or_udid(&m.serial_number, &m.udid)
        .iter()
        .any(|d| d.udid == m.udid && d.identity_serial.as_deref() == Some(cert_serial));
    if replay {
        return Response::empty(StatusCode::OK);
    }
    let user = {
        let directory = service.directory();
        directory
            .user(&session.user_id)
            .map(|u| directory.resolved_user(u))
    };
    let Some(user) = user else {
        return unauthorized("the session's user no longer exists");
    };
    let enrollment_type = match session.channel {
        EnrollmentChannel::Ade => "appleBulkWithUser",
        _ => "userEnrollment",
    };
    let corporate = is_corporate(service, &session, m);
    if let Some(refusal) = authenticate_refusal(service, &session, &user, m, corporate) {
        service.log_failure(
            &refusal,
            Some(&user.id),
            Some(&m.os_version),
            enrollment_type,
            Some(&m.serial_number),
        );
        if let Some(s) = service.lock().sessions.get_mut(&session.id) {
            s.progress = SessionProgress::Failed {
                error_code: refusal.code.to_string(),
            };
        }
        return Response::text(StatusCode::FORBIDDEN, refusal.reason);
    }
    let ownership = if corporate {
        Ownership::Company
    } else {
        Ownership::Personal
    };
    let record = new_device_record(
        service,
        &session,
        &user,
        m,
        ownership,
        enrollment_type,
        cert_serial,
    );
    let mut state = service.lock();
    // The same user re-enrolling the same device replaces its old record.
    state.remove_devices_where(&m.udid, |d| d.upn.eq_ignore_ascii_case(&user.upn));
    state.devices.push(record);
    if let Some(s) = state.sessions.get_mut(&session.id) {
        s.progress = SessionProgress::Authenticated;
        s.udid = Some(m.udid.clone());
    }
    drop(state);
    service.note(
        Some(&m.serial_number),
        format!("device {} authenticated for {}", m.serial_number, user.upn),
    );
    Response::empty(StatusCode::OK)
}

/// Intune's ownership rule for iOS: corporate when enrolled through ADE or registered by
/// serial number as a corporate identifier; personal otherwise.
fn is_corporate(service: &IntuneService, session: &EnrollmentSession, m: &Authenticate) -> bool {
    session.channel == EnrollmentChannel::Ade
        || service
            .lock()
            .corporate_identifiers
            .iter()
            .any(|s| s.eq_ignore_ascii_case(&m.serial_number))
}

/// Why Intune refuses the device at `Authenticate`, checked in the service's order: licence,
/// blocked platform, blocked personal devices, a record still held by another user, and (for
/// website enrollments, which skip the up-front check) the device limit. Ownership is judged
/// here because an iOS/iPadOS device is corporate only when its serial number is a corporate
/// identifier or it enrolled through ADE ("What are enrollment restrictions?", section
/// "Blocking personal iOS/iPadOS devices",
/// MicrosoftDocs/memdocs intune/device-enrollment/restrictions.md), and the serial first
/// reaches Intune in this message.
fn authenticate_refusal(
    service: &IntuneService,
    session: &EnrollmentSession,
    user: &EntraUser,
    m: &Authenticate,
    corporate: bool,
) -> Option<Refusal> {
    let state = service.lock();
    let restriction = platform_restriction_for(&state, &user.groups);
    let nearby = state.devices_by_serial_or_udid(&m.serial_number, &m.udid);
    let other_owner = nearby
        .into_iter()
        .find(|d| !d.upn.eq_ignore_ascii_case(&user.upn) && d.state != ManagementState::Enrolling);
    let (_, all) = enrolled_device_count(&state, &user.upn);
    let limit = device_limit_for(&state, &user.groups);
    if !user.has_intune_plan() {
        Some(Refusal {
            status: StatusCode::FORBIDDEN,
            code: "UserLicenseTypeInvalid",
            category: FailureCategory::UserValidation,
            reason: "User license type invalid.".into(),
        })
    } else if let Some(r) = restriction.filter(|r| r.ios.platform_blocked) {
        Some(Refusal::platform_blocked(r))
    } else if restriction.is_some_and(|r| !corporate && r.ios.personal_device_enrollment_blocked) {
        Some(Refusal {
            status: StatusCode::FORBIDDEN,
            code: "PersonalDeviceEnrollmentBlocked",
            category: FailureCategory::EnrollmentRestrictionsEnforced,
            reason: "Personal device enrollment blocked.".into(),
        })
    } else if other_owner.is_some() {
        Some(Refusal {
            status: StatusCode::FORBIDDEN,
            code: "DeviceAlreadyEnrolled",
            category: FailureCategory::Authorization,
            reason: "Device already enrolled by another user.".into(),
        })
    } else if session.channel == EnrollmentChannel::Web && all >= limit {
        Some(Refusal {
            status: StatusCode::FORBIDDEN,
            code: "DeviceCapReached",
            category: FailureCategory::EnrollmentRestrictionsEnforced,
            reason: "Device limit reached.".into(),
        })
    } else {
        None
    }
}

/// The managed device record an authenticated device gets (enrolling until `TokenUpdate`).
fn new_device_record(
    service: &IntuneService,
    session: &EnrollmentSession,
    user: &EntraUser,
    m: &Authenticate,
    ownership: Ownership,
    enrollment_type: &str,
    cert_serial: &str,
) -> ManagedDevice {
    let now = service.clock.now();
    ManagedDevice {
        id: service.rng.uuid_lower(),
        azure_ad_device_id: session.azure_ad_device_id.clone(),
        upn: user.upn.clone(),
        name: format!(
            "{}_{}",
            user.upn.split('@').next().unwrap_or("user"),
            m.product_name
        ),
        serial: m.serial_number.clone(),
        udid: m.udid.clone(),
        os_version: m.os_version.clone(),
        model: m.product_name.clone(),
        ownership,
        enrollment_type: enrollment_type.into(),
        state: ManagementState::Enrolling,
        enrolled_at: now,
        last_contact: now,
        admin_visible: true,
        topic: Some(m.topic.clone()),
        push_token: None,
        push_magic: None,
        identity_serial: Some(cert_serial.to_string()),
        awaiting_configuration: false,
        queue: Default::default(),
        results: Vec::new(),
        last_push_failure: None,
    }
}

fn welcome_profile(service: &IntuneService) -> Vec<u8> {
    let mut clip = plist::Dictionary::new();
    clip.insert("PayloadType".into(), "com.apple.webClip.managed".into());
    clip.insert("PayloadVersion".into(), 1.into());
    clip.insert(
        "PayloadIdentifier".into(),
        "Microsoft.Profiles.WebClip.CompanyPortal".into(),
    );
    clip.insert("PayloadUUID".into(), service.rng.uuid().into());
    clip.insert("Label".into(), "Company Portal".into());
    clip.insert("URL".into(), "https://portal.manage.microsoft.com/".into());
    clip.insert("IsRemovable".into(), true.into());
    let mut profile = ConfigurationProfile::new(
        "Microsoft.Profiles.WebClip",
        service.rng.uuid(),
        vec![Payload::Other(clip)],
    );
    profile.payload_display_name = Some("Company Portal web clip".into());
    profile.to_xml()
}

fn initial_commands(service: &IntuneService, awaiting_configuration: bool) -> Vec<QueuedCommand> {
    let mut commands = vec![
        Command::DeviceInformation {
            queries: [
                "UDID",
                "SerialNumber",
                "OSVersion",
                "BuildVersion",
                "ProductName",
                "DeviceName",
                "IsSupervised",
                "AwaitingConfiguration",
            ]
            .iter()
            .map(|q| q.to_string())
            .collect(),
        },
        Command::SecurityInfo,
        Command::ProfileList { managed_only: None },
        Command::InstallProfile {
            payload: plist::Data::new(welcome_profile(service)),
        },
    ];
    if awaiting_configuration {
        commands.push(Command::DeviceConfigured);
    }
    commands
        .into_iter()
        .map(|command| QueuedCommand {
            uuid: service.rng.uuid(),
            command,
        })
        .collect()
}

async fn token_update(service: &IntuneService, m: &TokenUpdate, cert_serial: &str) -> Response {
    let token_hex = hex(m.token.as_ref());
    let serial = {
        let mut state = service.lock();
        let Some(device) = state.device_mut_where(&m.udid, |d| {
            d.identity_serial.as_deref() == Some(cert_serial)
        }) else {
            return unauthorized("TokenUpdate from a device that has not authenticated");
        };
        let first = device.push_token.is_none();
        device.push_token = Some(token_hex.clone());
        device.push_magic = Some(m.push_magic.clone());
        device.topic = Some(m.topic.clone());
        device.awaiting_configuration = m.is_awaiting_configuration();
        device.last_contact = service.clock.now();
        if first {
            device.queue = initial_commands(service, m.is_awaiting_configuration()).into();
        }
        device.serial.clone()
    };
    let session_id = service
        .lock()
        .session_by_identity(cert_serial)
        .map(|s| s.id.clone());
    match service.push(&token_hex, &m.push_magic).await {
        // APNs was unavailable for longer than Intune retries: the device is enrolled all
        // the same (the push certificate is fine); the commands wait for its next check-in.
        Ok(()) | Err(super::PushError::Transient { .. }) => {
            let mut state = service.lock();
            if let Some(d) = state.device_by_udid_mut(&m.udid) {
                d.state = ManagementState::Managed;
            }
            if let Some(s) = session_id.and_then(|id| state.sessions.get_mut(&id)) {
                s.progress = SessionProgress::TokenReceived;
            }
        }
        Err(super::PushError::Refused(failure)) => {
            let refusal = Refusal {
                status: StatusCode::OK,
                code: "AccountNotOnboarded",
                category: FailureCategory::AccountValidation,
                reason: format!("APNs push failed: {failure}"),
            };
            let user_id = session_id
                .as_ref()
                .and_then(|id| service.lock().sessions.get(id).map(|s| s.user_id.clone()));
            service.log_failure(
                &refusal,
                user_id.as_deref(),
                None,
                "userEnrollment",
                Some(&serial),
            );
            let mut state = service.lock();
            state.apns_rejected = Some(failure);
            if let Some(s) = session_id.and_then(|id| state.sessions.get_mut(&id)) {
                s.progress = SessionProgress::Failed {
                    error_code: "AccountNotOnboarded".into(),
                };
            }
        }
    }
    // The device has done its part; whether Apple delivers the push is not its concern.
    Response::empty(StatusCode::OK)
}

/// Takes the command a result answers off the device's queue; the status it was accepted
/// with, if it was.
///
/// Apple's protocol: the server keeps a command until a result with its `CommandUUID` arrives
/// ("Wait for the response from a device with a matching UUID for a command, to verify that
/// the device executed it", https://developer.apple.com/documentation/devicemanagement/sending-mdm-commands-to-a-device).
/// `Acknowledged`, `Error` and `CommandFormatError` end a command. `NotNow` does not: the
/// device does not cache it, and a server that wants it run sends it again when the device
/// next polls (https://developer.apple.com/documentation/devicemanagement/handling-notnow-status-responses),
/// so it stays queued. A second result for a command already taken off the queue (the device
/// resent it because the answer to the first was lost with its connection) is counted and
/// otherwise ignored, so that a command is acted on exactly once.
fn take_off_queue(device: &mut ManagedDevice, report: &CommandReport) -> Option<String> {
    if matches!(report.status, CommandStatus::Idle | CommandStatus::NotNow) {
        return None;
    }
    let answered = report.command_uuid.as_deref()?;
    let pos = device.queue.iter().position(|c| c.uuid == answered)?;
    let done = device.queue.remove(pos)?;
    let status = format!("{:?}", report.status);
    device
        .results
        .push((done.command.request_type().to_string(), status.clone()));
    Some(status)
}

fn command(service: &IntuneService, request: &Request, cert_serial: &str) -> Response {
    let report = match CommandReport::from_xml(&request.body) {
        Ok(r) => r,
        Err(e) => {
            return Response::text(
                StatusCode::BAD_REQUEST,
                format!("malformed command result: {e}"),
            )
        }
    };
    let mut state = service.lock();
    let now = service.clock.now();
    let Some(device) = state.device_mut_where(&report.udid, |d| {
        d.identity_serial.as_deref() == Some(cert_serial)
    }) else {
        return unauthorized("unknown device");
    };
    device.last_contact = now;
    let accepted = take_off_queue(device, &report);
    // After a NotNow the server stops sending for this session (Apple's first option); the
    // command waits for the device's next poll.
    let next = if report.status == CommandStatus::NotNow {
        None
    } else {
        device.queue.front().cloned()
    };
    let finished = device.queue.is_empty() && !device.results.is_empty();
    let udid = device.udid.clone();
    if finished {
        device.awaiting_configuration = false;
    }
    if let Some(uuid) = report.command_uuid.clone() {
        let tally = state.command_results.entry(uuid).or_default();
        tally.received += 1;
        if let Some(status) = accepted {
            tally.accepted += 1;
            tally.status = status;
        }
    }
    if finished {
        // The session this identity was issued in, found through the index: a scan of every
        // session per finished command loop grew with the fleet (issue 14).
        if let Some(s) = state.session_by_identity(cert_serial) {
            if s.udid.as_deref() == Some(udid.as_str())
                && s.progress == SessionProgress::TokenReceived
            {
                s.progress = SessionProgress::Enrolled;
            }
        }
    }
    drop(state);
    match next {
        Some(c) => Response::with_body(
            StatusCode::OK,
            XML_PLIST,
            CommandEnvelope::new(c.uuid, c.command).to_xml(),
        ),
        None => Response::empty(StatusCode::OK),
    }
}
