//! The only door to time in the harness.
//!
//! Every component asks a [`Clock`] for the time, and waits on it, instead of asking the system,
//! so that a scenario can run on a [`VirtualClock`] that it sets and moves: certificate
//! validity, OCSP `thisUpdate` and `nextUpdate`, responder delays, queue limits and polling
//! intervals then give the same answer on every run, and an hour passes in a microsecond. A
//! [`ScaledClock`] runs real time faster, for a server whose clients wait for real time.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use time::{Duration, OffsetDateTime};
use tokio::sync::watch;

/// A future returned by [`Clock::sleep_until`].
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// A source of the current time, in UTC, and of waiting for a later one.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current instant.
    fn now(&self) -> OffsetDateTime;

    /// Completes once [`Clock::now`] has reached `deadline` (at once if it already has).
    fn sleep_until(&self, deadline: OffsetDateTime) -> Sleep;

    /// Completes once `duration` has passed on this clock.
    fn sleep(&self, duration: Duration) -> Sleep {
        self.sleep_until(self.now() + duration)
    }

    /// Like [`Clock::sleep_until`], for a deadline that races I/O (a timeout): a virtual
    /// clock's [driver](VirtualClock::drive) never moves time for it alone.
    fn timeout_until(&self, deadline: OffsetDateTime) -> Sleep {
        self.sleep_until(deadline)
    }

    /// Like [`Clock::sleep_until`], for a background task's schedule (the poller's next
    /// poll): a virtual clock's driver never moves time for it, as no request waits on it.
    fn background_until(&self, deadline: OffsetDateTime) -> Sleep {
        self.sleep_until(deadline)
    }
}

/// The error of [`timeout`]: the deadline passed first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("timed out after {0}")]
pub struct Elapsed(pub Duration);

/// Runs `future` until it completes or `limit` passes on `clock`, whichever comes first. When
/// both are ready at once, the future's result wins.
pub async fn timeout<T>(
    clock: &dyn Clock,
    limit: Duration,
    future: impl Future<Output = T>,
) -> Result<T, Elapsed> {
    let sleep = clock.timeout_until(clock.now() + limit);
    tokio::select! {
        biased;
        value = future => Ok(value),
        () = sleep => Err(Elapsed(limit)),
    }
}

/// The machine's own clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }

    fn sleep_until(&self, deadline: OffsetDateTime) -> Sleep {
        let wait = deadline - OffsetDateTime::now_utc();
        let wait = std::time::Duration::try_from(wait).unwrap_or_default();
        Box::pin(tokio::time::sleep(wait))
    }
}

/// A clock that runs `speed` times faster than the machine's, from `anchor` at the moment it
/// was made: for trying, against a server, what waits for real time (a cluster's background
/// polls) without waiting for it. An hour passes in `3600 / speed` seconds.
///
/// It measures the real time with [`tokio::time::Instant`], so that tokio's paused time moves
/// it in tests.
#[derive(Debug, Clone, Copy)]
pub struct ScaledClock {
    speed: u32,
    anchor: OffsetDateTime,
    started: tokio::time::Instant,
}

impl ScaledClock {
    /// A clock that reads `anchor` now and runs `speed` times as fast as the machine's from
    /// here on. A speed of 0 would stop time for good, which no caller means: it is taken as 1.
    pub fn new(speed: u32, anchor: OffsetDateTime) -> Self {
        Self {
            speed: speed.max(1),
            anchor,
            started: tokio::time::Instant::now(),
        }
    }

    /// How many times faster than the machine's clock this one runs.
    pub fn speed(&self) -> u32 {
        self.speed
    }

    /// The real instant at which this clock reads `deadline`, rounded up so that the clock
    /// has reached the deadline when it comes; `None` when it lies beyond what an instant
    /// can hold (it never comes).
    fn real_instant(&self, deadline: OffsetDateTime) -> Option<tokio::time::Instant> {
        let ahead = deadline - self.anchor;
        if ahead <= Duration::ZERO {
            return Some(self.started);
        }
        let nanos = u128::try_from(ahead.whole_nanoseconds()).ok()?;
        let real = nanos.div_ceil(u128::from(self.speed));
        let real = std::time::Duration::from_nanos(u64::try_from(real).ok()?);
        self.started.checked_add(real)
    }
}

