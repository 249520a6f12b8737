//! The worker's jobs on 上报与汇总: the screen's view of a quarter, and the roll-up actions,
//! each followed by the view read again.

use super::{Event, Job, RollupCommand, RollupView, Worker};
use crate::model::Quarter;

impl Worker {
    pub(super) fn load_rollup(&self, quarter: Quarter) {
        let Some(store) = &self.store else { return };
        let loaded = (|| -> Result<RollupView, String> {
            let fingerprint = crate::steps::office_key::existing_fingerprint(&self.db)
                .map_err(|e| e.to_string())?;
            let table =
                crate::steps::rollup::rollup_table(store, quarter).map_err(|e| e.to_string())?;
            let (round, entries) = crate::steps::rollup_recheck::recheck_list(store, quarter)
                .map_err(|e| e.to_string())?;
            Ok(RollupView {
                quarter,
                fingerprint,
                reporters: store.reporters().map_err(|e| e.to_string())?,
                table,
                round,
                entries,
            })
        })();
        match loaded {
            Ok(view) => self.emit(Event::RollupLoaded(Box::new(view))),
            Err(message) => self.fail(Job::Exchange, message),
        }
    }

    pub(super) fn rollup(&mut self, action: RollupCommand, quarter: Quarter) {
        let reload = |w: &mut Self| w.load_rollup(quarter);
        match action {
            RollupCommand::Register(a) => self.perform(&a, |w, _| reload(w)),
            RollupCommand::Import(a) => self.perform(&a, |w, _| reload(w)),
            RollupCommand::MakeRecheck(a) => self.perform(&a, |w, _| reload(w)),
            RollupCommand::Record(a) => self.perform(&a, |w, ()| reload(w)),
            RollupCommand::ImportRecheck(a) => self.perform(&a, |w, _| reload(w)),
            RollupCommand::Export(a) => self.perform(&a, |w, _| reload(w)),
            RollupCommand::ReportPackage(a) => self.perform(&a, |w, _| reload(w)),
            RollupCommand::PublicKey(a) => self.perform(&a, |w, _| reload(w)),
        }
    }
}
