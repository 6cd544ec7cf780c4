//! Command envelopes and results: round trip, schema, constructors and typed errors.

// The tests sit in `mod wire` so that `cargo test -p enrollsim-simulator wire` selects them.
mod wire {
    use enrollsim_simulator::wire::command::{
        error_domain, CertificateListItem, Command, CommandEnvelope, CommandReport, CommandStatus,
        ErrorChainItem, ManagementStatus, ProfileListItem, SecurityInfo,
    };
    use enrollsim_simulator::wire::profile::{ConfigurationProfile, MdmPayload, Pkcs12Payload};
    use enrollsim_simulator::wire::schema::{self, Problem, SchemaKind};
    use enrollsim_simulator::wire::{Dictionary, PlistType, Value, WireError};

    const UDID: &str = "00008110-000A1C2E3F40801E";

    fn value_of(bytes: &[u8]) -> Value {
        Value::from_reader(std::io::Cursor::new(bytes)).unwrap()
    }

    fn xml_of(dict: Dictionary) -> Vec<u8> {
        let mut out = Vec::new();
        Value::Dictionary(dict).to_writer_xml(&mut out).unwrap();
        out
    }

    fn commands() -> Vec<Command> {
        vec![
            Command::DeviceInformation {
                queries: vec!["UDID".into(), "OSVersion".into(), "IsSupervised".into()],
            },
            Command::SecurityInfo,
            Command::ProfileList {
                managed_only: Some(true),
            },
            Command::InstallProfile {
                payload: b"<plist/>".to_vec().into(),
            },
            Command::RemoveProfile {
                identifier: "com.example.enrollment".into(),
            },
            Command::DeviceConfigured,
            Command::CertificateList { managed_only: None },
            Command::DeviceLock {
                message: Some("Return to IT".into()),
                phone_number: Some("+1 555 0100".into()),
            },
            Command::EraseDevice {
                preserve_data_plan: Some(true),
                disallow_proximity_setup: None,
            },
        ]
    }

    #[test]
    fn every_command_round_trips_and_validates() {
        for (i, command) in commands().into_iter().enumerate() {
            let envelope = CommandEnvelope::new(format!("CMD-{i}"), command);
            let xml = envelope.to_xml();
            assert_eq!(CommandEnvelope::from_xml(&xml).unwrap(), envelope);
            let violations = schema::validate(SchemaKind::CommandEnvelope, &value_of(&xml));
            assert!(
                violations.is_empty(),
                "{}: {violations:#?}",
                envelope.command.request_type()
            );
            assert!(Command::REQUEST_TYPES.contains(&envelope.command.request_type()));
        }
    }

    #[test]
    fn unknown_request_type_keeps_the_command_uuid() {
        let mut command = Dictionary::new();
        // A command the simulated device does not implement.
        command.insert("RequestType".into(), Value::from("ShutDownDevice"));
        let mut dict = Dictionary::new();
        dict.insert("CommandUUID".into(), Value::from("CMD-9"));
        dict.insert("Command".into(), Value::Dictionary(command));
        assert_eq!(
            CommandEnvelope::from_xml(&xml_of(dict)).unwrap_err(),
            WireError::UnknownRequestType {
                request_type: "ShutDownDevice".into(),
                command_uuid: Some("CMD-9".into())
            }
        );
    }

    #[test]
    fn malformed_commands_are_format_errors_with_a_readable_uuid() {
        let mut command = Dictionary::new();
        command.insert("RequestType".into(), Value::from("RemoveProfile"));
        command.insert("Identifier".into(), Value::from(42));
        let mut dict = Dictionary::new();
        dict.insert("CommandUUID".into(), Value::from("CMD-7"));
        dict.insert("Command".into(), Value::Dictionary(command));
        let bytes = xml_of(dict.clone());
        assert_eq!(
            CommandEnvelope::from_xml(&bytes).unwrap_err(),
            WireError::WrongType {
                what: "command",
                key: "Command.Identifier".into(),
                expected: PlistType::String,
                found: PlistType::Integer,
            }
        );
        assert_eq!(
            CommandEnvelope::peek_command_uuid(&bytes).as_deref(),
            Some("CMD-7")
        );

        dict.get_mut("Command")
            .unwrap()
            .as_dictionary_mut()
            .unwrap()
            .remove("RequestType");
        assert_eq!(
            CommandEnvelope::from_xml(&xml_of(dict.clone())).unwrap_err(),
            WireError::MissingKey {
                what: "command",
                key: "Command.RequestType".into()
            }
        );
        dict.remove("Command");
        assert!(matches!(
            CommandEnvelope::from_xml(&xml_of(dict)).unwrap_err(),
            WireError::MissingKey { ref key, .. } if key == "Command"
        ));
    }

    fn query_responses() -> Dictionary {
        let mut r = Dictionary::new();
        r.insert("UDID".into(), Value::from(UDID));
        r.insert("OSVersion".into(), Value::from("17.5"));
        r.insert("IsSupervised".into(), Value::from(true));
        r.insert("DeviceCapacity".into(), Value::from(119.2));
        r
    }

    fn profile() -> ConfigurationProfile {
        ConfigurationProfile::new(
            "com.example.enrollment",
            "UUID-PROFILE",
            vec![
                Pkcs12Payload::new("com.example.identity", "UUID-ID", vec![1], None).into(),
                MdmPayload::new(
                    "com.example.mdm",
                    "UUID-MDM",
                    "UUID-ID",
                    "com.apple.mgmt.x",
                    "https://m.test",
                )
                .into(),
            ],
        )
    }

