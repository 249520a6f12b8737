//! 上报与汇总 end to end on the real binary: three reporting cities, each built through the
//! CLI (a roster the test writes, the draw, bulk results, the notice, the signed 上报包), rolled
//! up in a 汇总 workspace; tampered, hand-picked, thin-stratum, newer and hostile packages.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use serde_json::Value;
use spotcheck::checklist::Checklist;
use spotcheck::model::Quarter;
use spotcheck::rollup::OfficeKey;
use spotcheck::rollup::package::{ReportData, read_report, write_report};
use spotcheck::store::Store;
use tempfile::TempDir;

use crate::support::{has_cjk, json, path_str, run, stderr, stdout};

pub(crate) const Q: &str = "2026Q4";

pub(crate) fn ok(o: &Output) -> &Output {
    assert!(
        o.status.success(),
        "exit {:?}; stdout: {}; stderr: {}",
        o.status,
        stdout(o),
        stderr(o)
    );
    o
}

/// A reporting city: its database, its key and the package it exported.
pub(crate) struct City {
    pub(crate) name: &'static str,
    pub(crate) db: PathBuf,
    pub(crate) pem: PathBuf,
    pub(crate) package: PathBuf,
}

/// Builds a city through the CLI: `n` 微信 accounts in two 区 (plus the shared 微博 account
/// when `shared`), drawn with `seed`, every fourth sampled account 不合格 on V01, the others
/// 合格; the notice and the 上报包 exported.
pub(crate) fn city(dir: &Path, name: &'static str, n: usize, seed: u64, shared: bool) -> City {
    let db = dir.join(format!("{name}.db"));
    let mut roster = String::from("平台,账号标识,账号名称,主办单位,地市,区县,状态\n");
    for i in 0..n {
        let county = if i % 3 == 0 { "一区" } else { "二区" };
        let _ = writeln!(
            roster,
            "微信公众号,gh_{name}{i:03},{name}{county}发布{i},{name}{county}某局,{name},{county},正常"
        );
    }
    if shared {
        roster.push_str("新浪微博,wb_shared,某省共享账号,某省某厅,某省,,正常\n");
    }
    let file = dir.join(format!("{name}名录.csv"));
    std::fs::write(&file, roster).unwrap();
    ok(&run(
        &db,
        &["settings", "--region", name, "--user-name", "张三"],
    ));
    ok(&run(&db, &["import", path_str(&file)]));
    let draw = json(ok(&run(
        &db,
        &[
            "sample",
            "--quarter",
            Q,
            "--seed",
            &seed.to_string(),
            "--json",
        ],
    )));
    let mut results = String::from("平台,账号标识,检查项,结果,说明,最后更新日期,检查日期\n");
    for (k, a) in draw["accounts"].as_array().unwrap().iter().enumerate() {
        let (platform, id) = (
            a["platform"].as_str().unwrap(),
            a["account_id"].as_str().unwrap(),
        );
        if k % 4 == 0 {
            let _ = writeln!(
                results,
                "{platform},{id},V01,不符合,领导职务写错,,2026-11-20"
            );
        } else {
            for item in Checklist::builtin().applicable(platform) {
                let date = if item.id == "V04" { "2026-11-18" } else { "" };
                let _ = writeln!(
                    results,
                    "{platform},{id},{},符合,,{date},2026-11-20",
                    item.id
                );
            }
        }
    }
    let file = dir.join(format!("{name}结果.csv"));
    std::fs::write(&file, results).unwrap();
    ok(&run(
        &db,
        &[
            "results",
            "import",
            path_str(&file),
            "--quarter",
            Q,
            "--finish",
        ],
    ));
    ok(&run(
        &db,
        &[
            "export",
            "notice",
            "--quarter",
            Q,
            "--out",
            path_str(&dir.join(format!("{name}通报.xlsx"))),
        ],
    ));
    let pem = dir.join(format!("{name}公钥.pem"));
    ok(&run(&db, &["key", "export", "--out", path_str(&pem)]));
    let package = dir.join(format!("{name}-{Q}-上报.spotcheck"));
    ok(&run(
        &db,
        &[
            "package",
            "report",
            "--quarter",
            Q,
            "--out",
            path_str(&package),
        ],
    ));
    City {
        name,
        db,
        pem,
        package,
    }
}

/// The numbers the city's own notice states: (账号总数, 抽查数, 合格, 不合格).
fn own_numbers(c: &City) -> (u64, u64, u64, u64) {
    let store = Store::open(&c.db).unwrap();
    let report =
        spotcheck::steps::notice::load_report(&store, Q.parse::<Quarter>().unwrap()).unwrap();
    let t = &report.total;
    (
        t.accounts as u64,
        t.checked as u64,
        t.passed as u64,
        t.failed as u64,
    )
}

