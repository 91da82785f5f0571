//! What a report says about the run itself: the target, the versions of everything involved,
//! the options a re-run repeats, and when it started. A report read months later, or by the
//! vendor, must say what it is the result of.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use contract::Contract;

/// The target of a run against the embedded reference server.
pub const EMBEDDED_TARGET: &str = "the embedded reference server";

/// The run a report is about.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunInfo {
    /// The remote target's URL, or [`EMBEDDED_TARGET`].
    pub target: String,
    /// The product version the target itself reports, when it does.
    #[serde(default)]
    pub target_product_version: Option<String>,
    /// The product version the scenarios were selected for (`run --product-version`).
    #[serde(default)]
    pub product_version: Option<String>,
    /// The harness's version.
    pub harness_version: String,
    /// The rule file's version and the docs commit it was read from, e.g.
    /// `2026.11.28 (docs 63f31f6)`.
    pub contract_version: String,
    /// The run's options as a re-run repeats them (never a credential).
    #[serde(default)]
    pub options: Vec<String>,
    /// Lines the runner wants in every report (how it had to drive the target, say).
    #[serde(default)]
    pub notes: Vec<String>,
    /// When the run started, RFC 3339, UTC.
    pub started_at: String,
}

impl RunInfo {
    /// A run against `target` that started at `started_at`, checked against the built-in
    /// contract by this harness; the product versions, options and notes are the caller's.
    pub fn new(target: impl Into<String>, started_at: OffsetDateTime) -> Self {
        Self {
            target: target.into(),
            target_product_version: None,
            product_version: None,
            // Every crate of the workspace shares the harness's version.
            harness_version: env!("CARGO_PKG_VERSION").to_owned(),
            contract_version: contract_version(Contract::embedded()),
            options: Vec::new(),
            notes: Vec::new(),
            started_at: rfc3339_utc(started_at),
        }
    }

    /// A run against the embedded reference server.
    pub fn embedded(started_at: OffsetDateTime) -> Self {
        Self::new(EMBEDDED_TARGET, started_at)
    }

    /// The versions in one line: `harness 0.1.0, contract 2026.11.28 (docs 63f31f6), scenarios
    /// for product version 8.2, the target reports product version 8.2.1`.
    pub fn versions_line(&self) -> String {
        let mut line = format!(
            "harness {}, contract {}",
            self.harness_version, self.contract_version
        );
        // Writing to a String cannot fail.
        if let Some(version) = &self.product_version {
            let _ = write!(line, ", scenarios for product version {version}");
        }
        if let Some(version) = &self.target_product_version {
            let _ = write!(line, ", the target reports product version {version}");
        }
        line
    }
}

/// `contract`'s version and its docs commit, short: `2026.11.28 (docs 63f31f6)`.
pub fn contract_version(contract: &Contract) -> String {
    let commit: String = contract.docs.commit.chars().take(7).collect();
    if commit.is_empty() {
        contract.version.clone()
    } else {
        format!("{} (docs {commit})", contract.version)
    }
}

/// `instant` in UTC, RFC 3339, whole seconds.
fn rfc3339_utc(instant: OffsetDateTime) -> String {
    let utc = instant.to_offset(time::UtcOffset::UTC);
    let whole = utc.replace_nanosecond(0).unwrap_or(utc);
    // An OffsetDateTime in years 0 to 9999 always formats; the fallback is for the others.
    whole.format(&Rfc3339).unwrap_or_else(|_| whole.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_run_names_the_contract_and_the_start_in_utc() {
        let start = time::macros::datetime!(2026-03-01 13:00:00.250 +01:00);
        let info = RunInfo::embedded(start);
        assert_eq!(info.target, EMBEDDED_TARGET);
        assert_eq!(info.started_at, "2026-03-01T12:00:00Z");
        let contract = Contract::embedded();
        assert!(info.contract_version.starts_with(&contract.version));
        assert!(
            info.contract_version.contains(&contract.docs.commit[..7]),
            "{}",
            info.contract_version
        );
    }
}
