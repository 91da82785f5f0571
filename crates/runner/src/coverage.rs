//! What of the contract a set of scenarios covers: every answer (status, and error code where
//! a rule names one) and every role on an endpoint that the contract's rules check, and every
//! row of the responder catalogue, each with the scenarios that check it. The items are read
//! from the rule file (`contract::Contract`), with their rules' levels; a scenario covers an
//! item when one of its steps asserts it.

use std::fmt::{self, Write as _};

use http::Method;
use serde::Serialize;

use contract::{Check, CheckScope, Contract, ManagementRole};
use contract::{Endpoint, ErrorCode, Level};
use responder::catalogue;
use scenario::{Action, Matcher, Scenario, SendStep};
use serde_json::Value;

/// Where an answer is given: one endpoint, or any request at all (the transport rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// This endpoint.
    Endpoint(Endpoint),
    /// Any request.
    Any,
}

impl Scope {
    fn matches(self, method: &Method, path: &str) -> bool {
        match self {
            Scope::Endpoint(endpoint) => Endpoint::of(method.as_str(), path) == Some(endpoint),
            Scope::Any => true,
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Endpoint(endpoint) => write!(f, "{endpoint}"),
            Scope::Any => f.write_str("any endpoint"),
        }
    }
}

impl Serialize for Scope {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Scope::Endpoint(endpoint) => serialize_endpoint(endpoint, serializer),
            Scope::Any => serializer.serialize_str("Any"),
        }
    }
}

/// `coverage --json` names an endpoint by its variant (`GetConfig`, and `Any` for any
/// request), as it did when coverage had its own endpoint enum with serde's default names, so
/// that what reads that output keeps working; `GET /v1/ocsp` is for the text report.
fn serialize_endpoint<S: serde::Serializer>(
    endpoint: &Endpoint,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    // The derived Debug of a fieldless variant is its name.
    serializer.collect_str(&format_args!("{endpoint:?}"))
}

/// One thing the contract fixes, that a scenario can check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Item {
    /// An answer: a status, with its error code when the contract names one.
    Answer {
        /// Where.
        endpoint: Scope,
        /// The HTTP status.
        status: u16,
        /// The `error_code`, when the contract names it.
        error_code: Option<ErrorCode>,
    },
    /// A built-in role sending to an endpoint.
    Role {
        /// The role.
        role: ManagementRole,
        /// The endpoint.
        #[serde(serialize_with = "serialize_endpoint")]
        endpoint: Endpoint,
    },
    /// A row of the responder catalogue (docs/contract.md, "Responder behaviours").
    EdgeCase {
        /// The behaviour's catalogue name.
        behaviour: String,
    },
}

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Item::Answer {
                endpoint,
                status,
                error_code: Some(code),
            } => write!(f, "{endpoint} {status} {code}"),
            Item::Answer {
                endpoint, status, ..
            } => write!(f, "{endpoint} {status}"),
            Item::Role { role, endpoint } => write!(f, "{role} on {endpoint}"),
            Item::EdgeCase { behaviour } => write!(f, "responder {behaviour}"),
        }
    }
}

/// An item, its level, the rule it checks, and the scenarios that cover it.
#[derive(Debug, Clone, Serialize)]
pub struct Covered {
    /// The item.
    pub item: Item,
    /// Its level: its rule's, or its catalogue row's.
    pub level: Level,
    /// The id of the contract's rule it checks (none for a catalogue row).
    pub rule: Option<String>,
    /// The ids of the scenarios that check it, in id order.
    pub scenarios: Vec<String>,
}

/// An item of the contract, with the level and the rule it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractItem {
    /// The item.
    pub item: Item,
    /// Its level.
    pub level: Level,
    /// Its rule's id, when it comes from a rule.
    pub rule: Option<String>,
}

/// The items the rules' checks name, in the order of the rule file; an item two rules name
/// belongs to the first.
fn rule_items(contract: &Contract) -> Vec<ContractItem> {
    let mut items: Vec<ContractItem> = Vec::new();
    for rule in contract.rules() {
        for check in &rule.checks {
            for item in check_items(check) {
                if items.iter().all(|known| known.item != item) {
                    items.push(ContractItem {
                        item,
                        level: rule.level,
                        rule: Some(rule.id.clone()),
                    });
                }
            }
        }
    }
    items
}

