//! HTTP endpoints of Entra ID: `POST /{tenant}/oauth2/v2.0/token` and device registration.
//!
//! The token endpoint takes the resource-owner password grant. It stands in for the interactive
//! sign-in page: a client that can show Microsoft's MFA prompt (the Company Portal, Setup
//! Assistant with modern authentication) adds `mfa=approved` once the user has approved the
//! prompt; a client that cannot (legacy Setup Assistant authentication) never does, which is
//! why MFA makes it fail (the article's "ADE enrollment stuck at user login"). For a user of a
//! federated domain the password is not Entra's to check: it goes to the domain's federation
//! service over WS-Trust 1.3 ([`super::federation`]), and realm discovery
//! (`/common/userrealm/{upn}`) says where that is. Errors have the
//! real shape: `error`, `error_description` starting with the AADSTS code, `error_codes`,
//! `timestamp`, `trace_id`, `correlation_id`, `error_uri` (Microsoft identity platform, "Error
//! codes": <https://learn.microsoft.com/entra/identity-platform/reference-error-codes>).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use hyper::{Method, StatusCode};
use time::{Duration, OffsetDateTime};

use super::conditional_access::{self, Evaluation, GrantControl, SignInContext};
use super::federation::{assertion_upn, username_mixed_request};
use super::state::{
    Cloud, EntraState, EntraUser, IssuedToken, RegisteredDevice, SignInRecord, SignInStatus,
};
use super::{
    GOVERNMENT_LOGIN_HOST, GOVERNMENT_REGISTRATION_HOST, INTUNE_ENROLLMENT_APP_ID,
    REGISTRATION_HOST,
};
use crate::clock::{rfc3339, VirtualClock};
use crate::cloud::form;
use crate::net::client::{HttpsClient, OutgoingRequest};
use crate::net::{BoxFuture, Handler, Request, Response};
use crate::recorder::{Entry, Happening, Recorder};
use crate::rng::SeededRng;
use crate::wire::entra::{
    DeviceRegistrationRequest, DeviceRegistrationResponse, OAuthError, RegisteredUser,
    RegistrationError, TokenError, TokenResponse,
};

/// The Entra ID service of a world.
#[derive(Clone, Debug)]
pub struct EntraService {
    state: Arc<Mutex<EntraState>>,
    clock: VirtualClock,
    rng: SeededRng,
    recorder: Recorder,
    /// How Entra ID reaches a federated domain's federation service.
    outbound: Option<HttpsClient>,
}

/// An AADSTS failure, before it is rendered.
struct Aadsts {
    status: StatusCode,
    error: &'static str,
    code: u32,
    text: String,
}

impl EntraService {
    /// The service over `state`.
    pub fn new(
        state: Arc<Mutex<EntraState>>,
        clock: VirtualClock,
        rng: SeededRng,
        recorder: Recorder,
    ) -> Self {
        EntraService {
            state,
            clock,
            rng,
            recorder,
            outbound: None,
        }
    }

    /// The service, able to call federation services through `client`.
    #[must_use]
    pub fn with_outbound(mut self, client: HttpsClient) -> Self {
        self.outbound = Some(client);
        self
    }

