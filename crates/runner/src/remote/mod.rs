//! The remote target: an implementation of the endpoints at a URL, with the harness's own
//! responder (on the machine's clock, or the target's at its speed) that the installed proxy
//! certificate points at.
//!
//! Before the first change the session records what the run may change (the configuration,
//! the OCSP alerts' settings, every certificate with its key: [`snapshot`]). Before each
//! scenario the target is put back where a scenario starts: through the provider states
//! (`POST {state-url}/reset`) when it offers them, otherwise through the public API (the
//! documented default configuration, OCSP off, which clears the cache). After the run
//! everything recorded is put back and read back. A scenario that needs what the target cannot
//! give (a provider state without `--state-url`, the clock moved without `--real-time`, a user
//! of a role nobody gave, the harness's proxy certificate without
//! `--allow-certificate-change`) is skipped with the reason ([`plan`]). With `--real-time`, the
//! clock's moves are waited for, and a read that depends on a background poll is sent again
//! until it holds or a grace has passed.

pub mod plan;
pub(crate) mod snapshot;

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

use super::steps::{InstallPath, Target, run_steps};
use super::{ScenarioResult, Verdict};
use crate::error::{HttpError, RunError, SetupError, StepError};
use client::http_body::error_chain;
use clock::{Clock, ScaledClock, SystemClock};
use contract::{Endpoint, ManagementRole, Users};
use pki::{KeySource, KeyType, PkiProfile, ResponderUrl, TestPki};
use plan::Planner;
use responder::{Behaviour, Responder, ResponderConfig, ResponderHandle};
use scenario::{Action, MatchContext, Scenario};
pub use snapshot::Leftover;
use snapshot::{Certificates, TargetSnapshot, writable_config};

/// Which server certificates the harness accepts from the target.
#[derive(Debug, Clone)]
pub enum Trust {
    /// The machine's root certificates.
    System,
    /// Only these CA certificates (PEM).
    CaCert(Vec<u8>),
    /// Any certificate: for a target whose certificate cannot be checked.
    Insecure,
}

/// How to reach a remote target.
#[derive(Debug, Clone)]
pub struct RemoteOptions {
    /// The target's base URL, e.g. `https://cluster.example:9443`.
    pub url: String,
    /// Its users: at least an admin (who installs the proxy certificate and restores the
    /// configuration); scenarios sending as another role need a user of that role.
    pub users: Users,
    /// Which server certificates to accept.
    pub trust: Trust,
    /// Where the harness's responder listens.
    pub responder_listen: SocketAddr,
    /// The responder's URL as the target reaches it (default: `http://` the listen address).
    pub responder_url: Option<ResponderUrl>,
    /// The base of the target's provider states (`.../_harness`), if it offers them.
    pub state_url: Option<String>,
    /// How long one request to the target may take.
    pub request_timeout: std::time::Duration,
    /// Whether the run may change the target's certificates (it puts them back).
    pub allow_certificate_change: bool,
    /// Wait for background polls in real time (`--real-time`).
    pub real_time: Option<RealTime>,
    /// How long to retry the first connection while the target does not answer.
    pub wait_for_target: Option<std::time::Duration>,
}

/// `--real-time`: the scenarios that move the clock or wait for a background poll run by
/// really waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RealTime {
    /// The most real time the run may spend waiting; the scenarios that no longer fit are
    /// skipped.
    pub budget: std::time::Duration,
    /// How many times faster than real time the target's clock runs (1 for a real cluster;
    /// more for `serve --clock-speed`, in tests).
    pub speed: u32,
}

