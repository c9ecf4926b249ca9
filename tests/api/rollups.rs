//! The dashboards' pre-aggregated counts: whatever arrives, by whichever path, they equal what
//! the raw responses give, and `verify` notices (and repairs) any difference.

use chrono::{Duration, NaiveDate, SecondsFormat, Timelike, Utc};
use domain::{
    accounts::Role,
    buckets,
    integrity::Basis,
    period::{Period, vn_date},
    sipas::{self, Rollup},
};
use serde_json::json;
use services::{agencies, analytics::Lens, indices, kiosk::KIOSK_INSTRUMENT, now, rollups, state::Settings};
use std::collections::BTreeMap;
use ydan_tests::TestApp;

/// A small deterministic generator, so that a failure can be replayed.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

/// Periods of every shape: single days, ragged edges, whole months and quarters, across a
/// year boundary, in the future, and random ones.
fn periods(today: NaiveDate, rng: &mut Lcg) -> Vec<Period> {
    let d = |days: i64| today - Duration::days(days);
    let mut out = vec![
        Period { from: today, to: today },
        Period { from: d(6), to: today },
        Period { from: d(45), to: d(20) },
        Period { from: d(400), to: today },
        Period::last_twelve_months(today),
        Period { from: d(200), to: d(100) },
        Period { from: today + Duration::days(3), to: today + Duration::days(40) },
    ];
    out.extend(buckets::Step::Quarter.periods(today, 4));
    out.extend(buckets::Step::Month.periods(today, 3));
    for _ in 0..8 {
        let a = rng.below(420) as i64;
        let b = rng.below(420) as i64;
        out.push(Period { from: d(a.max(b)), to: d(a.min(b)) });
    }
    out
}

async fn all_units(app: &TestApp) -> Vec<i64> {
    use sea_orm::ConnectionTrait;
    let rows = app
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            "SELECT id FROM agency".to_owned(),
        ))
        .await
        .unwrap();
    rows.iter().map(|r| r.try_get::<i64>("", "id").unwrap()).collect()
}

async fn default_family(app: &TestApp) -> String {
    app.row("SELECT code FROM instrument WHERE is_default = TRUE ORDER BY version DESC")
        .await
        .try_get("", "code")
        .unwrap()
}

/// Tallies read from the counts equal tallies computed from raw responses, for every period,
/// basis and questionnaire.
async fn assert_counts_match_raw(app: &TestApp, rng: &mut Lcg) {
    let today = vn_date(now());
    let units = all_units(app).await;
    for family in [default_family(app).await, KIOSK_INSTRUMENT.to_owned(), "hospital-outpatient".to_owned()] {
        for period in periods(today, rng) {
            for basis in Basis::ALL {
                let fast = indices::tallies_by_agency(&app.db, &period, basis, &family, &units).await.unwrap();
                let slow = indices::tallies_from_raw(&app.db, &period, basis, &family, None).await.unwrap();
                assert_eq!(fast, slow, "{family} {period:?} {basis:?}");
            }
        }
    }
}

/// Responses per (counter, channel, flags, verified) and tickets per counter, from the counts
/// and from the raw rows, over all time.
async fn assert_activity_matches_raw(app: &TestApp) {
    let all_time = Period { from: NaiveDate::from_ymd_opt(2000, 1, 1).unwrap(), to: vn_date(now()) };
    let runs = buckets::runs(&all_time, vn_date(now()));
    let mut fast: BTreeMap<(i64, String, String, bool), u64> = BTreeMap::new();
    for r in rollups::activity_counts(&app.db, &runs, &all_units(app).await).await.unwrap() {
        *fast.entry((r.counter, r.source, r.flags, r.verified)).or_default() += r.n;
    }
    let mut slow: BTreeMap<(i64, String, String, bool), u64> = BTreeMap::new();
    use sea_orm::ConnectionTrait;
    let backend = app.db.get_database_backend();
    let rows = app
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            backend,
            "SELECT counter_id, channel, flags, verified, COUNT(*) AS n FROM response \
             GROUP BY counter_id, channel, flags, verified"
                .to_owned(),
        ))
        .await
        .unwrap();
    for row in rows {
        let n: i64 = row.try_get("", "n").unwrap();
        slow.insert(
            (
                row.try_get("", "counter_id").unwrap(),
                row.try_get("", "channel").unwrap(),
                row.try_get("", "flags").unwrap(),
                row.try_get("", "verified").unwrap(),
            ),
            n as u64,
        );
    }
    let rows = app
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            backend,
            "SELECT counter_id, COUNT(*) AS n FROM ticket GROUP BY counter_id".to_owned(),
        ))
        .await
        .unwrap();
    for row in rows {
        let n: i64 = row.try_get("", "n").unwrap();
        slow.insert((row.try_get("", "counter_id").unwrap(), "ticket".into(), String::new(), false), n as u64);
    }
    assert_eq!(fast, slow);
}

