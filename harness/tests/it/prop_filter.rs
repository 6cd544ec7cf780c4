//! The admin API's `$filter` on managed devices against a reference evaluation: for generated
//! filters (one to three `field eq 'value'` clauses joined by `and`, values taken from the
//! devices, with their case changed, or made up), the API lists exactly the devices the
//! reference keeps: every clause holds, strings compared without regard to case.

use enrollsim_harness::lab::Lab;
use enrollsim_harness::scenario::{UserSpec, WorldSpec};
use hyper::Method;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::Value;

const PATH: &str = "/v1.0/deviceManagement/managedDevices";

/// One clause: the field, and either the index of a device whose value to take (`Ok`) or a
/// made-up value (`Err`); `upper` changes the value's case.
type Clause = (usize, Result<usize, String>, bool);

/// What the reference keeps: every clause matches the device's member as `$filter` compares.
fn reference_keeps(device: &Value, clauses: &[(String, String)]) -> bool {
    clauses
        .iter()
        .all(|(field, value)| match device.get(field) {
            Some(Value::String(s)) => s.eq_ignore_ascii_case(value),
            Some(Value::Bool(b)) => value.parse::<bool>().is_ok_and(|v| v == *b),
            _ => false,
        })
}

fn encoded(filter: &str) -> String {
    filter.bytes().map(|b| format!("%{b:02X}")).collect()
}

fn ids(devices: &[&Value]) -> Vec<String> {
    let mut ids: Vec<String> = devices
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn filter_matches_the_reference_evaluation() {
    let spec = WorldSpec::builder()
        .user(UserSpec::new("alex@contoso.example").enrolled_devices(3))
        .user(UserSpec::new("sam@contoso.example").enrolled_devices(2))
        .user(UserSpec::new("kim@fabrikam.example").enrolled_devices(1))
        .build();
    let lab = Lab::start(&spec).await.unwrap();
    let admin = lab.admin();
    let all = admin.call(Method::GET, PATH, None).await.unwrap();
    let devices: Vec<Value> = all["value"].as_array().unwrap().clone();
    assert_eq!(devices.len(), 6);
    // The members a filter can compare: every string or boolean member of a device.
    let mut fields: Vec<String> = devices[0]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, v)| v.is_string() || v.is_boolean())
        .map(|(k, _)| k.clone())
        .collect();
    fields.sort();

    let clause = (
        0..fields.len(),
        prop_oneof![
            (0..devices.len()).prop_map(Ok),
            "[a-zA-Z0-9@.]{1,12}".prop_map(Err)
        ],
        any::<bool>(),
    );
    let filters = proptest::collection::vec(clause, 1..=3);
    let mut runner = TestRunner::deterministic();
    for _ in 0..40 {
        let generated: Vec<Clause> = filters.new_tree(&mut runner).unwrap().current();
        let clauses: Vec<(String, String)> = generated
            .into_iter()
            .map(|(field, value, upper)| {
                let field = fields[field].clone();
                let value = match value {
                    Ok(d) => match &devices[d][&field] {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    },
                    Err(made_up) => made_up,
                };
                let value = if upper { value.to_uppercase() } else { value };
                (field, value)
            })
            .collect();
        let filter = clauses
            .iter()
            .map(|(f, v)| format!("{f} eq '{v}'"))
            .collect::<Vec<_>>()
            .join(" and ");
        let answer = admin
            .call(
                Method::GET,
                &format!("{PATH}?$filter={}", encoded(&filter)),
                None,
            )
            .await
            .unwrap_or_else(|e| panic!("{filter}: {e}"));
        let listed: Vec<&Value> = answer["value"].as_array().unwrap().iter().collect();
        let expected: Vec<&Value> = devices
            .iter()
            .filter(|d| reference_keeps(d, &clauses))
            .collect();
        assert_eq!(ids(&listed), ids(&expected), "$filter={filter}");
    }
    lab.world.shutdown().await;
}