/// Why a remote session did not start.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    /// No answer from the target (exit code 3).
    #[error("the target {url} is unreachable: {}", error_chain(.source))]
    Unreachable {
        /// Where it was looked for.
        url: String,
        /// What happened.
        source: reqwest::Error,
    },
    /// The CA certificate file does not read as PEM.
    #[error("cannot read the CA certificate: {0}")]
    CaCertificate(#[source] reqwest::Error),
    /// The CA certificate file is empty of certificates.
    #[error("the CA certificate file holds no PEM certificate")]
    NoCaCertificate,
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    HttpClient(#[source] reqwest::Error),
    /// No admin credentials were given.
    #[error("an admin user is needed (--user)")]
    NoAdmin,
    /// The target refused the admin's credentials.
    #[error(
        "the target refused the admin user {username:?} (HTTP {status}): check --user and --password"
    )]
    AdminRefused {
        /// The user name given.
        username: String,
        /// 401 or 403.
        status: u16,
    },
    /// `GET /v1/ocsp` did not answer as the API does.
    #[error(
        "GET /v1/ocsp as the admin answered HTTP {status}, not 200: is {url} the cluster's REST API?"
    )]
    NotTheApi {
        /// The target.
        url: String,
        /// What it answered.
        status: u16,
    },
    /// `GET /v1/ocsp` answered something that is not JSON.
    #[error("GET /v1/ocsp did not answer JSON: {0}")]
    NotJson(#[source] reqwest::Error),
    /// The provider states' URL does not answer as provider states do.
    #[error("GET {state_url}/state answered HTTP {status}: does the target offer provider states?")]
    NoProviderStates {
        /// The URL given.
        state_url: String,
        /// What it answered.
        status: u16,
    },
    /// The responder's address could not be bound or read.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// The system's error.
        source: std::io::Error,
    },
    /// The responder's URL does not fit a certificate.
    #[error("the responder's address is not a URL: {0}")]
    ResponderUrl(#[source] pki::ProfileError),
    /// The test PKI could not be generated.
    #[error("cannot generate the test PKI: {0}")]
    Pki(#[source] pki::PkiError),
    /// The responder did not start.
    #[error("cannot start the responder: {0}")]
    Responder(#[source] responder::ResponderError),
    /// A faster clock was asked for, and the target does not tell its time.
    #[error(
        "the target sends no Date header (IMF-fixdate): the harness cannot follow a clock faster than real time"
    )]
    NoDate,
}

/// A connection to a remote target, with the harness's responder running.
pub struct RemoteSession {
    options: RemoteOptions,
    http: reqwest::Client,
    responder: ResponderHandle,
    responder_url: ResponderUrl,
    pkis: Mutex<HashMap<KeyType, Arc<TestPki>>>,
    /// The harness's time: the machine's, or the target's at its speed (`--real-time`).
    clock: Arc<dyn Clock>,
    /// What the target showed before the first change.
    snapshot: TargetSnapshot,
    /// The responder URL the target showed (from its own proxy certificate) before the run.
    own_responder_url: String,
    /// How the proxy certificate is installed on this target.
    install_path: InstallPath,
    /// The product version the target reports (a node's `software_version`), when it does.
    product_version: Option<String>,
    /// The real time `--time-budget` has left.
    budget_left: Mutex<Option<std::time::Duration>>,
    /// Whether a scenario may have changed a certificate: only then are they put back (a
    /// cluster that renews its own certificates meanwhile must not see them undone).
    certificates_touched: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for RemoteSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteSession")
            .field("url", &self.options.url)
            .finish_non_exhaustive()
    }
}

