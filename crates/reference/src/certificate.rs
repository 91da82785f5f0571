//! A certificate as installed through the API: the chain (leaf first), the key when one was
//! given (it must match the leaf), the issuer an OCSP CertID is built from when the cluster
//! knows it, the responder URL read from the leaf's Authority Information Access extension,
//! and the end of the leaf's validity.

use openssl::pkey::PKey;
use openssl::x509::{X509, X509Ref, X509VerifyResult};
use time::OffsetDateTime;

use pki::{CertificateSummary, PkiError};

/// Why a chain and key do not make a certificate.
#[derive(Debug, thiserror::Error)]
pub enum CertificateError {
    /// The certificate field is not PEM.
    #[error("certificate is not a PEM certificate chain")]
    NotPemChain,
    /// The certificate field holds no certificate.
    #[error("certificate holds no PEM certificate")]
    NoCertificate,
    /// The key field is not a PEM private key.
    #[error("key is not a PEM private key")]
    NotPemKey,
    /// The leaf's public key does not read.
    #[error("the certificate's public key cannot be read")]
    UnreadablePublicKey,
    /// The key is not the leaf's.
    #[error("key does not match the certificate")]
    KeyMismatch,
    /// OpenSSL could not encode a certificate it had decoded.
    #[error("the certificate cannot be re-encoded")]
    Reencode,
    /// The leaf does not decode as X.509.
    #[error("the certificate does not decode: {0}")]
    Undecodable(#[source] PkiError),
    /// A certificate could not be generated (a bug, or OpenSSL out of order).
    #[error("cannot generate a self-signed certificate")]
    Generate(#[source] openssl::error::ErrorStack),
}

/// A certificate installed on the cluster.
#[derive(Clone)]
pub struct InstalledCertificate {
    /// DER of the leaf.
    pub leaf_der: Vec<u8>,
    /// DER of its issuer: the next certificate of the chain that issued it, or the leaf itself
    /// when it is self-signed; `None` when the chain does not carry it.
    pub issuer_der: Option<Vec<u8>>,
    /// The first OCSP URI of the leaf's AIA, if any.
    pub responder_url: Option<String>,
    /// The end of the leaf's validity.
    pub not_after: OffsetDateTime,
    /// The chain as installed.
    pub chain_pem: String,
    /// The key as installed, if one was given.
    pub key_pem: Option<String>,
}

/// The proxy certificate is one installed certificate among others.
pub type ProxyCertificate = InstalledCertificate;

impl std::fmt::Debug for InstalledCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Keys are never printed by accident.
        f.debug_struct("InstalledCertificate")
            .field("responder_url", &self.responder_url)
            .field("has_issuer", &self.issuer_der.is_some())
            .field("not_after", &self.not_after)
            .finish_non_exhaustive()
    }
}

impl InstalledCertificate {
    /// Checks and reads a chain and, if given, its key, as sent to `update_cert` or
    /// `certificates`. A leaf alone, with its chain, or self-signed is accepted (reference:
    /// `certs.chain-optional`); a key, when given, must be the leaf's (documented:
    /// `certs.key-optional`).
    pub fn parse(chain_pem: &str, key_pem: Option<&str>) -> Result<Self, CertificateError> {
        let chain = X509::stack_from_pem(chain_pem.as_bytes())
            .map_err(|_| CertificateError::NotPemChain)?;
        let mut chain = chain.into_iter();
        let leaf = chain.next().ok_or(CertificateError::NoCertificate)?;
        if let Some(key_pem) = key_pem {
            let key = PKey::private_key_from_pem(key_pem.as_bytes())
                .map_err(|_| CertificateError::NotPemKey)?;
            let leaf_key = leaf
                .public_key()
                .map_err(|_| CertificateError::UnreadablePublicKey)?;
            if !leaf_key.public_eq(&key) {
                return Err(CertificateError::KeyMismatch);
            }
        }
        let der = |cert: &X509Ref| cert.to_der().map_err(|_| CertificateError::Reencode);
        let issuer_der = match chain.find(|candidate| issued(candidate, &leaf)) {
            Some(issuer) => Some(der(&issuer)?),
            None if issued(&leaf, &leaf) => Some(der(&leaf)?),
            None => None,
        };
        let leaf_der = der(&leaf)?;
        let summary =
            CertificateSummary::from_der(&leaf_der).map_err(CertificateError::Undecodable)?;
        Ok(Self {
            issuer_der,
            responder_url: summary.ocsp_urls.into_iter().next(),
            not_after: summary.validity.not_after,
            leaf_der,
            chain_pem: chain_pem.to_owned(),
            key_pem: key_pem.map(str::to_owned),
        })
    }

    /// Whether the leaf's validity has ended at `now`.
    pub fn expired_at(&self, now: OffsetDateTime) -> bool {
        self.not_after < now
    }

