//! The device side of ADE: the cloud configuration Apple hands a device at activation
//! (derived from the DEP profile assigned to its serial), and the `MachineInfo` plist the
//! device posts, CMS-signed, to the profile `url` to fetch its enrollment profile.
//!
//! Apple does not document the device-to-Apple hop: real devices talk to
//! `iprofiles.apple.com` with an encrypted, signed request nobody outside Apple can
//! reproduce. enrollsim's hop is a plausible private format of its own:
//! the device sends [`CloudConfigRequest`] as JSON (`{"sn", "action"}`, the shape
//! reverse engineering reports once decrypted) and Apple's simulated service answers with
//! the [`CloudConfiguration`] as an XML plist. Its key names are those observed on real
//! devices (`profiles show -type enrollment`, pymobiledevice3, decompiled
//! MCCloudConfigurationWriter); `simulator/schema/enrollsim-schema.json` describes them.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use plist::{Data, Value};
use serde::{Deserialize, Serialize};

use super::dep::DepProfile;
use super::json_io::json_body;
use super::plist_io::{check_structure, decode, parse_dict, to_xml};
use super::schema::SchemaKind;
use super::WireError;

/// The device's request for its cloud configuration (enrollsim's private format).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloudConfigRequest {
    /// `sn`: the device serial number.
    pub sn: String,
    /// `action`: always [`CloudConfigRequest::ACTION`].
    pub action: String,
}

impl CloudConfigRequest {
    /// The only action.
    pub const ACTION: &'static str = "RequestProfileConfiguration";

    /// A request for `serial`.
    pub fn new(serial: impl Into<String>) -> CloudConfigRequest {
        CloudConfigRequest {
            sn: serial.into(),
            action: Self::ACTION.to_owned(),
        }
    }
}

json_body!(CloudConfigRequest, "cloud configuration request");

/// The cloud configuration ("activation record") of an ADE device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CloudConfiguration {
    /// `ConfigurationURL`: the DEP profile `url`.
    #[serde(rename = "ConfigurationURL")]
    pub configuration_url: String,
    /// `ConfigurationWebURL`: the DEP profile `configuration_web_url`.
    #[serde(
        rename = "ConfigurationWebURL",
        skip_serializing_if = "Option::is_none"
    )]
    pub configuration_web_url: Option<String>,
    /// `IsSupervised`.
    #[serde(rename = "IsSupervised")]
    pub is_supervised: bool,
    /// `IsMandatory`: the user cannot skip enrollment.
    #[serde(rename = "IsMandatory")]
    pub is_mandatory: bool,
    /// `IsMDMUnremovable`: not `is_mdm_removable`, forced false when not supervised.
    #[serde(rename = "IsMDMUnremovable")]
    pub is_mdm_unremovable: bool,
    /// `AwaitDeviceConfigured`: forced false when not supervised.
    #[serde(rename = "AwaitDeviceConfigured")]
    pub await_device_configured: bool,
    /// `AllowPairing`.
    #[serde(rename = "AllowPairing")]
    pub allow_pairing: bool,
    /// `IsMultiUser`: kept only when supervised.
    #[serde(rename = "IsMultiUser", skip_serializing_if = "Option::is_none")]
    pub is_multi_user: Option<bool>,
    /// `AutoAdvanceSetup`.
    #[serde(rename = "AutoAdvanceSetup", skip_serializing_if = "Option::is_none")]
    pub auto_advance_setup: Option<bool>,
    /// `SkipSetup`: Setup Assistant panes to skip.
    #[serde(rename = "SkipSetup", skip_serializing_if = "Option::is_none")]
    pub skip_setup: Option<Vec<String>>,
    /// `AnchorCertificates`: DER certificates pinned for `ConfigurationURL`.
    #[serde(rename = "AnchorCertificates", skip_serializing_if = "Option::is_none")]
    pub anchor_certificates: Option<Vec<Data>>,
    /// `SupervisorHostCertificates`: DER certificates of supervising hosts.
    #[serde(
        rename = "SupervisorHostCertificates",
        skip_serializing_if = "Option::is_none"
    )]
    pub supervisor_host_certificates: Option<Vec<Data>>,
    /// `OrganizationName`: from the Apple Business Manager account.
    #[serde(rename = "OrganizationName")]
    pub organization_name: String,
    /// `OrganizationDepartment`.
    #[serde(
        rename = "OrganizationDepartment",
        skip_serializing_if = "Option::is_none"
    )]
    pub organization_department: Option<String>,
    /// `OrganizationAddress` (from the account).
    #[serde(
        rename = "OrganizationAddress",
        skip_serializing_if = "Option::is_none"
    )]
    pub organization_address: Option<String>,
    /// `OrganizationPhone` (from the account).
    #[serde(rename = "OrganizationPhone", skip_serializing_if = "Option::is_none")]
    pub organization_phone: Option<String>,
    /// `OrganizationEmail` (from the account).
    #[serde(rename = "OrganizationEmail", skip_serializing_if = "Option::is_none")]
    pub organization_email: Option<String>,
    /// `OrganizationMagic`.
    #[serde(rename = "OrganizationMagic", skip_serializing_if = "Option::is_none")]
    pub organization_magic: Option<String>,
    /// `OrganizationSupportPhone`.
    #[serde(
        rename = "OrganizationSupportPhone",
        skip_serializing_if = "Option::is_none"
    )]
    pub organization_support_phone: Option<String>,
    /// `OrganizationSupportEmail`.
    #[serde(
        rename = "OrganizationSupportEmail",
        skip_serializing_if = "Option::is_none"
    )]
    pub organization_support_email: Option<String>,
    /// `Language`.
    #[serde(rename = "Language", skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// `Region`.
    #[serde(rename = "Region", skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// `MDMProtocolVersion`.
    #[serde(rename = "MDMProtocolVersion", skip_serializing_if = "Option::is_none")]
    pub mdm_protocol_version: Option<i64>,
}

