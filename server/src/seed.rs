//! Demonstration data: one province in the 2025 two-level structure (province → departments and
//! communes, each with a public administrative service centre and its counters), a few common
//! procedures, and several thousand survey responses over the last twelve months with realistic
//! differences between units, criteria and months. Deterministic for a given seed. The
//! installation is marked as holding demo data, and every page says so.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use domain::{accounts::Role, codes::AgencyKind, error::AppError, period::vn_offset};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    TransactionTrait,
};
use services::contact_key::ContactKeySource;
use services::{
    agencies::{self, NewAgency},
    audit::Actor,
    auth::{self, NewUser},
    entity::response,
    instruments::{self, InstrumentCache},
    meta, rollups,
    survey::insert_answers,
};
use std::io::Write;

/// SplitMix64: a tiny, well-distributed generator. Demo data needs reproducibility, not secrecy.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }
}

/// A progress bar on standard error: `[#####.....] 50% 3.000/6.000`.
pub struct Progress {
    label: &'static str,
    total: u64,
    shown: u64,
}

impl Progress {
    pub fn new(label: &'static str, total: u64) -> Self {
        let p = Progress { label, total, shown: u64::MAX };
        p.draw(0);
        p
    }

    pub fn set(&mut self, done: u64) {
        let pct = done * 100 / self.total.max(1);
        if pct != self.shown {
            self.shown = pct;
            self.draw(done);
        }
    }

    fn draw(&self, done: u64) {
        let width = 30;
        let filled = (done * width / self.total.max(1)) as usize;
        let bar: String = "#".repeat(filled) + &".".repeat(width as usize - filled.min(width as usize));
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{} [{bar}] {:>3}% {done}/{}", self.label, done * 100 / self.total.max(1), self.total);
        let _ = err.flush();
    }

    pub fn finish(mut self) {
        self.set(self.total);
        let _ = writeln!(std::io::stderr());
    }
}

struct Unit {
    code: &'static str,
    kind: AgencyKind,
    vi: &'static str,
    en: &'static str,
    parent: Option<&'static str>,
    counters: &'static [&'static str],
    /// Share of satisfied answers this unit tends to get.
    quality: f64,
    /// Relative number of visitors.
    traffic: f64,
}

// The demo tree below reads best as a table of rows, one call per unit.
#[allow(clippy::too_many_arguments)]
const fn unit(
    code: &'static str,
    kind: AgencyKind,
    vi: &'static str,
    en: &'static str,
    parent: Option<&'static str>,
    counters: &'static [&'static str],
    quality: f64,
    traffic: f64,
) -> Unit {
    Unit { code, kind, vi, en, parent, counters, quality, traffic }
}

use AgencyKind::{Commune, Department, Province, ServiceCentre};

