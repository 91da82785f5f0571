//! The conformance statement: per level, what passed, failed and was skipped, and one sentence
//! a vendor can quote. Only a level with at least one pass and no failure at all (not even one
//! the baseline accepts) conforms: an accepted failure is still a difference from the contract.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use contract::Level;

use crate::{Baseline, ScenarioResult, Verdict};

/// The counts of one level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelCounts {
    /// Scenarios of the level in the run.
    pub total: usize,
    /// Those whose every expectation held.
    pub passed: usize,
    /// Those that failed or could not run, and that the baseline does not list.
    pub failed: usize,
    /// Those that failed or could not run, and that the baseline lists.
    pub expected_failures: usize,
    /// Those the target cannot give what they need.
    pub skipped: usize,
}

impl LevelCounts {
    /// Whether the level conforms: something passed, and nothing failed, expected or not.
    pub fn conforms(&self) -> bool {
        self.passed > 0 && self.failed == 0 && self.expected_failures == 0
    }
}

/// The statement of one level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelStatement {
    /// The level.
    pub level: Level,
    /// Its counts.
    #[serde(flatten)]
    pub counts: LevelCounts,
    /// Whether the target conforms at this level.
    pub conforms: bool,
    /// The sentence, e.g. `documented: 47 passed, 0 failed, 3 skipped of 50: conforms to the
    /// documented contract (3 scenarios not run)`.
    pub verdict: String,
}

/// The conformance statement of a run: one entry per level, firmest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    /// Documented, recommended, reference, in that order.
    pub levels: Vec<LevelStatement>,
}

impl Statement {
    /// The statement of `results`; a problem `baseline` lists is an expected failure.
    pub fn of(results: &[ScenarioResult], baseline: Option<&Baseline>) -> Self {
        let levels = Level::ALL
            .into_iter()
            .map(|level| {
                let counts = count(level, results, baseline);
                LevelStatement {
                    level,
                    counts,
                    conforms: counts.conforms(),
                    verdict: sentence(level, &counts),
                }
            })
            .collect();
        Self { levels }
    }

    /// The sentences, one per level.
    pub fn lines(&self) -> impl Iterator<Item = &str> {
        self.levels.iter().map(|level| level.verdict.as_str())
    }
}

/// The counts of the results of `level`.
fn count(level: Level, results: &[ScenarioResult], baseline: Option<&Baseline>) -> LevelCounts {
    let mut counts = LevelCounts::default();
    for result in results.iter().filter(|result| result.level == level) {
        counts.total += 1;
        match result.verdict {
            Verdict::Passed => counts.passed += 1,
            Verdict::Skipped { .. } => counts.skipped += 1,
            Verdict::Failed { .. } | Verdict::Error { .. } => {
                if baseline.is_some_and(|baseline| baseline.lists(&result.id)) {
                    counts.expected_failures += 1;
                } else {
                    counts.failed += 1;
                }
            }
        }
    }
    counts
}

/// What a level's sentence says when it holds, when it does not, and what it names.
struct Claim {
    holds: &'static str,
    fails: &'static str,
    subject: &'static str,
}

fn claim(level: Level) -> Claim {
    match level {
        Level::Documented => Claim {
            holds: "conforms to the documented contract",
            fails: "does not conform to the documented contract",
            subject: "the documented contract",
        },
        Level::Recommended => Claim {
            holds: "follows the recommended rules",
            fails: "does not follow the recommended rules",
            subject: "the recommended rules",
        },
        Level::Reference => Claim {
            holds: "behaves as the reference implementation",
            fails: "does not behave as the reference implementation",
            subject: "the reference implementation",
        },
    }
}

/// `n` and the noun, plural unless `n` is 1 (`1 expected failure`, `2 expected failures`).
fn counted(n: usize, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n == 1 { singular } else { plural })
}

