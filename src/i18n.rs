//! Simplified Chinese first, English second. Strings live in `locales/*.json`; a missing key in
//! English falls back to Chinese, and the tests keep both files in step.

use std::collections::HashMap;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

type Table = HashMap<&'static str, &'static str>;

fn load(source: &'static str) -> Table {
    let parsed: HashMap<String, String> =
        serde_json::from_str(source).expect("locale file is valid JSON");
    parsed
        .into_iter()
        .map(|(k, v)| {
            (
                &*Box::leak(k.into_boxed_str()),
                &*Box::leak(v.into_boxed_str()),
            )
        })
        .collect()
}

static ZH: LazyLock<Table> = LazyLock::new(|| load(include_str!("../locales/zh-CN.json")));
static EN: LazyLock<Table> = LazyLock::new(|| load(include_str!("../locales/en.json")));

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "zh-CN" | "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The first language in an `Accept-Language` header that we speak (ignoring q-values below
    /// zero weight), or Chinese.
    pub fn from_accept_language(header: &str) -> Self {
        let mut ranges: Vec<(f32, &str)> = header
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.trim().split(';');
                let tag = pieces.next()?.trim();
                let q = pieces
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                (q > 0.0).then_some((q, tag))
            })
            .collect();
        ranges.sort_by(|a, b| b.0.total_cmp(&a.0));
        ranges
            .iter()
            .find_map(|(_, tag)| {
                let primary = tag.split('-').next().unwrap_or("").to_ascii_lowercase();
                match primary.as_str() {
                    "zh" => Some(Lang::Zh),
                    "en" => Some(Lang::En),
                    _ => None,
                }
            })
            .unwrap_or_default()
    }

    pub fn t(self, key: &str) -> &'static str {
        let table = match self {
            Lang::Zh => &*ZH,
            Lang::En => &*EN,
        };
        table
            .get(key)
            .or_else(|| ZH.get(key))
            .copied()
            .unwrap_or("")
    }

    /// Picks the organisation or district name in this language (English falls back to Chinese).
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::En if !en.is_empty() => en,
            _ => zh,
        }
    }
}

pub fn all_keys(lang: Lang) -> Vec<&'static str> {
    let table = match lang {
        Lang::Zh => &*ZH,
        Lang::En => &*EN,
    };
    let mut keys: Vec<_> = table.keys().copied().collect();
    keys.sort_unstable();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_locales_have_the_same_keys_and_no_empty_strings() {
        assert_eq!(all_keys(Lang::Zh), all_keys(Lang::En));
        for lang in [Lang::Zh, Lang::En] {
            for key in all_keys(lang) {
                assert!(!lang.t(key).trim().is_empty(), "{key} is empty in {lang:?}");
            }
        }
    }

    #[test]
    fn accept_language_picks_the_best_language_we_speak() {
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Lang::En);
        assert_eq!(
            Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Lang::Zh
        );
        assert_eq!(
            Lang::from_accept_language("fr-FR,en;q=0.5,zh;q=0.9"),
            Lang::Zh
        );
        assert_eq!(Lang::from_accept_language("de, en;q=0"), Lang::Zh);
        assert_eq!(Lang::from_accept_language(""), Lang::Zh);
    }

    #[test]
    fn english_names_fall_back_to_chinese() {
        assert_eq!(Lang::En.pick("崂山区", "Laoshan"), "Laoshan");
        assert_eq!(Lang::En.pick("崂山区", ""), "崂山区");
        assert_eq!(Lang::Zh.pick("崂山区", "Laoshan"), "崂山区");
    }
}
