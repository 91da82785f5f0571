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
                if let Some(reason) = budget.as_mut().and_then(|left| self.spend(left, scenario)) {
                    return Plan::Skipped { reason };
                }
                Plan::Runs {
                    changes: self.changes(scenario),
                }
            })
            .collect()
    }

    /// Takes `scenario`'s real-time cost from what is `left` of the budget; the reason to skip
    /// it when it does not fit (then nothing is taken). The plan and the run spend alike.
    pub(crate) fn spend(&self, left: &mut StdDuration, scenario: &Scenario) -> Option<String> {
        let cost = self.real_time_cost(scenario);
        match left.checked_sub(cost) {
            Some(rest) => {
                *left = rest;
                None
            }
            None => Some(format!(
                "it waits up to {} in real time, more than the {} left of --time-budget",
                human_duration(cost),
                human_duration(*left)
            )),
        }
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
    if scenario.world.behaviour != responder::Behaviour::default() {
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

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;
    use std::path::Path;

    use contract::{ManagementRole, User, Users};

    use super::*;
    use crate::remote::{RealTime, Trust};

    fn options() -> RemoteOptions {
        RemoteOptions {
            url: "https://cluster.example:9443".to_owned(),
            users: Users::new(vec![User {
                role: ManagementRole::Admin,
                username: "adm".to_owned(),
                password: "pw".to_owned(),
            }]),
            trust: Trust::Insecure,
            responder_listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            responder_url: None,
            state_url: None,
            request_timeout: StdDuration::from_secs(1),
            allow_certificate_change: false,
            real_time: None,
            wait_for_target: None,
        }
    }

    fn scenario(world: &str, steps: &str) -> Scenario {
        scenario::load_str(
            Path::new("s.yaml"),
            &format!(
                "id: a::b\ntitle: t\ndescription: d\nrules: [polling.timing]\nlevel: reference\nclock: 2026-03-01T12:00:00Z\n{world}steps:\n{steps}"
            ),
        )
        .expect("a scenario")
    }

    const POLLING: &str = "  - send: PUT /v1/ocsp\n    as: admin\n    body: {ocsp_functionality: true}\n    expect: {status: 200}\n  - advance: 90s\n  - send: GET /v1/ocsp/status\n    as: admin\n    expect: {status: 200}\n  - expect: {journal: {requests: 2}}\n";
    const CONFIG_ONLY: &str = "  - send: GET /v1/ocsp\n    as: admin\n    expect: {status: 200}\n";

    #[test]
    fn each_missing_option_is_the_reason_given() {
        let polling = scenario("", POLLING);
        let mut options = options();
        let reason = |options: &RemoteOptions| Planner::new(options).skip_reason(&polling);
        assert!(
            reason(&options).is_some_and(|reason| reason.starts_with(
                "it needs the harness's proxy certificate on the target (OCSP turned on polls its responder, line 8)"
            )),
            "{:?}",
            reason(&options)
        );
        options.allow_certificate_change = true;
        assert_eq!(
            reason(&options).as_deref(),
            Some(
                "it moves the clock (line 12), and a remote target runs on its own clock: give --real-time to wait instead"
            )
        );
        options.real_time = Some(RealTime {
            budget: StdDuration::from_secs(3600),
            speed: 1,
        });
        assert_eq!(reason(&options), None);
        // A scenario that touches no certificate runs without the permission.
        let config_only = scenario("", CONFIG_ONLY);
        assert_eq!(
            Planner::new(&self::options()).skip_reason(&config_only),
            None
        );
        let revoked = scenario("world: {responder: revoked}\n", CONFIG_ONLY);
        assert!(
            Planner::new(&self::options())
                .skip_reason(&revoked)
                .is_some()
        );
    }

    #[test]
    fn the_real_time_cost_is_the_waits_and_a_grace_for_each_read_after_a_poll() {
        let polling = scenario("", POLLING);
        // 90 s of waiting, then a GET and a journal check that may wait for a poll.
        assert_eq!(
            target_time_cost(&polling),
            Duration::seconds(90) + POLL_GRACE * 2
        );
        assert_eq!(target_time_cost(&scenario("", CONFIG_ONLY)), Duration::ZERO);
        let mut options = options();
        options.real_time = Some(RealTime {
            budget: StdDuration::from_secs(100),
            speed: 60,
        });
        assert_eq!(
            Planner::new(&options).real_time_cost(&polling),
            StdDuration::from_secs(150) / 60
        );
    }

    #[test]
    fn the_budget_is_spent_in_order_and_what_does_not_fit_is_skipped() {
        let mut options = options();
        options.allow_certificate_change = true;
        options.real_time = Some(RealTime {
            budget: StdDuration::from_secs(200),
            speed: 1,
        });
        let polling = scenario("", POLLING);
        let plans = Planner::new(&options).plan(&[
            polling.clone(),
            polling.clone(),
            scenario("", CONFIG_ONLY),
        ]);
        assert!(matches!(&plans[0], Plan::Runs { .. }), "{plans:?}");
        assert_eq!(
            plans[1],
            Plan::Skipped {
                reason:
                    "it waits up to 2m 30s in real time, more than the 50s left of --time-budget"
                        .to_owned()
            }
        );
        assert!(matches!(&plans[2], Plan::Runs { .. }), "{plans:?}");
    }

    #[test]
    fn the_changes_of_a_scenario_are_listed_in_order() {
        let mut options = options();
        options.allow_certificate_change = true;
        let changes = Planner::new(&options).changes(&scenario("", POLLING));
        assert_eq!(
            changes,
            vec![
                "PUT /v1/ocsp: the documented defaults (OCSP off)".to_owned(),
                "PUT /v1/cluster/certificates (update_cert where the target lacks it): the harness's proxy certificate".to_owned(),
                "line 8: PUT /v1/ocsp: {\"ocsp_functionality\":true}".to_owned(),
            ]
        );
        options.state_url = Some("https://cluster.example:9443/_harness".to_owned());
        let changes = Planner::new(&options).changes(&scenario("", CONFIG_ONLY));
        assert_eq!(
            changes[0],
            "POST https://cluster.example:9443/_harness/reset (the provider states)"
        );
    }

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(human_duration(StdDuration::from_millis(250)), "250ms");
        assert_eq!(human_duration(StdDuration::from_secs(0)), "0ms");
        assert_eq!(human_duration(StdDuration::from_secs(61)), "1m 1s");
        assert_eq!(human_duration(StdDuration::from_secs(7200)), "2h");
        assert_eq!(human_duration(StdDuration::from_secs(3723)), "1h 2m 3s");
    }
}
