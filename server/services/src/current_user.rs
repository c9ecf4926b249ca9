//! The signed-in staff member a service acts for. Made by `auth` from a session, or for the
//! command line's own work; every service that checks who may do what takes one.

use crate::entity::{app_user, user_session};
use domain::{accounts::Role, error::AppError};

/// The signed-in staff member behind a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CurrentUser {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    /// Root of the subtree the user works in; `None` for system administrators.
    pub agency_id: Option<i64>,
    /// Must accompany every state-changing request of this session.
    pub csrf_token: String,
    session_id: String,
}

impl CurrentUser {
    pub fn session_id(&self) -> &str {
        &self.session_id
    }

    /// The account acting without a browser session: the command line's demo data, which
    /// goes through the same services and checks as a signed-in user.
    pub fn for_service(user: &app_user::Model) -> CurrentUser {
        CurrentUser {
            id: user.id,
            login: user.login.clone(),
            display_name: user.display_name.clone(),
            role: Role::parse(&user.role).unwrap_or(Role::Viewer),
            agency_id: user.agency_id,
            csrf_token: String::new(),
            session_id: String::new(),
        }
    }

    /// The user of a live session.
    pub fn for_session(user: &app_user::Model, session: &user_session::Model) -> Result<CurrentUser, AppError> {
        Ok(CurrentUser {
            id: user.id,
            login: user.login.clone(),
            display_name: user.display_name.clone(),
            role: Role::parse(&user.role)
                .ok_or_else(|| AppError::internal(format!("user {} has no valid role", user.id)))?,
            agency_id: user.agency_id,
            csrf_token: session.csrf_token.clone(),
            session_id: session.id.clone(),
        })
    }
}
