//! Round trips of the wire types over generated values (proptest, few cases each): whatever
//! names, identifiers, versions and bytes a message carries, the plist (or JSON) we write
//! decodes back to the same message. Texts include XML's special characters and non-ASCII.

// In `mod wire` so that `cargo test -p enrollsim-simulator wire` selects them.
mod wire {
    use enrollsim_simulator::wire::checkin::{Authenticate, CheckOut, CheckinMessage, TokenUpdate};
    use enrollsim_simulator::wire::cloud_config::MachineInfo;
    use enrollsim_simulator::wire::command::ErrorChainItem;
    use enrollsim_simulator::wire::command::{Command, CommandEnvelope, CommandReport};
    use enrollsim_simulator::wire::dep::DepProfile;
    use enrollsim_simulator::wire::profile::{ConfigurationProfile, MdmPayload};
    use enrollsim_simulator::wire::Data;
    use proptest::prelude::*;

    /// Non-empty text with XML's special characters, spaces and a few non-ASCII letters,
    /// but no control characters (XML 1.0 cannot carry them).
    fn text() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9 <>&'\"._:/@\u{e9}\u{fc}\u{4e2d}\u{1f600}-]{1,24}"
    }

    fn checkin() -> impl Strategy<Value = CheckinMessage> {
        prop_oneof![
            (
                text(),
                text(),
                text(),
                text(),
                text(),
                text(),
                proptest::option::of(text())
            )
                .prop_map(|(topic, udid, serial, os, build, product, imei)| {
                    let mut a = Authenticate::ios(&topic, &udid, &serial, &os, &build, &product);
                    a.imei = imei;
                    CheckinMessage::from(a)
                }),
            (
                text(),
                text(),
                proptest::collection::vec(any::<u8>(), 0..40),
                text(),
                proptest::option::of(any::<bool>()),
            )
                .prop_map(|(topic, udid, token, push_magic, awaiting)| {
                    CheckinMessage::TokenUpdate(TokenUpdate {
                        topic,
                        udid,
                        token: Data::new(token),
                        push_magic,
                        unlock_token: None,
                        awaiting_configuration: awaiting,
                    })
                }),
            (text(), text())
                .prop_map(|(topic, udid)| CheckinMessage::CheckOut(CheckOut { topic, udid })),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        #[test]
        fn checkin_messages_round_trip(message in checkin()) {
            let decoded = CheckinMessage::from_xml(&message.to_xml());
            prop_assert_eq!(decoded.ok(), Some(message));
        }

        #[test]
        fn command_reports_round_trip(
            udid in text(),
            uuid in text(),
            which in 0u8..3,
            code in any::<i64>(),
            domain in text(),
            description in text(),
        ) {
            let report = match which {
                0 => CommandReport::idle(udid),
                1 => CommandReport::acknowledged(udid, uuid),
                _ => CommandReport::error(
                    udid,
                    uuid,
                    vec![ErrorChainItem::new(code, domain, description)],
                ),
            };
            let decoded = CommandReport::from_xml(&report.to_xml());
            prop_assert_eq!(decoded.ok(), Some(report));
        }

        #[test]
        fn command_envelopes_round_trip(uuid in text(), identifier in text()) {
            let envelope = CommandEnvelope::new(uuid, Command::RemoveProfile { identifier });
            let decoded = CommandEnvelope::from_xml(&envelope.to_xml());
            prop_assert_eq!(decoded.ok(), Some(envelope));
        }

        #[test]
        fn profiles_round_trip(
            identifier in text(),
            uuid in text(),
            topic_suffix in "[a-z0-9.]{1,20}",
            server in "https://[a-z]{1,12}\\.test/[a-z]{0,8}",
            name in proptest::option::of(text()),
        ) {
            let mdm = MdmPayload::new(
                format!("{identifier}.mdm"),
                format!("{uuid}-mdm"),
                "identity",
                format!("{}{topic_suffix}", MdmPayload::TOPIC_PREFIX),
                server,
            );
            let mut profile = ConfigurationProfile::new(identifier, uuid, vec![mdm.into()]);
            profile.payload_display_name = name;
            let decoded = ConfigurationProfile::from_xml(&profile.to_xml());
            prop_assert_eq!(decoded.ok(), Some(profile));
        }

        #[test]
        fn machine_info_round_trips(udid in text(), serial in text(), product in text(), version in text()) {
            let info = MachineInfo::new(udid, serial, product, version);
            let decoded = MachineInfo::from_xml(&info.to_xml());
            prop_assert_eq!(decoded.ok(), Some(info));
        }

        #[test]
        fn dep_profiles_round_trip(name in text(), url in "https://[a-z]{1,12}\\.test/[a-z]{0,8}") {
            let profile = DepProfile::new(name, url);
            let decoded = DepProfile::from_json(&profile.to_json());
            prop_assert_eq!(decoded.ok(), Some(profile));
        }
    }
}
