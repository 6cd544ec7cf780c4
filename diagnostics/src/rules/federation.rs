//! "Verify WS-Trust 1.3 is enabled": an ADE device with user affinity whose user belongs to a
//! federated domain, and whose federation service does not serve the WS-Trust 1.3
//! Username/Mixed endpoint, cannot enroll.
//!
//! What an admin collects: the sign-in log (the non-interactive sign-in fails with AADSTS50126,
//! the code a wrong password gets too, because Entra ID could not have the password
//! validated), realm discovery for the user (`NameSpaceType: Federated`, the federation
//! service's active endpoint), and `Get-AdfsEndpoint` on the federation server, which the
//! article tells the admin to run. The endpoint's state decides between this cause and a
//! mistyped password; without it, a federated user's 50126 is only a candidate and the
//! collection list asks for it.

use super::{Context, Finding, HintRank, SIGN_INS, STRONG, TENANT};
use crate::bundle::FederatedDomainView;
use crate::catalog::{Cause, Section};
use crate::report::EvidenceItem;

/// AADSTS50126: Entra ID could not validate the credentials.
const CREDENTIALS_NOT_VALIDATED: i64 = 50126;
/// The endpoint the article names.
const USERNAME_MIXED_13: &str = "/adfs/services/trust/13/usernamemixed";
/// How much a federated user's 50126 alone says, before the endpoint's state is known.
const WITHOUT_ENDPOINTS: f64 = 0.45;
/// How much an enabled endpoint speaks against the cause.
const ENDPOINT_ENABLED: f64 = 0.8;

pub(super) fn rules(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let (Some(tenant), Some(upn)) = (ctx.tenant, ctx.upn.as_deref()) else {
        return;
    };
    let Some(domain) = tenant.federated_domains.iter().find(|d| {
        upn.rsplit_once('@')
            .is_some_and(|(_, s)| s.eq_ignore_ascii_case(&d.domain))
    }) else {
        return;
    };
    let federated = EvidenceItem::fact(
        TENANT,
        format!(
            "realm discovery: {} is {} (active sign-in endpoint {})",
            domain.domain,
            domain.name_space_type.as_deref().unwrap_or("federated"),
            domain.federation_active_auth_url.as_deref().unwrap_or("-"),
        ),
    );
    let Some(&(i, failed)) = ctx
        .sign_ins
        .iter()
        .find(|(_, s)| s.status.error_code == CREDENTIALS_NOT_VALIDATED)
    else {
        return;
    };
    let sign_in = EvidenceItem::fact(
        SIGN_INS,
        format!(
            "sign-in {} to {} ({}) failed with AADSTS{CREDENTIALS_NOT_VALIDATED}: {}",
            i + 1,
            failed
                .app_display_name
                .as_deref()
                .unwrap_or("an application"),
            failed
                .client_app_used
                .as_deref()
                .unwrap_or("unknown client"),
            failed
                .status
                .failure_reason
                .as_deref()
                .unwrap_or("credentials not validated"),
        ),
    );
    let mut evidence = vec![sign_in, federated];
    match endpoint_state(domain) {
        Some(false) => {
            evidence.push(EvidenceItem::fact(
                TENANT,
                format!("Get-AdfsEndpoint: {USERNAME_MIXED_13} is disabled"),
            ));
            out.push(
                Finding::support(Cause::WsTrust13EndpointDisabled, STRONG, evidence)
                    .hint(Section::VerifyWsTrust13Enabled, HintRank::Firm),
            );
        }
        Some(true) => out.push(Finding::against(
            Cause::WsTrust13EndpointDisabled,
            ENDPOINT_ENABLED,
            vec![EvidenceItem::fact(
                TENANT,
                format!("Get-AdfsEndpoint: {USERNAME_MIXED_13} is enabled"),
            )],
        )),
        None => out.push(
            Finding::support(
                Cause::WsTrust13EndpointDisabled,
                WITHOUT_ENDPOINTS,
                evidence,
            )
            .hint(Section::VerifyWsTrust13Enabled, HintRank::Weak),
        ),
    }
}

/// Whether `Get-AdfsEndpoint` lists the WS-Trust 1.3 Username/Mixed endpoint as enabled;
/// `None` when it was not collected. A list without the endpoint means it is not served.
fn endpoint_state(domain: &FederatedDomainView) -> Option<bool> {
    let endpoints = domain.endpoints.as_ref()?;
    Some(
        endpoints
            .iter()
            .any(|e| e.enabled && e.address_path.eq_ignore_ascii_case(USERNAME_MIXED_13)),
    )
}