fn check_items(check: &Check) -> Vec<Item> {
    match check {
        Check::Answer {
            endpoint,
            status,
            error_code,
        } => {
            let answer = |endpoint| Item::Answer {
                endpoint,
                status: *status,
                error_code: *error_code,
            };
            match endpoint {
                CheckScope::Endpoint(endpoint) => vec![answer(Scope::Endpoint(*endpoint))],
                CheckScope::Any => vec![answer(Scope::Any)],
                CheckScope::Every => Endpoint::ALL
                    .into_iter()
                    .map(|endpoint| answer(Scope::Endpoint(endpoint)))
                    .collect(),
            }
        }
        Check::Roles(endpoints) => endpoints
            .iter()
            .flat_map(|endpoint| {
                ManagementRole::ALL.into_iter().map(|role| Item::Role {
                    role,
                    endpoint: *endpoint,
                })
            })
            .collect(),
    }
}

/// Every item of the contract: what its rules check, then every row of the responder
/// catalogue.
pub fn contract_items() -> Vec<ContractItem> {
    let mut items = rule_items(Contract::embedded());
    for entry in catalogue() {
        items.push(ContractItem {
            item: Item::EdgeCase {
                behaviour: entry.name,
            },
            level: entry.level,
            rule: None,
        });
    }
    items
}

/// The coverage of every contract item by `scenarios`.
pub fn coverage(scenarios: &[Scenario]) -> Vec<Covered> {
    contract_items()
        .into_iter()
        .map(|ContractItem { item, level, rule }| {
            let mut ids: Vec<String> = scenarios
                .iter()
                .filter(|scenario| covers(scenario, &item))
                .map(|scenario| scenario.id.clone())
                .collect();
            ids.sort();
            Covered {
                item,
                level,
                rule,
                scenarios: ids,
            }
        })
        .collect()
}

/// A scenario that asserts an item of a rule weaker than the scenario's own level: a
/// conformant target could fail it for a choice of ours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelBreach {
    /// The scenario.
    pub scenario: String,
    /// Its level.
    pub level: Level,
    /// What it asserts.
    pub item: Item,
    /// The rule the item comes from (none for a catalogue row).
    pub rule: Option<String>,
    /// The item's level.
    pub item_level: Level,
}

impl fmt::Display for LevelBreach {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}) asserts {} of {} ({})",
            self.scenario,
            self.level,
            self.item,
            self.rule.as_deref().unwrap_or("the catalogue"),
            self.item_level
        )
    }
}

/// Every item a scenario asserts that comes from a rule weaker than the scenario: what must be
/// empty for a corpus's levels to be true.
pub fn level_breaches(scenarios: &[Scenario]) -> Vec<LevelBreach> {
    let items = contract_items();
    let mut breaches = Vec::new();
    for scenario in scenarios {
        for contract_item in &items {
            if scenario.level.is_firmer_than(contract_item.level)
                && covers(scenario, &contract_item.item)
            {
                breaches.push(LevelBreach {
                    scenario: scenario.id.clone(),
                    level: scenario.level,
                    item: contract_item.item.clone(),
                    rule: contract_item.rule.clone(),
                    item_level: contract_item.level,
                });
            }
        }
    }
    breaches
}

