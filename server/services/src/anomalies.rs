//! Counter anomalies, checked by the hourly alert sweep: a counter whose share of all-top
//! ratings today stands far above its own eight weeks before (the rule is
//! `domain::anomaly`). The alert (`counter_anomaly:{counter id}`, one open per counter) is
//! raised on the counter's unit and told to that unit's administrators *and* to its parent
//! unit's: the unit's own staff may be the ones adding the ratings. It stays open for the rest
//! of the day it was confirmed on and closes at the first check of a later day that no longer
//! finds it.
//!
//! Only unflagged ratings are looked at (those that count in the default index; flagged ones
//! are already shown as such). Each questionnaire is judged apart, since a kiosk's single
//! smiley is all-top far more often than a 16-question form: a day when more people use the
//! tablet is not an anomaly.

use crate::{alert_targets::Targets, clock::now, outbox};
use crate::{
    entity::{agency, counter, index_alert, instrument, instrument_criterion, response, response_answer},
    state::AppState,
};
use chrono::{Days, NaiveDate};
use domain::{
    anomaly::{self, BASELINE_DAYS, DayCount, Evidence, MIN_TODAY},
    error::AppError,
    period::{Period, vn_date},
    scale::Scale,
};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, SqlErr, TransactionTrait,
    sea_query::{Expr, ExprTrait, Query},
};
use std::collections::{BTreeMap, HashMap};

/// The alert kind's prefix; the counter's id follows.
pub const KIND_PREFIX: &str = "counter_anomaly:";

/// Outbox purpose of the notifications.
pub const PURPOSE: &str = "counter_anomaly";

/// Counters judged per query of the daily counts.
const CHUNK: usize = 50;

pub fn kind_of(counter_id: i64) -> String {
    format!("{KIND_PREFIX}{counter_id}")
}

/// The counter an alert kind is about, if it is a counter anomaly.
pub fn counter_of(kind: &str) -> Option<i64> {
    kind.strip_prefix(KIND_PREFIX)?.parse().ok()
}

/// One counter's anomaly today: the questionnaire (family code) it was seen on, and the
/// evidence.
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    pub counter_id: i64,
    pub family: String,
    pub evidence: Evidence,
}

/// What the check did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Checked {
    /// Counters with enough ratings today to be judged.
    pub counters: usize,
    pub opened: usize,
    pub closed: usize,
}

/// The anomalies of `today`: counters with at least [`MIN_TODAY`] unflagged responses today
/// (one grouped count over today's responses), then, for those only, every rating of the
/// [`BASELINE_DAYS`] before and today, reduced to (ratings, all-top) per day and questionnaire.
/// When a counter is anomalous on several questionnaires, the strongest evidence is kept.
pub async fn find(db: &impl ConnectionTrait, today: NaiveDate) -> Result<(usize, Vec<Found>), AppError> {
    let day = Period { from: today, to: today };
    let busy: Vec<i64> = response::Entity::find()
        .select_only()
        .column(response::Column::CounterId)
        .filter(response::Column::SubmittedAt.gte(day.start_utc()))
        .filter(response::Column::SubmittedAt.lt(day.end_utc()))
        .filter(response::Column::Flags.eq(""))
        .group_by(response::Column::CounterId)
        .having(Expr::col(response::Column::Id).count().gte(i64::from(MIN_TODAY)))
        .into_tuple::<i64>()
        .all(db)
        .await?;
    let from = today.checked_sub_days(Days::new(u64::from(BASELINE_DAYS))).unwrap_or(today);
    let span = Period { from, to: today };
    let mut best: BTreeMap<i64, Found> = BTreeMap::new();
    for chunk in busy.chunks(CHUNK) {
        for ((counter_id, family), days) in daily_counts(db, chunk, &span).await? {
            let today_count = days.get(&today).copied().unwrap_or_default();
            let past: Vec<DayCount> = days.iter().filter(|(d, _)| **d < today).map(|(_, c)| *c).collect();
            let Some(evidence) = anomaly::check(today_count, &past) else { continue };
            if best.get(&counter_id).is_none_or(|f| f.evidence.z < evidence.z) {
                best.insert(counter_id, Found { counter_id, family, evidence });
            }
        }
    }
    Ok((busy.len(), best.into_values().collect()))
}

