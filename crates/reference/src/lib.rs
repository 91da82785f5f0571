//! The reference implementation of the Redis Software OCSP endpoints (docs/contract.md): routes,
//! Basic auth and roles, the cluster model (nodes, proxy certificate, task queue, poller,
//! status cache), provider states, and the server that runs them over HTTPS.

mod alerts;
mod certificate;
mod cluster;
mod error;
mod queue;
mod roles;
mod routes;
mod server;
mod states;

pub use certificate::{CertificateError, ProxyCertificate};
pub use cluster::{Cluster, DEFAULT_NODES, Outcome, PollPlan, QueryFailure};
pub use error::ApiError;
pub use queue::{QUEUED_LIMIT, TaskQueue, TaskRecord, TaskState};
pub use roles::{authenticate, generate_users};
pub use routes::{AppState, Authorized, JsonBody, Requirement, app};
pub use server::{ReferenceError, ReferenceOptions, ReferenceServer, ServerClock};
pub use states::{StatesState, routes as state_routes};
