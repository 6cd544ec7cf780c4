//! The `enrollsim` command line: list and replay scenarios, diagnose evidence, train, export,
//! score and load. Each command lives in its own module; this file parses the arguments and
//! turns a result into an exit code (see `args` for the codes).

use std::process::ExitCode;

use clap::Parser;

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
mod diagnose;
mod junit;
mod list;
mod load;
mod run;
mod scoring;
mod training;

use args::{Cli, Command};

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

#[tokio::main(flavor = "multi_thread")]
async fn main() -> ExitCode {
    install_developer_log();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::List { dir, json } => list::list(dir.as_deref(), json),
        Command::Run(args) => run::run(args).await,
        Command::Lab { scenario, out, dir } => match list::resolve(&scenario, dir.as_deref()) {
            Ok(s) => training::run(s, out).await,
            Err(e) => Err(e),
        },
        Command::Export { out, dir, json } => match list::scenarios(dir.as_deref()) {
            Ok(scenarios) => scoring::export(scenarios, &out, json).await,
            Err(e) => Err(e),
        },
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
        } => load::run(devices, concurrency, seed, json).await,
        Command::Diagnose {
            bundle,
            message,
            lang,
            log,
            json,
        } => diagnose::diagnose(bundle, message, lang, log, json),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
