//! Resident memory under hostile responders. A file of its own: the measure is of the whole
//! process, so no other test may run beside it.

use contract::ManagementRole;
use reference::{ReferenceOptions, ReferenceServer};
use responder::behaviour_named;
use time::macros::datetime;

extern crate ocsp_harness_reference as reference;

/// This process's resident memory, in KiB, from /proc.
fn resident_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc is mounted");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches(" kB").trim().parse().ok())
        .expect("VmRSS is listed")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_stays_bounded_under_endless_and_oversized_bodies() {
    let options = ReferenceOptions::embedded(datetime!(2026-03-01 12:00 UTC));
    let server = ReferenceServer::start(options).await.expect("starts");
    let clock = server.virtual_clock().expect("virtual").clone();
    let http = server.http_client().expect("client");
    let admin = server
        .users()
        .with_role(ManagementRole::Admin)
        .expect("admin")
        .clone();
    let test = || async {
        let request = http
            .post(format!("{}/v1/ocsp/test", server.url()))
            .basic_auth(&admin.username, Some(&admin.password))
            .send();
        let response = clock.drive(request).await.expect("answered");
        let status = response.status().as_u16();
        let body: serde_json::Value = response.json().await.expect("json");
        (status, body)
    };
    // Warm up allocators and connection pools first, then measure.
    server
        .responder()
        .set_behaviour(behaviour_named("never-ending-body").expect("named"));
    test().await;
    let before = resident_kib();
    for behaviour in ["never-ending-body", "oversized-body"] {
        server
            .responder()
            .set_behaviour(behaviour_named(behaviour).expect("named"));
        for _ in 0..20 {
            let (status, body) = test().await;
            assert_eq!(status, 500, "{behaviour}: {body}");
            assert_eq!(body["error_code"], "invalid_ocsp_response", "{behaviour}");
        }
    }
    let grown = resident_kib().saturating_sub(before);
    eprintln!("resident memory grew by {grown} KiB over 40 hostile answers");
    // Forty answers of over 1 MiB each were refused; what stays is far below their sum.
    assert!(grown < 32 * 1024, "resident memory grew by {grown} KiB");
}
