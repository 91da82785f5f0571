//! Writing a set of files into a directory all or nothing.
//!
//! Every file is first written under a temporary name beside its target. Only when all are
//! written are they renamed into place, each existing target first moved aside; if any step
//! fails, what was moved aside is put back and every temporary file removed. A reader never
//! sees a mix of old and new files, and an error never loses an old one.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// One file to write.
#[derive(Debug, Clone)]
pub struct NewFile {
    /// Its name inside the directory: a file name, or a relative path whose folders are
    /// created as needed (`polling/x.yaml`); never absolute, never `..`.
    pub name: String,
    /// Its contents.
    pub contents: Vec<u8>,
    /// Whether only the owner may read it (mode 0600 on Unix, else 0644).
    pub private: bool,
}

/// Whether [`write_all_or_nothing`] may replace files that exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overwrite {
    /// Refuse if any of the files exists.
    Refuse,
    /// Replace them.
    Allow,
}

/// A file system operation that failed, with what it was doing and to which path.
#[derive(Debug, thiserror::Error)]
#[error("cannot {action} {}", path.display())]
pub struct PathError {
    /// What was being done, e.g. "create directory".
    pub action: &'static str,
    /// The path it was done to.
    pub path: PathBuf,
    /// The operating system's error.
    #[source]
    pub source: std::io::Error,
}

impl PathError {
    /// A closure for `map_err` that names `action` and `path`.
    pub fn at<'a>(
        action: &'static str,
        path: &'a Path,
    ) -> impl FnOnce(std::io::Error) -> Self + 'a {
        move |source| Self {
            action,
            path: path.to_owned(),
            source,
        }
    }
}

/// What went wrong, and with which path.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// A file system operation failed.
    #[error(transparent)]
    Io(#[from] PathError),
    /// A file exists and [`Overwrite::Refuse`] was asked for.
    #[error("{} already exists (pass --force to overwrite)", path.display())]
    AlreadyExists {
        /// The first file that would be replaced.
        path: PathBuf,
    },
    /// A name would land outside the directory, or names no file.
    #[error("{name:?} is not a relative path inside the directory")]
    OutsideTheDirectory {
        /// The name as given.
        name: String,
    },
}

/// Whether `name` stays inside the directory it is joined to: relative, made only of plain
/// components, at least one.
fn stays_inside(name: &str) -> bool {
    let path = Path::new(name);
    path.components().next().is_some()
        && path
            .components()
            .all(|component| matches!(component, std::path::Component::Normal(_)))
}

/// Writes `files` into `dir`, creating `dir` if needed; on error the directory is as before.
pub fn write_all_or_nothing(
    dir: &Path,
    files: &[NewFile],
    overwrite: Overwrite,
) -> Result<(), WriteError> {
    if let Some(file) = files.iter().find(|file| !stays_inside(&file.name)) {
        return Err(WriteError::OutsideTheDirectory {
            name: file.name.clone(),
        });
    }
    fs::create_dir_all(dir).map_err(PathError::at("create directory", dir))?;
    if overwrite == Overwrite::Refuse {
        if let Some(path) = files
            .iter()
            .map(|file| dir.join(&file.name))
            .find(|path| path.symlink_metadata().is_ok())
        {
            return Err(WriteError::AlreadyExists { path });
        }
    }
    let mut transaction = Transaction::default();
    let result = transaction.run(dir, files);
    match result {
        Ok(()) => transaction.commit(),
        Err(_) => transaction.roll_back(),
    }
    result
}

/// The steps taken so far, so that they can be undone.
#[derive(Default)]
struct Transaction {
    /// Temporary files written and not yet renamed.
    temporary: Vec<PathBuf>,
    /// Targets moved aside: (target, where it was moved).
    moved_aside: Vec<(PathBuf, PathBuf)>,
    /// Targets now holding a new file.
    placed: Vec<PathBuf>,
    /// Folders created for nested names, parents first.
    created: Vec<PathBuf>,
}

