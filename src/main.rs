//! The `ocsp-harness` command: parses the command line, calls the library, maps the outcome to
//! an exit code.

#![forbid(unsafe_code)]

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = match cli::Args::try_parse() {
        Ok(args) => args,
        Err(error) => {
            // Help and errors are coloured as the --color of the refused line says, if any.
            cli::colour::set(cli::colour::choice_in(std::env::args_os()));
            return cli::usage_error(error);
        }
    };
    cli::colour::set(args.color);
    match cli::run(args) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("{} {}", cli::colour::error_prefix(), cli::one_line(&error));
            ExitCode::from(cli::EXIT_BAD_INPUT)
        }
    }
}
