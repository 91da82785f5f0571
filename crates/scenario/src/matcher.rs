//! What a field of an answer must be: a value, or a matcher written as a one-key mapping
//! (`{absent: true}`, `{one_of: [...]}`, `{regex: "..."}`, `{imf_fixdate: true}`,
//! `{var: responder_url}`, `{clock: -1h}`).

use contract::{imf_fixdate, is_imf_fixdate, parse_imf_fixdate};
use serde_json::Value;
use time::Duration;

use super::duration::parse_duration;

/// A field's expectation.
#[derive(Debug, Clone)]
pub enum Matcher {
    /// Exactly this JSON value.
    Equals(Value),
    /// The field is not there (not even `null`).
    Absent,
    /// The field is there, whatever its value.
    Present,
    /// One of these values.
    OneOf(Vec<Value>),
    /// A string matching this regular expression.
    Regex(regex::Regex),
    /// An IMF-fixdate string (`Sun, 01 Mar 2026 12:00:00 GMT`).
    ImfFixdate,
    /// A value the scenario knows: `responder_url`.
    Var(Var),
    /// The IMF-fixdate of the clock at the step, moved by this offset.
    Clock(Duration),
}

/// Values known to a scenario only when it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Var {
    /// The URL of the world's responder.
    ResponderUrl,
}

impl Matcher {
    /// Reads a matcher from a YAML value.
    pub fn from_value(value: Value) -> Result<Self, String> {
        let Value::Object(fields) = &value else {
            return Ok(Matcher::Equals(value));
        };
        let mut entries = fields.iter();
        let (Some((key, argument)), None) = (entries.next(), entries.next()) else {
            return Ok(Matcher::Equals(value.clone()));
        };
        let truth = |name: &str| match argument {
            Value::Bool(true) => Ok(()),
            _ => Err(format!("{name} takes true")),
        };
        match key.as_str() {
            "absent" => truth("absent").map(|()| Matcher::Absent),
            "present" => truth("present").map(|()| Matcher::Present),
            "imf_fixdate" => truth("imf_fixdate").map(|()| Matcher::ImfFixdate),
            "one_of" => match argument {
                Value::Array(values) if !values.is_empty() => Ok(Matcher::OneOf(values.clone())),
                _ => Err("one_of takes a non-empty list".to_owned()),
            },
            "regex" => match argument {
                Value::String(pattern) => regex::Regex::new(pattern)
                    .map(Matcher::Regex)
                    .map_err(|error| format!("invalid regex: {error}")),
                _ => Err("regex takes a string".to_owned()),
            },
            "var" => match argument.as_str() {
                Some("responder_url") => Ok(Matcher::Var(Var::ResponderUrl)),
                _ => Err("var takes responder_url".to_owned()),
            },
            "clock" => match argument.as_str() {
                Some(offset) => parse_duration(offset).map(Matcher::Clock),
                None => Err("clock takes an offset such as -1h".to_owned()),
            },
            _ => Ok(Matcher::Equals(value.clone())),
        }
    }

    /// Whether `actual` (`None`: the field is missing) satisfies the matcher; `Err` holds what
    /// was expected, in words.
    pub fn check(&self, actual: Option<&Value>, context: &MatchContext) -> Result<(), String> {
        let ok = match (self, actual) {
            (Matcher::Absent, actual) => actual.is_none(),
            (_, None) => false,
            (Matcher::Present, Some(_)) => true,
            (Matcher::Equals(expected), Some(actual)) => expected == actual,
            (Matcher::OneOf(values), Some(actual)) => values.contains(actual),
            (Matcher::Regex(regex), Some(actual)) => {
                actual.as_str().is_some_and(|text| regex.is_match(text))
            }
            (Matcher::ImfFixdate, Some(actual)) => actual.as_str().is_some_and(is_imf_fixdate),
            (Matcher::Var(Var::ResponderUrl), Some(actual)) => {
                actual.as_str() == Some(context.responder_url.as_str())
            }
            (Matcher::Clock(offset), Some(actual)) => actual
                .as_str()
                .and_then(parse_imf_fixdate)
                .is_some_and(|time| {
                    // IMF-fixdate has whole seconds: the earliest acceptable is truncated.
                    let earliest = (context.now + *offset).replace_nanosecond(0);
                    earliest.is_ok_and(|earliest| {
                        earliest <= time && time <= context.now + *offset + context.slack
                    })
                }),
        };
        if ok {
            Ok(())
        } else {
            Err(self.describe(context))
        }
    }

