//! Answer scales (question types). Each criterion of a questionnaire has one; the scale says
//! which values are valid answers and which of them count as satisfied. Single-choice and
//! short-text questions describe the visit (which service, what to improve) and never enter a
//! satisfaction index.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// 1 Rất không hài lòng … 5 Rất hài lòng (SIPAS). Satisfied: 4 and 5.
    #[default]
    Likert5,
    /// 1 Không hài lòng, 2 Hài lòng, 3 Rất hài lòng, as on one-stop rating devices.
    /// Satisfied: 2 and 3.
    Smiley3,
    /// 1 Không, 2 Có. "Satisfied" (a good answer): 2.
    YesNo,
    /// One of the criterion's own options, numbered from 1 (at most [`MAX_CHOICES`]).
    Choice,
    /// A short text of at most [`TEXT_MAX_CHARS`] characters.
    Text,
}

/// Most options a single-choice question may offer.
pub const MAX_CHOICES: u8 = 9;
/// Longest short-text answer, in characters.
pub const TEXT_MAX_CHARS: usize = 200;

impl Scale {
    pub const ALL: [Scale; 5] = [Scale::Likert5, Scale::Smiley3, Scale::YesNo, Scale::Choice, Scale::Text];

    pub const fn as_str(self) -> &'static str {
        match self {
            Scale::Likert5 => "likert5",
            Scale::Smiley3 => "smiley3",
            Scale::YesNo => "yes_no",
            Scale::Choice => "choice",
            Scale::Text => "text",
        }
    }

    pub fn parse(raw: &str) -> Option<Scale> {
        Scale::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// The highest valid answer (the lowest is 1); for a single choice, its largest possible
    /// number of options; text has no numbered answers.
    pub const fn max(self) -> u8 {
        match self {
            Scale::Likert5 => 5,
            Scale::Smiley3 => 3,
            Scale::YesNo => 2,
            Scale::Choice => MAX_CHOICES,
            Scale::Text => 0,
        }
    }

    /// The lowest answer that counts as satisfied (never reached by choices and texts).
    pub const fn satisfied_from(self) -> u8 {
        match self {
            Scale::Likert5 => 4,
            Scale::Smiley3 => 2,
            Scale::YesNo => 2,
            Scale::Choice | Scale::Text => u8::MAX,
        }
    }

    /// The highest answer that counts as dissatisfied (0 for choices and texts): 1–2 on the
    /// 5-point scale, the sad face, "no". Neutral answers are neither.
    pub const fn dissatisfied_to(self) -> u8 {
        match self {
            Scale::Likert5 => 2,
            Scale::Smiley3 | Scale::YesNo => 1,
            Scale::Choice | Scale::Text => 0,
        }
    }

    /// Whether answers on this scale are satisfaction ratings that enter the indices.
    pub const fn is_rating(self) -> bool {
        matches!(self, Scale::Likert5 | Scale::Smiley3 | Scale::YesNo)
    }

    /// Whether `value` is a valid numbered answer when the question offers `options` answers
    /// (the scale's own size for ratings; the criterion's options for a single choice).
    pub fn is_valid(self, value: i64, options: u8) -> bool {
        (1..=i64::from(options.min(self.max()))).contains(&value)
    }

    /// Where the labels of a criterion's answers are kept: per scale, or per criterion for a
    /// single choice (its options are its own).
    pub fn labels_key(self, criterion: &str) -> String {
        match self {
            Scale::Choice => format!("choice:{criterion}"),
            _ => self.as_str().to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_know_their_range_and_their_satisfied_answers() {
        assert!(Scale::Likert5.is_valid(5, 5) && !Scale::Likert5.is_valid(6, 5) && !Scale::Likert5.is_valid(0, 5));
        assert!(Scale::Smiley3.is_valid(3, 3) && !Scale::Smiley3.is_valid(4, 3));
        assert!(Scale::YesNo.is_valid(2, 2) && !Scale::YesNo.is_valid(3, 2));
        // A single choice takes the number of one of its options, however many it has.
        assert!(Scale::Choice.is_valid(4, 4) && !Scale::Choice.is_valid(5, 4) && !Scale::Choice.is_valid(10, 12));
        assert!(!Scale::Text.is_valid(1, 1));
        assert_eq!(Scale::Likert5.satisfied_from(), 4);
        assert_eq!(Scale::Smiley3.satisfied_from(), 2);
        assert_eq!((Scale::Likert5.dissatisfied_to(), Scale::Smiley3.dissatisfied_to()), (2, 1));
        assert_eq!(Scale::Choice.dissatisfied_to(), 0);
        assert!(Scale::YesNo.is_rating() && !Scale::Choice.is_rating() && !Scale::Text.is_rating());
        assert_eq!(Scale::Choice.labels_key("H.E1"), "choice:H.E1");
        assert_eq!(Scale::Smiley3.labels_key("Q.A1"), "smiley3");
        for s in Scale::ALL {
            assert_eq!(Scale::parse(s.as_str()), Some(s));
        }
    }
}
