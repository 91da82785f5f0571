//! The reference implementation of the Redis Software OCSP endpoints (docs/contract.md): routes,
//! Basic auth and roles, the cluster model (nodes, certificates, task queue, poller,
//! status cache), provider states, and the server that runs them over HTTPS.

mod access;
mod alerts;
mod certificate;
mod cluster;
mod date;
mod error;
mod front;
mod journal;
mod queue;
mod roles;
mod routes;
mod selfsigned;
mod server;
mod states;
mod store;

pub use access::{ACCESS_TARGET, HEALTH_PATH};
pub use alerts::{Alerts, SettingsError};
pub use certificate::{CertificateError, InstalledCertificate, ProxyCertificate};
pub use cluster::{
    CertificateRefused, Cluster, DEFAULT_NODES, NodeState, Outcome, PollPlan, QueryFailure,
};
pub use error::ApiError;
pub use front::{BodyBytes, FrontLimits};
pub use journal::{JOURNAL_LIMIT, JournalEntry, RequestJournal};
pub use queue::{QUEUED_LIMIT, TaskQueue, TaskRecord, TaskState};
pub use responder::ConnectionLimits;
pub use roles::{authenticate, generate_users};
pub use routes::{AppState, Authorized, JsonBody, Requirement, app};
pub use server::{
    MAX_CONCURRENT_STREAMS, ReferenceError, ReferenceOptions, ReferenceServer, ServerClock,
};
pub use states::{DROPPED_HEADER, StatesState, routes as state_routes};
pub use store::{CertificateStore, ROTATED, is_required};