    /// The shared directory.
    pub fn state(&self) -> Arc<Mutex<EntraState>> {
        self.state.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, EntraState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn note(&self, text: String) {
        self.recorder.record(Entry {
            at: self.clock.now(),
            device: None,
            what: Happening::Note {
                party: "Entra ID".into(),
                text,
            },
        });
    }

    fn aadsts_response(&self, failure: &Aadsts, correlation_id: &str) -> Response {
        let trace_id = self.rng.uuid_lower();
        let now = rfc3339(self.clock.now());
        let description = format!(
            "AADSTS{}: {}\r\nTrace ID: {}\r\nCorrelation ID: {}\r\nTimestamp: {}",
            failure.code, failure.text, trace_id, correlation_id, now
        );
        let body = TokenError {
            correlation_id: correlation_id.to_string(),
            error: failure.error.to_string(),
            error_codes: vec![failure.code],
            error_description: description,
            error_uri: format!(
                "https://login.microsoftonline.com/error?code={}",
                failure.code
            ),
            timestamp: now,
            trace_id,
        };
        Response::json(failure.status, &body)
    }

    async fn token(&self, request: &Request) -> Response {
        let cloud = if request.host == GOVERNMENT_LOGIN_HOST {
            Cloud::Government
        } else {
            Cloud::Public
        };
        let params = form::decode(&request.body);
        let correlation_id = request
            .header("client-request-id")
            .map(str::to_string)
            .unwrap_or_else(|| self.rng.uuid_lower());
        if params.get("grant_type").map(String::as_str) == Some("client_credentials") {
            return self.client_credentials(&params, cloud, &correlation_id);
        }
        let grant = match password_grant(request, &params) {
            Ok(grant) => grant,
            Err(failure) => return self.aadsts_response(&failure, &correlation_id),
        };
        let span = tracing::debug_span!(
            "entra_token",
            ?cloud,
            upn = grant.username,
            client_id = grant.client_id
        );
        let federated = self.federated_password_check(&grant).await;
        let _entered = span.enter();
        let now = self.clock.now();
        let mut state = self.lock();
        let (outcome, evaluation) = match authenticate(&state, &grant, cloud, federated) {
            Ok(user) => conditional_access(&state, user, &grant, &params),
            Err(failure) => (Err(failure), Evaluation::default()),
        };
        let attempt = Attempt {
            cloud,
            at: now,
            correlation_id: &correlation_id,
            evaluation: &evaluation,
        };
        record_sign_in(&mut state, &grant, &outcome, &attempt);
        match outcome {
            Err(failure) => {
                drop(state);
                tracing::debug!(code = failure.code, "sign-in refused");
                self.note(format!(
                    "sign-in of {} failed: AADSTS{}",
                    grant.username, failure.code
                ));
                self.aadsts_response(&failure, &correlation_id)
            }
            Ok(user) => {
                let access_token = format!("eyJ0eXAiOiJKV1Qi.{}", self.rng.hex(24));
                state.tokens.insert(
                    access_token.clone(),
                    IssuedToken {
                        user_id: user.id.clone(),
                        client_id: grant.client_id.to_string(),
                        expires_at: now + Duration::hours(1),
                        mfa_satisfied: grant.mfa_approved,
                        cloud,
                        audience: audience_of_scope(
                            params.get("scope").map(String::as_str).unwrap_or(""),
                        ),
                        roles: Vec::new(),
                    },
                );
                drop(state);
                tracing::debug!("token issued");
                let body = TokenResponse {
                    access_token,
                    expires_in: 3599,
                    ext_expires_in: 3599,
                    scope: params.get("scope").cloned().unwrap_or_default(),
                    token_type: "Bearer".into(),
                };
                Response::json(StatusCode::OK, &body)
            }
        }
    }

    /// The client credentials grant (`grant_type=client_credentials`): an app registered in
    /// the tenant signs in as itself with its secret and gets an app-only token for the
    /// resource its `.default` scope names, carrying the application permissions it was
    /// granted, issued by the cloud whose sign-in host received the request. Refusals are the
    /// identity platform's: AADSTS700016 for an app the directory does not hold, AADSTS7000215
    /// for a wrong secret (Microsoft identity platform, "Error codes", as above).
    fn client_credentials(
        &self,
        params: &BTreeMap<String, String>,
        cloud: Cloud,
        correlation_id: &str,
    ) -> Response {
        match self.issue_app_token(params, cloud) {
            Ok(body) => Response::json(StatusCode::OK, &body),
            Err(failure) => self.aadsts_response(&failure, correlation_id),
        }
    }

    /// An app-only token for the client credentials in `params`, or the AADSTS refusal.
    fn issue_app_token(
        &self,
        params: &BTreeMap<String, String>,
        cloud: Cloud,
    ) -> Result<TokenResponse, Aadsts> {
        let client_id = params.get("client_id").map(String::as_str).unwrap_or("");
        let scope = params.get("scope").cloned().unwrap_or_default();
        let mut state = self.lock();
        let Some(app) = state
            .apps
            .iter()
            .find(|a| a.client_id == client_id)
            .cloned()
        else {
            return Err(Aadsts {
                status: StatusCode::BAD_REQUEST,
                error: "unauthorized_client",
                code: 700016,
                text: format!("Application with identifier '{client_id}' was not found in the directory '{}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.", state.tenant_id),
            });
        };
        if params.get("client_secret") != Some(&app.client_secret) {
            return Err(Aadsts {
                status: StatusCode::UNAUTHORIZED,
                error: "invalid_client",
                code: 7000215,
                text: format!("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."),
            });
        }
        let access_token = format!("eyJ0eXAiOiJKV1Qi.{}", self.rng.hex(24));
        let token = IssuedToken {
            user_id: app.client_id.clone(),
            client_id: app.client_id.clone(),
            expires_at: self.clock.now() + Duration::hours(1),
            mfa_satisfied: false,
            cloud,
            audience: audience_of_scope(&scope),
            roles: app.roles.clone(),
        };
        state.tokens.insert(access_token.clone(), token);
        Ok(TokenResponse {
            access_token,
            expires_in: 3599,
            ext_expires_in: 3599,
            scope,
            token_type: "Bearer".into(),
        })
    }

    /// For a user of a federated domain, whether the federation service accepted the password;
    /// `None` for a managed domain, whose passwords Entra ID checks itself. A client that shows
    /// the sign-in page (the Company Portal, Setup Assistant's modern authentication: the
    /// grants that carry the user's interactive approval) is redirected to the federation
    /// service's passive sign-in page, where the user types the password; a non-interactive
    /// client's password (legacy Setup Assistant, through Intune) goes to the domain's active
    /// endpoint, WS-Trust 1.3 Username/Mixed. No answer, an error status or a fault instead of
    /// an assertion all mean the password could not be validated.
    async fn federated_password_check(&self, grant: &PasswordGrant<'_>) -> Option<bool> {
        let (active, passive) = self
            .lock()
            .federation_of(grant.username)
            .map(|d| (d.active_sign_in_uri.clone(), d.passive_sign_in_uri.clone()))?;
        let client = self.outbound.as_ref()?;
        let request = if grant.mfa_approved {
            let form = form::encode(&[
                ("UserName", grant.username),
                ("Password", grant.password),
                ("AuthMethod", "FormsAuthentication"),
            ]);
            outgoing(&passive)?.body("application/x-www-form-urlencoded", form)
        } else {
            let envelope = username_mixed_request(&active, grant.username, grant.password);
            outgoing(&active)?.body("application/soap+xml; charset=utf-8", envelope)
        };
        let accepted = match client.send(request).await {
            Ok(r) if r.status == StatusCode::OK => assertion_upn(&String::from_utf8_lossy(&r.body))
                .is_some_and(|upn| upn.eq_ignore_ascii_case(grant.username)),
            Ok(r) => {
                tracing::debug!(status = r.status.as_u16(), "federation service refused");
                false
            }
            Err(e) => {
                tracing::debug!(error = %e, "federation service unreachable");
                false
            }
        };
        Some(accepted)
    }

    /// Realm discovery (`GET /common/userrealm/{upn}?api-version=2.0`): whether the user's
    /// domain is managed or federated and, when federated, where its federation service's
    /// metadata and active endpoint are — what a client reads before sending credentials.
    fn user_realm(&self, upn: &str) -> Response {
        let upn = percent_encoding::percent_decode_str(upn).decode_utf8_lossy();
        let domain = upn.rsplit_once('@').map_or("", |(_, d)| d).to_string();
        let state = self.lock();
        let realm = match state.federation_of(&upn) {
            Some(f) => UserRealm {
                name_space_type: "Federated".into(),
                login: upn.to_string(),
                domain_name: domain,
                federation_protocol: Some("WSTrust".into()),
                federation_metadata_url: Some(f.metadata_exchange_uri.clone()),
                federation_active_auth_url: Some(f.active_sign_in_uri.clone()),
                cloud_instance_name: "microsoftonline.com".into(),
            },
            None => UserRealm {
                name_space_type: if state.domain.eq_ignore_ascii_case(&domain) {
                    "Managed".into()
                } else {
                    "Unknown".into()
                },
                login: upn.to_string(),
                domain_name: domain,
                federation_protocol: None,
                federation_metadata_url: None,
                federation_active_auth_url: None,
                cloud_instance_name: "microsoftonline.com".into(),
            },
        };
        Response::json(StatusCode::OK, &realm)
    }

    /// Device registration (workplace join): `POST /EnrollmentServer/device/`.
    ///
    /// The Company Portal sends the device's display name, OS version and the public half of
    /// the key pair it keeps in its keychain ([MS-DVRJ]'s `TransportKey`). An app that cannot
    /// read its key sends none, which the service rejects, and the user sees "Workplace Join
    /// failed". The per-user registration quota
    /// applies here (Entra's limit, separate from Intune's device limit).
    fn register_device(&self, request: &Request) -> Response {
        let now = self.clock.now();
        let Some(token) = bearer_token(request) else {
            return registration_error(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "error_missing_token",
                "The request carries no bearer token.",
            );
        };
        let body = match DeviceRegistrationRequest::from_json(&request.body) {
            Ok(v) => v,
            Err(e) => {
                return registration_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "error_malformed_body",
                    &format!("The registration request is not valid JSON: {e}."),
                )
            }
        };
        let mut state = self.lock();
        let Some(issued) = state.validate_token(&token, now).cloned() else {
            return registration_error(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "error_invalid_token",
                "The bearer token is invalid or expired.",
            );
        };
        if body.transport_key.len() < 16 {
            return registration_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "error_missing_transport_key",
                "The registration request has no valid transport key.",
            );
        }
        let owned = state.registered_device_count(&issued.user_id);
        if owned >= state.device_quota {
            return registration_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "error_device_quota_exceeded",
                &format!(
                    "The user has registered {owned} devices, the maximum the directory allows."
                ),
            );
        }
        let device_id = self.rng.uuid_lower();
        state.devices.push(RegisteredDevice {
            device_id: device_id.clone(),
            user_id: issued.user_id.clone(),
            display_name: body.device_display_name,
            os_version: body.os_version,
            registered_at: now,
        });
        let answer = DeviceRegistrationResponse {
            device_id,
            user: RegisteredUser {
                object_id: issued.user_id,
            },
        };
        Response::json(StatusCode::OK, &answer)
    }
}

