//! Provider states (like Pact's): what a scenario needs that the public API cannot set up. They
//! live outside `/v1`, under `/_harness`, and exist only when asked for.
//!
//! - `GET /_harness/state`: nodes, queue, clock, tasks, poll plan, configuration.
//! - `PUT /_harness/nodes/{index}` `{"ocsp": false}`, `{"certificates": false}` (either or
//!   both): a node's OCSP capability; whether it can write certificates.
//! - `PUT /_harness/queue` `{"stalled": true}`: stall or release the task queue.
//! - `PUT /_harness/clock` `{"now": "2026-03-01T12:00:00Z"}` or `{"advance": 3600}` (seconds,
//!   deadline by deadline as a scenario's `advance`): the virtual clock (409 on the system
//!   clock, or a scaled one: both follow real time).
//! - `POST /_harness/reset`: everything back to how it started (but the request journal).
//! - `GET /_harness/requests`: the requests answered under `/v1`, oldest first, as
//!   `[{"method", "path" (with the query), "status"}]`; the `x-harness-dropped` header counts
//!   the older ones let go (the journal keeps the newest 10,000). `DELETE` empties it.
//! - `POST /_harness/settle`: answers once the work due now (a poll) is done, so that a remote
//!   runner reads what the poll found rather than racing it.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde::Deserialize;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::cluster::Cluster;
use super::error::ApiError;
use super::front::BodyBytes;
use super::journal::RequestJournal;
use super::store::CertificateStore;
use clock::{Clock, VirtualClock};
use contract::ErrorCode;

/// What the state routes act on.
#[derive(Clone)]
pub struct StatesState {
    /// The cluster.
    pub cluster: Arc<Cluster>,
    /// The clock, when it is virtual.
    pub virtual_clock: Option<VirtualClock>,
    /// The certificates to put back on reset.
    pub initial_certificates: CertificateStore,
    /// The time to put back on reset.
    pub start: OffsetDateTime,
    /// The requests answered under `/v1`.
    pub journal: Arc<RequestJournal>,
}

/// The header of `GET /_harness/requests` that counts the entries the journal let go.
pub const DROPPED_HEADER: &str = "x-harness-dropped";

/// The `/_harness` routes.
pub fn routes(state: StatesState) -> Router {
    Router::new()
        .route("/_harness/state", get(show))
        .route("/_harness/nodes/{index}", put(set_node))
        .route("/_harness/queue", put(set_queue))
        .route("/_harness/clock", put(set_clock))
        .route("/_harness/reset", post(reset))
        .route("/_harness/settle", post(settle))
        .route("/_harness/requests", get(requests).delete(clear_requests))
        .with_state(state)
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidState, message)
}

async fn show(State(state): State<StatesState>) -> Json<Value> {
    let cluster = &state.cluster;
    let now = cluster
        .clock()
        .now()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    Json(json!({
        "nodes": cluster.nodes(),
        "queue": {"stalled": cluster.queue().is_stalled(), "tasks": cluster.queue().tasks()},
        "clock": {"now": now, "virtual": state.virtual_clock.is_some()},
        "poll": cluster.poll_plan(),
        "polls": cluster.polls(),
        "config": cluster.config().to_json(&cluster.responder_url()),
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NodeState {
    ocsp: Option<bool>,
    certificates: Option<bool>,
}

async fn set_node(
    State(state): State<StatesState>,
    Path(index): Path<usize>,
    BodyBytes(body): BodyBytes,
) -> Result<Json<Value>, ApiError> {
    let node: NodeState = serde_json::from_slice(&body).map_err(|error| bad(error.to_string()))?;
    if node.ocsp.is_none() && node.certificates.is_none() {
        return Err(bad("give ocsp, certificates or both"));
    }
    let cluster = &state.cluster;
    let found = node
        .ocsp
        .is_none_or(|ocsp| cluster.set_node_capability(index, ocsp))
        && node
            .certificates
            .is_none_or(|writable| cluster.set_node_certificates(index, writable));
    match cluster.nodes().get(index) {
        Some(now) if found => Ok(Json(json!({
            "node": index,
            "ocsp": now.ocsp,
            "certificates": now.certificates,
        }))),
        _ => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            format!("no node {index}"),
        )),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QueueState {
    stalled: bool,
}

async fn set_queue(
    State(state): State<StatesState>,
    BodyBytes(body): BodyBytes,
) -> Result<Json<Value>, ApiError> {
    let queue: QueueState =
        serde_json::from_slice(&body).map_err(|error| bad(error.to_string()))?;
    state.cluster.queue().set_stalled(queue.stalled);
    Ok(Json(json!({"stalled": queue.stalled})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockState {
    #[serde(default, with = "time::serde::rfc3339::option")]
    now: Option<OffsetDateTime>,
    advance: Option<i64>,
}

async fn set_clock(
    State(state): State<StatesState>,
    BodyBytes(body): BodyBytes,
) -> Result<Json<Value>, ApiError> {
    let Some(clock) = &state.virtual_clock else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::SystemClock,
            "the server runs on real time (the machine's clock, or one run faster), which cannot be set",
        ));
    };
    let request: ClockState =
        serde_json::from_slice(&body).map_err(|error| bad(error.to_string()))?;
    match (request.now, request.advance) {
        (Some(now), None) => clock.set(now),
        (None, Some(seconds)) => {
            // As a scenario's `advance`: each poll on the way runs at its own time.
            state
                .cluster
                .advance(clock, time::Duration::seconds(seconds))
                .await;
        }
        _ => {
            return Err(bad(
                "give exactly one of now (RFC 3339) and advance (seconds)",
            ));
        }
    }
    let now = clock
        .now()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    Ok(Json(json!({"now": now})))
}

async fn settle(State(state): State<StatesState>) -> Json<Value> {
    state.cluster.settle().await;
    Json(json!({"settled": true}))
}

async fn reset(State(state): State<StatesState>) -> Json<Value> {
    state.cluster.reset(state.initial_certificates.clone());
    if let Some(clock) = &state.virtual_clock {
        clock.set(state.start);
    }
    Json(json!({"reset": true}))
}

async fn requests(State(state): State<StatesState>) -> Response {
    let dropped = state.journal.dropped();
    (
        [(DROPPED_HEADER, dropped.to_string())],
        Json(state.journal.entries_kept()),
    )
        .into_response()
}

async fn clear_requests(State(state): State<StatesState>) -> Json<Value> {
    Json(json!({"cleared": state.journal.clear()}))
}
