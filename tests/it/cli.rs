//! The `ocsp-harness` command as a user runs it: exit codes, one-line errors, files on disk.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn harness(args: &[&str]) -> Output {
    crate::harness()
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A bad-input failure: exit code 2 and exactly one line on stderr that starts with the
/// program's name.
fn assert_one_line_error(output: &Output, expected_fragment: &str) {
    let text = stderr(output);
    assert_eq!(output.status.code(), Some(2), "stderr: {text}");
    assert_eq!(text.lines().count(), 1, "not one line: {text:?}");
    assert!(text.starts_with("ocsp-harness: "), "{text}");
    assert!(
        text.contains(expected_fragment),
        "{text:?} lacks {expected_fragment:?}"
    );
    assert!(!text.contains("panicked"), "{text}");
}

fn generate(out: &Path, extra: &[&str]) -> Output {
    let out = out.to_str().expect("utf-8 path");
    let args = [&["pki", "generate", "--out", out][..], extra].concat();
    harness(&args)
}

#[test]
fn pki_generate_writes_every_file_and_lists_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("pki");
    let output = generate(
        &out,
        &[
            "--responder-url",
            "http://127.0.0.1:9999/",
            "--key-type",
            "P384",
            "--serial",
            "0a:0b",
            "--at",
            "2026-03-01T12:00:00Z",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let listing = stdout(&output);
    assert!(
        listing.starts_with(&format!(
            "wrote a p384 test PKI to {} (responder URL http://127.0.0.1:9999/, validity from 2026-03-01T12:00:00Z)\n",
            out.display()
        )),
        "{listing}"
    );
    assert!(listing.contains("proxy.cert.pem"), "{listing}");
    assert!(listing.contains("serial 0A0B"), "{listing}");

    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).expect("manifest"))
            .expect("json");
    assert_eq!(manifest["key_type"], "p384");
    assert_eq!(manifest["responder_url"], "http://127.0.0.1:9999/");
    let certificates = manifest["certificates"].as_array().expect("array");
    assert_eq!(certificates.len(), 11);
    for entry in certificates {
        for field in ["certificate", "key"] {
            let file = entry[field].as_str().expect("file name");
            assert!(out.join(file).is_file(), "{file}");
        }
    }
}

#[test]
fn pki_generate_refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = generate(dir.path(), &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    let root = fs::read(dir.path().join("root.cert.pem")).expect("root");

    let again = generate(dir.path(), &[]);
    assert_one_line_error(&again, "already exists (pass --force to overwrite)");
    assert_eq!(
        fs::read(dir.path().join("root.cert.pem")).expect("root"),
        root
    );
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    let forced = generate(dir.path(), &["--force"]);
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert_ne!(
        fs::read(dir.path().join("root.cert.pem")).expect("root"),
        root
    );
}

#[test]
fn pki_generate_into_an_unwritable_place_is_a_one_line_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plain = dir.path().join("plain-file");
    fs::write(&plain, "").expect("write");
    let output = generate(&plain.join("pki"), &[]);
    assert_one_line_error(&output, "cannot create directory");
    assert_one_line_error(&output, "Not a directory");
}

#[test]
fn pki_generate_rejects_bad_values_on_one_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (args, fragment) in [
        (
            &["--responder-url", "ftp://x/"][..],
            "the scheme is not http or https",
        ),
        (
            &["--responder-url", "http://a b/"][..],
            "space or control character",
        ),
        (
            &["--key-type", "dsa"][..],
            "invalid value 'dsa' for '--key-type <TYPE>'",
        ),
        (&["--serial", "00"][..], "must be positive"),
        (&["--serial", "zz"][..], "invalid serial"),
        (&["--at", "yesterday"][..], "expected RFC 3339"),
        (&["--bogus"][..], "unexpected argument '--bogus'"),
    ] {
        let output = generate(dir.path(), args);
        assert_one_line_error(&output, fragment);
    }
    assert_eq!(
        fs::read_dir(dir.path()).expect("dir").count(),
        0,
        "nothing written"
    );
}

#[test]
fn a_missing_required_flag_is_a_one_line_error() {
    let output = harness(&["pki", "generate"]);
    assert_one_line_error(&output, "--out <DIR>");
}

