//! Staff sign-in: argon2id passwords, server-side sessions in the database (so several server
//! instances share them), per-session CSRF tokens, and throttling of failed sign-ins per (login
//! name, client address) pair and per client address. There is no lock on a login name alone:
//! guessing at a colleague's login from elsewhere must not lock them out.

use crate::entity::{app_user, login_failure, user_session};
use crate::meta::{random_hex, sha256_hex};
use crate::{audit, clock::now, current_user::CurrentUser};
use argon2::{
    Algorithm, Argon2, Params, Version,
    password_hash::{PasswordHasher, PasswordVerifier},
};
use chrono::{DateTime, Duration, Utc};
use domain::{
    accounts::{LoginName, Role, check_new_password},
    error::{AppError, ErrorCode},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, SqlErr,
};
use std::sync::OnceLock;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "ydan_session";
/// A session ends this long after sign-in, whatever happens.
pub const SESSION_LIFETIME: Duration = Duration::hours(12);
/// …or after this long without a request.
pub const SESSION_IDLE: Duration = Duration::hours(2);
/// Failed sign-ins are counted over this window.
pub const THROTTLE_WINDOW: Duration = Duration::minutes(15);
/// Attempts at one login name from one client address within the window before that pair is
/// locked for the rest of it.
pub const MAX_FAILURES_PER_PAIR: u64 = 5;
/// Failures from one client address within the window (several staff may share an office NAT).
pub const MAX_FAILURES_PER_ADDRESS: u64 = 30;

/// argon2id with 19 MiB of memory, 2 passes, 1 lane: the OWASP minimum for argon2id. On this
/// project's 2-core machines one verification takes about 18–21 ms (see docs/BENCHMARKS.md), cheap
/// for a sign-in and expensive for a guesser; memory-hardness is what makes GPUs pay.
fn hasher() -> Result<Argon2<'static>, AppError> {
    let params = Params::new(19 * 1024, 2, 1, None).map_err(AppError::internal)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a password into a PHC string, on a blocking thread (it takes tens of milliseconds of
/// CPU, which must not stall the async runtime).
pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        hasher()?.hash_password(password.as_bytes()).map(|h| h.to_string()).map_err(AppError::internal)
    })
    .await
    .map_err(AppError::internal)?
}

/// Checks a password against a PHC string, on a blocking thread, at most two at once: argon2
/// is meant to be expensive, so a flood of sign-ins must queue rather than take every core.
pub async fn verify_password(password: String, phc: String) -> bool {
    static CHECKS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);
    let Ok(_turn) = CHECKS.acquire().await else { return false };
    tokio::task::spawn_blocking(move || {
        hasher().is_ok_and(|h| h.verify_password(password.as_bytes(), phc.as_str()).is_ok())
    })
    .await
    .unwrap_or(false)
}

/// A hash to verify against when the login name is unknown, so that "no such user" takes as
/// long as "wrong password" and timing tells an attacker nothing.
async fn dummy_hash() -> String {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(h) = DUMMY.get() {
        return h.clone();
    }
    let h = hash_password("không phải mật khẩu của ai".into()).await.unwrap_or_default();
    DUMMY.get_or_init(|| h).clone()
}

/// A new staff account.
#[derive(Clone, Debug)]
pub struct NewUser {
    pub login: String,
    pub display_name: String,
    pub password: String,
    pub role: Role,
    pub agency_id: Option<i64>,
}

/// Creates an account (checks the login name, the password policy and uniqueness).
pub async fn create_user(
    db: &impl ConnectionTrait,
    actor: &audit::Actor,
    new: NewUser,
) -> Result<app_user::Model, AppError> {
    let login = LoginName::parse(&new.login).map_err(AppError::new)?;
    check_new_password(&new.password, login.as_str()).map_err(AppError::new)?;
    if new.role != Role::SystemAdmin && new.agency_id.is_none() {
        return Err(AppError::new(ErrorCode::Forbidden));
    }
    let display_name = new.display_name.trim();
    let at = now();
    let model = app_user::ActiveModel {
        login: Set(login.as_str().to_owned()),
        display_name: Set(if display_name.is_empty() { login.as_str() } else { display_name }.to_owned()),
        password_hash: Set(hash_password(new.password).await?),
        role: Set(new.role.as_str().to_owned()),
        agency_id: Set(if new.role == Role::SystemAdmin { None } else { new.agency_id }),
        active: Set(true),
        created_at: Set(at),
        password_changed_at: Set(at),
        deleted_at: Set(None),
        ..Default::default()
    };
    let user = match model.insert(db).await {
        Ok(u) => u,
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(AppError::new(ErrorCode::AlreadyExists));
        }
        Err(e) => return Err(e.into()),
    };
    audit::record(
        db,
        actor,
        "user.create",
        "user",
        &user.id.to_string(),
        user.agency_id,
        None,
        Some(audit::user_json(&user)),
    )
    .await?;
    Ok(user)
}

