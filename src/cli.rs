//! Command-line arguments and what each command does with them.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::builder::TypedValueParser;
use clap::{Parser, Subcommand};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use ocsp_harness::clock::{Clock, SystemClock};
use ocsp_harness::level::Level;
use ocsp_harness::ocsp;
use ocsp_harness::pki::{self, KeyType, Overwrite, PkiProfile, ResponderUrl, Serial, TestPki};
use ocsp_harness::reference::{
    ManagementRole, ReferenceOptions, ReferenceServer, ServerClock, User, Users,
};
use ocsp_harness::responder::{Journal, Responder, ResponderConfig, behaviour_named, catalogue};
use ocsp_harness::{report, runner, scenario};

/// Exit code of a run where some scenario failed.
pub const EXIT_NON_CONFORMANT: u8 = 1;

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
    /// Run scenarios against the embedded reference server.
    Run {
        /// Scenario files or directories.
        #[arg(value_name = "PATH", default_value = "scenarios")]
        paths: Vec<PathBuf>,
        /// Scenarios at once (default: one per core).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
        jobs: Option<u16>,
        /// Only scenarios whose id contains this text.
        #[arg(long, value_name = "TEXT")]
        filter: Option<String>,
        /// Only scenarios with this tag (repeatable: any of them).
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
        /// Only scenarios of this level (repeatable: any of them).
        #[arg(long = "level", value_name = "LEVEL", value_parser = parse_level)]
        levels: Vec<Level>,
        /// Run the K-th of N shares of the selection, e.g. 2/4.
        #[arg(long, value_name = "K/N")]
        partition: Option<scenario::Partition>,
        /// List the selected scenarios and exit.
        #[arg(long)]
        list: bool,
        /// Start no new scenario after the first that does not pass.
        #[arg(long)]
        fail_fast: bool,
        /// Output format: human, json, junit, tap.
        #[arg(long, value_name = "FORMAT", default_value = "human", value_parser = parse_format)]
        format: report::Format,
        /// Also write every format into this directory.
        #[arg(long, value_name = "DIR")]
        report: Option<PathBuf>,
        /// Scenario ids expected to fail, one per line; a listed one that passes, or names no
        /// scenario, fails the run.
        #[arg(long, value_name = "FILE")]
        expected_failures: Option<PathBuf>,
    },
    /// Test PKI: CAs, the proxy certificate and OCSP responder certificates.
    Pki {
        #[command(subcommand)]
        command: PkiCommand,
    },
    /// Run the fake OCSP responder until interrupted, logging each request.
    Responder {
        /// A PKI directory written by `pki generate`.
        #[arg(long, value_name = "DIR", required_unless_present = "list")]
        pki: Option<PathBuf>,
        /// Address to listen on (port 0 picks a free one).
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Behaviour from the catalogue (see --list).
        #[arg(long, value_name = "NAME", default_value = "good")]
        behaviour: String,
        /// List the behaviours with their expected verdicts, and exit.
        #[arg(long)]
        list: bool,
        /// Do not log requests.
        #[arg(long)]
        quiet: bool,
        /// Worker threads (default: one per core; 1 runs everything on one thread).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
        threads: Option<u16>,
    },
    /// Run the reference server: the OCSP endpoints over HTTPS, with an embedded responder.
    Serve {
        /// Address to listen on.
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9443")]
        listen: SocketAddr,
        /// Plain HTTP instead of HTTPS, for local debugging.
        #[arg(long)]
        plain_http: bool,
        /// Offer the provider states under /_harness (node capability, queue, clock, reset).
        #[arg(long)]
        state_hooks: bool,
        /// Key type of the generated PKI.
        #[arg(long, value_name = "TYPE", default_value_t = KeyType::P256, ignore_case = true,
              value_parser = clap::builder::PossibleValuesParser::new(KeyType::ALL.map(KeyType::name))
                  .try_map(|name| name.parse::<KeyType>()))]
        key_type: KeyType,
        /// Address of the embedded OCSP responder.
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
        responder_listen: SocketAddr,
        /// The embedded responder's behaviour (see `responder --list`).
        #[arg(long, value_name = "NAME", default_value = "good")]
        behaviour: String,
        /// A user, ROLE=USERNAME:PASSWORD, replacing that role's generated one; repeatable.
        #[arg(long = "user", value_name = "ROLE=USER:PASSWORD", env = "OCSP_HARNESS_USERS",
              value_delimiter = ',', hide_env_values = true, value_parser = parse_user)]
        users: Vec<User>,
        /// Where to write the CA certificate clients should trust (default: a temporary file).
        #[arg(long, value_name = "FILE")]
        ca_out: Option<PathBuf>,
    },
    /// Decode a DER OCSP request or response to JSON and say what is wrong with it.
    Inspect {
        /// The DER file.
        file: PathBuf,
        /// Also verify the response strictly for this certificate (PEM) ...
        #[arg(long, value_name = "PEM", requires = "issuer")]
        cert: Option<PathBuf>,
        /// ... issued by this CA (PEM).
        #[arg(long, value_name = "PEM", requires = "cert")]
        issuer: Option<PathBuf>,
        /// The time to verify at, RFC 3339 (default: now).
        #[arg(long, value_name = "TIME", value_parser = parse_rfc3339)]
        at: Option<OffsetDateTime>,
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

fn parse_user(text: &str) -> Result<User, String> {
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
        role: role.parse::<ManagementRole>()?,
        username: username.to_owned(),
        password: password.to_owned(),
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
        } => {
            if list {
                emit(&catalogue_text()?)?;
                return Ok(ExitCode::SUCCESS);
            }
            let dir = pki.context("--pki is required")?;
            let threads = threads.map(usize::from).unwrap_or_else(|| {
                std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
            });
            run_responder(&dir, listen, &behaviour, quiet, threads)
        }
        Command::Serve {
            listen,
            plain_http,
            state_hooks,
            key_type,
            responder_listen,
            behaviour,
            users,
            ca_out,
        } => {
            let behaviour =
                behaviour_named(&behaviour).with_context(|| unknown_behaviour(&behaviour))?;
            let mut all_users = Users::generate();
            for user in users {
                all_users.set(user);
            }
            let options = ReferenceOptions {
                listen,
                tls: !plain_http,
                users: all_users,
                state_hooks,
                clock: ServerClock::System,
                key_type,
                nodes: ocsp_harness::reference::DEFAULT_NODES,
                responder_listen,
                behaviour,
            };
            serve(options, ca_out)
        }
        Command::Inspect {
            file,
            cert,
            issuer,
            at,
        } => inspect_file(&file, cert.zip(issuer), at),
        Command::Run {
            paths,
            jobs,
            filter,
            tags,
            levels,
            partition,
            list,
            fail_fast,
            format,
            report,
            expected_failures,
        } => run_scenarios(RunArgs {
            paths,
            jobs,
            selection: scenario::Selection {
                filter,
                tags,
                levels,
                partition,
            },
            list,
            fail_fast,
            format,
            report,
            expected_failures,
        }),
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
            let mut text = String::new();
            writeln!(
                text,
                "wrote a {} test PKI to {} (responder URL {}, validity from {})",
                manifest.key_type,
                out.display(),
                manifest.responder_url,
                manifest
                    .generated_at
                    .format(&Rfc3339)
                    .unwrap_or_else(|_| manifest.generated_at.to_string()),
            )?;
            for entry in &manifest.certificates {
                writeln!(
                    text,
                    "  {:<24} {:<30} serial {}",
                    entry.role.name(),
                    entry.certificate,
                    entry.summary.serial
                )?;
            }
            writeln!(text, "  {:<24} {}", "unrelated key", manifest.unrelated_key)?;
            writeln!(text, "  {:<24} {}", "manifest", pki::MANIFEST_FILE)?;
            emit(&text)?;
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

fn catalogue_text() -> Result<String, std::fmt::Error> {
    let entries = catalogue();
    let width = entries
        .iter()
        .map(|entry| entry.name.len())
        .max()
        .unwrap_or(0);
    let mut text = String::new();
    let mut section = "";
    for entry in &entries {
        if entry.section != section {
            section = entry.section;
            writeln!(text, "{section}:")?;
        }
        writeln!(
            text,
            "  {:<width$}  {:<26}  {:<11}  {}",
            entry.name,
            entry.verdict.to_string(),
            entry.level.name(),
            entry.description
        )?;
    }
    Ok(text)
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

fn run_responder(
    dir: &Path,
    listen: SocketAddr,
    name: &str,
    quiet: bool,
    threads: usize,
) -> anyhow::Result<ExitCode> {
    let behaviour = behaviour_named(name).with_context(|| unknown_behaviour(name))?;
    let pki =
        pki::read_dir(dir).with_context(|| format!("cannot read the PKI in {}", dir.display()))?;
    // One thread runs connections with no cross-thread hand-offs (the fastest for a new
    // connection per request); several sign on every core (the fastest with keep-alive).
    let runtime = match threads {
        1 => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build(),
        threads => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_all()
            .build(),
    }
    .context("cannot start the async runtime")?;
    runtime.block_on(async {
        if !quiet {
            use std::io::IsTerminal;
            let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            tracing_subscriber::fmt()
                .with_writer(std::io::stderr)
                .with_ansi(colour)
                .with_target(false)
                .init();
        }
        let config = ResponderConfig {
            listen,
            clock: Arc::new(SystemClock),
            journal_capacity: Journal::DEFAULT_CAPACITY,
            log_requests: !quiet,
        };
        let pki = Arc::new(pki);
        let handle = Responder::start(Arc::clone(&pki), behaviour, config).await?;
        let mut text = format!(
            "OCSP responder for {} ({} keys) at {} with behaviour {name}; Ctrl-C stops it\n",
            dir.display(),
            pki.profile().key_type,
            handle.url()
        );
        let aia = pki.profile().responder_url.as_str();
        if aia.trim_end_matches('/') != handle.url().trim_end_matches('/') {
            text.push_str(&format!(
                "note: the proxy certificate names {aia} as its responder\n"
            ));
        }
        emit(&text)?;
        tokio::signal::ctrl_c()
            .await
            .context("cannot wait for Ctrl-C")?;
        handle.shutdown().await;
        Ok(ExitCode::SUCCESS)
    })
}

struct RunArgs {
    paths: Vec<PathBuf>,
    jobs: Option<u16>,
    selection: scenario::Selection,
    list: bool,
    fail_fast: bool,
    format: report::Format,
    report: Option<PathBuf>,
    expected_failures: Option<PathBuf>,
}

fn parse_level(text: &str) -> Result<Level, String> {
    [Level::Documented, Level::Recommended, Level::Reference]
        .into_iter()
        .find(|level| level.name() == text)
        .ok_or_else(|| "expected documented, recommended or reference".to_owned())
}

fn parse_format(text: &str) -> Result<report::Format, String> {
    report::Format::ALL
        .into_iter()
        .find(|(name, _)| *name == text)
        .map(|(_, format)| format)
        .ok_or_else(|| "expected human, json, junit or tap".to_owned())
}

fn run_scenarios(args: RunArgs) -> anyhow::Result<ExitCode> {
    let files = scenario::scenario_files(&args.paths)?;
    let all = scenario::load_all(&files)?;
    let known: Vec<String> = all.iter().map(|scenario| scenario.id.clone()).collect();
    let baseline = args
        .expected_failures
        .as_deref()
        .map(runner::Baseline::read)
        .transpose()?;
    let scenarios = args.selection.apply(all);
    if args.list {
        let mut text = String::new();
        for scenario in &scenarios {
            writeln!(
                text,
                "{} [{}] {}",
                scenario.id, scenario.level, scenario.title
            )?;
        }
        emit(&text)?;
        return Ok(ExitCode::SUCCESS);
    }
    if scenarios.is_empty() {
        anyhow::bail!("no scenario is selected");
    }
    let jobs = args.jobs.map(usize::from).unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let fail_fast = args.fail_fast;
    let listed = baseline.clone().unwrap_or_default();
    let results = runtime.block_on(runner::run_embedded_until(scenarios, jobs, move |result| {
        fail_fast && result.verdict != runner::Verdict::Passed && !listed.lists(&result.id)
    }));

    let check = baseline
        .as_ref()
        .map(|baseline| baseline.check(&results, known.iter().map(String::as_str)));
    let mut notes = Vec::new();
    if let Some(check) = &check {
        if !check.expected_failures.is_empty() {
            notes.push(format!(
                "expected failures (baseline): {}",
                check.expected_failures.join(", ")
            ));
        }
        for id in &check.now_passing {
            notes.push(format!(
                "stale baseline: {id} passes now; remove it from the file"
            ));
        }
        for id in &check.unknown {
            notes.push(format!("stale baseline: no scenario has the id {id}"));
        }
    }
    let text = match args.format {
        report::Format::Human => report::human_with_notes(&results, &notes),
        format => format.render(&results),
    };
    emit(&text)?;
    if let Some(dir) = &args.report {
        report::write_all(dir, &results)?;
    }
    let unexpected = results.iter().any(|result| {
        result.verdict != runner::Verdict::Passed
            && !baseline
                .as_ref()
                .is_some_and(|baseline| baseline.lists(&result.id))
    });
    let stale = check.as_ref().is_some_and(runner::BaselineCheck::is_stale);
    Ok(if unexpected || stale {
        ExitCode::from(EXIT_NON_CONFORMANT)
    } else {
        ExitCode::SUCCESS
    })
}

fn serve(options: ReferenceOptions, ca_out: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let tls = options.tls;
        let server = ReferenceServer::start(options).await?;
        let root = server.pki().cert(pki::Role::Root).pem();
        let temporary_ca = ca_out.is_none();
        let ca_path = match ca_out {
            Some(path) => path,
            None => {
                std::env::temp_dir().join(format!("ocsp-harness-ca-{}.pem", std::process::id()))
            }
        };
        if tls {
            std::fs::write(&ca_path, root)
                .with_context(|| format!("cannot write {}", ca_path.display()))?;
        }
        let mut text = format!(
            "reference server at {} (embedded OCSP responder at {})\n",
            server.url(),
            server.responder().url()
        );
        if tls {
            text.push_str(&format!("CA certificate: {}\n", ca_path.display()));
        }
        for user in server.users().all() {
            text.push_str(&format!(
                "{} {}:{}\n",
                user.role, user.username, user.password
            ));
        }
        if let Some(admin) = server.users().with_role(ManagementRole::Admin) {
            let trust = if tls {
                format!(" --cacert {}", ca_path.display())
            } else {
                String::new()
            };
            text.push_str(&format!(
                "try: curl{trust} -u {}:{} -X POST {}/v1/ocsp/test\n",
                admin.username,
                admin.password,
                server.url()
            ));
        }
        emit(&text)?;
        let interrupted = tokio::signal::ctrl_c()
            .await
            .context("cannot wait for Ctrl-C");
        server.shutdown().await;
        if tls && temporary_ca {
            // Ours to remove: a CA file nobody asked to keep.
            let _ = std::fs::remove_file(&ca_path);
        }
        interrupted?;
        Ok(ExitCode::SUCCESS)
    })
}

