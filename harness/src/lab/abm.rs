//! Apple Business Manager and Intune support in the lab: the ABM state a scenario starts from
//! (`world.tenant.ade.apple`: unaccepted terms, a removed MDM server, a revoked token, an
//! outage of Apple's DEP API, cursors or profiles Apple lost) and Intune's own sync history
//! (an earlier sync, a cursor Intune lost), and the fixes the article's "Sync token errors
//! between Intune and ADE" give: accept the terms, add the MDM server again, renew the token,
//! edit a profile's fields, create a new profile, and ask Intune support to retry the sync.
//!
//! Apple Business Manager has no API an admin calls, so its steps change Apple's state
//! directly, as the administrator's clicks in its portal would; Intune steps go through the
//! admin API. Intune support is not the admin either: its retry calls the service.

use enrollsim_graph::requests::{EnrollmentProfilePatch, NewEnrollmentProfile, UploadDepToken};
use enrollsim_graph::{Collection, DepOnboardingSetting, ValueOf};
use enrollsim_simulator::cloud::apple_ade::state::lock;
use enrollsim_simulator::cloud::intune::admin::UPLOAD_ERROR_TEXT;
use enrollsim_simulator::recorder::{Entry, Happening};
use enrollsim_simulator::rng::SeededRng;
use enrollsim_simulator::world::World;
use hyper::Method;
use time::OffsetDateTime;

use super::{Lab, LabError};
use crate::scenario::{AdeSpec, ResolutionStep};

const DEP_SETTINGS: &str = "/beta/deviceManagement/depOnboardingSettings";

/// The admin downloads a new server token for Intune's MDM server `server` from Apple Business
/// Manager and uploads it to the enrollment program token `token_id` (Apple's tokens last a
/// year, so a tenant does this every year).
pub(super) async fn upload_server_token(
    world: &World,
    server: &str,
    (token_id, apple_id): (&str, &str),
    ids: &SeededRng,
) -> Result<(), LabError> {
    let token_file = lock(world.apple_ade.state())
        .download_token_file(server, ids, world.clock.now())
        .map_err(|e| LabError::Spec(format!("Apple Business Manager: {e}")))?;
    let body = UploadDepToken {
        apple_id: Some(apple_id.to_string()),
        dep_token: Some(token_file),
    };
    super::AdminApi::new(world)
        .send(
            Method::POST,
            &format!("{DEP_SETTINGS}/{token_id}/uploadDepToken"),
            Some(&body),
        )
        .await
}

/// The admin reads Intune's public key for the enrollment program token `token_id` (Graph's
/// `getEncryptionPublicKey`, saved as a `.pem`) and uploads it to the MDM server `server` in
/// Apple Business Manager (MDM Server Settings > Upload Public Key).
pub(super) async fn upload_public_key(
    world: &World,
    server: &str,
    token_id: &str,
) -> Result<(), LabError> {
    let key: ValueOf<String> = super::AdminApi::new(world)
        .get(&format!("{DEP_SETTINGS}/{token_id}/getEncryptionPublicKey"))
        .await?;
    lock(world.apple_ade.state())
        .upload_public_key(server, &key.value)
        .map_err(abm_error)
}

/// The tenant's ADE tokens in Intune: id and Apple ID of each.
pub(super) fn ade_tokens(world: &World) -> Vec<(String, String)> {
    let state = world.intune.state();
    let state = state.lock().unwrap_or_else(|p| p.into_inner());
    state
        .ade_tokens
        .iter()
        .map(|t| (t.id.clone(), t.apple_id.clone()))
        .collect()
}

/// A history step: the admin renews the tenant's ADE token before it expires.
pub(super) async fn renew_ade_token(lab: &Lab) -> Result<(), LabError> {
    let server = intune_server(&lab.world);
    let token = ade_tokens(&lab.world).into_iter().next();
    let (Some(server), Some((token_id, apple_id))) = (server, token) else {
        return Err(LabError::Spec(
            "renew-ade-token: the tenant has no ADE token".into(),
        ));
    };
    upload_server_token(&lab.world, &server, (&token_id, &apple_id), &lab.ids).await
}

