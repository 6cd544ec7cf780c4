//! The admin's side of the lab: Microsoft Graph-shaped calls over HTTPS, as an admin's tooling
//! would make them.

use base64::Engine;
use enrollsim_graph::requests::{
    AddLicense, ApnsCertificateUpload, AssignLicense, AuthenticationRequirements,
    EnrollmentConfigurationPatch, EnrollmentProfilePatch,
};
use enrollsim_graph::{
    ApnsCertificateView, Collection, DepOnboardingSetting, ManagedDevice, LIMIT_CONFIGURATION_TYPE,
    PLATFORM_RESTRICTIONS_TYPE,
};
use hyper::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

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
    /// Reads for evidence collection, which the timeline does not record.
    quiet: bool,
}

impl<'w> AdminApi<'w> {
    pub(crate) fn new(world: &'w World) -> Self {
        AdminApi {
            world,
            quiet: false,
        }
    }

    /// The admin API as an evidence collection script uses it: reads only, not recorded in
    /// the timeline.
    pub(crate) fn collector(world: &'w World) -> Self {
        AdminApi { world, quiet: true }
    }

    /// `GET path` read as `T`.
    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, LabError> {
        self.request(Method::GET, path, None::<&()>).await
    }

    /// Sends a Graph request and returns the JSON answer (Null for an empty body).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, LabError> {
        let answer = self.exchange(method, path, body.as_ref()).await?;
        Ok(if answer.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&answer).unwrap_or(Value::Null)
        })
    }

    /// Sends a Graph request with a typed body and reads the answer as `T`.
    pub async fn request<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&impl Serialize>,
    ) -> Result<T, LabError> {
        let answer = self.exchange(method.clone(), path, body).await?;
        serde_json::from_slice(&answer).map_err(|e| LabError::Admin {
            method: method.to_string(),
            path: path.to_string(),
            status: 200,
            body: format!(
                "unexpected answer ({e}): {}",
                String::from_utf8_lossy(&answer)
            ),
        })
    }

    /// Sends a Graph request with a typed body whose answer carries nothing needed (204).
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&impl Serialize>,
    ) -> Result<(), LabError> {
        self.exchange(method, path, body).await.map(drop)
    }

    /// Sends a Graph request as the admin; the answer's body on success.
    async fn exchange(
        &self,
        method: Method,
        path: &str,
        body: Option<&impl Serialize>,
    ) -> Result<Vec<u8>, LabError> {
        let mut request = OutgoingRequest::new(method.clone(), GRAPH_HOST, path).header(
            "authorization",
            format!("Bearer {}", self.world.admin_token()),
        );
        if let Some(body) = body {
            request = request.json(body);
        }
        let fail = |status: u16, body: String| LabError::Admin {
            method: method.to_string(),
            path: path.to_string(),
            status,
            body,
        };
        let client = if self.quiet {
            self.world.collector_client()
        } else {
            self.world.admin_client()
        };
        match client.send(request).await {
            Ok(r) if r.status.is_success() => Ok(r.body.to_vec()),
            Ok(r) => Err(fail(
                r.status.as_u16(),
                String::from_utf8_lossy(&r.body).into_owned(),
            )),
            Err(e) => Err(fail(0, e.to_string())),
        }
    }

    /// The ADE tokens with their profiles, as the admin API lists them.
    async fn dep_onboarding_settings(&self) -> Result<Vec<DepOnboardingSetting>, LabError> {
        let tokens: Collection<DepOnboardingSetting> = self
            .request(
                Method::GET,
                "/beta/deviceManagement/depOnboardingSettings",
                None::<&()>,
            )
            .await?;
        Ok(tokens.value)
    }

    /// The push certificate in force, if the admin API shows one.
    async fn apns_certificate(&self) -> Result<ApnsCertificateView, LabError> {
        self.request(
            Method::GET,
            "/v1.0/deviceManagement/applePushNotificationCertificate",
            None::<&()>,
        )
        .await
    }

    fn user_groups(&self, upn: &str) -> Vec<String> {
        let dir = self.world.entra.state();
        let dir = dir.lock().unwrap_or_else(|p| p.into_inner());
        dir.user_by_upn(upn)
            .map(|u| dir.member_of(u).into_iter().collect())
            .unwrap_or_default()
    }

    /// Assigns a licence by SKU part number.
    pub async fn assign_license(&self, upn: &str, sku: &str) -> Result<(), LabError> {
        let change = AssignLicense {
            add_licenses: Some(vec![AddLicense {
                sku_id: Some(sku.to_string()),
                service_plans: None,
                disabled_plans: None,
            }]),
            remove_licenses: Some(Vec::new()),
        };
        self.send(
            Method::POST,
            &format!("/v1.0/users/{upn}/assignLicense"),
            Some(&change),
        )
        .await
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
        let patch = EnrollmentConfigurationPatch {
            odata_type: Some(PLATFORM_RESTRICTIONS_TYPE.into()),
            ios_restriction: Some(serde_json::to_value(&ios).unwrap_or(Value::Null)),
            ..EnrollmentConfigurationPatch::default()
        };
        self.send(
            Method::PATCH,
            &format!("/v1.0/deviceManagement/deviceEnrollmentConfigurations/{id}"),
            Some(&patch),
        )
        .await
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
        let patch = EnrollmentConfigurationPatch {
            odata_type: Some(LIMIT_CONFIGURATION_TYPE.into()),
            limit: Some(limit.into()),
            ..EnrollmentConfigurationPatch::default()
        };
        self.send(
            Method::PATCH,
            &format!("/v1.0/deviceManagement/deviceEnrollmentConfigurations/{id}"),
            Some(&patch),
        )
        .await
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
        let list: Collection<ManagedDevice> = self
            .request(
                Method::GET,
                &format!("/v1.0/users/{upn}/managedDevices"),
                None::<&()>,
            )
            .await?;
        let mut devices: Vec<(String, String)> = list
            .value
            .into_iter()
            .filter(|d| d.serial_number != keep_serial)
            .map(|d| (d.enrolled_date_time, d.id))
            .collect();
        devices.sort();
        let n = count.map_or(devices.len(), |c| c as usize);
        for (_, id) in devices.into_iter().take(n) {
            self.send(
                Method::DELETE,
                &format!("/v1.0/deviceManagement/managedDevices/{id}"),
                None::<&()>,
            )
            .await?;
        }
        Ok(())
    }

    /// Renews the push certificate: Apple's portal issues a new one for the same topic, which
    /// the admin uploads.
    pub async fn renew_apns_certificate(&self) -> Result<(), LabError> {
        let current = self.apns_certificate().await?;
        let topic = current
            .topic_identifier
            .ok_or_else(|| LabError::Spec("there is no push certificate to renew".into()))?;
        let apple_id = current
            .apple_identifier
            .unwrap_or_else(|| self.default_apple_id());
        self.upload(&apple_id, &topic).await
    }

    /// Creates a brand-new push certificate (a new topic) and uploads it, with the Apple ID
    /// of the current certificate (or the tenant's `mdm-admin@` address when there is none).
    pub async fn upload_new_apns_certificate(&self) -> Result<(), LabError> {
        let topic = format!("com.apple.mgmt.External.{}", self.world.rng.uuid_lower());
        let apple_id = match self.apns_certificate().await {
            Ok(current) => current.apple_identifier,
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
        let upload = ApnsCertificateUpload {
            apple_identifier: Some(apple_id.to_string()),
            certificate: Some(der),
        };
        self.send(
            Method::PATCH,
            "/v1.0/deviceManagement/applePushNotificationCertificate",
            Some(&upload),
        )
        .await
    }

    /// Turns per-user MFA off.
    pub async fn disable_mfa(&self, upn: &str) -> Result<(), LabError> {
        let requirements = AuthenticationRequirements {
            per_user_mfa_state: Some("disabled".into()),
        };
        self.send(
            Method::PATCH,
            &format!("/beta/users/{upn}/authentication/requirements"),
            Some(&requirements),
        )
        .await
    }

    /// Edits the ADE enrollment profile named `name` (any edit gives it a new modification
    /// time); with `method`, also changes how it authenticates the user.
    pub async fn edit_enrollment_profile(
        &self,
        name: &str,
        method: Option<enrollsim_simulator::cloud::intune::ade::AdeAuthMethod>,
    ) -> Result<(), LabError> {
        let found = self
            .dep_onboarding_settings()
            .await?
            .into_iter()
            .find_map(|t| {
                let p = t
                    .enrollment_profiles
                    .into_iter()
                    .find(|p| p.display_name == name)?;
                Some((t.id, p.id))
            });
        let (token, profile) = found
            .ok_or_else(|| LabError::Spec(format!("no ADE enrollment profile named {name:?}")))?;
        let patch = EnrollmentProfilePatch {
            description: Some("Edited by the admin".into()),
            authentication_method: method.map(|m| m.graph_name().into()),
            ..EnrollmentProfilePatch::default()
        };
        self.send(
            Method::PATCH,
            &format!(
                "/beta/deviceManagement/depOnboardingSettings/{token}/enrollmentProfiles/{profile}"
            ),
            Some(&patch),
        )
        .await
    }

    /// Presses "Sync now" on every enrollment program token.
    pub async fn sync_ade_tokens(&self) -> Result<(), LabError> {
        for token in self.dep_onboarding_settings().await? {
            let id = token.id;
            self.send(Method::POST, &format!("/beta/deviceManagement/depOnboardingSettings/{id}/syncWithAppleDeviceEnrollmentProgram"), None::<&()>).await?;
        }
        Ok(())
    }
}