#[test]
fn help_and_version_succeed() {
    let help = harness(&["--help"]);
    assert!(help.status.success());
    assert!(stdout(&help).contains("pki"), "{}", stdout(&help));
    let version = harness(&["--version"]);
    assert!(version.status.success());
    assert_eq!(
        stdout(&version),
        format!("ocsp-harness {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn responder_list_shows_every_behaviour_with_its_verdict() {
    let output = harness(&["responder", "--list"]);
    assert!(output.status.success(), "{}", stderr(&output));
    insta::assert_snapshot!(stdout(&output));
}

#[test]
fn responder_rejects_an_unknown_behaviour_with_a_suggestion() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = harness(&[
        "responder",
        "--pki",
        dir.path().to_str().expect("utf-8"),
        "--behaviour",
        "revoked-key-compromis",
    ]);
    assert_one_line_error(&output, "did you mean 'revoked-key-compromise'?");
    let output = harness(&["responder"]);
    assert_one_line_error(&output, "--pki <DIR>");
    let output = harness(&["responder", "--pki", dir.path().to_str().expect("utf-8")]);
    assert_one_line_error(&output, "manifest.json");
}

#[test]
fn responder_serves_and_logs_each_request_until_interrupted() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    let dir = tempfile::tempdir().expect("tempdir");
    let generated = generate(dir.path(), &[]);
    assert!(generated.status.success(), "{}", stderr(&generated));
    let mut child = crate::harness()
        .args(["responder", "--pki", dir.path().to_str().expect("utf-8")])
        .args(["--listen", "127.0.0.1:0", "--behaviour", "revoked"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let mut first_line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first_line)
        .expect("reads");
    let url = first_line
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .expect("the first line names the URL")
        .to_owned();

    let query = Command::new("openssl")
        .args([
            "ocsp",
            "-issuer",
            "intermediate.cert.pem",
            "-cert",
            "proxy.cert.pem",
        ])
        .args(["-CAfile", "root.cert.pem", "-url", &url])
        .current_dir(dir.path())
        .output()
        .expect("openssl runs");
    let answer = String::from_utf8_lossy(&query.stdout);
    assert!(answer.contains("proxy.cert.pem: revoked"), "{answer}");

    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(interrupted.success());
    let output = child.wait_with_output().expect("exits");
    assert!(output.status.success(), "exit status {:?}", output.status);
    let log = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = log
        .lines()
        .filter(|line| line.contains("request"))
        .collect();
    assert_eq!(lines.len(), 1, "{log}");
    // The reference server's shape, then what the request asked.
    assert!(
        lines[0].contains(" request method=POST path=/ status=200 duration_ms="),
        "{log}"
    );
    assert!(lines[0].contains(" remote=127.0.0.1:"), "{log}");
    assert!(lines[0].contains(" user=- cert_ids=sha1:"), "{log}");
    assert!(
        !log.contains('\u{1b}'),
        "no colour when not a terminal: {log:?}"
    );
}

#[test]
fn inspect_decodes_requests_and_responses_and_names_what_is_wrong() {
    use std::sync::Arc;

    use der::Decode;
    use ocsp_harness::ocsp::{
        DecodedRequest, HashAlgorithm, ResponseFactory, build_request, cert_id_for,
    };
    use ocsp_harness::pki::{PkiProfile, Role, TestPki};
    use ocsp_harness::responder::behaviour_named;

    let dir = tempfile::tempdir().expect("tempdir");
    let at = time::macros::datetime!(2026-03-01 12:00 UTC);
    let pki = Arc::new(TestPki::generate(&PkiProfile::at(at)).expect("generates"));
    ocsp_harness::pki::write_dir(&pki, dir.path(), ocsp_harness::pki::Overwrite::Refuse)
        .expect("writes");
    let decode = |role| x509_cert::Certificate::from_der(pki.cert(role).der()).expect("decodes");
    let cert_id = cert_id_for(
        &decode(Role::Intermediate),
        &decode(Role::Proxy),
        HashAlgorithm::Sha1,
    )
    .expect("id");
    let request = build_request(cert_id, Some(&[9; 8])).expect("request");
    let factory = ResponseFactory::new(Arc::clone(&pki)).expect("factory");
    let decoded = DecodedRequest::from_der(&request).expect("decodes");
    let respond = |name: &str| {
        let behaviour = behaviour_named(name).expect("named");
        factory
            .respond(&behaviour.response, &decoded, at)
            .expect("responds")
    };
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        fs::write(&path, bytes).expect("write");
        path.to_str().expect("utf-8").to_owned()
    };
    let request_file = write("request.der", &request);
    let good_file = write("good.der", &respond("revoked-key-compromise"));
    let critical_file = write(
        "critical.der",
        &respond("unknown-critical-response-extension"),
    );
    let truncated_file = write("truncated.der", &respond("good")[..40]);

    let json = |output: &Output| -> serde_json::Value {
        assert!(output.status.success(), "{}", stderr(output));
        serde_json::from_str(&stdout(output)).expect("json")
    };
    let request_json = json(&harness(&["inspect", &request_file]));
    assert_eq!(request_json["type"], "request");
    assert_eq!(request_json["nonce_len"], 8);

    let response_json = json(&harness(&["inspect", &good_file]));
    assert_eq!(response_json["type"], "response");
    assert_eq!(response_json["response_status"], "successful");
    assert_eq!(
        response_json["basic"]["responses"][0]["cert_status"],
        "revoked"
    );
    assert_eq!(
        response_json["basic"]["responses"][0]["revocation_reason"],
        "key_compromise"
    );
    assert_eq!(response_json["problems"], serde_json::json!([]));

    let critical_json = json(&harness(&["inspect", &critical_file]));
    assert_eq!(
        critical_json["problems"],
        serde_json::json!(["unknown critical response extension 1.3.6.1.4.1.59283.1.1"])
    );

    let verified = json(&harness(&[
        "inspect",
        &good_file,
        "--cert",
        dir.path().join("proxy.cert.pem").to_str().expect("utf-8"),
        "--issuer",
        dir.path()
            .join("intermediate.cert.pem")
            .to_str()
            .expect("utf-8"),
        "--at",
        "2026-03-01T12:00:00Z",
    ]));
    assert_eq!(verified["verification"]["valid"], true);
    assert_eq!(
        verified["verification"]["response"]["cert_status"],
        "REVOKED"
    );

    let truncated = harness(&["inspect", &truncated_file]);
    assert_one_line_error(
        &truncated,
        "truncated.der: not a DER OCSP request or response",
    );
    assert_one_line_error(&truncated, "at DER byte");
    let missing = harness(&["inspect", "/nonexistent/file.der"]);
    assert_one_line_error(&missing, "cannot read /nonexistent/file.der");
}

