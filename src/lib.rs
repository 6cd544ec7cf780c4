//! # enrollsim
//!
//! Reproduce Microsoft Intune iOS/iPadOS enrollment failures on demand, diagnose them blind,
//! apply the documented fix and prove the device enrolls again — inside `cargo test`.
//!
//! enrollsim runs a simulated Entra ID + Intune tenant, Apple's push service (APNs), Apple's
//! Automated Device Enrollment service and an iOS device. They talk HTTPS on loopback (rustls,
//! certificates from a lab PKI) with Apple's real plist payloads. A failure is never scripted:
//! it comes out of the *state* of the world — a device limit, an expired push certificate, a
//! licence without Intune, another MDM's management profile — as the parties follow the
//! protocol. A blind diagnosis reads only the evidence an admin could collect and names the
//! section of Microsoft's troubleshooting article and the cause.
//!
//! ## A regression test, start to finish
//!
//! Alex already has 15 devices, the tenant's limit, and tries to enroll one more. The test
//! builds that world in code, watches the enrollment fail the way Alex would see it, checks the
//! diagnosis, carries out the article's fix and proves the iPhone enrolls:
//!
//! ```
//! use enrollsim::{
//!     diagnose, Action, Cause, DeviceSetup, Outcome, ResolutionStep, Screen, Section,
//!     TenantSpec, UserMessage, UserSpec, World, WorldSpec,
//! };
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // In a `#[tokio::test]` you would `.await` directly; a doctest builds its own runtime.
//! let runtime = tokio::runtime::Runtime::new()?;
//! runtime.block_on(async {
//!     // 1. The world: a tenant whose device limit is 15, a user who has reached it, and a
//!     //    new iPhone with the Company Portal installed.
//!     let spec = WorldSpec::builder()
//!         .tenant(TenantSpec::new("Contoso").device_limit(15))
//!         .user(UserSpec::new("alex@contoso.example").enrolled_devices(15))
//!         .device(DeviceSetup::iphone())
//!         .build();
//!     let world = World::start(&spec).await?;
//!
//!     // 2. Alex signs in to the Company Portal and enrolls; the service refuses.
//!     let alex = Action::company_portal("alex@contoso.example");
//!     let outcome = world.enroll(&alex).await;
//!     assert_eq!(
//!         outcome,
//!         Outcome::Failed {
//!             screen: Screen::CompanyPortal,
//!             message: UserMessage::DeviceCapReached,
//!             text: "Device Cap Reached".into(),
//!         }
//!     );
//!
//!     // 3. The admin collects the evidence; the diagnosis sees nothing else.
//!     let evidence = world.evidence(&alex, &outcome).await;
//!     let diagnosis = diagnose(&evidence);
//!     assert_eq!(diagnosis.section, Some(Section::DeviceCapReached));
//!     assert_eq!(diagnosis.cause, Some(Cause::DeviceLimitReached));
//!     assert_eq!(diagnosis.section.map(Section::id), Some("device-cap-reached"));
//!     assert_eq!(diagnosis.cause.map(Cause::id), Some("device-limit-reached"));
//!
//!     // 4. The article's fix: delete the user's stale devices, then enroll again.
//!     world
//!         .apply(&ResolutionStep::DeleteStaleDevices {
//!             user: alex.user.clone(),
//!             count: Some(1),
//!         })
//!         .await?;
//!     assert_eq!(
//!         world.enroll(&alex).await,
//!         Outcome::Enrolled { upn: "alex@contoso.example".into() }
//!     );
//!
//!     world.shutdown().await;
//!     Ok::<_, enrollsim::LabError>(())
//! })?;
//! # Ok(())
//! # }
//! ```
//!
//! In a test file the same code sits in a `#[tokio::test]` function (Tokio with the `macros`
//! and `rt-multi-thread` features as a dev-dependency).
//!
//! ## What the crate offers
//!
//! - **Worlds in code**: [`WorldSpec::builder`] with the catalog's faults as typed settings of
//!   [`TenantSpec`], [`UserSpec`] and [`DeviceSetup`]; [`World::start`] runs it;
//!   [`World::enroll`] returns a typed [`Outcome`]; [`World::add_device`] adds more devices, each
//!   a [`DeviceHandle`] that can act from its own task; [`World::take_timeline`],
//!   [`World::evidence`] and [`diagnose`](diagnose()) tell what happened and why; [`World::apply`] carries
//!   out a [`ResolutionStep`].
//! - **Scenarios** (a world, an action, what should happen, the documented fix) from TOML files
//!   or strings ([`Scenario::load`], [`Scenario::from_toml_str`]), from the built-in
//!   [`catalog`], or built in code; [`run_scenario`] replays one end to end and returns a
//!   [`RunReport`].
//! - **Snapshots**: [`snapshot`] renders timelines, outcomes, diagnoses and whole reports
//!   stably and redacted, for `insta`.
//! - **A world for your own client**: every [`World`] listens on loopback; [`World::services`],
//!   [`World::ca_certificate_pem`] and [`World::admin_token`] are what a Graph client, an MDM
//!   agent or a log collector needs to talk to it.
//! - **Blind diagnostics** of any evidence bundle, including ones other tools wrote:
//!   [`diagnose`](diagnose()), [`EvidenceBundle`] and the [`diagnostics`] crate.
//!
//! The [`guide`] walks through each of these with examples, and lists which setting reproduces
//! which failure of the article.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod catalog;
pub mod fleet;
pub mod foreign;
pub mod guide;
pub mod scenario;
pub mod snapshot;
mod world;

