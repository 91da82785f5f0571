//! The journal of the requests the server answered under `/v1`, for tests that must prove a
//! command touched nothing (no `PUT` was sent) or sent exactly what it should. It outlives
//! `POST /_harness/reset`, which a runner sends between scenarios, so that a test can read a
//! whole run; it keeps only the newest [`JOURNAL_LIMIT`] entries, and counts the ones it let go,
//! so that a long run cannot grow the server's memory without bound.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use serde::Serialize;

/// How many entries the journal keeps.
pub const JOURNAL_LIMIT: usize = 10_000;

/// One answered request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalEntry {
    /// `GET`, `PUT`, ...
    pub method: String,
    /// The path with its query, as sent: `/v1/cluster/alerts?ignore_settings=true`.
    pub path: String,
    /// The answer's status code.
    pub status: u16,
}

/// The requests answered under `/v1`, oldest first, in the order their answers were made.
#[derive(Debug, Default)]
pub struct RequestJournal {
    inner: Mutex<Entries>,
}

#[derive(Debug, Default)]
struct Entries {
    kept: VecDeque<JournalEntry>,
    dropped: u64,
}

impl RequestJournal {
    /// An empty journal.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an entry, letting the oldest go when the journal is full.
    pub fn record(&self, entry: JournalEntry) {
        let mut entries = self.entries();
        if entries.kept.len() >= JOURNAL_LIMIT {
            entries.kept.pop_front();
            entries.dropped += 1;
        }
        entries.kept.push_back(entry);
    }

    /// The entries kept, oldest first.
    pub fn entries_kept(&self) -> Vec<JournalEntry> {
        self.entries().kept.iter().cloned().collect()
    }

    /// How many entries were let go to keep the journal within [`JOURNAL_LIMIT`].
    pub fn dropped(&self) -> u64 {
        self.entries().dropped
    }

    /// Empties the journal (and the count of dropped entries); returns how many it held.
    pub fn clear(&self) -> usize {
        let mut entries = self.entries();
        let held = entries.kept.len();
        *entries = Entries::default();
        held
    }

    fn entries(&self) -> MutexGuard<'_, Entries> {
        // Entries are whole values pushed and popped under the lock: a panic elsewhere cannot
        // leave them half-written.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// `router`, recording in `journal` every request it answers under `/v1` (nothing else: the
/// provider states and unknown paths outside the API are the harness's own business).
pub fn with_journal(router: Router, journal: Arc<RequestJournal>) -> Router {
    router.layer(axum::middleware::from_fn_with_state(journal, record))
}

async fn record(
    State(journal): State<Arc<RequestJournal>>,
    request: Request,
    next: Next,
) -> Response {
    let uri = request.uri();
    let path = uri.path();
    if path != "/v1" && !path.starts_with("/v1/") {
        return next.run(request).await;
    }
    let method = request.method().as_str().to_owned();
    let path = uri
        .path_and_query()
        .map_or_else(|| path.to_owned(), |whole| whole.as_str().to_owned());
    let response = next.run(request).await;
    journal.record(JournalEntry {
        method,
        path,
        status: response.status().as_u16(),
    });
    response
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::StatusCode;
    use axum::routing::get;
    use tower::ServiceExt;

    use super::*;

    fn entry(n: usize) -> JournalEntry {
        JournalEntry {
            method: "GET".into(),
            path: format!("/v1/{n}"),
            status: 200,
        }
    }

    #[test]
    fn a_full_journal_lets_the_oldest_go_and_counts_them() {
        let journal = RequestJournal::new();
        for n in 0..JOURNAL_LIMIT + 3 {
            journal.record(entry(n));
        }
        let kept = journal.entries_kept();
        assert_eq!(kept.len(), JOURNAL_LIMIT);
        assert_eq!(kept.first(), Some(&entry(3)));
        assert_eq!(kept.last(), Some(&entry(JOURNAL_LIMIT + 2)));
        assert_eq!(journal.dropped(), 3);
        assert_eq!(journal.clear(), JOURNAL_LIMIT);
        assert_eq!((journal.entries_kept().len(), journal.dropped()), (0, 0));
    }

    #[tokio::test]
    async fn only_requests_under_v1_are_recorded_with_their_query_and_status() {
        let journal = Arc::new(RequestJournal::new());
        let router = with_journal(
            Router::new().route("/v1/here", get(|| async { "ok" })),
            Arc::clone(&journal),
        );
        for uri in [
            "/v1/here?a=1&b",
            "/v1/nowhere",
            "/_harness/state",
            "/v1x",
            "/",
        ] {
            let request = Request::get(uri).body(Body::empty()).expect("a request");
            router.clone().oneshot(request).await.expect("answered");
        }
        let request = Request::post("/v1/here")
            .body(Body::empty())
            .expect("a request");
        let answer = router.oneshot(request).await.expect("answered");
        assert_eq!(answer.status(), StatusCode::METHOD_NOT_ALLOWED);
        let seen: Vec<_> = journal
            .entries_kept()
            .into_iter()
            .map(|entry| (entry.method, entry.path, entry.status))
            .collect();
        assert_eq!(
            seen,
            [
                ("GET".to_owned(), "/v1/here?a=1&b".to_owned(), 200),
                ("GET".to_owned(), "/v1/nowhere".to_owned(), 404),
                ("POST".to_owned(), "/v1/here".to_owned(), 405),
            ]
        );
    }
}
