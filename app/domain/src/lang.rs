//! The languages the product speaks: Vietnamese first, English second, and how a request says
//! which one its reader wants: pages follow `?lang=` in a link, else the remembered choice (a
//! cookie), else Vietnamese; the JSON API and Open311 follow `Accept-Language`.

use serde::{Deserialize, Serialize};

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
    fn english_falls_back_to_vietnamese_when_missing() {
        assert_eq!(Lang::En.pick("Quầy 1", ""), "Quầy 1");
        assert_eq!(Lang::En.pick("Quầy 1", "Counter 1"), "Counter 1");
        assert_eq!(Lang::Vi.pick("Quầy 1", "Counter 1"), "Quầy 1");
    }
}
