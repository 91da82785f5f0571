//! What a field of an answer must be: a value, or a matcher written as a one-key mapping
//! (`{absent: true}`, `{no_value: true}`, `{one_of: [...]}`, `{regex: "..."}`, `{imf_fixdate: true}`,
//! `{var: responder_url}`, `{clock: -1h}`).

use contract::{imf_fixdate, is_imf_fixdate, parse_imf_fixdate};
use serde_json::Value;
use time::Duration;

use super::duration::{InvalidDuration, parse_duration};

/// A field's expectation.
#[derive(Debug, Clone)]
pub enum Matcher {
    /// Exactly this JSON value.
    Equals(Value),
    /// The field is not there (not even `null`).
    Absent,
    /// The field has no value: it is not there, or it is `null` (where the pages leave the
    /// choice between the two open).
    NoValue,
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

/// Why a one-key mapping is not a matcher.
#[derive(Debug, thiserror::Error)]
pub enum MatcherError {
    /// `absent`, `present`, `imf_fixdate` take `true`.
    #[error("{0} takes true")]
    TakesTrue(&'static str),
    /// `one_of` takes values.
    #[error("one_of takes a non-empty list")]
    EmptyOneOf,
    /// `regex` takes a pattern.
    #[error("regex takes a string")]
    RegexNotString,
    /// The pattern does not compile.
    #[error("invalid regex: {0}")]
    Regex(#[source] regex::Error),
    /// `var` names a value the scenario knows.
    #[error("var takes responder_url")]
    UnknownVar,
    /// `clock` takes an offset.
    #[error("clock takes an offset such as -1h")]
    ClockNotString,
    /// The offset is not a duration.
    #[error("{0}")]
    ClockOffset(#[source] InvalidDuration),
}

/// What a matcher expected of a field it did not find there, with the scenario's values
/// (the responder's URL, the clock) filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expectation {
    /// This value.
    Value(Value),
    /// No field.
    Absent,
    /// No field, or `null`.
    NoValue,
    /// A field.
    Present,
    /// One of these values.
    OneOf(Vec<Value>),
    /// A string matching this pattern.
    Regex(String),
    /// An IMF-fixdate.
    ImfFixdate,
    /// The world's responder URL.
    ResponderUrl(String),
    /// The IMF-fixdate of this instant.
    Instant(time::OffsetDateTime),
    /// An IMF-fixdate between these instants.
    Between(time::OffsetDateTime, time::OffsetDateTime),
}

impl std::fmt::Display for Expectation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expectation::Value(value) => write!(f, "{value}"),
            Expectation::Absent => f.write_str("absent"),
            Expectation::NoValue => f.write_str("absent or null"),
            Expectation::Present => f.write_str("present"),
            Expectation::OneOf(values) => {
                f.write_str("one of ")?;
                for (index, value) in values.iter().enumerate() {
                    if index > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{value}")?;
                }
                Ok(())
            }
            Expectation::Regex(pattern) => write!(f, "a string matching /{pattern}/"),
            Expectation::ImfFixdate => f.write_str("an IMF-fixdate"),
            Expectation::ResponderUrl(url) => write!(f, "\"{url}\" (responder_url)"),
            Expectation::Instant(at) => write!(f, "\"{}\"", imf_fixdate(*at)),
            Expectation::Between(from, to) => write!(
                f,
                "an IMF-fixdate from {} to {}",
                imf_fixdate(*from),
                imf_fixdate(*to)
            ),
        }
    }
}

impl Matcher {
    /// The keys of the one-key mappings that are matchers (what [`Matcher::from_value`] reads,
    /// listed for the schema).
    pub const NAMES: [&'static str; 8] = [
        "absent",
        "no_value",
        "present",
        "one_of",
        "regex",
        "imf_fixdate",
        "var",
        "clock",
    ];

