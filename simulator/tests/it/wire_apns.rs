//! APNs bodies: the MDM push and Apple's error body with its status table.

// The tests sit in `mod wire` so that `cargo test -p enrollsim-simulator wire` selects them.
mod wire {
    use enrollsim_simulator::wire::apns::{device_path, ApnsErrorBody, ApnsReason, MdmPush};
    use enrollsim_simulator::wire::WireError;

    #[test]
    fn mdm_push_is_exactly_the_push_magic() {
        let push = MdmPush::new("9D0C4B52-6A3F-4B2E-9E0D-2F7D3C1B0A99");
        assert_eq!(
            push.to_json(),
            br#"{"mdm":"9D0C4B52-6A3F-4B2E-9E0D-2F7D3C1B0A99"}"#
        );
        assert_eq!(MdmPush::from_json(&push.to_json()).unwrap(), push);
        assert!(matches!(
            MdmPush::from_json(br#"{"mdm":"x","aps":{}}"#).unwrap_err(),
            WireError::Json { .. }
        ));
        assert!(MdmPush::from_json(b"{}").is_err());
    }

    #[test]
    fn error_body_round_trips_with_timestamp() {
        let body = ApnsErrorBody {
            reason: ApnsReason::Unregistered,
            timestamp: Some(1_714_557_600_000),
        };
        assert_eq!(
            body.to_json(),
            br#"{"reason":"Unregistered","timestamp":1714557600000}"#
        );
        assert_eq!(ApnsErrorBody::from_json(&body.to_json()).unwrap(), body);
        assert_eq!(body.status(), 410);
        let parsed = ApnsErrorBody::from_json(br#"{"reason":"BadDeviceToken"}"#).unwrap();
        assert_eq!(parsed, ApnsErrorBody::new(ApnsReason::BadDeviceToken));
        assert!(ApnsErrorBody::from_json(br#"{"reason":"Sleepy"}"#).is_err());
    }

    #[test]
    fn reasons_carry_apples_statuses() {
        let expect = [
            (ApnsReason::BadCollapseId, 400),
            (ApnsReason::DeviceTokenNotForTopic, 400),
            (ApnsReason::TopicDisallowed, 400),
            (ApnsReason::BadCertificate, 403),
            (ApnsReason::BadEnvironmentKeyIdInToken, 403),
            (ApnsReason::BadPath, 404),
            (ApnsReason::MethodNotAllowed, 405),
            (ApnsReason::ExpiredToken, 410),
            (ApnsReason::PayloadTooLarge, 413),
            (ApnsReason::TooManyRequests, 429),
            (ApnsReason::InternalServerError, 500),
            (ApnsReason::Shutdown, 503),
        ];
        for (reason, status) in expect {
            assert_eq!(reason.status(), status, "{reason}");
        }
        assert_eq!(ApnsReason::ALL.len(), 32);
        for reason in ApnsReason::ALL {
            assert_eq!(ApnsReason::parse(reason.as_str()), Some(*reason));
            assert_eq!(reason.token_is_dead(), reason.status() == 410);
        }
    }

    #[test]
    fn device_path_is_lower_hex() {
        assert_eq!(device_path(&[0x0a, 0xff, 0x10]), "/3/device/0aff10");
    }
}
