//! Distinguished names as RFC 4514 strings, exactly as x509-cert writes them, without its cost
//! in the common case: x509-cert finds an attribute's short name by searching the whole OID
//! database, which took more than every other part of reading a certificate together.

use std::fmt::Write;

use const_oid::ObjectIdentifier;
use const_oid::db::rfc4519;
use der::asn1::{Ia5StringRef, PrintableStringRef, Utf8StringRef};
use der::{Tag, Tagged};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::name::Name;

/// The attributes of the harness's names and of nearly every other, with the short name the
/// OID database gives each (a test checks them against it).
const SHORT_NAMES: [(ObjectIdentifier, &str); 6] = [
    (rfc4519::CN, "CN"),
    (rfc4519::O, "O"),
    (rfc4519::OU, "OU"),
    (rfc4519::C, "C"),
    (rfc4519::L, "L"),
    (rfc4519::ST, "ST"),
];

/// `name` as RFC 4514 text, the same string as its `Display`.
pub(crate) fn rfc4514(name: &Name) -> String {
    let mut text = String::new();
    // As RFC 4514 section 2.1 says, the last RDN comes first.
    for (index, rdn) in name.0.iter().rev().enumerate() {
        if index > 0 {
            text.push(',');
        }
        for (index, attribute) in rdn.0.iter().enumerate() {
            if index > 0 {
                text.push('+');
            }
            match plain(attribute) {
                Some((short_name, value)) => {
                    text.push_str(short_name);
                    text.push('=');
                    text.push_str(value);
                }
                // Writing to a String does not fail.
                None => {
                    let _ = write!(text, "{attribute}");
                }
            }
        }
    }
    text
}

/// The short name and value of an attribute of [`SHORT_NAMES`] whose string value needs no
/// escaping; `None` for everything else, which x509-cert writes.
fn plain(attribute: &AttributeTypeAndValue) -> Option<(&'static str, &str)> {
    let (_, short_name) = SHORT_NAMES.iter().find(|(oid, _)| *oid == attribute.oid)?;
    let value = match attribute.value.tag() {
        Tag::PrintableString => PrintableStringRef::try_from(&attribute.value)
            .ok()?
            .as_str(),
        Tag::Utf8String => Utf8StringRef::try_from(&attribute.value).ok()?.as_str(),
        Tag::Ia5String => Ia5StringRef::try_from(&attribute.value).ok()?.as_str(),
        _ => return None,
    };
    let needs_no_escape = !value.starts_with(['#', ' '])
        && !value.ends_with(' ')
        && value.chars().all(|c| {
            !matches!(
                c,
                '"' | '+' | ',' | ';' | '<' | '>' | '\\' | '\0'..='\x1f' | '\x7f'
            )
        });
    needs_no_escape.then_some((short_name, value))
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use proptest::prelude::*;

    use super::*;

    fn common_name(oid: ObjectIdentifier, value: &str) -> Name {
        let attribute = AttributeTypeAndValue {
            oid,
            value: der::Any::new(Tag::Utf8String, value.as_bytes()).expect("any"),
        };
        Name::from(vec![x509_cert::name::RelativeDistinguishedName::from(
            der::asn1::SetOfVec::try_from(vec![attribute]).expect("set"),
        )])
    }

    #[test]
    fn the_short_names_are_the_ones_x509_cert_writes() {
        for (oid, short_name) in SHORT_NAMES {
            assert_eq!(common_name(oid, "v").to_string(), format!("{short_name}=v"));
        }
    }

    #[test]
    fn names_read_as_x509_cert_writes_them() {
        for text in [
            "CN=proxy.cluster.test,O=ocsp-harness test PKI",
            "CN=a+OU=b,O=c,C=FR",
            "CN=\\#hash,O=\\ lead,OU=trail\\ ",
            "CN=com\\,ma,O=plus\\+,OU=quote\\\"",
            "UID=someone,CN=x",
            "CN=été,O=日本",
        ] {
            let name = Name::from_str(text).expect(text);
            assert_eq!(rfc4514(&name), name.to_string(), "{text}");
        }
    }

    proptest! {
        #[test]
        fn any_common_name_reads_as_x509_cert_writes_it(value in "[ -~é#\\\\,+\"<>;]{1,24}") {
            let name = common_name(rfc4519::CN, &value);
            prop_assert_eq!(rfc4514(&name), name.to_string());
        }
    }
}
