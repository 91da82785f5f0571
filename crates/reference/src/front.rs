//! The reference server's HTTP front: the limits it puts on connections, request heads and
//! bodies, and what a client that passes one gets.
//!
//! - Connections: [`ConnectionLimits`] (how many, how long idle), through [`GuardedAcceptor`].
//! - Request heads: [`FrontLimits::header_bytes`]; a bigger head is answered 431 by the HTTP
//!   layer (hyper on HTTP/1.1, h2 on HTTP/2) and, on HTTP/1.1, the connection is closed.
//! - Bodies: at most [`FrontLimits::body_bytes`], all of it within [`FrontLimits::body_time`]
//!   of the request head: 413 `payload_too_large` and 408 `request_timeout` otherwise, as JSON.
//!
//! Every answer, a refusal included, is sent after the request body has been read to its end
//! (what the handler did not read is read and dropped, up to
//! [`FrontLimits::discard_bytes`]), so that a client still sending its body hears the answer
//! cleanly. Only a body longer than that, or late, is not waited for: its answer is sent at
//! once and, on HTTP/1.1, says `Connection: close`; on HTTP/2 the stream is reset with
//! `NO_ERROR` after the answer, which asks the client to stop sending without an error (RFC 9113
//! section 8.1). Some clients report that reset as an error (curl 7.88 does).

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, Version, header};
use axum::middleware::Next;
use axum::response::Response;
use axum_server::accept::Accept;
use futures_util::future::BoxFuture;
use http_body_util::BodyExt;
use hyper::body::{Frame, SizeHint};
use time::{Duration, OffsetDateTime};
use tokio::net::TcpStream;

use clock::{Clock, SystemClock};
use responder::{
    BodyError, ConnectionGuard, ConnectionLimits, GuardedStream, HeldBody, RequestTracker,
    read_limited,
};

use crate::error::ApiError;

/// The limits of the reference server's HTTP front.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrontLimits {
    /// Connections: how many, how long idle.
    pub connections: ConnectionLimits,
    /// A request head (request line or pseudo-headers, and every header) in octets.
    pub header_bytes: usize,
    /// A request body in octets.
    pub body_bytes: usize,
    /// How long after its head a request's body must have arrived in full.
    pub body_time: Duration,
    /// How much of a body that is refused (over the limit, or on a refused request) is still
    /// read and dropped before the answer goes, so that the client hears it cleanly.
    pub discard_bytes: usize,
}

impl FrontLimits {
    /// The limits of `serve` and of the embedded worlds.
    pub const DEFAULT: Self = Self {
        connections: ConnectionLimits::DEFAULT,
        header_bytes: 16 * 1024,
        body_bytes: 1024 * 1024,
        body_time: Duration::seconds(30),
        discard_bytes: 64 * 1024 * 1024,
    };
}

impl Default for FrontLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// What a handler may read of a request body: put into each request by [`with_body_policy`].
#[derive(Debug, Clone)]
pub(crate) struct BodyPolicy {
    limit: usize,
    /// Octets read and dropped, at most, of a body that is refused.
    discard: usize,
    deadline: OffsetDateTime,
    clock: Arc<dyn Clock>,
    /// Octets a handler has read so far.
    read: Arc<AtomicUsize>,
}

impl BodyPolicy {
    fn remaining_time(&self) -> Duration {
        (self.deadline - self.clock.now()).max(Duration::ZERO)
    }
}

/// Wraps `router` so that every request's body is bounded by `limits` (timed on `clock`) and
/// read to its end before the answer goes.
pub(crate) fn with_body_policy(
    router: Router,
    limits: FrontLimits,
    clock: Arc<dyn Clock>,
) -> Router {
    router.layer(axum::middleware::from_fn(move |request, next| {
        hold_body(limits, Arc::clone(&clock), request, next)
    }))
}

async fn hold_body(
    limits: FrontLimits,
    clock: Arc<dyn Clock>,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let policy = BodyPolicy {
        limit: limits.body_bytes,
        discard: limits.discard_bytes,
        deadline: clock.now() + limits.body_time,
        clock,
        read: Arc::new(AtomicUsize::new(0)),
    };
    let shared = Arc::new(Mutex::new(body));
    parts.extensions.insert(policy.clone());
    let version = parts.version;
    let body = Body::new(SharedBody {
        body: Arc::clone(&shared),
        read: Arc::clone(&policy.read),
    });
    let answer = next.run(Request::from_parts(parts, body)).await;
    let rest = std::mem::take(&mut *shared.lock().unwrap_or_else(PoisonError::into_inner));
    match drain(rest, &policy).await {
        None => answer,
        Some(unread) => hold_until_sent(answer, unread, version),
    }
}

