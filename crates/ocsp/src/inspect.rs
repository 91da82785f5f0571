//! `ocsp-harness inspect`: a DER OCSP request or response as JSON, with every rule it breaks
//! that can be judged without knowing the certificate asked about.

use const_oid::ObjectIdentifier;
use const_oid::db::{DB, rfc6960};
use der::asn1::OctetString;
use der::{Decode, Tagged};
use serde::Serialize;
use x509_cert::ext::Extensions;
use x509_ocsp::{CertStatus, ResponderId};

use super::hex;
use super::plan::CrlReason;
use super::request::{CertIdSummary, DecodedRequest, RequestSummary};
use super::status::ResponseStatus;
use super::verify::{
    KNOWN_RESPONSE_EXTENSIONS, KNOWN_SINGLE_EXTENSIONS, LooseBasicResponse, RawOcspResponse,
    check_critical, check_signature_algorithm, check_status, rfc3339, to_time,
};

/// What a file holds.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Inspection {
    /// An OCSPRequest.
    Request(RequestSummary),
    /// An OCSPResponse.
    Response(Box<ResponseInspection>),
}

/// responseStatus as found: one RFC 6960 names, or the hex of a value it does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FoundStatus {
    /// A defined status.
    Defined(ResponseStatus),
    /// An undefined value, hex.
    Undefined(String),
}

impl std::fmt::Display for FoundStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FoundStatus::Defined(status) => write!(f, "{status}"),
            FoundStatus::Undefined(hex) => f.write_str(hex),
        }
    }
}

impl Serialize for FoundStatus {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

contract::named_enum! {
    /// A single response's certStatus.
    pub enum SingleStatus: "certificate status" {
        /// good
        Good = "good",
        /// revoked
        Revoked = "revoked",
        /// unknown
        Unknown = "unknown",
    }
}

/// A response, field by field.
#[derive(Debug, Clone, Serialize)]
pub struct ResponseInspection {
    /// `successful`, `malformedRequest`, ... or the number when RFC 6960 has no name for it.
    pub response_status: FoundStatus,
    /// The responseType OID's name, when there are responseBytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_type: Option<String>,
    /// The BasicOCSPResponse, when it decodes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basic: Option<BasicInspection>,
    /// Every rule broken, in words; empty when none.
    pub problems: Vec<String>,
}

/// A BasicOCSPResponse, field by field.
#[derive(Debug, Clone, Serialize)]
pub struct BasicInspection {
    /// 1 for v1.
    pub version: u16,
    /// `byKey` (hex) or `byName` (RFC 4514).
    pub responder_id: String,
    /// RFC 3339.
    pub produced_at: String,
    /// The single responses.
    pub responses: Vec<SingleInspection>,
    /// The response extensions.
    pub extensions: Vec<ExtensionInspection>,
    /// The nonce, hex, if present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// The signature algorithm's name or OID.
    pub signature_algorithm: String,
    /// Octets of signature.
    pub signature_len: usize,
    /// Subjects of the certificates in `certs`.
    pub certs: Vec<String>,
}

/// One SingleResponse.
#[derive(Debug, Clone, Serialize)]
pub struct SingleInspection {
    /// The CertID.
    pub cert_id: CertIdSummary,
    /// `good`, `revoked` or `unknown`.
    pub cert_status: SingleStatus,
    /// RFC 3339, for `revoked`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revocation_time: Option<String>,
    /// The CRL reason, for `revoked` when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revocation_reason: Option<CrlReason>,
    /// RFC 3339.
    pub this_update: String,
    /// RFC 3339, if present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_update: Option<String>,
    /// The single extensions.
    pub extensions: Vec<ExtensionInspection>,
}

/// One extension.
#[derive(Debug, Clone, Serialize)]
pub struct ExtensionInspection {
    /// The OID's name, or the OID.
    pub id: String,
    /// Whether it is critical.
    pub critical: bool,
    /// Its value, hex.
    pub value: String,
}

/// Why the bytes are neither a request nor a response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "not a DER OCSP request or response: as a response, {as_response}; as a request, {as_request}"
)]
pub struct NotOcsp {
    /// The response decoder's error, with its DER position.
    pub as_response: String,
    /// The request decoder's error, with its DER position.
    pub as_request: String,
}

/// Decodes `der` as a response, else as a request.
pub fn inspect(der: &[u8]) -> Result<Inspection, NotOcsp> {
    // A request is a SEQUENCE of a SEQUENCE, which the lenient status field would also take:
    // only an ENUMERATED status makes a response.
    let as_response = match RawOcspResponse::from_der(der) {
        Ok(raw) if raw.status.tag() == der::Tag::Enumerated => {
            return Ok(Inspection::Response(Box::new(inspect_response(&raw))));
        }
        Ok(raw) => format!(
            "responseStatus is a {}, not an ENUMERATED",
            raw.status.tag()
        ),
        Err(error) => error.to_string(),
    };
    match DecodedRequest::from_der(der) {
        Ok(request) => Ok(Inspection::Request(request.summary())),
        Err(error) => Err(NotOcsp {
            as_response,
            as_request: error.to_string(),
        }),
    }
}

