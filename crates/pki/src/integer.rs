//! The one reading of a serial number's octets. A serial reaches the harness in three shapes:
//! unsigned hex typed by a person, the content octets of a DER INTEGER in a certificate or a
//! CertID (two's complement, with a zero octet before a first octet whose top bit is set), and
//! whatever a client put in a CertID, negative or padded. Every comparison and every printed
//! serial goes through [`DerInteger`], so that two shapes of the same number never differ.

use std::fmt;

/// An integer as sign and magnitude, read from a DER INTEGER's content octets or from unsigned
/// big-endian octets. Equal numbers are equal values, however they were encoded.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct DerInteger {
    negative: bool,
    /// Big-endian, no leading zero octet; empty for zero.
    magnitude: Vec<u8>,
}

impl DerInteger {
    /// Reads the content octets of a DER INTEGER (two's complement, big-endian). Total: a
    /// redundant leading `00` or `FF` octet, as a careless encoder writes, reads as the same
    /// number, and no content is refused, since a peer's CertID may hold anything. Empty content
    /// (which DER forbids) reads as zero.
    pub fn from_content(content: &[u8]) -> Self {
        match content.first() {
            Some(first) if first & 0x80 != 0 => Self {
                negative: true,
                magnitude: trim_zeros(&twos_complement(content)).to_vec(),
            },
            _ => Self::from_unsigned(content),
        }
    }

    /// Reads unsigned big-endian octets; leading zero octets are ignored.
    pub fn from_unsigned(bytes: &[u8]) -> Self {
        Self {
            negative: false,
            magnitude: trim_zeros(bytes).to_vec(),
        }
    }

    /// Whether the number is below zero (a serial RFC 5280 forbids, but a client may send).
    pub fn is_negative(&self) -> bool {
        self.negative && !self.magnitude.is_empty()
    }

    /// Whether the number is zero.
    pub fn is_zero(&self) -> bool {
        self.magnitude.is_empty()
    }

    /// The absolute value, big-endian, without leading zero octets (empty for zero).
    pub fn magnitude(&self) -> &[u8] {
        &self.magnitude
    }

    /// The octets its minimal DER encoding takes: one more than the magnitude when a positive
    /// number's top bit is set, for the zero octet that keeps it positive.
    pub fn encoded_len(&self) -> usize {
        match self.magnitude.first() {
            None => 1,
            Some(first) if !self.is_negative() => {
                self.magnitude.len() + usize::from(first & 0x80 != 0)
            }
            // -2^(8n-1) fits n octets; any other negative with its top bit set takes one more.
            Some(&first) => {
                let is_power = first == 0x80 && self.magnitude[1..].iter().all(|&b| b == 0);
                self.magnitude.len() + usize::from(first & 0x80 != 0 && !is_power)
            }
        }
    }

    /// Upper-case hex, two digits per octet, as OpenSSL prints an INTEGER (`openssl x509
    /// -serial`, the `openssl ocsp` index file): no leading zero octet, `00` for zero, and a
    /// `-` before a negative number's magnitude.
    pub fn to_hex(&self) -> String {
        if self.magnitude.is_empty() {
            return "00".to_owned();
        }
        let sign = if self.negative { "-" } else { "" };
        format!("{sign}{}", upper_hex(&self.magnitude))
    }
}

impl fmt::Debug for DerInteger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DerInteger({})", self.to_hex())
    }
}

impl fmt::Display for DerInteger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// Upper-case hex, two digits per octet.
pub(crate) fn upper_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

fn trim_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

