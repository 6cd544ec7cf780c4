//! Enrollment restrictions and device records: personally owned (or all) iOS/iPadOS devices
//! blocked by the restriction that applies to the user, the user at the device limit, and the
//! device still enrolled to a previous user.
//!
//! The restriction that applies is the one with the lowest priority number among those assigned
//! to one of the user's groups; Default (priority 0, all users) applies last. The device limit
//! defaults to 15 when no limit restriction is present.

use super::{event_fact, find_code, has_any, quote, Context, Finding, HintRank, STRONG, TENANT};
use crate::bundle::{EnrollmentConfiguration, FailureCategory, IosRestriction};
use crate::catalog::{Cause, Section};
use crate::report::EvidenceItem;

/// Intune's default device limit.
const DEFAULT_LIMIT: u32 = 15;

const LIMIT_WORDS: &[&str] = &[
    "limit",
    "maximum number",
    "too many",
    "device cap",
    "devicecapreached",
    "cap reached",
];
const PERSONAL_WORDS: &[&str] = &[
    "personal",
    "ownership",
    "corporate-owned only",
    "corporate owned only",
];
const PLATFORM_WORDS: &[&str] = &[
    "platform",
    "ios/ipados is blocked",
    "ios is blocked",
    "not allowed",
];
const OTHER_USER_WORDS: &[&str] = &[
    "another user",
    "different user",
    "other user",
    "previous user",
    "enrolled to",
    "already enrolled",
    "belongs to",
    "assigned to another",
];

pub(super) fn rules(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    events(ctx, out);
    platform_restriction(ctx, out);
    device_limit(ctx, out);
    previous_user(ctx, out);
}

/// Intune's own verdicts: restrictions enforced, or the device enrolled to someone else.
fn events(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for &(i, e) in &ctx.events {
        let reason = crate::text::fold(e.failure_reason.as_deref().unwrap_or(""));
        let evidence = vec![event_fact(i, e)];
        match e.failure_category {
            Some(FailureCategory::EnrollmentRestrictionsEnforced) => {
                if has_any(&reason, LIMIT_WORDS) {
                    out.push(Finding::support(
                        Cause::DeviceLimitReached,
                        STRONG,
                        evidence,
                    ));
                } else if has_any(&reason, PERSONAL_WORDS) {
                    out.push(Finding::support(
                        Cause::PersonalDevicesBlocked,
                        STRONG,
                        evidence,
                    ));
                } else if has_any(&reason, PLATFORM_WORDS) {
                    out.push(Finding::support(
                        Cause::PersonalDevicesBlocked,
                        0.6,
                        evidence,
                    ));
                } else {
                    out.push(Finding::support(
                        Cause::PersonalDevicesBlocked,
                        0.4,
                        evidence.clone(),
                    ));
                    out.push(Finding::support(Cause::DeviceLimitReached, 0.3, evidence));
                }
            }
            Some(FailureCategory::Authorization) => {
                let weight = if has_any(&reason, OTHER_USER_WORDS) {
                    0.75
                } else {
                    0.35
                };
                out.push(Finding::support(
                    Cause::PreviousUserNotRemoved,
                    weight,
                    evidence,
                ));
            }
            _ => {}
        }
    }
}

fn ios_restriction(
    c: &EnrollmentConfiguration,
) -> Option<&crate::bundle::PlatformRestrictionsConfiguration> {
    match c {
        EnrollmentConfiguration::PlatformRestrictions(p) => Some(p),
        _ => None,
    }
}

/// The platform restriction that applies to the user blocks iOS/iPadOS or personal devices.
fn platform_restriction(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    if ctx.is_ade() {
        out.push(Finding::against(
            Cause::PersonalDevicesBlocked,
            0.7,
            vec![EvidenceItem::fact(
                super::MANIFEST,
                "enrollment_type = ade: ADE devices enroll as corporate-owned",
            )],
        ));
        return;
    }
    let Some(tenant) = ctx.tenant else { return };
    let corporate = ctx.serial.as_deref().is_some_and(|serial| {
        tenant
            .imported_device_identities
            .iter()
            .any(|i| i.imported_device_identifier.eq_ignore_ascii_case(serial))
    });
    if corporate {
        out.push(Finding::against(
            Cause::PersonalDevicesBlocked,
            0.7,
            vec![EvidenceItem::fact(
                TENANT,
                "importedDeviceIdentities lists the device's serial number: it enrolls as corporate-owned",
            )],
        ));
    }
    let Some((config, priority, is_default)) = ctx.effective_restriction(ios_restriction) else {
        if !tenant.device_enrollment_configurations.is_empty() {
            out.push(Finding::against(Cause::PersonalDevicesBlocked, 0.4, vec![]));
        }
        return;
    };
    let which = if is_default {
        format!(
            "the Default platform restriction \"{}\" (priority 0)",
            config.display_name
        )
    } else {
        format!("platform restriction \"{}\" (priority {priority}, assigned to one of the user's groups)", config.display_name)
    };
    // Without the user, only Default is known to apply; a group restriction may override it.
    let weight = if ctx.user.is_some() { 0.75 } else { 0.5 };
    let ios = config.ios_restriction.clone().unwrap_or_default();
    match ios {
        IosRestriction { platform_blocked: true, .. } => out.push(Finding::support(
            Cause::PersonalDevicesBlocked,
            weight,
            vec![EvidenceItem::fact(TENANT, format!("{which} blocks the iOS/iPadOS platform"))],
        )),
        IosRestriction { personal_device_enrollment_blocked: true, .. } if !corporate => out.push(Finding::support(
            Cause::PersonalDevicesBlocked,
            weight,
            vec![EvidenceItem::fact(
                TENANT,
                format!("{which} blocks personally owned iOS/iPadOS devices, and a BYOD device enrolls as personal"),
            )],
        )),
        // Blocked for personal devices, but this device is corporate (reported above).
        IosRestriction { personal_device_enrollment_blocked: true, .. } => {}
        _ => out.push(Finding::against(
            Cause::PersonalDevicesBlocked,
            if ctx.user.is_some() { 0.85 } else { 0.5 },
            vec![EvidenceItem::fact(TENANT, format!("{which} allows personally owned iOS/iPadOS devices"))],
        )),
    }
}

