//! The endpoints. Every handler checks, in this order (reference): credentials (401), the
//! role's permission (403), the nodes' OCSP capability (406, OCSP endpoints only), the request
//! body (400), then its own rules.

use std::marker::PhantomData;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use base64::Engine;
use serde_json::{Value, json};

use contract::{ClusterAlert, Endpoint, ErrorCode, ManagementRole, UnknownName, Users};

use crate::cluster::Cluster;
use crate::error::ApiError;
use crate::front::BodyBytes;
use crate::roles::authenticate;

mod certificates;
mod nodes;

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
        .route(Endpoint::GetConfig.path(), get(get_config).put(put_config))
        .route(Endpoint::GetStatus.path(), get(get_status))
        .route(Endpoint::PostTest.path(), post(test))
        .route(Endpoint::UpdateCert.path(), put(certificates::update_cert))
        .route(
            Endpoint::PutCertificates.path(),
            put(certificates::update_certificates).get(certificates::get_certificates),
        )
        .route(
            Endpoint::DeleteCertificate.path(),
            delete(certificates::delete_certificate),
        )
        .route(
            Endpoint::RotateCertificates.path(),
            post(certificates::rotate),
        )
        .route(
            Endpoint::GetCluster.path(),
            get(get_cluster).put(put_cluster),
        )
        .route(Endpoint::GetAlerts.path(), get(get_alerts))
        .route(Endpoint::GetAlert.path(), get(get_alert))
        .route(Endpoint::GetNodes.path(), get(nodes::get_nodes))
        .route(Endpoint::GetNode.path(), get(nodes::get_node))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
        "no such endpoint",
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        "the endpoint does not take this method",
    )
}

/// The endpoint a handler serves, which says what it requires of a request before the
/// body is read: a permission (403 without it) and, for the OCSP endpoints, every node's OCSP
/// capability (406).
pub trait Requirement {
    /// The endpoint.
    const ENDPOINT: Endpoint;
}

macro_rules! requirements {
    ($($(#[$meta:meta])* $name:ident;)+) => {$(
        $(#[$meta])*
        #[derive(Debug)]
        pub struct $name;

        impl Requirement for $name {
            const ENDPOINT: Endpoint = Endpoint::$name;
        }
    )+};
}

/// Handlers' requirements, one per endpoint.
pub mod endpoint {
    use super::{Endpoint, Requirement};

    requirements! {
        /// `GET /v1/ocsp`.
        GetConfig;
        /// `PUT /v1/ocsp`.
        PutConfig;
        /// `GET /v1/ocsp/status`.
        GetStatus;
        /// `POST /v1/ocsp/test`.
        PostTest;
        /// `PUT /v1/cluster/update_cert`.
        UpdateCert;
        /// `PUT /v1/cluster/certificates`.
        PutCertificates;
        /// `GET /v1/cluster/certificates`.
        GetCertificates;
        /// `DELETE /v1/cluster/certificates/{certificate_name}`.
        DeleteCertificate;
        /// `POST /v1/cluster/certificates/rotate`.
        RotateCertificates;
        /// `GET /v1/cluster`.
        GetCluster;
        /// `PUT /v1/cluster`.
        PutCluster;
        /// `GET /v1/cluster/alerts`.
        GetAlerts;
        /// `GET /v1/cluster/alerts/{alert}`.
        GetAlert;
        /// `GET /v1/nodes`.
        GetNodes;
        /// `GET /v1/nodes/{uid}`.
        GetNode;
    }
}

/// A request whose Basic credentials name a user whose role holds `R`'s permission, to a
/// cluster whose nodes all support OCSP when `R`'s endpoint needs it: 401, then 403, then 406
/// otherwise. Taken as a handler's first argument, it runs before anything reads the body.
#[derive(Debug)]
pub struct Authorized<R: Requirement> {
    /// The user's role.
    pub role: ManagementRole,
    requirement: PhantomData<R>,
}

impl<R: Requirement> FromRequestParts<AppState> for Authorized<R> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let role = authenticated_role(state, &parts.headers).ok_or_else(ApiError::unauthorized)?;
        let permission = R::ENDPOINT.permission();
        if !role.has(permission) {
            return Err(ApiError::forbidden(permission));
        }
        if R::ENDPOINT.needs_ocsp_capability() && !state.cluster.ocsp_capable() {
            return Err(ApiError::unsupported_by_capability());
        }
        check_accept(&parts.headers)?;
        Ok(Self {
            role,
            requirement: PhantomData,
        })
    }
}

