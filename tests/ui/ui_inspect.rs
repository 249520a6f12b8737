//! Clicks through the 检查 screen with `egui_kittest`: open an account, answer with the keyboard,
//! let the 2-week rule decide, describe the problem, attach a screenshot by dropping it, finish
//! with Ctrl+Enter; then reopen the database and find every answer.

use crate::common::{app, app_mut, db_with_roster, drop_file, harness, step_until};
use egui_kittest::kittest::Queryable;
use spotcheck::checklist::{Answer, Verdict};
use spotcheck::model::{DrawRequest, InspectionStatus};
use spotcheck::sampling::DrawOptions;
use spotcheck::store::{Store, settings};

#[test]
fn answer_with_keyboard_attach_evidence_finish_and_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = db_with_roster(dir.path(), 60);
    let quarter = "2026Q4".parse().expect("quarter");
    {
        let mut store = Store::open(&db).expect("open");
        store
            .set_setting(settings::USER_NAME, "张三")
            .expect("name");
        let at = crate::support::clock::now();
        let request = DrawRequest {
            quarter,
            options: DrawOptions::default(),
            seed: 7,
            reason: None,
            void_work: false,
        };
        spotcheck::steps::draw::make_draw(&mut store, &request, at).expect("draw");
        spotcheck::steps::draw::assign(
            &mut store,
            quarter,
            &["张三".to_owned(), "李四".to_owned()],
            false,
            at,
        )
        .expect("assign");
    }
    let screenshot = dir.path().join("截图.png");
    image::RgbaImage::from_pixel(8, 6, image::Rgba([200, 30, 30, 255]))
        .save(&screenshot)
        .expect("write png");

    let mut h = harness(db.clone());
    step_until(&mut h, "the roster", |a| !a.busy());
    h.get_by_label("检查").click();
    h.run_steps(1);
    app_mut(&mut h).inspect.quarter = "2026Q4".to_owned();
    step_until(&mut h, "the quarter's checks", |a| {
        a.inspect.draw().is_some()
    });
    h.run_steps(2);

    // Only 张三's accounts are listed; open the first one whose platform has no APP-only item.
    let draw = app(&h).inspect.draw().expect("draw").clone();
    let first = draw
        .accounts
        .iter()
        .find(|d| {
            d.inspector.as_deref() == Some("张三") && d.account.account.platform != "移动客户端"
        })
        .expect("an account of 张三")
        .clone();
    h.get_by_label(&first.account.account.name).click();
    step_until(&mut h, "the form", |a| {
        a.inspect.current_item() == Some("V01")
    });

    // V01: 2 = 不符合, then a description; the verdict turns 不合格 at once.
    h.key_press(egui::Key::Num2);
    h.run_steps(2);
    h.get_by_label_contains("结论：不合格");
    h.get_all_by_label("问题描述")
        .next()
        .expect("V01 note")
        .focus();
    h.run_steps(1);
    h.get_all_by_label("问题描述")
        .next()
        .expect("V01 note")
        .type_text("领导职务表述错误");
    h.run_steps(2);
    step_until(&mut h, "the V01 note saved", |a| {
        a.inspect
            .inspection()
            .and_then(|i| i.finding("V01"))
            .is_some_and(|f| f.finding.note == "领导职务表述错误")
    });
    // Leave the text field, then the screenshot dropped on the window goes to V01.
    h.key_press(egui::Key::Escape);
    h.run_steps(1);
    drop_file(&mut h, &screenshot);
    step_until(&mut h, "the evidence", |a| {
        a.inspect
            .inspection()
            .is_some_and(|i| !i.evidence.is_empty())
    });

    // V02 by mouse: its 符合 button (the second on the page), which also makes it current.
    // The screenshot's thumbnail above it may have pushed it down: brought into view first.
    h.get_all_by_label("符合")
        .nth(1)
        .expect("V02 符合")
        .scroll_to_me();
    h.run_steps(2);
    h.get_all_by_label("符合").nth(1).expect("V02 符合").click();
    step_until(&mut h, "V02 answered by click", |a| {
        a.inspect.current_item() == Some("V02")
            && a.inspect
                .inspection()
                .and_then(|i| i.finding("V02"))
                .is_some_and(|f| f.finding.answer == Some(Answer::Pass))
    });
    // V03: 1 = 符合, moving down with the arrow key.
    {
        h.key_press(egui::Key::ArrowDown);
        h.run_steps(1);
        h.key_press(egui::Key::Num1);
        h.run_steps(1);
    }
    // V04: the last update date decides by itself (24 days before the check: 不符合).
    app_mut(&mut h).inspect.checked_on_for_test("2026-11-25");
    h.get_by_label("最后更新日期").focus();
    h.run_steps(1);
    h.get_by_label("最后更新日期").type_text("2026-11-01");
    h.run_steps(2);
    h.key_press(egui::Key::Escape);
    h.run_steps(1);
    h.get_all_by_label("问题描述")
        .nth(3)
        .expect("V04 note")
        .focus();
    h.run_steps(1);
    h.get_all_by_label("问题描述")
        .nth(3)
        .expect("V04 note")
        .type_text("24天未更新");
    h.run_steps(2);
    h.key_press(egui::Key::Escape);
    h.run_steps(1);
    // A veto 不符合 finishes only with evidence: a screenshot of the last post, for V04.
    assert_eq!(app(&h).inspect.current_item(), Some("V04"));
    drop_file(&mut h, &screenshot);
    step_until(&mut h, "the V04 evidence", |a| {
        a.inspect
            .inspection()
            .is_some_and(|i| i.evidence.iter().any(|e| e.item == "V04"))
    });
    // Everything else 符合: down and 1, to the end.
    for _ in 0..20 {
        h.key_press(egui::Key::ArrowDown);
        h.run_steps(1);
        h.key_press(egui::Key::Num1);
        h.run_steps(1);
    }
    step_until(&mut h, "every change saved", |a| a.inspect.saved());
    h.get_by_label_contains("已保存");

    // Ctrl+Enter finishes and opens the next account.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    step_until(&mut h, "finish and open the next", |a| {
        a.inspect
            .state_of(first.account.id)
            .is_some_and(|s| s.0 == InspectionStatus::Done)
            && a.inspect
                .opened_account()
                .is_some_and(|o| o != first.account.id)
    });
    assert_eq!(
        app(&h).inspect.state_of(first.account.id),
        Some((InspectionStatus::Done, Some(Verdict::Fail)))
    );
    h.get_by_label_contains("已完成 1 /");

    // Reopen the store: every answer is there.
    drop(h);
    let store = Store::open(&db).expect("reopen");
    let ins = store
        .inspection(draw.info.id, first.account.id)
        .expect("read")
        .expect("started");
    assert_eq!(ins.status, InspectionStatus::Done);
    assert_eq!(ins.verdict, Some(Verdict::Fail));
    assert_eq!(ins.inspector, "张三");
    let v01 = ins.finding("V01").expect("V01");
    assert_eq!(v01.finding.answer, Some(Answer::Fail));
    assert_eq!(v01.finding.note, "领导职务表述错误");
    assert_eq!(v01.updated_by, "张三");
    let v04 = ins.finding("V04").expect("V04");
    assert_eq!(v04.finding.answer, Some(Answer::Fail));
    assert_eq!(
        v04.finding.last_update.map(|d| d.to_string()).as_deref(),
        Some("2026-11-01")
    );
    assert_eq!(
        ins.finding("V02").and_then(|f| f.finding.answer),
        Some(Answer::Pass)
    );
    let evidence = &ins.evidence[0];
    assert_eq!(evidence.item, "V01");
    let spotcheck::model::EvidenceKind::File { sha256, file_name } = &evidence.kind else {
        panic!("a file");
    };
    assert_eq!(file_name, "截图.png");
    let kept = store.evidence_path(sha256, file_name);
    assert_eq!(
        std::fs::read(kept).expect("kept file"),
        std::fs::read(&screenshot).expect("original")
    );
}

