//! The cluster model behind the endpoints: nodes and their capabilities, the certificates
//! (of which OCSP checks the proxy's), the OCSP configuration, the task queue, the status cache and the background
//! poller. Every wait is on the [`Clock`].

use std::sync::{Arc, Mutex, PoisonError};

use serde::Serialize;
use time::{Duration, OffsetDateTime};
use tokio::sync::Notify;

use client::{ClientError, OcspClient, Query, QueryError, Unanswered};
use clock::Clock;
use contract::{OcspConfig, Status, StatusObject};
use ocsp::{HashAlgorithm, ReportedStatus, VerifiedResponse};

use crate::alerts::{Alerts, SettingsError};
use crate::queue::{QueuedTooLong, TaskQueue};
use crate::store::CertificateStore;

mod certificates;

pub use certificates::CertificateRefused;

/// Nodes in a cluster unless told otherwise.
pub const DEFAULT_NODES: usize = 3;

/// Why a query gave no status.
#[derive(Debug, Clone, thiserror::Error)]
pub enum QueryFailure {
    /// No proxy certificate, or one without an OCSP URL.
    #[error("the proxy certificate has no OCSP responder URL")]
    NoResponderUrl,
    /// The proxy certificate was installed without its issuer, from which the CertID is built.
    #[error(
        "the proxy certificate's issuer is missing: it was installed without its chain, so no OCSP request can be built"
    )]
    NoIssuer,
    /// The task never left the queue.
    #[error("the OCSP query task stayed queued for too long")]
    QueuedTooLong,
    /// The responder answered with something unusable (or the query could not be built).
    #[error("{0}")]
    Invalid(QueryError),
    /// The responder did not answer.
    #[error("{0}")]
    Failed(Unanswered),
}

/// The outcome of the latest poll or test, as cached.
pub type Outcome = Result<StatusObject, QueryFailure>;

/// What the poller does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PollPlan {
    /// When it polls next, if polling is on.
    #[serde(with = "time::serde::rfc3339::option")]
    pub next_poll: Option<OffsetDateTime>,
    /// Recovery polls made since the staple became invalid.
    pub recovery_tries: u32,
    /// Whether the validation has failed: the last recovery try was spent without a valid
    /// staple (documented: the certificate is invalidated); a valid staple clears it.
    pub invalidated: bool,
}

impl PollPlan {
    /// Polling off.
    const OFF: PollPlan = PollPlan {
        next_poll: None,
        recovery_tries: 0,
        invalidated: false,
    };

    /// A regular poll at `at`.
    fn at(at: OffsetDateTime) -> Self {
        Self {
            next_poll: Some(at),
            recovery_tries: 0,
            invalidated: false,
        }
    }
}

/// What a node can do (provider states change it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct NodeState {
    /// Whether it supports OCSP.
    pub ocsp: bool,
    /// Whether it can write certificates.
    pub certificates: bool,
}

impl NodeState {
    const CAPABLE: NodeState = NodeState {
        ocsp: true,
        certificates: true,
    };
}

#[derive(Debug)]
struct State {
    nodes: Vec<NodeState>,
    certificates: CertificateStore,
    config: OcspConfig,
    cache: Option<Outcome>,
    plan: PollPlan,
    alerts: Alerts,
}

impl State {
    /// The responder URL of the installed proxy certificate, `""` when it has none.
    fn responder_url(&self) -> String {
        self.certificates
            .get(contract::CertificateName::Proxy)
            .and_then(|proxy| proxy.responder_url.clone())
            .unwrap_or_default()
    }

    /// Caches `outcome` (`None`: clears the cache); the alerts follow it.
    fn set_cache(&mut self, outcome: Option<Outcome>, now: OffsetDateTime) {
        self.alerts.observe(outcome.as_ref(), now);
        self.cache = outcome;
    }

    /// `nodes` capable nodes, the default configuration, nothing cached, no polling.
    fn fresh(nodes: usize, certificates: CertificateStore) -> Self {
        Self {
            nodes: vec![NodeState::CAPABLE; nodes],
            certificates,
            config: OcspConfig::default(),
            cache: None,
            plan: PollPlan::OFF,
            alerts: Alerts::default(),
        }
    }
}

