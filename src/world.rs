//! [`World`]: a running simulated tenant, its services on loopback and its iOS devices.
//!
//! The one public world type: it owns the harness's lab and keeps the simulator behind it
//! private, so what a test can do with a world is exactly the methods here.

use enrollsim_harness::evidence;
use enrollsim_harness::lab::{DeviceHandle, Lab, LabError};
use enrollsim_harness::scenario::{
    Action, DeviceSetup, FaultKind, FaultSpec, ResolutionStep, Span, WorldSpec,
};
use enrollsim_harness::serve::{certificate_pem, ProfileError, Service, ADMIN_API_HOST};
use enrollsim_harness::timeline::Timeline;
use enrollsim_simulator::cloud::intune::inventory::InventoryError;
use enrollsim_simulator::cloud::intune::state::{ManagementState, ResultTally};
use enrollsim_simulator::recorder::{RecordMode, RecordSummary};
use time::OffsetDateTime;

use crate::{Diagnosis, EvidenceBundle, Outcome};

/// A running world: an Entra ID + Intune tenant, Apple's services and APNs listening on
/// loopback ports, and the iOS device a user enrolls.
///
/// Start one from a [`WorldSpec`] (built in code with [`WorldSpec::builder`], or the `world`
/// of a [`Scenario`](crate::Scenario)); then let the user [`enroll`](World::enroll), read what
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
/// Several users and devices share one world: [`add_device`](World::add_device) switches on
/// another device and returns its [`DeviceHandle`], which is cheap to clone and can act from
/// its own tokio task (a `World` is `Send + Sync`: share it in an `Arc`). Counts such as
/// [`apns_pushes_delivered`](World::apns_pushes_delivered) and
/// [`managed_device_count`](World::managed_device_count) sum a fleet up.
///
/// Dropping a `World` stops every service and frees its ports;
/// [`shutdown`](World::shutdown) does the same and waits until the listeners are closed. A
/// world must be started, used and dropped inside a Tokio runtime.
pub struct World {
    lab: Lab,
    services: Vec<Service>,
    ca_pem: String,
    admin_token: String,
}

impl std::fmt::Debug for World {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("World")
            .field("services", &self.services)
            .finish_non_exhaustive()
    }
}

impl World {
    /// Starts the world `spec` describes: issues its certificates, starts every service on a
    /// loopback port, builds the device and replays the spec's history. Nothing the history
    /// did shows in the timeline.
    pub async fn start(spec: &WorldSpec) -> Result<World, LabError> {
        Lab::start(spec).await.map(World::serve)
    }

    /// Starts the world `spec` describes, like [`World::start`], but with the virtual clock
    /// at the current UTC time instead of `spec.start`.
    ///
    /// Use it when clients of your own talk to the world: they judge the services'
    /// certificates by the system clock, while the services rotate their year-long
    /// certificates on the virtual clock; a world started this way has its services'
    /// certificates cover the system clock too, however far its history moved the virtual
    /// clock. Settings relative to the start (push
    /// certificate dates, history) keep their meaning; timelines carry the current date, so
    /// snapshot tests should use [`World::start`].
    pub async fn start_now(spec: &WorldSpec) -> Result<World, LabError> {
        Lab::start_now(spec).await.map(World::serve)
    }

    /// Wraps a running lab with what outside clients need to reach it.
    fn serve(lab: Lab) -> World {
        World {
            services: lab.services(),
            ca_pem: certificate_pem(&lab.ca_certificate_der()),
            admin_token: lab.admin_token(),
            lab,
        }
    }

    /// The user acts: enrolls the spec's device through the Company Portal app, the Company
    /// Portal website or Setup Assistant (ADE), as `action` says, after everything that
    /// happened before, and the flow runs to its end.
    #[must_use = "the outcome says whether the device enrolled"]
    pub async fn enroll(&self, action: &Action) -> Outcome {
        self.lab.enroll(action).await
    }

    /// The spec's device, as a handle like the ones [`World::add_device`] returns.
    pub fn device(&self) -> DeviceHandle {
        self.lab.device_handle()
    }

    /// The spec's device with id `id`: `world.device` (its id, or
    /// [`DEFAULT_DEVICE`](crate::DEFAULT_DEVICE)) or one of `world.devices`.
    pub fn device_by_id(&self, id: &str) -> Option<DeviceHandle> {
        self.lab.device_handle_by_id(id)
    }

    /// Switches on another device in this world, as `setup` describes it (a serial number or
    /// UDID it leaves open is made up from the seed). In a tenant with ADE whose spec assigns
    /// its device, Apple Business Manager holds the new device too, assigned to Intune's MDM
    /// server; Intune imports it at its next sync
    /// ([`ResolutionStep::SyncAdeToken`](crate::ResolutionStep::SyncAdeToken)).
    pub fn add_device(&self, setup: &DeviceSetup) -> Result<DeviceHandle, LabError> {
        self.lab.add_device(setup)
    }

