//! `run --target`: the corpus against `ocsp-harness serve` started as a separate process, the
//! scenarios it cannot give skipped with their reasons, and an unreachable target.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};

pub(crate) const USERS: [(&str, &str, &str); 7] = [
    ("admin", "adm", "adm-secret-1"),
    ("cluster_member", "cm", "cm-secret-2"),
    ("cluster_viewer", "cv", "cv-secret-3"),
    ("db_member", "dm", "dm-secret-4"),
    ("db_viewer", "dv", "dv-secret-5"),
    ("user_manager", "um", "um-secret-6"),
    ("none", "no", "no-secret-7"),
];

/// Held by the tests whose verdicts depend on time against `serve` on the machine's clock (the
/// whole corpus, with responders slower and faster than a timeout; real-time waits): one at a
/// time, so that two of them do not starve each other of the machine's two cores.
pub(crate) fn timing_lock() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// `serve` as a process, stopped (SIGINT) when dropped.
pub(crate) struct Served {
    child: Child,
    pub(crate) url: String,
    _dir: tempfile::TempDir,
    pub(crate) ca: String,
}

impl Served {
    /// `serve` with the provider states.
    pub(crate) fn start() -> Self {
        Self::start_with(&["--state-hooks"])
    }

    /// `serve` with these options besides the address, the CA file and the users.
    pub(crate) fn start_with(options: &[&str]) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let ca = dir
            .path()
            .join("ca.pem")
            .to_str()
            .expect("utf-8")
            .to_owned();
        let users: Vec<String> = USERS
            .iter()
            .map(|(role, user, password)| format!("{role}={user}:{password}"))
            .collect();
        let listen: &[&str] = if options.contains(&"--listen") {
            &[]
        } else {
            &["--listen", "127.0.0.1:0"]
        };
        let mut child = crate::harness()
            .arg("serve")
            .args(listen)
            .args(options)
            .args(["--ca-out", &ca])
            .env("OCSP_HARNESS_USERS", users.join(","))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("serve starts");
        let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
        let mut first = String::new();
        reader.read_line(&mut first).expect("reads");
        let url = first
            .split_whitespace()
            .find(|word| word.starts_with("https://"))
            .unwrap_or_else(|| panic!("no URL in {first:?}"))
            .to_owned();
        // The rest of what it prints is not needed; keep the pipe drained.
        std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
        Self {
            child,
            url,
            _dir: dir,
            ca,
        }
    }
}

impl Served {
    /// `run PATHS` against it with its CA, as the admin `adm` with `password` (from the
    /// environment, as a user is told to give it), certificate changes allowed.
    pub(crate) fn run_as_admin(&self, paths: &[&str], password: &str) -> Output {
        let target = [&self.target_args()[..], &["--allow-certificate-change"]].concat();
        run(
            &[paths, &target[..]].concat(),
            &[("OCSP_HARNESS_TARGET_PASSWORD", password.to_owned())],
        )
    }
}

