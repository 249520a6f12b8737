//! Evidence on an item of a check: a link or a file added (the file kept once by content in
//! the evidence folder), or removed; each change logged.

use chrono::NaiveDateTime;

use super::{Checklists, InspectError, begin};
use crate::model::{EvidenceKind, Inspection, MAX_EVIDENCE_BYTES, NewEvidence, is_web_link};
use crate::store::Store;

/// Attaches evidence to an item: a file is copied into the evidence folder under its
/// SHA-256 (written to a temporary name, synced, then renamed, so a crash leaves no half
/// file), a URL is stored as given.
pub fn add_evidence(
    store: &mut Store,
    draw: i64,
    account: i64,
    item: &str,
    evidence: NewEvidence,
    at: NaiveDateTime,
) -> Result<Inspection, InspectError> {
    if !store.is_drawn(draw, account)? {
        return Err(InspectError::NotSampled);
    }
    let known_item = store.active_checklist()?.item(item).is_some()
        || store
            .inspection(draw, account)?
            .and_then(|i| {
                store
                    .checklist(&i.checklist_id, &i.checklist_version)
                    .ok()
                    .flatten()
            })
            .is_some_and(|c| c.item(item).is_some());
    if !known_item {
        return Err(InspectError::UnknownItem(item.to_owned()));
    }
    let kind = evidence_kind(store, evidence)?;
    let actor = crate::steps::actor(store)?;
    let active = store.active_checklist()?;
    let what = match &kind {
        EvidenceKind::Url(url) => format!("链接 {url}"),
        EvidenceKind::File { file_name, .. } => format!("文件 {file_name}"),
    };
    store.transaction(|tx| {
        let ins = begin(
            tx,
            &active,
            &mut Checklists::default(),
            draw,
            account,
            at,
            &actor,
        )?;
        tx.insert_evidence(ins.id, item, &kind, &actor, at)?;
        let name = tx.account_name(account)?;
        Ok::<_, InspectError>(tx.append_log(
            at,
            &actor,
            "添加证据",
            &format!("{name} {item}：{what}"),
        )?)
    })?;
    store
        .inspection(draw, account)?
        .ok_or(InspectError::NotSampled)
}

/// What evidence becomes once kept: a link checked, a file's bytes copied into the evidence
/// folder under their SHA-256 (written to a temporary name, synced, then renamed).
pub fn evidence_kind(store: &Store, evidence: NewEvidence) -> Result<EvidenceKind, InspectError> {
    let keep = |bytes: &[u8], name: &str| {
        store
            .keep_evidence_file(bytes, name)
            .map_err(|(path, source)| InspectError::WriteEvidence { path, source })
    };
    let kind = match evidence {
        NewEvidence::Url(url) => {
            let url = url.trim().to_owned();
            if !is_web_link(&url) {
                return Err(InspectError::BadUrl(url));
            }
            EvidenceKind::Url(url)
        }
        NewEvidence::Path(path) => {
            let size = std::fs::metadata(&path)
                .map_err(|source| InspectError::ReadEvidence {
                    path: path.clone(),
                    source,
                })?
                .len();
            if size > MAX_EVIDENCE_BYTES {
                return Err(InspectError::EvidenceTooLarge { path, size });
            }
            let bytes = std::fs::read(&path).map_err(|source| InspectError::ReadEvidence {
                path: path.clone(),
                source,
            })?;
            let file_name = path
                .file_name()
                .map_or_else(|| "证据".to_owned(), |n| n.to_string_lossy().into_owned());
            EvidenceKind::File {
                sha256: keep(&bytes, &file_name)?,
                file_name,
            }
        }
        NewEvidence::Bytes { file_name, bytes } => EvidenceKind::File {
            sha256: keep(&bytes, &file_name)?,
            file_name,
        },
        NewEvidence::Kept { sha256, file_name } => {
            // Still there, whole: evidence files are never deleted with their record.
            let path = store.evidence_path(&sha256, &file_name);
            let bytes = std::fs::read(&path).map_err(|source| InspectError::ReadEvidence {
                path: path.clone(),
                source,
            })?;
            if crate::model::digest::sha256_hex(&bytes) != sha256 {
                return Err(InspectError::ReadEvidence {
                    path,
                    source: std::io::Error::from(std::io::ErrorKind::InvalidData),
                });
            }
            EvidenceKind::File { sha256, file_name }
        }
    };
    Ok(kind)
}

/// Removes an evidence record (the file stays: another record may share its hash), logged.
pub fn remove_evidence(
    store: &mut Store,
    draw: i64,
    account: i64,
    evidence: i64,
    at: NaiveDateTime,
) -> Result<Inspection, InspectError> {
    let Some(gone) = store
        .inspection(draw, account)?
        .and_then(|i| i.evidence.into_iter().find(|e| e.id == evidence))
    else {
        // Already gone (removed twice, or by a merge): nothing to do.
        return store
            .inspection(draw, account)?
            .ok_or(InspectError::NotSampled);
    };
    let what = match &gone.kind {
        EvidenceKind::Url(url) => format!("链接 {url}"),
        EvidenceKind::File { file_name, .. } => format!("文件 {file_name}"),
    };
    let actor = crate::steps::actor(store)?;
    store.transaction(|tx| {
        tx.delete_evidence(draw, account, evidence)?;
        let name = tx.account_name(account)?;
        tx.append_log(
            at,
            &actor,
            "删除证据",
            &format!("{name} {}：{what}", gone.item),
        )
    })?;
    store
        .inspection(draw, account)?
        .ok_or(InspectError::NotSampled)
}
