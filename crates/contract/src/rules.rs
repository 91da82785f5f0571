//! The contract's rules, as data: every rule has a stable id, a level, the product versions it
//! holds for, and where it comes from (the vendor's page it was read from, or the reason for a
//! choice of ours). The rule file (`rules.yaml`, built into this crate) is the one authority;
//! `docs/contract.md` is rendered from it, scenarios cite its ids, coverage reads its checks.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::{Endpoint, ErrorCode, Level};

/// The rule file built into the harness.
const RULE_FILE: &str = include_str!("../rules.yaml");

/// A product version, `MAJOR.MINOR` or `MAJOR.MINOR.PATCH` (`7.22.2`); a missing patch is 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProductVersion {
    major: u16,
    minor: u16,
    patch: u16,
}

/// A product version that does not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a product version (MAJOR.MINOR or MAJOR.MINOR.PATCH, e.g. 7.22.2)")]
pub struct BadVersion(pub String);

impl ProductVersion {
    /// This version as a node's `software_version` in `GET /v1/nodes` writes it: always
    /// three numbers, then the build (`8.2.0-0` for 8.2, build 0).
    pub fn software_version(self, build: u32) -> String {
        format!("{}.{}.{}-{build}", self.major, self.minor, self.patch)
    }

    /// The product version a node's `software_version` names (`7.22.0-28` is 7.22): the
    /// build after the dash is left out.
    pub fn from_software_version(text: &str) -> Result<Self, BadVersion> {
        let release = text
            .split_once('-')
            .map_or(text, |(release, _build)| release);
        release.parse().map_err(|_| BadVersion(text.to_owned()))
    }
}

impl FromStr for ProductVersion {
    type Err = BadVersion;

    fn from_str(text: &str) -> Result<Self, BadVersion> {
        let bad = || BadVersion(text.to_owned());
        let numbers = text
            .trim()
            .split('.')
            .map(|part| part.parse::<u16>().map_err(|_| bad()))
            .collect::<Result<Vec<_>, _>>()?;
        match numbers[..] {
            [major, minor] => Ok(Self {
                major,
                minor,
                patch: 0,
            }),
            [major, minor, patch] => Ok(Self {
                major,
                minor,
                patch,
            }),
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for ProductVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.patch == 0 {
            write!(f, "{}.{}", self.major, self.minor)
        } else {
            write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
        }
    }
}

impl Serialize for ProductVersion {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ProductVersion {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The product versions a rule or a scenario holds for: from `since` (included) until `until`
/// (excluded); an open end is open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Versions {
    /// The first version it holds for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<ProductVersion>,
    /// The first version it no longer holds for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<ProductVersion>,
}

impl Versions {
    /// Every version.
    pub const ALL: Versions = Versions {
        since: None,
        until: None,
    };

    /// Whether it holds for `version`.
    pub fn contains(self, version: ProductVersion) -> bool {
        self.since.is_none_or(|since| since <= version)
            && self.until.is_none_or(|until| version < until)
    }

    /// The versions both hold for.
    pub fn intersect(self, other: Versions) -> Versions {
        Versions {
            since: self.since.max(other.since),
            until: match (self.until, other.until) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            },
        }
    }

    /// Whether no version is in it.
    pub fn is_empty(self) -> bool {
        matches!((self.since, self.until), (Some(since), Some(until)) if since >= until)
    }

    /// Every version, as no bound is given.
    pub fn is_all(&self) -> bool {
        *self == Versions::ALL
    }
}

impl fmt::Display for Versions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.since, self.until) {
            (None, None) => f.write_str("every version"),
            (Some(since), None) => write!(f, "{since} on"),
            (None, Some(until)) => write!(f, "before {until}"),
            (Some(since), Some(until)) => write!(f, "{since} up to (not including) {until}"),
        }
    }
}

/// A page of the vendor's that a rule was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Citation {
    /// The page's address, with the section's anchor.
    pub page: String,
    /// The version of the docs it was read from (`latest (8.0)`, `7.8`).
    pub docs: String,
    /// What the page says that the rule rests on, in our words (status codes, field names
    /// and short phrases exactly).
    pub says: String,
}

/// Something a scenario can assert that a rule fixes: coverage counts the scenarios that do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum Check {
    /// An answer: a status, with the `error_code` when the rule names one, from one endpoint,
    /// from any (`endpoint: any`), or from each (`endpoint: every`).
    Answer {
        /// `METHOD /path`, `any` or `every`.
        endpoint: CheckScope,
        /// The HTTP status.
        status: u16,
        /// The `error_code`, when the rule names one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error_code: Option<ErrorCode>,
    },
    /// Every built-in role sending to each of these endpoints (the permissions table).
    Roles(Vec<Endpoint>),
}

