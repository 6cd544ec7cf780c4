//! The device's console log and the Company Portal's log, in their own formats.
//!
//! Console lines look like a log collector's export of the unified log:
//! `Nov 26 10:40:12 iPhone profiled[171] <Notice>: text`, written by the process that would
//! write them (profiled, mdmclient, Setup Assistant, mobileassetd, the Company Portal...), each
//! with a fixed pid for the life of the device. That is the shape the syslog relay gives
//! (Xcode's Devices window, iPhone Configuration Utility, `idevicesyslog`), as real excerpts show
//! it (<https://github.com/wso2-attic/wso2mobileserver/issues/2>,
//! <https://github.com/thrasr/mdm-server/issues/15>). A failure is logged the way
//! ManagedConfiguration logs an `NSError`: the line that says what failed, ending in
//! `Error: NSError:`, then one indented `Key : value` line per field and each underlying error
//! after `...Underlying error:` ([`NsError::dump`]).
//!
//! The Company Portal's own log follows the Intune iOS apps' log as public excerpts show it
//! (<https://github.com/microsoftconnect/ms-intune-app-sdk-ios/issues/337> and
//! <https://github.com/microsoftconnect/ms-intune-app-sdk-ios/issues/316>): tab-separated
//! `<RFC 3339 time with ms>`, a four-letter level (`INFO`, `ERRO`, `WARN`), the app's bundle id,
//! a thread number, then ` <Component>: text`. No public excerpt of the Company Portal's own
//! *Send logs* file was found; the shape is that of the Intune App SDK, which writes those.
//!
//! No `dmd` lines: no public log or document found shows `dmd` taking part in an MDM
//! enrollment (none of the corpus's excerpts, Microsoft's troubleshooting pages or the MDM
//! servers' issue threads has one), so the device does not invent them.

use time::OffsetDateTime;

/// Severity of a console line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// `<Notice>`.
    Notice,
    /// `<Error>`.
    Error,
    /// `<Fault>`.
    Fault,
}

impl Level {
    fn tag(self) -> &'static str {
        match self {
            Level::Notice => "Notice",
            Level::Error => "Error",
            Level::Fault => "Fault",
        }
    }
}

/// The iOS processes that write to the console, with their pids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Process {
    /// The Company Portal app.
    CompanyPortal,
    /// The configuration profile daemon.
    Profiled,
    /// The MDM client.
    Mdmclient,
    /// The push daemon.
    Apsd,
    /// Setup Assistant.
    SetupAssistant,
    /// Cloud configuration (ADE) fetcher.
    CloudConfiguration,
    /// The mobile asset daemon.
    Mobileassetd,
    /// The accessibility UI server (its MobileAsset client appears in the article's log).
    AccessibilityUiServer,
    /// Safari.
    Safari,
}

impl Process {
    fn name_and_pid(self) -> (&'static str, u32) {
        match self {
            Process::CompanyPortal => ("CompanyPortal", 412),
            Process::Profiled => ("profiled", 171),
            Process::Mdmclient => ("mdmclient", 233),
            Process::Apsd => ("apsd", 96),
            Process::SetupAssistant => ("Setup", 301),
            Process::CloudConfiguration => ("ManagedConfiguration", 171),
            Process::Mobileassetd => ("mobileassetd", 83),
            Process::AccessibilityUiServer => (
                "com.apple.accessibility.AccessibilityUIServer(MobileAsset)",
                288,
            ),
            Process::Safari => ("MobileSafari", 520),
        }
    }
}

/// An `NSError` as ManagedConfiguration (`profiled`, `mdmclient`) logs it, with the fields
/// real dumps carry (`Desc`, `Sugg`, `US Desc`, `US Sugg`, `Domain`, `Code`, `Type`) and its
/// underlying error.
///
/// Every ManagedConfiguration code the device logs is one of Apple's published table ("Error
/// Codes" of the MDM Protocol Reference,
/// <https://developer.apple.com/library/archive/documentation/Miscellaneous/Reference/MobileDeviceManagementProtocolRef/3-MDM_Protocol/MDM_Protocol.html#//apple_ref/doc/uid/TP40017387-CH3-SW77>),
/// with the meaning the table gives it: `MCProfileErrorDomain` 1000 "Malformed profile",
/// `MCPayloadErrorDomain` 2004 "Unsupported field value", `MCInstallationErrorDomain` 4001
/// "Installation failure", 4014 "No device identity available", 4024 "Profile not found",
/// `MCMDMErrorDomain` 12001 "Multiple MDM instances", 12011 "Invalid MDM configuration",
/// 12012 "MDM replacement mismatch" (also the code iOS's `MCInstaller` returns when a new MDM
/// payload's Topic, ServerURL or CheckInURL differs from the installed one,
/// `MDM_ERROR_REPLACEMENT_MISMATCH`, in a public decompilation of iOS 18's profiled:
/// `usr/libexec/profiled/MCInstaller.m` of
/// <https://github.com/EthanArbuckle/iPad_10.2_18.0_22A3354_Restore>), `MCHTTPTransactionErrorDomain` 23001 "Bad server
/// response". Cloud configuration (`MCCloudConfigurationErrorDomain`), Foundation
/// (`NSURLErrorDomain`) and Security (`NSOSStatusErrorDomain`) codes are cited where they are
/// logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NsError {
    /// `Desc` (the device shows it in English here, so `US Desc` is the same).
    pub description: String,
    /// `Sugg`, when the error suggests something.
    pub suggestion: Option<String>,
    /// `MCInstallationErrorDomain`...
    pub domain: &'static str,
    /// The domain's code.
    pub code: i64,
    /// The error this one wraps.
    pub underlying: Option<Box<NsError>>,
}