impl RemoteSession {
    /// Starts the responder, checks that the target answers and accepts the admin, and records
    /// what the run may change (before changing anything).
    pub async fn connect(mut options: RemoteOptions) -> Result<Self, RemoteError> {
        options.url = options.url.trim_end_matches('/').to_owned();
        if let Some(state_url) = &mut options.state_url {
            *state_url = state_url.trim_end_matches('/').to_owned();
        }
        let mut builder = client::careful_http_client().timeout(options.request_timeout);
        builder = match &options.trust {
            Trust::System => builder,
            Trust::CaCert(pem) => {
                let certificates = reqwest::Certificate::from_pem_bundle(pem)
                    .map_err(RemoteError::CaCertificate)?;
                if certificates.is_empty() {
                    return Err(RemoteError::NoCaCertificate);
                }
                builder.tls_certs_only(certificates)
            }
            Trust::Insecure => builder.tls_danger_accept_invalid_certs(true),
        };
        let http = builder.build().map_err(RemoteError::HttpClient)?;

        let admin = options
            .users
            .with_role(ManagementRole::Admin)
            .cloned()
            .ok_or(RemoteError::NoAdmin)?;
        let answer = first_answer(&http, &options, &admin).await?;
        let status = answer.status();
        if status == 401 || status == 403 {
            return Err(RemoteError::AdminRefused {
                username: admin.username,
                status: status.as_u16(),
            });
        }
        if status != 200 {
            return Err(RemoteError::NotTheApi {
                url: options.url,
                status: status.as_u16(),
            });
        }
        let target_date = answer
            .headers()
            .get(reqwest::header::DATE)
            .and_then(|value| value.to_str().ok())
            .and_then(contract::parse_imf_fixdate);
        let config: Value = answer.json().await.map_err(RemoteError::NotJson)?;
        let clock = session_clock(options.real_time, target_date)?;
        let own_responder_url = config
            .get(contract::ConfigField::ResponderUrl.name())
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let snapshot = TargetSnapshot {
            config: writable_config(&config),
            alert_settings: get_json(&http, &options.url, &admin, Endpoint::GetCluster.path())
                .await
                .as_ref()
                .and_then(snapshot::ocsp_alert_settings),
            certificates: get_json(
                &http,
                &options.url,
                &admin,
                Endpoint::GetCertificates.path(),
            )
            .await
            .as_ref()
            .and_then(Certificates::from_answer),
        };
        let product_version = get_json(&http, &options.url, &admin, "/v1/nodes")
            .await
            .as_ref()
            .and_then(software_version);

        if let Some(state_url) = &options.state_url {
            let answer = http
                .get(format!("{state_url}/state"))
                .send()
                .await
                .map_err(|source| RemoteError::Unreachable {
                    url: state_url.clone(),
                    source,
                })?;
            if !answer.status().is_success() {
                return Err(RemoteError::NoProviderStates {
                    state_url: state_url.clone(),
                    status: answer.status().as_u16(),
                });
            }
        }

        let listener = tokio::net::TcpListener::bind(options.responder_listen)
            .await
            .map_err(|source| RemoteError::Listen {
                addr: options.responder_listen,
                source,
            })?;
        let addr = listener
            .local_addr()
            .map_err(|source| RemoteError::Listen {
                addr: options.responder_listen,
                source,
            })?;
        let responder_url = match &options.responder_url {
            Some(url) => url.clone(),
            None => format!("http://{addr}/")
                .parse()
                .map_err(RemoteError::ResponderUrl)?,
        };
        let first_pki =
            generate_pki(KeyType::P256, &responder_url, clock.now()).map_err(RemoteError::Pki)?;
        let mut config = ResponderConfig::ephemeral(Arc::clone(&clock));
        config.listen = addr;
        let responder = Responder::start_on(
            listener,
            Arc::clone(&first_pki),
            Behaviour::default(),
            config,
        )
        .await
        .map_err(RemoteError::Responder)?;
        let budget_left = Mutex::new(options.real_time.map(|real_time| real_time.budget));
        Ok(Self {
            options,
            http,
            responder,
            responder_url,
            pkis: Mutex::new(HashMap::from([(KeyType::P256, first_pki)])),
            clock,
            snapshot,
            own_responder_url,
            install_path: InstallPath::default(),
            product_version,
            budget_left,
            certificates_touched: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// The responder's URL as the target reaches it.
    pub fn responder_url(&self) -> &str {
        self.responder_url.as_str()
    }

    /// The product version the target reports (a node's `software_version`), when it does.
    pub fn product_version(&self) -> Option<&str> {
        self.product_version.as_deref()
    }

    /// Lines every report of this run should carry: how certificates were installed, and why
    /// some could not be.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.install_path.is_legacy() {
            notes.push(
                "the proxy certificate was installed through PUT /v1/cluster/update_cert: the target has no PUT /v1/cluster/certificates"
                    .to_owned(),
            );
        }
        if self.options.allow_certificate_change {
            if let Some(why) = self.why_certificates_not_restorable() {
                notes.push(format!(
                    "certificates were not changed although allowed: {why}, so the run could not put them back"
                ));
            }
        }
        notes
    }

    /// Why the run cannot put the target's certificates back, if it cannot.
    fn why_certificates_not_restorable(&self) -> Option<&'static str> {
        match &self.snapshot.certificates {
            None => Some("the target does not answer GET /v1/cluster/certificates"),
            Some(certificates) => certificates.why_proxy_not_restorable(),
        }
    }

