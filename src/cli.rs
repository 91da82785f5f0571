//! Command-line arguments and what each command does with them.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::builder::TypedValueParser;
use clap::{Parser, Subcommand};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use ocsp_harness::clock::{Clock, SystemClock};
use ocsp_harness::pki::{self, KeyType, Overwrite, PkiProfile, ResponderUrl, Serial, TestPki};

/// Exit code for bad input or usage (clap uses the same for its own errors).
pub const EXIT_BAD_INPUT: u8 = 2;

/// Conformance and mock test harness for the OCSP endpoints of the Redis Software cluster REST API.
#[derive(Debug, Parser)]
#[command(name = "ocsp-harness", version, about)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the scenario corpus against the embedded reference server or a target URL.
    Run {
        /// Scenario paths and options (the runner is not built yet).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
        rest: Vec<String>,
    },
    /// Test PKI: CAs, the proxy certificate and OCSP responder certificates.
    Pki {
        #[command(subcommand)]
        command: PkiCommand,
    },
}

#[derive(Debug, Subcommand)]
enum PkiCommand {
    /// Generate a test PKI and write it as PEM files plus manifest.json.
    Generate {
        /// Directory to write into; created if missing.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// OCSP URL for the proxy certificate's Authority Information Access extension.
        #[arg(long, value_name = "URL", default_value = ResponderUrl::DEFAULT)]
        responder_url: ResponderUrl,
        /// Key type of every key.
        #[arg(long, value_name = "TYPE", default_value_t = KeyType::P256, ignore_case = true,
              value_parser = clap::builder::PossibleValuesParser::new(KeyType::ALL.map(KeyType::name))
                  .try_map(|name| name.parse::<KeyType>()))]
        key_type: KeyType,
        /// Serial of the proxy certificate, in hex (default: derived from its key).
        #[arg(long, value_name = "HEX")]
        serial: Option<Serial>,
        /// Instant validity windows are measured from, RFC 3339 (default: now).
        #[arg(long, value_name = "TIME", value_parser = parse_rfc3339)]
        at: Option<OffsetDateTime>,
        /// Replace files that already exist.
        #[arg(long)]
        force: bool,
    },
}

fn parse_rfc3339(text: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|error| format!("{error} (expected RFC 3339, e.g. 2026-03-01T12:00:00Z)"))
}

/// Runs the command; `Err` is bad input or an environment problem, reported on one line.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Run { .. } => {
            eprintln!(
                "ocsp-harness: run: the scenario runner is not built yet; \
                 `ocsp-harness pki generate` is what works today"
            );
            Ok(ExitCode::from(EXIT_BAD_INPUT))
        }
        Command::Pki {
            command:
                PkiCommand::Generate {
                    out,
                    responder_url,
                    key_type,
                    serial,
                    at,
                    force,
                },
        } => {
            let profile = PkiProfile {
                key_type,
                responder_url,
                proxy_serial: serial,
                at: at.unwrap_or_else(|| SystemClock.now()),
            };
            let generated = TestPki::generate(&profile).context("cannot generate the test PKI")?;
            let overwrite = if force {
                Overwrite::Allow
            } else {
                Overwrite::Refuse
            };
            let manifest = pki::write_dir(&generated, &out, overwrite)?;
            println!(
                "wrote a {} test PKI to {} (responder URL {}, validity from {})",
                manifest.key_type,
                out.display(),
                manifest.responder_url,
                manifest
                    .generated_at
                    .format(&Rfc3339)
                    .unwrap_or_else(|_| manifest.generated_at.to_string()),
            );
            for entry in &manifest.certificates {
                println!(
                    "  {:<24} {:<30} serial {}",
                    entry.role.name(),
                    entry.certificate,
                    entry.summary.serial
                );
            }
            println!("  {:<24} {}", "unrelated key", manifest.unrelated_key);
            println!("  {:<24} {}", "manifest", pki::MANIFEST_FILE);
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Reports a command-line error: help and version go to stdout in full with exit code 0; a usage
/// error is one line on stderr (clap's own first line, with a pointer to `--help`), exit code 2.
pub fn usage_error(error: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match error.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            // clap prints these in full, to stdout when it is not an error.
            let _ = error.print();
            ExitCode::from(if error.use_stderr() {
                EXIT_BAD_INPUT
            } else {
                0
            })
        }
        _ => {
            // clap's message runs up to the blank line before its usage section.
            let rendered = error.render().to_string();
            let message: Vec<&str> = rendered
                .lines()
                .map(str::trim)
                .take_while(|line| !line.is_empty() && !line.starts_with("Usage:"))
                .collect();
            let message = message.join(" ");
            let message = message.strip_prefix("error: ").unwrap_or(&message);
            eprintln!("ocsp-harness: {message} (see --help)");
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}

/// The error and its causes on one line: `what failed: why: deeper why`.
pub fn one_line(error: &anyhow::Error) -> String {
    let text = format!("{error:#}");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
