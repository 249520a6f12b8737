//! Files written whole or not at all: the bytes go to a temporary file beside the target,
//! are flushed to the disk, then renamed over it. A full disk, a pulled USB stick or a kill
//! leaves the previous file as it was (and at worst a hidden temporary file, removed on
//! failure when it can be).

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The temporary file beside `target` its bytes are written to first.
#[must_use]
pub fn partial_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map_or_else(|| "导出".into(), |n| n.to_string_lossy().into_owned());
    target.with_file_name(format!(".{name}.partial"))
}

/// Writes `bytes` to `target` atomically.
pub fn write_atomically(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let partial = partial_path(target);
    let written = (|| {
        let mut f = std::fs::File::create(&partial)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&partial, target)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written
}

/// Several files written all or none: each is written to its temporary file, and only when
/// every one is on the disk are they renamed over their targets. Dropped before
/// [`Self::commit`] (an error on the way), the temporary files are removed and no target is
/// touched.
#[derive(Default)]
pub struct Batch {
    staged: Vec<(PathBuf, PathBuf)>,
}

impl Batch {
    /// Writes `bytes` to `target`'s temporary file.
    pub fn stage(&mut self, target: &Path, bytes: &[u8]) -> std::io::Result<()> {
        let partial = partial_path(target);
        // Recorded first, so that a half-written temporary file is removed too.
        self.staged.push((partial.clone(), target.to_owned()));
        let mut f = std::fs::File::create(&partial)?;
        f.write_all(bytes)?;
        f.sync_all()
    }

    /// Renames every staged file over its target; the targets renamed. When a rename fails
    /// (a target open in another program, on Windows), the temporary files left are removed
    /// and the error says which target failed and how many were replaced before it.
    pub fn commit(mut self) -> Result<Vec<PathBuf>, PartlyCommitted> {
        let mut done = Vec::new();
        let staged = std::mem::take(&mut self.staged);
        for (n, (partial, target)) in staged.iter().enumerate() {
            if let Err(source) = std::fs::rename(partial, target) {
                for (left, _) in &staged[n..] {
                    let _ = std::fs::remove_file(left);
                }
                return Err(PartlyCommitted {
                    failed: target.clone(),
                    replaced: done.len(),
                    source,
                });
            }
            done.push(target.clone());
        }
        Ok(done)
    }
}

/// A [`Batch`] whose renames stopped at `failed`, `replaced` targets already replaced.
#[derive(Debug)]
pub struct PartlyCommitted {
    pub failed: PathBuf,
    pub replaced: usize,
    pub source: std::io::Error,
}

impl Drop for Batch {
    fn drop(&mut self) {
        for (partial, _) in &self.staged {
            let _ = std::fs::remove_file(partial);
        }
    }
}

/// Saves a workbook atomically (it is built in memory first).
pub fn save_book(
    book: &mut rust_xlsxwriter::Workbook,
    target: &Path,
) -> Result<(), super::ExportError> {
    let bytes = book.save_to_buffer()?;
    write_atomically(target, &bytes).map_err(|source| super::ExportError::Write {
        path: target.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_the_previous_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("通报.xlsx");
        std::fs::write(&target, b"previous").expect("write");
        write_atomically(&target, b"new").expect("write");
        assert_eq!(std::fs::read(&target).expect("read"), b"new");
        // A temporary file that cannot be made (its name is taken by a folder): refused, and
        // the file stays as it was.
        std::fs::create_dir(partial_path(&target)).expect("dir");
        assert!(write_atomically(&target, b"lost").is_err());
        assert_eq!(std::fs::read(&target).expect("read"), b"new");
    }

    /// A rename that fails half way (here the second target is a folder): the first file is
    /// replaced, the rest of the temporary files are removed, and the error names the file
    /// that failed and how many were replaced before it.
    #[test]
    fn a_batch_stopped_half_way_says_where_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let targets: Vec<PathBuf> = ["甲.xlsx", "乙.xlsx", "丙.xlsx"]
            .iter()
            .map(|n| dir.path().join(n))
            .collect();
        std::fs::create_dir(&targets[1]).expect("dir");
        std::fs::write(targets[1].join("占位"), b"x").expect("write");
        let mut batch = Batch::default();
        for t in &targets {
            batch.stage(t, b"new").expect("stage");
        }
        let e = batch.commit().expect_err("the folder cannot be replaced");
        assert_eq!((e.failed.as_path(), e.replaced), (targets[1].as_path(), 1));
        assert_eq!(std::fs::read(&targets[0]).expect("read"), b"new");
        assert!(!targets[2].exists());
        for t in &targets {
            assert!(!partial_path(t).exists(), "{}", t.display());
        }
    }
}
