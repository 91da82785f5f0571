//! OCSP requests: decoding what a client sent (DER over POST, or base64 in a GET path as RFC
//! 5019 section 5 and RFC 6960 appendix A.1 describe), and building one for our own client.

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use const_oid::db::rfc6960::ID_PKIX_OCSP_NONCE;
use der::asn1::OctetString;
use der::{Decode, Encode};
use serde::Serialize;
use x509_cert::ext::Extension;
use x509_ocsp::{CertId, OcspRequest, Request, TbsRequest};

use super::cert_id::HashAlgorithm;
use super::hex;

use pki::DerInteger;

/// The base64 alphabet of GET requests, accepting input with or without padding.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Why a request could not be decoded: the responder answers `malformedRequest`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// The body or path is not a DER OCSPRequest.
    #[error("not a DER OCSPRequest: {0}")]
    NotDer(#[source] der::Error),
    /// A GET path that holds no base64 OCSPRequest.
    #[error("the GET path holds no base64 OCSPRequest")]
    NoRequestInPath,
    /// A request with an empty requestList.
    #[error("the request lists no certificate")]
    Empty,
}

/// A decoded request: the CertIDs asked about and the nonce, with the raw extension kept so
/// that a response can echo it byte for byte.
#[derive(Debug, Clone)]
pub struct DecodedRequest {
    /// The CertIDs, in request order.
    pub cert_ids: Vec<CertId>,
    /// The nonce extension as sent, if any.
    pub nonce_extension: Option<Extension>,
    /// Whether the request carries an optional signature.
    pub signed: bool,
    /// The OIDs of the request extensions, nonce included.
    pub extension_oids: Vec<String>,
}

/// The journal's view of a request: all of it readable as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestSummary {
    /// One entry per CertID.
    pub cert_ids: Vec<CertIdSummary>,
    /// The nonce octets (hex), if a nonce was sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// The nonce length in octets, if a nonce was sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce_len: Option<usize>,
    /// Whether the request is signed.
    pub signed: bool,
    /// The OIDs of the request extensions.
    pub extensions: Vec<String>,
}

/// A CertID, readable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertIdSummary {
    /// `sha1`, `sha256`, ... or the OID of an algorithm we do not know.
    pub hash_algorithm: String,
    /// Hex.
    pub issuer_name_hash: String,
    /// Hex.
    pub issuer_key_hash: String,
    /// The serial as [`pki::DerInteger::to_hex`] prints it (upper-case hex as `openssl x509
    /// -serial` writes it: no DER sign octet, `00` for zero, `-` before a negative number), so
    /// that a positive serial prints as its [`pki::Serial::to_hex`].
    pub serial: String,
}

impl CertIdSummary {
    /// The readable form of `cert_id`.
    pub fn of(cert_id: &CertId) -> Self {
        let oid = &cert_id.hash_algorithm.oid;
        Self {
            hash_algorithm: HashAlgorithm::from_oid(oid)
                .map(|algorithm| algorithm.name().to_owned())
                .unwrap_or_else(|| oid.to_string()),
            issuer_name_hash: hex(cert_id.issuer_name_hash.as_bytes()),
            issuer_key_hash: hex(cert_id.issuer_key_hash.as_bytes()),
            serial: DerInteger::from_content(cert_id.serial_number.as_bytes()).to_hex(),
        }
    }
}

impl DecodedRequest {
    /// Decodes a DER OCSPRequest; trailing bytes are an error.
    pub fn from_der(der: &[u8]) -> Result<Self, RequestError> {
        let request = OcspRequest::from_der(der).map_err(RequestError::NotDer)?;
        if request.tbs_request.request_list.is_empty() {
            return Err(RequestError::Empty);
        }
        let extensions = request.tbs_request.request_extensions.unwrap_or_default();
        Ok(Self {
            cert_ids: request
                .tbs_request
                .request_list
                .into_iter()
                .map(|single| single.req_cert)
                .collect(),
            nonce_extension: extensions
                .iter()
                .find(|extension| extension.extn_id == ID_PKIX_OCSP_NONCE)
                .cloned(),
            signed: request.optional_signature.is_some(),
            extension_oids: extensions
                .iter()
                .map(|extension| extension.extn_id.to_string())
                .collect(),
        })
    }