/// A POST to an `https://host/path` URL.
fn outgoing(url: &str) -> Option<OutgoingRequest> {
    let (host, path) = url.strip_prefix("https://")?.split_once('/')?;
    Some(OutgoingRequest::new(
        Method::POST,
        host,
        &format!("/{path}"),
    ))
}

/// Realm discovery's answer (the shape of `login.microsoftonline.com/common/userrealm`).
#[derive(serde::Serialize)]
struct UserRealm {
    #[serde(rename = "NameSpaceType")]
    name_space_type: String,
    #[serde(rename = "Login")]
    login: String,
    #[serde(rename = "DomainName")]
    domain_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    federation_protocol: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    federation_metadata_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    federation_active_auth_url: Option<String>,
    cloud_instance_name: String,
}

/// A resource-owner password grant, as the token endpoint read it from the form.
struct PasswordGrant<'a> {
    username: &'a str,
    password: &'a str,
    client_id: &'a str,
    app_name: String,
    client_app: String,
    mfa_approved: bool,
}

/// Reads the password grant of a token request, or the AADSTS error for a request that is not
/// one.
fn password_grant<'a>(
    request: &Request,
    params: &'a BTreeMap<String, String>,
) -> Result<PasswordGrant<'a>, Aadsts> {
    let grant = params.get("grant_type").map(String::as_str);
    if request.media_type().as_deref() != Some("application/x-www-form-urlencoded") {
        return Err(Aadsts {
            status: StatusCode::BAD_REQUEST,
            error: "invalid_request",
            code: 900144,
            text: "The request body must be application/x-www-form-urlencoded.".into(),
        });
    }
    if grant != Some("password") {
        return Err(Aadsts {
            status: StatusCode::BAD_REQUEST,
            error: "unsupported_grant_type",
            code: 70003,
            text: format!(
                "The app requested an unsupported grant type '{}'.",
                grant.unwrap_or("")
            ),
        });
    }
    let (Some(username), Some(password), Some(client_id)) = (
        params.get("username"),
        params.get("password"),
        params.get("client_id"),
    ) else {
        return Err(Aadsts {
            status: StatusCode::BAD_REQUEST,
            error: "invalid_request",
            code: 900144,
            text: "The request body must contain the parameters 'username', 'password' and 'client_id'.".into(),
        });
    };
    Ok(PasswordGrant {
        username,
        password,
        client_id,
        app_name: params
            .get("app_display_name")
            .cloned()
            .unwrap_or_else(|| "Microsoft Intune Company Portal".into()),
        client_app: params
            .get("client_app")
            .cloned()
            .unwrap_or_else(|| "Mobile Apps and Desktop clients".into()),
        mfa_approved: params.get("mfa").map(String::as_str) == Some("approved"),
    })
}

