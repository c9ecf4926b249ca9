//! The agency tree, counters and procedures: reading them and adding to them.

use crate::entity::{agency, counter, procedure};
use chrono::NaiveDate;
use domain::{
    codes::{AgencyCode, AgencyKind, CounterCode},
    dto::{AgencyNode, CounterView, Localized},
    error::{AppError, ErrorCode},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, SqlErr,
    Statement,
};
use std::collections::HashMap;
use std::sync::Arc;

/// Whether a unit exists on `day` (open on `valid_from`, closed from `valid_to` on).
pub fn is_current(a: &agency::Model, day: NaiveDate) -> bool {
    a.valid_from <= day && a.valid_to.is_none_or(|end| day < end)
}

pub fn kind_of(a: &agency::Model) -> AgencyKind {
    AgencyKind::parse(&a.kind).unwrap_or(AgencyKind::Other)
}

pub fn name_of(a: &agency::Model) -> Localized {
    Localized::new(a.name_vi.clone(), a.name_en.clone())
}

/// Every unit, in creation order. Kept in memory while the database's unit-tree token
/// (`unit_tree_version`, redrawn by triggers on every change to `agency`) stays the same: a
/// page reads one number instead of thousands of units. One tree is kept per database (told
/// apart by the random `database_id` drawn when it was created), so a process serving several
/// databases never lets one push another's tree out.
pub async fn all(db: &impl ConnectionTrait) -> Result<Arc<Vec<agency::Model>>, AppError> {
    let version: Option<(i64, i64)> = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT database_id, token FROM unit_tree_version",
        ))
        .await?
        .map(|row| Ok::<_, sea_orm::DbErr>((row.try_get("", "database_id")?, row.try_get("", "token")?)))
        .transpose()?;
    let hit = version.and_then(|(database, token)| {
        let trees = TREES.lock().ok()?;
        trees.get(&database)?.iter().find(|(t, _)| *t == token).map(|(_, units)| units.clone())
    });
    if let Some(units) = hit {
        return Ok(units);
    }
    let units = Arc::new(agency::Entity::find().order_by_asc(agency::Column::Id).all(db).await?);
    let Some((database, token)) = version else { return Ok(units) };
    let Ok(mut trees) = TREES.lock() else { return Ok(units) };
    // Readers that missed together all loaded the same tree: the first to get here keeps its
    // copy and the others take it, so every reader shares one copy from then on. The last few
    // versions are kept, so a slow reader of an older version arriving late does not push out
    // the newer one (tokens are random, so which is newer cannot be told).
    let kept = trees.entry(database).or_default();
    if let Some((_, shared)) = kept.iter().find(|(t, _)| *t == token) {
        return Ok(shared.clone());
    }
    if kept.len() >= VERSIONS_KEPT {
        kept.remove(0);
    }
    kept.push((token, units.clone()));
    Ok(units)
}

/// The unit trees last read from each database, oldest first, with the token each was read under.
type Trees = HashMap<i64, Vec<(i64, Arc<Vec<agency::Model>>)>>;
/// Versions of one database's tree kept at once.
const VERSIONS_KEPT: usize = 3;
static TREES: std::sync::LazyLock<std::sync::Mutex<Trees>> = std::sync::LazyLock::new(Default::default);

pub async fn by_code(db: &impl ConnectionTrait, code: &str) -> Result<agency::Model, AppError> {
    let code = AgencyCode::parse(code).ok_or(ErrorCode::AgencyNotFound)?;
    agency::Entity::find()
        .filter(agency::Column::Code.eq(code.as_str()))
        .one(db)
        .await?
        .ok_or_else(|| ErrorCode::AgencyNotFound.into())
}

/// Every counter, grouped by unit id, each list ordered by name.
/// The counters of one unit, by name.
pub async fn counters_of(db: &impl ConnectionTrait, agency_id: i64) -> Result<Vec<CounterView>, AppError> {
    Ok(counter::Entity::find()
        .filter(counter::Column::AgencyId.eq(agency_id))
        .order_by_asc(counter::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|c| CounterView { code: c.code, name: c.name })
        .collect())
}

pub async fn counters_by_agency(db: &impl ConnectionTrait) -> Result<HashMap<i64, Vec<CounterView>>, AppError> {
    let mut map: HashMap<i64, Vec<CounterView>> = HashMap::new();
    for c in counter::Entity::find().order_by_asc(counter::Column::Name).all(db).await? {
        map.entry(c.agency_id).or_default().push(CounterView { code: c.code, name: c.name });
    }
    Ok(map)
}

/// Units current on `day`, as parent → children lists (roots under `None`), each list in
/// creation order. A unit whose parent is closed or missing is shown as a root rather than lost.
pub fn children_map(units: &[agency::Model], day: NaiveDate) -> HashMap<Option<i64>, Vec<&agency::Model>> {
    let current: HashMap<i64, &agency::Model> =
        units.iter().filter(|a| is_current(a, day)).map(|a| (a.id, a)).collect();
    let mut map: HashMap<Option<i64>, Vec<&agency::Model>> = HashMap::new();
    for a in units.iter().filter(|a| is_current(a, day)) {
        let parent = a.parent_id.filter(|p| current.contains_key(p));
        map.entry(parent).or_default().push(a);
    }
    map
}

