//! The corpus built into the command: an installed binary runs it from any directory, and
//! `scenarios export` writes it out as the files it was built from.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

/// The command, run from `dir` (not the clone, where `scenarios/` is).
fn harness_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ocsp-harness"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the command runs")
}

/// Every file under `dir`, by its path below it, with its text.
fn tree(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let mut folders = vec![dir.to_owned()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("a readable folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let name = path
                    .strip_prefix(dir)
                    .expect("below dir")
                    .to_string_lossy()
                    .into_owned();
                files.insert(name, std::fs::read_to_string(&path).expect("text"));
            }
        }
    }
    files
}

#[test]
fn run_with_no_path_runs_the_built_in_corpus_from_an_empty_directory() {
    let empty = tempfile::tempdir().expect("tempdir");
    let output = harness_in(empty.path(), &["run", "--format", "json"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).expect("a JSON report");
    let results = report["results"].as_array().expect("results");
    let on_disk = tree(&crate::workspace_root().join("scenarios")).len();
    assert_eq!(results.len(), on_disk, "every file of the corpus ran");
    assert!(
        results.iter().all(|result| result["verdict"] == "passed"),
        "{results:#?}"
    );
    // The reports name the scenarios' files as a clone has them.
    assert!(
        results.iter().all(|result| result["path"]
            .as_str()
            .is_some_and(|source| source.starts_with("scenarios/"))),
        "{results:#?}"
    );
    assert_eq!(
        std::fs::read_dir(empty.path()).expect("readable").count(),
        0,
        "the run wrote nothing where it ran"
    );
}

#[test]
fn scenarios_export_writes_the_files_the_corpus_was_built_from() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("my-scenarios");
    let out_arg = out.to_str().expect("UTF-8 temporary path");
    let output = harness_in(dir.path(), &["scenarios", "export", out_arg]);
    assert!(output.status.success(), "{output:?}");
    let exported = tree(&out);
    assert_eq!(exported, tree(&crate::workspace_root().join("scenarios")));
    assert!(
        String::from_utf8_lossy(&output.stdout)
            .starts_with(&format!("wrote {} scenario files into", exported.len())),
        "{output:?}"
    );

    // A second export refuses to replace them, on one line with exit 2, and changes nothing.
    let first = exported.keys().next().expect("a file").clone();
    std::fs::write(out.join(&first), "edited").expect("write");
    let again = harness_in(dir.path(), &["scenarios", "export", out_arg]);
    assert_eq!(again.status.code(), Some(2), "{again:?}");
    let message = String::from_utf8_lossy(&again.stderr);
    assert!(
        message.contains("already exists (pass --force to overwrite)"),
        "{message}"
    );
    assert_eq!(message.trim_end().lines().count(), 1, "{message}");
    assert_eq!(
        std::fs::read_to_string(out.join(&first)).expect("read"),
        "edited"
    );

    // --force replaces them; the exported folder runs as files.
    let forced = harness_in(dir.path(), &["scenarios", "export", out_arg, "--force"]);
    assert!(forced.status.success(), "{forced:?}");
    assert_ne!(
        std::fs::read_to_string(out.join(&first)).expect("read"),
        "edited"
    );
    let listed = harness_in(dir.path(), &["run", out_arg, "--list"]);
    assert!(listed.status.success(), "{listed:?}");
    assert_eq!(
        String::from_utf8_lossy(&listed.stdout).lines().count(),
        exported.len()
    );
}

#[test]
fn coverage_with_no_path_reads_the_built_in_corpus() {
    let empty = tempfile::tempdir().expect("tempdir");
    let built_in = harness_in(empty.path(), &["coverage", "--json"]);
    assert!(built_in.status.success(), "{built_in:?}");
    let from_files = crate::harness()
        .args(["coverage", "--json", "scenarios"])
        .output()
        .expect("runs");
    assert!(from_files.status.success(), "{from_files:?}");
    assert_eq!(built_in.stdout, from_files.stdout);
}