/// Judges the credentials against the directory, as the cloud that received them.
/// `federated` is the federation service's verdict on the password for a user of a federated
/// domain (`None`: the domain is managed and the directory checks the password).
fn authenticate(
    state: &EntraState,
    grant: &PasswordGrant<'_>,
    cloud: Cloud,
    federated: Option<bool>,
) -> Result<EntraUser, Aadsts> {
    let password_ok = |user: &EntraUser| federated.unwrap_or(user.password == grant.password);
    let username = grant.username;
    match state.user_by_upn(username).cloned() {
        None => Err(Aadsts {
            status: StatusCode::BAD_REQUEST,
            error: "invalid_grant",
            code: 50034,
            text: format!("The user account {username} does not exist in the directory. Sign in with a different account or add the account to the directory."),
        }),
        Some(user) if user.home_cloud != cloud => Err(Aadsts {
            status: StatusCode::BAD_REQUEST,
            error: "invalid_request",
            code: 90038,
            text: format!(
                "The tenant '{}' belongs to the national cloud '{}'. The cloud instance '{}' that received the request does not federate with '{}'.",
                state.domain,
                user.home_cloud.instance_name(),
                cloud.instance_name(),
                user.home_cloud.instance_name()
            ),
        }),
        Some(user) if !user.enabled => Err(Aadsts {
            status: StatusCode::BAD_REQUEST,
            error: "invalid_grant",
            code: 50057,
            text: "The user account is disabled.".into(),
        }),
        // A federated user's password that the federation service did not validate gets the
        // same answer as a wrong one: a password grant for an AD FS-federated user failing
        // at the IdP is reported as AADSTS50126 (fuel9/DisplayMonkey#50: "AADSTS70002: Error
        // validating credentials. AADSTS50126: Invalid username or password" on a domain
        // federated with AD FS; the sign-in log's reason for 50126 reads "Invalid username or
        // password or Invalid on-premise username or password", MicrosoftDocs/azure-docs#55028).
        // No public page gives a code of its own for a disabled WS-Trust endpoint.
        Some(user) if !password_ok(&user) => Err(Aadsts {
            status: StatusCode::BAD_REQUEST,
            error: "invalid_grant",
            code: 50126,
            text: "Error validating credentials due to invalid username or password.".into(),
        }),
        // Per-user MFA; the resource in the text is the Microsoft Intune Enrollment app.
        Some(user) if user.mfa_required && !grant.mfa_approved => {
            Err(mfa_required(INTUNE_ENROLLMENT_APP_ID))
        }
        Some(user) => Ok(user),
    }
}

