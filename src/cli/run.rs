//! `run`: scenarios against the embedded reference server, with selection, reports and the
//! expected-failures baseline.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use ocsp_harness::level::Level;
use ocsp_harness::{report, runner, scenario};

use super::{EXIT_NON_CONFORMANT, emit};

pub struct RunArgs {
    pub paths: Vec<PathBuf>,
    pub jobs: Option<u16>,
    pub selection: scenario::Selection,
    pub list: bool,
    pub fail_fast: bool,
    pub format: report::Format,
    pub report: Option<PathBuf>,
    pub expected_failures: Option<PathBuf>,
}

pub fn parse_level(text: &str) -> Result<Level, String> {
    [Level::Documented, Level::Recommended, Level::Reference]
        .into_iter()
        .find(|level| level.name() == text)
        .ok_or_else(|| "expected documented, recommended or reference".to_owned())
}

pub fn parse_format(text: &str) -> Result<report::Format, String> {
    report::Format::ALL
        .into_iter()
        .find(|(name, _)| *name == text)
        .map(|(_, format)| format)
        .ok_or_else(|| "expected human, json, junit or tap".to_owned())
}

pub fn run_scenarios(args: RunArgs) -> anyhow::Result<ExitCode> {
    let files = scenario::scenario_files(&args.paths)?;
    let all = scenario::load_all(&files)?;
    let known: Vec<String> = all.iter().map(|scenario| scenario.id.clone()).collect();
    let baseline = args
        .expected_failures
        .as_deref()
        .map(runner::Baseline::read)
        .transpose()?;
    let scenarios = args.selection.apply(all);
    if args.list {
        let mut text = String::new();
        for scenario in &scenarios {
            writeln!(
                text,
                "{} [{}] {}",
                scenario.id, scenario.level, scenario.title
            )?;
        }
        emit(&text)?;
        return Ok(ExitCode::SUCCESS);
    }
    if scenarios.is_empty() {
        anyhow::bail!("no scenario is selected");
    }
    let jobs = args.jobs.map(usize::from).unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let fail_fast = args.fail_fast;
    let listed = baseline.clone().unwrap_or_default();
    let results = runtime.block_on(runner::run_embedded_until(scenarios, jobs, move |result| {
        fail_fast && result.verdict != runner::Verdict::Passed && !listed.lists(&result.id)
    }));

    let check = baseline
        .as_ref()
        .map(|baseline| baseline.check(&results, known.iter().map(String::as_str)));
    let mut notes = Vec::new();
    if let Some(check) = &check {
        if !check.expected_failures.is_empty() {
            notes.push(format!(
                "expected failures (baseline): {}",
                check.expected_failures.join(", ")
            ));
        }
        for id in &check.now_passing {
            notes.push(format!(
                "stale baseline: {id} passes now; remove it from the file"
            ));
        }
        for id in &check.unknown {
            notes.push(format!("stale baseline: no scenario has the id {id}"));
        }
    }
    let text = match args.format {
        report::Format::Human => report::human_with_notes(&results, &notes),
        format => format.render(&results),
    };
    emit(&text)?;
    if let Some(dir) = &args.report {
        report::write_all(dir, &results)?;
    }
    let unexpected = results.iter().any(|result| {
        result.verdict != runner::Verdict::Passed
            && !baseline
                .as_ref()
                .is_some_and(|baseline| baseline.lists(&result.id))
    });
    let stale = check.as_ref().is_some_and(runner::BaselineCheck::is_stale);
    Ok(if unexpected || stale {
        ExitCode::from(EXIT_NON_CONFORMANT)
    } else {
        ExitCode::SUCCESS
    })
}
