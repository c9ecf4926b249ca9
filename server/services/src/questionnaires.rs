//! Questionnaires as agencies manage them: the shared templates (one per sector), versions a
//! unit makes for itself by copying, drafts edited before publishing, and which questionnaire a
//! counter uses. A published version never changes (the database refuses it); a change is a
//! new version made by copying. Every change is checked against the actor's scope and written
//! to the audit log in the same transaction.

use crate::entity::{
    agency, instrument, instrument_criterion, instrument_element, instrument_group, instrument_scale_point,
};
use crate::{
    access::{self, Scope},
    admin, agencies,
    audit::{self, Actor},
    clock::now,
    current_user::CurrentUser,
    kiosk::KIOSK_INSTRUMENT,
};
use domain::error::{AppError, ErrorCode, FieldError};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, TransactionTrait,
};
use serde_json::json;
use std::collections::HashMap;

/// Longest question text, in characters.
pub const QUESTION_MAX_CHARS: usize = 300;

fn invalid(field: &str, code: ErrorCode) -> AppError {
    AppError::invalid(vec![FieldError::new(field, code)])
}

fn instrument_json(i: &instrument::Model) -> serde_json::Value {
    json!({"code": i.code, "version": i.version, "name_vi": i.name_vi, "name_en": i.name_en,
           "status": i.status, "min_answers": i.min_answers, "agency_id": i.agency_id})
}

/// Whether a staff member with `scope` may see a questionnaire: the shared ones, and those of
/// units in their scope.
pub fn visible(scope: &Scope, i: &instrument::Model) -> bool {
    i.code != KIOSK_INSTRUMENT && i.agency_id.is_none_or(|a| scope.contains(a))
}

/// The questionnaires an administrator sees, newest version first within each code.
pub async fn list(db: &impl ConnectionTrait, user: &CurrentUser) -> Result<Vec<instrument::Model>, AppError> {
    let scope = access::admin_scope(db, user).await?;
    let mut rows = instrument::Entity::find()
        .order_by_asc(instrument::Column::Code)
        .order_by_desc(instrument::Column::Version)
        .all(db)
        .await?;
    rows.retain(|i| visible(&scope, i));
    Ok(rows)
}

/// A questionnaire the administrator may see, by id.
pub async fn get(db: &impl ConnectionTrait, user: &CurrentUser, id: i64) -> Result<instrument::Model, AppError> {
    let scope = access::admin_scope(db, user).await?;
    let row = instrument::Entity::find_by_id(id).one(db).await?.ok_or(ErrorCode::QuestionnaireNotFound)?;
    if !visible(&scope, &row) {
        // Another agency's questionnaire: say nothing of it.
        return Err(ErrorCode::QuestionnaireNotFound.into());
    }
    Ok(row)
}

/// The units a counter's questionnaire may come from: its own and those above it.
pub fn lineage(units: &HashMap<i64, &agency::Model>, unit_id: i64) -> Vec<i64> {
    let mut out = Vec::new();
    let mut at = Some(unit_id);
    while let Some(id) = at {
        if out.contains(&id) || out.len() > 64 {
            break;
        }
        out.push(id);
        at = units.get(&id).and_then(|a| a.parent_id);
    }
    out
}

/// Whether a counter whose unit has this `lineage` may use the questionnaire: published, for
/// citizens (not the kiosks' quick question), and shared or made by the counter's unit or one
/// above it.
pub fn usable_by(lineage: &[i64], i: &instrument::Model) -> bool {
    i.status == "published" && i.code != KIOSK_INSTRUMENT && i.agency_id.is_none_or(|owner| lineage.contains(&owner))
}

/// Separates a unit-owned questionnaire's unit from the code of the questionnaire it came from.
/// Shared codes never contain it (the templates' codes are letters, digits and `-`, and a shared
/// copy keeps or strips to such a code), so a unit's line can never meet a shared line, whatever
/// the unit is called.
pub const UNIT_SEPARATOR: char = ':';

/// The code a questionnaire's copy for `owner` gets. A unit's copy of a shared template (or of
/// another unit's questionnaire) starts its own line, `{unit}:{code}`; a copy of its own
/// questionnaire is the next version of it. A copy without a unit (a system administrator's)
/// is the next shared version of the shared code it came from.
pub fn copy_code(source_code: &str, source_owner: Option<i64>, owner: Option<(i64, &str)>) -> String {
    let base = source_code.rsplit(UNIT_SEPARATOR).next().unwrap_or(source_code);
    match owner {
        Some((id, _)) if source_owner == Some(id) => source_code.to_owned(),
        // The unit's code as it is: unit codes are unique as written, so `p.c` and `P.C` differ.
        Some((_, unit_code)) => format!("{unit_code}{UNIT_SEPARATOR}{base}"),
        None => base.to_owned(),
    }
}