pub(crate) fn register(top: &Path, c: &City) {
    ok(&run(
        top,
        &["rollup", "register", c.name, path_str(&c.pem), "--expected"],
    ));
}

pub(crate) fn import(top: &Path, files: &[&Path]) -> Value {
    let mut args = vec!["rollup", "import", "--json"];
    args.extend(files.iter().map(|f| path_str(f)));
    json(&run(top, &args))
}

pub(crate) fn table(top: &Path) -> Value {
    json(ok(&run(top, &["rollup", "--quarter", Q, "--json"])))
}

pub(crate) fn row<'a>(table: &'a Value, name: &str) -> &'a Value {
    table["reporters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["reporter"] == name)
        .unwrap_or_else(|| panic!("no row for {name}: {table:#}"))
}

/// A reporter's row as the table shows it now.
fn row_now(top: &Path, name: &str) -> Value {
    row(&table(top), name).clone()
}

fn flags(row: &Value) -> String {
    row["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Rewrites `package` as its reporter would, with `change` applied to its data, signed again
/// with the reporter's own key (a dishonest but validly signed package).
pub(crate) fn resign(
    c: &City,
    out: &Path,
    change: impl FnOnce(&mut ReportData, &mut chrono::NaiveDateTime),
) {
    let package = read_report(&c.package).unwrap().open().unwrap();
    let mut data = package.data;
    let mut manifest = package.manifest;
    change(&mut data, &mut manifest.created_at);
    manifest.package_id = format!(
        "{}-{}",
        manifest.package_id,
        out.file_stem().unwrap().to_string_lossy()
    );
    let key_text = std::fs::read_to_string(format!("{}.key", c.db.display())).unwrap();
    let key = OfficeKey::from_file_text(&key_text).unwrap();
    write_report(out, manifest, &data, &key).unwrap();
}

/// Copies the zip at `from` to `to`, replacing entry `name` by `f(old bytes)`.
fn rezip(from: &Path, to: &Path, name: &str, f: impl Fn(Vec<u8>) -> Vec<u8>) {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(from).unwrap()).unwrap();
    let mut out = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
    for i in 0..zip.len() {
        let mut e = zip.by_index(i).unwrap();
        let entry = e.name().unwrap().into_owned();
        let mut bytes = Vec::new();
        e.read_to_end(&mut bytes).unwrap();
        if entry == name {
            bytes = f(bytes);
        }
        out.start_file(entry, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&bytes).unwrap();
    }
    out.finish().unwrap();
}

#[test]
fn three_reporters_roll_up_with_their_own_numbers_missing_and_duplicates_listed() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let jia = city(d, "甲市", 20, 7, true);
    let yi = city(d, "乙市", 14, 8, true);
    let bing = city(d, "丙市", 11, 9, false);
    // 丁市 registered and expected, never reports.
    let ding_db = d.join("丁市.db");
    let ding_pem = d.join("丁市公钥.pem");
    ok(&run(
        &ding_db,
        &["key", "export", "--out", path_str(&ding_pem)],
    ));
    let top = d.join("汇总.db");
    for c in [&jia, &yi, &bing] {
        register(&top, c);
    }
    ok(&run(
        &top,
        &[
            "rollup",
            "register",
            "丁市",
            path_str(&ding_pem),
            "--expected",
        ],
    ));

    let out = import(&top, &[&jia.package, &yi.package, &bing.package]);
    for o in out.as_array().unwrap() {
        assert_eq!(o["status"], "accepted", "{o:#}");
        assert_eq!(o["verified"], true, "{o:#}");
    }
    let t = table(&top);
    for c in [&jia, &yi, &bing] {
        let r = row(&t, c.name);
        let (population, sampled, passed, failed) = own_numbers(c);
        assert_eq!(
            (&r["population"], &r["sampled"], &r["passed"], &r["failed"]),
            (
                &population.into(),
                &sampled.into(),
                &passed.into(),
                &failed.into()
            ),
            "{} as its own notice states: {r:#}",
            c.name
        );
        assert_eq!(r["verified"], true);
        assert_eq!(r["missing"], false);
        assert!(r["notice_date"].is_string(), "{r:#}");
    }
    let ding = row(&t, "丁市");
    assert_eq!(
        (&ding["missing"], &ding["verified"]),
        (&true.into(), &false.into())
    );
    assert!(flags(ding).contains("未上报"), "{ding:#}");
    // The shared 微博 account, in both populations.
    assert!(
        flags(row(&t, "甲市")).contains("与乙市重复的账号 1 个：新浪微博:wb_shared"),
        "{t:#}"
    );
    assert!(flags(row(&t, "乙市")).contains("与甲市重复的账号"));
    assert!(!flags(row(&t, "丙市")).contains("重复"));
    assert_eq!(
        t["duplicates"][0]["reporters"],
        serde_json::json!(["乙市", "甲市"])
    );
    let names: Vec<&str> = t["reporters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reporter"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["丙市", "丁市", "甲市", "乙市"], "pinyin order");
    let total = &t["total"];
    let sum = |k: &str| -> u64 {
        [&jia, &yi, &bing]
            .iter()
            .map(|c| row(&t, c.name)[k].as_u64().unwrap())
            .sum()
    };
    assert_eq!(total["sampled"], sum("sampled"));
    assert_eq!(total["passed"], sum("passed"));

    // Importing again changes nothing.
    let again = import(&top, &[&jia.package]);
    assert_eq!(again[0]["status"], "already_imported");
    assert_eq!(table(&top), t);

    // 复核: reproducible with its seed, only 合格 accounts.
    let list = d.join("复核名单.xlsx");
    let args = [
        "rollup",
        "recheck",
        "--quarter",
        Q,
        "--rate",
        "0.2",
        "--min",
        "2",
        "--seed",
        "11",
        "--out",
        path_str(&list),
        "--json",
    ];
    let first = json(ok(&run(&top, &args)));
    let second = json(ok(&run(&top, &args)));
    assert_eq!(first["reporters"], second["reporters"]);
    for r in first["reporters"].as_array().unwrap() {
        assert!(r["chosen"].as_array().unwrap().len() >= 2, "{r:#}");
    }
    assert!(list.exists());

    let book = d.join("汇总.xlsx");
    let text = stdout(ok(&run(
        &top,
        &["export", "rollup", "--quarter", Q, "--out", path_str(&book)],
    )));
    assert!(text.contains("汇总表已保存"), "{text}");
    assert!(book.metadata().unwrap().len() > 5000);
    // 按平台: the platforms add up to the level's totals (those of the reporters' notices).
    {
        use calamine::Reader;
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&book).unwrap();
        let sheet = wb.worksheet_range("按平台").expect("按平台");
        let rows: Vec<Vec<String>> = sheet
            .rows()
            .map(|r| r.iter().map(ToString::to_string).collect())
            .collect();
        let number = |r: &[String], c: usize| r[c].parse::<u64>().unwrap_or(u64::MAX);
        let platforms: Vec<&Vec<String>> = rows
            .iter()
            .skip(2)
            .take_while(|r| !r[0].is_empty() && r[0] != "合计")
            .collect();
        let total = rows.iter().find(|r| r[0] == "合计").expect("合计");
        assert!(platforms.len() >= 2, "{rows:?}");
        for c in [1, 2, 4, 5] {
            assert_eq!(
                platforms.iter().map(|r| number(r, c)).sum::<u64>(),
                number(total, c),
                "column {c}: {rows:?}"
            );
        }
        let reported = [&jia, &yi, &bing].map(own_numbers);
        assert_eq!(
            (
                number(total, 1),
                number(total, 2),
                number(total, 4),
                number(total, 5)
            ),
            reported.iter().fold((0, 0, 0, 0), |s, n| (
                s.0 + n.0,
                s.1 + n.1,
                s.2 + n.2,
                s.3 + n.3
            )),
            "{rows:?}"
        );
    }
    let other = run(
        &top,
        &[
            "export",
            "rollup",
            "--quarter",
            Q,
            "--out",
            path_str(&d.join("x.pdf")),
        ],
    );
    assert!(!other.status.success() && has_cjk(&stderr(&other)));

    let text = stdout(ok(&run(&top, &["rollup"])));
    assert!(text.contains("甲市") && text.contains("未上报"), "{text}");
    let log = stdout(ok(&run(&top, &["log"])));
    for action in ["登记上报单位", "导入上报包", "生成复核名单", "导出汇总表"]
    {
        assert!(log.contains(action), "{action} logged: {log}");
    }
}

