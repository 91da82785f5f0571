//! The endpoints. Every handler checks, in this order (reference): credentials (401), the
//! role's permission (403), the nodes' OCSP capability (406, OCSP endpoints only), the request
//! body (400), then its own rules.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use base64::Engine;
use serde_json::{Value, json};

use super::certificate::ProxyCertificate;
use super::cluster::{Cluster, QueryFailure};
use super::error::ApiError;
use super::roles::{Permission, Users};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The cluster.
    pub cluster: Arc<Cluster>,
    /// Who may log in.
    pub users: Arc<Users>,
}

/// The `/v1` routes, with JSON answers for unknown paths (404) and methods (405).
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/v1/ocsp", get(get_config).put(put_config))
        .route("/v1/ocsp/status", get(get_status))
        .route("/v1/ocsp/test", post(test))
        .route("/v1/cluster/update_cert", put(update_cert))
        .route("/v1/cluster/certificates", put(update_certificates))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "the endpoint does not take this method",
    )
}

/// 401 unless the Basic credentials name a user; 403 unless its role holds `permission`.
fn authorize(
    state: &AppState,
    headers: &HeaderMap,
    permission: Permission,
) -> Result<(), ApiError> {
    let credentials = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            let (scheme, encoded) = value.split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("basic")
                .then_some(encoded.trim())
        })
        .and_then(|encoded| {
            base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .ok()
        })
        .and_then(|decoded| String::from_utf8(decoded).ok())
        .ok_or_else(ApiError::unauthorized)?;
    let (username, password) = credentials
        .split_once(':')
        .ok_or_else(ApiError::unauthorized)?;
    let role = state
        .users
        .authenticate(username, password)
        .ok_or_else(ApiError::unauthorized)?;
    if role.has(permission) {
        Ok(())
    } else {
        Err(ApiError::forbidden(permission.name()))
    }
}

fn require_capability(state: &AppState) -> Result<(), ApiError> {
    if state.cluster.ocsp_capable() {
        Ok(())
    } else {
        Err(ApiError::unsupported_by_capability())
    }
}

/// The body as JSON: `None` when there is none. A body must be declared JSON (or carry no
/// Content-Type at all) and parse.
fn json_body(headers: &HeaderMap, body: &Bytes) -> Result<Option<Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    if let Some(content_type) = headers.get(header::CONTENT_TYPE) {
        let content_type = content_type
            .to_str()
            .map_err(|_| ApiError::invalid_header("Content-Type is not ASCII"))?;
        let media_type = content_type.split(';').next().unwrap_or_default().trim();
        if !media_type.eq_ignore_ascii_case("application/json") {
            return Err(ApiError::invalid_header(format!(
                "Content-Type must be application/json, not {media_type}"
            )));
        }
    }
    serde_json::from_slice(body)
        .map(Some)
        .map_err(|error| ApiError::invalid_schema(format!("the body is not JSON: {error}")))
}

async fn get_config(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    authorize(&state, &headers, Permission::ViewOcspConfig)?;
    require_capability(&state)?;
    let cluster = &state.cluster;
    Ok(Json(cluster.config().to_json(&cluster.responder_url())).into_response())
}

async fn put_config(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    authorize(&state, &headers, Permission::ConfigOcsp)?;
    require_capability(&state)?;
    let update = json_body(&headers, &body)?
        .ok_or_else(|| ApiError::invalid_schema("the body must be a JSON object"))?;
    let cluster = &state.cluster;
    let next = cluster.config().updated(&update)?;
    let url = cluster.responder_url();
    if next.ocsp_functionality && !cluster.config().ocsp_functionality && url.is_empty() {
        // Documented code; reference status.
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "no_responder_url",
            "cannot turn OCSP on: the proxy certificate has no OCSP responder URL",
        ));
    }
    cluster.set_config(next);
    Ok(Json(next.to_json(&url)).into_response())
}

async fn get_status(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    authorize(&state, &headers, Permission::ViewOcspStatus)?;
    require_capability(&state)?;
    match state.cluster.cached() {
        // Nothing cached yet: an empty object (reference).
        None => Ok(Json(json!({})).into_response()),
        Some(Ok(status)) => Ok(Json(status).into_response()),
        Some(Err(failure)) => Err(failure_error(failure)),
    }
}

