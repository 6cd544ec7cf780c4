//! Resolution steps per cause, written in our own words from the article's facts. Every step
//! carries the anchor of the article section it comes from.

use serde::{Deserialize, Serialize};

use super::{Cause, Section};

/// One numbered resolution step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolutionStep {
    /// 1-based step number.
    pub step: u32,
    /// What to do.
    pub text: String,
    /// The article section the step comes from.
    pub anchor: Section,
}

const REENROLL: &str = "Enroll the device again.";

fn texts(cause: Cause) -> &'static [&'static str] {
    match cause {
        Cause::IosUnspecifiedError => &[
            "Back up the device first: restoring iOS/iPadOS erases everything on it.",
            "Put the device into recovery mode, restore it, and set it up as a new device rather than from a backup (Apple explains the restore at https://support.apple.com/HT201263).",
            REENROLL,
        ],
        Cause::PersonalDevicesBlocked => &[
            "In the Intune admin center, open Devices > Enrollment restrictions and pick the device type restriction that applies to the user (the highest-priority one assigned to one of the user's groups, otherwise Default).",
            "In its platform settings, allow iOS/iPadOS.",
            "In its platform configuration, allow personally owned iOS/iPadOS devices.",
            REENROLL,
        ],
        Cause::PreviousUserNotRemoved => &[
            "On the device, cancel any profile installation that is in progress.",
            "Open https://portal.manage.microsoft.com in Safari and enroll the device again from there.",
            "If it still fails, clear Safari's cookies (keep cookies allowed) and enroll once more.",
        ],
        Cause::EnrolledInOtherMdm => &[
            "On the device, open Settings > General > Device Management.",
            "Remove every management profile listed there, including the other MDM provider's.",
            REENROLL,
        ],
        Cause::UserNotLicensed => &[
            "In the Microsoft 365 admin center, open Users > Active users.",
            "Select the user who is enrolling and open Product licenses > Edit.",
            "Assign a licence that includes Microsoft Intune, make sure its Intune service plan is switched on, and save.",
            REENROLL,
        ],
        Cause::ApnsCertificateMissing => &[
            "Create an Apple MDM push certificate for the tenant: download Intune's certificate signing request, create the certificate with it on Apple's Push Certificates Portal, and upload the certificate to Intune (Microsoft's \"Get an Apple MDM push certificate\" steps).",
            "Check that Intune now shows a valid push certificate, then enroll the device again.",
        ],
        Cause::ApnsCertificateInvalid => &[
            "Renew the Apple MDM push certificate on Apple's Push Certificates Portal with the Apple ID that created it, and upload the renewed certificate to Intune (Microsoft's \"Renew Apple MDM push certificate\" steps).",
            "Check that Intune now shows a valid, active push certificate, then enroll the device again.",
        ],
        Cause::ApnsCertificateNeedsRenewal => &[
            "Renew the existing Apple push certificate; do not create a new one to replace it, because a replaced certificate forces every enrolled iOS/iPadOS device to enroll again.",
            "Upload the renewed certificate to Intune (standalone Intune: \"Renew Apple MDM push certificate\"; Microsoft 365: \"Create an APNs Certificate for iOS devices\").",
            REENROLL,
        ],
        Cause::CompanyPortalOutdated => &[
            "Delete the Company Portal app from the device.",
            "Install Microsoft Intune Company Portal again from the App Store.",
            REENROLL,
        ],
        Cause::DeviceLimitReached => &[
            "In the Intune admin center, open Devices > All devices and count the devices the user has enrolled. Also have the user sign in to the Company Portal website (https://portal.manage.microsoft.com): devices listed only there count toward the limit too.",
            "In Devices > Enrollment restrictions, check the device limit that applies to the user (15 unless it was changed).",
            "If the user is at the limit, remove devices they no longer need (preferred, since every enrolled device consumes an Intune licence) or raise the limit.",
            REENROLL,
        ],
        Cause::ManagementProfilePresent => &[
            "On the device, open Settings > General > Device Management.",
            "Select the management profile that is already installed and choose Remove Management.",
            REENROLL,
        ],
        Cause::AdeServiceUnreachable => &[
            "Fix the connection between the device and Apple's Automated Device Enrollment service, or move the device to a different network.",
            "Start the enrollment again on the working network.",
            "If it keeps failing, contact Apple.",
        ],
        Cause::AdeProfilePredatesToken => &[
            "Edit the enrollment profile; any change will do, the point is to give it a modification time later than the token upload.",
            "Sync the ADE token: Devices > iOS/iPadOS > iOS/iPadOS enrollment > Enrollment program tokens > the token > Sync now, which sends a sync request to Apple.",
        ],
        Cause::MfaDuringAde => &[
            "Turn off multifactor authentication for this enrollment: MFA does not work while an ADE device enrolls.",
            REENROLL,
        ],
        Cause::GovernmentCloudNotSelected => &[
            "On the device, open the Settings app and select Company Portal.",
            "Change Cloud from Automatic (the cloud the device detects) to Government.",
            "Sign in to Company Portal again; the authentication now goes to the government cloud.",
        ],
        other => ade_token_texts(other),
    }
}