const UNITS: &[Unit] = &[
    unit("QN", Province, "Tỉnh Quảng Ninh", "Quang Ninh Province", None, &[], 0.0, 0.0),
    unit(
        "QN.TTPVHCC",
        ServiceCentre,
        "Trung tâm Phục vụ hành chính công tỉnh Quảng Ninh",
        "Quang Ninh Provincial Public Administrative Service Centre",
        Some("QN"),
        &["Quầy 01 – Tư pháp", "Quầy 02 – Xây dựng", "Quầy 03 – Nông nghiệp và Môi trường"],
        0.91,
        2.0,
    ),
    unit("QN.SNV", Department, "Sở Nội vụ", "Department of Home Affairs", Some("QN"), &[], 0.0, 0.0),
    unit(
        "QN.SNV.BPMC",
        ServiceCentre,
        "Bộ phận Một cửa Sở Nội vụ",
        "One-stop desk, Department of Home Affairs",
        Some("QN.SNV"),
        &["Quầy 1 – Thi đua, khen thưởng", "Quầy 2 – Tổ chức, biên chế"],
        0.88,
        0.6,
    ),
    unit("QN.STP", Department, "Sở Tư pháp", "Department of Justice", Some("QN"), &[], 0.0, 0.0),
    unit(
        "QN.STP.BPMC",
        ServiceCentre,
        "Bộ phận Một cửa Sở Tư pháp",
        "One-stop desk, Department of Justice",
        Some("QN.STP"),
        &["Quầy 1 – Lý lịch tư pháp", "Quầy 2 – Công chứng, chứng thực"],
        0.84,
        0.8,
    ),
    unit("QN.HL", Commune, "Phường Hạ Long", "Ha Long Ward", Some("QN"), &[], 0.0, 0.0),
    unit(
        "QN.HL.TTPV",
        ServiceCentre,
        "Trung tâm Phục vụ hành chính công phường Hạ Long",
        "Ha Long Ward Public Administrative Service Centre",
        Some("QN.HL"),
        &["Quầy 1 – Hộ tịch, chứng thực", "Quầy 2 – Đất đai", "Quầy 3 – Lao động, xã hội"],
        0.93,
        1.6,
    ),
    unit("QN.BC", Commune, "Phường Bãi Cháy", "Bai Chay Ward", Some("QN"), &[], 0.0, 0.0),
    unit(
        "QN.BC.TTPV",
        ServiceCentre,
        "Trung tâm Phục vụ hành chính công phường Bãi Cháy",
        "Bai Chay Ward Public Administrative Service Centre",
        Some("QN.BC"),
        &["Quầy 1 – Hộ tịch, chứng thực", "Quầy 2 – Đất đai, xây dựng"],
        0.86,
        1.2,
    ),
    unit("QN.CP", Commune, "Phường Cẩm Phả", "Cam Pha Ward", Some("QN"), &[], 0.0, 0.0),
    unit(
        "QN.CP.TTPV",
        ServiceCentre,
        "Trung tâm Phục vụ hành chính công phường Cẩm Phả",
        "Cam Pha Ward Public Administrative Service Centre",
        Some("QN.CP"),
        &["Quầy 1 – Hộ tịch", "Quầy 2 – Đất đai", "Quầy 3 – Chứng thực"],
        0.78,
        1.1,
    ),
    unit("QN.QH", Commune, "Xã Quảng Hà", "Quang Ha Commune", Some("QN"), &[], 0.0, 0.0),
    unit(
        "QN.QH.TTPV",
        ServiceCentre,
        "Trung tâm Phục vụ hành chính công xã Quảng Hà",
        "Quang Ha Commune Public Administrative Service Centre",
        Some("QN.QH"),
        &["Quầy 1 – Tổng hợp", "Quầy 2 – Đất đai, nông nghiệp"],
        0.72,
        0.5,
    ),
    unit("QN.VD", Commune, "Đặc khu Vân Đồn", "Van Don Special Zone", Some("QN"), &[], 0.0, 0.0),
    unit(
        "QN.VD.TTPV",
        ServiceCentre,
        "Trung tâm Phục vụ hành chính công đặc khu Vân Đồn",
        "Van Don Special Zone Public Administrative Service Centre",
        Some("QN.VD"),
        &["Quầy 1 – Hộ tịch, chứng thực", "Quầy 2 – Đất đai, đầu tư"],
        0.89,
        0.4,
    ),
];

const PROCEDURES: &[(&str, &str, &str)] = &[
    ("DEMO.HT.01", "Đăng ký khai sinh", "Birth registration"),
    ("DEMO.HT.02", "Đăng ký kết hôn", "Marriage registration"),
    ("DEMO.CT.01", "Chứng thực bản sao từ bản chính", "Certified copy of an original document"),
    ("DEMO.LL.01", "Cấp Phiếu lý lịch tư pháp", "Judicial record certificate"),
    ("DEMO.DD.01", "Đăng ký biến động quyền sử dụng đất", "Registration of a change in land use rights"),
    ("DEMO.XD.01", "Cấp giấy phép xây dựng nhà ở riêng lẻ", "Building permit for a private house"),
    ("DEMO.LD.01", "Giải quyết trợ cấp thất nghiệp", "Unemployment benefit"),
];

/// Password of the demo accounts. Demonstration data only: `seed-demo` is not for production.
pub const DEMO_PASSWORD: &str = "ydan-demo-2026";

/// Demo staff: a system administrator, the province's administrator, a ward centre's reader.
pub const DEMO_ACCOUNTS: &[(&str, &str, Role, Option<&str>)] = &[
    ("quantri", "Quản trị hệ thống (mẫu)", Role::SystemAdmin, None),
    ("qn.quantri", "Quản trị tỉnh Quảng Ninh (mẫu)", Role::AgencyAdmin, Some("QN")),
    ("halong.xem", "Cán bộ phường Hạ Long (mẫu)", Role::Viewer, Some("QN.HL")),
    ("halong.canbo", "Cán bộ tiếp nhận phản ánh phường Hạ Long (mẫu)", Role::Officer, Some("QN.HL")),
];

