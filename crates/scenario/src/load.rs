//! Loading scenario files: YAML into [`super::raw`] structs, then checked into the model.
//! Every error names the file, line and column, and what was expected there.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde_saphyr::Spanned;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::duration::parse_duration;
use super::matcher::Matcher;
use super::model::{Action, JournalExpect, Scenario, SendStep, Step, Who, World};
use super::raw::{RawJournal, RawScenario, RawStep};
use contract::{Contract, ManagementRole, UnknownName, Versions};
use ocsp::{HashAlgorithm, HttpMethod};
use pki::{KeyType, Role};
use responder::{Behaviour, behaviour_named};

/// What `as` says for [`Who::Anonymous`]: beside the built-in roles' names, not one of them.
pub(crate) const ANONYMOUS: &str = "anonymous";

/// A scenario file that cannot be used, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line, 0 when unknown.
    pub line: u64,
    /// 1-based column, 0 when unknown.
    pub column: u64,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path.display(), self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.path.display(),
                self.line,
                self.column,
                self.message
            )
        }
    }
}

impl std::error::Error for LoadError {}

/// Reads and checks one scenario file.
pub fn load_file(path: &Path) -> Result<Scenario, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|error| LoadError {
        path: path.to_owned(),
        line: 0,
        column: 0,
        message: format!("cannot read: {error}"),
    })?;
    load_str(path, &text)
}

/// Checks the text of a scenario file named `path`.
pub fn load_str(path: &Path, text: &str) -> Result<Scenario, LoadError> {
    let raw: RawScenario = serde_saphyr::from_str(text).map_err(|error| {
        let (line, column) = error
            .location()
            .map_or((0, 0), |location| (location.line(), location.column()));
        LoadError {
            path: path.to_owned(),
            line,
            column,
            message: yaml_message(&error.to_string()),
        }
    })?;
    Checker { path }.scenario(raw)
}

/// serde-saphyr's first line without its own `error: line N column M: ` prefix.
fn yaml_message(display: &str) -> String {
    let first = display.lines().next().unwrap_or_default();
    let without_error = first.strip_prefix("error: ").unwrap_or(first);
    match without_error.split_once(": ") {
        Some((position, rest)) if position.starts_with("line ") => rest.to_owned(),
        _ => without_error.to_owned(),
    }
}

struct Checker<'a> {
    path: &'a Path,
}

