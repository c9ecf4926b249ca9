//! What is published: answered cases on `/cong-khai`, the counts behind the scoreboards and
//! reports, and the photos of published cases.

use super::common::*;

/// The public disclosure page: published answers (hidden cases never; hidden photos never),
/// filtered by unit (with its subtree), kind, category and period of publication, with each
/// unit's figures for cases received in the period. The period is capped at a year
/// (`Period::capped_for_public`); the answers are counted and paged by the database
/// (`DISCLOSURE_PAGE_SIZE` a page) and the figures are counted by it too (`case_counts`).
pub async fn disclosure(
    db: &impl ConnectionTrait,
    filter: domain::dto::feedback::DisclosureFilter,
    period: domain::period::Period,
) -> Result<domain::dto::feedback::Disclosure, AppError> {
    use domain::dto::feedback::DISCLOSURE_PAGE_SIZE;
    // Anyone may ask: at most a year at once, ending today at the latest.
    let (period, period_capped) = period.capped_for_public(vn_date(now()));
    let units = agencies::all(db).await?;
    let by_id: HashMap<i64, &agency::Model> = units.iter().map(|u| (u.id, u)).collect();
    let cats = categories(db).await?;
    let (start, end) = (period.start_utc(), period.end_utc());
    let subtree = match filter.agency.trim() {
        "" => None,
        code => {
            let unit = units.iter().find(|u| u.code == code).ok_or(ErrorCode::AgencyNotFound)?;
            Some(access::subtree(&units, unit.id).into_iter().collect::<Vec<i64>>())
        }
    };
    let mut q = feedback_case::Entity::find()
        .filter(feedback_case::Column::Hidden.eq(false))
        .filter(feedback_case::Column::PublishedAt.is_not_null())
        .filter(feedback_case::Column::PublishedAt.gte(start))
        .filter(feedback_case::Column::PublishedAt.lt(end));
    if let Some(ids) = &subtree {
        q = q.filter(feedback_case::Column::AgencyId.is_in(ids.clone()));
    }
    if let Some(k) = Kind::parse(&filter.kind) {
        q = q.filter(feedback_case::Column::Kind.eq(k.code()));
    }
    if let Some(c) = cats.iter().find(|c| c.code == filter.category) {
        q = q.filter(feedback_case::Column::CategoryId.eq(c.id));
    }
    let total = q.clone().count(db).await?;
    let pages = total.div_ceil(DISCLOSURE_PAGE_SIZE).max(1);
    let page = filter.page.trim().parse::<u64>().unwrap_or(1).clamp(1, pages);
    let rows = q
        .order_by_desc(feedback_case::Column::PublishedAt)
        .order_by_desc(feedback_case::Column::Id)
        .offset((page - 1) * DISCLOSURE_PAGE_SIZE)
        .limit(DISCLOSURE_PAGE_SIZE)
        .all(db)
        .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut photos = visible_photos(db, ids).await?;
    let cat_names: HashMap<i64, Localized> =
        cats.iter().map(|c| (c.id, Localized::new(&c.name_vi, &c.name_en))).collect();
    let unknown = || Localized::new("", "");
    let cases = rows
        .into_iter()
        .map(|c| domain::dto::feedback::PublicCase {
            photos: photos.remove(&c.id).unwrap_or_default(),
            tracking_code: c.tracking_code,
            kind: c.kind,
            category: cat_names.get(&c.category_id).cloned().unwrap_or_else(unknown),
            agency: by_id.get(&c.agency_id).map(|a| name(a)).unwrap_or_else(unknown),
            submitted_at: c.submitted_at,
            published_at: c.published_at,
            // Shown to everyone: personal numbers the resident (or officer) typed are masked.
            description: mask_personal_numbers(&c.description),
            answer: c.answer_text.as_deref().map(mask_personal_numbers),
        })
        .collect();
    let figures = figures(db, &units, subtree.as_deref(), start, end).await?;
    Ok(domain::dto::feedback::Disclosure {
        cases,
        total,
        page,
        pages,
        period_capped,
        figures,
        from: period.from,
        to: period.to,
        filter,
        categories: cats.iter().map(category_option).collect(),
        units: unit_options(&units, vn_date(now())),
    })
}

/// What the feedback figures of a unit count, for cases received in a period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CaseCounts {
    pub received: u64,
    pub answered: u64,
    /// Answered (or rejected) by the deadline, or still within it (766 measure 5.2).
    pub on_time: u64,
    /// Rated unsatisfactory, raised again, or late, each case once (766 measure 5.3).
    pub unhappy: u64,
    /// Raised again by the resident after the answer.
    pub reraised: u64,
    /// Working days from submission to answer, summed over the answered cases.
    pub days: u64,
}

impl CaseCounts {
    pub fn add(&mut self, o: &CaseCounts) {
        self.received += o.received;
        self.answered += o.answered;
        self.on_time += o.on_time;
        self.unhappy += o.unhappy;
        self.reraised += o.reraised;
        self.days += o.days;
    }

