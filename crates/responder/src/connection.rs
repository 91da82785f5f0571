//! The limits every HTTP server of the harness puts on its connections: how many may be open
//! at once, and how long one may stay open with no request in flight.
//!
//! One rule covers every way a client can hold a connection without using it: a connection
//! that has had no request in flight for [`ConnectionLimits::idle`] is closed. The time counts
//! from the end of the last request (or from the accept), and bytes that arrive meanwhile do
//! not reset it, so a TLS handshake never finished, a request head sent a byte a second
//! (slowloris), an HTTP/2 connection that opens no stream and a client that never reads its
//! answer all end at the same deadline. A request in flight is bounded by its handler instead
//! (the body's deadline, the responder's timeout).
//!
//! When every place is taken, a new connection asks the connection idle the longest to close
//! and waits (up to [`ConnectionLimits::admission_wait`]) for its place: thousands of idle
//! connections cannot keep a client with a request out. Only when every connection has a
//! request in flight is a new one refused (closed).
//!
//! Time comes from a [`Clock`], so that a test moves it instead of waiting.

use std::collections::HashMap;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::task::{Context, Poll};

use clock::{Clock, Sleep};
use futures_util::task::AtomicWaker;
use time::{Duration, OffsetDateTime};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How many connections a server holds, and for how long an idle one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Connections open at once.
    pub max_connections: usize,
    /// How long a connection may stay open with no request in flight.
    pub idle: Duration,
    /// How long a new connection waits for a place when every one is taken.
    pub admission_wait: Duration,
}

impl ConnectionLimits {
    /// The limits of `serve` and of the responders unless told otherwise.
    pub const DEFAULT: Self = Self {
        max_connections: 4096,
        idle: Duration::seconds(30),
        admission_wait: Duration::seconds(1),
    };
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Admits connections within [`ConnectionLimits`]. Cheap to clone: clones share the places.
#[derive(Debug, Clone)]
pub struct ConnectionGuard {
    shared: Arc<GuardShared>,
}

#[derive(Debug)]
struct GuardShared {
    limits: ConnectionLimits,
    clock: Arc<dyn Clock>,
    places: Arc<Semaphore>,
    /// Every open connection, so that idle ones can be asked to close.
    open: Mutex<HashMap<u64, Weak<ConnectionState>>>,
    next_id: AtomicU64,
    /// New connections waiting for a place.
    waiting: AtomicUsize,
}

impl ConnectionGuard {
    /// A guard with these limits, timing idle connections on `clock`.
    pub fn new(limits: ConnectionLimits, clock: Arc<dyn Clock>) -> Self {
        Self {
            shared: Arc::new(GuardShared {
                places: Arc::new(Semaphore::new(limits.max_connections)),
                limits,
                clock,
                open: Mutex::new(HashMap::new()),
                next_id: AtomicU64::new(0),
                waiting: AtomicUsize::new(0),
            }),
        }
    }

    /// The limits.
    pub fn limits(&self) -> ConnectionLimits {
        self.shared.limits
    }

    /// Connections open now.
    pub fn open_connections(&self) -> usize {
        self.shared.limits.max_connections - self.shared.places.available_permits()
    }

    /// Connections admitted so far, closed ones included.
    pub fn admitted_connections(&self) -> u64 {
        self.shared.next_id.load(Ordering::Acquire)
    }

    /// New connections waiting for a place now.
    pub fn waiting_connections(&self) -> usize {
        self.shared.waiting.load(Ordering::Acquire)
    }

    /// A place for `stream`, or `None` when every connection has a request in flight (the
    /// caller closes it). When all places are taken, the connection idle the longest is asked
    /// to close and this waits for a place.
    pub async fn admit<S>(&self, stream: S) -> Option<(GuardedStream<S>, RequestTracker)> {
        let shared = &self.shared;
        let place = match Arc::clone(&shared.places).try_acquire_owned() {
            Ok(place) => place,
            Err(_) => {
                self.close_longest_idle();
                let _waiting = Waiting::count(&shared.waiting);
                let wait = Arc::clone(&shared.places).acquire_owned();
                clock::timeout(&*shared.clock, shared.limits.admission_wait, wait)
                    .await
                    .ok()?
                    .ok()?
            }
        };
        let id = shared.next_id.fetch_add(1, Ordering::AcqRel);
        let state = Arc::new(ConnectionState {
            in_flight: AtomicUsize::new(0),
            idle_since: Mutex::new(shared.clock.now()),
            evict: AtomicBool::new(false),
            waker: AtomicWaker::new(),
        });
        shared
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id, Arc::downgrade(&state));
        let tracker = RequestTracker {
            state: Arc::clone(&state),
            clock: Arc::clone(&shared.clock),
        };
        let stream = GuardedStream {
            inner: stream,
            state,
            guard: Arc::clone(shared),
            id,
            deadline: None,
            closing: None,
            _place: place,
        };
        Some((stream, tracker))
    }

