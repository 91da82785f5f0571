//! The strict verifier: what the reference server's OCSP client accepts.
//!
//! Two independent decoders look at every response. x509-ocsp (pure Rust) checks the structure
//! and everything RFC 6960 and the contract ask of the content: status, type, version,
//! algorithms, critical extensions, the nonce, the CertID, the times. OpenSSL then checks the
//! signature and that the signer is the issuing CA or a certificate it issued with the
//! OCSPSigning usage, valid at the injected time (`X509VerifyParam::set_time`): never the
//! system clock.

use const_oid::ObjectIdentifier;
use const_oid::db::{rfc5280, rfc5912, rfc6960, rfc8410};
use der::asn1::{AnyRef, BitString, OctetString};
use der::{Decode, Sequence, Tag, Tagged};
use serde::Serialize;
use spki::AlgorithmIdentifierOwned;
use time::{Duration, OffsetDateTime};
use x509_cert::Certificate;
use x509_cert::ext::Extensions;
use x509_cert::serial_number::SerialNumber;
use x509_ocsp::{CertStatus, OcspGeneralizedTime, ResponderId, ResponseBytes, SingleResponse};

use super::cert_id::cert_id_names;
use super::hex;
use super::plan::CrlReason;
use super::status::ResponseStatus;

/// How far in the future `thisUpdate` may be (clock skew between client and responder).
pub const DEFAULT_MAX_SKEW: Duration = Duration::minutes(5);

/// What the verifier needs to know besides the response.
#[derive(Debug, Clone)]
pub struct VerifyContext<'a> {
    /// The DER certificate of the CA that issued the certificate asked about.
    pub issuer_der: &'a [u8],
    /// The serial of the certificate asked about.
    pub serial: &'a SerialNumber,
    /// The current time, from the caller's clock.
    pub now: OffsetDateTime,
    /// The nonce sent in the request, if any.
    pub nonce_sent: Option<&'a [u8]>,
    /// How far in the future `thisUpdate` may be.
    pub max_skew: Duration,
}

/// The certificate status a valid response reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", tag = "cert_status")]
pub enum ReportedStatus {
    /// GOOD
    Good,
    /// REVOKED, with when and why
    Revoked {
        /// revocationTime
        #[serde(with = "time::serde::rfc3339")]
        revocation_time: OffsetDateTime,
        /// The CRL reason, if given.
        reason: Option<CrlReason>,
    },
    /// UNKNOWN
    Unknown,
}

/// A response that passed every check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifiedResponse {
    /// The status of the certificate asked about.
    #[serde(flatten)]
    pub status: ReportedStatus,
    /// producedAt
    #[serde(with = "time::serde::rfc3339")]
    pub produced_at: OffsetDateTime,
    /// thisUpdate of the matching single response
    #[serde(with = "time::serde::rfc3339")]
    pub this_update: OffsetDateTime,
    /// nextUpdate of the matching single response, if any
    #[serde(with = "time::serde::rfc3339::option")]
    pub next_update: Option<OffsetDateTime>,
}

