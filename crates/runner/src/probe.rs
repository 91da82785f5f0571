//! `probe`: checks someone else's OCSP responder for one certificate, the way the reference
//! client asks, plus the RFC 5019 lightweight profile. Each check is a result like a
//! scenario's (id `probe::NAME`, a level, a verdict), so that every report format and exit
//! code of `run` applies.
//!
//! Levels: what RFC 6960 and RFC 5019 require is `recommended` (the contract's level for
//! "required by the RFCs"); what they only advise (caching headers, a small response) is
//! `reference`.

use std::time::Instant;

use der::Decode;
use x509_cert::Certificate;
use x509_cert::serial_number::SerialNumber;

use crate::{Mismatch, ScenarioResult, Source, Verdict};
use client::http_body::{BodyError, error_chain, read_capped};
use client::{HttpMethod, InvalidAnswer, ocsp_request};
use contract::Level;
use ocsp::{
    DEFAULT_MAX_SKEW, FoundStatus, HashAlgorithm, IssuerHashes, ReportedStatus, ResponseStatus,
    VerifiedResponse, VerifyContext, build_request, inspect, verify_response,
};

/// The most of an answer the probe reads: the reference client's cap.
const ANSWER_CAP: usize = contract::RESPONSE_CAP;

/// The response size the lightweight profile's spirit allows for one certificate.
pub const SMALL_RESPONSE: usize = 16 * 1024;

const NONCE: [u8; 16] = [0x5a; 16];

/// The checks, in the order they run and are reported (ids `probe::NAME`).
pub const CHECKS: [&str; 8] = [
    "post-sha1",
    "get-sha1",
    "post-sha256",
    "nonce",
    "caching-headers",
    "never-issued",
    "size-and-latency",
    "malformed-request",
];

/// What to probe.
#[derive(Debug, Clone)]
pub struct ProbeOptions {
    /// The responder's URL.
    pub url: String,
    /// DER of the certificate to ask about.
    pub cert_der: Vec<u8>,
    /// DER of its issuer.
    pub issuer_der: Vec<u8>,
    /// How long one exchange may take.
    pub timeout: std::time::Duration,
}

/// Why the probe could not start.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// A certificate does not decode.
    #[error("{what} is not a certificate: {source}")]
    Certificate {
        /// Which one.
        what: &'static str,
        /// The decoder's error.
        source: der::Error,
    },
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Client(#[source] reqwest::Error),
    /// Nothing accepted a connection at the URL.
    #[error("the responder {url} is unreachable: no answer: {}", error_chain(.source))]
    Unreachable {
        /// The URL.
        url: String,
        /// What happened.
        source: reqwest::Error,
    },
}

/// One HTTP exchange: what came back, or why nothing did.
struct Answer {
    status: u16,
    headers: http::HeaderMap,
    body: Vec<u8>,
    took: std::time::Duration,
}

struct Prober {
    options: ProbeOptions,
    http: reqwest::Client,
    issuer: Certificate,
    serial: SerialNumber,
}

/// Runs every check against the responder, in a fixed order.
pub async fn probe(options: ProbeOptions) -> Result<Vec<ScenarioResult>, ProbeError> {
    let decode = |what, der: &[u8]| {
        Certificate::from_der(der).map_err(|source| ProbeError::Certificate { what, source })
    };
    let cert = decode("--cert", &options.cert_der)?;
    let issuer = decode("--issuer", &options.issuer_der)?;
    let http = client::careful_http_client()
        .timeout(options.timeout)
        .build()
        .map_err(ProbeError::Client)?;
    let prober = Prober {
        serial: cert.tbs_certificate.serial_number.clone(),
        options,
        http,
        issuer,
    };
    // Nothing listening is not a verdict on a responder: the caller says unreachable.
    let first = prober.request(HashAlgorithm::Sha1, prober.serial.clone(), true);
    if let Err(Failure::Unreachable(source)) = prober.exchange(HttpMethod::Post, &first).await {
        return Err(ProbeError::Unreachable {
            url: prober.options.url.clone(),
            source,
        });
    }
    let post = prober
        .answered("post-sha1", HttpMethod::Post, HashAlgorithm::Sha1)
        .await;
    if let Verdict::Error { message } = &post.verdict {
        // A responder that does not answer once will not answer the rest either.
        let reason = format!("the first request got no answer ({message})");
        let mut results = vec![post.clone()];
        results.extend(CHECKS[1..].iter().map(|name| {
            let mut skipped = post.clone();
            skipped.id = format!("probe::{name}");
            skipped.title = format!("not run: {name}");
            skipped.verdict = Verdict::Skipped {
                reason: reason.clone(),
            };
            skipped.duration_ms = 0;
            skipped
        }));
        return Ok(results);
    }
    Ok(vec![
        post,
        prober
            .answered("get-sha1", HttpMethod::Get, HashAlgorithm::Sha1)
            .await,
        prober
            .answered("post-sha256", HttpMethod::Post, HashAlgorithm::Sha256)
            .await,
        prober.nonce().await,
        prober.caching_headers().await,
        prober.never_issued().await,
        prober.size_and_latency().await,
        // Last: some responders stop answering anything after a request they cannot read.
        prober.malformed_request().await,
    ])
}

