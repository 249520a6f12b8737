//! The XML of a sheet part as a stream of tags and text, for [`super::cells`]: a scanner for
//! the little XML a worksheet uses, several times faster than a general parser on sheets of
//! a million cells. It reads what quick-xml reads with end-name checks off (as the rest of the
//! xlsx reader is configured): start, empty and end tags with their local names, text with
//! the five named entities and character references resolved and line ends normalised
//! (XML 1.0 §2.11), CDATA sections; comments, processing instructions and a DOCTYPE are
//! skipped. Attribute values are normalised as XML does (§3.3.3) when they need it.
//! `tests/core/xlsx_reader.rs` compares the whole reader with calamine on books from four
//! writers and with quick-xml's reader (the reference, see [`super`]) on every sheet the tests
//! build; the unit tests below pin each construct.

use std::borrow::Cow;

/// One piece of a sheet's XML.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Token<'a> {
    /// A start tag (`empty` for `<c/>`): the local name (after any `x:` prefix) and the text of
    /// its attributes.
    Start {
        name: &'a str,
        attrs: &'a str,
        empty: bool,
    },
    End {
        name: &'a str,
    },
    /// Character data as written (entities unresolved; see [`push_text`]).
    Text(&'a str),
    /// The inside of a CDATA section, taken literally (line ends still normalised).
    CData(&'a str),
}

/// The tokens of `xml`, one at a time; an error says what is malformed.
pub(super) struct Tokens<'a> {
    xml: &'a str,
    at: usize,
}

impl<'a> Tokens<'a> {
    pub(super) fn new(xml: &'a str) -> Self {
        Self { xml, at: 0 }
    }

    // Inlined into the sheet reader's loop, where a million cells pass: a call per token is a
    // measurable share of an import.
    #[inline]
    pub(super) fn next_token(&mut self) -> Result<Option<Token<'a>>, String> {
        loop {
            let rest = &self.xml[self.at..];
            if rest.is_empty() {
                return Ok(None);
            }
            // Plain loops, not memchr: between and inside a sheet's tags the distances are a
            // few bytes, shorter than a vector search takes to set up.
            let Some(lt) = rest.bytes().position(|b| b == b'<') else {
                self.at = self.xml.len();
                return Ok(Some(Token::Text(rest)));
            };
            if lt > 0 {
                self.at += lt;
                return Ok(Some(Token::Text(&rest[..lt])));
            }
            let tag = &rest[1..];
            // Sections that are not tags are rare: told apart only after their first byte.
            if matches!(tag.as_bytes().first(), Some(b'?' | b'!')) {
                if let Some((_, len)) = enclosed(tag, "?", "?>", "处理指令")? {
                    self.at += 1 + len;
                } else if let Some((_, len)) = enclosed(tag, "!--", "-->", "注释")? {
                    self.at += 1 + len;
                } else if let Some((data, len)) = enclosed(tag, "![CDATA[", "]]>", "CDATA 段")? {
                    self.at += 1 + len;
                    return Ok(Some(Token::CData(data)));
                } else {
                    self.at += 1 + doctype_len(tag)?;
                }
            } else if let Some(end) = tag.strip_prefix('/') {
                let close = end
                    .bytes()
                    .position(|b| b == b'>')
                    .ok_or_else(|| "结束标记没有“>”".to_owned())?;
                self.at += 2 + close + 1;
                let mut name = &end[..close];
                while name.as_bytes().last().is_some_and(|&b| is_space(b)) {
                    name = &name[..name.len() - 1];
                }
                return Ok(Some(Token::End {
                    name: local_name(name),
                }));
            } else {
                let close = tag_end(tag).ok_or_else(|| "标记没有“>”".to_owned())?;
                self.at += 1 + close + 1;
                let inner = &tag[..close];
                let (inner, empty) = match inner.strip_suffix('/') {
                    Some(i) => (i, true),
                    None => (inner, false),
                };
                let name_end = inner.bytes().position(is_space).unwrap_or(inner.len());
                if name_end == 0 {
                    return Err("标记没有名称".to_owned());
                }
                return Ok(Some(Token::Start {
                    name: local_name(&inner[..name_end]),
                    attrs: &inner[name_end..],
                    empty,
                }));
            }
        }
    }
}