/// Why a response is not usable. Every variant means `invalid_ocsp_response`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidResponse {
    /// Not DER, truncated, or followed by trailing bytes.
    #[error("not a DER OCSPResponse: {0}")]
    NotDer(#[source] der::Error),
    /// responseStatus is not an ENUMERATED.
    #[error("not a DER OCSPResponse: responseStatus is a {0}, not an ENUMERATED")]
    StatusNotEnumerated(Tag),
    /// responseStatus is an error RFC 6960 defines.
    #[error("responseStatus is {0}")]
    ErrorStatus(ResponseStatus),
    /// responseStatus is a value RFC 6960 does not define.
    #[error("responseStatus {0} is not defined by RFC 6960")]
    UndefinedStatus(u64),
    /// successful without responseBytes.
    #[error("responseStatus is successful but responseBytes is absent")]
    NoResponseBytes,
    /// responseType other than id-pkix-ocsp-basic.
    #[error("responseType is {0}, not id-pkix-ocsp-basic")]
    ResponseType(ObjectIdentifier),
    /// The BasicOCSPResponse does not decode.
    #[error("the BasicOCSPResponse does not decode: {0}")]
    Basic(#[source] der::Error),
    /// A time in the BasicOCSPResponse is outside what a date can hold.
    #[error("the BasicOCSPResponse does not decode: time out of range: {0}")]
    TimeOutOfRange(#[source] time::error::ComponentRange),
    /// ResponseData version other than v1.
    #[error("ResponseData version is v{}, only v1 exists", .0 + 1)]
    Version(u8),
    /// A signature algorithm that is broken.
    #[error("the response is signed with {0}, a broken algorithm")]
    WeakSignatureAlgorithm(&'static str),
    /// A signature algorithm we do not know.
    #[error("the response is signed with unknown algorithm {0}")]
    UnknownSignatureAlgorithm(ObjectIdentifier),
    /// A critical extension we do not understand.
    #[error("unknown critical {level} extension {oid}")]
    CriticalExtension {
        /// `response` or `single response`.
        level: &'static str,
        /// Its OID.
        oid: String,
    },
    /// The nonce came back different.
    #[error("nonce mismatch: sent {sent}, received {received}")]
    NonceMismatch {
        /// Hex.
        sent: String,
        /// Hex.
        received: String,
    },
    /// No single responses at all.
    #[error("the response holds no single response")]
    NoSingleResponses,
    /// None of the single responses is about the certificate.
    #[error("none of the {count} single responses is about the certificate asked for")]
    NoMatchingSingleResponse {
        /// How many there were.
        count: usize,
    },
    /// thisUpdate too far ahead.
    #[error("thisUpdate {this_update} is in the future (now {now})")]
    ThisUpdateInFuture {
        /// thisUpdate, RFC 3339.
        this_update: String,
        /// The clock's time, RFC 3339.
        now: String,
    },
    /// nextUpdate passed.
    #[error("nextUpdate {next_update} has passed (now {now})")]
    NextUpdateInPast {
        /// nextUpdate, RFC 3339.
        next_update: String,
        /// The clock's time, RFC 3339.
        now: String,
    },
    /// nextUpdate before thisUpdate.
    #[error("nextUpdate {next_update} is before thisUpdate {this_update}")]
    NextUpdateBeforeThisUpdate {
        /// thisUpdate, RFC 3339.
        this_update: String,
        /// nextUpdate, RFC 3339.
        next_update: String,
    },
    /// A revocation time later than the status it is part of.
    #[error("revocationTime {revocation_time} is after thisUpdate {this_update}")]
    RevokedAfterThisUpdate {
        /// revocationTime, RFC 3339.
        revocation_time: String,
        /// thisUpdate, RFC 3339.
        this_update: String,
    },
    /// The issuer certificate given to the verifier does not decode.
    #[error("the issuer certificate does not decode: {0}")]
    Issuer(#[source] der::Error),
    /// OpenSSL rejected the signature or the signer.
    #[error("signature or signer rejected: {0}")]
    Signature(SignatureRejected),
}

/// OpenSSL's reasons for refusing a signature or its signer, as its error queue gives them (the
/// queue itself is not kept: it is neither comparable nor meant to outlive the call).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureRejected {
    /// Each reason, first first; empty when OpenSSL gave none.
    pub reasons: Vec<String>,
}

impl std::fmt::Display for SignatureRejected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.reasons.is_empty() {
            f.write_str("verification failed")
        } else {
            f.write_str(&self.reasons.join(": "))
        }
    }
}

/// The outer OCSPResponse, with the status kept raw so that undefined values get a clear error.
#[derive(Sequence)]
pub(crate) struct RawOcspResponse<'a> {
    pub(crate) status: AnyRef<'a>,
    #[asn1(context_specific = "0", optional = "true", tag_mode = "EXPLICIT")]
    pub(crate) bytes: Option<ResponseBytes>,
}

/// BasicOCSPResponse with a lenient version field, so that v2 gets a clear error.
#[derive(Sequence)]
pub(crate) struct LooseBasicResponse {
    pub(crate) tbs_response_data: LooseResponseData,
    pub(crate) signature_algorithm: AlgorithmIdentifierOwned,
    pub(crate) signature: BitString,
    #[asn1(context_specific = "0", optional = "true", tag_mode = "EXPLICIT")]
    pub(crate) certs: Option<Vec<Certificate>>,
}

