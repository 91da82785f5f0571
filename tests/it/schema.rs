//! `ocsp-harness schema`: every corpus file validates against it, broken files do not, and its
//! property names are exactly the keys the loader accepts.

use std::path::Path;
use std::sync::OnceLock;

use serde_json::Value;

use ocsp_harness::scenario::{load_str, scenario_files, schema};

/// The scenario schema, compiled once by a JSON Schema validator (the `jsonschema` crate, not
/// ours: a schema checked by the code that wrote it proves little).
fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| jsonschema::validator_for(&schema()).expect("a valid JSON Schema"))
}

/// Every error of `value` against the schema, each with where it is; `Ok` when none.
fn validate(value: &Value) -> Result<(), String> {
    let errors: Vec<String> = validator()
        .iter_errors(value)
        .map(|error| match error.instance_path().to_string() {
            root if root.is_empty() => format!("/: {error}"),
            path => format!("{path}: {error}"),
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

fn yaml(text: &str) -> Value {
    serde_saphyr::from_str(text).expect("YAML")
}

#[test]
fn every_corpus_file_validates() {
    let files = scenario_files(&[crate::workspace_root().join("scenarios")]).expect("the corpus");
    assert!(files.len() >= 20);
    for file in files {
        let text = std::fs::read_to_string(&file).expect("reads");
        if let Err(error) = validate(&yaml(&text)) {
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
    assert_eq!(validate(&yaml(GOOD)), Ok(()));
    for (broken, fragment) in [
        (
            format!("{GOOD}bogus: 1\n"),
            "/: Additional properties are not allowed ('bogus' was unexpected)",
        ),
        (
            GOOD.replace("as: admin", "as: root"),
            "/steps/0/as: \"root\" is not one of",
        ),
        (
            GOOD.replace("level: documented", "level: important"),
            "/level: \"important\" is not one of",
        ),
        (
            GOOD.replace("advance: 1h", "advance: soon"),
            "/steps/1/advance: \"soon\" does not match",
        ),
        (
            GOOD.replace("method: POST", "method: PUT"),
            "/steps/0/expect/journal/method: \"PUT\" is not one of \"GET\" or \"POST\"",
        ),
        (
            GOOD.replace("id: test::good", "id: Good"),
            "/id: \"Good\" does not match",
        ),
        (
            GOOD.replace("{absent: true}", "{absent: false}"),
            "/steps/0/expect/body/revocation_time: {\"absent\":false} is not valid under any",
        ),
    ] {
        let error = validate(&yaml(&broken)).expect_err(&broken);
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
        let scenario = yaml(&GOOD.replace("advance: 1h", &format!("advance: {text:?}")));
        let schema_accepts = validate(&scenario).is_ok();
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
