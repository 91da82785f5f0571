//! Running scenarios against the embedded reference server: each in its own world (server,
//! responder, PKI) on a virtual clock that starts at the scenario's instant, so that the
//! 5-second and one-hour waits take no real time. The runner returns data; reports only read it.

mod baseline;

pub use baseline::{Baseline, BaselineCheck};

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;
use serde_json::Value;

use crate::clock::{Clock, VirtualClock};
use crate::level::Level;
use crate::pki::Role;
use crate::reference::{ReferenceOptions, ReferenceServer};
use crate::scenario::{Action, MatchContext, Scenario, SendStep, Who};

/// How a scenario ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// Every expectation held.
    Passed,
    /// The target answered, and some answer differed from what the scenario expects.
    Failed {
        /// Every difference, in order.
        mismatches: Vec<Mismatch>,
    },
    /// The harness could not run the scenario (its world did not start, a request got no
    /// answer).
    Error {
        /// What went wrong.
        message: String,
    },
}

/// One difference between an answer and the scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    /// The step's line in the scenario file.
    pub line: u64,
    /// The request, e.g. `POST /v1/ocsp/test`.
    pub request: String,
    /// Where in the answer: `status`, `body.cert_status`, `journal.requests`.
    pub path: String,
    /// What the scenario expects.
    pub expected: String,
    /// What the answer holds.
    pub actual: String,
}

/// One scenario's result.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioResult {
    /// The scenario id.
    pub id: String,
    /// Its file.
    pub path: PathBuf,
    /// Its level.
    pub level: Level,
    /// Its title.
    pub title: String,
    /// How it ended.
    #[serde(flatten)]
    pub verdict: Verdict,
    /// Wall time, in milliseconds.
    pub duration_ms: u64,
}

/// Runs `scenarios` against fresh embedded worlds, at most `jobs` at once, in id order.
pub async fn run_embedded(scenarios: Vec<Scenario>, jobs: usize) -> Vec<ScenarioResult> {
    run_embedded_until(scenarios, jobs, |_| false).await
}

/// Like [`run_embedded`], starting no new scenario once `stop` says so of a result (the
/// scenarios already running finish).
pub async fn run_embedded_until(
    scenarios: Vec<Scenario>,
    jobs: usize,
    stop: impl Fn(&ScenarioResult) -> bool + Send + Sync + 'static,
) -> Vec<ScenarioResult> {
    let semaphore = Arc::new(tokio::sync::Semaphore::new(jobs.max(1)));
    let stopped = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop = Arc::new(stop);
    let tasks: Vec<_> = scenarios
        .into_iter()
        .map(|scenario| {
            let (semaphore, stopped, stop) = (
                Arc::clone(&semaphore),
                Arc::clone(&stopped),
                Arc::clone(&stop),
            );
            tokio::spawn(async move {
                let _permit = semaphore.acquire_owned().await;
                if stopped.load(std::sync::atomic::Ordering::SeqCst) {
                    return None;
                }
                let result = run_one(&scenario).await;
                if stop(&result) {
                    stopped.store(true, std::sync::atomic::Ordering::SeqCst);
                }
                Some(result)
            })
        })
        .collect();
    let mut results = Vec::with_capacity(tasks.len());
    for task in tasks {
        if let Ok(Some(result)) = task.await {
            results.push(result);
        }
    }
    results
}

/// Runs one scenario in its own world.
pub async fn run_one(scenario: &Scenario) -> ScenarioResult {
    let started = Instant::now();
    let verdict = match World::start(scenario).await {
        Ok(world) => {
            let verdict = world.run(scenario).await;
            world.server.shutdown().await;
            verdict
        }
        Err(message) => Verdict::Error { message },
    };
    ScenarioResult {
        id: scenario.id.clone(),
        path: scenario.path.clone(),
        level: scenario.level,
        title: scenario.title.clone(),
        verdict,
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    }
}

struct World {
    server: ReferenceServer,
    clock: VirtualClock,
    http: reqwest::Client,
}

impl World {
    async fn start(scenario: &Scenario) -> Result<Self, String> {
        let mut options = ReferenceOptions::embedded(scenario.clock);
        options.key_type = scenario.world.key_type;
        options.behaviour = scenario.world.behaviour.clone();
        let server = ReferenceServer::start(options)
            .await
            .map_err(|error| format!("the embedded world did not start: {error}"))?;
        for &node in &scenario.world.incapable_nodes {
            if !server.cluster().set_node_capability(node, false) {
                return Err(format!("the world has no node {node}"));
            }
        }
        server
            .cluster()
            .queue()
            .set_stalled(scenario.world.queue_stalled);
        let clock = server
            .virtual_clock()
            .cloned()
            .ok_or("the embedded world has no virtual clock")?;
        let root = reqwest::Certificate::from_pem(server.pki().cert(Role::Root).pem().as_bytes())
            .map_err(|error| format!("cannot trust the world's CA: {error}"))?;
        let http = reqwest::Client::builder()
            .tls_certs_only([root])
            .no_proxy()
            .build()
            .map_err(|error| format!("cannot build the HTTP client: {error}"))?;
        Ok(Self {
            server,
            clock,
            http,
        })
    }

