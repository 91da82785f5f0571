//! Property tests: any valid responder URL and proxy serial comes back unchanged from the
//! generated certificate, in memory and through a directory; and no text given for either makes
//! the parsers panic.

use pki::{
    self, CertificateSummary, KeyType, Overwrite, PkiProfile, ResponderUrl, Role, Serial, TestPki,
};
use proptest::prelude::*;
use time::macros::datetime;

/// Characters RFC 3986 allows in a path or query without escaping.
const URI_CHARS: &str = "[A-Za-z0-9._~!$&'()*+,;=:@/-]";

fn uri_text(max_len: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("{URI_CHARS}{{0,{max_len}}}")).expect("a valid regex")
}

fn responder_url() -> impl Strategy<Value = String> {
    let scheme = prop::sample::select(vec!["http", "https", "HTTP", "Https"]);
    let host = prop_oneof![
        "[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?(\\.[a-z0-9]{1,10}){0,3}",
        (0u8..=255, 0u8..=255, 0u8..=255, 1u8..=254)
            .prop_map(|(a, b, c, d)| format!("{a}.{b}.{c}.{d}")),
        Just("[::1]".to_owned()),
    ];
    let port = prop::option::of(1u16..=65535)
        .prop_map(|port| port.map(|port| format!(":{port}")).unwrap_or_default());
    let segment = prop_oneof![
        uri_text(12),
        any::<u8>().prop_map(|byte| format!("%{byte:02X}")),
    ];
    let path = prop::collection::vec(segment, 0..6).prop_map(|parts| {
        if parts.is_empty() {
            String::new()
        } else {
            format!("/{}", parts.concat())
        }
    });
    let query = prop::option::of(uri_text(20))
        .prop_map(|query| query.map(|query| format!("?{query}")).unwrap_or_default());
    (scheme, host, port, path, query).prop_map(|(scheme, host, port, path, query)| {
        format!("{scheme}://{host}{port}{path}{query}")
    })
}

fn serial() -> impl Strategy<Value = Serial> {
    prop::collection::vec(any::<u8>(), 1..=21).prop_filter_map("not a valid serial", |bytes| {
        Serial::from_be_bytes(&bytes).ok()
    })
}

fn profile(url: &str, serial: Serial) -> PkiProfile {
    PkiProfile {
        key_type: KeyType::P256,
        responder_url: url.parse().expect("the strategy makes valid URLs"),
        proxy_serial: Some(serial),
        at: datetime!(2026-03-01 12:00 UTC),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn url_and_serial_round_trip_through_generation(url in responder_url(), serial in serial()) {
        let pki = TestPki::generate(&profile(&url, serial.clone())).expect("generates");
        let proxy = CertificateSummary::from_der(pki.cert(Role::Proxy).der()).expect("parses");
        prop_assert_eq!(proxy.ocsp_urls, vec![url]);
        prop_assert_eq!(proxy.serial, serial);
    }
}

proptest! {
    // Each case writes and syncs some thirty files.
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn url_and_serial_round_trip_through_a_directory(url in responder_url(), serial in serial()) {
        let pki = TestPki::generate(&profile(&url, serial.clone())).expect("generates");
        let dir = tempfile::tempdir().expect("tempdir");
        let manifest = pki::write_dir(&pki, dir.path(), Overwrite::Refuse).expect("writes");
        prop_assert_eq!(manifest.responder_url.as_str(), url.as_str());
        let back = pki::read_dir(dir.path()).expect("reads");
        prop_assert_eq!(back.profile(), pki.profile());
        let proxy = back.cert(Role::Proxy).summary();
        prop_assert_eq!(&proxy.ocsp_urls, &vec![url]);
        prop_assert_eq!(&proxy.serial, &serial);
    }
}

proptest! {
    #[test]
    fn url_and_serial_parsers_take_any_text_without_panicking(text in ".*") {
        let _ = text.parse::<ResponderUrl>();
        let _ = text.parse::<Serial>();
    }

    #[test]
    fn serial_hex_round_trips(serial in serial()) {
        prop_assert_eq!(serial.to_hex().parse::<Serial>().expect("parses"), serial);
    }

    #[test]
    fn certificate_summary_takes_any_bytes_without_panicking(
        bytes in prop::collection::vec(any::<u8>(), 0..512)
    ) {
        let _ = CertificateSummary::from_der(&bytes);
    }
}