/// Ratings and all-top ratings per (counter, questionnaire family) and Vietnam day, from the
/// raw responses. One row per response: how many rating questions it answered and how many of
/// those at the top of their scale.
async fn daily_counts(
    db: &impl ConnectionTrait,
    counters: &[i64],
    span: &Period,
) -> Result<HashMap<(i64, String), BTreeMap<NaiveDate, DayCount>>, AppError> {
    let ratings: Vec<Scale> = Scale::ALL.into_iter().filter(|s| s.is_rating()).collect();
    // The scales' names and sizes are the product's own constants, never user input.
    let at_top = ratings
        .iter()
        .map(|s| format!("(instrument_criterion.scale = '{}' AND response_answer.value = {})", s.as_str(), s.max()))
        .collect::<Vec<_>>()
        .join(" OR ");
    let stmt = Query::select()
        .column((response::Entity, response::Column::Id))
        .column((response::Entity, response::Column::CounterId))
        .column((response::Entity, response::Column::SubmittedAt))
        .column((instrument::Entity, instrument::Column::Code))
        .expr_as(Expr::cust("COUNT(*)"), "answered")
        .expr_as(Expr::cust(format!("SUM(CASE WHEN {at_top} THEN 1 ELSE 0 END)")), "top")
        .from(response::Entity)
        .inner_join(
            response_answer::Entity,
            Expr::col((response_answer::Entity, response_answer::Column::ResponseId))
                .equals((response::Entity, response::Column::Id)),
        )
        .inner_join(
            instrument_criterion::Entity,
            Expr::col((instrument_criterion::Entity, instrument_criterion::Column::Id))
                .equals((response_answer::Entity, response_answer::Column::CriterionId)),
        )
        .inner_join(
            instrument::Entity,
            Expr::col((instrument::Entity, instrument::Column::Id))
                .equals((response::Entity, response::Column::InstrumentId)),
        )
        .and_where(Expr::col((response::Entity, response::Column::CounterId)).is_in(counters.iter().copied()))
        .and_where(Expr::col((response::Entity, response::Column::SubmittedAt)).gte(span.start_utc()))
        .and_where(Expr::col((response::Entity, response::Column::SubmittedAt)).lt(span.end_utc()))
        .and_where(Expr::col((response::Entity, response::Column::Flags)).eq(""))
        .and_where(Expr::col((response_answer::Entity, response_answer::Column::Value)).is_not_null())
        .and_where(
            Expr::col((instrument_criterion::Entity, instrument_criterion::Column::Scale))
                .is_in(ratings.iter().map(|s| s.as_str())),
        )
        .group_by_col((response::Entity, response::Column::Id))
        .group_by_col((response::Entity, response::Column::CounterId))
        .group_by_col((response::Entity, response::Column::SubmittedAt))
        .group_by_col((instrument::Entity, instrument::Column::Code))
        .to_owned();
    let mut out: HashMap<(i64, String), BTreeMap<NaiveDate, DayCount>> = HashMap::new();
    for row in db.query_all(&stmt).await? {
        let counter_id: i64 = row.try_get("", "counter_id")?;
        let at: chrono::DateTime<chrono::Utc> = row.try_get("", "submitted_at")?;
        let family: String = row.try_get("", "code")?;
        let answered: i64 = row.try_get("", "answered")?;
        let top: i64 = row.try_get("", "top")?;
        if answered == 0 {
            continue;
        }
        out.entry((counter_id, family)).or_default().entry(vn_date(at)).or_default().add(top == answered);
    }
    Ok(out)
}

