//! What of the contract a set of scenarios covers: every status and error code of every
//! endpoint, every built-in role on every endpoint, every edge-case row of the responder
//! catalogue, each with the scenarios that check it. The contract's items are data here, with
//! their levels from CONTRACT.md; a scenario covers an item when one of its steps asserts it.

use std::fmt::{self, Write as _};

use http::Method;
use serde::Serialize;

use contract::ManagementRole;
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
    /// A row of OCSP-EDGE-CASES.md: a responder behaviour.
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

/// An item, its level, and the scenarios that cover it.
#[derive(Debug, Clone, Serialize)]
pub struct Covered {
    /// The item.
    pub item: Item,
    /// Its level in the contract.
    pub level: Level,
    /// The ids of the scenarios that check it, in id order.
    pub scenarios: Vec<String>,
}

/// The contract's answers, with their levels (CONTRACT.md, "Transport", "Endpoints" and
/// "Cluster state").
fn answers() -> Vec<(Item, Level)> {
    use Endpoint::{GetStatus, PostTest, PutCertificates, PutConfig, UpdateCert};
    use ErrorCode::{
        InvalidHeader, InvalidOcspResponse, InvalidSchema, NoResponderUrl, OcspQueryFailed,
        OcspUnsupportedByCapability, TaskQueuedForTooLong,
    };
    use Level::{Documented, Reference};
    let answer = |endpoint, status, error_code| Item::Answer {
        endpoint: Scope::Endpoint(endpoint),
        status,
        error_code,
    };
    let anywhere = |status, error_code| Item::Answer {
        endpoint: Scope::Any,
        status,
        error_code,
    };
    let mut items = vec![
        (anywhere(400, Some(InvalidHeader)), Documented),
        (anywhere(404, None), Reference),
        (anywhere(405, None), Reference),
    ];
    for endpoint in Endpoint::ALL {
        items.push((answer(endpoint, 200, None), Documented));
        items.push((answer(endpoint, 401, None), Documented));
        items.push((answer(endpoint, 403, None), Documented));
    }
    for endpoint in Endpoint::ALL {
        if endpoint.needs_ocsp_capability() {
            let capability = Some(OcspUnsupportedByCapability);
            items.push((answer(endpoint, 406, capability), Documented));
        }
    }
    items.extend([
        (answer(PutConfig, 400, Some(InvalidSchema)), Documented),
        (answer(PutConfig, 400, Some(NoResponderUrl)), Documented),
        (
            answer(GetStatus, 500, Some(InvalidOcspResponse)),
            Documented,
        ),
        (answer(PostTest, 500, Some(NoResponderUrl)), Documented),
        (
            answer(PostTest, 500, Some(TaskQueuedForTooLong)),
            Documented,
        ),
        (answer(PostTest, 500, Some(InvalidOcspResponse)), Documented),
        (answer(PostTest, 500, Some(OcspQueryFailed)), Reference),
        (answer(UpdateCert, 400, None), Documented),
        (answer(PutCertificates, 400, None), Documented),
    ]);
    items
}

/// Every item of the contract, with its level: answers, roles on endpoints, edge cases.
pub fn contract_items() -> Vec<(Item, Level)> {
    let mut items = answers();
    for endpoint in Endpoint::ALL {
        for role in ManagementRole::ALL {
            items.push((Item::Role { role, endpoint }, Level::Documented));
        }
    }
    for entry in catalogue() {
        items.push((
            Item::EdgeCase {
                behaviour: entry.name,
            },
            entry.level,
        ));
    }
    items
}

/// The coverage of every contract item by `scenarios`.
pub fn coverage(scenarios: &[Scenario]) -> Vec<Covered> {
    contract_items()
        .into_iter()
        .map(|(item, level)| {
            let mut ids: Vec<String> = scenarios
                .iter()
                .filter(|scenario| covers(scenario, &item))
                .map(|scenario| scenario.id.clone())
                .collect();
            ids.sort();
            Covered {
                item,
                level,
                scenarios: ids,
            }
        })
        .collect()
}

fn covers(scenario: &Scenario, item: &Item) -> bool {
    match item {
        Item::EdgeCase { behaviour } => scenario.world.behaviour_name == *behaviour
            || scenario.steps.iter().any(
                |step| matches!(&step.action, Action::Responder { name, .. } if name == behaviour),
            ),
        Item::Role { role, endpoint } => {
            // `install_proxy` is the admin's PUT /v1/cluster/update_cert.
            (*role == ManagementRole::Admin
                && *endpoint == Endpoint::UpdateCert
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
                && *endpoint == Scope::Endpoint(Endpoint::UpdateCert)
                && installs(scenario))
                || sends(scenario).any(|send| {
                    endpoint.matches(&send.method, &send.path)
                        && send.status == *status
                        && error_code.is_none_or(|code| asserts_error_code(send, code))
                })
        }
    }
}

/// Whether `scenario` installs a proxy certificate: the admin's `update_cert`, answered 200.
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
                "  {:<58} {:<11} {ids}",
                covered.item.to_string(),
                covered.level.name()
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
            "id: a::b\ntitle: t\ndescription: d\nsource: s\nlevel: documented\nclock: 2026-03-01T12:00:00Z\n{world}steps:\n{steps}"
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
                endpoint: Scope::Endpoint(Endpoint::UpdateCert),
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
                "GetAlert"
            ]
        );
    }

    #[test]
    fn every_catalogue_row_is_an_item() {
        let items = contract_items();
        for entry in catalogue() {
            assert!(items.iter().any(|(item, level)| *item
                == Item::EdgeCase {
                    behaviour: entry.name.clone()
                }
                && *level == entry.level));
        }
    }
}