    /// Asks the connection that has had no request in flight for the longest (and has not
    /// been asked already) to close.
    fn close_longest_idle(&self) {
        let open = self
            .shared
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let longest = open
            .values()
            .filter_map(Weak::upgrade)
            .filter(|state| {
                state.in_flight.load(Ordering::Acquire) == 0 && !state.evict.load(Ordering::Acquire)
            })
            .min_by_key(|state| state.idle_since());
        if let Some(state) = longest {
            state.evict.store(true, Ordering::Release);
            state.waker.wake();
        }
    }
}

/// One new connection waiting for a place, counted until it stops waiting (admitted, refused,
/// or dropped with its task).
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn count(waiting: &'a AtomicUsize) -> Self {
        waiting.fetch_add(1, Ordering::AcqRel);
        Self(waiting)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

#[derive(Debug)]
struct ConnectionState {
    in_flight: AtomicUsize,
    /// When the last request ended (or the connection was accepted).
    idle_since: Mutex<OffsetDateTime>,
    /// Set when the guard needs the place of this idle connection.
    evict: AtomicBool,
    /// The connection's reader or writer, woken when its deadline moves.
    waker: AtomicWaker,
}

impl ConnectionState {
    fn idle_since(&self) -> OffsetDateTime {
        *self
            .idle_since
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// Counts the requests in flight on one connection.
#[derive(Debug, Clone)]
pub struct RequestTracker {
    state: Arc<ConnectionState>,
    clock: Arc<dyn Clock>,
}

impl RequestTracker {
    /// Marks a request in flight until the returned value is dropped.
    pub fn start(&self) -> InFlight {
        self.state.in_flight.fetch_add(1, Ordering::AcqRel);
        InFlight {
            tracker: self.clone(),
        }
    }
}

/// A request in flight; dropped when its answer has been produced.
#[derive(Debug)]
pub struct InFlight {
    tracker: RequestTracker,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let state = &self.tracker.state;
        // The idle time starts now; set before the count drops so that a reader seeing zero
        // also sees the new start.
        *state
            .idle_since
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = self.tracker.clock.now();
        if state.in_flight.fetch_sub(1, Ordering::AcqRel) == 1 {
            state.waker.wake();
        }
    }
}

/// A connection's byte stream, which fails with [`io::ErrorKind::TimedOut`] once the
/// connection has been idle for too long, and holds its place until dropped.
pub struct GuardedStream<S> {
    inner: S,
    state: Arc<ConnectionState>,
    guard: Arc<GuardShared>,
    id: u64,
    /// The idle deadline being waited for, and the wait.
    deadline: Option<(OffsetDateTime, Sleep)>,
    /// Set once the connection must close: every later read or write fails at once (a wait
    /// that has completed must not be polled again).
    closing: Option<&'static str>,
    _place: OwnedSemaphorePermit,
}

impl<S> std::fmt::Debug for GuardedStream<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GuardedStream")
            .field("id", &self.id)
            .field("in_flight", &self.state.in_flight.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl<S> GuardedStream<S> {
    /// The stream inside.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Ready with an error once the connection must close; otherwise registers the task to be
    /// woken at the idle deadline, or when a request ends or the guard needs the place.
    fn poll_closing(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        if let Some(reason) = self.closing {
            return Poll::Ready(io::Error::new(io::ErrorKind::TimedOut, reason));
        }
        self.state.waker.register(cx.waker());
        if self.state.in_flight.load(Ordering::Acquire) > 0 {
            self.deadline = None;
            return Poll::Pending;
        }
        if self.state.evict.load(Ordering::Acquire) {
            return self.close("closed to make room for a new connection");
        }
        let deadline = self.state.idle_since() + self.guard.limits.idle;
        if self.deadline.as_ref().map(|(at, _)| *at) != Some(deadline) {
            self.deadline = Some((deadline, self.guard.clock.timeout_until(deadline)));
        }
        let expired = match &mut self.deadline {
            Some((_, sleep)) => sleep.as_mut().poll(cx).is_ready(),
            None => false,
        };
        if expired {
            self.close("no request within the idle limit")
        } else {
            Poll::Pending
        }
    }

    fn close(&mut self, reason: &'static str) -> Poll<io::Error> {
        self.closing = Some(reason);
        self.deadline = None;
        Poll::Ready(io::Error::new(io::ErrorKind::TimedOut, reason))
    }
}

impl<S> Drop for GuardedStream<S> {
    fn drop(&mut self) {
        self.guard
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.id);
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for GuardedStream<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if let Poll::Ready(error) = self.poll_closing(cx) {
            return Poll::Ready(Err(error));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for GuardedStream<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        // A client that never reads its answer stops the writes: the deadline ends it too.
        if let Poll::Ready(error) = self.poll_closing(cx) {
            return Poll::Ready(Err(error));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Poll::Ready(error) = self.poll_closing(cx) {
            return Poll::Ready(Err(error));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if let Poll::Ready(error) = self.poll_closing(cx) {
            return Poll::Ready(Err(error));
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clock::VirtualClock;
    use time::macros::datetime;
    use tokio::io::{AsyncReadExt, AsyncWriteExt, duplex};

    fn guard(max_connections: usize) -> (ConnectionGuard, VirtualClock) {
        let clock = VirtualClock::new(datetime!(2026-03-01 12:00 UTC));
        let limits = ConnectionLimits {
            max_connections,
            ..ConnectionLimits::DEFAULT
        };
        (ConnectionGuard::new(limits, Arc::new(clock.clone())), clock)
    }

    #[tokio::test]
    async fn an_idle_connection_closes_at_the_deadline_and_not_before() {
        let (guard, clock) = guard(4);
        let (server, mut client) = duplex(64);
        let (mut stream, _tracker) = guard.admit(server).await.expect("a place");
        let reading = tokio::spawn(async move {
            let mut byte = [0u8; 1];
            // Bytes that trickle in do not reset the idle time.
            stream.read_exact(&mut byte).await?;
            let closed = stream.read_exact(&mut byte).await;
            // Once closing, every read and write fails at once (and polls no finished wait).
            assert!(stream.read_exact(&mut byte).await.is_err());
            assert!(stream.write_all(b"late").await.is_err());
            closed
        });
        client.write_all(b"G").await.expect("writes");
        clock.advance(Duration::seconds(29));
        tokio::task::yield_now().await;
        assert!(!reading.is_finished());
        clock.advance(Duration::seconds(1));
        let error = reading.await.expect("joins").expect_err("times out");
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        assert_eq!(guard.open_connections(), 0);
    }

    #[tokio::test]
    async fn a_request_in_flight_holds_the_connection_and_its_end_restarts_the_time() {
        let (guard, clock) = guard(4);
        let (server, _client) = duplex(64);
        let (mut stream, tracker) = guard.admit(server).await.expect("a place");
        let in_flight = tracker.start();
        let reading = tokio::spawn(async move {
            let mut byte = [0u8; 1];
            stream.read_exact(&mut byte).await
        });
        clock.advance(Duration::hours(1));
        tokio::task::yield_now().await;
        assert!(!reading.is_finished());
        drop(in_flight);
        clock.advance(Duration::seconds(29));
        tokio::task::yield_now().await;
        assert!(!reading.is_finished());
        clock.advance(Duration::seconds(1));
        let error = reading.await.expect("joins").expect_err("times out");
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
    }

    /// Reads one octet from `stream` in a task of its own.
    fn reader(
        mut stream: GuardedStream<tokio::io::DuplexStream>,
    ) -> tokio::task::JoinHandle<io::Result<usize>> {
        tokio::spawn(async move {
            let mut byte = [0u8; 1];
            stream.read_exact(&mut byte).await
        })
    }

    #[tokio::test]
    async fn a_full_guard_closes_the_longest_idle_connection_for_a_new_one() {
        let (guard, clock) = guard(3);
        let (busy_end, _busy_client) = duplex(64);
        let (busy, busy_tracker) = guard.admit(busy_end).await.expect("a place");
        let _in_flight = busy_tracker.start();
        let (older_end, _older_client) = duplex(64);
        let (older, _older_tracker) = guard.admit(older_end).await.expect("a place");
        clock.advance(Duration::seconds(1));
        let (newer_end, _newer_client) = duplex(64);
        let (newer, _newer_tracker) = guard.admit(newer_end).await.expect("a place");
        let (busy, older, newer) = (reader(busy), reader(older), reader(newer));
        tokio::task::yield_now().await;
        let (new_end, _new_client) = duplex(64);
        let admitted = guard.admit(new_end).await;
        assert!(admitted.is_some());
        let error = older.await.expect("joins").expect_err("closed");
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        tokio::task::yield_now().await;
        assert!(!busy.is_finished());
        assert!(!newer.is_finished());
        assert_eq!(guard.open_connections(), 3);
    }

    #[tokio::test]
    async fn a_guard_full_of_requests_in_flight_refuses_after_the_wait() {
        let (guard, clock) = guard(1);
        let (busy_end, _busy_client) = duplex(64);
        let (_busy, busy_tracker) = guard.admit(busy_end).await.expect("a place");
        let _in_flight = busy_tracker.start();
        let (new_end, _new_client) = duplex(64);
        let waiting = tokio::spawn({
            let guard = guard.clone();
            async move { guard.admit(new_end).await.is_none() }
        });
        clock.wait_for_sleepers(1).await;
        clock.advance(Duration::seconds(1));
        assert!(waiting.await.expect("joins"));
    }
}
