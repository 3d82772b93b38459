//! The `saferstats` binary: the command line of [`saferstats_cli::run`].

use std::process::ExitCode;

fn main() -> ExitCode {
    let code = saferstats_cli::run(std::env::args_os());
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}
