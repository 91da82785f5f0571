//! Hostile clients over real sockets: oversized heads and bodies, bodies that never end, bytes
//! that are not UTF-8, JSON built to hurt, slowloris, idle connections by the hundred. Each
//! test checks the answer and that a normal OCSP request on another connection is still
//! answered meanwhile. The connection limits run on their own virtual clock, moved by the
//! tests, so that no test waits for a deadline.

use std::sync::Arc;
use std::time::Duration as RealDuration;

use clock::VirtualClock;
use ocsp::{HashAlgorithm, ReportedStatus};
use pki::{PkiProfile, Role, TestPki};
use responder::{
    BODY_TIMEOUT, Behaviour, ConnectionLimits, MAX_ADMIN_BODY, MAX_REQUEST_BODY, MAX_REQUEST_HEAD,
    Responder, ResponderConfig,
};
use serde_json::Value;
use time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::server::{AT, Setup, post, request_for, verify};

/// How long a test waits for something that must happen promptly before it fails: a guard
/// against a hang, never the thing tested.
const PATIENCE: RealDuration = RealDuration::from_secs(20);

struct Hostile {
    setup: Setup,
    /// Times idle connections and request bodies; the responder's own clock stays still.
    connections: VirtualClock,
}

async fn start(limits: ConnectionLimits) -> Hostile {
    let pki = Arc::new(TestPki::generate(&PkiProfile::at(AT)).expect("generates"));
    let clock = VirtualClock::new(AT);
    let connections = VirtualClock::new(AT);
    let mut config = ResponderConfig::ephemeral(Arc::new(clock.clone()));
    config.limits = limits;
    config.connection_clock = Arc::new(connections.clone());
    let responder = Responder::start(Arc::clone(&pki), Behaviour::default(), config)
        .await
        .expect("starts");
    // A new connection for every normal request: a pooled one would be idle while the tests
    // move the connection clock, and closed under the client's feet.
    let http = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(0)
        .build()
        .expect("client");
    Hostile {
        setup: Setup {
            pki,
            clock,
            responder,
            http,
        },
        connections,
    }
}

async fn start_default() -> Hostile {
    start(ConnectionLimits::DEFAULT).await
}

/// A normal OCSP request on a new connection gets a good, verified answer.
async fn assert_normal_request_answered(hostile: &Hostile) {
    let setup = &hostile.setup;
    let nonce = [0x42; 16];
    let request = request_for(&setup.pki, Role::Proxy, HashAlgorithm::Sha256, Some(&nonce));
    let answer = tokio::time::timeout(PATIENCE, post(setup, request))
        .await
        .expect("a normal request is answered promptly");
    assert_eq!(answer.status(), 200);
    let der = answer.bytes().await.expect("body");
    assert_eq!(
        verify(setup, &der, Role::Proxy, Some(&nonce)),
        Ok(ReportedStatus::Good)
    );
}

async fn connect(hostile: &Hostile) -> TcpStream {
    TcpStream::connect(hostile.setup.responder.addr())
        .await
        .expect("connects")
}

/// Everything the server sends until it closes the connection. A reset after the answer (the
/// server closing with our bytes unread) ends the read like a close; what came before counts.
async fn read_until_closed(stream: &mut TcpStream) -> Vec<u8> {
    let mut received = Vec::new();
    let mut buffer = [0u8; 8192];
    tokio::time::timeout(PATIENCE, async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(read) => received.extend_from_slice(&buffer[..read]),
            }
        }
    })
    .await
    .expect("the server closes the connection");
    received
}

/// An HTTP/1.1 answer read off the wire: status, head (lower-cased) and body.
struct Answer {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Answer {
    fn parse(raw: &[u8]) -> Self {
        let end = raw
            .windows(4)
            .position(|window| window == b"\r\n\r\n")
            .unwrap_or_else(|| panic!("no complete head in {:?}", String::from_utf8_lossy(raw)));
        let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("no status in {head:?}"));
        Self {
            status,
            head,
            body: raw[end + 4..].to_vec(),
        }
    }

