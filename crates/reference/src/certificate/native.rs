//! The common case of reading an installed certificate, without OpenSSL.
//!
//! OpenSSL 3.0 builds a decoder for every key it reads, in a certificate or a PEM key, and that
//! cost more than everything else a scenario does (half of a whole corpus run, in instructions).
//! This module reads what the harness and most clients send (PEM certificates, PKCS#8, SEC1 or
//! PKCS#1 keys, ECDSA, RSA and Ed25519 signatures) with the Rust decoders and aws-lc. It only
//! ever answers yes: a chain it reads, a key it finds to be the leaf's, an issuer whose
//! signature it verifies. Anything else (another format, another algorithm, a mismatch, a
//! refusal) goes to OpenSSL, whose answer stays the rule.

use aws_lc_rs::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use const_oid::ObjectIdentifier;
use const_oid::db::{rfc5280, rfc5912, rfc8410};
use der::{Decode, Encode};
use rcgen::PublicKeyData;
use x509_cert::Certificate;
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, KeyUsage, KeyUsages, SubjectKeyIdentifier};

/// A certificate of the chain: its DER as sent, and decoded.
pub(super) struct ChainCert {
    pub(super) der: Vec<u8>,
    pub(super) cert: Certificate,
}

/// The certificates of `chain_pem`, leaf first, when every PEM block is a certificate that
/// decodes; `None` when any is not (OpenSSL then reads the chain).
pub(super) fn read_chain(chain_pem: &str) -> Option<Vec<ChainCert>> {
    let blocks = pem::parse_many(chain_pem).ok()?;
    if blocks.is_empty() {
        return None;
    }
    blocks
        .into_iter()
        .map(|block| {
            if block.tag() != "CERTIFICATE" || block.headers().iter().next().is_some() {
                return None;
            }
            let der = block.into_contents();
            let cert = Certificate::from_der(&der).ok()?;
            Some(ChainCert { der, cert })
        })
        .collect()
}

/// Whether `key_pem` is certainly the private key of `leaf`: it reads, and its public key is
/// the leaf's, octet for octet. `false` means "not known here", never "no".
pub(super) fn key_is_leafs(key_pem: &str, leaf: &Certificate) -> bool {
    let Ok(key) = rcgen::KeyPair::from_pem(key_pem) else {
        return false;
    };
    leaf.tbs_certificate
        .subject_public_key_info
        .to_der()
        .is_ok_and(|spki| spki == key.subject_public_key_info())
}

/// Whether `issuer` certainly issued `subject`, by the checks OpenSSL's `X509_check_issued`
/// makes (names, key identifiers, the issuer's key usage) and the signature, verified with the
/// issuer's key. `false` means "not known here", never "no".
pub(super) fn certainly_issued(issuer: &Certificate, subject: &Certificate) -> bool {
    let (issuer_tbs, subject_tbs) = (&issuer.tbs_certificate, &subject.tbs_certificate);
    let same_name = match (issuer_tbs.subject.to_der(), subject_tbs.issuer.to_der()) {
        (Ok(issuer_name), Ok(subject_issuer)) => issuer_name == subject_issuer,
        _ => false,
    };
    if !same_name || !key_identifiers_agree(issuer, subject) || !may_sign_certificates(issuer) {
        return false;
    }
    let Some(algorithm) = verification_algorithm(issuer, subject) else {
        return false;
    };
    let (Ok(tbs), Some(signature)) = (subject_tbs.to_der(), subject.signature.as_bytes()) else {
        return false;
    };
    let Some(public_key) = issuer_tbs
        .subject_public_key_info
        .subject_public_key
        .as_bytes()
    else {
        return false;
    };
    UnparsedPublicKey::new(algorithm, public_key)
        .verify(&tbs, signature)
        .is_ok()
}

