//! Relative times in scenarios: `90s`, `-2h`, `1h30m`, `1d`.

use time::Duration;

/// A text that is not a duration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid duration {0:?} (expected e.g. 90s, -2h, 1h30m, 1d)")]
pub struct InvalidDuration(pub String);

/// Parses a signed duration made of `<number><unit>` parts, units `d`, `h`, `m`, `s`, `ms`.
pub fn parse_duration(text: &str) -> Result<Duration, InvalidDuration> {
    let invalid = || InvalidDuration(text.to_owned());
    let (negative, rest) = match text.trim().strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.trim().strip_prefix('+').unwrap_or(text.trim())),
    };
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total = Duration::ZERO;
    let mut digits = String::new();
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let number: i64 = digits.parse().map_err(|_| invalid())?;
        digits.clear();
        // In seconds, checked: `Duration::days` and its siblings panic past their range, and
        // a scenario file is outside input.
        let seconds = |per: i64| number.checked_mul(per).map(Duration::seconds);
        let part = match c {
            'd' => seconds(86_400),
            'h' => seconds(3_600),
            's' => seconds(1),
            'm' if chars.peek() == Some(&'s') => {
                chars.next();
                Some(Duration::milliseconds(number))
            }
            'm' => seconds(60),
            _ => return Err(invalid()),
        }
        .ok_or_else(invalid)?;
        total = total.checked_add(part).ok_or_else(invalid)?;
    }
    if !digits.is_empty() {
        return Err(invalid());
    }
    Ok(if negative { -total } else { total })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_signs_and_compounds() {
        assert_eq!(parse_duration("90s"), Ok(Duration::seconds(90)));
        assert_eq!(parse_duration("-2h"), Ok(-Duration::hours(2)));
        assert_eq!(parse_duration("+1h30m"), Ok(Duration::minutes(90)));
        assert_eq!(parse_duration("1d"), Ok(Duration::days(1)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::milliseconds(250)));
        for bad in [
            "",
            "-",
            "5",
            "h",
            "5x",
            "1h5",
            "99999999999999999999d",
            // Fits an i64, not a duration in days: refused, not a panic.
            "999999999999999d",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