/// Sync the token: the step every ADE token fix ends with.
const SYNC_TOKEN: &str = "Sync the token (Enrollment program tokens > the token > Sync now) and check that its sync status no longer shows an error.";
/// Intune support's retry, which the article's cursor and server-error rows ask for.
const SUPPORT_RETRY: &str = "Contact Intune support with the token and the time of the failed sync: they can retry the sync from the Intune service, starting over without the old cursor.";

/// The ADE token block: the current article's sync-error rows and the upload error; the
/// other causes added since 2020 follow.
fn ade_token_texts(cause: Cause) -> &'static [&'static str] {
    match cause {
        Cause::AdeTokenExpiredOrInvalid => &[
            "In Apple Business Manager, open Intune's MDM server and download a new server token.",
            "In Intune, open Enrollment program tokens > the token > Renew token and upload it. If renewing fails, contact Intune support: you may need to upload a new public key to the existing MDM server in Apple Business Manager (Preferences > MDM Server Settings > Upload Public Key).",
            SYNC_TOKEN,
        ],
        Cause::AdeAccessDenied => &[
            "Check whether the token expired or a new token was created for the MDM server since the one Intune holds; if so, renew the token in Intune with the MDM server's current server token.",
            "Check that Intune's MDM server is still in Apple Business Manager's MDM server list; if it was removed, add it back so that it holds the devices again.",
            SYNC_TOKEN,
        ],
        Cause::AbmTermsNotAccepted => &[
            "Have a user with the Administrator role sign in to Apple Business Manager (or Apple School Manager) and accept the new terms and conditions.",
            SYNC_TOKEN,
        ],
        Cause::AppleInternalServerError => &[
            "Contact Intune support: this error needs investigating and they need more logs than the admin center shows.",
            SUPPORT_RETRY,
        ],
        Cause::AdeProfileInvalidSupportPhone => &[
            "Edit the support phone number of the token's enrollment profiles (Apple refuses it when it is empty or longer than 50 characters).",
            SYNC_TOKEN,
        ],
        Cause::AdeProfileInvalidName => &[
            "Edit the name of the enrollment profile: Apple refuses one that is empty or longer than 125 characters.",
            SYNC_TOKEN,
        ],
        Cause::AdeSyncCursorInvalid | Cause::AdeSyncCursorExpired => &[SUPPORT_RETRY],
        Cause::AdeSyncCursorRequired => &[
            "Contact Intune support: they fix the sync so that it sends a cursor again, by retrying it from the Intune service.",
        ],
        Cause::AppleProfileNotFound => &[
            "Create a new enrollment profile for the token.",
            "Assign the new profile to the token's devices.",
            SYNC_TOKEN,
        ],
        Cause::AdeProfileInvalidDepartment => &[
            "Edit the department of the token's enrollment profiles (Apple refuses one that is empty or longer than 125 characters).",
            SYNC_TOKEN,
        ],
        Cause::AdeTokenUploadFailed => &[
            "In Graph Explorer, as an Intune administrator, GET https://graph.microsoft.com/beta/deviceManagement/depOnboardingSettings and note the GUID of the token.",
            "GET .../depOnboardingSettings/<TokenGuid>/getEncryptionPublicKey and save the value as a three-line .pem file (BEGIN line, the base64 on one line, END line).",
            "In Apple Business Manager, edit the token's MDM server, upload the .pem in MDM Server Settings, save, and select Download Token.",
            "In Intune, renew the token with the downloaded file.",
        ],
        other => added_since_2020(other),
    }
}