#[derive(Sequence)]
pub(crate) struct LooseResponseData {
    #[asn1(context_specific = "0", optional = "true", tag_mode = "EXPLICIT")]
    pub(crate) version: Option<u8>,
    pub(crate) responder_id: ResponderId,
    pub(crate) produced_at: OcspGeneralizedTime,
    pub(crate) responses: Vec<SingleResponse>,
    #[asn1(context_specific = "1", optional = "true", tag_mode = "EXPLICIT")]
    pub(crate) response_extensions: Option<Extensions>,
}

const STRONG_SIGNATURE_ALGORITHMS: [ObjectIdentifier; 10] = [
    rfc5912::SHA_256_WITH_RSA_ENCRYPTION,
    rfc5912::SHA_384_WITH_RSA_ENCRYPTION,
    rfc5912::SHA_512_WITH_RSA_ENCRYPTION,
    rfc5912::ID_RSASSA_PSS,
    rfc5912::ECDSA_WITH_SHA_256,
    rfc5912::ECDSA_WITH_SHA_384,
    rfc5912::ECDSA_WITH_SHA_512,
    rfc8410::ID_ED_25519,
    rfc8410::ID_ED_448,
    rfc5912::SHA_224_WITH_RSA_ENCRYPTION,
];

const WEAK_SIGNATURE_ALGORITHMS: [(ObjectIdentifier, &str); 4] = [
    (rfc5912::MD_2_WITH_RSA_ENCRYPTION, "md2WithRSAEncryption"),
    (rfc5912::MD_5_WITH_RSA_ENCRYPTION, "md5WithRSAEncryption"),
    (rfc5912::SHA_1_WITH_RSA_ENCRYPTION, "sha1WithRSAEncryption"),
    (
        ObjectIdentifier::new_unwrap("1.2.840.10045.4.1"),
        "ecdsa-with-SHA1",
    ),
];

/// Response-level extensions a client may meet and ignore even when critical.
pub(crate) const KNOWN_RESPONSE_EXTENSIONS: [ObjectIdentifier; 3] = [
    rfc6960::ID_PKIX_OCSP_NONCE,
    rfc6960::ID_PKIX_OCSP_CRL,
    rfc6960::ID_PKIX_OCSP_EXTENDED_REVOKE,
];

/// Single-response extensions a client may meet (RFC 6960 section 4.4 and CRL entry ones).
pub(crate) const KNOWN_SINGLE_EXTENSIONS: [ObjectIdentifier; 5] = [
    rfc6960::ID_PKIX_OCSP_CRL,
    rfc6960::ID_PKIX_OCSP_ARCHIVE_CUTOFF,
    rfc5280::ID_CE_CRL_REASONS,
    rfc5280::ID_CE_INVALIDITY_DATE,
    rfc5280::ID_CE_CERTIFICATE_ISSUER,
];

/// Checks `der` strictly; see the module documentation for what is checked.
pub fn verify_response(
    der: &[u8],
    context: &VerifyContext<'_>,
) -> Result<VerifiedResponse, InvalidResponse> {
    let raw = RawOcspResponse::from_der(der).map_err(InvalidResponse::NotDer)?;
    check_status(&raw.status)?;
    let bytes = raw.bytes.ok_or(InvalidResponse::NoResponseBytes)?;
    if bytes.response_type != rfc6960::ID_PKIX_OCSP_BASIC {
        return Err(InvalidResponse::ResponseType(bytes.response_type));
    }
    let basic =
        LooseBasicResponse::from_der(bytes.response.as_bytes()).map_err(InvalidResponse::Basic)?;
    let data = &basic.tbs_response_data;
    if let Some(version) = data.version.filter(|&version| version != 0) {
        return Err(InvalidResponse::Version(version));
    }
    check_signature_algorithm(&basic.signature_algorithm.oid)?;
    check_critical(
        data.response_extensions.as_ref(),
        "response",
        &KNOWN_RESPONSE_EXTENSIONS,
    )?;
    check_nonce(data.response_extensions.as_ref(), context.nonce_sent)?;

    let issuer = Certificate::from_der(context.issuer_der).map_err(InvalidResponse::Issuer)?;
    if data.responses.is_empty() {
        return Err(InvalidResponse::NoSingleResponses);
    }
    let single = data
        .responses
        .iter()
        .find(|single| cert_id_names(&single.cert_id, &issuer, context.serial))
        .ok_or(InvalidResponse::NoMatchingSingleResponse {
            count: data.responses.len(),
        })?;
    check_critical(
        single.single_extensions.as_ref(),
        "single response",
        &KNOWN_SINGLE_EXTENSIONS,
    )?;
    let verified = check_times(data, single, context)?;

    check_signature(der, context)?;
    Ok(verified)
}

