//! A federation service in the style of AD FS, for a tenant whose domain is federated: its
//! endpoint table (what `Get-AdfsEndpoint` lists and `Enable-AdfsEndpoint` changes), its
//! metadata exchange document (`/adfs/services/trust/mex`, the WS-Trust endpoints it
//! publishes), the WS-Trust 1.3 Username/Mixed endpoint
//! (`/adfs/services/trust/13/usernamemixed`) for non-interactive clients, and the passive
//! sign-in page (`/adfs/ls/`, forms authentication) that interactive sign-ins are sent to.
//!
//! It exists for the current article's "Verify WS-Trust 1.3 is enabled": enrolling ADE devices
//! with user affinity needs that endpoint to request user tokens. Legacy Setup Assistant
//! authentication hands Intune the user's password; Intune makes a password sign-in at Entra
//! ID, and for a user of a federated domain Entra ID can only check the password by sending it
//! to the federation service's active endpoint. With the endpoint disabled, the federation
//! service has nothing listening at that path (HTTP.sys answers 404), and the sign-in fails.
//!
//! The directory stands in for the on-premises Active Directory the federation service checks
//! passwords against (what Microsoft Entra Connect synchronises), so the service reads users
//! from Entra's state. Bodies are cut down to what each side reads: the `UsernameToken` of a
//! request, the UPN of an assertion, the `ID3242` fault AD FS answers for bad credentials
//! (quoted in AzureAD/microsoft-authentication-library-for-dotnet#2833).

use std::sync::{Arc, Mutex};

use hyper::{Method, StatusCode};

use super::state::EntraState;
use crate::net::{BoxFuture, Handler, Request, Response};

/// The WS-Trust 1.3 Username/Mixed endpoint's address path, as AD FS spells it.
pub const USERNAME_MIXED_13: &str = "/adfs/services/trust/13/usernamemixed";
/// The WS-Trust 2005 Username/Mixed endpoint's address path.
pub const USERNAME_MIXED_2005: &str = "/adfs/services/trust/2005/usernamemixed";
/// The metadata exchange document's path.
pub const MEX_PATH: &str = "/adfs/services/trust/mex";
/// The passive (browser) sign-in path.
pub const PASSIVE_PATH: &str = "/adfs/ls/";
/// The SOAP fault text AD FS answers when it cannot authenticate the credentials.
pub const BAD_CREDENTIALS_FAULT: &str =
    "ID3242: The security token could not be authenticated or authorized.";

/// One endpoint of the federation service, as `Get-AdfsEndpoint` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FederationEndpoint {
    /// `AddressPath`.
    pub address_path: String,
    /// `Protocol` (`WS-Trust 1.3`, `WS-Trust 2005`, `SAML 2.0/WS-Federation`...).
    pub protocol: String,
    /// `Enabled`.
    pub enabled: bool,
    /// `Proxy`: published through the Web Application Proxy to the internet.
    pub proxy: bool,
}

impl FederationEndpoint {
    fn new(address_path: &str, protocol: &str) -> FederationEndpoint {
        FederationEndpoint {
            address_path: address_path.to_string(),
            protocol: protocol.to_string(),
            enabled: true,
            proxy: true,
        }
    }
}

/// The federation service of one federated domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FederationServer {
    /// Its host name (`adfs.fabrikam.example`).
    pub host: String,
    /// The domain it federates (the users' UPN suffix).
    pub domain: String,
    /// Its endpoints, all enabled as AD FS installs them.
    pub endpoints: Vec<FederationEndpoint>,
}

impl FederationServer {
    /// The service for `domain` at `adfs.<domain>`, with AD FS's default endpoints enabled.
    pub fn for_domain(domain: &str) -> FederationServer {
        FederationServer {
            host: format!("adfs.{domain}"),
            domain: domain.to_string(),
            endpoints: vec![
                FederationEndpoint::new(PASSIVE_PATH, "SAML 2.0/WS-Federation"),
                FederationEndpoint::new(USERNAME_MIXED_2005, "WS-Trust 2005"),
                FederationEndpoint::new(USERNAME_MIXED_13, "WS-Trust 1.3"),
                FederationEndpoint::new(MEX_PATH, "WS-MEX"),
            ],
        }
    }

    /// `https://<host><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("https://{}{path}", self.host)
    }

    /// The endpoint at `path` (case-insensitive, as AD FS compares address paths).
    pub fn endpoint_mut(&mut self, path: &str) -> Option<&mut FederationEndpoint> {
        self.endpoints
            .iter_mut()
            .find(|e| e.address_path.eq_ignore_ascii_case(path))
    }

    /// Whether the endpoint at `path` is enabled (an unknown path is not served).
    pub fn serves(&self, path: &str) -> bool {
        self.endpoints
            .iter()
            .any(|e| e.enabled && e.address_path.eq_ignore_ascii_case(path))
    }
}

/// The federation service's HTTPS side.
#[derive(Clone, Debug)]
pub struct FederationService {
    server: Arc<Mutex<FederationServer>>,
    directory: Arc<Mutex<EntraState>>,
}