/// Reads what is left of `body` within the policy's limits; the body, when it could not be
/// read to its end.
async fn drain(mut body: Body, policy: &BodyPolicy) -> Option<Body> {
    if body.is_end_stream() {
        return None;
    }
    if body.size_hint().lower() > policy.discard as u64 {
        return Some(body);
    }
    let mut read = policy.read.load(Ordering::Acquire);
    let to_the_end = async {
        while let Some(frame) = body.frame().await {
            let Ok(frame) = frame else {
                // The client broke off: nothing more will come.
                return true;
            };
            read += frame.data_ref().map_or(0, Bytes::len);
            if read > policy.discard {
                return false;
            }
        }
        true
    };
    match clock::timeout(&*policy.clock, policy.remaining_time(), to_the_end).await {
        Ok(true) => None,
        _ => Some(body),
    }
}

/// `answer`, keeping `unread` (a request body not read to its end) until the answer has been
/// sent, so that HTTP/2 resets the stream with `NO_ERROR` after the answer rather than
/// cancelling it before.
fn hold_until_sent(answer: Response, unread: Body, version: Version) -> Response {
    let (mut parts, body) = answer.into_parts();
    if version < Version::HTTP_2 {
        parts
            .headers
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    Response::from_parts(parts, Body::new(HeldBody::new(body, unread)))
}

/// A request body that the handler and [`hold_body`] share: what the handler leaves is
/// drained after it.
struct SharedBody {
    body: Arc<Mutex<Body>>,
    read: Arc<AtomicUsize>,
}

impl HttpBody for SharedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let mut body = self.body.lock().unwrap_or_else(PoisonError::into_inner);
        let polled = Pin::new(&mut *body).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled {
            let len = frame.data_ref().map_or(0, Bytes::len);
            self.read.fetch_add(len, Ordering::AcqRel);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.body
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .size_hint()
    }
}

/// A request body read in full within the [`FrontLimits`]: 413 `payload_too_large` when it is
/// over the size limit, 408 `request_timeout` when it comes too late, 400 `invalid_schema`
/// when the client breaks off.
#[derive(Debug)]
pub struct BodyBytes(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for BodyBytes {
    type Rejection = ApiError;

    async fn from_request(request: Request, _: &S) -> Result<Self, ApiError> {
        let policy = request
            .extensions()
            .get::<BodyPolicy>()
            .cloned()
            .unwrap_or_else(|| BodyPolicy {
                // A router without the front's layer (unit tests): the limits, on real time.
                limit: FrontLimits::DEFAULT.body_bytes,
                discard: FrontLimits::DEFAULT.discard_bytes,
                deadline: SystemClock.now() + FrontLimits::DEFAULT.body_time,
                clock: Arc::new(SystemClock),
                read: Arc::new(AtomicUsize::new(0)),
            });
        let read = read_limited(
            request.into_body(),
            policy.limit,
            &*policy.clock,
            policy.remaining_time(),
        );
        match read.await {
            Ok(bytes) => Ok(Self(bytes)),
            Err(BodyError::TooLarge) => Err(ApiError::payload_too_large(policy.limit)),
            Err(BodyError::TimedOut) => Err(ApiError::request_timeout()),
            Err(error @ BodyError::Broken) => Err(ApiError::invalid_schema(format!(
                "the body could not be read: {error}"
            ))),
        }
    }
}

/// Admits each accepted TCP connection through a [`ConnectionGuard`] (refusing it when every
/// connection has a request in flight) and counts its requests in flight. The innermost
/// acceptor: TLS runs over the guarded stream, so a handshake never finished is idle time.
#[derive(Debug, Clone)]
pub(crate) struct GuardedAcceptor {
    guard: ConnectionGuard,
}

impl GuardedAcceptor {
    pub(crate) fn new(guard: ConnectionGuard) -> Self {
        Self { guard }
    }
}

impl<S: Send + 'static> Accept<TcpStream, S> for GuardedAcceptor {
    type Stream = GuardedStream<TcpStream>;
    type Service = TrackedService<S>;
    type Future = BoxFuture<'static, io::Result<(Self::Stream, Self::Service)>>;

    fn accept(&self, stream: TcpStream, service: S) -> Self::Future {
        let guard = self.guard.clone();
        Box::pin(async move {
            // Small answers in several writes would otherwise wait for delayed ACKs (40 ms).
            let _ = stream.set_nodelay(true);
            let (stream, tracker) = guard.admit(stream).await.ok_or_else(|| {
                io::Error::other("every connection has a request in flight: refused")
            })?;
            Ok((stream, TrackedService { service, tracker }))
        })
    }
}

/// A connection's service, which marks each request in flight until its answer is made.
#[derive(Debug, Clone)]
pub(crate) struct TrackedService<S> {
    service: S,
    tracker: RequestTracker,
}

impl<S, R> tower::Service<R> for TrackedService<S>
where
    S: tower::Service<R>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<S::Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.service.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        let in_flight = self.tracker.start();
        let answer = self.service.call(request);
        Box::pin(async move {
            let answer = answer.await;
            drop(in_flight);
            answer
        })
    }
}
