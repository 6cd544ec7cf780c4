//! Command results (the device's report to the MDM server) and command envelopes: any bytes
//! give a value or a typed error; the schema validator takes whatever the decoders' size and
//! depth guard lets through.
#![no_main]

use enrollsim_simulator::wire::command::{CommandEnvelope, CommandReport};
use enrollsim_simulator::wire::schema::{self, SchemaKind};
use enrollsim_simulator::wire::{Value, WireError};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let report = CommandReport::from_xml(bytes);
    let _ = CommandEnvelope::from_xml(bytes);
    let _ = CommandEnvelope::peek_command_uuid(bytes);
    if let Ok(report) = &report {
        let _ = CommandReport::from_xml(&report.to_xml());
    }
    if !matches!(report, Err(WireError::NotAPlist { .. })) {
        if let Ok(value) = Value::from_reader(std::io::Cursor::new(bytes)) {
            let _ = schema::validate(SchemaKind::CommandReport, &value);
            let _ = schema::validate(SchemaKind::CommandEnvelope, &value);
        }
    }
});
