//! CertID (RFC 6960 section 4.1.1): which certificate a request or single response is about,
//! named by hashes of its issuer's name and key and by its serial.

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5912::{ID_SHA_1, ID_SHA_256, ID_SHA_384, ID_SHA_512};
use der::Encode;
use der::asn1::{Null, OctetString};
use sha1::Digest;
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::serial_number::SerialNumber;
use x509_ocsp::CertId;

use pki::DerInteger;

contract::named_enum! {
    /// The hash algorithms a CertID may use, by their names in journals and scenarios.
    pub enum HashAlgorithm: "hash algorithm" {
        /// SHA-1: what RFC 5019 clients send.
        Sha1 = "sha1",
        /// SHA-256.
        Sha256 = "sha256",
        /// SHA-384.
        Sha384 = "sha384",
        /// SHA-512.
        Sha512 = "sha512",
    }
}

impl HashAlgorithm {
    /// The algorithm's OID.
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            HashAlgorithm::Sha1 => ID_SHA_1,
            HashAlgorithm::Sha256 => ID_SHA_256,
            HashAlgorithm::Sha384 => ID_SHA_384,
            HashAlgorithm::Sha512 => ID_SHA_512,
        }
    }

    /// The algorithm with `oid`, if it is one of ours.
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|algorithm| algorithm.oid() == *oid)
    }

    /// The digest of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            HashAlgorithm::Sha1 => sha1::Sha1::digest(data).to_vec(),
            HashAlgorithm::Sha256 => sha2::Sha256::digest(data).to_vec(),
            HashAlgorithm::Sha384 => sha2::Sha384::digest(data).to_vec(),
            HashAlgorithm::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }

    /// The AlgorithmIdentifier, with NULL parameters as RFC 5019 clients and OpenSSL send.
    pub fn identifier(self) -> AlgorithmIdentifierOwned {
        AlgorithmIdentifierOwned {
            oid: self.oid(),
            parameters: Some(Null.into()),
        }
    }
}

/// The two issuer hashes of a CertID under one algorithm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerHashes {
    /// The algorithm.
    pub algorithm: HashAlgorithm,
    /// Hash of the DER of the issuer's subject name.
    pub name_hash: Vec<u8>,
    /// Hash of the issuer's subjectPublicKey BIT STRING value (not the whole SPKI).
    pub key_hash: Vec<u8>,
}

impl IssuerHashes {
    /// The hashes of `issuer` under `algorithm`.
    pub fn of(issuer: &Certificate, algorithm: HashAlgorithm) -> Result<Self, der::Error> {
        let name = issuer.tbs_certificate.subject.to_der()?;
        let key = issuer
            .tbs_certificate
            .subject_public_key_info
            .subject_public_key
            .raw_bytes();
        Ok(Self {
            algorithm,
            name_hash: algorithm.digest(&name),
            key_hash: algorithm.digest(key),
        })
    }

    /// Whether `cert_id` names a certificate of this issuer (its serial aside).
    pub fn match_cert_id(&self, cert_id: &CertId) -> bool {
        cert_id.hash_algorithm.oid == self.algorithm.oid()
            && cert_id.issuer_name_hash.as_bytes() == self.name_hash.as_slice()
            && cert_id.issuer_key_hash.as_bytes() == self.key_hash.as_slice()
    }

    /// A CertID for the certificate with `serial` issued by this issuer.
    pub fn cert_id(&self, serial: SerialNumber) -> Result<CertId, der::Error> {
        Ok(CertId {
            hash_algorithm: self.algorithm.identifier(),
            issuer_name_hash: OctetString::new(self.name_hash.clone())?,
            issuer_key_hash: OctetString::new(self.key_hash.clone())?,
            serial_number: serial,
        })
    }
}

