//! The fake OCSP responder's HTTP server.
//!
//! Plain hyper rather than axum: the responder answers every path, and it needs the socket of
//! each connection in hand to break it on purpose ([`super::socket`]), which a router hides.
//!
//! What a hostile client gets (each limit on the connection clock of [`ResponderConfig`]):
//!
//! | input                                        | answer                                    |
//! |----------------------------------------------|-------------------------------------------|
//! | a request head over [`MAX_REQUEST_HEAD`]     | 431 from hyper, empty body, then a close  |
//! | over 100 headers (hyper's default)           | 431 from hyper, then a close              |
//! | a bad request line or path (not UTF-8 ...)   | 400 from hyper, then a close              |
//! | a body over [`MAX_REQUEST_BODY`] (admin: [`MAX_ADMIN_BODY`]) | 413, `Connection: close`; the rest is never read |
//! | a body unfinished after [`BODY_TIMEOUT`]     | 408, `Connection: close`                  |
//! | a body cut off (bad chunks, half-closed)     | 400, `Connection: close`                  |
//! | no request in flight for the idle limit      | closed without an answer                  |
//! | every place taken                            | the longest-idle connection closed for it |
//!
//! Admin answers are JSON (`{"error": ...}`); OCSP ones plain text.

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, PoisonError, RwLock};
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::stream;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use http_body_util::{
    BodyExt, Full, LengthLimitError, Limited, StreamBody, combinators::UnsyncBoxBody,
};
use hyper::body::{Frame, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};

use super::admin::{self, Controls, MAX_ADMIN_BODY};
use super::answer::{self, OCSP_RESPONSE_TYPE, Payload};
use super::behaviour::{Behaviour, Socket};
use super::connection::{ConnectionGuard, ConnectionLimits, InFlight};
use super::journal::{Journal, RawBody, RawEntry, Undecodable};
use super::socket::{FaultyStream, SocketControl, SocketFault};
use clock::{Clock, SystemClock};
use ocsp::{BuildError, DecodedRequest, ResponseFactory};
use pki::TestPki;

/// The largest request body accepted; larger ones get 413 and the connection is closed.
pub const MAX_REQUEST_BODY: usize = 64 * 1024;

/// The largest request head (request line and headers) read. An OCSP GET's path is under
/// 300 octets and its headers a few hundred more, so 16 KiB leaves room for any real client
/// and its proxies; a larger head is answered 431 by hyper, which then closes the connection.
pub const MAX_REQUEST_HEAD: usize = 16 * 1024;

/// How long a request body may take to arrive once its head has been read, on the connection
/// clock. While a request is in flight the idle rule of [`ConnectionLimits`] does not apply,
/// so without this a body that never ends would hold its connection for ever. 30 s is the idle
/// limit again: a body of 64 KiB that takes longer is not a client we serve.
pub const BODY_TIMEOUT: time::Duration = time::Duration::seconds(30);

type ResponseBody = UnsyncBoxBody<Bytes, io::Error>;

/// Why the responder could not start.
#[derive(Debug, thiserror::Error)]
pub enum ResponderError {
    /// The address could not be bound.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
    /// The PKI could not be prepared for signing.
    #[error("cannot prepare the PKI for signing")]
    Pki(#[from] BuildError),
}

/// What the responder needs to start.
#[derive(Debug, Clone)]
pub struct ResponderConfig {
    /// Where to listen; port 0 picks a free port.
    pub listen: SocketAddr,
    /// The clock that dates responses and times delays.
    pub clock: Arc<dyn Clock>,
    /// How many journal entries to keep.
    pub journal_capacity: usize,
    /// Log every request at info level.
    pub log_requests: bool,
    /// How many connections are held, and for how long an idle one.
    pub limits: ConnectionLimits,
    /// The clock that times idle connections and request bodies. Not `clock`: a scenario moves
    /// that one by hours, which must not close the harness's own keep-alive connections in the
    /// middle of a run. Tests set a virtual clock here to test the limits without waiting.
    pub connection_clock: Arc<dyn Clock>,
}

impl ResponderConfig {
    /// Listens on an ephemeral loopback port with `clock`.
    pub fn ephemeral(clock: Arc<dyn Clock>) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            clock,
            journal_capacity: Journal::DEFAULT_CAPACITY,
            log_requests: false,
            limits: ConnectionLimits::DEFAULT,
            connection_clock: Arc::new(SystemClock),
        }
    }
}

