//! Wire types of the analytics pages: a unit's trend, targets, change and ranking (public,
//! since they derive from public figures), what its staff see besides (activity, heatmap,
//! comments, alerts, sample target), the quarterly report with its scorecards, the public
//! scoreboard, and export jobs.

use crate::{
    buckets::Step,
    codes::AgencyKind,
    dto::{IndexFigure, Localized},
    period::Period,
    scorecard::{Band, IndicatorScore, Measure766},
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One point of a trend: a month, quarter or year (cut to the period asked for).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    /// `2026-11`, `2026-Q4` or `2026`.
    pub label: String,
    pub period: Period,
    pub figure: IndexFigure,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trend {
    pub step: Step,
    /// The step asked for, when the period held too many of them and a coarser one is shown.
    pub asked: Option<Step>,
    pub points: Vec<TrendPoint>,
}

/// A unit's targets in percent, its own or inherited from `from`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Targets {
    pub goal: Option<f64>,
    pub floor: Option<f64>,
    /// The unit whose targets these are, when inherited from an ancestor.
    pub from: Option<(String, Localized)>,
}

/// The index of the period against the period of the same length just before it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub previous: Period,
    pub previous_figure: IndexFigure,
    /// Percentage points, when both periods have data.
    pub delta: Option<f64>,
    /// Whether the difference is beyond chance (two-sided, 95%).
    pub significant: bool,
}

/// One unit among its siblings, with the ranks it may honestly hold.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RankRow {
    pub code: String,
    pub name: Localized,
    pub figure: IndexFigure,
    /// Best and worst rank its interval allows; equal when the order is certain. `None`
    /// without data.
    pub rank: Option<(usize, usize)>,
    /// The unit whose page this is.
    pub me: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ranking {
    /// The parent the siblings share (none for the top of the tree).
    pub parent: Option<(String, Localized)>,
    /// Best first; units without data last.
    pub rows: Vec<RankRow>,
}

/// Responses by channel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelCount {
    /// `qr`, `kiosk`, `api` or `paper`.
    pub channel: String,
    pub n: u64,
}

/// The MoHA sample-size target for the period: n = N / (1 + N·0.05²), N = tickets issued.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleTarget {
    pub tickets: u64,
    /// `None` when no tickets were issued (N unknown).
    pub target: Option<u64>,
    /// Respondents behind the index.
    pub respondents: u64,
    pub reached: Option<bool>,
}

/// What the subtree's counters received in the period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActivitySummary {
    /// Survey responses (kiosk presses apart).
    pub responses: u64,
    pub kiosk_presses: u64,
    pub tickets: u64,
    /// Survey responses ÷ tickets issued (the one-stop system's transactions).
    pub response_rate: Option<f64>,
    pub channels: Vec<ChannelCount>,
    /// Of responses and presses: verified and flagged.
    pub verified: u64,
    pub flagged: u64,
    pub sample: SampleTarget,
}

/// Responses per Vietnam weekday (rows, Monday first) and hour (columns 0–23).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heatmap {
    pub cells: Vec<Vec<u64>>,
    pub flagged: Vec<Vec<u64>>,
    pub max: u64,
}

/// A survey comment as staff of the unit see it (comments never appear publicly).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentView {
    pub response_id: i64,
    pub at: DateTime<Utc>,
    pub unit: Localized,
    pub counter: String,
    pub text: String,
}

/// An open alert of the unit or one below it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertView {
    pub code: String,
    pub unit: Localized,
    /// `below_floor`, `significant_drop` or `counter_anomaly:{counter id}`.
    pub kind: String,
    pub opened_at: DateTime<Utc>,
    /// The 30-day index, and the floor or the 30 days before it; for a counter anomaly, the
    /// day's share of all-top ratings and the 8 weeks' mean share.
    pub value: f64,
    pub reference: f64,
    pub n: u64,
    /// A counter anomaly's counter, as "name (code)".
    pub counter: Option<String>,
}

/// What staff of a unit's subtree see on its dashboard besides the public figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StaffAnalytics {
    pub activity: ActivitySummary,
    pub heatmap: Heatmap,
    pub comments: Vec<CommentView>,
    pub alerts: Vec<AlertView>,
    pub scorecards: Scorecards,
    /// Whether the viewer may hide comments and set targets (administrators of the unit).
    pub may_moderate: bool,
    pub may_set_targets: bool,
    /// The unit's own targets and alert addresses, for the form.
    pub own_targets: Option<OwnTargets>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OwnTargets {
    pub goal: Option<f64>,
    pub floor: Option<f64>,
    pub alert_to: String,
}