    /// Decodes the path of a GET request: the base64 (percent-escaped or not) DER request
    /// after the responder's own path, which may itself hold slashes.
    pub fn from_get_path(path: &str) -> Result<Self, RequestError> {
        let decoded = percent_decode(path);
        let trimmed = decoded.trim_start_matches('/');
        // Base64 may contain '/', so try every suffix that starts after a slash, longest
        // first: the first that decodes is the request.
        let candidates = std::iter::once(trimmed).chain(
            trimmed
                .match_indices('/')
                .map(|(index, _)| trimmed[index..].trim_start_matches('/')),
        );
        let mut last_error = RequestError::NoRequestInPath;
        for candidate in candidates {
            let Ok(der) = BASE64.decode(candidate) else {
                continue;
            };
            match Self::from_der(&der) {
                Ok(request) => return Ok(request),
                Err(error) => last_error = error,
            }
        }
        Err(last_error)
    }

    /// The nonce octets: the OCTET STRING inside the extension value (RFC 8954), or the raw
    /// value when a client left that wrapping out.
    pub fn nonce(&self) -> Option<Vec<u8>> {
        self.nonce_extension.as_ref().map(|extension| {
            let value = extension.extn_value.as_bytes();
            OctetString::from_der(value)
                .map(OctetString::into_bytes)
                .unwrap_or_else(|_| value.to_vec())
        })
    }

    /// The journal's view.
    pub fn summary(&self) -> RequestSummary {
        let nonce = self.nonce();
        RequestSummary {
            cert_ids: self.cert_ids.iter().map(CertIdSummary::of).collect(),
            nonce_len: nonce.as_ref().map(Vec::len),
            nonce: nonce.as_deref().map(hex),
            signed: self.signed,
            extensions: self.extension_oids.clone(),
        }
    }
}

/// Builds an unsigned DER OCSPRequest for `cert_id`, with a nonce extension (RFC 8954) when
/// `nonce` is given.
pub fn build_request(cert_id: CertId, nonce: Option<&[u8]>) -> Result<Vec<u8>, der::Error> {
    let request_extensions = nonce
        .map(|nonce| -> Result<Vec<Extension>, der::Error> {
            Ok(vec![Extension {
                extn_id: ID_PKIX_OCSP_NONCE,
                critical: false,
                extn_value: OctetString::new(OctetString::new(nonce)?.to_der()?)?,
            }])
        })
        .transpose()?;
    OcspRequest {
        tbs_request: TbsRequest {
            version: Default::default(),
            requestor_name: None,
            request_list: vec![Request {
                req_cert: cert_id,
                single_request_extensions: None,
            }],
            request_extensions,
        },
        optional_signature: None,
    }
    .to_der()
}

/// The GET form of a DER request: standard base64, percent-escaped so that it is one path
/// segment whatever it holds (`+`, `/`, `=`).
pub fn get_path(der: &[u8]) -> String {
    percent_encoding::utf8_percent_encode(&BASE64.encode(der), percent_encoding::NON_ALPHANUMERIC)
        .to_string()
}

