//! The working-day calendar and the deadline rules behind every feedback case: the editable
//! holiday table (seeded once with Vietnam's public holidays 2025–2027, then corrected by the
//! official notices' revisions, each day naming the notice it comes from) and each agency's own
//! number of working days per step, inherited down the tree.

use crate::entity::{agency, deadline_rule, holiday};
use crate::{
    agencies,
    audit::{self, Actor},
    meta,
};
use chrono::NaiveDate;
use domain::{
    cases::{Kind, Step},
    error::{AppError, ErrorCode, FieldError},
    workdays::{Calendar, SpecialDay, YearBasis, calendar_revisions, vietnam_2025_2027, year_bases},
};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

const SEEDED_KEY: &str = "holidays_seeded_2025_2027";
const LABELLED_KEY: &str = "holidays_notices_labelled";

/// Run when a server starts: puts the 2025–2027 public holidays into the table the first time,
/// so that administrators can correct them later without a restart putting them back; names the
/// notice of the days seeded before days had one; and applies, once per database, every
/// calendar revision (an official notice's correction), which replaces what the table held for
/// its days and is written to the audit log.
pub async fn keep_up_to_date(db: &impl ConnectionTrait) -> Result<(), AppError> {
    if meta::get(db, SEEDED_KEY).await?.is_none() {
        for day in vietnam_2025_2027() {
            if holiday::Entity::find_by_id(day.date).one(db).await?.is_none() {
                insert(db, day).await?;
            }
        }
        meta::set(db, SEEDED_KEY, "1").await?;
    }
    if meta::get(db, LABELLED_KEY).await?.is_none() {
        // Only days still as seeded: a day an administrator changed keeps what they gave it.
        for day in vietnam_2025_2027() {
            let Some(notice) = day.notice else { continue };
            holiday::Entity::update_many()
                .set(holiday::ActiveModel { notice: Set(Some(notice)), ..Default::default() })
                .filter(holiday::Column::Day.eq(day.date))
                .filter(holiday::Column::Off.eq(day.off))
                .filter(holiday::Column::NameVi.eq(day.name_vi))
                .filter(holiday::Column::Notice.is_null())
                .exec(db)
                .await?;
        }
        meta::set(db, LABELLED_KEY, "1").await?;
    }
    for revision in calendar_revisions() {
        let key = format!("holiday_revision:{}", revision.id);
        if meta::get(db, &key).await?.is_some() {
            continue;
        }
        // Days that already read as the notice says are left alone (a database seeded with it).
        let (mut before, mut after) = (Vec::new(), Vec::new());
        for day in &revision.days {
            let old = holiday::Entity::find_by_id(day.date).one(db).await?;
            if let Some(old) = &old
                && (old.off, old.name_vi.as_str(), old.notice.as_deref())
                    == (day.off, day.name_vi.as_str(), day.notice.as_deref())
            {
                continue;
            }
            if let Some(old) = old {
                before.push(
                    serde_json::json!({ "day": old.day, "off": old.off, "name_vi": old.name_vi, "notice": old.notice }),
                );
            }
            after.push(
                serde_json::json!({ "day": day.date, "off": day.off, "name_vi": day.name_vi, "notice": day.notice }),
            );
            holiday::Entity::delete_by_id(day.date).exec(db).await?;
            insert(db, day.clone()).await?;
        }
        if !after.is_empty() {
            audit::record(
                db,
                &Actor::system(),
                "calendar_revision",
                "holiday",
                revision.id,
                None,
                Some(serde_json::Value::Array(before)),
                Some(serde_json::Value::Array(after)),
            )
            .await?;
            tracing::info!(revision = revision.id, "holiday calendar corrected");
        }
        meta::set(db, &key, &crate::clock::now().to_rfc3339()).await?;
    }
    Ok(())
}

