//! The catalogue's behaviours as [`wiremock::Respond`] implementations, for tests that mount
//! their mocks with the `wiremock` crate (feature `wiremock`).
//!
//! The answer is built by the same code as the responder's ([`super::answer`]): the same DER,
//! signed with the same keys, with the same body shapes, status, Content-Type, Location and
//! caching headers. What wiremock cannot do is reach below HTTP: it always sends a whole
//! response, and it waits on the real clock. So:
//!
//! | behaviour                        | through wiremock                                         |
//! |----------------------------------|----------------------------------------------------------|
//! | delays (`slower-than-timeout`)   | `set_delay`: the same wait, on the real clock            |
//! | `slow-drip`                      | the whole drip's time as one delay, then the whole body  |
//! | `never-ending-body`              | a finite body one octet over the client's cap            |
//! | `reset-mid-body`, `close-mid-body`, `close-without-answer` | refused: [`WiremockError::Unsupported`] |
//!
//! Each approximation keeps the strict client's verdict (a timeout, a body over the cap); run
//! the responder itself ([`crate::Responder`]) for the real thing.

use std::sync::Arc;

use http::{HeaderMap, header};
use wiremock::{Request, ResponseTemplate};

use super::answer::{self, OCSP_RESPONSE_TYPE, Payload};
use super::behaviour::{Behaviour, Body, Socket};
use super::catalogue::{behaviour_named, closest_name};
use super::server::MAX_REQUEST_BODY;
use clock::{Clock, SystemClock};
use contract::RESPONSE_CAP;
use ocsp::{BuildError, DecodedRequest, ResponseFactory};
use pki::TestPki;

/// Why a behaviour cannot be served through wiremock.
#[derive(Debug, thiserror::Error)]
pub enum WiremockError {
    /// No catalogue row has this name.
    #[error("unknown behaviour {name:?}{}", closest.as_ref().map(|c| format!(" (did you mean {c:?}?)")).unwrap_or_default())]
    UnknownBehaviour {
        /// The name asked for.
        name: String,
        /// The catalogue's nearest name.
        closest: Option<String>,
    },
    /// The behaviour breaks the connection, which wiremock cannot do.
    #[error(
        "{0}: wiremock always sends a whole response; start the responder (Responder::start) for socket faults"
    )]
    Unsupported(&'static str),
    /// The PKI could not be prepared for signing.
    #[error("cannot prepare the PKI for signing")]
    Pki(#[from] BuildError),
}

/// How faithfully wiremock serves a behaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fidelity {
    /// Byte for byte, header for header, as the responder does.
    Same,
    /// Approximated, keeping the strict client's verdict; says how.
    Approximated(&'static str),
}

/// How wiremock can serve `behaviour`, or why it cannot.
pub fn wiremock_fidelity(behaviour: &Behaviour) -> Result<Fidelity, WiremockError> {
    let delivery = &behaviour.delivery;
    match delivery.socket {
        Socket::ResetMidBody => return Err(WiremockError::Unsupported("a reset mid-body")),
        Socket::CloseMidBody => return Err(WiremockError::Unsupported("a close mid-body")),
        Socket::CloseWithoutAnswer => {
            return Err(WiremockError::Unsupported("a close without an answer"));
        }
        Socket::SlowDrip { .. } => {
            return Ok(Fidelity::Approximated(
                "the drip's whole time as one real delay, then the whole body",
            ));
        }
        Socket::Normal => {}
    }
    if delivery.body == Body::NeverEnding {
        return Ok(Fidelity::Approximated(
            "a finite body one octet over the client's cap",
        ));
    }
    if delivery.delay.is_some() {
        return Ok(Fidelity::Approximated(
            "the delay waits on the real clock, not the responder's",
        ));
    }
    Ok(Fidelity::Same)
}

/// A behaviour as a wiremock responder: answers every OCSP request (POST, or RFC 5019 GET) it
/// is mounted for with real DER signed for the PKI.
///
/// ```no_run
/// # async fn example(pki: std::sync::Arc<pki::TestPki>) -> Result<(), Box<dyn std::error::Error>> {
/// use ocsp_harness_responder::OcspRespond;
/// use wiremock::{Mock, MockServer, matchers::method};
///
/// let server = MockServer::start().await;
/// Mock::given(method("POST"))
///     .respond_with(OcspRespond::named(pki, "revoked")?)
///     .mount(&server)
///     .await;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct OcspRespond {
    factory: Arc<ResponseFactory>,
    behaviour: Behaviour,
    clock: Arc<dyn Clock>,
}

