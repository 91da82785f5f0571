//! Running a scenario's steps against a target, embedded or remote: the same requests, the
//! same checks. What differs (where the target is, whose clock moves, who the users are) is
//! behind [`Target`].

use std::future::Future;
use std::sync::Arc;

use serde_json::Value;
use time::Duration;

use super::{Mismatch, Verdict};
use crate::error::{BodyProblem, HttpError, InstallError, RunError, SetupError, StepError};
use client::http_body::{BodyError, read_capped};
use contract::{ManagementRole, Users};
use ocsp::HashAlgorithm;
use pki::{Role, Serial, TestPki};
use responder::{JournalEntry, ResponderHandle};
use scenario::{Action, JournalExpect, MatchContext, Scenario, SendStep, Who};

/// The most of an answer's body the runner reads: a target that sends more is answering
/// wrongly, and must not exhaust the harness's memory.
pub const MAX_ANSWER_BODY: usize = 4 * 1024 * 1024;

/// What the steps need from where they run.
pub(crate) trait Target: Sync {
    /// The target's base URL, without a trailing slash.
    fn url(&self) -> &str;
    /// The client that talks to it.
    fn http(&self) -> &reqwest::Client;
    /// Its users.
    fn users(&self) -> &Users;
    /// The harness's responder.
    fn responder(&self) -> &ResponderHandle;
    /// The PKI the responder answers for.
    fn pki(&self) -> Arc<TestPki>;
    /// What clock matchers compare with, now.
    fn match_context(&self) -> MatchContext;
    /// Lets work the target has due (polls the clock made due) finish.
    fn settle(&self) -> impl Future<Output = Result<(), HttpError>> + Send;
    /// Moves the target's clock, through every deadline on the way (each poll that falls due
    /// runs at its own time); `Err` when it cannot be moved.
    fn advance(&self, by: Duration) -> impl Future<Output = Result<(), StepError>> + Send;
    /// Makes `nodes` unable to write certificates (a provider state, set once the proxy
    /// certificate is installed, since it would refuse that too).
    fn fail_certificate_writes(
        &self,
        nodes: &[usize],
    ) -> impl Future<Output = Result<(), SetupError>> + Send;
    /// Sends a request, moving the clock while it waits if the clock is virtual.
    fn exchange(
        &self,
        request: reqwest::RequestBuilder,
    ) -> impl Future<Output = Result<reqwest::Response, reqwest::Error>> + Send;
}

/// Installs the proxy certificate, sets the nodes that cannot write certificates, then runs
/// the steps in order.
pub(crate) async fn run_steps(target: &impl Target, scenario: &Scenario) -> Verdict {
    if let Err(error) = install(target, Role::Proxy).await {
        return Verdict::error(&RunError::World(SetupError::Install(error)));
    }
    let failing = &scenario.world.certificate_failing_nodes;
    if !failing.is_empty() {
        if let Err(error) = target.fail_certificate_writes(failing).await {
            return Verdict::error(&RunError::World(error));
        }
    }
    let journal_start = target.responder().journal().total();
    let mut mismatches = Vec::new();
    for step in &scenario.steps {
        let at = |error| RunError::Step {
            line: step.line,
            error,
        };
        if let Err(error) = target.settle().await {
            return Verdict::error(&at(StepError::Settle(error)));
        }
        match &step.action {
            Action::Advance(by) => {
                if let Err(error) = target.advance(*by).await {
                    return Verdict::error(&at(error));
                }
            }
            Action::Responder { behaviour, .. } => {
                target.responder().set_behaviour(behaviour.clone());
            }
            Action::InstallProxy(role) => {
                if let Err(error) = install(target, *role).await {
                    return Verdict::error(&at(StepError::Install(error)));
                }
            }
            Action::ExpectJournal(expect) => {
                let found = check_journal(target, expect, journal_start);
                mismatches.extend(found.into_iter().map(|(path, expected, actual)| Mismatch {
                    line: Some(step.line),
                    request: "journal since the start".to_owned(),
                    path,
                    expected,
                    actual,
                }));
            }
            Action::Send(send) => match send_step(target, send, step.line).await {
                Ok(found) => mismatches.extend(found),
                Err(error) => return Verdict::error(&at(error)),
            },
        }
    }
    if mismatches.is_empty() {
        Verdict::Passed
    } else {
        Verdict::Failed { mismatches }
    }
}

