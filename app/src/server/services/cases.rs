//! Feedback and complaints (phản ánh, kiến nghị): a resident files a case, gets a tracking code
//! and a private link; officers of the responsible unit receive, classify, assign, forward,
//! answer and publish it within working-day deadlines; the resident rates the answer or reopens
//! the case once. Every change writes its history entry (and any notification) in the same
//! transaction. Contact details never leave this module except to the officers of the case.

use super::{
    access::{self, Scope},
    agencies,
    auth::CurrentUser,
    calendar::{self, Deadlines},
    contacts::{self, ContactKey, Field},
    meta::{secrets_match, sha256_hex, tracking_link_key},
    now, outbox,
};
use crate::{
    domain::{
        accounts::Role,
        cases::{self as rules, Action, Kind, MAX_DESCRIPTION, MAX_NOTE, Rating, Status, Step, clean_text},
        period::vn_date,
        privacy::mask_personal_numbers,
        workdays::Calendar,
    },
    dto::Localized,
    error::{AppError, ErrorCode, FieldError},
    feedback::{
        CannedReplyView, CategoryOption, CitizenCase, FeedbackForm, Inbox, InboxFilter, InboxRow, InternalEvent,
        Person, PhotoRef, PublicEvent, UnitOption,
    },
    server::{
        AppState,
        entity::{
            agency, app_user, canned_reply, case_event, case_photo, case_sequence, feedback_case, feedback_category,
        },
        photos::{self, PhotoError},
    },
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
    sea_query::{Expr, OnConflict},
};
use std::collections::HashMap;

/// What a resident sent, as read from the form, the Open311 API or a survey.
#[derive(Clone, Debug, Default)]
pub struct NewCase {
    pub kind: String,
    pub category: String,
    /// A unit code; empty when the resident does not know (the province triages it).
    pub agency: String,
    pub description: String,
    pub address: String,
    pub lat: String,
    pub lon: String,
    pub name: String,
    pub phone: String,
    pub email: String,
    pub anonymous: bool,
    pub consent: bool,
    /// Raw uploaded files, checked and re-encoded here.
    pub photos: Vec<Vec<u8>>,
    /// `web`, `open311` or `survey`.
    pub channel: &'static str,
    pub api_key_id: Option<i64>,
    /// The sender's address, for the per-address limits; only a keyed hash of it (IPv6: of its
    /// /64) is stored.
    pub client_ip: Option<String>,
    pub source_response_id: Option<i64>,
}

/// Cases one address may file through the resident's form within an hour, and within a day.
pub const WEB_CASES_PER_HOUR: u64 = 5;
pub const WEB_CASES_PER_DAY: u64 = 20;
/// Cases one address may file through Open311 within an hour: another system files for many
/// residents from one address, but a stolen key still cannot flood the inboxes.
pub const OPEN311_CASES_PER_HOUR: u64 = 300;

/// Refuses a case when its address filed too many lately (429, nothing stored, before any
/// photo is decoded).
async fn check_flood(db: &impl ConnectionTrait, source: Option<&str>, channel: &str) -> Result<(), AppError> {
    let Some(source) = source else { return Ok(()) };
    let since = |d: Duration| {
        feedback_case::Entity::find()
            .filter(feedback_case::Column::DeviceId.eq(source))
            .filter(feedback_case::Column::SubmittedAt.gt(now() - d))
            .count(db)
    };
    let limits: &[(Duration, u64)] = match channel {
        "open311" => &[(Duration::hours(1), OPEN311_CASES_PER_HOUR)],
        // A low survey rating with contact details opens a case too: the same limits.
        "web" | "survey" => &[(Duration::hours(1), WEB_CASES_PER_HOUR), (Duration::days(1), WEB_CASES_PER_DAY)],
        _ => &[],
    };
    for (window, limit) in limits {
        if since(*window).await? >= *limit {
            return Err(ErrorCode::TooManySubmissions.into());
        }
    }
    Ok(())
}

/// Holds the filing address's lock until the transaction ends (PostgreSQL; on SQLite the
/// single writer already serialises filings).
async fn lock_source(txn: &impl ConnectionTrait, source: &str) -> Result<(), AppError> {
    if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
        // The lock space of filing addresses, apart from the counters' (see `integrity`).
        txn.execute_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock(22853, hashtext($1))",
            [source.into()],
        ))
        .await?;
    }
    Ok(())
}

/// Whether `client_ip` may file one more case through `channel` now (429 when its address
/// filed its share lately): asked before a form's photos are read.
pub async fn may_file(state: &AppState, client_ip: Option<&str>, channel: &str) -> Result<(), AppError> {
    let source = client_ip.and_then(|ip| super::survey::source_hash(&state.device_hash_key, ip));
    check_flood(&state.db, source.as_deref(), channel).await
}

/// A stored case: its tracking code and the secret of the resident's private link.
#[derive(Clone, Debug)]
pub struct Created {
    pub id: i64,
    pub tracking_code: String,
    pub access_key: String,
    pub agency_code: String,
    pub answer_due_at: DateTime<Utc>,
}

/// The private link of a case.
pub fn private_path(code: &str, key: &str) -> String {
    format!("/gop-y/theo-doi/{code}?k={key}")
}

fn name(a: &agency::Model) -> Localized {
    agencies::name_of(a)
}

fn category_option(c: &feedback_category::Model) -> CategoryOption {
    CategoryOption { code: c.code.clone(), group: c.group_code.clone(), name: Localized::new(&c.name_vi, &c.name_en) }
}

pub async fn categories(db: &impl ConnectionTrait) -> Result<Vec<feedback_category::Model>, AppError> {
    Ok(feedback_category::Entity::find()
        .filter(feedback_category::Column::Active.eq(true))
        .order_by_asc(feedback_category::Column::Sort)
        .all(db)
        .await?)
}

/// Current units as an indented list, in tree order.
pub fn unit_options(units: &[agency::Model], day: chrono::NaiveDate) -> Vec<UnitOption> {
    let children = agencies::children_map(units, day);
    let mut out = Vec::new();
    let mut stack: Vec<(&agency::Model, usize)> =
        children.get(&None).into_iter().flatten().rev().map(|a| (*a, 0)).collect();
    while let Some((a, depth)) = stack.pop() {
        out.push(UnitOption { code: a.code.clone(), name: name(a), depth });
        if depth < 64 {
            for kid in children.get(&Some(a.id)).into_iter().flatten().rev() {
                stack.push((kid, depth + 1));
            }
        }
    }
    out
}

/// What the citizen's form offers.
pub async fn form(db: &impl ConnectionTrait) -> Result<FeedbackForm, AppError> {
    let units = agencies::all(db).await?;
    Ok(FeedbackForm {
        categories: categories(db).await?.iter().map(category_option).collect(),
        units: unit_options(&units, vn_date(now())),
    })
}

fn too_long(field: &str, max: usize) -> FieldError {
    FieldError::new(field, ErrorCode::TextTooLong).with_arg("max", max)
}

pub(crate) fn valid_email(e: &str) -> bool {
    let mut parts = e.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && e.len() <= 200
        && e.chars().all(|c| c.is_ascii_graphic() && !matches!(c, '<' | '>' | ',' | ';' | '"' | '\\'))
}

/// A person's contact details as typed: (name, phone, e-mail), cleaned, and the problems
/// found. Giving any of them needs the consent to use them.
#[allow(clippy::type_complexity)]
pub fn check_contact(
    name: &str,
    phone: &str,
    email: &str,
    consent: bool,
) -> ((Option<String>, Option<String>, Option<String>), Vec<FieldError>) {
    let mut errors = Vec::new();
    let n = clean_text(name).replace('\n', " ");
    if n.chars().count() > 100 {
        errors.push(too_long("name", 100));
    }
    let contact_name = Some(n).filter(|n| !n.is_empty());
    let mut clean = (None, None);
    let p = phone.trim();
    if !p.is_empty() {
        match clean_phone(p) {
            Some(p) => clean.0 = Some(p),
            None => errors.push(FieldError::new("phone", ErrorCode::InvalidPhone)),
        }
    }
    let e = email.trim();
    if !e.is_empty() {
        if valid_email(e) {
            clean.1 = Some(e.to_lowercase());
        } else {
            errors.push(FieldError::new("email", ErrorCode::InvalidEmail));
        }
    }
    if (contact_name.is_some() || !p.is_empty() || !e.is_empty()) && !consent {
        errors.push(FieldError::new("consent", ErrorCode::ConsentRequired));
    }
    ((contact_name, clean.0, clean.1), errors)
}

