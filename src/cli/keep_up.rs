//! `run --keep-up ID`: one scenario's world, up until interrupted, with what a person needs to
//! reach it: the URLs, the users, the CA file, and a curl line for each request of the
//! scenario.

use std::fmt::Write as _;
use std::process::ExitCode;

use anyhow::Context;

use ocsp_harness::contract::Users;
use ocsp_harness::runner::KeptWorld;
use ocsp_harness::scenario::{Action, Scenario, SendStep, Who};

use super::{emit, stop_requested};

/// Brings the world up, prints how to reach it, waits for Ctrl-C or SIGTERM.
pub fn keep_up(scenario: &Scenario) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let world = KeptWorld::start(scenario)
            .await
            .map_err(|message| anyhow::anyhow!("{}: {message}", scenario.id))?;
        let ca_path =
            std::env::temp_dir().join(format!("ocsp-harness-ca-{}.pem", std::process::id()));
        std::fs::write(&ca_path, world.ca_pem())
            .with_context(|| format!("cannot write {}", ca_path.display()))?;
        let stop = stop_requested();
        emit(&describe(scenario, &world, &ca_path.display().to_string()))?;
        let interrupted = match stop {
            Ok(stop) => {
                stop.await;
                Ok(())
            }
            Err(error) => Err(error),
        };
        world.shutdown().await;
        // Ours to remove: written for this session only.
        let _ = std::fs::remove_file(&ca_path);
        interrupted?;
        Ok(ExitCode::SUCCESS)
    })
}

fn describe(scenario: &Scenario, world: &KeptWorld, ca_path: &str) -> String {
    let mut text = String::new();
    // Writing to a String cannot fail.
    let _ = writeln!(
        text,
        "{} [{}] {}",
        scenario.id, scenario.level, scenario.title
    );
    let _ = writeln!(text, "server:    {}", world.url());
    let _ = writeln!(
        text,
        "responder: {} ({})",
        world.responder_url(),
        scenario.world.behaviour_name
    );
    let _ = writeln!(text, "CA file:   {ca_path}");
    let _ = writeln!(
        text,
        "clock:     {} (virtual; waits inside a request are jumped over)",
        ocsp_harness::contract::imf_fixdate(world.now())
    );
    let _ = writeln!(text, "users:");
    for user in world.users().all() {
        let _ = writeln!(text, "  {} {}:{}", user.role, user.username, user.password);
    }
    let _ = writeln!(text, "the scenario's steps:");
    for step in &scenario.steps {
        let line = match &step.action {
            Action::Send(send) => curl_line(send, world.url(), world.users(), ca_path),
            Action::Advance(by) => format!(
                "curl --cacert {ca_path} -X PUT -H 'content-type: application/json' --data '{{\"advance\": {}}}' {}/_harness/clock",
                by.whole_seconds(),
                world.url()
            ),
            Action::Responder { name, .. } => {
                format!("# the responder now behaves as {name} (not reproducible from here)")
            }
            Action::InstallProxy(role) => {
                format!("# install the {role} certificate with PUT /v1/cluster/update_cert")
            }
            Action::ExpectJournal(_) => "# check what the responder has seen".to_owned(),
        };
        let _ = writeln!(text, "  line {}: {line}", step.line);
    }
    let _ = writeln!(text, "up until interrupted (Ctrl-C)");
    text
}

fn curl_line(send: &SendStep, url: &str, users: &Users, ca_path: &str) -> String {
    let mut words = vec![format!("curl --cacert {ca_path}")];
    match &send.who {
        Who::Role(role) => {
            if let Some(user) = users.with_role(*role) {
                words.push(format!(
                    "-u {}",
                    quote(&format!("{}:{}", user.username, user.password))
                ));
            }
        }
        Who::Credentials { user, password } => {
            words.push(format!("-u {}", quote(&format!("{user}:{password}"))));
        }
        Who::Anonymous => {}
    }
    words.push(format!("-X {}", send.method));
    for (name, value) in &send.headers {
        words.push(format!("-H {}", quote(&format!("{name}: {value}"))));
    }
    if let Some((body, json)) = &send.body {
        if *json {
            words.push("-H 'content-type: application/json'".to_owned());
        }
        words.push(format!(
            "--data-binary {}",
            quote(&String::from_utf8_lossy(body))
        ));
    }
    words.push(quote(&format!("{url}{}", send.path)));
    words.join(" ")
}

/// Single-quoted for a POSIX shell.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn quoting_survives_single_quotes() {
        assert_eq!(quote("it's"), r"'it'\''s'");
    }
}
