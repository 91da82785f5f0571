//! The certificate endpoints: `GET`/`PUT /v1/cluster/certificates`, `PUT
//! /v1/cluster/update_cert`, `DELETE /v1/cluster/certificates/{certificate_name}` and `POST
//! /v1/cluster/certificates/rotate`. Each checks every entry before anything changes.

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use contract::{CertificateName, ErrorCode};

use super::{AppState, Authorized, JsonBody, endpoint};
use crate::certificate::InstalledCertificate;
use crate::cluster::CertificateRefused;
use crate::error::ApiError;

/// One `{"name", "certificate", "key"}` entry, of the documented shape.
struct Entry {
    name: String,
    certificate: String,
    key: Option<String>,
}

/// The entry's shape: an object with a string `name` and `certificate` and, optionally, a
/// string `key` (documented: `certs.key-optional`); 400 `invalid_schema` otherwise.
fn entry_shape(value: &Value) -> Result<Entry, ApiError> {
    let Value::Object(fields) = value else {
        return Err(ApiError::invalid_schema(
            "a certificate entry must be a JSON object",
        ));
    };
    if let Some(unknown) = fields
        .keys()
        .find(|key| !["name", "certificate", "key"].contains(&key.as_str()))
    {
        return Err(ApiError::invalid_schema(format!(
            "unknown field {unknown:?}"
        )));
    }
    let text = |field: &str| -> Result<Option<String>, ApiError> {
        match fields.get(field) {
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(_) => Err(ApiError::invalid_schema(format!(
                "{field} must be a string"
            ))),
            None => Ok(None),
        }
    };
    let required = |field: &str| {
        text(field)?.ok_or_else(|| ApiError::invalid_schema(format!("{field} is required")))
    };
    Ok(Entry {
        name: required("name")?,
        certificate: required("certificate")?,
        key: text("key")?,
    })
}

/// The entry checked: a certificate name (403 `unknown_certificate`), a certificate and key
/// that read and match (400 `invalid_certificate`), a validity that has not ended at the
/// cluster's time (406 `expired_certificate`).
fn checked(
    state: &AppState,
    entry: Entry,
) -> Result<(CertificateName, InstalledCertificate), ApiError> {
    let name: CertificateName = entry.name.parse().map_err(|_| {
        ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::UnknownCertificate,
            format!(
                "unknown certificate {:?} (names: {})",
                entry.name,
                CertificateName::names().collect::<Vec<_>>().join(", ")
            ),
        )
    })?;
    let certificate = InstalledCertificate::parse(&entry.certificate, entry.key.as_deref())?;
    if certificate.expired_at(state.cluster.clock().now()) {
        return Err(ApiError::new(
            StatusCode::NOT_ACCEPTABLE,
            ErrorCode::ExpiredCertificate,
            format!(
                "the {name} certificate expired at {}",
                certificate
                    .not_after
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default()
            ),
        ));
    }
    Ok((name, certificate))
}

/// Checks every entry, then installs them all on every node (409 when a node could not).
fn install(state: &AppState, entries: &[Value]) -> Result<Response, ApiError> {
    let shaped = entries
        .iter()
        .map(entry_shape)
        .collect::<Result<Vec<_>, _>>()?;
    let checked = shaped
        .into_iter()
        .map(|entry| checked(state, entry))
        .collect::<Result<Vec<_>, _>>()?;
    state
        .cluster
        .install_certificates(checked)
        .map_err(|refused| refusal(StatusCode::CONFLICT, ErrorCode::NodesNotUpdated, refused))?;
    Ok(Json(json!({})).into_response())
}

fn refusal(status: StatusCode, code: ErrorCode, refused: CertificateRefused) -> ApiError {
    ApiError::new(status, code, refused.to_string())
}

pub(super) async fn get_certificates(
    _: Authorized<endpoint::GetCertificates>,
    State(state): State<AppState>,
) -> Response {
    Json(state.cluster.certificates_json()).into_response()
}

pub(super) async fn update_cert(
    _: Authorized<endpoint::UpdateCert>,
    State(state): State<AppState>,
    JsonBody(entry): JsonBody,
) -> Result<Response, ApiError> {
    let entry = entry.ok_or_else(|| ApiError::invalid_schema("the body must be a JSON object"))?;
    install(&state, &[entry])
}

