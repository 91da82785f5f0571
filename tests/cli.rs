//! The `ocsp-harness` command as a user runs it: exit codes, one-line errors, files on disk.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn harness(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ocsp-harness"))
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
fn run_says_it_is_not_built_yet() {
    let output = harness(&["run"]);
    assert_one_line_error(&output, "not built yet");
    let output = harness(&["run", "--target", "https://example.test:9443"]);
    assert_one_line_error(&output, "not built yet");
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