fn limit_config(c: &EnrollmentConfiguration) -> Option<&crate::bundle::DeviceLimitConfiguration> {
    match c {
        EnrollmentConfiguration::Limit(l) => Some(l),
        _ => None,
    }
}

/// The user's enrolled devices against the limit that applies, and the DeviceCapReached code.
///
/// The admin center's `managedDevices` does not show every record that counts toward the limit;
/// the Company Portal website's device list (collected by the user) does. Under the limit by
/// `managedDevices` alone therefore speaks only weakly against the limit until that list is in.
fn device_limit(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    if let Some((source, line)) = find_code(ctx, "devicecapreached") {
        out.push(
            Finding::support(Cause::DeviceLimitReached, 0.85, vec![quote(source, line)])
                .hint(Section::DeviceCapReached, HintRank::Weak),
        );
    }
    let (Some(tenant), Some(user)) = (ctx.tenant, ctx.user) else {
        return;
    };
    let managed = users_managed_devices(ctx, tenant, user.user_principal_name.trim());
    let portal = ctx.bundle.company_portal_devices.as_deref().map(<[_]>::len);
    let count = managed.max(portal.unwrap_or(0) as u64);
    let (limit, which) = applying_limit(ctx);
    let fact = match portal {
        Some(listed) => format!(
            "the user has {count} enrolled device(s) (managedDevices lists {managed}, the Company Portal website lists {listed}); the limit that applies is {which}"
        ),
        None => format!(
            "the user has {count} enrolled device(s) in managedDevices (the Company Portal website's list was not collected); the limit that applies is {which}"
        ),
    };
    let evidence = vec![EvidenceItem::fact(TENANT, fact)];
    if count >= u64::from(limit) {
        out.push(Finding::support(
            Cause::DeviceLimitReached,
            STRONG,
            evidence,
        ));
    } else if portal.is_some() {
        out.push(Finding::against(Cause::DeviceLimitReached, 0.85, evidence));
    } else {
        // Records only the website shows may make up the difference: not a verdict either way,
        // but enough doubt that a code alone does not decide the case.
        out.push(Finding::against(Cause::DeviceLimitReached, 0.4, evidence));
    }
}

/// How many of `upn`'s devices (other than this one) the admin center lists.
fn users_managed_devices(ctx: &Context<'_>, tenant: &crate::bundle::TenantView, upn: &str) -> u64 {
    tenant
        .managed_devices
        .iter()
        .filter(|d| {
            d.user_principal_name
                .as_deref()
                .is_some_and(|u| u.trim().eq_ignore_ascii_case(upn))
        })
        .filter(|d| match (&ctx.serial, d.serial_number.as_deref()) {
            (Some(mine), Some(theirs)) => !theirs.trim().eq_ignore_ascii_case(mine),
            _ => true,
        })
        .count() as u64
}

/// The device limit that applies to the user, and how to name it.
fn applying_limit(ctx: &Context<'_>) -> (u32, String) {
    match ctx.effective_restriction(limit_config) {
        Some((l, _, true)) => (
            l.limit,
            format!("the Default device limit restriction ({})", l.limit),
        ),
        Some((l, p, false)) => (
            l.limit,
            format!(
                "device limit restriction \"{}\" (priority {p}): {}",
                l.display_name, l.limit
            ),
        ),
        None => (
            DEFAULT_LIMIT,
            format!("no device limit restriction, so the default of {DEFAULT_LIMIT}"),
        ),
    }
}

/// The device's serial number is enrolled under another user.
fn previous_user(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let (Some(tenant), Some(serial), Some(upn)) = (ctx.tenant, &ctx.serial, &ctx.upn) else {
        return;
    };
    let records: Vec<_> = tenant
        .managed_devices
        .iter()
        .filter(|d| {
            d.serial_number
                .as_deref()
                .is_some_and(|s| s.trim().eq_ignore_ascii_case(serial))
        })
        .collect();
    let other = records.iter().find(|d| {
        d.user_principal_name
            .as_deref()
            .is_some_and(|u| !u.trim().is_empty() && !u.trim().eq_ignore_ascii_case(upn))
    });
    match other {
        Some(d) => out.push(Finding::support(
            Cause::PreviousUserNotRemoved,
            STRONG,
            vec![EvidenceItem::fact(
                TENANT,
                format!(
                    "managedDevices lists this device's serial number under a different user ({})",
                    d.user_principal_name.as_deref().unwrap_or_default()
                ),
            )],
        )),
        None if records.is_empty() => out.push(Finding::against(
            Cause::PreviousUserNotRemoved,
            0.4,
            vec![EvidenceItem::fact(
                TENANT,
                "managedDevices has no record of this device's serial number",
            )],
        )),
        None => {}
    }
}
