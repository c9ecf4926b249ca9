//! Languages and the product's texts. Vietnamese is the default; English is the second language.
//! Texts live in `app/locales/{vi,en}.txt`; `build.rs` turns them into [`Msg`].

use serde::{Deserialize, Serialize};

include!(concat!(env!("OUT_DIR"), "/messages.rs"));

/// A language the product speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Vi,
    En,
}

/// Name of the cookie that remembers the citizen's language choice.
pub const LANG_COOKIE: &str = "ydan_lang";

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Vi, Lang::En];

    /// BCP 47 tag, for `<html lang>` and `Content-Language`.
    pub const fn tag(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The other language, for the language switch.
    pub const fn other(self) -> Lang {
        match self {
            Lang::Vi => Lang::En,
            Lang::En => Lang::Vi,
        }
    }

    /// Reads the language from a `Cookie` header value.
    pub fn from_cookie_header(header: &str) -> Option<Lang> {
        header.split(';').find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == LANG_COOKIE).then(|| Lang::parse(value)).flatten()
        })
    }

    /// Picks the first supported language of an `Accept-Language` header, ignoring weights of
    /// zero. Order in the header is taken as preference order (browsers send it sorted).
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        header.split(',').find_map(|item| {
            let mut parts = item.split(';');
            let tag = parts.next()?;
            let refused = parts.any(|p| p.trim().replace(' ', "") == "q=0");
            if refused { None } else { Lang::parse(tag) }
        })
    }

    /// Chooses between Vietnamese and English text held side by side, as the database stores
    /// them. Falls back to Vietnamese when the English text is missing.
    pub fn pick<'a>(self, vi: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::En if !en.trim().is_empty() => en,
            _ => vi,
        }
    }
}

impl Msg {
    /// The text of this message in `lang`.
    pub const fn text(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Vi => self.vi(),
            Lang::En => self.en(),
        }
    }

    /// The text with `{name}` placeholders filled in.
    pub fn fill(self, lang: Lang, args: &[(&str, &str)]) -> String {
        let mut text = self.text(lang).to_owned();
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }
}

/// A number with one decimal, written the way each language writes decimals: `3,5` and `3.5`.
pub fn decimal(lang: Lang, value: f64) -> String {
    let text = format!("{value:.1}");
    match lang {
        Lang::Vi => text.replace('.', ","),
        Lang::En => text,
    }
}

/// Formats a share in percent the way each language writes decimals: `84,5%` and `84.5%`.
pub fn percent(lang: Lang, value: f64) -> String {
    let text = format!("{value:.1}");
    match lang {
        Lang::Vi => format!("{}%", text.replace('.', ",")),
        Lang::En => format!("{text}%"),
    }
}

/// Formats a count with the thousands separator of each language: `12.345` and `12,345`.
pub fn count(lang: Lang, value: u64) -> String {
    let digits = value.to_string();
    let sep = match lang {
        Lang::Vi => '.',
        Lang::En => ',',
    };
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags_parse_case_and_region_insensitively() {
        assert_eq!(Lang::parse("vi-VN"), Some(Lang::Vi));
        assert_eq!(Lang::parse("EN_gb"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(Lang::parse(""), None);
    }

    #[test]
    fn cookie_header_yields_the_remembered_language() {
        assert_eq!(Lang::from_cookie_header("a=b; ydan_lang=en; c=d"), Some(Lang::En));
        assert_eq!(Lang::from_cookie_header("ydan_lang=xx"), None);
        assert_eq!(Lang::from_cookie_header("other=en"), None);
    }

    #[test]
    fn accept_language_takes_the_first_supported_tag_and_skips_refused_ones() {
        assert_eq!(Lang::from_accept_language("fr-FR, en;q=0.8, vi;q=0.5"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language("en;q=0, vi"), Some(Lang::Vi));
        assert_eq!(Lang::from_accept_language("de"), None);
    }

    #[test]
    fn placeholders_are_filled() {
        let text = Msg::SurveyProgress.fill(Lang::En, &[("answered", "3"), ("total", "16")]);
        assert!(text.contains('3') && text.contains("16"), "{text}");
        assert!(!text.contains('{'), "{text}");
    }

    #[test]
    fn numbers_follow_each_language_convention() {
        assert_eq!(percent(Lang::Vi, 84.456), "84,5%");
        assert_eq!(percent(Lang::En, 84.456), "84.5%");
        assert_eq!(count(Lang::Vi, 1_234_567), "1.234.567");
        assert_eq!(count(Lang::En, 999), "999");
        assert_eq!(count(Lang::En, 1000), "1,000");
    }

    #[test]
    fn english_falls_back_to_vietnamese_when_missing() {
        assert_eq!(Lang::En.pick("Quầy 1", ""), "Quầy 1");
        assert_eq!(Lang::En.pick("Quầy 1", "Counter 1"), "Counter 1");
        assert_eq!(Lang::Vi.pick("Quầy 1", "Counter 1"), "Quầy 1");
    }
}
