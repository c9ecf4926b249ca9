//! What the administration pages show: units, counters, questionnaires, staff networks,
//! procedures, users, the audit log, API keys and tablets, each within the reader's scope.

use crate::{
    accounts::Role,
    codes::AgencyKind,
    dto::{ElementView, Localized, ScalePointView},
};
use chrono::NaiveDate;
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
