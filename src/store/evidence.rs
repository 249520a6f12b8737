//! Evidence files beside the database: `evidence/ab/abcdef….png`, named by their SHA-256 so
//! that the same screenshot is kept once, written so that a crash never leaves half a file.

use std::path::{Path, PathBuf};

use super::Store;

/// The evidence folder of the database at `db`: `evidence/` beside it.
#[must_use]
pub fn evidence_dir_for(db: &Path) -> PathBuf {
    db.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .join("evidence")
}

/// Where an evidence file with this hash and original name lives in `dir`:
/// `ab/abcdef….png` (the extension kept so that other programs can open it).
#[must_use]
pub fn evidence_file(dir: &Path, sha256: &str, file_name: &str) -> PathBuf {
    let ext = Path::new(file_name)
        .extension()
        .and_then(|e| e.to_str())
        .filter(|e| e.len() <= 8 && e.chars().all(|c| c.is_ascii_alphanumeric()))
        .map(|e| format!(".{}", e.to_ascii_lowercase()))
        .unwrap_or_default();
    dir.join(sha256.get(..2).unwrap_or("00"))
        .join(format!("{sha256}{ext}"))
}

/// Removes the temporary files (`*.partial`) a write of evidence interrupted (a crash, a kill,
/// a pulled cable) left in the evidence folder of the database at `db`: only a writer holding
/// the lock makes them, so none is being written. Called with the lock held. Returns how many.
pub fn clear_partial_evidence(db: &Path) -> usize {
    let mut removed = 0;
    let Ok(shards) = std::fs::read_dir(evidence_dir_for(db)) else {
        return 0;
    };
    for shard in shards.flatten() {
        // Regular folders only: a link is never followed out of the evidence folder.
        if !shard.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let Ok(files) = std::fs::read_dir(shard.path()) else {
            continue;
        };
        for f in files.flatten() {
            let path = f.path();
            if f.file_type().is_ok_and(|t| t.is_file())
                && path.extension().is_some_and(|x| x == "partial")
                && std::fs::remove_file(&path).is_ok()
            {
                removed += 1;
            }
        }
    }
    removed
}

/// Writes `bytes` to `target` under a temporary name, syncs and renames it.
pub fn write_file_atomically(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let partial = target.with_extension("partial");
    let mut f = std::fs::File::create(&partial)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&partial, target)
}

impl Store {
    /// The folder evidence files are kept in, beside the database.
    #[must_use]
    pub fn evidence_dir(&self) -> PathBuf {
        evidence_dir_for(&self.path)
    }

    /// Where an evidence file lives.
    #[must_use]
    pub fn evidence_path(&self, sha256: &str, file_name: &str) -> PathBuf {
        evidence_file(&self.evidence_dir(), sha256, file_name)
    }

    /// Keeps `bytes` in the evidence folder (once per content) and returns their SHA-256; on
    /// failure, the path that could not be written.
    pub fn keep_evidence_file(
        &self,
        bytes: &[u8],
        name: &str,
    ) -> Result<String, (PathBuf, std::io::Error)> {
        let sha = crate::model::digest::sha256_hex(bytes);
        let path = self.evidence_path(&sha, name);
        if path.exists() {
            return Ok(sha);
        }
        write_file_atomically(&path, bytes).map_err(|e| (path, e))?;
        Ok(sha)
    }
}