/// Digits only (spaces, dots and dashes dropped, a leading +84 kept as 84): 9 to 11 digits.
fn clean_phone(p: &str) -> Option<String> {
    let digits: String = p.chars().filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')')).collect();
    let digits = digits.strip_prefix('+').unwrap_or(&digits).to_owned();
    (digits.bytes().all(|b| b.is_ascii_digit()) && (9..=11).contains(&digits.len())).then_some(digits)
}

fn photo_error(e: PhotoError) -> ErrorCode {
    match e {
        PhotoError::TooLarge => ErrorCode::PhotoTooLarge,
        PhotoError::NotAnImage | PhotoError::Unreadable => ErrorCode::NotAnImage,
        PhotoError::TooManyPixels => ErrorCode::ImageTooManyPixels,
    }
}

fn parse_coordinate(s: &str, limit: f64) -> Result<Option<f64>, ()> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v.abs() <= limit => Ok(Some(v)),
        _ => Err(()),
    }
}

/// The unit that handles a case sent to `picked`: the unit itself, except for complaints about
/// an official's conduct, which go to the parent of the official's unit. Without a choice, the
/// province (the root of the tree) triages it.
fn responsible(units: &[agency::Model], picked: Option<&agency::Model>, kind: Kind) -> Option<(i64, bool)> {
    match picked {
        Some(a) if kind == Kind::Conduct => Some((a.parent_id.unwrap_or(a.id), false)),
        Some(a) => Some((a.id, false)),
        None => units
            .iter()
            .filter(|u| u.parent_id.is_none() && u.merged_into_id.is_none() && u.valid_to.is_none())
            .min_by_key(|u| u.id)
            .map(|u| (u.id, true)),
    }
}

