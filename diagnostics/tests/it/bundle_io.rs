//! Reading and writing bundle directories: a full round trip, broken parts reported by name
//! while the rest is still read and diagnosed, and manifest errors that name the file.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::*;
use enrollsim_diagnostics::*;

fn fresh_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("enrollsim-diagnostics")
        .join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn full_bundle() -> EvidenceBundle {
    let mut b = byod("Device Cap Reached", Location::CompanyPortal)
        .with_company_portal_log("2026-11-26T10:39:52.000Z ERROR [Enrollment] DeviceCapReached\n")
        .with_enrollment_events(vec![event(
            FailureCategory::EnrollmentRestrictionsEnforced,
            "Device limit reached",
        )])
        .with_sign_ins(vec![sign_in(0, "")])
        .with_company_portal_devices(vec![PortalDevice {
            device_name: "Alex's iPhone".into(),
            model: Some("iPhone".into()),
            last_contacted: Some("2026-11-20T09:00:00Z".into()),
        }]);
    tenant(&mut b).apple_push_notification_certificate = None;
    b
}

#[test]
fn round_trip() {
    let dir = fresh_dir("round-trip");
    let b = full_bundle();
    b.write_dir(&dir).unwrap();
    for f in [
        "bundle.json",
        "device.log",
        "company-portal.log",
        "tenant.json",
        "enrollment-events.json",
        "sign-ins.json",
        "company-portal-devices.json",
    ] {
        assert!(dir.join(f).is_file(), "{f}");
    }
    let read = EvidenceBundle::read_dir(&dir).unwrap();
    assert!(read.problems.is_empty(), "{:?}", read.problems);
    let mut expected = b.clone();
    expected.manifest.files = FileMap {
        device_log: Some("device.log".into()),
        company_portal_log: Some("company-portal.log".into()),
        tenant: Some("tenant.json".into()),
        enrollment_events: Some("enrollment-events.json".into()),
        sign_ins: Some("sign-ins.json".into()),
        company_portal_devices: Some("company-portal-devices.json".into()),
    };
    assert_eq!(read.bundle, expected);
    assert_eq!(diagnose(&read.bundle), diagnose(&b));
    // The tenant file uses Graph's names.
    let tenant_json = fs::read_to_string(dir.join("tenant.json")).unwrap();
    assert!(tenant_json.contains("\"applePushNotificationCertificate\": null"));
    assert!(tenant_json
        .contains("\"@odata.type\": \"#microsoft.graph.deviceEnrollmentLimitConfiguration\""));
    // Devices only the website lists are the user's part, not a tenant field.
    assert!(!tenant_json.contains("portalOnlyDeviceCount"));
    let portal_json = fs::read_to_string(dir.join("company-portal-devices.json")).unwrap();
    assert!(portal_json.contains("\"deviceName\": \"Alex's iPhone\""));
    let manifest_json = fs::read_to_string(dir.join("bundle.json")).unwrap();
    assert!(manifest_json.contains("\"where\": \"company-portal\""));
}

#[test]
fn a_message_only_bundle_writes_only_the_manifest() {
    let dir = fresh_dir("message-only");
    EvidenceBundle::from_message("NoEnrollmentPolicy", "en-US")
        .write_dir(&dir)
        .unwrap();
    let names: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, vec!["bundle.json".to_string()]);
    let read = EvidenceBundle::read_dir(&dir).unwrap();
    assert_eq!(read.bundle.message(), "NoEnrollmentPolicy");
    assert!(read.problems.is_empty());
}

#[test]
fn custom_file_names_are_kept() {
    let dir = fresh_dir("custom-names");
    let mut b = full_bundle();
    b.manifest.files.device_log = Some("logs/console.txt".into());
    b.manifest.files.tenant = Some("../escape.json".into());
    b.write_dir(&dir).unwrap();
    assert!(dir.join("logs/console.txt").is_file());
    assert!(
        dir.join("tenant.json").is_file(),
        "an unsafe name falls back to the default"
    );
    let read = EvidenceBundle::read_dir(&dir).unwrap();
    assert!(read.problems.is_empty(), "{:?}", read.problems);
    assert_eq!(read.bundle.device_log, b.device_log);
    assert_eq!(
        read.bundle.manifest.files.tenant.as_deref(),
        Some("tenant.json")
    );
}

fn problem(read: &ReadBundle, part: Part) -> &BundleProblem {
    read.problems
        .iter()
        .find(|p| p.part == part)
        .unwrap_or_else(|| panic!("no problem for {part}: {:?}", read.problems))
}