/// The steps of the causes the current article (and, for the SCEP challenge, the ADE
/// enrollment article) added since 2020.
fn added_since_2020(cause: Cause) -> &'static [&'static str] {
    match cause {
        // The ADE enrollment article, "Distribute devices".
        Cause::ScepChallengeExpired => &[
            "If the management profile was downloaded less than 15 minutes ago, download it again and install it straight away: the SCEP challenge it carries is valid for 15 minutes after the download, a limit enforced for security.",
            "If more than 15 minutes have passed, factory reset the device (Settings > General > Transfer or Reset iPhone > Erase All Content and Settings, or a wipe from the Intune admin center) and go through Setup Assistant again without pausing between the management profile's download and its installation.",
        ],

        Cause::UnsupportedDeviceType => &[
            "Check the platform and OS version the device reported (Devices > Monitor > Enrollment failures, or Settings > General > About on the device): Intune enrolls iOS/iPadOS 8.0 or later only.",
            "Update the device to a supported iOS/iPadOS version (Settings > General > Software Update), or enroll a supported device instead.",
            REENROLL,
        ],
        // An ADE device is corporate, so only the platform itself needs allowing, in the
        // restriction that applies (All Users, the default, in the article).
        Cause::IosPlatformBlocked => &[
            "In the Intune admin center, open Devices > Enroll devices > Enrollment restrictions, and under Device type restrictions select the restriction that applies to the user (All Users, the default, unless a higher-priority one is assigned to one of the user's groups) > Properties.",
            "Select Edit next to Platform settings, choose Allow for iOS/iPadOS, then Review + save and Save.",
            "Start the device's Setup Assistant again (erase the device if it went past Remote Management).",
        ],
        Cause::MdmAuthorityNotSet => &[
            "In the Intune admin center, open Tenant administration and check the MDM authority: it shows as unknown while none has been set.",
            "Set the MDM authority to Intune (the authority prompt, as in \"Get started with a 30-day trial of Microsoft Intune\", step 6, item 1).",
            REENROLL,
        ],
        _ => &[],
    }
}

/// The anchor of the section whose steps a cause's resolution follows.
fn anchor(cause: Cause, section: Option<Section>) -> Section {
    match (cause, section) {
        // The Company Portal note sends device-limit problems to the Device Cap Reached steps.
        (Cause::DeviceLimitReached, _) => Section::DeviceCapReached,
        (_, Some(s)) if cause.sections().contains(&s) => s,
        _ => cause.primary_section(),
    }
}

pub(super) fn steps(cause: Cause, section: Option<Section>) -> Vec<ResolutionStep> {
    let anchor = anchor(cause, section);
    let mut steps: Vec<ResolutionStep> = texts(cause)
        .iter()
        .zip(1..)
        .map(|(text, step)| ResolutionStep {
            step,
            text: (*text).to_string(),
            anchor,
        })
        .collect();
    if cause == Cause::CompanyPortalOutdated && anchor == Section::CompanyPortalUnavailable {
        steps.push(ResolutionStep {
            step: steps.len() as u32 + 1,
            text: "If this does not help, the user may be over the device enrollment limit: follow the Device Cap Reached steps.".to_string(),
            anchor,
        });
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cause_has_numbered_steps() {
        for c in Cause::ALL {
            let steps = c.resolution(None);
            assert!(!steps.is_empty());
            for (i, s) in steps.iter().enumerate() {
                assert_eq!(s.step as usize, i + 1);
                assert!(c.sections().contains(&s.anchor));
            }
        }
    }

    #[test]
    fn anchors_follow_the_diagnosed_section() {
        let s = Cause::UserNotLicensed.resolution(Some(Section::UserLicenseTypeInvalid));
        assert!(s
            .iter()
            .all(|s| s.anchor == Section::UserLicenseTypeInvalid));
        let s = Cause::DeviceLimitReached.resolution(Some(Section::CompanyPortalUnavailable));
        assert!(s.iter().all(|s| s.anchor == Section::DeviceCapReached));
        let s = Cause::CompanyPortalOutdated.resolution(Some(Section::CompanyPortalUnavailable));
        assert_eq!(s.len(), 4);
        let s = Cause::CompanyPortalOutdated.resolution(Some(Section::WorkplaceJoinFailed));
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].anchor, Section::WorkplaceJoinFailed);
    }

    #[test]
    fn steps_serialize_with_anchor_ids() {
        let s = &Cause::MfaDuringAde.resolution(None)[0];
        let v = serde_json::to_value(s).unwrap();
        assert_eq!(v["step"], 1);
        assert_eq!(v["anchor"], "ade-enrollment-stuck-at-user-login");
    }
}
