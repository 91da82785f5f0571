//! The OCSP configuration object and its partial updates (documented: the fields, their
//! ranges and defaults). An update is checked whole before anything changes: unknown fields,
//! wrong types, out-of-range values and the read-only `responder_url` are refused, which the
//! API answers with `400 invalid_schema`.

use serde::Serialize;
use serde_json::{Map, Value};

crate::named_enum! {
    /// A field of the configuration object, in the order the API shows them.
    pub enum ConfigField: "configuration field" {
        /// Polling and stapling on or off.
        OcspFunctionality = "ocsp_functionality",
        /// Seconds between regular polls.
        QueryFrequency = "query_frequency",
        /// Seconds between polls while the staple is invalid.
        RecoveryFrequency = "recovery_frequency",
        /// Recovery polls before returning to `query_frequency`.
        RecoveryMaxTries = "recovery_max_tries",
        /// Seconds to wait for the responder.
        ResponseTimeout = "response_timeout",
        /// The URL from the proxy certificate's AIA (read-only).
        ResponderUrl = "responder_url",
    }
}

impl ConfigField {
    /// The inclusive range of an integer field (documented); `None` for the others.
    pub fn range(self) -> Option<(u32, u32)> {
        match self {
            ConfigField::QueryFrequency | ConfigField::RecoveryFrequency => Some((60, 86_400)),
            ConfigField::RecoveryMaxTries => Some((1, 100)),
            ConfigField::ResponseTimeout => Some((1, 60)),
            ConfigField::OcspFunctionality | ConfigField::ResponderUrl => None,
        }
    }
}

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

/// Why an update is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The body is not a JSON object.
    #[error("the body must be a JSON object, not {0}")]
    NotAnObject(&'static str),
    /// A field the object does not have.
    #[error("unknown field {name:?} (fields: {fields})")]
    UnknownField {
        /// The name given.
        name: String,
        /// The fields there are.
        fields: String,
    },
    /// `responder_url` comes from the certificate.
    #[error(
        "responder_url is read-only: it comes from the proxy certificate (only its current value may be sent back)"
    )]
    ReadOnly,
    /// A value of the wrong JSON type.
    #[error("{field} must be {expected}, not {actual}")]
    WrongType {
        /// The field.
        field: ConfigField,
        /// `a boolean`, `an integer`.
        expected: &'static str,
        /// What it was.
        actual: &'static str,
    },
    /// An integer outside the field's range.
    #[error("{field} must be between {min} and {max}, not {value}")]
    OutOfRange {
        /// The field.
        field: ConfigField,
        /// The least allowed.
        min: u32,
        /// The most allowed.
        max: u32,
        /// What it was.
        value: i64,
    },
}

