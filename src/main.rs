//! The `appraise` binary: parses the command line, runs it through the library's
//! application layer, and turns errors into messages and exit codes.

mod cli;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use cli::{Cli, Error};

/// Scoring allocates many small values on several threads at once; mimalloc handles that
/// pattern far better than the system allocator (see docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // `--version` names the database layout too: what an operator checks before an upgrade.
    let version: &'static str = Box::leak(
        format!(
            "{} (database schema {})",
            env!("CARGO_PKG_VERSION"),
            appraise::store::SCHEMA_VERSION
        )
        .into_boxed_str(),
    );
    let parsed = match Cli::command()
        .version(version)
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(c) => c,
        Err(e) => {
            // clap prints help and version to stdout with success, usage errors with code 2.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match cli::run(parsed) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let code = exit_code(&e);
            if code != 0 {
                cli::report_error(&e);
            }
            ExitCode::from(code)
        }
    }
}

/// The exit code of a failure, decided here alone from its kind:
/// - 0: the reader of our output went away (`appraise log list | head -1`); nothing to say;
/// - 1: a check or validation found problems (a refused request, bad rows, a policy that
///   does not load, failing policy tests);
/// - 2: anything else (no database, a failing script, a broken file …).
fn exit_code(e: &Error) -> u8 {
    match e {
        Error::Output(io) if io.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Error::Output(_) => 2,
        Error::App(e) if e.is_refusal() => 1,
        Error::App(_) => 2,
    }
}
