//! The remote target: an implementation of the endpoints at a URL, with the harness's own
//! responder (on the machine's clock) that the installed proxy certificate points at.
//!
//! Before each scenario the target is put back where a scenario starts: through the provider
//! states (`POST {state-url}/reset`) when it offers them, otherwise through the public API (the
//! documented default configuration, OCSP off, which clears the cache). After the run the
//! configuration the target had is put back. A scenario
//! that needs what the target cannot give (a provider state without `--state-url`, the clock
//! moved, a user of a role nobody gave) is skipped with the reason.

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

use super::steps::{Target, run_steps};
use super::{ScenarioResult, Verdict};
use crate::error::{HttpError, RunError, SetupError, StepError};
use client::http_body::error_chain;
use clock::SystemClock;
use contract::{ConfigField, Endpoint, ManagementRole, Users};
use pki::{KeyType, PkiProfile, ResponderUrl, TestPki};
use responder::{Behaviour, Responder, ResponderConfig, ResponderHandle};
use scenario::{Action, MatchContext, Scenario, SendStep, Who};

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
}

/// A connection to a remote target, with the harness's responder running.
pub struct RemoteSession {
    options: RemoteOptions,
    http: reqwest::Client,
    responder: ResponderHandle,
    responder_url: ResponderUrl,
    pkis: Mutex<HashMap<KeyType, Arc<TestPki>>>,
    /// The writable part of the configuration the target had when the session began.
    initial_config: Value,
    /// The OCSP alerts' settings the target had when the session began, when it shows them.
    initial_alert_settings: Option<Value>,
}

impl std::fmt::Debug for RemoteSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteSession")
            .field("url", &self.options.url)
            .finish_non_exhaustive()
    }
}

