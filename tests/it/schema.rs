//! `ocsp-harness schema`: every corpus file validates against it, broken files do not, and its
//! property names are exactly the keys the loader accepts.

use std::path::Path;

use regex::Regex;
use serde_json::Value;

use ocsp_harness::scenario::{load_str, scenario_files, schema};

/// The JSON Schema keywords the scenario schema uses, checked; `Err` says where and why.
fn validate(schema: &Value, root: &Value, value: &Value, at: &str) -> Result<(), String> {
    let fail = |why: String| Err(format!("{at}: {why}"));
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.trim_start_matches("#/$defs/");
        return validate(&root["$defs"][name], root, value, at);
    }
    if let Some(options) = schema.get("anyOf").and_then(Value::as_array) {
        if !options
            .iter()
            .any(|option| validate(option, root, value, at).is_ok())
        {
            return fail(format!("{value} matches none of anyOf"));
        }
    }
    if let Some(excluded) = schema.get("not") {
        if validate(excluded, root, value, at).is_ok() {
            return fail(format!("{value} matches what `not` excludes"));
        }
    }
    if let Some(expected) = schema.get("const") {
        if expected != value {
            return fail(format!("{value} is not {expected}"));
        }
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        if !values.contains(value) {
            return fail(format!("{value} is not one of the enum"));
        }
    }
    match schema.get("type").and_then(Value::as_str) {
        None => {}
        Some("object") if value.is_object() => {}
        Some("array") if value.is_array() => {}
        Some("string") if value.is_string() => {}
        Some("integer") if value.is_u64() || value.is_i64() => {}
        Some("boolean") if value.is_boolean() => {}
        Some(kind) => return fail(format!("{value} is not of type {kind}")),
    }
    if let (Some(pattern), Some(text)) = (
        schema.get("pattern").and_then(Value::as_str),
        value.as_str(),
    ) {
        if !Regex::new(pattern).expect("pattern").is_match(text) {
            return fail(format!("{text:?} does not match {pattern}"));
        }
    }
    if let (Some(minimum), Some(number)) = (
        schema.get("minimum").and_then(Value::as_i64),
        value.as_i64(),
    ) {
        if number < minimum {
            return fail(format!("{number} < {minimum}"));
        }
    }
    if let Some(items) = value.as_array() {
        let minimum = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0);
        if (items.len() as u64) < minimum {
            return fail(format!("fewer than {minimum} items"));
        }
        if let Some(item_schema) = schema.get("items") {
            for (index, item) in items.iter().enumerate() {
                validate(item_schema, root, item, &format!("{at}[{index}]"))?;
            }
        }
    }
    if let Some(fields) = value.as_object() {
        for name in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = name.as_str().expect("name");
            if !fields.contains_key(name) {
                return fail(format!("{name} is required"));
            }
        }
        let minimum = schema
            .get("minProperties")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        if (fields.len() as u64) < minimum {
            return fail(format!("fewer than {minimum} properties"));
        }
        if let Some(maximum) = schema.get("maxProperties").and_then(Value::as_u64) {
            if fields.len() as u64 > maximum {
                return fail(format!("more than {maximum} properties"));
            }
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        for (name, field) in fields {
            let path = format!("{at}.{name}");
            match (
                properties.and_then(|properties| properties.get(name)),
                schema.get("additionalProperties"),
            ) {
                (Some(field_schema), _) => validate(field_schema, root, field, &path)?,
                (None, Some(Value::Bool(false))) => return fail(format!("{name} is not allowed")),
                (None, Some(other)) if other.is_object() => validate(other, root, field, &path)?,
                (None, _) => {}
            }
        }
    }
    Ok(())
}

fn yaml(text: &str) -> Value {
    serde_saphyr::from_str(text).expect("YAML")
}

#[test]
fn every_corpus_file_validates() {
    let schema = schema();
    let files = scenario_files(&[crate::workspace_root().join("scenarios")]).expect("the corpus");
    assert!(files.len() >= 20);
    for file in files {
        let text = std::fs::read_to_string(&file).expect("reads");
        if let Err(error) = validate(&schema, &schema, &yaml(&text), "$") {
            panic!("{}: {error}", file.display());
        }
    }
}

const GOOD: &str = "id: test::good
title: t
description: d
rules: [get-config.ok]
level: documented
clock: 2026-03-01T12:00:00Z
steps:
  - send: POST /v1/ocsp/test
    as: admin
    expect: {status: 200, body: {cert_status: GOOD, revocation_time: {absent: true}}, journal: {requests: 1, method: POST}}
  - advance: 1h
  - expect: {journal: {requests: 1}}
";