impl FederationService {
    /// The service over `server`, checking passwords against `directory`.
    pub fn new(server: FederationServer, directory: Arc<Mutex<EntraState>>) -> Self {
        FederationService {
            server: Arc::new(Mutex::new(server)),
            directory,
        }
    }

    /// The shared endpoint table (what the AD FS administrator's cmdlets change).
    pub fn server(&self) -> Arc<Mutex<FederationServer>> {
        self.server.clone()
    }

    fn snapshot(&self) -> FederationServer {
        self.server
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The metadata exchange document: a WSDL whose ports name the enabled WS-Trust
    /// endpoints (a disabled endpoint is not published).
    fn mex(&self, server: &FederationServer) -> Response {
        let ports: String = server
            .endpoints
            .iter()
            .filter(|e| e.enabled && e.protocol.starts_with("WS-Trust"))
            .map(|e| {
                let url = server.url(&e.address_path);
                format!(
                    "<wsdl:port name=\"{}\"><soap12:address location=\"{url}\"/><wsa10:EndpointReference><wsa10:Address>{url}</wsa10:Address></wsa10:EndpointReference></wsdl:port>",
                    e.protocol.replace(' ', "_")
                )
            })
            .collect();
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><wsdl:definitions xmlns:wsdl=\"http://schemas.xmlsoap.org/wsdl/\" xmlns:soap12=\"http://schemas.xmlsoap.org/wsdl/soap12/\" xmlns:wsa10=\"http://www.w3.org/2005/08/addressing\"><wsdl:service name=\"SecurityTokenService\">{ports}</wsdl:service></wsdl:definitions>"
        );
        Response::with_body(StatusCode::OK, "application/soap+xml", body)
    }

    /// The SAML assertion for a user whose password the directory accepts.
    fn assertion(
        &self,
        server: &FederationServer,
        username: Option<String>,
        password: Option<String>,
    ) -> Option<String> {
        let directory = self.directory.lock().unwrap_or_else(|p| p.into_inner());
        let user = directory
            .user_by_upn(username.as_deref()?)
            .filter(|u| u.enabled && Some(u.password.as_str()) == password.as_deref())?;
        let issuer = server.url("/adfs/services/trust");
        Some(format!(
            "<saml:Assertion xmlns:saml=\"urn:oasis:names:tc:SAML:1.0:assertion\" Issuer=\"{issuer}\"><saml:AttributeStatement><saml:Subject><saml:NameIdentifier>{}</saml:NameIdentifier></saml:Subject><saml:Attribute AttributeName=\"UPN\"><saml:AttributeValue>{}</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion>",
            xml_escape(&user.id),
            xml_escape(&user.upn)
        ))
    }

    /// The passive sign-in page's forms authentication (`UserName`, `Password`): the page that
    /// posts the assertion back to Entra ID (`wresult`), or the page again with AD FS's
    /// "Incorrect user ID or password".
    fn forms_sign_in(&self, server: &FederationServer, request: &Request) -> Response {
        let params = crate::cloud::form::decode(&request.body);
        let assertion = self.assertion(
            server,
            params.get("UserName").cloned(),
            params.get("Password").cloned(),
        );
        let body = match assertion {
            Some(a) => format!(
                "<html><body><form method=\"POST\" name=\"hiddenform\" action=\"https://login.microsoftonline.com/login.srf\"><input type=\"hidden\" name=\"wa\" value=\"wsignin1.0\"/><input type=\"hidden\" name=\"wresult\" value=\"{}\"/></form></body></html>",
                xml_escape(&a)
            ),
            None => "<html><body><span id=\"errorText\">Incorrect user ID or password. Type the correct user ID and password, and try again.</span></body></html>".into(),
        };
        Response::with_body(StatusCode::OK, "text/html; charset=utf-8", body)
    }
}

impl Handler for FederationService {
    fn handle(&self, request: Request) -> BoxFuture<'_, Response> {
        Box::pin(async move {
            let server = self.snapshot();
            let path = request.path.split('?').next().unwrap_or_default();
            // A disabled endpoint has no listener registration: HTTP.sys answers 404.
            if !server.serves(path) {
                return Response::text(StatusCode::NOT_FOUND, "Not Found");
            }
            match (&request.method, path.to_ascii_lowercase().as_str()) {
                (&Method::GET, MEX_PATH) => self.mex(&server),
                (&Method::POST, USERNAME_MIXED_13 | USERNAME_MIXED_2005) => {
                    let body = String::from_utf8_lossy(&request.body);
                    let username = element_text(&body, "Username").map(|u| xml_unescape(&u));
                    let password = element_text(&body, "Password").map(|p| xml_unescape(&p));
                    match self.assertion(&server, username, password) {
                        Some(assertion) => soap_response(&assertion),
                        None => soap_fault(BAD_CREDENTIALS_FAULT),
                    }
                }
                (&Method::POST, PASSIVE_PATH) => self.forms_sign_in(&server, &request),
                _ => Response::text(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed"),
            }
        })
    }
}

