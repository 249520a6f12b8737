//! 改派 on the command line: one account of the quarter's sample moved to another inspector,
//! logged, shown in the list; refused once the old inspector's work package is sent, and for
//! names that are not one inspector.

use crate::support::{path_str, run, stderr, stdout};

/// Runs a command on `db`; its standard output (the command must succeed).
fn ok(db: &std::path::Path, args: &[&str]) -> String {
    let out = run(db, args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

/// (platform:account id, inspector) of every account in the quarter's sample.
fn split(db: &std::path::Path) -> Vec<(String, String)> {
    let json: serde_json::Value = serde_json::from_str(&ok(
        db,
        &["sample", "--quarter", "2026Q4", "--show", "--json"],
    ))
    .expect("json");
    json["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .map(|a| {
            (
                format!(
                    "{}:{}",
                    a["platform"].as_str().expect("platform"),
                    a["account_id"].as_str().expect("id")
                ),
                a["inspector"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

#[test]
fn an_account_moves_to_another_inspector_until_the_package_is_sent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = crate::support::demo_db(dir.path(), "120");
    ok(&db, &["sample", "--quarter", "2026Q4", "--seed", "3"]);
    ok(
        &db,
        &["assign", "--quarter", "2026Q4", "--inspectors", "张三,李四"],
    );

    let before = split(&db);
    let (moving, _) = before
        .iter()
        .find(|(_, who)| who == "张三")
        .expect("张三 has accounts")
        .clone();
    let out = ok(
        &db,
        &["reassign", "--quarter", "2026Q4", "--to", "李四", &moving],
    );
    assert!(out.contains("张三 → 李四"), "{out}");
    let after = split(&db);
    for ((key, was), (same, now)) in before.iter().zip(&after) {
        assert_eq!(key, same);
        let expected = if *key == moving {
            "李四"
        } else {
            was.as_str()
        };
        assert_eq!(now, expected, "{key}");
    }
    let log = ok(&db, &["log", "--json"]);
    assert!(
        log.contains("改派检查人员") && log.contains("由 张三 改为 李四"),
        "{log}"
    );

    // Not one inspector, or not in the sample: refused in Chinese, nothing changed.
    for (to, account, says) in [
        ("张三,李四", moving.as_str(), "只填写一名检查人员"),
        ("张三", "抖音:没有这个账号", "抽查名单中没有账号"),
    ] {
        let out = run(
            &db,
            &["reassign", "--quarter", "2026Q4", "--to", to, account],
        );
        assert!(!out.status.success());
        assert!(stderr(&out).contains(says), "{}", stderr(&out));
    }
    assert_eq!(split(&db), after);

    // 李四's package is sent: his accounts stay his; 张三's can still move.
    let work = dir.path().join("李四.spotcheck");
    ok(
        &db,
        &[
            "package",
            "export",
            "--quarter",
            "2026Q4",
            "--inspector",
            "李四",
            "--out",
            path_str(&work),
        ],
    );
    let out = run(
        &db,
        &["reassign", "--quarter", "2026Q4", "--to", "张三", &moving],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("已经给李四导出了2026年第四季度的工作包"),
        "{}",
        stderr(&out)
    );
    assert_eq!(split(&db), after);
    let (other, _) = after
        .iter()
        .find(|(_, who)| who == "张三")
        .expect("张三 still has accounts")
        .clone();
    ok(
        &db,
        &["reassign", "--quarter", "2026Q4", "--to", "王五", &other],
    );

    // To 李四, whose package is out: moved, and told that 李四 needs a new package. An
    // account named twice is moved (and logged) once.
    let (third, _) = split(&db)
        .into_iter()
        .find(|(_, who)| who == "张三")
        .expect("张三 still has accounts");
    let out = ok(
        &db,
        &[
            "reassign",
            "--quarter",
            "2026Q4",
            "--to",
            "李四",
            &third,
            &third,
        ],
    );
    assert!(out.contains("请再给李四导出一次"), "{out}");
    assert_eq!(out.matches("张三 → 李四").count(), 1, "{out}");
    let log = ok(&db, &["log", "--json"]);
    assert_eq!(log.matches("由 张三 改为 李四").count(), 2, "{log}");
}
