//! Every plist exchanged during a BYOD enrollment is Apple-valid.
//!
//! The `byod-success` scenario is run through the harness's [`Lab`]; every HTTP exchange the
//! recorder kept is inspected. Each plist body — the management profile Safari downloads, the
//! `Authenticate` and `TokenUpdate` check-ins, every command envelope Intune sends, every result
//! the device reports, and the profile carried inside `InstallProfile` — is parsed and checked
//! with `enrollsim_simulator::wire::schema::validate` (Apple's schema, embedded in the
//! simulator crate), and the keys that make the flow work are asserted explicitly: the
//! configuration profile's top level, the `com.apple.mdm` payload (topic, HTTPS URLs, identity
//! reference), the SCEP payload the identity comes from, the check-ins (a 32-byte push token) and each command's
//! answer. The sets of `MessageType`s and `RequestType`s seen are asserted too, so the test
//! fails if the flow stops sending one of them.

use std::collections::BTreeSet;

use enrollsim_harness::lab::Lab;
use enrollsim_simulator::recorder::{Happening, HttpExchange};
use enrollsim_simulator::wire::schema::{self, SchemaKind, Target};
use enrollsim_simulator::wire::{Dictionary, Value};

/// Apple's content types on the enrollment hops (spelled out, not taken from the crate, so a
/// change of the crate's constants shows up here).
const ASPEN_CONFIG: &str = "application/x-apple-aspen-config";
const MDM_CHECKIN: &str = "application/x-apple-aspen-mdm-checkin";
const MDM_RESULT: &str = "application/x-apple-aspen-mdm";
const XML: &str = "application/xml";

/// What a plist body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Body {
    Request,
    Response,
}

/// One plist found in the run, with where it came from.
struct Found {
    kind: SchemaKind,
    origin: String,
    value: Value,
}

fn media(ct: Option<&str>) -> String {
    ct.unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

fn looks_like_plist(body: &[u8]) -> bool {
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(body.len());
    let body = &body[start..];
    body.starts_with(b"<?xml") || body.starts_with(b"<plist") || body.starts_with(b"bplist")
}

fn parse(bytes: &[u8], origin: &str) -> Value {
    Value::from_reader(std::io::Cursor::new(bytes))
        .unwrap_or_else(|e| panic!("{origin}: body is not a plist: {e}"))
}

fn dict<'v>(value: &'v Value, origin: &str) -> &'v Dictionary {
    value
        .as_dictionary()
        .unwrap_or_else(|| panic!("{origin}: top level is not a dictionary: {value:?}"))
}

fn string<'v>(d: &'v Dictionary, key: &str, origin: &str) -> &'v str {
    match d.get(key) {
        Some(Value::String(s)) => s,
        other => panic!("{origin}: {key} must be a <string>, found {other:?}"),
    }
}

fn integer(d: &Dictionary, key: &str, origin: &str) -> i64 {
    match d.get(key) {
        Some(Value::Integer(i)) => i
            .as_signed()
            .unwrap_or_else(|| panic!("{origin}: {key} out of range")),
        other => panic!("{origin}: {key} must be an <integer>, found {other:?}"),
    }
}

fn data<'v>(d: &'v Dictionary, key: &str, origin: &str) -> &'v [u8] {
    match d.get(key) {
        Some(Value::Data(b)) => b,
        other => panic!("{origin}: {key} must be <data>, found {other:?}"),
    }
}

fn boolean(d: &Dictionary, key: &str, origin: &str) -> bool {
    match d.get(key) {
        Some(Value::Boolean(b)) => *b,
        other => panic!("{origin}: {key} must be a <boolean>, found {other:?}"),
    }
}

fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && [8, 4, 4, 4, 12]
            .iter()
            .zip(&parts)
            .all(|(n, p)| p.len() == *n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Sorts a recorded exchange's bodies into plists of known kinds. Any body that is a plist but
/// fits no known kind fails the test, so a new plist hop cannot slip past unchecked.
fn classify(x: &HttpExchange, out: &mut Vec<Found>) {
    for (side, ct, body) in [
        (
            Body::Request,
            media(x.request_content_type.as_deref()),
            &x.request_body,
        ),
        (
            Body::Response,
            media(x.response_content_type.as_deref()),
            &x.response_body,
        ),
    ] {
        if body.is_empty() {
            continue;
        }
        let origin = format!(
            "{} {} {}{} ({side:?}, {ct})",
            x.from, x.method, x.host, x.path
        );
        let kind = match (side, ct.as_str()) {
            (Body::Response, ASPEN_CONFIG) => Some(SchemaKind::Profile),
            (Body::Request, MDM_CHECKIN) => Some(SchemaKind::CheckinMessage),
            (Body::Request, MDM_RESULT) => Some(SchemaKind::CommandReport),
            (Body::Response, XML) if x.path.ends_with("/command") => {
                Some(SchemaKind::CommandEnvelope)
            }
            _ => None,
        };
        match kind {
            Some(kind) => out.push(Found {
                kind,
                value: parse(body, &origin),
                origin,
            }),
            None => assert!(
                !looks_like_plist(body) && !ct.contains("plist") && !ct.contains("aspen"),
                "{origin}: a plist body of no known kind was exchanged:\n{}",
                String::from_utf8_lossy(body)
            ),
        }
    }
}

fn assert_valid(kind: SchemaKind, value: &Value, origin: &str, os_version: &str) {
    let violations = schema::validate(kind, value);
    assert!(
        violations.is_empty(),
        "{origin}: {kind:?} violates Apple's schema:\n{}\n{value:#?}",
        violations
            .iter()
            .map(|v| format!("  - {v}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    // And for the device's own iOS version, not only the newest.
    let violations = schema::validate_for(kind, value, &Target::ios(os_version));
    assert!(
        violations.is_empty(),
        "{origin}: {kind:?} violates Apple's schema for iOS {os_version}:\n{}",
        violations
            .iter()
            .map(|v| format!("  - {v}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// What the management profile told the device.
struct ManagementProfile {
    topic: String,
}

/// Checks the management profile's keys; returns its topic.
fn check_management_profile(value: &Value, origin: &str, tenant_topic: &str) -> ManagementProfile {
    let top = dict(value, origin);
    assert_eq!(string(top, "PayloadType", origin), "Configuration");
    assert_eq!(integer(top, "PayloadVersion", origin), 1);
    assert!(!string(top, "PayloadIdentifier", origin).is_empty());
    assert!(
        is_uuid(string(top, "PayloadUUID", origin)),
        "{origin}: PayloadUUID"
    );
    assert!(!string(top, "PayloadDisplayName", origin).is_empty());
    let Some(Value::Array(items)) = top.get("PayloadContent") else {
        panic!("{origin}: PayloadContent must be an <array>");
    };
    let payloads: Vec<&Dictionary> = items.iter().map(|v| dict(v, origin)).collect();
    let mut uuids = BTreeSet::new();
    for p in &payloads {
        let t = string(p, "PayloadType", origin);
        assert_eq!(integer(p, "PayloadVersion", origin), 1, "{origin}: {t}");
        assert!(!string(p, "PayloadIdentifier", origin).is_empty(), "{t}");
        let uuid = string(p, "PayloadUUID", origin);
        assert!(is_uuid(uuid), "{origin}: {t} PayloadUUID {uuid}");
        assert!(uuids.insert(uuid.to_string()), "{origin}: duplicate {uuid}");
    }
    let of_type = |t: &str| -> Vec<&Dictionary> {
        payloads
            .iter()
            .copied()
            .filter(|p| p.get("PayloadType").and_then(Value::as_string) == Some(t))
            .collect()
    };
    let mdm = of_type("com.apple.mdm");
    assert_eq!(mdm.len(), 1, "{origin}: exactly one com.apple.mdm payload");
    let mdm = mdm[0];
    let scep = of_type("com.apple.security.scep");
    assert_eq!(scep.len(), 1, "{origin}: exactly one SCEP payload");
    let scep = scep[0];
    assert!(
        of_type("com.apple.security.pkcs12").is_empty(),
        "{origin}: Intune's identity comes over SCEP, not as PKCS#12"
    );
    let roots = of_type("com.apple.security.root");
    assert_eq!(roots.len(), 1, "{origin}: exactly one root payload");

    // com.apple.mdm
    let topic = string(mdm, "Topic", origin);
    assert!(
        topic.starts_with("com.apple.mgmt."),
        "{origin}: Topic {topic} is not an MDM push topic"
    );
    assert_eq!(topic, tenant_topic, "{origin}: Topic is not the tenant's");
    for key in ["ServerURL", "CheckInURL"] {
        let url = string(mdm, key, origin);
        assert!(
            url.starts_with("https://") && url.len() > "https://".len(),
            "{origin}: {key} {url} is not https"
        );
    }
    assert!(integer(mdm, "AccessRights", origin) > 0);
    assert_eq!(
        string(mdm, "IdentityCertificateUUID", origin),
        string(scep, "PayloadUUID", origin),
        "{origin}: IdentityCertificateUUID must name the SCEP payload"
    );

    // com.apple.security.scep: Intune's SCEP URL, a one-time challenge, an RSA 2048 key and a
    // subject (the identity itself is checked by the check-ins: they authenticate with it).
    assert_eq!(
        string(scep, "PayloadIdentifier", origin),
        "Microsoft.Profiles.SCEP"
    );
    let Some(Value::Dictionary(settings)) = scep.get("PayloadContent") else {
        panic!("{origin}: the SCEP payload's PayloadContent must be a <dictionary>");
    };
    let url = string(settings, "URL", origin);
    assert!(
        url.starts_with("https://i.manage.microsoft.com/"),
        "{origin}: SCEP URL {url} is not on Intune's MDM host"
    );
    assert!(!string(settings, "Challenge", origin).is_empty());
    assert_eq!(integer(settings, "Keysize", origin), 2048);
    assert_eq!(string(settings, "Key Type", origin), "RSA");
    assert!(
        matches!(settings.get("Subject"), Some(Value::Array(rdns)) if !rdns.is_empty()),
        "{origin}: the SCEP payload names no subject"
    );

    // com.apple.security.root: a DER certificate, Intune's device CA (which issues the SCEP
    // identity). Each world numbers its authorities ("enrollsim Intune MDM Device CA 7").
    let root = data(roots[0], "PayloadContent", origin);
    let root_facts =
        enrollsim_certs::inspect::facts(&enrollsim_certs::CertificateDer::from(root.to_vec()))
            .unwrap_or_else(|e| panic!("{origin}: root payload is not a DER certificate: {e}"));
    assert!(
        root_facts
            .common_name
            .as_deref()
            .is_some_and(|n| n.starts_with("enrollsim Intune MDM Device CA ")),
        "{origin}: the root payload is not Intune's device CA: {:?}",
        root_facts.common_name
    );

    ManagementProfile {
        topic: topic.to_string(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_plist_of_a_byod_enrollment_is_apple_valid() {
    let scenario = enrollsim::catalog::find("byod-success")
        .expect("catalog loads")
        .expect("byod-success exists");
    let lab = Lab::start(&scenario.world).await.expect("world starts");
    let outcome = lab.enroll(&scenario.action).await;
    assert_eq!(
        outcome,
        enrollsim::Outcome::Enrolled {
            upn: scenario.action.user.clone()
        }
    );
    let spec = lab.device.spec();
    let tenant_topic = {
        let state = lab.world.intune.state();
        let state = state.lock().unwrap();
        state.apns.as_ref().expect("push certificate").topic.clone()
    };

    let exchanges: Vec<HttpExchange> = lab
        .world
        .recorder
        .entries()
        .into_iter()
        .filter_map(|e| match e.what {
            Happening::Http(x) => Some(*x),
            _ => None,
        })
        .collect();
    assert!(!exchanges.is_empty(), "nothing was recorded");
    for x in &exchanges {
        assert!(
            x.failure.is_none(),
            "{} {}{} failed: {:?}",
            x.method,
            x.host,
            x.path,
            x.failure
        );
    }
    let mut found = Vec::new();
    for x in &exchanges {
        classify(x, &mut found);
    }

    let mut kinds_seen = BTreeSet::new();
    let mut message_types = Vec::new();
    let mut request_types = Vec::new();
    let mut statuses = BTreeSet::new();
    let mut management: Option<ManagementProfile> = None;
    let mut pushed_profiles = 0;
    // The last command sent, which the next result must answer.
    let mut outstanding: Option<(String, String)> = None;
    let mut answered = Vec::new();

    for f in &found {
        let origin = f.origin.as_str();
        kinds_seen.insert(format!("{:?}", f.kind));
        assert_valid(f.kind, &f.value, origin, &spec.os_version);
        let d = dict(&f.value, origin);
        match f.kind {
            SchemaKind::Profile => {
                assert!(
                    management.is_none(),
                    "{origin}: a second management profile"
                );
                management = Some(check_management_profile(&f.value, origin, &tenant_topic));
            }
            SchemaKind::CheckinMessage => {
                let mt = string(d, "MessageType", origin).to_string();
                let profile = management
                    .as_ref()
                    .unwrap_or_else(|| panic!("{origin}: check-in before any profile"));
                assert_eq!(string(d, "Topic", origin), profile.topic);
                assert_eq!(string(d, "UDID", origin), spec.udid);
                match mt.as_str() {
                    "Authenticate" => {
                        assert_eq!(string(d, "SerialNumber", origin), spec.serial);
                        assert_eq!(string(d, "OSVersion", origin), spec.os_version);
                        assert_eq!(string(d, "BuildVersion", origin), spec.build);
                        assert_eq!(string(d, "ProductName", origin), spec.product);
                        // macOS-only keys: an iOS device never sends them.
                        for key in ["DeviceName", "Model", "ModelName"] {
                            assert!(!d.contains_key(key), "{origin}: iOS sent {key}");
                        }
                    }
                    "TokenUpdate" => {
                        assert_eq!(
                            data(d, "Token", origin).len(),
                            32,
                            "{origin}: an APNs device token is 32 bytes"
                        );
                        assert!(!string(d, "PushMagic", origin).is_empty());
                    }
                    other => panic!("{origin}: unexpected MessageType {other}"),
                }
                message_types.push(mt);
            }
            SchemaKind::CommandEnvelope => {
                let uuid = string(d, "CommandUUID", origin).to_string();
                assert!(!uuid.is_empty(), "{origin}: empty CommandUUID");
                let Some(Value::Dictionary(command)) = d.get("Command") else {
                    panic!("{origin}: Command must be a <dictionary>");
                };
                let rt = string(command, "RequestType", origin).to_string();
                match rt.as_str() {
                    "DeviceInformation" => {
                        let Some(Value::Array(q)) = command.get("Queries") else {
                            panic!("{origin}: Queries must be an <array>");
                        };
                        assert!(!q.is_empty(), "{origin}: no Queries");
                        for item in q {
                            assert!(item.as_string().is_some(), "{origin}: query {item:?}");
                        }
                    }
                    "InstallProfile" => {
                        let inner = data(command, "Payload", origin);
                        let inner_origin = format!("{origin} Command.Payload");
                        let value = parse(inner, &inner_origin);
                        assert_valid(SchemaKind::Profile, &value, &inner_origin, &spec.os_version);
                        let p = dict(&value, &inner_origin);
                        assert_eq!(string(p, "PayloadType", &inner_origin), "Configuration");
                        assert!(is_uuid(string(p, "PayloadUUID", &inner_origin)));
                        let Some(Value::Array(content)) = p.get("PayloadContent") else {
                            panic!("{inner_origin}: PayloadContent must be an <array>");
                        };
                        assert!(
                            content.iter().all(|c| c
                                .as_dictionary()
                                .and_then(|c| c.get("PayloadType"))
                                .and_then(Value::as_string)
                                != Some("com.apple.mdm")),
                            "{inner_origin}: MDM must not push an MDM payload"
                        );
                        pushed_profiles += 1;
                    }
                    "SecurityInfo" | "ProfileList" => {}
                    other => panic!("{origin}: unexpected RequestType {other}"),
                }
                assert!(
                    outstanding.is_none(),
                    "{origin}: a command was sent before the previous one was answered"
                );
                outstanding = Some((uuid, rt.clone()));
                request_types.push(rt);
            }
            SchemaKind::CommandReport => {
                assert_eq!(string(d, "UDID", origin), spec.udid);
                let status = string(d, "Status", origin).to_string();
                statuses.insert(status.clone());
                match outstanding.take() {
                    None => {
                        assert_eq!(status, "Idle", "{origin}: a result with no command");
                        assert!(!d.contains_key("CommandUUID"), "{origin}: Idle with a UUID");
                    }
                    Some((uuid, rt)) => {
                        assert_eq!(
                            status, "Acknowledged",
                            "{origin}: {rt} was not acknowledged: {d:?}"
                        );
                        assert_eq!(string(d, "CommandUUID", origin), uuid, "{origin}: {rt}");
                        match rt.as_str() {
                            "DeviceInformation" => {
                                let Some(Value::Dictionary(qr)) = d.get("QueryResponses") else {
                                    panic!("{origin}: QueryResponses must be a <dictionary>");
                                };
                                assert_eq!(string(qr, "UDID", origin), spec.udid);
                                assert_eq!(string(qr, "SerialNumber", origin), spec.serial);
                                assert_eq!(string(qr, "OSVersion", origin), spec.os_version);
                                assert_eq!(string(qr, "ProductName", origin), spec.product);
                                assert!(!boolean(qr, "IsSupervised", origin));
                            }
                            "SecurityInfo" => {
                                let Some(Value::Dictionary(si)) = d.get("SecurityInfo") else {
                                    panic!("{origin}: SecurityInfo must be a <dictionary>");
                                };
                                assert!(integer(si, "HardwareEncryptionCaps", origin) >= 0);
                                boolean(si, "PasscodePresent", origin);
                            }
                            "ProfileList" => {
                                let Some(Value::Array(list)) = d.get("ProfileList") else {
                                    panic!("{origin}: ProfileList must be an <array>");
                                };
                                let ids: Vec<&str> = list
                                    .iter()
                                    .map(|p| string(dict(p, origin), "PayloadIdentifier", origin))
                                    .collect();
                                assert!(
                                    ids.contains(&"Microsoft.Profiles.MDM"),
                                    "{origin}: the management profile is not listed: {ids:?}"
                                );
                            }
                            "InstallProfile" => {
                                assert!(!d.contains_key("ErrorChain"), "{origin}");
                            }
                            _ => {}
                        }
                        answered.push(rt);
                    }
                }
            }
            other => panic!("{origin}: unexpected kind {other:?}"),
        }
    }

    management.expect("the management profile was downloaded");
    // The identity came over SCEP: Intune issued it for the download's enrollment session
    // (and the check-ins above were accepted with it).
    let scep_exchanges = exchanges
        .iter()
        .filter(|x| x.path.starts_with("/DeviceGatewayProxy/ios/scep"))
        .count();
    assert_eq!(scep_exchanges, 3, "GetCACaps, GetCACert, PKIOperation");
    {
        let state = lab.world.intune.state();
        let state = state.lock().unwrap();
        assert!(
            state.sessions.values().any(|s| s.identity_serial.is_some()),
            "no enrollment session holds a SCEP identity"
        );
    }
    assert_eq!(
        kinds_seen,
        [
            "CheckinMessage",
            "CommandEnvelope",
            "CommandReport",
            "Profile"
        ]
        .into_iter()
        .map(String::from)
        .collect::<BTreeSet<_>>(),
        "plist kinds exchanged"
    );
    assert_eq!(
        message_types,
        ["Authenticate", "TokenUpdate"],
        "check-ins, in order"
    );
    let expected_requests: BTreeSet<&str> = [
        "DeviceInformation",
        "SecurityInfo",
        "ProfileList",
        "InstallProfile",
    ]
    .into();
    assert_eq!(
        request_types
            .iter()
            .map(String::as_str)
            .collect::<BTreeSet<_>>(),
        expected_requests,
        "commands sent"
    );
    assert_eq!(
        request_types.len(),
        expected_requests.len(),
        "{request_types:?}"
    );
    assert_eq!(answered, request_types, "every command answered, in order");
    assert!(outstanding.is_none(), "a command was never answered");
    assert_eq!(
        statuses,
        ["Acknowledged", "Idle"]
            .into_iter()
            .map(String::from)
            .collect::<BTreeSet<_>>()
    );
    assert_eq!(pushed_profiles, 1, "one profile pushed with InstallProfile");
    lab.world.shutdown().await;
}

/// The validator the test above relies on does catch what it must: a profile missing its
/// `PayloadUUID`, a `TokenUpdate` with a token of the wrong type, and a DeviceName in an iOS
/// `Authenticate`. (Without this, a validator that accepted everything would pass the test.)
#[test]
fn the_validator_rejects_broken_plists() {
    let mut profile = Dictionary::new();
    profile.insert("PayloadType".into(), "Configuration".into());
    profile.insert("PayloadVersion".into(), 1.into());
    profile.insert("PayloadIdentifier".into(), "x".into());
    profile.insert("PayloadDisplayName".into(), "x".into());
    profile.insert("PayloadContent".into(), Value::Array(vec![]));
    let violations = schema::validate(SchemaKind::Profile, &Value::Dictionary(profile));
    assert!(
        violations.iter().any(|v| v.path == "PayloadUUID"),
        "{violations:?}"
    );

    let mut update = Dictionary::new();
    update.insert("MessageType".into(), "TokenUpdate".into());
    update.insert("Topic".into(), "com.apple.mgmt.External.x".into());
    update.insert("UDID".into(), "u".into());
    update.insert("Token".into(), "not data".into());
    update.insert("PushMagic".into(), "m".into());
    let violations = schema::validate(SchemaKind::CheckinMessage, &Value::Dictionary(update));
    assert!(
        violations.iter().any(|v| v.path == "Token"),
        "{violations:?}"
    );

    let mut auth = Dictionary::new();
    for (k, v) in [
        ("MessageType", "Authenticate"),
        ("Topic", "com.apple.mgmt.External.x"),
        ("UDID", "u"),
        ("SerialNumber", "s"),
        ("OSVersion", "17.5"),
        ("BuildVersion", "21F79"),
        ("ProductName", "iPhone15,2"),
        ("DeviceName", "Alex's iPhone"),
    ] {
        auth.insert(k.into(), v.into());
    }
    let violations = schema::validate(SchemaKind::CheckinMessage, &Value::Dictionary(auth));
    assert!(
        violations.iter().any(|v| v.path == "DeviceName"),
        "{violations:?}"
    );
}
