//! The audit log: who changed what, when, with the values before and after. Append-only.

use crate::entity::{agency, app_user, audit_log, counter, procedure};
use crate::{clock::now, current_user::CurrentUser};
use domain::error::AppError;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};
use serde_json::{Value, json};

/// Who made a change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub label: String,
}

impl Actor {
    pub fn user(user: &CurrentUser) -> Actor {
        Actor { user_id: Some(user.id), label: user.login.clone() }
    }

    /// The command line (`ydan create-admin`, demo data).
    pub fn cli() -> Actor {
        Actor { user_id: None, label: "cli".into() }
    }

    /// The server itself (corrections it applies when it starts).
    pub fn system() -> Actor {
        Actor { user_id: None, label: "system".into() }
    }
}

/// Writes one entry.
#[allow(clippy::too_many_arguments)]
pub async fn record(
    db: &impl ConnectionTrait,
    actor: &Actor,
    action: &str,
    entity: &str,
    entity_id: &str,
    agency_id: Option<i64>,
    before: Option<Value>,
    after: Option<Value>,
) -> Result<(), AppError> {
    audit_log::ActiveModel {
        at: Set(now()),
        actor_user_id: Set(actor.user_id),
        actor_label: Set(actor.label.clone()),
        action: Set(action.to_owned()),
        entity: Set(entity.to_owned()),
        entity_id: Set(entity_id.to_owned()),
        agency_id: Set(agency_id),
        before: Set(before.map(|v| v.to_string())),
        after: Set(after.map(|v| v.to_string())),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// What the log keeps of an account: never the password hash.
pub fn user_json(u: &app_user::Model) -> Value {
    json!({"login": u.login, "display_name": u.display_name, "role": u.role, "agency_id": u.agency_id,
           "active": u.active, "deleted_at": u.deleted_at})
}

pub fn agency_json(a: &agency::Model) -> Value {
    json!({"code": a.code, "kind": a.kind, "name_vi": a.name_vi, "name_en": a.name_en, "parent_id": a.parent_id,
           "valid_from": a.valid_from, "valid_to": a.valid_to})
}

pub fn counter_json(c: &counter::Model) -> Value {
    json!({"code": c.code, "name": c.name, "agency_id": c.agency_id, "instrument_id": c.instrument_id})
}

pub fn procedure_json(p: &procedure::Model) -> Value {
    json!({"code": p.code, "name_vi": p.name_vi, "name_en": p.name_en})
}