/// A slow frame carries several inputs at once: here the last answer (key 1) and Ctrl+Enter.
/// Both are applied, in order: the answer is saved, then the check is finished with it.
#[test]
fn an_answer_and_finish_in_the_same_frame_are_both_applied() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (db, draw) = crate::common::inspector_db(dir.path(), 40, "张三");
    let draw_id = draw.info.id;
    let first = draw.accounts[0].clone();
    {
        let mut store = Store::open(&db).expect("open");
        let at = crate::support::clock::now();
        // Every item answered but the first (V01), which the form opens on.
        let checklist = spotcheck::checklist::Checklist::builtin();
        for item in checklist
            .applicable(&first.account.account.platform)
            .filter(|i| i.id != "V01")
        {
            let mut finding = spotcheck::checklist::Finding {
                answer: Some(Answer::Pass),
                ..spotcheck::checklist::Finding::new(item.id.clone())
            };
            if item.id == "V04" {
                // 符合 on the update rule needs the date it was judged on.
                finding.last_update = Some(at.date());
                finding.checked_on = Some(at.date());
            }
            spotcheck::steps::inspect::save_finding(
                &mut store,
                draw_id,
                first.account.id,
                &finding,
                at,
            )
            .expect("save");
        }
    }

    let mut h = harness(db.clone());
    crate::common::open_check(&mut h, &first.account.account.name, first.account.id);
    assert_eq!(app(&h).inspect.current_item(), Some("V01"));

    // One frame: 1 (符合 for V01) and Ctrl+Enter (finish).
    let key = |key, modifiers| egui::Event::Key {
        key,
        pressed: true,
        modifiers,
        repeat: false,
        physical_key: None,
    };
    h.input_mut()
        .events
        .push(key(egui::Key::Num1, egui::Modifiers::NONE));
    h.input_mut()
        .events
        .push(key(egui::Key::Enter, egui::Modifiers::COMMAND));
    h.step();
    step_until(&mut h, "the answer saved and the check finished", |a| {
        a.inspect
            .state_of(first.account.id)
            .is_some_and(|s| s.0 == InspectionStatus::Done)
    });
    drop(h);
    let store = Store::open(&db).expect("reopen");
    let ins = store
        .inspection(draw_id, first.account.id)
        .expect("read")
        .expect("started");
    assert_eq!(ins.status, InspectionStatus::Done);
    assert_eq!(ins.verdict, Some(Verdict::Pass));
    assert_eq!(
        ins.finding("V01").and_then(|f| f.finding.answer),
        Some(Answer::Pass)
    );
}

