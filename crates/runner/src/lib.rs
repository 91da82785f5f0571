//! Running scenarios: against the embedded reference server (each in its own world on a
//! virtual clock that starts at the scenario's instant, so that the 5-second and one-hour waits
//! take no real time, several at once), or against a remote target (one at a time, with the
//! harness's responder, skipping what the target cannot give). The runner returns data;
//! reports only read it.

mod baseline;
mod embedded;
mod error;
mod remote;
mod steps;

pub mod contract_doc;
pub mod coverage;
pub mod probe;
pub mod report;

pub use baseline::{Baseline, BaselineCheck};
pub use embedded::{KeptWorld, run_one};
pub use error::{BodyProblem, HttpError, InstallError, RunError, SetupError, StepError};
pub use remote::plan::{self, Plan, Planner};
pub use remote::{
    Leftover, NotRestored, RealTime, RemoteError, RemoteOptions, RemoteSession, Trust,
};
pub use steps::MAX_ANSWER_BODY;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use contract::Level;
use scenario::Scenario;

/// How a scenario ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    /// The target cannot give what the scenario needs (a provider state, the clock, a user of
    /// some role); not a failure.
    Skipped {
        /// What is missing, and how to give it.
        reason: String,
    },
}

impl Verdict {
    /// The verdict of a scenario the harness could not run, with the reason in words: a
    /// result is data a report reads back (`report compare`, the baseline), so the error's
    /// chain is written out here, once.
    pub fn error(error: &(dyn std::error::Error + 'static)) -> Self {
        Verdict::Error {
            message: client::http_body::error_chain(error),
        }
    }

    /// Whether the scenario counts against conformance: it failed, or could not be run.
    pub fn is_problem(&self) -> bool {
        matches!(self, Verdict::Failed { .. } | Verdict::Error { .. })
    }
}

/// One difference between an answer and the scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mismatch {
    /// The step's line in the scenario file; none for a probe's check, which has no file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// The request, e.g. `POST /v1/ocsp/test`.
    pub request: String,
    /// Where in the answer: `status`, `body.cert_status`, `journal.requests`.
    pub path: String,
    /// What the scenario expects.
    pub expected: String,
    /// What the answer holds.
    pub actual: String,
}

/// Where a result comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A scenario file.
    File(PathBuf),
    /// The responder a probe checked.
    Url(String),
}

impl Source {
    /// `file:line`, or the source alone when there is no line.
    pub fn at(&self, line: Option<u64>) -> String {
        match line {
            Some(line) => format!("{self}:{line}"),
            None => self.to_string(),
        }
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::File(path) => write!(f, "{}", path.display()),
            Source::Url(url) => f.write_str(url),
        }
    }
}

impl Serialize for Source {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Source {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // A report names a file by its path and a probed responder by its URL.
        let text = String::deserialize(deserializer)?;
        Ok(
            if text.starts_with("http://") || text.starts_with("https://") {
                Source::Url(text)
            } else {
                Source::File(PathBuf::from(text))
            },
        )
    }
}

/// One scenario's result.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScenarioResult {
    /// The scenario id.
    pub id: String,
    /// Its file, or the URL a probe checked (written `path` in a JSON report).
    #[serde(rename = "path")]
    pub source: Source,
    /// Its level.
    pub level: Level,
    /// The ids of the contract's rules it checks (none for a probe's check).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<String>,
    /// Its title.
    pub title: String,
    /// How it ended.
    #[serde(flatten)]
    pub verdict: Verdict,
    /// Wall time, in milliseconds.
    pub duration_ms: u64,
}