/// The value of the extension `id` of `cert`, decoded; `None` when absent. `Err` when present
/// but undecodable.
fn extension<'a, T: Decode<'a>>(
    cert: &'a Certificate,
    id: ObjectIdentifier,
) -> Result<Option<T>, ()> {
    let Some(extensions) = &cert.tbs_certificate.extensions else {
        return Ok(None);
    };
    match extensions.iter().find(|extension| extension.extn_id == id) {
        None => Ok(None),
        Some(extension) => T::from_der(extension.extn_value.as_bytes())
            .map(Some)
            .map_err(|_| ()),
    }
}

/// The subject's authority key identifier, when it has one, is the issuer's subject key
/// identifier, when that is present.
fn key_identifiers_agree(issuer: &Certificate, subject: &Certificate) -> bool {
    let authority =
        extension::<AuthorityKeyIdentifier>(subject, rfc5280::ID_CE_AUTHORITY_KEY_IDENTIFIER);
    let subject_key =
        extension::<SubjectKeyIdentifier>(issuer, rfc5280::ID_CE_SUBJECT_KEY_IDENTIFIER);
    match (authority, subject_key) {
        (Ok(authority), Ok(Some(subject_key))) => authority
            .and_then(|authority| authority.key_identifier)
            .is_none_or(|key_identifier| key_identifier == subject_key.0),
        (Ok(_), Ok(None)) => true,
        _ => false,
    }
}

/// The issuer has no key usage extension, or one that allows signing certificates.
fn may_sign_certificates(issuer: &Certificate) -> bool {
    match extension::<KeyUsage>(issuer, rfc5280::ID_CE_KEY_USAGE) {
        Ok(None) => true,
        Ok(Some(usage)) => usage.0.contains(KeyUsages::KeyCertSign),
        Err(()) => false,
    }
}

/// The aws-lc algorithm for the subject's signature with the issuer's key; `None` for any pair
/// left to OpenSSL (RSA-PSS, SHA-1, P-521, keys under 2048 bits among them).
fn verification_algorithm(
    issuer: &Certificate,
    subject: &Certificate,
) -> Option<&'static dyn VerificationAlgorithm> {
    let key = &issuer.tbs_certificate.subject_public_key_info.algorithm;
    let signature = &subject.signature_algorithm;
    // The signature algorithm identifier inside the signed part must be the outer one.
    if subject.tbs_certificate.signature != *signature {
        return None;
    }
    let curve = || {
        key.parameters
            .as_ref()
            .and_then(|parameters| parameters.decode_as::<ObjectIdentifier>().ok())
    };
    let algorithm: &'static dyn VerificationAlgorithm = match (key.oid, signature.oid) {
        (rfc5912::ID_EC_PUBLIC_KEY, rfc5912::ECDSA_WITH_SHA_256) => match curve()? {
            rfc5912::SECP_256_R_1 => &signature::ECDSA_P256_SHA256_ASN1,
            rfc5912::SECP_384_R_1 => &signature::ECDSA_P384_SHA256_ASN1,
            _ => return None,
        },
        (rfc5912::ID_EC_PUBLIC_KEY, rfc5912::ECDSA_WITH_SHA_384) => match curve()? {
            rfc5912::SECP_256_R_1 => &signature::ECDSA_P256_SHA384_ASN1,
            rfc5912::SECP_384_R_1 => &signature::ECDSA_P384_SHA384_ASN1,
            _ => return None,
        },
        (rfc5912::RSA_ENCRYPTION, rfc5912::SHA_256_WITH_RSA_ENCRYPTION) => {
            &signature::RSA_PKCS1_2048_8192_SHA256
        }
        (rfc5912::RSA_ENCRYPTION, rfc5912::SHA_384_WITH_RSA_ENCRYPTION) => {
            &signature::RSA_PKCS1_2048_8192_SHA384
        }
        (rfc5912::RSA_ENCRYPTION, rfc5912::SHA_512_WITH_RSA_ENCRYPTION) => {
            &signature::RSA_PKCS1_2048_8192_SHA512
        }
        (rfc8410::ID_ED_25519, rfc8410::ID_ED_25519) => &signature::ED25519,
        _ => return None,
    };
    Some(algorithm)
}
