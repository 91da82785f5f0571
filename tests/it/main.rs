//! The integration tests of this crate, in one binary (one link, not one per file).

mod built_in_corpus;
mod cli;
mod corpus;
mod coverage;
mod hostile_target;
mod html_report;
mod keep_up;
mod layers;
mod probe;
mod real_clients;
mod remote;
mod remote_safety;
mod schema;
mod shell;
mod wrong_server;

use std::path::PathBuf;
use std::process::Command;

/// The workspace's root, where `scenarios/` is: the commands under test run from there, as a
/// user runs them from a clone.
fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `ocsp-harness` command, to run from the workspace's root.
fn harness() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ocsp-harness"));
    command.current_dir(workspace_root());
    command
}

/// `name` on `PATH`, or the program the variable `variable` names.
fn program(name: &str, variable: &str) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(variable) {
        return Some(PathBuf::from(path));
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

/// Says that `test` did not run and why, where a person sees it even though the test passes
/// (written to the process's stderr, past the test harness's capture of `eprintln!`); unless
/// the variable `require` is set, as CI sets it: then the absence fails the test, so that CI
/// can never skip it silently.
fn not_run(test: &str, why: &str, require: &str) {
    use std::io::Write as _;
    assert!(
        std::env::var_os(require).is_none(),
        "{require} is set, and {test} cannot run: {why}"
    );
    let _ = writeln!(std::io::stderr(), "note: {test} did not run: {why}");
}