/// An `Accept` header must admit JSON (reference: http.accept-json); none admits anything.
fn check_accept(headers: &HeaderMap) -> Result<(), ApiError> {
    let mut values = headers.get_all(header::ACCEPT).iter().peekable();
    if values.peek().is_none() {
        return Ok(());
    }
    let mut admits_json = false;
    for value in values {
        let value = value
            .to_str()
            .map_err(|_| ApiError::invalid_header("Accept is not ASCII"))?;
        admits_json |= value.split(',').any(media_range_admits_json);
    }
    if admits_json {
        Ok(())
    } else {
        Err(ApiError::invalid_header(
            "Accept must admit application/json, the only type this API answers with",
        ))
    }
}

/// Whether one media range of an `Accept` header (`application/json;q=0.5`) admits JSON.
fn media_range_admits_json(range: &str) -> bool {
    let mut parts = range.split(';');
    let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    let refused = parts.any(|parameter| {
        parameter.split_once('=').is_some_and(|(name, value)| {
            name.trim().eq_ignore_ascii_case("q")
                && value.trim().parse::<f32>().is_ok_and(|q| q == 0.0)
        })
    });
    !refused && matches!(media.as_str(), "*/*" | "application/*" | "application/json")
}

/// The role of the user the Basic credentials name, if they name one.
fn authenticated_role(state: &AppState, headers: &HeaderMap) -> Option<ManagementRole> {
    let (username, password) = basic_credentials(headers)?;
    authenticate(&state.users, &username, &password)
}

/// The user name and password of Basic credentials, if the request carries any.
pub(crate) fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
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
        .and_then(|decoded| String::from_utf8(decoded).ok())?;
    let (username, password) = credentials.split_once(':')?;
    Some((username.to_owned(), password.to_owned()))
}

/// The body as JSON: `None` when there is none. A body must be declared JSON (or carry no
/// Content-Type at all) and parse: 400 otherwise.
#[derive(Debug)]
pub struct JsonBody(pub Option<Value>);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let headers = request.headers().clone();
        let BodyBytes(body) = BodyBytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        json_body(&headers, &body)
            .map(JsonBody)
            .map_err(IntoResponse::into_response)
    }
}

impl JsonBody {
    /// The body, which must be a JSON object.
    fn object(self) -> Result<serde_json::Map<String, Value>, ApiError> {
        match self.0 {
            Some(Value::Object(fields)) => Ok(fields),
            _ => Err(ApiError::invalid_schema("the body must be a JSON object")),
        }
    }
}

fn json_body(headers: &HeaderMap, body: &Bytes) -> Result<Option<Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    // Required for a PUT or POST that carries a body (reference: http.content-type-missing).
    let content_type = headers.get(header::CONTENT_TYPE).ok_or_else(|| {
        ApiError::invalid_header(
            "a request with a body must declare Content-Type: application/json",
        )
    })?;
    let content_type = content_type
        .to_str()
        .map_err(|_| ApiError::invalid_header("Content-Type is not ASCII"))?;
    let media_type = content_type.split(';').next().unwrap_or_default().trim();
    if !media_type.eq_ignore_ascii_case("application/json") {
        return Err(ApiError::invalid_header(format!(
            "Content-Type must be application/json, not {media_type}"
        )));
    }
    serde_json::from_slice(body)
        .map(Some)
        .map_err(|error| ApiError::invalid_schema(format!("the body is not JSON: {error}")))
}

async fn get_config(
    _: Authorized<endpoint::GetConfig>,
    State(state): State<AppState>,
) -> Result<Response, ApiError> {
    let cluster = &state.cluster;
    Ok(Json(cluster.config().to_json(&cluster.responder_url())).into_response())
}