/// The cluster.
#[derive(Debug)]
pub struct Cluster {
    clock: Arc<dyn Clock>,
    client: OcspClient,
    queue: TaskQueue,
    state: Mutex<State>,
    /// Wakes the poller when its plan changes.
    replan: Arc<Notify>,
    /// How many background polls have finished.
    polls: tokio::sync::watch::Sender<u64>,
}

impl Cluster {
    /// A cluster of `nodes` nodes that all support OCSP, with the default configuration and
    /// `certificates` installed.
    pub fn new(
        clock: Arc<dyn Clock>,
        nodes: usize,
        certificates: CertificateStore,
    ) -> Result<Arc<Self>, ClientError> {
        Ok(Arc::new(Self {
            client: OcspClient::new(Arc::clone(&clock))?,
            clock,
            queue: TaskQueue::default(),
            state: Mutex::new(State::fresh(nodes, certificates)),
            replan: Arc::new(Notify::new()),
            polls: tokio::sync::watch::Sender::new(0),
        }))
    }

    /// The clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The task queue.
    pub fn queue(&self) -> &TaskQueue {
        &self.queue
    }

    /// Whether every node supports OCSP.
    pub fn ocsp_capable(&self) -> bool {
        self.lock().nodes.iter().all(|node| node.ocsp)
    }

    /// Each node's state.
    pub fn nodes(&self) -> Vec<NodeState> {
        self.lock().nodes.clone()
    }

    /// Sets node `index`'s OCSP capability; `false` if there is no such node.
    pub fn set_node_capability(&self, index: usize, ocsp: bool) -> bool {
        self.set_node(index, |node| node.ocsp = ocsp)
    }

    /// Sets whether node `index` can write certificates; `false` if there is no such node.
    pub fn set_node_certificates(&self, index: usize, writable: bool) -> bool {
        self.set_node(index, |node| node.certificates = writable)
    }

    fn set_node(&self, index: usize, change: impl FnOnce(&mut NodeState)) -> bool {
        match self.lock().nodes.get_mut(index) {
            Some(node) => {
                change(node);
                true
            }
            None => false,
        }
    }

    /// The configuration.
    pub fn config(&self) -> OcspConfig {
        self.lock().config
    }

    /// The responder URL of the installed proxy certificate, `""` when it has none.
    pub fn responder_url(&self) -> String {
        self.lock().responder_url()
    }

    /// Stores a new configuration. Turning OCSP on polls at once; turning it off stops
    /// polling and clears the cache; a change of frequency applies from the next poll.
    pub fn set_config(&self, config: OcspConfig) {
        let _ = self.update_config(|_, _| Ok::<_, std::convert::Infallible>(config));
    }

    /// Changes the configuration in one step: `change` sees the configuration and the proxy
    /// certificate's responder URL as they are, and what it returns is stored as by
    /// [`Cluster::set_config`]; an error leaves the configuration as it was. Two updates at
    /// once cannot lose one another, nor see a configuration half made. The stored
    /// configuration and the URL.
    pub fn update_config<E>(
        &self,
        change: impl FnOnce(&OcspConfig, &str) -> Result<OcspConfig, E>,
    ) -> Result<(OcspConfig, String), E> {
        let mut state = self.lock();
        let url = state.responder_url();
        let config = change(&state.config, &url)?;
        let was_on = state.config.ocsp_functionality;
        state.config = config;
        match (was_on, config.ocsp_functionality) {
            (false, true) => state.plan = PollPlan::at(self.clock.now()),
            (true, false) => {
                state.plan = PollPlan::OFF;
                state.set_cache(None, self.clock.now());
            }
            _ => {}
        }
        drop(state);
        self.replan.notify_one();
        Ok((config, url))
    }

    /// The cached outcome, if any.
    pub fn cached(&self) -> Option<Outcome> {
        self.lock().cache.clone()
    }

    /// The OCSP alerts: settings and states.
    pub fn alerts(&self) -> Alerts {
        self.lock().alerts.clone()
    }