/// Why an exchange brought no answer.
#[derive(Debug, thiserror::Error)]
enum Failure {
    /// Nothing accepted the connection.
    #[error("no answer: {}", error_chain(.0))]
    Unreachable(reqwest::Error),
    /// The responder did not answer.
    #[error("no answer: {}", error_chain(.0))]
    NoAnswer(reqwest::Error),
    /// The responder failed to send the body in full.
    #[error("body not read: {}", error_chain(.0))]
    BodyNotRead(reqwest::Error),
    /// The answer went past the cap: an answer, but not a usable response.
    #[error("the answer is larger than {ANSWER_CAP} bytes")]
    TooLarge,
}

impl From<Failure> for Verdict {
    fn from(failure: Failure) -> Self {
        Verdict::error(&failure)
    }
}

impl Prober {
    fn request(&self, algorithm: HashAlgorithm, serial: SerialNumber, nonce: bool) -> Vec<u8> {
        IssuerHashes::of(&self.issuer, algorithm)
            .and_then(|hashes| hashes.cert_id(serial))
            .and_then(|cert_id| build_request(cert_id, nonce.then_some(&NONCE[..])))
            // Hashing and encoding a certificate that decoded cannot fail.
            .unwrap_or_default()
    }

    async fn exchange(&self, method: HttpMethod, der: &[u8]) -> Result<Answer, Failure> {
        let started = Instant::now();
        let response = ocsp_request(&self.http, &self.options.url, method, der)
            .send()
            .await
            .map_err(|error| {
                if error.is_connect() {
                    Failure::Unreachable(error)
                } else {
                    Failure::NoAnswer(error)
                }
            })?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = read_capped(response, ANSWER_CAP)
            .await
            .map_err(|error| match error {
                BodyError::TooLarge => Failure::TooLarge,
                BodyError::Read(error) => Failure::BodyNotRead(error),
            })?;
        Ok(Answer {
            status,
            headers,
            body,
            took: started.elapsed(),
        })
    }

    fn verify(
        &self,
        answer: &Answer,
        serial: &SerialNumber,
        nonce: bool,
    ) -> Result<VerifiedResponse, InvalidAnswer> {
        if answer.status != 200 {
            return Err(InvalidAnswer::HttpStatus(answer.status));
        }
        let context = VerifyContext {
            issuer_der: &self.options.issuer_der,
            serial,
            now: time::OffsetDateTime::now_utc(),
            nonce_sent: nonce.then_some(&NONCE[..]),
            max_skew: DEFAULT_MAX_SKEW,
        };
        verify_response(&answer.body, &context).map_err(InvalidAnswer::Response)
    }