/// Where a checked answer is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckScope {
    /// This endpoint.
    Endpoint(Endpoint),
    /// Any request: one answer from any endpoint or path covers it.
    Any,
    /// Every endpoint: one item per endpoint, each covered apart.
    Every,
}

impl fmt::Display for CheckScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckScope::Endpoint(endpoint) => write!(f, "`{endpoint}`"),
            CheckScope::Any => f.write_str("any request"),
            CheckScope::Every => f.write_str("every endpoint"),
        }
    }
}

/// What a scenario asserts, in a sentence (Markdown: endpoints and codes as code).
impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Check::Answer {
                endpoint,
                status,
                error_code: Some(code),
            } => write!(f, "{endpoint} answers {status} `{code}`"),
            Check::Answer {
                endpoint, status, ..
            } => write!(f, "{endpoint} answers {status}"),
            Check::Roles(endpoints) => {
                f.write_str("every role on ")?;
                for (index, endpoint) in endpoints.iter().enumerate() {
                    let comma = if index > 0 { ", " } else { "" };
                    write!(f, "{comma}`{endpoint}`")?;
                }
                Ok(())
            }
        }
    }
}

impl Serialize for CheckScope {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            CheckScope::Endpoint(endpoint) => endpoint.serialize(serializer),
            CheckScope::Any => serializer.serialize_str("any"),
            CheckScope::Every => serializer.serialize_str("every"),
        }
    }
}

impl<'de> Deserialize<'de> for CheckScope {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        match text.as_str() {
            "any" => return Ok(CheckScope::Any),
            "every" => return Ok(CheckScope::Every),
            _ => {}
        }
        text.parse()
            .map(CheckScope::Endpoint)
            .map_err(serde::de::Error::custom)
    }
}

/// One rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Stable: scenarios cite it, reports and baselines keep it.
    pub id: String,
    /// How firmly it is fixed.
    pub level: Level,
    /// The rule, in a sentence or two.
    pub rule: String,
    /// The versions it holds for.
    #[serde(default, skip_serializing_if = "Versions::is_all")]
    pub versions: Versions,
    /// The vendor's pages it rests on (every documented rule has at least one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Citation>,
    /// Why: the RFC or the security sense of a recommended rule, the reason for a reference
    /// choice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Where the vendor's pages contradict each other on it, and which one it follows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict: Option<String>,
    /// What a scenario asserts when it checks this rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<Check>,
}

/// A section of the contract: a heading, prose, and its rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// The heading.
    pub title: String,
    /// What the section is about, before its rules (Markdown).
    #[serde(default)]
    pub text: String,
    /// The rules.
    #[serde(default)]
    pub rules: Vec<Rule>,
}

/// The vendor's documentation the contract was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocsSnapshot {
    /// The public documentation's home.
    pub site: String,
    /// The repository its pages are kept in.
    pub repository: String,
    /// The commit read.
    pub commit: String,
    /// The day it was read.
    pub read: String,
}

/// The whole contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contract {
    /// The contract's own version: reports carry it.
    pub version: String,
    /// The docs it was read from.
    pub docs: DocsSnapshot,
    /// The product versions whose pages were read, oldest first; the last is the default of
    /// `run --product-version`.
    pub product_versions: Vec<ProductVersion>,
    /// Prose before the first section (Markdown).
    pub preamble: String,
    /// The sections, in order.
    pub sections: Vec<Section>,
}

/// A rule file that does not read or does not hold together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContractError {
    /// Not YAML of the rule file's shape.
    #[error("the rule file does not read: {0}")]
    Syntax(String),
    /// Rules that break the file's own rules: each problem on its line.
    #[error("the rule file does not hold together:\n  {}", .0.join("\n  "))]
    Inconsistent(Vec<String>),
}

