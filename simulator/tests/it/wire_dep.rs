//! DEP API bodies: round trip, the three error-body shapes, and Apple's define checks.

// The tests sit in `mod wire` so that `cargo test -p enrollsim-simulator wire` selects them.
mod wire {
    use std::collections::BTreeMap;

    use enrollsim_simulator::wire::dep::{
        format_time, parse_define_body, parse_time, validate_profile, AccountDetail, AccountUrl,
        AssignProfileRequest, AssignProfileResponse, DefineProfileResponse, DepDevice,
        DepErrorBodyShape, DepErrorCode, DepProfile, DeviceDetailsRequest, DeviceDetailsResponse,
        DeviceListResponse, DeviceStatus, DeviceStatusesResponse, FetchDevicesRequest, OpType,
        ProfileStatus, RemoveProfileRequest, SessionResponse, SyncDevicesRequest, UrlLimit,
    };
    use enrollsim_simulator::wire::WireError;
    use time::macros::datetime;

    fn device() -> DepDevice {
        let mut d = DepDevice::new("F2LXK0ABCD12");
        d.model = Some("iPhone 15".into());
        d.description = Some("IPHONE 15 BLACK 128GB".into());
        d.color = Some("BLACK".into());
        d.os = Some("iOS".into());
        d.device_family = Some("iPhone".into());
        d.profile_status = Some(ProfileStatus::Assigned);
        d.profile_uuid = Some("88A5E0C2A1B3".into());
        d.profile_assign_time = Some(datetime!(2024-05-01 10:00 UTC));
        d.device_assigned_date = Some(datetime!(2024-04-30 08:00 UTC));
        d.device_assigned_by = Some("admin@contoso.example".into());
        d
    }

    fn profile() -> DepProfile {
        let mut p = DepProfile::new("Contoso ADE", "https://enrollment.manage.example.test/ade");
        p.is_supervised = Some(true);
        p.is_mandatory = Some(true);
        p.is_mdm_removable = Some(false);
        p.await_device_configured = Some(true);
        p.support_phone_number = Some("+1 555 0100".into());
        p.support_email_address = Some("help@contoso.example".into());
        p.department = Some("IT".into());
        p.skip_setup_items = Some(vec!["Siri".into(), "Android".into()]);
        p.anchor_certs = Some(vec!["MIIB".into()]);
        p.language = Some("en".into());
        p.region = Some("US".into());
        p.devices = Some(vec!["F2LXK0ABCD12".into()]);
        p
    }

    macro_rules! round_trip {
        ($value:expr, $ty:ty) => {{
            let value = $value;
            let json = value.to_json();
            assert_eq!(
                <$ty>::from_json(&json).unwrap(),
                value,
                "{}",
                String::from_utf8_lossy(&json)
            );
        }};
    }

