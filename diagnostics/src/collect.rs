//! What to collect next when the evidence does not decide: the article's prerequisites that the
//! bundle does not answer (the exact message, where it appeared, since when, the platform, how
//! many users and devices, the MDM authority, BYOD or ADE), then, for each remaining candidate,
//! the concrete facts that would confirm or rule it out and that the bundle lacks.

use crate::bundle::Location;
use crate::catalog::Cause;
use crate::report::{Candidate, CollectItem, Confidence};
use crate::rules::Context;

/// Below this, even a named cause asks for more.
const SURE: u32 = 75;

fn text(id: &str) -> &'static str {
    match id {
        "exact-message" => "The exact error message, word for word (a screenshot helps).",
        "where-shown" => "Where the message appears: the Company Portal app, Settings, Setup Assistant, Safari or the sign-in page.",
        "since-when" => "When the problem started, and whether enrollment ever worked for this user or device.",
        "platform" => "The device's platform and OS version (iOS/iPadOS).",
        "affected-users" => "How many users are affected: all of them or only some.",
        "affected-devices" => "How many devices are affected: all of them or only some.",
        "mdm-authority" => "The tenant's MDM authority.",
        "enrollment-type" => "How the device enrolls: BYOD (Company Portal) or Apple Automated Device Enrollment with an enrollment profile.",
        "enrollment-events" => "Intune's enrollment troubleshooting events for the user (the enrollment failures report).",
        "user-licences" => "The user's licences, and whether one of them has an enabled Intune service plan.",
        "device-restriction" => "The device type restriction that applies to the user (highest priority among the user's groups, else Default): is iOS/iPadOS allowed, and are personally owned devices allowed?",
        "device-record" => "Whether the admin center lists this device's serial number under another user.",
        "device-console-log" => "The device console log covering the failed attempt.",
        "company-portal-log" => "The Company Portal log covering the failed attempt.",
        "apns-certificate" => "The Apple MDM push certificate in Intune: whether one is configured, its expiry date and status.",
        "company-portal-version" => "The Company Portal version installed on the device.",
        "device-count-and-limit" => "How many devices the admin center lists for the user, and the device limit that applies to the user.",
        "company-portal-devices" => "The user's device list as the Company Portal website shows it (sign in at the website, open Devices): it includes records the admin center does not list.",
        "installed-management-profiles" => "The management profiles installed on the device (Settings > General > Device Management) and the server each one belongs to.",
        "network-to-apple" => "Whether the device's network reaches Apple's enrollment services (iprofiles.apple.com and the other hosts ADE needs).",
        "ade-profile-and-token" => "The ADE token's upload date, the last modification date of the enrollment profile assigned to the device, and whether the profile is synced to Apple.",
        "sign-in-log" => "The user's Entra ID sign-ins during the enrollment, with their error codes.",
        "user-mfa" => "Whether the user must pass MFA to sign in, and the authentication method of the device's enrollment profile.",
        "user-home-cloud" => "Whether the user's tenant is in the government cloud, and the Company Portal Cloud setting in the device's Settings app.",
        "ade-token-sync-status" => "The enrollment program token's sync status in the admin center (its last sync error, last successful sync and synced device count), and Apple's answer as Intune logged it.",
        _ => "",
    }
}

fn facts_for(cause: Cause) -> &'static [&'static str] {
    match cause {
        Cause::IosUnspecifiedError => &["device-console-log", "enrollment-events"],
        Cause::PersonalDevicesBlocked => &["enrollment-events", "device-restriction"],
        Cause::PreviousUserNotRemoved => &["enrollment-events", "device-record"],
        Cause::EnrolledInOtherMdm => &["installed-management-profiles", "device-console-log"],
        Cause::UserNotLicensed => &["user-licences", "enrollment-events", "company-portal-log"],
        Cause::ApnsCertificateMissing
        | Cause::ApnsCertificateInvalid
        | Cause::ApnsCertificateNeedsRenewal => &["apns-certificate", "company-portal-log"],
        Cause::CompanyPortalOutdated => &["company-portal-version", "company-portal-log"],
        Cause::DeviceLimitReached => &[
            "device-count-and-limit",
            "company-portal-devices",
            "company-portal-log",
        ],
        Cause::ManagementProfilePresent => &["installed-management-profiles", "device-console-log"],
        Cause::AdeServiceUnreachable => &["device-console-log", "network-to-apple"],
        Cause::AdeProfilePredatesToken => &["ade-profile-and-token", "device-console-log"],
        Cause::MfaDuringAde => &["sign-in-log", "user-mfa"],
        Cause::GovernmentCloudNotSelected => {
            &["sign-in-log", "user-home-cloud", "company-portal-log"]
        }
        Cause::UnsupportedDeviceType => &["platform", "company-portal-log"],
        Cause::MdmAuthorityNotSet => &["mdm-authority", "company-portal-log"],
        Cause::IosPlatformBlocked => &[
            "enrollment-events",
            "device-restriction",
            "device-console-log",
        ],
        Cause::ScepChallengeExpired => {
            &["device-console-log", "enrollment-events", "enrollment-type"]
        }
        // The ADE token block: the token's sync status is the evidence.
        _ => &["ade-token-sync-status"],
    }
}

