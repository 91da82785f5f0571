//! Starting the reference server: HTTPS (or plain HTTP) on the given address, with a server
//! certificate from a fresh test PKI, an embedded fake responder that the installed proxy
//! certificate points at, the cluster and its poller, and the provider states when asked for.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum_server::tls_rustls::RustlsConfig;
use time::OffsetDateTime;
use tokio::task::JoinHandle;

use client::ClientError;

use super::certificate::InstalledCertificate;
use super::cluster::{Cluster, DEFAULT_NODES};
use super::store::CertificateStore;
use contract::Users;

use super::access::{health_routes, with_access_log};
use super::date::with_date_header;
use super::front::{FrontLimits, GuardedAcceptor, with_body_policy};
use super::journal::{RequestJournal, with_journal};
use super::routes::{AppState, app};
use super::states::{StatesState, routes as state_routes};
use crate::roles::generate_users;
use clock::{Clock, ScaledClock, SystemClock, VirtualClock};
use pki::{KeySource, KeyType, PkiProfile, ResponderUrl, Role, TestPki};
use responder::{
    Behaviour, ConnectionGuard, Responder, ResponderConfig, ResponderError, ResponderHandle,
};

/// The clock the server runs on.
#[derive(Debug, Clone)]
pub enum ServerClock {
    /// The machine's.
    System,
    /// A virtual clock the caller (and the clock state) moves.
    Virtual(VirtualClock),
    /// The machine's time when the server starts, then running this many times faster than
    /// the machine's (a [`ScaledClock`]): for trying clients that wait for real time (a
    /// cluster's background polls) without waiting as long. 1 runs at the machine's pace.
    Scaled(u32),
}

/// How to start the reference server.
#[derive(Debug, Clone)]
pub struct ReferenceOptions {
    /// Where to listen (port 0: any free port).
    pub listen: SocketAddr,
    /// HTTPS with the test PKI's server certificate; `false` for plain HTTP.
    pub tls: bool,
    /// Who may log in.
    pub users: Users,
    /// Offer the provider states under `/_harness`.
    pub state_hooks: bool,
    /// The clock.
    pub clock: ServerClock,
    /// The key type of the generated PKI.
    pub key_type: KeyType,
    /// Where the generated PKI's keys come from.
    pub keys: KeySource,
    /// How many nodes.
    pub nodes: usize,
    /// Where the embedded responder listens.
    pub responder_listen: SocketAddr,
    /// How the embedded responder behaves at first.
    pub behaviour: Behaviour,
    /// The limits of the HTTP front.
    pub front: FrontLimits,
    /// The clock of the HTTP front's own deadlines (idle connections, late bodies). Not the
    /// server's clock: a scenario moves that by hours, which must not close its connections.
    pub front_clock: Arc<dyn Clock>,
}

impl ReferenceOptions {
    /// For tests: HTTPS on an ephemeral loopback port, a virtual clock at `start`, the states,
    /// the keys this process shares among its worlds.
    pub fn embedded(start: OffsetDateTime) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            tls: true,
            users: generate_users(),
            state_hooks: true,
            clock: ServerClock::Virtual(VirtualClock::new(start)),
            key_type: KeyType::P256,
            keys: KeySource::Shared,
            nodes: DEFAULT_NODES,
            responder_listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            behaviour: Behaviour::default(),
            front: FrontLimits::DEFAULT,
            front_clock: Arc::new(SystemClock),
        }
    }
}