pub(super) async fn update_certificates(
    _: Authorized<endpoint::PutCertificates>,
    State(state): State<AppState>,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let fields = body.object()?;
    if let Some(unknown) = fields.keys().find(|key| *key != "certificates") {
        return Err(ApiError::invalid_schema(format!(
            "unknown field {unknown:?}"
        )));
    }
    let Some(Value::Array(entries)) = fields.get("certificates") else {
        return Err(ApiError::invalid_schema("certificates must be an array"));
    };
    install(&state, entries)
}

pub(super) async fn delete_certificate(
    _: Authorized<endpoint::DeleteCertificate>,
    State(state): State<AppState>,
    name: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let unknown = |message: String| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::UnknownCertificate,
            message,
        )
    };
    // A segment that does not decode (bad percent-encoding) names no certificate either.
    let Path(name) = name.map_err(|rejection| unknown(rejection.body_text()))?;
    let name: CertificateName = name
        .parse()
        .map_err(|_| unknown(format!("unknown certificate {name:?}")))?;
    state
        .cluster
        .remove_certificate(name)
        .map_err(|refused| match refused {
            CertificateRefused::Required(_) => refusal(
                StatusCode::FORBIDDEN,
                ErrorCode::RequiredCertificate,
                refused,
            ),
            CertificateRefused::NotInstalled(_) => unknown(refused.to_string()),
            _ => refusal(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::CertificateDeletionFailed,
                refused,
            ),
        })?;
    Ok(Json(json!({})).into_response())
}

/// The body of a rotation: none, `null`, `{}` or `{"name": "..."}`.
fn rotation_name(body: Option<Value>) -> Result<Option<String>, ApiError> {
    let fields = match body {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(fields)) => fields,
        Some(_) => {
            return Err(ApiError::invalid_schema(
                "the body must be absent, null or a JSON object",
            ));
        }
    };
    if let Some(unknown) = fields.keys().find(|key| *key != "name") {
        return Err(ApiError::invalid_schema(format!(
            "unknown field {unknown:?}"
        )));
    }
    match fields.get("name") {
        None => Ok(None),
        Some(Value::String(name)) => Ok(Some(name.clone())),
        Some(_) => Err(ApiError::invalid_schema("name must be a string")),
    }
}

pub(super) async fn rotate(
    _: Authorized<endpoint::RotateCertificates>,
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let name = rotation_name(body)?;
    state
        .cluster
        .rotate(name.as_deref())
        .map_err(|refused| match refused {
            CertificateRefused::RotationUnsupported(_) => refusal(
                StatusCode::FORBIDDEN,
                ErrorCode::RotationUnsupported,
                refused,
            ),
            _ => refusal(StatusCode::BAD_REQUEST, ErrorCode::NodesNotUpdated, refused),
        })?;
    Ok(Json(json!({})).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_need_a_name_and_a_certificate_and_may_have_a_key() {
        let entry = entry_shape(&json!({"name": "proxy", "certificate": "pem"})).expect("shape");
        assert_eq!(entry.key, None);
        for bad in [
            json!({"certificate": "pem"}),
            json!({"name": "proxy"}),
            json!({"name": "proxy", "certificate": "pem", "key": 1}),
            json!({"name": "proxy", "certificate": "pem", "chain": "x"}),
            json!("proxy"),
        ] {
            let error = entry_shape(&bad).err().expect("refused");
            assert_eq!(error.code, ErrorCode::InvalidSchema, "{bad}");
        }
    }

    #[test]
    fn a_rotation_body_may_name_one_certificate() {
        assert_eq!(rotation_name(None).ok(), Some(None));
        assert_eq!(rotation_name(Some(Value::Null)).ok(), Some(None));
        assert_eq!(rotation_name(Some(json!({}))).ok(), Some(None));
        assert_eq!(
            rotation_name(Some(json!({"name": "api"}))).ok(),
            Some(Some("api".to_owned()))
        );
        for bad in [json!([]), json!({"name": 1}), json!({"names": []})] {
            assert!(rotation_name(Some(bad)).is_err());
        }
    }
}