    /// Whether scenarios install the harness's proxy certificate: allowed, and the target's
    /// own can be put back.
    fn installs_proxy(&self) -> bool {
        self.options.allow_certificate_change && self.why_certificates_not_restorable().is_none()
    }

    /// Why the target cannot run `scenario`, if it cannot.
    pub fn cannot_run(&self, scenario: &Scenario) -> Option<String> {
        if let Some(reason) = Planner::new(&self.options).skip_reason(scenario) {
            return Some(reason);
        }
        if let (Some(why), Some(what)) = (
            self.why_certificates_not_restorable(),
            plan::certificate_change(scenario),
        ) {
            return Some(format!(
                "it needs the harness's proxy certificate on the target ({what}), and {why}, so the run could not put the target's back"
            ));
        }
        None
    }

    /// Takes the scenario's real-time cost from the budget; the reason to skip it when it does
    /// not fit.
    fn spend_budget(&self, scenario: &Scenario) -> Option<String> {
        let mut left = self
            .budget_left
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Planner::new(&self.options).spend(left.as_mut()?, scenario)
    }

    /// Runs one scenario (or skips it, with the reason).
    pub async fn run(&self, scenario: &Scenario) -> ScenarioResult {
        let started = Instant::now();
        let verdict = match self
            .cannot_run(scenario)
            .or_else(|| self.spend_budget(scenario))
        {
            Some(reason) => Verdict::Skipped { reason },
            None => {
                if self.installs_proxy() || plan::certificate_change(scenario).is_some() {
                    self.certificates_touched
                        .store(true, std::sync::atomic::Ordering::SeqCst);
                }
                let verdict = match self.prepare(scenario).await {
                    Ok(pki) => {
                        let world = RemoteWorld {
                            session: self,
                            pki,
                            started_at: self.clock.now(),
                            waited: Mutex::new(Duration::ZERO),
                        };
                        run_steps(&world, scenario).await
                    }
                    Err(error) => Verdict::error(&RunError::Target(error)),
                };
                // The next scenario starts from the target's own certificates, but for the
                // proxy certificate each installs.
                let changed_others = scenario.steps.iter().any(|step| {
                    matches!(&step.action, Action::Send(send) if plan::changes_other_certificates(send))
                });
                match (changed_others, self.options.state_url.is_some()) {
                    (true, false) => match self.restore_certificates().await {
                        Ok(()) => verdict,
                        Err(error) => verdict_with_error(
                            verdict,
                            format!("putting the target's certificates back after it: {error}"),
                        ),
                    },
                    _ => verdict,
                }
            }
        };
        let mut result = ScenarioResult::of(scenario, verdict, started.elapsed());
        let secrets: Vec<&str> = self
            .options
            .users
            .all()
            .iter()
            .map(|user| user.password.as_str())
            .collect();
        result.redact(&secrets);
        result
    }

    /// Puts the target back where it started, sets the provider states and the responder up.
    async fn prepare(&self, scenario: &Scenario) -> Result<Arc<TestPki>, SetupError> {
        match &self.options.state_url {
            Some(state_url) => {
                self.state(reqwest::Method::POST, &format!("{state_url}/reset"), None)
                    .await
                    .map_err(SetupError::State)?;
                for node in &scenario.world.incapable_nodes {
                    self.state(
                        reqwest::Method::PUT,
                        &format!("{state_url}/nodes/{node}"),
                        Some(json!({"ocsp": false})),
                    )
                    .await
                    .map_err(SetupError::State)?;
                }
                if scenario.world.queue_stalled {
                    self.state(
                        reqwest::Method::PUT,
                        &format!("{state_url}/queue"),
                        Some(json!({"stalled": true})),
                    )
                    .await
                    .map_err(SetupError::State)?;
                }
            }
            None => {
                // Every scenario starts from the contract's defaults (OCSP off, which also
                // clears the cached status); `restore` puts back what the target had.
                self.put_config(&documented_defaults())
                    .await
                    .map_err(SetupError::Config)?;
                // A scenario that reads or changes the alerts starts from their documented
                // defaults (off), where the target has them; the others do not care.
                if self.snapshot.alert_settings.is_some() && plan::reads_or_changes_alerts(scenario)
                {
                    let off: serde_json::Map<String, Value> = contract::ClusterAlert::ALL
                        .into_iter()
                        .map(|alert| (alert.name().to_owned(), Value::Bool(false)))
                        .collect();
                    self.put_alert_settings(&Value::Object(off))
                        .await
                        .map_err(SetupError::Config)?;
                }
            }
        }
        let pki = self.pki_for(scenario.world.key_type)?;
        self.responder
            .set_pki(Arc::clone(&pki))
            .map_err(SetupError::Responder)?;
        self.responder
            .set_behaviour(scenario.world.behaviour.clone());
        Ok(pki)
    }

