//! One log line per answered request, and the health route: what a server run as a service
//! (a container, a CI job's background step) is watched through.
//!
//! The line is a `tracing` event at info level on the target [`ACCESS_TARGET`], with the fields
//! `method`, `path` (without the query: a query may carry anything), `status`, `duration_ms`,
//! `remote` and `user`. The user is the name the Basic credentials give when it is a user of
//! the server, `-` otherwise: a name nobody has may be a password typed in the wrong field.
//! Neither the Authorization header nor any body is ever logged; bodies carry private keys.
//!
//! Nothing is written unless the program installs a subscriber: in process, the events cost
//! next to nothing.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::get;
use serde_json::json;

use contract::Users;
use responder::ConnectionGuard;

use crate::routes::basic_credentials;

/// The target of the request lines (`RUST_LOG=ocsp_harness::access=off` silences them), the
/// fake responder's: both log under it, with the same fields.
pub use responder::ACCESS_TARGET;

/// The health route: outside `/v1` so that it can never be taken for one of the vendor's
/// endpoints (nor be journaled or counted as one), and under `/_harness` with the harness's
/// other routes. It needs no credentials and is there with or without the provider states.
pub const HEALTH_PATH: &str = "/_harness/health";

/// `router` with a log line for every request it answers, the fallbacks' included.
pub fn with_access_log(router: Router, users: Arc<Users>) -> Router {
    router.layer(axum::middleware::from_fn_with_state(users, log_request))
}

async fn log_request(State(users): State<Arc<Users>>, request: Request, next: Next) -> Response {
    // Real time, not the server's clock: an operator reads how long the process took, and a
    // virtual or scaled clock would say nothing about that.
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let remote = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "-".to_owned(), |ConnectInfo(addr)| addr.to_string());
    let user = basic_credentials(request.headers())
        .map(|(username, _password)| username)
        .filter(|username| users.all().iter().any(|user| &user.username == username))
        .unwrap_or_else(|| "-".to_owned());
    let response = next.run(request).await;
    // Milliseconds to the microsecond: a number in JSON, short in text.
    let duration_ms = (started.elapsed().as_secs_f64() * 1_000_000.0).round() / 1000.0;
    tracing::info!(
        target: ACCESS_TARGET,
        method = %method,
        path = %path,
        status = response.status().as_u16(),
        duration_ms,
        remote = %remote,
        user = %user,
        "request"
    );
    response
}

/// `GET` (and `HEAD`) [`HEALTH_PATH`]: 200 `{"status": "ok", "version", "responder",
/// "connections", "tasks"}`: the embedded responder's URL, so that a supervisor can watch both,
/// and the connections open and the runtime's tasks alive, so that one can see that a flood of
/// clients has left nothing behind.
pub fn health_routes(responder_url: String, guard: ConnectionGuard) -> Router {
    Router::new().route(
        HEALTH_PATH,
        get(move || {
            let answer = json!({
                "status": "ok",
                "version": env!("CARGO_PKG_VERSION"),
                "responder": responder_url,
                "connections": guard.open_connections(),
                "tasks": tokio::runtime::Handle::current().metrics().num_alive_tasks(),
            });
            async move { Json(answer) }
        }),
    )
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{StatusCode, header};
    use tower::ServiceExt;

    use super::*;
    use serde_json::Value;

    #[tokio::test]
    async fn health_answers_json_to_get_and_head_without_credentials() {
        let guard = ConnectionGuard::new(
            responder::ConnectionLimits::DEFAULT,
            Arc::new(clock::SystemClock),
        );
        let router = health_routes("http://127.0.0.1:1/".to_owned(), guard);
        let request = Request::get(HEALTH_PATH)
            .body(Body::empty())
            .expect("a request");
        let answer = router.clone().oneshot(request).await.expect("answered");
        assert_eq!(answer.status(), StatusCode::OK);
        assert_eq!(answer.headers()[header::CONTENT_TYPE], "application/json");
        let body = axum::body::to_bytes(answer.into_body(), 1024)
            .await
            .expect("a body");
        let body: Value = serde_json::from_slice(&body).expect("JSON");
        assert_eq!(body["status"], "ok");
        assert_eq!(body["responder"], "http://127.0.0.1:1/");
        assert_eq!(body["connections"], 0);
        assert!(body["tasks"].is_u64());
        let head = Request::head(HEALTH_PATH)
            .body(Body::empty())
            .expect("a request");
        let answer = router.oneshot(head).await.expect("answered");
        assert_eq!(answer.status(), StatusCode::OK);
    }
}
