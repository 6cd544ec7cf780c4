//! Every catalog scenario opened in the web lab and solved through the browser: each of the
//! scenario's own resolution steps becomes the clicks a trainee would make (the admin center,
//! Apple Business Manager, Microsoft support or the phone), then *Try enrolling again*.

use enrollsim::{ResolutionStep, Scenario};
use fantoccini::Locator;

use crate::driver::{Trainee, WebDriver};

/// The device list's delete buttons.
const DELETE_BUTTONS: &str = "button[aria-label^='Delete ']";

/// Opens a page of the admin center and waits until it shows `heading`.
async fn open(t: &Trainee, button: &str, heading: &str) {
    t.click_text(button).await;
    let wanted = heading.to_string();
    t.wait_until(&format!("the {heading} page"), move |t| {
        let wanted = wanted.clone();
        async move { t.text("#admin-view h3").await == wanted }
    })
    .await;
}

/// The XPath of the form holding the field labelled `label` (or a label starting so).
fn form_of(label: &str) -> String {
    format!("//form[.//label[starts-with(normalize-space(), \"{label}\")]]")
}

async fn fill(t: &Trainee, form: &str, css: &str, value: &str) {
    let input = t.element(&format!("{form}//{css}")).await;
    input.clear().await.expect("the field clears");
    input.send_keys(value).await.expect("typing");
}

async fn submit(t: &Trainee, form: &str) {
    t.act(|| async {
        t.element(&format!("{form}//button[@type='submit']"))
            .await
            .click()
            .await
            .expect("submitting");
    })
    .await;
}

async fn set_checkbox(t: &Trainee, form: &str, label: &str, checked: bool) {
    let xpath = format!("{form}//div[label[starts-with(normalize-space(), \"{label}\")]]/input");
    let box_ = t.element(&xpath).await;
    if box_.is_selected().await.unwrap_or(false) != checked {
        box_.click().await.expect("ticking");
    }
}

async fn delete_stale(t: &Trainee, user: &str, count: Option<u32>) {
    open(t, "Users", "Users").await;
    t.click_label(&format!("Devices of {user}")).await;
    let wanted = format!("Devices of {user}");
    t.wait_until("the user's devices", move |t| {
        let wanted = wanted.clone();
        async move { t.text("#admin-view h3").await == wanted }
    })
    .await;
    let about = t.text("#phone-about").await;
    let serial = about.rsplit(' ').next().unwrap_or_default().to_string();
    let mut deleted = 0;
    loop {
        if count.is_some_and(|c| deleted >= c) {
            break;
        }
        let rows = t
            .client()
            .find_all(Locator::XPath(&format!(
                "//div[@id='admin-view']//tbody/tr[not(td[3][normalize-space()='{serial}'])]"
            )))
            .await
            .unwrap_or_default();
        let Some(oldest) = rows.first() else { break };
        let before = t.count(DELETE_BUTTONS).await;
        t.act(|| async {
            oldest
                .find(Locator::Css(DELETE_BUTTONS))
                .await
                .expect("a delete button")
                .click()
                .await
                .expect("deleting");
        })
        .await;
        t.wait_until("the device to go", move |t| async move {
            t.count(DELETE_BUTTONS).await < before
        })
        .await;
        deleted += 1;
    }
}

/// The device limit restriction that applies to `upn`, as the trainee works it out from the
/// priorities and assignments: the first by priority assigned to one of the user's groups and
/// not excluding another, else the default.
fn limit_restriction_for(scenario: &Scenario, upn: &str) -> String {
    let world = &scenario.world;
    let mut groups: Vec<&str> = world
        .users
        .iter()
        .filter(|u| u.upn.eq_ignore_ascii_case(upn))
        .flat_map(|u| u.groups.iter().map(String::as_str))
        .collect();
    for group in &world.tenant.groups {
        if group.members.iter().any(|m| m.eq_ignore_ascii_case(upn)) {
            groups.push(&group.id);
        }
    }
    let mut restrictions: Vec<_> = world.tenant.limit_restrictions.iter().collect();
    restrictions.sort_by_key(|r| r.priority);
    restrictions
        .into_iter()
        .find(|r| {
            r.groups.iter().any(|g| groups.contains(&g.as_str()))
                && !r
                    .exclude_groups
                    .iter()
                    .any(|g| groups.contains(&g.as_str()))
        })
        .map_or_else(
            || "All users and all devices".to_string(),
            |r| r.name.clone(),
        )
}