/// The bundle already answers this (`recognized`: the message matched the catalog).
fn known(ctx: &Context<'_>, recognized: bool, id: &str) -> bool {
    let b = ctx.bundle;
    let device = b.device();
    let tenant = ctx.tenant.is_some();
    match id {
        "exact-message" => recognized,
        "where-shown" => ctx.location.is_some(),
        "platform" => device.is_some_and(|d| d.platform.is_some() && d.os_version.is_some()),
        "mdm-authority" => ctx.tenant.is_some_and(|t| t.mdm_authority.is_some()),
        "enrollment-type" => ctx.enrollment_type.is_some(),
        "enrollment-events" => b.enrollment_events.is_some(),
        "user-licences" | "device-restriction" | "device-count-and-limit" | "user-mfa" => {
            tenant && ctx.user.is_some()
        }
        "device-record" => tenant && ctx.serial.is_some(),
        "device-console-log" => b.device_log.is_some(),
        "company-portal-log" => b.company_portal_log.is_some(),
        "company-portal-devices" => b.company_portal_devices.is_some(),
        "apns-certificate" => tenant,
        "company-portal-version" => device.is_some_and(|d| d.company_portal_version.is_some()),
        "ade-profile-and-token" | "ade-token-sync-status" => ctx
            .tenant
            .is_some_and(|t| !t.dep_onboarding_settings.is_empty()),
        "sign-in-log" => b.sign_ins.is_some(),
        "user-home-cloud" => ctx.user.is_some_and(|u| u.home_cloud.is_some()),
        "affected-users" => b.affected_users().is_some(),
        // Never in a bundle: since when, how many devices, installed profiles, network.
        _ => false,
    }
}

/// What to collect next; empty when a cause is named with confidence.
pub(crate) fn collect(
    ctx: &Context<'_>,
    recognized: bool,
    decided: bool,
    confidence: Confidence,
    candidates: &[Candidate],
) -> Vec<CollectItem> {
    if decided && confidence.percent() >= SURE {
        return Vec::new();
    }
    let mut ids: Vec<&str> = Vec::new();
    let silent_ade = ctx.bundle.message().trim().is_empty()
        && (ctx.is_ade()
            || matches!(
                ctx.location,
                Some(Location::SetupAssistant | Location::NotShown)
            ));
    if !silent_ade {
        ids.push("exact-message");
    }
    ids.push("where-shown");
    if !decided {
        ids.extend([
            "since-when",
            "platform",
            "affected-users",
            "affected-devices",
            "mdm-authority",
        ]);
    }
    ids.push("enrollment-type");
    let top = candidates
        .first()
        .map(|c| c.confidence.percent())
        .unwrap_or(0);
    for c in candidates
        .iter()
        .filter(|c| c.confidence.percent() * 2 >= top)
    {
        ids.extend(facts_for(c.cause));
    }
    let mut out: Vec<CollectItem> = Vec::new();
    for id in ids {
        if !known(ctx, recognized, id) && !out.iter().any(|c| c.id == id) {
            out.push(CollectItem {
                id: id.to_string(),
                text: text(id).to_string(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fact_has_a_text() {
        for cause in Cause::ALL {
            for id in facts_for(*cause) {
                assert!(!text(id).is_empty(), "{id}");
            }
        }
        for id in [
            "exact-message",
            "where-shown",
            "since-when",
            "platform",
            "affected-users",
            "affected-devices",
            "mdm-authority",
            "enrollment-type",
        ] {
            assert!(!text(id).is_empty(), "{id}");
        }
    }
}