/// Evaluates the tenant's Conditional Access policies for an authenticated user signing in to
/// the resource the token is asked for, and turns an unmet grant control into its AADSTS error.
fn conditional_access(
    state: &EntraState,
    user: EntraUser,
    grant: &PasswordGrant<'_>,
    params: &BTreeMap<String, String>,
) -> (Result<EntraUser, Aadsts>, Evaluation) {
    let resource = params
        .get("scope")
        .map_or(INTUNE_ENROLLMENT_APP_ID, |s| resource_of_scope(s));
    let context = SignInContext {
        mfa_satisfied: grant.mfa_approved,
        // Entra learns compliance from Intune, which cannot mark a device that is still
        // enrolling; a policy requiring it on the enrollment app refuses every enrollment.
        device_compliant: false,
    };
    let member_of = state.member_of(&user);
    let evaluation = conditional_access::evaluate(
        &state.conditional_access_policies,
        &user.id,
        &member_of,
        resource,
        context,
    );
    let outcome = match evaluation.unmet {
        None => Ok(user),
        Some(GrantControl::Mfa) => Err(mfa_required(resource)),
        Some(GrantControl::CompliantDevice) => Err(Aadsts {
            status: StatusCode::BAD_REQUEST,
            error: "interaction_required",
            code: 53000,
            text: "Device is not in required device state: compliant. Conditional Access policy requires a compliant device, and the device is not compliant. The user must enroll their device with an approved MDM provider like Intune.".into(),
        }),
        Some(GrantControl::Block) => Err(Aadsts {
            status: StatusCode::BAD_REQUEST,
            error: "interaction_required",
            code: 53003,
            text: "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.".into(),
        }),
    };
    (outcome, evaluation)
}

/// The application id a scope asks a token for: `{app id}/.default` names it, and the Intune
/// enrollment service's URI stands for Microsoft Intune Enrollment.
fn resource_of_scope(scope: &str) -> &str {
    let resource = scope.trim_end_matches("/.default");
    match resource {
        "https://enrollment.manage.microsoft.com" | "" => INTUNE_ENROLLMENT_APP_ID,
        "https://graph.microsoft.com" => "00000003-0000-0000-c000-000000000000",
        other => other,
    }
}