/// Answers per option of each single choice, and responses per Vietnam weekday and hour, from
/// the counts and from the raw rows, over all time.
async fn assert_choices_and_hours_match_raw(app: &TestApp) {
    use sea_orm::ConnectionTrait;
    let today = vn_date(now());
    let all_time = Period { from: NaiveDate::from_ymd_opt(2000, 1, 1).unwrap(), to: today };
    let runs = buckets::runs(&all_time, today);
    let units = all_units(app).await;
    let instruments: Vec<i64> = {
        let rows = app
            .db
            .query_all_raw(sea_orm::Statement::from_string(
                app.db.get_database_backend(),
                "SELECT id FROM instrument".to_owned(),
            ))
            .await
            .unwrap();
        rows.iter().map(|r| r.try_get::<i64>("", "id").unwrap()).collect()
    };
    let grouping = rollups::Grouping { by: rollups::By::All, per_bucket: false, with_below: false };
    let mut fast: BTreeMap<(i64, i16), u64> = BTreeMap::new();
    for c in rollups::index_counts(&app.db, &runs, &instruments, &units, Basis::All, grouping).await.unwrap() {
        if c.level > rollups::LEVEL_CHOICE {
            fast.insert((c.item, c.level - rollups::LEVEL_CHOICE), c.n);
        }
    }
    let mut slow: BTreeMap<(i64, i16), u64> = BTreeMap::new();
    for row in app
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            "SELECT a.criterion_id, a.value, COUNT(*) AS n FROM response_answer a JOIN instrument_criterion c \
             ON c.id = a.criterion_id WHERE c.scale = 'choice' AND a.value IS NOT NULL GROUP BY a.criterion_id, a.value"
                .to_owned(),
        ))
        .await
        .unwrap()
    {
        let n: i64 = row.try_get("", "n").unwrap();
        slow.insert((row.try_get("", "criterion_id").unwrap(), row.try_get("", "value").unwrap()), n as u64);
    }
    assert!(!slow.is_empty(), "the hospital counter's single choices were answered");
    assert_eq!(fast, slow, "answers per option");

    let fast: BTreeMap<(u8, u8), u64> =
        rollups::hour_counts(&app.db, &runs, &units).await.unwrap().into_iter().map(|(k, (n, _))| (k, n)).collect();
    let mut slow: BTreeMap<(u8, u8), u64> = BTreeMap::new();
    for row in app
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            "SELECT submitted_at FROM response".to_owned(),
        ))
        .await
        .unwrap()
    {
        let at: chrono::DateTime<Utc> = row.try_get("", "submitted_at").unwrap();
        let local = at.with_timezone(&domain::period::vn_offset());
        use chrono::Datelike;
        *slow.entry((local.weekday().number_from_monday() as u8, local.hour() as u8)).or_default() += 1;
    }
    assert_eq!(fast, slow, "responses per weekday and hour");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counts_equal_the_raw_responses_after_random_inserts_by_every_path() {
    let app = TestApp::spawn_with(Settings { kiosk_interval_seconds: 0, ..Default::default() }).await;
    let mut rng = Lcg(20261122);
    let today = vn_date(now());
    // A year of responses written the way demo data is.
    server::seed::seed_demo(&app.db, &app.settings.contact_key, 1_200, 11, today, false).await.unwrap();
    let counters = [app.fixture.c1.clone(), app.fixture.c2.clone(), app.fixture.d1.clone(), app.fixture.x1.clone()];
    let criteria = crate::CRITERIA;

    // Responses from other systems (the JSON API), random answers, some skipped.
    for i in 0..30 {
        let mut answers = serde_json::Map::new();
        for c in criteria {
            if rng.below(4) > 0 {
                answers.insert(c.into(), json!(1 + rng.below(5)));
            }
        }
        if answers.is_empty() {
            answers.insert("II.A1".into(), json!(3));
        }
        let counter = &counters[rng.below(4) as usize];
        let channel = ["api", "paper"][i % 2];
        let res = app
            .post_json_as_system(
                "/api/v1/responses",
                &json!({"counter": counter, "channel": channel, "answers": answers}),
            )
            .await;
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    }
    // A counter that asks the hospital questionnaire: smileys, yes/no and a single choice.
    app.exec(&format!(
        "UPDATE counter SET instrument_id = (SELECT MAX(id) FROM instrument WHERE code = 'hospital-outpatient') \
         WHERE code = '{}'",
        app.fixture.x1
    ))
    .await;
    for _ in 0..14 {
        let mut answers = serde_json::Map::new();
        for (code, max) in [("BV.A1", 5), ("BV.D1", 5), ("BV.E1", 3), ("BV.E2", 2), ("BV.F1", 3)] {
            if rng.below(5) > 0 {
                answers.insert(code.into(), json!(1 + rng.below(max)));
            }
        }
        if !answers.keys().any(|k| k != "BV.F1") {
            answers.insert("BV.A1".into(), json!(2));
        }
        let res =
            app.post_json_as_system("/api/v1/responses", &json!({"counter": app.fixture.x1, "answers": answers})).await;
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    }
    // Open QR forms at a counter that is closed just now: flagged as outside opening hours.
    let later = Utc::now().with_timezone(&domain::period::vn_offset()) + Duration::hours(12);
    let (h, m) = (later.hour(), later.minute().min(58));
    app.exec(&format!(
        "UPDATE counter SET opening_hours = 'Mon-Sun {h:02}:{m:02}-{h:02}:{:02}' WHERE code = '{}'",
        m + 1,
        app.fixture.c1
    ))
    .await;
    for _ in 0..6 {
        let v = (1 + rng.below(5)).to_string();
        let res = app.post_form(&app.fixture.c1, &[("II.A1", &v), ("II.B2", "5"), ("II.E1", "2")]).await;
        assert!(res.status().is_redirection() || res.status() == 429, "{}", res.status());
    }
    // Receipts: tickets issued, some answered (verified).
    let key = crate::tickets::api_key_for(&app, "P.C").await;
    for i in 0..5 {
        let res = app
            .client
            .post(app.url("/api/v1/tickets"))
            .header("authorization", format!("Bearer {key}"))
            .json(&json!({"counter": app.fixture.c2, "dossier_code": format!("H15.50-261008-{i:04}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let url: String = res.json::<serde_json::Value>().await.unwrap()["survey_url"].as_str().unwrap().to_owned();
        if i % 2 == 0 {
            let res = app
                .client
                .post(&url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(format!("II.A1={}&II.C1=4", 1 + rng.below(5)))
                .send()
                .await
                .unwrap();
            assert!(res.status().is_redirection(), "{}", res.status());
        }
    }
    // Kiosk presses dated over the last week (a tablet, enrolled last month, that was offline).
    let mut tablets = Vec::new();
    for c in &counters {
        tablets.push(app.enrol_tablet(c).await);
    }
    {
        use sea_orm::{EntityTrait, sea_query::Expr};
        use services::entity::kiosk_device;
        kiosk_device::Entity::update_many()
            .col_expr(kiosk_device::Column::EnrolledAt, Expr::value(Utc::now() - Duration::days(30)))
            .exec(&app.db)
            .await
            .unwrap();
    }
    for _ in 0..12 {
        let at = Utc::now() - Duration::hours(rng.below(24 * 6) as i64);
        let which = rng.below(4) as usize;
        let res = app
            .client
            .post(app.url(&format!("/api/v1/kiosk/{}", counters[which])))
            .header("cookie", &tablets[which])
            .json(&json!({"rating": 1 + rng.below(3), "rated_at": at.to_rfc3339_opts(SecondsFormat::Secs, true)}))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{}", res.status());
    }
    assert!(app.count("response WHERE verified = TRUE").await >= 3);
    assert!(app.count("response WHERE flags LIKE '%outside_hours%'").await >= 1, "some responses are flagged");

    assert_counts_match_raw(&app, &mut rng).await;
    assert_activity_matches_raw(&app).await;
    assert_choices_and_hours_match_raw(&app).await;
    let report = rollups::verify(&app.db, 3, false, |_, _| {}).await.unwrap();
    assert!(report.differences.is_empty(), "{:?}", report.differences);
    assert!(report.rows > 0);

    // A count that drifted (here: changed by hand) is found, named, and repaired.
    app.exec("UPDATE index_rollup SET n_clean = n_clean + 1 WHERE grain = 2 AND level = 0").await;
    app.exec("DELETE FROM activity_rollup WHERE grain = 1 AND source = 'ticket'").await;
    let report = rollups::verify(&app.db, 3, true, |_, _| {}).await.unwrap();
    assert!(report.differences.iter().any(|d| d.starts_with("index_rollup")), "{:?}", report.differences);
    assert!(report.differences.iter().any(|d| d.starts_with("activity_rollup")), "{:?}", report.differences);
    let report = rollups::verify(&app.db, 3, false, |_, _| {}).await.unwrap();
    assert!(report.differences.is_empty(), "repaired: {:?}", report.differences);
    assert_counts_match_raw(&app, &mut rng).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_national_demo_data_is_consistent_and_its_dashboards_answer() {
    let app = TestApp::spawn().await;
    let today = vn_date(now());
    let done = server::seed_national::seed_national(&app.db, 4_000, 3, today, false).await.unwrap();
    assert_eq!(done.units, 34 * 101);
    assert_eq!(done.responses, 4_000);
    assert_eq!(app.count("response").await, 4_000);
    assert_eq!(app.count("agency WHERE parent_id IS NULL").await, 34 + 1, "34 provinces and the fixture's");
    let report = rollups::verify(&app.db, 500, false, |_, _| {}).await.unwrap();
    assert!(report.differences.is_empty(), "{:?}", report.differences.first());
    let mut rng = Lcg(3);
    assert_counts_match_raw(&app, &mut rng).await;
    // The national overview and a province's page come from those counts.
    let res = app.get("/dashboard").await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("Thành phố Hồ Chí Minh"));
    let res = app.get("/dashboard/QNH").await;
    assert_eq!(res.status(), 200);
    // A new response after seeding lands in the counts too (ids continue after the seeded ones).
    let res = app
        .post_json_as_system("/api/v1/responses", &json!({"counter": app.fixture.c1, "answers": {"II.A1": 4}}))
        .await;
    assert_eq!(res.status(), 201);
    let report = rollups::verify(&app.db, 500, false, |_, _| {}).await.unwrap();
    assert!(report.differences.is_empty(), "{:?}", report.differences.first());
}

/// Every unit's pooled report read from the counts (its own plus those kept below it) equals
/// the report rolled up from the raw responses of its whole subtree, for several periods.
async fn assert_pooled_reports_match_raw(app: &TestApp, rng: &mut Lcg) {
    let state =
        server::build_state(app.db.clone(), &server::Config { settings: app.settings.clone(), ..Default::default() })
            .await
            .unwrap();
    let units = agencies::all(&app.db).await.unwrap();
    let ids: Vec<i64> = units.iter().map(|u| u.id).collect();
    let pairs: Vec<(i64, Option<i64>)> =
        units.iter().map(|u| (u.id, rollups::roll_up_link(u.id, u.parent_id, u.merged_into_id))).collect();
    for basis in [Basis::All, Basis::Unflagged] {
        let lens = Lens::new(&state, &units, None, basis, Rollup::Pooled).await.unwrap();
        for period in periods(vn_date(now()), rng) {
            let fast = lens.reports_for(&ids, &period).await.unwrap();
            let own = indices::tallies_from_raw(&app.db, &period, basis, &lens.instrument.code, None).await.unwrap();
            let slow = sipas::rollup_all(&lens.structure, &pairs, &own, Rollup::Pooled, lens.low_sample_below);
            for u in units.iter() {
                assert_eq!(fast.get(&u.id), slow.get(&u.id), "{} {period:?} {basis:?}", u.code);
            }
        }
    }
}

async fn respond(app: &TestApp, counter: &str, rng: &mut Lcg) {
    let answers = json!({"II.A1": 1 + rng.below(5), "II.B2": 1 + rng.below(5), "II.E1": 1 + rng.below(5)});
    let res = app.post_json_as_system("/api/v1/responses", &json!({"counter": counter, "answers": answers})).await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counts_kept_above_each_unit_follow_it_when_it_is_moved_or_merged() {
    let app = TestApp::spawn().await;
    let mut rng = Lcg(20261203);
    server::seed::seed_demo(&app.db, &app.settings.contact_key, 600, 5, vn_date(now()), false).await.unwrap();
    for _ in 0..12 {
        let counter = [&app.fixture.c1, &app.fixture.d1, &app.fixture.x1][rng.below(3) as usize].clone();
        respond(&app, &counter, &mut rng).await;
    }
    assert!(app.count("tree_rollup WHERE n_all > 0").await > 0, "counts are kept above the units");
    assert_pooled_reports_match_raw(&app, &mut rng).await;

    const PW: &str = "một mật khẩu đủ dài";
    app.create_user("quan.tri", PW, Role::SystemAdmin, None).await;
    let b = app.sign_in("quan.tri", PW).await;
    let tomorrow = (vn_date(now()) + Duration::days(1)).to_string();
    // A service desk moves to another department; that department merges into a ward; the
    // ward moves to another province; a centre moves up a level.
    for fields in [
        vec![("action", "move"), ("code", "QN.SNV.BPMC"), ("parent", "QN.STP")],
        vec![("action", "merge"), ("units", "QN.STP"), ("into", "QN.HL"), ("on", &tomorrow)],
        vec![("action", "move"), ("code", "QN.HL"), ("parent", "P")],
        vec![("action", "move"), ("code", "P.X.C"), ("parent", "P")],
    ] {
        let mut all = vec![("csrf", b.csrf.as_str())];
        all.extend_from_slice(&fields);
        let res = app.post_as(&b.cookie, "/quan-tri/don-vi", &all).await;
        assert_eq!(res.status(), 303, "{fields:?}: {}", res.text().await.unwrap());
    }
    let report = rollups::verify(&app.db, 7, false, |_, _| {}).await.unwrap();
    assert!(report.differences.is_empty(), "{:?}", report.differences.first());
    assert_pooled_reports_match_raw(&app, &mut rng).await;
    // Responses after the moves count above the units' new places.
    for _ in 0..6 {
        let counter = [&app.fixture.x1, &app.fixture.c2][rng.below(2) as usize].clone();
        respond(&app, &counter, &mut rng).await;
    }
    assert_pooled_reports_match_raw(&app, &mut rng).await;

    // A drifted count kept above a unit is found, named, and repaired.
    app.exec("UPDATE tree_rollup SET s_all = s_all + 1 WHERE grain = 3").await;
    app.exec(
        "INSERT INTO tree_rollup SELECT id, 1, 20200101, 1, 0, 0, 1, 1, 1, 1, 0, 0 FROM agency WHERE code = 'P.C'",
    )
    .await;
    let report = rollups::verify(&app.db, 7, true, |_, _| {}).await.unwrap();
    assert!(report.differences.iter().any(|d| d.starts_with("tree_rollup")), "{:?}", report.differences.first());
    assert!(
        report.differences.iter().any(|d| d.contains("raw rows give nothing")),
        "{} differences",
        report.differences.len()
    );
    let report = rollups::verify(&app.db, 7, false, |_, _| {}).await.unwrap();
    assert!(report.differences.is_empty(), "repaired: {:?}", report.differences.first());
    assert_pooled_reports_match_raw(&app, &mut rng).await;
}
