//! The checks Apple runs on `POST /profile` (define), as pure functions: which error token a
//! profile body earns, checked in a fixed order so one body always gives one answer.

use super::{DepErrorCode, DepProfile};

/// Longest `profile_name` and `department`, in characters.
const MAX_NAME: usize = 125;
/// Longest `support_phone_number`, in characters.
const MAX_PHONE: usize = 50;
/// Longest `support_email_address`, in characters.
const MAX_EMAIL: usize = 250;

/// Checks a decoded profile the way Apple does on define:
///
/// - `CONFIG_NAME_INVALID`: `profile_name` empty or over 125 characters;
/// - `CONFIG_URL_INVALID`: `url` (or `configuration_web_url`) not `https://`;
/// - `FLAGS_INVALID`: `is_mdm_removable` false on an unsupervised profile;
/// - `SUPPORT_PHONE_INVALID`: `support_phone_number` over 50 characters;
/// - `SUPPORT_EMAIL_INVALID`: `support_email_address` over 250 characters;
/// - `DEPARTMENT_INVALID`: `department` over 125 characters.
pub fn validate_profile(profile: &DepProfile) -> Result<(), DepErrorCode> {
    let chars = |s: &str| s.chars().count();
    let name = chars(&profile.profile_name);
    if name == 0 || name > MAX_NAME {
        return Err(DepErrorCode::ConfigNameInvalid);
    }
    let web_url_bad = profile
        .configuration_web_url
        .as_deref()
        .is_some_and(|u| !is_https(u));
    if !is_https(&profile.url) || web_url_bad {
        return Err(DepErrorCode::ConfigUrlInvalid);
    }
    if !profile.mdm_removable() && !profile.supervised() {
        return Err(DepErrorCode::FlagsInvalid);
    }
    if profile
        .support_phone_number
        .as_deref()
        .is_some_and(|p| chars(p) > MAX_PHONE)
    {
        return Err(DepErrorCode::SupportPhoneInvalid);
    }
    if profile
        .support_email_address
        .as_deref()
        .is_some_and(|e| chars(e) > MAX_EMAIL)
    {
        return Err(DepErrorCode::SupportEmailInvalid);
    }
    if profile
        .department
        .as_deref()
        .is_some_and(|d| chars(d) > MAX_NAME)
    {
        return Err(DepErrorCode::DepartmentInvalid);
    }
    Ok(())
}

/// Reads and checks a define body: `MALFORMED_REQUEST_BODY` when it is not a JSON object of
/// the right shape, `CONFIG_NAME_REQUIRED` / `CONFIG_URL_REQUIRED` when those keys are absent,
/// then [`validate_profile`].
pub fn parse_define_body(body: &[u8]) -> Result<DepProfile, DepErrorCode> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| DepErrorCode::MalformedRequestBody)?;
    let object = value
        .as_object()
        .ok_or(DepErrorCode::MalformedRequestBody)?;
    if object.get("profile_name").is_none_or(|v| v.is_null()) {
        return Err(DepErrorCode::ConfigNameRequired);
    }
    if object.get("url").is_none_or(|v| v.is_null()) {
        return Err(DepErrorCode::ConfigUrlRequired);
    }
    let profile: DepProfile =
        serde_json::from_value(value).map_err(|_| DepErrorCode::MalformedRequestBody)?;
    validate_profile(&profile)?;
    Ok(profile)
}

fn is_https(url: &str) -> bool {
    const SCHEME: &str = "https://";
    url.len() > SCHEME.len()
        && url
            .get(..SCHEME.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(SCHEME))
}
