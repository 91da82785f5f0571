//! The OCSP configuration object and its partial updates (CONTRACT.md, "OCSP configuration
//! object"). An update is checked whole before anything changes: unknown fields, wrong types,
//! out-of-range values and the read-only `responder_url` are `400 invalid_schema`.

use serde::Serialize;
use serde_json::{Map, Value};

use super::error::ApiError;

/// The stored configuration (`responder_url` is derived from the proxy certificate, not stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OcspConfig {
    /// Polling and stapling on or off (default off).
    pub ocsp_functionality: bool,
    /// Seconds between regular polls, 60 to 86400 (default 3600).
    pub query_frequency: u32,
    /// Seconds between polls while the staple is invalid, 60 to 86400 (default 60).
    pub recovery_frequency: u32,
    /// Recovery polls before returning to `query_frequency`, 1 to 100 (default 5).
    pub recovery_max_tries: u32,
    /// Seconds to wait for the responder, 1 to 60 (default 1).
    pub response_timeout: u32,
}

impl Default for OcspConfig {
    fn default() -> Self {
        Self {
            ocsp_functionality: false,
            query_frequency: 3600,
            recovery_frequency: 60,
            recovery_max_tries: 5,
            response_timeout: 1,
        }
    }
}

/// The integer fields and their ranges (documented).
const RANGES: [(&str, u32, u32); 4] = [
    ("query_frequency", 60, 86_400),
    ("recovery_frequency", 60, 86_400),
    ("recovery_max_tries", 1, 100),
    ("response_timeout", 1, 60),
];

impl OcspConfig {
    /// This configuration with `update` applied, or why `update` is refused.
    pub fn updated(&self, update: &Value) -> Result<OcspConfig, ApiError> {
        let Value::Object(fields) = update else {
            return Err(ApiError::invalid_schema(format!(
                "the body must be a JSON object, not {}",
                kind(update)
            )));
        };
        let mut next = *self;
        for (name, value) in fields {
            match name.as_str() {
                "ocsp_functionality" => {
                    next.ocsp_functionality = value.as_bool().ok_or_else(|| {
                        ApiError::invalid_schema(format!(
                            "ocsp_functionality must be a boolean, not {}",
                            kind(value)
                        ))
                    })?;
                }
                "responder_url" => {
                    return Err(ApiError::invalid_schema(
                        "responder_url is read-only: it comes from the proxy certificate",
                    ));
                }
                other => {
                    let Some(&(field, min, max)) =
                        RANGES.iter().find(|(field, _, _)| *field == other)
                    else {
                        return Err(ApiError::invalid_schema(format!(
                            "unknown field {other:?} (fields: {})",
                            field_names()
                        )));
                    };
                    let number = integer(field, value, min, max)?;
                    match field {
                        "query_frequency" => next.query_frequency = number,
                        "recovery_frequency" => next.recovery_frequency = number,
                        "recovery_max_tries" => next.recovery_max_tries = number,
                        _ => next.response_timeout = number,
                    }
                }
            }
        }
        Ok(next)
    }

    /// The configuration object as the API shows it.
    pub fn to_json(&self, responder_url: &str) -> Value {
        let mut object = Map::new();
        object.insert("ocsp_functionality".into(), self.ocsp_functionality.into());
        object.insert("query_frequency".into(), self.query_frequency.into());
        object.insert("recovery_frequency".into(), self.recovery_frequency.into());
        object.insert("recovery_max_tries".into(), self.recovery_max_tries.into());
        object.insert("response_timeout".into(), self.response_timeout.into());
        object.insert("responder_url".into(), responder_url.into());
        Value::Object(object)
    }
}

fn integer(field: &str, value: &Value, min: u32, max: u32) -> Result<u32, ApiError> {
    // 120.0 is a JSON number but not an integer; an integer too large for i64 is out of
    // range all the same.
    let number = match value {
        Value::Number(number) if number.is_i64() || number.is_u64() => {
            number.as_i64().unwrap_or(i64::MAX)
        }
        _ => {
            return Err(ApiError::invalid_schema(format!(
                "{field} must be an integer, not {}",
                kind(value)
            )));
        }
    };
    u32::try_from(number)
        .ok()
        .filter(|number| (min..=max).contains(number))
        .ok_or_else(|| {
            ApiError::invalid_schema(format!(
                "{field} must be between {min} and {max}, not {number}"
            ))
        })
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(number) if number.is_f64() => "a fractional number",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn field_names() -> String {
    let mut names = vec!["ocsp_functionality"];
    names.extend(RANGES.iter().map(|(name, _, _)| *name));
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn update(body: Value) -> Result<OcspConfig, String> {
        OcspConfig::default()
            .updated(&body)
            .map_err(|error| format!("{} {}", error.code, error.message))
    }

    #[test]
    fn fields_left_out_keep_their_values() {
        let next = update(json!({"query_frequency": 120})).expect("valid");
        assert_eq!(
            next,
            OcspConfig {
                query_frequency: 120,
                ..OcspConfig::default()
            }
        );
        assert_eq!(update(json!({})).expect("valid"), OcspConfig::default());
    }

    #[test]
    fn ranges_are_inclusive_and_checked() {
        for (field, min, max) in RANGES {
            assert!(update(json!({ field: min })).is_ok(), "{field} at {min}");
            assert!(update(json!({ field: max })).is_ok(), "{field} at {max}");
            assert_eq!(
                update(json!({ field: min - 1 })).err(),
                Some(format!(
                    "invalid_schema {field} must be between {min} and {max}, not {}",
                    min - 1
                ))
            );
            assert!(update(json!({ field: max + 1 })).is_err(), "{field} above");
        }
    }

    #[test]
    fn wrong_types_unknown_fields_and_the_read_only_url_are_refused() {
        for body in [
            json!({"query_frequency": "120"}),
            json!({"query_frequency": 120.5}),
            json!({"query_frequency": true}),
            json!({"query_frequency": null}),
            json!({"ocsp_functionality": "true"}),
            json!({"ocsp_functionality": 1}),
            json!({"unknown": 1}),
            json!({"responder_url": "http://x/"}),
            json!([]),
            json!("text"),
            json!(null),
            json!({"query_frequency": -5}),
            json!({"query_frequency": 18446744073709551615u64}),
        ] {
            let error = update(body.clone()).expect_err("refused");
            assert!(error.starts_with("invalid_schema "), "{body}: {error}");
        }
    }

    #[test]
    fn a_refused_update_changes_nothing() {
        let config = OcspConfig::default();
        let refused = config.updated(&json!({"query_frequency": 120, "bogus": 1}));
        assert!(refused.is_err());
        assert_eq!(config, OcspConfig::default());
    }
}
