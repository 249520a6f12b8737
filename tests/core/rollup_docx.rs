//! The level's 汇总通报 (.docx) end to end: three reporting cities built through the CLI (one of
//! them reporting numbers its verdicts do not give), a fourth expected and silent, rolled up and
//! exported as the level's notice; read back from the file: the title from the level's region,
//! the totals of the roll-up table, the missing and the unverified reporters named, the
//! attachment's table on a landscape page, no 复核 section without 复核 results, nothing internal.

use std::io::Read;
use std::path::Path;

use serde_json::Value;

use super::rollup::{City, Q, city, import, ok, register, resign, row, table};
use crate::support::{json, path_str, run, stdout};

/// The text of each paragraph of `word/document.xml` (table cells are paragraphs too), and the
/// XML itself.
fn paragraphs(docx: &Path) -> (Vec<String>, String) {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(docx).unwrap()).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    let mut out = Vec::new();
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut text = String::new();
    let mut inside = false;
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Start(e) if e.name().as_ref() == "w:t" => inside = true,
            quick_xml::events::Event::End(e) if e.name().as_ref() == "w:t" => inside = false,
            quick_xml::events::Event::Text(t) if inside => {
                text.push_str(&t.xml10_content());
            }
            quick_xml::events::Event::GeneralRef(r) if inside => {
                text.push_str(match &*r {
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "&",
                });
            }
            quick_xml::events::Event::End(e) if e.name().as_ref() == "w:p" => {
                out.push(std::mem::take(&mut text));
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    (out, xml)
}

fn count(t: &Value, key: &str) -> u64 {
    t["total"][key].as_u64().unwrap()
}

