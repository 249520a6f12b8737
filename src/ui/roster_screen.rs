//! 名录: the roster table with search, filters, counts and a detail panel.
//!
//! Scales to 100,000 accounts by construction: the filtered view is a list of indices
//! recomputed only when the search or a filter changes, and only visible rows are drawn.

use std::collections::BTreeSet;
use std::sync::Arc;

use egui_extras::{Column, TableBuilder};

use crate::model::collate::cmp_pinyin;

use super::{CommandQueue, FileRequest};
use crate::model::AccountStatus;
use crate::model::{AccountChange, StoredAccount};
use crate::worker::Command;

/// The five steps, as the first run explains them.
const FIVE_STEPS: [(&str, &str); 5] = [
    (
        "一、名录",
        "导入本地区政务新媒体账号名录，之后每次更新名录再导入一次，系统会记录每个账号的变化。",
    ),
    (
        "二、抽样",
        "每季度按区县分层随机抽取不少于 30% 的账号，随机种子和方法全部记录，可复核；再分配给检查人员。",
    ),
    (
        "三、检查",
        "逐个账号按检查表填写：符合、不符合、不适用，写明问题、附上截图或链接，随填随存。",
    ),
    (
        "四、通报与整改",
        "导出季度通报和各单位的整改表，导入单位交回的整改情况，逐项复核关闭。",
    ),
    (
        "五、协作",
        "几名检查人员各用一台电脑时，用 U 盘传递工作包和结果包，由组长合并。",
    ),
];

#[derive(Default)]
pub struct RosterScreen {
    accounts: Arc<Vec<StoredAccount>>,
    /// Lower-cased name, unit and id of each account, for search.
    haystack: Vec<String>,
    /// Indices into `accounts` that pass the search and filters, in display order.
    view: Vec<usize>,
    /// The view changed: the table starts again at its first row.
    to_top: bool,
    pub search: String,
    pub city: Option<String>,
    pub county: Option<String>,
    pub platform: Option<String>,
    /// `None`: all; `Some(None)`: 已移出名录; `Some(Some(s))`: listed with status `s`.
    pub status: Option<Option<AccountStatus>>,
    cities: Vec<String>,
    /// (地市, 区县) pairs, and the 区县 offered under the chosen 地市.
    counties: Vec<(String, String)>,
    county_options: Vec<String>,
    /// Accounts the latest roster lists.
    listed: usize,
    platforms: Vec<String>,
    selected: Option<usize>,
    /// The selected account's import history and the problems issued for it (newest first,
    /// with the quarters running each was found).
    history: Option<History>,
    /// The column the table is sorted by (a place in [`COLUMNS`]) and whether downwards;
    /// `None`: the roster's own order.
    pub sort: Option<(usize, bool)>,
}

/// An account's import history and its problems with the quarters running each was found.
type History = (
    i64,
    Vec<AccountChange>,
    Vec<(crate::model::Rectification, usize)>,
);

/// The table's columns, in order.
pub const COLUMNS: [&str; 8] = [
    "地市",
    "区县",
    "主办单位",
    "账号名称",
    "平台",
    "账号标识",
    "状态",
    "粉丝数",
];

/// What an account shows in column `column` of [`COLUMNS`].
fn cell(stored: &StoredAccount, column: usize) -> String {
    let a = &stored.account;
    match column {
        0 => a.city.clone(),
        1 => a.county.clone(),
        2 => a.host_unit.clone(),
        3 => a.name.clone(),
        4 => a.platform.clone(),
        5 => a.account_id.clone(),
        6 => if stored.listed {
            a.status.label()
        } else {
            "已移出名录"
        }
        .to_owned(),
        _ => a.fans.map(|f| f.to_string()).unwrap_or_default(),
    }
}

impl RosterScreen {
    pub fn set_accounts(&mut self, accounts: Arc<Vec<StoredAccount>>) {
        self.haystack = accounts
            .iter()
            .map(|a| {
                let x = &a.account;
                format!("{}\u{1f}{}\u{1f}{}", x.name, x.host_unit, x.account_id).to_lowercase()
            })
            .collect();
        self.cities = accounts
            .iter()
            .map(|a| a.account.city.clone())
            .filter(|c| !c.is_empty())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        self.cities.sort_by(|a, b| cmp_pinyin(a, b));
        self.counties = accounts
            .iter()
            .filter(|a| !a.account.county.is_empty())
            .map(|a| (a.account.city.clone(), a.account.county.clone()))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let known: BTreeSet<String> = accounts
            .iter()
            .map(|a| a.account.platform.clone())
            .collect();
        // The usual platforms first in their usual order, then any others.
        self.platforms = crate::model::platform::PLATFORMS
            .iter()
            .map(|p| (*p).to_owned())
            .filter(|p| known.contains(p))
            .chain(
                known
                    .iter()
                    .filter(|p| !crate::model::platform::PLATFORMS.contains(&p.as_str()))
                    .cloned(),
            )
            .collect();
        self.listed = accounts.iter().filter(|a| a.listed).count();
        self.selected = None;
        self.history = None;
        self.accounts = accounts;
        self.refilter();
    }