/// Copies a questionnaire into a new draft version, coded by [`copy_code`]. A system
/// administrator may copy without a unit, making the next shared version.
pub async fn copy(
    db: &DatabaseConnection,
    user: &CurrentUser,
    source_id: i64,
    unit_code: &str,
) -> Result<i64, AppError> {
    let scope = access::admin_scope(db, user).await?;
    let source = get(db, user, source_id).await?;
    let owner = match unit_code.trim() {
        "" if scope == Scope::Everything => None,
        "" => return Err(invalid("unit", ErrorCode::Required)),
        code => {
            let unit = agencies::by_code(db, code).await?;
            access::ensure(&scope, unit.id)?;
            Some(unit)
        }
    };
    let code = copy_code(&source.code, source.agency_id, owner.as_ref().map(|u| (u.id, u.code.as_str())));
    if code.len() > 60 {
        // The column holds 60 characters: a very long unit code leaves no room for the base.
        return Err(invalid("unit", ErrorCode::InvalidCode));
    }
    let txn = db.begin().await?;
    let version = instrument::Entity::find()
        .filter(instrument::Column::Code.eq(code.as_str()))
        .order_by_desc(instrument::Column::Version)
        .one(&txn)
        .await?
        .map_or(1, |i| i.version + 1);
    let copy = instrument::ActiveModel {
        code: Set(code),
        version: Set(version),
        name_vi: Set(source.name_vi.clone()),
        name_en: Set(source.name_en.clone()),
        status: Set("draft".into()),
        // A new shared version of the default questionnaire becomes the default once published.
        is_default: Set(source.is_default && owner.is_none()),
        min_answers: Set(source.min_answers),
        published_at: Set(None),
        created_at: Set(now()),
        agency_id: Set(owner.as_ref().map(|u| u.id)),
        sector: Set(source.sector.clone()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let points = instrument_scale_point::Entity::find()
        .filter(instrument_scale_point::Column::InstrumentId.eq(source.id))
        .all(&txn)
        .await?;
    for p in points {
        instrument_scale_point::ActiveModel {
            instrument_id: Set(copy.id),
            scale: Set(p.scale),
            value: Set(p.value),
            label_vi: Set(p.label_vi),
            label_en: Set(p.label_en),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    let mut group_ids = HashMap::new();
    for g in
        instrument_group::Entity::find().filter(instrument_group::Column::InstrumentId.eq(source.id)).all(&txn).await?
    {
        let new = instrument_group::ActiveModel {
            instrument_id: Set(copy.id),
            code: Set(g.code),
            name_vi: Set(g.name_vi),
            name_en: Set(g.name_en),
            weight: Set(g.weight),
            position: Set(g.position),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        group_ids.insert(g.id, new.id);
    }
    let mut element_ids = HashMap::new();
    for e in instrument_element::Entity::find()
        .filter(instrument_element::Column::InstrumentId.eq(source.id))
        .all(&txn)
        .await?
    {
        let new = instrument_element::ActiveModel {
            instrument_id: Set(copy.id),
            group_id: Set(group_ids
                .get(&e.group_id)
                .copied()
                .ok_or_else(|| AppError::internal("element without group"))?),
            code: Set(e.code),
            name_vi: Set(e.name_vi),
            name_en: Set(e.name_en),
            weight: Set(e.weight),
            position: Set(e.position),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        element_ids.insert(e.id, new.id);
    }
    for c in instrument_criterion::Entity::find()
        .filter(instrument_criterion::Column::InstrumentId.eq(source.id))
        .all(&txn)
        .await?
    {
        instrument_criterion::ActiveModel {
            instrument_id: Set(copy.id),
            element_id: Set(element_ids
                .get(&c.element_id)
                .copied()
                .ok_or_else(|| AppError::internal("criterion without element"))?),
            code: Set(c.code),
            text_vi: Set(c.text_vi),
            text_en: Set(c.text_en),
            scale: Set(c.scale),
            weight: Set(c.weight),
            position: Set(c.position),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    audit::record(
        &txn,
        &Actor::user(user),
        "questionnaire.copy",
        "instrument",
        &copy.id.to_string(),
        copy.agency_id,
        Some(instrument_json(&source)),
        Some(instrument_json(&copy)),
    )
    .await?;
    txn.commit().await?;
    Ok(copy.id)
}

/// A draft the administrator may change: visible, not published, and theirs (shared drafts
/// belong to system administrators).
async fn own_draft(db: &impl ConnectionTrait, user: &CurrentUser, id: i64) -> Result<instrument::Model, AppError> {
    let scope = access::admin_scope(db, user).await?;
    let row = get(db, user, id).await?;
    if row.agency_id.is_none() && scope != Scope::Everything {
        return Err(ErrorCode::Forbidden.into());
    }
    if row.status == "published" {
        return Err(ErrorCode::QuestionnairePublished.into());
    }
    Ok(row)
}

/// New texts for a draft: its names, its minimum number of answers, and each question's
/// Vietnamese and English text by criterion code.
#[derive(Clone, Debug, Default)]
pub struct DraftTexts {
    pub name_vi: String,
    pub name_en: String,
    pub min_answers: String,
    pub questions: Vec<(String, String, String)>,
}

/// Saves the texts of a draft. Every problem is reported at once; nothing is saved unless all
/// are fine.
pub async fn save_draft(db: &DatabaseConnection, user: &CurrentUser, id: i64, t: DraftTexts) -> Result<(), AppError> {
    let row = own_draft(db, user, id).await?;
    let criteria =
        instrument_criterion::Entity::find().filter(instrument_criterion::Column::InstrumentId.eq(id)).all(db).await?;
    let mut errors = Vec::new();
    let text = |errors: &mut Vec<FieldError>, field: String, value: &str| -> String {
        let v = value.trim();
        if v.is_empty() {
            errors.push(FieldError::new(field, ErrorCode::Required));
        } else if v.chars().count() > QUESTION_MAX_CHARS {
            errors.push(FieldError::new(field, ErrorCode::AnswerTooLong).with_arg("max", QUESTION_MAX_CHARS));
        }
        v.to_owned()
    };
    let name_vi = text(&mut errors, "name_vi".into(), &t.name_vi);
    let name_en = text(&mut errors, "name_en".into(), &t.name_en);
    let mut changes = Vec::new();
    for (code, vi, en) in &t.questions {
        let Some(c) = criteria.iter().find(|c| &c.code == code) else {
            errors.push(FieldError::new(format!("q.{code}"), ErrorCode::UnknownCriterion).with_arg("code", code));
            continue;
        };
        let vi = text(&mut errors, format!("vi.{code}"), vi);
        let en = text(&mut errors, format!("en.{code}"), en);
        changes.push((c.clone(), vi, en));
    }
    let min_answers = match t.min_answers.trim().parse::<i32>() {
        Ok(n) if (0..=criteria.len() as i32).contains(&n) => n,
        _ => {
            errors.push(
                FieldError::new("min_answers", ErrorCode::RatingOutOfRange)
                    .with_arg("min", 0)
                    .with_arg("max", criteria.len()),
            );
            row.min_answers
        }
    };
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    let txn = db.begin().await?;
    let mut active: instrument::ActiveModel = row.clone().into();
    active.name_vi = Set(name_vi);
    active.name_en = Set(name_en);
    active.min_answers = Set(min_answers);
    let after = active.update(&txn).await?;
    for (c, vi, en) in changes {
        if c.text_vi != vi || c.text_en != en {
            let mut active: instrument_criterion::ActiveModel = c.into();
            active.text_vi = Set(vi);
            active.text_en = Set(en);
            active.update(&txn).await?;
        }
    }
    audit::record(
        &txn,
        &Actor::user(user),
        "questionnaire.edit",
        "instrument",
        &id.to_string(),
        row.agency_id,
        Some(instrument_json(&row)),
        Some(instrument_json(&after)),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Publishes a draft; from then on the database keeps it frozen.
pub async fn publish(db: &DatabaseConnection, user: &CurrentUser, id: i64) -> Result<(), AppError> {
    let row = own_draft(db, user, id).await?;
    let txn = db.begin().await?;
    let mut active: instrument::ActiveModel = row.clone().into();
    active.status = Set("published".into());
    active.published_at = Set(Some(now()));
    let after = active.update(&txn).await?;
    audit::record(
        &txn,
        &Actor::user(user),
        "questionnaire.publish",
        "instrument",
        &id.to_string(),
        row.agency_id,
        Some(instrument_json(&row)),
        Some(instrument_json(&after)),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Sets the questionnaire a counter's QR code opens (`None`: the default one).
pub async fn set_counter_questionnaire(
    db: &DatabaseConnection,
    user: &CurrentUser,
    counter_code: &str,
    instrument_id: Option<i64>,
) -> Result<(), AppError> {
    let c = admin::counter_in_scope(db, user, counter_code).await?;
    if let Some(id) = instrument_id {
        let i = get(db, user, id).await?;
        let all = agencies::all(db).await?;
        let units: HashMap<i64, &agency::Model> = all.iter().map(|a| (a.id, a)).collect();
        if !usable_by(&lineage(&units, c.agency_id), &i) {
            return Err(invalid("questionnaire", ErrorCode::QuestionnaireNotUsable));
        }
    }
    admin::update_counter(db, user, c, "counter.questionnaire", |active| active.instrument_id = Set(instrument_id))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_units_copy_never_joins_a_shared_line() {
        // A unit named after the shared line's prefix.
        assert_eq!(copy_code("hospital-outpatient", None, Some((7, "HOSPITAL"))), "HOSPITAL:hospital-outpatient");
        assert_eq!(copy_code("school-parents", None, Some((3, "P.C"))), "P.C:school-parents");
        // Its own questionnaire: the next version of the same line.
        assert_eq!(copy_code("P.C:school-parents", Some(3), Some((3, "P.C"))), "P.C:school-parents");
        // Another unit's questionnaire: a line of its own, not nested.
        assert_eq!(copy_code("P.C:school-parents", Some(3), Some((4, "P.D"))), "P.D:school-parents");
        // A system administrator's shared copy of a unit's questionnaire: the shared line.
        assert_eq!(copy_code("P.C:school-parents", Some(3), None), "school-parents");
        assert_eq!(copy_code("sipas", None, None), "sipas");
    }
}
