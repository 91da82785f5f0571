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
use ocsp_harness::files::{NewFile, Overwrite, write_all_or_nothing};
use ocsp_harness::level::Level;
use ocsp_harness::pki::ResponderUrl;
use ocsp_harness::runner::{
    RealTime, RemoteError, RemoteOptions, RemoteSession, ScenarioResult, Trust,
};
use ocsp_harness::{report, runner, scenario};

use super::{
    EXIT_NON_CONFORMANT, EXIT_NOT_RESTORED, EXIT_UNREACHABLE, colour, emit, keep_up, parse_user,
};

/// The command line of `run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario files or directories (default: the corpus built into the command; `scenarios
    /// export DIR` writes it out).
    #[arg(value_name = "PATH")]
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
    /// Print what a run against --target would do (which scenarios run or are skipped, and
    /// why; every change each makes; what is put back) without sending it a single request.
    #[arg(long, requires = "target", conflicts_with = "list")]
    pub plan: bool,
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
    /// Let the run install the harness's proxy certificate (and the certificates scenarios
    /// install) on the target; everything is put back after the run. Without it the scenarios
    /// that need it are skipped.
    #[arg(long, requires = "target")]
    pub allow_certificate_change: bool,
    /// Run the scenarios that move the clock or wait for a background poll by really
    /// waiting (see --list for each scenario's cost).
    #[arg(long, requires = "target")]
    pub real_time: bool,
    /// The most real time --real-time may spend waiting, e.g. 30m or 2h; the scenarios that
    /// no longer fit are skipped with the reason.
    #[arg(long, value_name = "DURATION", default_value = "1h", requires = "real_time",
          value_parser = parse_positive_duration)]
    pub time_budget: std::time::Duration,
    /// How many times faster than real time the target's clock runs (`serve --clock-speed`;
    /// for testing --real-time).
    #[arg(long, value_name = "N", default_value_t = 1, hide = true, requires = "real_time",
          value_parser = clap::value_parser!(u32).range(1..=3600))]
    pub target_clock_speed: u32,
    /// Retry the first connection until the target answers, for this long at most (exit 3
    /// after it), e.g. 60s: for a target starting beside the harness.
    #[arg(long, value_name = "DURATION", requires = "target", value_parser = parse_positive_duration)]
    pub wait_for_target: Option<std::time::Duration>,
}

/// A duration of the scenario format (`90s`, `1h30m`), above zero.
fn parse_positive_duration(text: &str) -> Result<std::time::Duration, String> {
    let duration = scenario::parse_duration(text).map_err(|error| error.to_string())?;
    std::time::Duration::try_from(duration)
        .ok()
        .filter(|duration| !duration.is_zero())
        .ok_or_else(|| format!("{text:?} is not a duration above zero"))
}

/// Runs the command.
pub fn run_scenarios(args: RunArgs) -> anyhow::Result<ExitCode> {
    let all = super::load_scenarios(&args.paths)?;
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
            if !scenario.versions.is_all() {
                write!(text, " ({})", scenario.versions)?;
            }
            let cost = runner::plan::target_time_cost(scenario);
            if cost.is_positive() {
                write!(
                    text,
                    " [real time: up to {}]",
                    runner::plan::human_duration(
                        std::time::Duration::try_from(cost).unwrap_or_default()
                    )
                )?;
            }
            writeln!(text)?;
        }
        emit(&text)?;
        return Ok(ExitCode::SUCCESS);
    }
    if scenarios.is_empty() {
        anyhow::bail!("no scenario is selected");
    }
    let info = run_info(&args, product_version);
    let remote = remote_options(&args.remote)?;
    if let (true, Some(options)) = (args.plan, &remote) {
        emit(&plan_text(options, &scenarios))?;
        return Ok(ExitCode::SUCCESS);
    }
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let after_each = after_each(&args, baseline.clone().unwrap_or_default(), scenarios.len());
    let mut notes = Vec::new();
    let mut target_product_version = None;
    let mut exit_override = None;
    let results = match remote {
        None => {
            let jobs = args.jobs.map(usize::from).unwrap_or_else(|| {
                std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
            });
            runtime.block_on(runner::run_embedded_until(scenarios, jobs, after_each))
        }
        Some(options) => {
            let outcome = runtime.block_on(remote_run(
                options,
                scenarios,
                after_each,
                args.report.as_deref(),
            ))?;
            match outcome {
                RemoteOutcome::Unreachable => return Ok(ExitCode::from(EXIT_UNREACHABLE)),
                RemoteOutcome::Ran {
                    results,
                    notes: session_notes,
                    product_version,
                    exit,
                } => {
                    notes = session_notes;
                    target_product_version = product_version;
                    exit_override = exit;
                    results
                }
            }
        }
    };
    // A target of another version than the selection was made for: say how to select for it.
    if let Some(reported) = &target_product_version {
        if let (Ok(target), Some(selected), None) = (
            ProductVersion::from_software_version(reported),
            product_version,
            args.product_version,
        ) {
            if target != selected {
                let note = format!(
                    "the target reports product version {target} (software_version {reported}); the scenarios were selected for {selected}: give --product-version {target} to select for it"
                );
                eprintln!("ocsp-harness: {note}");
                notes.push(note);
            }
        }
    }
    // What the remote session has to say goes into every report, with the run.
    let info = report::RunInfo {
        notes,
        target_product_version,
        ..info
    };
    let code = finish(&args, &results, baseline.as_ref(), &known, info)?;
    Ok(exit_override.map_or(code, ExitCode::from))
}

