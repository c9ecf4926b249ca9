//! Scorecards reported upward (domain notes §2.3–2.4):
//!
//! - the TT 01/2018/TT-VPCP evaluation of administrative procedures: nine indicators of 0, 1
//!   or 2 points, each scored as the mean over the dossiers rated (Art. 15, one decimal), total
//!   at most 18, agency bands ≥15 / 12 / 9 / 6. Indicators without data are left out; no band
//!   is given unless at least [`MIN_INDICATORS_FOR_BAND`] of the nine have data, and a total
//!   rescaled to 18 from fewer than nine is not the official total (the pages say so);
//! - the satisfaction group of QĐ 766/QĐ-TTg: feedback handled on time (5.2), satisfaction with
//!   the answers (5.3) and satisfaction with dossier handling (5.4), each worth
//!   `max × min(1, rate ÷ target)` points.
//!
//! Only the arithmetic lives here; which data feed each indicator is the service's business.

use serde::{Deserialize, Serialize};

/// The nine indicators of TT 01/2018 Art. 13, in the order of the regulation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Indicator {
    /// 1. Total handling time against the rule.
    TotalTime,
    /// 2. Time taken by each agency involved.
    AgencyTime,
    /// 3. Times the applicant had to come back to complete the dossier.
    Contacts,
    /// 4. Number of agencies the applicant had to deal with.
    Agencies,
    /// 5. Received, handled and returned at the one-stop office.
    OneStop,
    /// 6. Procedures published.
    Publicity,
    /// 7. Conduct of the officials.
    Attitude,
    /// 8. Feedback received and answered (tiếp thu, giải trình PAKN).
    Feedback,
    /// 9. Online public services.
    Online,
}

impl Indicator {
    pub const ALL: [Indicator; 9] = [
        Indicator::TotalTime,
        Indicator::AgencyTime,
        Indicator::Contacts,
        Indicator::Agencies,
        Indicator::OneStop,
        Indicator::Publicity,
        Indicator::Attitude,
        Indicator::Feedback,
        Indicator::Online,
    ];

    /// Its number in the regulation.
    pub fn number(self) -> u8 {
        Indicator::ALL.iter().position(|i| *i == self).map_or(0, |p| p as u8 + 1)
    }

    /// The question of the TT 01/2018 questionnaire that asks citizens about it, for the four
    /// indicators Art. 14 has citizens rate per dossier.
    pub fn question_code(self) -> Option<&'static str> {
        match self {
            Indicator::TotalTime => Some("TT01.1"),
            Indicator::Contacts => Some("TT01.3"),
            Indicator::Agencies => Some("TT01.4"),
            Indicator::Attitude => Some("TT01.7"),
            _ => None,
        }
    }
}

/// Points of an answer to a TT 01/2018 question: its options are listed best first, so option
/// 1 is worth 2 points, option 2 one point and option 3 none.
pub fn points_of_option(option: u8) -> Option<u8> {
    match option {
        1 => Some(2),
        2 => Some(1),
        3 => Some(0),
        _ => None,
    }
}

/// Indicator 8 from the unit's feedback cases (Art. 13): 2 points when all were answered on
/// time and none dragged on; 1 point when at least 90% were on time and none dragged on;
/// otherwise 0. A case "drags on" when the resident had to raise it again. Without any case the
/// indicator has no data (`None`): a unit nobody wrote to has not shown how it answers.
pub fn feedback_points(cases: u64, on_time: u64, reraised: u64) -> Option<u8> {
    if cases == 0 {
        return None;
    }
    Some(if reraised > 0 {
        0
    } else if on_time >= cases {
        2
    } else if on_time * 10 >= cases * 9 {
        1
    } else {
        0
    })
}

/// Where an indicator's data come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Citizens' answers to the TT 01/2018 questions, one per dossier.
    Citizens,
    /// The unit's feedback cases on this platform.
    Feedback,
    /// Not known to this platform (the one-stop system or the unit's own records hold it).
    NotAvailable,
}

/// One indicator's score: the mean points over the dossiers rated, to one decimal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IndicatorScore {
    pub indicator: Indicator,
    pub source: Source,
    /// `None`: no data, so the indicator is left out of the total.
    pub score: Option<f64>,
    /// Dossiers (answers) or cases the score rests on.
    pub n: u64,
}

/// Art. 15: total points of the dossiers ÷ dossiers, rounded to one decimal.
pub fn indicator_score(points: u64, dossiers: u64) -> Option<f64> {
    (dossiers > 0).then(|| round1(points as f64 / dossiers as f64))
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The agency bands of Art. 15.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    Excellent,
    Good,
    Fair,
    Average,
    Weak,
}

