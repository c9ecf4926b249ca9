//! A citizen's answers to a questionnaire, and the rules a submission must satisfy before it is
//! stored. The same rules check the HTML form, the JSON API and the browser's early warning.

use super::scale::Scale;
use crate::error::{ErrorCode, FieldError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Longest comment a citizen may leave, in characters (not bytes: Vietnamese letters take 2–3
/// bytes each in UTF-8).
pub const COMMENT_MAX_CHARS: usize = 2000;

/// Lowest and highest point of the 5-point satisfaction scale (domain notes §1.4).
pub const SCALE_MIN: u8 = 1;
pub const SCALE_MAX: u8 = 5;

/// An answer on the 5-point scale: 1 Rất không hài lòng … 5 Rất hài lòng.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Rating(u8);

impl Rating {
    pub fn new(value: i64) -> Option<Rating> {
        (i64::from(SCALE_MIN)..=i64::from(SCALE_MAX)).contains(&value).then_some(Rating(value as u8))
    }

    pub const fn get(self) -> u8 {
        self.0
    }

    /// 4 (Hài lòng) and 5 (Rất hài lòng) count as satisfied (domain notes §1.5).
    pub const fn is_satisfied(self) -> bool {
        self.0 >= 4
    }
}

impl TryFrom<u8> for Rating {
    type Error = &'static str;
    fn try_from(value: u8) -> Result<Self, Self::Error> {
        Rating::new(i64::from(value)).ok_or("rating must be 1–5")
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
    /// Anything else: text, a fraction, `true`, a list…
    Other,
}

impl RawAnswer {
    /// Reads a form field: `""` is blank, digits are an integer, anything else is wrong.
    pub fn from_form(value: &str) -> RawAnswer {
        let v = value.trim();
        if v.is_empty() {
            RawAnswer::Blank
        } else {
            v.parse::<i64>().map(RawAnswer::Integer).unwrap_or(RawAnswer::Other)
        }
    }
}

/// Answers that passed every rule: one entry per criterion of the instrument, `None` when the
/// citizen did not answer it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidAnswers(pub BTreeMap<String, Option<Rating>>);

impl ValidAnswers {
    pub fn answered(&self) -> usize {
        self.0.values().filter(|v| v.is_some()).count()
    }
}

/// Checks answers against the criteria of an instrument (their codes and scales, in order) and
/// the instrument's minimum number of answers. Reports every problem at once, one per field, so
/// a citizen can fix them all in one go.
pub fn check_answers(
    criteria: &[(&str, Scale)],
    min_answers: u32,
    raw: &BTreeMap<String, RawAnswer>,
) -> Result<ValidAnswers, Vec<FieldError>> {
    let mut errors = Vec::new();
    for code in raw.keys() {
        if !criteria.iter().any(|(c, _)| *c == code.as_str()) {
            errors.push(FieldError::new(format!("answers.{code}"), ErrorCode::UnknownCriterion).with_arg("code", code));
        }
    }
    let mut answers = BTreeMap::new();
    for &(code, scale) in criteria {
        let value = match raw.get(code) {
            None | Some(RawAnswer::Blank) => None,
            Some(RawAnswer::Integer(v)) => match Rating::new(*v).filter(|_| scale.is_valid(*v)) {
                Some(r) => Some(r),
                None => {
                    errors.push(
                        FieldError::new(format!("answers.{code}"), ErrorCode::RatingOutOfRange)
                            .with_arg("min", SCALE_MIN)
                            .with_arg("max", scale.max()),
                    );
                    None
                }
            },
            Some(RawAnswer::Other) => {
                errors.push(FieldError::new(format!("answers.{code}"), ErrorCode::NotARating));
                None
            }
        };
        answers.insert(code.to_owned(), value);
    }
    let answers = ValidAnswers(answers);
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

    const CRITERIA: [(&str, Scale); 3] =
        [("II.A1", Scale::Likert5), ("II.A2", Scale::Likert5), ("II.B1", Scale::Likert5)];

    fn raw(pairs: &[(&str, RawAnswer)]) -> BTreeMap<String, RawAnswer> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
    }

    #[test]
    fn valid_answers_fill_every_criterion_and_blanks_mean_no_answer() {
        let ok = check_answers(&CRITERIA, 1, &raw(&[("II.A1", RawAnswer::Integer(5)), ("II.A2", RawAnswer::Blank)]))
            .unwrap();
        assert_eq!(ok.0.len(), 3);
        assert_eq!(ok.0["II.A1"], Rating::new(5));
        assert_eq!(ok.0["II.A2"], None);
        assert_eq!(ok.0["II.B1"], None);
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
        let criteria = [("Q1", Scale::Smiley3)];
        assert!(check_answers(&criteria, 1, &raw(&[("Q1", RawAnswer::Integer(3))])).is_ok());
        let errs = check_answers(&criteria, 1, &raw(&[("Q1", RawAnswer::Integer(4))])).unwrap_err();
        assert_eq!(errs[0].code, ErrorCode::RatingOutOfRange);
        assert!(errs[0].args.contains(&("max".to_owned(), "3".to_owned())));
    }

    #[test]
    fn form_values_are_read_strictly() {
        assert_eq!(RawAnswer::from_form(""), RawAnswer::Blank);
        assert_eq!(RawAnswer::from_form(" 4 "), RawAnswer::Integer(4));
        assert_eq!(RawAnswer::from_form("4.5"), RawAnswer::Other);
        assert_eq!(RawAnswer::from_form("năm"), RawAnswer::Other);
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
    fn ratings_are_satisfied_from_four_up() {
        let sat: Vec<bool> = (1..=5).map(|v| Rating::new(v).unwrap().is_satisfied()).collect();
        assert_eq!(sat, [false, false, false, true, true]);
        assert!(Rating::new(0).is_none() && Rating::new(6).is_none());
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
