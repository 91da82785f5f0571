//! Command-line arguments, and the dispatch to what each command does.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::builder::TypedValueParser;
use clap::{Parser, Subcommand};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use ocsp_harness::contract::{ManagementRole, User};
use ocsp_harness::pki::{KeyType, ResponderUrl, Serial};
use ocsp_harness::responder::ConnectionLimits;

pub mod colour;
mod inspect;
mod keep_up;
mod logging;
mod pki_generate;
mod probe;
mod responder;
mod run;
mod serve;
mod shell;

/// Listens for SIGINT (Ctrl-C) and SIGTERM from now on; the future completes at the first.
/// Installed before a server says where it listens, so that a supervisor's SIGTERM right after
/// is a clean stop (files removed, connections closed) and not the default kill.
pub(crate) fn stop_requested() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt()).context("cannot listen for SIGINT")?;
    let mut terminate = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}

/// Exit code of a run where some scenario failed.
pub const EXIT_NON_CONFORMANT: u8 = 1;

/// Exit code for bad input or usage (clap uses the same for its own errors).
pub const EXIT_BAD_INPUT: u8 = 2;

/// Exit code of a run whose remote target did not answer.
pub const EXIT_UNREACHABLE: u8 = 3;

/// Exit code of a remote run that could not put its target back as it found it.
pub const EXIT_NOT_RESTORED: u8 = 4;

