//! Filing a case: the form's choices, the checks on what a resident sent (text, contact,
//! position, photos), the filing limits per address, and the insert with its receipt.

use super::common::*;

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
    let source = client_ip.and_then(|ip| crate::doors::source_hash(&state.device_hash_key, ip));
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

/// What the citizen's form offers.
pub async fn form(db: &impl ConnectionTrait) -> Result<FeedbackForm, AppError> {
    let units = agencies::all(db).await?;
    Ok(FeedbackForm {
        categories: categories(db).await?.iter().map(category_option).collect(),
        units: unit_options(&units, vn_date(now())),
    })
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
    let device_id = new.client_ip.as_deref().and_then(|ip| crate::doors::source_hash(&state.device_hash_key, ip));
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
        let (contact, mut problems) = domain::contact::check_contact(&new.name, &new.phone, &new.email, new.consent);
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
    if email.is_some() {
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
        outbox::to_resident(&txn, &state.settings, row.id, &format!("Đã nhận phản ánh {code}"), &body, "receipt")
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
