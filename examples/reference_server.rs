//! The reference server in your own test: start it on a virtual clock, call
//! `POST /v1/ocsp/test` over HTTPS as its admin, and move the clock to see a timeout.
//!
//! `cargo run --example reference_server`

use ocsp_harness::contract::ManagementRole;
use ocsp_harness::reference::{ReferenceOptions, ReferenceServer};
use time::macros::datetime;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server =
        ReferenceServer::start(ReferenceOptions::embedded(datetime!(2026-03-01 12:00 UTC))).await?;
    let http = server.http_client()?;
    let admin = server
        .users()
        .with_role(ManagementRole::Admin)
        .ok_or("no admin")?;

    let answer = http
        .post(format!("{}/v1/ocsp/test", server.url()))
        .basic_auth(&admin.username, Some(&admin.password))
        .send()
        .await?;
    println!("{} {}", answer.status(), answer.text().await?);

    // A stalled task queue gives task_queued_for_too_long after 5 s on the server's clock:
    // driving the virtual clock makes that instant.
    server.cluster().queue().set_stalled(true);
    let clock = server.virtual_clock().ok_or("a virtual clock")?.clone();
    let request = http
        .post(format!("{}/v1/ocsp/test", server.url()))
        .basic_auth(&admin.username, Some(&admin.password))
        .send();
    let answer = clock.drive(request).await?;
    println!("{} {}", answer.status(), answer.text().await?);
    server.shutdown().await;
    Ok(())
}