impl Band {
    /// The band of a total on the 18-point scale: ≥15 excellent, 12–<15 good, 9–<12 fair,
    /// 6–<9 average, below 6 weak.
    pub fn of(total18: f64) -> Band {
        match total18 {
            t if t >= 15.0 => Band::Excellent,
            t if t >= 12.0 => Band::Good,
            t if t >= 9.0 => Band::Fair,
            t if t >= 6.0 => Band::Average,
            _ => Band::Weak,
        }
    }
}

/// Indicators that must have data before a band is given.
pub const MIN_INDICATORS_FOR_BAND: usize = 5;

/// The whole TT 01/2018 scorecard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scorecard {
    pub indicators: Vec<IndicatorScore>,
    /// Sum of the indicators with data.
    pub total: Option<f64>,
    /// 2 × the number of indicators with data.
    pub max: f64,
    /// The total brought to the 18-point scale the bands are written for (total × 18 ÷ max),
    /// so that a unit is not marked down for data the platform does not hold; only with at
    /// least [`MIN_INDICATORS_FOR_BAND`] indicators. The official total only when
    /// [`Self::official`].
    pub total18: Option<f64>,
    /// Only with at least [`MIN_INDICATORS_FOR_BAND`] indicators.
    pub band: Option<Band>,
    /// All nine indicators have data: the total is the official total out of 18.
    pub official: bool,
}

impl Scorecard {
    pub fn from_scores(indicators: Vec<IndicatorScore>) -> Scorecard {
        let with_data: Vec<f64> = indicators.iter().filter_map(|i| i.score).collect();
        let max = 2.0 * with_data.len() as f64;
        let total = (!with_data.is_empty()).then(|| round1(with_data.iter().sum()));
        let total18 = total.filter(|_| with_data.len() >= MIN_INDICATORS_FOR_BAND).map(|t| round1(t * 18.0 / max));
        let official = with_data.len() == Indicator::ALL.len();
        Scorecard { indicators, total, max, total18, band: total18.map(Band::of), official }
    }

    /// How many indicators have data.
    pub fn with_data(&self) -> usize {
        self.indicators.iter().filter(|i| i.score.is_some()).count()
    }
}

/// The three measured items of the 766 satisfaction group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure766 {
    /// 5.2 Feedback handled on time.
    FeedbackOnTime,
    /// 5.3 Satisfaction with the answers to feedback.
    FeedbackSatisfaction,
    /// 5.4 Satisfaction in receiving and handling dossiers.
    DossierSatisfaction,
}

/// How the 766 points are given. The split inside the group is disputed (6/6/6 against
/// 5/5/2/6, domain notes §2.4), so it is a setting.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rules766 {
    /// Points of 5.2, 5.3 and 5.4.
    pub max_points: [f64; 3],
    /// The rate (in percent) that earns full points.
    pub target: f64,
}

impl Default for Rules766 {
    fn default() -> Self {
        Rules766 { max_points: [6.0, 6.0, 6.0], target: 90.0 }
    }
}

impl Rules766 {
    /// `max × min(1, rate ÷ target)`, or `None` without a rate.
    pub fn points(&self, measure: Measure766, rate: Option<f64>) -> Option<f64> {
        let max = self.max_points[measure as usize];
        let rate = rate?;
        if self.target <= 0.0 {
            return Some(max);
        }
        Some(round1(max * (rate / self.target).clamp(0.0, 1.0)))
    }
}

/// 5.3: (cases − answers rated unsatisfactory − cases raised again − cases overdue) ÷ cases
/// first received in the period, each case counted once.
pub fn feedback_satisfaction(cases: u64, unhappy_once: u64) -> Option<f64> {
    (cases > 0).then(|| cases.saturating_sub(unhappy_once) as f64 * 100.0 / cases as f64)
}

