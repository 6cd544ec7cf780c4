//! What the root of an `NSError` chain in the device log says failed, and the current article's
//! section for it: an invalid profile, a SCEP identity that cannot be retrieved, a server
//! certificate the device does not trust. Each is a step of the profile installation that is not
//! the unspecified iOS error of the "network error" entry, so each speaks against that cause;
//! the first also names its section.
//!
//! The current article (10/08/2024) and its companion page have a section for the invalid
//! profile only: "The configuration for your iPhone/iPad could not be downloaded from <Company
//! Name>: Invalid Profile". Neither page has an entry for a SCEP failure in general or an
//! untrusted server certificate, so those chains are recognised (they appear in the report's
//! device errors and keep the unspecified-error cause away) but name no section here; the ADE
//! enrollment article's one SCEP entry is read by `rules/scep.rs`. See [`Failure::section`].

use super::{quote, Context, Finding, HintRank, DEVICE_LOG, STRONG};
use crate::catalog::{Cause, Section};
use crate::error_chain::ChainedError;
use crate::logs::LogLine;

/// A failed installation step a chain's root shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The profile (or one of its payloads) is malformed.
    InvalidProfile,
    /// The device could not get its identity from the SCEP server.
    ScepIdentity,
    /// The device does not trust the server's TLS certificate.
    UntrustedServer,
}

impl Failure {
    /// The current article's section for the failure, when it has one.
    pub(crate) fn section(self) -> Option<Section> {
        match self {
            // The article's message for a refused enrollment profile ends in the description of
            // ManagedConfiguration's "Invalid Profile" error (MCInstallationErrorDomain 4000,
            // `Desc : Invalid Profile`, in https://github.com/thrasr/mdm-server/issues/15), so a
            // chain that says the profile is invalid is what that entry's user met.
            Failure::InvalidProfile => Some(Section::InvalidProfile),
            // Not an entry of the troubleshooting article. The ADE enrollment article's entry
            // ("The SCEP server returned an invalid response", 15 minutes) is one SCEP failure
            // only, iOS's 22013 for a PKIOperation answer it cannot use: `rules/scep.rs` names
            // it from that code; any other SCEP failure has no entry on either page.
            Failure::ScepIdentity => None,
            // No entry of either page is about TLS trust: Intune's own endpoints carry public
            // certificates, so an untrusted one is an interception proxy or another MDM
            // server, and naming the nearest entry ("Connection to the server could not be
            // established") would name causes (restrictions, licence, another MDM) the log
            // does not show. (Apple's ADE service is the exception: a device that cannot trust
            // it cannot reach it, which the ADE rules read as the XPC entry's connection
            // problem, whose fix, another network, also removes an interception proxy.)
            Failure::UntrustedServer => None,
        }
    }
}

/// `NSURLErrorDomain` codes for a server certificate the device does not trust
/// (Foundation's URL Loading System error codes,
/// <https://developer.apple.com/documentation/foundation/1508628-url_loading_system_error_codes>):
/// -1201 `NSURLErrorServerCertificateHasBadDate`, -1202 `NSURLErrorServerCertificateUntrusted`,
/// -1203 `NSURLErrorServerCertificateHasUnknownRoot`, -1204
/// `NSURLErrorServerCertificateNotYetValid`. (-1205 is the server rejecting the client's
/// certificate, not the device distrusting the server's.)
const UNTRUSTED_URL_CODES: &[i64] = &[-1201, -1202, -1203, -1204];

/// Secure Transport's trust failures as `NSOSStatusErrorDomain` codes (`SecureTransport.h`,
/// Apple's Security framework): -9807 `errSSLXCertChainInvalid`, -9812 `errSSLUnknownRootCert`,
/// -9813 `errSSLNoRootCert`, -9814 `errSSLCertExpired`.
const UNTRUSTED_OSSTATUS_CODES: &[i64] = &[-9807, -9812, -9813, -9814];

