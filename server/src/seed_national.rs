//! `ydan seed-demo --scale national`: a country-sized data set for trying the dashboards and
//! measuring them: 34 provinces (the 2025 map), 100 units each (a public administration
//! service centre, 15 departments, 84 communes and wards), their counters, and survey
//! responses spread over the last 24 months, with tickets, verified and flagged responses.
//!
//! Rows are written with multi-row statements, one unit at a time, together with that unit's
//! pre-aggregated counts, so ten million responses take minutes rather than hours. The counts
//! kept above the units (their provinces', `tree_rollup`) are added up in memory and written
//! once at the end.

use crate::seed::{Progress, Rng, criterion_offset, opening_time, rating};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::{codes::AgencyKind, error::AppError, period::vn_offset};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement, TransactionTrait, Value};
use services::{
    agencies::{self, NewAgency},
    instruments::{self, InstrumentCache},
    meta, rollups,
};

/// The 34 provinces and cities after the 2025 reorganisation: code, Vietnamese and English name.
const PROVINCES: [(&str, &str, &str); 34] = [
    ("HNI", "Thành phố Hà Nội", "Hanoi"),
    ("HUE", "Thành phố Huế", "Hue City"),
    ("LCU", "Tỉnh Lai Châu", "Lai Chau Province"),
    ("DBN", "Tỉnh Điện Biên", "Dien Bien Province"),
    ("SLA", "Tỉnh Sơn La", "Son La Province"),
    ("LSN", "Tỉnh Lạng Sơn", "Lang Son Province"),
    ("QNH", "Tỉnh Quảng Ninh", "Quang Ninh Province"),
    ("THA", "Tỉnh Thanh Hóa", "Thanh Hoa Province"),
    ("NAN", "Tỉnh Nghệ An", "Nghe An Province"),
    ("HTH", "Tỉnh Hà Tĩnh", "Ha Tinh Province"),
    ("CBG", "Tỉnh Cao Bằng", "Cao Bang Province"),
    ("TQG", "Tỉnh Tuyên Quang", "Tuyen Quang Province"),
    ("LCI", "Tỉnh Lào Cai", "Lao Cai Province"),
    ("TNN", "Tỉnh Thái Nguyên", "Thai Nguyen Province"),
    ("PTO", "Tỉnh Phú Thọ", "Phu Tho Province"),
    ("BNH", "Tỉnh Bắc Ninh", "Bac Ninh Province"),
    ("HYN", "Tỉnh Hưng Yên", "Hung Yen Province"),
    ("HPG", "Thành phố Hải Phòng", "Hai Phong City"),
    ("NBH", "Tỉnh Ninh Bình", "Ninh Binh Province"),
    ("QTI", "Tỉnh Quảng Trị", "Quang Tri Province"),
    ("DNG", "Thành phố Đà Nẵng", "Da Nang City"),
    ("QNI", "Tỉnh Quảng Ngãi", "Quang Ngai Province"),
    ("GLI", "Tỉnh Gia Lai", "Gia Lai Province"),
    ("KHA", "Tỉnh Khánh Hòa", "Khanh Hoa Province"),
    ("LDG", "Tỉnh Lâm Đồng", "Lam Dong Province"),
    ("DLK", "Tỉnh Đắk Lắk", "Dak Lak Province"),
    ("HCM", "Thành phố Hồ Chí Minh", "Ho Chi Minh City"),
    ("DNI", "Tỉnh Đồng Nai", "Dong Nai Province"),
    ("TNH", "Tỉnh Tây Ninh", "Tay Ninh Province"),
    ("CTO", "Thành phố Cần Thơ", "Can Tho City"),
    ("VLG", "Tỉnh Vĩnh Long", "Vinh Long Province"),
    ("DTP", "Tỉnh Đồng Tháp", "Dong Thap Province"),
    ("CMU", "Tỉnh Cà Mau", "Ca Mau Province"),
    ("AGG", "Tỉnh An Giang", "An Giang Province"),
];

const DEPARTMENTS: [(&str, &str, &str); 15] = [
    ("STP", "Sở Tư pháp", "Department of Justice"),
    ("SXD", "Sở Xây dựng", "Department of Construction"),
    ("SNNMT", "Sở Nông nghiệp và Môi trường", "Department of Agriculture and Environment"),
    ("STC", "Sở Tài chính", "Department of Finance"),
    ("SCT", "Sở Công Thương", "Department of Industry and Trade"),
    ("SYT", "Sở Y tế", "Department of Health"),
    ("SGDDT", "Sở Giáo dục và Đào tạo", "Department of Education and Training"),
    ("SNV", "Sở Nội vụ", "Department of Home Affairs"),
    ("SKHCN", "Sở Khoa học và Công nghệ", "Department of Science and Technology"),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", "Department of Culture, Sports and Tourism"),
    ("SDTTG", "Sở Dân tộc và Tôn giáo", "Department of Ethnic and Religious Affairs"),
    ("SNG", "Sở Ngoại vụ", "Department of Foreign Affairs"),
    ("TTR", "Thanh tra tỉnh", "Provincial Inspectorate"),
    ("CAT", "Công an tỉnh (thủ tục hành chính)", "Provincial Police (administrative procedures)"),
    ("BHXH", "Bảo hiểm xã hội tỉnh", "Provincial Social Insurance"),
];