/// How a remote run ended.
enum RemoteOutcome {
    /// The target never answered (exit 3).
    Unreachable,
    /// Scenarios ran (maybe not all of them).
    Ran {
        results: Vec<ScenarioResult>,
        /// Lines for the report.
        notes: Vec<String>,
        /// The product version the target reports.
        product_version: Option<String>,
        /// An exit code that overrides the results': the target was not put back (4), or the
        /// run was interrupted (130, 143).
        exit: Option<u8>,
    },
}

/// Connects, runs the scenarios until done or interrupted (SIGINT, SIGTERM), and puts the
/// target back whatever happened.
async fn remote_run(
    options: RemoteOptions,
    scenarios: Vec<ocsp_harness::scenario::Scenario>,
    after_each: impl Fn(&ScenarioResult) -> bool + Send + Sync + 'static,
    report_dir: Option<&std::path::Path>,
) -> anyhow::Result<RemoteOutcome> {
    // The handlers are in place before the first change, so that no signal can end the run
    // between a change and its undoing.
    let signals = Signals::install()?;
    let url = options.url.clone();
    let session = match RemoteSession::connect(options).await {
        Ok(session) => Arc::new(session),
        Err(error @ RemoteError::Unreachable { .. }) => {
            eprintln!("ocsp-harness: {error}");
            return Ok(RemoteOutcome::Unreachable);
        }
        Err(error) => return Err(error.into()),
    };
    let interrupted = signals.first();
    // In a task of its own, so that a panic anywhere in the run (a bug) still ends here, where
    // the target is put back.
    let running = tokio::spawn(runner::run_remote_until(
        Arc::clone(&session),
        scenarios,
        after_each,
        interrupted,
    ));
    let mut exit = None;
    let run = match running.await {
        Ok(run) => run,
        Err(error) => {
            eprintln!(
                "ocsp-harness: the run failed (a bug in the harness: {error}); putting the target back"
            );
            exit = Some(EXIT_NON_CONFORMANT);
            runner::RemoteRun {
                results: Vec::new(),
                interrupted: false,
            }
        }
    };
    if run.interrupted {
        let signal = signals.received().unwrap_or(Signal::Interrupt);
        // The progress line, where there is one, is cleared first.
        let clear = if progress_enabled() { "\r\x1b[2K" } else { "" };
        eprintln!(
            "{clear}ocsp-harness: {}: the scenario under way was stopped; putting the target back",
            signal.name()
        );
        exit = Some(signal.exit_code());
    }
    let mut notes = session.notes();
    let product_version = session.product_version().map(str::to_owned);
    match session.restore().await {
        Ok(()) => {
            eprintln!(
                "ocsp-harness: the target was put back as the run found it (read back and compared)"
            );
        }
        Err(not_restored) => {
            let dir = report_dir.map_or_else(
                || std::path::PathBuf::from(format!("ocsp-harness-restore-{}", std::process::id())),
                |dir| dir.join("restore"),
            );
            let files: Vec<NewFile> = not_restored
                .bodies()
                .into_iter()
                .map(|(name, body)| NewFile {
                    name,
                    contents: format!("{body:#}\n").into_bytes(),
                    // The certificates' bodies hold private keys.
                    private: true,
                })
                .collect();
            let written = if files.is_empty() {
                Ok(())
            } else {
                write_all_or_nothing(&dir, &files, Overwrite::Allow)
            };
            let dir_text = dir.display().to_string();
            eprint!("ocsp-harness: {}", not_restored.describe(&url, &dir_text));
            if let Err(error) = written {
                eprintln!("ocsp-harness: the bodies could not be written: {error}");
            }
            notes.push(
                "the target was NOT put back as the run found it (see the message on stderr)"
                    .to_owned(),
            );
            exit = Some(EXIT_NOT_RESTORED);
        }
    }
    if let Ok(session) = Arc::try_unwrap(session) {
        session.shutdown().await;
    }
    Ok(RemoteOutcome::Ran {
        results: run.results,
        notes,
        product_version,
        exit,
    })
}

/// The signals that stop a run: SIGINT (Ctrl-C) and SIGTERM.
struct Signals {
    received: Arc<std::sync::Mutex<Option<Signal>>>,
    first: tokio::sync::watch::Receiver<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Signal {
    Interrupt,
    Terminate,
}

impl Signal {
    fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "interrupted (SIGINT)",
            Signal::Terminate => "terminated (SIGTERM)",
        }
    }

    /// 128 + the signal's number, as a shell reports a process ended by it.
    fn exit_code(self) -> u8 {
        match self {
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
        }
    }
}