/// Runs `scenarios` against fresh embedded worlds, at most `jobs` at once, in id order.
///
/// ```
/// use std::path::Path;
///
/// use ocsp_harness_runner::{Verdict, run_embedded};
/// use scenario::load_str;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let scenario = load_str(
///     Path::new("mine.yaml"),
///     "id: mine::revoked
/// title: My proxy certificate, revoked, is reported REVOKED
/// description: What my client must see.
/// rules: [test.ok]
/// level: documented
/// clock: 2026-03-01T12:00:00Z
/// world: {responder: revoked}
/// steps:
///   - send: POST /v1/ocsp/test
///     as: admin
///     expect: {status: 200, body: {cert_status: REVOKED, revocation_time: {clock: -1h}}}
/// ",
/// )?;
/// let results = run_embedded(vec![scenario], 1).await;
/// assert_eq!(results[0].verdict, Verdict::Passed);
/// # Ok(())
/// # }
/// ```
pub async fn run_embedded(scenarios: Vec<Scenario>, jobs: usize) -> Vec<ScenarioResult> {
    run_embedded_until(scenarios, jobs, |_| false).await
}

/// Like [`run_embedded`], calling `after_each` with each result as it comes (for progress);
/// once it says stop, no new scenario starts (those already running finish).
pub async fn run_embedded_until(
    scenarios: Vec<Scenario>,
    jobs: usize,
    after_each: impl Fn(&ScenarioResult) -> bool + Send + Sync + 'static,
) -> Vec<ScenarioResult> {
    // The slowest worlds start first so that they do not finish alone at the end: an RSA PKI
    // takes about a second to generate, the others milliseconds. Results keep the given order.
    let mut indexed: Vec<(usize, Scenario)> = scenarios.into_iter().enumerate().collect();
    indexed.sort_by_key(|(index, scenario)| {
        (
            std::cmp::Reverse(scenario.world.key_type == pki::KeyType::Rsa2048),
            *index,
        )
    });
    let (order, scenarios): (Vec<usize>, Vec<Scenario>) = indexed.into_iter().unzip();
    let results = run_scheduled(scenarios, jobs, after_each, |scenario| async move {
        run_one(&scenario).await
    })
    .await;
    let mut by_index: Vec<(usize, Option<ScenarioResult>)> =
        order.into_iter().zip(results).collect();
    by_index.sort_by_key(|(index, _)| *index);
    by_index
        .into_iter()
        .filter_map(|(_, result)| result)
        .collect()
}

/// Runs `scenarios` one at a time against the remote target of `session`, calling
/// `after_each` as [`run_embedded_until`] does, until they are done or `interrupt` completes:
/// then the scenario under way is stopped where it is (its requests dropped), and the results
/// so far are returned, so that the caller can put the target back.
pub async fn run_remote_until(
    session: Arc<RemoteSession>,
    scenarios: Vec<Scenario>,
    after_each: impl Fn(&ScenarioResult) -> bool + Send + Sync + 'static,
    interrupt: impl Future<Output = ()>,
) -> RemoteRun {
    // A remote target is one cluster: scenarios would see each other's configuration.
    tokio::pin!(interrupt);
    let mut results = Vec::with_capacity(scenarios.len());
    for scenario in scenarios {
        // Kept to report a scenario whose task ended in a panic (a bug), not to lose it.
        let blank = ScenarioResult::of(&scenario, Verdict::Passed, std::time::Duration::ZERO);
        let session = Arc::clone(&session);
        let mut task = tokio::spawn(async move { session.run(&scenario).await });
        let result = tokio::select! {
            joined = &mut task => match joined {
                Ok(result) => result,
                Err(error) => ScenarioResult {
                    verdict: Verdict::Error {
                        message: format!("the harness failed running it (a bug): {error}"),
                    },
                    ..blank
                },
            },
            () = &mut interrupt => {
                task.abort();
                let _ = task.await;
                return RemoteRun { results, interrupted: true };
            }
        };
        let stop = after_each(&result);
        results.push(result);
        if stop {
            break;
        }
    }
    RemoteRun {
        results,
        interrupted: false,
    }
}

/// What [`run_remote_until`] ran.
#[derive(Debug, Clone)]
pub struct RemoteRun {
    /// The results of the scenarios that ended, in order.
    pub results: Vec<ScenarioResult>,
    /// Whether the run was interrupted (the scenario under way has no result).
    pub interrupted: bool,
}

