//! The only door to time in the harness.
//!
//! Every component asks a [`Clock`] for the time instead of the system, so that a scenario can
//! run on a [`VirtualClock`] that it sets and moves: certificate validity, OCSP `thisUpdate` and
//! `nextUpdate`, queue limits and polling intervals then give the same answer on every run.

use std::sync::{Arc, Mutex, PoisonError};

use time::{Duration, OffsetDateTime};

/// A source of the current time, in UTC.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current instant.
    fn now(&self) -> OffsetDateTime;
}

/// The machine's own clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that stands still until it is set or advanced. Clones share the same time.
#[derive(Debug, Clone)]
pub struct VirtualClock {
    now: Arc<Mutex<OffsetDateTime>>,
}

impl VirtualClock {
    /// A clock that reads `start` until moved.
    pub fn new(start: OffsetDateTime) -> Self {
        Self {
            now: Arc::new(Mutex::new(start)),
        }
    }

    /// Moves the clock to `instant`, forwards or backwards.
    pub fn set(&self, instant: OffsetDateTime) {
        *self.lock() = instant;
    }

    /// Moves the clock by `by` (negative moves it back) and returns the new time.
    pub fn advance(&self, by: Duration) -> OffsetDateTime {
        let mut now = self.lock();
        *now += by;
        *now
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, OffsetDateTime> {
        // The guarded value is a plain timestamp: a panic elsewhere cannot leave it half-written,
        // so a poisoned lock still holds a valid time.
        self.now.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Clock for VirtualClock {
    fn now(&self) -> OffsetDateTime {
        *self.lock()
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn virtual_clock_stands_still_until_moved() {
        let clock = VirtualClock::new(datetime!(2026-03-01 12:00 UTC));
        assert_eq!(clock.now(), datetime!(2026-03-01 12:00 UTC));
        assert_eq!(
            clock.advance(Duration::hours(1)),
            datetime!(2026-03-01 13:00 UTC)
        );
        clock.set(datetime!(2020-01-01 00:00 UTC));
        assert_eq!(clock.now(), datetime!(2020-01-01 00:00 UTC));
    }

    #[test]
    fn clones_share_one_time() {
        let clock = VirtualClock::new(datetime!(2026-03-01 12:00 UTC));
        let other = clock.clone();
        clock.advance(Duration::seconds(5));
        assert_eq!(other.now(), datetime!(2026-03-01 12:00:05 UTC));
    }

    #[test]
    fn system_clock_is_near_the_machine_time() {
        let drift = SystemClock.now() - OffsetDateTime::now_utc();
        assert!(drift.abs() < Duration::minutes(1));
    }
}
