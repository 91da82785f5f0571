//! The integration tests of this crate, in one binary (one link, not one per file).

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
mod wrong_server;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace's root, where `scenarios/` is: the commands under test run from there, as a
/// user runs them from a clone.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `ocsp-harness` command, to run from the workspace's root.
fn harness() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ocsp-harness"));
    command.current_dir(workspace_root());
    command
}
