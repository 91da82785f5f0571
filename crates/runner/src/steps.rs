//! Running a scenario's steps against a target, embedded or remote: the same requests, the
//! same checks. What differs (where the target is, whose clock moves, who the users are) is
//! behind [`Target`].

use std::future::Future;
use std::sync::Arc;

use serde_json::Value;
use time::Duration;

use super::{Mismatch, Verdict};
use crate::error::{BodyProblem, HttpError, InstallError, RunError, SetupError, StepError};
use crate::remote::plan::{POLL_GRACE, turns_ocsp_on};
use client::http_body::{BodyError, read_capped};
use clock::Clock;
use contract::{Endpoint, ManagementRole, Users};
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
    /// How the proxy certificate is installed on this target.
    fn install_path(&self) -> &InstallPath;
    /// Whether a scenario starts by installing the harness's proxy certificate.
    fn installs_proxy(&self) -> bool {
        true
    }
    /// On a target whose background polls run in real time (`--real-time`), the clock a read
    /// that waits for one retries on; `None` where the runner can settle the polls instead.
    fn poll_wait(&self) -> Option<&dyn Clock> {
        None
    }
    /// Sends a request, moving the clock while it waits if the clock is virtual.
    fn exchange(
        &self,
        request: reqwest::RequestBuilder,
    ) -> impl Future<Output = Result<reqwest::Response, reqwest::Error>> + Send;
}

/// Installs the proxy certificate, sets the nodes that cannot write certificates, then runs
/// the steps in order.
pub(crate) async fn run_steps(target: &impl Target, scenario: &Scenario) -> Verdict {
    if target.installs_proxy() {
        if let Err(error) = install(target, Role::Proxy).await {
            return Verdict::error(&RunError::World(SetupError::Install(error)));
        }
    }
    let failing = &scenario.world.certificate_failing_nodes;
    if !failing.is_empty() {
        if let Err(error) = target.fail_certificate_writes(failing).await {
            return Verdict::error(&RunError::World(error));
        }
    }
    let journal_start = target.responder().journal().total();
    let mut mismatches = Vec::new();
    // Once OCSP is on or the clock has moved, a background poll may be on its way.
    let mut polling = false;
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
                polling = true;
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
                let found = until_met(target, polling, || async {
                    check_journal(target, expect, journal_start)
                })
                .await;
                mismatches.extend(found.into_iter().map(|(path, expected, actual)| Mismatch {
                    line: Some(step.line),
                    request: "journal since the start".to_owned(),
                    path,
                    expected,
                    actual,
                }));
            }
            Action::Send(send) => {
                polling |= turns_ocsp_on(send);
                // Only a read is sent again: a change sent twice would be another scenario.
                let found = if send.method == http::Method::GET {
                    until_met(target, polling, || {
                        send_step(target, send, step.line, polling)
                    })
                    .await
                } else {
                    send_step(target, send, step.line, polling).await
                };
                match found {
                    Ok(found) => mismatches.extend(found),
                    Err(error) => return Verdict::error(&at(error)),
                }
            }
        }
    }
    if mismatches.is_empty() {
        Verdict::Passed
    } else {
        Verdict::Failed { mismatches }
    }
}

/// How the proxy certificate is installed: through `PUT /v1/cluster/certificates` (the
/// request since 7.22.2), or through the deprecated `PUT /v1/cluster/update_cert` on a target
/// that does not have the former (it answers 404 or 405). Learnt once per target.
#[derive(Debug, Default)]
pub(crate) struct InstallPath {
    legacy: std::sync::atomic::AtomicBool,
}