/// Runs the check for today: opens an alert (and queues its notifications) for each new
/// anomaly, refreshes the figures of those still open, and closes those not confirmed today.
pub(crate) async fn sweep(state: &AppState, units: &[agency::Model], targets: &Targets) -> Result<Checked, AppError> {
    let db = &state.db;
    let today = vn_date(now());
    let (counters, found) = find(db, today).await?;
    let open: HashMap<String, index_alert::Model> = index_alert::Entity::find()
        .filter(index_alert::Column::ClosedAt.is_null())
        .filter(index_alert::Column::Kind.starts_with(KIND_PREFIX))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.kind.clone(), a))
        .collect();
    let mut checked = Checked { counters, ..Default::default() };
    let by_id: HashMap<i64, &agency::Model> = units.iter().map(|a| (a.id, a)).collect();
    let ids: Vec<i64> = found.iter().map(|f| f.counter_id).collect();
    let counter_rows: HashMap<i64, counter::Model> = if ids.is_empty() {
        HashMap::new()
    } else {
        counter::Entity::find()
            .filter(counter::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect()
    };
    let mut seen = Vec::new();
    for f in &found {
        let kind = kind_of(f.counter_id);
        seen.push(kind.clone());
        let e = &f.evidence;
        if let Some(a) = open.get(&kind) {
            let mut row: index_alert::ActiveModel = a.clone().into();
            row.value = Set(e.today_share * 100.0);
            row.reference = Set(e.baseline_mean * 100.0);
            row.n = Set(i64::from(e.today_n));
            row.checked_at = Set(now());
            row.update(db).await?;
            continue;
        }
        let Some(c) = counter_rows.get(&f.counter_id) else { continue };
        let Some(unit) = by_id.get(&c.agency_id).copied() else { continue };
        let parent = unit.parent_id.filter(|p| *p != unit.id).and_then(|p| by_id.get(&p).copied());
        let family = instrument::Entity::find()
            .filter(instrument::Column::Code.eq(f.family.as_str()))
            .one(db)
            .await?
            .map(|i| (i.name_vi, i.name_en))
            .unwrap_or_else(|| (f.family.clone(), f.family.clone()));
        let notice = Notice { state, unit, parent, counter: c, family: &family, evidence: e, today };
        if open_alert(&notice, targets).await? {
            checked.opened += 1;
        }
    }
    for (kind, a) in &open {
        // Not found now, and last confirmed on an earlier day: the anomaly has passed.
        if seen.contains(kind) || vn_date(a.checked_at) >= today {
            continue;
        }
        let closed = index_alert::Entity::update_many()
            .col_expr(index_alert::Column::ClosedAt, Expr::value(now()))
            .filter(index_alert::Column::Id.eq(a.id))
            .filter(index_alert::Column::ClosedAt.is_null())
            .exec(db)
            .await?;
        checked.closed += usize::try_from(closed.rows_affected).unwrap_or(0);
    }
    Ok(checked)
}

/// Everything a notification says.
struct Notice<'a> {
    state: &'a AppState,
    unit: &'a agency::Model,
    parent: Option<&'a agency::Model>,
    counter: &'a counter::Model,
    /// The questionnaire's name (Vietnamese, English).
    family: &'a (String, String),
    evidence: &'a Evidence,
    today: NaiveDate,
}

