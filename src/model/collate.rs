//! Chinese text in the order an office expects: by pinyin (as Excel and WPS sort Chinese),
//! never by code point, where 东莞 would come after 广州 and 中山 before 佛山 at random.

use std::cmp::Ordering;

use pinyin::ToPinyin;

/// The key `text` sorts by: each Chinese character as its pinyin with the tone number at the
/// end (dong1 before dong3), anything else as itself, lower-cased.
#[must_use]
pub fn pinyin_key(text: &str) -> String {
    let mut key = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        match c.to_pinyin() {
            Some(p) => key.push_str(p.with_tone_num_end()),
            None => key.extend(c.to_lowercase()),
        }
        // Keeps 西安 (xi1 an1) apart from 先 (xian1).
        key.push(' ');
    }
    key
}

/// `a` against `b` in pinyin order; texts that read the same are ordered by code point so that
/// the order is total.
#[must_use]
pub fn cmp_pinyin(a: &str, b: &str) -> Ordering {
    pinyin_key(a).cmp(&pinyin_key(b)).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cities_in_pinyin_order() {
        let mut cities = vec!["中山市", "广州市", "东莞市", "佛山市", "潮州市", "深圳市"];
        cities.sort_by(|a, b| cmp_pinyin(a, b));
        assert_eq!(
            cities,
            ["潮州市", "东莞市", "佛山市", "广州市", "深圳市", "中山市"]
        );
    }

    #[test]
    fn syllables_are_kept_apart_and_latin_mixes_in() {
        assert_eq!(cmp_pinyin("西安", "先"), Ordering::Less);
        let mut v = vec!["b站", "A区", "阿里"];
        v.sort_by(|a, b| cmp_pinyin(a, b));
        assert_eq!(v, ["A区", "阿里", "b站"]);
    }
}