/// Decodes `%XX` escapes; anything else, including a malformed escape, is kept as it is.
fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use der::Decode;
    use time::macros::datetime;
    use x509_cert::Certificate;

    use super::*;
    use crate::cert_id::cert_id_for;
    use pki::{PkiProfile, Role, TestPki};

    #[test]
    fn a_serial_reads_as_openssl_prints_it_whatever_its_top_bit() {
        // DER puts a zero octet before a first octet of 0x80 or more; the number has none.
        for serial in ["CFD622AF4D590A36", "4FD622AF4D590A36"] {
            let pki = TestPki::generate(&PkiProfile {
                proxy_serial: Some(serial.parse().expect("hex")),
                ..PkiProfile::at(datetime!(2026-03-01 12:00 UTC))
            })
            .expect("generates");
            let decode = |role| Certificate::from_der(pki.cert(role).der()).expect("decodes");
            let cert_id = cert_id_for(
                &decode(Role::Intermediate),
                &decode(Role::Proxy),
                HashAlgorithm::Sha1,
            )
            .expect("cert id");
            assert_eq!(CertIdSummary::of(&cert_id).serial, serial);
            assert_eq!(pki.cert(Role::Proxy).summary().serial.to_hex(), serial);
        }
    }

    fn proxy_cert_id(algorithm: HashAlgorithm) -> CertId {
        let pki =
            TestPki::generate(&PkiProfile::at(datetime!(2026-03-01 12:00 UTC))).expect("generates");
        let decode = |role| Certificate::from_der(pki.cert(role).der()).expect("decodes");
        cert_id_for(&decode(Role::Intermediate), &decode(Role::Proxy), algorithm).expect("id")
    }

    #[test]
    fn a_built_request_decodes_to_its_cert_id_and_nonce() {
        let cert_id = proxy_cert_id(HashAlgorithm::Sha1);
        let der = build_request(cert_id.clone(), Some(&[7; 16])).expect("builds");
        let decoded = DecodedRequest::from_der(&der).expect("decodes");
        assert_eq!(decoded.cert_ids, [cert_id]);
        assert_eq!(decoded.nonce(), Some(vec![7; 16]));
        let summary = decoded.summary();
        assert_eq!(summary.nonce_len, Some(16));
        assert_eq!(summary.cert_ids[0].hash_algorithm, "sha1");
        assert_eq!(summary.extensions, ["1.3.6.1.5.5.7.48.1.2"]);
        assert!(!summary.signed);
    }

    #[test]
    fn get_paths_decode_with_escapes_prefixes_and_doubled_slashes() {
        let der = build_request(proxy_cert_id(HashAlgorithm::Sha256), None).expect("builds");
        let raw = BASE64.encode(&der);
        let escaped = get_path(&der);
        for path in [
            format!("/{raw}"),
            format!("/{escaped}"),
            format!("//{raw}"),
            format!("/ocsp/{raw}"),
            format!("/ocsp//{escaped}"),
            format!("/{}", raw.trim_end_matches('=')),
            format!("/{}", raw.replace('+', "%2b").replace('/', "%2f")),
        ] {
            let decoded = DecodedRequest::from_get_path(&path)
                .unwrap_or_else(|error| panic!("{path}: {error}"));
            assert_eq!(decoded.cert_ids.len(), 1, "{path}");
        }
    }

    #[test]
    fn garbage_is_a_request_error() {
        assert!(matches!(
            DecodedRequest::from_der(b"not der"),
            Err(RequestError::NotDer(_))
        ));
        assert!(DecodedRequest::from_get_path("/").is_err());
        assert!(DecodedRequest::from_get_path("/%zz%").is_err());
        assert!(DecodedRequest::from_get_path("/aGVsbG8=").is_err());
        let der = build_request(proxy_cert_id(HashAlgorithm::Sha1), None).expect("builds");
        let mut trailing = der.clone();
        trailing.push(0);
        assert!(DecodedRequest::from_der(&trailing).is_err());
    }

    #[test]
    fn an_empty_request_list_is_refused() {
        let empty = OcspRequest {
            tbs_request: TbsRequest::default(),
            optional_signature: None,
        }
        .to_der()
        .expect("encodes");
        assert_eq!(
            DecodedRequest::from_der(&empty).err(),
            Some(RequestError::Empty)
        );
    }

    #[test]
    fn percent_decoding_keeps_what_is_not_an_escape() {
        assert_eq!(percent_decode("a%2Bb%2fc%3D"), "a+b/c=");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%g1"), "%g1");
    }
}