/// A check half done opens at its first unanswered item; Ctrl+Enter on a finished check opens
/// the next unfinished one instead of doing nothing.
#[test]
fn an_account_opens_at_its_first_open_item_and_ctrl_enter_moves_on_from_a_finished_check() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (db, draw) = crate::common::inspector_db(dir.path(), 40, "张三");
    let (finished, half) = (draw.accounts[0].clone(), draw.accounts[1].clone());
    crate::common::pass_items(&db, draw.info.id, finished.account.id, None, true);
    let first_three: &[&str] = &["V01", "V02", "V03"];
    crate::common::pass_items(&db, draw.info.id, half.account.id, Some(first_three), false);
    let mut h = harness(db.clone());
    crate::common::open_check(&mut h, &half.account.account.name, half.account.id);
    assert_eq!(
        app(&h).inspect.current_item(),
        Some("V04"),
        "the first unanswered item"
    );

    h.get_by_label(&finished.account.account.name).click();
    step_until(&mut h, "the finished form", |a| {
        a.inspect.opened_account() == Some(finished.account.id) && a.inspect.inspection().is_some()
    });
    h.run_steps(2);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    step_until(&mut h, "the next unfinished account", |a| {
        a.inspect
            .opened_account()
            .is_some_and(|o| o != finished.account.id)
    });
    let now_open = app(&h).inspect.opened_account().expect("open");
    assert_ne!(
        app(&h).inspect.state_of(now_open).map(|s| s.0),
        Some(InspectionStatus::Done),
        "an unfinished one"
    );
}