impl Served {
    /// How a run reaches it as the admin `adm`: `--target URL --ca-cert FILE --user adm`.
    pub(crate) fn target_args(&self) -> [&str; 6] {
        [
            "--target",
            &self.url,
            "--ca-cert",
            &self.ca,
            "--user",
            "adm",
        ]
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

pub(crate) fn run(args: &[&str], env: &[(&str, String)]) -> Output {
    let mut command = crate::harness();
    command
        .arg("run")
        .args(args)
        .current_dir(crate::workspace_root());
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("run runs")
}

/// The results of the JSON report on stdout.
pub(crate) fn results(output: &Output) -> Vec<serde_json::Value> {
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
            panic!(
                "{error}: {}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            )
        });
    report["results"].as_array().cloned().unwrap_or_else(|| {
        panic!(
            "no results: {report:#}{}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

pub(crate) fn verdicts(results: &[serde_json::Value], verdict: &str) -> Vec<String> {
    results
        .iter()
        .filter(|result| result["verdict"] == verdict)
        .map(|result| result["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

pub(crate) fn role_users() -> String {
    USERS[1..]
        .iter()
        .map(|(role, user, password)| format!("{role}={user}:{password}"))
        .collect::<Vec<_>>()
        .join(",")
}

#[test]
fn the_corpus_passes_against_serve_as_a_process_skipping_only_what_needs_the_clock() {
    let _one_at_a_time = timing_lock();
    let served = Served::start();
    let state_url = format!("{}/_harness", served.url);
    let output = run(
        &[
            "scenarios",
            "--format",
            "json",
            "--target",
            &served.url,
            "--ca-cert",
            &served.ca,
            "--state-url",
            &state_url,
            "--allow-certificate-change",
        ],
        &[
            ("OCSP_HARNESS_TARGET_USER", "adm".to_owned()),
            ("OCSP_HARNESS_TARGET_PASSWORD", "adm-secret-1".to_owned()),
            ("OCSP_HARNESS_TARGET_ROLE_USERS", role_users()),
        ],
    );
    let results = results(&output);
    assert_eq!(output.status.code(), Some(0), "{results:#?}");
    assert!(verdicts(&results, "failed").is_empty());
    assert!(verdicts(&results, "error").is_empty());
    let skipped: Vec<&serde_json::Value> = results
        .iter()
        .filter(|result| result["verdict"] == "skipped")
        .collect();
    assert!(!skipped.is_empty(), "the polling timeline needs the clock");
    for result in &skipped {
        let reason = result["reason"].as_str().unwrap_or_default();
        assert!(
            reason.contains("moves the clock (line "),
            "only the clock is missing with every state and user given: {result}"
        );
    }
    assert!(
        verdicts(&results, "passed").len() >= 15,
        "most of the corpus runs remotely: {results:#?}"
    );
    let text = String::from_utf8_lossy(&output.stdout);
    for (_, _, password) in USERS {
        assert!(!text.contains(password), "a password in the report");
    }
}

#[test]
fn without_states_or_other_users_those_scenarios_are_skipped_with_the_reason() {
    let served = Served::start();
    let output = served.run_as_admin(&["scenarios"], "adm-secret-1");
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{text}");
    for expected in [
        "SKIP  auth::viewer-forbidden",
        "skipped: it sends as cluster_viewer (line 9): give --role-user cluster_viewer=USER:PASSWORD",
        "SKIP  capability::node-without-ocsp",
        "skipped: it needs node 2 without the OCSP capability, a provider state: give --state-url",
        "SKIP  test::task-queued-for-too-long",
        "skipped: it needs a stalled task queue, a provider state: give --state-url",
        "SKIP  status::invalid-response-cached",
        "skipped: it reads what a background poll found (OCSP turned on at line 11): give --real-time to wait for the poll, or --state-url",
        "PASS  test::good",
    ] {
        assert!(text.contains(expected), "{expected:?} in\n{text}");
    }
    assert!(text.contains(" skipped\n"), "{text}");
}

#[test]
fn an_unreachable_target_exits_3_and_wrong_credentials_exit_2() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
    let closed = format!("http://{}", listener.local_addr().expect("address"));
    drop(listener);
    let output = run(
        &["scenarios", "--target", &closed, "--user", "a"],
        &[("OCSP_HARNESS_TARGET_PASSWORD", "b".to_owned())],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!("the target {closed} is unreachable")),
        "{stderr}"
    );

    let served = Served::start();
    let output = served.run_as_admin(&["scenarios"], "not-it");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("the target refused the admin user \"adm\" (HTTP 401"),
        "{stderr}"
    );
    assert!(!stderr.contains("not-it"), "{stderr}");

    // Without the CA, the target's certificate is refused: nothing answered, exit 3.
    let output = run(
        &["scenarios", "--target", &served.url, "--user", "adm"],
        &[("OCSP_HARNESS_TARGET_PASSWORD", "adm-secret-1".to_owned())],
    );
    assert_eq!(
        output.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // --insecure accepts it.
    let output = run(
        &[
            "scenarios/test-endpoint/good.yaml",
            "--target",
            &served.url,
            "--insecure",
            "--user",
            "adm",
        ],
        &[("OCSP_HARNESS_TARGET_PASSWORD", "adm-secret-1".to_owned())],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

pub(crate) fn curl(served: &Served, args: &[&str]) -> serde_json::Value {
    let output = Command::new("curl")
        .args(["-s", "--cacert", &served.ca, "-u", "adm:adm-secret-1"])
        .args(args)
        .output()
        .expect("curl runs");
    serde_json::from_slice(&output.stdout).expect("JSON")
}

/// `PUT url` with a JSON body, as the admin.
pub(crate) fn curl_put_json(served: &Served, url: &str, body: &str) -> serde_json::Value {
    curl(
        served,
        &[
            "-X",
            "PUT",
            "-H",
            "content-type: application/json",
            "--data",
            body,
            url,
        ],
    )
}

#[test]
fn scenarios_start_from_the_defaults_and_the_targets_configuration_is_put_back() {
    let served = Served::start();
    let config = format!("{}/v1/ocsp", served.url);
    let changed = curl_put_json(
        &served,
        &config,
        "{\"query_frequency\": 900, \"response_timeout\": 7}",
    );
    assert_eq!(changed["query_frequency"], 900);
    let output = served.run_as_admin(
        &[
            "scenarios/configuration/defaults.yaml",
            "scenarios/configuration/partial-update.yaml",
        ],
        "adm-secret-1",
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let after = curl(&served, &[&config]);
    assert_eq!(after["query_frequency"], 900, "{after}");
    assert_eq!(after["response_timeout"], 7, "{after}");
}

#[test]
fn credentials_in_the_environment_do_not_disturb_an_embedded_run() {
    let output = run(
        &["--list"],
        &[
            ("OCSP_HARNESS_TARGET_USER", "adm".to_owned()),
            ("OCSP_HARNESS_TARGET_PASSWORD", "pw".to_owned()),
            ("OCSP_HARNESS_TARGET_ROLE_USERS", role_users()),
        ],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn remote_options_without_a_target_are_usage_errors() {
    let output = run(&["--ca-cert", "x.pem"], &[]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--target"), "{stderr}");
    let output = run(&["--target", "https://x.invalid"], &[]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--user and --password"), "{stderr}");
    // A password in the URL would be printed in every report.
    let output = run(
        &["--target", "https://adm:secret@x.invalid/", "--user", "a"],
        &[("OCSP_HARNESS_TARGET_PASSWORD", "b".to_owned())],
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--target must not hold credentials"),
        "{stderr}"
    );
    assert!(!stderr.contains("secret"), "{stderr}");
}

#[test]
fn the_alert_settings_are_put_back_and_other_certificates_are_left_alone() {
    let served = Served::start();
    let cluster = format!("{}/v1/cluster", served.url);
    let changed = curl_put_json(
        &served,
        &cluster,
        "{\"alert_settings\": {\"cluster_ocsp_status_revoked\": true}}",
    );
    assert_eq!(
        changed["alert_settings"]["cluster_ocsp_status_revoked"],
        true
    );
    // This scenario starts from the settings' defaults and turns the other alert on.
    let output = served.run_as_admin(
        &[
            "scenarios/alerts/settings-off-by-default.yaml",
            "--role-user",
            "cluster_viewer=cv:cv-secret-3",
        ],
        "adm-secret-1",
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let after = curl(&served, &[&cluster]);
    assert_eq!(
        after["alert_settings"],
        serde_json::json!({"cluster_ocsp_query_failed": false, "cluster_ocsp_status_revoked": true}),
        "{after}"
    );

    // Without provider states, the scenarios that delete, rotate or install certificates run
    // too: each is followed by putting the target's certificates back.
    let certificates = format!("{}/v1/cluster/certificates", served.url);
    let before = curl(&served, &[&certificates]);
    let output = served.run_as_admin(
        &["scenarios/certificates", "--format", "json"],
        "adm-secret-1",
    );
    let results = results(&output);
    let mut changed_others = 0;
    for result in &results {
        let changes_others = result["path"].as_str().is_some_and(|path| {
            ["delete", "rotate", "key-optional"]
                .iter()
                .any(|word| path.contains(word))
        });
        // Those that need a node unable to write certificates need the provider states.
        if changes_others
            && !result["reason"]
                .as_str()
                .is_some_and(|reason| reason.contains("provider state"))
        {
            assert_eq!(result["verdict"], "passed", "{result}");
            changed_others += 1;
        }
    }
    assert!(changed_others >= 5, "{results:#?}");
    assert_eq!(curl(&served, &[&certificates]), before);
}
