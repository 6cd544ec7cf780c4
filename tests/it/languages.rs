//! Catalog scenarios on devices in other languages than English and Italian (German, Japanese,
//! French, Chinese): the device shows its edition's heading, the diagnosis recognises it from
//! the evidence alone and names the section and cause, and the fix works. The same mechanisms
//! as the catalog, another language.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenarios_on_devices_in_other_languages_reproduce_are_diagnosed_and_fixed() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/languages");
    let scenarios = enrollsim::catalog::load(&dir).expect("language scenarios load");
    assert!(scenarios.len() >= 3, "only {} scenarios", scenarios.len());
    let mut failures = Vec::new();
    for s in &scenarios {
        let r = enrollsim::run_scenario(s).await.expect("world starts");
        if !r.holds() {
            failures.push(format!(
                "{}: reproduced={} diagnosed={:?}/{:?} expected={:?}/{:?} fixed={} fix={:?} err={:?}",
                r.id,
                r.reproduced,
                r.diagnosed_section(),
                r.diagnosed_cause(),
                r.section,
                r.cause_expected,
                r.fixed,
                r.fix_outcome,
                r.fix_error
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `enrollsim diagnose --message` without `--lang`: the German, Japanese and traditional
/// Chinese headings, typed loosely, name their sections.
#[test]
fn cli_diagnoses_messages_in_other_languages_without_lang() {
    for (message, section) in [
        ("gerätekapazität erreicht", "device-cap-reached"),
        (
            "プロファイルのインストールに失敗しました 新しいMDMペイロードが古いペイロードと一致しません",
            "profile-installation-failed-the-new-mdm-payload-does-not-match-the-old-payload",
        ),
        ("使用者授權類型無效", "user-license-type-invalid"),
        (
            "nombre maximal dappareils atteint",
            "device-cap-reached",
        ),
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_enrollsim"))
            .args(["diagnose", "--message", message, "--json"])
            .output()
            .expect("the enrollsim binary runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let json: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("diagnose --json prints JSON");
        assert_eq!(json["section"], section, "{message}: {json:#}");
    }
}