    /// Changes the alert settings, all or nothing.
    pub fn update_alert_settings(&self, update: &serde_json::Value) -> Result<(), SettingsError> {
        self.lock().alerts.update_settings(update)
    }

    /// The poller's plan.
    pub fn poll_plan(&self) -> PollPlan {
        self.lock().plan
    }

    /// How many background polls have finished.
    pub fn polls(&self) -> u64 {
        *self.polls.borrow()
    }

    /// Waits until no poll is due: none is planned at or before the clock's time. A poll that
    /// is due runs in the background; this returns once it has finished and planned the next.
    pub async fn settle(&self) {
        let mut polls = self.polls.subscribe();
        loop {
            let due = {
                let state = self.lock();
                state.config.ocsp_functionality
                    && state
                        .plan
                        .next_poll
                        .is_some_and(|next| next <= self.clock.now())
            };
            if !due {
                return;
            }
            // Fails only when the sender is gone, and `self` holds it.
            if polls.changed().await.is_err() {
                return;
            }
        }
    }

    /// Moves `clock` (the cluster's, virtual) forward by `by`, deadline by deadline, letting
    /// each poll that falls due run at its own time: three recovery polls a minute apart all
    /// happen when the clock moves three minutes, each planned from the one before.
    pub async fn advance(&self, clock: &clock::VirtualClock, by: time::Duration) {
        let target = clock.now() + by;
        loop {
            clock.drive(self.settle()).await;
            // The poll plan is asked as well as the clock: a poller that has just finished a
            // poll plans the next one before it waits for it on the clock, and a busy machine
            // can run this loop in between; the clock alone would then show no deadline and
            // the whole move would be one jump.
            let planned = {
                let state = self.lock();
                state
                    .plan
                    .next_poll
                    .filter(|_| state.config.ocsp_functionality)
            };
            let now = clock.now();
            let next = [clock.next_deadline(), planned]
                .into_iter()
                .flatten()
                .filter(|deadline| *deadline > now && *deadline <= target)
                .min();
            match next {
                Some(next) => clock.set(next),
                None => break,
            }
        }
        clock.set(target);
    }

    /// Waits until at least `count` background polls have finished.
    pub async fn wait_for_polls(&self, count: u64) {
        let mut polls = self.polls.subscribe();
        // Fails only when the sender is gone, and `self` holds it.
        let _ = polls.wait_for(|polls| *polls >= count).await;
    }

    /// Back to the start: every node capable, default configuration, empty cache, queue
    /// released, `certificates` installed.
    pub fn reset(&self, certificates: CertificateStore) {
        let mut state = self.lock();
        *state = State::fresh(state.nodes.len(), certificates);
        drop(state);
        self.queue.set_stalled(false);
        self.replan.notify_one();
    }

    /// `POST /v1/ocsp/test`: queries now, and caches the outcome when OCSP is on.
    pub async fn test(&self) -> Outcome {
        let outcome = self.query().await;
        let mut state = self.lock();
        if state.config.ocsp_functionality
            && !matches!(
                outcome,
                Err(QueryFailure::NoResponderUrl | QueryFailure::QueuedTooLong)
            )
        {
            state.set_cache(Some(outcome.clone()), self.clock.now());
        }
        outcome
    }

    /// One query of the responder for the proxy certificate, as a cluster task.
    pub async fn query(&self) -> Outcome {
        let (query, url) = {
            let state = self.lock();
            let proxy = state
                .certificates
                .get(contract::CertificateName::Proxy)
                .ok_or(QueryFailure::NoResponderUrl)?;
            let url = proxy
                .responder_url
                .clone()
                .ok_or(QueryFailure::NoResponderUrl)?;
            // Without the issuer there is no CertID to ask about (reference: test.no-issuer).
            let issuer_der = proxy.issuer_der.clone().ok_or(QueryFailure::NoIssuer)?;
            let query = Query {
                url: url.clone(),
                cert_der: proxy.leaf_der.clone(),
                issuer_der,
                hash_algorithm: HashAlgorithm::Sha1,
                nonce_len: Some(16),
                method: ocsp::HttpMethod::Post,
                timeout: Duration::seconds(i64::from(state.config.response_timeout)),
            };
            (query, url)
        };
        let result = self
            .queue
            .run(
                self.clock.as_ref(),
                "ocsp_query",
                self.client.query(&query),
                Result::is_ok,
            )
            .await
            .map_err(|QueuedTooLong| QueryFailure::QueuedTooLong)?;
        match result {
            Ok(verified) => Ok(status_object(&url, &verified)),
            Err(QueryError::Failed(reason)) => Err(QueryFailure::Failed(reason)),
            Err(error @ (QueryError::Invalid(_) | QueryError::Request(_))) => {
                Err(QueryFailure::Invalid(error))
            }
        }
    }