#[test]
fn broken_files_do_not_validate() {
    let schema = schema();
    assert_eq!(validate(&schema, &schema, &yaml(GOOD), "$"), Ok(()));
    for (broken, fragment) in [
        (format!("{GOOD}bogus: 1\n"), "bogus is not allowed"),
        (
            GOOD.replace("as: admin", "as: root"),
            "\"root\" is not one of",
        ),
        (
            GOOD.replace("level: documented", "level: important"),
            "not one of",
        ),
        (
            GOOD.replace("advance: 1h", "advance: soon"),
            "does not match",
        ),
        (
            GOOD.replace("method: POST", "method: PUT"),
            "\"PUT\" is not one of",
        ),
        (GOOD.replace("id: test::good", "id: Good"), "does not match"),
        (
            GOOD.replace("{absent: true}", "{absent: false}"),
            "matches none of anyOf",
        ),
    ] {
        let error = validate(&schema, &schema, &yaml(&broken), "$").expect_err(&broken);
        assert!(error.contains(fragment), "{error}");
    }
}

/// The loader's own list of keys at a place, read from its unknown-key error.
fn loader_keys(text: &str) -> Vec<String> {
    let error = load_str(Path::new("k.yaml"), text)
        .expect_err("an unknown key")
        .to_string();
    let list = error
        .split("expected one of ")
        .nth(1)
        .unwrap_or_else(|| panic!("{error}"));
    let mut keys: Vec<String> = list.split(", ").map(str::to_owned).collect();
    keys.sort();
    keys
}

fn schema_keys(schema: &Value) -> Vec<String> {
    let mut keys: Vec<String> = schema["properties"]
        .as_object()
        .expect("properties")
        .keys()
        .cloned()
        .collect();
    keys.sort();
    keys
}

#[test]
fn the_schema_names_exactly_the_keys_the_loader_accepts() {
    let schema = schema();
    let defs = &schema["$defs"];
    assert_eq!(
        loader_keys(&format!("{GOOD}bogus: 1\n")),
        schema_keys(&schema)
    );
    assert_eq!(
        loader_keys(&GOOD.replace("level: documented", "level: documented\nworld: {bogus: 1}")),
        schema_keys(&schema["properties"]["world"])
    );
    assert_eq!(
        loader_keys(&GOOD.replace("    as: admin", "    as: admin\n    bogus: 1")),
        schema_keys(&defs["step"])
    );
    assert_eq!(
        loader_keys(&GOOD.replace("expect: {status: 200,", "expect: {bogus: 1, status: 200,")),
        schema_keys(&defs["expect"])
    );
    assert_eq!(
        loader_keys(&GOOD.replace("journal: {requests: 1,", "journal: {bogus: 1, requests: 1,")),
        schema_keys(&defs["journal"])
    );
}

#[test]
fn the_command_prints_the_schema() {
    let output = crate::harness().arg("schema").output().expect("runs");
    assert!(output.status.success());
    let printed: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(printed, schema());
}

proptest::proptest! {
    /// Whatever the loader reads as a duration, the schema accepts, and the schema refuses
    /// what the loader refuses but for range: every unit (`ms` too), signs and compounds.
    #[test]
    fn the_schema_and_the_loader_agree_on_durations(
        sign in proptest::sample::select(vec!["", "+", "-"]),
        parts in proptest::collection::vec(
            (0u32..100_000, proptest::sample::select(vec!["d", "h", "m", "s", "ms", "x", ""])),
            0..4,
        ),
    ) {
        let text = format!(
            "{sign}{}",
            parts.iter().map(|(number, unit)| format!("{number}{unit}")).collect::<String>()
        );
        let schema = ocsp_harness::scenario::schema();
        let pattern = find_duration_pattern(&schema).expect("the schema has a duration pattern");
        let schema_accepts = Regex::new(pattern).expect("pattern").is_match(&text);
        let loader_accepts = ocsp_harness::scenario::parse_duration(&text).is_ok();
        // Whatever loads, the schema accepts; what the schema accepts and the loader refuses
        // is only a number too large to be a duration, which a pattern cannot see.
        proptest::prop_assert!(!loader_accepts || schema_accepts, "{:?}", text);
        let longest_number = text
            .split(|c: char| !c.is_ascii_digit())
            .map(str::len)
            .max()
            .unwrap_or(0);
        proptest::prop_assert!(
            loader_accepts || !schema_accepts || longest_number >= 10,
            "{:?}",
            text
        );
    }
}

/// The pattern of the `advance` step's duration, wherever the schema keeps it.
fn find_duration_pattern(schema: &Value) -> Option<&str> {
    match schema {
        Value::Object(fields) => {
            if let Some(advance) = fields.get("advance") {
                if let Some(pattern) = advance.get("pattern").and_then(Value::as_str) {
                    return Some(pattern);
                }
            }
            fields.values().find_map(find_duration_pattern)
        }
        Value::Array(items) => items.iter().find_map(find_duration_pattern),
        _ => None,
    }
}