/// A history step: the admin tries to renew the tenant's ADE token. A refused upload (the
/// admin center's upload error, a 400 naming it) is what the admin met, not a failed step;
/// any other failure is.
pub(super) async fn try_renew_ade_token(lab: &Lab) -> Result<(), LabError> {
    match renew_ade_token(lab).await {
        Err(LabError::Admin {
            status: 400, body, ..
        }) if body.contains(UPLOAD_ERROR_TEXT) => Ok(()),
        other => other,
    }
}

/// The article's fix for the upload error, its Apple Business Manager half: the tenant
/// token's public key from Graph, uploaded to Intune's MDM server.
async fn upload_tenant_public_key(lab: &Lab) -> Result<(), LabError> {
    let server = intune_server(&lab.world);
    let token = ade_tokens(&lab.world).into_iter().next();
    let (Some(server), Some((token_id, _))) = (server, token) else {
        return Err(LabError::Spec(
            "upload-public-key-to-abm: the tenant has no ADE token".into(),
        ));
    };
    upload_public_key(&lab.world, &server, &token_id).await?;
    abm_note(
        lab,
        "the administrator uploaded the token's public key (.pem) to Intune's MDM server",
    );
    Ok(())
}

/// A history step: the admin downloads the server token of another MDM server in Apple
/// Business Manager (one the devices are not assigned to) and uploads it in place of the
/// tenant's. Intune's syncs then see that server's devices, not the tenant's.
pub(super) async fn replace_ade_token(lab: &Lab) -> Result<(), LabError> {
    let token = ade_tokens(&lab.world).into_iter().next();
    let Some((token_id, apple_id)) = token else {
        return Err(LabError::Spec(
            "replace-ade-token: the tenant has no ADE token".into(),
        ));
    };
    let server = lock(lab.world.apple_ade.state()).add_mdm_server("Other MDM server", &lab.ids);
    // Apple Business Manager asks for a public key when a server is added: the admin gives it
    // the tenant token's, which is what lets Intune open that server's token.
    upload_public_key(&lab.world, &server, &token_id).await?;
    upload_server_token(&lab.world, &server, (&token_id, &apple_id), &lab.ids).await
}

fn abm_error(e: impl std::fmt::Display) -> LabError {
    LabError::Spec(format!("Apple Business Manager: {e}"))
}

/// Intune's MDM server in Apple Business Manager: the one that still has access, preferring
/// the one holding devices (after "add again" the removed one stays listed, denied).
pub(super) fn intune_server(world: &World) -> Option<String> {
    let apple = lock(world.apple_ade.state());
    let holding = apple
        .devices()
        .filter_map(|d| d.mdm_server.clone())
        .find(|s| apple.server(s).is_some_and(|srv| !srv.access_denied));
    holding.or_else(|| {
        apple
            .servers()
            .find(|s| !s.access_denied)
            .map(|s| s.uuid.clone())
    })
}

/// What happens on Apple's side of the ADE history, in the order of ties.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum AbmStep {
    /// Intune's earlier sync.
    Sync,
    /// The device is assigned to Intune's MDM server.
    Assign,
    /// Someone uploads another public key to Intune's MDM server.
    ReplaceKey,
}

/// A public key Intune does not hold for any token: what was uploaded to the MDM server when
/// someone set up another token with it and gave up before the upload.
fn foreign_public_key(server: &str) -> String {
    use base64::Engine;
    let body = base64::engine::general_purpose::STANDARD.encode(format!("abandoned-{server}"));
    format!("-----BEGIN PUBLIC KEY-----\n{body}\n-----END PUBLIC KEY-----\n")
}

/// The ADE history after the admin's token and profile steps: Intune's earlier sync and the
/// device's later assignment in Apple Business Manager, then the state at the start.
pub(super) struct AbmHistory<'a> {
    pub world: &'a World,
    pub ade: &'a AdeSpec,
    pub serial: &'a str,
    pub server: &'a str,
    pub token_id: &'a str,
}