impl NsError {
    /// An error without suggestion or underlying error.
    pub fn new(domain: &'static str, code: i64, description: impl Into<String>) -> Self {
        NsError {
            description: description.into(),
            suggestion: None,
            domain,
            code,
            underlying: None,
        }
    }

    /// With a `Sugg` line.
    pub fn suggest(mut self, suggestion: impl Into<String>) -> Self {
        self.suggestion = Some(suggestion.into());
        self
    }

    /// Wrapping `cause`.
    pub fn caused_by(mut self, cause: NsError) -> Self {
        self.underlying = Some(Box::new(cause));
        self
    }

    /// The indented lines that follow `Error: NSError:` in the log.
    pub fn dump(&self) -> Vec<String> {
        let mut lines = Vec::new();
        let mut error = Some(self);
        while let Some(e) = error {
            if !lines.is_empty() {
                lines.push("    ...Underlying error:".to_string());
                lines.push("    NSError:".to_string());
            }
            lines.push(format!("    Desc   : {}", e.description));
            if let Some(s) = &e.suggestion {
                lines.push(format!("    Sugg   : {s}"));
            }
            lines.push(format!("    US Desc: {}", e.description));
            if let Some(s) = &e.suggestion {
                lines.push(format!("    US Sugg: {s}"));
            }
            lines.push(format!("    Domain : {}", e.domain));
            lines.push(format!("    Code   : {}", e.code));
            lines.push("    Type   : MCFatalError".to_string());
            error = e.underlying.as_deref();
        }
        lines
    }
}

/// `Nov 26 10:40:12`.
pub fn console_time(t: OffsetDateTime) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{} {:2} {:02}:{:02}:{:02}",
        MONTHS[t.month() as usize - 1],
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// One console line.
pub fn console_line(
    t: OffsetDateTime,
    device_name: &str,
    process: Process,
    level: Level,
    text: &str,
) -> String {
    let (name, pid) = process.name_and_pid();
    format!(
        "{} {} {}[{}] <{}>: {}",
        console_time(t),
        device_name,
        name,
        pid,
        level.tag(),
        text
    )
}

/// The Company Portal's bundle id, as its log lines name the app.
const COMPANY_PORTAL_BUNDLE_ID: &str = "com.microsoft.CompanyPortal";

/// One Company Portal log line; `level` is `INFO`, `WARN` or `ERROR` (written `ERRO`).
pub fn company_portal_line(t: OffsetDateTime, level: &str, component: &str, text: &str) -> String {
    let level = match level {
        "ERROR" => "ERRO",
        other => other,
    };
    format!(
        "{}.{:03}Z\t{}\t\t{COMPANY_PORTAL_BUNDLE_ID}\t0\t\t\t {}: {}",
        crate::clock::rfc3339(t).trim_end_matches('Z'),
        t.millisecond(),
        level,
        component,
        text
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn formats_like_a_console_export() {
        let t = datetime!(2026-11-06 09:05:03.250 UTC);
        assert_eq!(
            console_line(t, "iPhone", Process::Mobileassetd, Level::Notice, "hello"),
            "Nov  6 09:05:03 iPhone mobileassetd[83] <Notice>: hello"
        );
        assert_eq!(
            company_portal_line(t, "ERROR", "Enrollment", "ok"),
            "2026-11-06T09:05:03.250Z\tERRO\t\tcom.microsoft.CompanyPortal\t0\t\t\t Enrollment: ok"
        );
    }

    #[test]
    fn nserror_dump_nests_underlying_errors() {
        let e = NsError::new(
            "MCInstallationErrorDomain",
            4001,
            "Profile Installation Failed",
        )
        .caused_by(NsError::new("NSOSStatusErrorDomain", -25295, "x").suggest("y"));
        let dump = e.dump();
        assert_eq!(dump[2], "    Domain : MCInstallationErrorDomain");
        assert_eq!(dump[3], "    Code   : 4001");
        assert_eq!(dump[5], "    ...Underlying error:");
        assert!(dump.contains(&"    Sugg   : y".to_string()));
        assert_eq!(dump.last().unwrap(), "    Type   : MCFatalError");
    }
}