/// Conformance and mock test harness for the OCSP endpoints of the Redis Software cluster REST API.
#[derive(Debug, Parser)]
#[command(name = "ocsp-harness", version, about)]
pub struct Args {
    /// When to colour the output (auto: a terminal, unless NO_COLOR is set; CLICOLOR_FORCE
    /// forces colour).
    #[arg(long, global = true, value_name = "WHEN", default_value_t = clap::ColorChoice::Auto)]
    pub color: clap::ColorChoice,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run scenarios against the embedded reference server or a remote target.
    Run(Box<run::RunArgs>),
    /// Test PKI: CAs, the proxy certificate and OCSP responder certificates.
    Pki {
        #[command(subcommand)]
        command: PkiCommand,
    },
    /// Run the fake OCSP responder until interrupted, logging each request.
    Responder {
        /// A PKI directory written by `pki generate`.
        #[arg(
            long,
            value_name = "DIR",
            env = "OCSP_HARNESS_PKI",
            required_unless_present = "list"
        )]
        pki: Option<PathBuf>,
        /// Address to listen on (port 0 picks a free one).
        #[arg(
            long,
            value_name = "ADDR",
            env = "OCSP_HARNESS_RESPONDER_LISTEN",
            default_value = "127.0.0.1:8080"
        )]
        listen: SocketAddr,
        /// Behaviour from the catalogue (see --list).
        #[arg(long, value_name = "NAME", env = "OCSP_HARNESS_BEHAVIOUR", default_value = "good",
              hide_possible_values = true, value_parser = behaviour_parser())]
        behaviour: NamedBehaviour,
        /// List the behaviours with their expected verdicts, and exit.
        #[arg(long)]
        list: bool,
        /// Do not log requests.
        #[arg(long)]
        quiet: bool,
        /// Worker threads (default: one per core; 1 runs everything on one thread).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
        threads: Option<u16>,
        /// Connections held at once; when all are taken, the one idle the longest is closed to
        /// make room.
        #[arg(long, value_name = "N", env = "OCSP_HARNESS_MAX_CONNECTIONS",
              default_value_t = 4096, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
        max_connections: u32,
        /// Seconds a connection may stay open with no request in flight.
        #[arg(long, value_name = "SECONDS", env = "OCSP_HARNESS_IDLE_TIMEOUT",
              default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=86_400))]
        idle_timeout: u32,
        #[command(flatten)]
        log: logging::LogArgs,
    },
    /// Run the reference server: the OCSP endpoints over HTTPS, with an embedded responder.
    Serve(serve::ServeArgs),
    /// Check someone else's OCSP responder for one certificate: the reference client's view
    /// plus the RFC 5019 profile.
    Probe(probe::ProbeArgs),
    /// Print the contract: every rule with its id, level, versions and source, as Markdown
    /// (what docs/contract.md holds) or as JSON.
    Contract {
        /// Only this rule (its id, as scenarios cite it).
        #[arg(long, value_name = "ID")]
        rule: Option<String>,
        /// JSON instead of Markdown.
        #[arg(long)]
        json: bool,
    },
    /// Print the JSON Schema of the scenario format (for editors).
    Schema,
    /// The scenario corpus built into the command.
    Scenarios {
        #[command(subcommand)]
        command: ScenariosCommand,
    },
    /// Print the completion script for a shell (README, "Shell completions and man page").
    Completions {
        /// The shell.
        #[arg(value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), or write one page per command into a directory.
    Man {
        /// Write ocsp-harness.1 and a page per subcommand (ocsp-harness-run.1, ...) here,
        /// all of them or none, instead of printing the main page.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Pages made from results.
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// For every status code, error code, role and edge case of the contract, the scenarios
    /// that check it; exit 1 when a documented one has none.
    Coverage {
        /// Scenario files or directories (default: the built-in corpus).
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Decode a DER OCSP request or response to JSON and say what is wrong with it.
    Inspect {
        /// The DER file.
        file: PathBuf,
        /// Also verify the response strictly for this certificate (PEM or DER) ...
        #[arg(long, value_name = "PEM", requires = "issuer")]
        cert: Option<PathBuf>,
        /// ... issued by this CA (PEM or DER).
        #[arg(long, value_name = "PEM", requires = "cert")]
        issuer: Option<PathBuf>,
        /// The time to verify at, RFC 3339 (default: now).
        #[arg(long, value_name = "TIME", value_parser = parse_rfc3339)]
        at: Option<OffsetDateTime>,
    },
}

#[derive(Debug, Subcommand)]
enum ReportCommand {
    /// Several runs (results.json of `run --report` or `--format json`) side by side in one
    /// HTML page, one column each, marking the scenarios whose verdicts differ.
    Compare {
        /// The runs' JSON results, in column order.
        #[arg(value_name = "RESULTS.json", required = true, num_args = 2..)]
        files: Vec<PathBuf>,
        /// The page to write.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum ScenariosCommand {
    /// Write the built-in corpus into DIR, folders and all, to edit or extend it and run it
    /// with `run DIR`; all or nothing, and nothing is replaced without --force.
    Export {
        /// Directory to write into; created if missing.
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        /// Replace files that exist.
        #[arg(long)]
        force: bool,
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
        /// Serial of the proxy certificate, in hex (default: 16 random octets).
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

/// The scenarios under `paths`, or the built-in corpus when none is given.
pub(crate) fn load_scenarios(
    paths: &[PathBuf],
) -> Result<Vec<ocsp_harness::scenario::Scenario>, ocsp_harness::scenario::LoadError> {
    if paths.is_empty() {
        return ocsp_harness::corpus::load();
    }
    let files = ocsp_harness::scenario::scenario_files(paths)?;
    ocsp_harness::scenario::load_all(&files)
}

pub(crate) fn parse_user(text: &str) -> Result<User, String> {
    let (role, credentials) = text
        .split_once('=')
        .ok_or("expected ROLE=USERNAME:PASSWORD")?;
    let (username, password) = credentials
        .split_once(':')
        .ok_or("expected ROLE=USERNAME:PASSWORD")?;
    if username.is_empty() || password.is_empty() {
        return Err("user name and password must not be empty".to_owned());
    }
    Ok(User {
        role: role
            .parse::<ManagementRole>()
            .map_err(|error| error.to_string())?,
        username: username.to_owned(),
        password: password.to_owned(),
    })
}

/// A behaviour of the responder's catalogue, with the name it was asked for by.
#[derive(Debug, Clone)]
pub(crate) struct NamedBehaviour {
    pub name: String,
    pub behaviour: ocsp_harness::responder::Behaviour,
}

/// The catalogue's names as possible values, each with its description: clap refuses any other
/// name with its "a similar value exists", and completion offers them.
pub(crate) fn behaviour_parser() -> impl TypedValueParser<Value = NamedBehaviour> {
    let names = ocsp_harness::responder::catalogue()
        .into_iter()
        .map(|entry| clap::builder::PossibleValue::new(entry.name).help(entry.description));
    clap::builder::PossibleValuesParser::new(names).try_map(|name| {
        // Only names of the catalogue get here.
        ocsp_harness::responder::behaviour_named(&name)
            .map(|behaviour| NamedBehaviour {
                name: name.clone(),
                behaviour,
            })
            .ok_or_else(|| format!("unknown behaviour {name:?}"))
    })
}

fn parse_rfc3339(text: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|error| format!("{error} (expected RFC 3339, e.g. 2026-03-01T12:00:00Z)"))
}

/// Runs the command; `Err` is bad input or an environment problem, reported on one line.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Responder {
            pki,
            listen,
            behaviour,
            list,
            quiet,
            threads,
            max_connections,
            idle_timeout,
            log,
        } => {
            if list {
                emit(&responder::catalogue_text()?)?;
                return Ok(ExitCode::SUCCESS);
            }
            let dir = pki.context("--pki is required")?;
            let threads = threads.map(usize::from).unwrap_or_else(|| {
                std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
            });
            let limits = ConnectionLimits {
                // At most a million: usize on every target this runs on.
                max_connections: usize::try_from(max_connections)?,
                idle: time::Duration::seconds(i64::from(idle_timeout)),
                ..ConnectionLimits::DEFAULT
            };
            responder::run_responder(
                &dir,
                listen,
                &behaviour.name,
                quiet,
                threads,
                limits,
                log.log_format,
            )
        }
        Command::Serve(args) => serve::serve(args),
        Command::Inspect {
            file,
            cert,
            issuer,
            at,
        } => inspect::inspect_file(&file, cert.zip(issuer), at),
        Command::Run(args) => run::run_scenarios(*args),
        Command::Coverage { paths, json } => {
            let scenarios = load_scenarios(&paths)?;
            let coverage = ocsp_harness::coverage::coverage(&scenarios);
            let text = if json {
                // Serializing plain data with string keys cannot fail.
                let mut text = serde_json::to_string_pretty(&coverage).unwrap_or_default();
                text.push('\n');
                text
            } else {
                let mut text = ocsp_harness::coverage::render(&coverage);
                let uncited = ocsp_harness::coverage::uncited_rules(&scenarios);
                let total = ocsp_harness::contract::Contract::embedded().rules().count();
                text.push_str(&format!(
                    "{} of {total} rules cited by a scenario",
                    total - uncited.len()
                ));
                if uncited.is_empty() {
                    text.push('\n');
                } else {
                    let ids: Vec<&str> = uncited.iter().map(|rule| rule.id.as_str()).collect();
                    text.push_str(&format!("; not cited: {}\n", ids.join(", ")));
                }
                text
            };
            emit(&text)?;
            Ok(
                if ocsp_harness::coverage::documented_gaps(&coverage).is_empty() {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::from(EXIT_NON_CONFORMANT)
                },
            )
        }
        Command::Report {
            command: ReportCommand::Compare { files, output },
        } => report_compare(&files, &output),
        Command::Probe(args) => probe::run_probe(args),
        Command::Contract { rule, json } => {
            let contract = ocsp_harness::contract::Contract::embedded();
            // Serializing plain data with string keys cannot fail.
            let text = match (rule, json) {
                (Some(id), json) => {
                    let rule = contract.rule(&id).with_context(|| {
                        format!(
                            "no rule {id:?} in the contract (`ocsp-harness contract` lists them)"
                        )
                    })?;
                    if json {
                        format!(
                            "{}\n",
                            serde_json::to_string_pretty(rule).unwrap_or_default()
                        )
                    } else {
                        ocsp_harness::runner::contract_doc::rule_markdown(rule)
                    }
                }
                (None, true) => format!(
                    "{}\n",
                    serde_json::to_string_pretty(contract).unwrap_or_default()
                ),
                (None, false) => ocsp_harness::runner::contract_doc::contract_markdown(),
            };
            emit(&text)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Scenarios {
            command: ScenariosCommand::Export { dir, force },
        } => {
            let overwrite = if force {
                ocsp_harness::files::Overwrite::Allow
            } else {
                ocsp_harness::files::Overwrite::Refuse
            };
            let written = ocsp_harness::corpus::export(&dir, overwrite)?;
            emit(&format!(
                "wrote {written} scenario files into {}; run them with `ocsp-harness run {}`\n",
                dir.display(),
                dir.display()
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Completions { shell } => shell::completions(shell),
        Command::Man { dir } => shell::man(dir.as_deref()),
        Command::Schema => {
            // Serializing a JSON value cannot fail.
            let text =
                serde_json::to_string_pretty(&ocsp_harness::scenario::schema()).unwrap_or_default();
            emit(&format!("{text}\n"))?;
            Ok(ExitCode::SUCCESS)
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
        } => pki_generate::generate(out, responder_url, key_type, serial, at, force),
    }
}

/// Reads each run's results and writes the side-by-side page.
fn report_compare(files: &[PathBuf], output: &std::path::Path) -> anyhow::Result<ExitCode> {
    let mut runs = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        // Both shapes: the report object, and the bare array of results of older reports.
        let report = ocsp_harness::report::JsonReport::parse(&text)
            .with_context(|| format!("{} is not the JSON results of a run", file.display()))?;
        runs.push((run_label(file), report.results));
    }
    let page = ocsp_harness::report::compare(&runs);
    let dir = output
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let name = output
        .file_name()
        .with_context(|| format!("{} names no file", output.display()))?;
    ocsp_harness::files::write_all_or_nothing(
        dir,
        &[ocsp_harness::files::NewFile {
            name: name.to_string_lossy().into_owned(),
            contents: page.into_bytes(),
            private: false,
        }],
        ocsp_harness::files::Overwrite::Allow,
    )?;
    Ok(ExitCode::SUCCESS)
}

/// A run's column heading: the file's name, or its folder's when the file is the
/// `results.json` every report directory has.
fn run_label(file: &std::path::Path) -> String {
    let stem = file
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default();
    match file.parent().and_then(std::path::Path::file_name) {
        Some(folder) if stem == "results" => folder.to_string_lossy().into_owned(),
        _ => stem,
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
            let message = long_list_message(&error).unwrap_or_else(|| {
                // clap's message runs up to the blank line before its usage section.
                let rendered = error.render().to_string();
                let message: Vec<&str> = rendered
                    .lines()
                    .map(str::trim)
                    .take_while(|line| !line.is_empty() && !line.starts_with("Usage:"))
                    .collect();
                let message = message.join(" ");
                let message = message.strip_prefix("error: ").unwrap_or(&message);
                format!("{message} (see --help)")
            });
            eprintln!("{} {message}", colour::error_prefix());
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}

/// Past this many, the possible values of a refused value are not listed on its line.
const MAX_LISTED_VALUES: usize = 12;

/// A value refused for an argument with a long list of possible values (a responder behaviour:
/// 80 names), said without the list (which clap renders on the line) but with clap's
/// suggestion (which it renders after the line).
fn long_list_message(error: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if error.kind() != ErrorKind::InvalidValue {
        return None;
    }
    let Some(ContextValue::Strings(valid)) = error.get(ContextKind::ValidValue) else {
        return None;
    };
    if valid.len() <= MAX_LISTED_VALUES {
        return None;
    }
    let Some(ContextValue::String(arg)) = error.get(ContextKind::InvalidArg) else {
        return None;
    };
    let Some(ContextValue::String(value)) = error.get(ContextKind::InvalidValue) else {
        return None;
    };
    let mut message = format!("invalid value '{value}' for '{arg}'");
    if let Some(ContextValue::String(similar)) = error.get(ContextKind::SuggestedValue) {
        message.push_str(&format!(": did you mean '{similar}'?"));
    }
    // The behaviours' list is long; --help leaves it out, `responder --list` shows it.
    if arg.starts_with("--behaviour") {
        message.push_str(" (`ocsp-harness responder --list` lists them)");
    } else {
        message.push_str(&format!(" ({} possible values; see --help)", valid.len()));
    }
    Some(message)
}

/// The first certificate of a PEM file, or the file itself when it is DER (`inspect` and
/// `probe` take either).
fn read_certificate(path: &std::path::Path) -> anyhow::Result<Vec<u8>> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    if !bytes.starts_with(b"-----BEGIN") {
        return Ok(bytes);
    }
    ::pem::parse_many(&bytes)
        .with_context(|| format!("{}: not a PEM certificate", path.display()))?
        .into_iter()
        .find(|block| block.tag() == "CERTIFICATE")
        .map(|block| block.contents().to_vec())
        .with_context(|| format!("{}: not a PEM certificate", path.display()))
}

/// Writes `text` to stdout. A reader that went away (`| head`) is not an error.
fn emit(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(error).context("cannot write to stdout")
        }
        _ => Ok(()),
    }
}

/// The error and its causes on one line: `what failed: why: deeper why`.
pub fn one_line(error: &anyhow::Error) -> String {
    // Each cause once: a message that already says its cause does not repeat it.
    let cause: &(dyn std::error::Error + 'static) = error.as_ref();
    let text = ocsp_harness::client::http_body::error_chain(cause);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
