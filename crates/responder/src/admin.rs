//! The responder's admin API, in the manner of WireMock's `/__admin`: a test written in any
//! language drives the responder over HTTP on its own port.
//!
//! | route                      | what it does                                                  |
//! |----------------------------|---------------------------------------------------------------|
//! | `GET /__admin/health`      | `{"status":"ok"}`                                             |
//! | `GET /__admin/behaviour`   | the current behaviour: its catalogue row and its definition   |
//! | `PUT /__admin/behaviour`   | `{"behaviour":"NAME"}` or `{"definition":{...}}` changes it   |
//! | `GET /__admin/behaviours`  | the catalogue                                                 |
//! | `GET /__admin/requests`    | the journal, decoded (`?limit=N`: the last N)                 |
//! | `DELETE /__admin/requests` | empties the journal                                           |
//! | `POST /__admin/reset`      | the starting behaviour again, and an empty journal            |
//!
//! Every error is JSON, `{"error": "..."}` with what helps put it right beside it.

use std::sync::{Arc, PoisonError, RwLock};

use bytes::Bytes;
use http::{HeaderValue, Method, Response, StatusCode, header};
use serde::Deserialize;
use serde_json::{Value, json};

use super::behaviour::Behaviour;
use super::catalogue::{catalogue, catalogue_entry, closest_name, entry_for};
use super::journal::Journal;
use super::server::BodyError;

/// The path prefix of admin requests. No OCSP request path can start with it: base64 has no
/// `_`, so a GET request's path never does.
pub const ADMIN_PREFIX: &str = "/__admin";

/// The largest admin request body read; a behaviour's definition is a few hundred octets.
pub const MAX_ADMIN_BODY: usize = 64 * 1024;

/// Whether a request for `path` is an admin request: a prefix check, so that the OCSP path
/// pays one comparison.
pub(crate) fn is_admin(path: &str) -> bool {
    path.starts_with(ADMIN_PREFIX)
}

/// The state the admin API reads and changes.
#[derive(Debug)]
pub(crate) struct Controls {
    behaviour: RwLock<Arc<Behaviour>>,
    initial: Arc<Behaviour>,
    pub(crate) journal: Journal,
}

impl Controls {
    pub(crate) fn new(initial: Behaviour, journal: Journal) -> Self {
        let initial = Arc::new(initial);
        Self {
            behaviour: RwLock::new(Arc::clone(&initial)),
            initial,
            journal,
        }
    }

    pub(crate) fn behaviour(&self) -> Arc<Behaviour> {
        Arc::clone(
            &self
                .behaviour
                .read()
                .unwrap_or_else(PoisonError::into_inner),
        )
    }

    pub(crate) fn set_behaviour(&self, behaviour: Arc<Behaviour>) {
        // A whole Arc is swapped in: a poisoned lock still holds a consistent value.
        *self
            .behaviour
            .write()
            .unwrap_or_else(PoisonError::into_inner) = behaviour;
    }

    pub(crate) fn initial(&self) -> Arc<Behaviour> {
        Arc::clone(&self.initial)
    }

    /// The starting behaviour and an empty journal.
    pub(crate) fn reset(&self) {
        self.set_behaviour(self.initial());
        self.journal.clear();
    }
}

