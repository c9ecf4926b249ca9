//! Administrative changes: units (create, rename, move, close, merge), counters, procedures and
//! users. Every change is checked against the actor's scope and written to the audit log in the
//! same transaction.

use crate::entity::{agency, app_user, counter, procedure, staff_network};
use crate::{
    access::{self, Scope},
    agencies::{self, NewAgency},
    audit::{self, Actor},
    auth::{self, NewUser},
    clock::now,
    current_user::CurrentUser,
    rollups,
};
use chrono::NaiveDate;
use domain::{
    accounts::Role,
    codes::AgencyKind,
    error::{AppError, ErrorCode, FieldError},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, SqlErr,
    TransactionTrait,
};

fn invalid(field: &str, code: ErrorCode) -> AppError {
    AppError::invalid(vec![FieldError::new(field, code)])
}

fn required(field: &str, value: &str) -> Result<String, AppError> {
    let v = value.trim();
    if v.is_empty() { Err(invalid(field, ErrorCode::Required)) } else { Ok(v.to_owned()) }
}

fn unique_violation(e: &sea_orm::DbErr) -> bool {
    matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// A unit the actor may administer, by code.
pub async fn unit_in_scope(db: &DatabaseConnection, scope: &Scope, code: &str) -> Result<agency::Model, AppError> {
    let unit = agencies::by_code(db, code).await?;
    access::ensure(scope, unit.id)?;
    Ok(unit)
}

/// A unit as the administration form describes it.
#[derive(Clone, Debug, Default)]
pub struct UnitDraft {
    pub code: String,
    pub kind: String,
    pub name_vi: String,
    pub name_en: String,
    pub parent_code: Option<String>,
    pub valid_from: Option<NaiveDate>,
}

/// Adds a unit under a parent in the actor's scope (system administrators may add roots).
pub async fn create_unit(
    db: &DatabaseConnection,
    user: &CurrentUser,
    draft: UnitDraft,
) -> Result<agency::Model, AppError> {
    let scope = access::admin_scope(db, user).await?;
    let kind = AgencyKind::parse(&draft.kind).ok_or_else(|| invalid("kind", ErrorCode::Required))?;
    let name_vi = required("name_vi", &draft.name_vi)?;
    let valid_from = draft.valid_from.ok_or_else(|| invalid("valid_from", ErrorCode::InvalidDate))?;
    let parent = match draft.parent_code.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => Some(unit_in_scope(db, &scope, p).await?),
        None if scope == Scope::Everything => None,
        None => return Err(invalid("parent", ErrorCode::Required)),
    };
    let txn = db.begin().await?;
    let created = agencies::create(
        &txn,
        NewAgency {
            code: draft.code.trim().into(),
            kind,
            name_vi,
            name_en: draft.name_en.trim().into(),
            parent_code: parent.map(|p| p.code),
            valid_from,
        },
    )
    .await?;
    audit::record(
        &txn,
        &Actor::user(user),
        "unit.create",
        "unit",
        &created.code,
        Some(created.id),
        None,
        Some(audit::agency_json(&created)),
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

/// Renames a unit.
pub async fn rename_unit(
    db: &DatabaseConnection,
    user: &CurrentUser,
    code: &str,
    name_vi: &str,
    name_en: &str,
) -> Result<(), AppError> {
    let scope = access::admin_scope(db, user).await?;
    let unit = unit_in_scope(db, &scope, code).await?;
    let name_vi = required("name_vi", name_vi)?;
    let txn = db.begin().await?;
    let mut active: agency::ActiveModel = unit.clone().into();
    active.name_vi = Set(name_vi);
    active.name_en = Set(name_en.trim().to_owned());
    let after = active.update(&txn).await?;
    audit::record(
        &txn,
        &Actor::user(user),
        "unit.rename",
        "unit",
        &unit.code,
        Some(unit.id),
        Some(audit::agency_json(&unit)),
        Some(audit::agency_json(&after)),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A unit as it stands, read inside the transaction that changes it (on PostgreSQL locked
/// until that transaction ends; SQLite has one writer at a time), so that its counts are moved
/// from where they really are.
async fn locked(txn: &sea_orm::DatabaseTransaction, id: i64) -> Result<agency::Model, AppError> {
    use sea_orm::ConnectionTrait;
    if txn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        txn.execute_unprepared(&format!("SELECT id FROM agency WHERE id = {id} FOR UPDATE")).await?;
    }
    agency::Entity::find_by_id(id).one(txn).await?.ok_or_else(|| AppError::new(ErrorCode::AgencyNotFound))
}

/// Where a unit's counts roll up.
fn link_of(unit: &agency::Model) -> Option<i64> {
    rollups::roll_up_link(unit.id, unit.parent_id, unit.merged_into_id)
}

/// Moves a unit under another parent in scope (never under itself or its own descendants, and
/// an administrator cannot move the root of their own scope).
pub async fn move_unit(
    db: &DatabaseConnection,
    user: &CurrentUser,
    code: &str,
    new_parent: &str,
) -> Result<(), AppError> {
    let scope = access::admin_scope(db, user).await?;
    let unit = unit_in_scope(db, &scope, code).await?;
    if scope.root() == Some(unit.id) {
        return Err(AppError::new(ErrorCode::Forbidden));
    }
    let parent = unit_in_scope(db, &scope, new_parent).await?;
    if access::subtree(&agencies::all(db).await?, unit.id).contains(&parent.id) {
        return Err(invalid("parent", ErrorCode::InvalidQuery));
    }
    let txn = db.begin().await?;
    let unit = locked(&txn, unit.id).await?;
    let mut active: agency::ActiveModel = unit.clone().into();
    active.parent_id = Set(Some(parent.id));
    let after = active.update(&txn).await?;
    // The unit's counts leave the units above its old place and join those above the new one.
    rollups::reattach(&txn, unit.id, link_of(&unit), link_of(&after)).await?;
    audit::record(
        &txn,
        &Actor::user(user),
        "unit.move",
        "unit",
        &unit.code,
        Some(unit.id),
        Some(audit::agency_json(&unit)),
        Some(audit::agency_json(&after)),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Closes a unit from a date on: it disappears from current trees, its history stays.
pub async fn close_unit(
    db: &DatabaseConnection,
    user: &CurrentUser,
    code: &str,
    valid_to: NaiveDate,
) -> Result<(), AppError> {
    let scope = access::admin_scope(db, user).await?;
    let unit = unit_in_scope(db, &scope, code).await?;
    if scope.root() == Some(unit.id) {
        return Err(AppError::new(ErrorCode::Forbidden));
    }
    if valid_to <= unit.valid_from {
        return Err(invalid("valid_to", ErrorCode::InvalidPeriod));
    }
    let txn = db.begin().await?;
    let mut active: agency::ActiveModel = unit.clone().into();
    active.valid_to = Set(Some(valid_to));
    let after = active.update(&txn).await?;
    audit::record(
        &txn,
        &Actor::user(user),
        "unit.close",
        "unit",
        &unit.code,
        Some(unit.id),
        Some(audit::agency_json(&unit)),
        Some(audit::agency_json(&after)),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Merges units into another (the 2025 reorganisation): each is closed on `on` and points to the
/// new unit, so its responses count in the new unit's indices from then on.
pub async fn merge_units(
    db: &DatabaseConnection,
    user: &CurrentUser,
    codes: &[String],
    into: &str,
    on: NaiveDate,
) -> Result<(), AppError> {
    let scope = access::admin_scope(db, user).await?;
    let target = unit_in_scope(db, &scope, into).await?;
    if codes.is_empty() {
        return Err(invalid("units", ErrorCode::Required));
    }
    let mut merged = Vec::new();
    for code in codes {
        let unit = unit_in_scope(db, &scope, code).await?;
        if unit.id == target.id || scope.root() == Some(unit.id) {
            return Err(invalid("units", ErrorCode::InvalidQuery));
        }
        // Merging a unit into its own descendant would make a loop.
        if access::subtree(&agencies::all(db).await?, unit.id).contains(&target.id) {
            return Err(invalid("units", ErrorCode::InvalidQuery));
        }
        merged.push(unit);
    }
    let txn = db.begin().await?;
    for unit in merged {
        let unit = locked(&txn, unit.id).await?;
        let mut active: agency::ActiveModel = unit.clone().into();
        active.valid_to = Set(Some(on));
        active.merged_into_id = Set(Some(target.id));
        let after = active.update(&txn).await?;
        // Its history now counts in the unit it was merged into (and the units above that).
        rollups::reattach(&txn, unit.id, link_of(&unit), link_of(&after)).await?;
        audit::record(
            &txn,
            &Actor::user(user),
            "unit.merge",
            "unit",
            &unit.code,
            Some(unit.id),
            Some(audit::agency_json(&unit)),
            Some(audit::agency_json(&after)),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Opens a counter in a unit in scope.
pub async fn create_counter(
    db: &DatabaseConnection,
    user: &CurrentUser,
    unit_code: &str,
    name: &str,
) -> Result<counter::Model, AppError> {
    let scope = access::admin_scope(db, user).await?;
    let unit = unit_in_scope(db, &scope, unit_code).await?;
    let name = required("name", name)?;
    let txn = db.begin().await?;
    let c = agencies::create_counter(&txn, unit.id, &name).await?;
    audit::record(
        &txn,
        &Actor::user(user),
        "counter.create",
        "counter",
        &c.code,
        Some(unit.id),
        None,
        Some(audit::counter_json(&c)),
    )
    .await?;
    txn.commit().await?;
    Ok(c)
}

/// Closes or reopens a counter. A closed counter's QR code says so instead of taking ratings.
pub async fn set_counter_open(
    db: &DatabaseConnection,
    user: &CurrentUser,
    code: &str,
    open: bool,
) -> Result<(), AppError> {
    let c = counter_in_scope(db, user, code).await?;
    let action = if open { "counter.reopen" } else { "counter.close" };
    update_counter(db, user, c, action, |active| active.disabled_at = Set(if open { None } else { Some(now()) })).await
}

/// A counter of the administrator's scope, by its public code.
pub async fn counter_in_scope(
    db: &DatabaseConnection,
    user: &CurrentUser,
    code: &str,
) -> Result<counter::Model, AppError> {
    let scope = access::admin_scope(db, user).await?;
    let c = counter::Entity::find()
        .filter(counter::Column::Code.eq(code))
        .one(db)
        .await?
        .ok_or(ErrorCode::CounterNotFound)?;
    access::ensure(&scope, c.agency_id)?;
    Ok(c)
}

/// Changes a counter (already checked to be in scope) and logs the change, in one transaction.
pub async fn update_counter(
    db: &DatabaseConnection,
    user: &CurrentUser,
    c: counter::Model,
    action: &str,
    change: impl FnOnce(&mut counter::ActiveModel),
) -> Result<(), AppError> {
    let txn = db.begin().await?;
    let mut active: counter::ActiveModel = c.clone().into();
    change(&mut active);
    let after = active.update(&txn).await?;
    audit::record(
        &txn,
        &Actor::user(user),
        action,
        "counter",
        &c.code,
        Some(c.agency_id),
        Some(audit::counter_json(&c)),
        Some(audit::counter_json(&after)),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Adds a procedure to a unit's catalogue, or (system administrators) to the national one.
pub async fn create_procedure(
    db: &DatabaseConnection,
    user: &CurrentUser,
    unit_code: Option<&str>,
    code: &str,
    name_vi: &str,
    name_en: &str,
) -> Result<procedure::Model, AppError> {
    let scope = access::admin_scope(db, user).await?;
    let unit = match unit_code.map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => Some(unit_in_scope(db, &scope, c).await?),
        None if scope == Scope::Everything => None,
        None => return Err(invalid("unit", ErrorCode::Required)),
    };
    let code = required("code", code)?;
    let name_vi = required("name_vi", name_vi)?;
    let txn = db.begin().await?;
    let model = procedure::ActiveModel {
        code: Set(code),
        name_vi: Set(name_vi),
        name_en: Set(name_en.trim().to_owned()),
        created_at: Set(now()),
        agency_id: Set(unit.as_ref().map(|u| u.id)),
        ..Default::default()
    };
    let p = match model.insert(&txn).await {
        Ok(p) => p,
        Err(e) if unique_violation(&e) => return Err(AppError::new(ErrorCode::AlreadyExists)),
        Err(e) => return Err(e.into()),
    };
    audit::record(
        &txn,
        &Actor::user(user),
        "procedure.create",
        "procedure",
        &p.code,
        p.agency_id,
        None,
        Some(audit::procedure_json(&p)),
    )
    .await?;
    txn.commit().await?;
    Ok(p)
}

/// Creates an account in the actor's scope with a role no higher than the actor's.
pub async fn create_user(
    db: &DatabaseConnection,
    user: &CurrentUser,
    login: &str,
    display_name: &str,
    role: &str,
    unit_code: Option<&str>,
    password: &str,
) -> Result<app_user::Model, AppError> {
    let scope = access::admin_scope(db, user).await?;
    let role = Role::parse(role).ok_or_else(|| invalid("role", ErrorCode::Required))?;
    if !user.role.may_grant(role) {
        return Err(AppError::new(ErrorCode::Forbidden));
    }
    let agency_id = match unit_code.map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => Some(unit_in_scope(db, &scope, c).await?.id),
        None if role == Role::SystemAdmin => None,
        None => return Err(invalid("unit", ErrorCode::Required)),
    };
    let txn = db.begin().await?;
    let created = auth::create_user(
        &txn,
        &Actor::user(user),
        NewUser { login: login.into(), display_name: display_name.into(), password: password.into(), role, agency_id },
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

/// A user the actor may manage: in scope, not themselves, and not of a higher role.
async fn managed_user(db: &DatabaseConnection, user: &CurrentUser, login: &str) -> Result<app_user::Model, AppError> {
    let scope = access::admin_scope(db, user).await?;
    let target = app_user::Entity::find()
        .filter(app_user::Column::Login.eq(login.trim().to_lowercase()))
        .one(db)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    let target_role = Role::parse(&target.role).unwrap_or(Role::SystemAdmin);
    let in_scope = match target.agency_id {
        Some(a) => scope.contains(a),
        None => scope == Scope::Everything,
    };
    if !in_scope || target.id == user.id || !user.role.may_grant(target_role) {
        return Err(AppError::new(ErrorCode::Forbidden));
    }
    Ok(target)
}

/// Turns an account off (its sessions end at once) or back on.
pub async fn set_user_active(
    db: &DatabaseConnection,
    user: &CurrentUser,
    login: &str,
    active: bool,
) -> Result<(), AppError> {
    let target = managed_user(db, user, login).await?;
    let txn = db.begin().await?;
    let mut row: app_user::ActiveModel = target.clone().into();
    row.active = Set(active);
    let after = row.update(&txn).await?;
    if !active {
        auth::end_sessions(&txn, target.id, None).await?;
    }
    let action = if active { "user.activate" } else { "user.deactivate" };
    audit::record(
        &txn,
        &Actor::user(user),
        action,
        "user",
        &target.login,
        target.agency_id,
        Some(audit::user_json(&target)),
        Some(audit::user_json(&after)),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Sets a new password for someone who lost theirs; their sessions end.
pub async fn reset_password(
    db: &DatabaseConnection,
    user: &CurrentUser,
    login: &str,
    password: &str,
) -> Result<(), AppError> {
    let target = managed_user(db, user, login).await?;
    domain::accounts::check_new_password(password, &target.login).map_err(AppError::new)?;
    let hash = auth::hash_password(password.to_owned()).await?;
    let txn = db.begin().await?;
    let mut row: app_user::ActiveModel = target.clone().into();
    row.password_hash = Set(hash);
    row.password_changed_at = Set(now());
    row.update(&txn).await?;
    auth::end_sessions(&txn, target.id, None).await?;
    audit::record(&txn, &Actor::user(user), "user.password_reset", "user", &target.login, target.agency_id, None, None)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Sets a counter's opening hours (e.g. `Mon-Fri 07:30-11:30,13:30-17:00; Sat 07:30-11:30`);
/// empty means the usual hours.
pub async fn set_opening_hours(
    db: &DatabaseConnection,
    user: &CurrentUser,
    code: &str,
    hours: &str,
) -> Result<(), AppError> {
    let c = counter_in_scope(db, user, code).await?;
    let hours = hours.trim();
    if !hours.is_empty() && domain::integrity::OpeningHours::parse(hours).is_none() {
        return Err(invalid("opening_hours", ErrorCode::InvalidOpeningHours));
    }
    update_counter(db, user, c, "counter.hours", |active| {
        active.opening_hours = Set((!hours.is_empty()).then(|| hours.to_owned()));
    })
    .await
}

/// Registers a network as the staff's own: ratings from it are flagged.
pub async fn add_staff_network(
    db: &DatabaseConnection,
    user: &CurrentUser,
    unit_code: &str,
    cidr: &str,
    note: &str,
) -> Result<(), AppError> {
    let scope = access::admin_scope(db, user).await?;
    let unit = unit_in_scope(db, &scope, unit_code).await?;
    let cidr = cidr.trim();
    if !domain::integrity::valid_cidr(cidr) {
        return Err(invalid("cidr", ErrorCode::InvalidNetwork));
    }
    let txn = db.begin().await?;
    let row = staff_network::ActiveModel {
        agency_id: Set(unit.id),
        cidr: Set(cidr.to_owned()),
        note: Set(note.trim().to_owned()),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        &Actor::user(user),
        "staff_network.add",
        "staff_network",
        &row.id.to_string(),
        Some(unit.id),
        None,
        Some(serde_json::json!({"cidr": row.cidr, "note": row.note})),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Removes a registered staff network.
pub async fn remove_staff_network(db: &DatabaseConnection, user: &CurrentUser, id: i64) -> Result<(), AppError> {
    let scope = access::admin_scope(db, user).await?;
    let row = staff_network::Entity::find_by_id(id).one(db).await?.ok_or(ErrorCode::NotFound)?;
    access::ensure(&scope, row.agency_id)?;
    let txn = db.begin().await?;
    staff_network::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(
        &txn,
        &Actor::user(user),
        "staff_network.remove",
        "staff_network",
        &id.to_string(),
        Some(row.agency_id),
        Some(serde_json::json!({"cidr": row.cidr, "note": row.note})),
        None,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