/// The magnitude of a negative two's complement number: invert every octet, add one. The
/// result may keep leading zero octets; the carry out of the top octet cannot happen, since a
/// negative number's top octet is at least 0x80 and inverts to at most 0x7F.
fn twos_complement(content: &[u8]) -> Vec<u8> {
    let mut magnitude: Vec<u8> = content.iter().map(|b| !b).collect();
    for byte in magnitude.iter_mut().rev() {
        let (sum, overflow) = byte.overflowing_add(1);
        *byte = sum;
        if !overflow {
            break;
        }
    }
    magnitude
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn positive_content_loses_the_sign_octet_only_in_print() {
        let top_bit = DerInteger::from_content(&[0x00, 0xe1, 0x44]);
        assert_eq!(top_bit.to_hex(), "E144");
        assert_eq!(top_bit.encoded_len(), 3);
        assert_eq!(top_bit, DerInteger::from_unsigned(&[0xe1, 0x44]));
        // A redundant zero octet is the same number.
        assert_eq!(
            DerInteger::from_content(&[0x00, 0x00, 0x7f]),
            DerInteger::from_content(&[0x7f])
        );
    }

    #[test]
    fn zero_and_empty_print_as_openssl_does() {
        for content in [&[][..], &[0x00], &[0x00, 0x00]] {
            let zero = DerInteger::from_content(content);
            assert!(zero.is_zero() && !zero.is_negative(), "{content:?}");
            assert_eq!(zero.to_hex(), "00");
            assert_eq!(zero.encoded_len(), 1);
        }
    }

    #[test]
    fn negative_content_is_not_its_unsigned_reading() {
        // -128 is one octet 0x80; +128 is 00 80. They must never compare equal.
        let minus = DerInteger::from_content(&[0x80]);
        assert!(minus.is_negative());
        assert_eq!(minus.to_hex(), "-80");
        assert_ne!(minus, DerInteger::from_content(&[0x00, 0x80]));
        assert_eq!(DerInteger::from_content(&[0xff]).to_hex(), "-01");
        assert_eq!(DerInteger::from_content(&[0xff, 0x00]).to_hex(), "-0100");
        // A redundant FF octet is the same negative number.
        assert_eq!(
            DerInteger::from_content(&[0xff, 0x80]),
            DerInteger::from_content(&[0x80])
        );
        assert_eq!(minus.encoded_len(), 1);
        assert_eq!(DerInteger::from_content(&[0xff, 0x7f]).encoded_len(), 2);
    }

    /// Reads `content` back as an i128, for contents short enough to fit.
    fn as_i128(content: &[u8]) -> i128 {
        let fill = if content.first().is_some_and(|b| b & 0x80 != 0) {
            0xff
        } else {
            0
        };
        let mut bytes = [fill; 16];
        bytes[16 - content.len()..].copy_from_slice(content);
        i128::from_be_bytes(bytes)
    }

    proptest! {
        #[test]
        fn any_content_reads_as_the_number_it_encodes(
            content in proptest::collection::vec(any::<u8>(), 0..=16),
        ) {
            let value = DerInteger::from_content(&content);
            let number = as_i128(&content);
            let unsigned = number.unsigned_abs().to_be_bytes();
            prop_assert_eq!(value.magnitude(), trim_zeros(&unsigned));
            prop_assert_eq!(value.is_negative(), number < 0);
            prop_assert_eq!(value.is_zero(), number == 0);
            // The minimal encoding is never longer than what was read, and as long when the
            // content was itself minimal (no redundant 00 or FF before a same-signed octet).
            let redundant = matches!(content.as_slice(), [0x00, next, ..] if next & 0x80 == 0)
                || matches!(content.as_slice(), [0xff, next, ..] if next & 0x80 != 0);
            prop_assert!(value.encoded_len() <= content.len().max(1));
            if !redundant && !content.is_empty() {
                prop_assert_eq!(value.encoded_len(), content.len());
            }
        }

        #[test]
        fn long_hostile_content_never_panics(
            content in proptest::collection::vec(any::<u8>(), 0..=64),
        ) {
            let value = DerInteger::from_content(&content);
            let hex = value.to_hex();
            prop_assert!(!hex.is_empty());
            prop_assert!(value.encoded_len() <= content.len().max(1));
        }
    }
}
