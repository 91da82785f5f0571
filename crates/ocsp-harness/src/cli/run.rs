//! `run`: scenarios against the embedded reference server or a remote target, with selection,
//! progress, reports and the expected-failures baseline.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Context;

use ocsp_harness::clock::{Clock, SystemClock};
use ocsp_harness::contract::{Contract, ManagementRole, ProductVersion, User, Users};
use ocsp_harness::level::Level;
use ocsp_harness::pki::ResponderUrl;
use ocsp_harness::runner::{RemoteError, RemoteOptions, RemoteSession, ScenarioResult, Trust};
use ocsp_harness::{report, runner, scenario};

use super::{EXIT_NON_CONFORMANT, EXIT_UNREACHABLE, emit, keep_up, parse_user};

/// The command line of `run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario files or directories.
    #[arg(value_name = "PATH", default_value = "scenarios")]
    pub paths: Vec<PathBuf>,
    /// Scenarios at once against the embedded server (default: one per core; a remote target
    /// runs one at a time).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: Option<u16>,
    /// Only scenarios whose id contains this text.
    #[arg(long, value_name = "TEXT")]
    pub filter: Option<String>,
    /// Only scenarios with this tag (repeatable: any of them).
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Only scenarios of this level (repeatable: any of them).
    #[arg(long = "level", value_name = "LEVEL", value_parser = clap::value_parser!(Level))]
    pub levels: Vec<Level>,
    /// Only scenarios that hold for this product version of the target, e.g. 7.8 or 7.22.2
    /// (default: the newest version the contract was read from).
    #[arg(long, value_name = "X.Y[.Z]")]
    pub product_version: Option<ProductVersion>,
    /// Run the K-th of N shares of the selection, e.g. 2/4.
    #[arg(long, value_name = "K/N")]
    pub partition: Option<scenario::Partition>,
    /// List the selected scenarios and exit.
    #[arg(long)]
    pub list: bool,
    /// Start no new scenario after the first that does not pass.
    #[arg(long)]
    pub fail_fast: bool,
    /// Output format: human, json, junit, tap.
    #[arg(long, value_name = "FORMAT", default_value = "human", value_parser = clap::value_parser!(report::Format))]
    pub format: report::Format,
    /// Also write every format into this directory.
    #[arg(long, value_name = "DIR")]
    pub report: Option<PathBuf>,
    /// Scenario ids expected to fail, one per line; a listed one that passes, or names no
    /// scenario, fails the run.
    #[arg(long, value_name = "FILE")]
    pub expected_failures: Option<PathBuf>,
    /// Bring up the world of this scenario (embedded), print how to reach it, and stay up until
    /// interrupted.
    #[arg(long, value_name = "ID", conflicts_with_all = ["target", "list"])]
    pub keep_up: Option<String>,
    #[command(flatten)]
    pub remote: RemoteArgs,
}

/// The remote target's options.
#[derive(Debug, clap::Args)]
pub struct RemoteArgs {
    /// Run against the implementation at this URL instead of the embedded server.
    #[arg(long, value_name = "URL")]
    pub target: Option<String>,
    /// The target's admin user. (These three may come from the environment, so they are not
    /// refused without --target: an embedded run ignores them.)
    #[arg(long, value_name = "USER", env = "OCSP_HARNESS_TARGET_USER")]
    pub user: Option<String>,
    /// The admin's password (better from the environment: the command line is visible to
    /// other users of the machine).
    #[arg(
        long,
        value_name = "PASSWORD",
        env = "OCSP_HARNESS_TARGET_PASSWORD",
        hide_env_values = true
    )]
    pub password: Option<String>,
    /// A user of another role, ROLE=USER:PASSWORD, for the scenarios that send as that role;
    /// repeatable.
    #[arg(long = "role-user", value_name = "ROLE=USER:PASSWORD", env = "OCSP_HARNESS_TARGET_ROLE_USERS",
          value_delimiter = ',', hide_env_values = true, value_parser = parse_user)]
    pub role_users: Vec<User>,
    /// Trust only this CA certificate (PEM) for the target's HTTPS.
    #[arg(
        long,
        value_name = "FILE",
        requires = "target",
        conflicts_with = "insecure"
    )]
    pub ca_cert: Option<PathBuf>,
    /// Accept any certificate from the target.
    #[arg(long, requires = "target")]
    pub insecure: bool,
    /// Where the harness's OCSP responder listens.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub responder_listen: SocketAddr,
    /// The responder's URL as the target reaches it (default: http:// the listen address).
    #[arg(long, value_name = "URL", requires = "target")]
    pub responder_url: Option<ResponderUrl>,
    /// The target's provider states, e.g. https://host:9443/_harness.
    #[arg(long, value_name = "URL", requires = "target")]
    pub state_url: Option<String>,
    /// How long one request to the target may take, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub request_timeout: u64,
}

