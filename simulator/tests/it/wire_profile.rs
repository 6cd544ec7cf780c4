//! Configuration profiles: round trip, Apple's schema, helpers, and the errors a device
//! would raise on a broken profile.

// The tests sit in `mod wire` so that `cargo test -p enrollsim-simulator wire` selects them.
mod wire {
    use enrollsim_simulator::wire::profile::{
        ConfigurationProfile, MdmPayload, Payload, Pkcs12Payload, RootCertificatePayload,
        ScepContent, ScepPayload,
    };
    use enrollsim_simulator::wire::schema::{self, Problem, SchemaKind};
    use enrollsim_simulator::wire::{Dictionary, PlistType, Value, WireError};

    const IDENTITY_UUID: &str = "6C7A3C9E-1D2B-4F7A-9A8B-0C1D2E3F4A5B";

    fn enrollment_profile() -> ConfigurationProfile {
        let mut root =
            RootCertificatePayload::new("com.example.root", "UUID-ROOT", vec![0x30, 0x82, 1, 2]);
        root.payload_display_name = Some("Lab Root CA".into());
        let pkcs12 = Pkcs12Payload::new(
            "com.example.identity",
            IDENTITY_UUID,
            vec![0x30, 0x80, 9, 9],
            Some("secret".into()),
        );
        let mut mdm = MdmPayload::new(
            "com.example.mdm",
            "UUID-MDM",
            IDENTITY_UUID,
            "com.apple.mgmt.External.5f2c6f3e-0000-4000-8000-000000000001",
            "https://mdm.example.test/mdm/server",
        );
        mdm.check_in_url = Some("https://mdm.example.test/mdm/checkin".into());
        mdm.check_out_when_removed = Some(true);
        mdm.sign_message = Some(false);
        mdm.server_capabilities = Some(vec!["com.apple.mdm.per-user-connections".into()]);
        let mut other = Dictionary::new();
        other.insert(
            "PayloadType".into(),
            Value::from("com.apple.webClip.managed"),
        );
        other.insert("PayloadIdentifier".into(), Value::from("com.example.clip"));
        other.insert("PayloadUUID".into(), Value::from("UUID-CLIP"));
        other.insert("PayloadVersion".into(), Value::from(1));
        other.insert("URL".into(), Value::from("https://portal.example.test"));
        let mut profile = ConfigurationProfile::new(
            "com.example.enrollment",
            "UUID-PROFILE",
            vec![
                root.into(),
                pkcs12.into(),
                mdm.into(),
                Payload::Other(other),
            ],
        );
        profile.payload_display_name = Some("Management Profile".into());
        profile.payload_organization = Some("Contoso".into());
        profile
    }

    fn value_of(bytes: &[u8]) -> Value {
        Value::from_reader(std::io::Cursor::new(bytes)).expect("a plist")
    }

    fn profile_dict() -> Dictionary {
        value_of(&enrollment_profile().to_xml())
            .into_dictionary()
            .unwrap()
    }

    fn to_bytes(dict: Dictionary) -> Vec<u8> {
        let mut out = Vec::new();
        Value::Dictionary(dict).to_writer_xml(&mut out).unwrap();
        out
    }

    #[test]
    fn profile_round_trips() {
        let profile = enrollment_profile();
        let xml = profile.to_xml();
        let text = String::from_utf8(xml.clone()).unwrap();
        assert!(text.starts_with("<?xml"));
        assert!(text.contains("<!DOCTYPE plist"));
        assert!(text.contains("<key>PayloadType</key>\n\t<string>Configuration</string>"));
        assert_eq!(ConfigurationProfile::from_xml(&xml).unwrap(), profile);
    }

    #[test]
    fn scep_payload_round_trips() {
        let mut content = ScepContent::new("https://scep.example.test/scep");
        content.subject = Some(vec![vec![vec!["CN".into(), "device".into()]]]);
        content.keysize = Some(2048);
        content.key_type = Some("RSA".into());
        content.key_usage = Some(5);
        content.challenge = Some("pre-shared".into());
        let scep = ScepPayload {
            payload_identifier: "com.example.scep".into(),
            payload_uuid: IDENTITY_UUID.into(),
            payload_version: 1,
            payload_display_name: None,
            payload_description: None,
            payload_organization: None,
            payload_content: content,
        };
        let profile = ConfigurationProfile::new("p", "u", vec![scep.into()]);
        let xml = profile.to_xml();
        assert!(String::from_utf8_lossy(&xml).contains("<key>Key Type</key>"));
        assert_eq!(ConfigurationProfile::from_xml(&xml).unwrap(), profile);
        assert!(schema::validate(SchemaKind::Profile, &value_of(&xml)).is_empty());
    }

    /// An identity payload shaped as Intune's (`Microsoft.Profiles.SCEP`: RSA-2048, signing
    /// and encryption, a one-time challenge) passes Apple's schema, and the device's SCEP
    /// request carries its subject and challenge.
    #[test]
    fn intune_style_scep_payload_validates_and_makes_the_request() {
        let mut content =
            ScepContent::new("https://i.manage.microsoft.com/DeviceGatewayProxy/ios/scep");
        content.subject = Some(vec![
            vec![vec!["CN".into(), "00008110-000A1B2C3D4E5F60".into()]],
            vec![vec!["OU".into(), "Intune".into()]],
        ]);
        content.keysize = Some(2048);
        content.key_type = Some("RSA".into());
        content.key_usage = Some(5);
        content.challenge = Some("one-time".into());
        let scep = ScepPayload {
            payload_identifier: "Microsoft.Profiles.SCEP".into(),
            payload_uuid: IDENTITY_UUID.into(),
            payload_version: 1,
            payload_display_name: Some("SCEP Profile for issuing a device certificate".into()),
            payload_description: None,
            payload_organization: None,
            payload_content: content.clone(),
        };
        let profile = ConfigurationProfile::new("p", "u", vec![scep.into()]);
        let violations = schema::validate(SchemaKind::Profile, &value_of(&profile.to_xml()));
        assert!(violations.is_empty(), "{violations:#?}");
        let request = content.certificate_request(0);
        assert_eq!(
            request.subject,
            vec![
                ("CN".to_string(), "00008110-000A1B2C3D4E5F60".to_string()),
                ("OU".to_string(), "Intune".to_string())
            ]
        );
        assert_eq!(request.challenge.as_deref(), Some("one-time"));
    }

