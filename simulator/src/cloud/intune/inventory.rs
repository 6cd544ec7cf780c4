//! Inventory refresh: Intune asks a managed device for its `DeviceInformation`, as its
//! periodic hardware inventory does, by queueing the command and waking the device through
//! APNs. The load generator's push phase drives it for a whole fleet; the device then answers
//! in its command loop like any other command.

use super::state::QueuedCommand;
use super::IntuneService;
use crate::wire::command::Command;

/// Why an inventory refresh did not reach the device.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InventoryError {
    /// Intune has no managed device with this UDID.
    #[error("no managed device has UDID {0}")]
    NoDevice(String),
    /// The device never sent a TokenUpdate, so it cannot be woken.
    #[error("device {0} has no push token yet")]
    NoPushToken(String),
    /// APNs refused the push (the command stays queued for the next check-in).
    #[error("push to device {udid} failed: {reason}")]
    Push {
        /// The device's UDID.
        udid: String,
        /// Why.
        reason: String,
    },
}

/// The properties Intune's inventory asks iOS devices for.
const INVENTORY_QUERIES: [&str; 6] = [
    "UDID",
    "SerialNumber",
    "OSVersion",
    "BuildVersion",
    "ProductName",
    "DeviceName",
];

impl IntuneService {
    /// Queues a `DeviceInformation` for the managed device with `udid` and pushes to it; the
    /// command's UUID.
    pub async fn refresh_inventory(&self, udid: &str) -> Result<String, InventoryError> {
        let uuid = self.rng.uuid();
        let target = {
            let mut state = self.lock();
            let Some(device) = state.device_by_udid_mut(udid) else {
                return Err(InventoryError::NoDevice(udid.to_string()));
            };
            device.queue.push_back(QueuedCommand {
                uuid: uuid.clone(),
                command: Command::DeviceInformation {
                    queries: INVENTORY_QUERIES.iter().map(|q| q.to_string()).collect(),
                },
            });
            device.push_token.clone().zip(device.push_magic.clone())
        };
        let Some((token, magic)) = target else {
            return Err(InventoryError::NoPushToken(udid.to_string()));
        };
        self.push(&token, &magic)
            .await
            .map_err(|reason| InventoryError::Push {
                udid: udid.to_string(),
                reason: reason.to_string(),
            })?;
        Ok(uuid)
    }

    /// How many commands wait for the tenant's devices: after a fleet answered everything it
    /// was sent, none.
    pub fn queued_command_count(&self) -> usize {
        self.lock().devices.iter().map(|d| d.queue.len()).sum()
    }
}