/// Opens the alert and queues its notifications in one transaction: one kept for (or sent to
/// the alert addresses of) the parent unit, one for the unit itself. Another server opening the
/// same alert at the same moment hits the unique index, and this one then does nothing.
async fn open_alert(notice: &Notice<'_>, targets: &Targets) -> Result<bool, AppError> {
    let state = notice.state;
    let e = notice.evidence;
    let _writer = state.write_guard().await;
    let txn = state.db.begin().await?;
    let inserted = index_alert::ActiveModel {
        agency_id: Set(notice.unit.id),
        kind: Set(kind_of(notice.counter.id)),
        opened_at: Set(now()),
        closed_at: Set(None),
        value: Set(e.today_share * 100.0),
        reference: Set(e.baseline_mean * 100.0),
        n: Set(i64::from(e.today_n)),
        checked_at: Set(now()),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    match inserted {
        Ok(_) => {}
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => return Ok(false),
        Err(err) => return Err(err.into()),
    }
    let (subject, body) = message(notice);
    // The parent's addresses are set by the parent's administrators (or above), never by the
    // unit's own; an address both would receive gets the parent's copy only.
    let parent_to = notice.parent.map(|p| addresses(&targets.of(p.id).1)).unwrap_or_default();
    let unit_to: Vec<String> =
        addresses(&targets.of(notice.unit.id).1).into_iter().filter(|a| !parent_to.contains(a)).collect();
    let mut recipients: Vec<(i64, &[String])> = vec![(notice.unit.id, unit_to.as_slice())];
    if let Some(p) = notice.parent {
        recipients.push((p.id, parent_to.as_slice()));
    }
    for (unit, to) in recipients {
        if to.is_empty() {
            // Kept for the unit's administrators (and those above) at /quan-tri/thu-di.
            outbox::to_staff(&txn, &state.settings, "", &subject, &body, Some(unit), PURPOSE).await?;
        }
        for address in to {
            outbox::to_staff(&txn, &state.settings, address, &subject, &body, Some(unit), PURPOSE).await?;
        }
    }
    txn.commit().await?;
    Ok(true)
}

fn addresses(list: &str) -> Vec<String> {
    list.split(',').map(str::trim).filter(|a| !a.is_empty()).map(str::to_owned).collect()
}

/// The notification's subject and body, Vietnamese first, then English, with the evidence.
fn message(n: &Notice<'_>) -> (String, String) {
    let e = n.evidence;
    let vi_num = |v: f64| format!("{v:.1}").replace('.', ",");
    let link = format!(
        "{}/dashboard/{}?from={day}&to={day}",
        n.state.settings.public_url.trim_end_matches('/'),
        n.unit.code,
        day = n.today.format("%Y-%m-%d")
    );
    let (share, mean, sd) = (e.today_share * 100.0, e.baseline_mean * 100.0, e.baseline_sd * 100.0);
    let date = n.today.format("%d/%m/%Y");
    let told_vi = match n.parent {
        Some(p) => format!("quản trị viên của {} và của đơn vị cấp trên {}", n.unit.name_vi, p.name_vi),
        None => format!("quản trị viên của {}", n.unit.name_vi),
    };
    let told_en = match n.parent {
        Some(p) => format!("the administrators of {} and of the unit above it, {}", n.unit.name_en, p.name_en),
        None => format!("the administrators of {}", n.unit.name_en),
    };
    let counter = format!("{} ({})", n.counter.name, n.counter.code);
    let subject = format!("[Ý Dân] Cảnh báo đánh giá bất thường tại quầy {counter} – {}", n.unit.name_vi);
    let body = format!(
        "{unit_vi} – quầy {counter}\n\n\
         Hôm nay ({date}) quầy nhận {today_n} phiếu đánh giá ({family_vi}); {share_vi}% trong số đó chọn mức cao nhất ở mọi câu hỏi.\n\
         Trong 8 tuần trước, tỷ lệ này trung bình là {mean_vi}% ± {sd_vi}% (độ lệch chuẩn, tính trên {days} ngày có từ {min_day} phiếu trở lên).\n\
         Mức hôm nay cao hơn mức trung bình {z_vi} lần độ lệch (ngưỡng cảnh báo: {threshold}).\n\
         Đây có thể là dấu hiệu phiếu đánh giá bị tạo thêm (kể cả do chính cán bộ của đơn vị). Các phiếu vẫn được giữ nguyên; đề nghị kiểm tra.\n\
         Thông báo này được gửi tới {told_vi}.\n\
         Xem chi tiết: {link}\n\n\
         ---\n\
         {unit_en} – counter {counter}\n\n\
         Today ({date}) the counter received {today_n} ratings ({family_en}); {share:.1}% of them gave the top mark on every question.\n\
         Over the 8 weeks before, this share averaged {mean:.1}% ± {sd:.1}% (standard deviation, over {days} days with at least {min_day} ratings).\n\
         Today's share is {z:.1} standard deviations above the average (alert threshold: {threshold}).\n\
         This may mean ratings are being added dishonestly (possibly by the unit's own staff). The ratings are kept as they are; please look into it.\n\
         This notice goes to {told_en}.\n\
         Details: {link}\n",
        unit_vi = n.unit.name_vi,
        unit_en = n.unit.name_en,
        today_n = e.today_n,
        family_vi = n.family.0,
        family_en = n.family.1,
        share_vi = vi_num(share),
        mean_vi = vi_num(mean),
        sd_vi = vi_num(sd),
        days = e.baseline_days,
        min_day = anomaly::MIN_DAY_RATINGS,
        z_vi = vi_num(e.z),
        z = e.z,
        threshold = anomaly::Z_THRESHOLD,
    );
    (subject, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_name_their_counter() {
        assert_eq!(kind_of(42), "counter_anomaly:42");
        assert_eq!(counter_of("counter_anomaly:42"), Some(42));
        assert_eq!(counter_of("below_floor"), None);
        assert_eq!(counter_of("counter_anomaly:x"), None);
    }

    #[test]
    fn alert_addresses_are_split_and_trimmed() {
        assert_eq!(addresses(" a@x.vn, b@x.vn ,,"), vec!["a@x.vn".to_owned(), "b@x.vn".to_owned()]);
        assert!(addresses("").is_empty());
    }
}
