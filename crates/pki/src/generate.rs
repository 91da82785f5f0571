//! Generating a whole test PKI in memory from a [`PkiProfile`].

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType, SerialNumber,
};
use std::sync::Arc;

use time::{Duration, OffsetDateTime};

use super::error::PkiError;
use super::extensions;
use super::keys;
use super::pool::{KeySource, PooledKeys};
use super::profile::PkiProfile;
use super::role::Role;
use super::summary::CertificateSummary;

/// One certificate of a test PKI with its private key.
#[derive(Debug)]
pub struct IssuedCert {
    role: Role,
    der: Vec<u8>,
    // Shared with every other PKI that drew the same key from the pool: a key is never written.
    key: Arc<KeyPair>,
    summary: CertificateSummary,
}

impl IssuedCert {
    /// Pairs a certificate with its key, reading the certificate's fields.
    pub(crate) fn new(role: Role, der: Vec<u8>, key: Arc<KeyPair>) -> Result<Self, PkiError> {
        let summary = CertificateSummary::from_der(&der)?;
        Ok(Self {
            role,
            der,
            key,
            summary,
        })
    }

    /// The job this certificate has.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The certificate, DER.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The certificate, PEM.
    pub fn pem(&self) -> String {
        keys::pem_encode("CERTIFICATE", &self.der)
    }

    /// The private key.
    pub fn key(&self) -> &KeyPair {
        &self.key
    }

    /// The private key as PKCS#8 PEM, in the form OpenSSL 3.0 reads.
    pub fn key_pem(&self) -> String {
        keys::private_key_pem(&self.key)
    }

    /// The certificate's fields, as decoded from its DER.
    pub fn summary(&self) -> &CertificateSummary {
        &self.summary
    }
}

/// A test PKI: two roots, an intermediate, the cluster's proxy certificates, delegated OCSP
/// responders good and bad, a TLS server certificate, and a key that belongs to nothing.
#[derive(Debug)]
pub struct TestPki {
    profile: PkiProfile,
    certs: Vec<IssuedCert>,
    unrelated_key: Arc<KeyPair>,
}

impl TestPki {
    /// Builds every certificate of `profile` in memory, with fresh keys.
    pub fn generate(profile: &PkiProfile) -> Result<Self, PkiError> {
        Self::generate_with_keys(profile, KeySource::Fresh)
    }

    /// Builds every certificate of `profile` in memory, with keys from `source`. Shared keys
    /// are this process's keys of the profile's key type, the same in every PKI that shares
    /// them (generating the keys of an RSA PKI takes about a second, and a key never changes);
    /// each role and the unrelated key still have different keys, and the certificates, and
    /// everything else, are this PKI's own.
    pub fn generate_with_keys(profile: &PkiProfile, source: KeySource) -> Result<Self, PkiError> {
        let mut profile = profile.clone();
        profile.at = whole_seconds(profile.at);
        let mut keys = PooledKeys::of(profile.key_type, source);
        let mut issued: Vec<(CertificateParams, IssuedCert)> = Vec::with_capacity(Role::ALL.len());
        for role in Role::ALL {
            let key = next_key(&mut keys, role)?;
            let params = params_for(role, &profile)?;
            let certificate = match role.issuer() {
                None => params.self_signed(key.as_ref()),
                Some(issuer_role) => {
                    let (issuer_params, issuer_cert) = issued
                        .iter()
                        .find(|(_, cert)| cert.role == issuer_role)
                        .ok_or(PkiError::IssuerMissing {
                            role,
                            issuer: issuer_role,
                        })?;
                    let issuer = Issuer::from_params(issuer_params, issuer_cert.key.as_ref());
                    params.signed_by(key.as_ref(), &issuer)
                }
            }
            .map_err(|source| PkiError::Issue { role, source })?;
            let cert = IssuedCert::new(role, certificate.der().to_vec(), key)?;
            issued.push((params, cert));
        }
        let unrelated_key = next_key(&mut keys, Role::UnrelatedRoot)?;
        let certs = issued.into_iter().map(|(_, cert)| cert).collect();
        Self::from_parts(profile, certs, unrelated_key)
    }

    /// Assembles a PKI from certificates already made (generated or read from disk). Every role
    /// must be present exactly once.
    pub(crate) fn from_parts(
        profile: PkiProfile,
        mut certs: Vec<IssuedCert>,
        unrelated_key: Arc<KeyPair>,
    ) -> Result<Self, PkiError> {
        certs.sort_by_key(|cert| cert.role);
        let roles: Vec<Role> = certs.iter().map(|cert| cert.role).collect();
        if roles != Role::ALL {
            return Err(PkiError::Roles { found: roles });
        }
        Ok(Self {
            profile,
            certs,
            unrelated_key,
        })
    }

