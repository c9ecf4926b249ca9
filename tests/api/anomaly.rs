//! Counter anomalies: a day whose share of all-top ratings stands far above the counter's own
//! eight weeks raises one alert for that counter, told to its unit's administrators and to the
//! parent unit's, with the evidence; an ordinary day and a day with too few ratings do not.

use chrono::{DateTime, Days, Duration, Utc};
use domain::{
    accounts::Role,
    period::{Period, vn_date},
};
use sea_orm::{ColumnTrait, QueryFilter, sea_query::Expr};
use sea_orm::{EntityTrait, Set, TransactionTrait};
use services::{
    alerts,
    entity::{index_alert, response},
    instruments::{self, InstrumentCache},
    now, rollups,
    survey::insert_answers,
};
use ydan_tests::TestApp;

/// Stores `total` ratings of the default questionnaire at `counter` at `at` (one second
/// apart), the first `top` of them 5 on every question, the others 4.
async fn rate(app: &TestApp, counter: &str, at: DateTime<Utc>, total: usize, top: usize) {
    let row = app.row(&format!("SELECT id, agency_id FROM counter WHERE code = '{counter}'")).await;
    let (counter_id, agency_id): (i64, i64) = (row.try_get("", "id").unwrap(), row.try_get("", "agency_id").unwrap());
    let def = instruments::load(&app.db, &InstrumentCache::default(), instruments::default_id(&app.db).await.unwrap())
        .await
        .unwrap();
    let txn = app.db.begin().await.unwrap();
    let mut counts = rollups::Accumulator::default();
    for i in 0..total {
        let answers: Vec<(i64, Option<i16>)> = def
            .criteria()
            .map(|c| {
                let value = c.scale.is_rating().then(|| i16::from(c.scale.max()) - i16::from(i >= top));
                (c.id, value)
            })
            .collect();
        let at = at + Duration::seconds(i64::try_from(i).unwrap());
        let id = response::Entity::insert(response::ActiveModel {
            instrument_id: Set(def.id),
            counter_id: Set(counter_id),
            agency_id: Set(agency_id),
            channel: Set("qr".into()),
            submitted_at: Set(at),
            verified: Set(false),
            flags: Set(String::new()),
            ..Default::default()
        })
        .exec(&txn)
        .await
        .unwrap()
        .last_insert_id;
        insert_answers(&txn, id, &answers).await.unwrap();
        counts.add_response(&rollups::ResponseFacts {
            agency_id,
            counter_id,
            instrument: &def,
            at,
            channel: "qr",
            verified: false,
            flags: "",
            answers: &answers,
        });
    }
    counts.write(&txn).await.unwrap();
    txn.commit().await.unwrap();
}

/// Eight weeks of 10 ratings a day, 4 or 6 of them all-top (mean 50%, sd ≈ 10 points).
async fn baseline(app: &TestApp, counter: &str, today: chrono::NaiveDate) {
    for k in 1..=56u64 {
        let day = today.checked_sub_days(Days::new(k)).unwrap();
        let at = Period { from: day, to: day }.start_utc() + Duration::hours(3);
        rate(app, counter, at, 10, if k % 2 == 0 { 4 } else { 6 }).await;
    }
}

async fn id_of(app: &TestApp, table: &str, code: &str) -> i64 {
    app.row(&format!("SELECT id FROM {table} WHERE code = '{code}'")).await.try_get("", "id").unwrap()
}

