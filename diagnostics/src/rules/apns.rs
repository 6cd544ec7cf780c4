//! The Apple MDM push certificate: missing, expired past Apple's 30-day grace period or not
//! active (invalid), or expired within the grace period or rejected by Apple's push service
//! (needs renewal). Read from the tenant's certificate, judged against the collection time, and
//! from the codes the service returns (`NoEnrollmentPolicy`, `AccountNotOnboarded`,
//! `APNSCertificateNotValid`), and from a device refusing a profile that has no push topic.

use super::{find_code, has_any, quote, Context, Finding, HintRank, MANIFEST, STRONG, TENANT};
use crate::bundle::{AffectedUsers, ApnsCertificateView};
use crate::catalog::{Cause, Section};
use crate::dates::{parse_rfc3339, DAY};
use crate::report::EvidenceItem;

/// Apple keeps an expired push certificate renewable for this long.
const GRACE_DAYS: i64 = 30;

const PUSH_HOSTS: &[&str] = &[
    "apns",
    "push notification",
    "push.apple.com",
    "push service",
];
const TLS_WORDS: &[&str] = &["handshake", "tls", "ssl", "certificate", "badcertificate"];
const FAIL_WORDS: &[&str] = &[
    "fail", "error", "reject", "expired", "revoked", "invalid", "alert", "bad",
];

pub(super) fn rules(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let rejected = push_rejected(ctx, out);
    if let Some(tenant) = ctx.tenant {
        match &tenant.apple_push_notification_certificate {
            None => {
                let fact = vec![EvidenceItem::fact(
                    TENANT,
                    "applePushNotificationCertificate is not configured (null)",
                )];
                out.push(Finding::support(
                    Cause::ApnsCertificateMissing,
                    0.85,
                    fact.clone(),
                ));
                out.push(Finding::against(
                    Cause::ApnsCertificateInvalid,
                    0.9,
                    fact.clone(),
                ));
                out.push(Finding::against(
                    Cause::ApnsCertificateNeedsRenewal,
                    0.9,
                    fact,
                ));
            }
            Some(cert) => certificate(ctx, cert, rejected, out),
        }
    }
    codes(ctx, out);
    scope(ctx, out);
}

/// The push certificate is the tenant's: when it fails, it fails every user's enrollment. A
/// report that other users enroll fine speaks against it.
fn scope(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    if ctx.bundle.affected_users() != Some(AffectedUsers::Some) {
        return;
    }
    let fact = vec![EvidenceItem::fact(
        MANIFEST,
        "user_report.affected_users is some: other users enroll, so a tenant-wide cause is unlikely",
    )];
    for cause in [
        Cause::ApnsCertificateMissing,
        Cause::ApnsCertificateInvalid,
        Cause::ApnsCertificateNeedsRenewal,
    ] {
        out.push(Finding::against(cause, 0.6, fact.clone()));
    }
}

fn certificate(
    ctx: &Context<'_>,
    cert: &ApnsCertificateView,
    rejected: bool,
    out: &mut Vec<Finding>,
) {
    let status = cert
        .certificate_upload_status
        .as_deref()
        .map(str::trim)
        .unwrap_or("");
    let active = status.is_empty() || status.eq_ignore_ascii_case("active");
    let expiry = cert.expiration_date_time.as_deref().and_then(parse_rfc3339);
    out.push(Finding::against(
        Cause::ApnsCertificateMissing,
        0.95,
        vec![EvidenceItem::fact(
            TENANT,
            "an Apple MDM push certificate is configured",
        )],
    ));
    let expired_for = match (expiry, ctx.now) {
        (Some(exp), Some(now)) => Some(now - exp),
        _ => None,
    };
    let shown = cert.expiration_date_time.as_deref().unwrap_or("?");
    match expired_for {
        Some(age) if age > GRACE_DAYS * DAY => past_grace_period(shown, age, out),
        Some(age) if age > 0 => within_grace_period(shown, age, out),
        Some(age) if !active => inactive_before_expiry(status, age, out),
        Some(age) => active_and_valid(shown, age, rejected, out),
        None if !active => inactive_without_expiry(status, out),
        None => {}
    }
}

/// Expired longer ago than Apple's grace period: only a new certificate helps.
fn past_grace_period(shown: &str, age: i64, out: &mut Vec<Finding>) {
    let fact = EvidenceItem::fact(
        TENANT,
        format!(
            "applePushNotificationCertificate.expirationDateTime = {shown} ({} before collection, past the {GRACE_DAYS}-day grace period)",
            super::span(age)
        ),
    );
    out.push(Finding::support(
        Cause::ApnsCertificateInvalid,
        0.85,
        vec![fact.clone()],
    ));
    out.push(Finding::against(
        Cause::ApnsCertificateNeedsRenewal,
        0.5,
        vec![fact],
    ));
}

