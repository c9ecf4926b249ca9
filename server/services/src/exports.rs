//! Exports of a unit's subtree: its responses (answers, channel, flags; never contact details,
//! comments, text answers, dossier codes or device hashes) or its indices per unit and period,
//! as CSV or XLSX.
//!
//! An export is a job: the request records it with the number of rows it will hold (from the
//! pre-aggregated counts, so asking costs nothing), a background worker writes the file page by
//! page and records its progress, and the export's page shows that progress until the file can
//! be downloaded. Only the staff member who asked may see and download it; files are removed
//! after [`KEEP_DAYS`] days.

use crate::{access, agencies, analytics::Lens, clock::now, current_user::CurrentUser, indices, rollups};
use crate::{
    entity::{agency, counter, export_job, instrument_criterion, procedure},
    sheets::{Cell, Csv, SheetWriter, XLSX_MAX_ROWS, Xlsx},
    state::AppState,
};
use chrono::{DateTime, Utc};
use domain::{
    buckets,
    dto::{ReportQuery, analytics::ExportView, url_part},
    error::{AppError, ErrorCode},
    lang::Lang,
    period::vn_offset,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Statement, Value,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

/// Days an export file is kept.
pub const KEEP_DAYS: i64 = 7;
/// Responses read per page.
const PAGE: u64 = 2_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Responses,
    Indices,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Responses => "responses",
            Kind::Indices => "indices",
        }
    }

    pub fn parse(raw: &str) -> Option<Kind> {
        [Kind::Responses, Kind::Indices].into_iter().find(|k| k.as_str() == raw)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }

    pub fn parse(raw: &str) -> Option<Format> {
        [Format::Csv, Format::Xlsx].into_iter().find(|f| f.as_str() == raw)
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// What a job was asked for, kept with it as JSON.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Params {
    query: ReportQuery,
    lang: Lang,
}