#[test]
fn the_levels_notice_states_the_rollup_totals_and_names_missing_and_unverified_reporters() {
    let dir = tempfile::TempDir::new().unwrap();
    let d = dir.path();
    let jia = city(d, "甲市", 20, 7, true);
    let yi = city(d, "乙市", 14, 8, true);
    let bing = city(d, "丙市", 11, 9, false);
    let top = d.join("汇总.db");
    ok(&run(&top, &["settings", "--region", "示例市"]));
    for c in [&jia, &yi, &bing] {
        register(&top, c);
    }
    // 丁市 is expected and never reports.
    let ding = City {
        name: "丁市",
        db: d.join("丁市.db"),
        pem: d.join("丁市公钥.pem"),
        package: d.join("丁市.spotcheck"),
    };
    ok(&run(
        &ding.db,
        &["key", "export", "--out", path_str(&ding.pem)],
    ));
    register(&top, &ding);
    // 乙市 reports one more 合格 than its verdicts give, signed with its own key.
    let wrong = d.join("乙市-数字不符.spotcheck");
    resign(&yi, &wrong, |data, _| data.totals.passed += 1);
    import(&top, &[&jia.package, &wrong, &bing.package]);
    let t = table(&top);
    assert_eq!(row(&t, "乙市")["verified"], false, "{t:#}");
    assert_eq!(row(&t, "丁市")["missing"], true);

    let docx = d.join("汇总通报.docx");
    let said = stdout(ok(&run(
        &top,
        &["export", "rollup", "--quarter", Q, "--out", path_str(&docx)],
    )));
    assert!(said.contains("汇总通报已保存"), "{said}");
    let (paras, xml) = paragraphs(&docx);
    let text = paras.join("\n");
    assert_eq!(paras[0], "关于全市2026年第四季度政务新媒体抽查情况的通报");
    assert_eq!(paras[2], "各县（市、区）人民政府办公室：");
    // The totals are the roll-up table's.
    let totals = format!(
        "已报送的地区共有在运行的政务新媒体账号{}个，抽查{}个",
        count(&t, "population"),
        count(&t, "sampled")
    );
    assert!(text.contains(&totals), "{totals}\n{text}");
    let verdicts = format!(
        "合格{}个、不合格{}个，合格率{:.2}%",
        count(&t, "passed"),
        count(&t, "failed"),
        t["total"]["pass_rate"].as_f64().unwrap() * 100.0
    );
    assert!(text.contains(&verdicts), "{verdicts}\n{text}");
    // Who did not report, who did not verify and why, in plain words; who did.
    assert!(text.contains("已报送3个；丁市未报送"), "{text}");
    assert!(
        text.contains("乙市报送的抽查情况核验未通过：上报的账号总数、抽查数或合格、不合格数与逐个账号的检查结论不一致"),
        "{text}"
    );
    assert!(
        text.contains("经核验，丙市和甲市报送的抽查情况符合要求"),
        "{text}"
    );
    assert!(
        text.contains("请未报送的丁市，以及核验未通过的乙市查明原因"),
        "{text}"
    );
    assert!(text.contains("新浪微博“wb_shared”（乙市、甲市）"), "{text}");
    // Sections in order; no 复核 section without 复核 results.
    let at = |h: &str| paras.iter().position(|p| p == h);
    let (one, two, three) = (
        at("一、总体情况"),
        at("二、各地抽查情况"),
        at("三、工作要求"),
    );
    assert!(one.is_some() && one < two && two < three, "{text}");
    assert!(!text.contains("复核情况"), "{text}");
    // 落款: the level's office over the date, then the attachment.
    let office = at("示例市人民政府办公室").expect("署名");
    assert!(paras[office + 1].starts_with("20"), "{}", paras[office + 1]);
    assert_eq!(
        paras[office + 2],
        "附件",
        "the attachment follows the 成文日期"
    );
    assert_eq!(
        paras[office + 3],
        "2026年第四季度各地政务新媒体抽查情况汇总表"
    );
    // The table: a row per reporter and the 合计 with the table's numbers.
    let cells = &paras[office + 4..];
    let total_at = cells.iter().position(|c| c == "合计").expect("合计");
    assert_eq!(cells[total_at + 1], count(&t, "population").to_string());
    assert_eq!(cells[total_at + 2], count(&t, "sampled").to_string());
    assert!(cells.iter().any(|c| c == "未报送"), "{cells:?}");
    assert!(cells.iter().any(|c| c == "未通过"), "{cells:?}");
    // The text portrait, the attachment landscape, its head repeated on every page.
    assert_eq!(xml.matches("<w:sectPr>").count(), 2);
    assert!(
        xml.contains(r#"w:orient="landscape""#),
        "landscape attachment"
    );
    assert_eq!(xml.matches("<w:tblHeader />").count(), 1);
    for internal in ["spotcheck", "ChaCha", "SM2", "SM3", "2026Q4", "种子 "] {
        assert!(!text.contains(internal), "{internal} in the notice");
    }
    let log = stdout(ok(&run(&top, &["log"])));
    assert!(log.contains("导出汇总通报"), "{log}");

    // 复核: 甲市's first account on the list overturned, its second upheld, the rest not yet
    // re-checked: the notice gains its 复核情况 and a requirement, the table an accuracy.
    let list = d.join("复核名单.xlsx");
    let drawn = json(ok(&run(
        &top,
        &[
            "rollup",
            "recheck",
            "--quarter",
            Q,
            "--seed",
            "11",
            "--out",
            path_str(&list),
            "--json",
        ],
    )));
    let jia_chosen = drawn["reporters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["reporter"] == "甲市")
        .unwrap()["chosen"]
        .clone();
    let account = |i: usize, field: &str| jia_chosen[i][field].as_str().unwrap().to_owned();
    let conclusions = d.join("复核结论.csv");
    std::fs::write(
        &conclusions,
        format!(
            "上报单位,平台,账号标识,复核结论,复核说明,复核日期\n甲市,{},{},不合格,首页栏目空白,2026-11-20\n甲市,{},{},合格,,2026-11-20\n",
            account(0, "platform"),
            account(0, "account_id"),
            account(1, "platform"),
            account(1, "account_id"),
        ),
    )
    .unwrap();
    ok(&run(
        &top,
        &[
            "rollup",
            "recheck",
            "import",
            path_str(&conclusions),
            "--quarter",
            Q,
        ],
    ));
    let again = d.join("汇总通报（复核后）.docx");
    ok(&run(
        &top,
        &[
            "export",
            "rollup",
            "--quarter",
            Q,
            "--out",
            path_str(&again),
        ],
    ));
    let (paras, _) = paragraphs(&again);
    let text = paras.join("\n");
    let at = |h: &str| paras.iter().position(|p| p == h);
    assert!(at("三、复核情况") < at("四、工作要求"), "{text}");
    let overturned = format!(
        "甲市：复核2个账号，上报结论准确率50.00%；上报为合格、复核为不合格的1个：“{}”（{}），首页栏目空白。",
        account(0, "name"),
        account(0, "platform")
    );
    assert!(text.contains(&overturned), "{overturned}\n{text}");
    assert!(text.contains("的复核尚未完成"), "{text}");
    assert!(text.contains("如实开展检查。"), "{text}");
    assert!(paras.iter().any(|p| p == "复核准确率"), "{text}");
    assert!(
        paras.iter().any(|p| p == "50.00%"),
        "甲市's accuracy in the table: {text}"
    );

    // Export refused, in Chinese, with `why`; no file written.
    let refused = |db: &std::path::Path, name: &str, why: &str| {
        let out = d.join(name);
        let o = run(
            db,
            &["export", "rollup", "--quarter", Q, "--out", path_str(&out)],
        );
        assert!(!o.status.success(), "{name}");
        let err = crate::support::stderr(&o);
        assert!(err.contains(why), "{err}");
        assert!(!out.exists(), "{name}");
    };
    // Without the level's region there is no title to give.
    let bare = d.join("无地区.db");
    refused(&bare, "无地区.docx", "还没有填写地区名称");
    // With a region but nobody to report on: refused rather than a notice of nothing.
    ok(&run(&bare, &["settings", "--region", "某省"]));
    refused(&bare, "无单位.docx", "还没有登记应上报的单位");
}
