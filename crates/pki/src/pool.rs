//! Where a PKI's keys come from: generated for it alone, or drawn from this process's keys of
//! its key type, generated once and then shared.
//!
//! A PKI needs a key per role and one that belongs to nothing, and every scenario of the corpus
//! builds its own PKI. Generating keys can cost more than the rest of a world (an RSA-2048 key
//! takes tens of milliseconds, the keys of an RSA PKI about a second), while a key never changes
//! once made: nothing writes to it, so worlds that use the same key still share no state. Each key
//! type therefore has a pool of keys, grown on demand; a PKI draws its keys from the pool in
//! order.
//!
//! Every PKI of a type draws the same keys, but within one PKI every key is different (each key
//! of a pool was generated on its own), which the roles rely on: the unrelated root, the responder of
//! another CA and the unrelated key must not verify what the others sign.

use std::sync::{Arc, Mutex, PoisonError};

use rcgen::{KeyPair, RsaKeySize, SignatureAlgorithm};

use super::profile::KeyType;

/// One pool per key type, so that a PKI waiting for RSA keys does not hold up one that wants
/// P-256 ones. The lock is held while generating, so that PKIs asking at once for a key the
/// pool lacks generate it once, not each their own.
static P256: Mutex<Vec<Arc<KeyPair>>> = Mutex::new(Vec::new());
static P384: Mutex<Vec<Arc<KeyPair>>> = Mutex::new(Vec::new());
static RSA2048: Mutex<Vec<Arc<KeyPair>>> = Mutex::new(Vec::new());
static ED25519: Mutex<Vec<Arc<KeyPair>>> = Mutex::new(Vec::new());

/// Where the keys of a PKI come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeySource {
    /// Keys generated for this PKI alone: what a PKI written to disk, or one set up on a real
    /// cluster, must have, so that nothing another PKI signed verifies under it.
    #[default]
    Fresh,
    /// This process's keys of the key type, the same in every PKI of the process that asks for
    /// them (each role's key still different from the others'): for the many short-lived
    /// worlds of one run, which share nothing else and never meet.
    Shared,
}

/// The keys of one PKI, in order. From the shared pool, the n-th key drawn is the pool's n-th,
/// so the keys one `PooledKeys` gives are all different from each other, and the same as those
/// any other shared `PooledKeys` of the type gives.
#[derive(Debug)]
pub(crate) struct PooledKeys {
    key_type: KeyType,
    source: KeySource,
    drawn: usize,
}

impl PooledKeys {
    /// Keys of `key_type` from `source`, from the pool's first key when shared.
    pub(crate) fn of(key_type: KeyType, source: KeySource) -> Self {
        Self {
            key_type,
            source,
            drawn: 0,
        }
    }

    /// The next key; a shared one is made first (decoded from the fixed keys, or generated)
    /// if no PKI of this process has drawn that many yet.
    pub(crate) fn next_key(&mut self) -> Result<Arc<KeyPair>, rcgen::Error> {
        if self.source == KeySource::Fresh {
            return generate(self.key_type).map(Arc::new);
        }
        // A panic while the lock was held (in the backend's generator) leaves the pool as it
        // was: keys are pushed whole, after they were made, so the pool is still sound.
        let mut pool = pool(self.key_type)
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // Every earlier draw left its key in the pool, so the pool holds at least `drawn` keys:
        // the next one is either there or the one to make now.
        let key = match pool.get(self.drawn) {
            Some(key) => Arc::clone(key),
            None => {
                let key = Arc::new(match fixed_keys(self.key_type).get(self.drawn) {
                    Some(der) => decode(self.key_type, der)?,
                    None => generate(self.key_type)?,
                });
                pool.push(Arc::clone(&key));
                key
            }
        };
        self.drawn += 1;
        Ok(key)
    }
}

/// The keys every shared pool of `key_type` starts with: RSA keys take tens of milliseconds each
/// to generate, the others microseconds. They are test keys, public in this repository.
fn fixed_keys(key_type: KeyType) -> &'static [&'static [u8]] {
    match key_type {
        KeyType::Rsa2048 => &FIXED_RSA2048,
        KeyType::P256 | KeyType::P384 | KeyType::Ed25519 => &[],
    }
}

/// As many as one PKI draws (a key per role and the unrelated key).
const FIXED_RSA2048: [&[u8]; 12] = [
    include_bytes!("../keys/rsa2048/00.pk8"),
    include_bytes!("../keys/rsa2048/01.pk8"),
    include_bytes!("../keys/rsa2048/02.pk8"),
    include_bytes!("../keys/rsa2048/03.pk8"),
    include_bytes!("../keys/rsa2048/04.pk8"),
    include_bytes!("../keys/rsa2048/05.pk8"),
    include_bytes!("../keys/rsa2048/06.pk8"),
    include_bytes!("../keys/rsa2048/07.pk8"),
    include_bytes!("../keys/rsa2048/08.pk8"),
    include_bytes!("../keys/rsa2048/09.pk8"),
    include_bytes!("../keys/rsa2048/10.pk8"),
    include_bytes!("../keys/rsa2048/11.pk8"),
];

