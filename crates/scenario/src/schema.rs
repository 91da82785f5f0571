//! The JSON Schema of the scenario format (`ocsp-harness schema`), for editors that complete
//! and check YAML files. Built from the same lists the loader checks against (levels, roles,
//! key types, behaviours, hash algorithms, methods, matchers), so that the two cannot drift
//! apart.

use serde_json::{Value, json};

use contract::ManagementRole;
use contract::{Contract, Level};
use ocsp::{HashAlgorithm, HttpMethod};
use pki::{KeyType, Role};
use responder::catalogue;

use super::load::ANONYMOUS;
use super::matcher::Matcher;

/// The schema (JSON Schema draft 2020-12) of one scenario file.
pub fn schema() -> Value {
    let levels: Vec<&str> = Level::names().collect();
    let rule_ids: Vec<&str> = Contract::embedded()
        .rules()
        .map(|rule| rule.id.as_str())
        .collect();
    let key_types: Vec<&str> = KeyType::names().collect();
    let behaviours: Vec<String> = catalogue().into_iter().map(|entry| entry.name).collect();
    let cert_roles: Vec<&str> = Role::names().collect();
    let senders: Vec<&str> = ManagementRole::names().chain([ANONYMOUS]).collect();
    let hashes: Vec<&str> = HashAlgorithm::names().collect();
    let mut methods: Vec<&str> = HttpMethod::names().collect();
    // GET before POST, as the schema has always listed them (the enum declares its default,
    // POST, first).
    methods.sort_unstable();
    let duration = json!({
        "type": "string",
        "pattern": "^[+-]?([0-9]+(d|h|ms|m|s))+$",
        "description": "A duration: 90s, -2h, 1h30m, 1d, 250ms.",
    });
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/ocsp-harness/ocsp-harness/schema/scenario.json",
        "title": "ocsp-harness scenario",
        "description": "One scenario: a world on a fixed clock, and ordered steps whose answers are checked.",
        "type": "object",
        "additionalProperties": false,
        "required": ["id", "title", "description", "rules", "level", "clock", "steps"],
        "properties": {
            "id": {
                "type": "string",
                "pattern": "^[a-z0-9_-]+::[a-z0-9_-]+$",
                "description": "area::name, unique in the corpus.",
            },
            "title": {"type": "string", "description": "A line saying what it checks."},
            "description": {"type": "string", "description": "What it proves."},
            "rules": {
                "type": "array",
                "minItems": 1,
                "items": {"enum": rule_ids},
                "description": "The ids of the contract's rules it asserts (docs/contract.md).",
            },
            "level": {"enum": levels, "description": "How firmly it holds: never firmer than the weakest rule it cites."},
            "versions": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "since": {"type": "string", "pattern": "^[0-9]+\\.[0-9]+(\\.[0-9]+)?$"},
                    "until": {"type": "string", "pattern": "^[0-9]+\\.[0-9]+(\\.[0-9]+)?$"},
                },
                "description": "The product versions it holds for, within those of its rules: since (included), until (excluded).",
            },
            "tags": {"type": "array", "items": {"type": "string"}},
            "clock": {
                "type": "string",
                "format": "date-time",
                "description": "The RFC 3339 instant the world starts at; clock matchers are relative to it.",
            },
            "world": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "key_type": {"enum": key_types, "description": "The key type of the whole PKI (default p256)."},
                    "responder": {"enum": behaviours.clone(), "description": "The responder's behaviour (default good)."},
                    "incapable_nodes": {
                        "type": "array",
                        "items": {"type": "integer", "minimum": 0},
                        "description": "Nodes without the OCSP capability (a provider state).",
                    },
                    "certificate_failing_nodes": {
                        "type": "array",
                        "items": {"type": "integer", "minimum": 0},
                        "description": "Nodes that cannot write certificates (a provider state).",
                    },
                    "queue_stalled": {"type": "boolean", "description": "Start with the task queue stalled (a provider state)."},
                },
            },
            "steps": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/step"}},
        },
        "$defs": {
            "step": {
                "type": "object",
                "additionalProperties": false,
                "description": "Exactly one of send, advance, responder, install_proxy, expect (journal only).",
                "properties": {
                    "send": {
                        "type": "string",
                        "pattern": "^[A-Z]+ /",
                        "description": "METHOD /path, e.g. POST /v1/ocsp/test.",
                    },
                    "as": {"enum": senders, "description": "The user of a built-in role, or anonymous."},
                    "credentials": {
                        "type": "object",
                        "additionalProperties": false,
                        "required": ["user", "password"],
                        "properties": {"user": {"type": "string"}, "password": {"type": "string"}},
                    },
                    "headers": {"type": "object", "additionalProperties": {"type": "string"}},
                    "body": {"description": "A JSON body, sent with Content-Type application/json."},
                    "raw_body": {"type": "string", "description": "A body sent as it is, without a Content-Type."},
                    "expect": {"$ref": "#/$defs/expect"},
                    "advance": duration,
                    "responder": {"enum": behaviours, "description": "Change the responder's behaviour."},
                    "install_proxy": {"enum": cert_roles.clone(), "description": "Install this certificate as the proxy certificate."},
                },
            },
            "expect": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "status": {"type": "integer", "minimum": 100, "maximum": 599},
                    "body": {
                        "type": "object",
                        "description": "Fields of the JSON answer by name (a.b for a field of a nested object, 0.a for one of an array): a value, or a matcher: {absent: true}, {no_value: true}, {present: true}, {one_of: [..]}, {regex: ..}, {imf_fixdate: true}, {var: responder_url}, {clock: -1h}.",
                        "additionalProperties": {"$ref": "#/$defs/matcher"},
                    },
                    "body_is": {"description": "The whole JSON answer."},
                    "headers": {
                        "type": "object",
                        "description": "Headers of the answer, by name: a string, or a matcher ({absent: true}, {regex: ..}, {imf_fixdate: true}, ...).",
                        "additionalProperties": {"$ref": "#/$defs/matcher"},
                    },
                    "journal": {"$ref": "#/$defs/journal"},
                },
            },
            "matcher": {
                "anyOf": [
                    {"type": "object", "additionalProperties": false, "required": ["absent"], "properties": {"absent": {"const": true}}},
                    {"type": "object", "additionalProperties": false, "required": ["no_value"], "properties": {"no_value": {"const": true}}},
                    {"type": "object", "additionalProperties": false, "required": ["present"], "properties": {"present": {"const": true}}},
                    {"type": "object", "additionalProperties": false, "required": ["one_of"], "properties": {"one_of": {"type": "array", "minItems": 1}}},
                    {"type": "object", "additionalProperties": false, "required": ["regex"], "properties": {"regex": {"type": "string"}}},
                    {"type": "object", "additionalProperties": false, "required": ["imf_fixdate"], "properties": {"imf_fixdate": {"const": true}}},
                    {"type": "object", "additionalProperties": false, "required": ["var"], "properties": {"var": {"const": "responder_url"}}},
                    {"type": "object", "additionalProperties": false, "required": ["clock"], "properties": {"clock": duration}},
                    {
                        "description": "Any other value: the field equals it (a one-key mapping with a matcher's name is that matcher).",
                        "not": {
                            "type": "object",
                            "minProperties": 1,
                            "maxProperties": 1,
                            "anyOf": Matcher::NAMES.iter().map(|name| json!({"required": [name]})).collect::<Vec<_>>(),
                        },
                    },
                ],
            },
            "journal": {
                "type": "object",
                "additionalProperties": false,
                "minProperties": 1,
                "description": "What the responder saw: in a send step, during it; in an expect step alone, since the world started. Each property holds for every request.",
                "properties": {
                    "requests": {"type": "integer", "minimum": 0},
                    "method": {"enum": methods},
                    "hash_algorithm": {"enum": hashes},
                    "nonce": {"type": "boolean"},
                    "cert": {"enum": cert_roles},
                },
            },
        },
    })
}