impl Contract {
    /// The contract built into the harness.
    pub fn embedded() -> &'static Contract {
        static CONTRACT: OnceLock<Contract> = OnceLock::new();
        CONTRACT.get_or_init(|| match Contract::parse(RULE_FILE) {
            Ok(contract) => contract,
            // The file is part of the build, and a unit test parses it: this cannot happen
            // in a harness that passed its tests.
            Err(error) => panic!("the built-in rule file is broken: {error}"),
        })
    }

    /// Reads and checks a rule file.
    pub fn parse(text: &str) -> Result<Contract, ContractError> {
        let contract: Contract = serde_saphyr::from_str(text)
            .map_err(|error| ContractError::Syntax(error.to_string()))?;
        let problems = contract.problems();
        if problems.is_empty() {
            Ok(contract)
        } else {
            Err(ContractError::Inconsistent(problems))
        }
    }

    /// Every rule, in the order of the file.
    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.sections
            .iter()
            .flat_map(|section| section.rules.iter())
    }

    /// The rule with this id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules().find(|rule| rule.id == id)
    }

    /// The newest product version whose pages were read.
    pub fn latest_version(&self) -> Option<ProductVersion> {
        self.product_versions.last().copied()
    }

    /// What is wrong with the file: duplicate or malformed ids, a documented rule without a
    /// page, a choice without a reason, versions that hold for nothing.
    fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut seen = BTreeSet::new();
        if !self.product_versions.is_sorted() {
            problems.push("product_versions must be oldest first".to_owned());
        }
        for rule in self.rules() {
            let id = &rule.id;
            if !seen.insert(id.as_str()) {
                problems.push(format!("{id}: the id is used twice"));
            }
            let well_formed = !id.is_empty()
                && id.split('.').all(|part| {
                    !part.is_empty()
                        && part
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                });
            if !well_formed {
                problems.push(format!(
                    "{id}: an id is dot-separated words of a-z, 0-9 and -"
                ));
            }
            match rule.level {
                Level::Documented if rule.sources.is_empty() => {
                    problems.push(format!("{id}: a documented rule cites a vendor page"));
                }
                Level::Recommended | Level::Reference if rule.reason.is_none() => {
                    problems.push(format!("{id}: a {} rule gives its reason", rule.level));
                }
                _ => {}
            }
            if rule.versions.is_empty() {
                problems.push(format!("{id}: its versions hold for nothing"));
            }
            for citation in &rule.sources {
                if !citation.page.starts_with("https://") {
                    problems.push(format!("{id}: a source is an https:// page"));
                }
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nodes_software_version_names_a_product_version() {
        let version: ProductVersion = "8.2".parse().expect("a version");
        assert_eq!(version.software_version(0), "8.2.0-0");
        assert_eq!(
            ProductVersion::from_software_version("8.2.0-0"),
            Ok(version)
        );
        assert_eq!(
            ProductVersion::from_software_version("7.22.2-12").map(|v| v.to_string()),
            Ok("7.22.2".to_owned())
        );
        assert_eq!(ProductVersion::from_software_version("7.4"), "7.4".parse());
        assert_eq!(
            ProductVersion::from_software_version("latest-1"),
            Err(BadVersion("latest-1".to_owned()))
        );
    }

    #[test]
    fn the_built_in_rule_file_reads_and_holds_together() {
        let contract = Contract::parse(RULE_FILE).unwrap_or_else(|error| panic!("{error}"));
        assert!(contract.rules().count() > 40);
        assert!(contract.latest_version().is_some());
    }

    #[test]
    fn versions_compare_as_numbers() {
        let version = |text: &str| text.parse::<ProductVersion>().expect("a version");
        assert!(version("7.22.2") > version("7.8"));
        assert!(version("7.8") > version("7.4.6"));
        assert_eq!(version("7.22"), version("7.22.0"));
        assert_eq!(version("7.22.0").to_string(), "7.22");
        assert!("7".parse::<ProductVersion>().is_err());
        assert!("7.x".parse::<ProductVersion>().is_err());
        let from = Versions {
            since: Some(version("7.22.2")),
            until: None,
        };
        assert!(from.contains(version("8.0")));
        assert!(!from.contains(version("7.22")));
        let before = Versions {
            since: None,
            until: Some(version("7.22.2")),
        };
        assert!(from.intersect(before).is_empty());
        assert!(!before.intersect(Versions::ALL).is_empty());
    }

    #[test]
    fn a_file_that_breaks_its_own_rules_is_refused_with_every_problem() {
        let text = r#"
version: "1"
docs: {site: s, repository: r, commit: c, read: d}
product_versions: ["7.22", "7.8"]
preamble: ""
sections:
  - title: T
    rules:
      - {id: a.b, level: documented, rule: r}
      - {id: a.b, level: reference, rule: r, reason: why}
      - {id: Bad_Id, level: recommended, rule: r}
      - id: c
        level: documented
        rule: r
        versions: {since: "8.0", until: "7.4"}
        sources: [{page: "http://x", docs: latest, says: s}]
"#;
        let ContractError::Inconsistent(problems) = Contract::parse(text).expect_err("refused")
        else {
            panic!("not a consistency error");
        };
        assert_eq!(
            problems,
            [
                "product_versions must be oldest first",
                "a.b: a documented rule cites a vendor page",
                "a.b: the id is used twice",
                "Bad_Id: an id is dot-separated words of a-z, 0-9 and -",
                "Bad_Id: a recommended rule gives its reason",
                "c: its versions hold for nothing",
                "c: a source is an https:// page",
            ]
        );
    }
}
