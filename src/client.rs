//! The OCSP client of the reference server: one HTTP query to a responder, then the strict
//! verifier. Like a careful cluster it follows no redirect, uses no proxy, reads at most
//! [`RESPONSE_CAP`](crate::responder::RESPONSE_CAP) octets and gives up after
//! `response_timeout` measured on its [`Clock`], so that a virtual clock can fire it.
//!
//! The outcome keeps the contract's two failure classes apart: a responder that did not
//! answer ([`QueryError::Failed`], `ocsp_query_failed`) and one that answered with something
//! unusable ([`QueryError::Invalid`], `invalid_ocsp_response`).

use std::sync::Arc;

use der::Decode;
use serde::{Deserialize, Serialize};
use time::Duration;
use x509_cert::Certificate;

use crate::clock::{self, Clock};
use crate::http_body::{BodyError, error_chain, read_capped};
use crate::ocsp::{
    DEFAULT_MAX_SKEW, HashAlgorithm, InvalidResponse, VerifiedResponse, VerifyContext,
    build_request, cert_id_for, get_path, verify_response,
};
use crate::responder::{RESPONSE_CAP, Verdict};

/// How the request travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    /// DER body, `application/ocsp-request`.
    #[default]
    Post,
    /// Base64 in the path (RFC 5019), for requests that fit 255 octets encoded.
    Get,
}

/// One query: about which certificate, where, and how.
#[derive(Debug, Clone)]
pub struct Query {
    /// The responder URL.
    pub url: String,
    /// DER of the certificate asked about.
    pub cert_der: Vec<u8>,
    /// DER of its issuer.
    pub issuer_der: Vec<u8>,
    /// The CertID hash algorithm.
    pub hash_algorithm: HashAlgorithm,
    /// Octets of nonce to send (RFC 8954 allows 1 to 32); `None` sends none.
    pub nonce_len: Option<usize>,
    /// POST or GET.
    pub method: HttpMethod,
    /// How long to wait for the whole answer.
    pub timeout: Duration,
}

/// A query that produced no usable status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// The responder did not answer: refused, reset, closed, timed out.
    #[error("the OCSP query failed: {0}")]
    Failed(String),
    /// The responder answered with something that is not a usable OCSP response.
    #[error("the OCSP response is not usable: {0}")]
    Invalid(InvalidAnswer),
    /// The certificate or issuer given does not decode: the query was never sent.
    #[error("cannot build the OCSP request: {0}")]
    Request(String),
}

/// What was wrong with an answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidAnswer {
    /// The HTTP status was not 200 (redirects included: they are not followed).
    #[error("HTTP status {0}")]
    HttpStatus(u16),
    /// The body was longer than the cap.
    #[error("the body is over {cap} octets")]
    TooLarge {
        /// The cap.
        cap: usize,
    },
    /// The body was read but is not a valid response.
    #[error("{0}")]
    Response(#[from] InvalidResponse),
}

impl QueryError {
    /// The verdict of the contract for this error.
    pub fn verdict(&self) -> Verdict {
        match self {
            QueryError::Failed(_) => Verdict::Failed,
            QueryError::Invalid(_) | QueryError::Request(_) => Verdict::Invalid,
        }
    }
}

/// The verdict of a query's outcome.
pub fn verdict_of(outcome: &Result<VerifiedResponse, QueryError>) -> Verdict {
    use crate::ocsp::ReportedStatus;
    match outcome {
        Ok(verified) => match verified.status {
            ReportedStatus::Good => Verdict::Good,
            ReportedStatus::Revoked { .. } => Verdict::Revoked,
            ReportedStatus::Unknown => Verdict::Unknown,
        },
        Err(error) => error.verdict(),
    }
}

/// An HTTP client that asks responders and verifies what they say.
#[derive(Debug, Clone)]
pub struct OcspClient {
    http: reqwest::Client,
    clock: Arc<dyn Clock>,
    cap: usize,
}

impl OcspClient {
    /// A client on `clock`: no proxy, no redirects, [`RESPONSE_CAP`].
    pub fn new(clock: Arc<dyn Clock>) -> Result<Self, QueryError> {
        let http = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|error| QueryError::Request(error.to_string()))?;
        Ok(Self {
            http,
            clock,
            cap: RESPONSE_CAP,
        })
    }

    /// Sends `query` and verifies the answer at the clock's time.
    pub async fn query(&self, query: &Query) -> Result<VerifiedResponse, QueryError> {
        let decode = |der: &[u8], what: &str| {
            Certificate::from_der(der)
                .map_err(|error| QueryError::Request(format!("{what}: {error}")))
        };
        let cert = decode(&query.cert_der, "certificate")?;
        let issuer = decode(&query.issuer_der, "issuer")?;
        let cert_id = cert_id_for(&issuer, &cert, query.hash_algorithm)
            .map_err(|error| QueryError::Request(error.to_string()))?;
        let nonce = query
            .nonce_len
            .map(|len| {
                let mut nonce = vec![0u8; len];
                openssl::rand::rand_bytes(&mut nonce)
                    .map(|()| nonce)
                    .map_err(|error| QueryError::Request(error.to_string()))
            })
            .transpose()?;
        let request = build_request(cert_id, nonce.as_deref())
            .map_err(|error| QueryError::Request(error.to_string()))?;

        let exchange = self.exchange(query, request);
        let body = clock::timeout(self.clock.as_ref(), query.timeout, exchange)
            .await
            .map_err(|elapsed| {
                QueryError::Failed(format!("no complete answer within {}", elapsed.0))
            })??;

        let context = VerifyContext {
            issuer_der: &query.issuer_der,
            serial: &cert.tbs_certificate.serial_number,
            now: self.clock.now(),
            nonce_sent: nonce.as_deref(),
            max_skew: DEFAULT_MAX_SKEW,
        };
        verify_response(&body, &context)
            .map_err(|error| QueryError::Invalid(InvalidAnswer::Response(error)))
    }

    async fn exchange(&self, query: &Query, request: Vec<u8>) -> Result<Vec<u8>, QueryError> {
        let failed = |error: reqwest::Error| QueryError::Failed(error_chain(&error));
        let response = ocsp_request(&self.http, &query.url, query.method, &request)
            .send()
            .await
            .map_err(failed)?;
        let status = response.status().as_u16();
        if status != 200 {
            return Err(QueryError::Invalid(InvalidAnswer::HttpStatus(status)));
        }
        read_capped(response, self.cap)
            .await
            .map_err(|error| match error {
                BodyError::TooLarge => {
                    QueryError::Invalid(InvalidAnswer::TooLarge { cap: self.cap })
                }
                BodyError::Read(error) => failed(error),
            })
    }
}

/// The HTTP request that carries the OCSP request `der` to `url`: a POST of the DER, or a GET
/// with it in the path (RFC 5019).
pub(crate) fn ocsp_request(
    http: &reqwest::Client,
    url: &str,
    method: HttpMethod,
    der: &[u8],
) -> reqwest::RequestBuilder {
    match method {
        HttpMethod::Post => http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/ocsp-request")
            .body(der.to_vec()),
        HttpMethod::Get => {
            let base = url.trim_end_matches('/');
            http.get(format!("{base}/{}", get_path(der)))
        }
    }
}