struct Shared {
    // Swapped whole when a run moves to another PKI; a request in flight keeps the one it
    // started with.
    factory: RwLock<Arc<ResponseFactory>>,
    // The behaviour, the one it started with, and the journal: what the admin API drives.
    controls: Controls,
    clock: Arc<dyn Clock>,
    log_requests: bool,
    // Admits connections, and its clock times request bodies too.
    guard: ConnectionGuard,
    connection_clock: Arc<dyn Clock>,
}

/// The fake OCSP responder.
#[derive(Debug)]
pub struct Responder;

impl Responder {
    /// Starts answering for `pki` with `behaviour`; stops when the handle is dropped or shut
    /// down.
    pub async fn start(
        pki: Arc<TestPki>,
        behaviour: Behaviour,
        config: ResponderConfig,
    ) -> Result<ResponderHandle, ResponderError> {
        let listener =
            TcpListener::bind(config.listen)
                .await
                .map_err(|source| ResponderError::Bind {
                    addr: config.listen,
                    source,
                })?;
        Self::start_on(listener, pki, behaviour, config).await
    }

    /// Like [`Responder::start`], on a listener already bound (so that a PKI can name its
    /// address before the responder starts); `config.listen` is not used.
    pub async fn start_on(
        listener: TcpListener,
        pki: Arc<TestPki>,
        behaviour: Behaviour,
        config: ResponderConfig,
    ) -> Result<ResponderHandle, ResponderError> {
        let addr = listener
            .local_addr()
            .map_err(|source| ResponderError::Bind {
                addr: config.listen,
                source,
            })?;
        let shared = Arc::new(Shared {
            factory: RwLock::new(Arc::new(ResponseFactory::new(pki)?)),
            controls: Controls::new(behaviour, Journal::new(config.journal_capacity)),
            clock: config.clock,
            log_requests: config.log_requests,
            guard: ConnectionGuard::new(config.limits, Arc::clone(&config.connection_clock)),
            connection_clock: config.connection_clock,
        });
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(accept_loop(listener, Arc::clone(&shared), stopped));
        Ok(ResponderHandle {
            addr,
            shared,
            stop: Some(stop),
            task: Some(task),
        })
    }
}

/// A running responder.
pub struct ResponderHandle {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<Stop>>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for ResponderHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponderHandle")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl ResponderHandle {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its base URL, `http://ADDR/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Connections open now (each admitted one until it closes).
    pub fn open_connections(&self) -> usize {
        self.shared.guard.open_connections()
    }

    /// The requests received so far.
    pub fn journal(&self) -> &Journal {
        &self.shared.controls.journal
    }

    /// Changes the behaviour for requests that arrive from now on.
    pub fn set_behaviour(&self, behaviour: Behaviour) {
        self.shared.controls.set_behaviour(Arc::new(behaviour));
    }

    /// The current behaviour.
    pub fn behaviour(&self) -> Arc<Behaviour> {
        self.shared.controls.behaviour()
    }

    /// The behaviour it started with.
    pub fn initial_behaviour(&self) -> Arc<Behaviour> {
        self.shared.controls.initial()
    }

    /// Back to the behaviour it started with, with an empty journal (`POST /__admin/reset`).
    pub fn reset(&self) {
        self.shared.controls.reset();
    }

    /// The PKI it answers for.
    pub fn pki(&self) -> Arc<TestPki> {
        Arc::clone(current_factory(&self.shared).pki())
    }

