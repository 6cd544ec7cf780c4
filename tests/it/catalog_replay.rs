//! Every scenario of the catalog reproduces its failure, is diagnosed blind to its expected
//! section and cause, and enrolls after the documented resolution.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_reproduces_is_diagnosed_and_is_fixed() {
    let scenarios = enrollsim::catalog::builtin().expect("catalog loads");
    assert!(scenarios.len() >= 18, "only {} scenarios", scenarios.len());
    let mut failures = Vec::new();
    for s in &scenarios {
        let r = enrollsim::run_scenario(s).await.expect("world starts");
        if !r.holds() {
            failures.push(format!(
                "{}: reproduced={} outcome={:?} diagnosed={:?}/{:?} expected={:?}/{:?} fixed={} fix={:?} err={:?}\n{}",
                r.id, r.reproduced, r.outcome, r.diagnosed_section(), r.diagnosed_cause(), r.section, r.cause_expected, r.fixed, r.fix_outcome, r.fix_error, r.timeline.render()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