async fn test(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    authorize(&state, &headers, Permission::TestOcspStatus)?;
    require_capability(&state)?;
    // Real clients send no body, `{}` or `null` (reference: all accepted).
    match json_body(&headers, &body)? {
        None | Some(Value::Null) => {}
        Some(Value::Object(fields)) if fields.is_empty() => {}
        Some(_) => {
            return Err(ApiError::invalid_schema(
                "the body must be absent, {} or null",
            ));
        }
    }
    match state.cluster.test().await {
        Ok(status) => Ok(Json(status).into_response()),
        Err(failure) => Err(failure_error(failure)),
    }
}

fn failure_error(failure: QueryFailure) -> ApiError {
    let message = failure.to_string();
    let code = match failure {
        QueryFailure::NoResponderUrl => "no_responder_url",
        QueryFailure::QueuedTooLong => "task_queued_for_too_long",
        QueryFailure::Invalid(_) => "invalid_ocsp_response",
        QueryFailure::Failed(_) => "ocsp_query_failed",
    };
    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, code, message)
}

/// The certificate names a cluster has (the OpenAPI's ClusterCertificatesResponse); only
/// `proxy` matters to OCSP, the others are accepted and kept aside.
const CERTIFICATE_NAMES: [&str; 11] = [
    "api",
    "cm",
    "proxy",
    "syncer",
    "metrics_exporter",
    "ldap_client",
    "ccs_internode_encryption",
    "data_internode_encryption",
    "mtls_trusted_ca",
    "sso_service",
    "sso_issuer",
];

/// One `{"name","certificate","key"}` entry, checked.
fn certificate_entry(value: &Value) -> Result<(String, String, String), ApiError> {
    let Value::Object(fields) = value else {
        return Err(ApiError::invalid_schema(
            "a certificate entry must be a JSON object",
        ));
    };
    if let Some(unknown) = fields
        .keys()
        .find(|key| !["name", "certificate", "key"].contains(&key.as_str()))
    {
        return Err(ApiError::invalid_schema(format!(
            "unknown field {unknown:?}"
        )));
    }
    let text = |field: &str| -> Result<String, ApiError> {
        match fields.get(field) {
            Some(Value::String(text)) => Ok(text.clone()),
            Some(_) => Err(ApiError::invalid_schema(format!(
                "{field} must be a string"
            ))),
            None => Err(ApiError::invalid_schema(format!("{field} is required"))),
        }
    };
    let name = text("name")?;
    if !CERTIFICATE_NAMES.contains(&name.as_str()) {
        return Err(ApiError::invalid_schema(format!(
            "unknown certificate name {name:?} (names: {})",
            CERTIFICATE_NAMES.join(", ")
        )));
    }
    Ok((name, text("certificate")?, text("key")?))
}

/// Checks every entry, then installs the proxy certificate if one is named.
fn install(state: &AppState, entries: &[Value]) -> Result<Response, ApiError> {
    let mut proxy = None;
    for entry in entries {
        let (name, certificate, key) = certificate_entry(entry)?;
        let parsed = ProxyCertificate::parse(&certificate, &key)?;
        if name == "proxy" {
            proxy = Some(parsed);
        }
    }
    if let Some(proxy) = proxy {
        state.cluster.install_proxy(proxy);
    }
    Ok(Json(json!({})).into_response())
}

async fn update_cert(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    authorize(&state, &headers, Permission::UpdateCluster)?;
    let entry = json_body(&headers, &body)?
        .ok_or_else(|| ApiError::invalid_schema("the body must be a JSON object"))?;
    install(&state, &[entry])
}

async fn update_certificates(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    authorize(&state, &headers, Permission::UpdateCluster)?;
    let body = json_body(&headers, &body)?
        .ok_or_else(|| ApiError::invalid_schema("the body must be a JSON object"))?;
    let Value::Object(fields) = &body else {
        return Err(ApiError::invalid_schema("the body must be a JSON object"));
    };
    if let Some(unknown) = fields.keys().find(|key| *key != "certificates") {
        return Err(ApiError::invalid_schema(format!(
            "unknown field {unknown:?}"
        )));
    }
    let Some(Value::Array(entries)) = fields.get("certificates") else {
        return Err(ApiError::invalid_schema("certificates must be an array"));
    };
    install(&state, entries)
}