#[test]
fn serve_prints_its_users_and_answers_the_curl_it_suggests() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    let dir = tempfile::tempdir().expect("tempdir");
    let ca = dir.path().join("ca.pem");
    let mut child = crate::harness()
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--ca-out",
            ca.to_str().expect("utf-8"),
        ])
        .args(["--user", "admin=alice:s3cret", "--behaviour", "unknown"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let mut lines = Vec::new();
    let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).expect("reads");
        let done = line.starts_with("try: ");
        lines.push(line);
        if done {
            break;
        }
    }
    let text = lines.concat();
    assert!(text.contains("admin alice:s3cret\n"), "{text}");
    for role in [
        "cluster_member",
        "cluster_viewer",
        "db_member",
        "db_viewer",
        "user_manager",
        "none",
    ] {
        assert!(
            text.lines()
                .any(|line| line.starts_with(&format!("{role} {role}:"))),
            "{role}: {text}"
        );
    }
    let url = text
        .split_whitespace()
        .find(|word| word.starts_with("https://"))
        .expect("a URL")
        .to_owned();
    let curl = Command::new("curl")
        .args([
            "-s",
            "--cacert",
            ca.to_str().expect("utf-8"),
            "-u",
            "alice:s3cret",
            "-X",
            "POST",
        ])
        .arg(format!("{url}/v1/ocsp/test"))
        .output()
        .expect("curl runs");
    let body: serde_json::Value = serde_json::from_slice(&curl.stdout).expect("json");
    assert_eq!(body["cert_status"], "UNKNOWN", "{body}");

    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    let output = child.wait_with_output().expect("exits");
    assert!(output.status.success(), "{:?}", output.status);
    assert!(
        !String::from_utf8_lossy(&output.stderr).contains("s3cret"),
        "passwords are never logged"
    );
}

#[test]
fn serve_listens_on_9443_by_default() {
    let help = harness(&["serve", "--help"]);
    assert!(help.status.success());
    assert!(
        stdout(&help).contains("[default: 127.0.0.1:9443]"),
        "{}",
        stdout(&help)
    );
}