    #[must_use]
    pub fn accounts(&self) -> &[StoredAccount] {
        &self.accounts
    }

    /// The accounts shown now, in order.
    pub fn visible(&self) -> impl Iterator<Item = &StoredAccount> {
        self.view.iter().map(|&i| &self.accounts[i])
    }

    /// The account whose details are shown.
    #[must_use]
    pub fn selected(&self) -> Option<&StoredAccount> {
        self.selected.map(|i| &self.accounts[i])
    }

    pub fn set_history(
        &mut self,
        account: i64,
        changes: Vec<AccountChange>,
        problems: Vec<(crate::model::Rectification, usize)>,
    ) {
        self.history = Some((account, changes, problems));
    }

    /// Recomputes the view; call after changing the search or a filter.
    pub fn refilter(&mut self) {
        self.county_options = self
            .counties
            .iter()
            .filter(|(city, _)| self.city.as_ref().is_none_or(|c| c == city))
            .map(|(_, county)| county.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        self.county_options.sort_by(|a, b| cmp_pinyin(a, b));
        let needle = self.search.trim().to_lowercase();
        self.to_top = true;
        self.view = self
            .accounts
            .iter()
            .enumerate()
            .filter(|(i, a)| {
                let x = &a.account;
                (needle.is_empty() || self.haystack[*i].contains(&needle))
                    && self.city.as_ref().is_none_or(|c| *c == x.city)
                    && self.county.as_ref().is_none_or(|c| *c == x.county)
                    && self.platform.as_ref().is_none_or(|p| *p == x.platform)
                    && match self.status {
                        None => true,
                        Some(None) => !a.listed,
                        Some(Some(s)) => a.listed && x.status == s,
                    }
            })
            .map(|(i, _)| i)
            .collect();
        if let Some((column, descending)) = self.sort {
            let accounts = &self.accounts;
            if column == COLUMNS.len() - 1 {
                // 粉丝数 by number; accounts without one last.
                self.view.sort_by_key(|&i| {
                    (accounts[i].account.fans.is_none(), accounts[i].account.fans)
                });
            } else {
                // Chinese by pinyin, as Excel sorts it; equal keys keep the roster's order.
                self.view.sort_by_cached_key(|&i| {
                    crate::model::collate::pinyin_key(&cell(&accounts[i], column))
                });
            }
            if descending {
                self.view.reverse();
            }
        }
        if self.selected.is_some_and(|s| !self.view.contains(&s)) {
            self.selected = None;
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, commands: &mut CommandQueue) {
        ui.horizontal(|ui| {
            if commands
                .write_button(ui, "导入名录…")
                .on_hover_text("选择 xlsx、xls 或 csv 名录文件；也可以直接把文件拖到窗口中")
                .clicked()
            {
                commands.ask(FileRequest::Roster);
            }
            ui.separator();
            let label = ui.label("搜索");
            let search = ui.add(
                egui::TextEdit::singleline(&mut self.search)
                    .hint_text("账号名称、主办单位或账号标识")
                    .desired_width(220.0),
            );
            let search = search.labelled_by(label.id);
            if search.changed() {
                self.refilter();
            }
        });
        ui.horizontal_wrapped(|ui| {
            let mut changed = false;
            changed |= filter_combo(ui, "地市", &mut self.city, &self.cities);
            changed |= filter_combo(ui, "区县", &mut self.county, &self.county_options);
            changed |= filter_combo(ui, "平台", &mut self.platform, &self.platforms);
            changed |= status_combo(ui, &mut self.status);
            if changed {
                self.refilter();
            }
            ui.separator();
            ui.label(format!(
                "名录共 {} 个账号（在列 {} 个），当前显示 {} 个",
                self.accounts.len(),
                self.listed,
                self.view.len()
            ));
        });
        ui.separator();

        if self.accounts.is_empty() {
            ui.add_space(40.0);
            ui.vertical_centered(|ui| {
                ui.heading("欢迎使用政务新媒体季度抽查");
                ui.add_space(8.0);
                ui.label("每个季度的工作分五步，对应窗口上方的五个页面：");
            });
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                ui.add_space((ui.available_width() - 720.0).max(0.0) / 2.0);
                egui::Grid::new("five_steps")
                    .num_columns(2)
                    .spacing([12.0, 8.0])
                    .show(ui, |ui| {
                        for (step, text) in FIVE_STEPS {
                            ui.strong(step);
                            ui.label(text);
                            ui.end_row();
                        }
                    });
            });
            ui.add_space(16.0);
            ui.vertical_centered(|ui| {
                ui.label("从导入账号名录开始：点击“导入名录…”，或者直接把 xlsx、xls、csv 文件拖到这个窗口里。导入前会先显示预览。");
                ui.add_space(8.0);
                if commands
                    .write_button(ui, "先用示例名录试一试")
                    .on_hover_text("生成一份虚构的“示例市”名录（600 个账号，名称都带“示例”字样）并导入，用来熟悉各项功能；正式使用时请另建数据库或从备份恢复")
                    .clicked()
                {
                    // A generated 示例 roster to try everything with.
                    commands.send(Command::PreviewDemo);
                }
                ui.small("示例数据全部是虚构的，账号名称都带有“示例”字样。");
            });
            return;
        }

        if let Some(sel) = self.selected {
            egui::Panel::right("account_detail")
                .resizable(true)
                .default_size(320.0)
                .show(ui, |ui| {
                    detail_ui(ui, &self.accounts[sel], self.history.as_ref());
                });
        }
        self.table_ui(ui, commands);
    }

