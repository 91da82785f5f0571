//! Real clients against `serve` as a process: every OCSP and certificate command of Redis's
//! CLI, redisctl (built on the `redis-enterprise` crate), with the outcome each must have.
//! Where the client sends something the contract refuses, the case names the rule and says
//! why the client is wrong.
//!
//! redisctl is found through `REDISCTL`, then `target/interop/bin/redisctl` (where
//! `interop/install-redisctl.sh` puts it), then `PATH`. Without it the test says so and
//! passes, unless `OCSP_HARNESS_REQUIRE_REDISCTL` is set (CI sets it, so CI never skips it).

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

use crate::remote::Served;

/// The version whose requests the cases below were written from.
const REDISCTL_VERSION: &str = "0.13.0";

fn redisctl() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("REDISCTL") {
        return Some(PathBuf::from(path));
    }
    let built = crate::workspace_root().join("target/interop/bin/redisctl");
    if built.is_file() {
        return Some(built);
    }
    crate::program("redisctl", "REDISCTL")
}

/// One command and what it must come to.
struct Case {
    args: &'static [&'static str],
    /// redisctl's exit code: 0 done, 8 an API error (any 4xx but 401/404, or 5xx).
    exit: i32,
    /// A check of the JSON it prints on success.
    check: fn(&Value) -> bool,
    /// Why: the rules it exercises, and for a refusal, what the client does wrong.
    why: &'static str,
}

fn anything(_: &Value) -> bool {
    true
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            args: &["ocsp", "get"],
            exit: 0,
            check: |body| body["query_frequency"] == 3600 && body["ocsp_functionality"] == false,
            why: "get-config.ok, config.fields: GET /v1/ocsp",
        },
        Case {
            args: &["ocsp", "status"],
            exit: 0,
            check: |body| *body == serde_json::json!({}),
            why: "get-status.empty: nothing cached yet is {}",
        },
        Case {
            args: &["ocsp", "test"],
            exit: 0,
            check: |body| body["cert_status"] == "GOOD",
            why: "test.ok, test.body: POST /v1/ocsp/test with {}",
        },
        Case {
            args: &["ocsp", "test", "--data", r#"{"note":"from redisctl"}"#],
            exit: 0,
            check: |body| body["cert_status"] == "GOOD",
            why: "test.body: a JSON object of the client's own is accepted and ignored",
        },
        Case {
            args: &["ocsp", "update", "--query-frequency", "120"],
            exit: 0,
            check: |body| body["query_frequency"] == 120,
            why: "put-config.partial: {\"query_frequency\":120}",
        },
        Case {
            args: &[
                "cluster",
                "update-ocsp",
                "--recovery-frequency",
                "90",
                "--recovery-max-tries",
                "3",
            ],
            exit: 0,
            check: |body| body["recovery_frequency"] == 90 && body["recovery_max_tries"] == 3,
            why: "put-config.partial: the recovery fields",
        },
        Case {
            args: &["ocsp", "update", "--data", r#"{"ocsp_functionality":true}"#],
            exit: 0,
            check: |body| body["ocsp_functionality"] == true,
            why: "put-config.partial: turning OCSP on with the documented field",
        },
        Case {
            args: &["ocsp", "test"],
            exit: 0,
            check: |body| body["cert_status"] == "GOOD",
            why: "test.cached-when-on: with OCSP on, the result is cached",
        },
        Case {
            args: &["ocsp", "status"],
            exit: 0,
            check: |body| body["cert_status"] == "GOOD",
            why: "get-status.ok: the cached status",
        },
        Case {
            args: &["ocsp", "enable"],
            exit: 8,
            check: anything,
            why: "put-config.invalid, config.fields: the client sends {\"enabled\":true}; the \
                  configuration object's field is ocsp_functionality and an unknown field is \
                  400 invalid_schema (the OpenAPI's OcspConfig has additionalProperties false)",
        },
        Case {
            args: &["ocsp", "disable"],
            exit: 8,
            check: anything,
            why: "put-config.invalid, config.fields: {\"enabled\":false}, as above",
        },
        Case {
            args: &[
                "ocsp",
                "update",
                "--responder-url",
                "http://elsewhere.test/",
            ],
            exit: 8,
            check: anything,
            why: "put-config.responder-url: responder_url is read-only; a value other than the \
                  current one is refused",
        },
        Case {
            args: &["cluster", "get-ocsp"],
            exit: 8,
            check: anything,
            why: "config.fields: the client requires a field `enabled` in the answer, which the \
                  documented configuration object does not have (it has ocsp_functionality)",
        },
        Case {
            args: &["cluster", "get-certificates"],
            exit: 0,
            check: |body| {
                body["proxy_cert"]
                    .as_str()
                    .is_some_and(|pem| pem.starts_with("-----BEGIN CERTIFICATE-----"))
            },
            why: "certs.get: every installed certificate as NAME_cert and NAME_key",
        },
        Case {
            args: &[
                "cluster",
                "update-certificates",
                "--name",
                "proxy",
                "--certificate=not a certificate",
            ],
            exit: 8,
            check: anything,
            why: "certs.put: the client sends {\"name\",\"certificate\",\"key\"} at the top of \
                  the body; PUT /v1/cluster/certificates takes {\"certificates\": [...]} \
                  (the update_cert shape is refused, 400 invalid_schema)",
        },
        Case {
            args: &["cluster", "rotate-certificates"],
            exit: 0,
            check: anything,
            why: "certs.rotate: POST /v1/cluster/certificates/rotate with {}",
        },
    ]
}

