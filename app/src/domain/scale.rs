//! Answer scales. Each criterion of a questionnaire has one; the scale says which values are
//! valid answers and which of them count as satisfied.

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
}

impl Scale {
    pub const ALL: [Scale; 3] = [Scale::Likert5, Scale::Smiley3, Scale::YesNo];

    pub const fn as_str(self) -> &'static str {
        match self {
            Scale::Likert5 => "likert5",
            Scale::Smiley3 => "smiley3",
            Scale::YesNo => "yes_no",
        }
    }

    pub fn parse(raw: &str) -> Option<Scale> {
        Scale::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// The highest valid answer (the lowest is 1).
    pub const fn max(self) -> u8 {
        match self {
            Scale::Likert5 => 5,
            Scale::Smiley3 => 3,
            Scale::YesNo => 2,
        }
    }

    /// The lowest answer that counts as satisfied.
    pub const fn satisfied_from(self) -> u8 {
        match self {
            Scale::Likert5 => 4,
            Scale::Smiley3 => 2,
            Scale::YesNo => 2,
        }
    }

    pub fn is_valid(self, value: i64) -> bool {
        (1..=i64::from(self.max())).contains(&value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_know_their_range_and_their_satisfied_answers() {
        assert!(Scale::Likert5.is_valid(5) && !Scale::Likert5.is_valid(6) && !Scale::Likert5.is_valid(0));
        assert!(Scale::Smiley3.is_valid(3) && !Scale::Smiley3.is_valid(4));
        assert!(Scale::YesNo.is_valid(2) && !Scale::YesNo.is_valid(3));
        assert_eq!(Scale::Likert5.satisfied_from(), 4);
        assert_eq!(Scale::Smiley3.satisfied_from(), 2);
        for s in Scale::ALL {
            assert_eq!(Scale::parse(s.as_str()), Some(s));
        }
    }
}