/// One item of the 766 satisfaction group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Measure766View {
    pub measure: Measure766,
    /// In percent.
    pub rate: Option<f64>,
    pub points: Option<f64>,
    pub max_points: f64,
    /// What the rate was computed from (cases, dossiers).
    pub n: u64,
}

/// The TT 01/2018 scorecard, the 766 satisfaction group and the sample target of a unit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scorecards {
    pub indicators: Vec<IndicatorScore>,
    pub total: Option<f64>,
    pub max: f64,
    /// Only with at least `scorecard::MIN_INDICATORS_FOR_BAND` indicators with data.
    pub total18: Option<f64>,
    pub band: Option<Band>,
    /// All nine indicators have data: `total` is the official total out of 18.
    pub official: bool,
    pub measures_766: Vec<Measure766View>,
    pub target_766: f64,
    pub points_766: Option<f64>,
    pub max_766: f64,
    pub sample: SampleTarget,
}

/// Feedback figures of a unit's subtree (766 measures 5.2 and 5.3).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FeedbackFigures {
    pub received: u64,
    pub answered: u64,
    pub on_time_pct: Option<f64>,
    pub satisfaction_pct: Option<f64>,
    pub avg_working_days: Option<f64>,
}

/// The printable quarterly report of a unit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuarterReport {
    pub code: String,
    pub name: Localized,
    pub kind: AgencyKind,
    /// `2026-Q3`.
    pub quarter: String,
    pub period: Period,
    /// Quarters the report can be made for, newest first.
    pub quarters: Vec<String>,
    pub questionnaire: Localized,
    pub overall: IndexFigure,
    pub elements: Vec<crate::dto::CodedFigure>,
    pub criteria: Vec<crate::dto::CodedFigure>,
    pub months: Trend,
    pub change: Option<Change>,
    pub targets: Targets,
    pub children: Vec<crate::dto::TreeRow>,
    pub activity: ActivitySummary,
    pub feedback: FeedbackFigures,
    pub scorecards: Scorecards,
    pub made_at: DateTime<Utc>,
    pub low_sample_below: u64,
}

/// One unit on the public scoreboard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScoreRow {
    pub code: String,
    pub name: Localized,
    pub kind: AgencyKind,
    pub figure: IndexFigure,
    /// The last four quarters, oldest first.
    pub trend: Vec<TrendPoint>,
    pub rank: Option<(usize, usize)>,
    pub feedback: FeedbackFigures,
}

/// The public scoreboard of one level of the tree: the top units, or the children of one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scoreboard {
    /// The unit whose children are listed, with its own row; none at the top.
    pub unit: Option<ScoreRow>,
    pub parent: Option<(String, Localized)>,
    pub targets: Targets,
    pub period: Period,
    pub rows: Vec<ScoreRow>,
    pub low_sample_below: u64,
}

/// An export as its page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportView {
    pub id: i64,
    pub unit: Localized,
    pub kind: String,
    pub format: String,
    pub status: String,
    pub rows_total: u64,
    pub rows_done: u64,
    pub bytes: u64,
    pub error: String,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub period: Period,
}

/// A unit's breakdown by element and criterion.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AgencyReport {
    pub code: String,
    pub name: Localized,
    pub kind: AgencyKind,
    pub parent: Option<(String, Localized)>,
    pub period: Period,
    pub rollup: crate::sipas::Rollup,
    pub basis: crate::integrity::Basis,
    pub questionnaire: String,
    pub questionnaires: Vec<crate::dto::QuestionnaireChoice>,
    pub low_sample_below: u64,
    pub overall: IndexFigure,
    /// Empty unless `detailed`.
    pub elements: Vec<crate::dto::CodedFigure>,
    pub criteria: Vec<crate::dto::CodedFigure>,
    /// Whether the viewer may see the breakdown (staff of the unit's subtree).
    pub detailed: bool,
    /// Staff only: ratings of the subtree in the period, all of them.
    pub total_responses: u64,
    /// Staff only: flags raised in the subtree in the period.
    pub flags: Vec<crate::dto::FlagCount>,
    /// Staff only: the counters of the subtree.
    pub activity: Vec<crate::dto::CounterActivity>,
    pub children: Vec<crate::dto::TreeRow>,
    pub counters: Vec<crate::dto::CounterView>,
    pub trend: Trend,
    pub targets: Targets,
    pub change: Option<Change>,
    pub ranking: Ranking,
    /// For staff of the unit's subtree only.
    pub staff: Option<StaffAnalytics>,
}
