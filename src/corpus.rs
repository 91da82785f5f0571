//! The scenario corpus built into the command (every file under `scenarios/` when it was
//! compiled), so that an installed binary runs it from any directory and can write it out for
//! editing.

use std::path::{Path, PathBuf};

use crate::files::{NewFile, Overwrite, WriteError, write_all_or_nothing};
use crate::scenario::{LoadError, Scenario, load_sources};

include!(concat!(env!("OUT_DIR"), "/corpus.rs"));

/// The folder the built-in scenarios name as theirs, as in a clone: reports of a run of the
/// built-in corpus and of `run scenarios` in a clone name the same files.
pub const FOLDER: &str = "scenarios";

/// One built-in scenario file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CorpusFile {
    /// Its path below the corpus folder, with `/` between folders.
    pub name: &'static str,
    /// Its text.
    pub text: &'static str,
}

impl CorpusFile {
    /// Its path as scenarios and reports name it: `scenarios/<name>`.
    pub fn path(&self) -> PathBuf {
        Path::new(FOLDER).join(self.name)
    }
}

/// Every built-in scenario file, sorted by name.
pub fn files() -> impl ExactSizeIterator<Item = CorpusFile> {
    FILES.iter().map(|&(name, text)| CorpusFile { name, text })
}

/// The built-in scenarios, loaded and checked as files would be.
pub fn load() -> Result<Vec<Scenario>, LoadError> {
    load_sources(files().map(|file| (file.path(), file.text)))
}

/// Writes the corpus into `dir` (its folders included) all or nothing; with
/// [`Overwrite::Refuse`], nothing is written when any file exists.
pub fn export(dir: &Path, overwrite: Overwrite) -> Result<usize, WriteError> {
    let new_files: Vec<NewFile> = files()
        .map(|file| NewFile {
            name: file.name.to_owned(),
            contents: file.text.as_bytes().to_vec(),
            private: false,
        })
        .collect();
    write_all_or_nothing(dir, &new_files, overwrite)?;
    Ok(new_files.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_corpus_loads() {
        let scenarios = load().expect("the built-in corpus loads");
        assert_eq!(scenarios.len(), files().len());
        assert!(scenarios.len() > 100, "{}", scenarios.len());
    }

    #[test]
    fn names_are_relative_and_sorted() {
        let names: Vec<&str> = files().map(|file| file.name).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
        assert!(
            names
                .iter()
                .all(|name| !name.starts_with('/') && !name.contains(".."))
        );
    }

    #[test]
    fn an_export_writes_every_file_and_refuses_to_overwrite() {
        let dir = tempfile::tempdir().expect("tempdir");
        let written = export(dir.path(), Overwrite::Refuse).expect("exports");
        assert_eq!(written, files().len());
        for file in files() {
            let on_disk = std::fs::read_to_string(dir.path().join(file.name)).expect("written");
            assert_eq!(on_disk, file.text, "{}", file.name);
        }
        assert!(matches!(
            export(dir.path(), Overwrite::Refuse),
            Err(WriteError::AlreadyExists { .. })
        ));
        assert_eq!(
            export(dir.path(), Overwrite::Allow).expect("overwrites"),
            files().len()
        );
    }
}