    /// Answers for `pki` from now on (a remote run changes PKI between scenarios).
    pub fn set_pki(&self, pki: Arc<TestPki>) -> Result<(), ResponderError> {
        let factory = Arc::new(ResponseFactory::new(pki)?);
        *self
            .shared
            .factory
            .write()
            .unwrap_or_else(PoisonError::into_inner) = factory;
        Ok(())
    }

    /// Stops listening and drops every open connection.
    pub async fn shutdown(self) {
        self.stop_with(Stop::Now).await;
    }

    /// Stops listening at once, lets the requests in flight finish for at most `grace` (real
    /// time: this is the process going away, not a behaviour under test), closes idle
    /// keep-alive connections, then drops whatever is left.
    pub async fn shutdown_gracefully(self, grace: std::time::Duration) {
        self.stop_with(Stop::Drain(grace)).await;
    }

    async fn stop_with(mut self, how: Stop) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(how);
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for ResponderHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(Stop::Now);
        }
    }
}

/// How the accept loop ends.
#[derive(Debug, Clone, Copy)]
enum Stop {
    /// Every connection dropped at once.
    Now,
    /// Requests in flight finish, for at most this long.
    Drain(std::time::Duration),
}

fn current_factory(shared: &Shared) -> Arc<ResponseFactory> {
    Arc::clone(
        &shared
            .factory
            .read()
            .unwrap_or_else(PoisonError::into_inner),
    )
}

async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut stopped: oneshot::Receiver<Stop>,
) {
    let mut connections = JoinSet::new();
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let stop = loop {
        let accepted = tokio::select! {
            // A dropped sender without a word: the handle went away, nothing waits for a drain.
            stop = &mut stopped => break stop.unwrap_or(Stop::Now),
            accepted = listener.accept() => accepted,
            // Reap finished connections so that the set does not grow without bound.
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
        };
        let Ok((stream, peer)) = accepted else {
            // Out of file descriptors and the like: keep serving the connections we have.
            continue;
        };
        let _ = stream.set_nodelay(true);
        let shared = Arc::clone(&shared);
        let watcher = graceful.watcher();
        // Admission may wait for an idle connection to make room: in the connection's own
        // task, so that the accept loop never waits.
        connections.spawn(async move {
            let control = Arc::new(SocketControl::default());
            // The guard outside: its errors end the connection before the faults apply, and
            // the socket faults (a reset on close) still see the TcpStream itself.
            let stream = FaultyStream::new(stream, Arc::clone(&control));
            let Some((stream, tracker)) = shared.guard.admit(stream).await else {
                // Every connection has a request in flight: this one is refused (closed).
                return;
            };
            let service = service_fn(move |request| {
                // In flight from the parsed head until the answer's body has been handed over
                // (the InFlight rides in the body), so that a slow drip is not cut as idle.
                let in_flight = tracker.start();
                handle(
                    Arc::clone(&shared),
                    Arc::clone(&control),
                    peer,
                    request,
                    in_flight,
                )
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .max_buf_size(MAX_REQUEST_HEAD)
                .serve_connection(TokioIo::new(stream), service);
            let _ = watcher.watch(connection).await;
        });
    };
    drop(listener);
    if let Stop::Drain(grace) = stop {
        // Idle connections close now, busy ones after their answer; the rest at the deadline.
        let _ = tokio::time::timeout(grace, graceful.shutdown()).await;
    }
    connections.abort_all();
}

async fn handle(
    shared: Arc<Shared>,
    control: Arc<SocketControl>,
    peer: SocketAddr,
    request: Request<Incoming>,
    in_flight: InFlight,
) -> Result<Response<HeldBody<ResponseBody, InFlight>>, Infallible> {
    let response = answer_request(&shared, &control, peer, request).await;
    // The request stays in flight until hyper drops the answer's body: when it has all been
    // written, or the connection has gone.
    Ok(response.map(|body| HeldBody::new(body, in_flight)))
}

/// A body that keeps `T` alive until the body is dropped (after it has been sent, or its
/// connection has gone). Its frames, end and size are the inner body's, so that hyper still
/// writes a Content-Length rather than chunks.
#[derive(Debug)]
pub struct HeldBody<B, T> {
    body: B,
    _held: T,
}

impl<B, T> HeldBody<B, T> {
    /// `body`, keeping `held` until it is dropped.
    pub fn new(body: B, held: T) -> Self {
        Self { body, _held: held }
    }
}

impl<B: hyper::body::Body + Unpin, T: Unpin> hyper::body::Body for HeldBody<B, T> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<B::Data>, B::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.body.size_hint()
    }
}