    #[test]
    fn every_body_round_trips() {
        round_trip!(
            SessionResponse {
                auth_session_token: "tok".into()
            },
            SessionResponse
        );
        round_trip!(
            AccountDetail {
                server_name: "Intune".into(),
                server_uuid: "UUID".into(),
                admin_id: "admin@contoso.example".into(),
                facilitator_id: None,
                org_name: "Contoso".into(),
                org_email: "it@contoso.example".into(),
                org_phone: "+1 555 0100".into(),
                org_address: "1 Main St".into(),
                org_id: Some("123".into()),
                org_id_hash: None,
                org_type: Some("org".into()),
                org_version: Some("v2".into()),
                urls: Some(vec![AccountUrl {
                    uri: "/server/devices".into(),
                    http_method: vec!["POST".into()],
                    limit: Some(UrlLimit {
                        default: 100,
                        maximum: 1000
                    }),
                }]),
            },
            AccountDetail
        );
        round_trip!(device(), DepDevice);
        round_trip!(
            FetchDevicesRequest {
                cursor: None,
                limit: Some(100)
            },
            FetchDevicesRequest
        );
        round_trip!(
            SyncDevicesRequest {
                cursor: Some("c1".into()),
                limit: None
            },
            SyncDevicesRequest
        );
        let mut synced = device();
        synced.op_type = Some(OpType::Modified);
        synced.op_date = Some(datetime!(2024-05-01 10:00 UTC));
        round_trip!(
            DeviceListResponse {
                cursor: "c2".into(),
                devices: vec![synced],
                fetched_until: datetime!(2024-05-01 10:00 UTC),
                more_to_follow: false,
            },
            DeviceListResponse
        );
        round_trip!(
            DeviceDetailsRequest {
                devices: vec!["A".into()]
            },
            DeviceDetailsRequest
        );
        let mut foreign = DepDevice::new("B");
        foreign.response_status = Some(DeviceStatus::NotAccessible);
        round_trip!(
            DeviceDetailsResponse {
                devices: BTreeMap::from([("B".to_owned(), foreign)])
            },
            DeviceDetailsResponse
        );
        round_trip!(
            DeviceStatusesResponse {
                devices: BTreeMap::from([("A".to_owned(), DeviceStatus::Success)])
            },
            DeviceStatusesResponse
        );
        round_trip!(profile(), DepProfile);
        round_trip!(
            DefineProfileResponse {
                profile_uuid: "88A5E0C2A1B3".into(),
                devices: BTreeMap::from([("F2LXK0ABCD12".to_owned(), DeviceStatus::Success)]),
            },
            DefineProfileResponse
        );
        round_trip!(
            AssignProfileRequest {
                profile_uuid: Some("88A5".into()),
                devices: vec!["A".into()]
            },
            AssignProfileRequest
        );
        round_trip!(
            AssignProfileResponse {
                profile_uuid: "88A5".into(),
                devices: BTreeMap::from([("A".to_owned(), DeviceStatus::Throttled)]),
                retry_after_seconds: Some(30),
            },
            AssignProfileResponse
        );
        round_trip!(
            RemoveProfileRequest {
                profile_uuid: None,
                devices: vec!["A".into()]
            },
            RemoveProfileRequest
        );
    }