/// Communes and wards per province (with the centre and the departments, 100 units).
const COMMUNES: usize = 84;

/// Months of history generated.
const MONTHS: u64 = 24;

struct PlannedUnit {
    id: i64,
    counters: Vec<i64>,
    quality: f64,
    traffic: f64,
}

/// What the national seed created.
pub struct NationalSeeded {
    pub units: usize,
    pub counters: usize,
    pub responses: u64,
    pub tickets: u64,
}

/// Creates 34 provinces with 100 units each and `responses` responses over 24 months ending
/// `today`.
pub async fn seed_national(
    db: &DatabaseConnection,
    responses: u64,
    seed: u64,
    today: NaiveDate,
    show_progress: bool,
) -> Result<NationalSeeded, AppError> {
    let mut rng = Rng::new(seed);
    let valid_from = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap_or(today);
    let mut units: Vec<PlannedUnit> = Vec::new();
    let txn = db.begin().await?;
    meta::set(&txn, meta::DEMO_KEY, "true").await?;
    let create = async |code: String, kind: AgencyKind, vi: String, en: String, parent: Option<String>| {
        agencies::create(&txn, NewAgency { code, kind, name_vi: vi, name_en: en, parent_code: parent, valid_from })
            .await
            .map(|a| a.id)
    };
    let mut plan: Vec<(i64, usize, f64, f64)> = Vec::new(); // unit id, counters, quality, traffic
    for (pcode, pvi, pen) in PROVINCES {
        let pquality = 0.80 + rng.unit() * 0.16;
        create(pcode.into(), AgencyKind::Province, pvi.into(), pen.into(), None).await?;
        let centre = create(
            format!("{pcode}.TTPVHCC"),
            AgencyKind::ServiceCentre,
            format!("Trung tâm Phục vụ hành chính công – {pvi}"),
            format!("Public Administrative Service Centre – {pen}"),
            Some(pcode.into()),
        )
        .await?;
        plan.push((centre, 4, pquality + 0.03, 30.0));
        for (dcode, dvi, den) in DEPARTMENTS {
            let id = create(
                format!("{pcode}.{dcode}"),
                AgencyKind::Department,
                format!("{dvi} – {pvi}"),
                format!("{den} – {pen}"),
                Some(pcode.into()),
            )
            .await?;
            plan.push((id, 1, pquality + (rng.unit() - 0.5) * 0.12, 3.0));
        }
        for k in 1..=COMMUNES {
            let ward = k % 3 == 0;
            let (vi, en) = if ward {
                (format!("Phường số {k}"), format!("Ward {k}"))
            } else {
                (format!("Xã số {k}"), format!("Commune {k}"))
            };
            let id = create(
                format!("{pcode}.X{k:03}"),
                AgencyKind::Commune,
                format!("UBND {vi} – {pvi}"),
                format!("{en} People's Committee – {pen}"),
                Some(pcode.into()),
            )
            .await?;
            plan.push((
                id,
                if ward { 2 } else { 1 },
                pquality + (rng.unit() - 0.5) * 0.2,
                if ward { 2.0 } else { 1.0 },
            ));
        }
    }
    let mut counters_made = 0;
    for (id, n, quality, traffic) in plan {
        let mut counters = Vec::new();
        for c in 1..=n {
            counters.push(agencies::create_counter(&txn, id, &format!("Quầy {c:02}")).await?.id);
        }
        counters_made += counters.len();
        units.push(PlannedUnit { id, counters, quality: quality.clamp(0.5, 0.98), traffic });
    }
    // Tickets need an issuing key; this one is revoked and its secret was never known.
    let backend = db.get_database_backend();
    let now = services::now();
    txn.execute_raw(Statement::from_sql_and_values(
        backend,
        placeholders(
            backend,
            "INSERT INTO api_key (agency_id, name, key_hash, prefix, created_at, created_by, revoked_at) \
             VALUES (?, 'demo national seed', ?, 'demo', ?, NULL, ?)",
        ),
        [Value::from(units[0].id), Value::from(format!("{:064x}", rng.next_u64())), Value::from(now), Value::from(now)],
    ))
    .await?;
    let api_key: i64 = scalar(&txn, "SELECT MAX(id) AS v FROM api_key").await?;
    let instrument = instruments::load(&txn, &InstrumentCache::default(), instruments::default_id(&txn).await?).await?;
    txn.commit().await?;

    let criteria: Vec<(i64, f64)> = instrument.criteria().map(|c| (c.id, criterion_offset(&c.code))).collect();
    let total_traffic: f64 = units.iter().map(|u| u.traffic).sum();
    let mut next_response: i64 = scalar(db, "SELECT COALESCE(MAX(id), 0) AS v FROM response").await? + 1;
    let mut next_ticket: i64 = scalar(db, "SELECT COALESCE(MAX(id), 0) AS v FROM ticket").await? + 1;
    let days = MONTHS * 365 / 12;
    let mut progress = show_progress.then(|| Progress::new("Phiếu khảo sát / responses", responses));
    let (mut done, mut tickets_made, mut carry) = (0u64, 0u64, 0.0f64);
    // The counts above each unit (its province's) are added up here and written once at the
    // end, instead of a province's rows being rewritten for each of its hundred units.
    let chains = rollups::ancestors(db, &units.iter().map(|u| u.id).collect::<Vec<_>>()).await?;
    let mut tree = std::collections::BTreeMap::new();
    for (i, unit) in units.iter().enumerate() {
        let exact = responses as f64 * unit.traffic / total_traffic + carry;
        let mut count = exact.floor() as u64;
        carry = exact - count as f64;
        if i + 1 == units.len() {
            count = responses - done;
        }
        let mut batch = Batch::default();
        let mut counts = rollups::Accumulator::default();
        let txn = db.begin().await?;
        for _ in 0..count {
            let counter = unit.counters[rng.below(unit.counters.len() as u64) as usize];
            let at = opening_time(&mut rng, today, days);
            let age = (today - at.with_timezone(&vn_offset()).date_naive()).num_days() as f64;
            let trend = 0.05 * (1.0 - age / days as f64);
            let mood = (rng.unit() - 0.5) * 0.16;
            let few = rng.unit() < 0.06;
            let mut answers: Vec<(i64, Option<i16>)> = criteria
                .iter()
                .map(|&(id, offset)| {
                    let skip = if few { rng.unit() < 0.8 } else { rng.unit() < 0.07 };
                    let p = (unit.quality + offset + trend + mood).clamp(0.02, 0.995);
                    (id, (!skip).then(|| rating(&mut rng, p)))
                })
                .collect();
            if answers.iter().all(|(_, v)| v.is_none())
                && let Some(first) = answers.first_mut()
            {
                first.1 = Some(rating(&mut rng, unit.quality));
            }
            let channel = match rng.unit() {
                r if r < 0.72 => "qr",
                r if r < 0.90 => "kiosk",
                r if r < 0.96 => "api",
                _ => "paper",
            };
            let verified = channel == "qr" && rng.unit() < 0.18;
            let flags = match rng.unit() {
                r if r < 0.015 => "burst",
                r if r < 0.025 => "outside_hours",
                r if r < 0.03 => "identical_streak",
                _ => "",
            };
            let id = next_response;
            next_response += 1;
            let ticket = if verified {
                let t = next_ticket;
                next_ticket += 1;
                let issued = at - Duration::minutes(5 + rng.below(120) as i64);
                batch.ticket(t, unit.id, counter, api_key, issued, Some((at, id)));
                counts.add_ticket(unit.id, counter, issued);
                Some(t)
            } else {
                None
            };
            // Receipts nobody answered.
            if rng.unit() < 0.12 {
                let t = next_ticket;
                next_ticket += 1;
                let issued = at - Duration::minutes(rng.below(240) as i64);
                batch.ticket(t, unit.id, counter, api_key, issued, None);
                counts.add_ticket(unit.id, counter, issued);
            }
            batch.response(id, instrument.id, counter, unit.id, channel, at, verified, ticket, flags, &answers);
            counts.add_response(&rollups::ResponseFacts {
                agency_id: unit.id,
                counter_id: counter,
                instrument: &instrument,
                at,
                channel,
                verified,
                flags,
                answers: &answers,
            });
            done += 1;
            if batch.responses.len() >= 2_000 {
                tickets_made += batch.flush(&txn).await?;
                if let Some(p) = progress.as_mut() {
                    p.set(done);
                }
            }
        }
        tickets_made += batch.flush(&txn).await?;
        counts.write_own(&txn).await?;
        counts.add_below(&chains, &mut tree);
        txn.commit().await?;
        if let Some(p) = progress.as_mut() {
            p.set(done);
        }
    }
    let txn = db.begin().await?;
    rollups::write_tree(&txn, &tree).await?;
    txn.commit().await?;
    if let Some(p) = progress {
        p.finish();
    }
    if backend == DatabaseBackend::Postgres {
        // Rows were written with their ids: move the sequences past them.
        for table in ["response", "ticket"] {
            db.execute_unprepared(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            ))
            .await?;
        }
    }
    Ok(NationalSeeded {
        units: units.len() + PROVINCES.len(),
        counters: counters_made,
        responses: done,
        tickets: tickets_made,
    })
}