    /// The profile it was generated from.
    pub fn profile(&self) -> &PkiProfile {
        &self.profile
    }

    /// The certificate and key of `role`.
    pub fn cert(&self, role: Role) -> &IssuedCert {
        // safety: `from_parts` checked that `certs` holds exactly `Role::ALL`, in that order,
        // and `Role::ALL` lists the roles in declaration order.
        &self.certs[role as usize]
    }

    /// Every certificate, issuers first.
    pub fn certs(&self) -> impl Iterator<Item = &IssuedCert> {
        self.certs.iter()
    }

    /// A key that signs nothing in this PKI, for forged responses.
    pub fn unrelated_key(&self) -> &KeyPair {
        &self.unrelated_key
    }

    /// The certificate of `role` followed by its issuers up to, not including, the root: what a
    /// server sends, and what `PUT /v1/cluster/update_cert` takes as `certificate`.
    pub fn chain_pem(&self, role: Role) -> String {
        let mut pem = self.cert(role).pem();
        let mut next = role.issuer();
        while let Some(issuer) = next.filter(|issuer| issuer.issuer().is_some()) {
            pem.push_str(&self.cert(issuer).pem());
            next = issuer.issuer();
        }
        pem
    }
}

fn whole_seconds(at: OffsetDateTime) -> OffsetDateTime {
    at.replace_nanosecond(0).unwrap_or(at)
}

/// The key of `role` (the unrelated key is reported as the unrelated root's if it fails).
fn next_key(keys: &mut PooledKeys, role: Role) -> Result<Arc<KeyPair>, PkiError> {
    keys.next_key()
        .map_err(|source| PkiError::KeyGeneration { role, source })
}

/// Validity windows relative to the profile's time: CAs for years, leaves for a year, delegated
/// responders for a month (short, as RFC 6960 section 4.2.2.2.1 advises for no-check ones).
fn validity(role: Role, at: OffsetDateTime) -> (OffsetDateTime, OffsetDateTime) {
    let days = Duration::days;
    match role {
        Role::Root | Role::UnrelatedRoot => (at - days(365), at + days(3650)),
        Role::Intermediate => (at - days(365), at + days(1825)),
        Role::Proxy | Role::ProxyNoAia | Role::Server => (at - days(30), at + days(365)),
        Role::Responder | Role::ResponderNoEku | Role::ResponderOtherCa => {
            (at - days(1), at + days(30))
        }
        Role::ResponderExpired => (at - days(30), at - days(1)),
        Role::ResponderNotYetValid => (at + days(1), at + days(30)),
    }
}

/// A serial no other certificate of this process has, and unpredictable from one process to
/// the next: 16 octets, the first in 0x40..=0x7F, so that it is positive and always the same
/// length in DER. rcgen would derive the serial from the public key, and PKIs that share keys
/// would then give every certificate of a role the same serial, so that a CertID of one world
/// would name the proxy certificate of every other.
fn unique_serial() -> SerialNumber {
    use std::hash::{BuildHasher, RandomState};
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU64, Ordering};
    // Seeded from the system's randomness once per process; the counter makes every input,
    // and so (but for a 2^-128 chance) every serial, different.
    static SEED: OnceLock<RandomState> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let seed = SEED.get_or_init(RandomState::new);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut octets = [0u8; 16];
    octets[..8].copy_from_slice(&seed.hash_one((count, 0u8)).to_be_bytes());
    octets[8..].copy_from_slice(&seed.hash_one((count, 1u8)).to_be_bytes());
    octets[0] = 0x40 | (octets[0] & 0x3F);
    SerialNumber::from_slice(&octets)
}

