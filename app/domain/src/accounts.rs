//! Staff accounts: roles, login names and the password policy.

use crate::error::ErrorCode;
use serde::{Deserialize, Serialize};

/// What a staff member may do, always within the subtree of their unit (a system administrator
/// has no unit and sees everything).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads the dashboards of the subtree.
    Viewer,
    /// Handles citizens' feedback in the subtree (a later part of the product), and reads.
    Officer,
    /// Manages the subtree: units, counters, procedures, questionnaires and users.
    AgencyAdmin,
    /// Everything, everywhere.
    SystemAdmin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Viewer, Role::Officer, Role::AgencyAdmin, Role::SystemAdmin];

    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Officer => "officer",
            Role::AgencyAdmin => "agency_admin",
            Role::SystemAdmin => "system_admin",
        }
    }

    pub fn parse(raw: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == raw)
    }

    /// Whether this role administers (changes) things, not only reads them.
    pub const fn administers(self) -> bool {
        matches!(self, Role::AgencyAdmin | Role::SystemAdmin)
    }

    /// Whether a user with this role may give `other` to someone: never more than one has.
    pub fn may_grant(self, other: Role) -> bool {
        self.administers() && other <= self
    }
}

/// A login name: 3–60 characters, lowercase letters, digits and `. _ - @`, so an e-mail address
/// works too. Compared in lowercase.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LoginName(String);

impl LoginName {
    pub fn parse(raw: &str) -> Result<LoginName, ErrorCode> {
        let name = raw.trim().to_lowercase();
        let ok = (3..=60).contains(&name.chars().count())
            && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-@".contains(c));
        if ok { Ok(LoginName(name)) } else { Err(ErrorCode::InvalidLoginName) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Shortest password accepted. Long passphrases beat complexity rules (NIST SP 800-63B).
pub const PASSWORD_MIN_CHARS: usize = 10;
/// Longest password accepted: argon2 takes any length, but a limit stops denial of service.
pub const PASSWORD_MAX_CHARS: usize = 200;

/// Passwords that are the first guesses of any attacker (Vietnamese and international).
const COMMON: [&str; 12] = [
    "1234567890",
    "12345678910",
    "0123456789",
    "matkhau123",
    "matkhau1234",
    "password12",
    "password123",
    "qwertyuiop",
    "abc1234567",
    "1111111111",
    "admin12345",
    "vietnam123",
];

/// Checks a new password. Returns the error code to show, if any.
pub fn check_new_password(password: &str, login: &str) -> Result<(), ErrorCode> {
    let n = password.chars().count();
    if !(PASSWORD_MIN_CHARS..=PASSWORD_MAX_CHARS).contains(&n) {
        return Err(ErrorCode::WeakPassword);
    }
    let lower = password.to_lowercase();
    if lower == login.to_lowercase() || COMMON.contains(&lower.as_str()) || lower.chars().all(|c| lower.starts_with(c))
    {
        return Err(ErrorCode::WeakPassword);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_are_ordered_by_power() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert!(Role::Viewer < Role::Officer && Role::Officer < Role::AgencyAdmin);
        assert!(Role::AgencyAdmin.may_grant(Role::Viewer));
        assert!(Role::AgencyAdmin.may_grant(Role::AgencyAdmin));
        assert!(!Role::AgencyAdmin.may_grant(Role::SystemAdmin));
        assert!(!Role::Officer.may_grant(Role::Viewer));
    }

    #[test]
    fn login_names_are_lowercased_and_checked() {
        assert_eq!(LoginName::parse(" Nguyen.Van-A@QN.gov.vn ").unwrap().as_str(), "nguyen.van-a@qn.gov.vn");
        for bad in ["ab", "có dấu", "a b c", &"a".repeat(61), "x/y"] {
            assert_eq!(LoginName::parse(bad), Err(ErrorCode::InvalidLoginName), "{bad}");
        }
    }

    #[test]
    fn weak_passwords_are_refused() {
        assert_eq!(check_new_password("ngắn", "an"), Err(ErrorCode::WeakPassword));
        assert_eq!(check_new_password("matkhau123", "an"), Err(ErrorCode::WeakPassword));
        assert_eq!(check_new_password("nguyenvana1", "nguyenvana1"), Err(ErrorCode::WeakPassword));
        assert_eq!(check_new_password("aaaaaaaaaaaa", "an"), Err(ErrorCode::WeakPassword));
        assert_eq!(check_new_password(&"x".repeat(201), "an"), Err(ErrorCode::WeakPassword));
        assert!(check_new_password("hạ long mùa thu 2026", "an").is_ok());
    }
}
