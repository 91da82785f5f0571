//! The reference server's HTTP front against hostile clients (README, "Hardening"): every
//! refusal a complete answer on HTTP/1.1 and HTTP/2 (told by the real `curl`), hostile heads and
//! bodies, slowloris, idle and half-open connections, bodies that never end, plain HTTP and old
//! TLS on the HTTPS port. The front's deadlines run on a virtual clock the tests move; a real
//! timeout only guards against a hang.

use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::Arc;

use clock::{Clock, VirtualClock};
use contract::ManagementRole;
use pki::Role;
use reference::{ConnectionLimits, FrontLimits, ReferenceOptions, ReferenceServer};
use reqwest::Method;
use serde_json::{Value, json};
use time::Duration;
use time::macros::datetime;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long a test waits for something that must happen at once, before calling it a hang.
const HANG: std::time::Duration = std::time::Duration::from_secs(20);

struct Front {
    server: ReferenceServer,
    /// The clock of the front's deadlines.
    clock: VirtualClock,
    addr: SocketAddr,
    ca: tempfile::NamedTempFile,
    limits: FrontLimits,
}

async fn front(tls: bool, limits: FrontLimits) -> Front {
    let clock = VirtualClock::new(datetime!(2026-03-01 12:00 UTC));
    let options = ReferenceOptions {
        tls,
        front: limits,
        front_clock: Arc::new(clock.clone()),
        ..ReferenceOptions::embedded(datetime!(2026-03-01 12:00 UTC))
    };
    let server = ReferenceServer::start(options).await.expect("starts");
    let addr = server
        .url()
        .rsplit_once("//")
        .and_then(|(_, authority)| authority.parse().ok())
        .expect("an address in the URL");
    let ca = tempfile::NamedTempFile::new().expect("a temporary file");
    std::fs::write(ca.path(), server.pki().cert(Role::Root).pem()).expect("writes the CA");
    Front {
        server,
        clock,
        addr,
        ca,
        limits,
    }
}

impl Front {
    fn credentials(&self, role: ManagementRole) -> String {
        let user = self.server.users().with_role(role).expect("a user");
        format!("{}:{}", user.username, user.password)
    }

    /// The test PKI's root, the one certificate the clients trust.
    fn root(&self) -> reqwest::Certificate {
        reqwest::Certificate::from_pem(self.server.pki().cert(Role::Root).pem().as_bytes())
            .expect("the root")
    }

    /// A client with a connection of its own, so that no pooled connection is reused.
    fn fresh_client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .tls_certs_only([self.root()])
            .no_proxy()
            .pool_max_idle_per_host(0)
            .build()
            .expect("a client")
    }

    /// A client that keeps its connection open, idle, after its request.
    fn fresh_client_keeping_alive(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .tls_certs_only([self.root()])
            .no_proxy()
            .build()
            .expect("a client")
    }

    /// `GET /v1/ocsp` as the admin on a new connection: 200, or the reason it was not.
    async fn answers(&self) -> Result<u16, String> {
        let user = self
            .server
            .users()
            .with_role(ManagementRole::Admin)
            .expect("admin");
        let answer = tokio::time::timeout(
            HANG,
            self.fresh_client()
                .get(format!("{}/v1/ocsp", self.server.url()))
                .basic_auth(&user.username, Some(&user.password))
                .send(),
        )
        .await
        .map_err(|_| "no answer".to_owned())?
        .map_err(|error| format!("{error:?}"))?;
        Ok(answer.status().as_u16())
    }

    async fn assert_still_answers(&self, context: &str) {
        assert_eq!(self.answers().await, Ok(200), "{context}");
    }

    /// Waits (in real time, bounded) for the server's open connections to come down to `count`.
    async fn until_open_connections(&self, count: usize, context: &str) {
        until(|| self.server.open_connections() <= count, context).await;
    }
}

