//! The admin's side of the lab: Microsoft Graph-shaped calls over HTTPS, as an admin's tooling
//! would make them.

use base64::Engine;
use hyper::Method;
use serde_json::{json, Value};

use enrollsim_simulator::cloud::intune::restrictions::{
    limit_restriction_for, platform_restriction_for,
};
use enrollsim_simulator::cloud::intune::state::IosRestriction;
use enrollsim_simulator::cloud::intune::GRAPH_HOST;
use enrollsim_simulator::net::client::OutgoingRequest;
use enrollsim_simulator::world::World;

use super::LabError;

/// Typed admin API calls against one world.
pub struct AdminApi<'w> {
    world: &'w World,
}

impl<'w> AdminApi<'w> {
    pub(crate) fn new(world: &'w World) -> Self {
        AdminApi { world }
    }

    /// Sends a Graph request and returns the JSON answer (Null for an empty body).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, LabError> {
        let mut request = OutgoingRequest::new(method.clone(), GRAPH_HOST, path).header(
            "authorization",
            format!("Bearer {}", self.world.admin_token()),
        );
        if let Some(body) = body {
            request = request.json(&body);
        }
        let fail = |status: u16, body: String| LabError::Admin {
            method: method.to_string(),
            path: path.to_string(),
            status,
            body,
        };
        match self.world.admin_client().send(request).await {
            Ok(r) if r.status.is_success() => Ok(if r.body.is_empty() {
                Value::Null
            } else {
                r.json().unwrap_or(Value::Null)
            }),
            Ok(r) => Err(fail(
                r.status.as_u16(),
                String::from_utf8_lossy(&r.body).into_owned(),
            )),
            Err(e) => Err(fail(0, e.to_string())),
        }
    }

    fn user_groups(&self, upn: &str) -> Vec<String> {
        let dir = self.world.entra.state();
        let dir = dir.lock().unwrap_or_else(|p| p.into_inner());
        dir.user_by_upn(upn)
            .map(|u| u.groups.clone())
            .unwrap_or_default()
    }

    /// Assigns a licence by SKU part number.
    pub async fn assign_license(&self, upn: &str, sku: &str) -> Result<(), LabError> {
        self.call(
            Method::POST,
            &format!("/v1.0/users/{upn}/assignLicense"),
            Some(json!({"addLicenses": [{"skuId": sku}], "removeLicenses": []})),
        )
        .await
        .map(drop)
    }

    /// Changes the device type restriction that applies to `upn` (the admin center shows which
    /// restriction applies to a user).
    pub async fn patch_user_platform_restriction(
        &self,
        upn: &str,
        change: impl FnOnce(&mut IosRestriction),
    ) -> Result<(), LabError> {
        let groups = self.user_groups(upn);
        let (id, mut ios) = {
            let state = self.world.intune.state();
            let state = state.lock().unwrap_or_else(|p| p.into_inner());
            let r = platform_restriction_for(&state, &groups)
                .ok_or_else(|| LabError::Spec("no device type restriction applies".into()))?;
            (r.id.clone(), r.ios.clone())
        };
        change(&mut ios);
        self.call(
            Method::PATCH,
            &format!("/v1.0/deviceManagement/deviceEnrollmentConfigurations/{id}"),
            Some(json!({
                "@odata.type": "#microsoft.graph.deviceEnrollmentPlatformRestrictionsConfiguration",
                "iosRestriction": ios,
            })),
        )
        .await
        .map(drop)
    }

    /// Sets the limit of the device limit restriction that applies to `upn`.
    pub async fn set_user_device_limit(&self, upn: &str, limit: u32) -> Result<(), LabError> {
        let groups = self.user_groups(upn);
        let id = {
            let state = self.world.intune.state();
            let state = state.lock().unwrap_or_else(|p| p.into_inner());
            limit_restriction_for(&state, &groups)
                .map(|r| r.id.clone())
                .ok_or_else(|| LabError::Spec("no device limit restriction applies".into()))?
        };
        self.call(
            Method::PATCH,
            &format!("/v1.0/deviceManagement/deviceEnrollmentConfigurations/{id}"),
            Some(json!({
                "@odata.type": "#microsoft.graph.deviceEnrollmentLimitConfiguration",
                "limit": limit,
            })),
        )
        .await
        .map(drop)
    }

    /// Deletes `upn`'s devices other than `keep_serial`, oldest first (`count` of them, or all).
    /// Lists the user's devices the way the user portal does, so records the admin center does
    /// not show are found too.
    pub async fn delete_stale_devices(
        &self,
        upn: &str,
        keep_serial: &str,
        count: Option<u32>,
    ) -> Result<(), LabError> {
        let list = self
            .call(
                Method::GET,
                &format!("/v1.0/users/{upn}/managedDevices"),
                None,
            )
            .await?;
        let mut devices: Vec<(String, String)> = list["value"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|d| d["serialNumber"].as_str() != Some(keep_serial))
            .filter_map(|d| {
                Some((
                    d["enrolledDateTime"].as_str()?.to_string(),
                    d["id"].as_str()?.to_string(),
                ))
            })
            .collect();
        devices.sort();
        let n = count.map_or(devices.len(), |c| c as usize);
        for (_, id) in devices.into_iter().take(n) {
            self.call(
                Method::DELETE,
                &format!("/v1.0/deviceManagement/managedDevices/{id}"),
                None,
            )
            .await?;
        }
        Ok(())
    }

    /// Renews the push certificate: Apple's portal issues a new one for the same topic, which
    /// the admin uploads.
    pub async fn renew_apns_certificate(&self) -> Result<(), LabError> {
        let current = self
            .call(
                Method::GET,
                "/v1.0/deviceManagement/applePushNotificationCertificate",
                None,
            )
            .await?;
        let topic = current["topicIdentifier"]
            .as_str()
            .ok_or_else(|| LabError::Spec("there is no push certificate to renew".into()))?
            .to_string();
        let apple_id = current["appleIdentifier"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| self.default_apple_id());
        self.upload(&apple_id, &topic).await
    }

    /// Creates a brand-new push certificate (a new topic) and uploads it, with the Apple ID
    /// of the current certificate (or the tenant's `mdm-admin@` address when there is none).
    pub async fn upload_new_apns_certificate(&self) -> Result<(), LabError> {
        let topic = format!("com.apple.mgmt.External.{}", self.world.rng.uuid_lower());
        let apple_id = match self
            .call(
                Method::GET,
                "/v1.0/deviceManagement/applePushNotificationCertificate",
                None,
            )
            .await
        {
            Ok(current) => current["appleIdentifier"].as_str().map(str::to_string),
            Err(_) => None,
        };
        let apple_id = apple_id.unwrap_or_else(|| self.default_apple_id());
        self.upload(&apple_id, &topic).await
    }

    fn default_apple_id(&self) -> String {
        let directory = self.world.entra.state();
        let domain = directory
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .domain
            .clone();
        format!("mdm-admin@{domain}")
    }

    async fn upload(&self, apple_id: &str, topic: &str) -> Result<(), LabError> {
        let cert = self.world.apple_push_certificate(topic)?;
        let der = base64::engine::general_purpose::STANDARD.encode(cert.certificate().as_ref());
        self.call(
            Method::PATCH,
            "/v1.0/deviceManagement/applePushNotificationCertificate",
            Some(json!({"appleIdentifier": apple_id, "certificate": der})),
        )
        .await
        .map(drop)
    }

    /// Turns per-user MFA off.
    pub async fn disable_mfa(&self, upn: &str) -> Result<(), LabError> {
        self.call(
            Method::PATCH,
            &format!("/beta/users/{upn}/authentication/requirements"),
            Some(json!({"perUserMfaState": "disabled"})),
        )
        .await
        .map(drop)
    }

    /// Edits the ADE enrollment profile named `name` (any edit gives it a new modification
    /// time); with `method`, also changes how it authenticates the user.
    pub async fn edit_enrollment_profile(
        &self,
        name: &str,
        method: Option<enrollsim_simulator::cloud::intune::ade::AdeAuthMethod>,
    ) -> Result<(), LabError> {
        let tokens = self
            .call(
                Method::GET,
                "/beta/deviceManagement/depOnboardingSettings",
                None,
            )
            .await?;
        let found = tokens["value"]
            .as_array()
            .into_iter()
            .flatten()
            .find_map(|t| {
                let p = t["enrollmentProfiles"]
                    .as_array()?
                    .iter()
                    .find(|p| p["displayName"] == name)?;
                Some((t["id"].as_str()?.to_string(), p["id"].as_str()?.to_string()))
            });
        let (token, profile) = found
            .ok_or_else(|| LabError::Spec(format!("no ADE enrollment profile named {name:?}")))?;
        let mut body = json!({"description": "Edited by the admin"});
        if let Some(m) = method {
            body["authenticationMethod"] = serde_json::to_value(m).unwrap_or(Value::Null);
        }
        self.call(
            Method::PATCH,
            &format!(
                "/beta/deviceManagement/depOnboardingSettings/{token}/enrollmentProfiles/{profile}"
            ),
            Some(body),
        )
        .await
        .map(drop)
    }

    /// Presses "Sync now" on every enrollment program token.
    pub async fn sync_ade_tokens(&self) -> Result<(), LabError> {
        let tokens = self
            .call(
                Method::GET,
                "/beta/deviceManagement/depOnboardingSettings",
                None,
            )
            .await?;
        let ids: Vec<String> = tokens["value"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t["id"].as_str().map(str::to_string))
            .collect();
        for id in ids {
            self.call(Method::POST, &format!("/beta/deviceManagement/depOnboardingSettings/{id}/syncWithAppleDeviceEnrollmentProgram"), None).await?;
        }
        Ok(())
    }
}