    async fn state(
        &self,
        method: reqwest::Method,
        url: &str,
        body: Option<Value>,
    ) -> Result<(), HttpError> {
        let mut request = self.http.request(method.clone(), url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let answer = request.send().await.map_err(|source| HttpError::NoAnswer {
            request: format!("{method} {url}"),
            source,
        })?;
        if answer.status().is_success() {
            Ok(())
        } else {
            Err(HttpError::Refused {
                request: format!("{method} {url}"),
                status: answer.status().as_u16(),
            })
        }
    }

    async fn put_config(&self, body: &Value) -> Result<(), HttpError> {
        self.as_admin(Endpoint::PutConfig, "", Some(body)).await
    }

    async fn put_alert_settings(&self, settings: &Value) -> Result<(), HttpError> {
        self.as_admin(
            Endpoint::PutCluster,
            "",
            Some(&json!({"alert_settings": settings})),
        )
        .await
    }

    /// `endpoint` (at `path`, or its own when empty) with `body`, as the admin; anything but
    /// 200 is refused.
    async fn as_admin(
        &self,
        endpoint: Endpoint,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(), HttpError> {
        let admin = self
            .options
            .users
            .with_role(ManagementRole::Admin)
            .ok_or(HttpError::NoAdmin)?;
        let path = if path.is_empty() {
            endpoint.path()
        } else {
            path
        };
        let mut request = self
            .http
            .request(
                reqwest::Method::from_bytes(endpoint.method().as_bytes())
                    .unwrap_or(reqwest::Method::PUT),
                format!("{}{path}", self.options.url),
            )
            .basic_auth(&admin.username, Some(&admin.password));
        if let Some(body) = body {
            request = request.json(body);
        }
        let answer = request.send().await.map_err(|source| HttpError::NoAnswer {
            request: endpoint.to_string(),
            source,
        })?;
        if answer.status() == 200 {
            Ok(())
        } else {
            Err(HttpError::Refused {
                request: match body {
                    // Certificate bodies hold private keys: never in a message.
                    Some(body)
                        if !matches!(
                            endpoint,
                            Endpoint::PutCertificates | Endpoint::UpdateCert
                        ) =>
                    {
                        format!("{} {path} {body}", endpoint.method())
                    }
                    _ => format!("{} {path}", endpoint.method()),
                },
                status: answer.status().as_u16(),
            })
        }
    }

    fn pki_for(&self, key_type: KeyType) -> Result<Arc<TestPki>, SetupError> {
        let mut pkis = self.pkis.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(pki) = pkis.get(&key_type) {
            return Ok(Arc::clone(pki));
        }
        let pki = generate_pki(key_type, &self.responder_url, self.clock.now())
            .map_err(SetupError::Pki)?;
        pkis.insert(key_type, Arc::clone(&pki));
        Ok(pki)
    }

    async fn get(&self, endpoint: Endpoint) -> Option<Value> {
        let admin = self.options.users.with_role(ManagementRole::Admin)?;
        get_json(&self.http, &self.options.url, admin, endpoint.path()).await
    }

    /// Puts back every certificate the target showed before the run that differs now, and
    /// removes those it did not have.
    async fn restore_certificates(&self) -> Result<(), HttpError> {
        let Some(recorded) = &self.snapshot.certificates else {
            return Ok(());
        };
        let now = self
            .get(Endpoint::GetCertificates)
            .await
            .as_ref()
            .and_then(Certificates::from_answer)
            .unwrap_or_default();
        let (entries, added) = recorded.changes_from(&now);
        if !entries.is_empty() {
            if self.install_path.is_legacy() {
                for entry in &entries {
                    self.as_admin(Endpoint::UpdateCert, "", Some(entry)).await?;
                }
            } else {
                self.as_admin(
                    Endpoint::PutCertificates,
                    "",
                    Some(&json!({"certificates": entries})),
                )
                .await?;
            }
        }
        for name in added {
            let path = format!("/v1/cluster/certificates/{name}");
            self.as_admin(Endpoint::DeleteCertificate, &path, None)
                .await?;
        }
        Ok(())
    }

    /// Puts back everything the run may have changed (the configuration, the OCSP alerts'
    /// settings, every certificate), then reads it back: `Err` lists what differs from what
    /// the target showed before the run.
    pub async fn restore(&self) -> Result<(), NotRestored> {
        let mut pass = 1;
        loop {
            match self.restore_once().await {
                Ok(()) => return Ok(()),
                // A stopped scenario's last request may still land after the first pass: the
                // target finishes a request whose answer nobody waits for any more. What it
                // changed is put back on the next pass.
                Err(_) if pass < RESTORE_PASSES => {
                    pass += 1;
                    tokio::time::sleep(RESTORE_PAUSE).await;
                }
                Err(not_restored) => return Err(not_restored),
            }
        }
    }

    /// One pass of [`RemoteSession::restore`].
    async fn restore_once(&self) -> Result<(), NotRestored> {
        let mut errors = Vec::new();
        // Only what differs is put back: a run that changed nothing sends no change, and a
        // cluster whose OCSP was on and still is keeps its cached status.
        let config_differs = self
            .get(Endpoint::GetConfig)
            .await
            .map(|config| writable_config(&config))
            != Some(self.snapshot.config.clone());
        // Off first: a configuration with OCSP on is refused while OCSP is on with another
        // responder URL on some targets; off, then the whole, is accepted by all. The
        // certificates go back in between, so that OCSP turned on polls for the target's own.
        if config_differs {
            if let Err(error) = self.put_config(&json!({"ocsp_functionality": false})).await {
                errors.push(error.to_string());
            }
        }
        let certificates_touched = self
            .certificates_touched
            .load(std::sync::atomic::Ordering::SeqCst);
        if certificates_touched {
            if let Err(error) = self.restore_certificates().await {
                errors.push(error.to_string());
            }
        }
        if config_differs {
            if let Err(error) = self.put_config(&self.snapshot.config).await {
                errors.push(error.to_string());
            }
        }
        if let Some(settings) = &self.snapshot.alert_settings {
            let now = self
                .get(Endpoint::GetCluster)
                .await
                .and_then(|cluster| snapshot::ocsp_alert_settings(&cluster));
            if now.as_ref() != Some(settings) {
                if let Err(error) = self.put_alert_settings(settings).await {
                    errors.push(error.to_string());
                }
            }
        }
        let config = self.get(Endpoint::GetConfig).await;
        let alert_settings = match &self.snapshot.alert_settings {
            Some(_) => self
                .get(Endpoint::GetCluster)
                .await
                .map(|cluster| snapshot::ocsp_alert_settings(&cluster)),
            None => None,
        };
        let certificates = match &self.snapshot.certificates {
            Some(_) if certificates_touched => self
                .get(Endpoint::GetCertificates)
                .await
                .as_ref()
                .and_then(Certificates::from_answer),
            _ => None,
        };
        // Certificates no scenario touched are not the run's to compare.
        let recorded = TargetSnapshot {
            certificates: self
                .snapshot
                .certificates
                .clone()
                .filter(|_| certificates_touched),
            ..self.snapshot.clone()
        };
        let leftovers = snapshot::leftovers(
            &recorded,
            config.as_ref(),
            alert_settings,
            certificates.as_ref(),
        );
        if leftovers.is_empty() {
            Ok(())
        } else {
            Err(NotRestored { leftovers, errors })
        }
    }

    /// Stops the responder.
    pub async fn shutdown(self) {
        self.responder.shutdown().await;
    }
}

/// How many times the restore puts back and reads back before it says what is left.
const RESTORE_PASSES: u32 = 3;

/// The real time between two passes of the restore: long enough for a request the target was
/// still working on to end.
const RESTORE_PAUSE: std::time::Duration = std::time::Duration::from_millis(500);

/// What a run could not put back on its target.
#[derive(Debug, Clone)]
pub struct NotRestored {
    /// Each part that differs from what the target showed before the run.
    pub leftovers: Vec<Leftover>,
    /// The refusals met while putting things back.
    pub errors: Vec<String>,
}

impl NotRestored {
    /// The message for a person: what is left, why, and the commands that put it back with
    /// the bodies written under `dir`.
    pub fn describe(&self, url: &str, dir: &str) -> String {
        let mut text = snapshot::describe_leftovers(&self.leftovers, url, dir);
        for error in &self.errors {
            text.push_str(&format!("  (refused while putting it back: {error})\n"));
        }
        text
    }

    /// The request bodies that put it back, by file name (some hold private keys).
    pub fn bodies(&self) -> Vec<(String, Value)> {
        self.leftovers
            .iter()
            .filter_map(|leftover| Some((leftover.body_file.clone()?, leftover.body.clone()?)))
            .collect()
    }
}

/// `verdict`, which did not end in an error, with `message` as its error.
fn verdict_with_error(verdict: Verdict, message: String) -> Verdict {
    match verdict {
        Verdict::Error { .. } => verdict,
        _ => Verdict::Error { message },
    }
}

/// The first answer of the target (`GET /v1/ocsp` as the admin), retried until
/// `--wait-for-target` has passed while the target does not answer at all.
async fn first_answer(
    http: &reqwest::Client,
    options: &RemoteOptions,
    admin: &contract::User,
) -> Result<reqwest::Response, RemoteError> {
    // Real time: the target is a process starting beside the harness.
    let deadline = options
        .wait_for_target
        .map(|wait| tokio::time::Instant::now() + wait);
    let mut pause = std::time::Duration::from_millis(100);
    loop {
        let sent = http
            .get(format!("{}/v1/ocsp", options.url))
            .basic_auth(&admin.username, Some(&admin.password))
            .send()
            .await;
        match sent {
            Ok(answer) => return Ok(answer),
            Err(source) => {
                let now = tokio::time::Instant::now();
                match deadline {
                    Some(deadline)
                        if now < deadline && (source.is_connect() || source.is_timeout()) =>
                    {
                        tokio::time::sleep(pause.min(deadline - now)).await;
                        pause = (pause * 2).min(std::time::Duration::from_secs(2));
                    }
                    _ => {
                        return Err(RemoteError::Unreachable {
                            url: options.url.clone(),
                            source,
                        });
                    }
                }
            }
        }
    }
}

/// The harness's clock: the machine's, or, for a target that runs its clock `speed` times
/// faster (`serve --clock-speed`, tests only), one at the same speed from the target's time.
fn session_clock(
    real_time: Option<RealTime>,
    target_date: Option<OffsetDateTime>,
) -> Result<Arc<dyn Clock>, RemoteError> {
    match real_time {
        Some(RealTime { speed, .. }) if speed > 1 => {
            let anchor = target_date.ok_or(RemoteError::NoDate)?;
            // The header is truncated to the second: the middle of that second is closer.
            Ok(Arc::new(ScaledClock::new(
                speed,
                anchor + Duration::milliseconds(500),
            )))
        }
        _ => Ok(Arc::new(SystemClock)),
    }
}

/// `endpoint`'s answer as the admin, when it is 200 with JSON.
async fn get_json(
    http: &reqwest::Client,
    url: &str,
    admin: &contract::User,
    path: &str,
) -> Option<Value> {
    let answer = http
        .get(format!("{url}{path}"))
        .basic_auth(&admin.username, Some(&admin.password))
        .send()
        .await
        .ok()?;
    if answer.status() != 200 {
        return None;
    }
    answer.json().await.ok()
}

/// The software version of the first node that tells it, in `GET /v1/nodes`'s answer.
fn software_version(nodes: &Value) -> Option<String> {
    nodes
        .as_array()?
        .iter()
        .find_map(|node| node.get("software_version")?.as_str())
        .map(str::to_owned)
}

/// A PKI on the harness's clock whose proxy certificate points at the harness's responder.
fn generate_pki(
    key_type: KeyType,
    responder_url: &ResponderUrl,
    now: OffsetDateTime,
) -> Result<Arc<TestPki>, pki::PkiError> {
    let mut profile = PkiProfile::at(now);
    profile.key_type = key_type;
    profile.responder_url = responder_url.clone();
    // Keys of its own, never the shared ones (the fixed RSA test keys are public): this PKI's
    // proxy certificate is installed on a real cluster.
    TestPki::generate_with_keys(&profile, KeySource::Fresh).map(Arc::new)
}

/// The configuration object's documented defaults (docs/contract.md, rule `config.fields`).
fn documented_defaults() -> Value {
    let defaults = contract::OcspConfig::default().to_json("");
    writable_config(&defaults)
}

/// One scenario against the remote target.
struct RemoteWorld<'a> {
    session: &'a RemoteSession,
    pki: Arc<TestPki>,
    /// The harness's time when the scenario started.
    started_at: OffsetDateTime,
    /// How far the scenario's `advance` steps have moved its timeline (`--real-time`).
    waited: Mutex<Duration>,
}

impl Target for RemoteWorld<'_> {
    fn url(&self) -> &str {
        &self.session.options.url
    }

