//! The working-day calendar and the deadline rules behind every feedback case: the editable
//! holiday table (seeded once with Vietnam's public holidays 2025–2027) and each agency's own
//! number of working days per step, inherited down the tree.

use super::{agencies, meta};
use crate::{
    domain::{
        cases::{Kind, Step},
        workdays::{Calendar, vietnam_2025_2027},
    },
    error::{AppError, ErrorCode, FieldError},
    server::entity::{agency, deadline_rule, holiday},
};
use chrono::NaiveDate;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

const SEEDED_KEY: &str = "holidays_seeded_2025_2027";

/// Puts the 2025–2027 public holidays into the table the first time the server starts, so
/// that administrators can correct them later without a restart putting them back.
pub async fn seed_holidays_once(db: &impl ConnectionTrait) -> Result<(), AppError> {
    if meta::get(db, SEEDED_KEY).await?.is_some() {
        return Ok(());
    }
    for day in vietnam_2025_2027() {
        if holiday::Entity::find_by_id(day.date).one(db).await?.is_none() {
            holiday::Entity::insert(holiday::ActiveModel {
                day: Set(day.date),
                off: Set(day.off),
                name_vi: Set(day.name_vi),
                name_en: Set(day.name_en),
            })
            .exec_without_returning(db)
            .await?;
        }
    }
    meta::set(db, SEEDED_KEY, "1").await
}

/// Every special day, in date order.
pub async fn holidays(db: &impl ConnectionTrait) -> Result<Vec<holiday::Model>, AppError> {
    Ok(holiday::Entity::find().order_by_asc(holiday::Column::Day).all(db).await?)
}

/// The calendar deadlines are counted on.
pub async fn calendar(db: &impl ConnectionTrait) -> Result<Calendar, AppError> {
    Ok(Calendar::new(holidays(db).await?.into_iter().map(|h| (h.day, h.off))))
}

/// Adds or replaces one special day.
pub async fn put_holiday(
    db: &impl ConnectionTrait,
    day: NaiveDate,
    off: bool,
    name_vi: &str,
    name_en: &str,
) -> Result<(), AppError> {
    let name_vi = name_vi.trim();
    if name_vi.is_empty() {
        return Err(AppError::invalid(vec![FieldError::new("name_vi", ErrorCode::Required)]));
    }
    holiday::Entity::delete_by_id(day).exec(db).await?;
    holiday::Entity::insert(holiday::ActiveModel {
        day: Set(day),
        off: Set(off),
        name_vi: Set(name_vi.to_owned()),
        name_en: Set(if name_en.trim().is_empty() { name_vi.to_owned() } else { name_en.trim().to_owned() }),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
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