impl InstallPath {
    /// Whether the target lacks `PUT /v1/cluster/certificates` (found by the first install).
    pub(crate) fn is_legacy(&self) -> bool {
        self.legacy.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// Installs `role`'s certificate (with its chain and key) as the proxy certificate, as the
/// admin, through `PUT /v1/cluster/certificates`, or `update_cert` where the target does not
/// have that request.
pub(crate) async fn install(target: &impl Target, role: Role) -> Result<(), InstallError> {
    let pki = target.pki();
    let entry = serde_json::json!({
        "name": "proxy",
        "certificate": pki.chain_pem(role),
        "key": pki.cert(role).key_pem(),
    });
    if !target.install_path().is_legacy() {
        let status = put_certificate(
            target,
            role,
            Endpoint::PutCertificates,
            &serde_json::json!({"certificates": [entry]}),
        )
        .await?;
        if status != 404 && status != 405 {
            return refused_unless_ok(role, Endpoint::PutCertificates, status);
        }
        target
            .install_path()
            .legacy
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }
    let status = put_certificate(target, role, Endpoint::UpdateCert, &entry).await?;
    refused_unless_ok(role, Endpoint::UpdateCert, status)
}

async fn put_certificate(
    target: &impl Target,
    role: Role,
    endpoint: Endpoint,
    body: &Value,
) -> Result<u16, InstallError> {
    let admin = target
        .users()
        .with_role(ManagementRole::Admin)
        .ok_or(InstallError::NoAdmin)?;
    let request = target
        .http()
        .put(format!("{}{}", target.url(), endpoint.path()))
        .basic_auth(&admin.username, Some(&admin.password))
        .json(body);
    let response = target
        .exchange(request)
        .await
        .map_err(|source| InstallError::NoAnswer { role, source })?;
    Ok(response.status().as_u16())
}

fn refused_unless_ok(role: Role, endpoint: Endpoint, status: u16) -> Result<(), InstallError> {
    if status == 200 {
        Ok(())
    } else {
        Err(InstallError::Refused {
            role,
            endpoint,
            status,
        })
    }
}

/// How often a read that waits for a background poll is sent again, in the target's time.
const RETRY_EVERY: Duration = Duration::seconds(1);

/// What `check` finds, retried (on a target whose polls run in real time, once a poll may be
/// on its way) until it finds nothing or [`POLL_GRACE`] has passed.
async fn until_met<T: Retried, F, Fut>(target: &impl Target, polling: bool, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = T>,
{
    let found = check().await;
    let Some(clock) = target.poll_wait().filter(|_| polling) else {
        return found;
    };
    let deadline = clock.now() + POLL_GRACE;
    let mut found = found;
    while !found.is_met() && clock.now() < deadline {
        clock.sleep(RETRY_EVERY).await;
        found = check().await;
    }
    found
}

/// A check's outcome that [`until_met`] can retry.
trait Retried {
    /// Whether every expectation held (an error is not retried).
    fn is_met(&self) -> bool;
}

impl<T> Retried for Vec<T> {
    fn is_met(&self) -> bool {
        self.is_empty()
    }
}

impl<T, E> Retried for Result<Vec<T>, E> {
    fn is_met(&self) -> bool {
        self.as_ref().map_or(true, Vec::is_empty)
    }
}

async fn send_step(
    target: &impl Target,
    step: &SendStep,
    line: u64,
    polling: bool,
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
        let found = until_met(target, polling, || async {
            check_journal(target, expect, journal_before)
        })
        .await;
        for (path, expected, actual) in found {
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
        let is_expected = |found: &&str| names_serial(found, serial);
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

/// Whether a journal's printed CertID serial is `expected`. Compared as numbers, not as text:
/// both sides are printed by `pki::DerInteger`, but a remote journal read back as JSON could
/// write hex in another case or with a leading zero, and a zero or negative serial (printed
/// `00`, `-80`) parses to no [`Serial`], so it names no certificate of ours.
fn names_serial(printed: &str, expected: &Serial) -> bool {
    printed
        .parse::<Serial>()
        .is_ok_and(|found| found == *expected)
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

#[cfg(test)]
mod tests {
    use std::sync::{Arc, OnceLock};

    use der::{Decode, Encode};
    use proptest::prelude::*;
    use time::OffsetDateTime;
    use time::macros::datetime;
    use x509_cert::Certificate;
    use x509_cert::serial_number::SerialNumber;

    use super::*;
    use clock::VirtualClock;
    use ocsp::{CertIdSummary, IssuerHashes, build_request, cert_id_for, same_serial};
    use pki::{DerInteger, PkiProfile};
    use responder::{Behaviour, Responder, ResponderConfig};

    const AT: OffsetDateTime = datetime!(2026-03-01 12:00 UTC);

    fn certificate(pki: &TestPki, role: Role) -> Certificate {
        Certificate::from_der(pki.cert(role).der()).expect("decodes")
    }

    fn issuer() -> &'static Certificate {
        static ISSUER: OnceLock<Certificate> = OnceLock::new();
        ISSUER.get_or_init(|| {
            let pki = TestPki::generate(&PkiProfile::at(AT)).expect("generates");
            certificate(&pki, Role::Intermediate)
        })
    }

    /// The magnitude of a serial whose DER encoding takes 1 to 20 octets, half of them with
    /// the top bit set (so that DER adds a zero octet and the magnitude takes 1 to 19).
    fn serial_magnitude() -> impl Strategy<Value = Vec<u8>> {
        let with_first = |first: std::ops::RangeInclusive<u8>, rest_max: usize| {
            (first, proptest::collection::vec(any::<u8>(), 0..=rest_max))
                .prop_map(|(first, rest)| std::iter::once(first).chain(rest).collect::<Vec<u8>>())
        };
        prop_oneof![with_first(0x01..=0x7f, 19), with_first(0x80..=0xff, 18)]
    }

    proptest! {
        #[test]
        fn a_cert_id_serial_prints_parses_compares_and_matches_as_one_number(
            magnitude in serial_magnitude(),
        ) {
            let serial = Serial::from_be_bytes(&magnitude).expect("a valid serial");
            let minimal = SerialNumber::new(&magnitude).expect("a valid serial number");
            let top_bit = magnitude[0] & 0x80 != 0;
            prop_assert_eq!(minimal.as_bytes().len(), magnitude.len() + usize::from(top_bit));
            // The CertID is built from the serial as it travels: DER, decoded again.
            let decoded = SerialNumber::from_der(&minimal.to_der().expect("encodes"))
                .expect("decodes");
            let cert_id = IssuerHashes::of(issuer(), ocsp::HashAlgorithm::Sha1)
                .and_then(|hashes| hashes.cert_id(decoded))
                .expect("cert id");
            let printed = CertIdSummary::of(&cert_id).serial;
            prop_assert_eq!(&printed, &serial.to_hex());
            prop_assert_eq!(printed.parse::<Serial>().expect("parses"), serial.clone());

            // A redundant leading zero, however it arrives, is the same number.
            let padded_magnitude = [&[0x00][..], &magnitude].concat();
            let padded = SerialNumber::new(&padded_magnitude).expect("a valid serial number");
            prop_assert!(same_serial(&minimal, &padded));
            prop_assert!(same_serial(&cert_id.serial_number, &minimal));
            let padded_content = [&[0x00][..], minimal.as_bytes()].concat();
            prop_assert_eq!(
                DerInteger::from_content(&padded_content),
                DerInteger::from_content(minimal.as_bytes())
            );

            prop_assert!(names_serial(&printed, &serial));
            // And neither comparison is blind: another number differs.
            let mut other = magnitude.clone();
            if let Some(last) = other.last_mut() {
                *last ^= 1;
            }
            let other_serial = Serial::from_be_bytes(&other).expect("a valid serial");
            prop_assert!(!names_serial(&printed, &other_serial));
            let other = SerialNumber::new(&other).expect("a valid serial number");
            prop_assert!(!same_serial(&minimal, &other));
        }
    }

    #[test]
    fn zero_and_negative_serials_name_no_certificate() {
        let serial: Serial = "80".parse().expect("serial");
        // INTEGER -128 is the single octet 80: the same octets as the magnitude of +128.
        let negative = SerialNumber::from_der(&[0x02, 0x01, 0x80]).expect("decodes");
        let cert_id = IssuerHashes::of(issuer(), ocsp::HashAlgorithm::Sha1)
            .and_then(|hashes| hashes.cert_id(negative))
            .expect("cert id");
        let printed = CertIdSummary::of(&cert_id).serial;
        assert_eq!(printed, "-80");
        assert!(!names_serial(&printed, &serial));
        assert!(names_serial("0080", &serial));
        assert!(!names_serial("00", &serial));
    }

    /// The corpus failure this guards against: a proxy serial whose top bit is set, asked
    /// about by a real client of a real responder, was reported as another certificate.
    #[tokio::test]
    async fn the_cert_matcher_passes_for_a_top_bit_proxy_serial_in_a_real_journal() {
        let serial: Serial = "E1449F85C0FFEE01".parse().expect("serial");
        let pki = Arc::new(
            TestPki::generate(&PkiProfile {
                proxy_serial: Some(serial.clone()),
                ..PkiProfile::at(AT)
            })
            .expect("generates"),
        );
        let clock: Arc<dyn Clock> = Arc::new(VirtualClock::new(AT));
        let responder = Responder::start(
            Arc::clone(&pki),
            Behaviour::default(),
            ResponderConfig::ephemeral(clock),
        )
        .await
        .expect("starts");
        let cert_id = cert_id_for(
            &certificate(&pki, Role::Intermediate),
            &certificate(&pki, Role::Proxy),
            ocsp::HashAlgorithm::Sha1,
        )
        .expect("cert id");
        // The serial really travels with DER's sign octet.
        assert_eq!(cert_id.serial_number.as_bytes()[0], 0x00);
        let answer = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("client")
            .post(responder.url())
            .header("content-type", "application/ocsp-request")
            .body(build_request(cert_id, None).expect("request"))
            .send()
            .await
            .expect("answered");
        assert_eq!(answer.status(), 200);

        let entries = responder.journal().entries();
        assert_eq!(entries.len(), 1);
        let summary = entries[0].request.as_ref().expect("decoded");
        assert_eq!(summary.cert_ids[0].serial, serial.to_hex());
        let expect_proxy = JournalExpect {
            cert: Some(Role::Proxy),
            ..JournalExpect::default()
        };
        assert_eq!(entry_mismatches(&entries[0], &expect_proxy, &pki), []);
        let expect_other = JournalExpect {
            cert: Some(Role::ProxyNoAia),
            ..JournalExpect::default()
        };
        let found = entry_mismatches(&entries[0], &expect_other, &pki);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].2, serial.to_hex());
        responder.shutdown().await;
    }
}
