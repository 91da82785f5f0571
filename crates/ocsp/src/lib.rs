//! The OCSP protocol, with no I/O: CertIDs, requests (DER and GET paths), responses built and
//! signed from a plan of knobs that can break every rule, and a strict verifier.

mod build;
mod cert_id;
mod der_util;
mod inspect;
mod method;
mod plan;
mod request;
mod status;
mod verify;

pub use build::{BuildError, ResponseFactory, UNKNOWN_OID};
pub use cert_id::{HashAlgorithm, IssuerHashes, cert_id_for, cert_id_names, same_serial};
pub use inspect::{
    BasicInspection, ExtensionInspection, FoundStatus, Inspection, NotOcsp, ResponseInspection,
    SingleInspection, SingleStatus, inspect,
};
pub use method::HttpMethod;
pub use plan::{
    CertIdPlan, Criticality, CrlReason, NoncePlan, PlannedStatus, ResponderIdPlan, ResponsePlan,
    SignatureAlgorithmPlan, SignedPlan, Signer,
};
pub use request::{
    CertIdSummary, DecodedRequest, RequestError, RequestSummary, build_request, get_path,
};
pub use status::{ResponseStatus, unsigned_response};
pub use verify::{
    DEFAULT_MAX_SKEW, InvalidResponse, ReportedStatus, SignatureRejected, VerifiedResponse,
    VerifyContext, verify_response,
};

#[doc(hidden)]
pub use plan::optional_seconds as plan_optional_seconds;
#[doc(hidden)]
pub use plan::seconds as plan_seconds;

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn hex_is_lower_case_two_digits_per_octet() {
        assert_eq!(super::hex(&[0x00, 0x0f, 0xa0, 0xff]), "000fa0ff");
        assert_eq!(super::hex(&[]), "");
    }
}
