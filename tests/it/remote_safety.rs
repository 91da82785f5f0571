//! A remote run leaves its target as it found it: the configuration, the OCSP alerts' settings
//! and every certificate, compared byte for byte through the API after a whole run, after a
//! run stopped with SIGINT or SIGTERM halfway, and a clear message and exit code 4 when the
//! target refuses the restore. `--plan` sends nothing; `--wait-for-target` waits.

use std::process::{Child, Command, Output, Stdio};

use crate::remote::{Served, USERS, curl_put_json, results, role_users, timing_lock, verdicts};

/// What the run may change, as the API shows it: `GET /v1/ocsp`, `GET /v1/cluster` and
/// `GET /v1/cluster/certificates`, byte for byte.
fn shown(served: &Served) -> Vec<Vec<u8>> {
    ["/v1/ocsp", "/v1/cluster", "/v1/cluster/certificates"]
        .iter()
        .map(|path| {
            let output = Command::new("curl")
                .args(["-s", "-f", "--cacert", &served.ca, "-u", "adm:adm-secret-1"])
                .arg(format!("{}{path}", served.url))
                .output()
                .expect("curl runs");
            assert!(output.status.success(), "GET {path}: {output:?}");
            output.stdout
        })
        .collect()
}

/// Moves the target away from every default, so that putting back is not putting defaults.
fn unusual_settings(served: &Served) {
    let config = curl_put_json(
        served,
        &format!("{}/v1/ocsp", served.url),
        r#"{"query_frequency": 900, "response_timeout": 7, "recovery_max_tries": 3}"#,
    );
    assert_eq!(config["query_frequency"], 900, "{config}");
    let cluster = curl_put_json(
        served,
        &format!("{}/v1/cluster", served.url),
        r#"{"alert_settings": {"cluster_ocsp_status_revoked": true}}"#,
    );
    assert_eq!(
        cluster["alert_settings"]["cluster_ocsp_status_revoked"], true,
        "{cluster}"
    );
}

/// `run` of the corpus against `served` as a child process, every user given, certificate
/// changes allowed.
fn spawn_run(served: &Served, extra: &[&str]) -> Child {
    spawn_run_of("scenarios", served, extra)
}

fn spawn_run_of(path: &str, served: &Served, extra: &[&str]) -> Child {
    crate::harness()
        .current_dir(crate::workspace_root())
        .args(["run", path, "--format", "json"])
        .args([
            "--target",
            &served.url,
            "--ca-cert",
            &served.ca,
            "--user",
            "adm",
        ])
        .arg("--allow-certificate-change")
        .args(extra)
        .env("OCSP_HARNESS_TARGET_PASSWORD", "adm-secret-1")
        .env("OCSP_HARNESS_TARGET_ROLE_USERS", role_users())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run starts")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn a_whole_run_leaves_the_configuration_and_every_certificate_as_it_found_them() {
    let _one_at_a_time = timing_lock();
    let served = Served::start_with(&[]);
    unusual_settings(&served);
    let before = shown(&served);
    // Were something left, the bodies that put it back would go here, not into the tree.
    let report = tempfile::tempdir().expect("tempdir");
    let output = spawn_run(
        &served,
        &["--report", report.path().to_str().expect("utf-8")],
    )
    .wait_with_output()
    .expect("run ends");
    let results = results(&output);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(verdicts(&results, "failed").is_empty(), "{results:#?}");
    assert!(verdicts(&results, "error").is_empty(), "{results:#?}");
    assert!(
        verdicts(&results, "passed").len() >= 140,
        "the corpus but the clock and the provider states runs: {}",
        verdicts(&results, "passed").len()
    );
    assert_eq!(shown(&served), before, "the target was not put back");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("the target was put back as the run found it"),
        "{stderr}"
    );
    // The report names the target, what it says of itself, and the run.
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let run = &report["run"];
    assert_eq!(run["target"], served.url.as_str(), "{run}");
    assert_eq!(run["target_product_version"], "8.2.0-0", "{run}");
    assert_eq!(run["product_version"], "8.2", "{run}");
    assert_eq!(run["harness_version"], env!("CARGO_PKG_VERSION"), "{run}");
    assert!(
        run["contract_version"]
            .as_str()
            .is_some_and(|version| version.contains("docs ")),
        "{run}"
    );
    assert!(
        run["options"]
            .to_string()
            .contains("--allow-certificate-change"),
        "{run}"
    );
    let levels = report["statement"]["levels"].as_array().expect("levels");
    assert_eq!(levels.len(), 3, "{levels:#?}");
    assert!(
        levels[0]["verdict"]
            .as_str()
            .is_some_and(|verdict| verdict.contains("conforms to the documented contract")),
        "{levels:#?}"
    );
}