/// Waits for `condition` to hold, checking every few milliseconds, for at most [`HANG`].
async fn until(condition: impl Fn() -> bool, context: &str) {
    let waited = tokio::time::timeout(HANG, async {
        while !condition() {
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
    })
    .await;
    assert!(waited.is_ok(), "still waiting: {context}");
}

/// Reads until the server closes the connection (or fails it): what it sent before.
async fn read_to_close(stream: &mut TcpStream) -> Vec<u8> {
    let mut received = Vec::new();
    let read = tokio::time::timeout(HANG, async {
        let mut chunk = [0u8; 4096];
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&chunk[..n]),
            }
        }
    })
    .await;
    assert!(read.is_ok(), "the server kept the connection open");
    received
}

/// What `curl` made of one request.
#[derive(Debug)]
struct Curled {
    exit: Option<i32>,
    status: u16,
    version: String,
    body: Value,
    stderr: String,
}

/// Sends one request with the real `curl` over `protocol` (`--http1.1` or `--http2`).
async fn curl(
    front: &Front,
    protocol: &str,
    credentials: &str,
    method: &Method,
    path: &str,
    body: &tempfile::NamedTempFile,
) -> Curled {
    let data = format!("@{}", body.path().display());
    let url = format!("{}{path}", front.server.url());
    let output = tokio::time::timeout(
        HANG,
        tokio::process::Command::new("curl")
            .args(["--silent", "--show-error", "--noproxy", "*", protocol])
            .arg("--cacert")
            .arg(front.ca.path())
            .args(["--user", credentials, "--request", method.as_str()])
            .args(["--header", "Content-Type: application/json"])
            .args(["--data-binary", &data])
            .args(["--write-out", "\n%{http_code} %{http_version}"])
            .arg(&url)
            .stdin(Stdio::null())
            .output(),
    )
    .await
    .expect("curl ends")
    .expect("curl runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let (body, trailer) = stdout.rsplit_once('\n').unwrap_or(("", &stdout));
    let (status, version) = trailer.split_once(' ').unwrap_or((trailer, ""));
    Curled {
        exit: output.status.code(),
        status: status.parse().unwrap_or(0),
        version: version.to_owned(),
        body: serde_json::from_str(body).unwrap_or(Value::String(body.to_owned())),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn body_file(len: usize, fill: u8) -> tempfile::NamedTempFile {
    let file = tempfile::NamedTempFile::new().expect("a temporary file");
    std::fs::write(file.path(), vec![fill; len]).expect("writes the body");
    file
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_refusal_is_a_complete_answer_on_http1_and_http2_read_or_not() {
    let front = front(true, FrontLimits::DEFAULT).await;
    let admin = front.credentials(ManagementRole::Admin);
    let viewer = front.credentials(ManagementRole::DbViewer);
    let wrong = format!("{}-wrong", front.credentials(ManagementRole::Admin));
    // Within the limit, and over it: the handler reads neither to its end for most refusals.
    let small = body_file(200 * 1024, b' ');
    let big = body_file(3 * 1024 * 1024, b' ');
    let not_json = body_file(200 * 1024, b'x');
    #[rustfmt::skip]
    let cases: [(u16, &str, &str, Method, &str, &tempfile::NamedTempFile); 12] = [
        (404, "not_found", &admin, Method::POST, "/v1/nope", &small),
        (404, "not_found", &admin, Method::PUT, "/v1/nope", &big),
        (405, "method_not_allowed", &admin, Method::PUT, "/v1/ocsp/status", &small),
        (405, "method_not_allowed", &admin, Method::POST, "/v1/ocsp/status", &big),
        (401, "unauthorized", &wrong, Method::PUT, "/v1/ocsp", &small),
        (401, "unauthorized", &wrong, Method::POST, "/v1/ocsp/test", &big),
        (403, "insufficient_permissions", &viewer, Method::PUT, "/v1/ocsp", &small),
        (403, "insufficient_permissions", &viewer, Method::PUT, "/v1/ocsp", &big),
        (413, "payload_too_large", &admin, Method::PUT, "/v1/ocsp", &big),
        (413, "payload_too_large", &admin, Method::POST, "/v1/ocsp/test", &big),
        (400, "invalid_schema", &admin, Method::PUT, "/v1/ocsp", &not_json),
        (400, "invalid_schema", &admin, Method::POST, "/v1/ocsp/test", &not_json),
    ];
    let check = |curled: &Curled, protocol: &str, status: u16, code: &str, context: &str| {
        assert_eq!(curled.exit, Some(0), "{context}: {}", curled.stderr);
        let version = if protocol == "--http2" { "2" } else { "1.1" };
        assert_eq!(curled.version, version, "{context}");
        assert_eq!(curled.status, status, "{context}: {}", curled.body);
        assert_eq!(curled.body["error_code"], code, "{context}");
    };
    for protocol in ["--http1.1", "--http2"] {
        for (status, code, credentials, method, path, body) in &cases {
            let curled = curl(&front, protocol, credentials, method, path, body).await;
            let context = format!("{protocol} {method} {path} with {} octets", body_len(body));
            check(&curled, protocol, *status, code, &context);
        }
    }
    // 406 last: it takes the capability away from a node.
    let client = front.fresh_client();
    let taken = client
        .put(format!("{}/_harness/nodes/1", front.server.url()))
        .json(&json!({"ocsp": false}))
        .send()
        .await
        .expect("the state answers");
    assert_eq!(taken.status(), 200);
    for protocol in ["--http1.1", "--http2"] {
        for body in [&small, &big] {
            let curled = curl(&front, protocol, &admin, &Method::PUT, "/v1/ocsp", body).await;
            let context = format!("{protocol} 406 with {} octets", body_len(body));
            check(
                &curled,
                protocol,
                406,
                "ocsp_unsupported_by_capability",
                &context,
            );
        }
    }
}

fn body_len(file: &tempfile::NamedTempFile) -> u64 {
    std::fs::metadata(file.path()).map_or(0, |metadata| metadata.len())
}

/// Sends `request` over HTTP/1.1 or HTTP/2 (by ALPN) and gives the status and JSON body.
async fn send(request: reqwest::RequestBuilder) -> Result<(u16, Value), String> {
    let answer = tokio::time::timeout(HANG, request.send())
        .await
        .map_err(|_| "no answer".to_owned())?
        .map_err(|error| format!("{error:?}"))?;
    let status = answer.status().as_u16();
    let bytes = answer.bytes().await.map_err(|error| format!("{error:?}"))?;
    Ok((
        status,
        serde_json::from_slice(&bytes)
            .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into())),
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_heads_and_bodies_get_clear_answers_and_others_are_still_served() {
    let front = front(true, FrontLimits::DEFAULT).await;
    let admin = front
        .server
        .users()
        .with_role(ManagementRole::Admin)
        .expect("admin")
        .clone();
    let url = |path: &str| format!("{}{path}", front.server.url());
    let root = front.root();
    let http1 = reqwest::Client::builder()
        .tls_certs_only([root.clone()])
        .no_proxy()
        .http1_only()
        .build()
        .expect("client");
    let http2 = reqwest::Client::builder()
        .tls_certs_only([root])
        .no_proxy()
        .build()
        .expect("client");
    for (name, client) in [("HTTP/1.1", &http1), ("HTTP/2", &http2)] {
        let put = |body: Vec<u8>| {
            client
                .put(url("/v1/ocsp"))
                .basic_auth(&admin.username, Some(&admin.password))
                .header("content-type", "application/json")
                .body(body)
        };
        // A megabyte of Authorization: over the 16 KiB head, refused by the HTTP layer with
        // 431 or by closing the connection; never a 2xx.
        let huge = format!("Basic {}", "A".repeat(1024 * 1024));
        let answer = send(client.get(url("/v1/ocsp")).header("authorization", huge)).await;
        assert!(
            matches!(answer, Ok((431, _)) | Err(_)),
            "{name} 1 MB Authorization: {answer:?}"
        );
        // Non-UTF-8 credentials name nobody.
        let answer = send(
            client.get(url("/v1/ocsp")).header(
                "authorization",
                reqwest::header::HeaderValue::from_bytes(b"Basic \xff\xfe\xfd")
                    .expect("a header value"),
            ),
        )
        .await;
        assert_eq!(
            answer.map(|(status, body)| (status, body["error_code"].clone())),
            Ok((401, json!("unauthorized"))),
            "{name}"
        );
        for (what, body) in [
            (
                "non-UTF-8",
                b"{\"ocsp_functionality\": \"\xff\xfe\"}".to_vec(),
            ),
            ("nested 100,000 deep", "[".repeat(100_000).into_bytes()),
            ("1e999", b"{\"response_timeout\": 1e999}".to_vec()),
            (
                "a 1 MB string",
                format!("{{\"responder_url\": \"{}\"}}", "a".repeat(1024 * 1024)).into_bytes(),
            ),
        ] {
            let answer = send(put(body)).await;
            let expected = if what == "a 1 MB string" {
                (413, "payload_too_large")
            } else {
                (400, "invalid_schema")
            };
            assert_eq!(
                answer
                    .map(|(status, body)| (status, body["error_code"].as_str().map(str::to_owned))),
                Ok((expected.0, Some(expected.1.to_owned()))),
                "{name} {what}"
            );
        }
        // 50 MB: read and dropped, then refused.
        let answer = send(put(vec![b' '; 50 * 1024 * 1024])).await;
        assert_eq!(
            answer.map(|(status, body)| (status, body["error_code"].clone())),
            Ok((413, json!("payload_too_large"))),
            "{name} 50 MB"
        );
        // A key given twice takes its last value (docs/contract.md, http.limits).
        for last in [false, true] {
            let body = format!(
                "{{\"ocsp_functionality\": {}, \"ocsp_functionality\": {last}}}",
                !last
            );
            let answer = send(put(body.into_bytes())).await;
            assert_eq!(
                answer.as_ref().map(|(status, _)| *status),
                Ok(200),
                "{name} duplicate keys: {answer:?}"
            );
            let (_, config) = send(
                client
                    .get(url("/v1/ocsp"))
                    .basic_auth(&admin.username, Some(&admin.password)),
            )
            .await
            .expect("the configuration");
            assert_eq!(
                config["ocsp_functionality"],
                json!(last),
                "{name} duplicate keys"
            );
        }
        front.assert_still_answers(name).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_never_ends_gets_408_at_its_deadline_on_both_protocols() {
    let limits = FrontLimits {
        body_time: Duration::seconds(20),
        ..FrontLimits::DEFAULT
    };
    let front = front(false, limits).await;
    let credentials = base64_credentials(&front);
    let start = Clock::now(&front.clock);
    // HTTP/1.1, chunked: a chunk, then more chunks while the clock runs out.
    let mut stream = TcpStream::connect(front.addr).await.expect("connects");
    let head = format!(
        "PUT /v1/ocsp HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {credentials}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n{{\r\n"
    );
    stream.write_all(head.as_bytes()).await.expect("writes");
    let deadline = start + limits.body_time;
    until(
        || front.clock.next_deadline() == Some(deadline),
        "the body's deadline is set",
    )
    .await;
    stream.write_all(b"1\r\n \r\n").await.expect("writes");
    front.clock.advance(Duration::seconds(19));
    stream.write_all(b"1\r\n \r\n").await.expect("writes");
    front.assert_still_answers("while a body is late").await;
    front.clock.advance(Duration::seconds(1));
    let answer = String::from_utf8_lossy(&read_to_close(&mut stream).await).into_owned();
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("connection: close"),
        "{answer}"
    );
    assert!(
        answer.contains("\"error_code\":\"request_timeout\""),
        "{answer}"
    );

    // HTTP/2 (prior knowledge, plain): a streamed body that never ends.
    let start = Clock::now(&front.clock);
    let client = reqwest::Client::builder()
        .no_proxy()
        .http2_prior_knowledge()
        .build()
        .expect("client");
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(4);
    let body = reqwest::Body::wrap_stream(tokio_stream_of(receiver));
    let user = front
        .server
        .users()
        .with_role(ManagementRole::Admin)
        .expect("admin")
        .clone();
    let request = client
        .put(format!("{}/v1/ocsp", front.server.url()))
        .basic_auth(&user.username, Some(&user.password))
        .header("content-type", "application/json")
        .body(body);
    let answer = tokio::spawn(send(request));
    sender.send(Ok(b"{".to_vec())).await.expect("sends");
    let deadline = start + limits.body_time;
    until(
        || front.clock.next_deadline() == Some(deadline),
        "the HTTP/2 body's deadline is set",
    )
    .await;
    front.clock.advance(limits.body_time);
    let answer = answer.await.expect("joins");
    assert_eq!(
        answer.map(|(status, body)| (status, body["error_code"].clone())),
        Ok((408, json!("request_timeout")))
    );
    drop(sender);
    front.assert_still_answers("after the late bodies").await;
}

/// A stream of the chunks `receiver` gets, for a request body that ends when told.
fn tokio_stream_of(
    mut receiver: tokio::sync::mpsc::Receiver<Result<Vec<u8>, std::io::Error>>,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    futures_util::stream::poll_fn(move |cx| receiver.poll_recv(cx))
}

fn base64_credentials(front: &Front) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(front.credentials(ManagementRole::Admin))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slowloris_connections_close_at_the_idle_limit_while_others_are_served() {
    let front = front(false, FrontLimits::DEFAULT).await;
    let idle = front.limits.connections.idle;
    let mut loris = Vec::new();
    for n in 0..20 {
        let stream = TcpStream::connect(front.addr).await.expect("connects");
        // Half of them HTTP/1.1 heads, half the HTTP/2 preface, a byte at a time.
        let text: &[u8] = if n % 2 == 0 {
            b"PUT /v1/ocsp HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        } else {
            b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00aaaaaaaaaaaaaaaaaaaaaaaaa"
        };
        loris.push((stream, text));
    }
    until(|| front.clock.sleepers() >= 20, "every connection is held").await;
    for second in 0..idle.whole_seconds() - 1 {
        for (stream, text) in &mut loris {
            let at = usize::try_from(second).unwrap_or(0) % text.len();
            stream
                .write_all(&text[at..=at])
                .await
                .expect("still open before the limit");
        }
        front.clock.advance(Duration::seconds(1));
        if second % 10 == 0 {
            front.assert_still_answers("among slow clients").await;
        }
    }
    assert!(front.server.open_connections() >= 20);
    front.clock.advance(Duration::seconds(1));
    for (stream, _) in &mut loris {
        // Closed: an HTTP/1.1 head gets no answer, an HTTP/2 preface got the server's SETTINGS.
        let answered = read_to_close(stream).await;
        assert!(
            !answered.starts_with(b"HTTP/"),
            "{:?}",
            String::from_utf8_lossy(&answered)
        );
    }
    front
        .until_open_connections(0, "the slow connections are gone")
        .await;
    front.assert_still_answers("after the slow clients").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundreds_of_idle_tls_connections_are_held_then_closed_and_leave_no_task() {
    let front = front(true, FrontLimits::DEFAULT).await;
    let metrics = tokio::runtime::Handle::current().metrics();
    front.assert_still_answers("before").await;
    front
        .until_open_connections(0, "the first client's connection is closed")
        .await;
    let tasks_before = metrics.num_alive_tasks();
    // Idle after a request (keep-alive), before any handshake, and in the middle of one.
    let mut kept_alive = Vec::new();
    for _ in 0..200 {
        let client = front.fresh_client_keeping_alive();
        let answer = send(client.get(format!("{}/_harness/health", front.server.url()))).await;
        assert_eq!(answer.map(|(status, _)| status), Ok(200));
        kept_alive.push(client);
    }
    let mut raw = Vec::new();
    for n in 0..200 {
        let mut stream = TcpStream::connect(front.addr).await.expect("connects");
        if n % 2 == 1 {
            // The start of a TLS record holding a ClientHello, never finished.
            stream
                .write_all(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01])
                .await
                .expect("writes");
        }
        raw.push(stream);
    }
    until(
        || front.server.open_connections() >= 400,
        "every connection is held",
    )
    .await;
    until(
        || front.clock.sleepers() >= 400,
        "every connection waits on the clock",
    )
    .await;
    let held = front.server.open_connections();
    for n in 0..20 {
        front
            .assert_still_answers(&format!("request {n} among {held} idle connections"))
            .await;
    }
    front.clock.advance(front.limits.connections.idle);
    for stream in &mut raw {
        assert!(
            read_to_close(stream).await.len() < 64,
            "a short alert at most"
        );
    }
    front
        .until_open_connections(0, "the idle connections are closed")
        .await;
    drop(kept_alive);
    drop(raw);
    until(
        || metrics.num_alive_tasks() <= tasks_before,
        "the connections' tasks end",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_connection_limit_idle_connections_make_room_for_requests() {
    let limits = FrontLimits {
        connections: ConnectionLimits {
            max_connections: 50,
            ..ConnectionLimits::DEFAULT
        },
        ..FrontLimits::DEFAULT
    };
    let front = front(false, limits).await;
    let guard = front.server.connection_guard();
    let mut idle = Vec::new();
    for _ in 0..150 {
        idle.push(TcpStream::connect(front.addr).await.expect("connects"));
    }
    // Every arrival is in: admitted (a place, perhaps one an idle connection made for it), or
    // still waiting for one. Then the waiters' time is up: they are refused.
    until(
        || guard.admitted_connections() + guard.waiting_connections() as u64 >= 150,
        "every arrival is admitted or waiting",
    )
    .await;
    front.clock.advance(limits.connections.admission_wait);
    until(
        || guard.waiting_connections() == 0,
        "the waiters are refused",
    )
    .await;
    assert!(guard.open_connections() <= 50);
    // A client with a request still gets in: the connection idle the longest makes room.
    for n in 0..20 {
        front
            .assert_still_answers(&format!("request {n} at the limit"))
            .await;
        assert!(guard.open_connections() <= 50);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_and_old_tls_on_the_https_port_are_closed_at_once() {
    let front = front(true, FrontLimits::DEFAULT).await;
    let mut stream = TcpStream::connect(front.addr).await.expect("connects");
    stream
        .write_all(b"GET /v1/ocsp HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("writes");
    // No clock moves: the TLS layer refuses it by itself.
    let answered = read_to_close(&mut stream).await;
    assert!(!answered.starts_with(b"HTTP/"), "{answered:?}");
    for (version, refused) in [
        ("-tls1", true),
        ("-tls1_1", true),
        ("-tls1_2", false),
        ("-tls1_3", false),
    ] {
        let output = tokio::time::timeout(
            HANG,
            tokio::process::Command::new("openssl")
                .args(["s_client", "-connect", &front.addr.to_string(), version])
                .args(["-cipher", "DEFAULT@SECLEVEL=0", "-CAfile"])
                .arg(front.ca.path())
                .stdin(Stdio::null())
                .output(),
        )
        .await
        .expect("openssl ends")
        .expect("openssl runs");
        let text = String::from_utf8_lossy(&output.stdout);
        let handshake_done = !text.contains("Cipher is (NONE)") && text.contains("Cipher is");
        assert_eq!(handshake_done, !refused, "{version}: {text}");
    }
    front
        .assert_still_answers("after the refused clients")
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_sending_after_its_request_still_gets_the_answer() {
    let front = front(false, FrontLimits::DEFAULT).await;
    // The answer waits on the server's clock (a responder slower than the timeout), so the
    // server reads the end of the client's stream before it answers.
    front.server.responder().set_behaviour(
        responder::behaviour_named("slower-than-timeout").expect("a catalogue behaviour"),
    );
    let server_clock = front
        .server
        .virtual_clock()
        .expect("a virtual clock")
        .clone();
    let head = format!(
        "POST /v1/ocsp/test HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {}\r\n\r\n",
        base64_credentials(&front)
    );
    let answer = server_clock
        .drive(async {
            let mut stream = TcpStream::connect(front.addr).await.expect("connects");
            stream.write_all(head.as_bytes()).await.expect("writes");
            stream.shutdown().await.expect("half-closes");
            read_to_close(&mut stream).await
        })
        .await;
    let answer = String::from_utf8_lossy(&answer).into_owned();
    assert!(answer.starts_with("HTTP/1.1 500 "), "{answer}");
    assert!(
        answer.contains("\"error_code\":\"ocsp_query_failed\""),
        "{answer}"
    );
}