impl Clock for ScaledClock {
    fn now(&self) -> OffsetDateTime {
        let elapsed = self.started.elapsed();
        // Saturates rather than overflows: a clock centuries ahead has stopped being useful
        // long before that.
        let scaled = elapsed.saturating_mul(self.speed);
        let scaled = Duration::try_from(scaled).unwrap_or(Duration::MAX);
        self.anchor.checked_add(scaled).unwrap_or(self.anchor)
    }

    fn sleep_until(&self, deadline: OffsetDateTime) -> Sleep {
        match self.real_instant(deadline) {
            Some(instant) => Box::pin(tokio::time::sleep_until(instant)),
            None => Box::pin(std::future::pending()),
        }
    }
}

/// A clock that stands still until it is set or advanced. Clones share the same time, and
/// sleepers wake when it is moved past their deadline.
#[derive(Debug, Clone)]
pub struct VirtualClock {
    inner: Arc<VirtualInner>,
}

#[derive(Debug)]
struct VirtualInner {
    now: watch::Sender<OffsetDateTime>,
    /// The sleeps not yet completed nor dropped, by deadline and a unique, increasing id, with
    /// whether each is a plain wait (not a timeout racing I/O).
    pending: Mutex<BTreeMap<(OffsetDateTime, u64), SleepKind>>,
    next_id: AtomicU64,
    /// Plain waits with a smaller id have been claimed by a driver, so that concurrent
    /// drivers move the clock once for each.
    claimed: AtomicU64,
    /// Signalled whenever a sleep starts or ends, so that waiting for either needs no polling.
    changed: tokio::sync::Notify,
}

impl VirtualClock {
    /// A clock that reads `start` until moved.
    pub fn new(start: OffsetDateTime) -> Self {
        Self {
            inner: Arc::new(VirtualInner {
                now: watch::Sender::new(start),
                pending: Mutex::new(BTreeMap::new()),
                next_id: AtomicU64::new(0),
                claimed: AtomicU64::new(0),
                changed: tokio::sync::Notify::new(),
            }),
        }
    }

    /// Moves the clock to `instant`, forwards or backwards, and wakes the sleeps it passes.
    pub fn set(&self, instant: OffsetDateTime) {
        self.inner.now.send_replace(instant);
    }

    /// Moves the clock by `by` (negative moves it back) and returns the new time.
    pub fn advance(&self, by: Duration) -> OffsetDateTime {
        let mut new = self.now();
        self.inner.now.send_modify(|now| {
            *now += by;
            new = *now;
        });
        new
    }

    /// The earliest deadline a sleep is waiting for, if any.
    pub fn next_deadline(&self) -> Option<OffsetDateTime> {
        self.pending().keys().next().map(|(deadline, _)| *deadline)
    }

    /// How many sleeps are waiting.
    pub fn sleepers(&self) -> usize {
        self.pending().len()
    }

    /// Moves the clock to the earliest pending deadline, if any is later than now, and returns
    /// the new time.
    pub fn advance_to_next_deadline(&self) -> Option<OffsetDateTime> {
        let deadline = self.next_deadline()?;
        if deadline > self.now() {
            self.set(deadline);
        }
        Some(self.now())
    }

    /// Waits (without moving the clock) until at least `count` sleeps are pending.
    pub async fn wait_for_sleepers(&self, count: usize) {
        loop {
            let started = self.inner.changed.notified();
            if self.sleepers() >= count {
                return;
            }
            started.await;
        }
    }