pub(crate) fn check_status(status: &AnyRef<'_>) -> Result<(), InvalidResponse> {
    if status.tag() != Tag::Enumerated {
        return Err(InvalidResponse::StatusNotEnumerated(status.tag()));
    }
    let value = status.value().iter().fold(0u64, |value, byte| {
        value.saturating_mul(256).saturating_add(u64::from(*byte))
    });
    match ResponseStatus::from_code(value) {
        Some(ResponseStatus::Successful) => Ok(()),
        Some(error) => Err(InvalidResponse::ErrorStatus(error)),
        None => Err(InvalidResponse::UndefinedStatus(value)),
    }
}

pub(crate) fn check_signature_algorithm(oid: &ObjectIdentifier) -> Result<(), InvalidResponse> {
    if STRONG_SIGNATURE_ALGORITHMS.contains(oid) {
        return Ok(());
    }
    match WEAK_SIGNATURE_ALGORITHMS
        .iter()
        .find(|(weak, _)| weak == oid)
    {
        Some((_, name)) => Err(InvalidResponse::WeakSignatureAlgorithm(name)),
        None => Err(InvalidResponse::UnknownSignatureAlgorithm(*oid)),
    }
}

pub(crate) fn check_critical(
    extensions: Option<&Extensions>,
    level: &'static str,
    known: &[ObjectIdentifier],
) -> Result<(), InvalidResponse> {
    match extensions
        .into_iter()
        .flatten()
        .find(|extension| extension.critical && !known.contains(&extension.extn_id))
    {
        Some(extension) => Err(InvalidResponse::CriticalExtension {
            level,
            oid: extension.extn_id.to_string(),
        }),
        None => Ok(()),
    }
}

/// RFC 9654 section 2.1: a nonce sent and a different one returned is a replay; none returned
/// is allowed (RFC 9919 clients then rely on the times).
fn check_nonce(
    extensions: Option<&Extensions>,
    sent: Option<&[u8]>,
) -> Result<(), InvalidResponse> {
    let Some(sent) = sent else {
        return Ok(());
    };
    let Some(extension) = extensions
        .into_iter()
        .flatten()
        .find(|extension| extension.extn_id == rfc6960::ID_PKIX_OCSP_NONCE)
    else {
        return Ok(());
    };
    let value = extension.extn_value.as_bytes();
    let received = OctetString::from_der(value)
        .map(OctetString::into_bytes)
        .unwrap_or_else(|_| value.to_vec());
    if received == sent {
        Ok(())
    } else {
        Err(InvalidResponse::NonceMismatch {
            sent: hex(sent),
            received: hex(&received),
        })
    }
}

fn check_times(
    data: &LooseResponseData,
    single: &SingleResponse,
    context: &VerifyContext<'_>,
) -> Result<VerifiedResponse, InvalidResponse> {
    let this_update = to_time(&single.this_update)?;
    let next_update = single.next_update.as_ref().map(to_time).transpose()?;
    let produced_at = to_time(&data.produced_at)?;
    let now = context.now;
    if this_update > now + context.max_skew {
        return Err(InvalidResponse::ThisUpdateInFuture {
            this_update: rfc3339(this_update),
            now: rfc3339(now),
        });
    }
    if let Some(next_update) = next_update {
        if next_update < this_update {
            return Err(InvalidResponse::NextUpdateBeforeThisUpdate {
                this_update: rfc3339(this_update),
                next_update: rfc3339(next_update),
            });
        }
        if next_update < now {
            return Err(InvalidResponse::NextUpdateInPast {
                next_update: rfc3339(next_update),
                now: rfc3339(now),
            });
        }
    }
    let status = match &single.cert_status {
        CertStatus::Good(_) => ReportedStatus::Good,
        CertStatus::Unknown(_) => ReportedStatus::Unknown,
        CertStatus::Revoked(info) => {
            let revocation_time = to_time(&info.revocation_time)?;
            if revocation_time > this_update {
                return Err(InvalidResponse::RevokedAfterThisUpdate {
                    revocation_time: rfc3339(revocation_time),
                    this_update: rfc3339(this_update),
                });
            }
            ReportedStatus::Revoked {
                revocation_time,
                reason: info.revocation_reason.map(CrlReason::from_x509),
            }
        }
    };
    Ok(VerifiedResponse {
        status,
        produced_at,
        this_update,
        next_update,
    })
}