/// Sends `signal` to the run once it has changed the target's proxy certificate (the first
/// scenario has started), and checks that everything is put back.
fn interrupted_halfway(signal: &str, exit_code: i32) {
    let _one_at_a_time = timing_lock();
    let served = Served::start_with(&[]);
    unusual_settings(&served);
    let before = shown(&served);
    let report = tempfile::tempdir().expect("tempdir");
    let child = spawn_run(
        &served,
        &["--report", report.path().to_str().expect("utf-8")],
    );
    // The certificates are the third thing shown; they change with the first install.
    let mut changed = false;
    for _ in 0..3000 {
        if shown(&served)[2] != before[2] {
            changed = true;
            break;
        }
    }
    assert!(changed, "the run never installed its proxy certificate");
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let output = child.wait_with_output().expect("run ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(exit_code), "{stderr}");
    assert!(
        stderr.contains("the scenario under way was stopped; putting the target back"),
        "{stderr}"
    );
    assert!(
        stderr.contains("the target was put back as the run found it"),
        "{stderr}"
    );
    assert_eq!(shown(&served), before, "the target was not put back");
    // The scenarios that ended are reported; the rest never started.
    let results = results(&output);
    let corpus = std::fs::read_dir(crate::workspace_root().join("scenarios"))
        .expect("scenarios")
        .flatten()
        .map(|dir| std::fs::read_dir(dir.path()).map_or(0, |files| files.count()))
        .sum::<usize>();
    assert!(results.len() < corpus, "{} of {corpus}", results.len());
}

#[test]
fn a_run_stopped_by_sigint_halfway_puts_everything_back() {
    interrupted_halfway("-INT", 130);
}

#[test]
fn a_run_stopped_by_sigterm_halfway_puts_everything_back() {
    interrupted_halfway("-TERM", 143);
}

#[test]
fn a_target_that_refuses_the_restore_gets_the_message_the_bodies_and_exit_4() {
    let served = Served::start_with(&["--state-hooks"]);
    let before = shown(&served);
    let report = tempfile::tempdir().expect("tempdir");
    let report_dir = report.path().to_str().expect("utf-8").to_owned();
    // The scenario leaves node 1 unable to write certificates (a provider state it sets after
    // installing the harness's proxy certificate): the restore cannot put the target's back.
    let state_url = format!("{}/_harness", served.url);
    let child = spawn_run_of(
        "scenarios/certificates/put-nodes-not-updated.yaml",
        &served,
        &["--state-url", &state_url, "--report", &report_dir],
    );
    let output = child.wait_with_output().expect("run ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("the target was NOT left as the run found it"),
        "{stderr}"
    );
    assert!(
        stderr.contains("the certificates proxy: now proxy: a PEM of"),
        "{stderr}"
    );
    let body = report.path().join("restore/certificates.json");
    assert!(
        stderr.contains(&format!(
            "curl -u ADMIN -X PUT -H 'Content-Type: application/json' --data-binary @{}/restore/certificates.json {}/v1/cluster/certificates",
            report_dir, served.url
        )),
        "{stderr}"
    );
    // The body puts the target's own proxy certificate back, key included, readable by its
    // owner alone.
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&body).expect("the body is written")).expect("JSON");
    let original: serde_json::Value = serde_json::from_slice(&before[2]).expect("JSON");
    assert_eq!(
        written["certificates"][0],
        serde_json::json!({
            "name": "proxy",
            "certificate": original["proxy_cert"],
            "key": original["proxy_key"],
        })
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&body)
        .expect("metadata")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    // The password never reaches a message.
    assert!(!stderr.contains("adm-secret-1"), "{stderr}");
    for (_, _, password) in USERS {
        assert!(!String::from_utf8_lossy(&output.stdout).contains(password));
    }
}

