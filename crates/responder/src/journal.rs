//! The responder's record of every request it received, for scenarios to assert on.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::PoisonError;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use http::{HeaderMap, Method};
use serde::Serialize;
use time::OffsetDateTime;

use super::server::BodyError;
use ocsp::{DecodedRequest, HttpMethod, RequestError, RequestSummary};

/// One request as the responder saw it.
///
/// As JSON (the admin API's `GET /__admin/requests`, scripts in any language): `time`
/// (RFC 3339), `method`, `path`, `headers` (`[name, value]` pairs), `body_len`, and either
/// `request` (the decoded CertIDs and nonce) with `error` null, or `request` null with `error`
/// saying why the request could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalEntry {
    /// When it arrived, on the responder's clock.
    #[serde(with = "time::serde::rfc3339")]
    pub time: OffsetDateTime,
    /// GET, POST, ...
    #[serde(serialize_with = "method_name")]
    pub method: Method,
    /// The request target's path (percent-escapes kept).
    pub path: String,
    /// Every header, names lower-case, in order.
    pub headers: Vec<(String, String)>,
    /// Length of the request body in octets.
    pub body_len: usize,
    /// What the request asked, or why it could not be decoded.
    #[serde(flatten, serialize_with = "summary_or_reason")]
    pub request: Result<RequestSummary, Undecodable>,
}

/// Why a recorded request says nothing the journal can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Undecodable {
    /// Its body was refused unread for its size.
    #[error("body over {limit} octets")]
    TooLarge {
        /// The limit it went over.
        limit: usize,
    },
    /// Its body did not arrive whole: too slow, or cut off.
    #[error("{reason}")]
    Unfinished {
        /// What happened to it.
        reason: String,
    },
    /// It is not an OCSP request.
    #[error("{0}")]
    Request(#[from] RequestError),
}

/// `request` and `error`, one of them null: a reader in any language tests one field rather
/// than matching Rust's `Ok`/`Err`.
fn summary_or_reason<S: serde::Serializer>(
    request: &Result<RequestSummary, Undecodable>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = serializer.serialize_map(Some(2))?;
    match request {
        Ok(summary) => {
            map.serialize_entry("request", summary)?;
            map.serialize_entry("error", &None::<String>)?;
        }
        Err(reason) => {
            map.serialize_entry("request", &None::<RequestSummary>)?;
            map.serialize_entry("error", &reason.to_string())?;
        }
    }
    map.end()
}

fn method_name<S: serde::Serializer>(method: &Method, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(method.as_str())
}

impl JournalEntry {
    /// The method, if it is one an OCSP request travels by.
    pub fn ocsp_method(&self) -> Option<HttpMethod> {
        match self.method {
            Method::POST => Some(HttpMethod::Post),
            Method::GET => Some(HttpMethod::Get),
            _ => None,
        }
    }

    /// The value of the first header named `name` (lower-case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(header, _)| header == name)
            .map(|(_, value)| value.as_str())
    }
}

/// A request as received, kept cheaply on the hot path: the summary is decoded only when the
/// journal is read.
#[derive(Debug, Clone)]
pub(crate) struct RawEntry {
    pub(crate) time: OffsetDateTime,
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) headers: HeaderMap,
    pub(crate) body: RawBody,
}

/// The body of a recorded request.
#[derive(Debug, Clone)]
pub(crate) enum RawBody {
    /// Read whole (empty for GET).
    Read(Bytes),
    /// Refused for its size, unread.
    TooLarge {
        /// The limit it went over.
        limit: usize,
    },
    /// Not read whole: too slow, or cut off.
    Unfinished(BodyError),
}

impl RawEntry {
    /// What the request asked, decoded the way the responder decodes it.
    pub(crate) fn decode(&self) -> Result<DecodedRequest, Undecodable> {
        match (&self.body, &self.method) {
            (RawBody::Read(_), &Method::GET) => Ok(DecodedRequest::from_get_path(&self.path)?),
            (RawBody::Read(body), _) => Ok(DecodedRequest::from_der(body)?),
            (RawBody::TooLarge { limit }, _) => Err(Undecodable::TooLarge { limit: *limit }),
            (RawBody::Unfinished(error), _) => Err(Undecodable::Unfinished {
                reason: error.to_string(),
            }),
        }
    }

    fn to_entry(&self) -> JournalEntry {
        let (body_len, request) = match &self.body {
            RawBody::TooLarge { .. } | RawBody::Unfinished(_) => {
                (0, self.decode().map(|decoded| decoded.summary()))
            }
            RawBody::Read(body) => (body.len(), self.decode().map(|decoded| decoded.summary())),
        };
        JournalEntry {
            time: self.time,
            method: self.method.clone(),
            path: self.path.clone(),
            headers: self
                .headers
                .iter()
                .map(|(name, value)| {
                    (
                        name.as_str().to_owned(),
                        String::from_utf8_lossy(value.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            body_len,
            request,
        }
    }
}

/// The entries, newest last, holding at most a fixed number so that a load test cannot
/// exhaust memory; the total count goes on counting.
#[derive(Debug)]
pub struct Journal {
    entries: Mutex<VecDeque<RawEntry>>,
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
    pub(crate) fn record(&self, entry: RawEntry) {
        self.total.fetch_add(1, Ordering::Relaxed);
        let mut entries = self.lock();
        if entries.len() == self.capacity {
            entries.pop_front();
        }
        entries.push_back(entry);
    }

    /// The entries kept, oldest first.
    pub fn entries(&self) -> Vec<JournalEntry> {
        let raw: Vec<RawEntry> = self.lock().iter().cloned().collect();
        raw.iter().map(RawEntry::to_entry).collect()
    }

    /// The last `count` entries kept (fewer when fewer are kept), oldest first; only those are
    /// decoded.
    pub fn recent(&self, count: usize) -> Vec<JournalEntry> {
        let raw: Vec<RawEntry> = {
            let entries = self.lock();
            let skip = entries.len().saturating_sub(count);
            entries.iter().skip(skip).cloned().collect()
        };
        raw.iter().map(RawEntry::to_entry).collect()
    }

    /// How many entries are kept now.
    pub fn kept(&self) -> usize {
        self.lock().len()
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

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<RawEntry>> {
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

    fn entry(path: &str) -> RawEntry {
        let mut headers = HeaderMap::new();
        headers.insert(http::header::HOST, http::HeaderValue::from_static("x"));
        RawEntry {
            time: datetime!(2026-03-01 12:00 UTC),
            method: Method::GET,
            path: path.to_owned(),
            headers,
            body: RawBody::Read(Bytes::new()),
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
        let first = &journal.entries()[0];
        assert_eq!(first.header("host"), Some("x"));
        assert!(first.request.is_err(), "/b is no request");
        let recent: Vec<String> = journal.recent(1).into_iter().map(|e| e.path).collect();
        assert_eq!(recent, ["/c"]);
        assert_eq!(journal.recent(5).len(), 2, "no more than are kept");
        assert!(journal.recent(0).is_empty());
        assert_eq!(journal.kept(), 2);
        journal.clear();
        assert!(journal.entries().is_empty());
        assert_eq!(journal.kept(), 0);
        assert_eq!(journal.total(), 0);
    }
}
