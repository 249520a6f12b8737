//! Clicks through the 协作 screen with `egui_kittest`: an inspector's laptop opens a work
//! package dropped on the window; the supervisor's merges the result package, sees the one
//! finding both sides changed side by side, and takes the inspector's version.

use crate::common::{app, db_with_roster, drop_file, harness, step_until};
use crate::support::clock::at;
use egui_kittest::kittest::Queryable;
use spotcheck::checklist::{Answer, Finding};
use spotcheck::model::DrawRequest;
use spotcheck::sampling::DrawOptions;
use spotcheck::store::{Store, settings};

fn fail(item: &str, note: &str) -> Finding {
    Finding {
        item: item.to_owned(),
        answer: Some(Answer::Fail),
        note: note.to_owned(),
        ..Finding::default()
    }
}

#[test]
fn open_a_work_package_then_merge_results_and_settle_a_conflict() {
    let dir = tempfile::tempdir().expect("tempdir");
    let supervisor = db_with_roster(dir.path(), 60);
    let quarter = "2026Q4".parse().expect("quarter");
    let work = dir.path().join("张三-2026Q4.spotcheck");
    let (draw_id, account, key) = {
        let mut store = Store::open(&supervisor).expect("open");
        store
            .set_setting(settings::USER_NAME, "组长")
            .expect("name");
        let request = DrawRequest {
            quarter,
            options: DrawOptions::default(),
            seed: 5,
            reason: None,
            void_work: false,
        };
        let draw = spotcheck::steps::draw::make_draw(&mut store, &request, at("2026-11-25 09:00"))
            .expect("draw");
        spotcheck::steps::draw::assign(
            &mut store,
            quarter,
            &["张三".to_owned()],
            false,
            at("2026-11-25 09:01"),
        )
        .expect("assign");
        let account = draw.accounts[0].account.id;
        let key = draw.accounts[0].account.account.key();
        spotcheck::steps::inspect::save_finding(
            &mut store,
            draw.info.id,
            account,
            &fail("P01", "组长：未备案"),
            at("2026-11-25 09:02"),
        )
        .expect("save");
        spotcheck::steps::exchange::export_work_package(
            &mut store,
            quarter,
            "张三",
            &work,
            at("2026-11-25 09:03"),
            spotcheck::seed::fresh_seed(),
        )
        .expect("work package");
        // After the package left, the supervisor changes the same finding.
        spotcheck::steps::inspect::save_finding(
            &mut store,
            draw.info.id,
            account,
            &fail("P01", "组长：备案信息过期"),
            at("2026-11-25 09:04"),
        )
        .expect("save");
        (draw.info.id, account, key)
    };

    // The inspector's laptop: an empty database; the package is dropped on 协作.
    let laptop_dir = tempfile::tempdir().expect("tempdir");
    let laptop = laptop_dir.path().join("inspector.db");
    let mut h = harness(laptop.clone());
    step_until(&mut h, "the empty database", |a| !a.busy());
    h.get_by_label("协作").click();
    h.run_steps(1);
    crate::common::app_mut(&mut h).exchange.quarter = "2026Q4".to_owned();
    step_until(&mut h, "the 协作 view", |a| a.exchange.view().is_some());
    // A fresh laptop is told how an inspector starts, not only the leader's task.
    h.run_steps(2);
    h.get_by_label("检查人员：打开组长发来的工作包");
    drop_file(&mut h, &work);
    step_until(&mut h, "the package opened", |a| {
        a.status()
            .is_some_and(|(_, s)| s.contains("已打开张三的工作包"))
    });
    step_until(&mut h, "the reloaded view", |a| {
        a.exchange.view().is_some_and(|v| v.has_work)
    });
    h.get_by_label("导出结果包…");
    drop(h);

    // The inspector changes the finding too and sends results back.
    let results = laptop_dir.path().join("张三-2026Q4-结果.spotcheck");
    {
        let mut store = Store::open(&laptop).expect("open laptop");
        let draw = store
            .current_draw(quarter)
            .expect("read")
            .expect("draw here");
        assert!(
            draw.accounts.len() > 1,
            "the package carries 张三's accounts"
        );
        let acc = draw
            .accounts
            .iter()
            .find(|d| d.account.account.key() == key)
            .expect("the supervisor's account is here");
        spotcheck::steps::inspect::save_finding(
            &mut store,
            draw.info.id,
            acc.account.id,
            &fail("P01", "张三：备案单位名称错误"),
            at("2026-11-25 09:30"),
        )
        .expect("save on laptop");
        spotcheck::steps::exchange::export_results_package(
            &mut store,
            &results,
            at("2026-11-25 09:31"),
            spotcheck::seed::fresh_seed(),
        )
        .expect("results");
    }

    // The supervisor merges: one conflict, shown side by side.
    let mut h = harness(supervisor.clone());
    step_until(&mut h, "the roster", |a| !a.busy());
    h.get_by_label("协作").click();
    h.run_steps(1);
    crate::common::app_mut(&mut h).exchange.quarter = "2026Q4".to_owned();
    step_until(&mut h, "the 协作 view", |a| a.exchange.view().is_some());
    drop_file(&mut h, &results);
    step_until(&mut h, "the merge", |a| {
        a.status()
            .is_some_and(|(_, s)| s.contains("已合并张三的结果包"))
    });
    step_until(&mut h, "the conflict listed", |a| {
        a.exchange.view().is_some_and(|v| v.conflicts.len() == 1)
    });
    h.get_by_label("待处理的冲突（1 项）");
    h.get_by_label("说明：组长：备案信息过期");
    h.get_by_label("说明：张三：备案单位名称错误");
    let note = || {
        Store::open(&supervisor)
            .expect("open")
            .inspection(draw_id, account)
            .expect("read")
            .expect("started")
            .finding("P01")
            .expect("P01")
            .finding
            .note
            .clone()
    };
    assert_eq!(
        note(),
        "组长：备案信息过期",
        "nothing is overwritten before the choice"
    );
    h.get_by_label("采用结果包").click();
    step_until(&mut h, "the conflict settled", |a| {
        a.exchange.view().is_some_and(|v| v.conflicts.is_empty())
    });
    assert_eq!(note(), "张三：备案单位名称错误");
    assert!(app(&h).status().is_some_and(|(e, _)| !e));
}