    async fn run(&self, scenario: &Scenario) -> Verdict {
        let mut mismatches = Vec::new();
        for step in &scenario.steps {
            // Polls that fell due (OCSP turned on, the clock moved) run before the next step.
            self.clock.drive(self.server.cluster().settle()).await;
            match &step.action {
                Action::Advance(by) => {
                    self.clock.advance(*by);
                }
                Action::Responder { behaviour, .. } => {
                    self.server.responder().set_behaviour(behaviour.clone());
                }
                Action::InstallProxy(role) => {
                    if let Err(message) = self.install(*role).await {
                        return Verdict::Error { message };
                    }
                }
                Action::Send(send) => match self.send(send, step.line).await {
                    Ok(found) => mismatches.extend(found),
                    Err(message) => return Verdict::Error { message },
                },
            }
        }
        self.clock.drive(self.server.cluster().settle()).await;
        if mismatches.is_empty() {
            Verdict::Passed
        } else {
            Verdict::Failed { mismatches }
        }
    }

    async fn install(&self, role: Role) -> Result<(), String> {
        let pki = self.server.pki();
        let admin = self
            .server
            .users()
            .with_role(crate::reference::ManagementRole::Admin)
            .ok_or("the world has no admin")?;
        let response = self
            .http
            .put(format!("{}/v1/cluster/update_cert", self.server.url()))
            .basic_auth(&admin.username, Some(&admin.password))
            .json(&serde_json::json!({
                "name": "proxy",
                "certificate": pki.chain_pem(role),
                "key": pki.cert(role).key_pem(),
            }))
            .send()
            .await
            .map_err(|error| format!("installing the {role} certificate: {error}"))?;
        if response.status() == 200 {
            Ok(())
        } else {
            Err(format!(
                "installing the {role} certificate: HTTP {}",
                response.status()
            ))
        }
    }

    async fn send(&self, step: &SendStep, line: u64) -> Result<Vec<Mismatch>, String> {
        let request_line = format!("{} {}", step.method, step.path);
        let context = MatchContext {
            responder_url: self.server.responder().url(),
            now: self.clock.now(),
        };
        let mut request = self.http.request(
            step.method.clone(),
            format!("{}{}", self.server.url(), step.path),
        );
        match &step.who {
            Who::Role(role) => {
                let user = self.server.users().with_role(*role).ok_or("no such user")?;
                request = request.basic_auth(&user.username, Some(&user.password));
            }
            Who::Credentials { user, password } => {
                request = request.basic_auth(user, Some(password))
            }
            Who::Anonymous => {}
        }
        if let Some((body, json)) = &step.body {
            if *json {
                request = request.header("content-type", "application/json");
            }
            request = request.body(body.clone());
        }
        for (name, value) in &step.headers {
            request = request.header(name, value);
        }
        let journal_before = self.server.responder().journal().total();
        let response = self
            .clock
            .drive(request.send())
            .await
            .map_err(|error| format!("line {line}: {request_line}: no answer: {error}"))?;
        let status = response.status().as_u16();
        let bytes = response
            .bytes()
            .await
            .map_err(|error| format!("line {line}: {request_line}: body not read: {error}"))?;
        let journal_requests = self.server.responder().journal().total() - journal_before;

        let mut mismatches = Vec::new();
        let mut mismatch = |path: String, expected: String, actual: String| {
            mismatches.push(Mismatch {
                line,
                request: request_line.clone(),
                path,
                expected,
                actual,
            });
        };
        if status != step.status {
            mismatch(
                "status".to_owned(),
                step.status.to_string(),
                status.to_string(),
            );
        }
        let body: Option<Value> = serde_json::from_slice(&bytes).ok();
        if !step.fields.is_empty() || step.body_is.is_some() {
            match &body {
                None => mismatch(
                    "body".to_owned(),
                    "a JSON body".to_owned(),
                    String::from_utf8_lossy(&bytes).chars().take(200).collect(),
                ),
                Some(body) => {
                    if let Some(expected) = &step.body_is {
                        if expected != body {
                            mismatch("body".to_owned(), expected.to_string(), body.to_string());
                        }
                    }
                    for (name, matcher) in &step.fields {
                        let actual = body.get(name);
                        if let Err(expected) = matcher.check(actual, &context) {
                            let actual =
                                actual.map_or_else(|| "absent".to_owned(), Value::to_string);
                            mismatch(format!("body.{name}"), expected, actual);
                        }
                    }
                }
            }
        }
        if let Some(expected) = step.journal_requests {
            if expected != journal_requests {
                mismatch(
                    "journal.requests".to_owned(),
                    expected.to_string(),
                    journal_requests.to_string(),
                );
            }
        }
        Ok(mismatches)
    }
}