/// Runs the command.
pub fn run_scenarios(args: RunArgs) -> anyhow::Result<ExitCode> {
    let files = scenario::scenario_files(&args.paths)?;
    let all = scenario::load_all(&files)?;
    if let Some(id) = &args.keep_up {
        let scenario = all
            .into_iter()
            .find(|scenario| &scenario.id == id)
            .with_context(|| format!("no scenario has the id {id:?}"))?;
        return keep_up::keep_up(&scenario);
    }
    let known: Vec<String> = all.iter().map(|scenario| scenario.id.clone()).collect();
    let baseline = args
        .expected_failures
        .as_deref()
        .map(runner::Baseline::read)
        .transpose()?;
    let product_version = args
        .product_version
        .or_else(|| Contract::embedded().latest_version());
    let selection = scenario::Selection {
        filter: args.filter.clone(),
        tags: args.tags.clone(),
        levels: args.levels.clone(),
        product_version,
        partition: args.partition,
    };
    if let Some(version) = product_version {
        let left_out = all
            .iter()
            .filter(|scenario| !scenario.versions.contains(version))
            .count();
        if left_out > 0 {
            eprintln!(
                "ocsp-harness: {left_out} scenario(s) do not hold for product version {version} and are left out"
            );
        }
    }
    let scenarios = selection.apply(all);
    if args.list {
        let mut text = String::new();
        for scenario in &scenarios {
            write!(
                text,
                "{} [{}] {}",
                scenario.id, scenario.level, scenario.title
            )?;
            if scenario.versions.is_all() {
                writeln!(text)?;
            } else {
                writeln!(text, " ({})", scenario.versions)?;
            }
        }
        emit(&text)?;
        return Ok(ExitCode::SUCCESS);
    }
    if scenarios.is_empty() {
        anyhow::bail!("no scenario is selected");
    }
    let info = run_info(&args, product_version);
    let remote = remote_options(&args.remote)?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let after_each = after_each(&args, baseline.clone().unwrap_or_default(), scenarios.len());
    let results = match remote {
        None => {
            let jobs = args.jobs.map(usize::from).unwrap_or_else(|| {
                std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
            });
            runtime.block_on(runner::run_embedded_until(scenarios, jobs, after_each))
        }
        Some(options) => {
            let session = match runtime.block_on(RemoteSession::connect(options)) {
                Ok(session) => Arc::new(session),
                Err(error @ RemoteError::Unreachable { .. }) => {
                    eprintln!("ocsp-harness: {error}");
                    return Ok(ExitCode::from(EXIT_UNREACHABLE));
                }
                Err(error) => return Err(error.into()),
            };
            let results = runtime.block_on(runner::run_remote_until(
                Arc::clone(&session),
                scenarios,
                after_each,
            ));
            if let Err(reason) = runtime.block_on(session.restore()) {
                eprintln!("ocsp-harness: the target's configuration was not put back: {reason}");
            }
            results
        }
    };
    finish(&args, &results, baseline.as_ref(), &known, info)
}

/// The progress line (on a terminal) and the fail-fast decision, after each scenario.
fn after_each(
    args: &RunArgs,
    listed: runner::Baseline,
    total: usize,
) -> impl Fn(&ScenarioResult) -> bool + Send + Sync + 'static {
    let fail_fast = args.fail_fast;
    let progress = std::io::stderr().is_terminal();
    let done = AtomicUsize::new(0);
    move |result| {
        let done = done.fetch_add(1, Ordering::SeqCst) + 1;
        if progress {
            let width = 30;
            let filled = done * width / total.max(1);
            eprint!(
                "\r\x1b[2K[{}{}] {done}/{total} {}",
                "#".repeat(filled),
                "-".repeat(width - filled),
                result.id
            );
            if done == total {
                eprint!("\r\x1b[2K");
            }
        }
        fail_fast && result.verdict.is_problem() && !listed.lists(&result.id)
    }
}

