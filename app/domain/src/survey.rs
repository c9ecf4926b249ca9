//! A citizen's answers to a questionnaire, and the rules a submission must satisfy before it is
//! stored. The same rules check the HTML form, the JSON API and the browser's early warning.

use super::scale::{MAX_CHOICES, Scale, TEXT_MAX_CHARS};
use crate::error::{ErrorCode, FieldError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Longest comment a citizen may leave, in characters (not bytes: Vietnamese letters take 2–3
/// bytes each in UTF-8).
pub const COMMENT_MAX_CHARS: usize = 2000;

/// Lowest and highest point of the 5-point satisfaction scale (domain notes §1.4).
pub const SCALE_MIN: u8 = 1;
pub const SCALE_MAX: u8 = 5;

/// A numbered answer: 1 Rất không hài lòng … 5 Rất hài lòng on the SIPAS scale, fewer points
/// on the others, or the number of the option chosen in a single-choice question.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Rating(u8);

impl Rating {
    pub fn new(value: i64) -> Option<Rating> {
        (i64::from(SCALE_MIN)..=i64::from(MAX_CHOICES)).contains(&value).then_some(Rating(value as u8))
    }

    pub const fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Rating {
    type Error = &'static str;
    fn try_from(value: u8) -> Result<Self, Self::Error> {
        Rating::new(i64::from(value)).ok_or("answer numbers run from 1 to 9")
    }
}

impl From<Rating> for u8 {
    fn from(r: Rating) -> u8 {
        r.0
    }
}

/// How a response reached us.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The citizen's own phone, from a QR code.
    #[default]
    Qr,
    /// A tablet at the counter.
    Kiosk,
    /// Another system through the JSON API.
    Api,
    /// A paper form keyed in by staff.
    Paper,
}

impl Channel {
    pub const ALL: [Channel; 4] = [Channel::Qr, Channel::Kiosk, Channel::Api, Channel::Paper];

    pub const fn as_str(self) -> &'static str {
        match self {
            Channel::Qr => "qr",
            Channel::Kiosk => "kiosk",
            Channel::Api => "api",
            Channel::Paper => "paper",
        }
    }

    pub fn parse(raw: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == raw)
    }
}

/// One raw answer as it arrived, before checking.
#[derive(Clone, Debug, PartialEq)]
pub enum RawAnswer {
    /// Left unanswered: JSON `null`, an empty form field, or the "no opinion" choice.
    Blank,
    Integer(i64),
    /// Text that is not a whole number: the answer to a short-text question, or a mistake.
    Text(String),
    /// Anything else: a fraction, `true`, a list…
    Other,
}

impl RawAnswer {
    /// Reads a form field: `""` is blank, digits are an integer, anything else is text.
    pub fn from_form(value: &str) -> RawAnswer {
        let v = value.trim();
        if v.is_empty() {
            RawAnswer::Blank
        } else {
            v.parse::<i64>().map(RawAnswer::Integer).unwrap_or_else(|_| RawAnswer::Text(v.to_owned()))
        }
    }
}

/// Answers that passed every rule: one numbered entry per criterion of the instrument other
/// than short texts, `None` when the citizen did not answer it; and the short texts given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValidAnswers {
    pub ratings: BTreeMap<String, Option<Rating>>,
    pub texts: BTreeMap<String, String>,
}

impl ValidAnswers {
    pub fn answered(&self) -> usize {
        self.ratings.values().filter(|v| v.is_some()).count() + self.texts.len()
    }
}

/// One question as the rules see it: its code, its scale, and how many answers it offers
/// (the scale's size, or a single choice's number of options).
pub type Question<'a> = (&'a str, Scale, u8);