    pub fn figures(&self) -> domain::dto::analytics::FeedbackFigures {
        let pct = |n: u64, d: u64| (d > 0).then(|| n as f64 * 100.0 / d as f64);
        domain::dto::analytics::FeedbackFigures {
            received: self.received,
            answered: self.answered,
            on_time_pct: pct(self.on_time, self.received),
            satisfaction_pct: domain::scorecard::feedback_satisfaction(self.received, self.unhappy),
            avg_working_days: (self.answered > 0).then(|| self.days as f64 / self.answered as f64),
        }
    }
}

/// Which cases a count covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseBasis {
    /// Every case submitted in the period (the public figures and dashboards).
    Submitted,
    /// Cases about procedures or staff conduct submitted in the period: what TT 01/2018
    /// indicator 8 and QĐ 766 measure 5.2 count (not on-site problems or proposals).
    OfficialSubmitted,
    /// The same kinds, first received by an officer in the period: the denominator of QĐ 766
    /// measure 5.3 (cases never received are left out).
    OfficialReceived,
}

/// Per unit, the counts of the cases of `basis` in [start, end) (of the units `only`, or all).
///
/// Counted by the database (`GROUP BY` unit): no case row reaches the server. The working days
/// to answer depend on the holiday calendar, so the answered cases are grouped by unit, day
/// received and day answered (in Vietnam), and each group's days are counted here: a few
/// hundred rows per unit for a year, however many cases it holds.
pub async fn case_counts(
    db: &impl ConnectionTrait,
    only: Option<&[i64]>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    basis: CaseBasis,
) -> Result<HashMap<i64, CaseCounts>, AppError> {
    use feedback_case::Column as C;
    use sea_orm::sea_query::{ExprTrait, Func};
    let at = now();
    let in_period = || {
        let official = [Kind::Procedure.code(), Kind::Conduct.code()];
        let mut c = match basis {
            CaseBasis::Submitted => Condition::all().add(C::SubmittedAt.gte(start)).add(C::SubmittedAt.lt(end)),
            CaseBasis::OfficialSubmitted => {
                Condition::all().add(C::SubmittedAt.gte(start)).add(C::SubmittedAt.lt(end)).add(C::Kind.is_in(official))
            }
            CaseBasis::OfficialReceived => Condition::all()
                .add(C::ReceivedAt.is_not_null())
                .add(C::ReceivedAt.gte(start))
                .add(C::ReceivedAt.lt(end))
                .add(C::Kind.is_in(official)),
        };
        if let Some(ids) = only {
            c = c.add(C::AgencyId.is_in(ids.to_vec()));
        }
        c
    };
    // Handled: answered, or rejected (closed without an answer); on time when handled by the
    // deadline, or not handled and still within it (766 measure 5.2).
    let rejected = Condition::all()
        .add(C::AnsweredAt.is_null())
        .add(C::Status.eq(Status::Rejected.code()))
        .add(C::ClosedAt.is_not_null());
    let on_time = Condition::any()
        .add(
            Condition::all()
                .add(C::AnsweredAt.is_not_null())
                .add(Expr::col(C::AnsweredAt).lte(Expr::col(C::AnswerDueAt))),
        )
        .add(rejected.clone().add(Expr::col(C::ClosedAt).lte(Expr::col(C::AnswerDueAt))))
        .add(Condition::all().add(C::AnsweredAt.is_null()).add(rejected.not()).add(C::AnswerDueAt.gte(at)));
    // Rated unsatisfactory, raised again, or late, each case once (766 measure 5.3).
    let unhappy = Condition::any()
        .add(on_time.clone().not())
        .add(C::Rating.eq(Rating::NotSatisfied.code()))
        .add(C::ReopenedCount.gt(0));
    let sum = |c: Condition| Expr::from(Func::sum(Expr::case(c, 1).finally(0)));
    let count = || Expr::from(Func::count(Expr::col(C::Id)));
    let rows: Vec<(i64, i64, i64, i64, i64, i64)> = feedback_case::Entity::find()
        .select_only()
        .column(C::AgencyId)
        .column_as(count(), "received")
        .column_as(sum(Condition::all().add(C::AnsweredAt.is_not_null())), "answered")
        .column_as(sum(on_time), "on_time")
        .column_as(sum(Condition::all().add(C::ReopenedCount.gt(0))), "reraised")
        .column_as(sum(unhappy), "unhappy")
        .filter(in_period())
        .group_by(C::AgencyId)
        .into_tuple()
        .all(db)
        .await?;
    let mut acc: HashMap<i64, CaseCounts> = rows
        .into_iter()
        .map(|(agency, received, answered, on_time, reraised, unhappy)| {
            let n = |v: i64| u64::try_from(v).unwrap_or(0);
            let counts = CaseCounts {
                received: n(received),
                answered: n(answered),
                on_time: n(on_time),
                unhappy: n(unhappy),
                reraised: n(reraised),
                days: 0,
            };
            (agency, counts)
        })
        .collect();
    // The day in Vietnam (UTC+7, no daylight saving) of a stored instant, as `YYYY-MM-DD`.
    let vn_day = |col: &str| match db.get_database_backend() {
        sea_orm::DbBackend::Sqlite => format!("date({col}, '+7 hours')"),
        _ => format!("to_char(({col} AT TIME ZONE 'UTC') + INTERVAL '7 hours', 'YYYY-MM-DD')"),
    };
    let (received_day, answered_day) = (vn_day("submitted_at"), vn_day("answered_at"));
    let days: Vec<(i64, String, String, i64)> = feedback_case::Entity::find()
        .select_only()
        .column(C::AgencyId)
        .column_as(Expr::cust(received_day.clone()), "received_day")
        .column_as(Expr::cust(answered_day.clone()), "answered_day")
        .column_as(count(), "n")
        .filter(in_period())
        .filter(C::AnsweredAt.is_not_null())
        .group_by(C::AgencyId)
        .group_by(Expr::cust(received_day))
        .group_by(Expr::cust(answered_day))
        .into_tuple()
        .all(db)
        .await?;
    if !days.is_empty() {
        let cal = calendar::calendar(db).await?;
        for (agency, received, answered, n) in days {
            let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(AppError::internal);
            let working = cal.working_days_between_dates(day(&received)?, day(&answered)?);
            acc.entry(agency).or_default().days += u64::from(working) * u64::try_from(n).unwrap_or(0);
        }
    }
    Ok(acc)
}