/// Demo feedback: (kind, category, unit, description, answer if published).
const CASES: &[(&str, &str, &str, &str, Option<&str>)] = &[
    (
        "procedure",
        "dat-dai-xay-dung",
        "QN.HL",
        "Hồ sơ đăng ký biến động đất đai nộp đã 20 ngày nhưng chưa có kết quả, gọi điện không ai nghe máy.",
        Some(
            "Hồ sơ bị chậm do phải xác minh ranh giới thửa đất. Phường đã trả kết quả ngày 18/11 và xin lỗi ông về sự chậm trễ.",
        ),
    ),
    (
        "proposal",
        "phuc-vu-mot-cua",
        "QN.HL",
        "Đề nghị bố trí thêm quầy vào sáng thứ Hai vì rất đông người chờ.",
        Some("Từ tuần sau, Trung tâm mở thêm một quầy vào sáng thứ Hai và thứ Ba. Cảm ơn góp ý của bà."),
    ),
    (
        "procedure",
        "ho-tich-cu-tru",
        "QN.HL",
        "Bị yêu cầu nộp bản sao giấy khai sinh có chứng thực dù đã có dữ liệu dân cư.",
        Some(
            "Theo quy định hiện hành, cán bộ không được yêu cầu giấy tờ đã có trong Cơ sở dữ liệu quốc gia về dân cư. Phường đã nhắc nhở cán bộ và hướng dẫn lại quy trình.",
        ),
    ),
    (
        "conduct",
        "thai-do-can-bo",
        "QN.HL.TTPV",
        "Cán bộ quầy số 1 trả lời cộc lốc, không hướng dẫn cách bổ sung hồ sơ.",
        None,
    ),
    ("procedure", "phuc-vu-mot-cua", "QN.HL", "Máy lấy số thứ tự hỏng cả buổi sáng, người dân phải tự xếp hàng.", None),
    (
        "proposal",
        "khac",
        "QN",
        "Đề nghị cho phép nộp hồ sơ và nhận kết quả qua bưu điện với tất cả thủ tục hộ tịch.",
        None,
    ),
];

/// Adds a few feedback cases at different stages, filed and handled through the same services
/// residents and officers use.
async fn seed_demo_cases(db: &DatabaseConnection, contact_key: &ContactKeySource) -> Result<usize, AppError> {
    use services::cases::{self, NewCase, OfficerInput};
    let settings = services::state::Settings { contact_key: contact_key.clone(), ..Default::default() };
    let state =
        crate::config::build_state(db.clone(), &crate::config::Config { settings, ..Default::default() }).await?;
    let user = services::entity::app_user::Entity::find()
        .filter(services::entity::app_user::Column::Login.eq("halong.canbo"))
        .one(db)
        .await?
        .ok_or_else(|| AppError::internal("demo officer missing"))?;
    let officer = services::current_user::CurrentUser::for_service(&user);
    for (kind, category, unit, description, answer) in CASES {
        let created = cases::submit(
            &state,
            NewCase {
                kind: (*kind).into(),
                category: (*category).into(),
                agency: (*unit).into(),
                description: (*description).into(),
                anonymous: true,
                channel: "web",
                ..Default::default()
            },
        )
        .await?;
        if let Some(text) = answer {
            for (action, note) in [("receive", ""), ("answer", *text), ("publish", "")] {
                let input = OfficerInput {
                    action: action.into(),
                    public_note: note.into(),
                    confirmed: true,
                    ..Default::default()
                };
                cases::act(&state, &officer, &created.tracking_code, input).await?;
            }
        }
    }
    Ok(CASES.len())
}

/// Comments the demo responses carry now and then.
pub const COMMENTS: &[&str] = &[
    "Cán bộ hướng dẫn tận tình, dễ hiểu.",
    "Phải chờ khá lâu vì ít quầy mở.",
    "Nên có thêm ghế ngồi chờ và nước uống.",
    "Thủ tục nhanh, đúng hẹn. Cảm ơn!",
    "Biển chỉ dẫn khó thấy, tôi phải hỏi mấy lần mới tìm được quầy.",
    "Phải bổ sung giấy tờ hai lần vì lần đầu hướng dẫn chưa đủ.",
    "Máy lấy số thứ tự bị hỏng.",
    "Rất hài lòng với thái độ phục vụ.",
];