async fn failures_since(db: &impl ConnectionTrait, key: &str, since: DateTime<Utc>) -> Result<u64, AppError> {
    Ok(login_failure::Entity::find()
        .filter(login_failure::Column::Key.eq(key))
        .filter(login_failure::Column::At.gte(since))
        .count(db)
        .await?)
}

/// Records an attempt (counted as a failure until it succeeds); returns its row's id.
async fn record_attempt(db: &impl ConnectionTrait, key: String, at: DateTime<Utc>) -> Result<i64, AppError> {
    Ok(login_failure::ActiveModel { key: Set(key), at: Set(at), ..Default::default() }.insert(db).await?.id)
}

async fn forget_rows(db: &impl ConnectionTrait, ids: Vec<i64>) -> Result<(), AppError> {
    login_failure::Entity::delete_many().filter(login_failure::Column::Id.is_in(ids)).exec(db).await?;
    Ok(())
}

/// The throttle keys of an attempt: the (login name, address) pair, hashed so that the table
/// holds no login names, and the address (already a keyed hash).
fn throttle_keys(login: &str, client_key: &str) -> (String, String) {
    let name: String = login.chars().take(80).collect();
    (format!("pair:{}", sha256_hex(&format!("{name}\n{client_key}"))), format!("ip:{client_key}"))
}

/// Signs a staff member in. Unknown login names, wrong passwords and disabled accounts all get
/// the same answer after the same work. Returns the session token for the cookie.
///
/// Every attempt is recorded *before* the password is checked and then counted including
/// itself, so that of N guesses sent at once at most [`MAX_FAILURES_PER_PAIR`] reach the
/// check: the k-th recorded attempt sees at least k rows. A refused attempt removes its rows
/// again (it checked nothing, and hammering must not fill the table); a success removes the
/// pair's rows and its own address row.
pub async fn sign_in(
    db: &impl ConnectionTrait,
    login: &str,
    password: &str,
    client_key: &str,
) -> Result<(String, CurrentUser), AppError> {
    let at = now();
    let since = at - THROTTLE_WINDOW;
    let name = login.trim().to_lowercase();
    if name.chars().any(char::is_control) {
        // No login has one (PostgreSQL would refuse a NUL in the query): the usual answer.
        return Err(AppError::new(ErrorCode::InvalidCredentials));
    }
    let (pair_key, address_key) = throttle_keys(&name, client_key);
    let pair_row = record_attempt(db, pair_key.clone(), at).await?;
    let address_row = record_attempt(db, address_key.clone(), at).await?;
    if failures_since(db, &pair_key, since).await? > MAX_FAILURES_PER_PAIR
        || failures_since(db, &address_key, since).await? > MAX_FAILURES_PER_ADDRESS
    {
        forget_rows(db, vec![pair_row, address_row]).await?;
        return Err(AppError::new(ErrorCode::TooManyAttempts));
    }
    let user = app_user::Entity::find().filter(app_user::Column::Login.eq(name.as_str())).one(db).await?;
    let usable = user.as_ref().filter(|u| u.active && u.deleted_at.is_none());
    let phc = match usable {
        Some(u) => u.password_hash.clone(),
        None => dummy_hash().await,
    };
    let matches = verify_password(password.to_owned(), phc).await;
    let Some(user) = usable.filter(|_| matches) else {
        // The attempt's rows stay: they are this failure's record.
        // Old failures are of no use once outside every window.
        login_failure::Entity::delete_many()
            .filter(login_failure::Column::At.lt(at - Duration::days(1)))
            .exec(db)
            .await?;
        return Err(AppError::new(ErrorCode::InvalidCredentials));
    };
    login_failure::Entity::delete_many().filter(login_failure::Column::Key.eq(pair_key)).exec(db).await?;
    forget_rows(db, vec![address_row]).await?;
    let token = random_hex(32)?;
    let session = user_session::ActiveModel {
        id: Set(sha256_hex(&token)),
        user_id: Set(user.id),
        csrf_token: Set(random_hex(32)?),
        created_at: Set(at),
        expires_at: Set(at + SESSION_LIFETIME),
        last_seen_at: Set(at),
    }
    .insert(db)
    .await?;
    let current = CurrentUser::for_session(user, &session)?;
    Ok((token, current))
}

