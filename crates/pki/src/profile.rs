//! What a test PKI is made of: the key type, the responder URL, the proxy serial and the time
//! its validity windows are measured from. Each value is checked when it is made, so a
//! [`PkiProfile`] always describes a PKI that can be generated.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::error::ProfileError;
use super::integer::{DerInteger, upper_hex};

contract::named_enum! {
    /// The key type of every key in a generated PKI, by the name used on the command line, in
    /// scenarios and in the manifest (parsed in any case).
    #[derive(Default)]
    pub enum KeyType: "key type", ignore_case {
        /// ECDSA on NIST P-256 with SHA-256.
        #[default]
        P256 = "p256",
        /// ECDSA on NIST P-384 with SHA-384.
        P384 = "p384",
        /// RSA 2048 bits, PKCS#1 v1.5 with SHA-256.
        Rsa2048 = "rsa2048",
        /// Ed25519.
        Ed25519 = "ed25519",
    }
}

/// A certificate serial number as RFC 5280 allows it: a positive integer of at most 20 octets
/// once DER-encoded. Kept as its big-endian magnitude with no leading zero octet.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Serial(Vec<u8>);

impl Serial {
    /// The longest DER encoding RFC 5280 section 4.1.2.2 allows.
    pub const MAX_ENCODED_LEN: usize = 20;

    /// A serial from its unsigned big-endian bytes (as typed in hex); leading zero octets are
    /// ignored.
    pub fn from_be_bytes(bytes: &[u8]) -> Result<Self, ProfileError> {
        Self::try_from(DerInteger::from_unsigned(bytes))
    }

    /// A serial from the content octets of a DER INTEGER, as a certificate or a CertID holds
    /// it: the zero octet before a first octet whose top bit is set is not part of the number,
    /// and a negative or zero integer is refused.
    pub fn from_der_content(content: &[u8]) -> Result<Self, ProfileError> {
        Self::try_from(DerInteger::from_content(content))
    }

    /// The big-endian magnitude, without leading zero octets.
    pub fn as_be_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Upper-case hex, two digits per octet: how `openssl x509 -serial` and the `openssl ocsp`
    /// index file write serials, and how [`DerInteger::to_hex`] writes a positive integer.
    pub fn to_hex(&self) -> String {
        upper_hex(&self.0)
    }
}

impl TryFrom<DerInteger> for Serial {
    type Error = ProfileError;

    fn try_from(value: DerInteger) -> Result<Self, Self::Error> {
        if value.is_negative() {
            return Err(ProfileError::SerialNegative);
        }
        if value.is_zero() {
            return Err(ProfileError::SerialNotPositive);
        }
        let encoded_len = value.encoded_len();
        if encoded_len > Self::MAX_ENCODED_LEN {
            return Err(ProfileError::SerialTooLong { encoded_len });
        }
        Ok(Self(value.magnitude().to_vec()))
    }
}

impl From<&Serial> for DerInteger {
    fn from(serial: &Serial) -> Self {
        DerInteger::from_unsigned(&serial.0)
    }
}

impl fmt::Debug for Serial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Serial({})", self.to_hex())
    }
}

impl fmt::Display for Serial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl FromStr for Serial {
    type Err = ProfileError;

    /// Hex digits, with an optional `0x` prefix and optional `:` between octets, in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = || ProfileError::InvalidSerial(s.to_owned());
        let digits = s
            .strip_prefix("0x")
            .or_else(|| s.strip_prefix("0X"))
            .unwrap_or(s);
        let octet = |group: &str| {
            (!group.is_empty() && group.len() <= 2 && group.chars().all(|c| c.is_ascii_hexdigit()))
                .then(|| u8::from_str_radix(group, 16).ok())
                .flatten()
                .ok_or_else(invalid)
        };
        let bytes = if digits.contains(':') {
            // `0a:bc:1`: each group is one octet, as openssl and browsers print serials.
            digits
                .split(':')
                .map(octet)
                .collect::<Result<Vec<u8>, _>>()?
        } else {
            if digits.is_empty() || !digits.is_ascii() {
                return Err(invalid());
            }
            // A plain hex number: an odd digit count means a leading zero was left out.
            let first_len = if digits.len() % 2 == 1 { 1 } else { 2 };
            let (first, rest) = digits.split_at(first_len);
            std::iter::once(first)
                .chain(rest.as_bytes().chunks(2).map(|pair| {
                    // safety: `digits` is ASCII, so every two-byte chunk is a `str`.
                    std::str::from_utf8(pair).unwrap_or_default()
                }))
                .map(octet)
                .collect::<Result<Vec<u8>, _>>()?
        };
        Self::from_be_bytes(&bytes)
    }
}

impl Serialize for Serial {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Serial {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The OCSP URL written into a certificate's Authority Information Access extension: an
/// absolute `http` or `https` URI made only of printable ASCII (an IA5String), kept exactly as
/// given.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResponderUrl(String);

impl ResponderUrl {
    /// The URL the harness uses when none is given.
    pub const DEFAULT: &'static str = "http://127.0.0.1:8080/";