/// Texts of an untrusted server certificate: Foundation's description of -1202 ("The
/// certificate for this server is invalid..."), ManagedConfiguration's suggestion in
/// <https://github.com/project-imas/mdm-server/issues/47> ("The server certificate for “…” is
/// invalid."), cloudconfigurationd's `CLOUD_CONFIG_SERVER_TRUST_ERROR` ("The Device Enrollment
/// server trust could not be verified.", MCCloudConfigurationErrorDomain 34011, in
/// <https://duo.com/labs/research/mdm-me-maybe>), and Secure Transport's constant names as
/// `log show` prints them.
const UNTRUSTED_TEXTS: &[&str] = &[
    "certificate for this server is invalid",
    "server trust could not be verified",
    "errsslxcertchaininvalid",
    "errsslunknownrootcert",
    "errsslnorootcert",
    "server certificate is not trusted",
    "untrusted server certificate",
];

/// Texts of a failed SCEP enrollment: profiled's step line and the ADE page's error
/// (<https://learn.microsoft.com/intune/intune-service/enrollment/device-enrollment-program-enroll-ios>,
/// "The SCEP server returned an invalid response.").
const SCEP_TEXTS: &[&str] = &[
    "cannot retrieve scep identity",
    "scep server returned an invalid response",
];

/// What one error of a chain shows, if it is one of the failures.
fn classify(e: &ChainedError, chain: &[ChainedError]) -> Option<Failure> {
    let text = e.text.as_str();
    let untrusted = (e.domain == "NSURLErrorDomain"
        && e.code.is_some_and(|c| UNTRUSTED_URL_CODES.contains(&c)))
        || (e.domain == "NSOSStatusErrorDomain"
            && e.code
                .is_some_and(|c| UNTRUSTED_OSSTATUS_CODES.contains(&c)))
        || (text.contains("server certificate") && text.contains("invalid"))
        || UNTRUSTED_TEXTS.iter().any(|t| text.contains(t));
    if untrusted {
        return Some(Failure::UntrustedServer);
    }
    if e.domain == "MCSCEPErrorDomain" || SCEP_TEXTS.iter().any(|t| text.contains(t)) {
        return Some(Failure::ScepIdentity);
    }
    // ManagedConfiguration's "Invalid Profile" (4000), or a profile or payload error under an
    // installation error (4001 "Profile Installation Failed" wrapping MCProfileErrorDomain 1000
    // in https://github.com/micromdm/micromdm/issues/496).
    let invalid = (e.domain == "MCInstallationErrorDomain" && e.code == Some(4000))
        || text.contains("invalid profile")
        || (matches!(
            e.domain.as_str(),
            "MCProfileErrorDomain" | "MCPayloadErrorDomain"
        ) && chain.iter().any(|outer| {
            outer.depth < e.depth
                && outer.line < e.line
                && outer.domain == "MCInstallationErrorDomain"
        }));
    invalid.then_some(Failure::InvalidProfile)
}

/// The failure the log's chains show, with the error that shows it: a trust or SCEP failure
/// anywhere in a chain comes before an invalid profile (an installation that fails on either
/// is reported as a failed profile too).
pub(super) fn failure(errors: &[ChainedError]) -> Option<(Failure, &ChainedError)> {
    let found: Vec<(Failure, &ChainedError)> = errors
        .iter()
        .filter_map(|e| classify(e, errors).map(|f| (f, e)))
        .collect();
    [
        Failure::UntrustedServer,
        Failure::ScepIdentity,
        Failure::InvalidProfile,
    ]
    .into_iter()
    .find_map(|wanted| found.iter().find(|(f, _)| *f == wanted).copied())
}

/// A plain line (no `NSError` dump) that names a trust or SCEP failure.
fn failure_line<'c, 'a>(ctx: &'c Context<'a>) -> Option<(Failure, &'c LogLine<'a>)> {
    ctx.device_lines.iter().find_map(|l| {
        if l.has_any(UNTRUSTED_TEXTS) {
            Some((Failure::UntrustedServer, l))
        } else if l.has_any(SCEP_TEXTS) {
            Some((Failure::ScepIdentity, l))
        } else {
            None
        }
    })
}