/// The WS-Trust 1.3 Issue request a relying party sends to a Username/Mixed endpoint `to`:
/// the credentials in a WS-Security `UsernameToken`, a bearer token for Microsoft Online.
pub fn username_mixed_request(to: &str, upn: &str, password: &str) -> String {
    format!(
        "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:a=\"http://www.w3.org/2005/08/addressing\" xmlns:o=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd\"><s:Header><a:Action s:mustUnderstand=\"1\">http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue</a:Action><a:To s:mustUnderstand=\"1\">{}</a:To><o:Security s:mustUnderstand=\"1\"><o:UsernameToken><o:Username>{}</o:Username><o:Password>{}</o:Password></o:UsernameToken></o:Security></s:Header><s:Body><trust:RequestSecurityToken xmlns:trust=\"http://docs.oasis-open.org/ws-sx/ws-trust/200512\"><wsp:AppliesTo xmlns:wsp=\"http://schemas.xmlsoap.org/ws/2004/09/policy\"><a:EndpointReference><a:Address>urn:federation:MicrosoftOnline</a:Address></a:EndpointReference></wsp:AppliesTo><trust:KeyType>http://docs.oasis-open.org/ws-sx/ws-trust/200512/Bearer</trust:KeyType><trust:RequestType>http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue</trust:RequestType></trust:RequestSecurityToken></s:Body></s:Envelope>",
        xml_escape(to),
        xml_escape(upn),
        xml_escape(password)
    )
}

/// The UPN an issued assertion carries, if the answer holds one: a WS-Trust answer, or the
/// passive page's `wresult` (the assertion escaped inside an attribute).
pub fn assertion_upn(body: &str) -> Option<String> {
    let body = match body.find("name=\"wresult\" value=\"") {
        Some(i) => {
            let rest = &body[i + "name=\"wresult\" value=\"".len()..];
            xml_unescape(&rest[..rest.find('"')?])
        }
        None => body.to_string(),
    };
    element_text(&body, "Assertion")?;
    element_text(&body, "AttributeValue").map(|v| xml_unescape(&v))
}

/// A WS-Trust Issue answer carrying `assertion`.
fn soap_response(assertion: &str) -> Response {
    let body = format!(
        "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body><trust:RequestSecurityTokenResponseCollection xmlns:trust=\"http://docs.oasis-open.org/ws-sx/ws-trust/200512\"><trust:RequestSecurityTokenResponse><trust:RequestedSecurityToken>{assertion}</trust:RequestedSecurityToken></trust:RequestSecurityTokenResponse></trust:RequestSecurityTokenResponseCollection></s:Body></s:Envelope>"
    );
    Response::with_body(StatusCode::OK, "application/soap+xml", body)
}

/// A SOAP 1.2 fault with `text` as its reason (HTTP 500, as WCF answers faults).
fn soap_fault(text: &str) -> Response {
    let body = format!(
        "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value xmlns:a=\"http://docs.oasis-open.org/ws-sx/ws-trust/200512\">a:FailedAuthentication</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang=\"en-US\">{}</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>",
        xml_escape(text)
    );
    Response::with_body(
        StatusCode::INTERNAL_SERVER_ERROR,
        "application/soap+xml",
        body.into_bytes(),
    )
}

/// The text of the first element whose local name is `local` (any prefix).
pub fn element_text(xml: &str, local: &str) -> Option<String> {
    let mut rest = xml;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        let end = rest.find('>')?;
        let tag = &rest[..end];
        let name = tag.split_whitespace().next().unwrap_or_default();
        let bare = name.rsplit(':').next().unwrap_or(name);
        if bare == local && !tag.ends_with('/') && !name.starts_with('/') {
            let content = &rest[end + 1..];
            let close = content.find("</")?;
            return Some(content[..close].to_string());
        }
        rest = &rest[end + 1..];
    }
    None
}

/// Escapes text for an XML element or attribute.
pub fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// Undoes [`xml_escape`].
pub fn xml_unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_are_found_by_local_name_and_text_round_trips() {
        let xml = "<o:Security><o:UsernameToken><o:Username>a&amp;b@x</o:Username><o:Password Type=\"t\">p&lt;w</o:Password></o:UsernameToken></o:Security>";
        assert_eq!(element_text(xml, "Username").as_deref(), Some("a&amp;b@x"));
        assert_eq!(
            element_text(xml, "Password").map(|p| xml_unescape(&p)),
            Some("p<w".into())
        );
        assert_eq!(element_text(xml, "Missing"), None);
        assert_eq!(xml_unescape(&xml_escape("<&\"'>")), "<&\"'>");
    }

    #[test]
    fn a_disabled_endpoint_is_not_served_nor_published() {
        let mut server = FederationServer::for_domain("fabrikam.example");
        assert!(server.serves(USERNAME_MIXED_13));
        if let Some(e) = server.endpoint_mut("/adfs/services/trust/13/UsernameMixed") {
            e.enabled = false;
        }
        assert!(!server.serves(USERNAME_MIXED_13));
        assert!(server.serves(USERNAME_MIXED_2005));
        assert_eq!(server.host, "adfs.fabrikam.example");
    }
}
