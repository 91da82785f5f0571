//! The `Date` header: every answer, over HTTP/1.1 and HTTP/2, says the server's time, not the
//! machine's.

use contract::{ManagementRole, imf_fixdate, parse_imf_fixdate};
use pki::Role;
use reference::{ReferenceOptions, ReferenceServer, ServerClock};
use reqwest::{Method, Version};
use time::OffsetDateTime;
use time::macros::datetime;

/// A client that trusts `server`'s test CA, speaking only HTTP/1.1 when `http1` is set (ALPN
/// picks HTTP/2 otherwise).
fn client(server: &ReferenceServer, http1: bool) -> reqwest::Client {
    let root = reqwest::Certificate::from_pem(server.pki().cert(Role::Root).pem().as_bytes())
        .expect("the root");
    let builder = client::careful_http_client().tls_certs_only([root]);
    let builder = if http1 { builder.http1_only() } else { builder };
    builder.build().expect("client")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_says_the_servers_time_over_both_protocols() {
    let server =
        ReferenceServer::start(ReferenceOptions::embedded(datetime!(2026-03-01 12:00 UTC)))
            .await
            .expect("starts");
    // Moved after the start: the test PKI is made at the clock's time, and this client checks
    // the server's certificate against the machine's.
    let clock = server.virtual_clock().expect("virtual");
    clock.set(datetime!(2030-01-01 00:00 UTC));
    let admin = server
        .users()
        .with_role(ManagementRole::Admin)
        .expect("admin");
    for (http1, version) in [(true, Version::HTTP_11), (false, Version::HTTP_2)] {
        let http = client(&server, http1);
        for (method, path, credentials, status) in [
            (Method::GET, "/v1/ocsp", true, 200),
            (Method::GET, "/v1/ocsp", false, 401),
            (Method::GET, "/v1/nowhere", true, 404),
            (Method::DELETE, "/v1/ocsp", true, 405),
            (Method::GET, "/_harness/state", false, 200),
        ] {
            let mut request = http.request(method.clone(), format!("{}{path}", server.url()));
            if credentials {
                request = request.basic_auth(&admin.username, Some(&admin.password));
            }
            let answer = request.send().await.expect("answered");
            let context = format!("{method} {path} over {version:?}");
            assert_eq!(answer.version(), version, "{context}");
            assert_eq!(answer.status().as_u16(), status, "{context}");
            let dates: Vec<_> = answer.headers().get_all("date").iter().collect();
            assert_eq!(dates, ["Tue, 01 Jan 2030 00:00:00 GMT"], "{context}");
        }
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scaled_clock_starts_at_the_machines_time_and_cannot_be_set() {
    let mut options = ReferenceOptions::embedded(datetime!(2026-03-01 12:00 UTC));
    options.clock = ServerClock::Scaled(3600);
    // The whole second the header rounds down to.
    let before = OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .expect("0 ns");
    let server = ReferenceServer::start(options).await.expect("starts");
    let http = server.http_client().expect("client");
    let answer = http
        .put(format!("{}/_harness/clock", server.url()))
        .json(&serde_json::json!({"advance": 60}))
        .send()
        .await
        .expect("answered");
    assert_eq!(answer.status(), 409);
    let date = answer.headers()["date"].to_str().expect("ASCII").to_owned();
    let date = parse_imf_fixdate(&date).expect("an IMF-fixdate");
    assert!(
        date >= before,
        "{} is before {}",
        imf_fixdate(date),
        imf_fixdate(before)
    );
    let body: serde_json::Value = answer.json().await.expect("json");
    assert_eq!(body["error_code"], "system_clock");
    server.shutdown().await;
}
