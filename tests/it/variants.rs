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

/// The decoy of the 15-minute SCEP limit: a user who leaves the downloaded management profile
/// for 14 minutes still gets an identity and enrolls. Its timeline is snapshotted, so the pause
/// and the SCEP exchange right after it are read, not only the verdict.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_installed_14_minutes_after_its_download_still_enrolls() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/variants/ade-profile-installed-after-14-minutes.toml");
    let s = enrollsim::Scenario::load(&path).expect("the decoy loads");
    let r = enrollsim::run_scenario(&s).await.expect("world starts");
    assert!(r.holds(), "{:?}", r.outcome);
    let timeline = r.timeline.render();
    assert!(
        timeline.contains("pkiMessage CertRep Success"),
        "the SCEP request is granted:\n{timeline}"
    );
    let mut settings = crate::snapshot_settings();
    settings.set_omit_expression(true);
    settings.set_description(format!("{}: {}", s.id, s.title));
    settings.bind(|| {
        insta::assert_snapshot!(format!("variants__{}__timeline", s.id), timeline);
    });
}
