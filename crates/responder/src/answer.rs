//! What a behaviour answers to a decoded request, as bytes and headers: the part of an answer
//! that does not need the socket. The server and the wiremock adapter both build their answers
//! here, so that a behaviour means the same thing through either.

use http::{HeaderMap, HeaderValue, StatusCode, header};
use time::OffsetDateTime;

use super::behaviour::{Behaviour, Body, Delivery};
use ocsp::{DecodedRequest, ResponseFactory, ResponsePlan, ResponseStatus, unsigned_response};

/// The media type of OCSP responses (RFC 6960 appendix A.2).
pub const OCSP_RESPONSE_TYPE: &str = "application/ocsp-response";

/// The body a behaviour sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Payload {
    /// These bytes, under this media type.
    Bytes {
        bytes: Vec<u8>,
        content_type: &'static str,
    },
    /// Zeros without end.
    Endless,
}

/// The DER the behaviour's plan signs for `request` at `now`, or an unsigned `internalError`
/// when the plan cannot be built (the client then sees a responder failing, not a hang).
pub(crate) fn sign(
    factory: &ResponseFactory,
    behaviour: &Behaviour,
    request: &DecodedRequest,
    now: OffsetDateTime,
) -> Vec<u8> {
    match factory.respond(&behaviour.response, request, now) {
        Ok(der) => der,
        Err(error) => {
            tracing::warn!(%error, "cannot build the planned response; answering internalError");
            internal_error()
        }
    }
}

/// What `body` makes of the signed `der`.
pub(crate) fn payload(der: Vec<u8>, body: Body) -> Payload {
    let (bytes, content_type) = match body {
        Body::Der => (der, OCSP_RESPONSE_TYPE),
        Body::TruncatedDer => (der[..der.len() / 2].to_vec(), OCSP_RESPONSE_TYPE),
        Body::TrailingBytes => {
            let mut bytes = der;
            bytes.extend([0, 0]);
            (bytes, OCSP_RESPONSE_TYPE)
        }
        Body::RandomBytes => (not_der(&der), OCSP_RESPONSE_TYPE),
        Body::Empty => (Vec::new(), OCSP_RESPONSE_TYPE),
        Body::Html => (HTML_PAGE.as_bytes().to_vec(), "text/html; charset=utf-8"),
        Body::Oversized(size) => {
            let mut bytes = der;
            bytes.resize(size.max(bytes.len()), 0);
            (bytes, OCSP_RESPONSE_TYPE)
        }
        Body::NeverEnding => return Payload::Endless,
    };
    Payload::Bytes {
        bytes,
        content_type,
    }
}

/// The HTTP status the delivery asks for (200 when it names no valid one).
pub(crate) fn status(delivery: &Delivery) -> StatusCode {
    StatusCode::from_u16(delivery.http_status).unwrap_or(StatusCode::OK)
}

/// The headers every answer of `delivery` carries: Content-Type (the delivery's own, or the
/// payload's) and Location for a redirect.
pub(crate) fn delivery_headers(
    headers: &mut HeaderMap,
    delivery: &Delivery,
    payload_type: &'static str,
) {
    let content_type = delivery.content_type.as_deref().unwrap_or(payload_type);
    if let Ok(value) = HeaderValue::from_str(content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    if let Some(location) = delivery
        .redirect_to
        .as_deref()
        .and_then(|location| HeaderValue::from_str(location).ok())
    {
        headers.insert(header::LOCATION, location);
    }
}

/// The entity tag of a signed response sent whole, as signed: only such a response may be
/// cached ([`caching_headers`]); anything else has none.
pub(crate) fn etag(behaviour: &Behaviour, der: &[u8]) -> Option<String> {
    use sha2::Digest;
    (matches!(behaviour.response, ResponsePlan::Signed(_)) && behaviour.delivery.body == Body::Der)
        .then(|| ocsp::hex(&sha2::Sha256::digest(der)[..16]))
}

/// RFC 5019 section 6.2: what a cache needs to keep a signed response until its nextUpdate,
/// for a response that has an [`etag`].
pub(crate) fn caching_headers(
    headers: &mut HeaderMap,
    behaviour: &Behaviour,
    etag: Option<String>,
    now: OffsetDateTime,
) {
    let (ResponsePlan::Signed(plan), Some(etag)) = (&behaviour.response, etag) else {
        return;
    };
    let mut add = |name: header::HeaderName, value: String| {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    };
    add(header::ETAG, format!("\"{etag}\""));
    add(
        header::LAST_MODIFIED,
        contract::imf_fixdate(now + plan.this_update),
    );
    if let Some(next_update) = plan.next_update {
        let max_age = next_update.whole_seconds().max(0);
        add(
            header::CACHE_CONTROL,
            format!("max-age={max_age}, public, no-transform, must-revalidate"),
        );
        add(header::EXPIRES, contract::imf_fixdate(now + next_update));
    }
}

/// An unsigned `malformedRequest` response.
pub(crate) fn malformed_request() -> Vec<u8> {
    unsigned_response(ResponseStatus::MalformedRequest.code())
}

/// An unsigned `internalError` response.
pub(crate) fn internal_error() -> Vec<u8> {
    unsigned_response(ResponseStatus::InternalError.code())
}

/// Sixty-four octets derived from `seed` that are certainly not DER (the first is not a
/// valid tag for an OCSPResponse).
fn not_der(seed: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    let mut bytes = sha2::Sha512::digest(seed).to_vec();
    bytes[0] = 0xff;
    bytes
}

const HTML_PAGE: &str = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\
<body><h1>Bad Gateway</h1><p>The OCSP service is unavailable.</p></body></html>\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_body_shapes_the_der_as_documented() {
        let der = vec![0x30, 0x03, 0x0a, 0x01, 0x00, 0x01];
        let bytes = |body| match payload(der.clone(), body) {
            Payload::Bytes { bytes, .. } => bytes,
            Payload::Endless => Vec::new(),
        };
        assert_eq!(bytes(Body::Der), der);
        assert_eq!(bytes(Body::TruncatedDer), der[..3]);
        assert_eq!(bytes(Body::TrailingBytes).len(), der.len() + 2);
        assert_eq!(bytes(Body::RandomBytes)[0], 0xff);
        assert!(bytes(Body::Empty).is_empty());
        assert_eq!(bytes(Body::Oversized(100)).len(), 100);
        assert_eq!(bytes(Body::Oversized(2)), der, "never shorter than the DER");
        assert_eq!(payload(der.clone(), Body::NeverEnding), Payload::Endless);
        assert!(matches!(
            payload(der, Body::Html),
            Payload::Bytes { content_type, .. } if content_type.starts_with("text/html")
        ));
    }

    #[test]
    fn a_delivery_names_its_own_content_type_and_redirect() {
        let mut headers = HeaderMap::new();
        let delivery = Delivery {
            content_type: Some("text/plain".to_owned()),
            redirect_to: Some("http://elsewhere.test/".to_owned()),
            http_status: 302,
            ..Delivery::default()
        };
        delivery_headers(&mut headers, &delivery, OCSP_RESPONSE_TYPE);
        assert_eq!(headers[header::CONTENT_TYPE], "text/plain");
        assert_eq!(headers[header::LOCATION], "http://elsewhere.test/");
        assert_eq!(status(&delivery), StatusCode::FOUND);
        let odd = Delivery {
            http_status: 1000,
            ..Delivery::default()
        };
        assert_eq!(status(&odd), StatusCode::OK);
    }
}
