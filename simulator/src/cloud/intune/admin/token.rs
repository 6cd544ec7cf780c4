//! How the admin API judges a request's bearer token, as Microsoft Graph does: the token must be
//! one Entra issued, unexpired at the virtual time, for Graph in the public cloud (its audience
//! and its issuer's cloud), and carry an Intune permission.
//!
//! Graph's answers (Microsoft Graph, "Resolve Microsoft Graph authorization errors",
//! <https://learn.microsoft.com/graph/resolve-auth-errors>: a missing, invalid or expired token
//! is 401, a token without the permission 403; "Microsoft Graph error responses",
//! <https://learn.microsoft.com/graph/errors>, for the shape). The texts are those Graph sends:
//! `InvalidAuthenticationToken` with "Access token is empty or invalid." and "Access token
//! validation failure. Invalid audience." (or "... Invalid issuer."); an expired token's
//! "Lifetime validation failed, the token is expired." is the token validator's (IDX10223,
//! Microsoft.IdentityModel); a token without the permission gets Graph's directory refusal,
//! `Authorization_RequestDenied`, "Insufficient privileges to complete the operation."

use hyper::StatusCode;

use super::graph_error;
use crate::cloud::entra::{bearer_token, Cloud, GRAPH_AUDIENCE};
use crate::cloud::intune::IntuneService;
use crate::net::{Request, Response};

/// The cloud the world's admin API (`graph.microsoft.com`) belongs to.
const GRAPH_CLOUD: Cloud = Cloud::Public;

/// Application permissions whose names start so are Intune's (`DeviceManagement*`).
const INTUNE_PERMISSION_PREFIX: &str = "DeviceManagement";

/// Why a token is refused, before it is rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    Missing,
    Expired,
    WrongAudience,
    WrongIssuer,
    NoIntunePermission,
}

impl Refusal {
    fn status(self) -> StatusCode {
        match self {
            Refusal::NoIntunePermission => StatusCode::FORBIDDEN,
            _ => StatusCode::UNAUTHORIZED,
        }
    }

    fn code(self) -> &'static str {
        match self {
            Refusal::NoIntunePermission => "Authorization_RequestDenied",
            _ => "InvalidAuthenticationToken",
        }
    }

    fn message(self) -> &'static str {
        match self {
            Refusal::Missing => "Access token is empty or invalid.",
            Refusal::Expired => "Lifetime validation failed, the token is expired.",
            Refusal::WrongAudience => "Access token validation failure. Invalid audience.",
            Refusal::WrongIssuer => "Access token validation failure. Invalid issuer.",
            Refusal::NoIntunePermission => "Insufficient privileges to complete the operation.",
        }
    }
}

/// `Ok` when `request` carries a token the admin API accepts now; otherwise Graph's refusal.
pub(super) fn judge(service: &IntuneService, request: &Request) -> Result<(), Response> {
    refusal(service, request).map_or(Ok(()), |refusal| {
        Err(graph_error(
            service,
            refusal.status(),
            refusal.code(),
            refusal.message(),
        ))
    })
}

fn refusal(service: &IntuneService, request: &Request) -> Option<Refusal> {
    let Some(presented) = bearer_token(request) else {
        return Some(Refusal::Missing);
    };
    let now = service.clock.now();
    let directory = service.directory();
    let Some(token) = directory.tokens.get(&presented) else {
        return Some(Refusal::Missing);
    };
    if token.expires_at <= now {
        return Some(Refusal::Expired);
    }
    if token.audience != GRAPH_AUDIENCE {
        return Some(Refusal::WrongAudience);
    }
    if token.cloud != GRAPH_CLOUD {
        return Some(Refusal::WrongIssuer);
    }
    if !token
        .roles
        .iter()
        .any(|r| r.starts_with(INTUNE_PERMISSION_PREFIX))
    {
        return Some(Refusal::NoIntunePermission);
    }
    None
}