async fn run_scheduled<F, Fut>(
    scenarios: Vec<Scenario>,
    jobs: usize,
    after_each: impl Fn(&ScenarioResult) -> bool + Send + Sync + 'static,
    run: F,
) -> Vec<Option<ScenarioResult>>
where
    F: Fn(Scenario) -> Fut,
    Fut: Future<Output = ScenarioResult> + Send + 'static,
{
    let semaphore = Arc::new(tokio::sync::Semaphore::new(jobs.max(1)));
    let stopped = Arc::new(AtomicBool::new(false));
    let after_each = Arc::new(after_each);
    let tasks: Vec<_> = scenarios
        .into_iter()
        .map(|scenario| {
            let (semaphore, stopped, after_each) = (
                Arc::clone(&semaphore),
                Arc::clone(&stopped),
                Arc::clone(&after_each),
            );
            // Kept to report a scenario whose task ended in a panic (a bug), not to lose it.
            let blank = ScenarioResult::of(&scenario, Verdict::Passed, std::time::Duration::ZERO);
            let future = run(scenario);
            let task = tokio::spawn(async move {
                let _permit = semaphore.acquire_owned().await;
                if stopped.load(Ordering::SeqCst) {
                    return None;
                }
                let result = future.await;
                if after_each(&result) {
                    stopped.store(true, Ordering::SeqCst);
                }
                Some(result)
            });
            (blank, task)
        })
        .collect();
    let mut results = Vec::with_capacity(tasks.len());
    for (blank, task) in tasks {
        results.push(match task.await {
            Ok(result) => result,
            Err(error) => Some(ScenarioResult {
                verdict: Verdict::Error {
                    message: format!("the harness failed running it (a bug): {error}"),
                },
                ..blank
            }),
        });
    }
    results
}

impl ScenarioResult {
    /// The result of `scenario`: `verdict`, after `took` of wall time.
    pub fn of(scenario: &Scenario, verdict: Verdict, took: std::time::Duration) -> Self {
        Self {
            id: scenario.id.clone(),
            source: Source::File(scenario.path.clone()),
            level: scenario.level,
            rules: scenario.rules.clone(),
            title: scenario.title.clone(),
            verdict,
            duration_ms: u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
        }
    }

    /// Replaces every occurrence of each secret (passwords) in the result's text.
    pub fn redact(&mut self, secrets: &[&str]) {
        let redact = |text: &mut String| {
            for secret in secrets.iter().filter(|secret| !secret.is_empty()) {
                if text.contains(secret) {
                    *text = text.replace(secret, "[redacted]");
                }
            }
        };
        match &mut self.verdict {
            Verdict::Passed => {}
            Verdict::Failed { mismatches } => {
                for mismatch in mismatches {
                    redact(&mut mismatch.expected);
                    redact(&mut mismatch.actual);
                    redact(&mut mismatch.request);
                }
            }
            Verdict::Error { message } => redact(message),
            Verdict::Skipped { reason } => redact(reason),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_reaches_every_text_of_a_result() {
        let mut result = ScenarioResult {
            id: "a::b".to_owned(),
            source: Source::File(PathBuf::from("a.yaml")),
            level: Level::Documented,
            rules: vec!["get-config.ok".to_owned()],
            title: "t".to_owned(),
            verdict: Verdict::Failed {
                mismatches: vec![Mismatch {
                    line: Some(1),
                    request: "GET /v1/ocsp".to_owned(),
                    path: "body.message".to_owned(),
                    expected: "present".to_owned(),
                    actual: "\"bad password hunter2\"".to_owned(),
                }],
            },
            duration_ms: 0,
        };
        result.redact(&["hunter2", ""]);
        let Verdict::Failed { mismatches } = &result.verdict else {
            panic!("still failed");
        };
        assert_eq!(mismatches[0].actual, "\"bad password [redacted]\"");
    }
}