const CLOUD_WHAT: &str = "cloud configuration";

impl CloudConfiguration {
    /// The `MDMProtocolVersion` enrollsim reports (a plausible value; Apple does not
    /// document it).
    pub const MDM_PROTOCOL_VERSION: i64 = 1;

    /// The cloud configuration Apple derives from an assigned DEP profile, applying the
    /// device-side rules: `IsMDMUnremovable` and `AwaitDeviceConfigured` are false, and
    /// `IsMultiUser` is dropped, when the profile is not supervised. Fails when an
    /// `anchor_certs` or `supervising_host_certs` entry is not base64.
    pub fn from_dep_profile(
        profile: &DepProfile,
        org_name: &str,
    ) -> Result<CloudConfiguration, WireError> {
        let supervised = profile.supervised();
        Ok(CloudConfiguration {
            configuration_url: profile.url.clone(),
            configuration_web_url: profile.configuration_web_url.clone(),
            is_supervised: supervised,
            is_mandatory: profile.mandatory(),
            is_mdm_unremovable: supervised && !profile.mdm_removable(),
            await_device_configured: supervised && profile.awaits_device_configured(),
            allow_pairing: profile.allows_pairing(),
            is_multi_user: profile.is_multi_user.filter(|_| supervised),
            auto_advance_setup: profile.auto_advance_setup,
            skip_setup: profile.skip_setup_items.clone(),
            anchor_certificates: decode_certs(profile.anchor_certs.as_deref(), "anchor_certs")?,
            supervisor_host_certificates: decode_certs(
                profile.supervising_host_certs.as_deref(),
                "supervising_host_certs",
            )?,
            organization_name: org_name.to_owned(),
            organization_department: profile.department.clone(),
            organization_address: None,
            organization_phone: None,
            organization_email: None,
            organization_magic: profile.org_magic.clone(),
            organization_support_phone: profile.support_phone_number.clone(),
            organization_support_email: profile.support_email_address.clone(),
            language: profile.language.clone(),
            region: profile.region.clone(),
            mdm_protocol_version: Some(Self::MDM_PROTOCOL_VERSION),
        })
    }

    /// The configuration as an XML plist.
    pub fn to_xml(&self) -> Vec<u8> {
        to_xml(CLOUD_WHAT, self)
    }

    /// Reads a cloud configuration.
    pub fn from_xml(bytes: &[u8]) -> Result<CloudConfiguration, WireError> {
        let value = Value::Dictionary(parse_dict(CLOUD_WHAT, bytes)?);
        check_structure(CLOUD_WHAT, SchemaKind::CloudConfiguration, &value)?;
        decode(CLOUD_WHAT, "", &value)
    }
}