#[test]
fn contract_prints_the_rules_one_rule_or_json_and_refuses_an_unknown_rule() {
    let page = harness(&["contract"]);
    assert_eq!(page.status.code(), Some(0));
    assert!(
        stdout(&page).starts_with("# The contract"),
        "{}",
        stdout(&page)
    );
    let one = harness(&["contract", "--rule", "certs.put"]);
    assert_eq!(one.status.code(), Some(0));
    let text = stdout(&one);
    assert!(text.starts_with("### `certs.put`"), "{text}");
    assert!(text.contains("- Holds for: 7.22.2 on."), "{text}");
    let json = harness(&["contract", "--json"]);
    let contract: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert!(
        contract["sections"]
            .as_array()
            .is_some_and(|sections| sections.len() > 10)
    );
    let rule = harness(&["contract", "--rule", "test.body", "--json"]);
    let rule: serde_json::Value = serde_json::from_slice(&rule.stdout).expect("JSON");
    assert_eq!(rule["level"], "reference");
    assert_one_line_error(
        &harness(&["contract", "--rule", "no.such"]),
        "no rule \"no.such\"",
    );
}

/// Starts `args` (a server), reads its banner to the end of the line naming `marker`, and
/// returns the child with the banner's text so far.
fn start_server(args: &[&str], marker: &str) -> (std::process::Child, String) {
    let mut command = crate::harness();
    command.args(args).stderr(std::process::Stdio::null());
    spawn_server(command, marker)
}

/// Like [`start_server`], for a command made by the caller (its environment, where its stderr
/// goes).
fn spawn_server(mut command: Command, marker: &str) -> (std::process::Child, String) {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    let mut child = command.stdout(Stdio::piped()).spawn().expect("starts");
    let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
    let mut banner = String::new();
    while !banner.contains(marker) {
        let mut line = String::new();
        if reader.read_line(&mut line).expect("reads") == 0 {
            panic!("the banner ended without {marker:?}: {banner}");
        }
        banner.push_str(&line);
    }
    // The rest is not needed; keep the pipe drained.
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    (child, banner)
}

fn terminate(child: std::process::Child) -> std::process::ExitStatus {
    terminate_with_output(child).status
}

/// Sends SIGTERM and waits for the end; the output holds whatever was piped (stderr).
fn terminate_with_output(child: std::process::Child) -> Output {
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    child.wait_with_output().expect("exits")
}

#[test]
fn sigterm_stops_serve_cleanly_and_removes_its_temporary_ca_file() {
    let (child, banner) = start_server(
        &["serve", "--listen", "127.0.0.1:0", "--user", "admin=a:b"],
        "CA certificate: ",
    );
    let ca = banner
        .lines()
        .find_map(|line| line.strip_prefix("CA certificate: "))
        .expect("the banner names the CA file")
        .to_owned();
    assert!(Path::new(&ca).exists(), "{ca}");
    let status = terminate(child);
    assert!(status.success(), "exit status {status:?}");
    assert!(!Path::new(&ca).exists(), "{ca} left behind");
}

#[test]
fn sigterm_stops_the_responder_cleanly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let generated = generate(dir.path(), &[]);
    assert!(generated.status.success(), "{}", stderr(&generated));
    let (child, _) = start_server(
        &[
            "responder",
            "--pki",
            dir.path().to_str().expect("utf-8"),
            "--listen",
            "127.0.0.1:0",
        ],
        "http://",
    );
    let status = terminate(child);
    assert!(status.success(), "exit status {status:?}");
}

/// The admin of the services' tests, its password, and both as Basic credentials in base64:
/// none of them may reach a log.
const ADMIN: &str = "admin=alice:s3cret";
const PASSWORD: &str = "s3cret";
const BASIC: &str = "YWxpY2U6czNjcmV0";
/// What a private key in a request body stands for: bodies are never logged.
const KEY_IN_BODY: &str = "PRIVATEKEYMATERIAL";

/// `serve` on a free port with the admin above, logging to a pipe, and `env` set; returns the
/// child, its URL and its CA file.
fn start_logging_serve(
    extra: &[&str],
    env: &[(&str, &str)],
) -> (std::process::Child, String, String) {
    let mut command = crate::harness();
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--user", ADMIN])
        .args(extra)
        // The defaults, whatever the environment of the tests says.
        .env_remove("RUST_LOG")
        .envs(env.iter().copied())
        .stderr(std::process::Stdio::piped());
    let (child, banner) = spawn_server(command, "try: ");
    let url = banner
        .split_whitespace()
        .find(|word| word.starts_with("https://"))
        .expect("the banner names the URL")
        .to_owned();
    let ca = banner
        .lines()
        .find_map(|line| line.strip_prefix("CA certificate: "))
        .expect("the banner names the CA file")
        .to_owned();
    (child, url, ca)
}