    fn reports() -> Vec<CommandReport> {
        vec![
            CommandReport::idle(UDID),
            CommandReport::acknowledged(UDID, "CMD-0")
                .with_request_type("DeviceInformation")
                .with_query_responses(query_responses()),
            CommandReport::acknowledged(UDID, "CMD-1")
                .with_request_type("SecurityInfo")
                .with_security_info(SecurityInfo {
                    hardware_encryption_caps: Some(3),
                    passcode_present: Some(true),
                    passcode_compliant: Some(true),
                    passcode_compliant_with_profiles: Some(true),
                    management_status: Some(ManagementStatus {
                        is_user_enrollment: Some(false),
                        ..Default::default()
                    }),
                    ..Default::default()
                }),
            CommandReport::acknowledged(UDID, "CMD-2")
                .with_request_type("ProfileList")
                .with_profile_list(vec![ProfileListItem::from_profile(&profile(), true)]),
            CommandReport::acknowledged(UDID, "CMD-6")
                .with_request_type("CertificateList")
                .with_certificate_list(vec![CertificateListItem {
                    common_name: "Lab Root CA".into(),
                    is_identity: false,
                    data: vec![0x30, 0x82].into(),
                }]),
            CommandReport::error(
                UDID,
                "CMD-3",
                vec![
                    ErrorChainItem::new(
                        4001,
                        error_domain::MC_INSTALLATION,
                        "Profile installation failed.",
                    )
                    .with_us_english("Profile installation failed."),
                    ErrorChainItem::new(4014, error_domain::MC_INSTALLATION, "No identity."),
                ],
            )
            .with_request_type("InstallProfile"),
            CommandReport::not_now(UDID, "CMD-4"),
            CommandReport::command_format_error(UDID, "CMD-5"),
        ]
    }

    #[test]
    fn every_report_round_trips_and_validates() {
        for report in reports() {
            let xml = report.to_xml();
            assert_eq!(CommandReport::from_xml(&xml).unwrap(), report);
            let violations = schema::validate(SchemaKind::CommandReport, &value_of(&xml));
            assert!(
                violations.is_empty(),
                "{:?}: {violations:#?}",
                report.status
            );
        }
    }

    #[test]
    fn constructors_set_status_and_chain() {
        assert_eq!(CommandReport::idle(UDID).status, CommandStatus::Idle);
        assert!(CommandReport::idle(UDID).command_uuid.is_none());
        let error = &reports()[5];
        assert_eq!(error.status, CommandStatus::Error);
        assert_eq!(error.root_cause().unwrap().error_code, 4014);
        let info = &reports()[1];
        assert_eq!(
            info.query_response("IsSupervised"),
            Some(&Value::from(true))
        );
    }

    #[test]
    fn report_rules_and_response_types_are_checked() {
        // Acknowledged ProfileList without the ProfileList key.
        let bare = CommandReport::acknowledged(UDID, "CMD-2").with_request_type("ProfileList");
        let violations = schema::validate(SchemaKind::CommandReport, &value_of(&bare.to_xml()));
        assert_eq!(violations.len(), 1, "{violations:#?}");
        assert_eq!(
            (violations[0].path.as_str(), &violations[0].problem),
            ("ProfileList", &Problem::MissingKey)
        );

        // Error without CommandUUID or ErrorChain.
        let mut dict = Dictionary::new();
        dict.insert("UDID".into(), Value::from(UDID));
        dict.insert("Status".into(), Value::from("Error"));
        let violations = schema::validate(SchemaKind::CommandReport, &Value::Dictionary(dict));
        let paths: Vec<_> = violations.iter().map(|v| v.path.as_str()).collect();
        assert_eq!(paths, ["CommandUUID", "ErrorChain"]);

        // A query answered with the wrong type is refused on decode.
        let mut responses = query_responses();
        responses.insert("IsSupervised".into(), Value::from("yes"));
        let report = CommandReport::acknowledged(UDID, "CMD-0").with_query_responses(responses);
        assert_eq!(
            CommandReport::from_xml(&report.to_xml()).unwrap_err(),
            WireError::WrongType {
                what: "command result",
                key: "QueryResponses.IsSupervised".into(),
                expected: PlistType::Boolean,
                found: PlistType::String,
            }
        );

        // An unknown Status is refused.
        let mut dict = value_of(&CommandReport::idle(UDID).to_xml())
            .into_dictionary()
            .unwrap();
        dict.insert("Status".into(), Value::from("Done"));
        assert!(matches!(
            CommandReport::from_xml(&xml_of(dict)).unwrap_err(),
            WireError::ValueNotAllowed { ref key, ref found, .. } if key == "Status" && found == "Done"
        ));
    }

    #[test]
    fn profile_list_item_mirrors_the_profile() {
        let item = ProfileListItem::from_profile(&profile(), true);
        assert_eq!(item.payload_identifier, "com.example.enrollment");
        assert_eq!(item.is_managed, Some(true));
        let payloads = item.payload_content.unwrap();
        assert_eq!(payloads[1].payload_type, "com.apple.mdm");
        assert_eq!(payloads[1].payload_uuid.as_deref(), Some("UUID-MDM"));
    }
}