/// The tree of units current on `day`, with their counters.
pub async fn tree(db: &impl ConnectionTrait, day: NaiveDate) -> Result<Vec<AgencyNode>, AppError> {
    let units = all(db).await?;
    let mut counters = counters_by_agency(db).await?;
    let children = children_map(&units, day);
    fn build(
        parent: Option<i64>,
        children: &HashMap<Option<i64>, Vec<&agency::Model>>,
        counters: &mut HashMap<i64, Vec<CounterView>>,
        depth: usize,
    ) -> Vec<AgencyNode> {
        // A tree deeper than this is bad data (a cycle); stop rather than recurse forever.
        if depth > 64 {
            return Vec::new();
        }
        children
            .get(&parent)
            .map(|list| {
                list.iter()
                    .map(|a| AgencyNode {
                        code: a.code.clone(),
                        kind: kind_of(a),
                        name_vi: a.name_vi.clone(),
                        name_en: a.name_en.clone(),
                        valid_from: a.valid_from,
                        valid_to: a.valid_to,
                        counters: counters.remove(&a.id).unwrap_or_default(),
                        children: build(Some(a.id), children, counters, depth + 1),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
    Ok(build(None, &children, &mut counters, 0))
}

/// A new administrative unit.
#[derive(Clone, Debug)]
pub struct NewAgency {
    pub code: String,
    pub kind: AgencyKind,
    pub name_vi: String,
    pub name_en: String,
    pub parent_code: Option<String>,
    pub valid_from: NaiveDate,
}

pub async fn create(db: &impl ConnectionTrait, new: NewAgency) -> Result<agency::Model, AppError> {
    let code = AgencyCode::parse(&new.code)
        .ok_or_else(|| AppError::invalid(vec![domain::error::FieldError::new("code", ErrorCode::InvalidCode)]))?;
    let parent_id = match new.parent_code {
        Some(p) => Some(by_code(db, &p).await?.id),
        None => None,
    };
    let model = agency::ActiveModel {
        code: Set(code.as_str().to_owned()),
        kind: Set(new.kind.as_str().to_owned()),
        name_vi: Set(new.name_vi),
        name_en: Set(new.name_en),
        parent_id: Set(parent_id),
        valid_from: Set(new.valid_from),
        valid_to: Set(None),
        created_at: Set(crate::clock::now()),
        ..Default::default()
    };
    match model.insert(db).await {
        Ok(m) => Ok(m),
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Err(ErrorCode::AlreadyExists.into())
        }
        Err(e) => Err(e.into()),
    }
}

/// Opens a counter with a fresh unguessable public code.
pub async fn create_counter(db: &impl ConnectionTrait, agency_id: i64, name: &str) -> Result<counter::Model, AppError> {
    // A clash among 31^10 codes is astronomically rare, but cheap to survive.
    for _ in 0..5 {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(AppError::internal)?;
        let Some(code) = CounterCode::from_random_bytes(&bytes) else { continue };
        let model = counter::ActiveModel {
            agency_id: Set(agency_id),
            code: Set(code.as_str().to_owned()),
            name: Set(name.trim().to_owned()),
            instrument_id: Set(None),
            created_at: Set(crate::clock::now()),
            ..Default::default()
        };
        match model.insert(db).await {
            Ok(m) => return Ok(m),
            Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::internal("could not draw a unique counter code"))
}

pub async fn create_procedure(
    db: &impl ConnectionTrait,
    code: &str,
    name_vi: &str,
    name_en: &str,
) -> Result<procedure::Model, AppError> {
    let model = procedure::ActiveModel {
        code: Set(code.to_owned()),
        name_vi: Set(name_vi.to_owned()),
        name_en: Set(name_en.to_owned()),
        created_at: Set(crate::clock::now()),
        ..Default::default()
    };
    Ok(model.insert(db).await?)
}

/// The procedures a counter of `agency_id` may serve: the national catalogue and the catalogues
/// of the unit and its ancestors.
pub async fn procedures_for(db: &impl ConnectionTrait, agency_id: i64) -> Result<Vec<procedure::Model>, AppError> {
    let units = all(db).await?;
    let parent: HashMap<i64, Option<i64>> = units.iter().map(|a| (a.id, a.parent_id)).collect();
    let mut line = vec![agency_id];
    let mut at = agency_id;
    while let Some(Some(p)) = parent.get(&at) {
        if line.contains(p) || line.len() > 64 {
            break;
        }
        line.push(*p);
        at = *p;
    }
    Ok(procedures(db).await?.into_iter().filter(|p| p.agency_id.is_none_or(|a| line.contains(&a))).collect())
}

pub async fn procedures(db: &impl ConnectionTrait) -> Result<Vec<procedure::Model>, AppError> {
    Ok(procedure::Entity::find().order_by_asc(procedure::Column::NameVi).all(db).await?)
}