/// A CertID for `cert` issued by `issuer`, hashed with `algorithm`.
pub fn cert_id_for(
    issuer: &Certificate,
    cert: &Certificate,
    algorithm: HashAlgorithm,
) -> Result<CertId, der::Error> {
    IssuerHashes::of(issuer, algorithm)?.cert_id(cert.tbs_certificate.serial_number.clone())
}

/// Whether `cert_id` names `serial` of `issuer`, computing the hashes with the algorithm the
/// CertID itself names. An algorithm we do not know matches nothing.
pub fn cert_id_names(cert_id: &CertId, issuer: &Certificate, serial: &SerialNumber) -> bool {
    let Some(algorithm) = HashAlgorithm::from_oid(&cert_id.hash_algorithm.oid) else {
        return false;
    };
    IssuerHashes::of(issuer, algorithm)
        .map(|hashes| hashes.match_cert_id(cert_id) && same_serial(&cert_id.serial_number, serial))
        .unwrap_or(false)
}

/// Serials compare as integers, read the one way every serial is read
/// ([`pki::DerInteger::from_content`]): a redundant leading zero octet does not make them
/// differ, and a negative serial never equals the positive one with the same octets.
pub fn same_serial(a: &SerialNumber, b: &SerialNumber) -> bool {
    DerInteger::from_content(a.as_bytes()) == DerInteger::from_content(b.as_bytes())
}

#[cfg(test)]
mod tests {
    use der::Decode;
    use time::macros::datetime;

    use super::*;
    use pki::{PkiProfile, Role, TestPki};

    fn certificates() -> (Certificate, Certificate) {
        let pki =
            TestPki::generate(&PkiProfile::at(datetime!(2026-03-01 12:00 UTC))).expect("generates");
        let decode = |role| Certificate::from_der(pki.cert(role).der()).expect("decodes");
        (decode(Role::Intermediate), decode(Role::Proxy))
    }

    #[test]
    fn a_cert_id_names_its_certificate_under_every_algorithm() {
        let (issuer, proxy) = certificates();
        for algorithm in HashAlgorithm::ALL {
            let cert_id = cert_id_for(&issuer, &proxy, algorithm).expect("builds");
            assert_eq!(
                cert_id.issuer_name_hash.as_bytes().len(),
                algorithm.digest(b"").len()
            );
            let serial = &proxy.tbs_certificate.serial_number;
            assert!(cert_id_names(&cert_id, &issuer, serial), "{algorithm:?}");
            // The issuer is not its own issuer's certificate.
            assert!(!cert_id_names(&cert_id, &proxy, serial), "{algorithm:?}");
        }
    }

    #[test]
    fn an_unknown_hash_algorithm_names_nothing() {
        let (issuer, proxy) = certificates();
        let mut cert_id = cert_id_for(&issuer, &proxy, HashAlgorithm::Sha1).expect("builds");
        cert_id.hash_algorithm.oid = ObjectIdentifier::new_unwrap("1.2.840.113549.2.5");
        assert!(!cert_id_names(
            &cert_id,
            &issuer,
            &proxy.tbs_certificate.serial_number
        ));
    }

    #[test]
    fn serials_compare_as_integers() {
        let short = SerialNumber::new(&[0x01, 0x02]).expect("serial");
        let padded = SerialNumber::new(&[0x00, 0x01, 0x02]).expect("serial");
        let other = SerialNumber::new(&[0x01, 0x03]).expect("serial");
        assert!(same_serial(&short, &padded));
        assert!(!same_serial(&short, &other));
    }

    #[test]
    fn a_negative_serial_is_not_the_positive_one_with_the_same_octets() {
        // INTEGER -128 (one octet 80), as a client's CertID may carry it, and +128 (00 80).
        let negative = SerialNumber::from_der(&[0x02, 0x01, 0x80]).expect("decodes");
        let positive = SerialNumber::new(&[0x80]).expect("serial");
        assert_eq!(positive.as_bytes(), [0x00, 0x80]);
        assert!(!same_serial(&negative, &positive));
        assert!(same_serial(&negative, &negative.clone()));
    }
}
