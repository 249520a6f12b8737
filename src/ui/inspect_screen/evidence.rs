//! Evidence on the 检查 form: an item's screenshots (as thumbnails), attachments and links, each
//! with 删除; the row that adds more to the current item; the full-size view of a screenshot.

use std::path::Path;

use super::InspectScreen;
use super::form::Edits;
use crate::model::{Evidence, EvidenceKind};

/// The largest a screenshot's thumbnail is drawn on the form.
const THUMBNAIL: egui::Vec2 = egui::vec2(200.0, 120.0);

/// The item's evidence in one wrapping row. A click on a thumbnail or attachment shows it.
pub(super) fn evidence_ui(
    ui: &mut egui::Ui,
    evidence: &[&Evidence],
    evidence_dir: &Path,
    edits: &mut Edits,
    locked: bool,
) {
    ui.horizontal_wrapped(|ui| {
        for e in evidence {
            match &e.kind {
                EvidenceKind::File { sha256, file_name } => {
                    let path = crate::store::evidence_file(evidence_dir, sha256, file_name);
                    let r = if is_image(file_name) {
                        // Large enough to tell one screenshot from another, with the name it
                        // was added under.
                        ui.vertical(|ui| {
                            let r = ui
                                .add(
                                    // Its own size, made smaller to fit THUMBNAIL: not the
                                    // row's height, which would shrink it to a stamp.
                                    egui::Image::new(format!("file://{}", path.display()))
                                        .fit_to_original_size(1.0)
                                        .max_size(THUMBNAIL)
                                        .sense(egui::Sense::click()),
                                )
                                .on_hover_text(format!("{file_name}（点击查看原图）"));
                            ui.add(
                                egui::Label::new(egui::RichText::new(file_name).small()).truncate(),
                            );
                            r
                        })
                        .inner
                    } else {
                        ui.link(format!("附件：{file_name}"))
                    };
                    if r.clicked() {
                        edits.viewing = Some(path);
                    }
                }
                EvidenceKind::Url(url) => {
                    ui.hyperlink_to(format!("链接：{url}"), url);
                }
            }
            if !locked
                && ui
                    .small_button("删除")
                    .on_hover_text("删除这条证据")
                    .clicked()
            {
                edits.remove = Some(e.id);
            }
        }
    });
}

/// Adding evidence to the current item: a file dialog, or a link typed into `url`.
pub(super) fn add_evidence_ui(
    ui: &mut egui::Ui,
    id: egui::Id,
    item: &str,
    url: &mut String,
    edits: &mut Edits,
) {
    // Wraps on a narrow window rather than pushing the form past its right edge.
    ui.horizontal_wrapped(|ui| {
        if ui.button("添加截图或文件…").clicked() {
            edits.pick = Some(item.to_owned());
        }
        ui.small("也可以把文件拖到窗口里，或按 Ctrl+V 粘贴截图");
        ui.end_row();
        let label = ui.label("链接");
        ui.add(
            egui::TextEdit::singleline(url)
                .id(id)
                .hint_text("https://…")
                .desired_width(220.0),
        )
        .labelled_by(label.id);
        if ui
            .add_enabled(!url.trim().is_empty(), egui::Button::new("添加链接"))
            .clicked()
        {
            edits.add_url = Some((item.to_owned(), std::mem::take(url)));
        }
    });
}

impl InspectScreen {
    /// The evidence image clicked, full size, until closed.
    pub(super) fn viewer_ui(&mut self, ctx: &egui::Context) {
        let Some(path) = self.viewing.clone() else {
            return;
        };
        let modal = egui::Modal::new(egui::Id::unique("evidence_viewer")).show(ctx, |ui| {
            ui.add(
                egui::Image::new(format!("file://{}", path.display()))
                    .max_size(ctx.content_rect().size() * 0.8),
            );
            ui.horizontal(|ui| {
                ui.small(path.display().to_string());
                if ui.button("关闭").clicked() {
                    ui.close();
                }
            });
        });
        if modal.should_close() {
            self.viewing = None;
        }
    }
}

fn is_image(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".png", ".jpg", ".jpeg"].iter().any(|e| lower.ends_with(e))
}