#[test]
fn a_tampered_package_is_refused_by_its_signature() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let jia = city(d, "甲市", 12, 7, false);
    let top = d.join("汇总.db");
    register(&top, &jia);
    // One verdict changed: 不合格 → 合格, the manifest and signature kept.
    let flip = |bytes: Vec<u8>| {
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains("\"verdict\":\"不合格\""));
        text.replacen("\"verdict\":\"不合格\"", "\"verdict\":\"合格\"", 1)
            .into_bytes()
    };
    let tampered = d.join("改过.spotcheck");
    rezip(&jia.package, &tampered, "data.json", flip);
    let out = import(&top, &[&tampered]);
    assert_eq!(out[0]["status"], "refused", "{out:#}");
    assert_eq!(out[0]["reporter"], "甲市");
    let why = out[0]["reasons"][0].as_str().unwrap();
    assert!(why.starts_with("签名无效"), "{why}");
    // The same change with the manifest's hash brought along: the signature no longer holds.
    let package = read_report(&tampered).map(|_| ()).ok();
    assert!(package.is_some());
    let data = {
        let mut z = zip::ZipArchive::new(std::fs::File::open(&tampered).unwrap()).unwrap();
        let mut b = Vec::new();
        z.by_name("data.json").unwrap().read_to_end(&mut b).unwrap();
        b
    };
    let sm3 = spotcheck::rollup::package::sm3_hex(&data);
    let both = d.join("改过2.spotcheck");
    rezip(&tampered, &both, "manifest.json", |m| {
        let mut v: Value = serde_json::from_slice(&m).unwrap();
        v["data_sm3"] = sm3.clone().into();
        serde_json::to_vec_pretty(&v).unwrap()
    });
    let out = import(&top, &[&both]);
    assert_eq!(out[0]["status"], "refused");
    assert!(
        out[0]["reasons"][0]
            .as_str()
            .unwrap()
            .contains("清单的签名与所附公钥不符"),
        "{out:#}"
    );
    let r = row_now(&top, "甲市");
    assert_eq!(
        (&r["missing"], &r["verified"]),
        (&true.into(), &false.into())
    );
    assert!(flags(&r).contains("签名无效"), "{r:#}");
    // The honest package is then accepted.
    let out = import(&top, &[&jia.package]);
    assert_eq!(out[0]["status"], "accepted", "{out:#}");
}