    #[test]
    fn wire_spelling_matches_apple() {
        let json = String::from_utf8(device().to_json()).unwrap();
        assert!(json.contains(r#""profile_status":"assigned""#), "{json}");
        let status = String::from_utf8(
            DeviceStatusesResponse {
                devices: BTreeMap::from([("A".to_owned(), DeviceStatus::NotAccessible)]),
            }
            .to_json(),
        )
        .unwrap();
        assert_eq!(status, r#"{"devices":{"A":"NOT_ACCESSIBLE"}}"#);
        let json = String::from_utf8(DepProfile::new("n", "https://u").to_json()).unwrap();
        assert_eq!(json, r#"{"profile_name":"n","url":"https://u"}"#);
    }

    #[test]
    fn error_bodies_parse_in_all_three_shapes() {
        for code in DepErrorCode::ALL {
            for shape in [
                DepErrorBodyShape::Bare,
                DepErrorBodyShape::JsonString,
                DepErrorBodyShape::JsonObject,
            ] {
                assert_eq!(
                    &DepErrorCode::from_body(&code.to_body(shape)).unwrap(),
                    code,
                    "{code} {shape:?}"
                );
            }
        }
        assert_eq!(
            DepErrorCode::from_body(b"EXPIRED_CURSOR\n").unwrap(),
            DepErrorCode::ExpiredCursor
        );
        assert_eq!(
            DepErrorCode::from_body(b"\"T_C_NOT_SIGNED\"").unwrap(),
            DepErrorCode::TermsNotSigned
        );
        assert_eq!(
            DepErrorCode::from_body(br#"{"error":"INVALID_CURSOR","message":"x"}"#).unwrap(),
            DepErrorCode::InvalidCursor
        );
        assert_eq!(
            DepErrorCode::from_body(b"SOMETHING_NEW").unwrap(),
            DepErrorCode::Other("SOMETHING_NEW".into())
        );
        for bad in [
            &b""[..],
            b"   ",
            b"<html>Bad Gateway</html>",
            b"{\"message\":\"x\"}",
            b"{",
            b"\"lower\"",
            b"\xff\xfe",
        ] {
            assert!(
                DepErrorCode::from_body(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn error_statuses() {
        assert_eq!(DepErrorCode::TermsNotSigned.typical_status(), 403);
        assert_eq!(DepErrorCode::AccessDenied.typical_status(), 403);
        assert_eq!(DepErrorCode::ExpiredCursor.typical_status(), 400);
        assert_eq!(DepErrorCode::FlagsInvalid.to_string(), "FLAGS_INVALID");
    }

    #[test]
    fn define_checks_give_apples_codes() {
        assert_eq!(validate_profile(&profile()), Ok(()));
        let check = |edit: &dyn Fn(&mut DepProfile)| {
            let mut p = profile();
            edit(&mut p);
            validate_profile(&p)
        };
        assert_eq!(
            check(&|p| p.profile_name = String::new()),
            Err(DepErrorCode::ConfigNameInvalid)
        );
        assert_eq!(check(&|p| p.profile_name = "é".repeat(125)), Ok(()));
        assert_eq!(
            check(&|p| p.profile_name = "x".repeat(126)),
            Err(DepErrorCode::ConfigNameInvalid)
        );
        assert_eq!(
            check(&|p| p.url = "http://insecure.example".into()),
            Err(DepErrorCode::ConfigUrlInvalid)
        );
        assert_eq!(
            check(&|p| p.url = "httpsé://x".into()),
            Err(DepErrorCode::ConfigUrlInvalid)
        );
        assert_eq!(
            check(&|p| p.configuration_web_url = Some("ftp://x".into())),
            Err(DepErrorCode::ConfigUrlInvalid)
        );
        assert_eq!(
            check(&|p| p.is_supervised = Some(false)),
            Err(DepErrorCode::FlagsInvalid)
        );
        assert_eq!(
            check(&|p| {
                p.is_supervised = Some(false);
                p.is_mdm_removable = None;
            }),
            Ok(())
        );
        assert_eq!(
            check(&|p| p.support_phone_number = Some("1".repeat(51))),
            Err(DepErrorCode::SupportPhoneInvalid)
        );
        assert_eq!(
            check(&|p| p.support_email_address = Some("e".repeat(251))),
            Err(DepErrorCode::SupportEmailInvalid)
        );
        assert_eq!(
            check(&|p| p.department = Some("d".repeat(126))),
            Err(DepErrorCode::DepartmentInvalid)
        );
    }

    #[test]
    fn define_body_parsing() {
        assert_eq!(parse_define_body(&profile().to_json()).unwrap(), profile());
        assert_eq!(
            parse_define_body(b"not json"),
            Err(DepErrorCode::MalformedRequestBody)
        );
        assert_eq!(
            parse_define_body(b"[]"),
            Err(DepErrorCode::MalformedRequestBody)
        );
        assert_eq!(
            parse_define_body(br#"{"url":"https://x"}"#),
            Err(DepErrorCode::ConfigNameRequired)
        );
        assert_eq!(
            parse_define_body(br#"{"profile_name":"n"}"#),
            Err(DepErrorCode::ConfigUrlRequired)
        );
        assert_eq!(
            parse_define_body(br#"{"profile_name":"n","url":"https://x","is_supervised":"yes"}"#),
            Err(DepErrorCode::MalformedRequestBody)
        );
        assert_eq!(
            parse_define_body(br#"{"profile_name":"","url":"https://x"}"#),
            Err(DepErrorCode::ConfigNameInvalid)
        );
    }

    #[test]
    fn json_errors_are_typed() {
        let err =
            DeviceListResponse::from_json(br#"{"cursor":"c","devices":[],"more_to_follow":false}"#)
                .unwrap_err();
        assert!(
            matches!(err, WireError::Json { ref detail, .. } if detail.contains("fetched_until")),
            "{err}"
        );
    }

    #[test]
    fn times_format_as_rfc3339() {
        let at = parse_time("2024-05-01T10:00:00Z").unwrap();
        assert_eq!(format_time(at), "2024-05-01T10:00:00Z");
        assert!(parse_time("yesterday").is_none());
    }
}