fn covers(scenario: &Scenario, item: &Item) -> bool {
    match item {
        Item::EdgeCase { behaviour } => scenario.world.behaviour_name == *behaviour
            || scenario.steps.iter().any(
                |step| matches!(&step.action, Action::Responder { name, .. } if name == behaviour),
            ),
        Item::Role { role, endpoint } => {
            // `install_proxy` is the admin's PUT /v1/cluster/certificates.
            (*role == ManagementRole::Admin
                && *endpoint == Endpoint::PutCertificates
                && installs(scenario))
                || sends(scenario).any(|send| {
                    Endpoint::of(send.method.as_str(), &send.path) == Some(*endpoint)
                        && send.who == scenario::Who::Role(*role)
                })
        }
        Item::Answer {
            endpoint,
            status,
            error_code,
        } => {
            (*status == 200
                && *endpoint == Scope::Endpoint(Endpoint::PutCertificates)
                && installs(scenario))
                || sends(scenario).any(|send| {
                    endpoint.matches(&send.method, &send.path)
                        && send.status == *status
                        && error_code.is_none_or(|code| asserts_error_code(send, code))
                })
        }
    }
}

/// Whether `scenario` installs a proxy certificate: the admin's `PUT /v1/cluster/certificates`,
/// answered 200.
fn installs(scenario: &Scenario) -> bool {
    scenario
        .steps
        .iter()
        .any(|step| matches!(step.action, Action::InstallProxy(_)))
}

fn sends(scenario: &Scenario) -> impl Iterator<Item = &SendStep> {
    scenario.steps.iter().filter_map(|step| match &step.action {
        Action::Send(send) => Some(send.as_ref()),
        _ => None,
    })
}

fn asserts_error_code(send: &SendStep, code: ErrorCode) -> bool {
    let names_it = |value: &Value| value.as_str() == Some(code.name());
    let by_field = send.fields.iter().any(|(name, matcher)| {
        name == "error_code" && matches!(matcher, Matcher::Equals(value) if names_it(value))
    });
    let by_body = send
        .body_is
        .as_ref()
        .and_then(|body| body.get("error_code"))
        .is_some_and(names_it);
    by_field || by_body
}

/// The contract's rules no scenario cites, in the order of the rule file. Some cannot be
/// checked by a scenario (the port, the provider states); the text report lists them all.
pub fn uncited_rules(scenarios: &[Scenario]) -> Vec<&'static contract::Rule> {
    Contract::embedded()
        .rules()
        .filter(|rule| {
            !scenarios
                .iter()
                .any(|scenario| scenario.rules.contains(&rule.id))
        })
        .collect()
}

/// Documented items no scenario covers: what makes `coverage` exit 1.
pub fn documented_gaps(coverage: &[Covered]) -> Vec<&Covered> {
    coverage
        .iter()
        .filter(|covered| covered.level == Level::Documented && covered.scenarios.is_empty())
        .collect()
}

/// Whether an item belongs to a group of the text report.
type ItemFilter = fn(&Item) -> bool;