    /// What the matcher expects, in words.
    pub fn describe(&self, context: &MatchContext) -> String {
        match self {
            Matcher::Equals(value) => value.to_string(),
            Matcher::Absent => "absent".to_owned(),
            Matcher::Present => "present".to_owned(),
            Matcher::OneOf(values) => format!(
                "one of {}",
                values
                    .iter()
                    .map(Value::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Matcher::Regex(regex) => format!("a string matching /{regex}/"),
            Matcher::ImfFixdate => "an IMF-fixdate".to_owned(),
            Matcher::Var(Var::ResponderUrl) => {
                format!("\"{}\" (responder_url)", context.responder_url)
            }
            Matcher::Clock(offset) if context.slack.is_zero() => {
                format!("\"{}\"", imf_fixdate(context.now + *offset))
            }
            Matcher::Clock(offset) => {
                format!(
                    "an IMF-fixdate from {} to {}",
                    imf_fixdate(context.now + *offset),
                    imf_fixdate(context.now + *offset + context.slack)
                )
            }
        }
    }
}

/// What matchers may refer to.
#[derive(Debug, Clone)]
pub struct MatchContext {
    /// The world's responder URL.
    pub responder_url: String,
    /// The scenario's clock when the step started.
    pub now: time::OffsetDateTime,
    /// How far past `now` a clock matcher accepts: zero on a virtual clock; on a target's own
    /// clock, the real time the scenario has taken so far.
    pub slack: time::Duration,
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use time::macros::datetime;

    use super::*;

    fn context() -> MatchContext {
        MatchContext {
            responder_url: "http://127.0.0.1:1/".to_owned(),
            now: datetime!(2026-03-01 12:00 UTC),
            slack: time::Duration::ZERO,
        }
    }

    #[test]
    fn a_clock_matcher_on_a_real_clock_accepts_the_time_the_scenario_took() {
        let matcher = Matcher::from_value(json!({"clock": "1d"})).expect("valid");
        let context = MatchContext {
            responder_url: String::new(),
            now: datetime!(2026-03-01 12:00:00.700 UTC),
            slack: time::Duration::seconds(3),
        };
        for (actual, ok) in [
            ("Mon, 02 Mar 2026 11:59:59 GMT", false),
            ("Mon, 02 Mar 2026 12:00:00 GMT", true),
            ("Mon, 02 Mar 2026 12:00:03 GMT", true),
            ("Mon, 02 Mar 2026 12:00:04 GMT", false),
        ] {
            assert_eq!(
                matcher.check(Some(&json!(actual)), &context).is_ok(),
                ok,
                "{actual}"
            );
        }
        assert_eq!(
            matcher.describe(&context),
            "an IMF-fixdate from Mon, 02 Mar 2026 12:00:00 GMT to Mon, 02 Mar 2026 12:00:03 GMT"
        );
    }

    #[test]
    fn matchers_read_from_one_key_mappings() {
        let check = |matcher: Value, actual: Option<Value>| {
            Matcher::from_value(matcher)
                .expect("valid")
                .check(actual.as_ref(), &context())
        };
        assert!(check(json!("GOOD"), Some(json!("GOOD"))).is_ok());
        assert!(check(json!("GOOD"), Some(json!("REVOKED"))).is_err());
        assert!(check(json!({"absent": true}), None).is_ok());
        assert!(check(json!({"absent": true}), Some(json!(null))).is_err());
        assert!(check(json!({"one_of": [1, 2]}), Some(json!(2))).is_ok());
        assert!(check(json!({"regex": "^a+$"}), Some(json!("aaa"))).is_ok());
        assert!(
            check(
                json!({"imf_fixdate": true}),
                Some(json!("Sun, 01 Mar 2026 12:00:00 GMT"))
            )
            .is_ok()
        );
        assert!(
            check(
                json!({"imf_fixdate": true}),
                Some(json!("Mon, 01 Mar 2026 12:00:00 GMT"))
            )
            .is_err()
        );
        assert!(
            check(
                json!({"imf_fixdate": true}),
                Some(json!("2026-03-01T12:00:00Z"))
            )
            .is_err()
        );
        assert!(
            check(
                json!({"var": "responder_url"}),
                Some(json!("http://127.0.0.1:1/"))
            )
            .is_ok()
        );
        assert!(
            check(
                json!({"clock": "-1h"}),
                Some(json!("Sun, 01 Mar 2026 11:00:00 GMT"))
            )
            .is_ok()
        );
        assert!(
            check(json!({"a": 1, "b": 2}), Some(json!({"a": 1, "b": 2}))).is_ok(),
            "two keys: a value"
        );
    }

    #[test]
    fn bad_matchers_say_what_they_take() {
        for (matcher, message) in [
            (json!({"absent": 1}), "absent takes true"),
            (json!({"one_of": []}), "one_of takes a non-empty list"),
            (json!({"regex": "("}), "invalid regex"),
            (json!({"var": "nope"}), "var takes responder_url"),
            (json!({"clock": "soon"}), "invalid duration"),
        ] {
            let error = Matcher::from_value(matcher).expect_err("refused");
            assert!(error.contains(message), "{error}");
        }
    }
}