impl OcspRespond {
    /// Serves `behaviour` for `pki`, dating responses by the system clock.
    pub fn new(pki: Arc<TestPki>, behaviour: Behaviour) -> Result<Self, WiremockError> {
        wiremock_fidelity(&behaviour)?;
        Ok(Self {
            factory: Arc::new(ResponseFactory::new(pki)?),
            behaviour,
            clock: Arc::new(SystemClock),
        })
    }

    /// Serves the catalogue's behaviour `name` for `pki`.
    pub fn named(pki: Arc<TestPki>, name: &str) -> Result<Self, WiremockError> {
        let behaviour = behaviour_named(name).ok_or_else(|| WiremockError::UnknownBehaviour {
            name: name.to_owned(),
            closest: closest_name(name).map(|(closest, _)| closest),
        })?;
        Self::new(pki, behaviour)
    }

    /// Dates responses by `clock` (a virtual clock for a PKI made for another day). Delays
    /// still wait on the real clock: wiremock's.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The behaviour served.
    pub fn behaviour(&self) -> &Behaviour {
        &self.behaviour
    }

    fn answer(&self, request: &DecodedRequest) -> ResponseTemplate {
        let behaviour = &self.behaviour;
        let delivery = &behaviour.delivery;
        let now = self.clock.now();
        let der = answer::sign(&self.factory, behaviour, request, now);
        let etag = answer::etag(behaviour, &der);
        let (bytes, payload_type) = match answer::payload(der, delivery.body) {
            Payload::Bytes {
                bytes,
                content_type,
            } => (bytes, content_type),
            Payload::Endless => (vec![0; RESPONSE_CAP + 1], OCSP_RESPONSE_TYPE),
        };
        let mut headers = HeaderMap::new();
        answer::delivery_headers(&mut headers, delivery, payload_type);
        answer::caching_headers(&mut headers, behaviour, etag, now);

        let mut delay = delivery.delay.unwrap_or_default();
        if let Socket::SlowDrip { chunk, interval } = delivery.socket {
            // The first piece goes at once, each of the others an interval later.
            let pieces = bytes.len().div_ceil(chunk.max(1));
            delay += interval * u32::try_from(pieces.saturating_sub(1)).unwrap_or(u32::MAX);
        }
        template(answer::status(delivery).as_u16(), headers, bytes)
            .set_delay(std::time::Duration::try_from(delay).unwrap_or(std::time::Duration::ZERO))
    }
}

impl wiremock::Respond for OcspRespond {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let decoded = match request.method.as_str() {
            "POST" if request.body.len() > MAX_REQUEST_BODY => {
                return plain(413, "request body too large\n");
            }
            "POST" => DecodedRequest::from_der(&request.body),
            "GET" => DecodedRequest::from_get_path(request.url.path()),
            _ => return plain(405, "use GET or POST\n").insert_header(header::ALLOW, "GET, POST"),
        };
        match decoded {
            Ok(decoded) => self.answer(&decoded),
            Err(_) => {
                let mut headers = HeaderMap::new();
                headers.insert(
                    header::CONTENT_TYPE,
                    http::HeaderValue::from_static(OCSP_RESPONSE_TYPE),
                );
                template(200, headers, answer::malformed_request())
            }
        }
    }
}

/// A template with these headers and body. wiremock sets Content-Type from the body's media
/// type, so that one is passed as such.
fn template(status: u16, mut headers: HeaderMap, body: Vec<u8>) -> ResponseTemplate {
    let content_type = headers
        .remove(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().map(str::to_owned).ok())
        .unwrap_or_default();
    let mut template = ResponseTemplate::new(status).set_body_raw(body, &content_type);
    for (name, value) in &headers {
        template = template.insert_header(name.clone(), value.clone());
    }
    template
}

fn plain(status: u16, text: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(text, "text/plain; charset=utf-8")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::catalogue;

    #[test]
    fn only_the_socket_faults_are_refused() {
        let refused: Vec<String> = catalogue()
            .into_iter()
            .filter(|entry| wiremock_fidelity(&entry.behaviour).is_err())
            .map(|entry| entry.name)
            .collect();
        assert_eq!(
            refused,
            ["reset-mid-body", "close-mid-body", "close-without-answer"]
        );
        let approximated: Vec<String> = catalogue()
            .into_iter()
            .filter(|entry| {
                matches!(
                    wiremock_fidelity(&entry.behaviour),
                    Ok(Fidelity::Approximated(_))
                )
            })
            .map(|entry| entry.name)
            .collect();
        assert!(
            approximated.contains(&"slow-drip".to_owned()),
            "{approximated:?}"
        );
    }
}
