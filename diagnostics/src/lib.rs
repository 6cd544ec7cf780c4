//! # enrollsim-diagnostics
//!
//! Blind diagnosis of Microsoft Intune iOS/iPadOS enrollment failures.
//!
//! The crate reads an *evidence bundle* — what an Intune admin can collect about one failed
//! enrollment (the message the user saw and where, the device console log, the Company Portal
//! log, the tenant's admin view, the enrollment troubleshooting events and the Entra ID
//! sign-ins) — and names the troubleshooting article's section and the cause behind it, with the
//! evidence, the resolution steps, the ranked alternatives and what to collect next.
//!
//! It is *blind*: it depends on no other crate of the workspace but the plain data of
//! `enrollsim-graph` (shapes) and `enrollsim-texts` (the products' messages), never sees a scenario, and its rules look at kinds of evidence (codes, log
//! patterns, tenant facts, dates relative to the collection time), never at names, serial
//! numbers or tenant identifiers.
//!
//! ```
//! use enrollsim_diagnostics::{diagnose, EvidenceBundle, Section, Cause};
//!
//! let bundle = EvidenceBundle::from_message("Device Cap Reached", "en-US");
//! let diagnosis = diagnose(&bundle);
//! assert_eq!(diagnosis.section, Some(Section::DeviceCapReached));
//! assert_eq!(diagnosis.cause, Some(Cause::DeviceLimitReached));
//! ```
//!
//! Modules:
//! - [`bundle`]: the evidence bundle types and the on-disk format (`docs/evidence-bundle.md`).
//! - [`catalog`]: the article's sections, our causes, message texts and resolutions.
//! - [`message`]: recognising a message as a user reports it.
//! - [`diagnose`](mod@diagnose): the rules and the decision.
//! - [`report`]: the [`Diagnosis`] and its text rendering.
#![deny(missing_docs)]

pub mod bundle;
pub mod catalog;
mod collect;
mod dates;
pub mod diagnose;
mod error_chain;
mod logs;
pub mod message;
pub mod report;
mod rules;
mod text;
mod version;

pub use bundle::{
    AffectedUsers, ApnsCertificateView, BundleError, BundleProblem, DepOnboardingSettingView,
    DepUploadError, DeviceFacts, DeviceLimitConfiguration, EnrollmentConfiguration,
    EnrollmentEvent, EnrollmentProfileView, EnrollmentType, EvidenceBundle, FailureCategory,
    FederatedDomainView, FederationEndpointView, FileMap, ImportedDeviceIdentityView,
    ImportedDeviceView, IosRestriction, LicenseView, Location, ManagedDeviceView, Manifest, Part,
    PlatformRestrictionsConfiguration, PortalDevice, ProblemKind, ReadBundle, SignInRecord,
    SignInStatus, TenantView, UserReport, UserView, FORMAT,
};
pub use catalog::{
    check_message_data, localized, localized_all, user_messages, Cause, CurrentAnchor, Edition,
    Language, LocalizedMessage, LocalizedTexts, MessageDataError, MessageKind, Page, ParseIdError,
    ResolutionStep, Section, UserMessage,
};
pub use diagnose::diagnose;
pub use logs::{console_line_shape, ConsoleShape};
pub use message::{detect_language, recognize, MessageMatch};
pub use report::{
    Candidate, CollectItem, Confidence, Diagnosis, EvidenceItem, FollowOn, LoggedError,
};
