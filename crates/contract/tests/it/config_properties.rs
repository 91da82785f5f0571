//! Property tests of configuration updates: whatever sequence of updates arrives, the stored
//! configuration stays inside the contract's ranges; a refused update changes nothing; an
//! accepted one changes exactly the fields it names.

use contract::OcspConfig;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

const FIELDS: [&str; 7] = [
    "ocsp_functionality",
    "query_frequency",
    "recovery_frequency",
    "recovery_max_tries",
    "response_timeout",
    "responder_url",
    "unknown_field",
];

/// Values of every JSON kind, integers around every bound of the contract.
fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<bool>().prop_map(Value::Bool),
        prop::sample::select(vec![
            -1i64,
            0,
            1,
            2,
            59,
            60,
            61,
            99,
            100,
            101,
            3600,
            86_399,
            86_400,
            86_401,
            4_294_967_356,
        ])
        .prop_map(|number| json!(number)),
        any::<i64>().prop_map(|number| json!(number)),
        (0.0f64..100_000.0).prop_map(|number| json!(number)),
        "[a-z0-9]{0,6}".prop_map(Value::String),
        Just(Value::Null),
        Just(json!([60])),
        Just(json!({"value": 60})),
    ]
}

fn update() -> impl Strategy<Value = Value> {
    prop_oneof![
        9 => prop::collection::btree_map(prop::sample::select(FIELDS.to_vec()), value(), 0..5)
            .prop_map(|fields| {
                Value::Object(
                    fields
                        .into_iter()
                        .map(|(name, value)| (name.to_owned(), value))
                        .collect::<Map<String, Value>>(),
                )
            }),
        1 => value(),
    ]
}

fn within_contract(config: &OcspConfig) -> bool {
    (60..=86_400).contains(&config.query_frequency)
        && (60..=86_400).contains(&config.recovery_frequency)
        && (1..=100).contains(&config.recovery_max_tries)
        && (1..=60).contains(&config.response_timeout)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_sequence_of_updates_stays_inside_the_ranges(updates in prop::collection::vec(update(), 1..12)) {
        let mut config = OcspConfig::default();
        for update in &updates {
            match config.updated(update, "") {
                Ok(next) => {
                    prop_assert!(within_contract(&next), "{update} gave {next:?}");
                    // Exactly the named fields change, to the values given.
                    let before = config.to_json("");
                    let after = next.to_json("");
                    for field in FIELDS.iter().take(5) {
                        let expected = update.get(*field).unwrap_or(&before[*field]);
                        prop_assert_eq!(&after[*field], expected, "{}", update);
                    }
                    config = next;
                }
                Err(error) => {
                    // Refused whole: nothing to apply, with a reason a person can read (the
                    // API answers it as 400 invalid_schema).
                    prop_assert!(!error.to_string().is_empty(), "{}", update);
                }
            }
            prop_assert!(within_contract(&config));
        }
    }
}
