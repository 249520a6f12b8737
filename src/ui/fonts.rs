//! The bundled CJK font (see assets/fonts/README.md), installed as a fallback after egui's
//! own fonts so Latin text keeps egui's look and every Chinese character renders.

const CJK: &[u8] = include_bytes!("../../assets/fonts/DroidSansFallback-subset.ttf");

pub fn install(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    fonts.font_data.insert(
        "cjk".to_owned(),
        std::sync::Arc::new(egui::FontData::from_static(CJK)),
    );
    for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
        fonts
            .families
            .entry(family)
            .or_default()
            .push("cjk".to_owned());
    }
    ctx.set_fonts(fonts);
}
