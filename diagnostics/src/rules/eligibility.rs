//! Two refusals of the Company Portal's eligibility check that the current article lists and
//! the 2020 one did not: `MdmAuthorityNotDefined` (the tenant has no MDM authority: the admin
//! center shows it as unknown) and `DeviceTypeNotSupported` for a device Intune cannot manage
//! (not iOS/iPadOS, or older than 8.0, as the device reported itself). The same
//! `DeviceTypeNotSupported` code also answers a restriction that blocks the iOS/iPadOS
//! platform, so the code alone is weak: the device's own facts decide.

use super::{find_code, quote, Context, Finding, HintRank, MANIFEST, STRONG, TENANT};
use crate::catalog::{Cause, Section};
use crate::report::EvidenceItem;
use crate::version;

/// The oldest iOS/iPadOS Intune enrolls, per the article's `DeviceTypeNotSupported` row.
const OLDEST_SUPPORTED: &[u64] = &[8, 0];

pub(super) fn rules(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    mdm_authority(ctx, out);
    device_type(ctx, out);
}

fn mdm_authority(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let code = find_code(ctx, "mdmauthoritynotdefined");
    let authority = ctx.tenant.and_then(|t| t.mdm_authority.as_deref());
    if let Some(set) = authority.filter(|a| !a.eq_ignore_ascii_case("unknown")) {
        out.push(Finding::against(
            Cause::MdmAuthorityNotSet,
            0.9,
            vec![EvidenceItem::fact(
                TENANT,
                format!("mdmAuthority is {set}: an MDM authority is set"),
            )],
        ));
        return;
    }
    let mut evidence: Vec<EvidenceItem> = code.iter().map(|(s, l)| quote(s, l)).collect();
    if authority.is_some() {
        evidence.push(EvidenceItem::fact(
            TENANT,
            "mdmAuthority is unknown: no MDM authority has been set for the tenant",
        ));
    }
    let weight = match (code.is_some(), authority.is_some()) {
        (true, true) => 0.95,
        (true, false) => STRONG,
        (false, true) => 0.75,
        (false, false) => return,
    };
    out.push(
        Finding::support(Cause::MdmAuthorityNotSet, weight, evidence)
            .hint(Section::MdmAuthorityNotDefined, HintRank::Firm),
    );
}

/// What the device reported about itself that Intune cannot enroll, if anything; `Some(None)`
/// when the facts are there and show a supported device.
fn unsupported_device(ctx: &Context<'_>) -> Option<Option<String>> {
    let device = ctx.bundle.device()?;
    let platform = device.platform.as_deref();
    let os = device.os_version.as_deref();
    if platform.is_none() && os.is_none() {
        return None;
    }
    if let Some(p) =
        platform.filter(|p| !p.eq_ignore_ascii_case("iOS") && !p.eq_ignore_ascii_case("iPadOS"))
    {
        return Some(Some(format!(
            "the device reports platform {p}, not iOS/iPadOS"
        )));
    }
    let too_old = os
        .and_then(version::parse)
        .filter(|v| version::compare(v, OLDEST_SUPPORTED).is_lt());
    Some(too_old.map(|_| {
        format!(
            "the device reports {} {}, older than 8.0",
            platform.unwrap_or("iOS"),
            os.unwrap_or_default()
        )
    }))
}

fn device_type(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let code = find_code(ctx, "devicetypenotsupported");
    match unsupported_device(ctx) {
        Some(Some(fact)) => {
            let mut evidence = vec![EvidenceItem::fact(MANIFEST, fact)];
            evidence.extend(code.iter().map(|(s, l)| quote(s, l)));
            let weight = if code.is_some() { 0.95 } else { 0.75 };
            out.push(
                Finding::support(Cause::UnsupportedDeviceType, weight, evidence)
                    .hint(Section::DeviceTypeNotSupported, HintRank::Firm),
            );
        }
        Some(None) => out.push(Finding::against(
            Cause::UnsupportedDeviceType,
            0.9,
            vec![EvidenceItem::fact(
                MANIFEST,
                "the device reports iOS/iPadOS 8.0 or later, which Intune supports",
            )],
        )),
        None => {
            if let Some((source, line)) = code {
                out.push(
                    Finding::support(Cause::UnsupportedDeviceType, 0.5, vec![quote(source, line)])
                        .hint(Section::DeviceTypeNotSupported, HintRank::Weak),
                );
            }
        }
    }
}
