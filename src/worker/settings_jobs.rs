//! The worker's jobs on 设置与备份: the settings view and restoring a backup, which also
//! work on a database that could not be opened.

use std::sync::Arc;

use super::{Event, Job, SettingsView};
use crate::steps::admin;
use crate::store::settings;

use super::{Worker, now};

impl Worker {
    pub(super) fn load_settings(&self) {
        let backups_dir = crate::store::auto_dir(&self.db);
        let mut view = SettingsView {
            db: self.db.clone(),
            backups: crate::store::list_backups(&backups_dir),
            backups_dir,
            deadline_days: crate::rectification::DEFAULT_DEADLINE_DAYS,
            ..SettingsView::default()
        };
        if let Some(store) = &self.store {
            let loaded = (|| -> Result<(), crate::store::StoreError> {
                view.user_name = store.setting(settings::USER_NAME)?.unwrap_or_default();
                view.region = admin::region_name(store)?;
                view.office = store
                    .setting(crate::steps::report_package::ISSUING_OFFICE)?
                    .unwrap_or_default();
                view.addressees = store
                    .setting(settings::NOTICE_ADDRESSEES)?
                    .unwrap_or_default();
                view.contact = store.setting(settings::NOTICE_CONTACT)?.unwrap_or_default();
                view.deadline_days = admin::deadline_days(store)?;
                view.log = Arc::new(store.log_entries()?);
                let check = crate::steps::admin::verify_log_against(store, &[])?;
                view.log_broken_at = check.broken_at;
                view.log_gaps = check.gaps;
                view.log_gaps.extend(check.marks_unaccounted);
                Ok(())
            })();
            if let Err(e) = loaded {
                return self.fail(Job::Settings, e.to_string());
            }
            view.open = true;
            match crate::steps::office_key::existing_fingerprint(&self.db) {
                Ok(f) => view.fingerprint = f,
                Err(e) => return self.fail(Job::Settings, e.to_string()),
            }
        }
        self.emit(Event::SettingsLoaded(Box::new(view)));
    }

    pub(super) fn restore(&mut self, backup: &std::path::Path) {
        if self.lock.is_none() {
            return self.fail(
                Job::Backup,
                "数据库是以只读方式打开的（本软件的另一个窗口或命令正在使用它），不能从备份恢复。请先关闭本软件的另一个窗口（或等命令结束），再重新打开本程序。".to_owned(),
            );
        }
        self.progress(Job::Backup, "正在从备份恢复…");
        // Close the database before its file is replaced.
        self.store = None;
        self.preview = None;
        let result = crate::steps::admin::restore(&self.db, backup, now());
        // The database file now there (the restored one, or the same after a refusal) locked.
        let relocked = match &mut self.lock {
            Some(lock) => lock.lock_swapped_file(&self.db),
            None => Ok(()),
        };
        let db = self.db.clone();
        self.open(&db);
        self.load_settings();
        match result {
            Ok(restored) => self.emit(Event::Restored(restored.summary())),
            Err(e) => self.fail(Job::Backup, crate::steps::action::unchanged(&e.to_string())),
        }
        if let Err(e) = relocked {
            self.fail(Job::Backup, e.to_string());
        }
    }
}
