//! The `ocsp-harness` command: parses the command line, calls the library, maps the outcome to
//! an exit code.

#![forbid(unsafe_code)]

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = match cli::Args::try_parse() {
        Ok(args) => args,
        Err(error) => return cli::usage_error(error),
    };
    match cli::run(args) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("ocsp-harness: {}", cli::one_line(&error));
            ExitCode::from(cli::EXIT_BAD_INPUT)
        }
    }
}
