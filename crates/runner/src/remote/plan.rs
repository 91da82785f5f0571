//! What a remote run would do to its target, decided from the options and the scenarios
//! alone: which scenarios run, which are skipped and why, what each one changes, and how long
//! each takes in real time. `run --plan` prints it without a single request; the session
//! follows the same decisions.

use std::time::Duration as StdDuration;

use serde_json::Value;
use time::Duration;

use super::RemoteOptions;
use contract::Endpoint;
use scenario::{Action, Scenario, SendStep, Who};

/// How long, in the target's time, a read that waits for a background poll (or a journal
/// check after one) retries before its expectation counts as not met.
pub const POLL_GRACE: Duration = Duration::seconds(30);

/// The decisions of a remote run, from its options.
#[derive(Debug, Clone, Copy)]
pub struct Planner<'a> {
    options: &'a RemoteOptions,
}

/// What one scenario would do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// It runs, making these changes to the target.
    Runs {
        /// Each change, in words, in order.
        changes: Vec<String>,
    },
    /// It is skipped.
    Skipped {
        /// Why, and how to make it run.
        reason: String,
    },
}

impl<'a> Planner<'a> {
    /// The planner of a run with `options`.
    pub fn new(options: &'a RemoteOptions) -> Self {
        Self { options }
    }

    /// Why the target cannot run `scenario` whatever it shows, if it cannot.
    pub fn skip_reason(&self, scenario: &Scenario) -> Option<String> {
        let options = self.options;
        let world = &scenario.world;
        let states = options.state_url.is_some();
        let real_time = options.real_time.is_some();
        if !states {
            if let Some(node) = world.incapable_nodes.first() {
                return Some(format!(
                    "it needs node {node} without the OCSP capability, a provider state: give --state-url"
                ));
            }
            if let Some(node) = world.certificate_failing_nodes.first() {
                return Some(format!(
                    "it needs node {node} unable to write certificates, a provider state: give --state-url"
                ));
            }
            if world.queue_stalled {
                return Some(
                    "it needs a stalled task queue, a provider state: give --state-url".to_owned(),
                );
            }
        }
        if !options.allow_certificate_change {
            if let Some(what) = certificate_change(scenario) {
                return Some(format!(
                    "it needs the harness's proxy certificate on the target ({what}): give --allow-certificate-change (the run puts the target's certificates back)"
                ));
            }
        }
        let mut ocsp_turned_on = None;
        for step in &scenario.steps {
            if let (Some(line), false, false) = (ocsp_turned_on, states, real_time) {
                if matches!(step.action, Action::Send(_) | Action::ExpectJournal(_)) {
                    return Some(format!(
                        "it reads what a background poll found (OCSP turned on at line {line}): give --real-time to wait for the poll, or --state-url"
                    ));
                }
            }
            match &step.action {
                Action::Send(send) => {
                    if turns_ocsp_on(send) {
                        if send.journal.is_some() && !states && !real_time {
                            return Some(format!(
                                "it counts the poll that turning OCSP on starts (line {}): give --real-time to wait for the poll, or --state-url",
                                step.line
                            ));
                        }
                        ocsp_turned_on = Some(step.line);
                    }
                    if let Who::Role(role) = send.who {
                        if options.users.with_role(role).is_none() {
                            return Some(format!(
                                "it sends as {role} (line {}): give --role-user {role}=USER:PASSWORD",
                                step.line
                            ));
                        }
                    }
                }
                Action::Advance(_) if !real_time => {
                    return Some(format!(
                        "it moves the clock (line {}), and a remote target runs on its own clock: give --real-time to wait instead",
                        step.line
                    ));
                }
                _ => {}
            }
        }
        None
    }

    /// Each scenario of `scenarios`, in order, with what it would do: the time budget of
    /// `--real-time` is spent in that order, and a scenario that no longer fits is skipped.
    pub fn plan(&self, scenarios: &[Scenario]) -> Vec<Plan> {
        let mut budget = self.options.real_time.map(|real_time| real_time.budget);
        scenarios
            .iter()
            .map(|scenario| {
                if let Some(reason) = self.skip_reason(scenario) {
                    return Plan::Skipped { reason };
                }
                if let Some(left) = &mut budget {
                    let cost = self.real_time_cost(scenario);
                    match left.checked_sub(cost) {
                        Some(rest) => *left = rest,
                        None => {
                            return Plan::Skipped {
                                reason: over_budget(cost, *left),
                            };
                        }
                    }
                }
                Plan::Runs {
                    changes: self.changes(scenario),
                }
            })
            .collect()
    }

