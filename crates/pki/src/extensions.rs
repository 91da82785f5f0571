//! DER values of the extensions rcgen has no builder for: the OCSP Authority Information Access
//! entry of the proxy certificate and the OCSP no-check marker of delegated responders.

use const_oid::ObjectIdentifier;
use const_oid::db::{rfc5280, rfc6960};
use der::Encode;
use der::asn1::{Ia5String, Null};
use rcgen::CustomExtension;
use x509_cert::ext::pkix::AccessDescription;
use x509_cert::ext::pkix::AuthorityInfoAccessSyntax;
use x509_cert::ext::pkix::name::GeneralName;

use super::error::PkiError;
use super::profile::ResponderUrl;

/// `authorityInfoAccess` with one `id-ad-ocsp` entry naming `url` (RFC 5280 section 4.2.2.1).
pub(crate) fn authority_info_access(url: &ResponderUrl) -> Result<CustomExtension, PkiError> {
    let encode_error = |source| PkiError::EncodeExtension {
        extension: "authorityInfoAccess",
        source,
    };
    let location = Ia5String::new(url.as_str()).map_err(encode_error)?;
    let value = AuthorityInfoAccessSyntax(vec![AccessDescription {
        access_method: rfc5280::ID_AD_OCSP,
        access_location: GeneralName::UniformResourceIdentifier(location),
    }])
    .to_der()
    .map_err(encode_error)?;
    Ok(custom(rfc5280::ID_PE_AUTHORITY_INFO_ACCESS, value))
}

/// `id-pkix-ocsp-nocheck` with the value NULL (RFC 6960 section 4.2.2.2.1): clients need not
/// check the delegated responder's own revocation status.
pub(crate) fn ocsp_nocheck() -> Result<CustomExtension, PkiError> {
    let value = Null.to_der().map_err(|source| PkiError::EncodeExtension {
        extension: "id-pkix-ocsp-nocheck",
        source,
    })?;
    Ok(custom(rfc6960::ID_PKIX_OCSP_NOCHECK, value))
}

fn custom(oid: ObjectIdentifier, value: Vec<u8>) -> CustomExtension {
    let arcs: Vec<u64> = oid.arcs().map(u64::from).collect();
    CustomExtension::from_oid_content(&arcs, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nocheck_value_is_der_null() {
        let extension = ocsp_nocheck().expect("encodes");
        assert_eq!(extension.content(), &[0x05, 0x00]);
        let arcs: Vec<u64> = extension.oid_components().collect();
        assert_eq!(arcs, [1, 3, 6, 1, 5, 5, 7, 48, 1, 5]);
        assert!(!extension.criticality());
    }

    #[test]
    fn aia_holds_one_ocsp_uri() {
        let url: ResponderUrl = "http://ocsp.example.test/".parse().expect("valid");
        let extension = authority_info_access(&url).expect("encodes");
        let arcs: Vec<u64> = extension.oid_components().collect();
        assert_eq!(arcs, [1, 3, 6, 1, 5, 5, 7, 1, 1]);
        // SEQUENCE { SEQUENCE { OID id-ad-ocsp, [6] "http://ocsp.example.test/" } }
        let mut expected = vec![0x30, 0x27, 0x30, 0x25, 0x06, 0x08];
        expected.extend([0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01]);
        expected.extend([0x86, 0x19]);
        expected.extend(b"http://ocsp.example.test/");
        assert_eq!(extension.content(), expected.as_slice());
    }
}