    /// The user of `device` acts after everything that happened before, as
    /// [`World::enroll`] does for the spec's device. Devices acting side by side call
    /// [`DeviceHandle::enroll`] from their own tasks instead.
    #[must_use = "the outcome says whether the device enrolled"]
    pub async fn enroll_on(&self, device: &DeviceHandle, action: &Action) -> Outcome {
        device.sync_clock();
        device.enroll(action).await
    }

    /// The world's virtual time.
    pub fn now(&self) -> OffsetDateTime {
        self.lab.world.clock.now()
    }

    /// How many pushes APNs has delivered to devices so far.
    pub fn apns_pushes_delivered(&self) -> u64 {
        self.lab.world.apns.delivered()
    }

    /// How many devices Intune manages now (the users' earlier devices included).
    pub fn managed_device_count(&self) -> usize {
        let state = self.lab.world.intune.state();
        let state = state.lock().unwrap_or_else(|p| p.into_inner());
        state
            .devices
            .iter()
            .filter(|d| d.state == ManagementState::Managed)
            .count()
    }

    /// How many commands Intune still holds for its devices: none once a fleet answered
    /// everything it was sent.
    pub fn queued_command_count(&self) -> usize {
        self.lab.world.intune.queued_command_count()
    }

    /// Schedules a network fault in the running world (a service down, slow or answering
    /// 503, resets, handshake timeouts, a name that does not resolve, an APNs outage); its
    /// `after`/`lasting` window is measured from now.
    pub fn schedule_fault(&self, fault: &FaultSpec) -> Result<(), LabError> {
        self.lab.schedule_fault(fault)
    }

    /// How many requests faults of `kind` have hit so far.
    pub fn fault_hits(&self, kind: FaultKind) -> u64 {
        self.lab.fault_hits(kind)
    }

