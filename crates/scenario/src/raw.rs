//! The scenario file as written: serde structs that mirror the YAML, unknown keys refused.
//! Values that need checking beyond their type keep their location ([`Spanned`]).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_saphyr::Spanned;

use contract::{Level, Versions};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawScenario {
    pub id: Spanned<String>,
    pub title: String,
    pub description: String,
    pub rules: Spanned<Vec<Spanned<String>>>,
    pub level: Spanned<Level>,
    #[serde(default)]
    pub versions: Option<Spanned<Versions>>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub clock: Spanned<String>,
    #[serde(default)]
    pub world: RawWorld,
    pub steps: Vec<Spanned<RawStep>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawWorld {
    pub key_type: Option<Spanned<String>>,
    pub responder: Option<Spanned<String>>,
    #[serde(default)]
    pub incapable_nodes: Vec<usize>,
    #[serde(default)]
    pub certificate_failing_nodes: Vec<usize>,
    #[serde(default)]
    pub queue_stalled: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawStep {
    pub send: Option<Spanned<String>>,
    #[serde(rename = "as")]
    pub as_role: Option<Spanned<String>>,
    pub credentials: Option<RawCredentials>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    pub body: Option<serde_json::Value>,
    pub raw_body: Option<String>,
    pub expect: Option<Spanned<RawExpect>>,
    pub advance: Option<Spanned<String>>,
    pub responder: Option<Spanned<String>>,
    pub install_proxy: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCredentials {
    pub user: String,
    pub password: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawExpect {
    pub status: Option<u16>,
    #[serde(default)]
    pub body: BTreeMap<String, Spanned<serde_json::Value>>,
    pub body_is: Option<serde_json::Value>,
    #[serde(default)]
    pub headers: BTreeMap<String, Spanned<serde_json::Value>>,
    pub journal: Option<RawJournal>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawJournal {
    pub requests: Option<u64>,
    pub method: Option<Spanned<String>>,
    pub hash_algorithm: Option<Spanned<String>>,
    pub nonce: Option<bool>,
    pub cert: Option<Spanned<String>>,
}
