//! PEM in and out for certificates and private keys.

use rcgen::KeyPair;

/// The Ed25519 AlgorithmIdentifier followed by the OCTET STRING that wraps the 32-byte seed, as
/// every PKCS#8 Ed25519 key spells it (RFC 8410 section 7).
const ED25519_SEED_PREFIX: [u8; 11] = [
    0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];
const ED25519_SEED_LEN: usize = 32;

/// `der` as a PEM block with `tag`, LF line endings.
pub fn pem_encode(tag: &str, der: &[u8]) -> String {
    let config = pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF);
    pem::encode_config(&pem::Pem::new(tag, der), config)
}

/// The private key as a PKCS#8 `PRIVATE KEY` PEM block.
///
/// rcgen writes Ed25519 keys as PKCS#8 v2 (with the public key), which OpenSSL 3.0 refuses;
/// they are rewritten as v1 (the seed alone), which every reader takes.
pub fn private_key_pem(key: &KeyPair) -> String {
    let der = key.serialize_der();
    let der = if key.algorithm() == &rcgen::PKCS_ED25519 {
        ed25519_pkcs8_v1(&der).unwrap_or(der)
    } else {
        der
    };
    pem_encode("PRIVATE KEY", &der)
}

/// The PKCS#8 v1 form of an Ed25519 key given in either version, or `None` if `pkcs8` holds no
/// Ed25519 seed.
fn ed25519_pkcs8_v1(pkcs8: &[u8]) -> Option<Vec<u8>> {
    let start = pkcs8
        .windows(ED25519_SEED_PREFIX.len())
        .position(|window| window == ED25519_SEED_PREFIX)?
        + ED25519_SEED_PREFIX.len();
    let seed = pkcs8.get(start..start + ED25519_SEED_LEN)?;
    // SEQUENCE (46 octets) { INTEGER 0, AlgorithmIdentifier, OCTET STRING { OCTET STRING seed } }
    let mut v1 = vec![0x30, 0x2e, 0x02, 0x01, 0x00];
    v1.extend_from_slice(&ED25519_SEED_PREFIX);
    v1.extend_from_slice(seed);
    Some(v1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ed25519_keys_are_written_as_pkcs8_v1_and_read_back() {
        let key = KeyPair::generate_for(&rcgen::PKCS_ED25519).expect("key");
        let pem = private_key_pem(&key);
        let block = pem::parse(&pem).expect("pem");
        assert_eq!(block.tag(), "PRIVATE KEY");
        assert_eq!(block.contents().len(), 48);
        assert_eq!(&block.contents()[..5], &[0x30, 0x2e, 0x02, 0x01, 0x00]);
        let back = KeyPair::from_pem(&pem).expect("reads back");
        assert_eq!(back.public_key_raw(), key.public_key_raw());
    }

    #[test]
    fn other_keys_are_written_as_generated() {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
        let block = pem::parse(private_key_pem(&key)).expect("pem");
        assert_eq!(block.contents(), key.serialize_der().as_slice());
    }

    #[test]
    fn pem_uses_lf_line_endings() {
        let pem = pem_encode("CERTIFICATE", &[1, 2, 3]);
        assert_eq!(
            pem,
            "-----BEGIN CERTIFICATE-----\nAQID\n-----END CERTIFICATE-----\n"
        );
    }

    #[test]
    fn a_key_without_an_ed25519_seed_is_not_rewritten() {
        assert_eq!(ed25519_pkcs8_v1(&[0x30, 0x00]), None);
        let mut truncated = ED25519_SEED_PREFIX.to_vec();
        truncated.extend([0; 31]);
        assert_eq!(ed25519_pkcs8_v1(&truncated), None);
    }
}
