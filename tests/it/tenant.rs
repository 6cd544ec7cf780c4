//! The tenant model end to end: groups (nested), Conditional Access policies on groups and
//! the MDM authority. Each scenario in `tests/tenant/` must reproduce, be diagnosed blind to
//! its section and cause (or, for a decoy, enroll), and be fixed through the admin API.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_tenant_scenario_reproduces_is_diagnosed_and_is_fixed() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tenant");
    let scenarios = enrollsim::catalog::load(&dir).expect("tenant scenarios load");
    assert!(scenarios.len() >= 5, "only {} scenarios", scenarios.len());
    let mut failures = Vec::new();
    for s in &scenarios {
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