/// Why the server did not start.
#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    /// An address could not be bound.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The system's error.
        #[source]
        source: std::io::Error,
    },
    /// The test PKI could not be made.
    #[error("cannot generate the test PKI")]
    Pki(#[from] pki::PkiError),
    /// The embedded responder did not start.
    #[error("cannot start the embedded OCSP responder")]
    Responder(#[from] ResponderError),
    /// The TLS configuration was refused.
    #[error("cannot configure TLS")]
    Tls(#[source] std::io::Error),
    /// The OCSP client could not be built.
    #[error("cannot build the OCSP client")]
    Client(#[from] ClientError),
    /// An HTTP client for the server could not be built.
    #[error("cannot build an HTTP client for the server")]
    HttpClient(#[source] reqwest::Error),
    /// The embedded responder's URL does not fit a certificate (a bug).
    #[error("the embedded responder's URL was refused")]
    ResponderUrl(#[source] pki::ProfileError),
    /// The cluster's own self-signed certificate could not be generated.
    #[error("cannot generate the cluster's self-signed certificate: {0}")]
    DefaultCertificate(String),
}

/// A running reference server.
///
/// ```
/// use contract::ManagementRole;
/// use ocsp_harness_reference::{ReferenceOptions, ReferenceServer};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// // HTTPS on a free loopback port, a virtual clock, an embedded responder saying GOOD.
/// let start = time::macros::datetime!(2026-03-01 12:00 UTC);
/// let server = ReferenceServer::start(ReferenceOptions::embedded(start)).await?;
/// let http = server.http_client()?; // trusts the server's test CA
/// let admin = server.users().with_role(ManagementRole::Admin).ok_or("no admin")?;
/// let status: serde_json::Value = http
///     .post(format!("{}/v1/ocsp/test", server.url()))
///     .basic_auth(&admin.username, Some(&admin.password))
///     .send()
///     .await?
///     .json()
///     .await?;
/// assert_eq!(status["cert_status"], "GOOD");
/// assert_eq!(status["produced_at"], "Sun, 01 Mar 2026 12:00:00 GMT");
/// server.shutdown().await;
/// # Ok(())
/// # }
/// ```
pub struct ReferenceServer {
    url: String,
    users: Users,
    cluster: Arc<Cluster>,
    responder: ResponderHandle,
    pki: Arc<TestPki>,
    virtual_clock: Option<VirtualClock>,
    journal: Option<Arc<RequestJournal>>,
    handle: axum_server::Handle<SocketAddr>,
    guard: ConnectionGuard,
    server: Option<JoinHandle<()>>,
    poller: JoinHandle<()>,
}

impl std::fmt::Debug for ReferenceServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReferenceServer")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl ReferenceServer {
    /// Starts everything; the server runs until [`ReferenceServer::shutdown`] or drop.
    pub async fn start(options: ReferenceOptions) -> Result<Self, ReferenceError> {
        let (clock, virtual_clock): (Arc<dyn Clock>, Option<VirtualClock>) = match &options.clock {
            ServerClock::System => (Arc::new(SystemClock), None),
            ServerClock::Virtual(clock) => (Arc::new(clock.clone()), Some(clock.clone())),
            ServerClock::Scaled(speed) => (
                Arc::new(ScaledClock::new(*speed, OffsetDateTime::now_utc())),
                None,
            ),
        };
        let bind_error = |addr| move |source| ReferenceError::Bind { addr, source };

        // The responder's address goes into the proxy certificate, so it is bound first.
        let responder_listener = tokio::net::TcpListener::bind(options.responder_listen)
            .await
            .map_err(bind_error(options.responder_listen))?;
        let responder_addr = responder_listener
            .local_addr()
            .map_err(bind_error(options.responder_listen))?;
        let responder_url: ResponderUrl = format!("http://{responder_addr}/")
            .parse()
            .map_err(ReferenceError::ResponderUrl)?;
        let start = clock.now();
        let profile = PkiProfile {
            key_type: options.key_type,
            responder_url,
            proxy_serial: None,
            at: start,
        };
        let pki = Arc::new(TestPki::generate_with_keys(&profile, options.keys)?);
        let responder = Responder::start_on(
            responder_listener,
            Arc::clone(&pki),
            options.behaviour.clone(),
            ResponderConfig::ephemeral(Arc::clone(&clock)),
        )
        .await?;

        let proxy = InstalledCertificate::from_test_pki(&pki, Role::Proxy);
        let certificates =
            CertificateStore::initial(Some(proxy)).map_err(ReferenceError::DefaultCertificate)?;
        let cluster = Cluster::new(Arc::clone(&clock), options.nodes, certificates.clone())?;
        let poller = cluster.spawn_poller();

        let guard =
            ConnectionGuard::new(options.front.connections, Arc::clone(&options.front_clock));
        let users = Arc::new(options.users.clone());
        let mut router = app(AppState {
            cluster: Arc::clone(&cluster),
            users: Arc::clone(&users),
        })
        .merge(health_routes(responder.url(), guard.clone()));
        // Only the provider states read the journal: without them, nothing is recorded.
        let journal = options.state_hooks.then(|| Arc::new(RequestJournal::new()));
        if let Some(journal) = &journal {
            router = router.merge(state_routes(StatesState {
                cluster: Arc::clone(&cluster),
                virtual_clock: virtual_clock.clone(),
                initial_certificates: certificates,
                start,
                journal: Arc::clone(journal),
            }));
            router = with_journal(router, Arc::clone(journal));
        }
        let router = with_body_policy(router, options.front, Arc::clone(&options.front_clock));
        let router = with_date_header(router, Arc::clone(&clock));
        // Outermost, so that the line gives the status and time of the whole answer.
        let router = with_access_log(router, users);

        let listener =
            std::net::TcpListener::bind(options.listen).map_err(bind_error(options.listen))?;
        let addr = listener.local_addr().map_err(bind_error(options.listen))?;
        let handle = axum_server::Handle::new();
        let acceptor = GuardedAcceptor::new(guard.clone());
        // The peer's address, for the log line.
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        let server = if options.tls {
            let server = pki.cert(Role::Server);
            let config = RustlsConfig::from_pem(
                pki.chain_pem(Role::Server).into_bytes(),
                server.key_pem().into_bytes(),
            )
            .await
            .map_err(ReferenceError::Tls)?;
            // The guard's idle limit bounds the handshake; it is the one limit to document.
            let acceptor = axum_server::tls_rustls::RustlsAcceptor::new(config)
                .handshake_timeout(UNBOUNDED_HANDSHAKE)
                .acceptor(acceptor);
            let mut server = axum_server::from_tcp(listener)
                .map_err(bind_error(addr))?
                .acceptor(acceptor)
                .handle(handle.clone());
            configure_http(server.http_builder(), &options.front);
            tokio::spawn(async move {
                let _ = server.serve(service).await;
            })
        } else {
            let mut server = axum_server::from_tcp(listener)
                .map_err(bind_error(addr))?
                .acceptor(acceptor)
                .handle(handle.clone());
            configure_http(server.http_builder(), &options.front);
            tokio::spawn(async move {
                let _ = server.serve(service).await;
            })
        };
        let scheme = if options.tls { "https" } else { "http" };
        Ok(Self {
            url: format!("{scheme}://{addr}"),
            users: options.users,
            cluster,
            responder,
            pki,
            virtual_clock,
            journal,
            handle,
            guard,
            server: Some(server),
            poller,
        })
    }

    /// An HTTP client for this server: it trusts the test PKI's root (and nothing else), goes
    /// through no proxy and follows no redirect.
    pub fn http_client(&self) -> Result<reqwest::Client, ReferenceError> {
        let root = reqwest::Certificate::from_pem(self.pki.cert(Role::Root).pem().as_bytes())
            .map_err(ReferenceError::HttpClient)?;
        client::careful_http_client()
            .tls_certs_only([root])
            .build()
            .map_err(ReferenceError::HttpClient)
    }

    /// Connections open now (TLS handshakes under way included).
    pub fn open_connections(&self) -> usize {
        self.guard.open_connections()
    }

    /// The guard the connections are admitted through: how many are open, admitted so far,
    /// waiting for a place.
    pub fn connection_guard(&self) -> &ConnectionGuard {
        &self.guard
    }

    /// The base URL, e.g. `https://127.0.0.1:9443` (no trailing slash).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The users and their passwords.
    pub fn users(&self) -> &Users {
        &self.users
    }

    /// The cluster, for provider states from Rust.
    pub fn cluster(&self) -> &Arc<Cluster> {
        &self.cluster
    }

    /// The embedded responder.
    pub fn responder(&self) -> &ResponderHandle {
        &self.responder
    }

    /// The generated PKI (its root signs the server certificate: trust it to talk HTTPS).
    pub fn pki(&self) -> &Arc<TestPki> {
        &self.pki
    }

    /// The virtual clock, if the server runs on one.
    pub fn virtual_clock(&self) -> Option<&VirtualClock> {
        self.virtual_clock.as_ref()
    }

    /// The journal of the requests answered under `/v1`, kept when the provider states are
    /// offered (`GET /_harness/requests`).
    pub fn journal(&self) -> Option<&Arc<RequestJournal>> {
        self.journal.as_ref()
    }

    /// Stops accepting connections at once, lets the requests in flight finish for at most
    /// `grace` (then drops them), and stops the rest: the embedded responder serves until
    /// the last request that may need it is answered.
    pub async fn shutdown_gracefully(mut self, grace: Duration) {
        self.handle.graceful_shutdown(Some(grace));
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        self.poller.abort();
    }

    /// Stops serving and waits until the listener is closed.
    pub async fn shutdown(mut self) {
        self.handle.shutdown();
        self.poller.abort();
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }
}

impl Drop for ReferenceServer {
    fn drop(&mut self) {
        self.handle.shutdown();
        self.poller.abort();
    }
}

/// Long enough never to end a handshake before the connection guard's idle limit does.
const UNBOUNDED_HANDSHAKE: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// The HTTP layer's own limits: the request head's size, and HTTP/2's streams.
fn configure_http(
    builder: &mut hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor>,
    limits: &FrontLimits,
) {
    // hyper's smallest read buffer is 8 KiB; a head that does not fit is answered 431.
    // A client that shuts its sending side after its request still gets the answer (hyper
    // would otherwise drop the connection when it reads the end before it has answered).
    builder
        .http1()
        .max_buf_size(limits.header_bytes.max(8192))
        .header_read_timeout(None)
        .half_close(true);
    builder
        .http2()
        .max_header_list_size(u32::try_from(limits.header_bytes).unwrap_or(u32::MAX))
        .max_concurrent_streams(MAX_CONCURRENT_STREAMS);
}

/// Requests in flight at once on one HTTP/2 connection.
pub const MAX_CONCURRENT_STREAMS: u32 = 100;