    /// Runs `future` to completion, moving the clock whenever it must have moved for the
    /// future to make progress: for each plain wait (a delay, a drip, a queue limit) that
    /// starts after the future began, the clock jumps from deadline to deadline until the wait
    /// ends, or until a timeout it outlasts fires. Timeouts alone, racing I/O
    /// that is still under way, never move it, and neither do background schedules (a poller
    /// waiting for its next poll). This is how an hour of polling, or a responder
    /// slower than `response_timeout`, takes no real time.
    pub async fn drive<F: Future>(&self, future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        let started = self.inner.next_id.load(Ordering::SeqCst);
        // The plain wait this driver is moving the clock for, by (deadline, id).
        let mut trigger: Option<(OffsetDateTime, u64)> = None;
        let mut timed_out = false;
        loop {
            let changed = self.inner.changed.notified();
            let mut changed = std::pin::pin!(changed);
            // Registered before the state is read, so that no start or end is missed.
            changed.as_mut().enable();
            // Once a timeout it outlasted has fired, the caller is giving up: waits that start
            // after (a hostile responder still dripping into a closed connection) are
            // leftovers, and following them would move the clock past what the caller saw.
            if trigger.is_none() && !timed_out {
                trigger = self.claim_wait(started);
            }
            let mut moved = false;
            if let Some(key) = trigger {
                if !self.pending().contains_key(&key) || key.0 <= self.now() {
                    trigger = None;
                    continue;
                }
                if let Some(next) = self.next_deadline().filter(|next| *next > self.now()) {
                    // A timeout that fires now makes progress on its own (the caller gives
                    // up); the wait that outlasts it is no longer this driver's business.
                    let fires_timeout = self.pending().iter().any(|(&(deadline, _), &kind)| {
                        deadline == next && kind == SleepKind::Timeout
                    });
                    self.set(next);
                    moved = true;
                    if fires_timeout {
                        trigger = None;
                        timed_out = true;
                    }
                }
            }
            if moved {
                tokio::select! {
                    biased;
                    output = &mut future => return output,
                    () = tokio::task::yield_now() => {}
                }
            } else {
                tokio::select! {
                    biased;
                    output = &mut future => return output,
                    () = &mut changed => {}
                }
            }
        }
    }

    /// The earliest-started plain wait, begun after sleep `started` and not yet claimed by a
    /// driver, that is still ahead of the clock; claimed for the caller.
    fn claim_wait(&self, started: u64) -> Option<(OffsetDateTime, u64)> {
        let now = self.now();
        let floor = self.inner.claimed.load(Ordering::SeqCst).max(started);
        let candidate = self
            .pending()
            .iter()
            .filter(|&(&(deadline, id), &kind)| {
                kind == SleepKind::Wait && id >= floor && deadline > now
            })
            .map(|(&key, _)| key)
            .min_by_key(|&(_, id)| id)?;
        let previous = self
            .inner
            .claimed
            .fetch_max(candidate.1 + 1, Ordering::SeqCst);
        (previous <= candidate.1).then_some(candidate)
    }

    /// A sleep in the pending set from the moment it is made (timeouts: the deadline must be
    /// known before the I/O it races starts) or from its first poll (plain waits: they count
    /// from when they are awaited), until it completes or is dropped.
    fn register(&self, deadline: OffsetDateTime, kind: SleepKind) -> Sleep {
        if kind == SleepKind::Timeout {
            let (now, guard) = self.join(deadline, kind);
            return Box::pin(Self::wait(now, guard, deadline));
        }
        let clock = self.clone();
        Box::pin(async move {
            let (now, guard) = clock.join(deadline, kind);
            Self::wait(now, guard, deadline).await;
        })
    }

    fn join(
        &self,
        deadline: OffsetDateTime,
        kind: SleepKind,
    ) -> (watch::Receiver<OffsetDateTime>, PendingGuard) {
        let now = self.inner.now.subscribe();
        let id = self.inner.next_id.fetch_add(1, Ordering::SeqCst);
        let key = (deadline, id);
        self.pending().insert(key, kind);
        self.inner.changed.notify_waiters();
        (
            now,
            PendingGuard {
                clock: self.clone(),
                key,
            },
        )
    }