fn curl(ca: &str, args: &[&str]) -> Output {
    Command::new("curl")
        .args(["-s", "--cacert", ca])
        .args(args)
        .output()
        .expect("curl runs")
}

/// A request with the password in Basic auth, a PUT whose body holds a key, and the health
/// route: what the log tests send.
fn send_requests_with_secrets(url: &str, ca: &str) {
    let got = curl(ca, &["-u", "alice:s3cret", &format!("{url}/v1/ocsp")]);
    assert!(got.status.success(), "{}", stderr(&got));
    let body = format!(
        r#"{{"certificates": [{{"name": "proxy", "certificate": "x", "key": "{KEY_IN_BODY}"}}]}}"#
    );
    let put = curl(
        ca,
        &[
            "-u",
            "alice:s3cret",
            "-X",
            "PUT",
            "-H",
            "Content-Type: application/json",
            "-d",
            &body,
            &format!("{url}/v1/cluster/certificates"),
        ],
    );
    assert!(put.status.success(), "{}", stderr(&put));
    let health = curl(ca, &[&format!("{url}/_harness/health")]);
    assert!(health.status.success(), "{}", stderr(&health));
}

fn assert_no_secret(log: &str) {
    for secret in [PASSWORD, BASIC, KEY_IN_BODY] {
        assert!(!log.contains(secret), "{secret} in the log: {log}");
    }
}

#[test]
fn serve_takes_its_address_from_the_environment_and_answers_health_without_login() {
    // A port free a moment ago: the variable must carry a real one to show it is used.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let listen = format!("127.0.0.1:{port}");
    let mut command = crate::harness();
    command
        .args(["serve", "--user", ADMIN])
        .env("OCSP_HARNESS_LISTEN", &listen)
        .stderr(std::process::Stdio::null());
    let (child, banner) = spawn_server(command, "try: ");
    let url = format!("https://{listen}");
    assert!(
        banner.contains(&format!("reference server at {url} ")),
        "{banner}"
    );
    let ca = banner
        .lines()
        .find_map(|line| line.strip_prefix("CA certificate: "))
        .expect("the banner names the CA file")
        .to_owned();
    let health = format!("{url}/_harness/health");
    for credentials in [&[][..], &["-u", "alice:wrong"][..], &["-u", "nobody:x"][..]] {
        let answer = curl(&ca, &[credentials, &["-i", &health][..]].concat());
        let text = stdout(&answer);
        assert!(text.starts_with("HTTP/2 200"), "{credentials:?}: {text}");
        assert!(
            text.to_ascii_lowercase()
                .contains("content-type: application/json"),
            "{text}"
        );
        let body = text.split("\r\n\r\n").nth(1).expect("a body");
        let body: serde_json::Value = serde_json::from_str(body).expect("JSON");
        assert_eq!(body["status"], "ok", "{body}");
        assert!(
            body["responder"]
                .as_str()
                .is_some_and(|url| url.starts_with("http://127.0.0.1:")),
            "{body}"
        );
    }
    let head = curl(&ca, &["-I", &health]);
    assert!(stdout(&head).starts_with("HTTP/2 200"), "{}", stdout(&head));
    // Help names the variable, with its value (an address is no secret).
    let help = crate::harness()
        .args(["serve", "--help"])
        .env("OCSP_HARNESS_LISTEN", &listen)
        .output()
        .expect("runs");
    assert!(
        stdout(&help).contains("[env: OCSP_HARNESS_LISTEN="),
        "{}",
        stdout(&help)
    );
    let status = terminate(child);
    assert!(status.success(), "{status:?}");
}

#[test]
fn a_flag_beats_its_environment_variable() {
    let (child, url, _ca) = start_logging_serve(&[], &[("OCSP_HARNESS_LISTEN", "127.0.0.1:1")]);
    assert!(!url.ends_with(":1"), "{url}");
    let _ = terminate(child);
}

#[test]
fn users_from_the_environment_keep_their_passwords_out_of_help() {
    let help = crate::harness()
        .args(["serve", "--help"])
        .env("OCSP_HARNESS_USERS", ADMIN)
        .output()
        .expect("runs");
    let text = stdout(&help);
    assert!(text.contains("OCSP_HARNESS_USERS"), "{text}");
    assert!(!text.contains(PASSWORD), "{text}");
}

