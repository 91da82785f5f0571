//! The few DER encodings assembled by hand: tag-length-value framing, a BIT STRING, and a
//! version field x509-ocsp's types cannot hold.

/// The tags used here.
pub mod tag {
    /// BIT STRING
    pub const BIT_STRING: u8 = 0x03;
    /// OCTET STRING
    pub const OCTET_STRING: u8 = 0x04;
    /// ENUMERATED
    pub const ENUMERATED: u8 = 0x0a;
    /// SEQUENCE
    pub const SEQUENCE: u8 = 0x30;

    /// A constructed context-specific tag `[number]` (number below 31).
    pub const fn context_constructed(number: u8) -> u8 {
        0xa0 | number
    }
}

/// `tag`, the DER length of `content`, then `content`.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(tag);
    push_length(&mut out, content.len());
    out.extend_from_slice(content);
    out
}

/// A BIT STRING with no unused bits.
pub fn bit_string(bits: &[u8]) -> Vec<u8> {
    let mut content = Vec::with_capacity(bits.len() + 1);
    content.push(0);
    content.extend_from_slice(bits);
    tlv(tag::BIT_STRING, &content)
}

fn push_length(out: &mut Vec<u8>, length: usize) {
    if length < 0x80 {
        out.push(length as u8);
        return;
    }
    let bytes = length.to_be_bytes();
    let start = bytes
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(bytes.len() - 1);
    out.push(0x80 | (bytes.len() - start) as u8);
    out.extend_from_slice(&bytes[start..]);
}

/// Puts `[0] EXPLICIT INTEGER version` at the start of the DER SEQUENCE `sequence`.
pub fn insert_explicit_version(sequence: &[u8], version: u8) -> Result<Vec<u8>, der::Error> {
    use der::{Decode, Encode, Reader, SliceReader};
    let mut reader = SliceReader::new(sequence)?;
    let header = der::Header::decode(&mut reader)?;
    let content = reader.read_slice(header.length)?;
    reader.finish(())?;
    let mut new_content = tlv(tag::context_constructed(0), &version.to_der()?);
    new_content.extend_from_slice(content);
    Ok(tlv(tag::SEQUENCE, &new_content))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_use_short_and_long_forms() {
        assert_eq!(tlv(0x04, &[1, 2]), [0x04, 0x02, 1, 2]);
        let long = tlv(0x04, &[0; 200]);
        assert_eq!(&long[..3], &[0x04, 0x81, 200]);
        let longer = tlv(0x04, &[0; 300]);
        assert_eq!(&longer[..4], &[0x04, 0x82, 0x01, 0x2c]);
        assert_eq!(longer.len(), 304);
    }

    #[test]
    fn a_version_goes_first_in_the_sequence() {
        let sequence = tlv(tag::SEQUENCE, &[0x05, 0x00]);
        let versioned = insert_explicit_version(&sequence, 1).expect("inserts");
        assert_eq!(
            versioned,
            [0x30, 0x07, 0xa0, 0x03, 0x02, 0x01, 0x01, 0x05, 0x00]
        );
        assert!(insert_explicit_version(&[0x30, 0x05], 1).is_err());
    }
}
