//! Worlds whose history covers years: the lab PKI serves every moment of it (the services
//! rotate their year-long TLS leaves as the real ones do), and the tenant's year-long Apple
//! credentials (the push certificate, the ADE server token) are renewed through the history
//! as an admin renews them. A world three years long builds and runs end to end, and so does
//! a world whose ADE profile was created 380 days before the start.

use enrollsim_harness::run::{run_scenario, RunReport};
use enrollsim_harness::scenario::Scenario;

async fn run(toml: &str) -> RunReport {
    let scenario = Scenario::from_toml_str(toml, "long-history.toml").expect("the scenario loads");
    run_scenario(&scenario)
        .await
        .expect("the world builds and runs")
}

fn assert_holds(r: &RunReport) {
    assert!(
        r.holds(),
        "reproduced {} diagnosed {:?}/{:?} fixed {} ({:?}, fix error {:?})\n{}\n{}",
        r.reproduced,
        r.diagnosed_section(),
        r.diagnosed_cause(),
        r.fixed,
        r.outcome,
        r.fix_error,
        r.timeline.render(),
        r.fix_timeline.render()
    );
}

/// The push certificate (valid a year, issued 30 days before the start) and the ADE server
/// token (valid a year, uploaded 20 days before the start) renewed in years one and two;
/// `third_year` says what the admin renews in the third.
fn three_years(id: &str, third_year: &str, action_and_expectation: &str) -> String {
    format!(
        r#"
id = "{id}"
title = "Three years of a tenant's life"
{action_and_expectation}

[world]
seed = 3

[world.tenant.ade]
token_uploaded_days_ago = 20

[[world.tenant.ade.profiles]]
name = "Corporate iPhones"
created_days_ago = 10
authentication = "setup-assistant-modern"
default = true

[[world.users]]
upn = "alex@contoso.example"

[[world.history]]
do = "advance-days"
days = 300

[[world.history]]
do = "renew-apns-certificate"

[[world.history]]
do = "renew-ade-token"

[[world.history]]
do = "advance-days"
days = 300

[[world.history]]
do = "renew-apns-certificate"

[[world.history]]
do = "renew-ade-token"

[[world.history]]
do = "advance-days"
days = 300

{third_year}

[[world.history]]
do = "advance-days"
days = 195
"#
    )
}

#[tokio::test]
async fn a_three_year_history_with_every_renewal_enrolls_through_ade() {
    let toml = three_years(
        "three-years-ade",
        "[[world.history]]\ndo = \"renew-apns-certificate\"\n\n[[world.history]]\ndo = \"renew-ade-token\"",
        "",
    ) + r#"
[action]
enroll = "ade"
user = "alex@contoso.example"

[expect]
outcome = "enrolled"
"#;
    let r = run(&toml).await;
    assert_holds(&r);
}

#[tokio::test]
async fn a_push_certificate_not_renewed_in_the_third_year_is_diagnosed_and_fixed() {
    // Only the ADE token is renewed in the third year: the push certificate renewed in the
    // second expired 130 days before the user enrolls.
    let toml = three_years(
        "three-years-push-certificate-lapsed",
        "[[world.history]]\ndo = \"renew-ade-token\"",
        r#"section = "this-service-is-not-supported-no-enrollment-policy"
cause = "apns-certificate-invalid""#,
    ) + r#"
[action]
enroll = "company-portal"
user = "alex@contoso.example"

[expect]
outcome = "failed"
screen = "company-portal"
message = "service-not-supported"

[[resolution]]
do = "renew-apns-certificate"
"#;
    let r = run(&toml).await;
    assert_holds(&r);
}

/// An ADE profile created 380 days before the start and a token renewed 20 days before it:
/// the profile predates the token Intune now holds (the article's "ADE enrollment doesn't
/// start"), which editing the profile and syncing fixes.
const PROFILE_380_DAYS_OLD: &str = r#"
id = "ade-profile-380-days-old"
title = "An ADE profile created 380 days ago, before the token's renewal"
section = "ade-enrollment-doesnt-start"
cause = "ade-profile-predates-token"

[world]
seed = 380

[world.tenant.ade]
token_uploaded_days_ago = 20

[[world.tenant.ade.profiles]]
name = "Corporate iPhones"
created_days_ago = 380
authentication = "setup-assistant-modern"
default = true

[[world.users]]
upn = "alex@contoso.example"

[action]
enroll = "ade"
user = "alex@contoso.example"

[expect]
outcome = "not-managed"

[[resolution]]
do = "edit-enrollment-profile"
profile = "Corporate iPhones"

[[resolution]]
do = "sync-ade-token"
"#;

#[tokio::test]
async fn an_ade_profile_created_380_days_ago_builds_and_runs() {
    let r = run(PROFILE_380_DAYS_OLD).await;
    assert_holds(&r);
}

#[tokio::test]
async fn an_ade_profile_created_380_days_ago_and_edited_since_enrolls() {
    let toml = PROFILE_380_DAYS_OLD
        .replace(
            "created_days_ago = 380",
            "created_days_ago = 380\nmodified_days_ago = 10",
        )
        .replace(
            "section = \"ade-enrollment-doesnt-start\"\ncause = \"ade-profile-predates-token\"\n",
            "",
        )
        .replace("outcome = \"not-managed\"", "outcome = \"enrolled\"");
    let toml = toml
        .split("[[resolution]]")
        .next()
        .expect("the scenario")
        .to_string();
    let r = run(&toml).await;
    assert_holds(&r);
}