/// The failure the device log shows, whether its root is a missing `Topic`, and the line that
/// shows it.
fn found<'c, 'a>(ctx: &'c Context<'a>) -> Option<(Failure, bool, &'c LogLine<'a>)> {
    let text: Vec<&str> = ctx.device_lines.iter().map(|l| l.raw).collect();
    let errors = crate::error_chain::errors(&text.join("\n"));
    let by_chain = failure(&errors).and_then(|(f, e)| {
        let line = ctx.device_lines.iter().find(|l| l.number == e.line)?;
        Some((f, e.text.contains("topic"), line))
    });
    by_chain.or_else(|| failure_line(ctx).map(|(f, l)| (f, false, l)))
}

/// A failure the device log shows that the current article has no entry for.
pub(crate) fn without_entry(ctx: &Context<'_>) -> Option<Failure> {
    found(ctx)
        .map(|(f, _, _)| f)
        .filter(|f| f.section().is_none())
}

/// The chain's failure as findings; whether one was found. A missing `Topic` is left to the push
/// certificate rules: the Topic comes from the push certificate, so its absence is the article's
/// missing-certificate cause, not a device type restriction.
pub(super) fn rules(ctx: &Context<'_>, out: &mut Vec<Finding>) -> bool {
    let Some((failure, topic, line)) = found(ctx) else {
        return false;
    };
    let evidence = vec![quote(DEVICE_LOG, line)];
    out.push(Finding::against(
        Cause::IosUnspecifiedError,
        STRONG,
        evidence.clone(),
    ));
    if let (Some(section), false) = (failure.section(), topic) {
        // The article lists one cause under the section (a device type restriction), which the
        // log alone cannot confirm: enough to name the section, not to be sure of the cause.
        let mut evidence = evidence;
        if let Some(said) = ctx
            .device_lines
            .iter()
            .find(|l| l.folded.contains("invalid profile") && l.number != line.number)
        {
            evidence.insert(0, quote(DEVICE_LOG, said));
        }
        out.push(
            Finding::support(Cause::IosPlatformBlocked, 0.45, evidence)
                .hint(section, HintRank::Firm),
        );
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_chain::errors;

    fn failure_of(log: &str) -> Option<Failure> {
        failure(&errors(log)).map(|(f, _)| f)
    }

    #[test]
    fn profile_error_under_an_installation_error_is_an_invalid_profile() {
        let log = "Error: NSError:\nDesc   : Profile Installation Failed\nDomain : MCInstallationErrorDomain\nCode   : 4001\n...Underlying error:\nNSError:\nDesc   : The payload is invalid.\nDomain : MCPayloadErrorDomain\nCode   : 2001\n";
        assert_eq!(failure_of(log), Some(Failure::InvalidProfile));
    }

    #[test]
    fn a_profile_error_alone_is_not_an_invalid_profile() {
        // RemoveProfile's "not installed" answer: no installation failed.
        let log = "Error Domain=MCProfileErrorDomain Code=1001 \"The profile is not installed.\"";
        assert_eq!(failure_of(log), None);
    }

    #[test]
    fn trust_and_scep_failures() {
        assert_eq!(
            failure_of("Error Domain=NSURLErrorDomain Code=-1202 \"The certificate for this server is invalid.\""),
            Some(Failure::UntrustedServer)
        );
        assert_eq!(
            failure_of("Error Domain=NSURLErrorDomain Code=-1205 \"The server did not accept the certificate.\""),
            None
        );
        assert_eq!(
            failure_of("Desc   : x\nDomain : MCSCEPErrorDomain\nCode   : 22003\n"),
            Some(Failure::ScepIdentity)
        );
    }

    #[test]
    fn only_the_invalid_profile_has_a_section() {
        assert_eq!(
            Failure::InvalidProfile.section(),
            Some(Section::InvalidProfile)
        );
        assert_eq!(Failure::ScepIdentity.section(), None);
        assert_eq!(Failure::UntrustedServer.section(), None);
    }
}