impl AbmHistory<'_> {
    /// Replays, in time order, Intune's earlier sync (`last_synced_days_ago`), the device's
    /// assignment to Intune's MDM server (`apple.device_assigned_days_ago`) and the
    /// replacement of the server's public key (`apple.public_key_replaced_days_ago`). None
    /// goes back before the admin's token and profile steps.
    pub async fn replay_until(&self, start: OffsetDateTime) -> Result<(), LabError> {
        let apple = &self.ade.apple;
        let at = |span: Option<crate::scenario::Span>| span.map(|d| start - d.duration());
        let mut steps: Vec<(OffsetDateTime, AbmStep)> = Vec::new();
        steps.extend(at(self.ade.last_synced_days_ago).map(|t| (t, AbmStep::Sync)));
        let assigned = apple
            .device_assigned_days_ago
            .filter(|_| self.ade.device_assigned);
        steps.extend(at(assigned).map(|t| (t, AbmStep::Assign)));
        steps.extend(at(apple.public_key_replaced_days_ago).map(|t| (t, AbmStep::ReplaceKey)));
        steps.sort_by_key(|(t, step)| (*t, *step));
        for (at, step) in steps {
            let at = at.max(self.world.clock.now());
            self.world.clock.advance_to(at);
            match step {
                AbmStep::Sync => {
                    self.world
                        .intune
                        .sync_ade(self.token_id, false)
                        .await
                        .map_err(|e| LabError::Spec(format!("earlier ADE sync: {e}")))?;
                }
                AbmStep::Assign => lock(self.world.apple_ade.state())
                    .assign_device(self.serial, Some(self.server), at)
                    .map_err(abm_error)?,
                AbmStep::ReplaceKey => lock(self.world.apple_ade.state())
                    .upload_public_key(self.server, &foreign_public_key(self.server))
                    .map_err(abm_error)?,
            }
        }
        Ok(())
    }

    /// Apple's and Intune's state at the start, as the spec describes it.
    pub fn apply_state_at_start(&self) -> Result<(), LabError> {
        let now = self.world.clock.now();
        let spec = &self.ade.apple;
        {
            let mut apple = lock(self.world.apple_ade.state());
            apple.terms_accepted = spec.terms_accepted;
            if spec.mdm_server_removed {
                apple
                    .set_access_denied(self.server, true)
                    .map_err(abm_error)?;
            }
            if spec.token_revoked {
                apple.revoke_server_token(self.server).map_err(abm_error)?;
            }
            apple.internal_error_until = spec.outage.map(|o| now + o.duration());
            if spec.cursors_lost {
                apple.forget_cursors();
            }
            if spec.profiles_lost {
                apple.forget_profiles();
            }
        }
        if self.ade.cursor_lost {
            let state = self.world.intune.state();
            let mut state = state.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(t) = state.ade_tokens.iter_mut().find(|t| t.id == self.token_id) {
                t.cursor = None;
            }
        }
        Ok(())
    }
}

/// Carries out the ADE token steps; `None` for steps that are not theirs.
pub(super) async fn apply(lab: &Lab, step: &ResolutionStep) -> Option<Result<(), LabError>> {
    Some(match step {
        ResolutionStep::AcceptAbmTerms => {
            lock(lab.world.apple_ade.state()).terms_accepted = true;
            abm_note(
                lab,
                "the administrator accepted Apple's new terms and conditions",
            );
            Ok(())
        }
        ResolutionStep::ReaddMdmServer => readd_mdm_server(lab),
        ResolutionStep::RenewAdeToken => renew_ade_token(lab).await,
        ResolutionStep::UploadPublicKeyToAbm => upload_tenant_public_key(lab).await,
        ResolutionStep::SetEnrollmentProfileFields {
            profile,
            name,
            support_phone,
            department,
        } => {
            let patch = EnrollmentProfilePatch {
                display_name: name.clone(),
                support_phone_number: support_phone.clone(),
                department: department.clone(),
                ..EnrollmentProfilePatch::default()
            };
            patch_profile(lab, profile, &patch).await
        }
        ResolutionStep::CreateEnrollmentProfile { name } => create_profile(lab, name).await,
        ResolutionStep::RequestSupportSyncRetry => support_retry(lab).await,
        _ => return None,
    })
}