    /// The most real time `scenario` waits (its clock moves, and each wait for a background
    /// poll at its longest), at the target's clock speed.
    pub fn real_time_cost(&self, scenario: &Scenario) -> StdDuration {
        let speed = self
            .options
            .real_time
            .map_or(1, |real_time| real_time.speed);
        let cost = target_time_cost(scenario);
        StdDuration::try_from(cost).unwrap_or_default() / speed.max(1)
    }

    /// What `scenario` changes on the target, in words, in order.
    pub fn changes(&self, scenario: &Scenario) -> Vec<String> {
        let mut changes = Vec::new();
        if let Some(state_url) = &self.options.state_url {
            changes.push(format!("POST {state_url}/reset (the provider states)"));
            for node in &scenario.world.incapable_nodes {
                changes.push(format!(
                    "node {node} without the OCSP capability (provider state)"
                ));
            }
            if scenario.world.queue_stalled {
                changes.push("the task queue stalled (provider state)".to_owned());
            }
        } else {
            changes.push("PUT /v1/ocsp: the documented defaults (OCSP off)".to_owned());
            if reads_or_changes_alerts(scenario) {
                changes.push("PUT /v1/cluster: the OCSP alerts off".to_owned());
            }
        }
        if self.options.allow_certificate_change {
            changes.push(
                "PUT /v1/cluster/certificates (update_cert where the target lacks it): the harness's proxy certificate"
                    .to_owned(),
            );
        }
        for node in &scenario.world.certificate_failing_nodes {
            changes.push(format!(
                "node {node} unable to write certificates (provider state)"
            ));
        }
        for step in &scenario.steps {
            match &step.action {
                Action::InstallProxy(role) => changes.push(format!(
                    "line {}: PUT /v1/cluster/certificates: the {role} certificate as the proxy certificate",
                    step.line
                )),
                Action::Send(send) => {
                    if let Some(what) = what_send_changes(send) {
                        changes.push(format!("line {}: {} {}{what}", step.line, send.method, send.path));
                    }
                }
                _ => {}
            }
        }
        changes
    }
}

/// The reason of a scenario that does not fit what is left of the time budget.
pub(crate) fn over_budget(cost: StdDuration, left: StdDuration) -> String {
    format!(
        "it waits up to {} in real time, more than the {} left of --time-budget",
        human_duration(cost),
        human_duration(left)
    )
}

/// `1h 2m 3s`, `250ms`.
pub fn human_duration(duration: StdDuration) -> String {
    let total = duration.as_secs();
    if total == 0 {
        return format!("{}ms", duration.as_millis());
    }
    let (hours, minutes, seconds) = (total / 3600, total / 60 % 60, total % 60);
    let mut parts = Vec::new();
    if hours > 0 {
        parts.push(format!("{hours}h"));
    }
    if minutes > 0 {
        parts.push(format!("{minutes}m"));
    }
    if seconds > 0 || parts.is_empty() {
        parts.push(format!("{seconds}s"));
    }
    parts.join(" ")
}

/// The target time `scenario` waits at most: its clock moves, and a grace for each read that
/// may wait for a background poll (any read once OCSP is on or the clock has moved).
pub fn target_time_cost(scenario: &Scenario) -> Duration {
    let mut cost = Duration::ZERO;
    let mut polling = false;
    for step in &scenario.steps {
        match &step.action {
            Action::Advance(by) => {
                cost += *by;
                polling = true;
            }
            Action::Send(send) => {
                if polling && (send.method == http::Method::GET || send.journal.is_some()) {
                    cost += POLL_GRACE;
                }
                if turns_ocsp_on(send) {
                    polling = true;
                    if send.journal.is_some() {
                        cost += POLL_GRACE;
                    }
                }
            }
            Action::ExpectJournal(_) if polling => cost += POLL_GRACE,
            _ => {}
        }
    }
    cost
}

