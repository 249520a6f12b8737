//! The office key: an SM2 key pair (国密, GB/T 32918; signatures with SM3 as GM/T 0009 defines
//! them), its public key as PEM for registering above, and its fingerprint (SM3 of the public
//! key) as people read it out by phone. Pure: the key file and the randomness a new key is made
//! from are the caller's.

use sm2::dsa::signature::{Signer, Verifier};
use sm2::dsa::{Signature, SigningKey, VerifyingKey};
use sm2::pkcs8::{DecodePublicKey, EncodePublicKey, LineEnding};
use sm3::{Digest, Sm3};

/// The distinguishing identifier signed with (the default user id of GM/T 0009).
pub const DISTID: &str = "1234567812345678";

/// The signature algorithm as packages name it.
pub const SIGNATURE_ALGORITHM: &str = "SM2-with-SM3";

/// The first line of a key file; the next is the secret scalar in hex.
const KEY_FILE_HEAD: &str = "spotcheck-office-key-v1 SM2";

/// Why a key could not be read or made. Messages are what users see.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error(
        "本单位的签名密钥文件已损坏或不是本软件的密钥文件，无法用它签名。请从备份中找回该文件；找不回时删除它，软件会生成新的密钥，但新公钥需要重新报上级登记。"
    )]
    BadKeyFile,
    #[error("这不是有效的 SM2 公钥文件（应为上报单位用“key export”导出的 .pem 文件）：{0}")]
    BadPublicKey(String),
    #[error("生成的随机数不能作为 SM2 私钥，请重试。")]
    BadRandom,
}

/// An office's signing key.
#[derive(Clone)]
pub struct OfficeKey {
    signing: SigningKey,
}

impl std::fmt::Debug for OfficeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret.
        write!(f, "OfficeKey({})", self.fingerprint())
    }
}

impl OfficeKey {
    /// A key from 32 fresh random bytes (the front end's randomness); `BadRandom` for the
    /// vanishingly rare bytes that are not a valid scalar.
    pub fn from_random(bytes: [u8; 32]) -> Result<Self, KeyError> {
        SigningKey::from_slice(DISTID, &bytes)
            .map(|signing| Self { signing })
            .map_err(|_| KeyError::BadRandom)
    }

    /// The key file's text.
    #[must_use]
    pub fn to_file_text(&self) -> String {
        format!(
            "{KEY_FILE_HEAD}\n{}\n",
            crate::model::digest::hex(&self.signing.to_bytes())
        )
    }

    /// A key read back from its file's text.
    pub fn from_file_text(text: &str) -> Result<Self, KeyError> {
        let mut lines = text.lines().map(str::trim);
        if lines.next() != Some(KEY_FILE_HEAD) {
            return Err(KeyError::BadKeyFile);
        }
        let bytes = unhex(lines.next().unwrap_or_default()).ok_or(KeyError::BadKeyFile)?;
        SigningKey::from_slice(DISTID, &bytes)
            .map(|signing| Self { signing })
            .map_err(|_| KeyError::BadKeyFile)
    }

    #[must_use]
    pub fn public(&self) -> PublicKey {
        PublicKey(self.signing.verifying_key().clone())
    }

    #[must_use]
    pub fn fingerprint(&self) -> String {
        self.public().fingerprint()
    }

    /// The signature of `bytes`, as 128 hex digits (r ‖ s). Deterministic (RFC 6979 nonces).
    #[must_use]
    pub fn sign(&self, bytes: &[u8]) -> String {
        let signature: Signature = self.signing.sign(bytes);
        crate::model::digest::hex(&signature.to_bytes())
    }
}

/// A public key, as registered above and carried in packages.
#[derive(Debug, Clone)]
pub struct PublicKey(VerifyingKey);

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_sec1_bytes() == other.0.to_sec1_bytes()
    }
}

impl Eq for PublicKey {}

impl PublicKey {
    /// The key as PEM (`SubjectPublicKeyInfo`), the file registered above.
    #[must_use]
    pub fn to_pem(&self) -> String {
        sm2::PublicKey::from(&self.0)
            .to_public_key_pem(LineEnding::LF)
            .unwrap_or_default()
    }

    /// A key read from PEM.
    pub fn from_pem(text: &str) -> Result<Self, KeyError> {
        let text = text.trim_start_matches('\u{feff}').trim();
        let key = sm2::PublicKey::from_public_key_pem(text)
            .map_err(|e| KeyError::BadPublicKey(e.to_string()))?;
        VerifyingKey::new(DISTID, key)
            .map(Self)
            .map_err(|e| KeyError::BadPublicKey(e.to_string()))
    }

    /// SM3 of the uncompressed public key (SEC1), in hex groups of four: read out by phone
    /// to check a key file registered above.
    #[must_use]
    pub fn fingerprint(&self) -> String {
        let digest = Sm3::digest(self.0.to_sec1_bytes());
        group(&crate::model::digest::hex(&digest))
    }

    /// Whether `signature` (hex, as [`OfficeKey::sign`] writes it) is this key's on `bytes`.
    #[must_use]
    pub fn verifies(&self, bytes: &[u8], signature: &str) -> bool {
        let Some(raw) = unhex(signature.trim()) else {
            return false;
        };
        let Ok(signature) = Signature::from_slice(&raw) else {
            return false;
        };
        self.0.verify(bytes, &signature).is_ok()
    }
}

/// Hex in groups of four, space-separated.
fn group(hex: &str) -> String {
    hex.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A fingerprint as compared: hex digits only, lower case (people type spaces and capitals).
#[must_use]
pub fn normalize_fingerprint(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_hexdigit)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> OfficeKey {
        OfficeKey::from_random([n; 32]).expect("a valid scalar")
    }

    #[test]
    fn signs_and_verifies_and_refuses_a_changed_message() {
        let k = key(7);
        let sig = k.sign(b"manifest");
        assert_eq!(sig.len(), 128);
        assert!(k.public().verifies(b"manifest", &sig));
        assert!(!k.public().verifies(b"manifesT", &sig));
        assert!(!key(8).public().verifies(b"manifest", &sig));
        assert!(!k.public().verifies(b"manifest", "zz"));
    }

    #[test]
    fn keys_round_trip_through_their_files_and_pem() {
        let k = key(9);
        let back = OfficeKey::from_file_text(&k.to_file_text()).expect("reads");
        assert_eq!(back.fingerprint(), k.fingerprint());
        let pem = k.public().to_pem();
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----"), "{pem}");
        assert_eq!(PublicKey::from_pem(&pem).expect("pem"), k.public());
        assert_eq!(
            OfficeKey::from_file_text("garbage").expect_err("bad"),
            KeyError::BadKeyFile
        );
        assert!(PublicKey::from_pem("not a key").is_err());
        // 64 hex digits in 16 groups.
        let f = k.fingerprint();
        assert_eq!(f.split(' ').count(), 16, "{f}");
        assert_eq!(normalize_fingerprint(&f.to_uppercase()).len(), 64);
    }
}
