//! Signing in to Entra ID from the device: the password grant the Company Portal app, the
//! Company Portal website and Setup Assistant's modern authentication send, and how each reads
//! the answer. One place, so the three flows ask the token endpoint the same way.

use hyper::{Method, StatusCode};

use super::logs::{Level, NsError, Process};
use super::{Credentials, Device};
use crate::cloud::entra::{login_host, Cloud, INTUNE_ENROLLMENT_APP_ID};
use crate::cloud::form;
use crate::net::client::{ClientError, HttpsClient, OutgoingRequest};
use crate::wire::entra::{TokenError, TokenResponse};

/// The app that signs in, as Entra's sign-in log names it.
pub(crate) struct SignInApp {
    /// The OAuth client id.
    pub client_id: &'static str,
    /// `app_display_name` in the sign-in log.
    pub name: &'static str,
    /// `client_app` in the sign-in log (browser, or mobile apps and desktop clients).
    pub client_app: &'static str,
    /// Whether the app tags its request with a `client-request-id` (MSAL does; Setup
    /// Assistant's web sheet does not).
    pub sends_request_id: bool,
    /// The process whose console lines its network errors are.
    pub process: Process,
}

/// Why a sign-in gave no token.
pub(crate) enum SignInFailure {
    /// Entra refused it: the AADSTS code and the first line of its description.
    Refused {
        /// `AADSTS50076`, say.
        code: String,
        /// The first line of `error_description`.
        text: String,
    },
    /// Entra answered 200 without an access token.
    Unreadable,
    /// No answer came back.
    Network(String),
}

impl SignInFailure {
    /// The code the Company Portal logs.
    pub fn code(&self) -> String {
        match self {
            SignInFailure::Refused { code, .. } => code.clone(),
            SignInFailure::Unreadable => "invalid_response".into(),
            SignInFailure::Network(_) => "network".into(),
        }
    }

    /// The text the Company Portal shows.
    pub fn text(&self) -> String {
        match self {
            SignInFailure::Refused { text, .. } => text.clone(),
            SignInFailure::Unreadable => "The sign-in service sent an unreadable answer.".into(),
            SignInFailure::Network(text) => text.clone(),
        }
    }
}

impl Device {
    /// Signs `user` in at `cloud`'s login host as `app`; the access token for Intune enrollment.
    pub(crate) async fn sign_in(
        &self,
        client: &HttpsClient,
        cloud: Cloud,
        user: &Credentials,
        app: &SignInApp,
    ) -> Result<String, SignInFailure> {
        let body = form::encode(&[
            ("grant_type", "password"),
            ("client_id", app.client_id),
            ("scope", &format!("{INTUNE_ENROLLMENT_APP_ID}/.default")),
            ("username", &user.upn),
            ("password", &user.password),
            // Every app that signs in here shows Microsoft's MFA prompt; the user approves it.
            ("mfa", "approved"),
            ("app_display_name", app.name),
            ("client_app", app.client_app),
        ]);
        let mut request = OutgoingRequest::new(
            Method::POST,
            login_host(cloud),
            "/organizations/oauth2/v2.0/token",
        );
        if app.sends_request_id {
            request = request.header("client-request-id", self.rng.uuid_lower());
        }
        let request = request.body("application/x-www-form-urlencoded", body);
        let response = client
            .send(request)
            .await
            .map_err(|e| self.transport_failure(&e, login_host(cloud), app.process))?;
        if response.status != StatusCode::OK {
            let error = TokenError::from_json(&response.body).unwrap_or_default();
            return Err(SignInFailure::Refused {
                code: error.aadsts().to_string(),
                text: error.first_line().to_string(),
            });
        }
        TokenResponse::from_json(&response.body)
            .ok()
            .map(|t| t.access_token)
            .filter(|t| !t.is_empty())
            .ok_or(SignInFailure::Unreadable)
    }
}

impl Device {
    /// What the device's URL loading system makes of a request that got no answer. A server
    /// certificate outside its dates, as the device's own clock reads them, is Foundation's
    /// -1201 `NSURLErrorServerCertificateHasBadDate` ("A server certificate is expired, or is
    /// not yet valid") or -1204 `NSURLErrorServerCertificateNotYetValid` ("A server certificate
    /// isn't valid yet"; Apple, Foundation, URL Loading System error codes,
    /// <https://developer.apple.com/documentation/foundation/nsurlerrorservercertificatehasbaddate>
    /// and `.../nsurlerrorservercertificatenotyetvalid`), logged with Foundation's description
    /// of it; anything else keeps the transport's own words.
    fn transport_failure(
        &self,
        error: &ClientError,
        host: &str,
        process: Process,
    ) -> SignInFailure {
        let Some(url_error) = certificate_date_error(error, host) else {
            return SignInFailure::Network(error.to_string());
        };
        let (code, description) = (url_error.code, url_error.description);
        // CFNetwork's line for a task that failed, with the error in its `description` form.
        let url = format!("https://{host}/organizations/oauth2/v2.0/token");
        self.log(
            process,
            Level::Error,
            &format!(
                "Task <{}>.<1> finished with error [{code}] Error Domain=NSURLErrorDomain Code={code} \"{description}\" UserInfo={{NSErrorFailingURLStringKey={url}, NSErrorFailingURLKey={url}}}",
                self.rng.uuid()
            ),
        );
        SignInFailure::Network(description)
    }
}

/// The `NSURLErrorDomain` error of a TLS failure over the dates of `host`'s certificate, with
/// Foundation's description: rustls reports a certificate the verification time is past
/// (`certificate expired`) or before (`certificate not valid yet`).
pub(crate) fn certificate_date_error(error: &ClientError, host: &str) -> Option<NsError> {
    let (ClientError::Tls { message, .. } | ClientError::Http { message, .. }) = error else {
        return None;
    };
    let (code, what) = if message.contains("certificate expired") || message.ends_with("Expired") {
        (-1201, "has expired")
    } else if message.contains("certificate not valid yet") || message.ends_with("NotValidYet") {
        (-1204, "is not yet valid")
    } else {
        return None;
    };
    Some(NsError::new(
        "NSURLErrorDomain",
        code,
        format!(
            "The certificate for this server {what}. You might be connecting to a server that is pretending to be \u{201c}{host}\u{201d} which could put your confidential information at risk."
        ),
    ))
}