/// The user of a session cookie, if the session is alive and the account still usable.
pub async fn session_user(db: &impl ConnectionTrait, token: &str) -> Result<Option<CurrentUser>, AppError> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let Some((session, Some(user))) =
        user_session::Entity::find_by_id(sha256_hex(token)).find_also_related(app_user::Entity).one(db).await?
    else {
        return Ok(None);
    };
    let at = now();
    if session.expires_at <= at
        || session.last_seen_at + SESSION_IDLE <= at
        || !user.active
        || user.deleted_at.is_some()
    {
        user_session::Entity::delete_by_id(session.id).exec(db).await?;
        return Ok(None);
    }
    // Record activity at most every five minutes: one write per page view would be wasteful.
    if at - session.last_seen_at > Duration::minutes(5) {
        let mut active: user_session::ActiveModel = session.clone().into();
        active.last_seen_at = Set(at);
        active.update(db).await?;
    }
    CurrentUser::for_session(&user, &session).map(Some)
}

/// Ends one session (sign out).
pub async fn sign_out(db: &impl ConnectionTrait, user: &CurrentUser) -> Result<(), AppError> {
    user_session::Entity::delete_by_id(user.session_id().to_owned()).exec(db).await?;
    Ok(())
}

/// Ends every session of a user, optionally sparing one (the one changing the password).
pub async fn end_sessions(db: &impl ConnectionTrait, user_id: i64, except: Option<&str>) -> Result<(), AppError> {
    let mut q = user_session::Entity::delete_many().filter(user_session::Column::UserId.eq(user_id));
    if let Some(keep) = except {
        q = q.filter(user_session::Column::Id.ne(keep));
    }
    q.exec(db).await?;
    Ok(())
}

/// Changes the user's own password; other signed-in browsers are signed out.
pub async fn change_password(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    current: &str,
    new: &str,
) -> Result<(), AppError> {
    let row = app_user::Entity::find_by_id(user.id).one(db).await?.ok_or(ErrorCode::NotSignedIn)?;
    if !verify_password(current.to_owned(), row.password_hash.clone()).await {
        return Err(AppError::new(ErrorCode::InvalidCredentials));
    }
    check_new_password(new, &row.login).map_err(AppError::new)?;
    let mut active: app_user::ActiveModel = row.into();
    active.password_hash = Set(hash_password(new.to_owned()).await?);
    active.password_changed_at = Set(now());
    let updated = active.update(db).await?;
    end_sessions(db, user.id, Some(user.session_id())).await?;
    audit::record(
        db,
        &audit::Actor::user(user),
        "user.password_change",
        "user",
        &user.id.to_string(),
        updated.agency_id,
        None,
        None,
    )
    .await
}

/// Constant-time comparison of CSRF tokens.
pub fn csrf_matches(expected: &str, given: &str) -> bool {
    crate::meta::secrets_match(expected, given)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_hash_to_argon2id_phc_strings_that_verify() {
        let phc = hash_password("hạ long mùa thu".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify_password("hạ long mùa thu".into(), phc.clone()).await);
        assert!(!verify_password("ha long mua thu".into(), phc.clone()).await);
        assert!(!verify_password("x".into(), "not a hash".into()).await);
        assert_ne!(phc, hash_password("hạ long mùa thu".into()).await.unwrap(), "salted");
    }

    #[test]
    fn csrf_tokens_compare_exactly() {
        assert!(csrf_matches("abc", "abc"));
        assert!(!csrf_matches("abc", "abd"));
        assert!(!csrf_matches("abc", "ab"));
        assert!(!csrf_matches("abc", ""));
    }
}