fn decode(key_type: KeyType, pkcs8: &[u8]) -> Result<KeyPair, rcgen::Error> {
    KeyPair::from_pkcs8_der_and_sign_algo(&pkcs8.into(), algorithm(key_type))
}

fn pool(key_type: KeyType) -> &'static Mutex<Vec<Arc<KeyPair>>> {
    match key_type {
        KeyType::P256 => &P256,
        KeyType::P384 => &P384,
        KeyType::Rsa2048 => &RSA2048,
        KeyType::Ed25519 => &ED25519,
    }
}

fn algorithm(key_type: KeyType) -> &'static SignatureAlgorithm {
    match key_type {
        KeyType::P256 => &rcgen::PKCS_ECDSA_P256_SHA256,
        KeyType::P384 => &rcgen::PKCS_ECDSA_P384_SHA384,
        KeyType::Rsa2048 => &rcgen::PKCS_RSA_SHA256,
        KeyType::Ed25519 => &rcgen::PKCS_ED25519,
    }
}

fn generate(key_type: KeyType) -> Result<KeyPair, rcgen::Error> {
    let algorithm = algorithm(key_type);
    match key_type {
        KeyType::Rsa2048 => KeyPair::generate_rsa_for(algorithm, RsaKeySize::_2048),
        KeyType::P256 | KeyType::P384 | KeyType::Ed25519 => KeyPair::generate_for(algorithm),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::sync::Barrier;

    use super::*;

    /// The public keys of the first `count` keys a new `PooledKeys` of `key_type` gives.
    fn draw(key_type: KeyType, count: usize) -> Vec<Vec<u8>> {
        let mut keys = PooledKeys::of(key_type, KeySource::Shared);
        (0..count)
            .map(|_| keys.next_key().expect("key").public_key_raw().to_vec())
            .collect()
    }

    #[test]
    fn draws_are_different_keys_and_the_same_for_every_drawer() {
        for key_type in [KeyType::P256, KeyType::P384, KeyType::Ed25519] {
            let first = draw(key_type, 5);
            assert_eq!(first.iter().collect::<HashSet<_>>().len(), 5, "{key_type}");
            assert_eq!(draw(key_type, 7)[..5], first[..], "{key_type}");
        }
    }

    #[test]
    fn the_fixed_keys_are_enough_for_a_pki_and_all_different_rsa_2048_keys() {
        assert_eq!(FIXED_RSA2048.len(), crate::Role::ALL.len() + 1);
        let keys = draw(KeyType::Rsa2048, FIXED_RSA2048.len() + 1);
        assert_eq!(keys.iter().collect::<HashSet<_>>().len(), keys.len());
        for der in FIXED_RSA2048 {
            let key = decode(KeyType::Rsa2048, der).expect("decodes");
            // An RSA-2048 public key is a 270-octet DER SEQUENCE (a 257-octet modulus).
            assert_eq!(key.public_key_raw().len(), 270);
        }
    }

    #[test]
    fn fresh_keys_are_never_the_pools() {
        let shared = draw(KeyType::P256, 3);
        let mut fresh = PooledKeys::of(KeyType::P256, KeySource::Fresh);
        for _ in 0..3 {
            let key = fresh.next_key().expect("key").public_key_raw().to_vec();
            assert!(!shared.contains(&key));
        }
    }

    #[test]
    fn keys_keep_their_algorithm() {
        for key_type in KeyType::ALL {
            for source in [KeySource::Fresh, KeySource::Shared] {
                let key = PooledKeys::of(key_type, source).next_key().expect("key");
                assert_eq!(key.algorithm(), algorithm(key_type), "{key_type}");
            }
        }
    }

    #[test]
    fn threads_drawing_at_once_get_the_same_keys() {
        // More keys than a PKI takes, so that the threads find keys to generate while the other
        // tests of this process draw from the same pool.
        const COUNT: usize = 40;
        let start = Barrier::new(2);
        let draws: Vec<Vec<Vec<u8>>> = std::thread::scope(|scope| {
            let threads: Vec<_> = (0..2)
                .map(|_| {
                    scope.spawn(|| {
                        start.wait();
                        draw(KeyType::Ed25519, COUNT)
                    })
                })
                .collect();
            threads
                .into_iter()
                .map(|thread| thread.join().expect("thread"))
                .collect()
        });
        assert_eq!(draws[0], draws[1]);
        assert_eq!(draws[0].iter().collect::<HashSet<_>>().len(), COUNT);
    }
}
