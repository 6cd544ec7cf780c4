//! Check-in messages: round trip, Apple's schema (iOS rules), and typed errors.

// The tests sit in `mod wire` so that `cargo test -p enrollsim-simulator wire` selects them.
mod wire {
    use enrollsim_simulator::wire::checkin::{Authenticate, CheckOut, CheckinMessage, TokenUpdate};
    use enrollsim_simulator::wire::schema::{self, Problem, SchemaKind, Target};
    use enrollsim_simulator::wire::{Dictionary, PlistType, Value, WireError};

    const TOPIC: &str = "com.apple.mgmt.External.5f2c6f3e-0000-4000-8000-000000000001";
    const UDID: &str = "00008110-000A1C2E3F40801E";

    fn authenticate() -> Authenticate {
        let mut m = Authenticate::ios(TOPIC, UDID, "F2LXK0ABCD12", "17.5", "21F79", "iPhone15,2");
        m.imei = Some("35 320910 123456 7".into());
        m
    }

    fn token_update() -> TokenUpdate {
        let mut m = TokenUpdate::new(
            TOPIC,
            UDID,
            vec![7; 32],
            "9D0C4B52-6A3F-4B2E-9E0D-2F7D3C1B0A99",
        );
        m.unlock_token = Some(vec![1, 2, 3].into());
        m.awaiting_configuration = Some(true);
        m
    }

    fn messages() -> Vec<CheckinMessage> {
        vec![
            authenticate().into(),
            token_update().into(),
            CheckOut {
                topic: TOPIC.into(),
                udid: UDID.into(),
            }
            .into(),
        ]
    }

    fn value_of(bytes: &[u8]) -> Value {
        Value::from_reader(std::io::Cursor::new(bytes)).unwrap()
    }

    fn binary(dict: Dictionary) -> Vec<u8> {
        let mut out = Vec::new();
        Value::Dictionary(dict).to_writer_binary(&mut out).unwrap();
        out
    }

    #[test]
    fn every_message_round_trips_and_validates_for_ios() {
        for message in messages() {
            let xml = message.to_xml();
            assert_eq!(CheckinMessage::from_xml(&xml).unwrap(), message);
            let violations = schema::validate(SchemaKind::CheckinMessage, &value_of(&xml));
            assert!(
                violations.is_empty(),
                "{}: {violations:#?}",
                message.message_type()
            );
            assert_eq!(message.udid(), UDID);
            assert_eq!(message.topic(), TOPIC);
        }
    }

    #[test]
    fn ios_authenticate_leaves_out_macos_keys() {
        let xml = String::from_utf8(CheckinMessage::from(authenticate()).to_xml()).unwrap();
        for key in ["DeviceName", "ModelName", "<key>Model</key>"] {
            assert!(!xml.contains(key), "{key} sent on iOS");
        }
        let mut mac_shaped = authenticate();
        mac_shaped.device_name = Some("Anna's iPhone".into());
        let value = value_of(&CheckinMessage::from(mac_shaped).to_xml());
        let violations = schema::validate(SchemaKind::CheckinMessage, &value);
        assert_eq!(violations.len(), 1);
        assert_eq!(violations[0].path, "DeviceName");
        assert!(matches!(
            violations[0].problem,
            Problem::NotSupported { .. }
        ));
    }

    #[test]
    fn awaiting_configuration_needs_ios_9() {
        let value = value_of(&CheckinMessage::from(token_update()).to_xml());
        assert!(
            schema::validate_for(SchemaKind::CheckinMessage, &value, &Target::ios("9.0"))
                .is_empty()
        );
        let old = schema::validate_for(SchemaKind::CheckinMessage, &value, &Target::ios("8.4"));
        assert!(
            old.iter().any(|v| v.path == "AwaitingConfiguration"),
            "{old:#?}"
        );
    }

    #[test]
    fn token_update_without_token_is_flagged_and_refused() {
        let mut dict = value_of(&CheckinMessage::from(token_update()).to_xml())
            .into_dictionary()
            .unwrap();
        dict.remove("Token");
        let violations =
            schema::validate(SchemaKind::CheckinMessage, &Value::Dictionary(dict.clone()));
        assert_eq!(violations.len(), 1);
        assert_eq!(
            (violations[0].path.as_str(), &violations[0].problem),
            ("Token", &Problem::MissingKey)
        );
        assert_eq!(
            CheckinMessage::from_xml(&binary(dict)).unwrap_err(),
            WireError::MissingKey {
                what: "check-in message",
                key: "Token".into()
            }
        );
    }

    #[test]
    fn missing_or_unknown_message_type_is_typed() {
        let mut dict = Dictionary::new();
        dict.insert("Topic".into(), Value::from(TOPIC));
        dict.insert("UDID".into(), Value::from(UDID));
        assert_eq!(
            CheckinMessage::from_xml(&binary(dict.clone())).unwrap_err(),
            WireError::MissingKey {
                what: "check-in message",
                key: "MessageType".into()
            }
        );
        dict.insert("MessageType".into(), Value::from("UserAuthenticate"));
        assert_eq!(
            CheckinMessage::from_xml(&binary(dict.clone())).unwrap_err(),
            WireError::UnknownMessageType {
                message_type: "UserAuthenticate".into()
            }
        );
        dict.insert("MessageType".into(), Value::from(3));
        assert!(matches!(
            CheckinMessage::from_xml(&binary(dict)).unwrap_err(),
            WireError::WrongType { ref key, expected: PlistType::String, found: PlistType::Integer, .. } if key == "MessageType"
        ));
    }

    #[test]
    fn binary_plist_with_wrong_types_names_key_and_type() {
        let mut dict = value_of(&CheckinMessage::from(token_update()).to_xml())
            .into_dictionary()
            .unwrap();
        dict.insert("Token".into(), Value::from("not data"));
        assert_eq!(
            CheckinMessage::from_xml(&binary(dict)).unwrap_err(),
            WireError::WrongType {
                what: "check-in message",
                key: "Token".into(),
                expected: PlistType::Data,
                found: PlistType::String,
            }
        );
        let err = CheckinMessage::from_xml(b"<plist><array/></plist>").unwrap_err();
        assert!(
            matches!(
                err,
                WireError::NotADictionary {
                    found: PlistType::Array,
                    ..
                }
            ),
            "{err}"
        );
    }
}