    /// Whether the chain gave the cluster the leaf's issuer (or the leaf is self-signed).
    pub fn has_issuer(&self) -> bool {
        self.issuer_der.is_some()
    }
}

/// Whether `issuer` names and signed `subject`: the names and key identifiers agree and the
/// signature verifies with the issuer's key.
fn issued(issuer: &X509Ref, subject: &X509Ref) -> bool {
    issuer.issued(subject) == X509VerifyResult::OK
        && issuer
            .public_key()
            .is_ok_and(|key| subject.verify(&key).unwrap_or(false))
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::selfsigned;
    use pki::{PkiProfile, Role, TestPki};

    fn test_pki() -> TestPki {
        TestPki::generate(&PkiProfile::at(datetime!(2026-03-01 12:00 UTC))).expect("pki")
    }

    #[test]
    fn a_chain_with_its_key_installs_with_its_issuer_and_names_its_responder() {
        let pki = test_pki();
        let proxy = pki.cert(Role::Proxy);
        let key = proxy.key_pem();
        let installed =
            InstalledCertificate::parse(&pki.chain_pem(Role::Proxy), Some(&key)).expect("valid");
        assert_eq!(
            installed.responder_url.as_deref(),
            Some("http://127.0.0.1:8080/")
        );
        assert_eq!(installed.leaf_der, proxy.der());
        assert_eq!(
            installed.issuer_der,
            Some(pki.cert(Role::Intermediate).der().to_vec())
        );
        assert_eq!(installed.key_pem.as_deref(), Some(key.as_str()));

        let no_aia = pki.cert(Role::ProxyNoAia);
        let installed =
            InstalledCertificate::parse(&pki.chain_pem(Role::ProxyNoAia), Some(&no_aia.key_pem()))
                .expect("valid");
        assert_eq!(installed.responder_url, None);
    }

    #[test]
    fn a_leaf_alone_installs_without_an_issuer() {
        let pki = test_pki();
        let proxy = pki.cert(Role::Proxy);
        let installed =
            InstalledCertificate::parse(&proxy.pem(), Some(&proxy.key_pem())).expect("valid");
        assert!(!installed.has_issuer());
        assert!(installed.responder_url.is_some());
    }

    #[test]
    fn a_self_signed_certificate_is_its_own_issuer() {
        let pki = test_pki();
        let root = pki.cert(Role::Root);
        let installed = InstalledCertificate::parse(&root.pem(), None).expect("valid");
        assert_eq!(installed.issuer_der.as_deref(), Some(root.der()));
        assert_eq!(installed.key_pem, None);

        let generated = selfsigned::generate("test").expect("generated");
        let installed =
            InstalledCertificate::parse(&generated.chain_pem, generated.key_pem.as_deref())
                .expect("valid");
        assert_eq!(installed.issuer_der, Some(installed.leaf_der.clone()));
    }

    #[test]
    fn a_chain_whose_next_certificate_did_not_issue_the_leaf_leaves_no_issuer() {
        let pki = test_pki();
        let proxy = pki.cert(Role::Proxy);
        let chain = format!("{}{}", proxy.pem(), pki.cert(Role::UnrelatedRoot).pem());
        let installed = InstalledCertificate::parse(&chain, None).expect("valid");
        assert!(!installed.has_issuer());
    }

    #[test]
    fn expiry_is_the_end_of_the_leafs_validity() {
        let pki = test_pki();
        let expired = pki.cert(Role::ResponderExpired);
        let installed = InstalledCertificate::parse(&expired.pem(), None).expect("valid");
        assert!(installed.expired_at(datetime!(2026-03-01 12:00 UTC)));
        let proxy = InstalledCertificate::parse(&pki.chain_pem(Role::Proxy), None).expect("ok");
        assert!(!proxy.expired_at(datetime!(2026-03-01 12:00 UTC)));
        assert!(proxy.expired_at(proxy.not_after + time::Duration::seconds(1)));
        assert!(!proxy.expired_at(proxy.not_after));
    }

    #[test]
    fn bad_chains_and_keys_are_refused_with_a_reason() {
        let pki = test_pki();
        let proxy = pki.cert(Role::Proxy);
        for (chain, key, reason) in [
            (
                "not pem".to_owned(),
                proxy.key_pem(),
                "holds no PEM certificate",
            ),
            (
                pki.chain_pem(Role::Proxy),
                "not a key".to_owned(),
                "not a PEM private key",
            ),
            (
                pki.chain_pem(Role::Proxy),
                pki.cert(Role::Root).key_pem(),
                "does not match",
            ),
        ] {
            let error = InstalledCertificate::parse(&chain, Some(&key)).expect_err("refused");
            assert!(error.to_string().contains(reason), "{error}");
        }
    }
}