    async fn wait(
        mut now: watch::Receiver<OffsetDateTime>,
        guard: PendingGuard,
        deadline: OffsetDateTime,
    ) {
        let _guard = guard;
        // `wait_for` returns at once if the time has already come; it fails only when the
        // sender is gone, which cannot happen while `_guard` holds the clock.
        let _ = now.wait_for(|now| *now >= deadline).await;
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, BTreeMap<(OffsetDateTime, u64), SleepKind>> {
        // The map only holds deadlines; a panic elsewhere cannot leave it inconsistent.
        self.inner
            .pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// What a sleep waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SleepKind {
    /// Nothing but time: a delay, a drip interval, a queue limit, a polling interval.
    Wait,
    /// A deadline racing I/O.
    Timeout,
    /// A background schedule nothing in flight waits for.
    Background,
}

/// Removes a sleep's deadline from the pending set when the sleep completes or is dropped.
struct PendingGuard {
    clock: VirtualClock,
    key: (OffsetDateTime, u64),
}

impl Drop for PendingGuard {
    fn drop(&mut self) {
        self.clock.pending().remove(&self.key);
        self.clock.inner.changed.notify_waiters();
    }
}

impl Clock for VirtualClock {
    fn now(&self) -> OffsetDateTime {
        *self.inner.now.borrow()
    }

    fn sleep_until(&self, deadline: OffsetDateTime) -> Sleep {
        self.register(deadline, SleepKind::Wait)
    }

    fn timeout_until(&self, deadline: OffsetDateTime) -> Sleep {
        self.register(deadline, SleepKind::Timeout)
    }

    fn background_until(&self, deadline: OffsetDateTime) -> Sleep {
        self.register(deadline, SleepKind::Background)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    const START: OffsetDateTime = datetime!(2026-03-01 12:00 UTC);

    #[test]
    fn virtual_clock_stands_still_until_moved() {
        let clock = VirtualClock::new(START);
        assert_eq!(clock.now(), START);
        assert_eq!(
            clock.advance(Duration::hours(1)),
            datetime!(2026-03-01 13:00 UTC)
        );
        clock.set(datetime!(2020-01-01 00:00 UTC));
        assert_eq!(clock.now(), datetime!(2020-01-01 00:00 UTC));
    }

    #[test]
    fn clones_share_one_time() {
        let clock = VirtualClock::new(START);
        let other = clock.clone();
        clock.advance(Duration::seconds(5));
        assert_eq!(other.now(), datetime!(2026-03-01 12:00:05 UTC));
    }

    #[test]
    fn system_clock_is_near_the_machine_time() {
        let drift = SystemClock.now() - OffsetDateTime::now_utc();
        assert!(drift.abs() < Duration::minutes(1));
    }

    #[tokio::test(start_paused = true)]
    async fn a_scaled_clock_runs_speed_times_faster() {
        let clock = ScaledClock::new(60, START);
        assert_eq!(clock.speed(), 60);
        assert_eq!(clock.now(), START);
        tokio::time::advance(std::time::Duration::from_secs(1)).await;
        assert_eq!(clock.now(), START + Duration::minutes(1));
        tokio::time::advance(std::time::Duration::from_secs(59)).await;
        assert_eq!(clock.now(), START + Duration::hours(1));
    }

    #[tokio::test(start_paused = true)]
    async fn a_scaled_sleep_wakes_at_the_scaled_real_instant() {
        let clock = ScaledClock::new(3600, START);
        let begun = tokio::time::Instant::now();
        clock.sleep(Duration::hours(2)).await;
        assert_eq!(begun.elapsed(), std::time::Duration::from_secs(2));
        assert_eq!(clock.now(), START + Duration::hours(2));

        // A deadline between two real nanoseconds: the sleep ends once the clock has reached
        // it, not a nanosecond before.
        let deadline = clock.now() + Duration::nanoseconds(5);
        clock.sleep_until(deadline).await;
        assert!(clock.now() >= deadline);

        // A deadline already passed (or before the anchor) ends at once.
        let begun = tokio::time::Instant::now();
        clock.sleep_until(START - Duration::DAY).await;
        clock.sleep_until(START + Duration::hours(1)).await;
        assert_eq!(begun.elapsed(), std::time::Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn a_scaled_clock_at_speed_one_runs_at_the_machines_pace() {
        let clock = ScaledClock::new(1, START);
        let begun = tokio::time::Instant::now();
        clock.sleep(Duration::seconds(90)).await;
        assert_eq!(begun.elapsed(), std::time::Duration::from_secs(90));
        assert_eq!(clock.now(), START + Duration::seconds(90));
        assert_eq!(ScaledClock::new(0, START).speed(), 1, "0 is taken as 1");
    }

    #[tokio::test(start_paused = true)]
    async fn a_scaled_sleep_far_beyond_any_instant_never_ends() {
        let clock = ScaledClock::new(1, START);
        let never = clock.sleep_until(OffsetDateTime::new_utc(
            time::Date::MAX,
            time::Time::MIDNIGHT,
        ));
        let ended = tokio::time::timeout(std::time::Duration::from_secs(3600), never).await;
        assert!(ended.is_err());
    }

    #[tokio::test]
    async fn a_virtual_sleep_ends_when_the_clock_passes_its_deadline() {
        let clock = VirtualClock::new(START);
        let sleeper = tokio::spawn(clock.sleep(Duration::hours(1)));
        clock.wait_for_sleepers(1).await;
        assert_eq!(clock.next_deadline(), Some(START + Duration::hours(1)));
        clock.advance(Duration::minutes(59));
        tokio::task::yield_now().await;
        assert!(!sleeper.is_finished());
        clock.advance(Duration::minutes(1));
        sleeper.await.expect("the sleep completes");
        assert_eq!(clock.sleepers(), 0);
    }

    #[tokio::test]
    async fn a_sleep_for_a_past_instant_ends_at_once() {
        let clock = VirtualClock::new(START);
        clock.sleep_until(START - Duration::SECOND).await;
        clock.sleep(Duration::ZERO).await;
        assert_eq!(clock.sleepers(), 0);
    }

    #[tokio::test]
    async fn advancing_to_the_next_deadline_wakes_the_earliest_only() {
        let clock = VirtualClock::new(START);
        let early = tokio::spawn(clock.sleep(Duration::seconds(1)));
        let late = tokio::spawn(clock.sleep(Duration::seconds(5)));
        clock.wait_for_sleepers(2).await;
        assert_eq!(
            clock.advance_to_next_deadline(),
            Some(START + Duration::seconds(1))
        );
        early.await.expect("early wakes");
        assert!(!late.is_finished());
        assert_eq!(clock.sleepers(), 1);
        clock.advance_to_next_deadline();
        late.await.expect("late wakes");
        assert_eq!(clock.advance_to_next_deadline(), None);
    }

    #[tokio::test]
    async fn a_sleep_is_pending_from_its_first_poll_until_dropped() {
        let clock = VirtualClock::new(START);
        let mut sleep = clock.sleep(Duration::seconds(1));
        assert_eq!(clock.sleepers(), 0, "not awaited yet");
        assert!(futures_util::poll!(&mut sleep).is_pending());
        assert_eq!(clock.sleepers(), 1);
        drop(sleep);
        assert_eq!(clock.sleepers(), 0);
    }

    #[tokio::test]
    async fn drive_moves_time_for_plain_waits_and_not_for_timeouts_alone() {
        let clock = VirtualClock::new(START);
        // A wait of an hour completes at once, an hour later on the clock.
        clock.drive(clock.sleep(Duration::hours(1))).await;
        assert_eq!(clock.now(), START + Duration::hours(1));

        // A timeout racing a future that completes on its own does not move time.
        let (done, ready) = tokio::sync::oneshot::channel::<()>();
        let racing = timeout(&clock, Duration::seconds(1), ready);
        let completer = tokio::spawn(async move {
            tokio::task::yield_now().await;
            let _ = done.send(());
        });
        assert!(clock.drive(racing).await.is_ok());
        completer.await.expect("joins");
        assert_eq!(clock.now(), START + Duration::hours(1));

        // A wait that outlasts a timeout makes the timeout fire, at its own deadline.
        let slow = timeout(
            &clock,
            Duration::seconds(1),
            clock.sleep(Duration::seconds(2)),
        );
        assert_eq!(clock.drive(slow).await, Err(Elapsed(Duration::seconds(1))));
        assert_eq!(
            clock.now(),
            START + Duration::hours(1) + Duration::seconds(1)
        );
    }

    #[tokio::test]
    async fn timeout_fires_on_the_virtual_deadline() {
        let clock = VirtualClock::new(START);
        let waiting = {
            let clock = clock.clone();
            tokio::spawn(async move {
                timeout(&clock, Duration::seconds(1), std::future::pending::<()>()).await
            })
        };
        clock.wait_for_sleepers(1).await;
        clock.advance_to_next_deadline();
        let result = waiting.await.expect("joins");
        assert_eq!(result, Err(Elapsed(Duration::seconds(1))));
        let ready = timeout(&clock, Duration::ZERO, async { 7 }).await;
        assert_eq!(ready, Ok(7), "a ready future wins over an elapsed limit");
    }
}
