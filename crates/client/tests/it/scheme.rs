//! The scheme of a responder URL picks the transport: `http` sends the request as it is, and
//! `https` opens TLS first, through the client built at the first `https` query. Which roots
//! that client trusts (the platform's) is not checked here: no test server can hold a
//! certificate the platform trusts.

use std::io::Read;
use std::net::TcpListener;
use std::sync::Arc;

use client::{HttpMethod, OcspClient, Query, QueryError};
use clock::SystemClock;
use ocsp::HashAlgorithm;
use pki::{PkiProfile, Role, TestPki};

/// The first octets a client sends to `scheme://127.0.0.1:PORT/`, and the query's error: the
/// listener reads what arrives, then closes without answering.
async fn first_octets(client: &OcspClient, pki: &TestPki, scheme: &str) -> (Vec<u8>, QueryError) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    let reader = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("accept");
        let mut octets = [0u8; 5];
        stream.read_exact(&mut octets).expect("read");
        octets.to_vec()
    });
    let query = Query {
        url: format!("{scheme}://127.0.0.1:{port}/"),
        cert_der: pki.cert(Role::Proxy).der().to_vec(),
        issuer_der: pki.cert(Role::Intermediate).der().to_vec(),
        hash_algorithm: HashAlgorithm::Sha1,
        nonce_len: None,
        method: HttpMethod::Post,
        timeout: responder::DEFAULT_RESPONSE_TIMEOUT,
    };
    let error = client.query(&query).await.expect_err("nobody answers");
    (reader.join().expect("reader"), error)
}

#[tokio::test]
async fn http_sends_the_request_and_https_opens_tls_first() {
    let pki = TestPki::generate(&PkiProfile::at(time::OffsetDateTime::now_utc())).expect("pki");
    let client = OcspClient::new(Arc::new(SystemClock)).expect("client");
    for _ in 0..2 {
        let (octets, error) = first_octets(&client, &pki, "http").await;
        assert_eq!(octets, b"POST ", "{error}");
        assert!(matches!(error, QueryError::Failed(_)), "{error}");
        // A TLS handshake record (0x16), version 3.x.
        let (octets, error) = first_octets(&client, &pki, "HTTPS").await;
        assert_eq!(&octets[..2], &[0x16, 0x03], "{error}");
        assert!(matches!(error, QueryError::Failed(_)), "{error}");
    }
}