#[test]
fn without_allow_certificate_change_the_certificates_stay_and_the_reason_is_given() {
    let served = Served::start_with(&[]);
    let before = shown(&served);
    let output = crate::remote::run(
        &[
            &["scenarios", "--format", "json"][..],
            &served.target_args()[..],
        ]
        .concat(),
        &[
            ("OCSP_HARNESS_TARGET_PASSWORD", "adm-secret-1".to_owned()),
            ("OCSP_HARNESS_TARGET_ROLE_USERS", role_users()),
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let results = results(&output);
    let passed = verdicts(&results, "passed");
    assert!(passed.len() >= 20, "{}: {passed:?}", passed.len());
    assert!(
        passed.contains(&"config::defaults".to_owned()),
        "{passed:?}"
    );
    let good = results
        .iter()
        .find(|result| result["id"] == "test::good")
        .expect("test::good");
    assert_eq!(good["verdict"], "skipped");
    assert!(
        good["reason"].as_str().is_some_and(|reason| reason.starts_with(
            "it needs the harness's proxy certificate on the target (it asks the harness's responder about the harness's proxy certificate, line"
        ) && reason.ends_with("give --allow-certificate-change (the run puts the target's certificates back)")),
        "{good}"
    );
    assert_eq!(shown(&served)[2], before[2], "a certificate changed");
}

#[test]
fn wait_for_target_waits_for_a_target_that_starts_later_and_gives_up_with_exit_3() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
    let address = listener.local_addr().expect("address");
    drop(listener);
    let url = format!("https://{address}");
    let child = crate::harness()
        .current_dir(crate::workspace_root())
        .args(["run", "scenarios/configuration/defaults.yaml"])
        .args(["--target", &url, "--insecure", "--user", "adm"])
        .args(["--wait-for-target", "2m"])
        .env("OCSP_HARNESS_TARGET_PASSWORD", "adm-secret-1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run starts");
    // The target comes up after the harness: the run is waiting for it meanwhile.
    let served = Served::start_with(&["--listen", &address.to_string()]);
    let output = child.wait_with_output().expect("run ends");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("1 passed"));
    drop(served);

    // Nobody comes: exit 3 after the deadline, with the reason.
    let output = crate::remote::run(
        &[
            "scenarios/configuration/defaults.yaml",
            "--target",
            &url,
            "--user",
            "adm",
            "--wait-for-target",
            "300ms",
        ],
        &[("OCSP_HARNESS_TARGET_PASSWORD", "x".to_owned())],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("is unreachable"), "{stderr}");
}

/// The polling and recovery scenarios made for real time, and two that read what a poll
/// cached, against `serve` running its clock 60 times faster than real time.
const REAL_TIME: [&str; 4] = [
    "scenarios/polling/minimum-query-frequency.yaml",
    "scenarios/polling/minimum-recovery-frequency.yaml",
    "scenarios/status-endpoint/invalid-response-cached.yaml",
    "scenarios/alerts/status-revoked.yaml",
];

fn run_real_time(served: &Served, budget: &str) -> Output {
    let options = [
        "--format",
        "json",
        "--allow-certificate-change",
        "--real-time",
        "--time-budget",
        budget,
        "--target-clock-speed",
        "60",
    ];
    crate::remote::run(
        &[&REAL_TIME[..], &served.target_args()[..], &options[..]].concat(),
        &[
            ("OCSP_HARNESS_TARGET_PASSWORD", "adm-secret-1".to_owned()),
            ("OCSP_HARNESS_TARGET_ROLE_USERS", role_users()),
        ],
    )
}

