//! The error answers of the reference server: a status code and a JSON body with `error_code`,
//! `message` and `description` (the pages name the text `message`, the OpenAPI `description`;
//! the reference sends both, with the same text).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use contract::{ConfigError, ErrorCode, Permission};

use crate::certificate::CertificateError;
use crate::cluster::QueryFailure;

/// An error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The contract's error code.
    pub code: ErrorCode,
    /// What went wrong, for a person.
    pub message: String,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error_code: ErrorCode,
    message: &'a str,
    description: &'a str,
}

impl ApiError {
    /// An error with this status, code and text.
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// 401: no or wrong credentials (documented status; reference code).
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthorized,
            "authentication failed: missing or wrong credentials",
        )
    }

    /// 403: the role lacks the permission (documented status; reference code).
    pub fn forbidden(permission: Permission) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            ErrorCode::InsufficientPermissions,
            format!("the user's role lacks the {permission} permission"),
        )
    }

    /// 406: not every node supports OCSP (documented).
    pub fn unsupported_by_capability() -> Self {
        Self::new(
            StatusCode::NOT_ACCEPTABLE,
            ErrorCode::OcspUnsupportedByCapability,
            "not all nodes support the OCSP capability",
        )
    }

    /// 400 `invalid_schema` (documented code).
    pub fn invalid_schema(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidSchema, message)
    }

    /// 413: a request body over the server's limit (reference).
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
            format!("the request body is over {limit} octets"),
        )
    }

    /// 408: a request body that had not arrived in full by its deadline (reference).
    pub fn request_timeout() -> Self {
        Self::new(
            StatusCode::REQUEST_TIMEOUT,
            ErrorCode::RequestTimeout,
            "the request body had not arrived in full by its deadline",
        )
    }

    /// 400 for a bad request header (documented status; reference code).
    pub fn invalid_header(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidHeader, message)
    }
}

/// A refused configuration update: `400 invalid_schema` (documented code).
impl From<ConfigError> for ApiError {
    fn from(error: ConfigError) -> Self {
        Self::invalid_schema(error.to_string())
    }
}

/// A chain or key that does not do: `400 invalid_certificate` (reference code).
impl From<CertificateError> for ApiError {
    fn from(error: CertificateError) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidCertificate,
            error.to_string(),
        )
    }
}

/// A query that produced no status: 500 with the code of its kind (documented).
impl From<QueryFailure> for ApiError {
    fn from(failure: QueryFailure) -> Self {
        let code = match &failure {
            QueryFailure::NoResponderUrl => ErrorCode::NoResponderUrl,
            QueryFailure::QueuedTooLong => ErrorCode::TaskQueuedForTooLong,
            QueryFailure::Invalid(_) => ErrorCode::InvalidOcspResponse,
            QueryFailure::Failed(_) | QueryFailure::NoIssuer => ErrorCode::OcspQueryFailed,
        };
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, code, failure.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error_code: self.code,
            message: &self.message,
            description: &self.message,
        };
        let mut response = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Basic realm=\"ocsp-harness\""),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn domain_errors_become_their_documented_answers() {
        let refused = contract::OcspConfig::default()
            .updated(&json!({"query_frequency": 1}), "")
            .expect_err("out of range");
        let answer = ApiError::from(refused);
        assert_eq!(
            (answer.status, answer.code),
            (StatusCode::BAD_REQUEST, ErrorCode::InvalidSchema)
        );
        assert_eq!(
            answer.message,
            "query_frequency must be between 60 and 86400, not 1"
        );

        let answer = ApiError::from(CertificateError::KeyMismatch);
        assert_eq!(
            (answer.status, answer.code),
            (StatusCode::BAD_REQUEST, ErrorCode::InvalidCertificate)
        );

        for (failure, code) in [
            (QueryFailure::NoResponderUrl, ErrorCode::NoResponderUrl),
            (QueryFailure::QueuedTooLong, ErrorCode::TaskQueuedForTooLong),
            (QueryFailure::NoIssuer, ErrorCode::OcspQueryFailed),
        ] {
            let answer = ApiError::from(failure);
            assert_eq!(
                (answer.status, answer.code),
                (StatusCode::INTERNAL_SERVER_ERROR, code)
            );
        }
    }
}