/// Checks answers against the questions of an instrument (in order) and the instrument's
/// minimum number of answers. Reports every problem at once, one per field, so a citizen can
/// fix them all in one go.
pub fn check_answers(
    criteria: &[Question<'_>],
    min_answers: u32,
    raw: &BTreeMap<String, RawAnswer>,
) -> Result<ValidAnswers, Vec<FieldError>> {
    let mut errors = Vec::new();
    for code in raw.keys() {
        if !criteria.iter().any(|(c, _, _)| *c == code.as_str()) {
            errors.push(FieldError::new(format!("answers.{code}"), ErrorCode::UnknownCriterion).with_arg("code", code));
        }
    }
    let mut answers = ValidAnswers::default();
    for &(code, scale, options) in criteria {
        let field = || format!("answers.{code}");
        if scale == Scale::Text {
            match raw.get(code) {
                None | Some(RawAnswer::Blank) => {}
                Some(RawAnswer::Text(t)) if t.trim().chars().count() > TEXT_MAX_CHARS => {
                    errors.push(FieldError::new(field(), ErrorCode::AnswerTooLong).with_arg("max", TEXT_MAX_CHARS))
                }
                Some(RawAnswer::Text(t)) => {
                    answers.texts.insert(code.to_owned(), t.trim().to_owned());
                }
                Some(RawAnswer::Integer(v)) => {
                    answers.texts.insert(code.to_owned(), v.to_string());
                }
                Some(RawAnswer::Other) => errors.push(FieldError::new(field(), ErrorCode::WrongType)),
            }
            continue;
        }
        let value = match raw.get(code) {
            None | Some(RawAnswer::Blank) => None,
            Some(RawAnswer::Integer(v)) => match Rating::new(*v).filter(|_| scale.is_valid(*v, options)) {
                Some(r) => Some(r),
                None => {
                    errors.push(
                        FieldError::new(field(), ErrorCode::RatingOutOfRange)
                            .with_arg("min", SCALE_MIN)
                            .with_arg("max", options.min(scale.max())),
                    );
                    None
                }
            },
            Some(RawAnswer::Text(_) | RawAnswer::Other) => {
                errors.push(FieldError::new(field(), ErrorCode::NotARating));
                None
            }
        };
        answers.ratings.insert(code.to_owned(), value);
    }
    // The minimum is only worth reporting when the answers given were otherwise fine.
    if errors.is_empty() && answers.answered() < min_answers as usize {
        errors.push(FieldError::new("answers", ErrorCode::TooFewAnswers).with_arg("min", min_answers));
    }
    if errors.is_empty() { Ok(answers) } else { Err(errors) }
}

/// Trims a comment and checks its length; an empty comment is no comment.
pub fn check_comment(raw: Option<&str>) -> Result<Option<String>, FieldError> {
    let Some(text) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > COMMENT_MAX_CHARS {
        return Err(FieldError::new("comment", ErrorCode::CommentTooLong).with_arg("max", COMMENT_MAX_CHARS));
    }
    Ok(Some(text.to_owned()))
}

/// Classifies a browser's `User-Agent` into a coarse class, so integrity checks can look at the
/// device type without storing the full string (which can help identify a person).
pub fn user_agent_class(ua: &str) -> &'static str {
    let ua = ua.to_ascii_lowercase();
    if ua.is_empty() {
        "unknown"
    } else if ua.contains("bot") || ua.contains("crawler") || ua.contains("spider") {
        "bot"
    } else if ua.contains("ipad") || ua.contains("tablet") {
        "tablet"
    } else if ua.contains("mobi") || ua.contains("android") || ua.contains("iphone") {
        "mobile"
    } else if ua.contains("mozilla") {
        "desktop"
    } else {
        "other"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CRITERIA: [Question<'static>; 3] =
        [("II.A1", Scale::Likert5, 5), ("II.A2", Scale::Likert5, 5), ("II.B1", Scale::Likert5, 5)];

    fn raw(pairs: &[(&str, RawAnswer)]) -> BTreeMap<String, RawAnswer> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
    }

    #[test]
    fn valid_answers_fill_every_criterion_and_blanks_mean_no_answer() {
        let ok = check_answers(&CRITERIA, 1, &raw(&[("II.A1", RawAnswer::Integer(5)), ("II.A2", RawAnswer::Blank)]))
            .unwrap();
        assert_eq!(ok.ratings.len(), 3);
        assert_eq!(ok.ratings["II.A1"], Rating::new(5));
        assert_eq!(ok.ratings["II.A2"], None);
        assert_eq!(ok.ratings["II.B1"], None);
        assert_eq!(ok.answered(), 1);
    }

    #[test]
    fn each_bad_field_is_reported_with_its_own_code() {
        let errs = check_answers(
            &CRITERIA,
            1,
            &raw(&[
                ("II.A1", RawAnswer::Integer(6)),
                ("II.A2", RawAnswer::Other),
                ("II.Z9", RawAnswer::Integer(3)),
                ("II.B1", RawAnswer::Integer(0)),
            ]),
        )
        .unwrap_err();
        let got: Vec<(&str, ErrorCode)> = errs.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert!(got.contains(&("answers.II.A1", ErrorCode::RatingOutOfRange)));
        assert!(got.contains(&("answers.II.A2", ErrorCode::NotARating)));
        assert!(got.contains(&("answers.II.Z9", ErrorCode::UnknownCriterion)));
        assert!(got.contains(&("answers.II.B1", ErrorCode::RatingOutOfRange)));
        assert_eq!(got.len(), 4);
    }

    #[test]
    fn the_minimum_number_of_answers_is_enforced() {
        let errs = check_answers(&CRITERIA, 1, &raw(&[])).unwrap_err();
        assert_eq!(errs, vec![FieldError::new("answers", ErrorCode::TooFewAnswers).with_arg("min", 1)]);
        let errs = check_answers(&CRITERIA, 2, &raw(&[("II.A1", RawAnswer::Integer(4))])).unwrap_err();
        assert_eq!(errs[0].code, ErrorCode::TooFewAnswers);
        assert!(check_answers(&CRITERIA, 0, &raw(&[])).is_ok());
    }

    #[test]
    fn each_criterion_is_checked_on_its_own_scale() {
        let criteria = [("Q1", Scale::Smiley3, 3)];
        assert!(check_answers(&criteria, 1, &raw(&[("Q1", RawAnswer::Integer(3))])).is_ok());
        let errs = check_answers(&criteria, 1, &raw(&[("Q1", RawAnswer::Integer(4))])).unwrap_err();
        assert_eq!(errs[0].code, ErrorCode::RatingOutOfRange);
        assert!(errs[0].args.contains(&("max".to_owned(), "3".to_owned())));
    }

    #[test]
    fn form_values_are_read_strictly() {
        assert_eq!(RawAnswer::from_form(""), RawAnswer::Blank);
        assert_eq!(RawAnswer::from_form(" 4 "), RawAnswer::Integer(4));
        assert_eq!(RawAnswer::from_form("4.5"), RawAnswer::Text("4.5".into()));
        assert_eq!(RawAnswer::from_form(" năm "), RawAnswer::Text("năm".into()));
    }

    #[test]
    fn comments_are_trimmed_and_limited_in_characters_not_bytes() {
        assert_eq!(check_comment(None).unwrap(), None);
        assert_eq!(check_comment(Some("   ")).unwrap(), None);
        assert_eq!(check_comment(Some(" Tốt ")).unwrap().as_deref(), Some("Tốt"));
        let at_limit = "ữ".repeat(COMMENT_MAX_CHARS); // 3 bytes each
        assert!(check_comment(Some(&at_limit)).is_ok());
        let over = "a".repeat(COMMENT_MAX_CHARS + 1);
        assert_eq!(check_comment(Some(&over)).unwrap_err().code, ErrorCode::CommentTooLong);
    }

    #[test]
    fn answer_numbers_run_from_one_to_the_most_options() {
        assert!(Rating::new(1).is_some() && Rating::new(9).is_some());
        assert!(Rating::new(0).is_none() && Rating::new(10).is_none());
    }

    #[test]
    fn single_choices_take_one_of_their_options_and_texts_are_kept_trimmed() {
        let criteria = [("H.E1", Scale::Choice, 4), ("H.E2", Scale::Text, 0), ("H.A1", Scale::Likert5, 5)];
        let ok = check_answers(
            &criteria,
            1,
            &raw(&[("H.E1", RawAnswer::Integer(4)), ("H.E2", RawAnswer::Text("  Thêm ghế chờ ".into()))]),
        )
        .unwrap();
        assert_eq!(ok.ratings["H.E1"], Rating::new(4));
        assert_eq!(ok.ratings["H.A1"], None);
        assert_eq!(ok.texts["H.E2"], "Thêm ghế chờ");
        assert!(!ok.ratings.contains_key("H.E2"));
        assert_eq!(ok.answered(), 2);

        let long = "ữ".repeat(TEXT_MAX_CHARS + 1);
        let errs = check_answers(
            &criteria,
            1,
            &raw(&[
                ("H.E1", RawAnswer::Integer(5)),
                ("H.E2", RawAnswer::Text(long)),
                ("H.A1", RawAnswer::Text("tốt".into())),
            ]),
        )
        .unwrap_err();
        let got: Vec<(&str, ErrorCode)> = errs.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert!(got.contains(&("answers.H.E1", ErrorCode::RatingOutOfRange)), "{got:?}");
        assert!(errs.iter().any(|e| e.field == "answers.H.E1" && e.args.contains(&("max".to_owned(), "4".to_owned()))));
        assert!(got.contains(&("answers.H.E2", ErrorCode::AnswerTooLong)));
        assert!(got.contains(&("answers.H.A1", ErrorCode::NotARating)));
        // A text alone counts as an answer towards the minimum.
        assert!(check_answers(&criteria, 1, &raw(&[("H.E2", RawAnswer::Text("Tốt".into()))])).is_ok());
    }

    #[test]
    fn channels_round_trip() {
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Some(c));
        }
        assert_eq!(Channel::parse("sms"), None);
    }

    #[test]
    fn user_agents_are_reduced_to_a_class() {
        let android = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 Mobile Safari/537.36";
        assert_eq!(user_agent_class(android), "mobile");
        assert_eq!(user_agent_class("Mozilla/5.0 (X11; Linux x86_64)"), "desktop");
        assert_eq!(user_agent_class("Googlebot/2.1"), "bot");
        assert_eq!(user_agent_class(""), "unknown");
        assert_eq!(user_agent_class("curl/8.0"), "other");
    }
}
