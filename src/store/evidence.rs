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

/// [`crate::model::evidence_staging_path`] of `target`, its folder made if missing.
///
/// # Errors
/// The staging folder cannot be made.
pub fn staging_path(target: &Path) -> std::io::Result<PathBuf> {
    let path = crate::model::evidence_staging_path(target);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    Ok(path)
}

/// Removes what writes of evidence a crash, a kill or a pulled cable interrupted left in the
/// staging folder of the database at `db`: only a writer holding the lock writes there, so
/// nothing in it is being written. Called with the lock held.
pub fn clear_partial_evidence(db: &Path) {
    let _ = std::fs::remove_dir_all(evidence_dir_for(db).join(crate::model::EVIDENCE_STAGING));
}

/// Writes `bytes` to `target` under a temporary name, syncs and renames it.
pub fn write_file_atomically(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let partial = staging_path(target)?;
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