/// The sentence of one level, e.g. `documented: 47 passed, 0 failed, 3 skipped of 50: conforms
/// to the documented contract (3 scenarios not run)`.
pub fn sentence(level: Level, counts: &LevelCounts) -> String {
    let claim = claim(level);
    if counts.total == 0 {
        return format!(
            "{level}: no scenario selected: not checked against {}",
            claim.subject
        );
    }
    let mut tally = format!("{} passed, {} failed", counts.passed, counts.failed);
    if counts.expected_failures > 0 {
        tally.push_str(", ");
        tally.push_str(&counted(
            counts.expected_failures,
            "expected failure",
            "expected failures",
        ));
    }
    // Writing to a String cannot fail.
    let _ = write!(tally, ", {} skipped of {}", counts.skipped, counts.total);
    let not_run = counted(counts.skipped, "scenario not run", "scenarios not run");
    let conclusion = if counts.failed > 0 || counts.expected_failures > 0 {
        let mut problems = Vec::new();
        if counts.failed > 0 {
            problems.push(format!("{} failed", counts.failed));
        }
        if counts.expected_failures > 0 {
            problems.push(counted(
                counts.expected_failures,
                "expected failure",
                "expected failures",
            ));
        }
        format!("{} ({})", claim.fails, problems.join(", "))
    } else if counts.passed == 0 {
        // Everything was skipped: nothing speaks for or against the target.
        format!("not checked against {} ({not_run})", claim.subject)
    } else if counts.skipped > 0 {
        format!("{} ({not_run})", claim.holds)
    } else {
        claim.holds.to_owned()
    };
    format!("{level}: {tally}: {conclusion}")
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::Source;

    fn counts(passed: usize, failed: usize, expected: usize, skipped: usize) -> LevelCounts {
        LevelCounts {
            total: passed + failed + expected + skipped,
            passed,
            failed,
            expected_failures: expected,
            skipped,
        }
    }

    #[test]
    fn every_scenario_passed() {
        let counts = counts(50, 0, 0, 0);
        assert!(counts.conforms());
        assert_eq!(
            sentence(Level::Documented, &counts),
            "documented: 50 passed, 0 failed, 0 skipped of 50: conforms to the documented contract"
        );
    }

    #[test]
    fn skipped_scenarios_are_named_but_do_not_break_conformance() {
        let counts = counts(47, 0, 0, 3);
        assert!(counts.conforms());
        assert_eq!(
            sentence(Level::Documented, &counts),
            "documented: 47 passed, 0 failed, 3 skipped of 50: conforms to the documented contract (3 scenarios not run)"
        );
        assert_eq!(
            sentence(Level::Recommended, &super::tests::counts(4, 0, 0, 1)),
            "recommended: 4 passed, 0 failed, 1 skipped of 5: follows the recommended rules (1 scenario not run)"
        );
    }

    #[test]
    fn a_failure_breaks_conformance() {
        let counts = counts(47, 2, 1, 0);
        assert!(!counts.conforms());
        assert_eq!(
            sentence(Level::Documented, &counts),
            "documented: 47 passed, 2 failed, 1 expected failure, 0 skipped of 50: does not conform to the documented contract (2 failed, 1 expected failure)"
        );
    }

    #[test]
    fn an_expected_failure_alone_still_breaks_conformance() {
        let counts = counts(9, 0, 2, 0);
        assert!(!counts.conforms());
        assert_eq!(
            sentence(Level::Reference, &counts),
            "reference: 9 passed, 0 failed, 2 expected failures, 0 skipped of 11: does not behave as the reference implementation (2 expected failures)"
        );
    }

    #[test]
    fn a_level_whose_every_scenario_was_skipped_is_not_checked() {
        let counts = counts(0, 0, 0, 2);
        assert!(!counts.conforms());
        assert_eq!(
            sentence(Level::Recommended, &counts),
            "recommended: 0 passed, 0 failed, 2 skipped of 2: not checked against the recommended rules (2 scenarios not run)"
        );
    }

    #[test]
    fn a_level_without_scenarios_is_not_checked() {
        let counts = LevelCounts::default();
        assert!(!counts.conforms());
        assert_eq!(
            sentence(Level::Reference, &counts),
            "reference: no scenario selected: not checked against the reference implementation"
        );
    }

    fn result(id: &str, level: Level, verdict: Verdict) -> ScenarioResult {
        ScenarioResult {
            id: id.to_owned(),
            source: Source::File(PathBuf::from("a.yaml")),
            level,
            rules: Vec::new(),
            title: String::new(),
            verdict,
            duration_ms: 0,
        }
    }

    #[test]
    fn the_baseline_turns_a_problem_into_an_expected_failure_never_a_pass() {
        let failed = || Verdict::Failed {
            mismatches: Vec::new(),
        };
        let results = vec![
            result("a::pass", Level::Documented, Verdict::Passed),
            result("a::listed", Level::Documented, failed()),
            result(
                "a::listed-error",
                Level::Documented,
                Verdict::Error {
                    message: "no answer".to_owned(),
                },
            ),
            result("a::unlisted", Level::Documented, failed()),
            result(
                "b::skip",
                Level::Recommended,
                Verdict::Skipped {
                    reason: "clock".to_owned(),
                },
            ),
            result("c::pass", Level::Reference, Verdict::Passed),
        ];
        let baseline = Baseline::parse("a::listed\na::listed-error\n");
        let statement = Statement::of(&results, Some(&baseline));
        let levels: Vec<(Level, LevelCounts, bool)> = statement
            .levels
            .iter()
            .map(|level| (level.level, level.counts, level.conforms))
            .collect();
        assert_eq!(
            levels,
            vec![
                (Level::Documented, counts(1, 1, 2, 0), false),
                (Level::Recommended, counts(0, 0, 0, 1), false),
                (Level::Reference, counts(1, 0, 0, 0), true),
            ]
        );
        // Without a baseline every problem is a failure.
        let unlisted = Statement::of(&results, None);
        assert_eq!(unlisted.levels[0].counts, counts(1, 3, 0, 0));
    }
}