async fn restriction_step(t: &Trainee, scenario: &Scenario, step: &ResolutionStep) {
    open(t, "Enrollment restrictions", "Enrollment restrictions").await;
    let limit_label;
    let (label, limit) = match step {
        ResolutionStep::SetDeviceLimit { limit, user } => {
            limit_label = format!("Device limit of {}", limit_restriction_for(scenario, user));
            (limit_label.as_str(), Some(*limit))
        }
        ResolutionStep::AllowIosPlatform { .. } => ("Block iOS/iPadOS (", None),
        _ => ("Block personally owned iOS/iPadOS", None),
    };
    let form = form_of(label);
    match limit {
        Some(limit) => fill(t, &form, "input", &limit.to_string()).await,
        None => set_checkbox(t, &form, label, false).await,
    }
    submit(t, &form).await;
}

async fn device_step(t: &Trainee, step: &ResolutionStep) {
    let action = match step {
        ResolutionStep::RemoveManagementProfile => "remove-management-profile",
        ResolutionStep::ReinstallCompanyPortal => "reinstall-company-portal",
        ResolutionStep::ClearSafariCookies => "clear-safari-cookies",
        ResolutionStep::RestoreAsNew => "restore-as-new",
        ResolutionStep::UseOtherNetwork => "use-other-network",
        ResolutionStep::SetCompanyPortalCloud { cloud } => {
            let value = serde_json::to_value(cloud).expect("a cloud");
            let select = t.element("//select[@id='cloud']").await;
            select
                .select_by_value(value.as_str().unwrap_or_default())
                .await
                .expect("choosing the cloud");
            return submit(t, "//form[@id='cloud-form']").await;
        }
        ResolutionStep::UpdateOs { version, build } => {
            let form = "//form[@id='update-form']";
            fill(t, form, "input[@id='os-version']", version).await;
            fill(t, form, "input[@id='os-build']", build).await;
            return submit(t, form).await;
        }
        other => panic!("not a device step: {other:?}"),
    };
    t.act(|| async {
        t.element(&format!("//button[@data-device='{action}']"))
            .await
            .click()
            .await
            .expect("the device button");
    })
    .await;
}

async fn wait_hours(t: &Trainee, hours: i64) {
    let form = "//form[@id='wait-form']";
    fill(t, form, "input", &hours.to_string()).await;
    submit(t, form).await;
}

async fn click_in(t: &Trainee, page: &str, heading: &str, button: &str) {
    open(t, page, heading).await;
    t.act(|| async { t.click_text(button).await }).await;
}

async fn create_profile(t: &Trainee, name: &str) {
    open(t, "Enrollment program tokens", "Enrollment program tokens").await;
    let form = form_of("New profile name");
    fill(t, &form, "input[@type='text']", name).await;
    set_checkbox(t, &form, "Make it the default profile", true).await;
    submit(t, &form).await;
    open(t, "Enrollment program tokens", "Enrollment program tokens").await;
    let serials = t.text(".serials").await;
    let serials = serials.split(": ").nth(1).unwrap_or_default().to_string();
    let form = form_of(&format!("Serial numbers to assign {name} to"));
    fill(t, &form, "input", &serials).await;
    submit(t, &form).await;
}

async fn sync_all_tokens(t: &Trainee) {
    open(t, "Enrollment program tokens", "Enrollment program tokens").await;
    let count = t.count("#admin-view .card > button").await;
    for i in 0..count {
        t.act(|| async {
            let buttons = t
                .client()
                .find_all(Locator::XPath(
                    "//div[@id='admin-view']//button[normalize-space()='Sync now']",
                ))
                .await
                .expect("the sync buttons");
            buttons[i].click().await.expect("Sync now");
        })
        .await;
    }
}

async fn profile_step(t: &Trainee, step: &ResolutionStep) {
    open(t, "Enrollment program tokens", "Enrollment program tokens").await;
    match step {
        ResolutionStep::EditEnrollmentProfile { profile } => {
            let form = form_of(&format!("Description of {profile}"));
            fill(
                t,
                &form,
                "input[@type='text'][last()]",
                "Edited by the trainee",
            )
            .await;
            submit(t, &form).await;
        }
        ResolutionStep::SetEnrollmentProfileFields {
            profile,
            name,
            support_phone,
            department,
        } => {
            let form = form_of(&format!("Name of {profile}"));
            let fields = [
                ("Name of", name),
                ("Support phone of", support_phone),
                ("Department of", department),
            ];
            for (label, value) in fields {
                if let Some(value) = value {
                    let css =
                        format!("div[label[starts-with(normalize-space(), '{label}')]]/input");
                    fill(t, &form, &css, value).await;
                }
            }
            submit(t, &form).await;
        }
        other => panic!("not a profile step: {other:?}"),
    }
}