#[test]
fn serve_logs_one_json_line_per_request_without_secrets() {
    let (child, url, ca) = start_logging_serve(&["--log-format", "json"], &[]);
    send_requests_with_secrets(&url, &ca);
    let output = terminate_with_output(child);
    assert!(output.status.success(), "{:?}", output.status);
    let log = stderr(&output);
    assert_no_secret(&log);
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect();
    let requests: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|line| line["target"] == "ocsp_harness::access")
        .collect();
    let seen: Vec<(&str, &str, u64, &str)> = requests
        .iter()
        .map(|line| {
            (
                line["method"].as_str().unwrap_or("?"),
                line["path"].as_str().unwrap_or("?"),
                line["status"].as_u64().unwrap_or(0),
                line["user"].as_str().unwrap_or("?"),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("GET", "/v1/ocsp", 200, "alice"),
            ("PUT", "/v1/cluster/certificates", 400, "alice"),
            ("GET", "/_harness/health", 200, "-"),
        ],
        "{log}"
    );
    for line in requests {
        assert_eq!(line["level"], "INFO", "{line}");
        assert_eq!(line["message"], "request", "{line}");
        assert!(
            line["duration_ms"].as_f64().is_some_and(|ms| ms >= 0.0),
            "{line}"
        );
        assert!(
            line["remote"]
                .as_str()
                .is_some_and(|remote| remote.starts_with("127.0.0.1:")),
            "{line}"
        );
        assert!(line["timestamp"].is_string(), "{line}");
    }
}

#[test]
fn serve_logs_text_lines_from_the_environment_and_rust_log_silences_them() {
    let (child, url, ca) = start_logging_serve(&[], &[("OCSP_HARNESS_LOG_FORMAT", "text")]);
    send_requests_with_secrets(&url, &ca);
    let output = terminate_with_output(child);
    assert!(output.status.success(), "{:?}", output.status);
    let log = stderr(&output);
    assert_no_secret(&log);
    let lines: Vec<&str> = log
        .lines()
        .filter(|line| line.contains(" request "))
        .collect();
    assert_eq!(lines.len(), 3, "{log}");
    assert!(
        lines[0].contains("INFO request method=GET path=/v1/ocsp status=200 duration_ms="),
        "{log}"
    );
    assert!(lines[0].contains(" remote=127.0.0.1:"), "{log}");
    assert!(lines[0].ends_with(" user=alice"), "{log}");
    assert!(
        !log.contains('\u{1b}'),
        "no colour when not a terminal: {log:?}"
    );

    for quiet in [&[][..], &["--quiet"][..]] {
        let env: &[(&str, &str)] = if quiet.is_empty() {
            &[("RUST_LOG", "warn")]
        } else {
            &[]
        };
        let (child, url, ca) = start_logging_serve(quiet, env);
        send_requests_with_secrets(&url, &ca);
        let output = terminate_with_output(child);
        assert!(output.status.success(), "{:?}", output.status);
        let log = stderr(&output);
        assert!(!log.contains("method="), "{quiet:?} {env:?}: {log}");
    }
}

#[test]
fn a_rust_log_that_does_not_parse_is_a_one_line_error() {
    let output = crate::harness()
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("RUST_LOG", "ocsp_harness=loud")
        .output()
        .expect("runs");
    assert_one_line_error(
        &output,
        "RUST_LOG=\"ocsp_harness=loud\" is not a log filter",
    );
}