pub use world::World;

/// The blind diagnosis: evidence bundles, the article's catalog, the rules and the report.
///
/// It depends on nothing else of enrollsim and reads bundles any tool wrote (see the bundle
/// format in the repository's `docs/evidence-bundle.md`).
pub use enrollsim_diagnostics as diagnostics;

pub use enrollsim_diagnostics::{
    AffectedUsers, Cause, Diagnosis, EvidenceBundle, FollowOn, Section,
};
pub use enrollsim_harness::lab::{DeviceHandle, LabError};
pub use enrollsim_harness::run::{run_scenario, AttemptReport, RunReport, StageReport};
pub use enrollsim_harness::scenario::{
    Action, Attempt, DeviceSetup, Expectation, FollowOnStage, HistoryStep, ResolutionStep,
    Scenario, ScenarioError, Screen, Span, SpanError, TenantSpec, UserMessage, UserSpec,
    WorldBuilder, WorldSpec, DEFAULT_DEVICE,
};
pub use enrollsim_harness::scenario::{
    CloudAppSpec, ConditionalAccessSpec, FaultKind, FaultSpec, GrantSpec, GroupLicenseSpec,
    GroupSpec, MdmAuthority, PolicyStateSpec, SkuSpec,
};
pub use enrollsim_harness::serve::{ProfileError, Service, ADMIN_API_HOST};
pub use enrollsim_harness::timeline::{Timeline, TimelineLine};
pub use enrollsim_simulator::cloud::intune::inventory::InventoryError;
pub use enrollsim_simulator::cloud::intune::state::ResultTally;
pub use enrollsim_simulator::device::mdmclient::SessionEnd;
pub use enrollsim_simulator::device::Outcome;
pub use enrollsim_simulator::recorder::{RecordMode, RecordSummary};

/// Diagnoses an evidence bundle, blind: it reads kinds of evidence (the message and where it
/// appeared, log patterns, tenant facts, dates relative to the collection time), never names,
/// identifiers or what a test expects. Names the article's [`Section`] and the [`Cause`], with
/// the evidence relied on, the resolution steps, ranked alternatives and what to collect next.
///
/// ```
/// use enrollsim::{diagnose, Cause, EvidenceBundle, Section};
///
/// let diagnosis = diagnose(&EvidenceBundle::from_message("User License Type Invalid", "en-US"));
/// assert_eq!(diagnosis.section, Some(Section::UserLicenseTypeInvalid));
/// assert_eq!(diagnosis.cause, Some(Cause::UserNotLicensed));
/// ```
#[must_use]
pub fn diagnose(bundle: &EvidenceBundle) -> Diagnosis {
    enrollsim_diagnostics::diagnose(bundle)
}
