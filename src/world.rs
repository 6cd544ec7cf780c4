//! [`World`]: a running simulated tenant, its services on loopback and one iOS device.

use enrollsim_harness::evidence;
use enrollsim_harness::lab::{Lab, LabError};
use enrollsim_harness::scenario::{Action, ResolutionStep, WorldBuilder, WorldSpec};
use enrollsim_harness::serve::{ServedWorld, Service};
use enrollsim_harness::timeline::Timeline;

use crate::{Diagnosis, EvidenceBundle, Outcome};

/// A running world: an Entra ID + Intune tenant, Apple's services and APNs listening on
/// loopback ports, and the iOS device a user enrolls.
///
/// Start one from a [`WorldSpec`] (built in code with [`World::builder`], or the `world` of a
/// [`Scenario`](crate::Scenario)); then let the user [`enroll`](World::enroll), read what
/// happened ([`take_timeline`](World::take_timeline)), collect the admin's
/// [`evidence`](World::evidence) and [`diagnose`](World::diagnose) it, carry out resolution
/// steps with [`apply`](World::apply) and enroll again.
///
/// The same world is reachable by clients of your own: [`services`](World::services) lists
/// each host name with its loopback address, [`ca_certificate_pem`](World::ca_certificate_pem)
/// is the root to trust and [`admin_token`](World::admin_token) the admin API's bearer token
/// (start such a world with [`start_now`](World::start_now), so that certificates judged by
/// the system clock are valid).
///
/// Dropping a `World` stops every service and frees its ports;
/// [`shutdown`](World::shutdown) does the same and waits until the listeners are closed. A
/// world must be started, used and dropped inside a Tokio runtime.
#[derive(Debug)]
pub struct World {
    served: ServedWorld,
}

impl World {
    /// A builder for a [`WorldSpec`], with defaults: an Intune tenant "Contoso" with a valid
    /// push certificate and a device limit of 15, no users, an English iPhone on iOS 17.5 with
    /// the current Company Portal. Faults are typed settings of the tenant
    /// ([`TenantSpec`](crate::TenantSpec)), its users ([`UserSpec`](crate::UserSpec)) and the
    /// device ([`DeviceSetup`](crate::DeviceSetup)).
    ///
    /// ```
    /// use enrollsim::{TenantSpec, UserSpec, World};
    ///
    /// let spec = World::builder()
    ///     .tenant(TenantSpec::new("Contoso").apns_expired_days_ago(45))
    ///     .user(UserSpec::new("alex@contoso.example"))
    ///     .build();
    /// assert_eq!(spec.users.len(), 1);
    /// ```
    pub fn builder() -> WorldBuilder {
        WorldSpec::builder()
    }

    /// Starts the world `spec` describes: issues its certificates, starts every service on a
    /// loopback port, builds the device and replays the spec's history. Nothing the history
    /// did shows in the timeline.
    pub async fn start(spec: &WorldSpec) -> Result<World, LabError> {
        ServedWorld::start(spec)
            .await
            .map(|served| World { served })
    }

    /// Starts the world `spec` describes, like [`World::start`], but with the virtual clock
    /// at the current UTC time instead of `spec.start`.
    ///
    /// Use it when clients of your own talk to the world: they judge the services'
    /// certificates by the system clock, and the certificates are valid from 30 days before
    /// the world's start to 335 days after it. Settings relative to the start (push
    /// certificate dates, history) keep their meaning; timelines carry the current date, so
    /// snapshot tests should use [`World::start`].
    pub async fn start_now(spec: &WorldSpec) -> Result<World, LabError> {
        ServedWorld::start_now(spec)
            .await
            .map(|served| World { served })
    }

    /// The user acts: enrolls the device through the Company Portal app, the Company Portal
    /// website or Setup Assistant (ADE), as `action` says, and the flow runs to its end.
    pub async fn enroll(&self, action: &Action) -> Outcome {
        self.lab().enroll(action).await
    }

    /// Carries out one resolution step the way an admin (through the admin API, over HTTPS) or
    /// a technician (on the device) would.
    pub async fn apply(&self, step: &ResolutionStep) -> Result<(), LabError> {
        self.lab().apply(step).await
    }

    /// Carries out resolution steps in order, stopping at the first that fails.
    pub async fn apply_all(&self, steps: &[ResolutionStep]) -> Result<(), LabError> {
        for step in steps {
            self.apply(step).await?;
        }
        Ok(())
    }

    /// Moves the world's virtual clock `days` days forward: certificates age, the push
    /// certificate may expire, enrollment profiles and tokens grow older.
    pub fn advance_days(&self, days: i64) {
        self.lab()
            .world
            .clock
            .advance(time::Duration::days(days.max(0)));
    }

    /// Everything that happened since the world started or since the previous call: HTTP
    /// exchanges between the parties, what the user saw, what the services decided.
    pub fn take_timeline(&self) -> Timeline {
        Timeline::from_entries(&self.lab().world.recorder.drain())
    }

    /// The evidence an admin can collect after `action` ended in `outcome`: what the user saw
    /// and where, the device's console and Company Portal logs, the tenant's admin view, the
    /// enrollment troubleshooting events and the sign-in log. Nothing about a scenario or its
    /// expectation goes in.
    pub fn evidence(&self, action: &Action, outcome: &Outcome) -> EvidenceBundle {
        evidence::collect(self.lab(), action, outcome)
    }

    /// The blind diagnosis of [`World::evidence`]: the same as
    /// [`diagnose`](crate::diagnose())`(&world.evidence(action, outcome))`.
    pub fn diagnose(&self, action: &Action, outcome: &Outcome) -> Diagnosis {
        crate::diagnose(&self.evidence(action, outcome))
    }

    /// The device's serial number.
    pub fn device_serial(&self) -> String {
        self.lab().device.serial()
    }

    /// Every host name of the world and where it listens, sorted by host name. Connect to
    /// [`Service::base_url`] and send [`Service::host`] as TLS SNI and `Host` header.
    pub fn services(&self) -> &[Service] {
        self.served.services()
    }

    /// The service answering to `host` (case-insensitive), e.g.
    /// [`ADMIN_API_HOST`](crate::ADMIN_API_HOST).
    pub fn service(&self, host: &str) -> Option<&Service> {
        self.served.service(host)
    }

    /// The admin API (Microsoft Graph shapes): `GET /v1.0/deviceManagement/managedDevices`,
    /// `GET /v1.0/users/{upn}/managedDevices`, device enrollment configurations, the push
    /// certificate...
    pub fn admin_api(&self) -> Option<&Service> {
        self.served.admin_api()
    }

    /// The distinct loopback ports the world listens on, ascending.
    pub fn ports(&self) -> Vec<u16> {
        self.served.ports()
    }

    /// The lab root certificate, as PEM: every service's certificate chains to it. Trust it
    /// in your client.
    pub fn ca_certificate_pem(&self) -> &str {
        self.served.ca_certificate_pem()
    }

    /// The lab root certificate, DER-encoded.
    pub fn ca_certificate_der(&self) -> Vec<u8> {
        self.served.ca_certificate_der()
    }

    /// The admin API's bearer token: send `Authorization: Bearer TOKEN`.
    pub fn admin_token(&self) -> &str {
        self.served.admin_token()
    }

    /// The lower-level lab: the simulated services' state, the device and the typed admin
    /// API. Prefer the methods of `World`; this is for what they do not cover.
    pub fn lab(&self) -> &Lab {
        self.served.lab()
    }

    /// Stops every service and waits until its listener is closed, so its port is free when
    /// this returns.
    pub async fn shutdown(self) {
        self.served.shutdown().await;
    }
}