/// How much each criterion tends to differ from the unit's quality (seats and feedback handling
/// score lower in published SIPAS results; staff courtesy higher).
pub(crate) fn criterion_offset(code: &str) -> f64 {
    match code {
        "II.A2" => -0.07,
        "II.A3" => -0.03,
        "II.B3" => 0.03,
        "II.C1" => 0.04,
        "II.C2" => -0.02,
        "II.D1" => -0.04,
        c if c.starts_with("II.E") => -0.06,
        _ => 0.0,
    }
}

/// A time during opening hours (07:30–17:00, Monday–Friday, Vietnam time) on a day within the
/// last `days` days before `end`.
pub(crate) fn opening_time(rng: &mut Rng, end: NaiveDate, days: u64) -> DateTime<Utc> {
    loop {
        let day = end - Duration::days(rng.below(days) as i64);
        if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && rng.unit() > 0.1 {
            continue;
        }
        let minutes = 7 * 60 + 30 + rng.below(9 * 60 + 30) as i64;
        let local = day.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::minutes(minutes);
        if let chrono::LocalResult::Single(t) = vn_offset().from_local_datetime(&local) {
            return t.with_timezone(&Utc);
        }
    }
}

/// A 1–5 rating: satisfied (4–5) with probability `p`, otherwise mostly neutral.
pub(crate) fn rating(rng: &mut Rng, p: f64) -> i16 {
    if rng.unit() < p {
        if rng.unit() < 0.55 { 5 } else { 4 }
    } else {
        let r = rng.unit();
        if r < 0.6 {
            3
        } else if r < 0.88 {
            2
        } else {
            1
        }
    }
}

/// What `seed_demo` created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seeded {
    pub units: usize,
    pub counters: usize,
    pub responses: u64,
}

/// Whether the database already holds units (then a first-start seed is skipped).
pub async fn has_units(db: &DatabaseConnection) -> Result<bool, AppError> {
    Ok(services::entity::agency::Entity::find().count(db).await? > 0)
}