fn decode_certs(certs: Option<&[String]>, key: &str) -> Result<Option<Vec<Data>>, WireError> {
    let Some(certs) = certs else {
        return Ok(None);
    };
    certs
        .iter()
        .enumerate()
        .map(|(i, b64)| {
            STANDARD
                .decode(b64.trim())
                .map(Data::new)
                .map_err(|_| WireError::InvalidBase64 {
                    what: "DEP profile",
                    key: format!("{key}[{i}]"),
                })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// `MachineInfo`: what an ADE device posts (CMS-signed, `application/pkcs7-signature`) to
/// the profile `url`, or sends base64 in `x-apple-aspen-deviceinfo` for the web flow
/// (Apple's `other/machineinfo.yaml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MachineInfo {
    /// `UDID`.
    #[serde(rename = "UDID")]
    pub udid: String,
    /// `SERIAL`.
    #[serde(rename = "SERIAL")]
    pub serial: String,
    /// `PRODUCT`, e.g. `iPhone15,2`.
    #[serde(rename = "PRODUCT")]
    pub product: String,
    /// `VERSION`: the build, e.g. `21F79`.
    #[serde(rename = "VERSION")]
    pub version: String,
    /// `OS_VERSION`, e.g. `17.5` (sent by iOS 17 and later only).
    #[serde(rename = "OS_VERSION", skip_serializing_if = "Option::is_none")]
    pub os_version: Option<String>,
    /// `LANGUAGE`, e.g. `en`.
    #[serde(rename = "LANGUAGE", skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// `IMEI`.
    #[serde(rename = "IMEI", skip_serializing_if = "Option::is_none")]
    pub imei: Option<String>,
    /// `MEID`.
    #[serde(rename = "MEID", skip_serializing_if = "Option::is_none")]
    pub meid: Option<String>,
    /// `SUPPLEMENTAL_BUILD_VERSION` (iOS 17+).
    #[serde(
        rename = "SUPPLEMENTAL_BUILD_VERSION",
        skip_serializing_if = "Option::is_none"
    )]
    pub supplemental_build_version: Option<String>,
    /// `SUPPLEMENTAL_OS_VERSION_EXTRA` (iOS 17+).
    #[serde(
        rename = "SUPPLEMENTAL_OS_VERSION_EXTRA",
        skip_serializing_if = "Option::is_none"
    )]
    pub supplemental_os_version_extra: Option<String>,
    /// `MDM_CAN_REQUEST_SOFTWARE_UPDATE` (iOS 17+).
    #[serde(
        rename = "MDM_CAN_REQUEST_SOFTWARE_UPDATE",
        skip_serializing_if = "Option::is_none"
    )]
    pub mdm_can_request_software_update: Option<bool>,
    /// `SOFTWARE_UPDATE_DEVICE_ID` (iOS 17.4+).
    #[serde(
        rename = "SOFTWARE_UPDATE_DEVICE_ID",
        skip_serializing_if = "Option::is_none"
    )]
    pub software_update_device_id: Option<String>,
}

const MACHINE_WHAT: &str = "MachineInfo";

impl MachineInfo {
    /// A `MachineInfo` with the keys every iOS device sends; set `os_version` for iOS 17+.
    pub fn new(
        udid: impl Into<String>,
        serial: impl Into<String>,
        product: impl Into<String>,
        version: impl Into<String>,
    ) -> MachineInfo {
        MachineInfo {
            udid: udid.into(),
            serial: serial.into(),
            product: product.into(),
            version: version.into(),
            os_version: None,
            language: None,
            imei: None,
            meid: None,
            supplemental_build_version: None,
            supplemental_os_version_extra: None,
            mdm_can_request_software_update: None,
            software_update_device_id: None,
        }
    }

    /// The plist as XML (what gets CMS-signed).
    pub fn to_xml(&self) -> Vec<u8> {
        to_xml(MACHINE_WHAT, self)
    }

    /// Reads a `MachineInfo` plist (already taken out of its CMS envelope).
    pub fn from_xml(bytes: &[u8]) -> Result<MachineInfo, WireError> {
        let value = Value::Dictionary(parse_dict(MACHINE_WHAT, bytes)?);
        check_structure(MACHINE_WHAT, SchemaKind::MachineInfo, &value)?;
        decode(MACHINE_WHAT, "", &value)
    }
}