/// The coverage as text: a line per item, grouped, then the totals.
pub fn render(coverage: &[Covered]) -> String {
    let mut text = String::new();
    let groups: [(&str, ItemFilter); 3] = [
        ("Answers (status and error code)", |item| {
            matches!(item, Item::Answer { .. })
        }),
        ("Roles on endpoints", |item| {
            matches!(item, Item::Role { .. })
        }),
        ("Edge cases (responder behaviours)", |item| {
            matches!(item, Item::EdgeCase { .. })
        }),
    ];
    for (title, belongs) in groups {
        // Writing to a String cannot fail.
        let _ = writeln!(text, "{title}:");
        for covered in coverage.iter().filter(|covered| belongs(&covered.item)) {
            let ids = match covered.scenarios.as_slice() {
                [] => "NONE".to_owned(),
                [first, second, third, rest @ ..] if !rest.is_empty() => {
                    format!("{first}, {second}, {third} (+{} more)", rest.len())
                }
                ids => ids.join(", "),
            };
            let _ = writeln!(
                text,
                "  {:<62} {:<11} {:<34} {ids}",
                covered.item.to_string(),
                covered.level.name(),
                covered.rule.as_deref().unwrap_or("-"),
            );
        }
    }
    let covered = coverage
        .iter()
        .filter(|covered| !covered.scenarios.is_empty())
        .count();
    let gaps = documented_gaps(coverage);
    let _ = writeln!(
        text,
        "{covered} of {} items covered; {} documented item(s) without a scenario",
        coverage.len(),
        gaps.len()
    );
    text
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use scenario::load_str;

    fn scenario(steps: &str, world: &str) -> Scenario {
        let text = format!(
            "id: a::b\ntitle: t\ndescription: d\nrules: [put-config.invalid]\nlevel: documented\nclock: 2026-03-01T12:00:00Z\n{world}steps:\n{steps}"
        );
        load_str(Path::new("a.yaml"), &text).expect("loads")
    }

    #[test]
    fn an_error_code_counts_only_when_asserted() {
        let with_code = scenario(
            "  - send: PUT /v1/ocsp\n    as: admin\n    body: {x: 1}\n    expect: {status: 400, body: {error_code: invalid_schema}}\n",
            "",
        );
        let without = scenario(
            "  - send: PUT /v1/ocsp\n    as: admin\n    body: {x: 1}\n    expect: {status: 400}\n",
            "",
        );
        let item = Item::Answer {
            endpoint: Scope::Endpoint(Endpoint::PutConfig),
            status: 400,
            error_code: Some(ErrorCode::InvalidSchema),
        };
        assert!(covers(&with_code, &item));
        assert!(!covers(&without, &item));
        let any_400 = Item::Answer {
            endpoint: Scope::Any,
            status: 400,
            error_code: None,
        };
        assert!(covers(&without, &any_400));
    }

    #[test]
    fn roles_edge_cases_and_installs_are_covered() {
        let found = scenario(
            "  - responder: revoked\n  - install_proxy: proxy\n  - send: GET /v1/ocsp/status?x=1\n    as: db_viewer\n    expect: {status: 403}\n",
            "world: {responder: good}\n",
        );
        for item in [
            Item::EdgeCase {
                behaviour: "good".to_owned(),
            },
            Item::EdgeCase {
                behaviour: "revoked".to_owned(),
            },
            Item::Role {
                role: ManagementRole::DbViewer,
                endpoint: Endpoint::GetStatus,
            },
            Item::Answer {
                endpoint: Scope::Endpoint(Endpoint::PutCertificates),
                status: 200,
                error_code: None,
            },
        ] {
            assert!(covers(&found, &item), "{item}");
        }
        assert!(!covers(
            &found,
            &Item::Role {
                role: ManagementRole::Admin,
                endpoint: Endpoint::GetStatus,
            }
        ));
    }

    #[test]
    fn json_names_endpoints_by_variant() {
        let items = [
            Item::Answer {
                endpoint: Scope::Any,
                status: 400,
                error_code: Some(ErrorCode::InvalidHeader),
            },
            Item::Answer {
                endpoint: Scope::Endpoint(Endpoint::GetConfig),
                status: 200,
                error_code: None,
            },
            Item::Role {
                role: ManagementRole::Admin,
                endpoint: Endpoint::PutCertificates,
            },
        ];
        assert_eq!(
            serde_json::to_value(items).expect("serializes"),
            serde_json::json!([
                {"kind": "answer", "endpoint": "Any", "status": 400, "error_code": "invalid_header"},
                {"kind": "answer", "endpoint": "GetConfig", "status": 200, "error_code": null},
                {"kind": "role", "role": "admin", "endpoint": "PutCertificates"},
            ])
        );
        let names: Vec<String> = Endpoint::ALL
            .into_iter()
            .map(|endpoint| serde_json::to_value(Scope::Endpoint(endpoint)).expect("serializes"))
            .map(|name| name.as_str().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(
            names,
            [
                "GetConfig",
                "PutConfig",
                "GetStatus",
                "PostTest",
                "UpdateCert",
                "PutCertificates",
                "GetCertificates",
                "DeleteCertificate",
                "RotateCertificates",
                "GetCluster",
                "PutCluster",
                "GetAlerts",
                "GetAlert",
                "GetNodes",
                "GetNode"
            ]
        );
    }

    #[test]
    fn every_catalogue_row_is_an_item() {
        let items = contract_items();
        for entry in catalogue() {
            assert!(items.iter().any(|item| item.item
                == Item::EdgeCase {
                    behaviour: entry.name.clone()
                }
                && item.level == entry.level));
        }
    }
}