#[test]
fn broken_parts_are_reported_and_left_out() {
    let dir = fresh_dir("broken-parts");
    full_bundle().write_dir(&dir).unwrap();
    fs::write(
        dir.join("tenant.json"),
        "{\n  \"users\": [\n    {\"id\": 1,,}\n  ]\n}\n",
    )
    .unwrap();
    fs::remove_file(dir.join("enrollment-events.json")).unwrap();
    fs::write(
        dir.join("device.log"),
        [0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01, 0x02, 0x00],
    )
    .unwrap();
    fs::write(
        dir.join("company-portal.log"),
        b"2026-11-26T10:39:52.000Z ERROR \xff\xfe DeviceCapReached\n",
    )
    .unwrap();
    fs::write(dir.join("sign-ins.json"), "{\"not\": \"an array\"}").unwrap();

    let read = EvidenceBundle::read_dir(&dir).unwrap();
    assert_eq!(read.problems.len(), 5, "{:#?}", read.problems);

    let tenant = problem(&read, Part::Tenant);
    assert!(
        matches!(tenant.kind, ProblemKind::InvalidJson { line: 3, .. }),
        "{tenant}"
    );
    assert!(tenant.to_string().starts_with("tenant.json"), "{tenant}");
    assert!(tenant.to_string().contains("line 3"), "{tenant}");

    let events = problem(&read, Part::EnrollmentEvents);
    assert_eq!(events.kind, ProblemKind::Missing);
    assert!(events.to_string().contains("enrollment-events.json"));

    assert_eq!(problem(&read, Part::DeviceLog).kind, ProblemKind::Binary);
    assert!(matches!(
        problem(&read, Part::CompanyPortalLog).kind,
        ProblemKind::NotUtf8 { offset: 31 }
    ));
    assert!(matches!(
        problem(&read, Part::SignIns).kind,
        ProblemKind::InvalidJson { .. }
    ));

    let b = &read.bundle;
    assert!(b.tenant.is_none() && b.enrollment_events.is_none() && b.device_log.is_none());
    assert!(b.company_portal_log.is_none() && b.sign_ins.is_none());
    // The diagnosis goes on with what is left (the message) and asks for the rest.
    let d = diagnose(b);
    assert_eq!(d.section, Some(Section::DeviceCapReached));
}

#[test]
fn paths_that_escape_the_bundle_are_refused() {
    let dir = fresh_dir("escape");
    fs::write(dir.parent().unwrap().join("outside.log"), "secret\n").unwrap();
    let manifest = r#"{"format": "enrollsim-evidence/1",
        "files": {"device_log": "../outside.log", "company_portal_log": "/etc/hostname", "tenant": "sub/../../x.json"}}"#;
    fs::write(dir.join("bundle.json"), manifest).unwrap();
    let read = EvidenceBundle::read_dir(&dir).unwrap();
    for part in [Part::DeviceLog, Part::CompanyPortalLog, Part::Tenant] {
        assert_eq!(problem(&read, part).kind, ProblemKind::EscapesBundle);
    }
    assert!(read.bundle.device_log.is_none());
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_bundle_are_refused() {
    let dir = fresh_dir("symlink");
    fs::write(dir.parent().unwrap().join("target.log"), "x\n").unwrap();
    std::os::unix::fs::symlink(
        dir.parent().unwrap().join("target.log"),
        dir.join("device.log"),
    )
    .unwrap();
    fs::write(
        dir.join("bundle.json"),
        r#"{"format": "enrollsim-evidence/1"}"#,
    )
    .unwrap();
    let read = EvidenceBundle::read_dir(&dir).unwrap();
    assert_eq!(
        problem(&read, Part::DeviceLog).kind,
        ProblemKind::EscapesBundle
    );
}

