//! SHA-256 in lowercase hex: the one form of every checksum spotcheck writes (evidence file
//! names, package manifests, backups, remembered column choices).

use sha2::{Digest, Sha256};

/// `bytes` as lowercase hex.
#[must_use]
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of `bytes`, in hex.
#[must_use]
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}