fn remote_options(args: &RemoteArgs) -> anyhow::Result<Option<RemoteOptions>> {
    let Some(url) = &args.target else {
        return Ok(None);
    };
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        anyhow::bail!("--target {url:?} must be an http:// or https:// URL");
    }
    let (Some(user), Some(password)) = (&args.user, &args.password) else {
        anyhow::bail!(
            "--target needs the admin's --user and --password (or OCSP_HARNESS_TARGET_USER and OCSP_HARNESS_TARGET_PASSWORD)"
        );
    };
    let mut users = Users::new(vec![User {
        role: ManagementRole::Admin,
        username: user.clone(),
        password: password.clone(),
    }]);
    for user in &args.role_users {
        users.set(user.clone());
    }
    let trust = match (&args.ca_cert, args.insecure) {
        (Some(path), _) => Trust::CaCert(
            std::fs::read(path)
                .with_context(|| format!("cannot read the CA certificate {}", path.display()))?,
        ),
        (None, true) => Trust::Insecure,
        (None, false) => Trust::System,
    };
    Ok(Some(RemoteOptions {
        url: url.clone(),
        users,
        trust,
        responder_listen: args.responder_listen,
        responder_url: args.responder_url.clone(),
        state_url: args.state_url.clone(),
        request_timeout: std::time::Duration::from_secs(args.request_timeout),
    }))
}

/// Reports, writes the report directory, and decides the exit code.
fn finish(
    args: &RunArgs,
    results: &[ScenarioResult],
    baseline: Option<&runner::Baseline>,
    known: &[String],
    info: report::RunInfo,
) -> anyhow::Result<ExitCode> {
    let check = baseline.map(|baseline| baseline.check(results, known.iter().map(String::as_str)));
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
    let human_options = report::HumanOptions {
        notes,
        colour: report::Colour::for_terminal(std::io::stdout().is_terminal()),
        rerun: Some(rerun_args(&args.remote)),
    };
    let run = report::RunReport {
        info: &info,
        results,
        baseline,
    };
    let text = match args.format {
        report::Format::Human => report::human_with(&run, &human_options),
        format => format.render(&run),
    };
    emit(&text)?;
    if let Some(dir) = &args.report {
        let title = format!("ocsp-harness: {}", info.target);
        report::write_all(dir, &run, &human_options, &title)?;
    }
    let unexpected = results.iter().any(|result| {
        result.verdict.is_problem() && !baseline.is_some_and(|baseline| baseline.lists(&result.id))
    });
    let stale = check.as_ref().is_some_and(runner::BaselineCheck::is_stale);
    Ok(if unexpected || stale {
        ExitCode::from(EXIT_NON_CONFORMANT)
    } else {
        ExitCode::SUCCESS
    })
}

/// The run as its reports name it, started now: the target, the product version selected for,
/// and the options a re-run repeats (the selection, then the target's options; never a
/// credential). A remote run adds what the target reports of itself.
fn run_info(args: &RunArgs, product_version: Option<ProductVersion>) -> report::RunInfo {
    let mut options: Vec<String> = args
        .paths
        .iter()
        .map(|path| path.display().to_string())
        .collect();
    if let Some(filter) = &args.filter {
        options.push(format!("--filter {filter}"));
    }
    options.extend(args.tags.iter().map(|tag| format!("--tag {tag}")));
    options.extend(args.levels.iter().map(|level| format!("--level {level}")));
    if let Some(version) = args.product_version {
        options.push(format!("--product-version {version}"));
    }
    if let Some(partition) = &args.partition {
        options.push(format!(
            "--partition {}/{}",
            partition.index, partition.count
        ));
    }
    if args.fail_fast {
        options.push("--fail-fast".to_owned());
    }
    if let Some(path) = &args.expected_failures {
        options.push(format!("--expected-failures {}", path.display()));
    }
    // The target's options, as the re-run line of a failed scenario repeats them.
    let rerun = rerun_args(&args.remote);
    if !rerun.is_empty() {
        options.push(rerun);
    }
    let started = SystemClock.now();
    let info = match &args.remote.target {
        Some(target) => report::RunInfo::new(target.clone(), started),
        None => report::RunInfo::embedded(started),
    };
    report::RunInfo {
        product_version: product_version.map(|version| version.to_string()),
        options,
        ..info
    }
}

/// The target options a re-run repeats; credentials come from the environment, never the
/// report.
fn rerun_args(remote: &RemoteArgs) -> String {
    let Some(target) = &remote.target else {
        return String::new();
    };
    let mut words = vec![format!("--target {target}")];
    if let Some(path) = &remote.ca_cert {
        words.push(format!("--ca-cert {}", path.display()));
    }
    if remote.insecure {
        words.push("--insecure".to_owned());
    }
    if let Some(url) = &remote.responder_url {
        words.push(format!("--responder-url {}", url.as_str()));
        words.push(format!("--responder-listen {}", remote.responder_listen));
    }
    if let Some(url) = &remote.state_url {
        words.push(format!("--state-url {url}"));
    }
    words.join(" ")
}