/// A slow frame carries 1, ↓, 1, ↓, 1: each answer goes to the item current at its turn, in
/// order, and none is skipped.
#[test]
fn keys_pressed_faster_than_frames_are_applied_in_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (db, draw) = crate::common::inspector_db(dir.path(), 40, "张三");
    let (draw_id, first) = (draw.info.id, draw.accounts[0].clone());
    let mut h = harness(db.clone());
    crate::common::open_check(&mut h, &first.account.account.name, first.account.id);
    assert_eq!(app(&h).inspect.current_item(), Some("V01"));
    let key = |key| egui::Event::Key {
        key,
        pressed: true,
        modifiers: egui::Modifiers::NONE,
        repeat: false,
        physical_key: None,
    };
    for k in [
        egui::Key::Num1,
        egui::Key::ArrowDown,
        egui::Key::Num1,
        egui::Key::ArrowDown,
        egui::Key::Num2,
    ] {
        h.input_mut().events.push(key(k));
    }
    h.step();
    step_until(&mut h, "the answers saved", |a| a.inspect.saved());
    assert_eq!(
        app(&h).inspect.current_item(),
        Some("V03"),
        "the keys moved twice"
    );
    drop(h);
    let store = Store::open(&db).expect("reopen");
    let ins = store
        .inspection(draw_id, first.account.id)
        .expect("read")
        .expect("started");
    let answer = |item: &str| ins.finding(item).and_then(|f| f.finding.answer);
    assert_eq!(answer("V01"), Some(Answer::Pass));
    assert_eq!(answer("V02"), Some(Answer::Pass));
    assert_eq!(answer("V03"), Some(Answer::Fail));
}

/// With a city's checklist whose 更新时效 is the longest gap in the period (10 days), the form
/// asks for the longest gap instead of the last update date, and the gap decides: 11 days is
/// 不符合, 10 days 符合; the value is stored.
#[test]
fn a_longest_gap_checklist_asks_for_the_gap_and_decides_by_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (db, draw) = crate::common::inspector_db(dir.path(), 40, "张三");
    let draw_id = draw.info.id;
    {
        // Installed after the draw, before any check began: every check uses it.
        let mut store = Store::open(&db).expect("open");
        let mut city = spotcheck::checklist::Checklist::builtin().clone();
        city.version = "2027.1".to_owned();
        city.items
            .iter_mut()
            .find(|i| i.id == "V04")
            .expect("V04")
            .rule = Some(spotcheck::checklist::Rule::LongestGap { days: 10 });
        spotcheck::steps::inspect::install_checklist(
            &mut store,
            &city,
            crate::support::clock::now(),
        )
        .expect("install");
    }
    let first = draw
        .accounts
        .iter()
        .find(|d| d.account.account.platform != "移动客户端")
        .expect("an account")
        .clone();
    let mut h = harness(db.clone());
    crate::common::open_check(&mut h, &first.account.account.name, first.account.id);
    h.get_by_label_contains("更新时效按“检查期间最长更新间隔是否超过 10 天”自动判定");
    assert!(h.query_by_label("最后更新日期").is_none());

    let v04 = |a: &spotcheck::ui::App| {
        a.inspect
            .inspection()
            .and_then(|i| i.finding("V04"))
            .map(|f| (f.finding.longest_gap, f.finding.answer))
    };
    h.get_by_label("最长更新间隔").focus();
    h.run_steps(1);
    h.get_by_label("最长更新间隔").type_text("11");
    step_until(&mut h, "11 days: 不符合", |a| {
        v04(a) == Some((Some(11), Some(Answer::Fail)))
    });
    h.key_press(egui::Key::Backspace);
    h.run_steps(1);
    h.get_by_label("最长更新间隔").type_text("0");
    step_until(&mut h, "10 days: 符合", |a| {
        v04(a) == Some((Some(10), Some(Answer::Pass)))
    });
    step_until(&mut h, "saved", |a| a.inspect.saved());
    drop(h);
    let store = Store::open(&db).expect("reopen");
    let ins = store
        .inspection(draw_id, first.account.id)
        .expect("read")
        .expect("started");
    assert_eq!(ins.checklist_version, "2027.1");
    let f = &ins.finding("V04").expect("V04").finding;
    assert_eq!((f.longest_gap, f.answer), (Some(10), Some(Answer::Pass)));
}