#[test]
fn absent_default_files_are_not_problems() {
    let dir = fresh_dir("defaults");
    fs::write(dir.join("bundle.json"), r#"{"format": "enrollsim-evidence/1", "user_report": {"message": "Workplace Join failed"}}"#).unwrap();
    fs::write(
        dir.join("company-portal.log"),
        "2026-11-26T10:39:50.000Z ERROR [WorkplaceJoin] Device registration failed\n",
    )
    .unwrap();
    let read = EvidenceBundle::read_dir(&dir).unwrap();
    assert!(read.problems.is_empty());
    assert!(
        read.bundle.company_portal_log.is_some(),
        "a default file is read even when the manifest does not name it"
    );
}

#[test]
fn manifest_errors_name_the_file() {
    let dir = fresh_dir("no-manifest");
    let err = EvidenceBundle::read_dir(&dir).unwrap_err();
    assert!(matches!(err, BundleError::MissingManifest { .. }));
    assert!(err.to_string().contains("bundle.json"), "{err}");

    fs::write(
        dir.join("bundle.json"),
        "{\"format\": \"enrollsim-evidence/1\",\n \"user_report\": 7}",
    )
    .unwrap();
    let err = EvidenceBundle::read_dir(&dir).unwrap_err();
    assert!(
        matches!(err, BundleError::InvalidManifest { line: 2, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("bundle.json"), "{err}");

    fs::write(dir.join("bundle.json"), "not json").unwrap();
    assert!(matches!(
        EvidenceBundle::read_dir(&dir).unwrap_err(),
        BundleError::InvalidManifest { line: 1, .. }
    ));

    fs::write(
        dir.join("bundle.json"),
        r#"{"format": "enrollsim-evidence/9"}"#,
    )
    .unwrap();
    let err = EvidenceBundle::read_dir(&dir).unwrap_err();
    assert!(
        matches!(err, BundleError::UnsupportedFormat { .. }),
        "{err}"
    );

    fs::write(dir.join("bundle.json"), [0xff, 0x00, 0x12]).unwrap();
    assert!(matches!(
        EvidenceBundle::read_dir(&dir).unwrap_err(),
        BundleError::InvalidManifest { .. }
    ));

    let missing_dir = dir.join("does-not-exist");
    assert!(matches!(
        EvidenceBundle::read_dir(&missing_dir).unwrap_err(),
        BundleError::MissingManifest { .. }
    ));
}

#[test]
fn the_documented_example_reads() {
    let dir = fresh_dir("documented");
    fs::write(
        dir.join("bundle.json"),
        r#"{
  "format": "enrollsim-evidence/1",
  "collected_at": "2026-11-26T10:40:00Z",
  "user_report": {
    "message": "Profile Installation Failed. Connection to the server could not be established.",
    "where": "settings",
    "language": "en-US"
  },
  "enrollment_type": "byod",
  "device": {
    "platform": "iOS", "os_version": "17.5", "model": "iPhone15,2", "serial_number": "F2LXK1ABCD12",
    "company_portal_version": "5.2404.0", "user_principal_name": "alex@contoso.example"
  },
  "files": {"tenant": "tenant.json"}
}"#,
    )
    .unwrap();
    fs::write(
        dir.join("tenant.json"),
        r##"{
  "collectedDateTime": "2026-11-26T10:40:00Z",
  "mdmAuthority": "intune",
  "applePushNotificationCertificate": {
    "appleIdentifier": "mdm-admin@contoso.example", "topicIdentifier": "com.apple.mgmt.External.6f1c",
    "expirationDateTime": "2027-11-26T10:00:00Z", "lastModifiedDateTime": "2026-11-26T10:00:00Z",
    "certificateUploadStatus": "active"
  },
  "deviceEnrollmentConfigurations": [
    {"@odata.type": "#microsoft.graph.deviceEnrollmentPlatformRestrictionsConfiguration",
     "id": "a", "displayName": "All users and all devices", "priority": 0, "assignedGroupIds": ["all-users"],
     "iosRestriction": {"platformBlocked": false, "personalDeviceEnrollmentBlocked": true,
                        "osMinimumVersion": null, "osMaximumVersion": null}},
    {"@odata.type": "#microsoft.graph.deviceEnrollmentLimitConfiguration",
     "id": "b", "displayName": "All users and all devices", "priority": 0, "assignedGroupIds": ["all-users"], "limit": 15}
  ],
  "users": [{"id": "u", "userPrincipalName": "alex@contoso.example",
             "assignedLicenses": [{"skuPartNumber": "INTUNE_A", "servicePlans": ["INTUNE_A"]}],
             "memberOf": ["all-users"], "strongAuthenticationRequired": false, "homeCloud": "public",
             "portalOnlyDeviceCount": 0}],
  "managedDevices": [],
  "depOnboardingSettings": []
}"##,
    )
    .unwrap();
    let read = EvidenceBundle::read_dir(&dir).unwrap();
    assert!(read.problems.is_empty(), "{:?}", read.problems);
    let d = diagnose(&read.bundle);
    assert_eq!(
        (d.section, d.cause),
        (
            Some(Section::ConnectionNotEstablished),
            Some(Cause::PersonalDevicesBlocked)
        ),
        "{}",
        d.render_text()
    );
}