/// The resource a token asked with `scope` is for (its audience): the first scope naming a
/// resource URI, without its permission (`https://graph.microsoft.com/.default` is for
/// `https://graph.microsoft.com`); an enrollment token's scope names the Intune enrollment app.
fn audience_of_scope(scope: &str) -> String {
    scope
        .split_whitespace()
        .find(|s| s.contains("://") || s.ends_with("/.default"))
        .map(|s| match s.rsplit_once('/') {
            Some((resource, _)) if resource.contains("://") => resource,
            _ => s.trim_end_matches("/.default"),
        })
        .unwrap_or(INTUNE_ENROLLMENT_APP_ID)
        .to_string()
}

/// AADSTS50076, Entra's answer to a sign-in that needs MFA (per-user or from a policy) and did
/// not perform it.
fn mfa_required(resource: &str) -> Aadsts {
    Aadsts {
        status: StatusCode::BAD_REQUEST,
        error: "interaction_required",
        code: 50076,
        text: format!("Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '{resource}'."),
    }
}

/// Where and when a sign-in happened and what Conditional Access made of it.
struct Attempt<'a> {
    cloud: Cloud,
    at: OffsetDateTime,
    correlation_id: &'a str,
    evaluation: &'a Evaluation,
}

/// Adds the attempt to the sign-in log. The admin sees only sign-ins that reached the tenant's
/// own cloud.
fn record_sign_in(
    state: &mut EntraState,
    grant: &PasswordGrant<'_>,
    outcome: &Result<EntraUser, Aadsts>,
    attempt: &Attempt<'_>,
) {
    let Some(upn) = state
        .user_by_upn(grant.username)
        .filter(|u| u.home_cloud == attempt.cloud)
        .map(|u| u.upn.clone())
    else {
        return;
    };
    let status = match outcome {
        Ok(_) => SignInStatus {
            error_code: 0,
            failure_reason: None,
        },
        Err(f) => SignInStatus {
            error_code: f.code,
            failure_reason: Some(f.text.clone()),
        },
    };
    state.sign_ins.push(SignInRecord {
        at: attempt.at,
        upn,
        app_display_name: grant.app_name.clone(),
        client_app_used: grant.client_app.clone(),
        status,
        correlation_id: attempt.correlation_id.to_string(),
        conditional_access_status: attempt.evaluation.status().to_string(),
        applied_policies: attempt.evaluation.applied.clone(),
    });
}

fn registration_error(status: StatusCode, code: &str, subcode: &str, message: &str) -> Response {
    let body = RegistrationError {
        code: code.into(),
        message: message.into(),
        subcode: subcode.into(),
    };
    Response::json(status, &body)
}

/// The bearer token of a request.
pub fn bearer_token(request: &Request) -> Option<String> {
    request
        .header("authorization")
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::to_string)
}

impl Handler for EntraService {
    fn handle(&self, request: Request) -> BoxFuture<'_, Response> {
        Box::pin(async move {
            let segments: Vec<&str> = request.path.trim_matches('/').split('/').collect();
            match (&request.method, request.host.as_str(), segments.as_slice()) {
                (
                    &Method::POST,
                    REGISTRATION_HOST | GOVERNMENT_REGISTRATION_HOST,
                    ["EnrollmentServer", "device"],
                ) => self.register_device(&request),
                (&Method::POST, h, [_tenant, "oauth2", "v2.0", "token"])
                    if h != REGISTRATION_HOST && h != GOVERNMENT_REGISTRATION_HOST =>
                {
                    self.token(&request).await
                }
                (&Method::GET, h, ["common", "userrealm", upn])
                    if h != REGISTRATION_HOST && h != GOVERNMENT_REGISTRATION_HOST =>
                {
                    self.user_realm(upn)
                }
                (_, h, [_tenant, "oauth2", "v2.0", "token"])
                    if h != REGISTRATION_HOST && h != GOVERNMENT_REGISTRATION_HOST =>
                {
                    Response::text(StatusCode::METHOD_NOT_ALLOWED, "use POST")
                }
                _ => Response::json(
                    StatusCode::NOT_FOUND,
                    &OAuthError {
                        error: "not_found".into(),
                        error_description: format!("no endpoint at {}", request.path),
                    },
                ),
            }
        })
    }
}
