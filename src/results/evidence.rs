//! The evidence a results row gives: links (证据链接) and screenshot files (截图).

use std::path::Path;

use crate::model::{NewEvidence, is_web_link};

/// The evidence in a row's link and screenshot cells, and the links that are no web address.
/// Links are separated by spaces, commas, 、 or semicolons; files by semicolons, `|` or line
/// breaks (names may hold spaces), and named relative to `folder` unless absolute. Whether
/// the files exist is the step's to check.
#[must_use]
pub fn evidence_of(links: &str, files: &str, folder: &Path) -> (Vec<NewEvidence>, Vec<String>) {
    let mut out = Vec::new();
    let mut bad = Vec::new();
    for link in links
        .split(|c: char| c.is_whitespace() || matches!(c, ';' | '；' | '，' | ',' | '、'))
        .filter(|l| !l.is_empty())
    {
        if is_web_link(link) {
            out.push(NewEvidence::Url(link.to_owned()));
        } else {
            bad.push(link.to_owned());
        }
    }
    for name in files
        .split(['\n', '\r', ';', '；', '|'])
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        let path = Path::new(name);
        out.push(NewEvidence::Path(if path.is_absolute() {
            path.to_path_buf()
        } else {
            folder.join(path)
        }));
    }
    (out, bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_and_files_split_as_offices_write_them() {
        let (e, bad) = evidence_of(
            "https://a.gov.cn/1、https://a.gov.cn/2；javascript:x",
            "截图/甲 1.png; /tmp/乙.png",
            Path::new("/data"),
        );
        assert_eq!(bad, ["javascript:x"]);
        assert_eq!(
            e,
            [
                NewEvidence::Url("https://a.gov.cn/1".to_owned()),
                NewEvidence::Url("https://a.gov.cn/2".to_owned()),
                NewEvidence::Path("/data/截图/甲 1.png".into()),
                NewEvidence::Path("/tmp/乙.png".into()),
            ]
        );
    }
}