impl Checker<'_> {
    fn at<T>(&self, spanned: &Spanned<T>, message: impl Into<String>) -> LoadError {
        LoadError {
            path: self.path.to_owned(),
            line: spanned.referenced.line(),
            column: spanned.referenced.column(),
            message: message.into(),
        }
    }

    fn error(&self, line: u64, column: u64, message: impl Into<String>) -> LoadError {
        LoadError {
            path: self.path.to_owned(),
            line,
            column,
            message: message.into(),
        }
    }

    fn scenario(&self, raw: RawScenario) -> Result<Scenario, LoadError> {
        let id = &raw.id.value;
        let valid_id = id.split_once("::").is_some_and(|(area, name)| {
            let part = |text: &str| {
                !text.is_empty()
                    && text.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'
                    })
            };
            part(area) && part(name)
        });
        if !valid_id {
            return Err(self.at(&raw.id, format!("id {id:?} must be area::name, lower-case")));
        }
        let clock = OffsetDateTime::parse(&raw.clock.value, &Rfc3339).map_err(|_| {
            self.at(
                &raw.clock,
                format!(
                    "clock {:?} must be an RFC 3339 instant, e.g. 2026-03-01T12:00:00Z",
                    raw.clock.value
                ),
            )
        })?;
        let key_type = match &raw.world.key_type {
            Some(spanned) => spanned
                .value
                .parse::<KeyType>()
                .map_err(|error| self.at(spanned, error.to_string()))?,
            None => KeyType::P256,
        };
        let (behaviour_name, behaviour) = match &raw.world.responder {
            Some(spanned) => (spanned.value.clone(), self.behaviour(spanned)?),
            None => ("good".to_owned(), Behaviour::default()),
        };
        if raw.steps.is_empty() {
            return Err(LoadError {
                path: self.path.to_owned(),
                line: raw.id.referenced.line(),
                column: 1,
                message: "a scenario needs at least one step".to_owned(),
            });
        }
        let (rules, versions) = self.rules(&raw)?;
        let steps = raw
            .steps
            .into_iter()
            .map(|step| self.step(step))
            .collect::<Result<_, _>>()?;
        Ok(Scenario {
            path: self.path.to_owned(),
            id: raw.id.value,
            title: raw.title,
            description: raw.description,
            rules,
            level: raw.level.value,
            versions,
            tags: raw.tags,
            clock,
            world: World {
                key_type,
                behaviour_name,
                behaviour,
                incapable_nodes: raw.world.incapable_nodes,
                certificate_failing_nodes: raw.world.certificate_failing_nodes,
                queue_stalled: raw.world.queue_stalled,
            },
            steps,
        })
    }

    /// The rules cited, each one the contract's, none weaker than the scenario's level; and
    /// the versions they all hold for, narrowed by the scenario's own.
    fn rules(&self, raw: &RawScenario) -> Result<(Vec<String>, Versions), LoadError> {
        let contract = Contract::embedded();
        if raw.rules.value.is_empty() {
            return Err(self.at(
                &raw.rules,
                "a scenario cites at least one rule of the contract (docs/contract.md)",
            ));
        }
        let level = raw.level.value;
        let mut versions = Versions::ALL;
        let mut ids = Vec::new();
        for cited in &raw.rules.value {
            let rule = contract.rule(&cited.value).ok_or_else(|| {
                self.at(
                    cited,
                    format!(
                        "no rule {:?} in the contract (`ocsp-harness contract` lists them)",
                        cited.value
                    ),
                )
            })?;
            if level.is_firmer_than(rule.level) {
                return Err(self.at(
                    &raw.level,
                    format!(
                        "level {level} is firmer than rule {} ({}): a scenario is never firmer \
                         than the weakest rule it asserts",
                        rule.id, rule.level
                    ),
                ));
            }
            versions = versions.intersect(rule.versions);
            ids.push(rule.id.clone());
        }
        if let Some(own) = &raw.versions {
            versions = versions.intersect(own.value);
        }
        if versions.is_empty() {
            let place = raw
                .versions
                .as_ref()
                .map_or_else(|| self.at(&raw.rules, ""), |own| self.at(own, ""));
            return Err(LoadError {
                message: "the rules cited and the scenario's versions hold together for no version"
                    .to_owned(),
                ..place
            });
        }
        Ok((ids, versions))
    }

    fn behaviour(&self, name: &Spanned<String>) -> Result<Behaviour, LoadError> {
        behaviour_named(&name.value).ok_or_else(|| {
            self.at(
                name,
                format!(
                    "unknown responder behaviour {:?} (`ocsp-harness responder --list` lists them)",
                    name.value
                ),
            )
        })
    }

    fn step(&self, spanned: Spanned<RawStep>) -> Result<Step, LoadError> {
        let (step_line, step_column) = (spanned.referenced.line(), spanned.referenced.column());
        let raw = spanned.value;
        let standalone_expect = raw.send.is_none() && raw.expect.is_some();
        let mut places: Vec<(u64, u64)> =
            [&raw.send, &raw.advance, &raw.responder, &raw.install_proxy]
                .into_iter()
                .flatten()
                .map(|spanned| (spanned.referenced.line(), spanned.referenced.column()))
                .collect();
        if standalone_expect {
            places.extend(
                raw.expect
                    .as_ref()
                    .map(|spanned| (spanned.referenced.line(), spanned.referenced.column())),
            );
        }
        places.sort_unstable();
        let Some(&(line, _)) = places.first() else {
            return Err(self.error(
                step_line,
                step_column,
                "a step needs one of send, advance, responder, install_proxy, expect",
            ));
        };
        if let Some(&(second_line, second_column)) = places.get(1) {
            // The second action is the one too many.
            return Err(self.error(
                second_line,
                second_column,
                "a step does one thing: send, advance, responder, install_proxy or expect",
            ));
        }
        let action = if let Some(spanned) = &raw.advance {
            Action::Advance(
                parse_duration(&spanned.value)
                    .map_err(|error| self.at(spanned, error.to_string()))?,
            )
        } else if let Some(spanned) = &raw.responder {
            Action::Responder {
                name: spanned.value.clone(),
                behaviour: self.behaviour(spanned)?,
            }
        } else if let Some(spanned) = &raw.install_proxy {
            Action::InstallProxy(self.role(spanned)?)
        } else if standalone_expect {
            let Some(expect) = raw.expect else {
                return unreachable_step();
            };
            let (line, column) = (expect.referenced.line(), expect.referenced.column());
            let expect = expect.value;
            if expect.status.is_some()
                || !expect.body.is_empty()
                || expect.body_is.is_some()
                || !expect.headers.is_empty()
            {
                return Err(self.error(
                    line,
                    column,
                    "an expect step without send checks only the journal",
                ));
            }
            let journal = expect.journal.ok_or_else(|| {
                self.error(line, column, "an expect step without send needs journal")
            })?;
            Action::ExpectJournal(self.journal(journal, line, column)?)
        } else {
            Action::Send(Box::new(self.send(raw)?))
        };
        Ok(Step { line, action })
    }

    /// Matchers by name, checked and reported in the order they are written, not the map's.
    fn matchers(
        &self,
        written: BTreeMap<String, Spanned<serde_json::Value>>,
    ) -> Result<Vec<(String, Matcher)>, LoadError> {
        let mut written: Vec<_> = written.into_iter().collect();
        written
            .sort_by_key(|(_, spanned)| (spanned.referenced.line(), spanned.referenced.column()));
        written
            .into_iter()
            .map(|(name, spanned)| {
                let (line, column) = (spanned.referenced.line(), spanned.referenced.column());
                Matcher::from_value(spanned.value)
                    .map(|matcher| (name, matcher))
                    .map_err(|error| self.error(line, column, error.to_string()))
            })
            .collect()
    }

    fn role(&self, spanned: &Spanned<String>) -> Result<Role, LoadError> {
        spanned
            .value
            .parse::<Role>()
            .map_err(|error| self.at(spanned, error.to_string()))
    }

    fn journal(&self, raw: RawJournal, line: u64, column: u64) -> Result<JournalExpect, LoadError> {
        let method = raw
            .method
            .map(|spanned| {
                spanned.value.parse::<HttpMethod>().map_err(|error| {
                    // `method` alone could be the send step's HTTP method.
                    let error = UnknownName {
                        kind: "OCSP request method",
                        ..error
                    };
                    self.at(&spanned, error.to_string())
                })
            })
            .transpose()?;
        let hash_algorithm = raw
            .hash_algorithm
            .map(|spanned| {
                spanned
                    .value
                    .parse::<HashAlgorithm>()
                    .map_err(|error| self.at(&spanned, error.to_string()))
            })
            .transpose()?;
        let cert = raw.cert.map(|spanned| self.role(&spanned)).transpose()?;
        let journal = JournalExpect {
            requests: raw.requests,
            method,
            hash_algorithm,
            nonce: raw.nonce,
            cert,
        };
        if journal == JournalExpect::default() {
            return Err(self.error(
                line,
                column,
                "journal needs one of requests, method, hash_algorithm, nonce, cert",
            ));
        }
        Ok(journal)
    }

    fn send(&self, raw: RawStep) -> Result<SendStep, LoadError> {
        let Some(send) = &raw.send else {
            return unreachable_step();
        };
        let (method, path) = send
            .value
            .split_once(' ')
            .filter(|(_, path)| path.starts_with('/'))
            .ok_or_else(|| self.at(send, format!("send {:?} must be METHOD /path", send.value)))?;
        let method = http::Method::from_bytes(method.as_bytes())
            .map_err(|_| self.at(send, format!("invalid method {method:?}")))?;
        let who = match (&raw.as_role, raw.credentials) {
            (Some(_), Some(_)) => return Err(self.at(send, "give `as` or `credentials`, not both")),
            (None, Some(credentials)) => Who::Credentials {
                user: credentials.user,
                password: credentials.password,
            },
            (None, None) => Who::Anonymous,
            (Some(role), None) if role.value == ANONYMOUS => Who::Anonymous,
            (Some(role), None) => {
                Who::Role(role.value.parse::<ManagementRole>().map_err(|_| {
                    let names = ManagementRole::names().chain([ANONYMOUS]);
                    let error = UnknownName::new(ManagementRole::KIND, &role.value, names);
                    self.at(role, error.to_string())
                })?)
            }
        };
        let body = match (raw.body, raw.raw_body) {
            (Some(_), Some(_)) => return Err(self.at(send, "give body or raw_body, not both")),
            (Some(json), None) => Some((json.to_string().into_bytes(), true)),
            (None, Some(text)) => Some((text.into_bytes(), false)),
            (None, None) => None,
        };
        let expect = raw
            .expect
            .ok_or_else(|| self.at(send, "a send step needs expect"))?;
        let (expect_line, expect_column) = (expect.referenced.line(), expect.referenced.column());
        let expect = expect.value;
        let status = expect
            .status
            .ok_or_else(|| self.error(expect_line, expect_column, "expect needs status"))?;
        let journal = expect
            .journal
            .map(|journal| self.journal(journal, expect_line, expect_column))
            .transpose()?;
        let fields = self.matchers(expect.body)?;
        let answer_headers = self
            .matchers(expect.headers)?
            .into_iter()
            .map(|(name, matcher)| (name.to_ascii_lowercase(), matcher))
            .collect();
        Ok(SendStep {
            method,
            path: path.to_owned(),
            who,
            headers: raw.headers,
            body,
            status,
            fields,
            body_is: expect.body_is,
            answer_headers,
            journal,
        })
    }
}

/// `send` was checked present before `send()` is called.
fn unreachable_step<T>() -> Result<T, LoadError> {
    Err(LoadError {
        path: PathBuf::new(),
        line: 0,
        column: 0,
        message: "internal: a send step without send".to_owned(),
    })
}