impl RemoteSession {
    /// Starts the responder and checks that the target answers and accepts the admin.
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
        let answer = http
            .get(format!("{}/v1/ocsp", options.url))
            .basic_auth(&admin.username, Some(&admin.password))
            .send()
            .await
            .map_err(|source| RemoteError::Unreachable {
                url: options.url.clone(),
                source,
            })?;
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
        let config: Value = answer.json().await.map_err(RemoteError::NotJson)?;
        let initial_config = writable_config(&config);
        let initial_alert_settings = ocsp_alert_settings(&http, &options.url, &admin).await;

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
        let first_pki = generate_pki(KeyType::P256, &responder_url).map_err(RemoteError::Pki)?;
        let mut config = ResponderConfig::ephemeral(Arc::new(SystemClock));
        config.listen = addr;
        let responder = Responder::start_on(
            listener,
            Arc::clone(&first_pki),
            Behaviour::default(),
            config,
        )
        .await
        .map_err(RemoteError::Responder)?;
        Ok(Self {
            options,
            http,
            responder,
            responder_url,
            pkis: Mutex::new(HashMap::from([(KeyType::P256, first_pki)])),
            initial_config,
            initial_alert_settings,
        })
    }

    /// The responder's URL as the target reaches it.
    pub fn responder_url(&self) -> &str {
        self.responder_url.as_str()
    }

    /// Why the target cannot run `scenario`, if it cannot.
    pub fn cannot_run(&self, scenario: &Scenario) -> Option<String> {
        let world = &scenario.world;
        if self.options.state_url.is_none() {
            if let Some(node) = world.incapable_nodes.first() {
                return Some(format!(
                    "it needs node {node} without the OCSP capability, a provider state: give --state-url"
                ));
            }
            if let Some(node) = world.certificate_failing_nodes.first() {
                return Some(format!(
                    "it needs node {node} unable to write certificates, a provider state: give --state-url"
                ));
            }
            if world.queue_stalled {
                return Some(
                    "it needs a stalled task queue, a provider state: give --state-url".to_owned(),
                );
            }
        }
        let mut ocsp_turned_on = None;
        for step in &scenario.steps {
            if let (Some(line), None) = (ocsp_turned_on, &self.options.state_url) {
                if matches!(step.action, Action::Send(_) | Action::ExpectJournal(_)) {
                    return Some(format!(
                        "it reads what a background poll found (OCSP turned on at line {line}): give --state-url, so that the harness can wait for the poll"
                    ));
                }
            }
            if let Action::Send(send) = &step.action {
                if turns_ocsp_on(send) {
                    if send.journal.is_some() && self.options.state_url.is_none() {
                        return Some(format!(
                            "it counts the poll that turning OCSP on starts (line {}): give --state-url, so that the harness can wait for the poll",
                            step.line
                        ));
                    }
                    ocsp_turned_on = Some(step.line);
                }
            }
            if let (Action::Send(send), None) = (&step.action, &self.options.state_url) {
                if changes_other_certificates(send) {
                    return Some(format!(
                        "it changes the target's certificates other than the proxy certificate (line {}), which the harness cannot put back: give --state-url to a target that resets them",
                        step.line
                    ));
                }
            }
            match &step.action {
                Action::Advance(_) => {
                    return Some(format!(
                        "it moves the clock (line {}), and a remote target runs on its own clock",
                        step.line
                    ));
                }
                Action::Send(send) => {
                    if let Who::Role(role) = send.who {
                        if self.options.users.with_role(role).is_none() {
                            return Some(format!(
                                "it sends as {role} (line {}): give --role-user {role}=USER:PASSWORD",
                                step.line
                            ));
                        }
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// Runs one scenario (or skips it, with the reason).
    pub async fn run(&self, scenario: &Scenario) -> ScenarioResult {
        let started = Instant::now();
        let verdict = match self.cannot_run(scenario) {
            Some(reason) => Verdict::Skipped { reason },
            None => match self.prepare(scenario).await {
                Ok(pki) => {
                    let world = RemoteWorld {
                        session: self,
                        pki,
                        started_at: OffsetDateTime::now_utc(),
                        started,
                    };
                    run_steps(&world, scenario).await
                }
                Err(error) => Verdict::error(&RunError::Target(error)),
            },
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
                if self.initial_alert_settings.is_some() && reads_or_changes_alerts(scenario) {
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
        self.put_as_admin(Endpoint::PutConfig, body).await
    }

    async fn put_alert_settings(&self, settings: &Value) -> Result<(), HttpError> {
        self.put_as_admin(Endpoint::PutCluster, &json!({"alert_settings": settings}))
            .await
    }

    /// `endpoint` (a PUT) with `body`, as the admin; anything but 200 is refused.
    async fn put_as_admin(&self, endpoint: Endpoint, body: &Value) -> Result<(), HttpError> {
        let admin = self
            .options
            .users
            .with_role(ManagementRole::Admin)
            .ok_or(HttpError::NoAdmin)?;
        let answer = self
            .http
            .put(format!("{}{}", self.options.url, endpoint.path()))
            .basic_auth(&admin.username, Some(&admin.password))
            .json(body)
            .send()
            .await
            .map_err(|source| HttpError::NoAnswer {
                request: endpoint.to_string(),
                source,
            })?;
        if answer.status() == 200 {
            Ok(())
        } else {
            Err(HttpError::Refused {
                request: format!("{endpoint} {body}"),
                status: answer.status().as_u16(),
            })
        }
    }

    fn pki_for(&self, key_type: KeyType) -> Result<Arc<TestPki>, SetupError> {
        let mut pkis = self.pkis.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(pki) = pkis.get(&key_type) {
            return Ok(Arc::clone(pki));
        }
        let pki = generate_pki(key_type, &self.responder_url).map_err(SetupError::Pki)?;
        pkis.insert(key_type, Arc::clone(&pki));
        Ok(pki)
    }

    /// Puts back the configuration the target had when the session began (scenarios leave
    /// theirs behind); `Err` says why it could not.
    pub async fn restore(&self) -> Result<(), HttpError> {
        self.put_config(&json!({"ocsp_functionality": false}))
            .await?;
        self.put_config(&self.initial_config).await?;
        match &self.initial_alert_settings {
            Some(settings) => self.put_alert_settings(settings).await,
            None => Ok(()),
        }
    }

    /// Stops the responder.
    pub async fn shutdown(self) {
        self.responder.shutdown().await;
    }
}

/// The settings of the OCSP alerts in the target's cluster object (`GET /v1/cluster`), to put
/// back after the scenarios that change them; `None` when the target does not show them.
async fn ocsp_alert_settings(
    http: &reqwest::Client,
    url: &str,
    admin: &contract::User,
) -> Option<Value> {
    let answer = http
        .get(format!("{url}/v1/cluster"))
        .basic_auth(&admin.username, Some(&admin.password))
        .send()
        .await
        .ok()?;
    if !answer.status().is_success() {
        return None;
    }
    let cluster: Value = answer.json().await.ok()?;
    let settings = cluster.get("alert_settings")?;
    let ocsp: serde_json::Map<String, Value> = contract::ClusterAlert::ALL
        .into_iter()
        .filter_map(|alert| {
            settings
                .get(alert.name())
                .map(|value| (alert.name().to_owned(), value.clone()))
        })
        .collect();
    (!ocsp.is_empty()).then_some(Value::Object(ocsp))
}

/// A PKI on the machine's clock whose proxy certificate points at the harness's responder.
fn generate_pki(
    key_type: KeyType,
    responder_url: &ResponderUrl,
) -> Result<Arc<TestPki>, pki::PkiError> {
    let mut profile = PkiProfile::at(OffsetDateTime::now_utc());
    profile.key_type = key_type;
    profile.responder_url = responder_url.clone();
    TestPki::generate(&profile).map(Arc::new)
}

/// The configuration object's documented defaults (docs/contract.md, rule `config.fields`).
fn documented_defaults() -> Value {
    let defaults = contract::OcspConfig::default().to_json("");
    writable_config(&defaults)
}

/// Whether `scenario` sends to the cluster object or its alerts.
fn reads_or_changes_alerts(scenario: &Scenario) -> bool {
    scenario.steps.iter().any(|step| {
        matches!(&step.action, Action::Send(send) if matches!(
            Endpoint::of(send.method.as_str(), &send.path),
            Some(Endpoint::GetCluster | Endpoint::PutCluster | Endpoint::GetAlerts | Endpoint::GetAlert)
        ))
    })
}

/// Whether `send` deletes or rotates certificates, or installs one other than the proxy
/// certificate: on a real cluster, changes the harness could not undo.
fn changes_other_certificates(send: &SendStep) -> bool {
    let names_other = |body: &Value| {
        let entries = match body.get("certificates") {
            Some(Value::Array(entries)) => entries.iter().collect::<Vec<_>>(),
            _ => vec![body],
        };
        entries
            .iter()
            .any(|entry| entry.get("name").is_some_and(|name| name != "proxy"))
    };
    match Endpoint::of(send.method.as_str(), &send.path) {
        Some(Endpoint::DeleteCertificate | Endpoint::RotateCertificates) => true,
        Some(Endpoint::PutCertificates | Endpoint::UpdateCert) => {
            send.body.as_ref().is_some_and(|(body, _)| {
                serde_json::from_slice::<Value>(body).is_ok_and(|body| names_other(&body))
            })
        }
        _ => false,
    }
}

/// Whether `send` is a configuration update that turns OCSP on (a poll starts at once).
fn turns_ocsp_on(send: &SendStep) -> bool {
    Endpoint::of(send.method.as_str(), &send.path) == Some(Endpoint::PutConfig)
        && send.body.as_ref().is_some_and(|(body, _)| {
            serde_json::from_slice::<Value>(body)
                .is_ok_and(|body| body.get("ocsp_functionality") == Some(&Value::Bool(true)))
        })
}

/// The fields of a configuration that `PUT /v1/ocsp` accepts: all but the read-only
/// `responder_url`.
fn writable_config(config: &Value) -> Value {
    match config {
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .filter(|(name, _)| name.as_str() != ConfigField::ResponderUrl.name())
                .map(|(name, value)| (name.clone(), value.clone()))
                .collect(),
        ),
        _ => json!({}),
    }
}

/// One scenario against the remote target.
struct RemoteWorld<'a> {
    session: &'a RemoteSession,
    pki: Arc<TestPki>,
    started_at: OffsetDateTime,
    started: Instant,
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
        // The clock is the machine's: a time the responder signed lies between the start of
        // the scenario and now.
        let elapsed = Duration::try_from(self.started.elapsed()).unwrap_or(Duration::MAX);
        MatchContext {
            responder_url: self.session.responder_url().to_owned(),
            now: self.started_at,
            slack: elapsed,
        }
    }

    async fn settle(&self) -> Result<(), HttpError> {
        match &self.session.options.state_url {
            Some(state_url) => {
                self.session
                    .state(reqwest::Method::POST, &format!("{state_url}/settle"), None)
                    .await
            }
            // Scenarios that would race a background poll are skipped without the states.
            None => Ok(()),
        }
    }

    async fn advance(&self, _by: Duration) -> Result<(), StepError> {
        Err(StepError::ClockFixed)
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