/// Types `text` into the focused field one character a frame, as a person does; a digit comes
/// as its key and its text, as a keyboard sends it (the key alone would be a shortcut).
fn type_slowly(h: &mut egui_kittest::Harness<'_, Option<spotcheck::ui::App>>, text: &str) {
    for c in text.chars() {
        let key = c
            .is_ascii_digit()
            .then(|| egui::Key::from_name(&c.to_string()))
            .flatten();
        let press = |pressed| egui::Event::Key {
            key: key.expect("a digit key"),
            physical_key: None,
            pressed,
            repeat: false,
            modifiers: egui::Modifiers::NONE,
        };
        if key.is_some() {
            h.event(press(true));
        }
        h.event(egui::Event::Text(c.to_string()));
        if key.is_some() {
            h.event(press(false));
        }
        h.run_steps(1);
    }
}

/// 张三's database (2026Q4 drawn, all his) and the first sampled account that is not an APP,
/// so that every item but V07 applies.
fn inspector_with_target(
    dir: &std::path::Path,
) -> (
    std::path::PathBuf,
    spotcheck::model::DrawRecord,
    spotcheck::model::DrawnAccount,
) {
    let (db, draw) = crate::common::inspector_db(dir, 60, "张三");
    let target = draw
        .accounts
        .iter()
        .find(|d| d.account.account.platform != "移动客户端")
        .expect("an account")
        .clone();
    (db, draw, target)
}