fn params_for(role: Role, profile: &PkiProfile) -> Result<CertificateParams, PkiError> {
    let mut params = CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::OrganizationName, "ocsp-harness test PKI");
    params
        .distinguished_name
        .push(DnType::CommonName, role.common_name());
    (params.not_before, params.not_after) = validity(role, profile.at);
    params.serial_number = Some(unique_serial());
    params.use_authority_key_identifier_extension = role.issuer().is_some();
    let invalid_name = |source| PkiError::Issue { role, source };

    match role {
        Role::Root | Role::UnrelatedRoot | Role::Intermediate => {
            params.is_ca = if role == Role::Intermediate {
                IsCa::Ca(BasicConstraints::Constrained(0))
            } else {
                IsCa::Ca(BasicConstraints::Unconstrained)
            };
            params.key_usages = vec![
                KeyUsagePurpose::KeyCertSign,
                KeyUsagePurpose::CrlSign,
                KeyUsagePurpose::DigitalSignature,
            ];
        }
        Role::Proxy | Role::ProxyNoAia => {
            if let Some(serial) = profile
                .proxy_serial
                .as_ref()
                .filter(|_| role == Role::Proxy)
            {
                params.serial_number = Some(SerialNumber::from_slice(serial.as_be_bytes()));
            }
            params.subject_alt_names = vec![
                SanType::DnsName(role.common_name().try_into().map_err(invalid_name)?),
                SanType::DnsName("*.cluster.test".try_into().map_err(invalid_name)?),
            ];
            params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
            params.extended_key_usages = vec![
                ExtendedKeyUsagePurpose::ServerAuth,
                ExtendedKeyUsagePurpose::ClientAuth,
            ];
            if role == Role::Proxy {
                params
                    .custom_extensions
                    .push(extensions::authority_info_access(&profile.responder_url)?);
            }
        }
        Role::Responder
        | Role::ResponderExpired
        | Role::ResponderNotYetValid
        | Role::ResponderOtherCa
        | Role::ResponderNoEku => {
            params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
            if role != Role::ResponderNoEku {
                params.extended_key_usages = vec![ExtendedKeyUsagePurpose::OcspSigning];
            }
            params.custom_extensions.push(extensions::ocsp_nocheck()?);
        }
        Role::Server => {
            params.subject_alt_names = vec![
                SanType::DnsName("localhost".try_into().map_err(invalid_name)?),
                SanType::IpAddress([127, 0, 0, 1].into()),
                SanType::IpAddress(std::net::Ipv6Addr::LOCALHOST.into()),
            ];
            params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
            params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        }
    }
    Ok(params)
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::{KeyType, ResponderUrl, Serial};

    const AT: OffsetDateTime = datetime!(2026-03-01 12:00:00.75 UTC);

    fn generate(key_type: KeyType) -> TestPki {
        let profile = PkiProfile {
            key_type,
            ..PkiProfile::at(AT)
        };
        TestPki::generate(&profile).expect("generates")
    }

    #[test]
    fn every_key_type_gives_every_role() {
        for key_type in KeyType::ALL {
            let pki = generate(key_type);
            let roles: Vec<Role> = pki.certs().map(IssuedCert::role).collect();
            assert_eq!(roles, Role::ALL, "{key_type}");
            for role in Role::ALL {
                let cert = pki.cert(role);
                assert_eq!(cert.role(), role);
                let issuer = role.issuer().unwrap_or(role);
                assert_eq!(
                    cert.summary().issuer,
                    pki.cert(issuer).summary().subject,
                    "{key_type} {role}"
                );
            }
        }
    }

    #[test]
    fn time_is_truncated_to_whole_seconds() {
        let pki = generate(KeyType::P256);
        assert_eq!(pki.profile().at, datetime!(2026-03-01 12:00:00 UTC));
        let proxy = pki.cert(Role::Proxy).summary();
        assert_eq!(
            proxy.validity.not_before,
            datetime!(2026-01-30 12:00:00 UTC)
        );
    }

    #[test]
    fn validity_windows_follow_the_profile_time() {
        let pki = generate(KeyType::P256);
        let at = pki.profile().at;
        for role in Role::ALL {
            let valid_now = pki.cert(role).summary().validity.contains(at);
            let expected = !matches!(role, Role::ResponderExpired | Role::ResponderNotYetValid);
            assert_eq!(valid_now, expected, "{role}");
        }
        let expired = pki.cert(Role::ResponderExpired).summary().validity;
        assert!(expired.not_after < at);
        let not_yet = pki.cert(Role::ResponderNotYetValid).summary().validity;
        assert!(not_yet.not_before > at);
    }

    #[test]
    fn only_the_proxy_names_the_responder() {
        let pki = generate(KeyType::P256);
        for role in Role::ALL {
            let urls = &pki.cert(role).summary().ocsp_urls;
            if role == Role::Proxy {
                assert_eq!(urls, &[ResponderUrl::DEFAULT.to_owned()]);
            } else {
                assert!(urls.is_empty(), "{role}: {urls:?}");
            }
        }
    }

    #[test]
    fn responders_carry_nocheck_and_all_but_one_the_ocsp_signing_usage() {
        let pki = generate(KeyType::P256);
        for role in [
            Role::Responder,
            Role::ResponderExpired,
            Role::ResponderNotYetValid,
            Role::ResponderOtherCa,
        ] {
            let summary = pki.cert(role).summary();
            assert!(summary.has_ocsp_signing(), "{role}");
            assert!(summary.ocsp_nocheck, "{role}");
            assert!(!summary.is_ca, "{role}");
        }
        let no_eku = pki.cert(Role::ResponderNoEku).summary();
        assert!(!no_eku.has_ocsp_signing());
        assert!(no_eku.ocsp_nocheck);
        for role in [Role::Proxy, Role::Server, Role::Root] {
            assert!(!pki.cert(role).summary().has_ocsp_signing(), "{role}");
        }
    }

    #[test]
    fn the_proxy_serial_is_the_one_asked_for() {
        let serial: Serial = "0x00FF0102".parse().expect("serial");
        let profile = PkiProfile {
            proxy_serial: Some(serial.clone()),
            ..PkiProfile::at(AT)
        };
        let pki = TestPki::generate(&profile).expect("generates");
        assert_eq!(pki.cert(Role::Proxy).summary().serial, serial);
        assert_ne!(pki.cert(Role::ProxyNoAia).summary().serial, serial);
    }

    #[test]
    fn serials_are_unique_per_issuer() {
        let pki = generate(KeyType::P256);
        let mut seen = std::collections::HashSet::new();
        for cert in pki.certs() {
            let summary = cert.summary();
            assert!(
                seen.insert((summary.issuer.clone(), summary.serial.clone())),
                "{}",
                cert.role()
            );
        }
    }

    #[test]
    fn pkis_that_share_keys_have_serials_of_their_own() {
        let profile = PkiProfile::at(AT);
        let serials = |pki: &TestPki| -> Vec<Serial> {
            pki.certs()
                .map(|cert| cert.summary().serial.clone())
                .collect()
        };
        let first = TestPki::generate_with_keys(&profile, KeySource::Shared).expect("generates");
        let second = TestPki::generate_with_keys(&profile, KeySource::Shared).expect("generates");
        let first = serials(&first);
        for serial in serials(&second) {
            assert!(!first.contains(&serial), "{serial}");
            // Positive, 16 octets, never a leading zero octet.
            assert_eq!(serial.as_be_bytes().len(), 16);
            assert_eq!(serial.as_be_bytes()[0] & 0xC0, 0x40);
        }
    }

    #[test]
    fn chains_run_from_the_leaf_up_to_but_not_including_the_root() {
        let pki = generate(KeyType::P256);
        let blocks = |role| -> Vec<Vec<u8>> {
            pem::parse_many(pki.chain_pem(role))
                .expect("pem")
                .into_iter()
                .map(pem::Pem::into_contents)
                .collect()
        };
        let intermediate = pki.cert(Role::Intermediate).der().to_vec();
        assert_eq!(
            blocks(Role::Proxy),
            [pki.cert(Role::Proxy).der().to_vec(), intermediate.clone()]
        );
        assert_eq!(blocks(Role::Intermediate), [intermediate]);
        assert_eq!(blocks(Role::Root), [pki.cert(Role::Root).der().to_vec()]);
        assert_eq!(
            blocks(Role::ResponderOtherCa),
            [pki.cert(Role::ResponderOtherCa).der().to_vec()]
        );
    }

    #[test]
    fn the_unrelated_key_is_nobody_s_key() {
        let pki = generate(KeyType::P256);
        let unrelated = pki.unrelated_key().public_key_raw();
        assert!(
            pki.certs()
                .all(|cert| cert.key().public_key_raw() != unrelated)
        );
    }

    #[test]
    fn pkis_that_share_keys_share_them_but_no_two_roles_share_one() {
        let public_keys = |pki: &TestPki| -> Vec<Vec<u8>> {
            pki.certs()
                .map(IssuedCert::key)
                .chain([pki.unrelated_key()])
                .map(|key| key.public_key_raw().to_vec())
                .collect()
        };
        let shared = |key_type| {
            let profile = PkiProfile {
                key_type,
                ..PkiProfile::at(AT)
            };
            TestPki::generate_with_keys(&profile, KeySource::Shared).expect("generates")
        };
        for key_type in KeyType::ALL {
            let first = public_keys(&shared(key_type));
            assert_eq!(first.len(), Role::ALL.len() + 1);
            let distinct: std::collections::HashSet<_> = first.iter().collect();
            assert_eq!(distinct.len(), first.len(), "{key_type}");
            assert_eq!(public_keys(&shared(key_type)), first, "{key_type}");
        }
        // Fresh keys are never the shared ones.
        let fresh = public_keys(&generate(KeyType::P256));
        let pooled = public_keys(&shared(KeyType::P256));
        assert!(fresh.iter().all(|key| !pooled.contains(key)));
    }

    #[test]
    fn from_parts_refuses_a_missing_or_doubled_role() {
        let pki = generate(KeyType::P256);
        let unrelated_key = Arc::new(KeyPair::generate().expect("key"));
        let mut certs: Vec<IssuedCert> = pki.certs.into_iter().collect();
        certs.pop();
        assert!(matches!(
            TestPki::from_parts(pki.profile.clone(), certs, unrelated_key),
            Err(PkiError::Roles { .. })
        ));
    }
}
