//! `GET /v1/nodes` and `GET /v1/nodes/{uid}`: where a client reads the product version it
//! talks to (rules `nodes.get`, `nodes.get-one`, `nodes.reference-version`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use contract::{Contract, ErrorCode};

use super::{AppState, Authorized, endpoint};
use crate::error::ApiError;

/// The build the reference's `software_version` names: it is no build of the vendor's.
const BUILD: u32 = 0;

/// The version every node reports: the newest product version the contract was read from.
fn software_version() -> String {
    // The embedded rule file always names versions (its own test checks so); an empty string
    // would still be a string, as the node object asks.
    Contract::embedded()
        .latest_version()
        .map(|version| version.software_version(BUILD))
        .unwrap_or_default()
}

/// Node `uid`'s object: every node of the reference is active and runs the same version.
fn node_object(uid: usize, version: &str) -> Value {
    json!({"uid": uid, "status": "active", "software_version": version})
}

pub(super) async fn get_nodes(
    _: Authorized<endpoint::GetNodes>,
    State(state): State<AppState>,
) -> Json<Value> {
    let version = software_version();
    // Nodes are numbered from 1, in the order of the provider states' indices (from 0).
    let nodes: Vec<Value> = (1..=state.cluster.nodes().len())
        .map(|uid| node_object(uid, &version))
        .collect();
    Json(Value::Array(nodes))
}

pub(super) async fn get_node(
    _: Authorized<endpoint::GetNode>,
    State(state): State<AppState>,
    Path(uid): Path<String>,
) -> Result<Json<Value>, ApiError> {
    // A uid that is no integer names no node: 404 like an unknown one (reference).
    let node = uid
        .parse::<usize>()
        .ok()
        .filter(|uid| (1..=state.cluster.nodes().len()).contains(uid));
    match node {
        Some(uid) => Ok(Json(node_object(uid, &software_version()))),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            format!("no node has uid {uid:?}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_report_the_newest_version_read_with_build_zero() {
        let version = software_version();
        assert!(version.ends_with("-0"), "{version}");
        assert_eq!(
            contract::ProductVersion::from_software_version(&version).ok(),
            Contract::embedded().latest_version()
        );
    }
}