async fn answer_request(
    shared: &Shared,
    control: &SocketControl,
    peer: SocketAddr,
    request: Request<Incoming>,
) -> Response<ResponseBody> {
    if admin::is_admin(request.uri().path()) {
        return handle_admin(shared, request).await;
    }
    // Real time, not the responder's clock: the log line says how long the process took.
    let started = std::time::Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let (response, decoded) = respond(shared, control, request).await;
    if shared.log_requests {
        log_request(&method, &path, peer, &response, started, decoded.as_ref());
    }
    response
}

/// The answer, and the request as decoded when it came that far (for the log line).
async fn respond(
    shared: &Shared,
    control: &SocketControl,
    request: Request<Incoming>,
) -> (
    Response<ResponseBody>,
    Option<Result<DecodedRequest, Undecodable>>,
) {
    let (parts, body) = request.into_parts();
    let method = parts.method;
    let path = parts.uri.path().to_owned();
    let time = shared.clock.now();

    let body = match method {
        Method::POST => match read_body(body, MAX_REQUEST_BODY, &*shared.connection_clock).await {
            Ok(body) => RawBody::Read(body),
            Err(BodyError::TooLarge) => RawBody::TooLarge {
                limit: MAX_REQUEST_BODY,
            },
            Err(error) => RawBody::Unfinished(error),
        },
        Method::GET => RawBody::Read(Bytes::new()),
        _ => {
            let mut response = plain(StatusCode::METHOD_NOT_ALLOWED, "use GET or POST\n");
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("GET, POST"));
            return (response, None);
        }
    };
    let entry = RawEntry {
        time,
        method,
        path,
        headers: parts.headers,
        body,
    };
    let refused = match &entry.body {
        RawBody::Read(_) => None,
        RawBody::TooLarge { .. } => Some(BodyError::TooLarge),
        RawBody::Unfinished(error) => Some(*error),
    };
    let decoded = entry.decode();
    shared.controls.journal.record(entry);
    if let Some(error) = refused {
        let mut response = plain(error.status(), error.text());
        // The rest of the body is unread, or never came: the connection cannot carry another
        // request, and saying so spares the client a write into a closing socket.
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        return (response, Some(decoded));
    }

    let behaviour = shared.controls.behaviour();
    let response = match &decoded {
        Err(_) => ocsp_response(answer::malformed_request(), None),
        Ok(decoded) => answer(shared, control, &behaviour, decoded).await,
    };
    (response, Some(decoded))
}

/// The target of the request lines, the reference server's too (`ocsp_harness::access`):
/// `RUST_LOG=ocsp_harness::access=off` silences both.
pub const ACCESS_TARGET: &str = "ocsp_harness::access";