/// Creates the demo province and `responses` survey responses ending `today`; its residents'
/// contact details are encrypted with the key `contact_key` names (the server's own).
pub async fn seed_demo(
    db: &DatabaseConnection,
    contact_key: &ContactKeySource,
    responses: u64,
    seed: u64,
    today: NaiveDate,
    show_progress: bool,
) -> Result<Seeded, AppError> {
    let mut rng = Rng::new(seed);
    let txn = db.begin().await?;
    meta::set(&txn, meta::DEMO_KEY, "true").await?;
    let valid_from = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap_or(today);
    // (counter id, unit id, unit quality, weight)
    let mut counters: Vec<(i64, i64, f64, f64)> = Vec::new();
    for u in UNITS {
        let created = agencies::create(
            &txn,
            NewAgency {
                code: u.code.into(),
                kind: u.kind,
                name_vi: u.vi.into(),
                name_en: u.en.into(),
                parent_code: u.parent.map(str::to_owned),
                valid_from,
            },
        )
        .await?;
        for name in u.counters {
            let c = agencies::create_counter(&txn, created.id, name).await?;
            // Counters of one unit differ a little too.
            let quality = (u.quality + (rng.unit() - 0.5) * 0.06).clamp(0.3, 0.99);
            counters.push((c.id, created.id, quality, u.traffic / u.counters.len() as f64));
        }
    }
    for (code, vi, en) in PROCEDURES {
        agencies::create_procedure(&txn, code, vi, en).await?;
    }
    for (login, name, role, unit) in DEMO_ACCOUNTS {
        let agency_id = match unit {
            Some(code) => Some(agencies::by_code(&txn, code).await?.id),
            None => None,
        };
        auth::create_user(
            &txn,
            &Actor::cli(),
            NewUser {
                login: (*login).into(),
                display_name: (*name).into(),
                password: DEMO_PASSWORD.into(),
                role: *role,
                agency_id,
            },
        )
        .await?;
    }
    let instrument = instruments::load(&txn, &InstrumentCache::default(), instruments::default_id(&txn).await?).await?;
    let procedure_ids: Vec<i64> = agencies::procedures(&txn).await?.into_iter().map(|p| p.id).collect();
    txn.commit().await?;

    let total_weight: f64 = counters.iter().map(|c| c.3).sum();
    let criteria: Vec<(i64, f64)> = instrument.criteria().map(|c| (c.id, criterion_offset(&c.code))).collect();
    let mut progress = show_progress.then(|| Progress::new("Phiếu khảo sát mẫu / demo responses", responses));
    let batch = 500;
    let mut done = 0;
    while done < responses {
        let txn = db.begin().await?;
        let mut counts = rollups::Accumulator::default();
        for _ in 0..batch.min(responses - done) {
            // Pick a counter in proportion to its unit's traffic.
            let mut pick = rng.unit() * total_weight;
            let &(counter_id, agency_id, quality, _) = counters
                .iter()
                .find(|c| {
                    pick -= c.3;
                    pick <= 0.0
                })
                .or(counters.last())
                .ok_or_else(|| AppError::internal("no demo counters"))?;
            let at = opening_time(&mut rng, today, 365);
            // Service improves slowly over the year: up to +4 points by now.
            let age_days = (today - at.with_timezone(&vn_offset()).date_naive()).num_days() as f64;
            let trend = 0.04 * (1.0 - age_days / 365.0);
            // Some people are in a worse mood than others.
            let mood = (rng.unit() - 0.5) * 0.16;
            let answers_few = rng.unit() < 0.06;
            let answers: Vec<(i64, Option<i16>)> = criteria
                .iter()
                .map(|&(id, offset)| {
                    let skip = if answers_few { rng.unit() < 0.8 } else { rng.unit() < 0.07 };
                    let p = (quality + offset + trend + mood).clamp(0.02, 0.995);
                    (id, (!skip).then(|| rating(&mut rng, p)))
                })
                .collect();
            let answers = if answers.iter().all(|(_, v)| v.is_none()) {
                let mut a = answers;
                if let Some(first) = a.first_mut() {
                    first.1 = Some(rating(&mut rng, quality));
                }
                a
            } else {
                answers
            };
            let channel = match rng.unit() {
                r if r < 0.78 => "qr",
                r if r < 0.92 => "kiosk",
                _ => "paper",
            };
            let procedure = (rng.unit() < 0.6 && !procedure_ids.is_empty())
                .then(|| procedure_ids[rng.below(procedure_ids.len() as u64) as usize]);
            let comment = (rng.unit() < 0.05).then(|| COMMENTS[rng.below(COMMENTS.len() as u64) as usize]);
            let facts = rollups::ResponseFacts {
                agency_id,
                counter_id,
                instrument: &instrument,
                at,
                channel,
                verified: false,
                flags: "",
                answers: &answers,
            };
            store(&txn, &mut counts, &facts, procedure, comment).await?;
            done += 1;
        }
        counts.write(&txn).await?;
        txn.commit().await?;
        if let Some(p) = progress.as_mut() {
            p.set(done);
        }
    }
    if let Some(p) = progress {
        p.finish();
    }
    seed_demo_tt01(db, &mut rng, &counters, today, responses / 12).await?;
    seed_demo_targets(db).await?;
    seed_demo_cases(db, contact_key).await?;
    Ok(Seeded { units: UNITS.len(), counters: counters.len(), responses })
}

/// Stores one demo response with its answers and adds it to the batch's counts.
async fn store(
    txn: &impl sea_orm::ConnectionTrait,
    counts: &mut rollups::Accumulator,
    f: &rollups::ResponseFacts<'_>,
    procedure: Option<i64>,
    comment: Option<&str>,
) -> Result<(), AppError> {
    let row = response::ActiveModel {
        instrument_id: Set(f.instrument.id),
        counter_id: Set(f.counter_id),
        agency_id: Set(f.agency_id),
        procedure_id: Set(procedure),
        channel: Set(f.channel.into()),
        submitted_at: Set(f.at),
        comment: Set(comment.map(str::to_owned)),
        device_hash: Set(None),
        ua_class: Set(Some(if f.channel == "qr" { "mobile" } else { "tablet" }.into())),
        submission_key: Set(None),
        verified: Set(f.verified),
        dossier_code: Set(None),
        ticket_id: Set(None),
        flags: Set(f.flags.into()),
        ..Default::default()
    };
    let id = response::Entity::insert(row).exec(txn).await?.last_insert_id;
    insert_answers(txn, id, f.answers).await?;
    counts.add_response(f);
    Ok(())
}