/// Expired within the grace period: renewing it is the fix.
fn within_grace_period(shown: &str, age: i64, out: &mut Vec<Finding>) {
    let fact = EvidenceItem::fact(
        TENANT,
        format!(
            "applePushNotificationCertificate.expirationDateTime = {shown} ({} before collection, within the {GRACE_DAYS}-day grace period)",
            super::span(age)
        ),
    );
    out.push(Finding::support(
        Cause::ApnsCertificateNeedsRenewal,
        STRONG,
        vec![fact.clone()],
    ));
    out.push(Finding::against(
        Cause::ApnsCertificateInvalid,
        0.5,
        vec![fact],
    ));
}

/// Not expired, yet the tenant does not show it as active.
fn inactive_before_expiry(status: &str, age: i64, out: &mut Vec<Finding>) {
    let fact = EvidenceItem::fact(
        TENANT,
        format!(
            "applePushNotificationCertificate.certificateUploadStatus = {status} (expires {} after collection)",
            super::span(age)
        ),
    );
    out.push(Finding::support(
        Cause::ApnsCertificateInvalid,
        0.7,
        vec![fact],
    ));
}

/// Active and not expired: speaks against both causes (against renewal only if APNs did not
/// refuse it).
fn active_and_valid(shown: &str, age: i64, rejected: bool, out: &mut Vec<Finding>) {
    let fact = EvidenceItem::fact(
        TENANT,
        format!(
            "applePushNotificationCertificate is active and expires {} after collection ({shown})",
            super::span(age)
        ),
    );
    out.push(Finding::against(
        Cause::ApnsCertificateInvalid,
        0.9,
        vec![fact.clone()],
    ));
    if !rejected {
        out.push(Finding::against(
            Cause::ApnsCertificateNeedsRenewal,
            0.9,
            vec![fact],
        ));
    }
}

/// No readable expiry, and not shown as active: weak support for both causes.
fn inactive_without_expiry(status: &str, out: &mut Vec<Finding>) {
    let fact = vec![EvidenceItem::fact(
        TENANT,
        format!("applePushNotificationCertificate.certificateUploadStatus = {status}"),
    )];
    out.push(Finding::support(
        Cause::ApnsCertificateInvalid,
        0.45,
        fact.clone(),
    ));
    out.push(Finding::support(
        Cause::ApnsCertificateNeedsRenewal,
        0.35,
        fact,
    ));
}

/// Codes the service returns when the push certificate is missing or unusable, and the device's
/// refusal of an enrollment profile without a push topic.
fn codes(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    if let Some(l) = ctx.device_lines.iter().find(|l| {
        l.folded.contains("topic")
            && l.has_any(&["is missing", "required field"])
            && !l.has_any(&["differ", "does not match"])
    }) {
        out.push(Finding::support(
            Cause::ApnsCertificateMissing,
            0.5,
            vec![quote(super::DEVICE_LOG, l)],
        ));
    }
    let no_policy = find_code(ctx, "noenrollmentpolicy")
        .map(|(s, l)| quote(s, l))
        .or_else(|| {
            ctx.events.iter().find_map(|&(i, e)| {
                let reason = e.failure_reason.as_deref().unwrap_or("").to_lowercase();
                (reason.contains("noenrollmentpolicy") || reason.contains("no enrollment policy"))
                    .then(|| super::event_fact(i, e))
            })
        });
    if let Some(item) = no_policy {
        for cause in [Cause::ApnsCertificateMissing, Cause::ApnsCertificateInvalid] {
            out.push(
                Finding::support(cause, 0.5, vec![item.clone()])
                    .hint(Section::NoEnrollmentPolicy, HintRank::Weak),
            );
        }
    }
    if let Some((source, line)) = find_code(ctx, "accountnotonboarded") {
        out.push(
            Finding::support(
                Cause::ApnsCertificateNeedsRenewal,
                STRONG,
                vec![quote(source, line)],
            )
            .hint(Section::AccountNotOnboarded, HintRank::Firm),
        );
    }
    if let Some((source, line)) = find_code(ctx, "apnscertificatenotvalid") {
        // The current article has a row for the code, whose message names both of its causes
        // (setup not completed: no certificate; or expired) alike: which one, only the
        // tenant's certificate tells, so the code itself favours neither.
        out.push(Finding::support(
            Cause::ApnsCertificateNeedsRenewal,
            0.3,
            vec![quote(source, line)],
        ));
    }
}

/// Apple's push service refused the certificate (a TLS handshake failure to APNs).
fn push_rejected(ctx: &Context<'_>, out: &mut Vec<Finding>) -> bool {
    let rejected =
        |t: &str| has_any(t, PUSH_HOSTS) && has_any(t, TLS_WORDS) && has_any(t, FAIL_WORDS);
    let item = ctx
        .log_lines()
        .find(|(_, l)| rejected(&l.folded))
        .map(|(s, l)| quote(s, l))
        .or_else(|| {
            ctx.events.iter().find_map(|&(i, e)| {
                let reason = crate::text::fold(e.failure_reason.as_deref().unwrap_or(""));
                rejected(&reason).then(|| super::event_fact(i, e))
            })
        });
    let found = item.is_some();
    if let Some(item) = item {
        out.push(Finding::support(
            Cause::ApnsCertificateNeedsRenewal,
            0.6,
            vec![item],
        ));
    }
    found
}