/// SIGTERM while a request is in flight: the server stops accepting connections, answers that
/// request in full, and exits 0. The request's body is held back until the server has stopped
/// accepting: `Expect: 100-continue` shows when the server is reading it, and a refused
/// connection that it has stopped accepting, so nothing waits on a guess.
#[test]
fn sigterm_lets_a_request_in_flight_finish() {
    let mut command = crate::harness();
    command
        .args([
            "serve",
            "--plain-http",
            "--listen",
            "127.0.0.1:0",
            "--user",
            ADMIN,
        ])
        .stderr(std::process::Stdio::null());
    let (child, banner) = spawn_server(command, "try: ");
    let addr = banner
        .split_whitespace()
        .find_map(|word| word.strip_prefix("http://"))
        .expect("the banner names the URL")
        .to_owned();
    let body = br#"{"query_frequency": 600}"#;
    let head = format!(
        "PUT /v1/ocsp HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Basic {BASIC}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    let answer =
        String::from_utf8_lossy(&answer_across_sigterm(&child, &addr, &head, body)).into_owned();
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    let json = answer.split("\r\n\r\n").nth(1).expect("a body");
    let json: serde_json::Value = serde_json::from_str(json).expect("JSON");
    assert_eq!(json["query_frequency"], 600, "{json}");
    let output = child.wait_with_output().expect("exits");
    assert!(output.status.success(), "{:?}", output.status);
}

/// Sends `head` (with `Expect: 100-continue` added) to `addr`; once the server reads the body,
/// SIGTERM to `server`; once new connections are refused, the body; returns the whole answer.
/// The request was in flight when the signal came, and the drain must still answer it.
fn answer_across_sigterm(
    server: &std::process::Child,
    addr: &str,
    head: &str,
    body: &[u8],
) -> Vec<u8> {
    use std::io::{Read, Write};

    let mut stream = std::net::TcpStream::connect(addr).expect("connects");
    write!(stream, "{head}Expect: 100-continue\r\n\r\n").expect("sends the head");
    let mut interim = [0u8; 25];
    stream.read_exact(&mut interim).expect("an interim answer");
    assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");

    let sent = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::net::TcpStream::connect(addr).is_ok() {
        assert!(std::time::Instant::now() < deadline, "still accepting");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }

    stream.write_all(body).expect("sends the body");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("the whole answer");
    answer
}

#[test]
fn sigterm_lets_a_request_in_flight_to_the_responder_finish() {
    let dir = tempfile::tempdir().expect("tempdir");
    let generated = generate(dir.path(), &[]);
    assert!(generated.status.success(), "{}", stderr(&generated));
    let mut command = crate::harness();
    command
        .args(["responder", "--quiet", "--listen", "127.0.0.1:0", "--pki"])
        .arg(dir.path())
        .stderr(std::process::Stdio::null());
    let (child, banner) = spawn_server(command, "http://");
    let addr = banner
        .split_whitespace()
        .find_map(|word| word.strip_prefix("http://"))
        .expect("the banner names the URL")
        .trim_end_matches('/')
        .to_owned();
    // Not DER: the answer is a whole OCSP malformedRequest, which is enough to see it arrive.
    let body = b"not an OCSP request";
    let head = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/ocsp-request\r\n\
         Content-Length: {}\r\n",
        body.len()
    );
    let answer = answer_across_sigterm(&child, &addr, &head, body);
    let split = answer
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .expect("a head and a body");
    let (head, der) = (
        String::from_utf8_lossy(&answer[..split]),
        &answer[split + 4..],
    );
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(
        head.contains("content-type: application/ocsp-response\r\n"),
        "{head}"
    );
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length: "))
        .and_then(|length| length.trim().parse().ok())
        .expect("a Content-Length");
    assert_eq!(der.len(), length, "the whole body arrived");
    // malformedRequest (1), unsigned: SEQUENCE { ENUMERATED 1 }.
    assert_eq!(der, [0x30, 0x03, 0x0a, 0x01, 0x01]);
    let output = child.wait_with_output().expect("exits");
    assert!(output.status.success(), "{:?}", output.status);
}

#[test]
fn the_responder_takes_its_settings_from_the_environment_and_logs_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let generated = generate(dir.path(), &[]);
    assert!(generated.status.success(), "{}", stderr(&generated));
    let mut command = crate::harness();
    command
        .arg("responder")
        .env("OCSP_HARNESS_PKI", dir.path())
        .env("OCSP_HARNESS_RESPONDER_LISTEN", "127.0.0.1:0")
        .env("OCSP_HARNESS_BEHAVIOUR", "revoked")
        .env("OCSP_HARNESS_LOG_FORMAT", "json")
        .env_remove("RUST_LOG")
        .stderr(std::process::Stdio::piped());
    let (child, banner) = spawn_server(command, "http://");
    assert!(banner.contains("with behaviour revoked"), "{banner}");
    let url = banner
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .expect("the banner names the URL")
        .to_owned();
    let malformed = Command::new("curl")
        .args(["-s", "-o", "/dev/null", "--data-binary", "not DER", &url])
        .output()
        .expect("curl runs");
    assert!(malformed.status.success(), "{}", stderr(&malformed));
    let output = terminate_with_output(child);
    assert!(output.status.success(), "{:?}", output.status);
    let log = stderr(&output);
    let line: serde_json::Value = log
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .find(|line| line["target"] == "ocsp_harness::access")
        .unwrap_or_else(|| panic!("no request line: {log}"));
    assert_eq!(
        (
            &line["method"],
            &line["path"],
            &line["status"],
            &line["user"]
        ),
        (&"POST".into(), &"/".into(), &200.into(), &"-".into()),
        "{line}"
    );
    assert!(line["duration_ms"].is_f64(), "{line}");
    assert!(line["error"].is_string(), "{line}");
}

