//! The embedded target: a reference server, its responder and PKI in this process, on a virtual
//! clock that starts at the scenario's instant and that the runner moves.

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use time::Duration;

use super::steps::{InstallPath, Target, run_steps};
use super::{ScenarioResult, Verdict};
use clock::{Clock, VirtualClock};
use contract::Users;
use pki::{Role, TestPki};
use reference::{ReferenceOptions, ReferenceServer};
use responder::ResponderHandle;
use scenario::{MatchContext, Scenario};

use crate::error::{HttpError, RunError, SetupError, StepError};

/// Runs one scenario in its own embedded world.
pub async fn run_one(scenario: &Scenario) -> ScenarioResult {
    let started = Instant::now();
    let (verdict, secrets) = match EmbeddedWorld::start(scenario).await {
        Ok(world) => {
            let verdict = run_steps(&world, scenario).await;
            let secrets: Vec<String> = world
                .server
                .users()
                .all()
                .iter()
                .map(|user| user.password.clone())
                .collect();
            world.server.shutdown().await;
            (verdict, secrets)
        }
        Err(error) => (Verdict::error(&RunError::World(error)), Vec::new()),
    };
    let mut result = ScenarioResult::of(scenario, verdict, started.elapsed());
    result.redact(&secrets.iter().map(String::as_str).collect::<Vec<_>>());
    result
}

/// A scenario's world kept running for a person to explore (`run --keep-up`): set up as a run
/// would set it up, then left alone. Its clock stays at the scenario's instant, except that
/// a wait inside a request (a responder's delay, the queue's limit) is jumped over as the
/// runner would, so that nobody waits for real; `PUT /_harness/clock` moves it further.
pub struct KeptWorld {
    world: EmbeddedWorld,
    driver: tokio::task::JoinHandle<()>,
}

impl KeptWorld {
    /// Starts the world of `scenario` and installs its proxy certificate.
    pub async fn start(scenario: &Scenario) -> Result<Self, RunError> {
        let world = EmbeddedWorld::start(scenario)
            .await
            .map_err(RunError::World)?;
        super::steps::install(&world, Role::Proxy)
            .await
            .map_err(|error| RunError::World(SetupError::Install(error)))?;
        world
            .fail_certificate_writes(&scenario.world.certificate_failing_nodes)
            .await
            .map_err(RunError::World)?;
        let clock = world.clock.clone();
        // Driving a future that never ends follows every wait that starts from now on.
        let driver = tokio::spawn(async move { clock.drive(std::future::pending::<()>()).await });
        Ok(Self { world, driver })
    }

    /// The server's base URL.
    pub fn url(&self) -> &str {
        self.world.server.url()
    }

    /// Its users, one per role.
    pub fn users(&self) -> &Users {
        self.world.server.users()
    }

    /// The responder's URL.
    pub fn responder_url(&self) -> &str {
        &self.world.responder_url
    }

    /// The CA certificate (PEM) that clients should trust.
    pub fn ca_pem(&self) -> String {
        self.world.server.pki().cert(Role::Root).pem()
    }

    /// The world's clock now.
    pub fn now(&self) -> time::OffsetDateTime {
        self.world.clock.now()
    }

    /// Stops everything.
    pub async fn shutdown(self) {
        self.driver.abort();
        self.world.server.shutdown().await;
    }
}

/// A scenario's world, started and set up with its provider states.
pub(crate) struct EmbeddedWorld {
    pub(crate) server: ReferenceServer,
    clock: VirtualClock,
    http: reqwest::Client,
    responder_url: String,
    install_path: InstallPath,
}

impl EmbeddedWorld {
    pub(crate) async fn start(scenario: &Scenario) -> Result<Self, SetupError> {
        let mut options = ReferenceOptions::embedded(scenario.clock);
        options.key_type = scenario.world.key_type;
        options.behaviour = scenario.world.behaviour.clone();
        let server = ReferenceServer::start(options)
            .await
            .map_err(SetupError::Server)?;
        for &node in &scenario.world.incapable_nodes {
            if !server.cluster().set_node_capability(node, false) {
                return Err(SetupError::NoSuchNode(node));
            }
        }
        server
            .cluster()
            .queue()
            .set_stalled(scenario.world.queue_stalled);
        let clock = server
            .virtual_clock()
            .cloned()
            .ok_or(SetupError::NoVirtualClock)?;
        let http = server.http_client().map_err(SetupError::Server)?;
        let responder_url = server.responder().url();
        Ok(Self {
            server,
            clock,
            http,
            responder_url,
            install_path: InstallPath::default(),
        })
    }
}

impl Target for EmbeddedWorld {
    fn url(&self) -> &str {
        self.server.url()
    }

    fn http(&self) -> &reqwest::Client {
        &self.http
    }

    fn users(&self) -> &Users {
        self.server.users()
    }

    fn responder(&self) -> &ResponderHandle {
        self.server.responder()
    }

    fn pki(&self) -> Arc<TestPki> {
        Arc::clone(self.server.pki())
    }

    fn match_context(&self) -> MatchContext {
        MatchContext {
            responder_url: self.responder_url.clone(),
            now: self.clock.now(),
            slack: Duration::ZERO,
        }
    }

    async fn settle(&self) -> Result<(), HttpError> {
        // Polls that fell due (OCSP turned on, the clock moved) run before the next step.
        self.clock.drive(self.server.cluster().settle()).await;
        Ok(())
    }

    async fn advance(&self, by: Duration) -> Result<(), StepError> {
        self.server.cluster().advance(&self.clock, by).await;
        Ok(())
    }

    async fn fail_certificate_writes(&self, nodes: &[usize]) -> Result<(), SetupError> {
        for &node in nodes {
            if !self.server.cluster().set_node_certificates(node, false) {
                return Err(SetupError::NoSuchNode(node));
            }
        }
        Ok(())
    }

    fn install_path(&self) -> &InstallPath {
        &self.install_path
    }

    fn exchange(
        &self,
        request: reqwest::RequestBuilder,
    ) -> impl Future<Output = Result<reqwest::Response, reqwest::Error>> + Send {
        self.clock.drive(request.send())
    }
}
