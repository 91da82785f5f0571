//! The cluster's proxy certificate as installed through the API: the chain (leaf first), the
//! key that must match the leaf, the issuer the CertID is built from, and the responder URL
//! read from the leaf's Authority Information Access extension.

use openssl::pkey::PKey;
use openssl::x509::{X509, X509VerifyResult};

use pki::{CertificateSummary, PkiError};

/// Why a chain and key do not make a proxy certificate.
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
    /// The chain lacks the leaf's issuer (reference: the issuer is needed to build the
    /// CertID, and a cluster has no other way to learn it).
    #[error("the chain must carry the issuer of the certificate after it")]
    NoIssuer,
    /// OpenSSL could not encode a certificate it had decoded.
    #[error("the certificate cannot be re-encoded")]
    Reencode,
    /// The leaf does not decode as X.509.
    #[error("the certificate does not decode: {0}")]
    Undecodable(#[source] PkiError),
}

/// A proxy certificate the cluster can query OCSP for.
#[derive(Clone)]
pub struct ProxyCertificate {
    /// DER of the leaf.
    pub leaf_der: Vec<u8>,
    /// DER of its issuer.
    pub issuer_der: Vec<u8>,
    /// The first OCSP URI of the leaf's AIA, if any.
    pub responder_url: Option<String>,
    /// The chain as installed.
    pub chain_pem: String,
    /// The key as installed.
    pub key_pem: String,
}

impl std::fmt::Debug for ProxyCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProxyCertificate")
            .field("responder_url", &self.responder_url)
            .finish_non_exhaustive()
    }
}

impl ProxyCertificate {
    /// Checks and reads a chain and key given to `update_cert` or `certificates`.
    ///
    /// The chain must hold the leaf's issuer right after it (reference: the issuer is needed to
    /// build the CertID, and a cluster has no other way to learn it).
    pub fn parse(chain_pem: &str, key_pem: &str) -> Result<Self, CertificateError> {
        let chain = X509::stack_from_pem(chain_pem.as_bytes())
            .map_err(|_| CertificateError::NotPemChain)?;
        let mut chain = chain.into_iter();
        let leaf = chain.next().ok_or(CertificateError::NoCertificate)?;
        let key = PKey::private_key_from_pem(key_pem.as_bytes())
            .map_err(|_| CertificateError::NotPemKey)?;
        let leaf_key = leaf
            .public_key()
            .map_err(|_| CertificateError::UnreadablePublicKey)?;
        if !leaf_key.public_eq(&key) {
            return Err(CertificateError::KeyMismatch);
        }
        let issuer = chain
            .find(|candidate| candidate.issued(&leaf) == X509VerifyResult::OK)
            .ok_or(CertificateError::NoIssuer)?;
        let der = |cert: &X509| cert.to_der().map_err(|_| CertificateError::Reencode);
        let leaf_der = der(&leaf)?;
        let summary =
            CertificateSummary::from_der(&leaf_der).map_err(CertificateError::Undecodable)?;
        Ok(Self {
            issuer_der: der(&issuer)?,
            responder_url: summary.ocsp_urls.into_iter().next(),
            leaf_der,
            chain_pem: chain_pem.to_owned(),
            key_pem: key_pem.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use pki::{PkiProfile, Role, TestPki};

    #[test]
    fn a_chain_with_its_key_installs_and_names_its_responder() {
        let pki = TestPki::generate(&PkiProfile::at(datetime!(2026-03-01 12:00 UTC))).expect("pki");
        let proxy = pki.cert(Role::Proxy);
        let installed =
            ProxyCertificate::parse(&pki.chain_pem(Role::Proxy), &proxy.key_pem()).expect("valid");
        assert_eq!(
            installed.responder_url.as_deref(),
            Some("http://127.0.0.1:8080/")
        );
        assert_eq!(installed.leaf_der, proxy.der());
        assert_eq!(installed.issuer_der, pki.cert(Role::Intermediate).der());

        let no_aia = pki.cert(Role::ProxyNoAia);
        let installed =
            ProxyCertificate::parse(&pki.chain_pem(Role::ProxyNoAia), &no_aia.key_pem())
                .expect("valid");
        assert_eq!(installed.responder_url, None);
    }

    #[test]
    fn bad_chains_and_keys_are_refused_with_a_reason() {
        let pki = TestPki::generate(&PkiProfile::at(datetime!(2026-03-01 12:00 UTC))).expect("pki");
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
            (proxy.pem(), proxy.key_pem(), "must carry the issuer"),
        ] {
            let error = ProxyCertificate::parse(&chain, &key).expect_err("refused");
            assert!(error.to_string().contains(reason), "{error}");
        }
    }
}
