//! Automated Device Enrollment: the device cannot reach Apple's enrollment service (the
//! article's `XPC_TYPE_ERROR Connection invalid` lines and a failed cloud configuration fetch),
//! the enrollment profile was last modified before the ADE token was uploaded (so Apple never
//! got it and the device finds no cloud configuration), and MFA required during an enrollment
//! method that cannot do it (Setup Assistant legacy). A cloud configuration received after a
//! failed fetch shows that activation was passed since, and a successful sign-in after the
//! MFA-required failures that sign-in was: those causes do not stop the device now.

use super::{
    contains_word, quote, Context, Finding, DEVICE_LOG, MANIFEST, SIGN_INS, STRONG, TENANT,
};
use crate::catalog::Cause;
use crate::dates::parse_rfc3339;
use crate::report::EvidenceItem;

const CLOUD_CONFIG: &[&str] = &[
    "iprofiles.apple.com",
    "cloud configuration",
    "cloudconfiguration",
    "cloud config",
    "activation record",
    "mdmenrollment.apple.com",
    "deviceenrollment.apple.com",
];
const NOT_FOUND: &[&str] = &[
    "no cloud configuration",
    "not found",
    "no configuration",
    "no profile",
    "not assigned",
    "no activation record",
    "does not have a",
    "has no",
];
/// The ADE service answered and refused the device (`MCCloudConfigurationErrorDomain` 34007,
/// `CLOUD_CONFIG_INVALID_DEVICE_ERROR`, as quoted in
/// <https://github.com/fleetdm/fleet/issues/8167>): reached, so not unreachable.
const SERVICE_REFUSED: &[&str] = &["could not verify the identity", "invalid_device_error"];
const UNREACHABLE: &[&str] = &[
    "could not",
    "couldn't",
    "unable",
    "failed",
    "failure",
    "unreachable",
    "timed out",
    "timeout",
    "offline",
    "not connected",
    "nsurlerrordomain",
    "connection",
    "network",
];
/// Entra ID errors that mean "MFA is required".
const MFA_CODES: &[i64] = &[50076, 50074, 50079, 50072];

pub(super) fn rules(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    if ctx.is_byod() {
        let fact = vec![EvidenceItem::fact(
            MANIFEST,
            "enrollment_type = byod: not an Automated Device Enrollment",
        )];
        for cause in [
            Cause::AdeServiceUnreachable,
            Cause::AdeProfilePredatesToken,
            Cause::MfaDuringAde,
        ] {
            out.push(Finding::against(cause, 0.8, fact.clone()));
        }
    }
    device_log(ctx, out);
    activation_passed(ctx, out);
    profile_dates(ctx, out);
    mfa(ctx, out);
}

fn device_log(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let xpc: Vec<_> = ctx
        .device_lines
        .iter()
        .filter(|l| l.folded.contains("xpc_type_error") && l.folded.contains("connection invalid"))
        .take(2)
        .collect();
    if !xpc.is_empty() {
        let evidence = xpc.iter().map(|l| quote(DEVICE_LOG, l)).collect();
        out.push(Finding::support(
            Cause::AdeServiceUnreachable,
            0.45,
            evidence,
        ));
    }
    for l in ctx.device_lines.iter().filter(|l| l.has_any(CLOUD_CONFIG)) {
        if l.has_any(NOT_FOUND) {
            out.push(Finding::support(
                Cause::AdeProfilePredatesToken,
                0.45,
                vec![quote(DEVICE_LOG, l)],
            ));
            break;
        }
        if l.has_any(UNREACHABLE) && !l.has_any(SERVICE_REFUSED) {
            out.push(Finding::support(
                Cause::AdeServiceUnreachable,
                0.7,
                vec![quote(DEVICE_LOG, l)],
            ));
            break;
        }
    }
}

/// Words of a log line saying the cloud configuration arrived.
const RECEIVED: &[&str] = &["configuration received", "configurationurl"];

/// The latest cloud configuration fetch succeeded after an earlier one failed.
fn activation_passed(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let fetches: Vec<_> = ctx
        .device_lines
        .iter()
        .filter(|l| l.has_any(CLOUD_CONFIG))
        .collect();
    let failed_before = |n: usize| {
        fetches
            .iter()
            .take(n)
            .any(|l| l.has_any(UNREACHABLE) || l.has_any(NOT_FOUND))
    };
    let Some((n, last)) = fetches.iter().enumerate().next_back() else {
        return;
    };
    let received = last.has_any(RECEIVED) && !last.has_any(UNREACHABLE);
    if received && failed_before(n) {
        for cause in [Cause::AdeServiceUnreachable, Cause::AdeProfilePredatesToken] {
            out.push(Finding::against(
                cause,
                STRONG,
                vec![quote(DEVICE_LOG, last)],
            ));
        }
    }
}

