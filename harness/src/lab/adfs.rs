//! The federation service's administrator in the lab: the article's fix for "Verify WS-Trust
//! 1.3 is enabled" (`Enable-AdfsEndpoint -TargetAddressPath
//! /adfs/services/trust/13/UsernameMixed`, then restarting the service). AD FS is managed with
//! PowerShell on its own servers, not through an API the admin calls over HTTPS, so the step
//! changes the federation service's endpoint table directly and leaves a timeline note.

use enrollsim_simulator::cloud::entra::federation::USERNAME_MIXED_13;
use enrollsim_simulator::recorder::{Entry, Happening};

use super::{Lab, LabError};

/// Enables the WS-Trust 1.3 Username/Mixed endpoint (and its proxy publication).
pub(super) fn enable_ws_trust_endpoint(lab: &Lab) -> Result<(), LabError> {
    let Some(service) = &lab.world.federation else {
        return Err(LabError::Spec(
            "enable-ws-trust-endpoint: the tenant has no federated domain".into(),
        ));
    };
    let server = service.server();
    let mut server = server.lock().unwrap_or_else(|p| p.into_inner());
    let Some(endpoint) = server.endpoint_mut(USERNAME_MIXED_13) else {
        return Err(LabError::Spec(format!(
            "enable-ws-trust-endpoint: the federation service has no {USERNAME_MIXED_13}"
        )));
    };
    endpoint.enabled = true;
    endpoint.proxy = true;
    drop(server);
    lab.world.recorder.record(Entry {
        at: lab.world.clock.now(),
        device: None,
        what: Happening::Note {
            party: "AD FS".into(),
            text: format!("the administrator ran Enable-AdfsEndpoint -TargetAddressPath {USERNAME_MIXED_13} and restarted the service"),
        },
    });
    Ok(())
}
