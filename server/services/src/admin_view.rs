//! What the administration pages show, read within the reader's scope.

use crate::{
    access, agencies,
    current_user::CurrentUser,
    entity::{agency, app_user, audit_log, counter, instrument, instrument_criterion},
    instruments as defs, questionnaires,
    state::AppState,
};
use domain::{
    accounts::Role,
    dto::{Localized, admin::*},
    error::AppError,
    period::vn_offset,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;

fn unit_ref(a: &agency::Model) -> UnitRef {
    UnitRef { code: a.code.clone(), name: agencies::name_of(a) }
}

fn criteria_per_instrument(criteria: &[instrument_criterion::Model], id: i64) -> usize {
    criteria.iter().filter(|c| c.instrument_id == id).count()
}

fn questionnaire_row(
    i: &instrument::Model,
    by_id: &HashMap<i64, &agency::Model>,
    counters: &[counter::Model],
    scope: &access::Scope,
    questions: &usize,
) -> QuestionnaireRow {
    QuestionnaireRow {
        id: i.id,
        code: i.code.clone(),
        version: i.version,
        name: Localized::new(i.name_vi.clone(), i.name_en.clone()),
        sector: i.sector.clone(),
        published: i.status == "published",
        is_default: i.is_default,
        owner: i.agency_id.and_then(|a| by_id.get(&a)).map(|a| unit_ref(a)),
        questions: *questions,
        counters: counters.iter().filter(|c| c.instrument_id == Some(i.id)).count(),
        editable: i.status != "published"
            && match i.agency_id {
                None => *scope == access::Scope::Everything,
                Some(a) => scope.contains(a),
            },
    }
}

/// One questionnaire with its questions, if the reader may see it.
pub async fn questionnaire(state: &AppState, user: &CurrentUser, id: i64) -> Result<QuestionnaireDetail, AppError> {
    let db = &state.db;
    let scope = access::admin_scope(db, user).await?;
    let i = questionnaires::get(db, user, id).await?;
    let all = agencies::all(db).await?;
    let by_id: HashMap<i64, &agency::Model> = all.iter().map(|a| (a.id, a)).collect();
    let counters_all = counter::Entity::find().all(db).await?;
    let def = defs::load(db, &state.instruments, id).await?;
    let questions = def.criteria().count();
    Ok(QuestionnaireDetail {
        row: questionnaire_row(&i, &by_id, &counters_all, &scope, &questions),
        min_answers: def.min_answers,
        elements: def.element_views(),
        scales: def.scales.clone(),
    })
}

/// Everything the administration pages list, within what the reader administers.
pub async fn overview(state: &AppState, user: &CurrentUser) -> Result<AdminData, AppError> {
    let scope = access::admin_scope(&state.db, user).await?;
    let db = &state.db;
    let all = agencies::all(db).await?;
    let by_id: HashMap<i64, &agency::Model> = all.iter().map(|a| (a.id, a)).collect();

    // Units in scope, depth-first from the scope's roots, closed ones included.
    let mut kids: HashMap<Option<i64>, Vec<&agency::Model>> = HashMap::new();
    for a in all.iter().filter(|a| scope.contains(a.id)) {
        let parent = a.parent_id.filter(|p| scope.contains(*p));
        kids.entry(parent).or_default().push(a);
    }
    let counters_all = counter::Entity::find().order_by_asc(counter::Column::Name).all(db).await?;
    let criteria = instrument_criterion::Entity::find().all(db).await?;
    let mut per_unit: HashMap<i64, usize> = HashMap::new();
    for c in &counters_all {
        *per_unit.entry(c.agency_id).or_default() += 1;
    }
    let mut units = Vec::new();
    let mut stack: Vec<(&agency::Model, usize)> =
        kids.get(&None).map(|l| l.iter().rev().map(|a| (*a, 0)).collect()).unwrap_or_default();
    while let Some((a, depth)) = stack.pop() {
        units.push(AdminUnit {
            code: a.code.clone(),
            name: agencies::name_of(a),
            kind: agencies::kind_of(a),
            depth,
            parent: a.parent_id.and_then(|p| by_id.get(&p)).map(|p| p.code.clone()),
            valid_from: a.valid_from,
            valid_to: a.valid_to,
            merged_into: a.merged_into_id.and_then(|m| by_id.get(&m)).map(|m| unit_ref(m)),
            counters: per_unit.get(&a.id).copied().unwrap_or(0),
            is_scope_root: scope.root() == Some(a.id),
        });
        if depth < 64
            && let Some(list) = kids.get(&Some(a.id))
        {
            stack.extend(list.iter().rev().map(|k| (*k, depth + 1)));
        }
    }

    let instruments = questionnaires::list(db, user).await?;
    let mut counters = Vec::new();
    for c in counters_all.iter().filter(|c| scope.contains(c.agency_id)) {
        let Some(a) = by_id.get(&c.agency_id) else { continue };
        let lineage = questionnaires::lineage(&by_id, c.agency_id);
        let usable = instruments.iter().filter(|i| questionnaires::usable_by(&lineage, i)).map(|i| i.id).collect();
        counters.push(AdminCounter {
            code: c.code.clone(),
            name: c.name.clone(),
            unit: unit_ref(a),
            open: c.disabled_at.is_none(),
            opening_hours: c.opening_hours.clone().unwrap_or_default(),
            questionnaire: c.instrument_id,
            usable,
        });
    }
    let questionnaires = instruments
        .iter()
        .map(|i| questionnaire_row(i, &by_id, &counters_all, &scope, &criteria_per_instrument(&criteria, i.id)))
        .collect();

    let procedures = agencies::procedures(db)
        .await?
        .into_iter()
        .filter(|p| p.agency_id.is_none_or(|a| scope.contains(a)))
        .map(|p| AdminProcedure {
            name: Localized::new(p.name_vi, p.name_en),
            unit: p.agency_id.and_then(|a| by_id.get(&a)).map(|a| unit_ref(a)),
            code: p.code,
        })
        .collect();

    let users = app_user::Entity::find()
        .filter(app_user::Column::DeletedAt.is_null())
        .order_by_asc(app_user::Column::Login)
        .all(db)
        .await?
        .into_iter()
        .filter(|u| match u.agency_id {
            Some(a) => scope.contains(a),
            None => scope == access::Scope::Everything,
        })
        .map(|u| AdminUser {
            is_self: u.id == user.id,
            role: Role::parse(&u.role).unwrap_or(Role::Viewer),
            unit: u.agency_id.and_then(|a| by_id.get(&a)).map(|a| unit_ref(a)),
            login: u.login,
            display_name: u.display_name,
            active: u.active,
        })
        .collect();

    let mut audit_query = audit_log::Entity::find().order_by_desc(audit_log::Column::Id).limit(200);
    if let access::Scope::Subtree { members, .. } = &scope {
        audit_query = audit_query.filter(audit_log::Column::AgencyId.is_in(members.iter().copied()));
    }
    let audit = audit_query
        .all(db)
        .await?
        .into_iter()
        .map(|e| AuditEntry {
            at: e.at.with_timezone(&vn_offset()).format("%d/%m/%Y %H:%M:%S").to_string(),
            actor: e.actor_label,
            action: e.action,
            entity: e.entity,
            entity_id: e.entity_id,
            before: e.before,
            after: e.after,
        })
        .collect();

    let api_keys = crate::tickets::list_api_keys(db, user)
        .await?
        .into_iter()
        .map(|k| ApiKeyRow {
            id: k.id,
            name: k.name,
            prefix: k.prefix,
            unit: unit_ref(&k.unit),
            created_at: k.created_at.with_timezone(&vn_offset()).format("%d/%m/%Y").to_string(),
            revoked: k.revoked,
        })
        .collect();

    let tablets = crate::tablets::list(db, user)
        .await?
        .into_iter()
        .map(|t| TabletRow {
            id: t.device.id,
            name: t.device.name,
            counter_code: t.counter_code,
            counter_name: t.counter_name,
            enrolled_at: t
                .device
                .enrolled_at
                .map(|at| at.with_timezone(&vn_offset()).format("%d/%m/%Y %H:%M").to_string()),
            revoked: t.device.revoked_at.is_some(),
        })
        .collect();

    let staff_networks = crate::entity::staff_network::Entity::find()
        .order_by_asc(crate::entity::staff_network::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter(|n| scope.contains(n.agency_id))
        .filter_map(|n| {
            by_id.get(&n.agency_id).map(|a| StaffNetworkRow { id: n.id, cidr: n.cidr, note: n.note, unit: unit_ref(a) })
        })
        .collect();

    Ok(AdminData {
        questionnaires,
        api_keys,
        tablets,
        staff_networks,
        units: AdminUnits { units, may_add_roots: scope == access::Scope::Everything },
        counters,
        procedures,
        users,
        grantable_roles: Role::ALL.into_iter().filter(|r| user.role.may_grant(*r)).collect(),
        audit,
        public_url: state.settings.public_url.trim_end_matches('/').to_owned(),
    })
}