/// Paper forms of the TT 01/2018 evaluation (one per dossier), typed in at some counters, so
/// that the scorecard has citizens' answers to its four questions.
async fn seed_demo_tt01(
    db: &DatabaseConnection,
    rng: &mut Rng,
    counters: &[(i64, i64, f64, f64)],
    today: NaiveDate,
    n: u64,
) -> Result<(), AppError> {
    use domain::scale::Scale;
    use sea_orm::QueryOrder;
    use services::entity::instrument;
    let Some(form) = instrument::Entity::find()
        .filter(instrument::Column::Code.eq("tt01-2018"))
        .order_by_desc(instrument::Column::Version)
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let form = instruments::load(db, &InstrumentCache::default(), form.id).await?;
    let questions: Vec<(i64, Scale)> = form.criteria().map(|c| (c.id, c.scale)).collect();
    // Every third counter takes paper forms.
    let taking: Vec<&(i64, i64, f64, f64)> = counters.iter().step_by(3).collect();
    if taking.is_empty() {
        return Ok(());
    }
    let txn = db.begin().await?;
    let mut counts = rollups::Accumulator::default();
    for _ in 0..n {
        let &&(counter_id, agency_id, quality, _) = &taking[rng.below(taking.len() as u64) as usize];
        let at = opening_time(rng, today, 365);
        let answers: Vec<(i64, Option<i16>)> = questions
            .iter()
            .map(|&(id, scale)| {
                let r = rng.unit();
                let value = match scale {
                    // Options best first: 1 (2 points), 2 (1 point), 3 (none).
                    Scale::Choice if r < quality => 1,
                    Scale::Choice if r < quality + (1.0 - quality) * 0.7 => 2,
                    Scale::Choice => 3,
                    _ if r < quality * 0.6 => 3,
                    _ if r < quality => 2,
                    _ => 1,
                };
                (id, Some(value))
            })
            .collect();
        let facts = rollups::ResponseFacts {
            agency_id,
            counter_id,
            instrument: &form,
            at,
            channel: "paper",
            verified: false,
            flags: "",
            answers: &answers,
        };
        store(&txn, &mut counts, &facts, None, None).await?;
    }
    counts.write(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// The province's targets (95% goal, alert below 90%), as its leadership would set them.
async fn seed_demo_targets(db: &DatabaseConnection) -> Result<(), AppError> {
    use services::entity::index_target;
    let province = agencies::by_code(db, "QN").await?;
    index_target::ActiveModel {
        agency_id: Set(province.id),
        goal: Set(Some(95.0)),
        floor: Set(Some(90.0)),
        alert_to: Set(String::new()),
        updated_at: Set(services::now()),
        updated_by: Set(None),
    }
    .insert(db)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_deterministic_and_uniform_enough() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        let xs: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys);
        let mean = (0..10_000).map(|_| a.unit()).sum::<f64>() / 10_000.0;
        assert!((mean - 0.5).abs() < 0.02, "{mean}");
    }

    #[test]
    fn ratings_follow_the_requested_share() {
        let mut rng = Rng::new(1);
        let n = 20_000;
        let satisfied = (0..n).filter(|_| rating(&mut rng, 0.8) >= 4).count() as f64 / n as f64;
        assert!((satisfied - 0.8).abs() < 0.02, "{satisfied}");
    }

    #[test]
    fn demo_times_fall_in_opening_hours_in_vietnam() {
        let mut rng = Rng::new(3);
        let end = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        for _ in 0..500 {
            let local = opening_time(&mut rng, end, 365).with_timezone(&vn_offset());
            let minutes = local.hour_min();
            assert!((7 * 60 + 30..=17 * 60).contains(&minutes), "{local}");
            assert!(local.date_naive() <= end);
        }
    }

    trait HourMin {
        fn hour_min(&self) -> u32;
    }
    impl<T: chrono::Timelike> HourMin for T {
        fn hour_min(&self) -> u32 {
            self.hour() * 60 + self.minute()
        }
    }

    #[test]
    fn every_unit_has_a_known_parent() {
        for u in UNITS {
            if let Some(p) = u.parent {
                assert!(UNITS.iter().any(|x| x.code == p), "{} → {p}", u.code);
            }
        }
    }
}
