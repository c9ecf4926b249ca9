//! The TT 01/2018 scorecard and the 766 satisfaction group of a unit's subtree for a period,
//! from what the platform holds (domain notes §2.3–2.4, rules in `domain::scorecard`):
//!
//! - indicators 1, 3, 4 and 7: citizens' answers to the questions of the TT 01/2018 form
//!   (`TT01.1` …), one per dossier, from the pre-aggregated answers per option;
//! - indicator 8: the unit's feedback cases (answered on time, raised again);
//! - indicators 2, 5, 6 and 9 live in the one-stop system and the unit's records: marked as
//!   not available and left out of the total, as Art. 15 says for indicators without data;
//! - 766 measures 5.2 and 5.3 from the feedback cases, 5.4 from the survey responses
//!   (dissatisfied ratings; overdue dossiers are not known to the platform and count as none).

use crate::entity::instrument_criterion;
use crate::{cases, rollups};
use domain::{
    buckets,
    dto::analytics::{Measure766View, SampleTarget, Scorecards},
    error::AppError,
    integrity::Basis,
    period::{Period, vn_date},
    scorecard::{self, Indicator, IndicatorScore, Measure766, Rules766, Scorecard, Source},
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use std::collections::HashMap;

/// The scorecards of the units `subtree` over `period`, on the basis `basis`.
pub async fn compute(
    db: &impl ConnectionTrait,
    rules: &Rules766,
    subtree: &[i64],
    period: &Period,
    basis: Basis,
    sample: SampleTarget,
) -> Result<Scorecards, AppError> {
    let runs = buckets::runs(period, vn_date(crate::clock::now()));
    // Answers per option of each TT 01/2018 question, whatever questionnaire version asked it.
    let codes: Vec<&str> = Indicator::ALL.iter().filter_map(|i| i.question_code()).collect();
    let questions = instrument_criterion::Entity::find()
        .filter(instrument_criterion::Column::Code.is_in(codes))
        .filter(instrument_criterion::Column::Scale.eq("choice"))
        .all(db)
        .await?;
    let code_of: HashMap<i64, String> = questions.iter().map(|c| (c.id, c.code.clone())).collect();
    let mut instruments: Vec<i64> = questions.iter().map(|c| c.instrument_id).collect();
    instruments.sort_unstable();
    instruments.dedup();
    let grouping = rollups::Grouping { by: rollups::By::All, per_bucket: false, with_below: false };
    let counts = rollups::index_counts(db, &runs, &instruments, subtree, basis, grouping).await?;
    // (points, dossiers) per question code.
    let mut answered: HashMap<&str, (u64, u64)> = HashMap::new();
    for c in &counts {
        let Some(code) = code_of.get(&c.item) else { continue };
        let option = u8::try_from(c.level - rollups::LEVEL_CHOICE).ok();
        let Some(points) = option.and_then(scorecard::points_of_option) else { continue };
        let slot = answered.entry(code.as_str()).or_default();
        slot.0 += u64::from(points) * c.n;
        slot.1 += c.n;
    }
    let (start, end) = (period.start_utc(), period.end_utc());
    // Feedback on procedures and staff conduct only (TT 01 indicator 8, 766 group 5): 5.2 and
    // indicator 8 over the cases submitted in the period, 5.3 over those first received in it.
    let official = |basis| async move {
        let mut sum = cases::CaseCounts::default();
        for c in cases::case_counts(db, Some(subtree), start, end, basis).await?.values() {
            sum.add(c);
        }
        Ok::<_, AppError>(sum)
    };
    let feedback = official(cases::CaseBasis::OfficialSubmitted).await?;
    let received = official(cases::CaseBasis::OfficialReceived).await?;
    let indicators: Vec<IndicatorScore> = Indicator::ALL
        .iter()
        .map(|&indicator| match (indicator, indicator.question_code()) {
            (_, Some(code)) => {
                let (points, n) = answered.get(code).copied().unwrap_or((0, 0));
                IndicatorScore { indicator, source: Source::Citizens, score: scorecard::indicator_score(points, n), n }
            }
            (Indicator::Feedback, None) => IndicatorScore {
                indicator,
                source: Source::Feedback,
                score: scorecard::feedback_points(feedback.received, feedback.on_time, feedback.reraised)
                    .map(f64::from),
                n: feedback.received,
            },
            _ => IndicatorScore { indicator, source: Source::NotAvailable, score: None, n: 0 },
        })
        .collect();
    let card = Scorecard::from_scores(indicators);

    // 5.4: responses of every questionnaire, kiosk presses included, on the same basis.
    let (mut dossiers, mut unhappy) = (0u64, 0u64);
    for r in rollups::activity_counts(db, &runs, subtree).await? {
        let counted = match basis {
            Basis::All => true,
            Basis::Unflagged => r.flags.is_empty(),
            Basis::Verified => r.verified,
        };
        if r.source != rollups::TICKET_SOURCE && counted {
            dossiers += r.n;
            unhappy += r.dissatisfied;
        }
    }
    let rates = [
        (
            Measure766::FeedbackOnTime,
            (feedback.received > 0).then(|| feedback.on_time as f64 * 100.0 / feedback.received as f64),
            feedback.received,
        ),
        (
            Measure766::FeedbackSatisfaction,
            scorecard::feedback_satisfaction(received.received, received.unhappy),
            received.received,
        ),
        (Measure766::DossierSatisfaction, scorecard::dossier_satisfaction(dossiers, 0, unhappy), dossiers),
    ];
    let measures: Vec<Measure766View> = rates
        .into_iter()
        .map(|(measure, rate, n)| Measure766View {
            measure,
            rate,
            points: rules.points(measure, rate),
            max_points: rules.max_points[measure as usize],
            n,
        })
        .collect();
    let with_points: Vec<f64> = measures.iter().filter_map(|m| m.points).collect();
    Ok(Scorecards {
        total: card.total,
        max: card.max,
        total18: card.total18,
        band: card.band,
        official: card.official,
        indicators: card.indicators,
        points_766: (!with_points.is_empty()).then(|| with_points.iter().sum()),
        max_766: rules.max_points.iter().sum(),
        target_766: rules.target,
        measures_766: measures,
        sample,
    })
}
