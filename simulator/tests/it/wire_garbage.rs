//! Hostile input: every decoder returns a typed error and never panics, hangs or overflows
//! the stack, whatever the bytes.

// The tests sit in `mod wire` so that `cargo test -p enrollsim-simulator wire` selects them.
mod wire {
    use enrollsim_simulator::wire::apns::{ApnsErrorBody, MdmPush};
    use enrollsim_simulator::wire::checkin::{Authenticate, CheckinMessage};
    use enrollsim_simulator::wire::cloud_config::{
        CloudConfigRequest, CloudConfiguration, MachineInfo,
    };
    use enrollsim_simulator::wire::command::{Command, CommandEnvelope, CommandReport};
    use enrollsim_simulator::wire::dep::{self, DepErrorCode, DepProfile, DeviceListResponse};
    use enrollsim_simulator::wire::mdm_error::MdmErrorBody;
    use enrollsim_simulator::wire::profile::{ConfigurationProfile, MdmPayload};
    use enrollsim_simulator::wire::schema::{self, SchemaKind};
    use enrollsim_simulator::wire::{Dictionary, Value, WireError};

    /// A small deterministic PRNG (xorshift64*), so failures reproduce.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        fn bytes(&mut self, len: usize) -> Vec<u8> {
            (0..len).map(|_| self.next() as u8).collect()
        }

        fn bytes_upto(&mut self, max: usize) -> Vec<u8> {
            let len = self.below(max);
            self.bytes(len)
        }
    }

    const KINDS: [SchemaKind; 8] = [
        SchemaKind::Profile,
        SchemaKind::Payload,
        SchemaKind::CheckinMessage,
        SchemaKind::CommandEnvelope,
        SchemaKind::CommandReport,
        SchemaKind::MachineInfo,
        SchemaKind::CloudConfiguration,
        SchemaKind::MdmErrorBody,
    ];

    /// Feeds `bytes` to every decoder; only a return counts, whatever it is.
    fn decode_everything(bytes: &[u8]) {
        let _ = ConfigurationProfile::from_xml(bytes);
        let _ = CheckinMessage::from_xml(bytes);
        let _ = CommandEnvelope::from_xml(bytes);
        let _ = CommandEnvelope::peek_command_uuid(bytes);
        let _ = CommandReport::from_xml(bytes);
        let _ = CloudConfiguration::from_xml(bytes);
        let _ = MachineInfo::from_xml(bytes);
        let _ = MdmErrorBody::from_xml(bytes);
        let _ = MdmErrorBody::from_json(bytes);
        let _ = MdmPush::from_json(bytes);
        let _ = ApnsErrorBody::from_json(bytes);
        let _ = CloudConfigRequest::from_json(bytes);
        let _ = DepProfile::from_json(bytes);
        let _ = DeviceListResponse::from_json(bytes);
        let _ = DepErrorCode::from_body(bytes);
        let _ = dep::parse_define_body(bytes);
        // Parsing into a `Value` here is only safe for what the decoders' depth and size guard
        // let through (they answer `NotAPlist` otherwise).
        let guarded = !matches!(
            CommandReport::from_xml(bytes),
            Err(WireError::NotAPlist { .. })
        );
        if guarded {
            if let Ok(value) = Value::from_reader(std::io::Cursor::new(bytes)) {
                for kind in KINDS {
                    let _ = schema::validate(kind, &value);
                }
            }
        }
    }

    fn samples() -> Vec<Vec<u8>> {
        let profile = ConfigurationProfile::new(
            "p",
            "u",
            vec![MdmPayload::new("m", "mu", "id", "com.apple.mgmt.x", "https://m.test").into()],
        );
        vec![
            profile.to_xml(),
            CheckinMessage::from(Authenticate::ios(
                "t",
                "u",
                "s",
                "17.5",
                "21F79",
                "iPhone15,2",
            ))
            .to_xml(),
            CommandEnvelope::new(
                "c",
                Command::RemoveProfile {
                    identifier: "p".into(),
                },
            )
            .to_xml(),
            CommandReport::idle("u").to_xml(),
            MachineInfo::new("u", "s", "p", "v").to_xml(),
            DepProfile::new("n", "https://u").to_json(),
        ]
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = Rng(0x5EED_1234_ABCD_0001);
        for round in 0..3000 {
            let prefix: &[u8] = match round % 4 {
                0 => b"",
                1 => b"bplist00",
                2 => b"<?xml version=\"1.0\"?><plist><dict>",
                _ => b"{\"",
            };
            let mut bytes = prefix.to_vec();
            bytes.extend(rng.bytes_upto(600));
            decode_everything(&bytes);
        }
    }

    #[test]
    fn mutated_and_truncated_messages_never_panic() {
        let mut rng = Rng(0xC0FF_EE00_0000_0042);
        for sample in samples() {
            let mut binary = Vec::new();
            if let Ok(value) = Value::from_reader(std::io::Cursor::new(&sample)) {
                value.to_writer_binary(&mut binary).unwrap();
            }
            for base in [&sample, &binary] {
                if base.is_empty() {
                    continue;
                }
                for cut in (0..base.len()).step_by(7) {
                    decode_everything(&base[..cut]);
                }
                for _ in 0..400 {
                    let mut bytes = base.to_vec();
                    for _ in 0..1 + rng.below(4) {
                        let at = rng.below(bytes.len());
                        bytes[at] = rng.next() as u8;
                    }
                    decode_everything(&bytes);
                }
            }
        }
    }

    fn random_value(rng: &mut Rng, depth: usize) -> Value {
        match rng.below(if depth > 3 { 6 } else { 8 }) {
            0 => Value::from(rng.next() & 1 == 0),
            1 => Value::from(rng.next() as i64),
            2 => Value::from(f64::from(rng.next() as u32) / 7.0),
            3 => Value::Data(rng.bytes_upto(8)),
            4 => Value::from(
                [
                    "Authenticate",
                    "Idle",
                    "Configuration",
                    "com.apple.mdm",
                    "x",
                ][rng.below(5)],
            ),
            5 => Value::from(String::from_utf8_lossy(&rng.bytes_upto(6)).into_owned()),
            6 => Value::Array(
                (0..rng.below(4))
                    .map(|_| random_value(rng, depth + 1))
                    .collect(),
            ),
            _ => Value::Dictionary(random_dict(rng, depth + 1)),
        }
    }

    const KEYS: [&str; 22] = [
        "MessageType",
        "Topic",
        "UDID",
        "Token",
        "PushMagic",
        "PayloadType",
        "PayloadVersion",
        "PayloadIdentifier",
        "PayloadUUID",
        "PayloadContent",
        "Command",
        "CommandUUID",
        "RequestType",
        "Status",
        "ErrorChain",
        "QueryResponses",
        "ProfileList",
        "SecurityInfo",
        "Queries",
        "ConfigurationURL",
        "IsSupervised",
        "code",
    ];

    fn random_dict(rng: &mut Rng, depth: usize) -> Dictionary {
        (0..rng.below(8))
            .map(|_| {
                (
                    KEYS[rng.below(KEYS.len())].to_owned(),
                    random_value(rng, depth),
                )
            })
            .collect()
    }

    #[test]
    fn binary_plists_with_wrong_types_give_typed_errors() {
        let mut rng = Rng(0xBAD_7E57);
        for _ in 0..3000 {
            let mut dict = random_dict(&mut rng, 0);
            if rng.next() & 1 == 0 {
                dict.insert("MessageType".into(), Value::from("TokenUpdate"));
                dict.insert("RequestType".into(), Value::from("ProfileList"));
            }
            let mut binary = Vec::new();
            Value::Dictionary(dict)
                .to_writer_binary(&mut binary)
                .unwrap();
            decode_everything(&binary);
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        let mut xml = String::from("<plist version=\"1.0\">");
        xml.push_str(&"<array>".repeat(200_000));
        xml.push_str(&"</array>".repeat(200_000));
        xml.push_str("</plist>");
        let err = CheckinMessage::from_xml(xml.as_bytes()).unwrap_err();
        assert!(matches!(err, WireError::NotAPlist { .. }), "{err}");
        decode_everything(xml.as_bytes());

        let json = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        decode_everything(json.as_bytes());
    }

    /// A binary plist whose objects each reference the next one twice: 41 objects, 2^40 leaves.
    fn exponential_binary_plist() -> Vec<u8> {
        const N: u8 = 41;
        let mut out = b"bplist00".to_vec();
        let mut offsets = Vec::new();
        for i in 0..N {
            offsets.push(out.len() as u8);
            if i + 1 < N {
                out.extend_from_slice(&[0xA2, i + 1, i + 1]);
            } else {
                out.push(0x09); // true
            }
        }
        let table = out.len() as u64;
        out.extend_from_slice(&offsets);
        out.extend_from_slice(&[0, 0, 0, 0, 0, 0, 1, 1]);
        out.extend_from_slice(&u64::from(N).to_be_bytes());
        out.extend_from_slice(&0u64.to_be_bytes());
        out.extend_from_slice(&table.to_be_bytes());
        out
    }

    #[test]
    fn shared_references_cannot_explode() {
        let bytes = exponential_binary_plist();
        let start = std::time::Instant::now();
        let err = CommandReport::from_xml(&bytes).unwrap_err();
        assert!(
            matches!(err, WireError::NotAPlist { ref reason, .. } if reason.contains("values")),
            "{err}"
        );
        assert!(start.elapsed().as_secs() < 20);
    }

    #[test]
    fn empty_and_non_dictionary_bodies() {
        assert!(matches!(
            CheckinMessage::from_xml(b"").unwrap_err(),
            WireError::NotAPlist { .. }
        ));
        assert!(matches!(
            CommandReport::from_xml(b"<plist><string>Idle</string></plist>").unwrap_err(),
            WireError::NotADictionary { .. }
        ));
        assert!(matches!(
            MdmPush::from_json(b"").unwrap_err(),
            WireError::Json { .. }
        ));
    }
}
