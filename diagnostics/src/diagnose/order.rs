//! The order in which the services check an enrollment, so that with several faults present the
//! diagnosis names the one the user met first and lists the others as what comes after it.
//!
//! With two of the article's causes present, only the check that runs first can refuse: the
//! checks after it never ran, so the attempt's own evidence (the message, a refusal code, a
//! troubleshooting event) can only be about the earlier one, while the tenant's state may show
//! both. The order follows where each fact can first be judged:
//! - Automated Device Enrollment starts with Apple: Setup Assistant fetches the cloud
//!   configuration before any Microsoft service is asked, and the user signs in only once the
//!   Remote Management screen is shown ("Automatically enroll iOS/iPadOS devices by using Apple's
//!   Automated Device Enrollment", learn.microsoft.com/mem/intune/enrollment/device-enrollment-program-enroll-ios).
//! - A user has to sign in to Microsoft Entra ID before Intune sees them: a government-cloud
//!   user signed in against the public cloud never reaches Intune ("Troubleshoot iOS/iPadOS
//!   device enrollment problems in Microsoft Intune", learn.microsoft.com/troubleshoot/mem/intune/device-enrollment/troubleshoot-ios-enrollment-errors,
//!   section "Authentication doesn't redirect to the government cloud").
//! - The Company Portal's own version is judged before anything about the user (the same
//!   article, "Company Portal Temporarily Unavailable": the app must be updated first).
//! - The user's licence, then the tenant's push certificate, are judged before any enrollment
//!   restriction is looked up: restrictions are assigned to licensed users and groups, and the
//!   Company Portal app's check answers with the licence and push certificate codes first.
//! - Device platform restrictions and the device limit are the enrollment restrictions
//!   ("What are enrollment restrictions?", MicrosoftDocs/memdocs intune/device-enrollment/restrictions.md);
//!   ownership of an iOS/iPadOS device can only be told from its serial number or its ADE
//!   enrollment (same page, "Blocking personal iOS/iPadOS devices"), so a block on personally
//!   owned devices, like a device still held by another user or another MDM's profile, only
//!   shows when the device installs the management profile.
//! - The push certificate's standing with Apple shows last, once the device has checked in.
//!
//! The Company Portal website hands out the management profile after checking only the push
//! certificate; the licence and the device limit are enforced when the device authenticates.

use crate::bundle::Location;
use crate::catalog::Cause;

/// The checks, in the order the services run them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Check {
    /// Setup Assistant fetches the cloud configuration from Apple (ADE).
    Activation,
    /// The user signs in to Entra ID.
    SignIn,
    /// The Company Portal app's version.
    AppVersion,
    /// The push certificate, when the Company Portal website checks it first.
    WebsitePushCertificate,
    /// The user's Intune licence.
    Licence,
    /// The tenant's push certificate.
    PushCertificate,
    /// The user's device limit, in the Company Portal app's eligibility check.
    DeviceLimit,
    /// Profile installation: ownership, a previous user, another management profile.
    ProfileInstallation,
    /// The device limit, when the website's enrollment enforces it at authentication.
    WebsiteDeviceLimit,
    /// After check-in: Apple accepting the push certificate.
    AfterCheckIn,
}

/// Where `cause` is checked; `website` when the enrollment went through the Company Portal
/// website (Safari), which checks in another order.
pub(crate) fn check_of(cause: Cause, website: bool) -> Check {
    match cause {
        Cause::AdeServiceUnreachable | Cause::AdeProfilePredatesToken => Check::Activation,
        Cause::GovernmentCloudNotSelected
        | Cause::MfaDuringAde
        | Cause::WsTrust13EndpointDisabled => Check::SignIn,
        Cause::CompanyPortalOutdated => Check::AppVersion,
        Cause::UserNotLicensed => Check::Licence,
        Cause::ApnsCertificateMissing | Cause::ApnsCertificateInvalid if website => {
            Check::WebsitePushCertificate
        }
        Cause::ApnsCertificateMissing | Cause::ApnsCertificateInvalid => Check::PushCertificate,
        Cause::DeviceLimitReached if website => Check::WebsiteDeviceLimit,
        Cause::DeviceLimitReached => Check::DeviceLimit,
        Cause::ApnsCertificateNeedsRenewal => Check::AfterCheckIn,
        _ => Check::ProfileInstallation,
    }
}

/// Whether the attempt went through the Company Portal website.
pub(crate) fn is_website(location: Option<Location>) -> bool {
    location == Some(Location::Safari)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_app_checks_licence_before_push_certificate_and_the_website_after() {
        let licence = check_of(Cause::UserNotLicensed, false);
        assert!(check_of(Cause::CompanyPortalOutdated, false) < licence);
        assert!(licence < check_of(Cause::ApnsCertificateMissing, false));
        assert!(check_of(Cause::ApnsCertificateMissing, true) < licence);
        assert!(
            check_of(Cause::DeviceLimitReached, false)
                < check_of(Cause::PersonalDevicesBlocked, false)
        );
        assert!(
            check_of(Cause::PersonalDevicesBlocked, true)
                < check_of(Cause::DeviceLimitReached, true)
        );
        assert!(
            check_of(Cause::AdeServiceUnreachable, false) < check_of(Cause::MfaDuringAde, false)
        );
    }
}