/// One line per request for the standalone responder: the reference server's fields
/// (`method`, `path`, `status`, `duration_ms` until the head of the answer, `remote`; `user` is
/// always `-`, nobody logs in here), then what the request asked.
fn log_request(
    method: &Method,
    path: &str,
    peer: SocketAddr,
    response: &Response<ResponseBody>,
    started: std::time::Instant,
    decoded: Option<&Result<DecodedRequest, Undecodable>>,
) {
    // Milliseconds to the microsecond: a number in JSON, short in text.
    let duration_ms = (started.elapsed().as_secs_f64() * 1_000_000.0).round() / 1000.0;
    let status = response.status().as_u16();
    let path = truncate(path, 80);
    match decoded {
        Some(Ok(decoded)) => {
            let summary = decoded.summary();
            let cert_ids: Vec<String> = summary
                .cert_ids
                .iter()
                .map(|id| format!("{}:{}", id.hash_algorithm, id.serial))
                .collect();
            tracing::info!(
                target: ACCESS_TARGET,
                %method, %path, status, duration_ms, remote = %peer, user = %"-",
                cert_ids = %cert_ids.join(","),
                nonce_len = summary.nonce_len.unwrap_or(0),
                "request"
            );
        }
        Some(Err(error)) => {
            tracing::info!(
                target: ACCESS_TARGET,
                %method, %path, status, duration_ms, remote = %peer, user = %"-",
                %error,
                "request"
            );
        }
        None => {
            tracing::info!(
                target: ACCESS_TARGET,
                %method, %path, status, duration_ms, remote = %peer, user = %"-",
                "request"
            );
        }
    }
}

fn truncate(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

/// An admin request, never journalled: its body read up to [`MAX_ADMIN_BODY`] within
/// [`BODY_TIMEOUT`], then answered as JSON.
async fn handle_admin(shared: &Shared, request: Request<Incoming>) -> Response<ResponseBody> {
    let (parts, body) = request.into_parts();
    let body = read_body(body, MAX_ADMIN_BODY, &*shared.connection_clock).await;
    let mut response = admin::respond(
        &shared.controls,
        &parts.method,
        parts.uri.path(),
        parts.uri.query(),
        body.as_deref().map_err(|error| *error),
    );
    if body.is_err() {
        // As for an OCSP request: what is left of the body makes the connection unusable.
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response.map(|bytes| {
        Full::new(bytes)
            .map_err(|never| match never {})
            .boxed_unsync()
    })
}

/// Why a request body was not read whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// Over the limit (by its Content-Length or by what arrived); the rest is left unread.
    #[error("the body is over the limit")]
    TooLarge,
    /// Still incomplete after [`BODY_TIMEOUT`] (or the deadline given to [`read_limited`]).
    #[error("the body did not arrive within {} s", BODY_TIMEOUT.whole_seconds())]
    TimedOut,
    /// The connection ended, or the chunked encoding was broken, before the body's end.
    #[error("the body ended before its end (a closed connection or a bad chunked encoding)")]
    Broken,
}

impl BodyError {
    fn status(self) -> StatusCode {
        match self {
            BodyError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            BodyError::TimedOut => StatusCode::REQUEST_TIMEOUT,
            BodyError::Broken => StatusCode::BAD_REQUEST,
        }
    }

    fn text(self) -> &'static str {
        match self {
            BodyError::TooLarge => "request body too large\n",
            BodyError::TimedOut => "request body not received in time\n",
            BodyError::Broken => "request body incomplete\n",
        }
    }
}

async fn read_body(body: Incoming, limit: usize, clock: &dyn Clock) -> Result<Bytes, BodyError> {
    read_limited(body, limit, clock, BODY_TIMEOUT).await
}

/// `body` read whole: at most `limit` octets (by its announced size or by what arrives), all of
/// them within `within` on `clock`.
pub async fn read_limited<B>(
    body: B,
    limit: usize,
    clock: &dyn Clock,
    within: time::Duration,
) -> Result<Bytes, BodyError>
where
    B: hyper::body::Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    if body.size_hint().lower() > limit as u64 {
        return Err(BodyError::TooLarge);
    }
    let collect = Limited::new(body, limit).collect();
    match clock::timeout(clock, within, collect).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(error)) if error.is::<LengthLimitError>() => Err(BodyError::TooLarge),
        Ok(Err(_)) => Err(BodyError::Broken),
        Err(_) => Err(BodyError::TimedOut),
    }
}

