//! A checked scenario: every value has its final type, so the runner meets no bad input.

use std::collections::BTreeMap;
use std::path::PathBuf;

use time::{Duration, OffsetDateTime};

use super::matcher::Matcher;
use contract::ManagementRole;
use contract::{Level, Versions};
use ocsp::{HashAlgorithm, HttpMethod};
use pki::{KeyType, Role};
use responder::Behaviour;

/// One scenario file.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The file it came from.
    pub path: PathBuf,
    /// `area::name`, unique in a corpus.
    pub id: String,
    /// A line saying what it checks.
    pub title: String,
    /// What it proves.
    pub description: String,
    /// The ids of the contract's rules it asserts.
    pub rules: Vec<String>,
    /// How firmly it holds: never firmer than the weakest rule it asserts.
    pub level: Level,
    /// The product versions it holds for: those of every rule it asserts, narrowed by its
    /// own `versions`.
    pub versions: Versions,
    /// Free tags.
    pub tags: Vec<String>,
    /// The fixed instant the world starts at.
    pub clock: OffsetDateTime,
    /// The world.
    pub world: World,
    /// What happens, in order.
    pub steps: Vec<Step>,
}

/// The world a scenario sets up before its steps.
#[derive(Debug, Clone)]
pub struct World {
    /// The key type of the PKI.
    pub key_type: KeyType,
    /// The responder's behaviour, by catalogue name.
    pub behaviour_name: String,
    /// The behaviour.
    pub behaviour: Behaviour,
    /// Nodes (by index) without the OCSP capability.
    pub incapable_nodes: Vec<usize>,
    /// Nodes (by index) that cannot write certificates.
    pub certificate_failing_nodes: Vec<usize>,
    /// Whether the task queue starts stalled.
    pub queue_stalled: bool,
}

/// One step, with the line it starts on.
#[derive(Debug, Clone)]
pub struct Step {
    /// The line of the step in its file.
    pub line: u64,
    /// What it does.
    pub action: Action,
}

/// What a step does.
#[derive(Debug, Clone)]
pub enum Action {
    /// Send a request and check the answer.
    Send(Box<SendStep>),
    /// Move the clock.
    Advance(Duration),
    /// Change the responder's behaviour.
    Responder {
        /// The catalogue name.
        name: String,
        /// The behaviour.
        behaviour: Behaviour,
    },
    /// Install a certificate of the PKI as the proxy certificate, through `PUT
    /// /v1/cluster/certificates` (`update_cert` on a target without it).
    InstallProxy(Role),
    /// Check what the responder has seen since the world started.
    ExpectJournal(JournalExpect),
}

/// What the responder's journal must show: every given property holds for every request in
/// the window (a send step's duration, or since the world started).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JournalExpect {
    /// How many requests arrived.
    pub requests: Option<u64>,
    /// The HTTP method of each (`POST`, or `GET` for the RFC 6960 appendix A GET form).
    pub method: Option<HttpMethod>,
    /// The hash algorithm of each request's CertIDs.
    pub hash_algorithm: Option<HashAlgorithm>,
    /// Whether each carries a nonce extension.
    pub nonce: Option<bool>,
    /// The certificate each asks about (its serial in the CertID).
    pub cert: Option<Role>,
}

/// Who sends a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    /// The user of a built-in role.
    Role(ManagementRole),
    /// No credentials.
    Anonymous,
    /// These credentials.
    Credentials {
        /// The user name.
        user: String,
        /// The password.
        password: String,
    },
}

/// A request and what its answer must be.
#[derive(Debug, Clone)]
pub struct SendStep {
    /// GET, PUT, POST, ...
    pub method: http::Method,
    /// The path, from `/`.
    pub path: String,
    /// Who sends it.
    pub who: Who,
    /// Extra headers.
    pub headers: BTreeMap<String, String>,
    /// The body, if any, and whether it is JSON (then sent with `application/json`).
    pub body: Option<(Vec<u8>, bool)>,
    /// The status the answer must have.
    pub status: u16,
    /// What fields of the JSON answer must be, by top-level name.
    pub fields: Vec<(String, Matcher)>,
    /// The whole JSON answer, when given.
    pub body_is: Option<serde_json::Value>,
    /// What headers of the answer must be, by lower-case name (string matchers).
    pub answer_headers: Vec<(String, Matcher)>,
    /// What the responder must see during the step.
    pub journal: Option<JournalExpect>,
}
