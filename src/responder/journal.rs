//! The responder's record of every request it received, for scenarios to assert on.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::PoisonError;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;
use time::OffsetDateTime;

use crate::ocsp::RequestSummary;

/// One request as the responder saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalEntry {
    /// When it arrived, on the responder's clock.
    #[serde(with = "time::serde::rfc3339")]
    pub time: OffsetDateTime,
    /// GET, POST, ...
    pub method: String,
    /// The request target's path (percent-escapes kept).
    pub path: String,
    /// Every header, names lower-case, in order.
    pub headers: Vec<(String, String)>,
    /// Length of the request body in octets.
    pub body_len: usize,
    /// What the request asked, or why it could not be decoded.
    pub request: Result<RequestSummary, String>,
}

impl JournalEntry {
    /// The value of the first header named `name` (lower-case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(header, _)| header == name)
            .map(|(_, value)| value.as_str())
    }
}

/// The entries, newest last, holding at most a fixed number so that a load test cannot
/// exhaust memory; the total count goes on counting.
#[derive(Debug)]
pub struct Journal {
    entries: Mutex<VecDeque<JournalEntry>>,
    total: AtomicU64,
    capacity: usize,
}

impl Journal {
    /// The number of entries kept when nothing else is said.
    pub const DEFAULT_CAPACITY: usize = 10_000;

    /// An empty journal keeping at most `capacity` entries.
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(VecDeque::new()),
            total: AtomicU64::new(0),
            capacity,
        }
    }

    /// Adds an entry, dropping the oldest if full.
    pub fn record(&self, entry: JournalEntry) {
        self.total.fetch_add(1, Ordering::Relaxed);
        let mut entries = self.lock();
        if entries.len() == self.capacity {
            entries.pop_front();
        }
        entries.push_back(entry);
    }

    /// The entries kept, oldest first.
    pub fn entries(&self) -> Vec<JournalEntry> {
        self.lock().iter().cloned().collect()
    }

    /// How many requests were recorded since the start or the last [`Journal::clear`].
    pub fn total(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }

    /// Forgets every entry.
    pub fn clear(&self) {
        let mut entries = self.lock();
        entries.clear();
        self.total.store(0, Ordering::Relaxed);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<JournalEntry>> {
        // Entries are appended whole; a poisoned lock still holds a consistent queue.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Default for Journal {
    fn default() -> Self {
        Self::new(Self::DEFAULT_CAPACITY)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn entry(path: &str) -> JournalEntry {
        JournalEntry {
            time: datetime!(2026-03-01 12:00 UTC),
            method: "GET".to_owned(),
            path: path.to_owned(),
            headers: vec![("host".to_owned(), "x".to_owned())],
            body_len: 0,
            request: Err("no".to_owned()),
        }
    }

    #[test]
    fn keeps_the_newest_entries_and_counts_all() {
        let journal = Journal::new(2);
        for path in ["/a", "/b", "/c"] {
            journal.record(entry(path));
        }
        let paths: Vec<String> = journal.entries().into_iter().map(|e| e.path).collect();
        assert_eq!(paths, ["/b", "/c"]);
        assert_eq!(journal.total(), 3);
        assert_eq!(journal.entries()[0].header("host"), Some("x"));
        journal.clear();
        assert!(journal.entries().is_empty());
        assert_eq!(journal.total(), 0);
    }
}