/// Records an export of `code`'s subtree. Staff whose scope holds the unit may ask.
pub async fn create(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
    kind: Kind,
    format: Format,
    query: ReportQuery,
    lang: Lang,
) -> Result<i64, AppError> {
    let db = &state.db;
    let units = agencies::all(db).await?;
    let unit = units.iter().find(|u| u.code == code).ok_or(ErrorCode::AgencyNotFound)?;
    access::ensure(&access::scope_of(db, user).await?, unit.id)?;
    let lens = Lens::new(state, &units, query.questionnaire.as_deref(), query.basis, query.rollup).await?;
    let subtree: Vec<i64> = access::subtree(&units, unit.id).into_iter().collect();
    let rows_total = match kind {
        Kind::Responses => {
            let family = indices::family_ids(db, &lens.instrument.code).await?;
            let runs = buckets::runs(&query.period, lens.today);
            rollups::activity_counts(db, &runs, &subtree)
                .await?
                .iter()
                .filter(|r| r.source != rollups::TICKET_SOURCE && family.contains(&r.instrument))
                .map(|r| r.n)
                .sum::<u64>()
        }
        Kind::Indices => (index_units(&units, unit, &query).len() * query.step.split(&query.period).len()) as u64,
    };
    if format == Format::Xlsx && rows_total + 1 > XLSX_MAX_ROWS {
        return Err(AppError::invalid(vec![domain::error::FieldError::new("format", ErrorCode::ExportTooLarge)]));
    }
    let params = serde_json::to_string(&Params { query: query.clone(), lang }).map_err(AppError::internal)?;
    let _writer = state.write_guard().await;
    let job = export_job::ActiveModel {
        user_id: Set(user.id),
        agency_id: Set(unit.id),
        kind: Set(kind.as_str().to_owned()),
        format: Set(format.as_str().to_owned()),
        params: Set(params),
        status: Set("queued".into()),
        rows_total: Set(i64::try_from(rows_total).unwrap_or(i64::MAX)),
        rows_done: Set(0),
        file_name: Set(String::new()),
        bytes: Set(0),
        error: Set(String::new()),
        created_at: Set(now()),
        started_at: Set(None),
        finished_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(job.id)
}

/// The units an index export lists: the unit and every current unit below it.
fn index_units<'a>(units: &'a [agency::Model], unit: &'a agency::Model, q: &ReportQuery) -> Vec<&'a agency::Model> {
    let members = access::subtree(units, unit.id);
    units
        .iter()
        .filter(|a| members.contains(&a.id) && (a.id == unit.id || agencies::is_current(a, q.period.to)))
        .collect()
}

fn view_of(job: export_job::Model, units: &HashMap<i64, &agency::Model>) -> Result<ExportView, AppError> {
    let params: Params = serde_json::from_str(&job.params).map_err(AppError::internal)?;
    Ok(ExportView {
        id: job.id,
        unit: units
            .get(&job.agency_id)
            .map(|a| agencies::name_of(a))
            .unwrap_or_else(|| domain::dto::Localized::new("", "")),
        kind: job.kind,
        format: job.format,
        status: job.status,
        rows_total: u64::try_from(job.rows_total).unwrap_or(0),
        rows_done: u64::try_from(job.rows_done).unwrap_or(0),
        bytes: u64::try_from(job.bytes).unwrap_or(0),
        error: job.error,
        created_at: job.created_at,
        finished_at: job.finished_at,
        period: params.query.period,
    })
}

/// One export of the signed-in user (another's is "not found", not "forbidden": its existence
/// is nobody else's business).
pub async fn view(db: &impl ConnectionTrait, user: &CurrentUser, id: i64) -> Result<ExportView, AppError> {
    let job = export_job::Entity::find_by_id(id)
        .filter(export_job::Column::UserId.eq(user.id))
        .one(db)
        .await?
        .ok_or(ErrorCode::ExportNotFound)?;
    let units = agencies::all(db).await?;
    view_of(job, &units.iter().map(|a| (a.id, a)).collect())
}

/// The user's latest exports, newest first.
pub async fn latest(db: &impl ConnectionTrait, user: &CurrentUser) -> Result<Vec<ExportView>, AppError> {
    let jobs = export_job::Entity::find()
        .filter(export_job::Column::UserId.eq(user.id))
        .order_by_desc(export_job::Column::Id)
        .limit(20)
        .all(db)
        .await?;
    let units = agencies::all(db).await?;
    let by_id: HashMap<i64, &agency::Model> = units.iter().map(|a| (a.id, a)).collect();
    jobs.into_iter().map(|j| view_of(j, &by_id)).collect()
}

/// A finished export's file: its path on disk, the name to save it under and its type.
pub async fn file(state: &AppState, user: &CurrentUser, id: i64) -> Result<(PathBuf, String, Format), AppError> {
    let job = export_job::Entity::find_by_id(id)
        .filter(export_job::Column::UserId.eq(user.id))
        .filter(export_job::Column::Status.eq("done"))
        .one(&state.db)
        .await?
        .ok_or(ErrorCode::ExportNotFound)?;
    let format = Format::parse(&job.format).ok_or(ErrorCode::ExportNotFound)?;
    let unit = agency::Entity::find_by_id(job.agency_id).one(&state.db).await?.ok_or(ErrorCode::ExportNotFound)?;
    let params: Params = serde_json::from_str(&job.params).map_err(AppError::internal)?;
    let name = format!(
        "ydan-{}-{}-{}-{}.{}",
        unit.code.replace('.', "-"),
        job.kind,
        params.query.period.from,
        params.query.period.to,
        format.as_str()
    );
    let path = state.settings.export_dir.join(&job.file_name);
    if job.file_name.is_empty() || !path.is_file() {
        return Err(ErrorCode::ExportNotFound.into());
    }
    Ok((path, url_part(&name), format))
}

/// Takes the oldest waiting export and makes its file. Returns whether there was one. Several
/// servers may run this: a job is claimed by the one whose update finds it still waiting.
pub async fn run_next(state: &AppState) -> Result<bool, AppError> {
    let db = &state.db;
    let Some(job) = export_job::Entity::find()
        .filter(export_job::Column::Status.eq("queued"))
        .order_by_asc(export_job::Column::Id)
        .one(db)
        .await?
    else {
        return Ok(false);
    };
    let claimed = {
        let _writer = state.write_guard().await;
        export_job::Entity::update_many()
            .col_expr(export_job::Column::Status, sea_orm::sea_query::Expr::value("running"))
            .col_expr(export_job::Column::StartedAt, sea_orm::sea_query::Expr::value(now()))
            .filter(export_job::Column::Id.eq(job.id))
            .filter(export_job::Column::Status.eq("queued"))
            .exec(db)
            .await?
            .rows_affected
    };
    if claimed != 1 {
        return Ok(true);
    }
    let result = make_file(state, &job).await;
    let _writer = state.write_guard().await;
    let mut row: export_job::ActiveModel = job.into();
    row.finished_at = Set(Some(now()));
    match result {
        Ok((file_name, rows, bytes)) => {
            row.status = Set("done".into());
            row.file_name = Set(file_name);
            row.rows_done = Set(i64::try_from(rows).unwrap_or(i64::MAX));
            row.bytes = Set(i64::try_from(bytes).unwrap_or(i64::MAX));
        }
        Err(e) => {
            tracing::warn!(code = e.code.as_str(), detail = ?e.detail, "an export failed");
            row.status = Set("failed".into());
            row.error = Set(e.code.as_str().to_owned());
        }
    }
    row.update(db).await?;
    Ok(true)
}

/// Removes files older than [`KEEP_DAYS`] (their jobs are marked `expired`), and marks as
/// failed the jobs a stopped server left running for more than six hours.
pub async fn purge(state: &AppState) -> Result<usize, AppError> {
    let db = &state.db;
    let old = export_job::Entity::find()
        .filter(export_job::Column::Status.eq("done"))
        .filter(export_job::Column::FinishedAt.lt(now() - chrono::Duration::days(KEEP_DAYS)))
        .all(db)
        .await?;
    let n = old.len();
    for job in old {
        if !job.file_name.is_empty() {
            let _ = tokio::fs::remove_file(state.settings.export_dir.join(&job.file_name)).await;
        }
        let mut row: export_job::ActiveModel = job.into();
        row.status = Set("expired".into());
        let _writer = state.write_guard().await;
        row.update(db).await?;
    }
    let _writer = state.write_guard().await;
    export_job::Entity::update_many()
        .col_expr(export_job::Column::Status, sea_orm::sea_query::Expr::value("failed"))
        .col_expr(export_job::Column::Error, sea_orm::sea_query::Expr::value("interrupted"))
        .filter(export_job::Column::Status.eq("running"))
        .filter(export_job::Column::StartedAt.lt(now() - chrono::Duration::hours(6)))
        .exec(db)
        .await?;
    Ok(n)
}

/// Rows go to a thread that owns the file, so the server's threads never wait on the disk.
struct FileSink {
    tx: std::sync::mpsc::SyncSender<Vec<Cell>>,
    done: tokio::task::JoinHandle<std::io::Result<u64>>,
}

impl FileSink {
    fn open(path: PathBuf, format: Format, sheet: String) -> FileSink {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Cell>>(4 * PAGE as usize);
        let done = tokio::task::spawn_blocking(move || {
            let file = std::io::BufWriter::with_capacity(1 << 16, std::fs::File::create(&path)?);
            let mut w: Box<dyn SheetWriter> = match format {
                Format::Csv => Box::new(Csv::new(file)?),
                Format::Xlsx => Box::new(Xlsx::new(file, &sheet)?),
            };
            for row in rx {
                w.row(&row)?;
            }
            w.finish()
        });
        FileSink { tx, done }
    }

    fn send(&self, row: Vec<Cell>) -> Result<(), AppError> {
        self.tx.send(row).map_err(|_| AppError::internal("the export file stopped taking rows"))
    }

    async fn close(self) -> Result<u64, AppError> {
        drop(self.tx);
        self.done.await.map_err(AppError::internal)?.map_err(AppError::internal)
    }
}

/// Writes the job's file; returns its name in the export folder, its rows and its bytes.
async fn make_file(state: &AppState, job: &export_job::Model) -> Result<(String, u64, u64), AppError> {
    let params: Params = serde_json::from_str(&job.params).map_err(AppError::internal)?;
    let kind = Kind::parse(&job.kind).ok_or_else(|| AppError::internal("unknown export kind"))?;
    let format = Format::parse(&job.format).ok_or_else(|| AppError::internal("unknown export format"))?;
    tokio::fs::create_dir_all(&state.settings.export_dir).await.map_err(AppError::internal)?;
    let mut secret = [0u8; 12];
    getrandom::fill(&mut secret).map_err(AppError::internal)?;
    let file_name =
        format!("{}-{}.{}", job.id, secret.iter().map(|b| format!("{b:02x}")).collect::<String>(), format.as_str());
    let path = state.settings.export_dir.join(&file_name);
    let sheet = match (kind, params.lang) {
        (Kind::Responses, Lang::Vi) => "Phiếu trả lời",
        (Kind::Responses, Lang::En) => "Responses",
        (Kind::Indices, Lang::Vi) => "Chỉ số",
        (Kind::Indices, Lang::En) => "Indices",
    };
    let sink = FileSink::open(path.clone(), format, sheet.to_owned());
    let rows = match kind {
        Kind::Responses => write_responses(state, job, &params, &sink).await,
        Kind::Indices => write_indices(state, job, &params, &sink).await,
    };
    let bytes = sink.close().await;
    match (rows, bytes) {
        (Ok(rows), Ok(bytes)) => Ok((file_name, rows, bytes)),
        (Err(e), _) | (_, Err(e)) => {
            let _ = tokio::fs::remove_file(&path).await;
            Err(e)
        }
    }
}

async fn progress(state: &AppState, id: i64, done: u64) -> Result<(), AppError> {
    let _writer = state.write_guard().await;
    export_job::Entity::update_many()
        .col_expr(export_job::Column::RowsDone, sea_orm::sea_query::Expr::value(i64::try_from(done).unwrap_or(0)))
        .filter(export_job::Column::Id.eq(id))
        .exec(&state.db)
        .await?;
    Ok(())
}

/// `?` placeholders as the backend wants them.
fn bind(db: &impl ConnectionTrait, sql: &str) -> String {
    if db.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
        return sql.to_owned();
    }
    let mut out = String::new();
    let mut n = 0;
    for ch in sql.chars() {
        if ch == '?' {
            n += 1;
            out.push_str(&format!("${n}"));
        } else {
            out.push(ch);
        }
    }
    out
}

