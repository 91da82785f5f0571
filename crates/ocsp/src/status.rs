//! responseStatus (RFC 6960 section 4.2.1), and the unsigned OCSPResponse that carries any
//! status but `successful`.

use crate::der_util::{self, tag};

contract::named_enum! {
    /// A responseStatus RFC 6960 defines, by its ASN.1 name.
    pub enum ResponseStatus: "response status" {
        /// 0: responseBytes follow.
        Successful = "successful",
        /// 1: the request does not decode.
        MalformedRequest = "malformedRequest",
        /// 2: the responder failed.
        InternalError = "internalError",
        /// 3: try again later.
        TryLater = "tryLater",
        /// 5: the request must be signed.
        SigRequired = "sigRequired",
        /// 6: the responder does not answer for this certificate.
        Unauthorized = "unauthorized",
    }
}

impl ResponseStatus {
    /// The ENUMERATED value (4 is unused).
    pub fn code(self) -> u8 {
        match self {
            ResponseStatus::Successful => 0,
            ResponseStatus::MalformedRequest => 1,
            ResponseStatus::InternalError => 2,
            ResponseStatus::TryLater => 3,
            ResponseStatus::SigRequired => 5,
            ResponseStatus::Unauthorized => 6,
        }
    }

    /// The name in behaviour names: `malformed-request`.
    pub fn kebab_name(self) -> String {
        let mut kebab = String::new();
        for character in self.name().chars() {
            if character.is_ascii_uppercase() {
                kebab.push('-');
            }
            kebab.push(character.to_ascii_lowercase());
        }
        kebab
    }

    /// The status with this ENUMERATED value, if RFC 6960 defines one.
    pub fn from_code(code: u64) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|status| u64::from(status.code()) == code)
    }
}

/// An OCSPResponse without responseBytes: SEQUENCE { ENUMERATED `code` }. Any code, so that a
/// fault can send one RFC 6960 does not define.
pub fn unsigned_response(code: u8) -> Vec<u8> {
    der_util::tlv(tag::SEQUENCE, &der_util::tlv(tag::ENUMERATED, &[code]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_encode_as_der() {
        for status in ResponseStatus::ALL {
            assert_eq!(
                ResponseStatus::from_code(status.code().into()),
                Some(status)
            );
        }
        assert_eq!(ResponseStatus::from_code(4), None);
        assert_eq!(
            ResponseStatus::ALL.map(ResponseStatus::kebab_name),
            [
                "successful",
                "malformed-request",
                "internal-error",
                "try-later",
                "sig-required",
                "unauthorized"
            ]
        );
        assert_eq!(
            unsigned_response(ResponseStatus::MalformedRequest.code()),
            [0x30, 0x03, 0x0a, 0x01, 0x01]
        );
    }
}
