//! 复核 end to end on the real binary: two reporting cities rolled up, the re-check list drawn
//! and kept, the exported list read back as it is (nothing filled in yet), a filled-in list
//! imported with its bad rows named by Excel row, the accuracy per reporter in `rollup --json`
//! and the 汇总 workbook, and a re-draw refused once conclusions exist.

use std::fmt::Write as _;
use std::io::Read as _;

use serde_json::Value;
use tempfile::TempDir;

use crate::rollup::{Q, city, import, ok, register, table};
use crate::support::{has_cjk, json, path_str, run, stderr, stdout};

fn recheck_args<'a>(list: &'a str, seed: &'a str) -> Vec<&'a str> {
    vec![
        "rollup",
        "recheck",
        "--quarter",
        Q,
        "--rate",
        "0.2",
        "--min",
        "2",
        "--seed",
        seed,
        "--out",
        list,
        "--json",
    ]
}

fn recheck_of<'a>(t: &'a Value, reporter: &str) -> &'a Value {
    t["rechecks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["reporter"] == reporter)
        .unwrap_or_else(|| panic!("{reporter} in {t:#}"))
}

#[test]
#[allow(
    clippy::many_single_char_names,
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    clippy::too_many_lines
)]
fn the_level_above_rechecks_a_sample_and_gets_an_accuracy_per_reporter() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let jia = city(d, "甲市", 20, 7, false);
    let yi = city(d, "乙市", 14, 8, false);
    let top = d.join("汇总.db");
    register(&top, &jia);
    register(&top, &yi);
    import(&top, &[&jia.package, &yi.package]);

    // Before any list: no 复核 in the table, and importing conclusions is refused.
    assert_eq!(table(&top)["rechecks"], serde_json::json!([]));
    let early = d.join("早.csv");
    std::fs::write(
        &early,
        "上报单位,平台,账号标识,复核结论\n甲市,微信公众号,gh_x,合格\n",
    )
    .unwrap();
    let refused = run(
        &top,
        &[
            "rollup",
            "recheck",
            "import",
            path_str(&early),
            "--quarter",
            Q,
        ],
    );
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("还没有生成复核名单"),
        "{}",
        stderr(&refused)
    );

    let list = d.join("复核名单.xlsx");
    let chosen = json(ok(&run(&top, &recheck_args(path_str(&list), "11"))));
    let reporters = chosen["reporters"].as_array().unwrap();
    let accounts = |name: &str| -> Vec<String> {
        reporters.iter().find(|r| r["reporter"] == name).unwrap()["chosen"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["account_id"].as_str().unwrap().to_owned())
            .collect()
    };
    let (jia_list, yi_list) = (accounts("甲市"), accounts("乙市"));
    assert!(jia_list.len() >= 2 && yi_list.len() >= 2, "{chosen:#}");

    // The list as exported reads back: every account there, none concluded yet.
    let blank = json(ok(&run(
        &top,
        &[
            "rollup",
            "recheck",
            "import",
            path_str(&list),
            "--quarter",
            Q,
            "--json",
        ],
    )));
    assert_eq!(blank["recorded"], 0, "{blank:#}");
    assert_eq!(
        blank["blank"].as_u64().unwrap() as usize,
        jia_list.len() + yi_list.len(),
        "{blank:#}"
    );
    assert_eq!(blank["problems"], serde_json::json!([]));
    let t = table(&top);
    assert_eq!(recheck_of(&t, "甲市")["checked"], 0);
    assert_eq!(
        recheck_of(&t, "甲市")["accuracy"],
        Value::Null,
        "nothing checked: no rate"
    );

    // The filled-in list: 甲市's first account overturned, the rest 合格; 乙市's last left
    // blank; four rows that cannot be recorded, each named by its row.
    let mut filled = String::from("上报单位,平台,账号标识,复核结论,复核说明,复核日期\n");
    for (i, id) in jia_list.iter().enumerate() {
        if i == 0 {
            let _ = writeln!(
                filled,
                "甲市,微信公众号,{id},不合格,首页栏目空白,2026-11-20"
            );
        } else {
            let _ = writeln!(filled, "甲市,微信公众号,{id},合格,,2026-11-20");
        }
    }
    for (i, id) in yi_list.iter().enumerate() {
        let verdict = if i + 1 == yi_list.len() { "" } else { "合格" };
        let _ = writeln!(filled, "乙市,微信公众号,{id},{verdict},,");
    }
    let rows_before = 1 + jia_list.len() + yi_list.len();
    filled.push_str("乙市,微信公众号,gh_不在名单,合格,,\n");
    let _ = writeln!(filled, "乙市,微信公众号,{},不合格,,", yi_list[0]);
    let _ = writeln!(filled, "乙市,微信公众号,{},合格,,2099-01-01", yi_list[0]);
    let _ = writeln!(filled, "乙市,微信公众号,{},待定,,", yi_list[0]);
    let file = d.join("复核结论.csv");
    std::fs::write(&file, filled).unwrap();
    let done = json(ok(&run(
        &top,
        &[
            "rollup",
            "recheck",
            "import",
            path_str(&file),
            "--quarter",
            Q,
            "--json",
        ],
    )));
    assert_eq!(
        done["recorded"].as_u64().unwrap() as usize,
        jia_list.len() + yi_list.len() - 1,
        "{done:#}"
    );
    assert_eq!(done["blank"], 1);
    let problems: Vec<&str> = done["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(problems.len(), 4, "{problems:#?}");
    for (k, what) in [(2, "不在"), (3, "复核说明"), (4, "今天之后"), (5, "待定")] {
        let row = format!("第 {} 行", rows_before + k - 1);
        assert!(
            problems
                .iter()
                .any(|p| p.contains(&row) && p.contains(what)),
            "{row} {what}: {problems:#?}"
        );
    }
    // The same file again records nothing new.
    let again = json(ok(&run(
        &top,
        &[
            "rollup",
            "recheck",
            "import",
            path_str(&file),
            "--quarter",
            Q,
            "--json",
        ],
    )));
    assert_eq!(again["recorded"], 0);
    assert_eq!(
        again["unchanged"].as_u64().unwrap() as usize,
        jia_list.len() + yi_list.len() - 1
    );

    let t = table(&top);
    let j = recheck_of(&t, "甲市");
    let n = jia_list.len() as f64;
    assert_eq!(j["checked"].as_u64().unwrap() as usize, jia_list.len());
    assert!(
        (j["accuracy"].as_f64().unwrap() - (n - 1.0) / n).abs() < 1e-9,
        "{j:#}"
    );
    assert_eq!(j["overturned"][0][2], "首页栏目空白", "{j:#}");
    let y = recheck_of(&t, "乙市");
    assert_eq!(y["accuracy"], serde_json::json!(1.0), "{y:#}");
    assert_eq!(
        y["checked"].as_u64().unwrap() as usize,
        yi_list.len() - 1,
        "the blank one is not counted"
    );

    // Drawn again with another seed: refused, the conclusions kept; with the same seed the
    // list is exported again and nothing is lost.
    let other = run(&top, &recheck_args(path_str(&list), "12"));
    assert!(!other.status.success());
    let why = stderr(&other);
    assert!(has_cjk(&why) && why.contains("随机种子 11"), "{why}");
    ok(&run(&top, &recheck_args(path_str(&list), "11")));
    assert_eq!(table(&top)["rechecks"], t["rechecks"]);

    // The 汇总 workbook carries the 复核 sheet; the log names each step.
    let book = d.join("汇总.xlsx");
    ok(&run(
        &top,
        &["export", "rollup", "--quarter", Q, "--out", path_str(&book)],
    ));
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&book).unwrap()).unwrap();
    let mut workbook = String::new();
    zip.by_name("xl/workbook.xml")
        .unwrap()
        .read_to_string(&mut workbook)
        .unwrap();
    assert!(workbook.contains("复核结果"), "{workbook}");
    // The charts read the table's rates, reporter by reporter (rows 3 and 4).
    let mut charts = String::new();
    for n in 1..=2 {
        zip.by_name(&format!("xl/charts/chart{n}.xml"))
            .unwrap()
            .read_to_string(&mut charts)
            .unwrap();
    }
    assert!(
        charts.contains("各地合格率") && charts.contains("$G$3:$G$4"),
        "{charts}"
    );
    assert!(
        charts.contains("各地抽查比例") && charts.contains("$D$3:$D$4"),
        "{charts}"
    );
    let log = stdout(ok(&run(&top, &["log"])));
    for action in ["生成复核名单", "导入复核结论", "再次导出复核名单"] {
        assert!(log.contains(action), "{action} logged: {log}");
    }
}