fn unknown_behaviour(name: &str) -> String {
    let closest = catalogue()
        .into_iter()
        .map(|entry| (edit_distance(name, &entry.name), entry.name))
        .min();
    match closest {
        Some((distance, closest)) if distance <= 3 => format!(
            "unknown behaviour {name:?} (did you mean {closest:?}? `ocsp-harness responder --list` lists them)"
        ),
        _ => format!("unknown behaviour {name:?} (`ocsp-harness responder --list` lists them)"),
    }
}

/// Levenshtein distance, for "did you mean".
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

fn inspect_file(
    file: &Path,
    verify_for: Option<(PathBuf, PathBuf)>,
    at: Option<OffsetDateTime>,
) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let inspection = ocsp::inspect(&bytes).with_context(|| file.display().to_string())?;
    let mut json = serde_json::to_value(&inspection).context("cannot render the inspection")?;
    if let Some((cert, issuer)) = verify_for {
        let read_pem = |path: &Path| -> anyhow::Result<Vec<u8>> {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let block = ::pem::parse(text)
                .with_context(|| format!("{}: not a PEM certificate", path.display()))?;
            Ok(block.into_contents())
        };
        let cert_der = read_pem(&cert)?;
        let issuer_der = read_pem(&issuer)?;
        let certificate = <x509_cert::Certificate as der::Decode>::from_der(&cert_der)
            .with_context(|| format!("{}: not a certificate", cert.display()))?;
        let context = ocsp::VerifyContext {
            issuer_der: &issuer_der,
            serial: &certificate.tbs_certificate.serial_number,
            now: at.unwrap_or_else(|| SystemClock.now()),
            nonce_sent: None,
            max_skew: ocsp::DEFAULT_MAX_SKEW,
        };
        json["verification"] = match ocsp::verify_response(&bytes, &context) {
            Ok(verified) => serde_json::json!({ "valid": true, "response": verified }),
            Err(error) => serde_json::json!({ "valid": false, "error": error.to_string() }),
        };
    }
    let mut text = serde_json::to_string_pretty(&json).context("cannot render the inspection")?;
    text.push('\n');
    emit(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// The error and its causes on one line: `what failed: why: deeper why`.
pub fn one_line(error: &anyhow::Error) -> String {
    let text = format!("{error:#}");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
