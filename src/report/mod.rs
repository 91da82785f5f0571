//! Reports: each format is a sibling that only reads the runner's results.

mod human;
mod junit;
mod tap;

use std::path::Path;

pub use human::{Colour, HumanOptions, Summary, human, human_with};
pub use junit::junit;
pub use tap::tap;

use crate::files::{NewFile, Overwrite, WriteError, write_all_or_nothing};
use crate::runner::{ScenarioResult, Verdict};

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// For people.
    Human,
    /// The results as JSON.
    Json,
    /// JUnit XML, for CI systems.
    Junit,
    /// Test Anything Protocol.
    Tap,
}

impl Format {
    /// Every format, by name.
    pub const ALL: [(&'static str, Format); 4] = [
        ("human", Format::Human),
        ("json", Format::Json),
        ("junit", Format::Junit),
        ("tap", Format::Tap),
    ];

    /// `results` in this format.
    pub fn render(self, results: &[ScenarioResult]) -> String {
        match self {
            Format::Human => human(results),
            Format::Json => json(results),
            Format::Junit => junit(results),
            Format::Tap => tap(results),
        }
    }
}

/// The results as pretty JSON.
pub fn json(results: &[ScenarioResult]) -> String {
    // Serializing plain data with string keys cannot fail.
    let mut text = serde_json::to_string_pretty(results).unwrap_or_default();
    text.push('\n');
    text
}

/// Writes every format into `dir` (report.txt, results.json, junit.xml, report.tap), all or
/// nothing.
pub fn write_all(
    dir: &Path,
    results: &[ScenarioResult],
    human_options: &HumanOptions,
) -> Result<(), WriteError> {
    // Files get no colour codes, whatever the terminal does.
    let plain = HumanOptions {
        colour: Colour::Never,
        ..human_options.clone()
    };
    let files = [
        ("report.txt", Format::Human),
        ("results.json", Format::Json),
        ("junit.xml", Format::Junit),
        ("report.tap", Format::Tap),
    ]
    .into_iter()
    .map(|(name, format)| {
        let contents = match format {
            Format::Human => human_with(results, &plain),
            format => format.render(results),
        };
        NewFile {
            name: name.to_owned(),
            contents: contents.into_bytes(),
            private: false,
        }
    })
    .collect::<Vec<_>>();
    write_all_or_nothing(dir, &files, Overwrite::Allow)
}

/// What went wrong in a result that did not pass, as lines of text.
pub fn problem_lines(result: &ScenarioResult) -> Vec<String> {
    match &result.verdict {
        Verdict::Passed => Vec::new(),
        Verdict::Failed { mismatches } => mismatches
            .iter()
            .map(|mismatch| {
                format!(
                    "{}:{} {}: {}: expected {}, actual {}",
                    result.path.display(),
                    mismatch.line,
                    mismatch.request,
                    mismatch.path,
                    mismatch.expected,
                    mismatch.actual
                )
            })
            .collect(),
        Verdict::Error { message } => vec![format!("{}: {message}", result.path.display())],
        Verdict::Skipped { reason } => vec![format!("skipped: {reason}")],
    }
}