    /// Reads a matcher from a YAML value.
    pub fn from_value(value: Value) -> Result<Self, MatcherError> {
        let Value::Object(fields) = &value else {
            return Ok(Matcher::Equals(value));
        };
        let mut entries = fields.iter();
        let (Some((key, argument)), None) = (entries.next(), entries.next()) else {
            return Ok(Matcher::Equals(value.clone()));
        };
        let truth = |name: &'static str| match argument {
            Value::Bool(true) => Ok(()),
            _ => Err(MatcherError::TakesTrue(name)),
        };
        match key.as_str() {
            "absent" => truth("absent").map(|()| Matcher::Absent),
            "no_value" => truth("no_value").map(|()| Matcher::NoValue),
            "present" => truth("present").map(|()| Matcher::Present),
            "imf_fixdate" => truth("imf_fixdate").map(|()| Matcher::ImfFixdate),
            "one_of" => match argument {
                Value::Array(values) if !values.is_empty() => Ok(Matcher::OneOf(values.clone())),
                _ => Err(MatcherError::EmptyOneOf),
            },
            "regex" => match argument {
                Value::String(pattern) => regex::Regex::new(pattern)
                    .map(Matcher::Regex)
                    .map_err(MatcherError::Regex),
                _ => Err(MatcherError::RegexNotString),
            },
            "var" => match argument.as_str() {
                Some("responder_url") => Ok(Matcher::Var(Var::ResponderUrl)),
                _ => Err(MatcherError::UnknownVar),
            },
            "clock" => match argument.as_str() {
                Some(offset) => parse_duration(offset)
                    .map(Matcher::Clock)
                    .map_err(MatcherError::ClockOffset),
                None => Err(MatcherError::ClockNotString),
            },
            _ => Ok(Matcher::Equals(value.clone())),
        }
    }

    /// Whether `actual` (`None`: the field is missing) satisfies the matcher; `Err` holds what
    /// was expected.
    pub fn check(&self, actual: Option<&Value>, context: &MatchContext) -> Result<(), Expectation> {
        let ok = match (self, actual) {
            (Matcher::Absent, actual) => actual.is_none(),
            (Matcher::NoValue, actual) => actual.is_none_or(Value::is_null),
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
            Err(self.expectation(context))
        }
    }

    /// What the matcher expects, with the scenario's values filled in.
    pub fn expectation(&self, context: &MatchContext) -> Expectation {
        match self {
            Matcher::Equals(value) => Expectation::Value(value.clone()),
            Matcher::Absent => Expectation::Absent,
            Matcher::NoValue => Expectation::NoValue,
            Matcher::Present => Expectation::Present,
            Matcher::OneOf(values) => Expectation::OneOf(values.clone()),
            Matcher::Regex(regex) => Expectation::Regex(regex.as_str().to_owned()),
            Matcher::ImfFixdate => Expectation::ImfFixdate,
            Matcher::Var(Var::ResponderUrl) => {
                Expectation::ResponderUrl(context.responder_url.clone())
            }
            Matcher::Clock(offset) if context.slack.is_zero() => {
                Expectation::Instant(context.now + *offset)
            }
            Matcher::Clock(offset) => {
                Expectation::Between(context.now + *offset, context.now + *offset + context.slack)
            }
        }
    }
}

/// The field `path` names in `body`: a top-level name, or names joined by dots for fields of
/// nested objects (`alert_settings.cluster_ocsp_query_failed`), so that a scenario can check one
/// field of an object a target may fill with more. A top-level name with a dot in it wins. In
/// an array, a name is an index (`0.software_version`: the first node's version).
pub fn field_at<'a>(body: &'a Value, path: &str) -> Option<&'a Value> {
    if let Some(value) = body.get(path) {
        return Some(value);
    }
    path.split('.').try_fold(body, |value, name| match value {
        Value::Array(items) => items.get(name.parse::<usize>().ok()?),
        _ => value.get(name),
    })
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

    #[test]
    fn every_name_is_a_matcher() {
        // A matcher's key with no argument is an error; any other key is a plain value.
        for name in Matcher::NAMES {
            assert!(Matcher::from_value(json!({name: null})).is_err(), "{name}");
        }
        assert!(matches!(
            Matcher::from_value(json!({"other": null})),
            Ok(Matcher::Equals(_))
        ));
    }

    fn context() -> MatchContext {
        MatchContext {
            responder_url: "http://127.0.0.1:1/".to_owned(),
            now: datetime!(2026-03-01 12:00 UTC),
            slack: time::Duration::ZERO,
        }
    }

    #[test]
    fn a_dotted_path_reaches_into_nested_objects_and_arrays() {
        let body = json!({"a": {"b": {"c": 1}}, "x.y": 2, "list": [1, {"d": 3}]});
        assert_eq!(field_at(&body, "a.b.c"), Some(&json!(1)));
        assert_eq!(field_at(&body, "a.b"), Some(&json!({"c": 1})));
        assert_eq!(field_at(&body, "x.y"), Some(&json!(2)));
        assert_eq!(field_at(&body, "a.missing"), None);
        assert_eq!(field_at(&body, "list.0"), Some(&json!(1)));
        assert_eq!(field_at(&body, "list.1.d"), Some(&json!(3)));
        assert_eq!(field_at(&body, "list.2"), None);
        assert_eq!(field_at(&body, "list.first"), None);
        assert_eq!(field_at(&json!([{"uid": 1}]), "0.uid"), Some(&json!(1)));
        assert_eq!(field_at(&body, "nothing"), None);
    }

    #[test]
    fn no_value_takes_a_missing_field_or_null_and_absent_only_a_missing_one() {
        let no_value = Matcher::from_value(json!({"no_value": true})).expect("valid");
        let absent = Matcher::from_value(json!({"absent": true})).expect("valid");
        let context = context();
        assert!(no_value.check(None, &context).is_ok());
        assert!(no_value.check(Some(&json!(null)), &context).is_ok());
        assert!(no_value.check(Some(&json!("")), &context).is_err());
        assert!(absent.check(None, &context).is_ok());
        assert!(absent.check(Some(&json!(null)), &context).is_err());
        assert_eq!(no_value.expectation(&context).to_string(), "absent or null");
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
            matcher.expectation(&context).to_string(),
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
            assert!(error.to_string().contains(message), "{error}");
        }
    }
}