impl Transaction {
    fn run(&mut self, dir: &Path, files: &[NewFile]) -> Result<(), WriteError> {
        let suffix = std::process::id();
        let mut staged = Vec::with_capacity(files.len());
        for file in files {
            let target = dir.join(&file.name);
            let folder = target.parent().unwrap_or(dir);
            self.create_folders(dir, folder)?;
            let file_name = target.file_name().unwrap_or_default().to_string_lossy();
            let temporary = folder.join(format!(".{file_name}.{suffix}.new"));
            // Recorded before writing, so that a half-written file is removed too.
            self.temporary.push(temporary.clone());
            write_file(&temporary, file).map_err(PathError::at("write", &temporary))?;
            staged.push((temporary, target));
        }
        for (temporary, target) in staged {
            if target.symlink_metadata().is_ok() {
                let folder = target.parent().unwrap_or(dir);
                let aside = folder.join(format!(
                    ".{}.{suffix}.old",
                    target.file_name().unwrap_or_default().to_string_lossy()
                ));
                rename(&target, &aside)?;
                self.moved_aside.push((target.clone(), aside));
            }
            rename(&temporary, &target)?;
            self.temporary.retain(|path| path != &temporary);
            self.placed.push(target);
        }
        Ok(())
    }

    /// Creates `folder` and the folders between `dir` and it, remembering each one made, so
    /// that a roll-back leaves no empty folder behind.
    fn create_folders(&mut self, dir: &Path, folder: &Path) -> Result<(), WriteError> {
        let Ok(inner) = folder.strip_prefix(dir) else {
            return Ok(());
        };
        let mut current = dir.to_owned();
        for component in inner.components() {
            current.push(component);
            if current.symlink_metadata().is_err() {
                fs::create_dir(&current).map_err(PathError::at("create directory", &current))?;
                self.created.push(current.clone());
            }
        }
        Ok(())
    }

    fn commit(self) {
        for (_, aside) in self.moved_aside {
            // A leftover backup loses nothing; failing to remove it is not worth an error.
            let _ = fs::remove_file(aside);
        }
    }

    fn roll_back(self) {
        for path in self.temporary.iter().chain(&self.placed) {
            let _ = fs::remove_file(path);
        }
        for (target, aside) in self.moved_aside.iter().rev() {
            let _ = fs::rename(aside, target);
        }
        for folder in self.created.iter().rev() {
            let _ = fs::remove_dir(folder);
        }
    }
}

fn rename(from: &Path, to: &Path) -> Result<(), WriteError> {
    Ok(fs::rename(from, to).map_err(PathError::at("rename into place", to))?)
}

