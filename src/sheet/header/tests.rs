//! The shared header finder, table by table: small column tables made for the test (one of
//! each [`Choice`]), and the roster's and the results sheet's real ones.

use super::*;
use crate::results::Column as ResultsColumn;
use crate::roster::header::Field;

/// A roster-like table: a non-scoring 序号, three required columns, two-level headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Roster {
    Seq,
    Unit,
    Name,
    Platform,
    Id,
    Opened,
}

impl Columns for Roster {
    const NAMES: &'static [(Self, &'static [&'static str])] = &[
        (Roster::Seq, &["序号"]),
        (Roster::Unit, &["主办单位", "单位名称"]),
        (Roster::Name, &["账号名称", "名称"]),
        (Roster::Platform, &["平台", "平台类型"]),
        (Roster::Id, &["账号标识", "账号id", "微信号"]),
        (Roster::Opened, &["开设时间"]),
    ];
    const REQUIRED: &'static [Self] = &[Roster::Unit, Roster::Name, Roster::Platform];
    const CHOICE: Choice = Choice::Fullest { two_level: true };

    fn label(self) -> &'static str {
        first_name(self)
    }

    fn scores(self) -> bool {
        self != Roster::Seq
    }
}

/// A single-level table with no required columns and the default choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plain {
    Item,
    Result,
    Note,
}

impl Columns for Plain {
    const NAMES: &'static [(Self, &'static [&'static str])] = &[
        (Plain::Item, &["检查项"]),
        (Plain::Result, &["结果", "检查结果"]),
        (Plain::Note, &["说明"]),
    ];
    const REQUIRED: &'static [Self] = &[];

    fn label(self) -> &'static str {
        first_name(self)
    }
}

/// A feedback-like table: the first complete row is the header; 问题编号 may be stood in for
/// by 账号名称 with 平台; brackets stay part of a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Feedback {
    Code,
    Name,
    Platform,
    Reply,
}

impl Columns for Feedback {
    const NAMES: &'static [(Self, &'static [&'static str])] = &[
        (Feedback::Code, &["问题编号"]),
        (Feedback::Name, &["账号名称"]),
        (Feedback::Platform, &["平台"]),
        (Feedback::Reply, &["整改情况"]),
    ];
    const REQUIRED: &'static [Self] = &[Feedback::Reply, Feedback::Code];
    const CHOICE: Choice = Choice::FirstComplete;

    fn label(self) -> &'static str {
        first_name(self)
    }

    fn for_header(text: &str) -> Option<Self> {
        lookup_as_written(Self::NAMES, text)
    }

    fn provided_by(self, header: &Header<Self>) -> bool {
        let has = |c| header.column_of(c).is_some();
        has(self) || (self == Feedback::Code && has(Feedback::Name) && has(Feedback::Platform))
    }
}

/// The usual name of a test table's column: the first name it is known by.
fn first_name<C: Columns>(column: C) -> &'static str {
    C::NAMES
        .iter()
        .find(|(c, _)| *c == column)
        .map_or("", |(_, names)| names[0])
}

