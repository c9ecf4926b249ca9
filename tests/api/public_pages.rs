//! The public disclosure page (`/cong-khai`) under long periods and many cases: the period is
//! capped at a year (and the page says so), the published answers are paged by the database,
//! and the figures the database counts match a hand-built set of cases.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::{
    dto::feedback::{DISCLOSURE_PAGE_SIZE, DisclosureFilter},
    period::{PUBLIC_MAX_DAYS, Period},
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use services::{cases, entity::feedback_case};
use ydan_tests::TestApp;

/// One hand-built case.
#[derive(Clone)]
struct Case {
    unit: i64,
    submitted: DateTime<Utc>,
    due: DateTime<Utc>,
    status: &'static str,
    answered: Option<DateTime<Utc>>,
    closed: Option<DateTime<Utc>>,
    published: Option<DateTime<Utc>>,
    rating: Option<&'static str>,
    reopened: i32,
}

async fn insert(app: &TestApp, category: i64, n: usize, c: &Case) {
    feedback_case::ActiveModel {
        tracking_code: Set(format!("PAKN.T{n:05}")),
        access_hash: Set(format!("h{n}")),
        kind: Set("on_site".into()),
        category_id: Set(category),
        agency_id: Set(c.unit),
        triage: Set(false),
        description: Set(format!("Phản ánh thử số {n}.")),
        anonymous: Set(true),
        consent: Set(true),
        channel: Set("web".into()),
        status: Set(c.status.into()),
        submitted_at: Set(c.submitted),
        clock_from: Set(c.submitted),
        answer_due_at: Set(c.due),
        answered_at: Set(c.answered),
        answer_text: Set(c.answered.map(|_| format!("Trả lời số {n}."))),
        published_at: Set(c.published),
        closed_at: Set(c.closed),
        rating: Set(c.rating.map(str::to_owned)),
        reopened_count: Set(c.reopened),
        hidden: Set(false),
        updated_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
}

async fn id_of(app: &TestApp, sql: &str) -> i64 {
    app.row(sql).await.try_get::<i64>("", "id").unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_century_is_capped_to_a_year_paged_and_counted_by_the_database() {
    let app = TestApp::spawn().await;
    let x = id_of(&app, "SELECT id FROM agency WHERE code = 'P.X'").await;
    let d = id_of(&app, "SELECT id FROM agency WHERE code = 'P.D'").await;
    let category = id_of(&app, "SELECT MIN(id) AS id FROM feedback_category").await;
    let now = Utc::now();
    let mut all = Vec::new();
    // 45 cases of the commune received three weeks ago, an hour apart, due in 10 days.
    for i in 0..45i64 {
        let submitted = now - Duration::days(21) - Duration::hours(i);
        let due = submitted + Duration::days(10);
        let base = Case {
            unit: x,
            submitted,
            due,
            status: "published",
            answered: None,
            closed: None,
            published: None,
            rating: None,
            reopened: 0,
        };
        all.push(match i % 9 {
            // Never answered, now past its deadline.
            0 => Case { status: "received", ..base },
            // Rejected within the deadline.
            1 => Case { status: "rejected", closed: Some(submitted + Duration::days(2)), ..base },
            // Answered late, published.
            2 => {
                let t = submitted + Duration::days(15);
                Case { answered: Some(t), published: Some(t + Duration::hours(1)), ..base }
            }
            // Answered on time after 0–4 days, published; some rated badly or raised again.
            k => {
                let t = submitted + Duration::days(i % 5) + Duration::hours(2);
                Case {
                    answered: Some(t),
                    published: Some(t + Duration::hours(1)),
                    rating: (k == 3).then_some("not_satisfied"),
                    reopened: i32::from(k == 4),
                    ..base
                }
            }
        });
    }
    // One received yesterday and still within its deadline.
    all.push(Case {
        unit: x,
        submitted: now - Duration::days(1),
        due: now + Duration::days(9),
        status: "received",
        answered: None,
        closed: None,
        published: None,
        rating: None,
        reopened: 0,
    });
    // Three of the department, answered the next day and published.
    for i in 0..3 {
        let submitted = now - Duration::days(40 + i);
        let t = submitted + Duration::days(1);
        all.push(Case {
            unit: d,
            submitted,
            due: submitted + Duration::days(10),
            status: "published",
            answered: Some(t),
            closed: None,
            published: Some(t),
            rating: None,
            reopened: 0,
        });
    }
    // Thirty from four years ago: inside a century, outside the year the page shows.
    for i in 0..30 {
        let submitted = now - Duration::days(4 * 365 + i);
        let t = submitted + Duration::days(1);
        all.push(Case {
            unit: x,
            submitted,
            due: submitted + Duration::days(10),
            status: "published",
            answered: Some(t),
            closed: None,
            published: Some(t),
            rating: None,
            reopened: 0,
        });
    }
    for (n, c) in all.iter().enumerate() {
        insert(&app, category, n, c).await;
    }

    // What the figures should say, case by case, for the year up to today.
    let today = domain::period::vn_date(now);
    let year_start = today - Duration::days(PUBLIC_MAX_DAYS as i64 - 1);
    let cal = services::calendar::calendar(&app.db).await.unwrap();
    let expect = |unit: i64| {
        let (mut received, mut answered, mut on_time, mut unhappy, mut days) = (0u64, 0u64, 0u64, 0u64, 0u64);
        for c in all.iter().filter(|c| c.unit == unit && domain::period::vn_date(c.submitted) >= year_start) {
            received += 1;
            let handled = c.answered.or(if c.status == "rejected" { c.closed } else { None });
            let in_time = match handled {
                Some(t) => t <= c.due,
                None => now <= c.due,
            };
            if let Some(t) = c.answered {
                answered += 1;
                days += u64::from(cal.working_days_between(c.submitted, t));
            }
            on_time += u64::from(in_time);
            unhappy += u64::from(!in_time || c.rating == Some("not_satisfied") || c.reopened > 0);
        }
        (received, answered, on_time, unhappy, days)
    };

    let century = Period {
        from: NaiveDate::from_ymd_opt(2000, 1, 1).unwrap(),
        to: NaiveDate::from_ymd_opt(2099, 12, 31).unwrap(),
    };
    let filter = DisclosureFilter::default();
    let page = cases::disclosure(&app.db, filter.clone(), century).await.unwrap();
    assert!(page.period_capped);
    assert_eq!((page.from, page.to), (year_start, today), "a year ending today");
    let published_this_year =
        all.iter().filter(|c| c.published.is_some_and(|p| domain::period::vn_date(p) >= year_start)).count() as u64;
    assert_eq!(published_this_year, 35 + 3, "the fixture publishes 35 + 3 this year");
    assert_eq!(page.total, published_this_year, "counted by the database, the old ones left out");
    assert_eq!(page.pages, published_this_year.div_ceil(DISCLOSURE_PAGE_SIZE));
    assert_eq!((page.page, page.cases.len() as u64), (1, DISCLOSURE_PAGE_SIZE));
    for (unit, code) in [(x, "P.X"), (d, "P.D")] {
        let (received, answered, on_time, unhappy, days) = expect(unit);
        let f = page.figures.iter().find(|f| f.code == code).unwrap_or_else(|| panic!("{code} has figures"));
        assert_eq!((f.received, f.answered), (received, answered), "{code}");
        let pct = |n: u64| n as f64 * 100.0 / received as f64;
        assert!((f.on_time_pct.unwrap() - pct(on_time)).abs() < 1e-9, "{code} on time: {:?}", f.on_time_pct);
        let satisfied = domain::scorecard::feedback_satisfaction(received, unhappy);
        assert_eq!(f.satisfaction_pct, satisfied, "{code} satisfaction");
        let avg = days as f64 / answered as f64;
        assert!((f.avg_working_days.unwrap() - avg).abs() < 1e-9, "{code} days: {:?} vs {avg}", f.avg_working_days);
    }
    assert_eq!(expect(x).0, 46, "the old cases are not counted");
    // A unit without cases has no row, and the page says there is no data.
    assert!(page.figures.iter().all(|f| f.received > 0));

    // The last page holds the rest; a page past the end shows the last one.
    let last =
        cases::disclosure(&app.db, DisclosureFilter { page: "999".into(), ..filter.clone() }, century).await.unwrap();
    assert_eq!(last.page, last.pages);
    assert_eq!(last.cases.len() as u64, published_this_year - DISCLOSURE_PAGE_SIZE * (last.pages - 1));
    let first_codes: Vec<_> = page.cases.iter().map(|c| c.tracking_code.clone()).collect();
    assert!(last.cases.iter().all(|c| !first_codes.contains(&c.tracking_code)), "pages do not overlap");

    // The page itself: shortened, and says so in Vietnamese; links to the next page.
    let html = app.get("/cong-khai?from=2000-01-01&to=2099-12-31").await.text().await.unwrap();
    assert!(html.contains("đã được rút ngắn"), "the reader is told the period was shortened");
    assert!(html.contains(&format!("value=\"{year_start}\"")), "the form shows the shortened period");
    assert_eq!(html.matches("class=\"public-case\"").count() as u64, DISCLOSURE_PAGE_SIZE);
    assert!(html.contains(&format!("Trang 1/{}", page.pages)), "the pager");
    let next = format!("/cong-khai?from={year_start}&amp;to={today}&amp;page=2");
    assert!(html.contains(&next), "a link to the next page: {next}");
    let two = app.get(&format!("/cong-khai?from={year_start}&to={today}&page=2")).await.text().await.unwrap();
    assert!(!two.contains("đã được rút ngắn"), "a year is not shortened");
    assert!(two.contains(&format!("Trang 2/{}", page.pages)));
    // The default view (the last twelve months) is never shortened.
    assert!(!app.get("/cong-khai").await.text().await.unwrap().contains("đã được rút ngắn"));
}
