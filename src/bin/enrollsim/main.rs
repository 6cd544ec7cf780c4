//! The `enrollsim` command line: list and replay scenarios, diagnose evidence, train, export,
//! score and load. Each command lives in its own module; this file parses the arguments and
//! turns a result into an exit code (see `args` for the codes).

use std::process::ExitCode;

use clap::Parser;

/// mimalloc rather than glibc's malloc for the whole CLI: under `load`, glibc's allocator
/// (`_int_malloc`, `_int_free`, `malloc_consolidate`, `unlink_chunk`) was about a tenth of the
/// CPU (docs/performance.md). The library and its tests keep the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `println!` that ignores a closed pipe (`enrollsim run --all | head` must not panic).
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($t)*);
    }};
}

/// `print!` that ignores a closed pipe.
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout().lock(), $($t)*);
    }};
}

mod args;
mod device;
mod diagnose;
mod junit;
mod list;
mod load;
mod run;
mod scoring;
mod serve;
mod training;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use args::{Cli, Command};
use enrollsim_simulator::recorder::WireArchive;

/// The simulator's developer log (`tracing`), on stderr, only when `RUST_LOG` asks for it
/// (e.g. `RUST_LOG=enrollsim_simulator=debug`). It is not the recorded evidence.
fn install_developer_log() {
    use std::io::IsTerminal;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    if std::env::var_os("RUST_LOG").is_none() {
        return;
    }
    // `Targets` reads RUST_LOG's `target=level,...` form without pulling in a regex engine
    // (EnvFilter's span and field filters would cost a tenth of a cold build).
    let filter = match std::env::var("RUST_LOG")
        .unwrap_or_default()
        .parse::<tracing_subscriber::filter::Targets>()
    {
        Ok(filter) => filter,
        Err(e) => {
            eprintln!("enrollsim: RUST_LOG is not a list of target=level directives: {e}");
            return;
        }
    };
    let output = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let _ = tracing_subscriber::registry()
        .with(output)
        .with(filter)
        .try_init();
}

/// Where the command writes its HAR file, if it was asked to.
fn har_path(command: &Command) -> Option<PathBuf> {
    match command {
        Command::Run(args) => args.har.clone(),
        Command::Serve(args) => args.har.clone(),
        Command::Lab(args) => args.har.clone(),
        Command::Load { har, .. } => har.clone(),
        _ => None,
    }
}

/// Writes every exchange the archive kept as HAR 1.2 to `path`.
fn write_har(archive: &WireArchive, path: &Path) -> Result<()> {
    let har = enrollsim_harness::har::har(&archive.take());
    let text = serde_json::to_string_pretty(&har)?;
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

async fn dispatch(command: Command) -> Result<ExitCode> {
    match command {
        Command::List { dir, json } => list::list(dir.as_deref(), json),
        Command::Run(args) => run::run(args).await,
        Command::Lab(args) => training::lab(args).await,
        Command::Serve(args) => serve::serve(args).await,
        Command::Device(args::DeviceCommand::Enroll(args)) => device::enroll(args).await,
        Command::Export { out, dir, json } => {
            scoring::export(list::scenarios(dir.as_deref())?, &out, json).await
        }
        Command::Score {
            truth,
            predictions,
            self_: _,
            json,
        } => scoring::score(&truth, predictions.as_deref(), json),
        Command::Load {
            devices,
            concurrency,
            seed,
            json,
            checkins,
            push,
            ade,
            record,
            ..
        } => {
            load::run(load::LoadOptions {
                devices,
                concurrency,
                seed,
                json,
                checkins,
                push,
                ade,
                record,
            })
            .await
        }
        Command::Diagnose {
            bundle,
            message,
            lang,
            log,
            json,
        } => diagnose::diagnose(bundle, message, lang, log, json),
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> ExitCode {
    install_developer_log();
    let cli = Cli::parse();
    // The archive is installed only when a HAR is asked for: it keeps every exchange.
    let har = har_path(&cli.command).map(|path| (path, WireArchive::install()));
    let mut result = dispatch(cli.command).await;
    if let Some((path, archive)) = &har {
        if let Err(e) = write_har(archive, path) {
            result = result.and(Err(e));
        }
    }
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