/// Installs `role`'s certificate (with its chain and key) as the proxy certificate, through
/// the documented `PUT /v1/cluster/update_cert`, as the admin.
pub(crate) async fn install(target: &impl Target, role: Role) -> Result<(), InstallError> {
    let pki = target.pki();
    let admin = target
        .users()
        .with_role(ManagementRole::Admin)
        .ok_or(InstallError::NoAdmin)?;
    let request = target
        .http()
        .put(format!("{}/v1/cluster/update_cert", target.url()))
        .basic_auth(&admin.username, Some(&admin.password))
        .json(&serde_json::json!({
            "name": "proxy",
            "certificate": pki.chain_pem(role),
            "key": pki.cert(role).key_pem(),
        }));
    let response = target
        .exchange(request)
        .await
        .map_err(|source| InstallError::NoAnswer { role, source })?;
    if response.status() == 200 {
        Ok(())
    } else {
        Err(InstallError::Refused {
            role,
            status: response.status().as_u16(),
        })
    }
}

async fn send_step(
    target: &impl Target,
    step: &SendStep,
    line: u64,
) -> Result<Vec<Mismatch>, StepError> {
    let request_line = format!("{} {}", step.method, step.path);
    let mut request = target.http().request(
        step.method.clone(),
        format!("{}{}", target.url(), step.path),
    );
    match &step.who {
        Who::Role(role) => {
            let user = target
                .users()
                .with_role(*role)
                .ok_or(StepError::NoUser(*role))?;
            request = request.basic_auth(&user.username, Some(&user.password));
        }
        Who::Credentials { user, password } => request = request.basic_auth(user, Some(password)),
        Who::Anonymous => {}
    }
    if let Some((body, json)) = &step.body {
        if *json {
            request = request.header("content-type", "application/json");
        }
        request = request.body(body.clone());
    }
    for (name, value) in &step.headers {
        request = request.header(name, value);
    }
    let journal_before = target.responder().journal().total();
    let response = target
        .exchange(request)
        .await
        .map_err(|source| StepError::NoAnswer {
            request: request_line.clone(),
            source,
        })?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = read_capped(response, MAX_ANSWER_BODY)
        .await
        .map_err(|error| StepError::Body {
            request: request_line.clone(),
            why: match error {
                BodyError::TooLarge => BodyProblem::TooLarge(MAX_ANSWER_BODY),
                BodyError::Read(error) => BodyProblem::Read(error),
            },
        })?;
    let context = target.match_context();

    let mut mismatches = Vec::new();
    let mut mismatch = |path: String, expected: String, actual: String| {
        mismatches.push(Mismatch {
            line: Some(line),
            request: request_line.clone(),
            path,
            expected,
            actual,
        });
    };
    if status != step.status {
        mismatch(
            "status".to_owned(),
            step.status.to_string(),
            status.to_string(),
        );
    }
    if !step.fields.is_empty() || step.body_is.is_some() {
        match serde_json::from_slice::<Value>(&bytes) {
            Err(_) => mismatch("body".to_owned(), "a JSON body".to_owned(), excerpt(&bytes)),
            Ok(body) => {
                if let Some(expected) = &step.body_is {
                    if *expected != body {
                        mismatch("body".to_owned(), expected.to_string(), body.to_string());
                    }
                }
                for (name, matcher) in &step.fields {
                    let actual = scenario::field_at(&body, name);
                    if let Err(expected) = matcher.check(actual, &context) {
                        let actual = actual.map_or_else(|| "absent".to_owned(), Value::to_string);
                        mismatch(format!("body.{name}"), expected.to_string(), actual);
                    }
                }
            }
        }
    }
    for (name, matcher) in &step.answer_headers {
        let values: Vec<Value> = headers
            .get_all(name.as_str())
            .iter()
            .map(|value| Value::String(String::from_utf8_lossy(value.as_bytes()).into_owned()))
            .collect();
        // A header sent more than once is checked as its first value.
        let actual = values.first();
        if let Err(expected) = matcher.check(actual, &context) {
            let actual = actual.map_or_else(|| "absent".to_owned(), Value::to_string);
            mismatch(format!("headers.{name}"), expected.to_string(), actual);
        }
    }
    if let Some(expect) = &step.journal {
        // What the step set off in the background (a poll when OCSP was turned on) belongs to
        // it: counted once that work is done.
        target.settle().await.map_err(StepError::Settle)?;
        for (path, expected, actual) in check_journal(target, expect, journal_before) {
            mismatch(path, expected, actual);
        }
    }
    Ok(mismatches)
}

