//! ADE token sync errors, read the way an admin reads them: the enrollment program token's
//! sync status in the admin center (`lastSyncErrorCode`, `lastSuccessfulSyncDateTime`,
//! `syncedDeviceCount` and enrollsim's `lastSyncError`, which carries Apple's answer as
//! Intune logged it). Apple's error token (or the OAuth problem of a refused `/session`)
//! names the row of the current article's "Sync token errors between Intune and ADE" table;
//! the token's expiry date backs the expired-token row. A token whose last sync succeeded
//! speaks against every row.
//!
//! Limits: an internal server error (HTTP 500) names its row but not why Apple failed; the
//! article itself says it needs investigating, and the bundle cannot say more.

use super::{Context, Finding, HintRank, STRONG, TENANT};
use crate::catalog::{Cause, Section};
use crate::dates::parse_rfc3339;
use crate::report::EvidenceItem;

/// The rows the token's sync status decides.
const SYNC_CAUSES: &[Cause] = &[
    Cause::AdeTokenExpiredOrInvalid,
    Cause::AdeAccessDenied,
    Cause::AbmTermsNotAccepted,
    Cause::AppleInternalServerError,
    Cause::AdeProfileInvalidSupportPhone,
    Cause::AdeProfileInvalidName,
    Cause::AdeSyncCursorInvalid,
    Cause::AdeSyncCursorExpired,
    Cause::AdeSyncCursorRequired,
    Cause::AppleProfileNotFound,
    Cause::AdeProfileInvalidDepartment,
];

/// The article row Apple's answer stands for: by its error token (Apple's "Interpreting
/// Automated Device Enrollment program error codes" and the endpoint pages), else by status.
fn cause_of(status: Option<u16>, code: &str, endpoint: &str) -> Option<Cause> {
    Some(match code.to_ascii_uppercase().as_str() {
        "T_C_NOT_SIGNED" => Cause::AbmTermsNotAccepted,
        "ACCESS_DENIED" | "FORBIDDEN" => Cause::AdeAccessDenied,
        "EXPIRED_TOKEN"
        | "TOKEN_EXPIRED"
        | "TOKEN_REJECTED"
        | "SIGNATURE_INVALID"
        | "CONSUMER_KEY_UNKNOWN"
        | "NO_SERVER_TOKEN" => Cause::AdeTokenExpiredOrInvalid,
        "SUPPORT_PHONE_INVALID" | "CONFIG_SUPPORT_PHONE_REQUIRED" => {
            Cause::AdeProfileInvalidSupportPhone
        }
        "CONFIG_NAME_INVALID" | "CONFIG_NAME_REQUIRED" => Cause::AdeProfileInvalidName,
        "DEPARTMENT_INVALID" | "CONFIG_DEPARTMENT_REQUIRED" => Cause::AdeProfileInvalidDepartment,
        "INVALID_CURSOR" => Cause::AdeSyncCursorInvalid,
        "EXPIRED_CURSOR" => Cause::AdeSyncCursorExpired,
        "CURSOR_REQUIRED" => Cause::AdeSyncCursorRequired,
        "PROFILE_NOT_FOUND" => Cause::AppleProfileNotFound,
        "NOT_FOUND" if endpoint.starts_with("/profile") => Cause::AppleProfileNotFound,
        _ => match status? {
            500..=599 => Cause::AppleInternalServerError,
            401 => Cause::AdeTokenExpiredOrInvalid,
            403 => Cause::AdeAccessDenied,
            _ => return None,
        },
    })
}

pub(super) fn rules(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(tenant) = ctx.tenant else { return };
    for token in &tenant.dep_onboarding_settings {
        let name = token.token_name.as_deref().unwrap_or("(unnamed)");
        let Some(error) = &token.last_sync_error else {
            if token.last_sync_error_code == Some(0)
                && token.last_successful_sync_date_time.is_some()
            {
                let fact = EvidenceItem::fact(
                    TENANT,
                    format!(
                        "token \"{name}\": lastSyncErrorCode = 0, last successful sync {}",
                        token
                            .last_successful_sync_date_time
                            .as_deref()
                            .unwrap_or_default()
                    ),
                );
                for cause in SYNC_CAUSES {
                    out.push(Finding::against(*cause, 0.6, vec![fact.clone()]));
                }
            }
            continue;
        };
        let Some(cause) = cause_of(error.status, &error.code, &error.endpoint) else {
            continue;
        };
        let status = error.status.map_or("no answer".into(), |s| s.to_string());
        let mut evidence = vec![EvidenceItem::fact(
            TENANT,
            format!(
                "token \"{name}\": last sync failed at {}: Apple answered {status} {} on {} (lastSyncErrorCode = {})",
                error.date_time,
                error.code,
                if error.endpoint.is_empty() { "-" } else { &error.endpoint },
                token.last_sync_error_code.unwrap_or_default(),
            ),
        )];
        if let Some(last) = &token.last_successful_sync_date_time {
            evidence.push(EvidenceItem::fact(
                TENANT,
                format!("token \"{name}\": last successful sync {last}"),
            ));
        }
        if cause == Cause::AdeTokenExpiredOrInvalid {
            expiry_evidence(ctx, token, name, &mut evidence);
        }
        out.push(
            Finding::support(cause, STRONG, evidence)
                .hint(Section::AdeSyncTokenErrors, HintRank::Firm),
        );
    }
}

/// The token's expiry date, when it is already past at collection time.
fn expiry_evidence(
    ctx: &Context<'_>,
    token: &crate::bundle::DepOnboardingSettingView,
    name: &str,
    evidence: &mut Vec<EvidenceItem>,
) {
    let expires = token
        .token_expiration_date_time
        .as_deref()
        .and_then(parse_rfc3339);
    if let (Some(expires), Some(now)) = (expires, ctx.now) {
        if expires <= now {
            evidence.push(EvidenceItem::fact(
                TENANT,
                format!(
                    "token \"{name}\" expired {} before collection (tokenExpirationDateTime {})",
                    super::span(now - expires),
                    token
                        .token_expiration_date_time
                        .as_deref()
                        .unwrap_or_default()
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apple_tokens_name_their_rows() {
        let row = |s, c: &str, e| cause_of(s, c, e);
        assert_eq!(
            row(Some(403), "T_C_NOT_SIGNED", "/session"),
            Some(Cause::AbmTermsNotAccepted)
        );
        assert_eq!(
            row(Some(401), "token_expired", "/session"),
            Some(Cause::AdeTokenExpiredOrInvalid)
        );
        assert_eq!(
            row(Some(404), "NOT_FOUND", "/profile/devices"),
            Some(Cause::AppleProfileNotFound)
        );
        assert_eq!(
            row(Some(500), "INTERNAL_SERVER_ERROR", "/session"),
            Some(Cause::AppleInternalServerError)
        );
        assert_eq!(row(Some(400), "NOT_FOUND", "/devices"), None);
    }
}