async fn insert(db: &impl ConnectionTrait, day: SpecialDay) -> Result<(), AppError> {
    holiday::Entity::insert(holiday::ActiveModel {
        day: Set(day.date),
        off: Set(day.off),
        name_vi: Set(day.name_vi),
        name_en: Set(day.name_en),
        notice: Set(day.notice),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// How each year of the calendar stands (see [`YearBasis`]).
pub fn bases(days: &[holiday::Model]) -> Vec<YearBasis> {
    year_bases(days.iter().map(|h| (h.day, h.notice.is_some())))
}

/// Every special day, in date order.
pub async fn holidays(db: &impl ConnectionTrait) -> Result<Vec<holiday::Model>, AppError> {
    Ok(holiday::Entity::find().order_by_asc(holiday::Column::Day).all(db).await?)
}

/// The calendar deadlines are counted on.
pub async fn calendar(db: &impl ConnectionTrait) -> Result<Calendar, AppError> {
    Ok(Calendar::new(holidays(db).await?.into_iter().map(|h| (h.day, h.off))))
}

/// Adds or replaces one special day. Names are trimmed and an empty English name takes the
/// Vietnamese one; `notice` names the official notice the day comes from (empty or `None`: the
/// Labour Code's rule, pending the year's notice).
pub async fn put_holiday(db: &impl ConnectionTrait, day: SpecialDay) -> Result<(), AppError> {
    let name_vi = day.name_vi.trim();
    if name_vi.is_empty() {
        return Err(AppError::invalid(vec![FieldError::new("name_vi", ErrorCode::Required)]));
    }
    let notice = day.notice.as_deref().map(str::trim).unwrap_or_default();
    if notice.chars().count() > 300 {
        return Err(AppError::invalid(vec![FieldError::new("notice", ErrorCode::TextTooLong)]));
    }
    holiday::Entity::delete_by_id(day.date).exec(db).await?;
    let name_en = day.name_en.trim();
    insert(
        db,
        SpecialDay {
            date: day.date,
            off: day.off,
            name_vi: name_vi.to_owned(),
            name_en: if name_en.is_empty() { name_vi } else { name_en }.to_owned(),
            notice: (!notice.is_empty()).then(|| notice.to_owned()),
        },
    )
    .await
}

pub async fn remove_holiday(db: &impl ConnectionTrait, day: NaiveDate) -> Result<(), AppError> {
    let gone = holiday::Entity::delete_by_id(day).exec(db).await?;
    if gone.rows_affected == 0 {
        return Err(AppError::new(ErrorCode::NotFound));
    }
    Ok(())
}

/// The working days `agency_id` has for `step` on a case of `kind`: its own rule, else the
/// nearest ancestor's, kind-specific before general; else the national default.
pub fn days_for(rules: &[deadline_rule::Model], chain: &[i64], kind: Kind, step: Step) -> u32 {
    for unit in chain {
        let mine = || rules.iter().filter(|r| r.agency_id == *unit && r.step == step.code());
        if let Some(r) = mine().find(|r| r.kind.as_deref() == Some(kind.code())) {
            return r.days.max(0) as u32;
        }
        if let Some(r) = mine().find(|r| r.kind.is_none()) {
            return r.days.max(0) as u32;
        }
    }
    step.default_days()
}

/// The unit and its ancestors, nearest first.
pub fn ancestors(units: &[agency::Model], id: i64) -> Vec<i64> {
    let mut chain = vec![id];
    let mut at = id;
    while let Some(parent) = units.iter().find(|u| u.id == at).and_then(|u| u.parent_id) {
        if chain.contains(&parent) {
            break;
        }
        chain.push(parent);
        at = parent;
    }
    chain
}

/// The deadline rules that apply to one unit, with its ancestor chain.
pub struct Deadlines {
    pub rules: Vec<deadline_rule::Model>,
    pub chain: Vec<i64>,
}

impl Deadlines {
    pub fn days(&self, kind: Kind, step: Step) -> u32 {
        days_for(&self.rules, &self.chain, kind, step)
    }
}

pub async fn deadlines_for(db: &impl ConnectionTrait, agency_id: i64) -> Result<Deadlines, AppError> {
    let units = agencies::all(db).await?;
    let chain = ancestors(&units, agency_id);
    let rules =
        deadline_rule::Entity::find().filter(deadline_rule::Column::AgencyId.is_in(chain.clone())).all(db).await?;
    Ok(Deadlines { rules, chain })
}

/// The rules a unit set itself.
pub async fn own_rules(db: &impl ConnectionTrait, agency_id: i64) -> Result<Vec<deadline_rule::Model>, AppError> {
    Ok(deadline_rule::Entity::find()
        .filter(deadline_rule::Column::AgencyId.eq(agency_id))
        .order_by_asc(deadline_rule::Column::Step)
        .all(db)
        .await?)
}

/// Sets (or, with `days = None`, removes) a unit's rule for one step and kind.
pub async fn set_rule(
    db: &impl ConnectionTrait,
    agency_id: i64,
    kind: Option<Kind>,
    step: Step,
    days: Option<u32>,
) -> Result<(), AppError> {
    let mut existing = deadline_rule::Entity::delete_many()
        .filter(deadline_rule::Column::AgencyId.eq(agency_id))
        .filter(deadline_rule::Column::Step.eq(step.code()));
    existing = match kind {
        Some(k) => existing.filter(deadline_rule::Column::Kind.eq(k.code())),
        None => existing.filter(deadline_rule::Column::Kind.is_null()),
    };
    existing.exec(db).await?;
    if let Some(days) = days {
        if !(1..=90).contains(&days) {
            return Err(AppError::invalid(vec![FieldError::new("days", ErrorCode::WrongType)]));
        }
        deadline_rule::Entity::insert(deadline_rule::ActiveModel {
            agency_id: Set(agency_id),
            kind: Set(kind.map(|k| k.code().to_owned())),
            step: Set(step.code().to_owned()),
            days: Set(days as i32),
            ..Default::default()
        })
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(agency_id: i64, kind: Option<Kind>, step: Step, days: i32) -> deadline_rule::Model {
        deadline_rule::Model {
            id: 0,
            agency_id,
            kind: kind.map(|k| k.code().to_owned()),
            step: step.code().into(),
            days,
        }
    }

    #[test]
    fn the_nearest_most_specific_rule_wins() {
        let rules = [
            rule(1, None, Step::Answer, 20),
            rule(2, Some(Kind::OnSite), Step::Answer, 7),
            rule(2, None, Step::Receive, 1),
        ];
        let chain = [2, 1];
        assert_eq!(days_for(&rules, &chain, Kind::OnSite, Step::Answer), 7);
        assert_eq!(days_for(&rules, &chain, Kind::Procedure, Step::Answer), 20);
        assert_eq!(days_for(&rules, &chain, Kind::Procedure, Step::Receive), 1);
        assert_eq!(days_for(&rules, &chain, Kind::Procedure, Step::Publish), 2);
        assert_eq!(days_for(&rules, &[3], Kind::Procedure, Step::Answer), 15);
    }
}
