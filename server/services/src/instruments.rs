//! Questionnaires as the survey and the index need them.

use crate::entity::{instrument, instrument_criterion, instrument_element, instrument_group, instrument_scale_point};
use domain::{
    dto::{CriterionView, ElementView, Localized, ScalePointView},
    error::AppError,
    scale::Scale,
    sipas, survey,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::{
    collections::{BTreeMap, HashMap},
    sync::{Arc, RwLock},
};

#[derive(Clone, Debug, PartialEq)]
pub struct CriterionDef {
    pub id: i64,
    pub code: String,
    pub text: Localized,
    pub weight: f64,
    pub scale: Scale,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ElementDef {
    pub id: i64,
    pub code: String,
    pub name: Localized,
    pub weight: f64,
    pub criteria: Vec<CriterionDef>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GroupDef {
    pub id: i64,
    pub code: String,
    pub name: Localized,
    pub weight: f64,
    pub elements: Vec<ElementDef>,
}

/// One version of a questionnaire, in display order.
#[derive(Clone, Debug, PartialEq)]
pub struct InstrumentDef {
    pub id: i64,
    pub code: String,
    pub version: i32,
    pub name: Localized,
    pub min_answers: u32,
    pub published: bool,
    /// Answer labels per scale code (`likert5`, `smiley3`, …).
    pub scales: BTreeMap<String, Vec<ScalePointView>>,
    pub groups: Vec<GroupDef>,
}

impl InstrumentDef {
    pub fn elements(&self) -> impl Iterator<Item = &ElementDef> {
        self.groups.iter().flat_map(|g| g.elements.iter())
    }

    pub fn criteria(&self) -> impl Iterator<Item = &CriterionDef> {
        self.elements().flat_map(|e| e.criteria.iter())
    }

    /// Each question's code, scale and number of answers, in order: what answers are checked
    /// against.
    pub fn criterion_scales(&self) -> Vec<survey::Question<'_>> {
        self.criteria()
            .map(|c| {
                let options = match c.scale {
                    Scale::Choice => u8::try_from(self.scale_of(&c.code).len()).unwrap_or(u8::MAX),
                    other => other.max(),
                };
                (c.code.as_str(), c.scale, options)
            })
            .collect()
    }

    /// The shape the index engine works on: the rating questions only (single choices and
    /// texts describe the visit and are not satisfaction), without elements left empty.
    pub fn structure(&self) -> sipas::Structure {
        sipas::Structure {
            groups: self
                .groups
                .iter()
                .map(|g| sipas::GroupDef {
                    code: g.code.clone(),
                    weight: g.weight,
                    elements: g
                        .elements
                        .iter()
                        .map(|e| sipas::ElementDef {
                            code: e.code.clone(),
                            weight: e.weight,
                            criteria: e
                                .criteria
                                .iter()
                                .filter(|c| c.scale.is_rating())
                                .map(|c| sipas::CriterionDef { code: c.code.clone(), weight: c.weight, scale: c.scale })
                                .collect(),
                        })
                        .filter(|e| !e.criteria.is_empty())
                        .collect(),
                })
                .filter(|g| !g.elements.is_empty())
                .collect(),
        }
    }

    /// The answers of one criterion, lowest first (a single choice's own options; none for a
    /// text).
    pub fn scale_of(&self, criterion: &str) -> Vec<ScalePointView> {
        self.criteria()
            .find(|c| c.code == criterion)
            .and_then(|c| self.scales.get(&c.scale.labels_key(&c.code)))
            .cloned()
            .unwrap_or_default()
    }

    pub fn element_views(&self) -> Vec<ElementView> {
        self.elements()
            .map(|e| ElementView {
                code: e.code.clone(),
                name: e.name.clone(),
                criteria: e
                    .criteria
                    .iter()
                    .map(|c| CriterionView {
                        code: c.code.clone(),
                        text: c.text.clone(),
                        scale: c.scale.labels_key(&c.code),
                        kind: c.scale.as_str().to_owned(),
                    })
                    .collect(),
            })
            .collect()
    }

    /// Display name of an element or criterion code.
    pub fn name_of(&self, code: &str) -> Localized {
        self.elements()
            .find(|e| e.code == code)
            .map(|e| e.name.clone())
            .or_else(|| self.criteria().find(|c| c.code == code).map(|c| c.text.clone()))
            .unwrap_or_else(|| Localized::new(code, code))
    }
}

/// The default questionnaire's id, from the cache when known.
pub async fn cached_default_id(db: &impl ConnectionTrait, cache: &InstrumentCache) -> Result<i64, AppError> {
    if let Some(id) = cache.default_id() {
        return Ok(id);
    }
    let id = default_id(db).await?;
    cache.set_default_id(Some(id));
    Ok(id)
}

/// The questionnaire counters use unless they name another: the newest published default.
pub async fn default_id(db: &impl ConnectionTrait) -> Result<i64, AppError> {
    instrument::Entity::find()
        .filter(instrument::Column::IsDefault.eq(true))
        .filter(instrument::Column::Status.eq("published"))
        .order_by_desc(instrument::Column::Version)
        .one(db)
        .await?
        .map(|m| m.id)
        .ok_or_else(|| AppError::internal("no published default questionnaire: run the migrations"))
}

/// Loads a questionnaire, from the cache when it is published and was read before.
pub async fn load(db: &impl ConnectionTrait, cache: &InstrumentCache, id: i64) -> Result<Arc<InstrumentDef>, AppError> {
    if let Some(def) = cache.get(id) {
        return Ok(def);
    }
    let head = instrument::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::internal(format!("questionnaire {id} is missing")))?;
    let points = instrument_scale_point::Entity::find()
        .filter(instrument_scale_point::Column::InstrumentId.eq(id))
        .order_by_asc(instrument_scale_point::Column::Value)
        .all(db)
        .await?;
    let mut scales: BTreeMap<String, Vec<ScalePointView>> = BTreeMap::new();
    for p in points {
        scales.entry(p.scale).or_default().push(ScalePointView {
            value: u8::try_from(p.value).unwrap_or(0),
            label: Localized::new(p.label_vi, p.label_en),
        });
    }
    let groups = instrument_group::Entity::find()
        .filter(instrument_group::Column::InstrumentId.eq(id))
        .order_by_asc(instrument_group::Column::Position)
        .all(db)
        .await?;
    let elements = instrument_element::Entity::find()
        .filter(instrument_element::Column::InstrumentId.eq(id))
        .order_by_asc(instrument_element::Column::Position)
        .all(db)
        .await?;
    let criteria = instrument_criterion::Entity::find()
        .filter(instrument_criterion::Column::InstrumentId.eq(id))
        .order_by_asc(instrument_criterion::Column::Position)
        .all(db)
        .await?;
    let def = Arc::new(InstrumentDef {
        id,
        code: head.code,
        version: head.version,
        name: Localized::new(head.name_vi, head.name_en),
        min_answers: u32::try_from(head.min_answers).unwrap_or(0),
        published: head.status == "published",
        scales,
        groups: groups
            .into_iter()
            .map(|g| GroupDef {
                id: g.id,
                code: g.code,
                name: Localized::new(g.name_vi, g.name_en),
                weight: g.weight,
                elements: elements
                    .iter()
                    .filter(|e| e.group_id == g.id)
                    .map(|e| ElementDef {
                        id: e.id,
                        code: e.code.clone(),
                        name: Localized::new(e.name_vi.clone(), e.name_en.clone()),
                        weight: e.weight,
                        criteria: criteria
                            .iter()
                            .filter(|c| c.element_id == e.id)
                            .map(|c| CriterionDef {
                                id: c.id,
                                code: c.code.clone(),
                                text: Localized::new(c.text_vi.clone(), c.text_en.clone()),
                                weight: c.weight,
                                scale: Scale::parse(&c.scale).unwrap_or_default(),
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
    });
    if def.published {
        cache.put(def.clone());
    }
    Ok(def)
}

/// Published questionnaires are immutable, so once read they can be kept for the life of the
/// process. Drafts are never cached. Which one is the default can change (a new shared version
/// is published), so that is looked up again after [`InstrumentCache::DEFAULT_TTL`]: at once on
/// the server where it was published, within that time on the others.
#[derive(Clone, Default)]
pub struct InstrumentCache {
    by_id: Arc<RwLock<HashMap<i64, Arc<InstrumentDef>>>>,
    default_id: Arc<RwLock<Option<(std::time::Instant, i64)>>>,
}

impl InstrumentCache {
    pub fn get(&self, id: i64) -> Option<Arc<InstrumentDef>> {
        self.by_id.read().ok()?.get(&id).cloned()
    }

    pub fn put(&self, def: Arc<InstrumentDef>) {
        if let Ok(mut map) = self.by_id.write() {
            map.insert(def.id, def);
        }
    }

    pub const DEFAULT_TTL: std::time::Duration = std::time::Duration::from_secs(30);

    /// The default questionnaire's id, if looked up less than the TTL ago.
    pub fn default_id(&self) -> Option<i64> {
        let slot = self.default_id.read().ok()?;
        slot.filter(|(at, _)| at.elapsed() < Self::DEFAULT_TTL).map(|(_, id)| id)
    }

    /// Remembers (or, with `None`, forgets) the default questionnaire; whoever changes the
    /// default must call this with `None`.
    pub fn set_default_id(&self, id: Option<i64>) {
        if let Ok(mut slot) = self.default_id.write() {
            *slot = id.map(|id| (std::time::Instant::now(), id));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_questionnaire_is_remembered_until_forgotten() {
        let cache = InstrumentCache::default();
        assert_eq!(cache.default_id(), None);
        cache.set_default_id(Some(7));
        assert_eq!(cache.default_id(), Some(7));
        cache.set_default_id(None);
        assert_eq!(cache.default_id(), None);
    }
}