impl OcspConfig {
    /// This configuration with `update` applied, or why `update` is refused. `responder_url`,
    /// read-only, is taken when it equals `responder_url` (a client writing back what it read)
    /// and refused otherwise (reference).
    pub fn updated(&self, update: &Value, responder_url: &str) -> Result<OcspConfig, ConfigError> {
        let Value::Object(fields) = update else {
            return Err(ConfigError::NotAnObject(kind(update)));
        };
        let mut next = *self;
        for (name, value) in fields {
            let field: ConfigField = name.parse().map_err(|_| ConfigError::UnknownField {
                name: name.clone(),
                fields: ConfigField::names()
                    .filter(|name| *name != ConfigField::ResponderUrl.name())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
            match field {
                ConfigField::OcspFunctionality => {
                    next.ocsp_functionality =
                        value.as_bool().ok_or_else(|| ConfigError::WrongType {
                            field,
                            expected: "a boolean",
                            actual: kind(value),
                        })?;
                }
                ConfigField::ResponderUrl => {
                    if value.as_str() != Some(responder_url) {
                        return Err(ConfigError::ReadOnly);
                    }
                }
                ConfigField::QueryFrequency => next.query_frequency = integer(field, value)?,
                ConfigField::RecoveryFrequency => next.recovery_frequency = integer(field, value)?,
                ConfigField::RecoveryMaxTries => next.recovery_max_tries = integer(field, value)?,
                ConfigField::ResponseTimeout => next.response_timeout = integer(field, value)?,
            }
        }
        Ok(next)
    }

    /// The configuration object as the API shows it.
    pub fn to_json(&self, responder_url: &str) -> Value {
        let mut object = Map::new();
        for field in ConfigField::ALL {
            let value: Value = match field {
                ConfigField::OcspFunctionality => self.ocsp_functionality.into(),
                ConfigField::QueryFrequency => self.query_frequency.into(),
                ConfigField::RecoveryFrequency => self.recovery_frequency.into(),
                ConfigField::RecoveryMaxTries => self.recovery_max_tries.into(),
                ConfigField::ResponseTimeout => self.response_timeout.into(),
                ConfigField::ResponderUrl => responder_url.into(),
            };
            object.insert(field.name().to_owned(), value);
        }
        Value::Object(object)
    }
}

fn integer(field: ConfigField, value: &Value) -> Result<u32, ConfigError> {
    let (min, max) = field.range().unwrap_or((0, u32::MAX));
    // 120.0 is a JSON number but not an integer; an integer too large for i64 is out of
    // range all the same.
    let number = match value {
        Value::Number(number) if number.is_i64() || number.is_u64() => {
            number.as_i64().unwrap_or(i64::MAX)
        }
        _ => {
            return Err(ConfigError::WrongType {
                field,
                expected: "an integer",
                actual: kind(value),
            });
        }
    };
    u32::try_from(number)
        .ok()
        .filter(|number| (min..=max).contains(number))
        .ok_or(ConfigError::OutOfRange {
            field,
            min,
            max,
            value: number,
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn update(body: Value) -> Result<OcspConfig, ConfigError> {
        OcspConfig::default().updated(&body, "http://current/")
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
        for field in ConfigField::ALL {
            let Some((min, max)) = field.range() else {
                continue;
            };
            let name = field.name();
            assert!(update(json!({ name: min })).is_ok(), "{field} at {min}");
            assert!(update(json!({ name: max })).is_ok(), "{field} at {max}");
            assert_eq!(
                update(json!({ name: min - 1 })).map_err(|error| error.to_string()),
                Err(format!(
                    "{field} must be between {min} and {max}, not {}",
                    min - 1
                ))
            );
            assert!(update(json!({ name: max + 1 })).is_err(), "{field} above");
        }
    }

    #[test]
    fn every_field_is_shown_and_every_stored_field_can_be_updated() {
        let shown = OcspConfig::default().to_json("http://r/");
        let mut shown: Vec<&str> = shown
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        let mut fields: Vec<&str> = ConfigField::names().collect();
        shown.sort_unstable();
        fields.sort_unstable();
        assert_eq!(shown, fields);
        let changed = update(json!({
            "ocsp_functionality": true, "query_frequency": 61, "recovery_frequency": 62,
            "recovery_max_tries": 3, "response_timeout": 4
        }))
        .expect("valid");
        assert_eq!(
            changed,
            OcspConfig {
                ocsp_functionality: true,
                query_frequency: 61,
                recovery_frequency: 62,
                recovery_max_tries: 3,
                response_timeout: 4
            }
        );
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
            assert!(update(body.clone()).is_err(), "{body}");
        }
        assert_eq!(
            update(json!({"bogus": 1})).map_err(|error| error.to_string()),
            Err("unknown field \"bogus\" (fields: ocsp_functionality, query_frequency, recovery_frequency, recovery_max_tries, response_timeout)".to_owned())
        );
    }

    #[test]
    fn the_current_responder_url_may_be_written_back_and_no_other() {
        let written_back =
            update(json!({"responder_url": "http://current/", "query_frequency": 120}));
        assert_eq!(written_back.map(|config| config.query_frequency), Ok(120));
        assert_eq!(
            update(json!({"responder_url": "http://elsewhere/"})),
            Err(ConfigError::ReadOnly)
        );
        assert_eq!(
            update(json!({"responder_url": null})),
            Err(ConfigError::ReadOnly)
        );
    }

    #[test]
    fn a_refused_update_changes_nothing() {
        let config = OcspConfig::default();
        let refused = config.updated(
            &json!({"query_frequency": 120, "bogus": 1}),
            "http://current/",
        );
        assert!(refused.is_err());
        assert_eq!(config, OcspConfig::default());
    }
}