    fn json(&self) -> Value {
        assert!(
            self.head.contains("content-type: application/json"),
            "{}",
            self.head
        );
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

/// Sends `request` while reading: the server may answer and close before taking all of it.
async fn send_and_read_until_closed(hostile: &Hostile, request: Vec<u8>) -> Answer {
    let stream = connect(hostile).await;
    let (mut reader, mut writer) = stream.into_split();
    let writing = tokio::spawn(async move {
        // The server stops reading early on purpose: a failed write is expected.
        let _ = writer.write_all(&request).await;
        writer
    });
    let mut received = Vec::new();
    tokio::time::timeout(PATIENCE, async {
        let mut buffer = [0u8; 8192];
        loop {
            match reader.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(read) => received.extend_from_slice(&buffer[..read]),
            }
        }
    })
    .await
    .expect("the server closes the connection");
    let _ = writing.await;
    Answer::parse(&received)
}

fn post_head(path: &str, length: usize, extra: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/ocsp-request\r\n\
         content-length: {length}\r\n{extra}\r\n"
    )
    .into_bytes()
}

fn put_behaviour(body: &[u8]) -> Vec<u8> {
    let mut request = format!(
        "PUT /__admin/behaviour HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    request
}

/// Waits until the responder holds `count` connections, failing after [`PATIENCE`].
async fn wait_for_open(hostile: &Hostile, count: usize) {
    let responder = &hostile.setup.responder;
    tokio::time::timeout(PATIENCE, async {
        while responder.open_connections() != count {
            tokio::time::sleep(RealDuration::from_millis(2)).await;
        }
    })
    .await
    .unwrap_or_else(|_| {
        panic!(
            "{} connections open, not {count}",
            responder.open_connections()
        )
    });
}

/// Waits until the earliest sleep on `clock` is for `deadline`, failing after [`PATIENCE`].
async fn wait_for_deadline(clock: &VirtualClock, deadline: time::OffsetDateTime) {
    tokio::time::timeout(PATIENCE, async {
        while clock.next_deadline() != Some(deadline) {
            tokio::time::sleep(RealDuration::from_millis(2)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("the next deadline is {:?}", clock.next_deadline()));
}

/// Waits until the runtime's live tasks are back to `count`: no task was left behind.
async fn wait_for_tasks(count: usize) {
    let metrics = tokio::runtime::Handle::current().metrics();
    tokio::time::timeout(PATIENCE, async {
        while metrics.num_alive_tasks() != count {
            tokio::time::sleep(RealDuration::from_millis(2)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{} tasks alive, not {count}", metrics.num_alive_tasks()));
}

#[tokio::test]
async fn a_head_over_the_limit_gets_431_and_the_connection_closes() {
    let hostile = start_default().await;
    for size in [MAX_REQUEST_HEAD + 1024, 1024 * 1024] {
        let mut request = b"GET / HTTP/1.1\r\nhost: x\r\nx-big: ".to_vec();
        request.resize(request.len() + size, b'a');
        request.extend_from_slice(b"\r\n\r\n");
        let answer = send_and_read_until_closed(&hostile, request).await;
        assert_eq!(answer.status, 431, "a head of {size} octets");
        assert!(answer.body.is_empty());
        assert_normal_request_answered(&hostile).await;
    }
    // Under the limit, a large head is read and answered (malformedRequest: no request in it).
    let mut request = b"GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\nx-big: ".to_vec();
    request.resize(request.len() + MAX_REQUEST_HEAD - 1024, b'a');
    request.extend_from_slice(b"\r\n\r\n");
    let answer = send_and_read_until_closed(&hostile, request).await;
    assert_eq!(answer.status, 200);
}

#[tokio::test]
async fn too_many_headers_get_431() {
    let hostile = start_default().await;
    let mut request = b"GET / HTTP/1.1\r\nhost: x\r\n".to_vec();
    for index in 0..200 {
        request.extend_from_slice(format!("x-{index}: y\r\n").as_bytes());
    }
    request.extend_from_slice(b"\r\n");
    let answer = send_and_read_until_closed(&hostile, request).await;
    assert_eq!(answer.status, 431);
    assert_normal_request_answered(&hostile).await;
}

#[tokio::test]
async fn a_body_over_the_limit_gets_413_and_the_connection_closes() {
    let hostile = start_default().await;
    // Just over, announced; 50 MB, announced and sent; over, in chunks with no length.
    let mut just_over = post_head("/", MAX_REQUEST_BODY + 1, "");
    just_over.resize(just_over.len() + MAX_REQUEST_BODY + 1, 0x30);
    let mut fifty_mb = post_head("/", 50_000_000, "");
    fifty_mb.resize(fifty_mb.len() + 50_000_000, 0x30);
    let mut chunked = b"POST / HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..5 {
        chunked.extend_from_slice(format!("{:x}\r\n", 16 * 1024).as_bytes());
        chunked.resize(chunked.len() + 16 * 1024, 0x30);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    for request in [just_over, fifty_mb, chunked] {
        let answer = send_and_read_until_closed(&hostile, request).await;
        assert_eq!(answer.status, 413);
        assert!(answer.head.contains("connection: close"), "{}", answer.head);
        assert_eq!(answer.body, b"request body too large\n");
        assert_normal_request_answered(&hostile).await;
    }
    let journal = hostile.setup.responder.journal().entries();
    let refused = journal
        .iter()
        .filter(|entry| {
            matches!(
                entry.request,
                Err(responder::Undecodable::TooLarge { limit }) if limit == MAX_REQUEST_BODY
            )
        })
        .count();
    assert_eq!(refused, 3, "each refused body is journalled");
}

#[tokio::test]
async fn a_body_that_never_ends_gets_408_at_the_body_deadline() {
    let hostile = start_default().await;
    let mut stream = connect(&hostile).await;
    // The idle deadline is armed at the accept; a second later, the request's head and part
    // of its body arrive, and the body's deadline replaces it.
    hostile.connections.wait_for_sleepers(1).await;
    hostile.connections.advance(Duration::seconds(1));
    let mut request = post_head("/", 1000, "");
    request.extend_from_slice(&[0x30; 10]);
    stream.write_all(&request).await.expect("writes");
    let body_deadline = AT + Duration::seconds(1) + BODY_TIMEOUT;
    wait_for_deadline(&hostile.connections, body_deadline).await;
    // Past the idle deadline the connection holds: a request is in flight.
    hostile
        .connections
        .set(body_deadline - Duration::seconds(1));
    assert_normal_request_answered(&hostile).await;
    // The normal request's connection closes; the one with a body to come stays.
    wait_for_open(&hostile, 1).await;
    hostile.connections.advance(Duration::seconds(1));
    let answer = Answer::parse(&read_until_closed(&mut stream).await);
    assert_eq!(answer.status, 408);
    assert!(answer.head.contains("connection: close"), "{}", answer.head);
    assert_eq!(answer.body, b"request body not received in time\n");
    assert_normal_request_answered(&hostile).await;
}

#[tokio::test]
async fn an_admin_body_that_never_ends_gets_408_json() {
    let hostile = start_default().await;
    let mut stream = connect(&hostile).await;
    hostile.connections.wait_for_sleepers(1).await;
    hostile.connections.advance(Duration::seconds(1));
    let request = b"PUT /__admin/behaviour HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n{";
    stream.write_all(request).await.expect("writes");
    wait_for_deadline(
        &hostile.connections,
        AT + Duration::seconds(1) + BODY_TIMEOUT,
    )
    .await;
    hostile.connections.advance(BODY_TIMEOUT);
    let answer = Answer::parse(&read_until_closed(&mut stream).await);
    assert_eq!(answer.status, 408);
    assert_eq!(
        answer.json()["error"],
        "the body did not arrive within 30 s"
    );
    assert_normal_request_answered(&hostile).await;
}

#[tokio::test]
async fn an_admin_body_over_the_limit_gets_413_json() {
    let hostile = start_default().await;
    // JSON nested 100,000 deep is 200,000 octets: refused for its size before any parsing.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(deep.len() > MAX_ADMIN_BODY);
    let answer = send_and_read_until_closed(&hostile, put_behaviour(deep.as_bytes())).await;
    assert_eq!(answer.status, 413);
    assert_eq!(
        answer.json()["error"],
        format!("the body is over {MAX_ADMIN_BODY} octets")
    );
    assert!(answer.head.contains("connection: close"), "{}", answer.head);
    assert_normal_request_answered(&hostile).await;
}

/// PUTs `body` as a behaviour and returns the status and the error said.
async fn refused_behaviour(hostile: &Hostile, body: &[u8]) -> (u16, String) {
    let answer = send_and_read_until_closed(hostile, put_behaviour(body)).await;
    let error = answer.json()["error"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_default();
    (answer.status, error)
}

#[tokio::test]
async fn hostile_json_on_the_admin_api_is_400_and_changes_nothing() {
    let hostile = start_default().await;
    // Deep nesting within the size limit: the body is read into typed structs, which refuse
    // the first value of the wrong type, so the reader never goes deep (and serde_json would
    // stop at 128 levels anyway).
    for deep in [
        format!(
            r#"{{"definition":{}{}}}"#,
            "[".repeat(30_000),
            "]".repeat(30_000)
        ),
        format!("{}{}", r#"{"a":"#.repeat(10_000), "}".repeat(10_000)),
    ] {
        assert!(deep.len() < MAX_ADMIN_BODY);
        let (status, error) = refused_behaviour(&hostile, deep.as_bytes()).await;
        assert_eq!(status, 400);
        assert!(
            error.starts_with("the body is not the JSON this route takes: "),
            "{error}"
        );
    }

    // A number beyond f64.
    let huge = br#"{"definition":{"delivery":{"http_status":1e999}}}"#;
    let (status, error) = refused_behaviour(&hostile, huge).await;
    assert_eq!(status, 400);
    assert!(error.contains("number out of range"), "{error}");

    // Duplicate keys: the body is read into a struct, whose derived reader refuses a field
    // given twice (a serde_json::Value would keep the last one; the admin API never reads one).
    let twice = br#"{"behaviour":"revoked","behaviour":"good"}"#;
    let (status, error) = refused_behaviour(&hostile, twice).await;
    assert_eq!(status, 400);
    assert!(error.contains("duplicate field `behaviour`"), "{error}");

    // Not UTF-8 inside a string.
    let (status, error) = refused_behaviour(&hostile, b"{\"behaviour\":\"\xff\xfe\"}").await;
    assert_eq!(status, 400);
    assert!(error.contains("invalid unicode"), "{error}");

    assert_eq!(*hostile.setup.responder.behaviour(), Behaviour::default());
    assert_normal_request_answered(&hostile).await;
}

#[tokio::test]
async fn bytes_that_are_not_utf8_in_paths_and_headers() {
    let hostile = start_default().await;
    // In the path: not a URI, refused by hyper before any handler.
    let answer = send_and_read_until_closed(
        &hostile,
        b"GET /\xff\xfe HTTP/1.1\r\nhost: x\r\n\r\n".to_vec(),
    )
    .await;
    assert_eq!(answer.status, 400);
    // In an admin path, percent-encoded: a path like any other, 404 in JSON.
    let answer = send_and_read_until_closed(
        &hostile,
        b"GET /__admin/%FF HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n".to_vec(),
    )
    .await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.json()["error"], "no admin route GET /__admin/%FF");
    // In a header value (obs-text, which HTTP/1.1 allows): the request is answered, and the
    // journal shows the value with U+FFFD in place of what is not UTF-8.
    let setup = &hostile.setup;
    let der = request_for(&setup.pki, Role::Proxy, HashAlgorithm::Sha256, None);
    let mut request =
        b"POST / HTTP/1.1\r\nhost: x\r\nconnection: close\r\nx-odd: \xff\xfe\r\n".to_vec();
    request.extend_from_slice(format!("content-length: {}\r\n\r\n", der.len()).as_bytes());
    request.extend_from_slice(&der);
    let answer = send_and_read_until_closed(&hostile, request).await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        verify(setup, &answer.body, Role::Proxy, None),
        Ok(ReportedStatus::Good)
    );
    let journal = setup.responder.journal().entries();
    let odd = journal
        .iter()
        .flat_map(|entry| &entry.headers)
        .find(|(name, _)| name == "x-odd")
        .map(|(_, value)| value.as_str());
    assert_eq!(odd, Some("\u{fffd}\u{fffd}"));
    // And the journal is still JSON over the admin API.
    let answer = send_and_read_until_closed(
        &hostile,
        b"GET /__admin/requests HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n".to_vec(),
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json()["total"], 1);
    assert_normal_request_answered(&hostile).await;
}

#[tokio::test]
async fn slowloris_connections_close_at_the_idle_deadline() {
    let hostile = start_default().await;
    let tasks_before = tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks();
    let idle = ConnectionLimits::DEFAULT.idle.whole_seconds();
    let mut slow = Vec::new();
    for _ in 0..5 {
        slow.push(connect(&hostile).await);
    }
    wait_for_open(&hostile, 5).await;
    // Each one's idle deadline is armed once its first read is under way.
    hostile.connections.wait_for_sleepers(5).await;
    let head = b"GET / HTTP/1.1\r\nhost: x\r\nx-slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    for second in 0..idle - 1 {
        let byte = usize::try_from(second).expect("small");
        for stream in &mut slow {
            stream.write_all(&head[byte..=byte]).await.expect("writes");
        }
        hostile.connections.advance(Duration::seconds(1));
        if second % 10 == 0 {
            assert_normal_request_answered(&hostile).await;
        }
    }
    // A second before the deadline every one is still open, the bytes notwithstanding.
    assert_normal_request_answered(&hostile).await;
    wait_for_open(&hostile, 5).await;
    hostile.connections.advance(Duration::seconds(1));
    for stream in &mut slow {
        assert!(
            read_until_closed(stream).await.is_empty(),
            "closed without an answer"
        );
    }
    wait_for_open(&hostile, 0).await;
    assert_normal_request_answered(&hostile).await;
    drop(slow);
    wait_for_tasks(tasks_before).await;
}

#[tokio::test]
async fn hundreds_of_idle_connections_are_held_then_closed_past_the_idle_limit() {
    let hostile = start_default().await;
    let tasks_before = tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks();
    let mut idle = Vec::new();
    for _ in 0..300 {
        idle.push(connect(&hostile).await);
    }
    wait_for_open(&hostile, 300).await;
    hostile.connections.wait_for_sleepers(300).await;
    for _ in 0..10 {
        assert_normal_request_answered(&hostile).await;
    }
    wait_for_open(&hostile, 300).await;
    hostile
        .connections
        .advance(ConnectionLimits::DEFAULT.idle + Duration::seconds(1));
    for stream in &mut idle {
        assert!(read_until_closed(stream).await.is_empty());
    }
    wait_for_open(&hostile, 0).await;
    drop(idle);
    wait_for_tasks(tasks_before).await;
    assert_normal_request_answered(&hostile).await;
}

#[tokio::test]
async fn when_full_of_idle_connections_a_new_one_gets_a_place() {
    let limits = ConnectionLimits {
        max_connections: 20,
        ..ConnectionLimits::DEFAULT
    };
    let hostile = start(limits).await;
    let mut idle = Vec::new();
    for _ in 0..60 {
        idle.push(connect(&hostile).await);
    }
    for _ in 0..5 {
        assert_normal_request_answered(&hostile).await;
    }
    assert!(hostile.setup.responder.open_connections() <= 20);
    // Those asked to make room were closed without an answer; the last ones may be open.
    let mut closed = 0;
    for stream in &mut idle {
        let mut byte = [0u8; 1];
        if let Ok(Ok(0) | Err(_)) =
            tokio::time::timeout(RealDuration::from_millis(50), stream.read(&mut byte)).await
        {
            closed += 1;
        }
    }
    assert!(closed >= 40, "only {closed} of 60 closed");
}

#[tokio::test]
async fn a_body_cut_off_gets_400_and_the_connection_closes() {
    let hostile = start_default().await;
    // A chunk size that is not hexadecimal.
    let bad_chunks =
        b"POST / HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nabc\r\n".to_vec();
    let answer = send_and_read_until_closed(&hostile, bad_chunks).await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.body, b"request body incomplete\n");
    // Half the announced body, then the client's half of the connection closed.
    let mut stream = connect(&hostile).await;
    let mut request = post_head("/", 100, "");
    request.extend_from_slice(&[0x30; 50]);
    stream.write_all(&request).await.expect("writes");
    stream.shutdown().await.expect("half-closes");
    let answer = Answer::parse(&read_until_closed(&mut stream).await);
    assert_eq!(answer.status, 400);
    assert!(answer.head.contains("connection: close"), "{}", answer.head);
    assert_normal_request_answered(&hostile).await;
}

#[tokio::test]
async fn a_client_that_never_reads_its_answers_is_closed_at_the_idle_deadline() {
    let hostile = start_default().await;
    let setup = &hostile.setup;
    let der = request_for(&setup.pki, Role::Proxy, HashAlgorithm::Sha256, None);
    let request = format!("GET /{} HTTP/1.1\r\nhost: x\r\n\r\n", ocsp::get_path(&der));
    let count = 5000;
    // A small receive window, and more answers (over a kilobyte each) than the socket buffers
    // hold: the server's writes back up and stay blocked.
    let socket = tokio::net::TcpSocket::new_v4().expect("a socket");
    socket.set_recv_buffer_size(4096).expect("sets the buffer");
    let stream = socket
        .connect(setup.responder.addr())
        .await
        .expect("connects");
    let (mut reader, mut writer) = stream.into_split();
    let pipelined = request.repeat(count).into_bytes();
    let writing = tokio::spawn(async move {
        // Blocked once the server stops reading; fails when it closes.
        let _ = writer.write_all(&pipelined).await;
        writer
    });
    // The server is stuck when its journal stops growing, short of every request.
    let journal = setup.responder.journal();
    let mut seen = journal.total();
    tokio::time::timeout(PATIENCE, async {
        loop {
            tokio::time::sleep(RealDuration::from_millis(200)).await;
            let now = journal.total();
            if now == seen && now > 0 {
                break;
            }
            seen = now;
        }
    })
    .await
    .expect("the server stops answering");
    let answered = usize::try_from(seen).expect("small");
    assert!(answered < count, "all {count} answers fit in the buffers");
    assert_normal_request_answered(&hostile).await;
    wait_for_open(&hostile, 1).await;
    hostile
        .connections
        .advance(ConnectionLimits::DEFAULT.idle + Duration::seconds(1));
    wait_for_open(&hostile, 0).await;
    assert_normal_request_answered(&hostile).await;
    // What the client finally reads ends short of its requests.
    let mut received = Vec::new();
    let _ = tokio::time::timeout(PATIENCE, reader.read_to_end(&mut received)).await;
    let answers = received
        .windows(12)
        .filter(|window| window == b"HTTP/1.1 200")
        .count();
    assert!(answers < count, "{answers} answers");
    let _ = writing.await;
}
