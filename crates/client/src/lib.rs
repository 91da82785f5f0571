//! The OCSP client of the reference server: one HTTP query to a responder, then the strict
//! verifier. Like a careful cluster it follows no redirect, uses no proxy, reads at most
//! [`RESPONSE_CAP`] octets and gives up after
//! `response_timeout` measured on its [`Clock`], so that a virtual clock can fire it.
//!
//! The outcome keeps the contract's two failure classes apart: a responder that did not
//! answer ([`QueryError::Failed`], `ocsp_query_failed`) and one that answered with something
//! unusable ([`QueryError::Invalid`], `invalid_ocsp_response`).

pub mod http_body;

use std::sync::{Arc, OnceLock};

use der::Decode;
use time::Duration;
use x509_cert::Certificate;

use clock::{self, Clock};
use contract::{RESPONSE_CAP, Verdict};
pub use ocsp::HttpMethod;
use ocsp::{
    DEFAULT_MAX_SKEW, HashAlgorithm, InvalidResponse, VerifiedResponse, VerifyContext,
    build_request, cert_id_for, get_path, verify_response,
};

use crate::http_body::{BodyError, error_chain, read_capped};

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
#[derive(Debug, Clone, thiserror::Error)]
pub enum QueryError {
    /// The responder did not answer: refused, reset, closed, timed out.
    #[error("the OCSP query failed: {0}")]
    Failed(Unanswered),
    /// The responder answered with something that is not a usable OCSP response.
    #[error("the OCSP response is not usable: {0}")]
    Invalid(InvalidAnswer),
    /// The certificate or issuer given does not decode: the query was never sent.
    #[error("cannot build the OCSP request: {0}")]
    Request(BadQuery),
}

/// Why no answer came.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Unanswered {
    /// Nothing whole arrived before the timeout.
    #[error("no complete answer within {0}")]
    TimedOut(Duration),
    /// The connection failed: refused, reset, closed early.
    #[error("{}", error_chain(.0))]
    Transport(Arc<reqwest::Error>),
}

/// Why a query could not be built.
#[derive(Debug, Clone, thiserror::Error)]
pub enum BadQuery {
    /// The certificate or its issuer does not decode.
    #[error("{what}: {source}")]
    Undecodable {
        /// `certificate` or `issuer`.
        what: &'static str,
        /// The decoder's error.
        #[source]
        source: der::Error,
    },
    /// The CertID or the request could not be encoded.
    #[error("{0}")]
    Encode(#[source] der::Error),
    /// No random nonce could be drawn.
    #[error("{0}")]
    Random(#[source] openssl::error::ErrorStack),
}

/// The HTTP client could not be built.
#[derive(Debug, thiserror::Error)]
#[error("cannot build the HTTP client")]
pub struct ClientError(#[source] pub reqwest::Error);

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
    use ocsp::ReportedStatus;
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
    // Responders are nearly always plain HTTP (RFC 6960 appendix A.1), and trusting the
    // platform's roots costs a client more than the rest of a world's set-up: the client for
    // `https` URLs is built at its first use.
    http: reqwest::Client,
    https: Arc<OnceLock<reqwest::Client>>,
    clock: Arc<dyn Clock>,
    cap: usize,
}

impl OcspClient {
    /// A client on `clock`: no proxy, no redirects, [`RESPONSE_CAP`].
    pub fn new(clock: Arc<dyn Clock>) -> Result<Self, ClientError> {
        let http = careful_http_client()
            .tls_certs_only([])
            .build()
            .map_err(ClientError)?;
        Ok(Self {
            http,
            https: Arc::new(OnceLock::new()),
            clock,
            cap: RESPONSE_CAP,
        })
    }

    /// The client for `https` responders, trusting the platform's roots, built at the first
    /// call.
    fn https_client(&self) -> Result<&reqwest::Client, reqwest::Error> {
        if let Some(client) = self.https.get() {
            return Ok(client);
        }
        let client = careful_http_client()
            .tls_certs_only(platform_roots().iter().cloned())
            .build()?;
        // Two queries may build one each; either will do.
        Ok(self.https.get_or_init(|| client))
    }

    /// Sends `query` and verifies the answer at the clock's time.
    pub async fn query(&self, query: &Query) -> Result<VerifiedResponse, QueryError> {
        let decode = |der: &[u8], what: &'static str| {
            Certificate::from_der(der)
                .map_err(|source| QueryError::Request(BadQuery::Undecodable { what, source }))
        };
        let cert = decode(&query.cert_der, "certificate")?;
        let issuer = decode(&query.issuer_der, "issuer")?;
        let cert_id = cert_id_for(&issuer, &cert, query.hash_algorithm)
            .map_err(|error| QueryError::Request(BadQuery::Encode(error)))?;
        let nonce = query
            .nonce_len
            .map(|len| {
                let mut nonce = vec![0u8; len];
                openssl::rand::rand_bytes(&mut nonce)
                    .map(|()| nonce)
                    .map_err(|error| QueryError::Request(BadQuery::Random(error)))
            })
            .transpose()?;
        let request = build_request(cert_id, nonce.as_deref())
            .map_err(|error| QueryError::Request(BadQuery::Encode(error)))?;

        let exchange = self.exchange(query, request);
        let body = clock::timeout(self.clock.as_ref(), query.timeout, exchange)
            .await
            .map_err(|elapsed| QueryError::Failed(Unanswered::TimedOut(elapsed.0)))??;

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
        let failed =
            |error: reqwest::Error| QueryError::Failed(Unanswered::Transport(Arc::new(error)));
        let http = if query
            .url
            .get(..8)
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
        {
            self.https_client().map_err(failed)?
        } else {
            &self.http
        };
        let response = ocsp_request(http, &query.url, query.method, &request)
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

/// A client for servers the harness does not trust to behave: it uses no proxy (a test must
/// reach what it names, not what the environment says) and follows no redirect (a redirect
/// is an answer to check, not to obey).
pub fn careful_http_client() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        // Under the 30 s our servers give an idle connection: a pooled one is dropped here
        // before the server closes it, rather than reused as it closes.
        .pool_idle_timeout(std::time::Duration::from_secs(20))
}

/// The roots this machine trusts (its CA store, or `SSL_CERT_FILE` / `SSL_CERT_DIR`), read once
/// per process: a run builds a client per world, and reading and parsing the store for each
/// cost more than the rest of a world's set-up. A store that cannot be read leaves no roots:
/// an `https` responder then fails verification, where a plain `http` one (the usual case)
/// still works.
fn platform_roots() -> &'static [reqwest::Certificate] {
    static ROOTS: OnceLock<Vec<reqwest::Certificate>> = OnceLock::new();
    ROOTS.get_or_init(|| {
        rustls_native_certs::load_native_certs()
            .certs
            .iter()
            .filter_map(|der| reqwest::Certificate::from_der(der).ok())
            .collect()
    })
}

/// The HTTP request that carries the OCSP request `der` to `url`: a POST of the DER, or a GET
/// with it in the path (RFC 5019).
pub fn ocsp_request(
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
