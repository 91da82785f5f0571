//! `serve`: the reference server as a process, with an embedded responder.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use clap::builder::TypedValueParser;
use ocsp_harness::clock::SystemClock;
use ocsp_harness::contract::{ManagementRole, User};
use ocsp_harness::pki::{self, KeySource, KeyType};
use ocsp_harness::reference::{
    ConnectionLimits, FrontLimits, ReferenceOptions, ReferenceServer, ServerClock,
};

use super::logging::{self, LogArgs};
use super::{NamedBehaviour, behaviour_parser, emit, parse_user, stop_requested};

/// The fastest `--clock-speed`: an hour a second.
const MAX_CLOCK_SPEED: i64 = 3600;

/// How long requests in flight may take to finish after SIGTERM or Ctrl-C before their
/// connections are dropped: longer than any answer of the server's own (the task queue gives up
/// after 5 s), short enough for a supervisor's stop timeout (Docker's is 10 s).
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The command line of `serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(
        long,
        value_name = "ADDR",
        env = "OCSP_HARNESS_LISTEN",
        default_value = "127.0.0.1:9443"
    )]
    pub listen: SocketAddr,
    /// Plain HTTP instead of HTTPS, for local debugging.
    #[arg(long, env = "OCSP_HARNESS_PLAIN_HTTP")]
    pub plain_http: bool,
    /// Offer the provider states under /_harness (node capability, queue, clock, reset).
    #[arg(long, env = "OCSP_HARNESS_STATE_HOOKS")]
    pub state_hooks: bool,
    /// Key type of the generated PKI.
    #[arg(long, value_name = "TYPE", env = "OCSP_HARNESS_KEY_TYPE",
          default_value_t = KeyType::P256, ignore_case = true,
          value_parser = clap::builder::PossibleValuesParser::new(KeyType::ALL.map(KeyType::name))
              .try_map(|name| name.parse::<KeyType>()))]
    pub key_type: KeyType,
    /// Address of the embedded OCSP responder.
    #[arg(
        long,
        value_name = "ADDR",
        env = "OCSP_HARNESS_RESPONDER_LISTEN",
        default_value = "127.0.0.1:0"
    )]
    pub responder_listen: SocketAddr,
    /// The embedded responder's behaviour (see `responder --list`).
    #[arg(long, value_name = "NAME", env = "OCSP_HARNESS_BEHAVIOUR", default_value = "good",
          hide_possible_values = true, value_parser = behaviour_parser())]
    pub behaviour: NamedBehaviour,
    /// A user, ROLE=USERNAME:PASSWORD, replacing that role's generated one; repeatable.
    #[arg(long = "user", value_name = "ROLE=USER:PASSWORD", env = "OCSP_HARNESS_USERS",
          value_delimiter = ',', hide_env_values = true, value_parser = parse_user)]
    pub users: Vec<User>,
    /// Run the server's clock N times faster than real time, from the machine's time at start
    /// (1..=3600; 1 is the system clock): for testing real-time runs, an hour of the server's
    /// time passes in 3600/N seconds. Background polls follow it; answers' Date headers say it.
    #[arg(long, value_name = "N", env = "OCSP_HARNESS_CLOCK_SPEED", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(1..=MAX_CLOCK_SPEED))]
    pub clock_speed: u32,
    /// Where to write the CA certificate clients should trust (default: a temporary file).
    #[arg(long, value_name = "FILE", env = "OCSP_HARNESS_CA_OUT")]
    pub ca_out: Option<PathBuf>,
    /// Connections held open at once; when all are taken, the one idle the longest is closed to
    /// make room.
    #[arg(long, value_name = "N", env = "OCSP_HARNESS_MAX_CONNECTIONS",
          default_value_t = ConnectionLimits::DEFAULT.max_connections,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000).map(|n| n as usize))]
    pub max_connections: usize,
    /// Seconds a connection may stay open with no request in flight (a TLS handshake, a
    /// request head still arriving, keep-alive) before it is closed.
    #[arg(long, value_name = "SECONDS", env = "OCSP_HARNESS_IDLE_TIMEOUT",
          default_value_t = ConnectionLimits::DEFAULT.idle.whole_seconds() as u32,
          value_parser = clap::value_parser!(u32).range(1..=86_400))]
    pub idle_timeout: u32,
    /// Do not log requests (other log lines stay).
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub log: LogArgs,
}

/// Starts the reference server and waits for Ctrl-C.
pub fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let behaviour = args.behaviour.behaviour;
    logging::init(args.log.log_format, !args.quiet)?;
    let mut users = ocsp_harness::reference::generate_users();
    for user in args.users {
        users.set(user);
    }
    let options = ReferenceOptions {
        listen: args.listen,
        tls: !args.plain_http,
        users,
        state_hooks: args.state_hooks,
        // Speed 1 is the machine's own clock: nothing to scale.
        clock: match args.clock_speed {
            1 => ServerClock::System,
            speed => ServerClock::Scaled(speed),
        },
        key_type: args.key_type,
        // One PKI in this process, and a user may keep its CA: keys of its own.
        keys: KeySource::Fresh,
        nodes: ocsp_harness::reference::DEFAULT_NODES,
        responder_listen: args.responder_listen,
        behaviour,
        front: FrontLimits {
            connections: ConnectionLimits {
                max_connections: args.max_connections,
                idle: time::Duration::seconds(i64::from(args.idle_timeout)),
                ..ConnectionLimits::DEFAULT
            },
            ..FrontLimits::DEFAULT
        },
        front_clock: Arc::new(SystemClock),
    };
    run(options, args.ca_out)
}

fn run(options: ReferenceOptions, ca_out: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let tls = options.tls;
        let clock = options.clock.clone();
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
        if let ServerClock::Scaled(speed) = clock {
            text.push_str(&format!(
                "clock: {speed} times real time (an hour passes in {:.1} s)\n",
                3600.0 / f64::from(speed)
            ));
        }
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
        let stop = stop_requested();
        emit(&text)?;
        let interrupted = match stop {
            Ok(stop) => {
                stop.await;
                Ok(())
            }
            Err(error) => Err(error),
        };
        tracing::info!(
            "stopping: no new connections; requests in flight have {} s to finish",
            SHUTDOWN_GRACE.as_secs()
        );
        server.shutdown_gracefully(SHUTDOWN_GRACE).await;
        if tls && temporary_ca {
            // Ours to remove: a CA file nobody asked to keep.
            let _ = std::fs::remove_file(&ca_path);
        }
        interrupted?;
        Ok(ExitCode::SUCCESS)
    })
}
