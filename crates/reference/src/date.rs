//! The `Date` header of every answer, from the server's clock rather than the machine's, so
//! that a client can learn the time the server lives in (a virtual clock set to 2030, a clock
//! run faster than real time). RFC 9110 §5.6.7 gives the form: IMF-fixdate.
//!
//! hyper writes a `Date` of its own (the machine's time) only when an answer has none, over
//! HTTP/1.1 and HTTP/2 alike, so the one set here is the one sent.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::Response;

use clock::Clock;

/// `router` with a `Date` header from `clock` on every answer, the fallbacks' included.
pub fn with_date_header(router: Router, clock: Arc<dyn Clock>) -> Router {
    router.layer(axum::middleware::map_response_with_state(clock, stamp))
}

async fn stamp(State(clock): State<Arc<dyn Clock>>, mut response: Response) -> Response {
    // An IMF-fixdate is ASCII by construction; were it ever not, hyper's own Date is the
    // better answer than none.
    if let Ok(value) = HeaderValue::from_str(&contract::imf_fixdate(clock.now())) {
        response.headers_mut().insert(header::DATE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use axum::routing::get;
    use clock::VirtualClock;
    use time::macros::datetime;
    use tower::ServiceExt;

    use super::*;

    #[tokio::test]
    async fn every_answer_carries_the_clocks_date() {
        let clock = VirtualClock::new(datetime!(2030-01-01 00:00 UTC));
        let router = with_date_header(
            Router::new().route("/here", get(|| async { "ok" })),
            Arc::new(clock),
        );
        for (path, status) in [
            ("/here", StatusCode::OK),
            ("/nowhere", StatusCode::NOT_FOUND),
        ] {
            let request = Request::get(path).body(Body::empty()).expect("a request");
            let response = router.clone().oneshot(request).await.expect("answered");
            assert_eq!(response.status(), status);
            assert_eq!(
                response.headers()[header::DATE],
                "Tue, 01 Jan 2030 00:00:00 GMT",
                "{path}"
            );
        }
    }
}