/// The device's enrollment profile was last modified before its token was uploaded.
fn profile_dates(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let profiles = ctx.ade_profiles();
    let mut any_fine = false;
    for (token, profile, assigned) in &profiles {
        let modified = profile
            .last_modified_date_time
            .as_deref()
            .and_then(parse_rfc3339);
        let uploaded = token
            .token_uploaded_date_time
            .as_deref()
            .and_then(parse_rfc3339);
        let (Some(modified), Some(uploaded)) = (modified, uploaded) else {
            continue;
        };
        let name = profile.display_name.as_deref().unwrap_or("(unnamed)");
        let which = if *assigned {
            "the enrollment profile assigned to the device"
        } else {
            "enrollment profile"
        };
        if modified < uploaded {
            let mut evidence = vec![EvidenceItem::fact(
                TENANT,
                format!(
                    "{which} \"{name}\" was last modified {} before the ADE token was uploaded (lastModifiedDateTime {} < tokenUploadedDateTime {})",
                    super::span(uploaded - modified),
                    profile.last_modified_date_time.as_deref().unwrap_or_default(),
                    token.token_uploaded_date_time.as_deref().unwrap_or_default(),
                ),
            )];
            if profile.is_synced_to_apple == Some(false) {
                evidence.push(EvidenceItem::fact(
                    TENANT,
                    format!("enrollment profile \"{name}\" is not synced to Apple"),
                ));
            }
            let weight = if *assigned || profiles.len() == 1 {
                STRONG
            } else {
                0.5
            };
            out.push(Finding::support(
                Cause::AdeProfilePredatesToken,
                weight,
                evidence,
            ));
            return;
        }
        any_fine = true;
    }
    if any_fine && (profiles.len() == 1 || profiles.iter().any(|p| p.2)) {
        out.push(Finding::against(
            Cause::AdeProfilePredatesToken,
            0.7,
            vec![EvidenceItem::fact(
                TENANT,
                "the enrollment profile was modified after the ADE token was uploaded",
            )],
        ));
    }
}

/// MFA demanded from a user enrolling with an authentication method that cannot do MFA.
fn mfa(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let sign_in_error = mfa_sign_in_error(ctx, out) || mfa_log_error(ctx, out);
    if let Some((i, _)) = super::sign_in_passed_since(ctx, MFA_CODES) {
        out.push(Finding::against(
            Cause::MfaDuringAde,
            STRONG,
            vec![EvidenceItem::fact(
                SIGN_INS,
                format!(
                    "sign-in {} succeeded after the MFA-required failures: sign-in was passed",
                    i + 1
                ),
            )],
        ));
    }
    let Some(user) = ctx.user else { return };
    if user.strong_authentication_required {
        mfa_required_with_method(ctx, out);
    } else if !sign_in_error {
        out.push(Finding::against(
            Cause::MfaDuringAde,
            0.5,
            vec![EvidenceItem::fact(
                TENANT,
                "the user is not required to pass MFA",
            )],
        ));
    }
}

/// The first sign-in that failed because MFA was required; whether there was one.
fn mfa_sign_in_error(ctx: &Context<'_>, out: &mut Vec<Finding>) -> bool {
    let Some(&(i, s)) = ctx
        .sign_ins
        .iter()
        .find(|(_, s)| MFA_CODES.contains(&s.status.error_code))
    else {
        return false;
    };
    let reason = s
        .status
        .failure_reason
        .as_deref()
        .map(|r| crate::text::clip(r, 200))
        .unwrap_or_default();
    out.push(Finding::support(
        Cause::MfaDuringAde,
        0.6,
        vec![EvidenceItem::fact(
            SIGN_INS,
            format!(
                "sign-in {} to {} failed with AADSTS{} (MFA required) {reason}",
                i + 1,
                s.app_display_name.as_deref().unwrap_or("an application"),
                s.status.error_code
            )
            .trim_end()
            .to_string(),
        )],
    ));
    true
}

/// A log line naming an MFA-required AADSTS code; whether there was one.
fn mfa_log_error(ctx: &Context<'_>, out: &mut Vec<Finding>) -> bool {
    let Some((source, line)) = ctx.log_lines().find(|(_, l)| {
        MFA_CODES
            .iter()
            .any(|c| contains_word(&l.folded, &format!("aadsts{c}")))
    }) else {
        return false;
    };
    out.push(Finding::support(
        Cause::MfaDuringAde,
        0.5,
        vec![quote(source, line)],
    ));
    true
}

/// The user must pass MFA: the enrollment profile's method decides whether that can work.
fn mfa_required_with_method(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let methods: Vec<&str> = ctx
        .ade_profiles()
        .iter()
        .filter_map(|(_, p, _)| p.authentication_method.as_deref())
        .collect();
    let legacy = methods
        .iter()
        .any(|m| m.eq_ignore_ascii_case("setupAssistantLegacy"));
    let fact = EvidenceItem::fact(
        TENANT,
        "the user must pass MFA to sign in (strongAuthenticationRequired = true)",
    );
    if legacy {
        let method = EvidenceItem::fact(TENANT, "the device's enrollment profile authenticates with setupAssistantLegacy, which cannot do MFA");
        out.push(Finding::support(
            Cause::MfaDuringAde,
            0.7,
            vec![fact, method],
        ));
    } else if methods.is_empty() {
        out.push(Finding::support(Cause::MfaDuringAde, 0.35, vec![fact]));
    } else {
        out.push(Finding::against(
            Cause::MfaDuringAde,
            0.6,
            vec![EvidenceItem::fact(
                TENANT,
                "the enrollment profile's authentication method supports MFA",
            )],
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mfa_codes_are_words() {
        assert!(contains_word("error aadsts50079: x", "aadsts50079"));
        assert!(!contains_word("error aadsts500790", "aadsts50079"));
    }
}
