//! Running scenarios from your own code: load a folder, run it against the embedded reference
//! server, and print the human report (or read the results as data).
//!
//! `cargo run --example run_scenarios -- scenarios/test-endpoint`

use std::path::PathBuf;

use ocsp_harness::clock::{Clock, SystemClock};
use ocsp_harness::{report, runner, scenario};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let folder = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("scenarios/test-endpoint"), PathBuf::from);
    let files = scenario::scenario_files(&[folder])?;
    let scenarios = scenario::load_all(&files)?;
    let info = report::RunInfo::embedded(SystemClock.now());
    let results = runner::run_embedded(scenarios, 2).await;
    print!(
        "{}",
        report::human(&report::RunReport {
            info: &info,
            results: &results,
            baseline: None,
        })
    );
    let problems = results
        .iter()
        .filter(|result| result.verdict.is_problem())
        .count();
    std::process::exit(i32::from(problems > 0));
}
