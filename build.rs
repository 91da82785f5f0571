//! Builds the scenario corpus into the command: `corpus.rs` in OUT_DIR lists every file under
//! `scenarios/` with its text, so that an installed binary runs the corpus from any directory.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let corpus = root.join("scenarios");
    // A folder: cargo reruns the script when any file under it changes, is added or removed.
    println!("cargo::rerun-if-changed=scenarios");
    let mut files = Vec::new();
    collect(&corpus, &mut files);
    files.sort();
    let mut source = String::from(
        "/// Every scenario file under `scenarios/`: its path below that folder, and its text.\n",
    );
    source.push_str("pub(crate) static FILES: &[(&str, &str)] = &[\n");
    for file in &files {
        let relative = file
            .strip_prefix(&corpus)
            .expect("collected under the corpus")
            .to_str()
            .expect("scenario file names are UTF-8");
        let relative = relative.replace(std::path::MAIN_SEPARATOR, "/");
        let absolute = file.to_str().expect("the checkout's path is UTF-8");
        writeln!(source, "    ({relative:?}, include_str!({absolute:?})),").expect("to a String");
    }
    source.push_str("];\n");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it"));
    std::fs::write(out.join("corpus.rs"), source).expect("OUT_DIR is writable");
}

/// Every `.yaml` file under `folder`, as the loader finds them.
fn collect(folder: &Path, files: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(folder)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", folder.display()));
    for entry in entries {
        let path = entry.expect("a readable folder entry").path();
        if path.is_dir() {
            collect(&path, files);
        } else if path
            .extension()
            .is_some_and(|extension| extension == "yaml" || extension == "yml")
        {
            files.push(path);
        }
    }
}