/// Why an admin request was refused.
#[derive(Debug, thiserror::Error)]
pub(crate) enum AdminError {
    #[error("no admin route {method} {path}")]
    NotFound { method: Method, path: String },
    #[error("{method} is not allowed on {path}")]
    MethodNotAllowed {
        method: Method,
        path: &'static str,
        allow: &'static str,
    },
    #[error("the body is not the JSON this route takes: {0}")]
    BadJson(#[source] serde_json::Error),
    #[error("give exactly one of \"behaviour\" (a catalogue name) and \"definition\"")]
    NeitherOrBoth,
    #[error("unknown behaviour {name:?}")]
    UnknownBehaviour { name: String },
    #[error("bad query parameter {0:?}: only limit=N (a whole number) is understood")]
    BadQuery(String),
    #[error("the body is over {MAX_ADMIN_BODY} octets")]
    TooLarge,
    #[error("{0}")]
    Unfinished(BodyError),
}

impl From<BodyError> for AdminError {
    fn from(error: BodyError) -> Self {
        match error {
            BodyError::TooLarge => AdminError::TooLarge,
            other => AdminError::Unfinished(other),
        }
    }
}

impl AdminError {
    fn status(&self) -> StatusCode {
        match self {
            AdminError::NotFound { .. } => StatusCode::NOT_FOUND,
            AdminError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            AdminError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AdminError::Unfinished(BodyError::TimedOut) => StatusCode::REQUEST_TIMEOUT,
            AdminError::Unfinished(_) => StatusCode::BAD_REQUEST,
            AdminError::BadJson(_)
            | AdminError::NeitherOrBoth
            | AdminError::UnknownBehaviour { .. }
            | AdminError::BadQuery(_) => StatusCode::BAD_REQUEST,
        }
    }

    /// `{"error": ...}` and what helps: the routes, the methods allowed, the nearest name.
    fn body(&self) -> Value {
        let mut body = json!({ "error": self.to_string() });
        match self {
            AdminError::NotFound { .. } => {
                body["routes"] = json!(
                    ROUTES
                        .iter()
                        .flat_map(|(path, allow)| allow
                            .split(", ")
                            .map(move |method| format!("{method} {path}")))
                        .collect::<Vec<_>>()
                );
            }
            AdminError::MethodNotAllowed { allow, .. } => {
                body["allow"] = json!(allow.split(", ").collect::<Vec<_>>());
            }
            AdminError::UnknownBehaviour { name } => {
                body["closest"] = json!(closest_name(name).map(|(closest, _)| closest));
                body["catalogue"] = json!(format!("GET {ADMIN_PREFIX}/behaviours"));
            }
            _ => {}
        }
        body
    }
}

/// Every route and the methods it takes, as an `Allow` header lists them.
const ROUTES: &[(&str, &str)] = &[
    ("/__admin/health", "GET"),
    ("/__admin/behaviour", "GET, PUT"),
    ("/__admin/behaviours", "GET"),
    ("/__admin/requests", "GET, DELETE"),
    ("/__admin/reset", "POST"),
];

/// The body of `PUT /__admin/behaviour`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SetBehaviour {
    /// A catalogue name.
    behaviour: Option<String>,
    /// A whole behaviour, as `GET /__admin/behaviour` shows one.
    definition: Option<Behaviour>,
}

/// Answers an admin request; `body` is why it was not read whole, if it was not.
pub(crate) fn respond(
    controls: &Controls,
    method: &Method,
    path: &str,
    query: Option<&str>,
    body: Result<&[u8], BodyError>,
) -> Response<Bytes> {
    match route(controls, method, path, query, body) {
        Ok(value) => json_response(StatusCode::OK, &value),
        Err(error) => {
            let mut response = json_response(error.status(), &error.body());
            if let AdminError::MethodNotAllowed { allow, .. } = error {
                response
                    .headers_mut()
                    .insert(header::ALLOW, HeaderValue::from_static(allow));
            }
            response
        }
    }
}