    fn table_ui(&mut self, ui: &mut egui::Ui, commands: &mut CommandQueue) {
        if self.view.is_empty() {
            ui.add_space(16.0);
            ui.vertical_centered(|ui| {
                ui.label("没有找到符合条件的账号。请检查搜索的文字，或把筛选条件改回“全部”。");
            });
            return;
        }
        let mut clicked = None;
        let mut sort_by = None;
        let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
        // A click anywhere on a row selects it: labels that select text would take the click.
        ui.style_mut().interaction.selectable_labels = false;
        let table = TableBuilder::new(ui)
            .striped(true)
            .resizable(true)
            .sense(egui::Sense::click())
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .column(Column::initial(70.0).clip(true))
            .column(Column::initial(80.0).clip(true))
            .column(Column::initial(200.0).clip(true))
            .column(Column::initial(180.0).clip(true))
            .column(Column::initial(90.0).clip(true))
            .column(Column::initial(140.0).clip(true))
            .column(Column::initial(80.0).clip(true))
            .column(Column::remainder().clip(true));
        // A new search or filter starts at the top, not where the old list was scrolled to.
        let table = if std::mem::take(&mut self.to_top) {
            table.scroll_to_row(0, Some(egui::Align::TOP))
        } else {
            table
        };
        let selected = self.selected;
        let view = &self.view;
        let accounts = &self.accounts;
        table
            .header(row_height, |mut header| {
                for (n, h) in COLUMNS.iter().enumerate() {
                    header.col(|ui| {
                        let arrow = match self.sort {
                            Some((c, false)) if c == n => "（升序）",
                            Some((c, true)) if c == n => "（降序）",
                            _ => "",
                        };
                        if ui
                            .add(
                                egui::Button::new(
                                    egui::RichText::new(format!("{h}{arrow}")).strong(),
                                )
                                .frame(false),
                            )
                            .on_hover_text(
                                "点击按这一列排序，再点一次倒序，第三次恢复名录原来的顺序",
                            )
                            .clicked()
                        {
                            sort_by = Some(n);
                        }
                    });
                }
            })
            .body(|body| {
                body.rows(row_height, view.len(), |mut row| {
                    let index = view[row.index()];
                    let stored = &accounts[index];
                    row.set_selected(selected == Some(index));
                    for column in 0..COLUMNS.len() {
                        row.col(|ui| {
                            ui.label(cell(stored, column));
                        });
                    }
                    if row.response().clicked() {
                        clicked = Some(index);
                    }
                });
            });
        if let Some(n) = sort_by {
            // 升序 → 降序 → the roster's order.
            self.sort = match self.sort {
                Some((c, false)) if c == n => Some((n, true)),
                Some((c, true)) if c == n => None,
                _ => Some((n, false)),
            };
            self.refilter();
        }
        if let Some(index) = clicked {
            self.selected = Some(index);
            commands.send(Command::LoadHistory {
                account: self.accounts[index].id,
            });
        }
    }
}

fn filter_combo(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut Option<String>,
    options: &[String],
) -> bool {
    let before = value.clone();
    ui.label(label);
    egui::ComboBox::from_id_salt(label)
        .selected_text(value.as_deref().unwrap_or("全部"))
        .show_ui(ui, |ui| {
            ui.selectable_value(value, None, "全部");
            for o in options {
                ui.selectable_value(value, Some(o.clone()), o);
            }
        });
    *value != before
}