/// `curl` with the README's arguments, its output as JSON.
fn curl_json(args: &[&str]) -> serde_json::Value {
    let output = Command::new("curl")
        .args(["-s", "--noproxy", "*"])
        .args(args)
        .output()
        .expect("curl runs");
    assert!(output.status.success(), "curl {args:?}: {output:?}");
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("curl {args:?}: {error}: {}", stdout(&output)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_responder_process_is_driven_over_http_as_the_readme_shows() {
    use std::sync::Arc;

    use ocsp_harness::client::{HttpMethod, OcspClient, Query, verdict_of};
    use ocsp_harness::clock::SystemClock;
    use ocsp_harness::contract::Verdict;
    use ocsp_harness::pki::Role;

    let dir = tempfile::tempdir().expect("tempdir");
    let generated = generate(dir.path(), &[]);
    assert!(generated.status.success(), "{}", stderr(&generated));
    let (child, banner) = start_server(
        &[
            "responder",
            "--pki",
            dir.path().to_str().expect("utf-8"),
            "--listen",
            "127.0.0.1:0",
            "--quiet",
        ],
        "http://",
    );
    let url = banner
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .expect("the banner names the URL")
        .to_owned();
    let admin = |route: &str| format!("{url}__admin/{route}");

    assert_eq!(
        curl_json(&[&admin("health")]),
        serde_json::json!({ "status": "ok" })
    );
    let set = curl_json(&[
        "-X",
        "PUT",
        "-d",
        r#"{"behaviour":"revoked"}"#,
        &admin("behaviour"),
    ]);
    assert_eq!(set["name"], "revoked", "{set}");
    assert_eq!(curl_json(&[&admin("behaviour")])["name"], "revoked");

    let pki = ocsp_harness::pki::read_dir(dir.path()).expect("reads the PKI");
    let proxy = pki.cert(Role::Proxy).der().to_vec();
    let client = OcspClient::new(Arc::new(SystemClock)).expect("client");
    let query = Query {
        url: url.clone(),
        cert_der: proxy.clone(),
        issuer_der: pki.cert(Role::Intermediate).der().to_vec(),
        hash_algorithm: ocsp_harness::ocsp::HashAlgorithm::Sha1,
        nonce_len: Some(16),
        method: HttpMethod::Post,
        timeout: time::Duration::seconds(10),
    };
    assert_eq!(verdict_of(&client.query(&query).await), Verdict::Revoked);

    let journal = curl_json(&[&admin("requests?limit=1")]);
    let serial = {
        use der::Decode;
        let cert = x509_cert::Certificate::from_der(&proxy).expect("decodes");
        let bytes = cert.tbs_certificate.serial_number.as_bytes().to_vec();
        let magnitude = match bytes.as_slice() {
            [0, next, ..] if next & 0x80 != 0 => bytes[1..].to_vec(),
            _ => bytes,
        };
        magnitude
            .iter()
            .map(|octet| format!("{octet:02X}"))
            .collect::<String>()
    };
    assert_eq!(journal["total"], 1, "{journal}");
    let request = &journal["requests"][0]["request"];
    assert_eq!(request["cert_ids"][0]["serial"], serial, "{journal}");
    assert_eq!(request["cert_ids"][0]["hash_algorithm"], "sha1");
    assert_eq!(request["nonce_len"], 16);

    let unknown = curl_json(&[
        "-X",
        "PUT",
        "-d",
        r#"{"behaviour":"revokd"}"#,
        &admin("behaviour"),
    ]);
    assert_eq!(unknown["closest"], "revoked", "{unknown}");
    assert_eq!(
        curl_json(&["-X", "DELETE", &admin("requests")]),
        serde_json::json!({ "cleared": 1 })
    );
    let reset = curl_json(&["-X", "POST", &admin("reset")]);
    assert_eq!(reset["behaviour"]["name"], "good", "{reset}");
    assert_eq!(verdict_of(&client.query(&query).await), Verdict::Good);
    assert!(
        curl_json(&[&admin("behaviours")])
            .as_array()
            .is_some_and(|rows| rows.len() > 70)
    );

    let status = terminate(child);
    assert!(status.success(), "exit status {status:?}");
}
