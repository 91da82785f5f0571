//! A certificate as installed through the API: the chain (leaf first), the key when one was
//! given (it must match the leaf), the issuer an OCSP CertID is built from when the cluster
//! knows it, the responder URL read from the leaf's Authority Information Access extension,
//! and the end of the leaf's validity.

use openssl::pkey::PKey;
use openssl::x509::{X509, X509Ref, X509VerifyResult};
use time::OffsetDateTime;

use pki::{CertificateSummary, PkiError, Role, TestPki};

mod native;

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
        match Self::read_natively(chain_pem, key_pem) {
            Some((leaf_der, issuer_der)) => Self::new(leaf_der, issuer_der, chain_pem, key_pem),
            None => Self::read_with_openssl(chain_pem, key_pem),
        }
    }

    /// The certificate of `role` in a test PKI with its chain (as [`TestPki::chain_pem`] gives
    /// it) and key, as [`InstalledCertificate::parse`] would read them, without checking what
    /// the PKI made right: a world installs its own proxy certificate at every start.
    pub fn from_test_pki(pki: &TestPki, role: Role) -> Self {
        let cert = pki.cert(role);
        // The chain holds every issuer but the root; a root is its own issuer.
        let issuer_der = match role.issuer() {
            None => Some(cert.der().to_vec()),
            Some(issuer) if issuer.issuer().is_some() => Some(pki.cert(issuer).der().to_vec()),
            Some(_) => None,
        };
        let summary = cert.summary();
        Self {
            leaf_der: cert.der().to_vec(),
            issuer_der,
            responder_url: summary.ocsp_urls.first().cloned(),
            not_after: summary.validity.not_after,
            chain_pem: pki.chain_pem(role),
            key_pem: Some(cert.key_pem()),
        }
    }

    /// The leaf and its issuer when the common case holds all the way (see [`native`]): a
    /// chain that reads, a key that is the leaf's, and either an issuer next in the chain or a
    /// self-signed leaf. `None` leaves every decision to OpenSSL.
    fn read_natively(chain_pem: &str, key_pem: Option<&str>) -> Option<(Vec<u8>, Option<Vec<u8>>)> {
        let mut chain = native::read_chain(chain_pem)?.into_iter();
        let leaf = chain.next()?;
        if key_pem.is_some_and(|key_pem| !native::key_is_leafs(key_pem, &leaf.cert)) {
            return None;
        }
        // OpenSSL takes the first certificate that issued the leaf: the first one here must be
        // known to, or the answer is OpenSSL's.
        let issuer = match chain.next() {
            Some(next) if native::certainly_issued(&next.cert, &leaf.cert) => next.der,
            Some(_) => return None,
            None if native::certainly_issued(&leaf.cert, &leaf.cert) => leaf.der.clone(),
            None => return None,
        };
        Some((leaf.der, Some(issuer)))
    }

    fn read_with_openssl(chain_pem: &str, key_pem: Option<&str>) -> Result<Self, CertificateError> {
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
        Self::new(der(&leaf)?, issuer_der, chain_pem, key_pem)
    }

    fn new(
        leaf_der: Vec<u8>,
        issuer_der: Option<Vec<u8>>,
        chain_pem: &str,
        key_pem: Option<&str>,
    ) -> Result<Self, CertificateError> {
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
    use pki::PkiProfile;

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

    /// Every chain and key that the native reading reads gives what OpenSSL gives, and the
    /// chains the harness installs (every key type, keys in every PEM form) take the native way.
    #[test]
    fn the_native_reading_agrees_with_openssl_and_reads_the_harness_chains() {
        use openssl::pkey::PKey;
        for key_type in pki::KeyType::ALL {
            let profile = PkiProfile {
                key_type,
                ..PkiProfile::at(datetime!(2026-03-01 12:00 UTC))
            };
            let pki = TestPki::generate_with_keys(&profile, pki::KeySource::Shared).expect("pki");
            let root = pki.cert(Role::Root);
            let mut cases: Vec<(String, Option<String>)> = Vec::new();
            for role in Role::ALL {
                let cert = pki.cert(role);
                cases.push((pki.chain_pem(role), Some(cert.key_pem())));
                cases.push((pki.chain_pem(role), None));
                cases.push((cert.pem(), None));
                cases.push((pki.chain_pem(role), Some(root.key_pem())));
                cases.push((
                    format!("{}{}", cert.pem(), pki.cert(Role::UnrelatedRoot).pem()),
                    None,
                ));
                // The issuer first: the chain is in the wrong order.
                cases.push((format!("{}{}", root.pem(), cert.pem()), None));
            }
            // The proxy's key in the legacy PEM forms OpenSSL writes (SEC1 and PKCS#1).
            let proxy = pki.cert(Role::Proxy);
            let key = PKey::private_key_from_pem(proxy.key_pem().as_bytes()).expect("key");
            let legacy = match key_type {
                pki::KeyType::P256 | pki::KeyType::P384 => {
                    Some(key.ec_key().expect("ec").private_key_to_pem().expect("pem"))
                }
                pki::KeyType::Rsa2048 => {
                    Some(key.rsa().expect("rsa").private_key_to_pem().expect("pem"))
                }
                pki::KeyType::Ed25519 => None,
            };
            let legacy = legacy.map(|pem| String::from_utf8(pem).expect("utf-8"));
            if let Some(legacy) = &legacy {
                cases.push((pki.chain_pem(Role::Proxy), Some(legacy.clone())));
            }
            // Self-signed, but its key usage does not allow signing certificates: OpenSSL
            // does not take it for its own issuer.
            let mut params =
                rcgen::CertificateParams::new(vec!["leaf.test".to_owned()]).expect("params");
            params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
            let leaf = params.self_signed(proxy.key()).expect("self-signed");
            cases.push((leaf.pem(), None));
            for (chain, key) in &cases {
                let Some((leaf, issuer)) =
                    InstalledCertificate::read_natively(chain, key.as_deref())
                else {
                    continue;
                };
                let by_openssl = InstalledCertificate::read_with_openssl(chain, key.as_deref())
                    .unwrap_or_else(|error| {
                        panic!("{key_type}: OpenSSL refuses ({error}) {chain}")
                    });
                assert_eq!(leaf, by_openssl.leaf_der, "{key_type}: {chain}");
                assert_eq!(issuer, by_openssl.issuer_der, "{key_type}: {chain}");
            }
            let native = |chain: &str, key: Option<&str>| {
                InstalledCertificate::read_natively(chain, key).is_some()
            };
            let proxy_key = proxy.key_pem();
            assert!(
                native(&pki.chain_pem(Role::Proxy), Some(&proxy_key)),
                "{key_type}"
            );
            assert!(native(&pki.chain_pem(Role::Proxy), None), "{key_type}");
            assert!(native(&root.pem(), Some(&root.key_pem())), "{key_type}");
            if let Some(legacy) = &legacy {
                assert!(
                    native(&pki.chain_pem(Role::Proxy), Some(legacy)),
                    "{key_type}"
                );
            }
        }
    }

    #[test]
    fn a_test_pkis_certificate_is_what_parsing_its_chain_and_key_gives() {
        let pki = test_pki();
        for role in Role::ALL {
            let cert = pki.cert(role);
            let parsed = InstalledCertificate::parse(&pki.chain_pem(role), Some(&cert.key_pem()))
                .expect("valid");
            let trusted = InstalledCertificate::from_test_pki(&pki, role);
            assert_eq!(trusted.leaf_der, parsed.leaf_der, "{role}");
            assert_eq!(trusted.issuer_der, parsed.issuer_der, "{role}");
            assert_eq!(trusted.responder_url, parsed.responder_url, "{role}");
            assert_eq!(trusted.not_after, parsed.not_after, "{role}");
            assert_eq!(trusted.chain_pem, parsed.chain_pem, "{role}");
            assert_eq!(trusted.key_pem, parsed.key_pem, "{role}");
        }
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