/// Checks the requests the responder received since its journal counted `since`, as
/// `(path, expected, actual)` triples.
fn check_journal(
    target: &impl Target,
    expect: &JournalExpect,
    since: u64,
) -> Vec<(String, String, String)> {
    let journal = target.responder().journal();
    let count = journal.total().saturating_sub(since);
    let mut found = Vec::new();
    if let Some(expected) = expect.requests {
        if expected != count {
            found.push((
                "journal.requests".to_owned(),
                expected.to_string(),
                count.to_string(),
            ));
        }
    }
    // A remote run's journal holds every scenario's requests: decode only this window's.
    let recent = journal.recent(usize::try_from(count).unwrap_or(usize::MAX));
    let pki = target.pki();
    for (index, entry) in recent.iter().enumerate() {
        for (property, expected, actual) in entry_mismatches(entry, expect, &pki) {
            found.push((format!("journal[{index}].{property}"), expected, actual));
        }
    }
    found
}

fn entry_mismatches(
    entry: &JournalEntry,
    expect: &JournalExpect,
    pki: &TestPki,
) -> Vec<(&'static str, String, String)> {
    let mut found = Vec::new();
    if let Some(method) = &expect.method {
        if entry.ocsp_method() != Some(*method) {
            found.push(("method", method.to_string(), entry.method.to_string()));
        }
    }
    let summary = entry.request.as_ref();
    if let Some(nonce) = expect.nonce {
        let sent = summary.is_ok_and(|summary| summary.nonce.is_some());
        if sent != nonce {
            let word = |present: bool| if present { "a nonce" } else { "no nonce" };
            found.push(("nonce", word(nonce).to_owned(), word(sent).to_owned()));
        }
    }
    let cert_ids = summary.map(|summary| summary.cert_ids.as_slice());
    if let Some(algorithm) = expect.hash_algorithm {
        let actual: Vec<&str> = cert_ids
            .unwrap_or_default()
            .iter()
            .map(|cert_id| cert_id.hash_algorithm.as_str())
            .collect();
        let is_expected = |name: &&str| name.parse::<HashAlgorithm>() == Ok(algorithm);
        if actual.is_empty() || !actual.iter().all(is_expected) {
            found.push((
                "hash_algorithm",
                algorithm.name().to_owned(),
                describe_list(&actual, entry),
            ));
        }
    }
    if let Some(role) = expect.cert {
        let serial = &pki.cert(role).summary().serial;
        let actual: Vec<&str> = cert_ids
            .unwrap_or_default()
            .iter()
            .map(|cert_id| cert_id.serial.as_str())
            .collect();
        // As numbers, not as text: DER writes a serial whose top bit is set with a leading
        // zero octet, which the certificate's summary does not.
        let is_expected = |found: &&str| found.parse::<Serial>().ok().as_ref() == Some(serial);
        if actual.is_empty() || !actual.iter().all(is_expected) {
            found.push((
                "cert",
                format!("the {role} certificate (serial {serial})"),
                describe_list(&actual, entry),
            ));
        }
    }
    found
}

fn describe_list(values: &[&str], entry: &JournalEntry) -> String {
    match &entry.request {
        Err(error) => format!("an undecodable request ({error})"),
        Ok(_) if values.is_empty() => "no CertID".to_owned(),
        Ok(_) => values.join(", "),
    }
}

/// The start of a body that is not JSON, for a report.
fn excerpt(bytes: &[u8]) -> String {
    let text: String = String::from_utf8_lossy(bytes).chars().take(200).collect();
    if text.is_empty() {
        "an empty body".to_owned()
    } else {
        serde_json::Value::String(text).to_string()
    }
}