/// Per unit, for cases received in [start, end): received, answered, 766 measures 5.2 and
/// 5.3, and the mean working days from submission to answer.
async fn figures(
    db: &impl ConnectionTrait,
    units: &[agency::Model],
    only: Option<&[i64]>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<Vec<domain::dto::feedback::AgencyFigures>, AppError> {
    let acc = case_counts(db, only, start, end, CaseBasis::Submitted).await?;
    let mut out: Vec<domain::dto::feedback::AgencyFigures> = acc
        .into_iter()
        .filter_map(|(id, a)| {
            let unit = units.iter().find(|u| u.id == id)?;
            let f = a.figures();
            Some(domain::dto::feedback::AgencyFigures {
                code: unit.code.clone(),
                agency: name(unit),
                received: f.received,
                answered: f.answered,
                on_time_pct: f.on_time_pct,
                satisfaction_pct: f.satisfaction_pct,
                avg_working_days: f.avg_working_days,
            })
        })
        .collect();
    out.sort_by(|a, b| b.received.cmp(&a.received).then(a.code.cmp(&b.code)));
    Ok(out)
}

/// A photo's JPEG (or thumbnail) if the asker may see it: anyone once the case is published
/// (unless the case or the photo is hidden); the citizen with the private key; officers who
/// may see the case.
pub async fn photo(
    db: &impl ConnectionTrait,
    id: i64,
    thumb: bool,
    key: Option<&str>,
    user: Option<&CurrentUser>,
) -> Result<Vec<u8>, AppError> {
    let p = case_photo::Entity::find_by_id(id).one(db).await?.ok_or(ErrorCode::NotFound)?;
    let c = feedback_case::Entity::find_by_id(p.case_id).one(db).await?.ok_or(ErrorCode::NotFound)?;
    let officer = match user {
        Some(u) if u.role != Role::Viewer => may_see(&access::scope_of(db, u).await?, &c),
        _ => false,
    };
    let citizen = key.is_some_and(|k| !k.is_empty() && secrets_match(&c.access_hash, &sha256_hex(k)));
    let public = c.published_at.is_some() && !c.hidden && !p.hidden;
    if officer || (citizen && !p.hidden) || public {
        Ok(if thumb { p.thumb } else { p.jpeg })
    } else {
        Err(ErrorCode::NotFound.into())
    }
}

/// The photos of the cases `ids` that moderation has not hidden, in their order, by case
/// (callers list only cases whose photos are public).
pub async fn visible_photos(db: &impl ConnectionTrait, ids: Vec<i64>) -> Result<HashMap<i64, Vec<i64>>, AppError> {
    let mut photos: HashMap<i64, Vec<i64>> = HashMap::new();
    for (id, case_id) in case_photo::Entity::find()
        .select_only()
        .column(case_photo::Column::Id)
        .column(case_photo::Column::CaseId)
        .filter(case_photo::Column::CaseId.is_in(ids))
        .filter(case_photo::Column::Hidden.eq(false))
        .order_by_asc(case_photo::Column::Position)
        .into_tuple::<(i64, i64)>()
        .all(db)
        .await?
    {
        photos.entry(case_id).or_default().push(id);
    }
    Ok(photos)
}