async fn number(app: &TestApp, sql: &str) -> i64 {
    app.row(sql).await.try_get("", "n").unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_of_perfect_ratings_alerts_the_parent_unit_with_the_evidence() {
    let app = TestApp::spawn().await;
    let f = app.fixture.clone();
    let today = vn_date(now());
    let morning = Period { from: today, to: today }.start_utc();
    for counter in [&f.x1, &f.c1, &f.c2] {
        baseline(&app, counter, today).await;
    }
    // x1: 25 ratings today, every one all-top. c1: an ordinary day (12 of 25). c2: 19 all-top,
    // too few to judge.
    rate(&app, &f.x1, morning, 25, 25).await;
    rate(&app, &f.c1, morning, 25, 12).await;
    rate(&app, &f.c2, morning, 19, 19).await;

    let state =
        server::build_state(app.db.clone(), &server::Config { settings: app.settings.clone(), ..Default::default() })
            .await
            .unwrap();
    let swept = alerts::sweep(&state).await.unwrap();
    assert_eq!(swept.counters, 2, "x1 and c1 have 20 ratings or more today: {swept:?}");
    let x1 = id_of(&app, "counter", &f.x1).await;
    let unit = id_of(&app, "agency", "P.X.C").await;
    let parent = id_of(&app, "agency", "P.X").await;
    let open = |sql: &'static str| number(&app, sql);
    assert_eq!(
        open("SELECT COUNT(*) AS n FROM index_alert WHERE kind LIKE 'counter_anomaly:%' AND closed_at IS NULL").await,
        1,
        "one alert, for x1 only"
    );
    let alert = app
        .row("SELECT agency_id, kind, value, reference, n FROM index_alert WHERE kind LIKE 'counter_anomaly:%'")
        .await;
    assert_eq!(alert.try_get::<i64>("", "agency_id").unwrap(), unit, "raised on the counter's unit");
    assert_eq!(alert.try_get::<String>("", "kind").unwrap(), format!("counter_anomaly:{x1}"));
    assert_eq!(alert.try_get::<i64>("", "n").unwrap(), 25);
    assert!((alert.try_get::<f64>("", "value").unwrap() - 100.0).abs() < 1e-9);
    assert!((alert.try_get::<f64>("", "reference").unwrap() - 50.0).abs() < 1e-9);

    // Told to the parent unit's administrators (kept for them, no address is set), with the
    // evidence, and to the unit's own.
    let to_parent = number(
        &app,
        &format!("SELECT COUNT(*) AS n FROM outbox WHERE purpose = 'counter_anomaly' AND agency_id = {parent}"),
    )
    .await;
    assert_eq!(to_parent, 1);
    let mail = app
        .row(&format!(
            "SELECT to_address, subject, body FROM outbox WHERE purpose = 'counter_anomaly' AND agency_id = {parent}"
        ))
        .await;
    assert_eq!(mail.try_get::<String>("", "to_address").unwrap(), "", "kept for the administrators to read");
    let subject: String = mail.try_get("", "subject").unwrap();
    let body: String = mail.try_get("", "body").unwrap();
    assert!(subject.contains("Quầy tổng hợp") && subject.contains(&f.x1), "{subject}");
    for part in [
        "quầy Quầy tổng hợp",
        &f.x1,
        "nhận 25 phiếu",
        "100,0% trong số đó",
        "50,0% ± 10,1%",
        "56 ngày",
        "5,0 lần độ lệch",
        "đơn vị cấp trên Xã Thử",
        "received 25 ratings",
        "100.0% of them",
        "averaged 50.0% ± 10.1%",
        "over 56 days",
        "5.0 standard deviations",
        &format!("/dashboard/P.X.C?from={today}&to={today}"),
    ] {
        assert!(body.contains(part), "the message says {part:?}:\n{body}");
    }
    assert!(body.find("Hôm nay") < body.find("Today"), "Vietnamese first");
    let to_unit = number(
        &app,
        &format!("SELECT COUNT(*) AS n FROM outbox WHERE purpose = 'counter_anomaly' AND agency_id = {unit}"),
    )
    .await;
    assert_eq!((to_unit, app.count("outbox").await), (1, 2), "one for each unit, nothing else");

    // The parent's administrators see it in their outbox and on the dashboard.
    app.create_user("px.quantri", "một mật khẩu đủ dài", Role::AgencyAdmin, Some("P.X")).await;
    let admin = app.sign_in("px.quantri", "một mật khẩu đủ dài").await;
    let outbox = app.get_as(&admin.cookie, "/quan-tri/thu-di").await.text().await.unwrap();
    assert!(outbox.contains("bất thường tại quầy"), "in the parent's outbox");
    let dashboard = app.get_as(&admin.cookie, "/dashboard/P.X").await.text().await.unwrap();
    assert!(dashboard.contains("quầy Quầy tổng hợp (") && dashboard.contains("chọn mức cao nhất"), "on the dashboard");

    // Checked again the same day: nothing new, even once ordinary ratings dilute the share.
    assert_eq!(alerts::sweep(&state).await.unwrap().opened, 0);
    rate(&app, &f.x1, morning + Duration::hours(1), 100, 0).await;
    let again = alerts::sweep(&state).await.unwrap();
    assert_eq!((again.opened, again.closed), (0, 0), "open for the rest of the day it was seen");
    assert_eq!(app.count("outbox").await, 2);
    // Last confirmed yesterday and not found now: closed.
    index_alert::Entity::update_many()
        .col_expr(index_alert::Column::CheckedAt, Expr::value(now() - Duration::days(1)))
        .filter(index_alert::Column::Kind.starts_with("counter_anomaly:"))
        .exec(&app.db)
        .await
        .unwrap();
    let later = alerts::sweep(&state).await.unwrap();
    assert_eq!(later.closed, 1, "{later:?}");
    assert_eq!(
        open("SELECT COUNT(*) AS n FROM index_alert WHERE kind LIKE 'counter_anomaly:%' AND closed_at IS NULL").await,
        0
    );
}
