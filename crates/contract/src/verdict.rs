//! What `POST /v1/ocsp/test` answers for a responder's behaviour, and the client limits that
//! decide it.

use time::Duration;

crate::named_enum! {
    /// The outcome of `POST /v1/ocsp/test`: a certificate status, or one of the two OCSP errors.
    pub enum Verdict: "verdict" {
        /// 200 with `cert_status: GOOD`
        Good = "good",
        /// 200 with `cert_status: REVOKED` and `revocation_time`
        Revoked = "revoked",
        /// 200 with `cert_status: UNKNOWN`
        Unknown = "unknown",
        /// 500 `invalid_ocsp_response`
        Invalid = "invalid",
        /// 500 `ocsp_query_failed`
        Failed = "failed",
    }
}

impl Verdict {
    /// The HTTP status and what the body carries: `200 GOOD`, `500 ocsp_query_failed`.
    pub fn answer(self) -> &'static str {
        match self {
            Verdict::Good => "200 GOOD",
            Verdict::Revoked => "200 REVOKED",
            Verdict::Unknown => "200 UNKNOWN",
            Verdict::Invalid => "500 invalid_ocsp_response",
            Verdict::Failed => "500 ocsp_query_failed",
        }
    }
}

/// The default `response_timeout` (documented): a delay or drip longer than this fails.
pub const DEFAULT_RESPONSE_TIMEOUT: Duration = Duration::seconds(1);

/// The reference client's cap on a response body (reference: the pages set none).
pub const RESPONSE_CAP: usize = 1024 * 1024;