fn write_file(path: &Path, file: &NewFile) -> std::io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(if file.private { 0o600 } else { 0o644 });
    }
    let mut handle = options.open(path)?;
    handle.write_all(&file.contents)?;
    handle.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, contents: &str) -> NewFile {
        NewFile {
            name: name.to_owned(),
            contents: contents.as_bytes().to_vec(),
            private: false,
        }
    }

    fn listing(dir: &Path) -> Vec<(String, String)> {
        let mut entries: Vec<(String, String)> = fs::read_dir(dir)
            .expect("readable")
            .map(|entry| {
                let entry = entry.expect("entry");
                let contents = fs::read_to_string(entry.path()).unwrap_or_else(|_| "<dir>".into());
                (entry.file_name().to_string_lossy().into_owned(), contents)
            })
            .collect();
        entries.sort();
        entries
    }

    #[test]
    fn writes_every_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("a/b");
        write_all_or_nothing(
            &target,
            &[file("x", "1"), file("y", "2")],
            Overwrite::Refuse,
        )
        .expect("writes");
        assert_eq!(
            listing(&target),
            [("x".into(), "1".into()), ("y".into(), "2".into())]
        );
    }

    #[test]
    fn nested_names_create_their_folders() {
        let dir = tempfile::tempdir().expect("tempdir");
        let files = [file("a/b/x", "1"), file("a/y", "2"), file("z", "3")];
        write_all_or_nothing(dir.path(), &files, Overwrite::Refuse).expect("writes");
        assert_eq!(
            fs::read_to_string(dir.path().join("a/b/x")).expect("x"),
            "1"
        );
        assert_eq!(fs::read_to_string(dir.path().join("a/y")).expect("y"), "2");
        assert_eq!(
            listing(&dir.path().join("a")),
            [("b".into(), "<dir>".into()), ("y".into(), "2".into())]
        );
    }

    #[test]
    fn a_failure_removes_the_folders_it_created() {
        let dir = tempfile::tempdir().expect("tempdir");
        // `a/b` is a file, so the folder `a/b/` cannot be made after `new/x` was written.
        fs::create_dir(dir.path().join("a")).expect("mkdir");
        fs::write(dir.path().join("a/b"), "a file").expect("write");
        let files = [file("new/deeper/x", "1"), file("a/b/y", "2")];
        write_all_or_nothing(dir.path(), &files, Overwrite::Refuse).expect_err("fails");
        assert_eq!(listing(dir.path()), [("a".into(), "<dir>".into())]);
        assert_eq!(
            listing(&dir.path().join("a")),
            [("b".into(), "a file".into())]
        );
    }

    #[test]
    fn names_outside_the_directory_are_refused_before_anything_is_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        for name in ["../x", "/etc/x", "a/../../x", "", "./"] {
            let files = [file("fine", "1"), file(name, "2")];
            match write_all_or_nothing(dir.path(), &files, Overwrite::Allow) {
                Err(WriteError::OutsideTheDirectory { name: refused }) => {
                    assert_eq!(refused, name);
                }
                other => panic!("{name:?}: expected OutsideTheDirectory, got {other:?}"),
            }
        }
        assert_eq!(listing(dir.path()), []);
    }

    #[test]
    fn refuses_to_replace_unless_allowed() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::write(dir.path().join("y"), "old").expect("write");
        let files = [file("x", "1"), file("y", "2")];
        match write_all_or_nothing(dir.path(), &files, Overwrite::Refuse) {
            Err(WriteError::AlreadyExists { path }) => assert_eq!(path, dir.path().join("y")),
            other => panic!("expected AlreadyExists, got {other:?}"),
        }
        assert_eq!(listing(dir.path()), [("y".into(), "old".into())]);
        write_all_or_nothing(dir.path(), &files, Overwrite::Allow).expect("replaces");
        assert_eq!(
            listing(dir.path()),
            [("x".into(), "1".into()), ("y".into(), "2".into())]
        );
    }

    #[test]
    fn a_failure_part_way_restores_the_old_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::write(dir.path().join("x"), "old x").expect("write");
        fs::write(dir.path().join("z"), "old z").expect("write");
        // A directory where `z` must be moved aside makes the last step fail, after `x` was
        // already replaced and `y` placed.
        let aside = dir.path().join(format!(".z.{}.old", std::process::id()));
        fs::create_dir(&aside).expect("mkdir");
        fs::write(aside.join("inside"), "").expect("write");
        let before = listing(dir.path());
        let files = [file("x", "new x"), file("y", "new y"), file("z", "new z")];
        match write_all_or_nothing(dir.path(), &files, Overwrite::Allow) {
            Err(WriteError::Io(PathError { action, path, .. })) => {
                assert_eq!(action, "rename into place");
                assert_eq!(path, aside);
            }
            other => panic!("expected an I/O error, got {other:?}"),
        }
        assert_eq!(listing(dir.path()), before);
    }

    #[test]
    fn a_failed_write_removes_the_temporary_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let blocker = dir.path().join(format!(".y.{}.new", std::process::id()));
        fs::create_dir(&blocker).expect("mkdir");
        let files = [file("x", "1"), file("y", "2")];
        match write_all_or_nothing(dir.path(), &files, Overwrite::Refuse) {
            Err(WriteError::Io(PathError { action, path, .. })) => {
                assert_eq!(action, "write");
                assert_eq!(path, blocker);
            }
            other => panic!("expected an I/O error, got {other:?}"),
        }
        let names: Vec<String> = listing(dir.path())
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        assert_eq!(
            names,
            [blocker.file_name().unwrap_or_default().to_string_lossy()]
        );
    }

    #[test]
    fn an_unusable_directory_is_an_io_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let plain = dir.path().join("plain-file");
        fs::write(&plain, "").expect("write");
        let error = write_all_or_nothing(&plain.join("sub"), &[file("x", "1")], Overwrite::Refuse)
            .expect_err("fails");
        assert!(matches!(
            error,
            WriteError::Io(PathError {
                action: "create directory",
                ..
            })
        ));
        assert!(
            error.to_string().starts_with("cannot create directory "),
            "{error}"
        );
    }
}
