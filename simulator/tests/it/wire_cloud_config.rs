//! ADE cloud configuration, its private request, `MachineInfo` and MDM error bodies.

// The tests sit in `mod wire` so that `cargo test -p enrollsim-simulator wire` selects them.
mod wire {
    use enrollsim_simulator::wire::cloud_config::{
        CloudConfigRequest, CloudConfiguration, MachineInfo,
    };
    use enrollsim_simulator::wire::dep::DepProfile;
    use enrollsim_simulator::wire::mdm_error::MdmErrorBody;
    use enrollsim_simulator::wire::schema::{self, SchemaKind, Target};
    use enrollsim_simulator::wire::{Value, WireError};

    fn value_of(bytes: &[u8]) -> Value {
        Value::from_reader(std::io::Cursor::new(bytes)).unwrap()
    }

    fn supervised_profile() -> DepProfile {
        let mut p = DepProfile::new("Contoso ADE", "https://enrollment.manage.example.test/ade");
        p.is_supervised = Some(true);
        p.is_mandatory = Some(true);
        p.is_mdm_removable = Some(false);
        p.await_device_configured = Some(true);
        p.is_multi_user = Some(false);
        p.skip_setup_items = Some(vec!["Siri".into()]);
        p.anchor_certs = Some(vec!["AQID".into()]);
        p.org_magic = Some("MAGIC".into());
        p.support_phone_number = Some("+1 555 0100".into());
        p.department = Some("IT".into());
        p.language = Some("en".into());
        p
    }

    #[test]
    fn cloud_configuration_follows_the_dep_profile() {
        let config =
            CloudConfiguration::from_dep_profile(&supervised_profile(), "Contoso").unwrap();
        assert_eq!(
            config.configuration_url,
            "https://enrollment.manage.example.test/ade"
        );
        assert!(config.is_supervised && config.is_mandatory);
        assert!(config.is_mdm_unremovable);
        assert!(config.await_device_configured);
        assert!(config.allow_pairing);
        assert_eq!(config.is_multi_user, Some(false));
        assert_eq!(
            config.anchor_certificates.as_ref().unwrap()[0].as_ref(),
            &[1, 2, 3]
        );
        assert_eq!(config.organization_name, "Contoso");
        assert_eq!(
            config.organization_support_phone.as_deref(),
            Some("+1 555 0100")
        );
        assert_eq!(config.organization_department.as_deref(), Some("IT"));
        let xml = config.to_xml();
        assert_eq!(CloudConfiguration::from_xml(&xml).unwrap(), config);
        let violations = schema::validate(SchemaKind::CloudConfiguration, &value_of(&xml));
        assert!(violations.is_empty(), "{violations:#?}");
    }

    #[test]
    fn unsupervised_profiles_cannot_lock_or_hold_the_device() {
        let mut profile = supervised_profile();
        profile.is_supervised = Some(false);
        let config = CloudConfiguration::from_dep_profile(&profile, "Contoso").unwrap();
        assert!(!config.is_supervised);
        assert!(!config.is_mdm_unremovable);
        assert!(!config.await_device_configured);
        assert_eq!(config.is_multi_user, None);
    }

    #[test]
    fn bad_anchor_certificates_are_reported() {
        let mut profile = supervised_profile();
        profile.anchor_certs = Some(vec!["AQID".into(), "not base64!".into()]);
        assert_eq!(
            CloudConfiguration::from_dep_profile(&profile, "Contoso").unwrap_err(),
            WireError::InvalidBase64 {
                what: "DEP profile",
                key: "anchor_certs[1]".into()
            }
        );
    }

    #[test]
    fn cloud_config_request_round_trips() {
        let request = CloudConfigRequest::new("F2LXK0ABCD12");
        assert_eq!(
            request.to_json(),
            br#"{"sn":"F2LXK0ABCD12","action":"RequestProfileConfiguration"}"#
        );
        assert_eq!(
            CloudConfigRequest::from_json(&request.to_json()).unwrap(),
            request
        );
    }

    #[test]
    fn machine_info_round_trips_and_validates_per_ios_version() {
        let mut info = MachineInfo::new(
            "00008110-000A1C2E3F40801E",
            "F2LXK0ABCD12",
            "iPhone15,2",
            "21F79",
        );
        info.language = Some("en".into());
        info.imei = Some("353209101234567".into());
        let old = value_of(&info.to_xml());
        assert!(
            schema::validate_for(SchemaKind::MachineInfo, &old, &Target::ios("16.7")).is_empty()
        );
        let missing = schema::validate_for(SchemaKind::MachineInfo, &old, &Target::ios("17.5"));
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].path, "OS_VERSION");

        info.os_version = Some("17.5".into());
        let xml = info.to_xml();
        assert_eq!(MachineInfo::from_xml(&xml).unwrap(), info);
        assert!(schema::validate(SchemaKind::MachineInfo, &value_of(&xml)).is_empty());
    }

    #[test]
    fn mdm_error_bodies_in_json_and_plist() {
        let gone = MdmErrorBody::unrecognized_device();
        assert_eq!(
            gone.to_json(),
            br#"{"code":"com.apple.unrecognized.device"}"#
        );
        assert_eq!(MdmErrorBody::from_json(&gone.to_json()).unwrap(), gone);
        assert_eq!(MdmErrorBody::from_xml(&gone.to_xml()).unwrap(), gone);

        let update = MdmErrorBody::software_update_required("17.5");
        let xml = update.to_xml();
        assert_eq!(MdmErrorBody::from_xml(&xml).unwrap(), update);
        assert!(schema::validate(SchemaKind::MdmErrorBody, &value_of(&xml)).is_empty());
        assert!(String::from_utf8(update.to_json())
            .unwrap()
            .contains(r#""details":{"OSVersion":"17.5"}"#));
    }
}
