//! What a certificate says about itself, read back from its DER with an independent decoder
//! (x509-cert, not the rcgen that wrote it). Manifests are written from this, so they describe
//! the bytes on disk rather than what the generator meant to produce.

use const_oid::ObjectIdentifier;
use const_oid::db::{DB, rfc5280, rfc6960};
use der::{Decode, Encode};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use x509_cert::Certificate;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{AuthorityInfoAccessSyntax, BasicConstraints, ExtendedKeyUsage};

use super::error::PkiError;
use super::name;
use super::profile::Serial;

/// The fields of a certificate that scenarios and people care about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateSummary {
    /// The subject, as an RFC 4514 string.
    pub subject: String,
    /// The issuer, as an RFC 4514 string.
    pub issuer: String,
    /// The serial number.
    pub serial: Serial,
    /// The validity window.
    pub validity: Validity,
    /// Whether basicConstraints marks it a CA.
    pub is_ca: bool,
    /// The `id-ad-ocsp` URIs of its Authority Information Access extension, in order.
    pub ocsp_urls: Vec<String>,
    /// Its extended key usages, by name where the OID database knows one.
    pub extended_key_usages: Vec<String>,
    /// Whether it carries `id-pkix-ocsp-nocheck`.
    pub ocsp_nocheck: bool,
}

/// A certificate's notBefore and notAfter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validity {
    /// The first instant it is valid.
    #[serde(with = "time::serde::rfc3339")]
    pub not_before: OffsetDateTime,
    /// The last instant it is valid.
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
}

impl Validity {
    /// Whether `at` falls inside the window (both ends included, as RFC 5280 says).
    pub fn contains(&self, at: OffsetDateTime) -> bool {
        self.not_before <= at && at <= self.not_after
    }
}

impl CertificateSummary {
    /// Reads a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, PkiError> {
        let certificate = Certificate::from_der(der).map_err(|source| PkiError::Decode {
            what: "certificate".to_owned(),
            source,
        })?;
        let tbs = &certificate.tbs_certificate;
        let serial = Serial::from_der_content(tbs.serial_number.as_bytes()).map_err(|_| {
            PkiError::Decode {
                what: "certificate serial".to_owned(),
                source: der::Tag::Integer.value_error(),
            }
        })?;
        let mut summary = CertificateSummary {
            subject: name::rfc4514(&tbs.subject),
            issuer: name::rfc4514(&tbs.issuer),
            serial,
            validity: Validity {
                not_before: to_offset_date_time(tbs.validity.not_before)?,
                not_after: to_offset_date_time(tbs.validity.not_after)?,
            },
            is_ca: false,
            ocsp_urls: Vec::new(),
            extended_key_usages: Vec::new(),
            ocsp_nocheck: false,
        };
        for extension in tbs.extensions.iter().flatten() {
            let value = extension.extn_value.as_bytes();
            let decode_error = |source| PkiError::Decode {
                what: format!("extension {}", oid_name(&extension.extn_id)),
                source,
            };
            match extension.extn_id {
                rfc5280::ID_CE_BASIC_CONSTRAINTS => {
                    summary.is_ca = BasicConstraints::from_der(value).map_err(decode_error)?.ca;
                }
                rfc5280::ID_PE_AUTHORITY_INFO_ACCESS => {
                    let access =
                        AuthorityInfoAccessSyntax::from_der(value).map_err(decode_error)?;
                    summary.ocsp_urls = access
                        .0
                        .iter()
                        .filter(|entry| entry.access_method == rfc5280::ID_AD_OCSP)
                        .filter_map(|entry| match &entry.access_location {
                            GeneralName::UniformResourceIdentifier(uri) => {
                                Some(uri.as_str().to_owned())
                            }
                            _ => None,
                        })
                        .collect();
                }
                rfc5280::ID_CE_EXT_KEY_USAGE => {
                    let usages = ExtendedKeyUsage::from_der(value).map_err(decode_error)?;
                    summary.extended_key_usages = usages.0.iter().map(oid_name).collect();
                }
                rfc6960::ID_PKIX_OCSP_NOCHECK => summary.ocsp_nocheck = true,
                _ => {}
            }
        }
        Ok(summary)
    }

    /// Whether the certificate carries the OCSPSigning extended key usage.
    pub fn has_ocsp_signing(&self) -> bool {
        self.extended_key_usages
            .iter()
            .any(|usage| usage == &oid_name(&rfc5280::ID_KP_OCSP_SIGNING))
    }
}

/// The DER SubjectPublicKeyInfo of a DER certificate, to match it against a private key.
pub fn certificate_spki_der(der: &[u8]) -> Result<Vec<u8>, PkiError> {
    let decode_error = |source| PkiError::Decode {
        what: "certificate".to_owned(),
        source,
    };
    let certificate = Certificate::from_der(der).map_err(decode_error)?;
    certificate
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(decode_error)
}

fn to_offset_date_time(time: x509_cert::time::Time) -> Result<OffsetDateTime, PkiError> {
    let seconds = i64::try_from(time.to_unix_duration().as_secs()).ok();
    seconds
        .and_then(|seconds| OffsetDateTime::from_unix_timestamp(seconds).ok())
        .ok_or_else(|| PkiError::Decode {
            what: "certificate validity".to_owned(),
            source: der::Tag::GeneralizedTime.value_error(),
        })
}

/// The OID's name in the database (e.g. `id-kp-OCSPSigning`), else its dotted form.
fn oid_name(oid: &ObjectIdentifier) -> String {
    DB.by_oid(oid)
        .map(str::to_owned)
        .unwrap_or_else(|| oid.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_a_decode_error_not_a_panic() {
        for bytes in [&[][..], &[0x30], &[0x30, 0x03, 0x02, 0x01, 0x01], b"hello"] {
            assert!(matches!(
                CertificateSummary::from_der(bytes),
                Err(PkiError::Decode { .. })
            ));
        }
    }

    #[test]
    fn validity_includes_both_ends() {
        let validity = Validity {
            not_before: time::macros::datetime!(2026-01-01 0:00 UTC),
            not_after: time::macros::datetime!(2026-02-01 0:00 UTC),
        };
        assert!(validity.contains(validity.not_before));
        assert!(validity.contains(validity.not_after));
        assert!(!validity.contains(validity.not_after + time::Duration::SECOND));
    }
}
