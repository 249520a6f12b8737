//! Evidence in bulk (issue 27): `results import` reads 证据链接 and 截图 columns, so a veto
//! failure from a monitoring tool's export is finished without opening it in the window; a
//! missing screenshot refuses its row by Excel row number; importing again adds nothing twice;
//! `evidence add` attaches one file or link on the CLI, logged.

use std::fmt::Write as _;

use spotcheck::checklist::Checklist;
use spotcheck::model::EvidenceKind;
use spotcheck::store::Store;
use tempfile::TempDir;

use crate::support::{has_cjk, json, path_str, run, stderr, stdout};

fn ok(o: &std::process::Output) -> &std::process::Output {
    assert!(o.status.success(), "{}{}", stdout(o), stderr(o));
    o
}

#[test]
#[allow(clippy::too_many_lines)]
fn veto_failures_arrive_with_their_links_and_screenshots_and_finish() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let db = d.join("市.db");
    let mut roster = String::from("平台,账号标识,账号名称,主办单位,地市,区县,状态\n");
    for i in 0..12 {
        let _ = writeln!(
            roster,
            "微信公众号,gh_{i:03},发布{i},某局{i},某市,一区,正常"
        );
    }
    std::fs::write(d.join("名录.csv"), roster).unwrap();
    ok(&run(
        &db,
        &["settings", "--region", "某市", "--user-name", "张三"],
    ));
    ok(&run(&db, &["import", path_str(&d.join("名录.csv"))]));
    let draw = json(ok(&run(
        &db,
        &["sample", "--quarter", "2026Q4", "--seed", "3", "--json"],
    )));
    let ids: Vec<String> = draw["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["account_id"].as_str().unwrap().to_owned())
        .collect();
    assert!(ids.len() >= 4, "{ids:?}");

    // Screenshots beside the sheet, in a folder the sheet names relatively.
    std::fs::create_dir(d.join("截图")).unwrap();
    let mut sheet =
        String::from("平台,账号标识,检查项,结果,说明,最后更新日期,检查日期,证据链接,截图\n");
    for (k, id) in ids.iter().enumerate() {
        for item in Checklist::builtin().applicable("微信公众号") {
            let date = if item.id == "V04" { "2026-11-18" } else { "" };
            if item.id == "V01" && k < 3 {
                let shot = format!("截图/{id}.png");
                if k < 2 {
                    std::fs::write(d.join(&shot), format!("PNG {id}")).unwrap();
                }
                let _ = writeln!(
                    sheet,
                    "微信公众号,{id},V01,不符合,领导职务写错,,2026-11-20,https://mp.weixin.qq.com/s/{id} https://example.gov.cn/{id},{shot}"
                );
            } else {
                let _ = writeln!(
                    sheet,
                    "微信公众号,{id},{},符合,,{date},2026-11-20,,",
                    item.id
                );
            }
        }
    }
    // A link that is no web address: that row is refused too.
    let _ = writeln!(
        sheet,
        "微信公众号,{},V02,符合,,,2026-11-20,javascript:alert(1),",
        ids[3]
    );
    let file = d.join("监测结果.csv");
    std::fs::write(&file, &sheet).unwrap();
    let items = Checklist::builtin().applicable("微信公众号").count();
    let out = json(ok(&run(
        &db,
        &[
            "results",
            "import",
            path_str(&file),
            "--quarter",
            "2026Q4",
            "--finish",
            "--json",
        ],
    )));
    let errors = out["import"]["errors"].as_array().unwrap();
    let missing_row = 2 + 2 * items; // the third account's V01 row, as Excel numbers it
    assert!(
        errors.iter().any(|e| e["row"] == missing_row
            && e["message"].as_str().unwrap().contains("找不到截图文件")),
        "{out:#}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e["message"].as_str().unwrap().contains("不是网址")),
        "{out:#}"
    );
    // The two veto failures with evidence are finished; the third lacks its V01 row.
    let store = Store::open(&db).unwrap();
    let info = store
        .current_draw_info("2026Q4".parse().unwrap())
        .unwrap()
        .unwrap();
    let inspections = store.inspections(info.id).unwrap();
    let of = |id: &str| {
        inspections
            .iter()
            .find(|i| {
                store
                    .accounts()
                    .unwrap()
                    .iter()
                    .any(|a| a.id == i.account && a.account.account_id == id)
            })
            .unwrap()
            .clone()
    };
    for id in &ids[..2] {
        let i = of(id);
        assert_eq!(i.status, spotcheck::model::InspectionStatus::Done, "{id}");
        assert_eq!(i.verdict, Some(spotcheck::checklist::Verdict::Fail));
        let kinds: Vec<&EvidenceKind> = i.evidence.iter().map(|e| &e.kind).collect();
        assert_eq!(kinds.len(), 3, "two links and a screenshot: {kinds:?}");
        assert!(i.evidence.iter().all(|e| e.item == "V01"));
    }
    assert_ne!(of(&ids[2]).status, spotcheck::model::InspectionStatus::Done);
    drop(store);

    // Importing the same sheet again adds no evidence twice.
    ok(&run(
        &db,
        &[
            "results",
            "import",
            path_str(&file),
            "--quarter",
            "2026Q4",
            "--json",
        ],
    ));
    let store = Store::open(&db).unwrap();
    let again = store.inspections(info.id).unwrap();
    let count = |list: &[spotcheck::model::Inspection]| -> usize {
        list.iter().map(|i| i.evidence.len()).sum()
    };
    assert_eq!(count(&again), count(&inspections));
    drop(store);

    // `evidence add`: the third account's screenshot, then its check can be finished once
    // its V01 is answered.
    let shot = d.join("补拍.png");
    std::fs::write(&shot, "PNG late").unwrap();
    let account = format!("微信公众号:{}", ids[2]);
    let added = json(ok(&run(
        &db,
        &[
            "evidence",
            "add",
            "--quarter",
            "2026Q4",
            "--account",
            &account,
            "--item",
            "v01",
            path_str(&shot),
            "https://example.gov.cn/late",
            "--json",
        ],
    )));
    assert_eq!(added["added"].as_array().unwrap().len(), 2, "{added:#}");
    let bad = run(
        &db,
        &[
            "evidence",
            "add",
            "--quarter",
            "2026Q4",
            "--account",
            &account,
            "--item",
            "V01",
            path_str(&d.join("没有这个文件.png")),
        ],
    );
    assert!(
        !bad.status.success() && has_cjk(&stderr(&bad)),
        "{}",
        stderr(&bad)
    );
    let nobody = run(
        &db,
        &[
            "evidence",
            "add",
            "--quarter",
            "2026Q4",
            "--account",
            "微信公众号:gh_none",
            "--item",
            "V01",
            "https://example.gov.cn/x",
        ],
    );
    assert!(
        stderr(&nobody).contains("抽查名单中没有账号"),
        "{}",
        stderr(&nobody)
    );
    let log = stdout(ok(&run(&db, &["log"])));
    assert!(log.contains("添加证据"), "{log}");
    assert!(
        log.contains("证据 6 件"),
        "the bulk import counts its evidence: {log}"
    );
}