fn run_redisctl(
    redisctl: &PathBuf,
    served: &Served,
    home: &std::path::Path,
    args: &[&str],
) -> Output {
    Command::new(redisctl)
        .arg("enterprise")
        .args(args)
        .args(["-o", "json"])
        .env("REDIS_ENTERPRISE_URL", &served.url)
        .env("REDIS_ENTERPRISE_USER", "adm")
        .env("REDIS_ENTERPRISE_PASSWORD", "adm-secret-1")
        // serve's CA is a self-signed certificate, which redisctl does not take as a CA file.
        .env("REDIS_ENTERPRISE_INSECURE", "true")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home)
        .env("NO_PROXY", "127.0.0.1")
        .env_remove("REDISCTL_PROFILE")
        .env_remove("REDISCTL_CONFIG_FILE")
        .output()
        .expect("redisctl runs")
}

#[test]
fn redisctl_against_serve() {
    let Some(redisctl) = redisctl() else {
        crate::not_run(
            "real_clients::redisctl_against_serve",
            "redisctl is not found (REDISCTL, target/interop/bin, PATH): run interop/install-redisctl.sh",
            "OCSP_HARNESS_REQUIRE_REDISCTL",
        );
        return;
    };
    let version = Command::new(&redisctl)
        .arg("--version")
        .output()
        .expect("redisctl --version runs");
    let version = String::from_utf8_lossy(&version.stdout);
    assert!(
        version.contains(REDISCTL_VERSION),
        "the cases were written from redisctl {REDISCTL_VERSION}'s requests, this is {version}"
    );
    let served = Served::start();
    let home = tempfile::tempdir().expect("tempdir");
    let mut wrong = Vec::new();
    for case in cases() {
        let output = run_redisctl(&redisctl, &served, home.path(), case.args);
        let printed = String::from_utf8_lossy(&output.stdout);
        let body: Value = serde_json::from_str(&printed).unwrap_or(Value::Null);
        let exit = output.status.code().unwrap_or(-1);
        if exit != case.exit || (exit == 0 && !(case.check)(&body)) {
            wrong.push(format!(
                "redisctl enterprise {}: exit {exit} (expected {}; {})\n  stdout: {printed}\n  stderr: {}",
                case.args.join(" "),
                case.exit,
                case.why,
                String::from_utf8_lossy(&output.stderr)
            ));
        }
    }
    // The documented body, from a file, installs a CA bundle without a key (certs.key-optional).
    let body = home.path().join("certificates.json");
    let ca = std::fs::read_to_string(&served.ca).expect("serve's CA");
    std::fs::write(
        &body,
        serde_json::json!({"certificates": [{"name": "mtls_trusted_ca", "certificate": ca}]})
            .to_string(),
    )
    .expect("writes the body");
    let data = format!("@{}", body.display());
    let installed = run_redisctl(
        &redisctl,
        &served,
        home.path(),
        &["cluster", "update-certificates", "--data", &data],
    );
    let listed = run_redisctl(
        &redisctl,
        &served,
        home.path(),
        &["cluster", "get-certificates"],
    );
    let listed: Value = serde_json::from_slice(&listed.stdout).unwrap_or(Value::Null);
    if installed.status.code() != Some(0)
        || listed["mtls_trusted_ca_cert"].as_str().map(str::trim) != Some(ca.trim())
    {
        wrong.push(format!(
            "update-certificates --data @file: exit {:?}, then mtls_trusted_ca_cert {} (certs.put, \
             certs.key-optional)\n  stderr: {}",
            installed.status.code(),
            listed["mtls_trusted_ca_cert"],
            String::from_utf8_lossy(&installed.stderr)
        ));
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
