//! The `appraise` binary: parses the command line, runs it, and turns errors into messages
//! and exit codes (0 ok, 1 a check or validation found problems, 2 usage or other errors).

use std::process::ExitCode;

use clap::Parser;

use appraise::cli::{self, Cli, Found};

/// Scoring allocates many small values on several threads at once; mimalloc handles that
/// pattern far better than the system allocator (see docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let parsed = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            // clap prints help and version to stdout with success, usage errors with code 2.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match cli::run(parsed) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is::<Found>() => {
            eprintln!("{e}");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