async fn write_responses(
    state: &AppState,
    job: &export_job::Model,
    params: &Params,
    sink: &FileSink,
) -> Result<u64, AppError> {
    let db = &state.db;
    let q = &params.query;
    let lang = params.lang;
    let units = agencies::all(db).await?;
    let lens = Lens::new(state, &units, q.questionnaire.as_deref(), q.basis, q.rollup).await?;
    let family = indices::family_ids(db, &lens.instrument.code).await?;
    // One column per question code that holds a number (ratings and single choices), in the
    // order of the newest version, then codes only older versions had.
    let mut criteria = instrument_criterion::Entity::find()
        .filter(instrument_criterion::Column::InstrumentId.is_in(family.clone()))
        .filter(instrument_criterion::Column::Scale.ne("text"))
        .all(db)
        .await?;
    criteria.sort_by_key(|c| (std::cmp::Reverse(c.instrument_id == lens.instrument.id), c.position));
    let mut codes: Vec<String> = Vec::new();
    for c in &criteria {
        if !codes.contains(&c.code) {
            codes.push(c.code.clone());
        }
    }
    let column_of: HashMap<i64, usize> =
        criteria.iter().filter_map(|c| codes.iter().position(|k| *k == c.code).map(|i| (c.id, i))).collect();
    let versions: HashMap<i64, String> = crate::entity::instrument::Entity::find()
        .filter(crate::entity::instrument::Column::Id.is_in(family.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|i| (i.id, format!("{} v{}", i.code, i.version)))
        .collect();
    let procedures: HashMap<i64, String> =
        procedure::Entity::find().all(db).await?.into_iter().map(|p| (p.id, p.code)).collect();
    let subtree = access::subtree(&units, job.agency_id);
    let counters: HashMap<i64, String> = counter::Entity::find()
        .filter(counter::Column::AgencyId.is_in(subtree.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.code))
        .collect();
    let mut header: Vec<Cell> = match lang {
        Lang::Vi => [
            "Mã phiếu",
            "Thời điểm (giờ Việt Nam)",
            "Mã đơn vị",
            "Đơn vị",
            "Mã quầy",
            "Kênh",
            "Đã xác thực",
            "Cờ",
            "Bảng hỏi",
            "Thủ tục",
        ],
        Lang::En => [
            "Response",
            "Time (Vietnam)",
            "Unit code",
            "Unit",
            "Counter",
            "Channel",
            "Verified",
            "Flags",
            "Questionnaire",
            "Procedure",
        ],
    }
    .into_iter()
    .map(Cell::from)
    .collect();
    header.extend(codes.iter().map(|c| Cell::from(c.as_str())));
    sink.send(header)?;
    let list = family.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let mut ids: Vec<i64> = subtree.into_iter().collect();
    ids.sort_unstable();
    let by_id: HashMap<i64, &agency::Model> = units.iter().map(|a| (a.id, a)).collect();
    let sql = bind(
        db,
        &format!(
            "SELECT id, submitted_at, counter_id, channel, verified, flags, instrument_id, procedure_id FROM response \
             WHERE agency_id = ? AND instrument_id IN ({list}) AND submitted_at >= ? AND submitted_at < ? \
             AND NOT (submitted_at = ? AND id <= ?) ORDER BY submitted_at, id LIMIT {PAGE}"
        ),
    );
    let yes_no = match lang {
        Lang::Vi => ("có", "không"),
        Lang::En => ("yes", "no"),
    };
    let mut done = 0u64;
    for agency_id in ids {
        let unit = by_id.get(&agency_id).copied();
        let (unit_code, unit_name) =
            unit.map(|a| (a.code.clone(), lang.pick(&a.name_vi, &a.name_en).to_owned())).unwrap_or_default();
        let (mut from, mut last_id): (DateTime<Utc>, i64) = (q.period.start_utc(), 0);
        loop {
            let rows = db
                .query_all_raw(Statement::from_sql_and_values(
                    db.get_database_backend(),
                    &sql,
                    [
                        Value::from(agency_id),
                        Value::from(from),
                        Value::from(q.period.end_utc()),
                        Value::from(from),
                        Value::from(last_id),
                    ],
                ))
                .await?;
            if rows.is_empty() {
                break;
            }
            let page_ids: Vec<i64> = rows.iter().map(|r| r.try_get::<i64>("", "id")).collect::<Result<_, _>>()?;
            let mut answers: HashMap<i64, BTreeMap<usize, i16>> = HashMap::new();
            for a in db
                .query_all_raw(Statement::from_string(
                    db.get_database_backend(),
                    format!(
                        "SELECT response_id, criterion_id, value FROM response_answer WHERE response_id IN ({}) \
                         AND value IS NOT NULL",
                        page_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
                    ),
                ))
                .await?
            {
                let criterion: i64 = a.try_get("", "criterion_id")?;
                if let Some(col) = column_of.get(&criterion) {
                    answers.entry(a.try_get("", "response_id")?).or_default().insert(*col, a.try_get("", "value")?);
                }
            }
            let n = rows.len() as u64;
            for r in rows {
                let id: i64 = r.try_get("", "id")?;
                let at: DateTime<Utc> = r.try_get("", "submitted_at")?;
                let verified: bool = r.try_get("", "verified")?;
                let procedure: Option<i64> = r.try_get("", "procedure_id")?;
                let mut row: Vec<Cell> = vec![
                    Cell::Number(id as f64),
                    at.with_timezone(&vn_offset()).format("%Y-%m-%d %H:%M:%S").to_string().into(),
                    unit_code.clone().into(),
                    unit_name.clone().into(),
                    counters.get(&r.try_get::<i64>("", "counter_id")?).cloned().unwrap_or_default().into(),
                    r.try_get::<String>("", "channel")?.into(),
                    (if verified { yes_no.0 } else { yes_no.1 }).into(),
                    r.try_get::<String>("", "flags")?.into(),
                    versions.get(&r.try_get::<i64>("", "instrument_id")?).cloned().unwrap_or_default().into(),
                    procedure.and_then(|p| procedures.get(&p).cloned()).unwrap_or_default().into(),
                ];
                let mine = answers.remove(&id).unwrap_or_default();
                row.extend((0..codes.len()).map(|c| mine.get(&c).map_or(Cell::Empty, |v| Cell::Number(f64::from(*v)))));
                sink.send(row)?;
                (from, last_id) = (at, id);
            }
            done += n;
            progress(state, job.id, done).await?;
            if n < PAGE {
                break;
            }
        }
    }
    Ok(done)
}

async fn write_indices(
    state: &AppState,
    job: &export_job::Model,
    params: &Params,
    sink: &FileSink,
) -> Result<u64, AppError> {
    let db = &state.db;
    let q = &params.query;
    let lang = params.lang;
    let units = agencies::all(db).await?;
    let unit = units.iter().find(|a| a.id == job.agency_id).ok_or(ErrorCode::AgencyNotFound)?;
    let lens = Lens::new(state, &units, q.questionnaire.as_deref(), q.basis, q.rollup).await?;
    let listed = index_units(&units, unit, q);
    let nodes: Vec<i64> = listed.iter().map(|a| a.id).collect();
    let parts = lens.reports(&nodes, &q.period, Some(q.step)).await?;
    let elements: Vec<String> = lens.structure.elements().map(|e| e.code.clone()).collect();
    let mut header: Vec<Cell> = match lang {
        Lang::Vi => [
            "Mã đơn vị",
            "Đơn vị",
            "Kỳ",
            "Từ ngày",
            "Đến ngày",
            "Chỉ số (%)",
            "Cận dưới 95%",
            "Cận trên 95%",
            "Số người trả lời",
            "Mẫu nhỏ",
        ],
        Lang::En => [
            "Unit code",
            "Unit",
            "Period",
            "From",
            "To",
            "Index (%)",
            "95% low",
            "95% high",
            "Respondents",
            "Small sample",
        ],
    }
    .into_iter()
    .map(Cell::from)
    .collect();
    header.extend(elements.iter().map(|e| Cell::from(format!("{e} (%)"))));
    sink.send(header)?;
    let empty = lens.empty();
    let mut done = 0u64;
    for a in &listed {
        for (part, reports) in &parts {
            let r = reports.get(&a.id).unwrap_or(&empty);
            let e = &r.overall;
            let small = match lang {
                Lang::Vi => ("có", "không"),
                Lang::En => ("yes", "no"),
            };
            let mut row: Vec<Cell> = vec![
                a.code.clone().into(),
                lang.pick(&a.name_vi, &a.name_en).to_owned().into(),
                q.step.label(q.step.start(part.from)).into(),
                part.from.to_string().into(),
                part.to.to_string().into(),
                e.index.into(),
                e.ci95.map(|c| c.0).into(),
                e.ci95.map(|c| c.1).into(),
                Cell::Number(e.n as f64),
                (if e.low_sample && e.n > 0 { small.0 } else { small.1 }).into(),
            ];
            row.extend(elements.iter().map(|code| Cell::from(r.element(code).and_then(|e| e.index))));
            sink.send(row)?;
            done += 1;
        }
    }
    progress(state, job.id, done).await?;
    Ok(done)
}