#[test]
fn polling_and_recovery_pass_in_real_time_and_a_small_budget_skips_with_the_reason() {
    let _one_at_a_time = timing_lock();
    let served = Served::start_with(&["--clock-speed", "60"]);
    let output = run_real_time(&served, "1m");
    let all = results(&output);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(verdicts(&all, "passed").len(), REAL_TIME.len(), "{all:#?}");

    // 10 seconds of real time is 10 minutes of the target's: not enough for all four.
    let output = run_real_time(&served, "10s");
    let results = results(&output);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let skipped: Vec<&serde_json::Value> = results
        .iter()
        .filter(|result| result["verdict"] == "skipped")
        .collect();
    assert!(!skipped.is_empty(), "{results:#?}");
    for result in skipped {
        let reason = result["reason"].as_str().unwrap_or_default();
        assert!(
            reason.starts_with("it waits up to ") && reason.contains("left of --time-budget"),
            "{result}"
        );
    }
    assert!(!verdicts(&results, "passed").is_empty(), "{results:#?}");
}

#[test]
fn plan_sends_nothing_to_the_target_and_lists_every_change() {
    let served = Served::start_with(&["--state-hooks"]);
    let journal = format!("{}/_harness/requests", served.url);
    let options = [
        "scenarios",
        "--allow-certificate-change",
        "--real-time",
        "--time-budget",
        "30m",
        "--plan",
    ];
    let output = crate::remote::run(
        &[&options[..], &served.target_args()[..]].concat(),
        &[
            ("OCSP_HARNESS_TARGET_PASSWORD", "adm-secret-1".to_owned()),
            ("OCSP_HARNESS_TARGET_ROLE_USERS", role_users()),
        ],
    );
    let plan = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(
        crate::remote::curl(&served, &[&journal]),
        serde_json::json!([]),
        "the plan sent requests"
    );
    for expected in [
        "nothing was sent to the target",
        "RUN   polling::minimum-query-frequency [real time: up to 7m]\n",
        "        changes: PUT /v1/ocsp: the documented defaults (OCSP off)\n",
        "        changes: PUT /v1/cluster/certificates (update_cert where the target lacks it): the harness's proxy certificate\n",
        "        changes: line 13: PUT /v1/ocsp: {\"ocsp_functionality\":true,\"query_frequency\":60}\n",
        "SKIP  capability::node-without-ocsp: it needs node 2 without the OCSP capability, a provider state: give --state-url\n",
        "more than the",
        "left of --time-budget",
        "it puts back the OCSP configuration, the OCSP alerts' settings and every certificate as recorded",
    ] {
        assert!(plan.contains(expected), "{expected:?} in\n{plan}");
    }
    // The same run, for real, is journaled: the journal is a witness that can see.
    let output = crate::remote::run(
        &[
            &["scenarios/configuration/defaults.yaml"][..],
            &served.target_args()[..],
        ]
        .concat(),
        &[("OCSP_HARNESS_TARGET_PASSWORD", "adm-secret-1".to_owned())],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let seen = crate::remote::curl(&served, &[&journal]);
    assert!(
        seen.as_array().is_some_and(|requests| !requests.is_empty()),
        "{seen}"
    );
}

#[test]
fn a_run_that_runs_nothing_sends_nothing_but_reads() {
    let served = Served::start_with(&["--state-hooks"]);
    // Needs the harness's proxy certificate: skipped without --allow-certificate-change.
    let output = crate::remote::run(
        &[
            &["scenarios/test-endpoint/good.yaml"][..],
            &served.target_args()[..],
        ]
        .concat(),
        &[("OCSP_HARNESS_TARGET_PASSWORD", "adm-secret-1".to_owned())],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("0 passed, 0 failed, 1 skipped"));
    let journal = crate::remote::curl(&served, &[&format!("{}/_harness/requests", served.url)]);
    let methods: Vec<&str> = journal
        .as_array()
        .expect("the journal")
        .iter()
        .filter_map(|entry| entry["method"].as_str())
        .collect();
    assert!(!methods.is_empty(), "{journal}");
    assert!(methods.iter().all(|method| *method == "GET"), "{journal}");
}
