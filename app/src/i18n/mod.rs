//! Languages and the product's texts. Vietnamese is the default; English is the second language.
//! Texts live in `app/locales/{vi,en}.txt`; `build.rs` turns them into [`Msg`].

pub mod errors;

pub use domain::lang::{LANG_COOKIE, Lang};

include!(concat!(env!("OUT_DIR"), "/messages.rs"));

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
}
