//! The targets units set for their index (a floor, a goal) and who is told when an alert is
//! raised, each looked up at the unit or the nearest unit above it that sets them.

use crate::entity::{agency, index_target};
use domain::error::AppError;
use sea_orm::{ConnectionTrait, EntityTrait};
use std::collections::HashMap;

/// Every unit's own targets, and lookup with inheritance.
pub(crate) struct Targets {
    rows: HashMap<i64, index_target::Model>,
    parent: HashMap<i64, i64>,
}

impl Targets {
    pub(crate) async fn load(db: &impl ConnectionTrait, units: &[agency::Model]) -> Result<Targets, AppError> {
        Ok(Targets {
            rows: index_target::Entity::find().all(db).await?.into_iter().map(|t| (t.agency_id, t)).collect(),
            parent: units.iter().filter_map(|a| a.parent_id.map(|p| (a.id, p))).collect(),
        })
    }

    /// The floor (the goal when no floor is set) and the alert addresses of the nearest unit
    /// at or above `unit` that sets them.
    pub(crate) fn of(&self, unit: i64) -> (Option<f64>, String) {
        let (mut floor, mut to) = (None, None);
        let mut at = Some(unit);
        for _ in 0..64 {
            let Some(id) = at else { break };
            if let Some(t) = self.rows.get(&id) {
                if floor.is_none() {
                    floor = t.floor.or(t.goal);
                }
                if to.is_none() && !t.alert_to.is_empty() {
                    to = Some(t.alert_to.clone());
                }
            }
            at = self.parent.get(&id).copied();
        }
        (floor, to.unwrap_or_default())
    }
}