impl Signals {
    fn install() -> anyhow::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt()).context("cannot listen for SIGINT")?;
        let mut terminate = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
        let received = Arc::new(std::sync::Mutex::new(None));
        let (sender, first) = tokio::sync::watch::channel(false);
        let slot = Arc::clone(&received);
        // Listens for the whole run: a second signal while the target is being put back is
        // taken, and ignored, instead of ending the process halfway through the restore.
        tokio::spawn(async move {
            loop {
                let signal = tokio::select! {
                    _ = interrupt.recv() => Signal::Interrupt,
                    _ = terminate.recv() => Signal::Terminate,
                };
                let mut slot = slot
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if slot.is_none() {
                    *slot = Some(signal);
                    let _ = sender.send(true);
                }
            }
        });
        Ok(Self { received, first })
    }

    /// Completes at the first signal.
    fn first(&self) -> impl std::future::Future<Output = ()> + use<> {
        let mut first = self.first.clone();
        async move {
            let _ = first.wait_for(|received| *received).await;
        }
    }

    fn received(&self) -> Option<Signal> {
        *self
            .received
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// What `run --plan` prints: every scenario with what it would do, and what the run records
/// and puts back.
fn plan_text(options: &RemoteOptions, scenarios: &[ocsp_harness::scenario::Scenario]) -> String {
    let planner = runner::Planner::new(options);
    let plans = planner.plan(scenarios);
    let runs = plans
        .iter()
        .filter(|plan| matches!(plan, runner::Plan::Runs { .. }))
        .count();
    let mut text = format!(
        "plan for {}: {} scenario(s), {runs} would run, {} would be skipped; nothing was sent to the target\n\n",
        options.url,
        scenarios.len(),
        scenarios.len() - runs
    );
    text.push_str("before the first scenario, it reads and records (as the admin): GET /v1/ocsp, GET /v1/cluster (the OCSP alerts' settings), GET /v1/cluster/certificates (every certificate and key), GET /v1/nodes (the product version)\n\n");
    let mut total = std::time::Duration::ZERO;
    for (scenario, plan) in scenarios.iter().zip(&plans) {
        match plan {
            runner::Plan::Runs { changes } => {
                let _ = write!(text, "RUN   {}", scenario.id);
                if options.real_time.is_some() {
                    let cost = planner.real_time_cost(scenario);
                    total += cost;
                    if !cost.is_zero() {
                        let _ = write!(
                            text,
                            " [real time: up to {}]",
                            runner::plan::human_duration(cost)
                        );
                    }
                }
                text.push('\n');
                for change in changes {
                    let _ = writeln!(text, "        changes: {change}");
                }
            }
            runner::Plan::Skipped { reason } => {
                let _ = writeln!(text, "SKIP  {}: {reason}", scenario.id);
            }
        }
    }
    if options.real_time.is_some() {
        let _ = writeln!(
            text,
            "\nreal time spent waiting: up to {}",
            runner::plan::human_duration(total)
        );
    }
    text.push_str("\nafter the last scenario (also after a failure, SIGINT or SIGTERM), it puts back the OCSP configuration, the OCSP alerts' settings and every certificate as recorded, reads them back and compares; what it could not put back is printed with the commands that would, and the run exits 4\n");
    text
}

/// Whether this process draws the progress line on stderr.
fn progress_enabled() -> bool {
    colour::progress_enabled(
        std::io::stderr().is_terminal(),
        std::env::var_os("TERM").as_deref(),
    )
}

/// The progress line (on a terminal) and the fail-fast decision, after each scenario.
fn after_each(
    args: &RunArgs,
    listed: runner::Baseline,
    total: usize,
) -> impl Fn(&ScenarioResult) -> bool + Send + Sync + 'static {
    let fail_fast = args.fail_fast;
    let progress = progress_enabled();
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
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        anyhow::bail!("--target {url:?} must be an http:// or https:// URL");
    };
    // Reports and re-run lines repeat the URL: a password in it would be published with them.
    if rest
        .split('/')
        .next()
        .is_some_and(|authority| authority.contains('@'))
    {
        anyhow::bail!(
            "--target must not hold credentials: give them with --user and --password (or OCSP_HARNESS_TARGET_USER and OCSP_HARNESS_TARGET_PASSWORD)"
        );
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
        allow_certificate_change: args.allow_certificate_change,
        real_time: args.real_time.then_some(RealTime {
            budget: args.time_budget,
            speed: args.target_clock_speed,
        }),
        wait_for_target: args.wait_for_target,
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
        colour: colour::report_colour(colour::Stream::Stdout),
        rerun: Some(rerun_args(&args.remote)),
        corpus: if args.paths.is_empty() {
            report::Corpus::BuiltIn
        } else {
            report::Corpus::Files
        },
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
    // No path is the built-in corpus: a re-run gets it by giving none.
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
    if remote.allow_certificate_change {
        words.push("--allow-certificate-change".to_owned());
    }
    if remote.real_time {
        words.push(format!(
            "--real-time --time-budget {}",
            runner::plan::human_duration(remote.time_budget).replace(' ', "")
        ));
    }
    words.join(" ")
}