    /// The command results Intune received, by CommandUUID: how many reports arrived and how
    /// many it acted on.
    pub fn command_results(&self) -> std::collections::BTreeMap<String, ResultTally> {
        let state = self.lab.world.intune.state();
        let state = state.lock().unwrap_or_else(|p| p.into_inner());
        state
            .command_results
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// How many device records Intune holds for each UDID (a device enrolled twice would
    /// count two).
    pub fn device_records_by_udid(&self) -> std::collections::BTreeMap<String, usize> {
        let state = self.lab.world.intune.state();
        let state = state.lock().unwrap_or_else(|p| p.into_inner());
        let mut counts = std::collections::BTreeMap::new();
        for d in &state.devices {
            *counts.entry(d.udid.clone()).or_insert(0) += 1;
        }
        counts
    }

    /// Intune refreshes `device`'s inventory: it queues a `DeviceInformation` for it and wakes
    /// it through APNs (the device answers when it handles the push,
    /// [`DeviceHandle::handle_push`]). The command's UUID.
    pub async fn refresh_inventory(&self, device: &DeviceHandle) -> Result<String, InventoryError> {
        self.lab
            .world
            .intune
            .refresh_inventory(&device.udid())
            .await
    }

    /// How much the world's timeline keeps from now on. [`RecordMode::All`] (the default)
    /// keeps everything; a fleet of thousands keeps memory bounded with
    /// [`RecordMode::Failures`] and [`World::settle`].
    pub fn set_record_mode(&self, mode: RecordMode) {
        self.lab.world.recorder.set_mode(mode);
    }

    /// `device`'s flow ended, as `succeeded` says: under [`RecordMode::Failures`] the
    /// timeline keeps its entries only when it failed.
    pub fn settle(&self, device: &DeviceHandle, succeeded: bool) {
        self.lab.world.recorder.settle(&device.serial(), succeeded);
    }

    /// What the timeline counted instead of keeping.
    pub fn record_summary(&self) -> RecordSummary {
        self.lab.world.recorder.summary()
    }

    /// How many devices are registered in Entra ID (workplace joined).
    pub fn registered_device_count(&self) -> usize {
        let directory = self.lab.world.entra.state();
        let directory = directory.lock().unwrap_or_else(|p| p.into_inner());
        directory.devices.len()
    }

    /// A `GET` on the admin API ([`ADMIN_API_HOST`]) over HTTPS, as an admin's tooling sends
    /// it, e.g. `/v1.0/deviceManagement/managedDevices`; the JSON answer.
    pub async fn admin_get(&self, path: &str) -> Result<serde_json::Value, LabError> {
        self.lab.admin_get(path).await
    }

    /// Carries out one resolution step the way an admin (through the admin API, over HTTPS) or
    /// a technician (on the device) would.
    pub async fn apply(&self, step: &ResolutionStep) -> Result<(), LabError> {
        self.lab.apply(step).await
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
        self.lab
            .world
            .clock
            .advance(time::Duration::days(days.max(0)));
    }

    /// Moves the world's virtual clock forward by `by` (`Span::hours(36)`, `"90m".parse()?`);
    /// Intune's delta syncs that fall due meanwhile run.
    pub async fn advance(&self, by: Span) {
        self.lab
            .world
            .clock
            .advance(by.duration().max(time::Duration::ZERO));
        self.lab.world.intune.run_due_syncs().await;
    }

    /// Everything that happened since the world started or since the previous call: HTTP
    /// exchanges between the parties, what the user saw, what the services decided.
    #[must_use = "the timeline is drained: what it held is gone once dropped"]
    pub fn take_timeline(&self) -> Timeline {
        Timeline::from_entries(&self.lab.world.recorder.drain())
    }

    /// The evidence an admin can collect after `action` ended in `outcome`: what the user saw
    /// and where, the device's console and Company Portal logs, the tenant's admin view, the
    /// enrollment troubleshooting events and the sign-in log (read through the admin API, over
    /// HTTPS, as an admin's collection script would), and the user's device list from the
    /// Company Portal website. Nothing about a scenario or its expectation goes in.
    #[must_use = "collecting evidence changes nothing; use the bundle"]
    pub async fn evidence(&self, action: &Action, outcome: &Outcome) -> EvidenceBundle {
        evidence::collect(&self.lab, action, outcome).await
    }

    /// The blind diagnosis of [`World::evidence`]: the same as
    /// [`diagnose`](crate::diagnose())`(&world.evidence(action, outcome).await)`.
    #[must_use = "a diagnosis changes nothing; read it"]
    pub async fn diagnose(&self, action: &Action, outcome: &Outcome) -> Diagnosis {
        crate::diagnose(&self.evidence(action, outcome).await)
    }

    /// The serial number of the spec's device.
    pub fn device_serial(&self) -> String {
        self.lab.device.serial()
    }

    /// Every host name of the world and where it listens, sorted by host name. Connect to
    /// [`Service::base_url`] and send [`Service::host`] as TLS SNI and `Host` header.
    pub fn services(&self) -> &[Service] {
        &self.services
    }

    /// The service answering to `host` (case-insensitive), e.g.
    /// [`ADMIN_API_HOST`](crate::ADMIN_API_HOST).
    pub fn service(&self, host: &str) -> Option<&Service> {
        self.services
            .iter()
            .find(|s| s.host.eq_ignore_ascii_case(host))
    }

    /// The admin API (Microsoft Graph shapes): `GET /v1.0/deviceManagement/managedDevices`,
    /// `GET /v1.0/users/{upn}/managedDevices`, device enrollment configurations, the push
    /// certificate...
    pub fn admin_api(&self) -> Option<&Service> {
        self.service(ADMIN_API_HOST)
    }

    /// The distinct loopback ports the world listens on, ascending.
    pub fn ports(&self) -> Vec<u16> {
        let mut ports: Vec<u16> = self.services.iter().map(Service::port).collect();
        ports.sort_unstable();
        ports.dedup();
        ports
    }

    /// The lab root certificate, as PEM: every service's certificate chains to it. Trust it
    /// in your client.
    pub fn ca_certificate_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The lab root certificate, DER-encoded.
    pub fn ca_certificate_der(&self) -> Vec<u8> {
        self.lab.ca_certificate_der()
    }

    /// The admin API's bearer token: send `Authorization: Bearer TOKEN`. Entra issued it to
    /// the lab's admin app as the world started, for Microsoft Graph in the public cloud, with
    /// Intune's permissions and a virtual lifetime longer than any history a world replays.
    pub fn admin_token(&self) -> &str {
        &self.admin_token
    }

    /// The client id and secret of the lab's admin app. A client credentials grant with them
    /// (`grant_type=client_credentials`, `scope=https://graph.microsoft.com/.default`) at
    /// `login.microsoftonline.com`'s token endpoint gets a fresh admin API token that expires
    /// an hour of virtual time later, as Entra's do.
    pub fn admin_app_credentials(&self) -> (String, String) {
        self.lab.admin_app_credentials()
    }

    /// A standard enrollment profile (`.mobileconfig`) for `upn` that an Apple MDM client of
    /// your own can install: the profile Intune's own code builds for the user (identity and
    /// MDM payloads, the push certificate's topic), with its service URLs pointing at the
    /// listeners' `https://127.0.0.1:PORT` addresses. Start the world with
    /// [`start_now`](World::start_now): the services' certificates then name 127.0.0.1 too.
    pub fn enrollment_profile(&self, upn: &str) -> Result<Vec<u8>, ProfileError> {
        self.lab.enrollment_profile(upn)
    }

    /// Stops every service and waits until its listener is closed, so its port is free when
    /// this returns.
    pub async fn shutdown(self) {
        self.lab.world.shutdown().await;
    }
}
