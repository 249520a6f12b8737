//! The office key (本单位签名密钥): an SM2 key pair made at first use and kept in a file beside the
//! database (`spotcheck.db.key`, readable by its owner only), its fingerprint shown to the user,
//! and its public key exported as PEM for the level above to register.
//!
//! The randomness a new key is made from comes from the front end, as every step's does.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::action::{Action, Ctx, Job, folder_of};
use super::log_action;
use crate::model::os_error::describe;
use crate::rollup::{KeyError, OfficeKey};
use crate::store::{Store, StoreError};

/// Why the key could not be read, made or exported. Messages are what users see.
#[derive(Debug, thiserror::Error)]
pub enum OfficeKeyError {
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error("无法读取本单位的签名密钥文件 {path}：{}", describe(.source))]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("无法保存文件 {path}：{}。请确认该文件夹可以写入。", describe(.source))]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("无法从操作系统获得安全的随机数，不能生成签名密钥。请重试，或把情况告诉技术人员。")]
    NoRandom,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The key file of the database at `db`: `<db>.key`.
#[must_use]
pub fn key_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".key");
    PathBuf::from(name)
}

/// The office key, and whether it was made just now.
#[derive(Debug, Clone)]
pub struct KeyInfo {
    pub key: OfficeKey,
    pub path: PathBuf,
    pub created: bool,
}

/// The office key of `store`'s database, made from `random` (and logged) if there is none yet.
pub fn office_key(
    store: &mut Store,
    random: Option<[u8; 32]>,
    at: chrono::NaiveDateTime,
) -> Result<KeyInfo, OfficeKeyError> {
    let path = key_path(store.path());
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            return Ok(KeyInfo {
                key: OfficeKey::from_file_text(&text)?,
                path,
                created: false,
            });
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(source) => return Err(OfficeKeyError::Read { path, source }),
    }
    let key = OfficeKey::from_random(random.ok_or(OfficeKeyError::NoRandom)?)?;
    write_new(&path, key.to_file_text().as_bytes()).map_err(|source| OfficeKeyError::Write {
        path: path.clone(),
        source,
    })?;
    log_action(
        store,
        "生成本单位签名密钥",
        &format!("SM2 公钥指纹 {}", key.fingerprint()),
        at,
    )?;
    Ok(KeyInfo {
        key,
        path,
        created: true,
    })
}

/// The office key's fingerprint if the key was made (nothing is made here), for 设置.
pub fn existing_fingerprint(db: &Path) -> Result<Option<String>, OfficeKeyError> {
    let path = key_path(db);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some(OfficeKey::from_file_text(&text)?.fingerprint())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(OfficeKeyError::Read { path, source }),
    }
}

/// Writes a new key file readable by its owner only, never over an existing one.
fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// What `key` reports (`--json`: stable field names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyReport {
    pub fingerprint: String,
    pub algorithm: &'static str,
    pub key_file: String,
    pub created: bool,
}

/// 本单位签名密钥: shows the fingerprint, making the key at first use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShowKey {
    pub random: Option<[u8; 32]>,
}

impl Action for ShowKey {
    type Done = KeyReport;
    type Error = OfficeKeyError;
    const JOB: Job = Job::Settings;

    fn run(&self, cx: &mut Ctx<'_>) -> Result<KeyReport, OfficeKeyError> {
        let info = office_key(cx.store, self.random, cx.at)?;
        Ok(KeyReport {
            fingerprint: info.key.fingerprint(),
            algorithm: crate::rollup::key::SIGNATURE_ALGORITHM,
            key_file: info.path.display().to_string(),
            created: info.created,
        })
    }

    fn report(&self, done: &KeyReport) -> Option<String> {
        Some(format!(
            "{}本单位签名公钥指纹（SM3）：{}",
            if done.created {
                "已生成本单位的签名密钥（SM2）。"
            } else {
                ""
            },
            done.fingerprint
        ))
    }
}

/// 导出公钥: the public key as PEM, to register with the level above.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportPublicKey {
    pub path: PathBuf,
    pub random: Option<[u8; 32]>,
}

impl Action for ExportPublicKey {
    type Done = String;
    type Error = OfficeKeyError;
    const JOB: Job = Job::Export;

    fn output_folder(&self) -> Option<PathBuf> {
        folder_of(&self.path)
    }

    fn run(&self, cx: &mut Ctx<'_>) -> Result<String, OfficeKeyError> {
        let info = office_key(cx.store, self.random, cx.at)?;
        let fingerprint = info.key.fingerprint();
        crate::export::atomic::write_atomically(&self.path, info.key.public().to_pem().as_bytes())
            .map_err(|source| OfficeKeyError::Write {
                path: self.path.clone(),
                source,
            })?;
        log_action(
            cx.store,
            "导出本单位公钥",
            &format!("{}（指纹 {fingerprint}）", self.path.display()),
            cx.at,
        )?;
        Ok(fingerprint)
    }

    fn report(&self, fingerprint: &String) -> Option<String> {
        Some(format!(
            "公钥已保存：{}。请把它交给上级登记，并电话告知公钥指纹：{fingerprint}",
            self.path.display()
        ))
    }
}
