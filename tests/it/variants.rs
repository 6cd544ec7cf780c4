//! Variants of the catalog that differ in the details the catalog does not exercise (a group
//! restriction above the Default, a limit of 3, dates one day either side of a boundary,
//! another MDM vendor, Italian devices, another fix that also works). Each must reproduce, be
//! diagnosed blind to its section and cause, and be fixed — the same mechanisms, other state.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_variant_reproduces_is_diagnosed_and_is_fixed() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/variants");
    let variants = enrollsim::catalog::load(&dir).expect("variants load");
    assert!(variants.len() >= 10, "only {} variants", variants.len());
    let mut failures = Vec::new();
    for s in &variants {
        let r = enrollsim::run_scenario(s).await.expect("world starts");
        if !r.holds() {
            failures.push(format!(
                "{}: reproduced={} diagnosed={:?}/{:?} expected={:?}/{:?} fixed={} fix={:?} err={:?}",
                r.id, r.reproduced, r.diagnosed_section(), r.diagnosed_cause(), r.section, r.cause_expected, r.fixed, r.fix_outcome, r.fix_error
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