/// The first thing in `scenario` that needs the harness's proxy certificate on the target (or
/// changes certificates), in words; none when nothing the scenario does depends on which proxy
/// certificate the target has, so that it can run on the target's own.
pub fn certificate_change(scenario: &Scenario) -> Option<String> {
    if scenario.world.behaviour_name != "good" {
        return Some(format!(
            "the responder behaves as {:?}, for the harness's proxy certificate",
            scenario.world.behaviour_name
        ));
    }
    scenario.steps.iter().find_map(|step| {
        let line = step.line;
        match &step.action {
            Action::InstallProxy(_) => Some(format!("install_proxy, line {line}")),
            Action::Responder { .. } | Action::ExpectJournal(_) => Some(format!(
                "it asks the harness's responder about the harness's proxy certificate, line {line}"
            )),
            Action::Send(send) if send.journal.is_some() => Some(format!(
                "it asks the harness's responder about the harness's proxy certificate, line {line}"
            )),
            Action::Send(send) => {
                let endpoint = Endpoint::of(send.method.as_str(), &send.path);
                match endpoint {
                    Some(
                        Endpoint::PutCertificates
                        | Endpoint::UpdateCert
                        | Endpoint::DeleteCertificate
                        | Endpoint::RotateCertificates,
                    ) => Some(format!("{} {}, line {line}", send.method, send.path)),
                    // The query is about the installed proxy certificate, unless the request is
                    // refused before any work.
                    Some(Endpoint::PostTest) if !matches!(send.status, 401 | 403 | 405 | 406) => {
                        Some(format!(
                            "POST /v1/ocsp/test queries its responder, line {line}"
                        ))
                    }
                    _ if turns_ocsp_on(send) => {
                        Some(format!("OCSP turned on polls its responder, line {line}"))
                    }
                    _ => None,
                }
            }
            Action::Advance(_) => None,
        }
    })
}

/// What a request changes on the target, in words (after the request line), if anything.
fn what_send_changes(send: &SendStep) -> Option<String> {
    if matches!(send.status, 401 | 403 | 404 | 405 | 406) {
        return None;
    }
    let body = send
        .body
        .as_ref()
        .and_then(|(bytes, _)| serde_json::from_slice::<Value>(bytes).ok());
    match Endpoint::of(send.method.as_str(), &send.path)? {
        Endpoint::PutConfig => Some(match body {
            Some(body) => format!(": {body}"),
            None => String::new(),
        }),
        Endpoint::PutCluster => Some(": the alert settings".to_owned()),
        Endpoint::PutCertificates | Endpoint::UpdateCert => Some(format!(
            ": the certificates {}",
            body.as_ref()
                .map(certificate_names)
                .unwrap_or_default()
                .join(", ")
        )),
        Endpoint::DeleteCertificate | Endpoint::RotateCertificates => Some(String::new()),
        Endpoint::PostTest => Some(": the cached status, from its responder".to_owned()),
        _ => None,
    }
}

fn certificate_names(body: &Value) -> Vec<String> {
    let entries = match body.get("certificates") {
        Some(Value::Array(entries)) => entries.iter().collect(),
        _ => vec![body],
    };
    entries
        .iter()
        .filter_map(|entry| entry.get("name").and_then(Value::as_str))
        .map(str::to_owned)
        .collect()
}

/// Whether `scenario` sends to the cluster object or its alerts.
pub(crate) fn reads_or_changes_alerts(scenario: &Scenario) -> bool {
    scenario.steps.iter().any(|step| {
        matches!(&step.action, Action::Send(send) if matches!(
            Endpoint::of(send.method.as_str(), &send.path),
            Some(Endpoint::GetCluster | Endpoint::PutCluster | Endpoint::GetAlerts | Endpoint::GetAlert)
        ))
    })
}

/// Whether `send` deletes or rotates certificates, or installs one other than the proxy
/// certificate: changes the run puts back before the next scenario.
pub(crate) fn changes_other_certificates(send: &SendStep) -> bool {
    match Endpoint::of(send.method.as_str(), &send.path) {
        Some(Endpoint::DeleteCertificate | Endpoint::RotateCertificates) => true,
        Some(Endpoint::PutCertificates | Endpoint::UpdateCert) => {
            send.body.as_ref().is_some_and(|(body, _)| {
                serde_json::from_slice::<Value>(body)
                    .is_ok_and(|body| certificate_names(&body).iter().any(|name| name != "proxy"))
            })
        }
        _ => false,
    }
}

/// Whether `send` is a configuration update that turns OCSP on (a poll starts at once).
pub(crate) fn turns_ocsp_on(send: &SendStep) -> bool {
    Endpoint::of(send.method.as_str(), &send.path) == Some(Endpoint::PutConfig)
        && send.body.as_ref().is_some_and(|(body, _)| {
            serde_json::from_slice::<Value>(body)
                .is_ok_and(|body| body.get("ocsp_functionality") == Some(&Value::Bool(true)))
        })
}
