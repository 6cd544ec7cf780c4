//! The command line's grammar: every command, its flags and the checks clap makes before
//! anything runs. A flag means the same thing in every command: `--dir` is always the folder
//! scenarios are read from, `--out` always a folder the command writes, `--json` always
//! "print JSON instead of text".

use std::path::PathBuf;

use clap::builder::RangedU64ValueParser;
use clap::{ArgGroup, Parser, Subcommand};

/// What `--help` says about exit codes; scripts and CI read them.
const EXIT_CODES: &str = "\
Exit codes:
  0  everything held: every scenario reproduced, diagnosed and fixed; a perfect score; every
     load enrollment enrolled; the lab's device enrolled again
  1  something did not hold (a scenario, a score, a load enrollment, an unfixed lab)
  2  the command could not run: bad arguments, unreadable files, a world that did not start";

/// What a load run's timeline keeps (`--record`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Record {
    /// Every entry of every device.
    All,
    /// Failed devices' entries; successful devices are only counted.
    Failures,
    /// Nothing but counts.
    None,
}

#[derive(Parser)]
#[command(
    name = "enrollsim",
    version,
    about = "Reproduce, diagnose and fix Intune iOS/iPadOS enrollment failures in a simulated tenant and device",
    after_help = EXIT_CODES
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// List the scenarios: id, title, article section.
    #[command(after_help = EXIT_CODES)]
    List {
        /// Read scenarios from this directory instead of the built-in catalog.
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Print JSON: an array of {"id", "title", "section", "cause"}.
        #[arg(long)]
        json: bool,
    },
    /// Replay scenarios: reproduce, diagnose blind, fix, re-enroll.
    #[command(after_help = EXIT_CODES)]
    Run(RunArgs),
    /// A training lab: start a scenario's broken world, let the trainee investigate through the
    /// admin API and the evidence, fix it, and enroll again. With `--web`, a lab in the
    /// browser for a room of trainees (an admin center, the phone, logs, hints, a debrief).
    #[command(after_help = EXIT_CODES)]
    Lab(LabArgs),
    /// Keep a world's services running on loopback for Apple MDM clients and tools of your own:
    /// prints the service URLs, the CA to trust, the admin API's token and an enrollment
    /// profile; stops on Ctrl-C or when stdin closes.
    #[command(after_help = EXIT_CODES)]
    Serve(ServeArgs),
    /// The simulated iOS device on its own, against an MDM server of your own on loopback.
    #[command(subcommand)]
    Device(DeviceCommand),
    /// Export the failure scenarios' evidence bundles under opaque names, with the ground
    /// truth, for scoring a diagnostic tool.
    #[command(after_help = EXIT_CODES)]
    Export {
        /// Where to write the bundles and ground-truth.json.
        #[arg(long)]
        out: PathBuf,
        /// Read scenarios from this directory instead of the built-in catalog.
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Print JSON: {"bundles", "ground_truth", "cases"}.
        #[arg(long)]
        json: bool,
    },
    /// Score a diagnostic tool's answers against an export's ground truth (`--self` scores
    /// enrollsim's own diagnosis).
    #[command(
        after_help = EXIT_CODES,
        group(ArgGroup::new("answers").required(true).args(["predictions", "self_"]))
    )]
    Score {
        /// The export's ground-truth.json.
        #[arg(long)]
        truth: PathBuf,
        /// The tool's answers: a JSON array of {"case", "section", "cause"}.
        #[arg(long)]
        predictions: Option<PathBuf>,
        /// Score enrollsim's own diagnosis of the exported bundles.
        #[arg(long = "self")]
        self_: bool,
        /// Print JSON: {"cases", "sections", "causes", "total"}.
        #[arg(long)]
        json: bool,
    },
    /// Load mode: enroll many devices concurrently in one world and report throughput and
    /// latency percentiles (wall clock; a benchmark, not a test).
    #[command(after_help = EXIT_CODES)]
    Load {
        /// How many devices (one user each).
        #[arg(long, default_value_t = 1000, value_parser = RangedU64ValueParser::<usize>::new().range(1..))]
        devices: usize,
        /// How many enrollments run at once.
        #[arg(long, default_value_t = 256, value_parser = RangedU64ValueParser::<usize>::new().range(1..))]
        concurrency: usize,
        /// World seed.
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Print one JSON object instead of text (and no progress bar).
        #[arg(long)]
        json: bool,
        /// After enrollment, run N idle check-in rounds across the enrolled fleet.
        #[arg(long, value_name = "N", default_value_t = 0)]
        checkins: usize,
        /// After enrollment (and check-ins), Intune pushes to every device through APNs and
        /// each answers a DeviceInformation in its command loop.
        #[arg(long)]
        push: bool,
        /// Enroll through Automated Device Enrollment (Setup Assistant) instead of the
        /// Company Portal.
        #[arg(long)]
        ade: bool,
        /// What the timeline keeps: `all`, `failures` (the whole story of failed devices,
        /// counts of the rest) or `none`.
        #[arg(long, value_enum, default_value_t = Record::Failures)]
        record: Record,
        /// Write every HTTP exchange as HAR 1.2 to FILE. It holds every exchange of the run in
        /// memory until the end: thousands of devices make hundreds of megabytes.
        #[arg(long, value_name = "FILE")]
        har: Option<PathBuf>,
    },
    /// Diagnose evidence: a bundle directory, a message, a device log, or a message and a log.
    #[command(
        after_help = EXIT_CODES,
        group(ArgGroup::new("evidence").required(true).multiple(true).args(["bundle", "message", "log"]))
    )]
    Diagnose {
        /// An evidence bundle directory (see docs/evidence-bundle.md).
        #[arg(long, conflicts_with = "message")]
        bundle: Option<PathBuf>,
        /// The message the user saw.
        #[arg(long)]
        message: Option<String>,
        /// The message's language as a BCP 47 tag (en, it, de-DE, ja-JP, zh-TW...); detected
        /// from the message when absent.
        #[arg(long)]
        lang: Option<String>,
        /// A device log (`log show` output, a Console export, syslog lines or a pasted
        /// fragment) or a Company Portal log; alone or added to the other evidence.
        #[arg(long)]
        log: Option<PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `enrollsim run`'s arguments.
#[derive(clap::Args)]
pub struct RunArgs {
    /// Scenario ids or paths to .toml files.
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub scenarios: Vec<String>,
    /// Replay every scenario (the built-in catalog, or every file of --dir).
    #[arg(long)]
    pub all: bool,
    /// Read scenarios from this directory instead of the built-in catalog.
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Print JSON rows instead of text.
    #[arg(long)]
    pub json: bool,
    /// Print each run's whole report as JSON (outcome, timelines, diagnosis, verdicts)
    /// instead of rows.
    #[arg(long, conflicts_with = "json")]
    pub report: bool,
    /// Write the evidence bundle of each run to DIR/<id>/.
    #[arg(long, value_name = "DIR")]
    pub bundle: Option<PathBuf>,
    /// Also write a JUnit XML report to FILE: one testcase per scenario, a failure for each
    /// that does not hold (for CI dashboards).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write every HTTP exchange of the runs as HAR 1.2 to FILE (one page per world), for
    /// Charles, Fiddler or a browser's devtools.
    #[arg(long, value_name = "FILE")]
    pub har: Option<PathBuf>,
}

/// What `enrollsim device enroll --help` says about its exit codes.
const DEVICE_EXIT_CODES: &str = "\
Exit codes:
  0  the device enrolled (Authenticate and TokenUpdate accepted) and every check-in round was
     answered
  1  the device did not enroll, or a check-in round failed (`error` says why)
  2  the command could not run: bad arguments, an unreadable profile or CA file";

/// `enrollsim device`'s commands.
#[derive(Subcommand)]
pub enum DeviceCommand {
    /// Enroll a simulated iPhone into the MDM server an enrollment profile names: root and
    /// certificate payloads, the SCEP payload's identity, Authenticate and TokenUpdate (signed
    /// with Mdm-Signature when SignMessage is true, else mutual TLS), then idle check-ins
    /// answering the commands the server queued. Only loopback servers (127.0.0.1, ::1,
    /// localhost) are contacted.
    #[command(after_help = DEVICE_EXIT_CODES)]
    Enroll(DeviceEnrollArgs),
}

/// `enrollsim device enroll`'s arguments.
#[derive(clap::Args)]
pub struct DeviceEnrollArgs {
    /// The enrollment profile (.mobileconfig, XML) with SCEP (or PKCS#12) and MDM payloads.
    #[arg(long, value_name = "FILE")]
    pub profile: PathBuf,
    /// The CA (PEM) the device trusts for https; without it, no https server is trusted.
    #[arg(long, value_name = "CA.pem")]
    pub trust: Option<PathBuf>,
    /// Idle check-in rounds after enrolling (each polls the server and answers its commands).
    #[arg(long, default_value_t = 1)]
    pub checkins: u32,
    /// Seconds to wait between two check-in rounds (no push wakes the device; a command
    /// queued meanwhile is answered in the next round).
    #[arg(long, value_name = "SECONDS", default_value_t = 0.0)]
    pub interval: f64,
    /// Allow plain http URLs (SCEP and MDM). Real devices insist on https.
    #[arg(long)]
    pub allow_http: bool,
    /// Seed of the device's serial number and UDID.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Print one JSON object: {"udid", "serial", "enrolled", "checkins", "checkins_ok",
    /// "commands": [{"request_type", "command_uuid", "status", "error"?}], "erased", "error",
    /// "steps"}.
    #[arg(long)]
    pub json: bool,
}

/// `enrollsim serve`'s arguments.
#[derive(clap::Args)]
pub struct ServeArgs {
    /// Scenario id or path whose world to serve; a tenant with one licensed user when absent.
    pub scenario: Option<String>,
    /// Read scenarios from this directory instead of the built-in catalog.
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Where to write the CA certificate and the enrollment profile.
    #[arg(long, default_value = "enrollsim-serve")]
    pub out: PathBuf,
    /// Print one JSON object on one line: {"urls", "ca_certificate_path", "admin_token",
    /// "enrollment_profile_path", "user"}.
    #[arg(long)]
    pub json: bool,
    /// Write every HTTP exchange the world's parties made as HAR 1.2 to FILE when serving stops.
    #[arg(long, value_name = "FILE")]
    pub har: Option<PathBuf>,
}

/// `enrollsim lab`'s arguments.
#[derive(clap::Args)]
#[command(group(ArgGroup::new("pick").required(true).args(["scenario", "random"])))]
pub struct LabArgs {
    /// Scenario id or path.
    pub scenario: Option<String>,
    /// Pick a failure scenario at random (from the catalog, or from --dir) and keep which one
    /// hidden until the debrief, for exams. In the web lab each trainee gets their own draw.
    #[arg(long)]
    pub random: bool,
    /// Seed of the random draw (a fresh one each time when absent).
    #[arg(long, requires = "random")]
    pub seed: Option<u64>,
    /// Where to write the evidence bundle and the CA certificate (terminal lab).
    #[arg(long, default_value = "enrollsim-lab")]
    pub out: PathBuf,
    /// Read scenarios from this directory instead of the built-in catalog.
    #[arg(long, alias = "scenarios")]
    pub dir: Option<PathBuf>,
    /// Write every HTTP exchange of the lab as HAR 1.2 to FILE when it ends.
    #[arg(long, value_name = "FILE")]
    pub har: Option<PathBuf>,
    /// Serve the lab to browsers: prints an address with the lab's token; one world per
    /// browser session; stops on Ctrl-C.
    #[arg(long)]
    pub web: bool,
    /// The web lab's port (an ephemeral one when absent).
    #[arg(long, requires = "web", default_value_t = 0)]
    pub port: u16,
    /// The address the web lab listens on; loopback unless given (e.g. 0.0.0.0 for a
    /// classroom network).
    #[arg(long, requires = "web", default_value = "127.0.0.1")]
    pub listen: std::net::IpAddr,
    /// Write each trainee's debrief as JSON to DIR/<session>.json when their lab ends.
    #[arg(long, requires = "web", value_name = "DIR")]
    pub results: Option<PathBuf>,
    /// How many trainees' worlds the web lab runs at once.
    #[arg(long, requires = "web", default_value_t = 32, value_parser = RangedU64ValueParser::<usize>::new().range(1..=512))]
    pub max_trainees: usize,
}
