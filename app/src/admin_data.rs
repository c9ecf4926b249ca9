//! What the administration pages show, and the server functions that load it. Every function
//! checks that the caller is signed in and administers, and returns only their scope.

use crate::{
    domain::{accounts::Role, codes::AgencyKind},
    dto::{ElementView, Localized, ScalePointView},
    error::AppError,
};
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitRef {
    pub code: String,
    pub name: Localized,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminUnit {
    pub code: String,
    pub name: Localized,
    pub kind: AgencyKind,
    pub depth: usize,
    pub parent: Option<String>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub merged_into: Option<UnitRef>,
    pub counters: usize,
    /// The root of the administrator's own scope: it cannot be moved, closed or merged by them.
    pub is_scope_root: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminUnits {
    pub units: Vec<AdminUnit>,
    /// System administrators may add units without a parent (provinces).
    pub may_add_roots: bool,
}

impl AdminUnits {
    /// Units a form may pick: the open ones.
    pub fn open_units(&self) -> impl Iterator<Item = &AdminUnit> {
        self.units.iter().filter(|u| u.valid_to.is_none())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminCounter {
    pub code: String,
    pub name: String,
    pub unit: UnitRef,
    pub open: bool,
    /// As entered; empty for the usual hours.
    pub opening_hours: String,
    /// The questionnaire its QR code opens; `None` for the default one.
    pub questionnaire: Option<i64>,
    /// The published questionnaires it may use.
    pub usable: Vec<i64>,
}

/// One version of a questionnaire, as the administration lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionnaireRow {
    pub id: i64,
    pub code: String,
    pub version: i32,
    pub name: Localized,
    /// `administrative`, `health`, `education` or `utilities`.
    pub sector: String,
    pub published: bool,
    pub is_default: bool,
    /// The unit that made it; `None` for the shared templates.
    pub owner: Option<UnitRef>,
    pub questions: usize,
    /// Counters whose QR code opens it.
    pub counters: usize,
    /// A draft this administrator may edit and publish.
    pub editable: bool,
}

/// One questionnaire with its questions, for the page that shows and edits it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionnaireDetail {
    pub row: QuestionnaireRow,
    pub min_answers: u32,
    pub elements: Vec<ElementView>,
    /// Answer labels by `CriterionView::scale`.
    pub scales: std::collections::BTreeMap<String, Vec<ScalePointView>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffNetworkRow {
    pub id: i64,
    pub cidr: String,
    pub note: String,
    pub unit: UnitRef,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminProcedure {
    pub code: String,
    pub name: Localized,
    pub unit: Option<UnitRef>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminUser {
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub unit: Option<UnitRef>,
    pub active: bool,
    /// The administrator themselves (they cannot lock or reset themselves here).
    pub is_self: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// In Vietnam time, `dd/mm/yyyy HH:MM:SS`.
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyRow {
    pub id: i64,
    pub name: String,
    /// The first characters, to recognise a key without revealing it.
    pub prefix: String,
    pub unit: UnitRef,
    pub created_at: String,
    pub revoked: bool,
}

/// A kiosk tablet of a counter (never its secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TabletRow {
    pub id: i64,
    pub name: String,
    pub counter_code: String,
    pub counter_name: String,
    /// When it was enrolled (Vietnam time), if it was.
    pub enrolled_at: Option<String>,
    pub revoked: bool,
}

/// Everything the administration pages need, for one scope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminData {
    pub units: AdminUnits,
    pub counters: Vec<AdminCounter>,
    pub procedures: Vec<AdminProcedure>,
    pub users: Vec<AdminUser>,
    pub grantable_roles: Vec<Role>,
    pub audit: Vec<AuditEntry>,
    pub api_keys: Vec<ApiKeyRow>,
    pub tablets: Vec<TabletRow>,
    pub staff_networks: Vec<StaffNetworkRow>,
    pub questionnaires: Vec<QuestionnaireRow>,
    /// Base of survey links, for printed posters.
    pub public_url: String,
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::{
        domain::period::vn_offset,
        error::ErrorCode,
        server::{
            entity::{agency, app_user, audit_log, counter, instrument, instrument_criterion},
            services::{access, agencies, auth::CurrentUser, instruments as defs, questionnaires},
            state::app_state,
        },
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

    pub async fn load_questionnaire(id: i64) -> Result<QuestionnaireDetail, AppError> {
        let state = app_state()?;
        let user = use_context::<CurrentUser>().ok_or(ErrorCode::NotSignedIn)?;
        let db = &state.db;
        let scope = access::admin_scope(db, &user).await?;
        let i = questionnaires::get(db, &user, id).await?;
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

    pub async fn load() -> Result<AdminData, AppError> {
        let state = app_state()?;
        let user = use_context::<CurrentUser>().ok_or(ErrorCode::NotSignedIn)?;
        let scope = access::admin_scope(&state.db, &user).await?;
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

        let instruments = questionnaires::list(db, &user).await?;
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

        let api_keys = crate::server::services::tickets::list_api_keys(db, &user)
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

        let tablets = crate::server::services::tablets::list(db, &user)
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

        let staff_networks = crate::server::entity::staff_network::Entity::find()
            .order_by_asc(crate::server::entity::staff_network::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .filter(|n| scope.contains(n.agency_id))
            .filter_map(|n| {
                by_id.get(&n.agency_id).map(|a| StaffNetworkRow {
                    id: n.id,
                    cidr: n.cidr,
                    note: n.note,
                    unit: unit_ref(a),
                })
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
}

#[server(prefix = "/fn", endpoint = "admin_data")]
pub async fn load_admin_data() -> Result<AdminData, AppError> {
    ssr::load().await
}

#[server(prefix = "/fn", endpoint = "admin_questionnaire")]
pub async fn load_questionnaire(id: i64) -> Result<QuestionnaireDetail, AppError> {
    ssr::load_questionnaire(id).await
}