    /// A valid response for the certificate, over `method` with a CertID hashed with
    /// `algorithm`.
    async fn answered(
        &self,
        name: &str,
        method: HttpMethod,
        algorithm: HashAlgorithm,
    ) -> ScenarioResult {
        let (word, rfc) = match method {
            HttpMethod::Post => ("POST", "RFC 6960 appendix A.1"),
            HttpMethod::Get => ("GET", "RFC 5019 section 5, RFC 6960 appendix A.1"),
        };
        let title = format!(
            "{word} with a {} CertID is answered with a valid response ({rfc})",
            algorithm.name()
        );
        let started = Instant::now();
        let der = self.request(algorithm, self.serial.clone(), method == HttpMethod::Post);
        let verdict = match self.exchange(method, &der).await {
            // As the reference client does: past the cap is an answer, and not a usable one.
            Err(Failure::TooLarge) => failed(
                word,
                "response",
                "a valid OCSP response for the certificate",
                Failure::TooLarge.to_string(),
            ),
            Err(failure) => failure.into(),
            Ok(answer) => match self.verify(&answer, &self.serial, method == HttpMethod::Post) {
                Ok(_) => Verdict::Passed,
                Err(actual) => failed(
                    word,
                    "response",
                    "a valid OCSP response for the certificate",
                    actual.to_string(),
                ),
            },
        };
        result(
            &self.options.url,
            name,
            Level::Recommended,
            &title,
            verdict,
            started,
        )
    }

    async fn nonce(&self) -> ScenarioResult {
        let title = "A nonce sent is echoed or ignored, never answered with another (RFC 6960 section 4.4.1, RFC 5019 section 4)";
        let started = Instant::now();
        let der = self.request(HashAlgorithm::Sha1, self.serial.clone(), true);
        let verdict = match self.exchange(HttpMethod::Post, &der).await {
            Err(failure) => failure.into(),
            Ok(answer) => match response_nonce(&answer.body) {
                None => Verdict::Passed,
                Some(nonce) if nonce == ocsp::hex(&NONCE) => Verdict::Passed,
                Some(other) => failed("POST", "nonce", &ocsp::hex(&NONCE), other),
            },
        };
        result(
            &self.options.url,
            "nonce",
            Level::Recommended,
            title,
            verdict,
            started,
        )
    }

    async fn caching_headers(&self) -> ScenarioResult {
        let title = "A GET answer carries caching headers: Cache-Control max-age, ETag, Last-Modified (RFC 5019 section 6.2)";
        let started = Instant::now();
        let der = self.request(HashAlgorithm::Sha1, self.serial.clone(), false);
        let verdict = match self.exchange(HttpMethod::Get, &der).await {
            Err(failure) => failure.into(),
            Ok(answer) if self.verify(&answer, &self.serial, false).is_err() => Verdict::Skipped {
                reason: "the GET answer is not a valid response to cache".to_owned(),
            },
            Ok(answer) => {
                let mut mismatches = Vec::new();
                let header = |name: &str| {
                    answer
                        .headers
                        .get(name)
                        .and_then(|value| value.to_str().ok())
                        .map(str::to_owned)
                };
                let max_age = header("cache-control").filter(|value| {
                    value
                        .split(',')
                        .any(|directive| directive.trim().starts_with("max-age="))
                });
                for (name, found, expected) in [
                    ("cache-control", max_age.is_some(), "max-age=SECONDS"),
                    ("etag", header("etag").is_some(), "present"),
                    (
                        "last-modified",
                        header("last-modified").is_some(),
                        "present",
                    ),
                ] {
                    if !found {
                        mismatches.push(mismatch(
                            "GET",
                            &format!("headers.{name}"),
                            expected,
                            header(name).unwrap_or_else(|| "absent".to_owned()),
                        ));
                    }
                }
                if mismatches.is_empty() {
                    Verdict::Passed
                } else {
                    Verdict::Failed { mismatches }
                }
            }
        };
        result(
            &self.options.url,
            "caching-headers",
            Level::Reference,
            title,
            verdict,
            started,
        )
    }

    async fn never_issued(&self) -> ScenarioResult {
        let title = "A serial the CA never issued is not reported good (RFC 6960 section 2.2)";
        let started = Instant::now();
        // Sixteen random octets, positive: a serial nobody issued.
        let mut octets = rand_octets();
        octets[0] = (octets[0] & 0x7f) | 0x40;
        let verdict = match SerialNumber::new(&octets) {
            Err(error) => Verdict::Error {
                message: format!("cannot make a serial: {error}"),
            },
            Ok(serial) => {
                let der = self.request(HashAlgorithm::Sha1, serial.clone(), false);
                match self.exchange(HttpMethod::Post, &der).await {
                    Err(failure) => failure.into(),
                    Ok(answer) => match self.verify(&answer, &serial, false) {
                        Ok(verified) if verified.status == ReportedStatus::Good => failed(
                            "POST",
                            "cert_status",
                            "unknown or revoked (or an error response)",
                            "good".to_owned(),
                        ),
                        // Unknown, revoked, or a refusal (unauthorized): all fine.
                        _ => Verdict::Passed,
                    },
                }
            }
        };
        result(
            &self.options.url,
            "never-issued",
            Level::Recommended,
            title,
            verdict,
            started,
        )
    }