/// OpenSSL's `OCSP_basic_verify` with the issuer as the only trust anchor (a partial chain: a
/// client trusts the CA that issued its certificate to speak for it) at the context's time.
fn check_signature(der: &[u8], context: &VerifyContext<'_>) -> Result<(), InvalidResponse> {
    use openssl::ocsp::{OcspFlag, OcspResponse};
    use openssl::stack::Stack;
    use openssl::x509::store::X509StoreBuilder;
    use openssl::x509::verify::{X509VerifyFlags, X509VerifyParam};

    let rejected = |error: openssl::error::ErrorStack| {
        let reasons: Vec<String> = error
            .errors()
            .iter()
            .map(|error| error.reason().unwrap_or("unknown reason").to_owned())
            .collect();
        InvalidResponse::Signature(SignatureRejected { reasons })
    };
    let issuer = decoded_issuer(context.issuer_der).map_err(rejected)?;
    let mut store = X509StoreBuilder::new().map_err(rejected)?;
    store.add_cert(issuer.clone()).map_err(rejected)?;
    let mut param = X509VerifyParam::new().map_err(rejected)?;
    param
        .set_flags(X509VerifyFlags::PARTIAL_CHAIN)
        .map_err(rejected)?;
    param.set_time(context.now.unix_timestamp());
    store.set_param(&param).map_err(rejected)?;
    let store = store.build();
    let mut certs = Stack::new().map_err(rejected)?;
    certs.push(issuer).map_err(rejected)?;

    let response = OcspResponse::from_der(der).map_err(rejected)?;
    let basic = response.basic().map_err(rejected)?;
    basic
        .verify(&certs, &store, OcspFlag::empty())
        .map_err(rejected)
}

/// The issuer as OpenSSL decoded it, kept by its DER: OpenSSL 3.0 builds a decoder for the key
/// of every certificate it reads, which was half of verifying a response, and a client asks
/// about the same few issuers again and again. A decoded certificate is never changed, and the
/// cache is emptied when it holds [`DECODED_ISSUERS`].
fn decoded_issuer(der: &[u8]) -> Result<openssl::x509::X509, openssl::error::ErrorStack> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock, PoisonError};
    static CACHE: OnceLock<Mutex<HashMap<Vec<u8>, openssl::x509::X509>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Mutex::default);
    if let Some(issuer) = cache
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(der)
    {
        return Ok(issuer.clone());
    }
    let issuer = openssl::x509::X509::from_der(der)?;
    let mut cache = cache.lock().unwrap_or_else(PoisonError::into_inner);
    if cache.len() >= DECODED_ISSUERS {
        cache.clear();
    }
    cache.insert(der.to_vec(), issuer.clone());
    Ok(issuer)
}

/// How many decoded issuers [`decoded_issuer`] keeps at most.
const DECODED_ISSUERS: usize = 256;

pub(crate) fn to_time(time: &OcspGeneralizedTime) -> Result<OffsetDateTime, InvalidResponse> {
    let seconds = i64::try_from(time.0.to_unix_duration().as_secs()).unwrap_or(i64::MAX);
    OffsetDateTime::from_unix_timestamp(seconds).map_err(InvalidResponse::TimeOutOfRange)
}

pub(crate) fn rfc3339(time: OffsetDateTime) -> String {
    time.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| time.to_string())
}