async fn answer(
    shared: &Shared,
    control: &SocketControl,
    behaviour: &Behaviour,
    request: &DecodedRequest,
) -> Response<ResponseBody> {
    let delivery = &behaviour.delivery;
    if let Some(delay) = delivery.delay {
        shared.clock.sleep(delay).await;
    }
    let now = shared.clock.now();
    let der = answer::sign(&current_factory(shared), behaviour, request, now);
    let status = answer::status(delivery);
    let etag = answer::etag(behaviour, &der);
    let (bytes, payload_type) = match answer::payload(der, delivery.body) {
        Payload::Bytes {
            bytes,
            content_type,
        } => (bytes, content_type),
        Payload::Endless => {
            let zeros = Bytes::from(vec![0u8; 16 * 1024]);
            let endless = stream::repeat_with(move || Ok(Frame::data(zeros.clone())));
            return with_headers(
                status,
                delivery,
                OCSP_RESPONSE_TYPE,
                None,
                StreamBody::new(endless).boxed_unsync(),
            );
        }
    };
    let length = bytes.len();
    let body = match delivery.socket {
        Socket::Normal => Full::new(Bytes::from(bytes))
            .map_err(|never| match never {})
            .boxed_unsync(),
        Socket::CloseWithoutAnswer => {
            control.set(SocketFault::CloseWithoutAnswer);
            Full::new(Bytes::new())
                .map_err(|never| match never {})
                .boxed_unsync()
        }
        Socket::ResetMidBody | Socket::CloseMidBody => {
            if delivery.socket == Socket::ResetMidBody {
                control.set(SocketFault::ResetOnClose);
            }
            // Half the body under a Content-Length for all of it; failing the stream makes
            // hyper drop the connection.
            let half = Bytes::from(bytes).slice(..length / 2);
            let frames = stream::iter([
                Ok(Frame::data(half)),
                Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "fault: the connection ends mid-body",
                )),
            ]);
            StreamBody::new(frames).boxed_unsync()
        }
        Socket::SlowDrip { chunk, interval } => {
            let clock = Arc::clone(&shared.clock);
            let chunks: Vec<Bytes> = Bytes::from(bytes)
                .chunks(chunk.max(1))
                .map(Bytes::copy_from_slice)
                .collect();
            let drip = stream::unfold(
                (chunks.into_iter(), clock, true),
                move |(mut rest, clock, first)| async move {
                    let next = rest.next()?;
                    if !first {
                        clock.sleep(interval).await;
                    }
                    Some((Ok(Frame::data(next)), (rest, clock, false)))
                },
            );
            StreamBody::new(drip).boxed_unsync()
        }
    };
    let mut response = with_headers(status, delivery, payload_type, Some(length), body);
    answer::caching_headers(response.headers_mut(), behaviour, etag, shared.clock.now());
    response
}

fn with_headers(
    status: StatusCode,
    delivery: &super::behaviour::Delivery,
    payload_type: &'static str,
    length: Option<usize>,
    body: ResponseBody,
) -> Response<ResponseBody> {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    answer::delivery_headers(headers, delivery, payload_type);
    if let Some(length) = length {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    }
    response
}

fn ocsp_response(der: Vec<u8>, status: Option<StatusCode>) -> Response<ResponseBody> {
    let mut response = Response::new(
        Full::new(Bytes::from(der))
            .map_err(|never| match never {})
            .boxed_unsync(),
    );
    *response.status_mut() = status.unwrap_or(StatusCode::OK);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(OCSP_RESPONSE_TYPE),
    );
    response
}

fn plain(status: StatusCode, text: &'static str) -> Response<ResponseBody> {
    let mut response = Response::new(
        Full::new(Bytes::from_static(text.as_bytes()))
            .map_err(|never| match never {})
            .boxed_unsync(),
    );
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