    #[test]
    fn profile_validates_against_apple_schema() {
        let violations = schema::validate(
            SchemaKind::Profile,
            &value_of(&enrollment_profile().to_xml()),
        );
        assert!(violations.is_empty(), "{violations:#?}");
    }

    #[test]
    fn helpers_find_mdm_and_identity_payloads() {
        let profile = enrollment_profile();
        let mdm = profile.mdm_payload().unwrap();
        assert!(mdm.topic_has_mgmt_prefix());
        assert_eq!(
            mdm.effective_check_in_url(),
            "https://mdm.example.test/mdm/checkin"
        );
        let identity = profile.identity_payload().unwrap();
        assert!(identity.is_identity());
        assert!(matches!(identity, Payload::Pkcs12(p) if p.password.as_deref() == Some("secret")));
        assert_eq!(profile.root_certificates().count(), 1);
        assert_eq!(
            profile.payload_by_uuid("UUID-CLIP").unwrap().payload_type(),
            "com.apple.webClip.managed"
        );
        assert!(profile.payload_by_uuid("nope").is_none());
    }

    #[test]
    fn unknown_payload_types_are_kept_verbatim() {
        let profile = ConfigurationProfile::from_xml(&enrollment_profile().to_xml()).unwrap();
        let Payload::Other(dict) = &profile.payload_content[3] else {
            panic!("expected Other");
        };
        assert_eq!(
            dict.get("URL").and_then(Value::as_string),
            Some("https://portal.example.test")
        );
    }

    #[test]
    fn mdm_payload_without_topic_names_the_key() {
        let mut dict = profile_dict();
        let items = dict
            .get_mut("PayloadContent")
            .unwrap()
            .as_array_mut()
            .unwrap();
        items[2].as_dictionary_mut().unwrap().remove("Topic");
        let err = ConfigurationProfile::from_xml(&to_bytes(dict)).unwrap_err();
        assert_eq!(
            err,
            WireError::MissingKey {
                what: "configuration profile",
                key: "PayloadContent[2].Topic".into()
            }
        );
    }

    #[test]
    fn wrong_types_and_values_are_refused_with_the_key() {
        let mut dict = profile_dict();
        let items = dict
            .get_mut("PayloadContent")
            .unwrap()
            .as_array_mut()
            .unwrap();
        items[2]
            .as_dictionary_mut()
            .unwrap()
            .insert("AccessRights".into(), Value::from("all"));
        let err = ConfigurationProfile::from_xml(&to_bytes(dict)).unwrap_err();
        assert_eq!(
            err,
            WireError::WrongType {
                what: "configuration profile",
                key: "PayloadContent[2].AccessRights".into(),
                expected: PlistType::Integer,
                found: PlistType::String,
            }
        );

        let mut dict = profile_dict();
        dict.insert("PayloadType".into(), Value::from("Profile"));
        let err = ConfigurationProfile::from_xml(&to_bytes(dict)).unwrap_err();
        assert!(
            matches!(err, WireError::ValueNotAllowed { ref key, .. } if key == "PayloadType"),
            "{err}"
        );

        let mut dict = profile_dict();
        dict.insert("PayloadVersion".into(), Value::from(2));
        let err = ConfigurationProfile::from_xml(&to_bytes(dict)).unwrap_err();
        assert!(
            matches!(err, WireError::ValueNotAllowed { ref key, .. } if key == "PayloadVersion"),
            "{err}"
        );
    }

    #[test]
    fn schema_reports_missing_required_keys() {
        let mut dict = profile_dict();
        dict.remove("PayloadUUID");
        let items = dict
            .get_mut("PayloadContent")
            .unwrap()
            .as_array_mut()
            .unwrap();
        items[0]
            .as_dictionary_mut()
            .unwrap()
            .remove("PayloadContent");
        let violations = schema::validate(SchemaKind::Profile, &Value::Dictionary(dict));
        let paths: Vec<_> = violations
            .iter()
            .filter(|v| v.problem == Problem::MissingKey)
            .map(|v| v.path.as_str())
            .collect();
        assert_eq!(paths, ["PayloadUUID", "PayloadContent[0].PayloadContent"]);
    }

    #[test]
    fn binary_profiles_are_read_too() {
        let mut binary = Vec::new();
        value_of(&enrollment_profile().to_xml())
            .to_writer_binary(&mut binary)
            .unwrap();
        assert_eq!(
            ConfigurationProfile::from_xml(&binary).unwrap(),
            enrollment_profile()
        );
    }

    #[test]
    fn mdm_update_rules() {
        let profile = enrollment_profile();
        let old = profile.mdm_payload().unwrap();
        let mut new = old.clone();
        assert!(old.same_server_as(&new));
        new.server_url = "https://other.example.test/mdm".into();
        assert!(!old.same_server_as(&new));
    }
}
