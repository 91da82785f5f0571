//! `serve`'s HTTP front takes any bytes on its socket: a reference server (plain HTTP, so that
//! the bytes reach the HTTP layers rather than the TLS handshake) gets each input on a new
//! loopback connection, which is then half-closed. The server must close the connection in
//! bounded time, must not panic (a panic in any of its tasks aborts the process), and must
//! still answer a well-formed request afterwards.
//!
//! The first byte picks how the rest is sent:
//! - 0: as it is (HTTP/1.1, HTTP/2 or neither);
//! - 1: after the HTTP/2 preface and an empty SETTINGS frame: HTTP/2 frames;
//! - 2: HTTP/1.1 with the admin's `Authorization` header put after the first line, so that
//!   the bytes reach the handlers and their bodies;
//! - 3: after the preface, SETTINGS and a HEADERS frame opening `PUT /v1/ocsp` (stream 1) as
//!   the admin, without ending the stream: DATA and other frames for an authorised request.
#![no_main]

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use ocsp_harness::contract::ManagementRole;
use ocsp_harness::reference::{ReferenceOptions, ReferenceServer, ServerClock};
use ocsp_harness_fuzz::AT;
use ocsp_harness_fuzz::h2::{PREFACE, SETTINGS, admin_put_headers};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long the server may take to close a connection its client has half-closed: far more
/// than it ever needs, far less than libFuzzer's per-input timeout (10 s in `fuzz/run.sh`).
const CLOSE_WITHIN: Duration = Duration::from_secs(8);

struct World {
    runtime: tokio::runtime::Runtime,
    addr: SocketAddr,
    authorization: String,
    // Kept for the life of the process: the server stops when dropped.
    server: ReferenceServer,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let server = runtime.block_on(async {
            ReferenceServer::start(ReferenceOptions {
                tls: false,
                // No provider states: an input must not stall the queue or freeze the clock
                // for the inputs after it.
                state_hooks: false,
                clock: ServerClock::System,
                ..ReferenceOptions::embedded(AT)
            })
            .await
            .expect("the reference server starts")
        });
        let addr = server
            .url()
            .trim_start_matches("http://")
            .parse()
            .expect("an address");
        let admin = server
            .users()
            .with_role(ManagementRole::Admin)
            .expect("an admin");
        let authorization = base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", admin.username, admin.password));
        World {
            runtime,
            addr,
            authorization,
            server,
        }
    })
}

/// The bytes sent for `data`, per the first byte's mode.
fn wire(world: &World, data: &[u8]) -> Vec<u8> {
    let Some((&mode, rest)) = data.split_first() else {
        return Vec::new();
    };
    match mode % 4 {
        1 => [PREFACE, SETTINGS, rest].concat(),
        2 => {
            let header = format!("Authorization: Basic {}\r\n", world.authorization);
            match rest.windows(2).position(|pair| pair == b"\r\n") {
                Some(end) => [&rest[..end + 2], header.as_bytes(), &rest[end + 2..]].concat(),
                None => rest.to_vec(),
            }
        }
        3 => [
            PREFACE,
            SETTINGS,
            &admin_put_headers(&world.authorization),
            rest,
        ]
        .concat(),
        _ => rest.to_vec(),
    }
}

/// Sends `bytes` on a new connection, half-closes it, and reads until the server closes it.
async fn exchange(addr: SocketAddr, bytes: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(addr).await.expect("connects");
    // The server may close before it has read everything: a write error is an answer.
    let _ = stream.write_all(bytes).await;
    let _ = stream.shutdown().await;
    let mut received = Vec::new();
    let closed = tokio::time::timeout(CLOSE_WITHIN, async {
        let mut chunk = [0u8; 8192];
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&chunk[..n]),
            }
        }
    })
    .await;
    assert!(
        closed.is_ok(),
        "the server held a half-closed connection for {CLOSE_WITHIN:?}"
    );
    received
}

fuzz_target!(|data: &[u8]| {
    static RUNS: AtomicU64 = AtomicU64::new(0);
    let world = world();
    let bytes = wire(world, data);
    world.runtime.block_on(async {
        let answer = exchange(world.addr, &bytes).await;
        // Over HTTP/1.x, whatever comes back is an HTTP/1.x answer.
        if bytes.first().is_some_and(u8::is_ascii_uppercase) && !bytes.starts_with(PREFACE) {
            assert!(
                answer.is_empty() || answer.starts_with(b"HTTP/1."),
                "not an HTTP/1.x answer: {:?}",
                String::from_utf8_lossy(&answer[..answer.len().min(200)])
            );
        }
        // Now and then, that the server still serves a well-formed request.
        if RUNS.fetch_add(1, Ordering::Relaxed) % 64 == 0 {
            let health = exchange(
                world.addr,
                b"GET /_harness/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            )
            .await;
            assert!(
                health.starts_with(b"HTTP/1.1 200 "),
                "the server no longer answers ({} connections open) after {:?} (answered {:?}): {:?}",
                world.server.open_connections(),
                String::from_utf8_lossy(&bytes),
                String::from_utf8_lossy(&answer),
                String::from_utf8_lossy(&health)
            );
        }
    });
});