/// Carries out `step` as a trainee's clicks.
async fn perform(t: &Trainee, scenario: &Scenario, step: &ResolutionStep) {
    match step {
        ResolutionStep::AssignLicense { user, sku } => {
            open(t, "Users", "Users").await;
            let form = form_of(&format!("Licence for {user}"));
            fill(t, &form, "input", sku).await;
            submit(t, &form).await;
        }
        ResolutionStep::DisableMfa { user } => {
            open(t, "Users", "Users").await;
            let label = format!("Disable per-user MFA for {user}");
            t.act(|| async { t.click_label(&label).await }).await;
        }
        ResolutionStep::SetDeviceLimit { .. }
        | ResolutionStep::AllowIosPlatform { .. }
        | ResolutionStep::AllowPersonallyOwnedDevices { .. } => {
            restriction_step(t, scenario, step).await;
        }
        ResolutionStep::DeleteStaleDevices { user, count } => delete_stale(t, user, *count).await,
        ResolutionStep::RenewApnsCertificate => {
            click_in(
                t,
                "Apple MDM push certificate",
                "Apple MDM push certificate",
                "Renew",
            )
            .await;
        }
        ResolutionStep::ReplaceApnsCertificate => {
            let replace = "Replace (create a new certificate)";
            click_in(
                t,
                "Apple MDM push certificate",
                "Apple MDM push certificate",
                replace,
            )
            .await;
        }
        ResolutionStep::UploadApnsCertificate => {
            let upload = "Upload a certificate";
            click_in(
                t,
                "Apple MDM push certificate",
                "Apple MDM push certificate",
                upload,
            )
            .await;
        }
        ResolutionStep::SetMdmAuthority => {
            let set = "Set MDM authority to Intune";
            click_in(t, "Tenant administration", "Tenant administration", set).await;
        }
        ResolutionStep::AcceptAbmTerms => {
            let accept = "Accept the new terms and conditions";
            click_in(
                t,
                "Apple Business Manager",
                "Apple Business Manager",
                accept,
            )
            .await;
        }
        ResolutionStep::ReaddMdmServer => {
            let readd = "Add Intune's MDM server again";
            click_in(t, "Apple Business Manager", "Apple Business Manager", readd).await;
        }
        ResolutionStep::RenewAdeToken => {
            let renew = "Download a new server token and upload it to Intune";
            click_in(t, "Apple Business Manager", "Apple Business Manager", renew).await;
        }
        ResolutionStep::RequestSupportSyncRetry => {
            let retry = "Ask support to retry the ADE sync";
            click_in(t, "Microsoft support", "Microsoft support", retry).await;
        }
        ResolutionStep::UploadPublicKeyToAbm => {
            let upload = "Upload Intune's public key to the MDM server";
            click_in(
                t,
                "Apple Business Manager",
                "Apple Business Manager",
                upload,
            )
            .await;
        }
        ResolutionStep::EnableWsTrustEndpoint => {
            let enable = "Enable the WS-Trust 1.3 Username/Mixed endpoint";
            click_in(
                t,
                "Federation service (AD FS)",
                "Federation service (AD FS)",
                enable,
            )
            .await;
        }
        ResolutionStep::SyncAdeToken => sync_all_tokens(t).await,
        ResolutionStep::CreateEnrollmentProfile { name } => create_profile(t, name).await,
        ResolutionStep::EditEnrollmentProfile { .. }
        | ResolutionStep::SetEnrollmentProfileFields { .. } => profile_step(t, step).await,
        ResolutionStep::WaitHours { hours } => wait_hours(t, *hours).await,
        ResolutionStep::Wait { by } => {
            let hours = (by.duration().whole_minutes() + 59) / 60;
            wait_hours(t, hours).await;
        }
        other => device_step(t, other).await,
    }
}

/// The user tries again; the lab must not have ended unless `last`.
async fn enroll_again(t: &Trainee) {
    t.act(|| async { t.click_css("#enroll").await }).await;
}

/// Opens `scenario` in a web lab and solves it through the browser.
pub async fn solve(driver: &WebDriver, scenario: &Scenario) {
    let lab = enrollsim_harness::web::WebLab::start(enrollsim_harness::web::WebLabConfig::new(
        scenario.clone(),
    ))
    .await
    .expect("the web lab starts");
    let t = driver.trainee(&lab).await;
    t.wait_until("the phone", |t| async move {
        !t.text("#phone-message").await.is_empty()
    })
    .await;
    for step in &scenario.resolution {
        perform(&t, scenario, step).await;
    }
    for stage in &scenario.expect.then {
        enroll_again(&t).await;
        for step in &stage.resolution {
            perform(&t, scenario, step).await;
        }
    }
    enroll_again(&t).await;
    let id = scenario.id.clone();
    t.wait_until(&format!("{id}'s debrief"), |t| async move {
        t.text("#debrief").await.contains("Debrief")
    })
    .await;
    let debrief = t.text("#debrief").await;
    assert!(
        debrief.contains("Debrief: fixed"),
        "{id} not fixed through the browser:\n{debrief}\nphone: {}",
        t.text("#phone-message").await
    );
    t.screenshot(&format!("catalog-{id}")).await;
    t.close().await;
    lab.shutdown().await;
}