/// 5.4: 100% − (overdue dossiers % + dossiers with feedback or a dissatisfied rating %).
pub fn dossier_satisfaction(dossiers: u64, overdue: u64, unhappy: u64) -> Option<f64> {
    (dossiers > 0).then(|| (100.0 - (overdue + unhappy) as f64 * 100.0 / dossiers as f64).max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(indicator: Indicator, score: Option<f64>) -> IndicatorScore {
        IndicatorScore { indicator, source: Source::Citizens, score, n: 10 }
    }

    #[test]
    fn an_indicator_is_the_mean_points_per_dossier_to_one_decimal() {
        // 7 dossiers at 2, 2 at 1, 1 at 0: 16 / 10 = 1.6.
        assert_eq!(indicator_score(16, 10), Some(1.6));
        // 2/3 = 0.666… → 0.7.
        assert_eq!(indicator_score(2, 3), Some(0.7));
        assert_eq!(indicator_score(0, 0), None);
        assert_eq!((points_of_option(1), points_of_option(3), points_of_option(4)), (Some(2), Some(0), None));
    }

    #[test]
    fn indicators_without_data_are_left_out_and_the_band_uses_the_18_point_scale() {
        let full: Vec<IndicatorScore> = Indicator::ALL.iter().map(|i| score(*i, Some(2.0))).collect();
        let card = Scorecard::from_scores(full);
        assert_eq!((card.total, card.max, card.band), (Some(18.0), 18.0, Some(Band::Excellent)));
        assert!(card.official, "all nine: the official total");
        // Five indicators known, 1.5 each: 7.5 of 10, i.e. 13.5 of 18: good.
        let partial: Vec<IndicatorScore> =
            Indicator::ALL.iter().enumerate().map(|(k, i)| score(*i, (k < 5).then_some(1.5))).collect();
        let card = Scorecard::from_scores(partial);
        assert_eq!((card.total, card.max, card.total18), (Some(7.5), 10.0, Some(13.5)));
        assert_eq!(card.band, Some(Band::Good));
        assert!(!card.official, "five of nine, rescaled: not the official total");
        let none = Scorecard::from_scores(Indicator::ALL.iter().map(|i| score(*i, None)).collect());
        assert_eq!((none.total, none.band), (None, None));
    }

    #[test]
    fn no_band_below_five_indicators_with_data() {
        // Four indicators, full marks: 8 of 8, but four of nine say too little for a band.
        let four: Vec<IndicatorScore> =
            Indicator::ALL.iter().enumerate().map(|(k, i)| score(*i, (k < 4).then_some(2.0))).collect();
        let card = Scorecard::from_scores(four);
        assert_eq!((card.total, card.max, card.total18, card.band), (Some(8.0), 8.0, None, None));
        assert_eq!((card.with_data(), card.official), (4, false));
        // A unit with no answers and no cases: indicator 8 has no data either, so nothing at all
        // (it used to get 2 of 2 on indicator 8 and, rescaled to 18, "excellent").
        let mut empty: Vec<IndicatorScore> = Indicator::ALL.iter().map(|i| score(*i, None)).collect();
        empty[7].score = feedback_points(0, 0, 0).map(f64::from);
        let card = Scorecard::from_scores(empty);
        assert_eq!((card.total, card.total18, card.band), (None, None, None));
    }

    #[test]
    fn bands_follow_article_15() {
        for (t, b) in [
            (15.0, Band::Excellent),
            (14.9, Band::Good),
            (12.0, Band::Good),
            (11.9, Band::Fair),
            (9.0, Band::Fair),
            (8.9, Band::Average),
            (6.0, Band::Average),
            (5.9, Band::Weak),
            (0.0, Band::Weak),
        ] {
            assert_eq!(Band::of(t), b, "{t}");
        }
    }

    #[test]
    fn feedback_points_follow_indicator_8() {
        assert_eq!(feedback_points(0, 0, 0), None, "no feedback at all: no data");
        assert_eq!(feedback_points(10, 10, 0), Some(2));
        assert_eq!(feedback_points(10, 9, 0), Some(1), "90% on time");
        assert_eq!(feedback_points(10, 8, 0), Some(0));
        assert_eq!(feedback_points(10, 10, 1), Some(0), "one raised again");
    }

    #[test]
    fn points_766_scale_up_to_the_target() {
        let r = Rules766::default();
        assert_eq!(r.points(Measure766::FeedbackOnTime, Some(95.0)), Some(6.0));
        assert_eq!(r.points(Measure766::FeedbackOnTime, Some(90.0)), Some(6.0));
        // 72% of a 90% target: 0.8 × 6 = 4.8.
        assert_eq!(r.points(Measure766::DossierSatisfaction, Some(72.0)), Some(4.8));
        assert_eq!(r.points(Measure766::FeedbackSatisfaction, None), None);
        let split = Rules766 { max_points: [5.0, 2.0, 6.0], target: 80.0 };
        assert_eq!(split.points(Measure766::FeedbackSatisfaction, Some(40.0)), Some(1.0));
    }

    #[test]
    fn satisfaction_rates_766() {
        // 20 cases, 3 unhappy in some way (each counted once): 85%.
        assert_eq!(feedback_satisfaction(20, 3), Some(85.0));
        assert_eq!(feedback_satisfaction(0, 0), None);
        // 200 dossiers, none known overdue, 12 with a dissatisfied rating: 94%.
        assert_eq!(dossier_satisfaction(200, 0, 12), Some(94.0));
        assert_eq!(dossier_satisfaction(10, 6, 6), Some(0.0), "never below zero");
    }
}
