//! The error answers of the reference server: a status code and a JSON body with `error_code`,
//! `message` and `description` (the pages name the text `message`, the OpenAPI `description`;
//! the reference sends both, with the same text).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The contract's error code.
    pub code: &'static str,
    /// What went wrong, for a person.
    pub message: String,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error_code: &'a str,
    message: &'a str,
    description: &'a str,
}

impl ApiError {
    /// An error with this status, code and text.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
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
            "unauthorized",
            "authentication failed: missing or wrong credentials",
        )
    }

    /// 403: the role lacks the permission (documented status; reference code).
    pub fn forbidden(permission: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "insufficient_permissions",
            format!("the user's role lacks the {permission} permission"),
        )
    }

    /// 406: not every node supports OCSP (documented).
    pub fn unsupported_by_capability() -> Self {
        Self::new(
            StatusCode::NOT_ACCEPTABLE,
            "ocsp_unsupported_by_capability",
            "not all nodes support the OCSP capability",
        )
    }

    /// 400 `invalid_schema` (documented code).
    pub fn invalid_schema(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_schema", message)
    }

    /// 400 for a bad request header (documented status; reference code).
    pub fn invalid_header(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_header", message)
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