    fn http(&self) -> &reqwest::Client {
        &self.session.http
    }

    fn users(&self) -> &Users {
        &self.session.options.users
    }

    fn responder(&self) -> &ResponderHandle {
        &self.session.responder
    }

    fn pki(&self) -> Arc<TestPki> {
        Arc::clone(&self.pki)
    }

    fn match_context(&self) -> MatchContext {
        // The clock is not the harness's to set: a time the responder signed lies between the
        // start of the scenario and now.
        let elapsed = self.session.clock.now() - self.started_at;
        // The responder URL of the proxy certificate the target has: the harness's, or, where
        // it installs none, the target's own.
        let responder_url = if self.session.installs_proxy() {
            self.session.responder_url()
        } else {
            &self.session.own_responder_url
        };
        MatchContext {
            responder_url: responder_url.to_owned(),
            now: self.started_at,
            slack: elapsed.max(Duration::ZERO),
        }
    }

    fn installs_proxy(&self) -> bool {
        self.session.installs_proxy()
    }

    fn install_path(&self) -> &InstallPath {
        &self.session.install_path
    }

    fn poll_wait(&self) -> Option<&dyn Clock> {
        self.session
            .options
            .real_time
            .is_some()
            .then_some(self.session.clock.as_ref())
    }

    async fn settle(&self) -> Result<(), HttpError> {
        match &self.session.options.state_url {
            Some(state_url) => {
                self.session
                    .state(reqwest::Method::POST, &format!("{state_url}/settle"), None)
                    .await
            }
            // Without the states, a read that would race a background poll either waits for
            // it (`--real-time`) or is skipped.
            None => Ok(()),
        }
    }

    async fn advance(&self, by: Duration) -> Result<(), StepError> {
        if self.session.options.real_time.is_none() {
            return Err(StepError::ClockFixed);
        }
        // The timeline is kept from the scenario's start, so that the time its requests take
        // does not add up over the steps.
        let deadline = {
            let mut waited = self.waited.lock().unwrap_or_else(PoisonError::into_inner);
            *waited += by;
            self.started_at + *waited
        };
        self.session.clock.sleep_until(deadline).await;
        Ok(())
    }

    async fn fail_certificate_writes(&self, nodes: &[usize]) -> Result<(), SetupError> {
        // `cannot_run` skips a scenario with this state when the target has no state URL.
        let Some(state_url) = &self.session.options.state_url else {
            return Ok(());
        };
        for node in nodes {
            self.session
                .state(
                    reqwest::Method::PUT,
                    &format!("{state_url}/nodes/{node}"),
                    Some(json!({"certificates": false})),
                )
                .await
                .map_err(SetupError::State)?;
        }
        Ok(())
    }

    fn exchange(
        &self,
        request: reqwest::RequestBuilder,
    ) -> impl Future<Output = Result<reqwest::Response, reqwest::Error>> + Send {
        request.send()
    }
}