    /// The URL as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for ResponderUrl {
    fn default() -> Self {
        Self(Self::DEFAULT.to_owned())
    }
}

impl fmt::Display for ResponderUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for ResponderUrl {
    type Err = ProfileError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = |reason: &'static str| ProfileError::InvalidResponderUrl {
            url: s.to_owned(),
            reason,
        };
        if let Some(c) = s.chars().find(|c| !c.is_ascii_graphic()) {
            return Err(if c.is_ascii() {
                invalid("it contains a space or control character")
            } else {
                invalid("it contains a non-ASCII character (percent-encode it)")
            });
        }
        let scheme_end = s.find("://").ok_or_else(|| invalid("it has no scheme"))?;
        let scheme = &s[..scheme_end];
        if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
            return Err(invalid("the scheme is not http or https"));
        }
        let rest = &s[scheme_end + 3..];
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if authority.is_empty() || authority.starts_with(':') {
            return Err(invalid("it has no host"));
        }
        Ok(Self(s.to_owned()))
    }
}

impl Serialize for ResponderUrl {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ResponderUrl {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Everything [`TestPki::generate`](super::TestPki::generate) needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PkiProfile {
    /// The key type of every key.
    pub key_type: KeyType,
    /// The OCSP URL in the proxy certificate's Authority Information Access extension.
    pub responder_url: ResponderUrl,
    /// The proxy certificate's serial; `None` derives one from its public key.
    pub proxy_serial: Option<Serial>,
    /// The instant the validity windows are measured from: the scenario's clock. Certificates
    /// carry whole seconds, so sub-second parts are dropped.
    pub at: OffsetDateTime,
}

impl PkiProfile {
    /// A P-256 profile with the default responder URL, at `at`.
    pub fn at(at: OffsetDateTime) -> Self {
        Self {
            key_type: KeyType::default(),
            responder_url: ResponderUrl::default(),
            proxy_serial: None,
            at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_types_parse_by_name_in_any_case() {
        for key_type in KeyType::ALL {
            assert_eq!(key_type.name().parse::<KeyType>().ok(), Some(key_type));
            assert_eq!(
                key_type.name().to_uppercase().parse::<KeyType>().ok(),
                Some(key_type)
            );
        }
        assert_eq!(
            "dsa".parse::<KeyType>().map_err(|error| error.to_string()),
            Err("unknown key type \"dsa\" (p256, p384, rsa2048, ed25519)".to_owned())
        );
    }

    #[test]
    fn key_types_in_manifests_are_read_as_written() {
        for key_type in KeyType::ALL {
            let json = serde_json::to_string(&key_type).expect("serializes");
            assert_eq!(json, format!("\"{key_type}\""));
            assert_eq!(serde_json::from_str::<KeyType>(&json).ok(), Some(key_type));
        }
        assert_eq!(
            serde_json::from_str::<KeyType>("\"P256\"").map_err(|error| error.to_string()),
            Err("unknown key type \"P256\" (p256, p384, rsa2048, ed25519)".to_owned())
        );
    }

    #[test]
    fn serial_parses_hex_with_prefix_colons_and_odd_length() {
        let serial: Serial = "0x0a:BC:1".parse().expect("valid serial");
        assert_eq!(serial.as_be_bytes(), &[0x0a, 0xbc, 0x01]);
        assert_eq!(serial.to_hex(), "0ABC01");
        let short: Serial = "abc".parse().expect("valid serial");
        assert_eq!(short.as_be_bytes(), &[0x0a, 0xbc]);
    }

    #[test]
    fn serial_drops_leading_zero_octets() {
        let serial = Serial::from_be_bytes(&[0, 0, 1]).expect("positive");
        assert_eq!(serial.as_be_bytes(), &[1]);
    }

    #[test]
    fn serial_rejects_zero_garbage_and_over_twenty_octets() {
        assert!(matches!(
            "00".parse::<Serial>(),
            Err(ProfileError::SerialNotPositive)
        ));
        assert!(matches!(
            "xyz".parse::<Serial>(),
            Err(ProfileError::InvalidSerial(_))
        ));
        assert!(matches!(
            "".parse::<Serial>(),
            Err(ProfileError::InvalidSerial(_))
        ));
        // 20 octets with the top bit clear fit; with it set DER needs a 21st.
        assert!(Serial::from_be_bytes(&[0x7f; 20]).is_ok());
        assert!(matches!(
            Serial::from_be_bytes(&[0x80; 20]),
            Err(ProfileError::SerialTooLong { encoded_len: 21 })
        ));
    }

    #[test]
    fn responder_url_accepts_http_and_https_as_given() {
        for url in [
            "http://127.0.0.1:8080/",
            "HTTPS://ocsp.example.test/path?x=1%20y",
            "http://[::1]:9000",
        ] {
            let parsed: ResponderUrl = url.parse().expect("valid url");
            assert_eq!(parsed.as_str(), url);
        }
    }

    #[test]
    fn responder_url_rejects_what_an_ia5_uri_cannot_be() {
        for (url, reason) in [
            ("ocsp.example.test", "it has no scheme"),
            ("ldap://x/", "the scheme is not http or https"),
            ("http://", "it has no host"),
            ("http://:80/", "it has no host"),
            ("http://a b/", "it contains a space or control character"),
            (
                "http://bücher.test/",
                "it contains a non-ASCII character (percent-encode it)",
            ),
        ] {
            match url.parse::<ResponderUrl>() {
                Err(ProfileError::InvalidResponderUrl { reason: got, .. }) => {
                    assert_eq!(got, reason, "{url}")
                }
                other => panic!("{url}: expected an invalid URL, got {other:?}"),
            }
        }
    }
}
