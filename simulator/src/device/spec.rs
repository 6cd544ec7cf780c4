//! What a device is and has before the run starts: hardware, OS, apps, profiles, network.

use std::collections::BTreeSet;

pub use super::keychain::{KeychainState, RegistrationKey};
use crate::cloud::entra::Cloud;
use crate::net::client::Reachability;

/// The Company Portal app's **Cloud** setting (iOS Settings > Company Portal > Cloud).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CloudSetting {
    /// The default: the app signs in to the cloud it detects. Signing in "from another device"
    /// cannot be redirected to the government cloud, so it ends at the public cloud.
    #[default]
    Automatic,
    /// The public cloud.
    Public,
    /// The US Government cloud.
    Government,
}

impl CloudSetting {
    /// The cloud the app signs in to.
    pub fn cloud(self) -> Cloud {
        match self {
            CloudSetting::Government => Cloud::Government,
            CloudSetting::Automatic | CloudSetting::Public => Cloud::Public,
        }
    }
}

/// The installed Company Portal app.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CompanyPortalApp {
    /// App version ("5.2404.0").
    pub version: String,
    /// Its device registration key in the keychain.
    pub registration_key: RegistrationKey,
    /// The Cloud setting.
    pub cloud: CloudSetting,
}

/// The version the App Store installs today.
pub const CURRENT_COMPANY_PORTAL_VERSION: &str = "5.2411.0";

impl Default for CompanyPortalApp {
    fn default() -> Self {
        CompanyPortalApp {
            version: CURRENT_COMPANY_PORTAL_VERSION.into(),
            registration_key: RegistrationKey::Present,
            cloud: CloudSetting::Automatic,
        }
    }
}

/// The MDM payload of an installed profile, as far as profiled compares it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InstalledMdmPayload {
    /// Topic.
    pub topic: String,
    /// ServerURL.
    pub server_url: String,
    /// CheckInURL.
    pub check_in_url: String,
    /// Whether removing the profile sends CheckOut.
    pub check_out_when_removed: bool,
    /// Whether every request carries `Mdm-Signature` (`SignMessage`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sign_message: bool,
}

/// A configuration profile installed on the device.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InstalledProfile {
    /// PayloadIdentifier.
    pub identifier: String,
    /// PayloadUUID.
    pub uuid: String,
    /// PayloadDisplayName.
    pub display_name: String,
    /// PayloadOrganization.
    pub organization: String,
    /// Its MDM payload, for a management profile.
    pub mdm: Option<InstalledMdmPayload>,
    /// Whether the user may remove it.
    pub removable: bool,
}

/// A session cookie in Safari's store (shared with the sign-in sheets apps open).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SessionCookie {
    /// The host that set it.
    pub host: String,
    /// The account it keeps signed in.
    pub upn: String,
    /// That account's password is not stored; a single sign-on cookie stands in for it.
    pub password: String,
}

/// A device before the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceSpec {
    /// Serial number.
    pub serial: String,
    /// UDID.
    pub udid: String,
    /// Product name ("iPhone15,2").
    pub product: String,
    /// OS version ("17.5").
    pub os_version: String,
    /// Build ("21F79").
    pub build: String,
    /// Device name shown in logs ("iPhone"; by default the model, see [`model_name`]).
    pub name: String,
    /// Locale ("en-US", "it-IT").
    pub locale: String,
    /// IMEI, for cellular models.
    pub imei: Option<String>,
    /// Installed configuration profiles.
    pub profiles: Vec<InstalledProfile>,
    /// The Company Portal app, if installed.
    pub company_portal: Option<CompanyPortalApp>,
    /// Safari's cookies.
    pub safari_cookies: Vec<SessionCookie>,
    /// Hosts the device's network cannot reach.
    pub blocked_hosts: BTreeSet<String>,
    /// The keychain profiled writes a profile's certificates and identities to.
    pub keychain: KeychainState,
}

/// The model a product type names, as the device calls itself in its name, logs and Setup
/// Assistant's texts: `iPad13,4` is an iPad, `iPhone15,2` an iPhone.
pub fn model_name(product: &str) -> &'static str {
    if product.starts_with("iPad") {
        "iPad"
    } else if product.starts_with("iPod") {
        "iPod touch"
    } else {
        "iPhone"
    }
}

impl DeviceSpec {
    /// The model the device calls itself ("iPhone", "iPad").
    pub fn model(&self) -> &'static str {
        model_name(&self.product)
    }

    /// The OS the device runs, as it names it: iPads run iPadOS from version 13 on.
    pub fn os_name(&self) -> &'static str {
        let major = self
            .os_version
            .split('.')
            .next()
            .and_then(|m| m.parse::<u32>().ok());
        if self.model() == "iPad" && major.is_some_and(|m| m >= 13) {
            "iPadOS"
        } else {
            "iOS"
        }
    }

    /// An iPhone 14 Pro on iOS 17.5 in English with the current Company Portal, nothing else
    /// installed, on an open network.
    pub fn iphone(serial: &str, udid: &str) -> DeviceSpec {
        DeviceSpec {
            serial: serial.to_string(),
            udid: udid.to_string(),
            product: "iPhone15,2".into(),
            os_version: "17.5".into(),
            build: "21F79".into(),
            name: "iPhone".into(),
            locale: "en-US".into(),
            imei: None,
            profiles: Vec::new(),
            company_portal: Some(CompanyPortalApp::default()),
            safari_cookies: Vec::new(),
            blocked_hosts: BTreeSet::new(),
            keychain: KeychainState::Healthy,
        }
    }

    /// The reachability of the device's network.
    pub fn reachability(&self) -> Reachability {
        Reachability {
            blocked_hosts: self
                .blocked_hosts
                .iter()
                .map(|h| h.to_ascii_lowercase())
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_product_type_names_the_model_and_its_os() {
        assert_eq!(model_name("iPad13,16"), "iPad");
        assert_eq!(model_name("iPhone15,2"), "iPhone");
        assert_eq!(model_name("iPod9,1"), "iPod touch");
        let mut ipad = DeviceSpec::iphone("S", "U");
        ipad.product = "iPad13,16".into();
        assert_eq!((ipad.model(), ipad.os_name()), ("iPad", "iPadOS"));
        ipad.os_version = "12.5".into();
        assert_eq!(ipad.os_name(), "iOS");
        assert_eq!(DeviceSpec::iphone("S", "U").os_name(), "iOS");
    }
}
