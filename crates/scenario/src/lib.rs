//! Scenarios: YAML files that set up a world on a fixed clock and assert each answer. Loaded in
//! two steps, raw serde structs then checked types, with file:line:column errors.

mod duration;
mod load;
mod matcher;
mod model;
mod raw;
mod schema;
mod select;

pub use duration::{InvalidDuration, parse_duration};
pub use load::{LoadError, load_file, load_str};
pub use matcher::{Expectation, MatchContext, Matcher, MatcherError, Var, field_at};
pub use model::{Action, JournalExpect, Scenario, SendStep, Step, Who, World};
pub use schema::schema;
pub use select::{Partition, Selection};

use std::path::{Path, PathBuf};

/// Every `*.yaml` file under `paths` (files as given, directories walked), sorted.
pub fn scenario_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, LoadError> {
    let mut files = Vec::new();
    for path in paths {
        collect(path, &mut files)?;
    }
    files.sort();
    files.dedup();
    Ok(files)
}

fn collect(path: &Path, files: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    let unreadable = |error: std::io::Error| LoadError {
        path: path.to_owned(),
        line: 0,
        column: 0,
        message: format!("cannot read: {error}"),
    };
    if path.is_dir() {
        for entry in std::fs::read_dir(path).map_err(unreadable)? {
            collect(&entry.map_err(unreadable)?.path(), files)?;
        }
    } else if path
        .extension()
        .is_some_and(|extension| extension == "yaml" || extension == "yml")
    {
        files.push(path.to_owned());
    } else if !path.exists() {
        return Err(unreadable(std::io::Error::from(
            std::io::ErrorKind::NotFound,
        )));
    }
    Ok(())
}

/// Loads every file, stopping at the first error; two scenarios with one id are an error.
pub fn load_all(files: &[PathBuf]) -> Result<Vec<Scenario>, LoadError> {
    let scenarios = in_parallel(files, |file| load_file(file))?;
    unique_and_sorted(scenarios)
}

/// Like [`load_all`], for texts already in hand (a corpus built into a program): each with the
/// path its errors and reports name.
pub fn load_sources<P, T>(
    sources: impl IntoIterator<Item = (P, T)>,
) -> Result<Vec<Scenario>, LoadError>
where
    P: AsRef<Path> + Sync,
    T: AsRef<str> + Sync,
{
    let sources: Vec<(P, T)> = sources.into_iter().collect();
    let scenarios = in_parallel(&sources, |(path, text)| {
        load_str(path.as_ref(), text.as_ref())
    })?;
    unique_and_sorted(scenarios)
}

/// `load` applied to every item, on as many threads as there are cores: reading a corpus is
/// most of the time before its first scenario starts. The error is the first in the items'
/// order, whichever thread met it first.
fn in_parallel<I, F>(items: &[I], load: F) -> Result<Vec<Scenario>, LoadError>
where
    I: Sync,
    F: Fn(&I) -> Result<Scenario, LoadError> + Sync,
{
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let chunk = items.len().div_ceil(threads).max(1);
    let load = &load;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|chunk| scope.spawn(move || chunk.iter().map(load).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            // A panic in a loader is a bug; it goes on as a panic, as it would have in line.
            .flat_map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

fn unique_and_sorted(mut scenarios: Vec<Scenario>) -> Result<Vec<Scenario>, LoadError> {
    scenarios.sort_by(|a, b| a.id.cmp(&b.id));
    if let Some(pair) = scenarios.windows(2).find(|pair| pair[0].id == pair[1].id) {
        return Err(LoadError {
            path: pair[1].path.clone(),
            line: 1,
            column: 1,
            message: format!(
                "id {:?} is also the id of {}",
                pair[1].id,
                pair[0].path.display()
            ),
        });
    }
    Ok(scenarios)
}
