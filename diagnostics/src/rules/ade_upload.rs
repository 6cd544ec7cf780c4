//! The enrollment program token's upload error ("An error occurred while uploading the
//! Enrollment Program token. Request ID: AjaxError: ajaxExtended call failed"), read from what
//! the admin center keeps on the token: enrollsim's `lastUploadError` (the error the admin was
//! shown) in `depOnboardingSettings`.
//!
//! A refused upload leaves the token on its old server token. When that token has expired or
//! was invalidated, its sync fails too (the "Expired or invalid token" row), but that row's
//! fix — renew the token — is exactly what was tried and refused, so a refused upload after
//! the last good sync speaks against naming the row: the upload error is what to fix first
//! (the current article, "Error: An error occurred while uploading the Enrollment Program
//! token", and the token row's own "if renewal fails ... upload a new public key").

use super::{Context, Finding, HintRank, STRONG, TENANT};
use crate::catalog::{Cause, Section};
use crate::dates::parse_rfc3339;
use crate::report::EvidenceItem;

/// How much a refused renewal speaks against the token row it was meant to fix.
const RENEWAL_REFUSED: f64 = 0.5;

pub(super) fn rules(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(tenant) = ctx.tenant else { return };
    for token in &tenant.dep_onboarding_settings {
        let Some(error) = &token.last_upload_error else {
            continue;
        };
        let name = token.token_name.as_deref().unwrap_or("(unnamed)");
        let refused = EvidenceItem::fact(
            TENANT,
            format!(
                "token \"{name}\": the last server token upload was refused at {}: \"{}\"",
                error.date_time, error.message
            ),
        );
        let mut evidence = vec![refused.clone()];
        if let Some(uploaded) = &token.token_uploaded_date_time {
            evidence.push(EvidenceItem::fact(
                TENANT,
                format!("token \"{name}\": the server token in use was uploaded {uploaded}"),
            ));
        }
        out.push(
            Finding::support(Cause::AdeTokenUploadFailed, STRONG, evidence)
                .hint(Section::AdeTokenUploadError, HintRank::Firm),
        );
        let refused_at = parse_rfc3339(&error.date_time);
        let last_good = token
            .last_successful_sync_date_time
            .as_deref()
            .and_then(parse_rfc3339);
        let after_last_good_sync = match (refused_at, last_good) {
            (Some(refused), Some(good)) => refused > good,
            (Some(_), None) => true,
            (None, _) => false,
        };
        if after_last_good_sync && token.last_sync_error.is_some() {
            out.push(Finding::against(
                Cause::AdeTokenExpiredOrInvalid,
                RENEWAL_REFUSED,
                vec![refused],
            ));
        }
    }
}