/// Checks and stores a resident's case. Nothing is stored unless everything is valid.
pub async fn submit(state: &AppState, new: NewCase) -> Result<Created, AppError> {
    let db = &state.db;
    // One keyed hash for every stored client address, as for ratings; an Open311 client's own
    // device id is not kept.
    let device_id = new.client_ip.as_deref().and_then(|ip| super::survey::source_hash(&state.device_hash_key, ip));
    check_flood(db, device_id.as_deref(), new.channel).await?;
    let mut errors = Vec::new();
    let kind = Kind::parse(&new.kind);
    if kind.is_none() {
        errors.push(FieldError::new("kind", ErrorCode::UnknownKind));
    }
    let category = feedback_category::Entity::find()
        .filter(feedback_category::Column::Code.eq(new.category.trim()))
        .filter(feedback_category::Column::Active.eq(true))
        .one(db)
        .await?;
    if category.is_none() {
        errors.push(FieldError::new("category", ErrorCode::UnknownCategory));
    }
    let units = agencies::all(db).await?;
    let today = vn_date(now());
    let picked = match new.agency.trim() {
        "" => None,
        code => match units.iter().find(|u| u.code == code && agencies::is_current(u, today)) {
            Some(u) => Some(u),
            None => {
                errors.push(FieldError::new("agency", ErrorCode::AgencyNotFound));
                None
            }
        },
    };
    let description = clean_text(&new.description);
    if description.is_empty() {
        errors.push(FieldError::new("description", ErrorCode::Required));
    } else if description.chars().count() > MAX_DESCRIPTION {
        errors.push(too_long("description", MAX_DESCRIPTION));
    }
    let address = clean_text(&new.address).replace('\n', " ");
    if address.chars().count() > 300 {
        errors.push(too_long("address", 300));
    }
    let lat = parse_coordinate(&new.lat, 90.0);
    let lon = parse_coordinate(&new.lon, 180.0);
    let point = match (lat, lon) {
        (Ok(Some(a)), Ok(Some(o))) => Some((a, o)),
        (Ok(None), Ok(None)) => None,
        _ => {
            errors.push(FieldError::new("location", ErrorCode::InvalidCoordinates));
            None
        }
    };
    if kind == Some(Kind::OnSite)
        && address.is_empty()
        && point.is_none()
        && !errors.iter().any(|e| e.field == "location")
    {
        errors.push(FieldError::new("location", ErrorCode::LocationRequired));
    }
    // Contact details: kept only with consent, and never for an anonymous case.
    let (contact_name, phone, email) = if new.anonymous {
        (None, None, None)
    } else {
        let (contact, mut problems) = check_contact(&new.name, &new.phone, &new.email, new.consent);
        errors.append(&mut problems);
        contact
    };
    if new.photos.len() > photos::MAX_PHOTOS {
        errors.push(FieldError::new("photos", ErrorCode::TooManyPhotos).with_arg("max", photos::MAX_PHOTOS));
    } else if new.photos.is_empty() && kind.is_some_and(Kind::needs_photo) {
        errors.push(FieldError::new("photos", ErrorCode::PhotoRequired));
    }
    let Some(kind) = kind else {
        return Err(AppError::invalid(errors));
    };
    let Some((agency_id, triage)) = responsible(&units, picked, kind) else {
        errors.push(FieldError::new("agency", ErrorCode::AgencyNotFound));
        return Err(AppError::invalid(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    let Some(category) = category else {
        return Err(AppError::invalid(vec![FieldError::new("category", ErrorCode::UnknownCategory)]));
    };

    // Photos: re-encoded off the async runtime, before anything is written.
    let mut processed = Vec::new();
    for bytes in new.photos {
        if bytes.len() > photos::MAX_BYTES {
            return Err(AppError::invalid(vec![FieldError::new("photos", ErrorCode::PhotoTooLarge)]));
        }
        let done = photos::process_bounded(bytes).await.map_err(AppError::internal)?;
        processed.push(done.map_err(|e| AppError::invalid(vec![FieldError::new("photos", photo_error(e))]))?);
    }

    let cal = calendar::calendar(db).await?;
    let deadlines = calendar::deadlines_for(db, agency_id).await?;
    let at = now();
    let day = vn_date(at).format("%Y%m%d").to_string();
    let _writer = state.write_guard().await;
    let txn = state.db.begin().await?;
    // Counted again with the address's lock held until the commit, so parallel sends from one
    // address cannot all pass the count above (SQLite: the single writer; PostgreSQL: a lock
    // per address that holds across servers).
    if let Some(source) = device_id.as_deref() {
        lock_source(&txn, source).await?;
        check_flood(&txn, Some(source), new.channel).await?;
    }
    let n = next_number(&txn, &day).await?;
    let code = rules::tracking_code(vn_date(at), n);
    // Derived from the code with the server's secret, so that the link can be built again when
    // a message is sent without the key ever being stored (only its hash is).
    let key = tracking_link_key(&state.tracking_key, &code);
    let answer_due = cal.add_working_days(at, deadlines.days(kind, Step::Answer));
    let row = feedback_case::ActiveModel {
        tracking_code: Set(code.clone()),
        access_hash: Set(sha256_hex(&key)),
        kind: Set(kind.code().into()),
        category_id: Set(category.id),
        agency_id: Set(agency_id),
        picked_agency_id: Set(picked.map(|p| p.id)),
        triage: Set(triage),
        description: Set(description),
        address: Set(Some(address).filter(|a| !a.is_empty())),
        lat: Set(point.map(|p| p.0)),
        lon: Set(point.map(|p| p.1)),
        // Sealed with the contact key, bound to this case and field (services::contacts).
        contact_name: Set(state.contact_key.seal_opt(&code, Field::Name, contact_name.as_deref())?),
        contact_phone: Set(state.contact_key.seal_opt(&code, Field::Phone, phone.as_deref())?),
        contact_email: Set(state.contact_key.seal_opt(&code, Field::Email, email.as_deref())?),
        anonymous: Set(new.anonymous),
        consent: Set(new.consent && !new.anonymous),
        channel: Set(new.channel.into()),
        status: Set(Status::Submitted.code().into()),
        submitted_at: Set(at),
        clock_from: Set(at),
        step_due_at: Set(Some(cal.add_working_days(at, deadlines.days(kind, Step::Receive)))),
        answer_due_at: Set(answer_due),
        reopened_count: Set(0),
        hidden: Set(false),
        source_response_id: Set(new.source_response_id),
        api_key_id: Set(new.api_key_id),
        device_id: Set(device_id),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    for (i, p) in processed.into_iter().enumerate() {
        case_photo::ActiveModel {
            case_id: Set(row.id),
            position: Set(i as i32),
            width: Set(p.width as i32),
            height: Set(p.height as i32),
            jpeg: Set(p.jpeg),
            thumb: Set(p.thumb),
            hidden: Set(false),
            created_at: Set(at),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    event(&txn, row.id, None, "citizen", "submit", None, Status::Submitted, None, None, None).await?;
    if let Some(to) = &email {
        let agency = units.iter().find(|u| u.id == agency_id).map(name).unwrap_or_else(|| Localized::new("", ""));
        // The key is filled in when the message is sent (outbox::deliver_due), never stored.
        let link = format!("{}{}", state.settings.public_url, private_path(&code, outbox::KEY_PLACEHOLDER));
        let body = format!(
            "Ý Dân đã nhận phản ánh, kiến nghị của ông/bà.\n\nMã theo dõi: {code}\nCơ quan xử lý: {}\nHạn trả lời: {}\nTheo dõi tại: {link}\n\n---\nYour feedback was received.\nTracking code: {code}\nHandled by: {}\nAnswer due: {}\nFollow it at: {link}\n",
            agency.vi,
            vn_date(answer_due).format("%d/%m/%Y"),
            agency.en,
            vn_date(answer_due).format("%Y-%m-%d"),
        );
        outbox::enqueue(&txn, &state.settings, to, &format!("Đã nhận phản ánh {code}"), &body, Some(row.id), "receipt")
            .await?;
    }
    txn.commit().await?;
    let agency_code = units.iter().find(|u| u.id == agency_id).map(|u| u.code.clone()).unwrap_or_default();
    Ok(Created { id: row.id, tracking_code: code, access_key: key, agency_code, answer_due_at: answer_due })
}

/// The next number of the day, atomically (one statement on both databases).
async fn next_number(db: &impl ConnectionTrait, day: &str) -> Result<u32, AppError> {
    use sea_orm::sea_query::ExprTrait;
    let insert = sea_orm::sea_query::Query::insert()
        .into_table(case_sequence::Entity)
        .columns([case_sequence::Column::Day, case_sequence::Column::Last])
        .values_panic([day.into(), 1.into()])
        .on_conflict(
            OnConflict::column(case_sequence::Column::Day)
                .value(
                    case_sequence::Column::Last,
                    Expr::col((case_sequence::Entity, case_sequence::Column::Last)).add(1),
                )
                .to_owned(),
        )
        .returning_col(case_sequence::Column::Last)
        .to_owned();
    let row = db.query_one(&insert).await?.ok_or_else(|| AppError::internal("no tracking number returned"))?;
    let last: i32 = row.try_get("", "last")?;
    Ok(Ord::max(u32::try_from(last).unwrap_or(0), 1))
}

#[allow(clippy::too_many_arguments)]
async fn event(
    db: &impl ConnectionTrait,
    case_id: i64,
    actor_id: Option<i64>,
    actor: &str,
    action: &str,
    from: Option<Status>,
    to: Status,
    public_note: Option<String>,
    internal_note: Option<String>,
    target: Option<i64>,
) -> Result<(), AppError> {
    case_event::ActiveModel {
        case_id: Set(case_id),
        at: Set(now()),
        actor_id: Set(actor_id),
        actor: Set(actor.into()),
        action: Set(action.into()),
        from_status: Set(from.map(|s| s.code().to_owned())),
        to_status: Set(to.code().into()),
        public_note: Set(public_note.filter(|n| !n.is_empty())),
        internal_note: Set(internal_note.filter(|n| !n.is_empty())),
        target_agency_id: Set(target),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Writes the changed columns of `case` only if nobody changed the case since it was read
/// (two officers acting at once, or two servers checking deadlines): the later one is told
/// the case moved on, instead of overwriting it.
async fn update_unchanged(
    db: &impl ConnectionTrait,
    case: &feedback_case::Model,
    row: feedback_case::ActiveModel,
) -> Result<(), AppError> {
    let done = feedback_case::Entity::update_many()
        .set(row)
        .filter(feedback_case::Column::Id.eq(case.id))
        .filter(feedback_case::Column::UpdatedAt.eq(case.updated_at))
        .exec(db)
        .await?;
    if done.rows_affected == 1 { Ok(()) } else { Err(ErrorCode::TransitionNotAllowed.into()) }
}

async fn by_code(db: &impl ConnectionTrait, code: &str) -> Result<feedback_case::Model, AppError> {
    if !rules::is_tracking_code(code) {
        return Err(ErrorCode::CaseNotFound.into());
    }
    feedback_case::Entity::find()
        .filter(feedback_case::Column::TrackingCode.eq(code))
        .one(db)
        .await?
        .ok_or_else(|| ErrorCode::CaseNotFound.into())
}

/// The case behind a private link; a wrong key looks exactly like an unknown code.
pub async fn by_private_link(
    db: &impl ConnectionTrait,
    code: &str,
    key: &str,
) -> Result<feedback_case::Model, AppError> {
    let case = by_code(db, code).await?;
    if key.is_empty() || !secrets_match(&case.access_hash, &sha256_hex(key)) {
        return Err(ErrorCode::CaseNotFound.into());
    }
    Ok(case)
}

fn status_of(c: &feedback_case::Model) -> Status {
    Status::parse(&c.status).unwrap_or(Status::Submitted)
}

fn kind_of(c: &feedback_case::Model) -> Kind {
    Kind::parse(&c.kind).unwrap_or(Kind::Procedure)
}

/// Working days left for the step the case waits for.
fn countdown(cal: &Calendar, c: &feedback_case::Model, at: DateTime<Utc>) -> Option<i64> {
    c.step_due_at.filter(|_| status_of(c).step().is_some()).map(|due| cal.working_days_left(at, due))
}

async fn unit_names(db: &impl ConnectionTrait) -> Result<HashMap<i64, agency::Model>, AppError> {
    Ok(agencies::all(db).await?.iter().map(|a| (a.id, a.clone())).collect())
}

/// The case as its resident sees it.
async fn citizen_view(db: &impl ConnectionTrait, c: &feedback_case::Model) -> Result<CitizenCase, AppError> {
    let units = unit_names(db).await?;
    let category = feedback_category::Entity::find_by_id(c.category_id).one(db).await?;
    let events = case_event::Entity::find()
        .filter(case_event::Column::CaseId.eq(c.id))
        .order_by_asc(case_event::Column::Id)
        .all(db)
        .await?;
    let photos = case_photo::Entity::find()
        .select_only()
        .column(case_photo::Column::Id)
        .column(case_photo::Column::Hidden)
        .column(case_photo::Column::HiddenReason)
        .filter(case_photo::Column::CaseId.eq(c.id))
        .order_by_asc(case_photo::Column::Position)
        .into_tuple::<(i64, bool, Option<String>)>()
        .all(db)
        .await?;
    let status = status_of(c);
    let question = (status == Status::NeedsInfo)
        .then(|| {
            events.iter().rev().find(|e| e.action == Action::RequestInfo.code()).and_then(|e| e.public_note.clone())
        })
        .flatten();
    let cal = calendar::calendar(db).await?;
    Ok(CitizenCase {
        tracking_code: c.tracking_code.clone(),
        kind: c.kind.clone(),
        category: category.map(|c| Localized::new(c.name_vi, c.name_en)).unwrap_or_else(|| Localized::new("", "")),
        agency: units.get(&c.agency_id).map(name).unwrap_or_else(|| Localized::new("", "")),
        status: c.status.clone(),
        submitted_at: c.submitted_at,
        due_at: c.step_due_at.filter(|_| status.step().is_some()),
        days_left: countdown(&cal, c, now()),
        description: c.description.clone(),
        address: c.address.clone(),
        answer: c.answer_text.clone().filter(|_| c.published_at.is_some()),
        rating: c.rating.clone(),
        question,
        can_reply: status == Status::NeedsInfo,
        can_rate: status == Status::Published,
        can_reopen: matches!(status, Status::Published | Status::Rated) && c.reopened_count < 1,
        history: events
            .iter()
            .map(|e| PublicEvent {
                at: e.at,
                action: e.action.clone(),
                status: e.to_status.clone(),
                note: e.public_note.clone(),
                agency: e.target_agency_id.and_then(|id| units.get(&id)).map(name),
            })
            .collect(),
        photos: photos.into_iter().map(|(id, hidden, hidden_reason)| PhotoRef { id, hidden, hidden_reason }).collect(),
        hidden: c.hidden,
        contact: None,
    })
}

/// `/gop-y/theo-doi/{code}?k=…`
/// The resident also sees the contact details they left (decrypted, only to the link holder).
pub async fn for_citizen(
    db: &impl ConnectionTrait,
    contact_key: &ContactKey,
    code: &str,
    key: &str,
) -> Result<CitizenCase, AppError> {
    let case = by_private_link(db, code, key).await?;
    let mut view = citizen_view(db, &case).await?;
    view.contact =
        contacts::reveal(contact_key, &case)?.filter(|c| c.name.is_some() || c.phone.is_some() || c.email.is_some());
    Ok(view)
}

/// What a resident does through the private link.
#[derive(Clone, Debug)]
pub enum CitizenAction {
    /// Answers the officer's request for more information.
    Reply(String),
    Rate(String),
    Reopen(String),
}

pub async fn citizen_act(state: &AppState, code: &str, key: &str, action: CitizenAction) -> Result<(), AppError> {
    let db = &state.db;
    let case = by_private_link(db, code, key).await?;
    let status = status_of(&case);
    let note = |text: &str, field: &str| -> Result<String, AppError> {
        let t = clean_text(text);
        if t.is_empty() {
            return Err(AppError::invalid(vec![FieldError::new(field, ErrorCode::Required)]));
        }
        if t.chars().count() > MAX_NOTE {
            return Err(AppError::invalid(vec![too_long(field, MAX_NOTE)]));
        }
        Ok(t)
    };
    let at = now();
    let _writer = state.write_guard().await;
    let txn = db.begin().await?;
    let mut row: feedback_case::ActiveModel = case.clone().into();
    row.updated_at = Set(at);
    let (to, action_code, public) = match action {
        CitizenAction::Reply(text) => {
            if status != Status::NeedsInfo {
                return Err(ErrorCode::TransitionNotAllowed.into());
            }
            let text = note(&text, "reply")?;
            row.status = Set(Status::Received.code().into());
            row.step_due_at = Set(Some(case.answer_due_at));
            (Status::Received, "citizen_reply", Some(text))
        }
        CitizenAction::Rate(value) => {
            let rating = Rating::parse(&value)
                .ok_or_else(|| AppError::invalid(vec![FieldError::new("rating", ErrorCode::Required)]))?;
            if status != Status::Published {
                return Err(ErrorCode::TransitionNotAllowed.into());
            }
            row.status = Set(Status::Rated.code().into());
            row.rating = Set(Some(rating.code().into()));
            row.rated_at = Set(Some(at));
            (Status::Rated, "rate", None)
        }
        CitizenAction::Reopen(reason) => {
            if !matches!(status, Status::Published | Status::Rated) {
                return Err(ErrorCode::TransitionNotAllowed.into());
            }
            if case.reopened_count >= 1 {
                return Err(ErrorCode::ReopenUsed.into());
            }
            let reason = note(&reason, "reason")?;
            let cal = calendar::calendar(&txn).await?;
            let deadlines = calendar::deadlines_for(&txn, case.agency_id).await?;
            let due = cal.add_working_days(at, deadlines.days(kind_of(&case), Step::Answer));
            row.status = Set(Status::Reopened.code().into());
            row.reopened_count = Set(case.reopened_count + 1);
            row.reopen_reason = Set(Some(reason.clone()));
            row.clock_from = Set(at);
            row.answer_due_at = Set(due);
            row.step_due_at = Set(Some(due));
            row.overdue_step = Set(None);
            (Status::Reopened, "reopen", Some(reason))
        }
    };
    update_unchanged(&txn, &case, row).await?;
    event(&txn, case.id, None, "citizen", action_code, Some(status), to, public, None, None).await?;
    txn.commit().await?;
    Ok(())
}

/// Officers, agency administrators and system administrators handle cases; viewers do not
/// (cases carry personal data).
async fn handling_scope(db: &impl ConnectionTrait, user: &CurrentUser) -> Result<Scope, AppError> {
    if user.role == Role::Viewer {
        return Err(ErrorCode::Forbidden.into());
    }
    access::scope_of(db, user).await
}

/// Whether the user may see the case (their unit handles it, or it was escalated to them).
fn may_see(scope: &Scope, c: &feedback_case::Model) -> bool {
    scope.contains(c.agency_id) || c.escalated_to_id.is_some_and(|e| scope.contains(e))
}

/// The people who may be given a case of a unit: officers and administrators of the unit and
/// the units above it, limited to those the viewer's scope covers (a commune's officer is not
/// shown the province's staff, nor may hand them a case).
async fn handlers_for(db: &impl ConnectionTrait, agency_id: i64, viewer: &Scope) -> Result<Vec<Person>, AppError> {
    let units = agencies::all(db).await?;
    let chain: Vec<i64> =
        calendar::ancestors(&units, agency_id).into_iter().filter(|id| viewer.contains(*id)).collect();
    Ok(app_user::Entity::find()
        .filter(app_user::Column::AgencyId.is_in(chain))
        .filter(app_user::Column::Role.is_in([Role::Officer.as_str(), Role::AgencyAdmin.as_str()]))
        .filter(app_user::Column::Active.eq(true))
        .order_by_asc(app_user::Column::Login)
        .all(db)
        .await?
        .into_iter()
        .map(|u| Person { id: u.id, name: format!("{} ({})", u.display_name, u.login) })
        .collect())
}

/// The officers' inbox: cases of their subtree (and those escalated to it), filtered.
pub async fn inbox(db: &impl ConnectionTrait, user: &CurrentUser, filter: InboxFilter) -> Result<Inbox, AppError> {
    let scope = handling_scope(db, user).await?;
    let mut q = feedback_case::Entity::find();
    if let Scope::Subtree { members, .. } = &scope {
        let ids: Vec<i64> = members.iter().copied().collect();
        q = q.filter(
            Condition::any()
                .add(feedback_case::Column::AgencyId.is_in(ids.clone()))
                .add(feedback_case::Column::EscalatedToId.is_in(ids)),
        );
    }
    if let Some(s) = Status::parse(&filter.status) {
        q = q.filter(feedback_case::Column::Status.eq(s.code()));
    } else if filter.status.is_empty() {
        // By default: what still needs something from the agency.
        q = q.filter(feedback_case::Column::Status.is_not_in([
            Status::Rejected.code(),
            Status::Closed.code(),
            Status::Published.code(),
            Status::Rated.code(),
        ]));
    }
    if let Some(k) = Kind::parse(&filter.kind) {
        q = q.filter(feedback_case::Column::Kind.eq(k.code()));
    }
    let cats = categories(db).await?;
    if let Some(c) = cats.iter().find(|c| c.code == filter.category) {
        q = q.filter(feedback_case::Column::CategoryId.eq(c.id));
    }
    if filter.overdue {
        q = q.filter(feedback_case::Column::StepDueAt.lt(now())).filter(feedback_case::Column::Status.is_in([
            Status::Submitted.code(),
            Status::Forwarded.code(),
            Status::Received.code(),
            Status::Classified.code(),
            Status::Assigned.code(),
            Status::Reopened.code(),
            Status::Answered.code(),
        ]));
    }
    match filter.assignee.as_str() {
        "" => {}
        "me" => q = q.filter(feedback_case::Column::HandlerId.eq(user.id)),
        "none" => q = q.filter(feedback_case::Column::HandlerId.is_null()),
        login => {
            let id = app_user::Entity::find()
                .filter(app_user::Column::Login.eq(login))
                .one(db)
                .await?
                .map(|u| u.id)
                .unwrap_or(-1);
            q = q.filter(feedback_case::Column::HandlerId.eq(id));
        }
    }
    let total = q.clone().count(db).await?;
    let rows = q
        .order_by_asc(feedback_case::Column::StepDueAt)
        .order_by_asc(feedback_case::Column::Id)
        .limit(200)
        .all(db)
        .await?;
    let units = unit_names(db).await?;
    let handler_ids: Vec<i64> = rows.iter().filter_map(|r| r.handler_id).collect();
    let logins: HashMap<i64, String> = app_user::Entity::find()
        .filter(app_user::Column::Id.is_in(handler_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.login))
        .collect();
    let cal = calendar::calendar(db).await?;
    let at = now();
    let cat_names: HashMap<i64, Localized> =
        cats.iter().map(|c| (c.id, Localized::new(&c.name_vi, &c.name_en))).collect();
    let handlers = match scope.root() {
        Some(root) => handlers_for(db, root, &scope).await?,
        None => Vec::new(),
    };
    Ok(Inbox {
        rows: rows
            .iter()
            .map(|c| InboxRow {
                tracking_code: c.tracking_code.clone(),
                kind: c.kind.clone(),
                category: cat_names.get(&c.category_id).cloned().unwrap_or_else(|| Localized::new("", "")),
                agency: units.get(&c.agency_id).map(name).unwrap_or_else(|| Localized::new("", "")),
                status: c.status.clone(),
                submitted_at: c.submitted_at,
                due_at: c.step_due_at.filter(|_| status_of(c).step().is_some()),
                days_left: countdown(&cal, c, at),
                handler: c.handler_id.and_then(|id| logins.get(&id).cloned()),
                escalated: !scope.contains(c.agency_id),
            })
            .collect(),
        total,
        filter,
        categories: cats.iter().map(category_option).collect(),
        handlers,
    })
}

/// A case for an officer who may see it.
pub async fn for_officer(
    db: &impl ConnectionTrait,
    contact_key: &ContactKey,
    user: &CurrentUser,
    code: &str,
) -> Result<crate::feedback::OfficerCase, AppError> {
    let scope = handling_scope(db, user).await?;
    let c = by_code(db, code).await?;
    if !may_see(&scope, &c) {
        // The same answer as for an unknown code: another unit's cases are not revealed.
        return Err(ErrorCode::CaseNotFound.into());
    }
    let view = citizen_view(db, &c).await?;
    let units = agencies::all(db).await?;
    let by_id: HashMap<i64, &agency::Model> = units.iter().map(|u| (u.id, u)).collect();
    let events = case_event::Entity::find()
        .filter(case_event::Column::CaseId.eq(c.id))
        .order_by_asc(case_event::Column::Id)
        .all(db)
        .await?;
    let actor_ids: Vec<i64> = events.iter().filter_map(|e| e.actor_id).chain(c.handler_id).collect();
    let logins: HashMap<i64, String> = app_user::Entity::find()
        .filter(app_user::Column::Id.is_in(actor_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.login))
        .collect();
    let category = feedback_category::Entity::find_by_id(c.category_id).one(db).await?;
    let canned = canned_reply::Entity::find()
        .filter(canned_reply::Column::AgencyId.is_in(calendar::ancestors(&units, c.agency_id)))
        .order_by_asc(canned_reply::Column::Title)
        .all(db)
        .await?;
    let may_act = scope.contains(c.agency_id);
    // Only those who handle the case (its unit and the units above) read the contact details,
    // each read in the audit log; an anonymous case has none.
    let contact = if may_act { contacts::read_for_handler(db, contact_key, user, &c).await? } else { None };
    Ok(crate::feedback::OfficerCase {
        category_code: category.map(|c| c.code).unwrap_or_default(),
        agency_code: by_id.get(&c.agency_id).map(|a| a.code.clone()).unwrap_or_default(),
        triage: c.triage,
        escalated_to: c.escalated_to_id.and_then(|id| by_id.get(&id)).map(|a| name(a)),
        answer_due_at: c.answer_due_at,
        contact,
        channel: c.channel.clone(),
        location: c.lat.zip(c.lon),
        handler: c.handler_id.and_then(|id| logins.get(&id).cloned()),
        hidden_reason: c.hidden_reason.clone(),
        events: events
            .iter()
            .map(|e| InternalEvent {
                at: e.at,
                actor: match e.actor_id.and_then(|id| logins.get(&id)) {
                    Some(login) => login.clone(),
                    None => e.actor.clone(),
                },
                action: e.action.clone(),
                from_status: e.from_status.clone(),
                status: e.to_status.clone(),
                public_note: e.public_note.clone(),
                internal_note: e.internal_note.clone(),
                agency: e.target_agency_id.and_then(|id| by_id.get(&id)).map(|a| name(a)),
            })
            .collect(),
        actions: if may_act {
            rules::allowed_actions(status_of(&c)).into_iter().map(|a| a.code().to_owned()).collect()
        } else {
            Vec::new()
        },
        handlers: handlers_for(db, c.agency_id, &scope).await?,
        units: unit_options(&units, vn_date(now())),
        categories: categories(db).await?.iter().map(category_option).collect(),
        canned: canned.into_iter().map(|r| CannedReplyView { id: r.id, title: r.title, body: r.body }).collect(),
        may_act,
        case: view,
    })
}

/// What an officer sends with an action.
#[derive(Clone, Debug, Default)]
pub struct OfficerInput {
    pub action: String,
    pub public_note: String,
    pub internal_note: String,
    /// Assign: the handler's user id.
    pub handler: String,
    /// Forward: the unit code.
    pub target: String,
    /// Classify: a new category and kind (optional).
    pub category: String,
    pub kind: String,
}

fn note_field(text: &str, field: &str, required: bool) -> Result<Option<String>, AppError> {
    let t = clean_text(text);
    if t.chars().count() > MAX_NOTE {
        return Err(AppError::invalid(vec![too_long(field, MAX_NOTE)]));
    }
    if t.is_empty() {
        return if required {
            Err(AppError::invalid(vec![FieldError::new(field, ErrorCode::Required)]))
        } else {
            Ok(None)
        };
    }
    Ok(Some(t))
}

/// An officer's action on a case (or `note`: an internal note only). Checks the officer's
/// unit, the workflow and the input; writes the change, its history entry and any message
/// to the citizen in one transaction.
pub async fn act(state: &AppState, user: &CurrentUser, code: &str, input: OfficerInput) -> Result<(), AppError> {
    let db = &state.db;
    let scope = handling_scope(db, user).await?;
    let case = by_code(db, code).await?;
    if !may_see(&scope, &case) {
        return Err(ErrorCode::CaseNotFound.into());
    }
    let status = status_of(&case);
    let at = now();
    if input.action == "note" {
        let internal = note_field(&input.internal_note, "internal_note", true)?;
        let _writer = state.write_guard().await;
        let txn = db.begin().await?;
        event(&txn, case.id, Some(user.id), "officer", "note", Some(status), status, None, internal, None).await?;
        txn.commit().await?;
        return Ok(());
    }
    if !scope.contains(case.agency_id) {
        return Err(ErrorCode::Forbidden.into());
    }
    let action = Action::parse(&input.action)
        .ok_or_else(|| AppError::invalid(vec![FieldError::new("action", ErrorCode::UnknownField)]))?;
    if !rules::allowed(status, action) {
        return Err(ErrorCode::TransitionNotAllowed.into());
    }
    let public = note_field(&input.public_note, "public_note", action.needs_public_note())?;
    let internal = note_field(&input.internal_note, "internal_note", false)?;
    let cal = calendar::calendar(db).await?;
    let mut kind = kind_of(&case);
    let mut row: feedback_case::ActiveModel = case.clone().into();
    row.updated_at = Set(at);
    row.status = Set(action.target().code().into());
    let mut target = None;
    let mut deadlines: Deadlines = calendar::deadlines_for(db, case.agency_id).await?;
    let mut notify: Option<(&str, String, String)> = None;
    match action {
        Action::Receive => {
            if case.received_at.is_none() {
                row.received_at = Set(Some(at));
            }
            row.triage = Set(false);
            row.step_due_at = Set(Some(case.answer_due_at));
        }
        Action::Reject => {
            row.step_due_at = Set(None);
            row.closed_at = Set(Some(at));
            notify = Some((
                "rejected",
                format!("Phản ánh {} không được tiếp nhận", case.tracking_code),
                format!("Lý do / Reason:\n{}", public.clone().unwrap_or_default()),
            ));
        }
        Action::RequestInfo => {
            if case.info_requested_at.is_none() {
                row.info_requested_at = Set(Some(at));
            }
            row.step_due_at = Set(None);
            notify = Some((
                "info_request",
                format!("Cần bổ sung thông tin cho phản ánh {}", case.tracking_code),
                format!(
                    "Cơ quan cần ông/bà bổ sung thông tin / The agency needs more information:\n\n{}",
                    public.clone().unwrap_or_default()
                ),
            ));
        }
        Action::Classify => {
            if !input.category.trim().is_empty() {
                let c = feedback_category::Entity::find()
                    .filter(feedback_category::Column::Code.eq(input.category.trim()))
                    .one(db)
                    .await?
                    .ok_or_else(|| AppError::invalid(vec![FieldError::new("category", ErrorCode::UnknownCategory)]))?;
                row.category_id = Set(c.id);
            }
            if !input.kind.trim().is_empty() {
                kind = Kind::parse(&input.kind)
                    .ok_or_else(|| AppError::invalid(vec![FieldError::new("kind", ErrorCode::UnknownKind)]))?;
                row.kind = Set(kind.code().into());
            }
            if case.received_at.is_none() {
                row.received_at = Set(Some(at));
            }
            row.step_due_at = Set(Some(case.answer_due_at));
        }
        Action::Assign => {
            let id: i64 = input
                .handler
                .trim()
                .parse()
                .map_err(|_| AppError::invalid(vec![FieldError::new("handler", ErrorCode::Required)]))?;
            if !handlers_for(db, case.agency_id, &scope).await?.iter().any(|p| p.id == id) {
                return Err(AppError::invalid(vec![FieldError::new("handler", ErrorCode::UnknownField)]));
            }
            row.handler_id = Set(Some(id));
            if case.received_at.is_none() {
                row.received_at = Set(Some(at));
            }
            row.step_due_at = Set(Some(case.answer_due_at));
        }
        Action::Forward => {
            let to = agencies::by_code(db, input.target.trim())
                .await
                .map_err(|_| AppError::invalid(vec![FieldError::new("target", ErrorCode::AgencyNotFound)]))?;
            if to.id == case.agency_id || !agencies::is_current(&to, vn_date(at)) {
                return Err(AppError::invalid(vec![FieldError::new("target", ErrorCode::AgencyNotFound)]));
            }
            // The clock restarts at the unit that receives it.
            deadlines = calendar::deadlines_for(db, to.id).await?;
            let answer_due = cal.add_working_days(at, deadlines.days(kind, Step::Answer));
            row.agency_id = Set(to.id);
            row.clock_from = Set(at);
            row.answer_due_at = Set(answer_due);
            row.step_due_at = Set(Some(cal.add_working_days(at, deadlines.days(kind, Step::Receive))));
            row.handler_id = Set(None);
            row.escalated_to_id = Set(None);
            row.overdue_step = Set(None);
            row.triage = Set(false);
            target = Some(to.id);
        }
        Action::Answer => {
            row.answer_text = Set(public.clone());
            row.answered_at = Set(Some(at));
            row.step_due_at = Set(Some(cal.add_working_days(at, deadlines.days(kind, Step::Publish))));
        }
        Action::Publish => {
            row.published_at = Set(Some(at));
            row.step_due_at = Set(None);
            notify = Some((
                "answer_published",
                format!("Đã có trả lời cho phản ánh {}", case.tracking_code),
                format!(
                    "Trả lời của cơ quan / The agency's answer:\n\n{}",
                    case.answer_text.clone().unwrap_or_default()
                ),
            ));
        }
        Action::Close => {
            row.closed_at = Set(Some(at));
            row.step_due_at = Set(None);
        }
    }
    let _writer = state.write_guard().await;
    let txn = db.begin().await?;
    update_unchanged(&txn, &case, row).await?;
    // The answer itself is on the case; the history only says that it was given.
    let event_note = if action == Action::Answer { None } else { public };
    event(
        &txn,
        case.id,
        Some(user.id),
        "officer",
        action.code(),
        Some(status),
        action.target(),
        event_note,
        internal,
        target,
    )
    .await?;
    if let (Some((purpose, subject, text)), Some(to)) = (notify, contacts::email_to_notify(&state.contact_key, &case)?)
    {
        let body = format!("{text}\n\n{}{}\n", state.settings.public_url, public_path(&case.tracking_code));
        outbox::enqueue(&txn, &state.settings, &to, &subject, &body, Some(case.id), purpose).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The public address of a case's tracking page (the citizen adds their key to see more).
pub fn public_path(code: &str) -> String {
    format!("/gop-y/theo-doi/{code}")
}

/// Handles every missed deadline not handled yet: the case is flagged in its history,
/// escalated to the parent unit, and the citizen gets an apology. Returns how many.
pub async fn sweep_overdue(state: &AppState, at: DateTime<Utc>) -> Result<usize, AppError> {
    let (db, settings) = (&state.db, &*state.settings);
    let active: Vec<&str> = Status::ALL.into_iter().filter(|s| s.step().is_some()).map(Status::code).collect();
    let late = feedback_case::Entity::find()
        .filter(feedback_case::Column::StepDueAt.lt(at))
        .filter(feedback_case::Column::Status.is_in(active))
        .order_by_asc(feedback_case::Column::Id)
        .all(db)
        .await?;
    let units = unit_names(db).await?;
    let mut handled = 0;
    for case in late {
        let status = status_of(&case);
        let (Some(step), Some(due)) = (status.step(), case.step_due_at) else { continue };
        let mark = format!("{}:{}", step.code(), due.timestamp());
        if case.overdue_step.as_deref() == Some(mark.as_str()) {
            continue;
        }
        let parent = units.get(&case.agency_id).and_then(|a| a.parent_id);
        let txn = db.begin().await?;
        let mut row: feedback_case::ActiveModel = case.clone().into();
        row.overdue_step = Set(Some(mark));
        row.updated_at = Set(at);
        if parent.is_some() {
            row.escalated_to_id = Set(parent);
        }
        if update_unchanged(&txn, &case, row).await.is_err() {
            // Another server handled it, or an officer acted meanwhile.
            txn.rollback().await?;
            continue;
        }
        let apology = "Cơ quan xin lỗi ông/bà vì chưa xử lý phản ánh này đúng hạn. Phản ánh đã được báo lên cơ quan cấp trên để đôn đốc. / We apologise: this case was not handled in time. It has been reported to the higher authority.".to_owned();
        event(
            &txn,
            case.id,
            None,
            "system",
            "overdue",
            Some(status),
            status,
            Some(apology.clone()),
            Some(format!("step: {}", step.code())),
            parent,
        )
        .await?;
        if let Some(to) = contacts::email_to_notify(&state.contact_key, &case)? {
            let body = format!(
                "{apology}\n\nMã theo dõi / Tracking code: {}\n{}{}\n",
                case.tracking_code,
                settings.public_url,
                public_path(&case.tracking_code)
            );
            outbox::enqueue(
                &txn,
                settings,
                &to,
                &format!("Xin lỗi vì chậm xử lý phản ánh {}", case.tracking_code),
                &body,
                Some(case.id),
                "overdue_apology",
            )
            .await?;
        }
        txn.commit().await?;
        handled += 1;
    }
    Ok(handled)
}

/// The public disclosure page: published answers (hidden cases never; hidden photos never),
/// filtered by unit (with its subtree), kind, category and period of publication, with each
/// unit's figures for cases received in the period. The period is capped at a year
/// (`Period::capped_for_public`); the answers are counted and paged by the database
/// (`DISCLOSURE_PAGE_SIZE` a page) and the figures are counted by it too (`case_counts`).
pub async fn disclosure(
    db: &impl ConnectionTrait,
    filter: crate::feedback::DisclosureFilter,
    period: crate::domain::period::Period,
) -> Result<crate::feedback::Disclosure, AppError> {
    use crate::feedback::DISCLOSURE_PAGE_SIZE;
    // Anyone may ask: at most a year at once, ending today at the latest.
    let (period, period_capped) = period.capped_for_public(vn_date(now()));
    let units = agencies::all(db).await?;
    let by_id: HashMap<i64, &agency::Model> = units.iter().map(|u| (u.id, u)).collect();
    let cats = categories(db).await?;
    let (start, end) = (period.start_utc(), period.end_utc());
    let subtree = match filter.agency.trim() {
        "" => None,
        code => {
            let unit = units.iter().find(|u| u.code == code).ok_or(ErrorCode::AgencyNotFound)?;
            Some(access::subtree(&units, unit.id).into_iter().collect::<Vec<i64>>())
        }
    };
    let mut q = feedback_case::Entity::find()
        .filter(feedback_case::Column::Hidden.eq(false))
        .filter(feedback_case::Column::PublishedAt.is_not_null())
        .filter(feedback_case::Column::PublishedAt.gte(start))
        .filter(feedback_case::Column::PublishedAt.lt(end));
    if let Some(ids) = &subtree {
        q = q.filter(feedback_case::Column::AgencyId.is_in(ids.clone()));
    }
    if let Some(k) = Kind::parse(&filter.kind) {
        q = q.filter(feedback_case::Column::Kind.eq(k.code()));
    }
    if let Some(c) = cats.iter().find(|c| c.code == filter.category) {
        q = q.filter(feedback_case::Column::CategoryId.eq(c.id));
    }
    let total = q.clone().count(db).await?;
    let pages = total.div_ceil(DISCLOSURE_PAGE_SIZE).max(1);
    let page = filter.page.trim().parse::<u64>().unwrap_or(1).clamp(1, pages);
    let rows = q
        .order_by_desc(feedback_case::Column::PublishedAt)
        .order_by_desc(feedback_case::Column::Id)
        .offset((page - 1) * DISCLOSURE_PAGE_SIZE)
        .limit(DISCLOSURE_PAGE_SIZE)
        .all(db)
        .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut photos: HashMap<i64, Vec<i64>> = HashMap::new();
    for (id, case_id) in case_photo::Entity::find()
        .select_only()
        .column(case_photo::Column::Id)
        .column(case_photo::Column::CaseId)
        .filter(case_photo::Column::CaseId.is_in(ids))
        .filter(case_photo::Column::Hidden.eq(false))
        .order_by_asc(case_photo::Column::Position)
        .into_tuple::<(i64, i64)>()
        .all(db)
        .await?
    {
        photos.entry(case_id).or_default().push(id);
    }
    let cat_names: HashMap<i64, Localized> =
        cats.iter().map(|c| (c.id, Localized::new(&c.name_vi, &c.name_en))).collect();
    let unknown = || Localized::new("", "");
    let cases = rows
        .into_iter()
        .map(|c| crate::feedback::PublicCase {
            photos: photos.remove(&c.id).unwrap_or_default(),
            tracking_code: c.tracking_code,
            kind: c.kind,
            category: cat_names.get(&c.category_id).cloned().unwrap_or_else(unknown),
            agency: by_id.get(&c.agency_id).map(|a| name(a)).unwrap_or_else(unknown),
            submitted_at: c.submitted_at,
            published_at: c.published_at,
            // Shown to everyone: personal numbers the resident (or officer) typed are masked.
            description: mask_personal_numbers(&c.description),
            answer: c.answer_text.as_deref().map(mask_personal_numbers),
        })
        .collect();
    let figures = figures(db, &units, subtree.as_deref(), start, end).await?;
    Ok(crate::feedback::Disclosure {
        cases,
        total,
        page,
        pages,
        period_capped,
        figures,
        from: period.from,
        to: period.to,
        filter,
        categories: cats.iter().map(category_option).collect(),
        units: unit_options(&units, vn_date(now())),
    })
}

/// What the feedback figures of a unit count, for cases received in a period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CaseCounts {
    pub received: u64,
    pub answered: u64,
    /// Answered (or rejected) by the deadline, or still within it (766 measure 5.2).
    pub on_time: u64,
    /// Rated unsatisfactory, raised again, or late, each case once (766 measure 5.3).
    pub unhappy: u64,
    /// Raised again by the resident after the answer.
    pub reraised: u64,
    /// Working days from submission to answer, summed over the answered cases.
    pub days: u64,
}

impl CaseCounts {
    pub fn add(&mut self, o: &CaseCounts) {
        self.received += o.received;
        self.answered += o.answered;
        self.on_time += o.on_time;
        self.unhappy += o.unhappy;
        self.reraised += o.reraised;
        self.days += o.days;
    }

    pub fn figures(&self) -> crate::analytics::FeedbackFigures {
        let pct = |n: u64, d: u64| (d > 0).then(|| n as f64 * 100.0 / d as f64);
        crate::analytics::FeedbackFigures {
            received: self.received,
            answered: self.answered,
            on_time_pct: pct(self.on_time, self.received),
            satisfaction_pct: crate::domain::scorecard::feedback_satisfaction(self.received, self.unhappy),
            avg_working_days: (self.answered > 0).then(|| self.days as f64 / self.answered as f64),
        }
    }
}

/// Per unit, the counts of cases received in [start, end) (of the units `only`, or all).
///
/// Counted by the database (`GROUP BY` unit): no case row reaches the server. The working days
/// to answer depend on the holiday calendar, so the answered cases are grouped by unit, day
/// received and day answered (in Vietnam), and each group's days are counted here: a few
/// hundred rows per unit for a year, however many cases it holds.
pub async fn case_counts(
    db: &impl ConnectionTrait,
    only: Option<&[i64]>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<HashMap<i64, CaseCounts>, AppError> {
    use feedback_case::Column as C;
    use sea_orm::sea_query::{ExprTrait, Func};
    let at = now();
    let in_period = || {
        let mut c = Condition::all().add(C::SubmittedAt.gte(start)).add(C::SubmittedAt.lt(end));
        if let Some(ids) = only {
            c = c.add(C::AgencyId.is_in(ids.to_vec()));
        }
        c
    };
    // Handled: answered, or rejected (closed without an answer); on time when handled by the
    // deadline, or not handled and still within it (766 measure 5.2).
    let rejected = Condition::all()
        .add(C::AnsweredAt.is_null())
        .add(C::Status.eq(Status::Rejected.code()))
        .add(C::ClosedAt.is_not_null());
    let on_time = Condition::any()
        .add(
            Condition::all()
                .add(C::AnsweredAt.is_not_null())
                .add(Expr::col(C::AnsweredAt).lte(Expr::col(C::AnswerDueAt))),
        )
        .add(rejected.clone().add(Expr::col(C::ClosedAt).lte(Expr::col(C::AnswerDueAt))))
        .add(Condition::all().add(C::AnsweredAt.is_null()).add(rejected.not()).add(C::AnswerDueAt.gte(at)));
    // Rated unsatisfactory, raised again, or late, each case once (766 measure 5.3).
    let unhappy = Condition::any()
        .add(on_time.clone().not())
        .add(C::Rating.eq(Rating::NotSatisfied.code()))
        .add(C::ReopenedCount.gt(0));
    let sum = |c: Condition| Expr::from(Func::sum(Expr::case(c, 1).finally(0)));
    let count = || Expr::from(Func::count(Expr::col(C::Id)));
    let rows: Vec<(i64, i64, i64, i64, i64, i64)> = feedback_case::Entity::find()
        .select_only()
        .column(C::AgencyId)
        .column_as(count(), "received")
        .column_as(sum(Condition::all().add(C::AnsweredAt.is_not_null())), "answered")
        .column_as(sum(on_time), "on_time")
        .column_as(sum(Condition::all().add(C::ReopenedCount.gt(0))), "reraised")
        .column_as(sum(unhappy), "unhappy")
        .filter(in_period())
        .group_by(C::AgencyId)
        .into_tuple()
        .all(db)
        .await?;
    let mut acc: HashMap<i64, CaseCounts> = rows
        .into_iter()
        .map(|(agency, received, answered, on_time, reraised, unhappy)| {
            let n = |v: i64| u64::try_from(v).unwrap_or(0);
            let counts = CaseCounts {
                received: n(received),
                answered: n(answered),
                on_time: n(on_time),
                unhappy: n(unhappy),
                reraised: n(reraised),
                days: 0,
            };
            (agency, counts)
        })
        .collect();
    // The day in Vietnam (UTC+7, no daylight saving) of a stored instant, as `YYYY-MM-DD`.
    let vn_day = |col: &str| match db.get_database_backend() {
        sea_orm::DbBackend::Sqlite => format!("date({col}, '+7 hours')"),
        _ => format!("to_char(({col} AT TIME ZONE 'UTC') + INTERVAL '7 hours', 'YYYY-MM-DD')"),
    };
    let (received_day, answered_day) = (vn_day("submitted_at"), vn_day("answered_at"));
    let days: Vec<(i64, String, String, i64)> = feedback_case::Entity::find()
        .select_only()
        .column(C::AgencyId)
        .column_as(Expr::cust(received_day.clone()), "received_day")
        .column_as(Expr::cust(answered_day.clone()), "answered_day")
        .column_as(count(), "n")
        .filter(in_period())
        .filter(C::AnsweredAt.is_not_null())
        .group_by(C::AgencyId)
        .group_by(Expr::cust(received_day))
        .group_by(Expr::cust(answered_day))
        .into_tuple()
        .all(db)
        .await?;
    if !days.is_empty() {
        let cal = calendar::calendar(db).await?;
        for (agency, received, answered, n) in days {
            let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(AppError::internal);
            let working = cal.working_days_between_dates(day(&received)?, day(&answered)?);
            acc.entry(agency).or_default().days += u64::from(working) * u64::try_from(n).unwrap_or(0);
        }
    }
    Ok(acc)
}

/// Per unit, for cases received in [start, end): received, answered, 766 measures 5.2 and
/// 5.3, and the mean working days from submission to answer.
async fn figures(
    db: &impl ConnectionTrait,
    units: &[agency::Model],
    only: Option<&[i64]>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<Vec<crate::feedback::AgencyFigures>, AppError> {
    let acc = case_counts(db, only, start, end).await?;
    let mut out: Vec<crate::feedback::AgencyFigures> = acc
        .into_iter()
        .filter_map(|(id, a)| {
            let unit = units.iter().find(|u| u.id == id)?;
            let f = a.figures();
            Some(crate::feedback::AgencyFigures {
                code: unit.code.clone(),
                agency: name(unit),
                received: f.received,
                answered: f.answered,
                on_time_pct: f.on_time_pct,
                satisfaction_pct: f.satisfaction_pct,
                avg_working_days: f.avg_working_days,
            })
        })
        .collect();
    out.sort_by(|a, b| b.received.cmp(&a.received).then(a.code.cmp(&b.code)));
    Ok(out)
}

/// A photo's JPEG (or thumbnail) if the asker may see it: anyone once the case is published
/// (unless the case or the photo is hidden); the citizen with the private key; officers who
/// may see the case.
pub async fn photo(
    db: &impl ConnectionTrait,
    id: i64,
    thumb: bool,
    key: Option<&str>,
    user: Option<&CurrentUser>,
) -> Result<Vec<u8>, AppError> {
    let p = case_photo::Entity::find_by_id(id).one(db).await?.ok_or(ErrorCode::NotFound)?;
    let c = feedback_case::Entity::find_by_id(p.case_id).one(db).await?.ok_or(ErrorCode::NotFound)?;
    let officer = match user {
        Some(u) if u.role != Role::Viewer => may_see(&access::scope_of(db, u).await?, &c),
        _ => false,
    };
    let citizen = key.is_some_and(|k| !k.is_empty() && secrets_match(&c.access_hash, &sha256_hex(k)));
    let public = c.published_at.is_some() && !c.hidden && !p.hidden;
    if officer || (citizen && !p.hidden) || public {
        Ok(if thumb { p.thumb } else { p.jpeg })
    } else {
        Err(ErrorCode::NotFound.into())
    }
}

/// Moderation: hides (never deletes) a case or one photo from every public view, with a
/// reason; or shows it again. Recorded in the case history and the audit log.
pub async fn moderate(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
    photo_id: Option<i64>,
    hide: bool,
    reason: &str,
) -> Result<(), AppError> {
    let db = &state.db;
    let scope = handling_scope(db, user).await?;
    let case = by_code(db, code).await?;
    if !scope.contains(case.agency_id) {
        return Err(ErrorCode::CaseNotFound.into());
    }
    let reason = note_field(reason, "reason", hide)?;
    let status = status_of(&case);
    let _writer = state.write_guard().await;
    let txn = db.begin().await?;
    let (entity, entity_id, action) = match photo_id {
        Some(pid) => {
            let p = case_photo::Entity::find_by_id(pid)
                .one(&txn)
                .await?
                .filter(|p| p.case_id == case.id)
                .ok_or(ErrorCode::NotFound)?;
            let mut row: case_photo::ActiveModel = p.into();
            row.hidden = Set(hide);
            row.hidden_reason = Set(reason.clone());
            row.update(&txn).await?;
            ("case_photo", pid.to_string(), if hide { "hide_photo" } else { "show_photo" })
        }
        None => {
            let mut row: feedback_case::ActiveModel = case.clone().into();
            row.hidden = Set(hide);
            row.hidden_reason = Set(reason.clone());
            row.updated_at = Set(now());
            row.update(&txn).await?;
            ("feedback_case", case.tracking_code.clone(), if hide { "hide" } else { "show" })
        }
    };
    event(&txn, case.id, Some(user.id), "officer", action, Some(status), status, None, reason.clone(), None).await?;
    super::audit::record(
        &txn,
        &super::audit::Actor::user(user),
        action,
        entity,
        &entity_id,
        Some(case.agency_id),
        Some(serde_json::json!({ "hidden": !hide })),
        Some(serde_json::json!({ "hidden": hide, "reason": reason })),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A canned reply for a unit's officers (agency administrators manage them).
pub async fn add_canned_reply(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    unit: &str,
    title: &str,
    body: &str,
) -> Result<(), AppError> {
    let scope = access::admin_scope(db, user).await?;
    let unit = agencies::by_code(db, unit).await?;
    access::ensure(&scope, unit.id)?;
    let title = note_field(title, "title", true)?.unwrap_or_default();
    let body = note_field(body, "body", true)?.unwrap_or_default();
    canned_reply::ActiveModel {
        agency_id: Set(unit.id),
        title: Set(title.chars().take(200).collect()),
        body: Set(body),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

pub async fn remove_canned_reply(db: &impl ConnectionTrait, user: &CurrentUser, id: i64) -> Result<(), AppError> {
    let scope = access::admin_scope(db, user).await?;
    let r = canned_reply::Entity::find_by_id(id).one(db).await?.ok_or(ErrorCode::NotFound)?;
    access::ensure(&scope, r.agency_id)?;
    canned_reply::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// The feedback settings page of an administrator's subtree.
pub async fn settings(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
) -> Result<crate::feedback::FeedbackSettings, AppError> {
    use crate::feedback::{CannedAdminView, FeedbackSettings, HolidayView, RuleView};
    use crate::server::entity::deadline_rule;
    let scope = access::admin_scope(db, user).await?;
    let units = agencies::all(db).await?;
    let by_id: HashMap<i64, &agency::Model> = units.iter().map(|u| (u.id, u)).collect();
    let rules = deadline_rule::Entity::find().order_by_asc(deadline_rule::Column::Id).all(db).await?;
    let canned = canned_reply::Entity::find().order_by_asc(canned_reply::Column::Id).all(db).await?;
    Ok(FeedbackSettings {
        units: unit_options(&units, vn_date(now()))
            .into_iter()
            .filter(|u| units.iter().any(|a| a.code == u.code && scope.contains(a.id)))
            .collect(),
        rules: rules
            .into_iter()
            .filter(|r| scope.contains(r.agency_id))
            .filter_map(|r| {
                let unit = by_id.get(&r.agency_id)?;
                Some(RuleView {
                    unit: unit.code.clone(),
                    unit_name: name(unit),
                    kind: r.kind,
                    step: r.step,
                    days: r.days,
                })
            })
            .collect(),
        canned: canned
            .into_iter()
            .filter(|c| scope.contains(c.agency_id))
            .map(|c| CannedAdminView {
                id: c.id,
                unit: by_id.get(&c.agency_id).map(|u| u.code.clone()).unwrap_or_default(),
                title: c.title,
                body: c.body,
            })
            .collect(),
        holidays: calendar::holidays(db)
            .await?
            .into_iter()
            .map(|h| HolidayView { day: h.day, off: h.off, name: Localized::new(h.name_vi, h.name_en) })
            .collect(),
        may_edit_holidays: scope.root().is_none(),
    })
}

/// Sets a unit's deadline rule (agency administrators, in their subtree).
pub async fn set_deadline(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    unit: &str,
    kind: &str,
    step: &str,
    days: &str,
) -> Result<(), AppError> {
    let scope = access::admin_scope(db, user).await?;
    let unit = agencies::by_code(db, unit).await?;
    access::ensure(&scope, unit.id)?;
    let kind = match kind.trim() {
        "" => None,
        k => Some(
            Kind::parse(k).ok_or_else(|| AppError::invalid(vec![FieldError::new("kind", ErrorCode::UnknownKind)]))?,
        ),
    };
    let step =
        Step::parse(step).ok_or_else(|| AppError::invalid(vec![FieldError::new("step", ErrorCode::UnknownField)]))?;
    let days = match days.trim() {
        "" => None,
        d => {
            Some(d.parse::<u32>().map_err(|_| AppError::invalid(vec![FieldError::new("days", ErrorCode::WrongType)]))?)
        }
    };
    calendar::set_rule(db, unit.id, kind, step, days).await?;
    super::audit::record(
        db,
        &super::audit::Actor::user(user),
        "set_deadline",
        "deadline_rule",
        &format!("{}:{}:{}", unit.code, kind.map(Kind::code).unwrap_or("*"), step.code()),
        Some(unit.id),
        None,
        Some(serde_json::json!({ "days": days })),
    )
    .await
}

/// Adds, changes or removes a day of the holiday calendar (system administrators: the
/// calendar is national).
pub async fn edit_holiday(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    day: chrono::NaiveDate,
    remove: bool,
    off: bool,
    name_vi: &str,
    name_en: &str,
) -> Result<(), AppError> {
    let scope = access::admin_scope(db, user).await?;
    if scope.root().is_some() {
        return Err(ErrorCode::Forbidden.into());
    }
    if remove {
        calendar::remove_holiday(db, day).await?;
    } else {
        calendar::put_holiday(db, day, off, name_vi, name_en).await?;
    }
    super::audit::record(
        db,
        &super::audit::Actor::user(user),
        if remove { "remove_holiday" } else { "put_holiday" },
        "holiday",
        &day.to_string(),
        None,
        None,
        (!remove).then(|| serde_json::json!({ "off": off, "name_vi": name_vi, "name_en": name_en })),
    )
    .await
}

/// The closed loop: a survey answered with low ratings by someone who left contact details
/// and agreed to be contacted opens a case for the counter's unit.
pub async fn open_from_survey(
    state: &AppState,
    agency_code: &str,
    counter_name: &str,
    response_id: i64,
    contact: (Option<String>, Option<String>, Option<String>),
    comment: Option<String>,
    client_ip: Option<String>,
) -> Result<Created, AppError> {
    let description = match comment.filter(|c| !c.trim().is_empty()) {
        Some(c) => format!("Đánh giá chưa hài lòng tại {counter_name}. Ý kiến của người dân: {c}"),
        None => {
            format!("Người dân đánh giá chưa hài lòng về sự phục vụ tại {counter_name} và đề nghị được liên hệ lại.")
        }
    };
    submit(
        state,
        NewCase {
            kind: Kind::Procedure.code().into(),
            category: SURVEY_CATEGORY.into(),
            agency: agency_code.into(),
            description,
            name: contact.0.unwrap_or_default(),
            phone: contact.1.unwrap_or_default(),
            email: contact.2.unwrap_or_default(),
            consent: true,
            channel: "survey",
            client_ip,
            source_response_id: Some(response_id),
            ..Default::default()
        },
    )
    .await
}

/// The category of cases opened from survey answers.
pub const SURVEY_CATEGORY: &str = "phuc-vu-mot-cua";