/// Adds Intune's MDM server back to Apple Business Manager's list after it was removed.
fn readd_mdm_server(lab: &Lab) -> Result<(), LabError> {
    let mut apple = lock(lab.world.apple_ade.state());
    let removed = apple
        .servers()
        .find(|s| s.access_denied)
        .map(|s| s.uuid.clone())
        .ok_or_else(|| abm_error("no removed MDM server to add back"))?;
    apple
        .set_access_denied(&removed, false)
        .map_err(abm_error)?;
    drop(apple);
    abm_note(
        lab,
        "the administrator added Intune's MDM server back to the MDM server list",
    );
    Ok(())
}

/// What the administrator did in Apple Business Manager's portal, for the timeline.
fn abm_note(lab: &Lab, text: &str) {
    lab.world.recorder.record(Entry {
        at: lab.world.clock.now(),
        device: None,
        what: Happening::Note {
            party: "Apple Business Manager".into(),
            text: text.into(),
        },
    });
}

/// The tenant's tokens as the admin API lists them.
async fn tokens(lab: &Lab) -> Result<Vec<DepOnboardingSetting>, LabError> {
    let list: Collection<DepOnboardingSetting> = lab.admin().get(DEP_SETTINGS).await?;
    Ok(list.value)
}

async fn patch_profile(
    lab: &Lab,
    name: &str,
    patch: &EnrollmentProfilePatch,
) -> Result<(), LabError> {
    let found = tokens(lab).await?.into_iter().find_map(|t| {
        let p = t
            .enrollment_profiles
            .into_iter()
            .find(|p| p.display_name == name)?;
        Some((t.id, p.id))
    });
    let (token, profile) =
        found.ok_or_else(|| LabError::Spec(format!("no ADE enrollment profile named {name:?}")))?;
    lab.admin()
        .send(
            Method::PATCH,
            &format!("{DEP_SETTINGS}/{token}/enrollmentProfiles/{profile}"),
            Some(patch),
        )
        .await
}

/// A new default profile, with every imported device assigned to it.
async fn create_profile(lab: &Lab, name: &str) -> Result<(), LabError> {
    let admin = lab.admin();
    for token in tokens(lab).await? {
        let body = NewEnrollmentProfile {
            display_name: Some(name.to_string()),
            is_default: Some(true),
            authentication_method: Some(serde_json::Value::String("setupAssistantModern".into())),
            support_phone_number: Some("+1 555 0100".into()),
            department: Some("IT".into()),
            ..NewEnrollmentProfile::default()
        };
        let base = format!("{DEP_SETTINGS}/{}/enrollmentProfiles", token.id);
        let created: NewEnrollmentProfile = admin.request(Method::POST, &base, Some(&body)).await?;
        let serials: Vec<String> = token
            .imported_apple_device_identities
            .into_iter()
            .map(|d| d.serial_number)
            .collect();
        if serials.is_empty() {
            continue;
        }
        let assign = serde_json::json!({ "deviceIds": serials });
        let id = created.id.unwrap_or_default();
        admin
            .call(
                Method::POST,
                &format!("{base}/{id}/updateDeviceProfileAssignment"),
                Some(assign),
            )
            .await?;
    }
    Ok(())
}

/// Intune support retries each token's sync from the service.
async fn support_retry(lab: &Lab) -> Result<(), LabError> {
    for (id, _) in ade_tokens(&lab.world) {
        lab.world
            .intune
            .support_sync_retry(&id)
            .await
            .map_err(|e| LabError::Spec(format!("support's sync retry: {e}")))?;
    }
    Ok(())
}