#[test]
fn hand_picked_samples_thin_strata_and_wrong_numbers_are_named() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let jia = city(d, "甲市", 30, 7, false);
    let top = d.join("汇总.db");
    register(&top, &jia);

    // A drawn account swapped for one the seed did not draw.
    let picked = d.join("挑选.spotcheck");
    resign(&jia, &picked, |data, _| {
        let outsider = data
            .population
            .iter()
            .find(|p| !data.sampled.contains(&p.key) && p.stratum == data.accounts[0].stratum)
            .unwrap()
            .key
            .clone();
        let first = data.accounts.iter_mut().find(|a| a.drawn).unwrap();
        let old = first.key.clone();
        first.key.clone_from(&outsider);
        first.account_id = outsider.rsplit('\u{1f}').next().unwrap().to_owned();
        let at = data.sampled.iter().position(|k| *k == old).unwrap();
        data.sampled[at] = outsider;
    });
    let out = import(&top, &[&picked]);
    assert_eq!(
        (&out[0]["status"], &out[0]["verified"]),
        (&"accepted".into(), &false.into()),
        "{out:#}"
    );
    let r = row_now(&top, "甲市");
    assert!(flags(&r).contains("抽样无法复现"), "{r:#}");
    assert!(flags(&r).contains("人为挑选"), "{r:#}");

    // A stratum's drawn accounts cut below 30%, and the totals left as they were.
    let thin = d.join("不足.spotcheck");
    resign(&jia, &thin, |data, created| {
        *created += chrono::TimeDelta::hours(1);
        let stratum = data.accounts[0].stratum.clone();
        let cut: Vec<String> = data
            .accounts
            .iter()
            .filter(|a| a.drawn && a.stratum == stratum)
            .skip(1)
            .map(|a| a.key.clone())
            .collect();
        data.accounts.retain(|a| !cut.contains(&a.key));
        data.sampled.retain(|k| !cut.contains(k));
    });
    let out = import(&top, &[&thin]);
    assert_eq!(out[0]["status"], "accepted", "{out:#}");
    let r = row_now(&top, "甲市");
    let f = flags(&r);
    assert!(f.contains("抽查比例不足30%"), "{f}");
    assert!(f.contains("数字与结果不符"), "{f}");
    assert_eq!(r["verified"], false);
}