async fn scalar(db: &impl ConnectionTrait, sql: &str) -> Result<i64, AppError> {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql.to_owned()))
        .await?
        .ok_or_else(|| AppError::internal("no row"))?;
    Ok(row.try_get("", "v")?)
}

/// `?` placeholders as the backend wants them (`$1, $2, …` on PostgreSQL).
fn placeholders(backend: DatabaseBackend, sql: &str) -> String {
    if backend != DatabaseBackend::Postgres {
        return sql.to_owned();
    }
    let mut out = String::with_capacity(sql.len() + 16);
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

/// Rows waiting to be written: numbers inline, times as bound values (so they are stored
/// exactly as the rest of the application stores them).
#[derive(Default)]
struct Batch {
    responses: Vec<String>,
    response_times: Vec<Value>,
    answers: Vec<String>,
    tickets: Vec<String>,
    ticket_times: Vec<Value>,
}

impl Batch {
    #[allow(clippy::too_many_arguments)]
    fn response(
        &mut self,
        id: i64,
        instrument: i64,
        counter: i64,
        agency: i64,
        channel: &str,
        at: DateTime<Utc>,
        verified: bool,
        ticket: Option<i64>,
        flags: &str,
        answers: &[(i64, Option<i16>)],
    ) {
        let (ticket, dossier) = match ticket {
            Some(t) => (t.to_string(), format!("'H{t:010}'")),
            None => ("NULL".into(), "NULL".into()),
        };
        self.responses.push(format!(
            "({id},{instrument},{counter},{agency},NULL,'{channel}',?,NULL,NULL,'mobile',NULL,{},{dossier},{ticket},'{flags}')",
            if verified { "TRUE" } else { "FALSE" }
        ));
        self.response_times.push(Value::from(at));
        for (criterion, value) in answers {
            self.answers.push(match value {
                Some(v) => format!("({id},{criterion},{v})"),
                None => format!("({id},{criterion},NULL)"),
            });
        }
    }

    fn ticket(
        &mut self,
        id: i64,
        agency: i64,
        counter: i64,
        api_key: i64,
        issued: DateTime<Utc>,
        used: Option<(DateTime<Utc>, i64)>,
    ) {
        let response = used.map(|u| u.1.to_string()).unwrap_or_else(|| "NULL".into());
        self.tickets.push(format!(
            "({id},'{id:064x}',{agency},{counter},NULL,'H{id:010}',{api_key},?,?,{},{response})",
            if used.is_some() { "?" } else { "NULL" }
        ));
        self.ticket_times.push(Value::from(issued));
        self.ticket_times.push(Value::from(issued + Duration::days(30)));
        if let Some((at, _)) = used {
            self.ticket_times.push(Value::from(at));
        }
    }

    /// Writes the rows (tickets first: responses point to them), returns the tickets written.
    async fn flush(&mut self, db: &impl ConnectionTrait) -> Result<u64, AppError> {
        let backend = db.get_database_backend();
        let tickets = self.tickets.len() as u64;
        if !self.tickets.is_empty() {
            let sql = format!(
                "INSERT INTO ticket (id, token_hash, agency_id, counter_id, procedure_id, dossier_code, api_key_id, \
                 issued_at, expires_at, used_at, response_id) VALUES {}",
                self.tickets.join(",")
            );
            db.execute_raw(Statement::from_sql_and_values(
                backend,
                placeholders(backend, &sql),
                std::mem::take(&mut self.ticket_times),
            ))
            .await?;
        }
        if !self.responses.is_empty() {
            let sql = format!(
                "INSERT INTO response (id, instrument_id, counter_id, agency_id, procedure_id, channel, submitted_at, \
                 comment, device_hash, ua_class, submission_key, verified, dossier_code, ticket_id, flags) VALUES {}",
                self.responses.join(",")
            );
            db.execute_raw(Statement::from_sql_and_values(
                backend,
                placeholders(backend, &sql),
                std::mem::take(&mut self.response_times),
            ))
            .await?;
        }
        for chunk in self.answers.chunks(8_000) {
            db.execute_unprepared(&format!(
                "INSERT INTO response_answer (response_id, criterion_id, value) VALUES {}",
                chunk.join(",")
            ))
            .await?;
        }
        self.tickets.clear();
        self.responses.clear();
        self.answers.clear();
        Ok(tickets)
    }
}
