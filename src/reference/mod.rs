//! The reference implementation of the Redis Software OCSP endpoints (CONTRACT.md): routes,
//! Basic auth and roles, the cluster model (nodes, proxy certificate, task queue, poller,
//! status cache), provider states, and the server that runs them over HTTPS.

mod certificate;
mod cluster;
mod config;
mod error;
mod queue;
mod roles;
mod routes;
mod server;
mod states;
mod status;

pub use certificate::ProxyCertificate;
pub use cluster::{Cluster, DEFAULT_NODES, Outcome, PollPlan, QueryFailure};
pub use config::OcspConfig;
pub use error::ApiError;
pub use queue::{QUEUED_LIMIT, TaskQueue, TaskRecord, TaskState};
pub use roles::{ManagementRole, Permission, User, Users};
pub use routes::{AppState, app};
pub use server::{ReferenceError, ReferenceOptions, ReferenceServer, ServerClock};
pub use states::{StatesState, routes as state_routes};
pub use status::{StatusObject, imf_fixdate};