#[test]
fn a_newer_package_replaces_the_older_with_a_logged_reason_and_keys_are_checked() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let jia = city(d, "甲市", 12, 7, false);
    let top = d.join("汇总.db");
    // Not registered yet: refused, naming the fingerprint.
    let out = import(&top, &[&jia.package]);
    assert_eq!(out[0]["status"], "refused");
    assert!(
        out[0]["reasons"][0]
            .as_str()
            .unwrap()
            .starts_with("公钥未登记"),
        "{out:#}"
    );
    register(&top, &jia);

    let newer = d.join("新.spotcheck");
    resign(&jia, &newer, |_, created| {
        *created += chrono::TimeDelta::days(1);
    });
    let out = import(&top, &[&jia.package, &newer]);
    assert_eq!(out[0]["status"], "accepted");
    assert_eq!(out[1]["status"], "accepted", "{out:#}");
    assert_eq!(out[1]["replaced"], out[0]["package_id"]);
    let log = stdout(ok(&run(&top, &["log"])));
    assert!(log.contains("原因：新包生成时间较晚"), "{log}");
    let r = row_now(&top, "甲市");
    assert_eq!(r["package_id"], out[1]["package_id"]);
    // The older one again: nothing changes; an older one arriving late is not used.
    let older = d.join("旧.spotcheck");
    resign(&jia, &older, |_, created| {
        *created -= chrono::TimeDelta::days(1);
    });
    let out = import(&top, &[&older]);
    assert_eq!(out[0]["status"], "older", "{out:#}");
    assert_eq!(row_now(&top, "甲市")["package_id"], r["package_id"]);

    // Another office's key under 甲市's name: 公钥已变更.
    let other_db = d.join("冒名.db");
    ok(&run(&other_db, &["settings", "--region", "甲市"]));
    let other = City {
        name: "甲市",
        db: other_db.clone(),
        pem: d.join("x.pem"),
        package: d.join("x"),
    };
    ok(&run(&other_db, &["key"]));
    let forged = d.join("冒名.spotcheck");
    let package = read_report(&jia.package).unwrap().open().unwrap();
    let key = OfficeKey::from_file_text(
        &std::fs::read_to_string(format!("{}.key", other.db.display())).unwrap(),
    )
    .unwrap();
    write_report(&forged, package.manifest, &package.data, &key).unwrap();
    let out = import(&top, &[&forged]);
    assert_eq!(out[0]["status"], "refused");
    assert!(
        out[0]["reasons"][0]
            .as_str()
            .unwrap()
            .starts_with("公钥已变更"),
        "{out:#}"
    );
}

#[test]
fn hostile_files_are_refused_quickly_in_chinese() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let jia = city(d, "甲市", 9, 7, false);
    let top = d.join("汇总.db");
    register(&top, &jia);
    let bytes = std::fs::read(&jia.package).unwrap();
    let truncated = d.join("截断.spotcheck");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let garbage = d.join("乱码.spotcheck");
    std::fs::write(
        &garbage,
        (0..200_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13).to_le_bytes()[0])
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let extra = d.join("多文件.spotcheck");
    rezip(&jia.package, &extra, "manifest.sig", |b| b);
    {
        let mut z = zip::ZipWriter::new_append(
            std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(&extra)
                .unwrap(),
        )
        .unwrap();
        z.start_file("../evil.txt", zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(b"x").unwrap();
        z.finish().unwrap();
    }
    let work = d.join("工作包.spotcheck");
    rezip(&jia.package, &work, "manifest.json", |m| {
        let mut v: Value = serde_json::from_slice(&m).unwrap();
        v["format"] = "spotcheck-package".into();
        serde_json::to_vec(&v).unwrap()
    });
    // The package with another appended: a zip reader would read the one it finds last.
    let doubled = d.join("两个包接在一起.spotcheck");
    std::fs::write(&doubled, [bytes.clone(), bytes.clone()].concat()).unwrap();
    let missing = d.join("不存在.spotcheck");
    // A named pipe would block the read for ever, holding the database.
    let fifo = d.join("管道.spotcheck");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let started = Instant::now();
    let o = run(&jia.db, &["package", "import", path_str(&fifo)]);
    assert!(started.elapsed() < Duration::from_secs(5), "not blocked");
    assert!(
        !o.status.success() && stderr(&o).contains("不是普通文件"),
        "{}",
        stderr(&o)
    );
    for file in [
        &truncated, &garbage, &extra, &work, &doubled, &missing, &fifo,
    ] {
        let started = Instant::now();
        let o = run(&top, &["rollup", "import", path_str(file), "--json"]);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{}",
            file.display()
        );
        assert!(!o.status.success(), "nothing accepted: exit 1");
        let v = json(&o);
        assert_eq!(v[0]["status"], "refused", "{v:#}");
        let why = v[0]["reasons"][0].as_str().unwrap();
        assert!(has_cjk(why), "{why}");
    }
    let t = table(&top);
    assert_eq!(row(&t, "甲市")["missing"], true);
}
