//! A bench's database begun as an office begins one: a 示例 roster of `n` accounts written as
//! xlsx and imported, the region (and a user name) set. Built under a temporary name, which the
//! bench renames once the rest is in it.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use spotcheck::store::{Store, settings};

/// The database at `db`'s `.building` name with `n` accounts imported at `at` from
/// `<prefix>-roster-<n>.xlsx` beside it; returns it and the name to rename once complete.
pub fn roster_db(db: &Path, prefix: &str, n: usize, at: chrono::NaiveDateTime) -> (Store, PathBuf) {
    let dir = db.parent().expect("bench-data");
    let roster = dir.join(format!("{prefix}-roster-{n}.xlsx"));
    spotcheck::steps::demo::write_roster_xlsx(&spotcheck::steps::demo::accounts(n, 1), &roster)
        .expect("roster");
    let partial = db.with_extension("building");
    let _ = std::fs::remove_file(&partial);
    let mut store = Store::open(&partial).expect("open");
    store
        .set_setting(settings::USER_NAME, "基准")
        .expect("name");
    store
        .set_setting(settings::REGION_NAME, "示例市")
        .expect("region");
    let cancel = AtomicBool::new(false);
    let preview =
        spotcheck::steps::roster_import::preview(&store, &roster, None, &mut |_| {}, &cancel)
            .expect("read");
    spotcheck::steps::roster_import::commit(&mut store, &preview, at).expect("import");
    (store, partial)
}
