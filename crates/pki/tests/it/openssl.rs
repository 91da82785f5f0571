//! The generated test PKI as the real `openssl` command sees it: chains verify, the AIA URL,
//! EKU and no-check extensions are where a client looks for them, and validity follows the
//! generation time.

use std::path::Path;
use std::process::Command;

use pki::{self, KeyType, Overwrite, PkiProfile, Role, TestPki};
use time::OffsetDateTime;
use time::macros::datetime;

const AT: OffsetDateTime = datetime!(2026-03-01 12:00 UTC);
const URL: &str = "http://127.0.0.1:8080/ocsp/path%2Fx?a=1&b=~";

struct Run {
    success: bool,
    stdout: String,
    stderr: String,
}

fn openssl(dir: &Path, args: &[&str]) -> Run {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the openssl command is installed (see README)");
    Run {
        success: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `openssl verify` of `leaf` at `at` against `anchor`, with the intermediate as untrusted help.
fn verify(dir: &Path, anchor: &str, leaf: &str, at: OffsetDateTime) -> Run {
    let at = at.unix_timestamp().to_string();
    openssl(
        dir,
        &[
            "verify",
            "-attime",
            &at,
            "-CAfile",
            anchor,
            "-untrusted",
            "intermediate.cert.pem",
            leaf,
        ],
    )
}

fn generated(key_type: KeyType) -> (tempfile::TempDir, TestPki) {
    let profile = PkiProfile {
        key_type,
        responder_url: URL.parse().expect("url"),
        proxy_serial: Some("7F00FF".parse().expect("serial")),
        at: AT,
    };
    let pki = TestPki::generate(&profile).expect("generates");
    let dir = tempfile::tempdir().expect("tempdir");
    pki::write_dir(&pki, dir.path(), Overwrite::Refuse).expect("writes");
    (dir, pki)
}

fn for_each_key_type(check: impl Fn(KeyType, &Path, &TestPki)) {
    for key_type in KeyType::ALL {
        let (dir, pki) = generated(key_type);
        check(key_type, dir.path(), &pki);
    }
}

#[test]
fn openssl_verifies_proxy_to_intermediate_to_root() {
    for_each_key_type(|key_type, dir, _| {
        let run = verify(dir, "root.cert.pem", "proxy.cert.pem", AT);
        assert!(run.success, "{key_type}: {}{}", run.stdout, run.stderr);
        assert_eq!(run.stdout.trim(), "proxy.cert.pem: OK");

        // The chain file alone carries what a client needs beyond the root.
        let at = AT.unix_timestamp().to_string();
        let args = ["verify", "-attime", &at, "-CAfile", "root.cert.pem"];
        let chain = [
            &args[..],
            &["-untrusted", "proxy.chain.pem", "proxy.cert.pem"],
        ]
        .concat();
        let run = openssl(dir, &chain);
        assert!(run.success, "{key_type}: {}{}", run.stdout, run.stderr);

        // ... and the unrelated root does not vouch for it.
        let run = verify(dir, "unrelated-root.cert.pem", "proxy.cert.pem", AT);
        assert!(!run.success, "{key_type}: {}", run.stdout);
    });
}

#[test]
fn openssl_prints_the_responder_url_of_the_proxy_and_none_for_the_other() {
    for_each_key_type(|key_type, dir, _| {
        let run = openssl(
            dir,
            &["x509", "-noout", "-ocsp_uri", "-in", "proxy.cert.pem"],
        );
        assert!(run.success, "{key_type}: {}", run.stderr);
        assert_eq!(run.stdout, format!("{URL}\n"), "{key_type}");
        let run = openssl(
            dir,
            &[
                "x509",
                "-noout",
                "-ocsp_uri",
                "-in",
                "proxy-no-aia.cert.pem",
            ],
        );
        assert!(run.success, "{key_type}: {}", run.stderr);
        assert_eq!(run.stdout, "", "{key_type}");
    });
}

#[test]
fn openssl_shows_the_ocsp_signing_usage_and_no_check_on_delegated_responders() {
    for_each_key_type(|key_type, dir, _| {
        let text = |file: &str| {
            let run = openssl(dir, &["x509", "-noout", "-text", "-in", file]);
            assert!(run.success, "{key_type} {file}: {}", run.stderr);
            run.stdout
        };
        let responder = text("responder.cert.pem");
        assert!(
            responder.contains("X509v3 Extended Key Usage: \n                OCSP Signing\n"),
            "{key_type}: {responder}"
        );
        assert!(
            responder.contains("OCSP No Check"),
            "{key_type}: {responder}"
        );

        let no_eku = text("responder-no-eku.cert.pem");
        assert!(!no_eku.contains("OCSP Signing"), "{key_type}: {no_eku}");
        assert!(no_eku.contains("OCSP No Check"), "{key_type}: {no_eku}");

        let proxy = text("proxy.cert.pem");
        assert!(!proxy.contains("OCSP Signing"), "{key_type}: {proxy}");
        assert!(!proxy.contains("OCSP No Check"), "{key_type}: {proxy}");
    });
}

#[test]
fn the_delegated_responder_verifies_against_the_proxy_issuer() {
    for_each_key_type(|key_type, dir, _| {
        let run = verify(dir, "root.cert.pem", "responder.cert.pem", AT);
        assert!(run.success, "{key_type}: {}{}", run.stdout, run.stderr);
    });
}

#[test]
fn the_expired_responder_is_expired_at_the_generated_time_and_valid_before() {
    for_each_key_type(|key_type, dir, _| {
        let run = verify(dir, "root.cert.pem", "responder-expired.cert.pem", AT);
        assert!(!run.success, "{key_type}: {}", run.stdout);
        assert!(
            run.stderr.contains("certificate has expired"),
            "{key_type}: {}",
            run.stderr
        );
        let earlier = AT - time::Duration::days(2);
        let run = verify(dir, "root.cert.pem", "responder-expired.cert.pem", earlier);
        assert!(run.success, "{key_type}: {}{}", run.stdout, run.stderr);
    });
}

#[test]
fn the_not_yet_valid_responder_is_not_yet_valid_at_the_generated_time() {
    for_each_key_type(|key_type, dir, _| {
        let run = verify(dir, "root.cert.pem", "responder-not-yet-valid.cert.pem", AT);
        assert!(!run.success, "{key_type}: {}", run.stdout);
        assert!(
            run.stderr.contains("certificate is not yet valid"),
            "{key_type}: {}",
            run.stderr
        );
    });
}

#[test]
fn the_other_ca_responder_chains_to_the_unrelated_root_only() {
    for_each_key_type(|key_type, dir, _| {
        let run = verify(dir, "root.cert.pem", "responder-other-ca.cert.pem", AT);
        assert!(!run.success, "{key_type}: {}", run.stdout);
        let run = verify(
            dir,
            "unrelated-root.cert.pem",
            "responder-other-ca.cert.pem",
            AT,
        );
        assert!(run.success, "{key_type}: {}{}", run.stdout, run.stderr);
    });
}

#[test]
fn the_server_certificate_is_good_for_localhost() {
    for_each_key_type(|key_type, dir, _| {
        let at = AT.unix_timestamp().to_string();
        for host in [
            ["-verify_hostname", "localhost"],
            ["-verify_ip", "127.0.0.1"],
        ] {
            let args = [
                &["verify", "-attime", &at, "-purpose", "sslserver"][..],
                &host[..],
                &[
                    "-CAfile",
                    "root.cert.pem",
                    "-untrusted",
                    "intermediate.cert.pem",
                ],
                &["server.cert.pem"],
            ]
            .concat();
            let run = openssl(dir, &args);
            assert!(
                run.success,
                "{key_type} {host:?}: {}{}",
                run.stdout, run.stderr
            );
        }
    });
}

#[test]
fn openssl_reads_every_key_and_it_matches_its_certificate() {
    for_each_key_type(|key_type, dir, pki| {
        for role in Role::ALL {
            let key = openssl(dir, &["pkey", "-pubout", "-in", &format!("{role}.key.pem")]);
            assert!(key.success, "{key_type} {role}: {}", key.stderr);
            let cert = openssl(
                dir,
                &[
                    "x509",
                    "-noout",
                    "-pubkey",
                    "-in",
                    &format!("{role}.cert.pem"),
                ],
            );
            assert!(cert.success, "{key_type} {role}: {}", cert.stderr);
            assert_eq!(key.stdout, cert.stdout, "{key_type} {role}");
        }
        let unrelated = openssl(dir, &["pkey", "-pubout", "-in", "unrelated.key.pem"]);
        assert!(unrelated.success, "{key_type}: {}", unrelated.stderr);
        assert_eq!(pki.cert(Role::Proxy).summary().serial.to_hex(), "7F00FF");
    });
}

#[test]
fn openssl_reads_the_serials_the_manifest_lists() {
    for_each_key_type(|key_type, dir, pki| {
        for role in Role::ALL {
            let run = openssl(
                dir,
                &[
                    "x509",
                    "-noout",
                    "-serial",
                    "-in",
                    &format!("{role}.cert.pem"),
                ],
            );
            assert!(run.success, "{key_type} {role}: {}", run.stderr);
            let expected = format!("serial={}\n", pki.cert(role).summary().serial.to_hex());
            assert_eq!(run.stdout, expected, "{key_type} {role}");
        }
    });
}

#[test]
fn signature_algorithms_follow_the_key_type() {
    for (key_type, algorithm) in [
        (KeyType::P256, "ecdsa-with-SHA256"),
        (KeyType::P384, "ecdsa-with-SHA384"),
        (KeyType::Rsa2048, "sha256WithRSAEncryption"),
        (KeyType::Ed25519, "ED25519"),
    ] {
        let (dir, _) = generated(key_type);
        let run = openssl(
            dir.path(),
            &["x509", "-noout", "-text", "-in", "proxy.cert.pem"],
        );
        assert!(
            run.stdout
                .contains(&format!("Signature Algorithm: {algorithm}")),
            "{key_type}: {}",
            run.stdout
        );
        if key_type == KeyType::Rsa2048 {
            assert!(
                run.stdout.contains("Public-Key: (2048 bit)"),
                "{}",
                run.stdout
            );
        }
    }
}