    /// The background poller: runs until the cluster is dropped (it holds only a weak
    /// reference).
    pub fn spawn_poller(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let weak = Arc::downgrade(self);
        let replan = Arc::clone(&self.replan);
        tokio::spawn(async move {
            loop {
                let Some(cluster) = weak.upgrade() else {
                    return;
                };
                let replanned = replan.notified();
                let next = cluster.lock().plan.next_poll;
                let wait = match next {
                    Some(deadline) => cluster.clock.background_until(deadline),
                    None => Box::pin(std::future::pending()),
                };
                // Hold no strong reference while waiting, so that dropping the cluster ends
                // the poller.
                drop(cluster);
                tokio::select! {
                    () = replanned => continue,
                    () = wait => {}
                }
                let Some(cluster) = weak.upgrade() else {
                    return;
                };
                cluster.poll_once(next).await;
            }
        })
    }

    /// Polls if the plan still says to at `due`, then plans the next poll.
    async fn poll_once(&self, due: Option<OffsetDateTime>) {
        {
            let state = self.lock();
            if state.plan.next_poll != due || !state.config.ocsp_functionality {
                return;
            }
        }
        let outcome = self.query().await;
        self.settle_poll(due, outcome);
        // Counted once the plan and the cache show the poll, for whoever waits on the count.
        self.record_poll_finished();
    }

    /// Plans the next poll after one that ended with `outcome`, and caches it.
    fn settle_poll(&self, due: Option<OffsetDateTime>, outcome: Outcome) {
        let now = self.clock.now();
        let mut state = self.lock();
        if !state.config.ocsp_functionality || state.plan.next_poll != due {
            // Turned off or replanned while the query ran: its outcome is stale.
            return;
        }
        let valid = matches!(&outcome, Ok(status) if status.is_good());
        let config = state.config;
        let tries = state.plan.recovery_tries;
        // The last recovery try spent without a valid staple invalidates the certificate
        // until a valid one comes (documented: polling.recovery-max-tries).
        let invalidated = !valid && (state.plan.invalidated || tries >= config.recovery_max_tries);
        // A valid staple, or the last recovery try spent: back to the regular frequency.
        state.plan = if !valid && tries < config.recovery_max_tries {
            PollPlan {
                next_poll: Some(now + seconds(config.recovery_frequency)),
                recovery_tries: tries + 1,
                invalidated,
            }
        } else {
            PollPlan {
                invalidated,
                ..PollPlan::at(now + seconds(config.query_frequency))
            }
        };
        if !matches!(
            outcome,
            Err(QueryFailure::NoResponderUrl | QueryFailure::QueuedTooLong)
        ) {
            state.set_cache(Some(outcome), now);
        }
    }

    fn record_poll_finished(&self) {
        self.polls.send_modify(|polls| *polls += 1);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // Every update leaves the state whole; a poisoned lock still holds a valid cluster.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn seconds(value: u32) -> Duration {
    Duration::seconds(i64::from(value))
}

/// The status object of a verified response from `responder_url`.
pub fn status_object(responder_url: &str, verified: &VerifiedResponse) -> StatusObject {
    StatusObject {
        responder_url: responder_url.to_owned(),
        status: match verified.status {
            ReportedStatus::Good => Status::Good,
            ReportedStatus::Unknown => Status::Unknown,
            ReportedStatus::Revoked {
                revocation_time, ..
            } => Status::Revoked { revocation_time },
        },
        produced_at: verified.produced_at,
        this_update: verified.this_update,
        next_update: verified.next_update,
    }
}
