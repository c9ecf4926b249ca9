//! Who may see and change what. Every staff member works in the subtree of their unit; a
//! system administrator works everywhere. Every page, server function, form handler and API
//! route that touches a unit asks this module first.

use crate::entity::agency;
use crate::{agencies, current_user::CurrentUser};
use domain::{
    accounts::Role,
    error::{AppError, ErrorCode},
};
use sea_orm::ConnectionTrait;
use std::collections::{HashMap, HashSet};

/// The units a user may act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    Everything,
    /// The root and every unit below it, including units merged into one of them.
    Subtree {
        root: i64,
        members: HashSet<i64>,
    },
}

impl Scope {
    pub fn contains(&self, agency_id: i64) -> bool {
        match self {
            Scope::Everything => true,
            Scope::Subtree { members, .. } => members.contains(&agency_id),
        }
    }

    pub fn root(&self) -> Option<i64> {
        match self {
            Scope::Everything => None,
            Scope::Subtree { root, .. } => Some(*root),
        }
    }
}

/// Every unit at or below `root`, following both "child of" and "merged into" links.
pub fn subtree(units: &[agency::Model], root: i64) -> HashSet<i64> {
    let mut below: HashMap<i64, Vec<i64>> = HashMap::new();
    for u in units {
        if let Some(p) = u.parent_id {
            below.entry(p).or_default().push(u.id);
        }
        if let Some(s) = u.merged_into_id {
            below.entry(s).or_default().push(u.id);
        }
    }
    let mut seen = HashSet::from([root]);
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        for kid in below.get(&id).into_iter().flatten() {
            if seen.insert(*kid) {
                stack.push(*kid);
            }
        }
    }
    seen
}

/// The scope of a signed-in user.
pub async fn scope_of(db: &impl ConnectionTrait, user: &CurrentUser) -> Result<Scope, AppError> {
    match (user.role, user.agency_id) {
        (Role::SystemAdmin, _) => Ok(Scope::Everything),
        (_, Some(root)) => Ok(Scope::Subtree { root, members: subtree(&agencies::all(db).await?, root) }),
        (_, None) => Err(AppError::new(ErrorCode::Forbidden)),
    }
}

/// The scope of a user who must administer (agency or system administrator).
pub async fn admin_scope(db: &impl ConnectionTrait, user: &CurrentUser) -> Result<Scope, AppError> {
    if !user.role.administers() {
        return Err(AppError::new(ErrorCode::Forbidden));
    }
    scope_of(db, user).await
}

/// Refuses unless the unit is in scope.
pub fn ensure(scope: &Scope, agency_id: i64) -> Result<(), AppError> {
    if scope.contains(agency_id) { Ok(()) } else { Err(AppError::new(ErrorCode::Forbidden)) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, Utc};

    fn unit(id: i64, parent: Option<i64>, merged_into: Option<i64>) -> agency::Model {
        agency::Model {
            id,
            code: format!("U{id}"),
            kind: "other".into(),
            name_vi: String::new(),
            name_en: String::new(),
            parent_id: parent,
            valid_from: NaiveDate::MIN,
            valid_to: None,
            created_at: Utc::now(),
            merged_into_id: merged_into,
        }
    }

    #[test]
    fn a_subtree_holds_descendants_and_merged_units_but_not_siblings() {
        // 1 ─┬─ 2 ── 4        5 (closed, merged into 2)
        //    └─ 3
        let units = [
            unit(1, None, None),
            unit(2, Some(1), None),
            unit(3, Some(1), None),
            unit(4, Some(2), None),
            unit(5, Some(1), Some(2)),
        ];
        assert_eq!(subtree(&units, 2), HashSet::from([2, 4, 5]));
        assert_eq!(subtree(&units, 3), HashSet::from([3]));
        assert_eq!(subtree(&units, 1).len(), 5);
    }

    #[test]
    fn scopes_answer_membership() {
        let s = Scope::Subtree { root: 2, members: HashSet::from([2, 4]) };
        assert!(s.contains(4) && !s.contains(3));
        assert!(ensure(&s, 3).is_err());
        assert!(Scope::Everything.contains(99));
    }
}