    async fn malformed_request(&self) -> ScenarioResult {
        let title =
            "A request that does not decode is answered malformedRequest (RFC 6960 section 2.3)";
        let started = Instant::now();
        let verdict = match self
            .exchange(HttpMethod::Post, b"\x30\x03\x02\x01\x2a")
            .await
        {
            Err(failure) => failure.into(),
            Ok(answer) => match response_status(&answer.body) {
                Some(FoundStatus::Defined(ResponseStatus::MalformedRequest)) => Verdict::Passed,
                found => failed(
                    "POST",
                    "responseStatus",
                    ResponseStatus::MalformedRequest.name(),
                    found.map_or_else(
                        || format!("HTTP {} without an OCSPResponse", answer.status),
                        |status| status.to_string(),
                    ),
                ),
            },
        };
        result(
            &self.options.url,
            "malformed-request",
            Level::Recommended,
            title,
            verdict,
            started,
        )
    }

    async fn size_and_latency(&self) -> ScenarioResult {
        let started = Instant::now();
        let der = self.request(HashAlgorithm::Sha1, self.serial.clone(), false);
        let (title, verdict) = match self.exchange(HttpMethod::Post, &der).await {
            Err(failure) => ("The response is small".to_owned(), failure.into()),
            Ok(answer) => {
                let title = format!(
                    "The response is small: {} bytes, in {} ms",
                    answer.body.len(),
                    answer.took.as_millis()
                );
                let verdict = if answer.body.len() <= SMALL_RESPONSE {
                    Verdict::Passed
                } else {
                    failed(
                        "POST",
                        "size",
                        &format!("at most {SMALL_RESPONSE} bytes"),
                        format!("{} bytes", answer.body.len()),
                    )
                };
                (title, verdict)
            }
        };
        result(
            &self.options.url,
            "size-and-latency",
            Level::Reference,
            &title,
            verdict,
            started,
        )
    }
}

/// The nonce of a response (hex), if it decodes and has one.
fn response_nonce(der: &[u8]) -> Option<String> {
    match inspect(der).ok()? {
        ocsp::Inspection::Response(response) => response.basic?.nonce,
        ocsp::Inspection::Request(_) => None,
    }
}

/// The responseStatus of a response, if it decodes.
fn response_status(der: &[u8]) -> Option<FoundStatus> {
    match inspect(der).ok()? {
        ocsp::Inspection::Response(response) => Some(response.response_status),
        ocsp::Inspection::Request(_) => None,
    }
}

fn rand_octets() -> [u8; 16] {
    let mut octets = [0u8; 16];
    // The OS's randomness through OpenSSL, already linked for the verifier.
    if openssl::rand::rand_bytes(&mut octets).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_nanos());
        octets = nanos.to_be_bytes();
    }
    octets
}

fn mismatch(request: &str, path: &str, expected: &str, actual: String) -> Mismatch {
    Mismatch {
        line: None,
        request: request.to_owned(),
        path: path.to_owned(),
        expected: expected.to_owned(),
        actual,
    }
}

fn failed(request: &str, path: &str, expected: &str, actual: String) -> Verdict {
    Verdict::Failed {
        mismatches: vec![mismatch(request, path, expected, actual)],
    }
}

fn result(
    url: &str,
    name: &str,
    level: Level,
    title: &str,
    verdict: Verdict,
    started: Instant,
) -> ScenarioResult {
    ScenarioResult {
        id: format!("probe::{name}"),
        source: Source::Url(url.to_owned()),
        level,
        rules: Vec::new(),
        title: title.to_owned(),
        verdict,
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    }
}
