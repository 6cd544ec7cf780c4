//! Replaying a world's history: what happened before the scenario's start, carried out through
//! the same flows the run uses — the device's own actions and the admin API over HTTPS — so the
//! state it leaves (records, check-outs, logs) is the state those flows leave, not a shortcut.
//!
//! A verb whose admin API the simulator did not serve would fail with
//! [`LabError::Unsupported`] rather than be skipped: a history that silently did less than it
//! says would make a scenario pass for the wrong reason.

use enrollsim_graph::{Collection, ManagedDevice};
use enrollsim_simulator::device::{Device, Outcome};
use hyper::Method;
use time::Duration;

use super::abm::{renew_ade_token, replace_ade_token};
use super::{Lab, LabError};
use crate::scenario::{Action, HistoryStep};

/// Replays what happened before the scenario's start, in order.
pub(super) async fn replay(lab: &Lab, history: &[HistoryStep]) -> Result<(), LabError> {
    for (i, step) in history.iter().enumerate() {
        replay_step(lab, i, step).await?;
    }
    Ok(())
}

async fn replay_step(lab: &Lab, i: usize, step: &HistoryStep) -> Result<(), LabError> {
    match step {
        HistoryStep::Enroll { via, user, device } => {
            let action = Action {
                enroll: *via,
                user: user.clone(),
                device: device.clone(),
                install_profile_after: None,
            };
            let outcome = lab.enroll(&action).await;
            if !matches!(outcome, Outcome::Enrolled { .. }) {
                return Err(LabError::History {
                    step: i,
                    detail: format!("{outcome:?}"),
                });
            }
        }
        HistoryStep::RenewApnsCertificate => lab.admin().renew_apns_certificate().await?,
        HistoryStep::ReplaceApnsCertificate => lab.admin().upload_new_apns_certificate().await?,
        HistoryStep::RenewAdeToken => renew_ade_token(lab).await?,
        HistoryStep::AdvanceDays { days } => advance(lab, Duration::days(*days)).await,
        HistoryStep::Advance { by } => advance(lab, by.duration()).await,
        HistoryStep::AdvanceTo { at } => {
            let now = lab.world.clock.now();
            if *at < now {
                return Err(LabError::History {
                    step: i,
                    detail: format!("advance-to {at} is before the history's time, {now}"),
                });
            }
            advance(lab, *at - now).await;
        }
        HistoryStep::AssignLicense { user, sku } => lab.admin().assign_license(user, sku).await?,
        _ => replay_admin_step(lab, i, step).await?,
    }
    Ok(())
}

/// The admin's directory and tenant steps; the device steps go on to [`replay_device_step`].
async fn replay_admin_step(lab: &Lab, i: usize, step: &HistoryStep) -> Result<(), LabError> {
    let admin = lab.admin();
    match step {
        HistoryStep::RemoveLicense { user, sku } => admin.remove_license(user, sku).await,
        HistoryStep::AddToGroup { user, group } => admin.add_to_group(user, group).await,
        HistoryStep::RemoveFromGroup { user, group } => admin.remove_from_group(user, group).await,
        HistoryStep::RemoveGroupLicense { group, sku } => {
            admin.remove_group_license(group, sku).await
        }
        HistoryStep::DeleteUser { user } => admin.delete_user(user).await,
        HistoryStep::SetMdmAuthority { authority } => admin.set_mdm_authority_to(*authority).await,
        HistoryStep::ReplaceAdeToken => replace_ade_token(lab).await,
        _ => replay_device_step(lab, i, step).await,
    }
}

/// The steps that act on a device and its record.
async fn replay_device_step(lab: &Lab, i: usize, step: &HistoryStep) -> Result<(), LabError> {
    let (HistoryStep::RemoveManagementProfile { device: id }
    | HistoryStep::Unenroll { device: id }
    | HistoryStep::Retire { device: id }
    | HistoryStep::Wipe { device: id }
    | HistoryStep::DeleteDeviceRecord { device: id }) = step
    else {
        return Err(LabError::Unsupported { verb: verb(step) });
    };
    let device = match id.as_deref() {
        None => &lab.device,
        Some(id) => lab.device_by_id(id).ok_or_else(|| LabError::History {
            step: i,
            detail: format!("the world has no device {id:?}"),
        })?,
    };
    device.sync_clock();
    match step {
        HistoryStep::RemoveManagementProfile { .. } => {
            device.remove_management_profiles().await;
        }
        HistoryStep::Unenroll { .. } => {
            device.remove_management_profiles().await;
            delete_device_record(lab, device).await?;
        }
        HistoryStep::Retire { .. } => {
            let id = device_record(lab, device)
                .await?
                .ok_or_else(|| no_record(i))?;
            let path = format!("/v1.0/deviceManagement/managedDevices/{id}/retire");
            lab.admin().send(Method::POST, &path, None::<&()>).await?;
            // The device obeys the retire at its next check-in: it removes the management
            // profile, and Intune then drops the record.
            device.remove_management_profiles().await;
            delete_device_record(lab, device).await?;
        }
        HistoryStep::Wipe { .. } => {
            delete_device_record(lab, device).await?;
            device.restore_as_new();
        }
        _ => {
            if device_record(lab, device).await?.is_none() {
                return Err(no_record(i));
            }
            delete_device_record(lab, device).await?;
        }
    }
    Ok(())
}

/// The `do` verb of a history step the replay does not carry out, for its error. Every verb
/// the format has is replayed; a verb added to [`HistoryStep`] lands here until it is.
fn verb(_step: &HistoryStep) -> &'static str {
    "(unknown)"
}

fn no_record(step: usize) -> LabError {
    LabError::History {
        step,
        detail: "the admin center lists no record for the device".into(),
    }
}

/// Time passes; Intune's timer runs the delta syncs that fell due.
async fn advance(lab: &Lab, by: Duration) {
    lab.world.clock.advance(by);
    lab.world.intune.run_due_syncs().await;
}

/// The id of `device`'s record in the admin center, if it lists one.
async fn device_record(lab: &Lab, device: &Device) -> Result<Option<String>, LabError> {
    let serial = device.serial();
    let list: Collection<ManagedDevice> = lab
        .admin()
        .request(
            Method::GET,
            "/v1.0/deviceManagement/managedDevices",
            None::<&()>,
        )
        .await?;
    Ok(list
        .value
        .into_iter()
        .find(|d| d.serial_number == serial)
        .map(|d| d.id))
}

/// Deletes the device's record in the admin center, if there still is one (a check-out may
/// already have released it).
async fn delete_device_record(lab: &Lab, device: &Device) -> Result<(), LabError> {
    if let Some(id) = device_record(lab, device).await? {
        let path = format!("/v1.0/deviceManagement/managedDevices/{id}");
        lab.admin().send(Method::DELETE, &path, None::<&()>).await?;
    }
    Ok(())
}