fn inspect_response(raw: &RawOcspResponse<'_>) -> ResponseInspection {
    let mut problems = Vec::new();
    let status_value = raw.status.value();
    let response_status = match (status_value, check_status(&raw.status)) {
        ([0], _) => FoundStatus::Defined(ResponseStatus::Successful),
        (_, Err(super::InvalidResponse::ErrorStatus(status))) => FoundStatus::Defined(status),
        (_, Err(error)) => {
            problems.push(error.to_string());
            FoundStatus::Undefined(hex(status_value))
        }
        (_, Ok(())) => FoundStatus::Undefined(hex(status_value)),
    };
    let mut inspection = ResponseInspection {
        response_status,
        response_type: None,
        basic: None,
        problems,
    };
    let Some(bytes) = &raw.bytes else {
        if inspection.response_status == FoundStatus::Defined(ResponseStatus::Successful) {
            inspection
                .problems
                .push("successful but responseBytes is absent".to_owned());
        }
        return inspection;
    };
    inspection.response_type = Some(oid_name(&bytes.response_type));
    if bytes.response_type != rfc6960::ID_PKIX_OCSP_BASIC {
        inspection.problems.push(format!(
            "responseType is {}, not id-pkix-ocsp-basic",
            bytes.response_type
        ));
        return inspection;
    }
    match LooseBasicResponse::from_der(bytes.response.as_bytes()) {
        Ok(basic) => inspection.basic = Some(inspect_basic(&basic, &mut inspection.problems)),
        Err(error) => inspection
            .problems
            .push(format!("the BasicOCSPResponse does not decode: {error}")),
    }
    inspection
}

fn inspect_basic(basic: &LooseBasicResponse, problems: &mut Vec<String>) -> BasicInspection {
    let data = &basic.tbs_response_data;
    let version = data.version.unwrap_or(0);
    if version != 0 {
        problems.push(format!(
            "ResponseData version is v{}, only v1 exists",
            u16::from(version) + 1
        ));
    }
    if let Err(error) = check_signature_algorithm(&basic.signature_algorithm.oid) {
        problems.push(error.to_string());
    }
    if let Err(error) = check_critical(
        data.response_extensions.as_ref(),
        "response",
        &KNOWN_RESPONSE_EXTENSIONS,
    ) {
        problems.push(error.to_string());
    }
    if data.responses.is_empty() {
        problems.push("the response holds no single response".to_owned());
    }
    let produced_at = match to_time(&data.produced_at) {
        Ok(time) => rfc3339(time),
        Err(error) => {
            problems.push(error.to_string());
            String::new()
        }
    };
    let mut responses = Vec::new();
    for single in &data.responses {
        if let Err(error) = check_critical(
            single.single_extensions.as_ref(),
            "single response",
            &KNOWN_SINGLE_EXTENSIONS,
        ) {
            problems.push(error.to_string());
        }
        let (cert_status, revocation_time, revocation_reason) = match &single.cert_status {
            CertStatus::Good(_) => (SingleStatus::Good, None, None),
            CertStatus::Unknown(_) => (SingleStatus::Unknown, None, None),
            CertStatus::Revoked(info) => (
                SingleStatus::Revoked,
                to_time(&info.revocation_time).ok().map(rfc3339),
                info.revocation_reason.map(CrlReason::from_x509),
            ),
        };
        responses.push(SingleInspection {
            cert_id: CertIdSummary::of(&single.cert_id),
            cert_status,
            revocation_time,
            revocation_reason,
            this_update: to_time(&single.this_update)
                .map(rfc3339)
                .unwrap_or_default(),
            next_update: single
                .next_update
                .as_ref()
                .and_then(|t| to_time(t).ok())
                .map(rfc3339),
            extensions: extensions(single.single_extensions.as_ref()),
        });
    }
    let nonce = data
        .response_extensions
        .iter()
        .flatten()
        .find(|extension| extension.extn_id == rfc6960::ID_PKIX_OCSP_NONCE)
        .map(|extension| {
            let value = extension.extn_value.as_bytes();
            hex(&OctetString::from_der(value)
                .map(OctetString::into_bytes)
                .unwrap_or_else(|_| value.to_vec()))
        });
    BasicInspection {
        version: u16::from(version) + 1,
        responder_id: match &data.responder_id {
            ResponderId::ByKey(hash) => format!("byKey {}", hex(hash.as_bytes())),
            ResponderId::ByName(name) => format!("byName {name}"),
        },
        produced_at,
        responses,
        extensions: extensions(data.response_extensions.as_ref()),
        nonce,
        signature_algorithm: oid_name(&basic.signature_algorithm.oid),
        signature_len: basic.signature.raw_bytes().len(),
        certs: basic
            .certs
            .iter()
            .flatten()
            .map(|cert| cert.tbs_certificate.subject.to_string())
            .collect(),
    }
}

fn extensions(extensions: Option<&Extensions>) -> Vec<ExtensionInspection> {
    extensions
        .into_iter()
        .flatten()
        .map(|extension| ExtensionInspection {
            id: oid_name(&extension.extn_id),
            critical: extension.critical,
            value: hex(extension.extn_value.as_bytes()),
        })
        .collect()
}

fn oid_name(oid: &ObjectIdentifier) -> String {
    DB.by_oid(oid)
        .map(str::to_owned)
        .unwrap_or_else(|| oid.to_string())
}