fn route(
    controls: &Controls,
    method: &Method,
    path: &str,
    query: Option<&str>,
    body: Result<&[u8], BodyError>,
) -> Result<Value, AdminError> {
    let Some(&(path, allow)) = ROUTES.iter().find(|(route, _)| *route == path) else {
        return Err(AdminError::NotFound {
            method: method.clone(),
            path: path.to_owned(),
        });
    };
    let not_allowed = || AdminError::MethodNotAllowed {
        method: method.clone(),
        path,
        allow,
    };
    if !allow.split(", ").any(|allowed| allowed == method.as_str()) {
        return Err(not_allowed());
    }
    let body = body?;
    match (path, method.as_str()) {
        ("/__admin/health", _) => Ok(json!({ "status": "ok" })),
        ("/__admin/behaviour", "GET") => Ok(view(&controls.behaviour())),
        ("/__admin/behaviour", _) => {
            let behaviour = Arc::new(parse_behaviour(body)?);
            controls.set_behaviour(Arc::clone(&behaviour));
            Ok(view(&behaviour))
        }
        ("/__admin/behaviours", _) => Ok(json!(catalogue())),
        ("/__admin/requests", "GET") => {
            let limit = parse_limit(query)?;
            let journal = &controls.journal;
            let requests = match limit {
                Some(limit) => journal.recent(limit),
                None => journal.entries(),
            };
            Ok(json!({ "total": journal.total(), "requests": requests }))
        }
        ("/__admin/requests", _) => {
            let cleared = controls.journal.kept();
            controls.journal.clear();
            Ok(json!({ "cleared": cleared }))
        }
        ("/__admin/reset", _) => {
            controls.reset();
            Ok(json!({ "behaviour": view(&controls.behaviour()), "requests": 0 }))
        }
        // Every route above matches every method its Allow lists.
        _ => Err(not_allowed()),
    }
}

/// The behaviour's catalogue row (every field `null` or absent when it is none) and its
/// definition.
fn view(behaviour: &Behaviour) -> Value {
    let mut value = match entry_for(behaviour) {
        Some(entry) => json!(entry),
        None => json!({ "name": null }),
    };
    value["definition"] = json!(behaviour);
    value
}

fn parse_behaviour(body: &[u8]) -> Result<Behaviour, AdminError> {
    let request: SetBehaviour = serde_json::from_slice(body).map_err(AdminError::BadJson)?;
    match (request.behaviour, request.definition) {
        (Some(name), None) => catalogue_entry(&name)
            .map(|entry| entry.behaviour)
            .ok_or(AdminError::UnknownBehaviour { name }),
        (None, Some(definition)) => Ok(definition),
        _ => Err(AdminError::NeitherOrBoth),
    }
}

fn parse_limit(query: Option<&str>) -> Result<Option<usize>, AdminError> {
    let mut limit = None;
    for pair in query
        .unwrap_or("")
        .split('&')
        .filter(|pair| !pair.is_empty())
    {
        match pair.split_once('=') {
            Some(("limit", value)) => {
                limit = Some(
                    value
                        .parse()
                        .map_err(|_| AdminError::BadQuery(pair.to_owned()))?,
                );
            }
            _ => return Err(AdminError::BadQuery(pair.to_owned())),
        }
    }
    Ok(limit)
}

