//! Clicks through a damaged database with `egui_kittest`: the window says the database cannot be
//! opened, lists the automatic backups, and after confirmation restores the latest one and
//! carries on with the roster it held.

use crate::common::{app, db_with_roster, harness, step_until};
use egui_kittest::kittest::{NodeT, Queryable};
use spotcheck::model::DrawRequest;
use spotcheck::sampling::DrawOptions;
use spotcheck::store::Store;

#[test]
fn a_damaged_database_offers_its_backups_and_restores_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = db_with_roster(dir.path(), 50);
    {
        // A draw: the automatic backup before it holds the roster.
        let mut store = Store::open(&db).expect("open");
        let request = DrawRequest {
            quarter: "2026Q4".parse().expect("quarter"),
            options: DrawOptions::default(),
            seed: 1,
            reason: None,
            void_work: false,
        };
        spotcheck::steps::draw::make_draw(&mut store, &request, crate::support::clock::now())
            .expect("draw");
    }
    let mut bytes = std::fs::read(&db).expect("read");
    let len = bytes.len();
    // The middle third: a few KiB alone may fall in the unused end of a 16 KiB page.
    bytes[len / 3..2 * len / 3].fill(0x5A);
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    std::fs::write(&db, &bytes).expect("damage");

    let mut h = harness(db.clone());
    step_until(&mut h, "the refusal", |a| {
        a.settings
            .view()
            .is_some_and(|v| !v.open && !v.backups.is_empty())
    });
    h.get_by_label("无法打开数据库");
    h.get_by_label("恢复…").click();
    h.run_steps(2);
    h.get_by_label("确认恢复").click();
    step_until(&mut h, "the restored roster", |a| {
        !a.busy() && a.roster.accounts().len() == 50
    });
    assert!(
        app(&h)
            .status()
            .is_some_and(|(error, s)| !error && s.contains("恢复")),
        "{:?}",
        app(&h).status()
    );
    assert!(Store::open(&db).is_ok(), "the database opens again");
}

#[test]
fn settings_are_saved_and_the_log_is_shown_checked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = db_with_roster(dir.path(), 20);
    let mut h = harness(db.clone());
    step_until(&mut h, "the roster", |a| !a.busy());
    h.get_by_label("设置与备份").click();
    step_until(&mut h, "the settings", |a| {
        a.settings.view().is_some_and(|v| v.open)
    });
    // The name given at the first start is there; it is replaced.
    crate::common::app_mut(&mut h).settings.user_name.clear();
    h.run_steps(1);
    h.get_by_label("本机使用人姓名").focus();
    h.get_by_label("本机使用人姓名").type_text("赵六");
    h.run_steps(1);
    h.get_by_label("地区名称").focus();
    h.get_by_label("地区名称").type_text("示例市");
    h.run_steps(1);
    // The notice's 主送 and contact, the second with digits, each typed after the reload the
    // field before it set off.
    h.get_by_label("通报主送").focus();
    h.get_by_label("通报主送").type_text("各区人民政府");
    h.run_steps(1);
    h.get_by_label("联系人及电话").focus();
    h.get_by_label("联系人及电话")
        .type_text("张三，020-12345678");
    h.run_steps(1);
    h.get_by_label("整改时限（工作日）").focus();
    h.run_steps(1);
    step_until(&mut h, "the settings saved", |a| {
        a.settings.view().is_some_and(|v| {
            v.user_name == "赵六"
                && v.region == "示例市"
                && v.addressees == "各区人民政府"
                && v.contact == "张三，020-12345678"
        })
    });
    let store = Store::open(&db).expect("open");
    assert_eq!(
        store
            .setting(spotcheck::store::settings::USER_NAME)
            .expect("read"),
        Some("赵六".to_owned())
    );
    assert_eq!(
        spotcheck::steps::admin::region_name(&store).expect("read"),
        "示例市"
    );
    assert_eq!(
        store
            .setting(spotcheck::store::settings::NOTICE_CONTACT)
            .expect("read"),
        Some("张三，020-12345678".to_owned())
    );
    // The import is in the log, and the chain holds.
    h.get_by_label_contains("校验通过");
    h.get_by_label("导入名录");
}

/// Leaving 本机使用人姓名 saves it and reads the settings again; when that answer comes while
/// 地区名称 is being typed, the typing stays (and is saved when the field is left).
#[test]
fn a_reload_after_saving_one_setting_keeps_what_is_typed_in_another() {
    use spotcheck::ui::settings_screen::SettingsScreen;
    use spotcheck::worker::SettingsView;
    let mut screen = SettingsScreen::default();
    screen.set_view(SettingsView {
        open: true,
        deadline_days: 10,
        ..SettingsView::default()
    });
    screen.user_name = "赵六".to_owned();
    screen.region = "示例".to_owned();
    screen.set_view(SettingsView {
        open: true,
        user_name: "赵六".to_owned(),
        deadline_days: 10,
        ..SettingsView::default()
    });
    assert_eq!(screen.user_name, "赵六");
    assert_eq!(screen.region, "示例", "the region being typed is kept");
    assert_eq!(screen.days, "10");
    // A field not being edited shows what was read.
    screen.set_view(SettingsView {
        open: true,
        user_name: "钱七".to_owned(),
        region: "示例".to_owned(),
        deadline_days: 15,
        ..SettingsView::default()
    });
    assert_eq!(screen.user_name, "钱七");
    assert_eq!(screen.days, "15");
}

/// The first start asks who works here and for the region, once; both are saved and the
/// question does not come back.
#[test]
fn the_first_start_asks_for_a_name_and_a_region() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("t.db");
    let mut h = crate::common::harness_as_new(db.clone());
    crate::common::step_until(&mut h, "the database to open", |a| !a.busy());
    h.run_steps(2);
    h.get_by_label("欢迎使用");
    assert!(h.get_by_label("保存并开始").accesskit_node().is_disabled());
    h.get_by_label("您的姓名").click();
    h.run_steps(1);
    h.get_by_label("您的姓名").type_text("王督查");
    h.run_steps(1);
    h.get_by_label("地区（如 示例市、示例区）").click();
    h.run_steps(1);
    h.get_by_label("地区（如 示例市、示例区）")
        .type_text("示例市");
    h.run_steps(2);
    h.get_by_label("保存并开始").click();
    h.run_steps(3);
    // Both settings are written by the worker in their turn: wait for the second.
    let saved = db.clone();
    crate::common::step_until(&mut h, "the settings saved", move |_| {
        spotcheck::store::Store::open(&saved)
            .ok()
            .and_then(|s| {
                s.setting(spotcheck::store::settings::REGION_NAME)
                    .ok()
                    .flatten()
            })
            .is_some()
    });
    assert!(h.query_by_label("保存并开始").is_none(), "asked once");
    drop(h);
    let store = spotcheck::store::Store::open(&db).expect("open");
    let setting = |k| store.setting(k).expect("read");
    assert_eq!(
        setting(spotcheck::store::settings::USER_NAME).as_deref(),
        Some("王督查")
    );
    assert_eq!(
        setting(spotcheck::store::settings::REGION_NAME).as_deref(),
        Some("示例市")
    );
    let h = crate::common::harness_as_new(db);
    let mut h = h;
    crate::common::step_until(&mut h, "the database to open", |a| !a.busy());
    h.run_steps(2);
    assert!(h.query_by_label("保存并开始").is_none(), "not asked again");
}
