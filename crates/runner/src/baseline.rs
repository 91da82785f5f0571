//! The known-failure baseline (`--expected-failures FILE`): a vendor's accepted differences.
//! A listed scenario that fails does not fail the run; a listed scenario that now passes, or
//! an entry that names no scenario, does: the baseline is stale.

use std::collections::BTreeSet;
use std::path::Path;

use super::{ScenarioResult, Verdict};

/// The ids of a baseline file: one per line, `#` starts a comment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    ids: BTreeSet<String>,
}

/// What a baseline makes of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BaselineCheck {
    /// Listed and failed as expected.
    pub expected_failures: Vec<String>,
    /// Listed, yet passed: the baseline is stale.
    pub now_passing: Vec<String>,
    /// Listed, but no scenario has the id.
    pub unknown: Vec<String>,
}

impl Baseline {
    /// Reads a baseline file.
    pub fn read(path: &Path) -> Result<Self, files::PathError> {
        let text = std::fs::read_to_string(path).map_err(files::PathError::at("read", path))?;
        Ok(Self::parse(&text))
    }

    /// Reads the text of a baseline file.
    pub fn parse(text: &str) -> Self {
        let ids = text
            .lines()
            .map(|line| line.split('#').next().unwrap_or_default().trim())
            .filter(|line| !line.is_empty())
            .map(str::to_owned)
            .collect();
        Self { ids }
    }

    /// Whether `id` is listed.
    pub fn lists(&self, id: &str) -> bool {
        self.ids.contains(id)
    }

    /// Checks the baseline against `results`, knowing every id of the corpus (`known`),
    /// including the scenarios not selected for this run.
    pub fn check<'a>(
        &self,
        results: &[ScenarioResult],
        known: impl IntoIterator<Item = &'a str>,
    ) -> BaselineCheck {
        let known: BTreeSet<&str> = known.into_iter().collect();
        let mut check = BaselineCheck::default();
        for result in results.iter().filter(|result| self.lists(&result.id)) {
            match result.verdict {
                Verdict::Passed => check.now_passing.push(result.id.clone()),
                Verdict::Failed { .. } | Verdict::Error { .. } => {
                    check.expected_failures.push(result.id.clone());
                }
                // A skip says nothing about whether the listed failure still happens.
                Verdict::Skipped { .. } => {}
            }
        }
        check.unknown = self
            .ids
            .iter()
            .filter(|id| !known.contains(id.as_str()))
            .cloned()
            .collect();
        check
    }
}

impl BaselineCheck {
    /// Whether the baseline itself is stale.
    pub fn is_stale(&self) -> bool {
        !self.now_passing.is_empty() || !self.unknown.is_empty()
    }
}