fn grid(rows: &[(u32, &[&str])]) -> Grid {
    Grid {
        sheet: "表".to_owned(),
        rows: rows
            .iter()
            .map(|(number, cells)| Row {
                number: *number,
                cells: cells
                    .iter()
                    .map(|t| {
                        if t.is_empty() {
                            Cell::Empty
                        } else {
                            Cell::Text((*t).to_owned())
                        }
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// A sheet's top rows: each row's number and its cells' texts.
type Rows = &'static [(u32, &'static [&'static str])];
/// A header expected: its first and last row and, per column, the text kept and the column
/// recognised.
type Want<C> = (u32, u32, &'static [(&'static str, Option<C>)]);

/// One case: a sheet's top rows and the header that should be found in them.
struct Case<C: 'static> {
    name: &'static str,
    rows: Rows,
    want: Option<Want<C>>,
}

fn check<C: Columns + std::fmt::Debug>(cases: &[Case<C>]) {
    for case in cases {
        let got = find::<C>(&grid(case.rows));
        let want = case.want.map(|(first_row, last_row, columns)| Header {
            first_row,
            last_row,
            columns: columns.iter().map(|(t, c)| ((*t).to_owned(), *c)).collect(),
        });
        assert_eq!(got, want, "{}", case.name);
    }
}

const TITLE: &str = "示例市政务新媒体账号名录（2026年第四季度）";

#[test]
fn roster_like_table_positions() {
    use Roster::{Name, Platform, Seq, Unit};
    check::<Roster>(&[
        Case {
            name: "header on the first row",
            rows: &[(1, &["序号", "主办单位", "账号名称", "平台"])],
            want: Some((
                1,
                1,
                &[
                    ("序号", Some(Seq)),
                    ("主办单位", Some(Unit)),
                    ("账号名称", Some(Name)),
                    ("平台", Some(Platform)),
                ],
            )),
        },
        Case {
            name: "title and 填报单位 rows above, a data row below",
            rows: &[
                (1, &[TITLE]),
                (2, &["填报单位：示例市数据局", "", "日期：2026.10.8"]),
                (4, &["主办单位", "账号名称", "平台", "备注"]),
                (5, &["示例市教育局", "示例教育", "微信公众号", ""]),
            ],
            want: Some((
                4,
                4,
                &[
                    ("主办单位", Some(Unit)),
                    ("账号名称", Some(Name)),
                    ("平台", Some(Platform)),
                    ("备注", None),
                ],
            )),
        },
    ]);
}

#[test]
fn roster_like_table_two_levels() {
    use Roster::{Id, Name, Opened, Platform, Seq, Unit};
    check::<Roster>(&[
        Case {
            name: "two levels: the upper row names columns the lower does not",
            rows: &[
                (1, &[TITLE]),
                (3, &["序号", "主办单位", "账号信息", "", ""]),
                (4, &["", "", "名称", "平台", "账号ID"]),
                (5, &["1", "示例市教育局", "示例教育", "微信公众号", "gh_1"]),
            ],
            want: Some((
                3,
                4,
                &[
                    ("序号", Some(Seq)),
                    ("主办单位", Some(Unit)),
                    ("名称", Some(Name)),
                    ("平台", Some(Platform)),
                    ("账号ID", Some(Id)),
                ],
            )),
        },
        Case {
            name: "two levels: the lower row names a further column",
            rows: &[
                (2, &["主办单位", "账号名称", "平台", "时间"]),
                (3, &["", "", "", "开设时间"]),
                (4, &["示例市教育局", "示例教育", "微信公众号", "2019-03-05"]),
            ],
            want: Some((
                2,
                3,
                &[
                    ("主办单位", Some(Unit)),
                    ("账号名称", Some(Name)),
                    ("平台", Some(Platform)),
                    ("开设时间", Some(Opened)),
                ],
            )),
        },
        Case {
            name: "two levels merged down: the upper row adds nothing, the header is the lower",
            rows: &[
                (3, &["序号", "主办单位", "账号信息", "账号信息", "账号信息"]),
                (4, &["序号", "主办单位", "名称", "平台", "账号ID"]),
            ],
            want: Some((
                4,
                4,
                &[
                    ("序号", Some(Seq)),
                    ("主办单位", Some(Unit)),
                    ("名称", Some(Name)),
                    ("平台", Some(Platform)),
                    ("账号ID", Some(Id)),
                ],
            )),
        },
        Case {
            name: "a row below a blank row is not a second level",
            rows: &[
                (2, &["主办单位", "账号名称", "平台"]),
                (4, &["", "", "", "开设时间"]),
            ],
            want: Some((
                2,
                2,
                &[
                    ("主办单位", Some(Unit)),
                    ("账号名称", Some(Name)),
                    ("平台", Some(Platform)),
                ],
            )),
        },
    ]);
}

#[test]
fn roster_like_table_spellings_and_choices() {
    use Roster::{Id, Name, Opened, Platform, Unit};
    check::<Roster>(&[
        Case {
            name: "spelling variants: stars, colons, brackets, spaces, full-width letters",
            rows: &[(
                1,
                &[
                    "*主办单位",
                    "名称（全称）",
                    "平台类型：",
                    "账号ＩＤ",
                    "开 设 时 间",
                ],
            )],
            want: Some((
                1,
                1,
                &[
                    ("*主办单位", Some(Unit)),
                    ("名称（全称）", Some(Name)),
                    ("平台类型：", Some(Platform)),
                    ("账号ＩＤ", Some(Id)),
                    ("开 设 时 间", Some(Opened)),
                ],
            )),
        },
        Case {
            name: "a column named twice is taken from its first cell",
            rows: &[(1, &["账号ID", "主办单位", "名称", "平台", "微信号"])],
            want: Some((
                1,
                1,
                &[
                    ("账号ID", Some(Id)),
                    ("主办单位", Some(Unit)),
                    ("名称", Some(Name)),
                    ("平台", Some(Platform)),
                    ("微信号", None),
                ],
            )),
        },
        Case {
            name: "the fullest row wins over an earlier, thinner one",
            rows: &[
                (1, &["主办单位", "名称"]),
                (3, &["单位名称", "账号名称", "平台"]),
            ],
            want: Some((
                3,
                3,
                &[
                    ("单位名称", Some(Unit)),
                    ("账号名称", Some(Name)),
                    ("平台", Some(Platform)),
                ],
            )),
        },
        Case {
            name: "of equally full rows the first",
            rows: &[(1, &["主办单位", "名称"]), (3, &["单位名称", "账号名称"])],
            want: Some((1, 1, &[("主办单位", Some(Unit)), ("名称", Some(Name))])),
        },
        Case {
            name: "one column named is not a header",
            rows: &[(1, &["主办单位", "备注"]), (2, &["示例市教育局", ""])],
            want: None,
        },
        Case {
            name: "序号 does not count towards a header",
            rows: &[(1, &["序号", "主办单位", "姓名"])],
            want: None,
        },
        Case {
            name: "nothing to find in an empty sheet",
            rows: &[],
            want: None,
        },
    ]);
}

#[test]
fn single_level_and_first_complete_tables() {
    check::<Plain>(&[
        Case {
            name: "a single-level table does not join the row below",
            rows: &[(1, &["检查项", "结果"]), (2, &["", "", "说明"])],
            want: Some((
                1,
                1,
                &[("检查项", Some(Plain::Item)), ("结果", Some(Plain::Result))],
            )),
        },
        Case {
            name: "brackets: 说明（证据） is 说明",
            rows: &[(5, &["检查项", "说明（证据）"])],
            want: Some((
                5,
                5,
                &[
                    ("检查项", Some(Plain::Item)),
                    ("说明（证据）", Some(Plain::Note)),
                ],
            )),
        },
    ]);
    check::<Feedback>(&[
        Case {
            name: "the first complete row, not the fullest",
            rows: &[
                (1, &["问题编号", "整改情况"]),
                (3, &["问题编号", "账号名称", "平台", "整改情况"]),
            ],
            want: Some((
                1,
                1,
                &[
                    ("问题编号", Some(Feedback::Code)),
                    ("整改情况", Some(Feedback::Reply)),
                ],
            )),
        },
        Case {
            name: "incomplete rows are passed over; 账号名称 with 平台 stands in for 问题编号",
            rows: &[
                (1, &[TITLE]),
                (2, &["账号名称", "整改情况"]),
                (3, &["账号名称", "平台", "整改情况", "账号名称"]),
            ],
            want: Some((
                3,
                3,
                &[
                    ("账号名称", Some(Feedback::Name)),
                    ("平台", Some(Feedback::Platform)),
                    ("整改情况", Some(Feedback::Reply)),
                    ("账号名称", None),
                ],
            )),
        },
        Case {
            name: "brackets stay part of a name in this table",
            rows: &[(1, &["问题编号", "整改情况（必填）"])],
            want: None,
        },
        Case {
            name: "stars and colons do not",
            rows: &[(2, &["*问题编号", "整改情况："])],
            want: Some((
                2,
                2,
                &[
                    ("*问题编号", Some(Feedback::Code)),
                    ("整改情况：", Some(Feedback::Reply)),
                ],
            )),
        },
        Case {
            name: "no 整改情况, no header",
            rows: &[(1, &["问题编号", "账号名称", "平台"])],
            want: None,
        },
    ]);
}

#[test]
fn the_real_tables() {
    check::<Field>(&[Case {
        name: "an office's roster: title, 填报单位, two merged levels",
        rows: &[
            (1, &[TITLE]),
            (2, &["填报单位（盖章）：", "", "", "", "", "填报时间："]),
            (
                3,
                &[
                    "序号",
                    "主办单位",
                    "账号信息",
                    "账号信息",
                    "账号信息",
                    "县（市、区）",
                ],
            ),
            (
                4,
                &[
                    "序号",
                    "主办单位",
                    "账号名称",
                    "平台类型",
                    "账号ID",
                    "县（市、区）",
                ],
            ),
        ],
        want: Some((
            4,
            4,
            &[
                ("序号", Some(Field::Seq)),
                ("主办单位", Some(Field::HostUnit)),
                ("账号名称", Some(Field::Name)),
                ("平台类型", Some(Field::Platform)),
                ("账号ID", Some(Field::AccountId)),
                ("县（市、区）", Some(Field::County)),
            ],
        )),
    }]);
    check::<ResultsColumn>(&[Case {
        name: "a results sheet: its own names and the roster's",
        rows: &[
            (1, &["2026年第四季度检查结果"]),
            (
                2,
                &[
                    "序号",
                    "平台",
                    "微信号",
                    "检查指标",
                    "*结果",
                    "问题描述（证据）",
                    "监测时间",
                ],
            ),
        ],
        want: Some((
            2,
            2,
            &[
                ("序号", None),
                ("平台", Some(ResultsColumn::Platform)),
                ("微信号", Some(ResultsColumn::AccountId)),
                ("检查指标", Some(ResultsColumn::Item)),
                ("*结果", Some(ResultsColumn::Result)),
                ("问题描述（证据）", Some(ResultsColumn::Note)),
                ("监测时间", Some(ResultsColumn::CheckedOn)),
            ],
        )),
    }]);
}

#[test]
fn missing_required_in_the_table_order_and_with_stand_ins() {
    let roster = find::<Roster>(&grid(&[(1, &["平台", "账号ID", "开设时间"])])).expect("header");
    assert_eq!(roster.missing_required(), [Roster::Unit, Roster::Name]);
    let by_name =
        find::<Feedback>(&grid(&[(1, &["账号名称", "平台", "整改情况"])])).expect("header");
    assert!(by_name.missing_required().is_empty());
    let results = |cells: &'static [&'static str]| {
        find::<ResultsColumn>(&grid(&[(1, cells)]))
            .expect("header")
            .missing_required()
    };
    assert!(results(&["平台", "账号名称", "检查项", "结果"]).is_empty());
    assert_eq!(
        results(&["检查项", "结果", "说明"]),
        [ResultsColumn::Platform, ResultsColumn::AccountId]
    );
}

#[test]
fn labels_found_names_and_rows_below() {
    let sheet = grid(&[
        (1, &[TITLE]),
        (2, &["单位名称", "", "账号名称", "平台"]),
        (3, &["示例市教育局", "", "示例教育", "微信公众号"]),
        (5, &["合计：1 个"]),
    ]);
    let header = find::<Roster>(&sheet).expect("header");
    assert_eq!(header.label(Roster::Unit), "单位名称", "as the file has it");
    assert_eq!(header.label(Roster::Id), "账号标识", "as usual");
    assert_eq!(header.found_names(), "单位名称、账号名称、平台");
    assert_eq!(header.recognised(), 3);
    let below: Vec<u32> = header.rows_below(&sheet).map(|r| r.number).collect();
    assert_eq!(below, [3, 5]);
}

#[test]
fn scores_and_guesses() {
    let sheet = grid(&[
        (1, &[TITLE]),
        (2, &["序号", "主办单位", "账号名称"]),
        (3, &["姓名", "年龄", "电话", "地址"]),
    ]);
    assert_eq!(score::<Roster>(&sheet), 2, "序号 does not score");
    assert_eq!(score::<Plain>(&sheet), 0);
    assert_eq!(best_guess_names(&sheet), "姓名、年龄、电话、地址");
    assert_eq!(best_guess_names(&grid(&[])), "（无）");
    let cells = (1..=25).map(|i| Cell::Text(format!("列{i}"))).collect();
    let wide = Grid {
        sheet: String::new(),
        rows: vec![Row { number: 1, cells }],
    };
    assert_eq!(
        best_guess_names(&wide).split('、').count(),
        20,
        "messages show at most twenty names"
    );
}

#[test]
fn the_header_is_searched_for_in_the_top_rows_only() {
    let mut rows: Vec<Row> = (1..=40)
        .map(|n| Row {
            number: n,
            cells: vec![Cell::Text(format!("说明第 {n} 行"))],
        })
        .collect();
    rows.extend(grid(&[(41, &["主办单位", "账号名称", "平台"])]).rows);
    let mut sheet = Grid {
        sheet: String::new(),
        rows,
    };
    assert!(find::<Roster>(&sheet).is_none(), "row 41 is too far down");
    sheet.rows.remove(0);
    assert_eq!(find::<Roster>(&sheet).map(|h| h.last_row), Some(41));
}

#[test]
fn lookups() {
    let table: &[(u8, &[&str])] = &[(1, &["粉丝数"]), (2, &["粉丝数万"])];
    assert_eq!(lookup(table, "粉丝数（万）"), Some(2), "as written first");
    assert_eq!(
        lookup(&table[..1], "粉丝数（万）"),
        Some(1),
        "then without brackets"
    );
    assert_eq!(lookup_as_written(&table[..1], "粉丝数（万）"), None);
    assert_eq!(lookup(table, ""), None);
    assert_eq!(lookup(table, "（万）"), None);
    assert_eq!(clean(" *ＵＩＤ："), "uid");
    assert_eq!(strip_brackets("县（市、区）[备注]名称"), "县名称");
}