/// The answers of the open check, by item.
fn answers(app: &spotcheck::ui::App) -> Vec<(String, Option<Answer>)> {
    app.inspect
        .inspection()
        .map(|i| {
            i.findings
                .iter()
                .map(|f| (f.finding.item.clone(), f.finding.answer))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn typing_digits_right_after_the_header_changes_keeps_every_answer_and_the_whole_text() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (db, draw, target) = inspector_with_target(dir.path());
    let account = target.account.id;
    crate::common::pass_items(&db, draw.info.id, account, None, false);
    let mut h = harness(db);
    crate::common::open_check(&mut h, &target.account.account.name, account);
    let before = answers(app(&h));
    assert!(before.iter().all(|(_, a)| *a == Some(Answer::Pass)));

    // P03 不符合 by its key: the header says its description is missing.
    for _ in 0..30 {
        if app(&h).inspect.current_item() == Some("P03") {
            break;
        }
        h.key_press(egui::Key::ArrowDown);
        h.run_steps(1);
    }
    assert_eq!(app(&h).inspect.current_item(), Some("P03"));
    h.key_press(egui::Key::Num2);
    step_until(&mut h, "P03 不符合 saved", |a| {
        a.inspect
            .inspection()
            .and_then(|i| i.finding("P03"))
            .is_some_and(|f| f.finding.answer == Some(Answer::Fail))
    });
    h.run_steps(2);
    h.get_by_label_contains("判定为不符合但没有填写问题描述");

    // Its description, typed a character a frame with digits in it: the first character
    // makes the header line vanish and the form move up; the rest still goes into the field.
    // The form lists the items in the checklist's order (veto items first).
    let p03 = spotcheck::checklist::Checklist::builtin()
        .applicable(&target.account.account.platform)
        .position(|i| i.id == "P03")
        .expect("P03");
    h.get_all_by_label("问题描述")
        .nth(p03)
        .expect("P03 note")
        .focus();
    h.run_steps(1);
    let note = "11月未备案，3次提醒仍未更新123";
    type_slowly(&mut h, note);
    step_until(&mut h, "the whole note saved", |a| {
        a.inspect
            .inspection()
            .and_then(|i| i.finding("P03"))
            .is_some_and(|f| f.finding.note == note)
    });
    assert!(
        h.query_by_label_contains("判定为不符合但没有填写问题描述")
            .is_none()
    );
    let after = answers(app(&h));
    for ((item, was), (_, now)) in before.iter().zip(&after) {
        let want = if item == "P03" {
            Some(Answer::Fail)
        } else {
            *was
        };
        assert_eq!(*now, want, "{item} changed while typing");
    }

    // A link typed the same way and added at once is stored whole.
    h.key_press(egui::Key::Escape);
    h.run_steps(1);
    h.get_by_label("链接").focus();
    h.run_steps(1);
    let url = "https://www.douyin.com/user/MS4wLjABAAAA1234567890";
    type_slowly(&mut h, url);
    h.get_by_label("添加链接").click();
    step_until(&mut h, "the link saved", |a| {
        a.inspect
            .inspection()
            .is_some_and(|i| i.evidence.iter().any(|e| e.item == "P03"))
    });
    let stored: Vec<String> = app(&h)
        .inspect
        .inspection()
        .expect("check")
        .evidence
        .iter()
        .filter(|e| e.item == "P03")
        .filter_map(|e| match &e.kind {
            spotcheck::model::EvidenceKind::Url(u) => Some(u.clone()),
            spotcheck::model::EvidenceKind::File { .. } => None,
        })
        .collect();
    assert_eq!(stored, vec![url.to_owned()]);
    assert_eq!(
        answers(app(&h)),
        after,
        "no answer changed while typing the link"
    );
}

#[test]
fn the_rest_passes_in_one_step_once_the_update_rule_has_its_date() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (db, _, target) = inspector_with_target(dir.path());
    let account = target.account.id;
    let mut h = harness(db.clone());
    crate::common::open_check(&mut h, &target.account.account.name, account);

    // V01 不符合 by its key; then the rest at once: refused while V04 has no date.
    h.key_press(egui::Key::Num2);
    step_until(&mut h, "V01 saved", |a| {
        a.inspect
            .inspection()
            .and_then(|i| i.finding("V01"))
            .is_some_and(|f| f.finding.answer == Some(Answer::Fail))
    });
    h.run_steps(2);
    h.get_by_label("其余项全部符合").click();
    step_until(&mut h, "the refusal", |a| {
        a.status()
            .is_some_and(|(error, text)| *error && text.contains("V04"))
    });
    assert_eq!(answers(app(&h)).len(), 1, "nothing else was answered");

    // With V04's last update typed (today: 符合 by the rule), the rest pass in one step.
    h.get_by_label("最后更新日期").focus();
    h.run_steps(1);
    let today = chrono::Local::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    h.get_by_label("最后更新日期").type_text(&today);
    step_until(&mut h, "V04 decided by its rule", |a| {
        a.inspect
            .inspection()
            .and_then(|i| i.finding("V04"))
            .is_some_and(|f| f.finding.answer == Some(Answer::Pass))
    });
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    h.get_by_label("其余项全部符合").click();
    step_until(&mut h, "every item answered", |a| {
        a.inspect
            .inspection()
            .is_some_and(|i| i.findings.iter().all(|f| f.finding.answer.is_some()))
            && a.inspect.inspection().is_some_and(|i| i.findings.len() > 5)
    });
    // The form shows them too (it took what was stored), so nothing reads 还有…没有填写.
    step_until(&mut h, "the form shows every answer", |a| {
        a.inspect
            .form_findings()
            .is_some_and(|f| f.iter().all(|f| f.answer.is_some()))
    });
    let all = answers(app(&h));
    for (item, answer) in &all {
        let want = if item == "V01" {
            Answer::Fail
        } else {
            Answer::Pass
        };
        assert_eq!(*answer, Some(want), "{item}");
    }
    // 撤销 takes the step back: the items it answered are unanswered again, V01 and V04 stay.
    h.run_steps(2);
    h.get_by_label("撤销").click();
    step_until(&mut h, "the rest unanswered again", |a| {
        answers(a).iter().all(|(item, answer)| match item.as_str() {
            "V01" => *answer == Some(Answer::Fail),
            "V04" => *answer == Some(Answer::Pass),
            _ => answer.is_none(),
        })
    });
    assert!(
        app(&h).inspect.form_findings().is_some_and(|f| f
            .iter()
            .filter(|f| f.answer.is_some())
            .count()
            == 2),
        "the form shows it"
    );
    // One log entry for the whole step.
    let store = Store::open(&db).expect("open");
    let entries: Vec<_> = store
        .log_entries()
        .expect("log")
        .into_iter()
        .filter(|e| e.detail.contains("其余"))
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert!(
        entries[0]
            .detail
            .contains(&format!("其余 {} 项全部设为符合", all.len() - 2)),
        "{}",
        entries[0].detail
    );
}

#[test]
fn a_database_opened_read_only_shows_checks_and_never_changes_them() {
    use egui_kittest::kittest::NodeT;
    let dir = tempfile::tempdir().expect("tempdir");
    let (db, draw, target) = inspector_with_target(dir.path());
    let account = target.account.id;
    crate::common::pass_items(&db, draw.info.id, account, Some(&["V01", "V02"]), false);
    let held = spotcheck::store::lock(&db, "窗口", crate::support::clock::now()).expect("lock");
    let mut h = harness(db.clone());
    step_until(&mut h, "the open to be refused", |a| !a.busy());
    h.run_steps(2);
    h.get_by_label("只读打开（只能查看，不能修改）").click();
    step_until(&mut h, "the read-only open", |a| !a.busy());
    crate::common::open_check(&mut h, &target.account.account.name, account);
    let before = answers(app(&h));
    assert_eq!(before.len(), 2);

    // Every editing control is there, disabled.
    for label in ["完成", "其余项全部符合", "导入检查结果…", "更换…"] {
        let button = h.get_by_role_and_label(egui::accesskit::Role::Button, label);
        assert!(button.accesskit_node().is_disabled(), "{label} is enabled");
    }
    assert!(
        h.get_all_by_role_and_label(egui::accesskit::Role::Button, "不符合")
            .all(|b| b.accesskit_node().is_disabled()),
        "an answer button is enabled"
    );
    // An answer key changes nothing, and asks nothing.
    h.key_press(egui::Key::Num2);
    h.key_press(egui::Key::ArrowDown);
    h.key_press(egui::Key::Num3);
    h.run_steps(4);
    assert_eq!(answers(app(&h)), before);
    assert!(h.query_by_label_contains("修改已完成的检查").is_none());
    // On every screen, what would change the database is disabled too.
    for (screen, labels) in [
        ("名录", &["导入名录…"][..]),
        ("抽样", &["导出抽查名单…"][..]),
        (
            "通报与整改",
            &["导出通报正文（Word）…", "导出整改表（一个工作簿）…"][..],
        ),
        ("协作", &["导入包…"][..]),
        ("设置与备份", &["导出日志…", "从其他位置的备份恢复…"][..]),
    ] {
        h.get_by_label(screen).click();
        h.run_steps(2);
        step_until(&mut h, screen, |a| !a.busy());
        // 设置 shows its buttons once its view is read (off the frame thread, slower on a
        // loaded machine).
        step_until(&mut h, "the settings view", |a| {
            screen != "设置与备份" || a.settings.view().is_some_and(|v| v.open)
        });
        h.run_steps(2);
        for label in labels {
            let button = h.get_by_role_and_label(egui::accesskit::Role::Button, label);
            assert!(
                button.accesskit_node().is_disabled(),
                "{screen}: {label} is enabled"
            );
        }
    }
    drop(held);
    let store = Store::open(&db).expect("open");
    let stored = store
        .inspection(draw.info.id, account)
        .expect("read")
        .expect("the check");
    assert_eq!(stored.findings.len(), 2, "nothing was written");
}

/// Ctrl+Z (outside a text field) and the 撤销 button undo the form's last change: a note typed
/// on is one change, an answer another; each undo is saved and logged as a change.
#[test]
fn ctrl_z_and_the_button_undo_the_last_change_one_at_a_time() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (db, _draw, target) = inspector_with_target(dir.path());
    let account = target.account.id;
    let mut h = harness(db.clone());
    crate::common::open_check(&mut h, &target.account.account.name, account);
    let stored = |a: &spotcheck::ui::App, item: &str| {
        a.inspect
            .inspection()
            .and_then(|i| i.finding(item))
            .map(|f| (f.finding.answer, f.finding.note.clone()))
    };
    let first = app(&h).inspect.current_item().expect("an item").to_owned();

    // The first item 不符合, then its description typed a character a frame.
    h.key_press(egui::Key::Num2);
    step_until(&mut h, "不符合 saved", |a| {
        stored(a, &first).is_some_and(|(answer, _)| answer == Some(Answer::Fail))
    });
    h.run_steps(2);
    h.get_all_by_label("问题描述").next().expect("note").focus();
    h.run_steps(1);
    type_slowly(&mut h, "未备案12");
    step_until(&mut h, "the note saved", |a| {
        stored(a, &first).is_some_and(|(_, note)| note == "未备案12")
    });
    // Ctrl+Z inside the field is the field's own; outside it undoes the note, whole.
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    step_until(&mut h, "the note undone", |a| {
        stored(a, &first) == Some((Some(Answer::Fail), String::new()))
    });
    // The button undoes the answer.
    h.get_by_label("撤销").click();
    step_until(&mut h, "the answer undone", |a| {
        stored(a, &first).is_some_and(|(answer, _)| answer.is_none())
    });
    assert!(
        app(&h)
            .inspect
            .form_findings()
            .is_some_and(|f| f.iter().all(|f| f.answer.is_none() && f.note.is_empty())),
        "the form shows it"
    );
    // Nothing left to undo: the button is disabled.
    h.run_steps(2);
    {
        use egui_kittest::kittest::NodeT;
        assert!(h.get_by_label("撤销").accesskit_node().is_disabled());
    }
    // A link added, then undone: removed. Added again and deleted, then undone: back.
    let links = |a: &spotcheck::ui::App| -> Vec<String> {
        a.inspect
            .inspection()
            .map(|i| {
                i.evidence
                    .iter()
                    .filter_map(|e| match &e.kind {
                        spotcheck::model::EvidenceKind::Url(u) => Some(u.clone()),
                        spotcheck::model::EvidenceKind::File { .. } => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let url = "https://weibo.com/u/1234567890";
    let add_link = |h: &mut egui_kittest::Harness<'_, Option<spotcheck::ui::App>>| {
        h.get_all_by_label("链接").next().expect("link").focus();
        h.run_steps(1);
        type_slowly(h, url);
        h.get_all_by_label("添加链接").next().expect("add").click();
        step_until(h, "the link saved", |a| links(a) == [url]);
        h.key_press(egui::Key::Escape);
        h.run_steps(2);
    };
    add_link(&mut h);
    h.get_by_label("撤销").click();
    step_until(&mut h, "the link removed by undo", |a| links(a).is_empty());
    add_link(&mut h);
    h.get_all_by_label("删除").next().expect("delete").click();
    step_until(&mut h, "the link deleted", |a| links(a).is_empty());
    h.run_steps(2);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    step_until(&mut h, "the link put back by undo", |a| links(a) == [url]);
    // Putting it back is not itself a change to undo: the next undo removes the link added
    // before the deletion.
    h.run_steps(2);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    step_until(&mut h, "the re-added link undone", |a| links(a).is_empty());
    h.run_steps(3);
    assert!(links(app(&h)).is_empty(), "stays removed");

    // Each undo is in the log as a change.
    let log = Store::open(&db).expect("open").log_entries().expect("log");
    let about: Vec<&str> = log
        .iter()
        .filter(|e| e.detail.contains(&first))
        .map(|e| e.detail.as_str())
        .collect();
    // (Edits of one item's text in a row are logged as one entry, the undone one with them.)
    assert!(
        about.iter().any(|d| d.contains("修改问题描述"))
            && about.iter().any(|d| d.contains("不符合 改为 未填")),
        "{about:#?}"
    );
}