#[allow(clippy::option_option)] // outer: the filter is set (or 全部), inner: 已移出名录
fn status_combo(ui: &mut egui::Ui, value: &mut Option<Option<AccountStatus>>) -> bool {
    let before = *value;
    let text = match value {
        None => "全部",
        Some(None) => "已移出名录",
        Some(Some(s)) => s.label(),
    };
    ui.label("状态");
    egui::ComboBox::from_id_salt("状态")
        .selected_text(text)
        .show_ui(ui, |ui| {
            ui.selectable_value(value, None, "全部");
            for s in AccountStatus::ALL {
                ui.selectable_value(value, Some(Some(s)), s.label());
            }
            ui.selectable_value(value, Some(None), "已移出名录");
        });
    *value != before
}

fn detail_ui(ui: &mut egui::Ui, stored: &StoredAccount, history: Option<&History>) {
    let a = &stored.account;
    ui.heading(&a.name);
    ui.label(format!(
        "{} · {}",
        a.platform,
        if stored.listed {
            a.status.label()
        } else {
            "已移出名录"
        }
    ));
    ui.separator();
    let date =
        |d: Option<chrono::NaiveDate>| d.map_or_else(String::new, crate::model::time::day_text);
    egui::ScrollArea::vertical().show(ui, |ui| {
        egui::Grid::new("account_fields")
            .num_columns(2)
            .striped(true)
            .show(ui, |ui| {
                let fields = [
                    ("主办单位", a.host_unit.clone()),
                    ("账号标识", a.account_id.clone()),
                    ("地市", a.city.clone()),
                    ("区县", a.county.clone()),
                    ("开设时间", date(a.opened_on)),
                    ("备案时间", date(a.filed_on)),
                    ("粉丝数", a.fans.map_or_else(String::new, |f| f.to_string())),
                    ("运维单位", a.operator.clone()),
                ];
                for (k, v) in fields.iter().chain(
                    a.extra
                        .iter()
                        .map(|(k, v)| (k.as_str(), v.clone()))
                        .collect::<Vec<_>>()
                        .iter(),
                ) {
                    ui.label(*k);
                    ui.label(v);
                    ui.end_row();
                }
            });
        if !a.account_id.is_empty() && ui.button("复制账号标识").clicked() {
            ui.ctx().copy_text(a.account_id.clone());
        }
        ui.separator();
        ui.strong("抽查发现的问题");
        match history {
            Some((id, _, problems)) if *id == stored.id => {
                if problems.is_empty() {
                    ui.label("没有被抽查出问题。");
                }
                let today = chrono::Local::now().date_naive();
                for (p, running) in problems {
                    let repeat = if *running > 1 {
                        format!("，连续 {running} 个季度")
                    } else {
                        String::new()
                    };
                    ui.label(format!(
                        "{}  {}：{}（{}{repeat}）",
                        p.quarter.label(),
                        crate::rectification::code(p.id),
                        p.category,
                        p.status(today).label(),
                    ));
                }
            }
            _ => {
                ui.spinner();
            }
        }
        ui.separator();
        ui.strong("导入记录");
        match history {
            Some((id, changes, _)) if *id == stored.id => {
                for c in changes {
                    ui.label(format!(
                        "{}  {}（{}）",
                        crate::model::time::minute_text(c.at),
                        c.kind.label(),
                        c.file_name
                    ));
                    if let Some(before) = &c.before {
                        for line in changed_fields(before, a) {
                            ui.small(line);
                        }
                    }
                }
            }
            _ => {
                ui.spinner();
            }
        }
    });
}

/// "名称：旧 → 新" lines for the fields that differ.
fn changed_fields(before: &crate::model::Account, after: &crate::model::Account) -> Vec<String> {
    let pairs = [
        ("账号名称", &before.name, &after.name),
        ("主办单位", &before.host_unit, &after.host_unit),
        ("地市", &before.city, &after.city),
        ("区县", &before.county, &after.county),
        ("运维单位", &before.operator, &after.operator),
        ("账号标识", &before.account_id, &after.account_id),
    ];
    let mut lines: Vec<String> = pairs
        .iter()
        .filter(|(_, b, a)| b != a)
        .map(|(k, b, a)| format!("    {k}：{b} 改为 {a}"))
        .collect();
    if before.status != after.status {
        lines.push(format!(
            "    状态：{} 改为 {}",
            before.status.label(),
            after.status.label()
        ));
    }
    if before.fans != after.fans {
        let f = |v: Option<i64>| v.map_or_else(|| "空".to_owned(), |v| v.to_string());
        lines.push(format!(
            "    粉丝数：{} 改为 {}",
            f(before.fans),
            f(after.fans)
        ));
    }
    lines
}