fn json_response(status: StatusCode, value: &Value) -> Response<Bytes> {
    // A Value always serialises; the fallback is never taken.
    let mut text = serde_json::to_vec_pretty(value).unwrap_or_default();
    text.push(b'\n');
    let mut response = Response::new(Bytes::from(text));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    // The state changes under the reader's feet: nothing may keep an answer.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::behaviour_named;

    fn controls() -> Controls {
        Controls::new(Behaviour::default(), Journal::new(10))
    }

    fn call(
        controls: &Controls,
        method: Method,
        path: &str,
        query: Option<&str>,
        body: &str,
    ) -> (StatusCode, Value, http::HeaderMap) {
        let response = respond(controls, &method, path, query, Ok(body.as_bytes()));
        let (parts, body) = response.into_parts();
        let value = serde_json::from_slice(&body).expect("every answer is JSON");
        (parts.status, value, parts.headers)
    }

    #[test]
    fn health_says_ok() {
        let (status, body, headers) = call(&controls(), Method::GET, "/__admin/health", None, "");
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, json!({ "status": "ok" }));
        assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    }

    #[test]
    fn the_behaviour_changes_by_name_or_definition_and_reset_restores_the_first() {
        let controls = controls();
        let (_, body, _) = call(&controls, Method::GET, "/__admin/behaviour", None, "");
        assert_eq!(body["name"], "good");
        assert_eq!(body["verdict"], "good");

        let (status, body, _) = call(
            &controls,
            Method::PUT,
            "/__admin/behaviour",
            None,
            r#"{"behaviour":"revoked"}"#,
        );
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["name"], "revoked");
        assert_eq!(
            *controls.behaviour(),
            behaviour_named("revoked").expect("a row")
        );

        // A definition read back from GET can be sent again with one knob changed.
        let mut definition = body["definition"].clone();
        definition["delivery"]["http_status"] = json!(503);
        let (status, body, _) = call(
            &controls,
            Method::PUT,
            "/__admin/behaviour",
            None,
            &json!({ "definition": definition }).to_string(),
        );
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["name"], Value::Null, "no catalogue row is this one");
        assert_eq!(controls.behaviour().delivery.http_status, 503);

        let (status, body, _) = call(&controls, Method::POST, "/__admin/reset", None, "");
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["behaviour"]["name"], "good");
        assert_eq!(*controls.behaviour(), Behaviour::default());
    }

    #[test]
    fn an_unknown_name_is_refused_with_the_nearest_one() {
        let controls = controls();
        let (status, body, _) = call(
            &controls,
            Method::PUT,
            "/__admin/behaviour",
            None,
            r#"{"behaviour":"revokd"}"#,
        );
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"], r#"unknown behaviour "revokd""#);
        assert_eq!(body["closest"], "revoked");
        assert_eq!(*controls.behaviour(), Behaviour::default(), "unchanged");
    }

    #[test]
    fn bad_bodies_are_400_and_say_why() {
        let controls = controls();
        for body in [
            "not json",
            r#"{"behavior":"good"}"#,
            r#"{"behaviour":7}"#,
            "{}",
            r#"{"behaviour":"good","definition":{}}"#,
        ] {
            let (status, answer, _) =
                call(&controls, Method::PUT, "/__admin/behaviour", None, body);
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
            assert!(answer["error"].as_str().is_some_and(|e| !e.is_empty()));
        }
        let too_large = respond(
            &controls,
            &Method::PUT,
            "/__admin/behaviour",
            None,
            Err(BodyError::TooLarge),
        );
        assert_eq!(too_large.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let too_slow = respond(
            &controls,
            &Method::PUT,
            "/__admin/behaviour",
            None,
            Err(BodyError::TimedOut),
        );
        assert_eq!(too_slow.status(), StatusCode::REQUEST_TIMEOUT);
    }

    #[test]
    fn unknown_paths_are_404_and_wrong_methods_405_with_allow() {
        let controls = controls();
        let (status, body, _) = call(&controls, Method::GET, "/__admin/nope", None, "");
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(
            body["routes"]
                .as_array()
                .is_some_and(|routes| routes.contains(&json!("PUT /__admin/behaviour")))
        );
        let (status, body, headers) =
            call(&controls, Method::DELETE, "/__admin/behaviour", None, "");
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(headers[header::ALLOW], "GET, PUT");
        assert_eq!(body["allow"], json!(["GET", "PUT"]));
    }

    #[test]
    fn the_journal_is_listed_limited_and_cleared() {
        let controls = controls();
        let (_, body, _) = call(&controls, Method::GET, "/__admin/requests", None, "");
        assert_eq!(body, json!({ "total": 0, "requests": [] }));
        for bad in ["limit=x", "limit=-1", "max=3"] {
            let (status, _, _) = call(&controls, Method::GET, "/__admin/requests", Some(bad), "");
            assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        }
        let (status, body, _) = call(
            &controls,
            Method::GET,
            "/__admin/requests",
            Some("limit=2"),
            "",
        );
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["requests"], json!([]));
        let (status, body, _) = call(&controls, Method::DELETE, "/__admin/requests", None, "");
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, json!({ "cleared": 0 }));
    }

    #[test]
    fn the_catalogue_is_listed_whole() {
        let (_, body, _) = call(&controls(), Method::GET, "/__admin/behaviours", None, "");
        let rows = body.as_array().expect("an array");
        assert_eq!(rows.len(), catalogue().len());
        assert_eq!(rows[0]["name"], "good");
    }

    #[test]
    fn only_the_admin_prefix_is_admin() {
        assert!(is_admin("/__admin/health"));
        assert!(is_admin("/__admin"));
        assert!(!is_admin("/"));
        assert!(!is_admin("/MEMwQTA_"));
    }
}
