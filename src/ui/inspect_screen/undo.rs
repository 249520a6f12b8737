//! 撤销 on the open check: what each change was before it (an answer, a note or a date, a
//! 其余项全部符合, evidence added or removed), and taking the last one back as a change of its
//! own, saved and logged like any other.

use super::Opened;
use crate::checklist::Finding;
use crate::model::{Inspection, NewEvidence};
use crate::ui::CommandQueue;
use crate::worker::Command;

impl Opened {
    /// Item `n` is being saved as `f`: what it was before can be undone. Typing on in the same
    /// item's text is one change (its first state is kept); a new answer is a change of its own.
    pub(super) fn remember(&mut self, n: usize, f: &Finding) {
        let Some(before) = self.saved.get(n).cloned() else {
            return;
        };
        let typing = before.answer == f.answer;
        let typing_on = typing
            && self.typing_in == Some(n)
            && matches!(self.undo.last(), Some(Undo::Finding { item, typing: true, .. }) if *item == n);
        self.typing_in = typing.then_some(n);
        // (A 其余项全部符合 that was refused leaves nothing pending once the form moves on.)
        self.passing_rest = None;
        if !typing_on && before != *f {
            self.undo.push(Undo::Finding {
                item: n,
                before,
                typing,
            });
        }
        self.saved[n] = f.clone();
    }

    /// The stored check is now `next`: evidence it has that the form's last copy had not was
    /// added by the user, and can be undone (unless an undo put it back: `putting_back`).
    pub(super) fn note_added_evidence(&mut self, next: Option<&Inspection>) {
        let (Some(before), Some(next)) = (&self.inspection, next) else {
            return;
        };
        let added: Vec<i64> = next
            .evidence
            .iter()
            .map(|e| e.id)
            .filter(|id| !before.evidence.iter().any(|e| e.id == *id))
            .collect();
        if added.is_empty() {
            return;
        }
        if let Some(old) = self.putting_back.take() {
            // Back under a new id: an earlier "added" entry for it now names that one.
            for u in &mut self.undo {
                if let Undo::EvidenceAdded { id } = u
                    && *id == old
                {
                    *id = added[0];
                }
            }
            return;
        }
        self.typing_in = None;
        self.undo
            .extend(added.into_iter().map(|id| Undo::EvidenceAdded { id }));
    }

    /// Takes the last change back (saved as any change is, and logged as one); `seq` numbers
    /// the saves of the form.
    pub(super) fn undo_last(
        &mut self,
        draw: i64,
        account: i64,
        seq: &mut u64,
        commands: &mut CommandQueue,
    ) {
        self.typing_in = None;
        let mut put_back = |o: &mut Self, n: usize, before: Finding, seq: &mut u64| {
            o.dates.remove(&before.item);
            o.findings[n].clone_from(&before);
            o.saved[n].clone_from(&before);
            *seq += 1;
            o.sent = *seq;
            commands.send(Command::SaveFinding {
                draw,
                account,
                finding: before,
                seq: *seq,
            });
        };
        match self.undo.pop() {
            Some(Undo::Finding {
                item: n, before, ..
            }) => {
                self.current = n;
                put_back(self, n, before, seq);
            }
            Some(Undo::Findings(items)) => {
                for (n, before) in items {
                    put_back(self, n, before, seq);
                }
            }
            Some(Undo::EvidenceAdded { id }) => commands.send(Command::RemoveEvidence {
                draw,
                account,
                evidence: id,
            }),
            Some(Undo::EvidenceRemoved { id, item, kind }) => {
                self.putting_back = Some(id);
                commands.send(Command::AddEvidence {
                    draw,
                    account,
                    item,
                    evidence: match kind {
                        crate::model::EvidenceKind::Url(url) => NewEvidence::Url(url),
                        crate::model::EvidenceKind::File { sha256, file_name } => {
                            NewEvidence::Kept { sha256, file_name }
                        }
                    },
                });
            }
            None => {}
        }
    }
}

/// A change of the form that can be undone.
pub(super) enum Undo {
    /// An answer, note or date.
    Finding {
        /// The item, by place in the form.
        item: usize,
        /// The item as it was before.
        before: Finding,
        /// A change of text or a date (typing on in the same item is the same change), not
        /// of the answer.
        typing: bool,
    },
    /// Several items at once (其余项全部符合): each as it was before.
    Findings(Vec<(usize, Finding)>),
    /// Evidence added (a file, a pasted screenshot or a link): undone by removing it.
    EvidenceAdded { id: i64 },
    /// Evidence removed (its id then): undone by putting it back.
    EvidenceRemoved {
        id: i64,
        item: String,
        kind: crate::model::EvidenceKind,
    },
}