async fn put_config(
    _: Authorized<endpoint::PutConfig>,
    State(state): State<AppState>,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let update = body
        .0
        .ok_or_else(|| ApiError::invalid_schema("the body must be a JSON object"))?;
    // Read, checked and written under one lock: concurrent partial updates each apply whole.
    let (next, url) = state.cluster.update_config(|config, url| {
        let next = config.updated(&update, url)?;
        if next.ocsp_functionality && !config.ocsp_functionality && url.is_empty() {
            // Documented code; reference status.
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::NoResponderUrl,
                "cannot turn OCSP on: the proxy certificate has no OCSP responder URL",
            ));
        }
        Ok(next)
    })?;
    Ok(Json(next.to_json(&url)).into_response())
}

async fn get_status(
    _: Authorized<endpoint::GetStatus>,
    State(state): State<AppState>,
) -> Result<Response, ApiError> {
    match state.cluster.cached() {
        // Nothing cached yet: an empty object (reference).
        None => Ok(Json(json!({})).into_response()),
        Some(Ok(status)) => Ok(Json(status).into_response()),
        Some(Err(failure)) => Err(failure.into()),
    }
}

async fn test(
    _: Authorized<endpoint::PostTest>,
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    // The page describes no body; real clients send none, `{}`, `null` or an object of their
    // own, whose fields are ignored (reference: test.body).
    match body {
        None | Some(Value::Null | Value::Object(_)) => {}
        Some(_) => {
            return Err(ApiError::invalid_schema(
                "the body must be absent, null or a JSON object",
            ));
        }
    }
    match state.cluster.test().await {
        Ok(status) => Ok(Json(status).into_response()),
        Err(failure) => Err(failure.into()),
    }
}

/// The reference's cluster name (the cluster object holds only what OCSP needs).
const CLUSTER_NAME: &str = "cluster.test";

fn cluster_object(state: &AppState) -> Value {
    json!({
        "name": CLUSTER_NAME,
        "alert_settings": state.cluster.alerts().settings_json(),
    })
}

async fn get_cluster(
    _: Authorized<endpoint::GetCluster>,
    State(state): State<AppState>,
) -> Response {
    Json(cluster_object(&state)).into_response()
}

/// `PUT /v1/cluster`: the reference takes `alert_settings` (the OCSP alerts) and `name`
/// unchanged; anything else is refused, since it models nothing else of the cluster
/// (reference: alerts.cluster-object-subset).
async fn put_cluster(
    _: Authorized<endpoint::PutCluster>,
    State(state): State<AppState>,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let fields = body.object()?;
    for (name, value) in &fields {
        match name.as_str() {
            "alert_settings" => {}
            "name" if value.as_str() == Some(CLUSTER_NAME) => {}
            _ => {
                return Err(ApiError::invalid_schema(format!(
                    "the reference cluster takes only alert_settings (the OCSP alerts), not {name:?}"
                )));
            }
        }
    }
    if let Some(settings) = fields.get("alert_settings") {
        state
            .cluster
            .update_alert_settings(settings)
            .map_err(|error| ApiError::invalid_schema(error.to_string()))?;
    }
    Ok(Json(cluster_object(&state)).into_response())
}

/// The query of the alert requests.
#[derive(Debug, serde::Deserialize)]
struct AlertQuery {
    /// Read the state whatever the settings say (documented).
    #[serde(default)]
    ignore_settings: bool,
}

async fn get_alerts(
    _: Authorized<endpoint::GetAlerts>,
    State(state): State<AppState>,
    query: Result<Query<AlertQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|error| ApiError::invalid_schema(error.body_text()))?;
    Ok(Json(state.cluster.alerts().all_json(query.ignore_settings)).into_response())
}

async fn get_alert(
    _: Authorized<endpoint::GetAlert>,
    State(state): State<AppState>,
    Path(name): Path<String>,
    query: Result<Query<AlertQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|error| ApiError::invalid_schema(error.body_text()))?;
    let alert: ClusterAlert = name.parse().map_err(|error: UnknownName| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            error.to_string(),
        )
    })?;
    Ok(Json(
        state
            .cluster
            .alerts()
            .alert_json(alert, query.ignore_settings),
    )
    .into_response())
}