/// A section `tag` (the text after `<`) opens with `open`: what it holds up to `close`, searched
/// for after the opener (`<!-->` does not end itself), and its length; an error when it does
/// not end.
fn enclosed<'t>(
    tag: &'t str,
    open: &str,
    close: &str,
    what: &str,
) -> Result<Option<(&'t str, usize)>, String> {
    let Some(inside) = tag.strip_prefix(open) else {
        return Ok(None);
    };
    let end = memchr::memmem::find(inside.as_bytes(), close.as_bytes())
        .ok_or_else(|| format!("{what}没有结束"))?;
    Ok(Some((&inside[..end], open.len() + end + close.len())))
}

/// The name after a namespace prefix (`x:c` is `c`).
fn local_name(name: &str) -> &str {
    match name.bytes().position(|b| b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// Where a start tag's `>` is (the text after `<`), skipping quoted attribute values.
fn tag_end(tag: &str) -> Option<usize> {
    let bytes = tag.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'>' => return Some(i),
            quote @ (b'"' | b'\'') => {
                i += 1 + bytes[i + 1..].iter().position(|&b| b == quote)?;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The length of `<!DOCTYPE …>` after its `<`, with its internal subset in brackets.
fn doctype_len(tag: &str) -> Result<usize, String> {
    let mut depth = 0usize;
    for (i, b) in tag.bytes().enumerate() {
        match b {
            b'[' => depth += 1,
            b']' => depth = depth.saturating_sub(1),
            b'>' if depth == 0 => return Ok(i + 1),
            _ => {}
        }
    }
    Err("文档类型声明没有结束".to_owned())
}

/// Appends character data to `out`: entities and character references resolved, `\r\n` and
/// a lone `\r` read as `\n`. An unknown entity or a bad reference is an error naming it.
pub(super) fn push_text(raw: &str, out: &mut String) -> Result<(), String> {
    let mut rest = raw;
    while let Some(i) = memchr::memchr2(b'&', b'\r', rest.as_bytes()) {
        out.push_str(&rest[..i]);
        if rest.as_bytes()[i] == b'\r' {
            out.push('\n');
            rest = &rest[i + 1..];
            rest = rest.strip_prefix('\n').unwrap_or(rest);
            continue;
        }
        let after = &rest[i + 1..];
        let semi = memchr::memchr(b';', after.as_bytes()).ok_or_else(|| {
            format!(
                "“&”之后没有“;”：{}",
                after.chars().take(10).collect::<String>()
            )
        })?;
        let name = &after[..semi];
        out.push(entity(name).ok_or_else(|| format!("&{name};"))?);
        rest = &after[semi + 1..];
    }
    out.push_str(rest);
    Ok(())
}

/// CDATA: taken literally but for line ends.
pub(super) fn push_cdata(raw: &str, out: &mut String) {
    if raw.contains('\r') {
        out.push_str(&raw.replace("\r\n", "\n").replace('\r', "\n"));
    } else {
        out.push_str(raw);
    }
}

/// The character of `&name;`: a predefined entity or a character reference.
fn entity(name: &str) -> Option<char> {
    match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "apos" => Some('\''),
        "quot" => Some('"'),
        _ => {
            let code = name.strip_prefix('#')?;
            // Digits only: Rust's parsers would take a sign, XML does not.
            if code.starts_with(['+', '-']) || code.starts_with("x+") || code.starts_with("x-") {
                return None;
            }
            let n = match code.strip_prefix('x') {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => code.parse().ok()?,
            };
            char::from_u32(n).filter(|c| *c != '\0')
        }
    }
}

/// The values of a few attributes, by local name, from a start tag's attribute text; values
/// with entities or white space other than spaces are normalised as XML does (a value that
/// cannot be is kept as written). An attribute without a quoted value is an error: skipping it
/// could leave a cell without its reference, and so in another column. Scanned byte by byte:
/// every cell has two or three.
#[inline]
pub(super) fn attr_values<'a, const N: usize>(
    attrs: &'a str,
    names: [&str; N],
) -> Result<[Option<Cow<'a, str>>; N], String> {
    let mut found = [const { None }; N];
    let b = attrs.as_bytes();
    let skip_space = |mut i: usize| {
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        i
    };
    let bad = || {
        format!(
            "属性写法有误：{}",
            attrs.trim().chars().take(40).collect::<String>()
        )
    };
    let mut i = skip_space(0);
    while i < b.len() {
        let key_start = i;
        while i < b.len() && b[i] != b'=' && !is_space(b[i]) {
            i += 1;
        }
        let key_end = i;
        i = skip_space(i);
        if key_end == key_start || b.get(i) != Some(&b'=') {
            return Err(bad());
        }
        let open = skip_space(i + 1);
        let Some(&quote) = b.get(open).filter(|q| **q == b'"' || **q == b'\'') else {
            return Err(bad());
        };
        // The closing quote, noting on the way whether the value needs normalising.
        let mut end = open + 1;
        let mut plain = true;
        while end < b.len() && b[end] != quote {
            plain &= !matches!(b[end], b'&' | b'\t' | b'\r' | b'\n');
            end += 1;
        }
        if end == b.len() {
            return Err(bad());
        }
        let value = &attrs[open + 1..end];
        let key = local_name(&attrs[key_start..key_end]);
        if let Some(k) = names.iter().position(|n| *n == key) {
            found[k] = Some(if plain {
                Cow::Borrowed(value)
            } else {
                normalized(value)
            });
        }
        i = skip_space(end + 1);
    }
    Ok(found)
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// An attribute value as XML reads it: entities resolved, each white-space character a space.
fn normalized(value: &str) -> Cow<'_, str> {
    let spaced = value.replace("\r\n", " ").replace(['\t', '\r', '\n'], " ");
    let mut out = String::with_capacity(spaced.len());
    match push_text(&spaced, &mut out) {
        Ok(()) => Cow::Owned(out),
        Err(_) => Cow::Borrowed(value),
    }
}

#[cfg(test)]
mod tests {
    use super::{Token, Tokens, attr_values, push_text};

    fn tokens(xml: &str) -> Vec<Token<'_>> {
        let mut t = Tokens::new(xml);
        let mut out = Vec::new();
        while let Some(tok) = t.next_token().expect("well formed") {
            out.push(tok);
        }
        out
    }

    #[test]
    fn tags_text_and_skipped_parts() {
        let xml = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"b\">]><!-- <c> -->\
                   <x:row r=\"1\" a='>'><c r=\"A1\"/><v>1</v></x:row >t<![CDATA[<&>]]>";
        assert_eq!(
            tokens(xml),
            vec![
                Token::Start {
                    name: "row",
                    attrs: " r=\"1\" a='>'",
                    empty: false
                },
                Token::Start {
                    name: "c",
                    attrs: " r=\"A1\"",
                    empty: true
                },
                Token::Start {
                    name: "v",
                    attrs: "",
                    empty: false
                },
                Token::Text("1"),
                Token::End { name: "v" },
                Token::End { name: "row" },
                Token::Text("t"),
                Token::CData("<&>"),
            ]
        );
    }

    #[test]
    fn unfinished_pieces_are_errors() {
        for xml in [
            "<c r=\"1\"",
            "<!-- x",
            "<!-->",
            "<![CDATA[x",
            "</c",
            "<?xml",
            "< />",
        ] {
            let mut t = Tokens::new(xml);
            assert!(t.next_token().is_err(), "{xml}");
        }
    }

    #[test]
    fn text_entities_and_line_ends() {
        let mut s = String::new();
        push_text("a&lt;&#x4E2D;&#25991;&amp;\r\nb\rc", &mut s).expect("ok");
        assert_eq!(s, "a<中文&\nb\nc");
        for bad in [
            "&nbsp;", "&#0;", "&#xD800;", "a & b", "&#+65;", "&#x+41;", "&#-1;",
        ] {
            assert!(push_text(bad, &mut String::new()).is_err(), "{bad}");
        }
    }

    #[test]
    fn attributes_by_local_name() {
        let [r, t, s, space] = attr_values(
            " r = 'B2' x:t=\"s\"  s=\"a&amp;b\tc\" xml:space=\"preserve\"",
            ["r", "t", "s", "space"],
        )
        .expect("well formed");
        assert_eq!(r.as_deref(), Some("B2"));
        assert_eq!(t.as_deref(), Some("s"));
        assert_eq!(s.as_deref(), Some("a&b c"));
        assert_eq!(space.as_deref(), Some("preserve"));
        let [missing] = attr_values(" r=\"1\"", ["t"]).expect("well formed");
        assert_eq!(missing, None);
        for bad in [" s=1 r=\"B2\"", " hidden r=\"B2\"", " r=\"B2", " =\"x\""] {
            assert!(attr_values(bad, ["r"]).is_err(), "{bad}");
        }
    }
}
