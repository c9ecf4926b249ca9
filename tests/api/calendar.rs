//! The holiday calendar deadlines are counted on (issue 14): the official notices' corrections
//! reach every database, new or existing, and each day names the notice it comes from, so the
//! settings page can say which years still follow the Labour Code's rule.

use crate::feedback::PW;
use domain::accounts::Role;
use ydan_tests::TestApp;

/// (off, notice) of one day of the table, `None` when the day is not in it.
async fn day(app: &TestApp, date: &str) -> Option<(bool, Option<String>)> {
    let n: i64 =
        app.row(&format!("SELECT COUNT(*) AS n FROM holiday WHERE day = '{date}'")).await.try_get("", "n").unwrap();
    if n == 0 {
        return None;
    }
    let row = app
        .row(&format!("SELECT CASE WHEN off THEN 1 ELSE 0 END AS off, notice FROM holiday WHERE day = '{date}'"))
        .await;
    Some((row.try_get::<i32>("", "off").unwrap() == 1, row.try_get::<Option<String>>("", "notice").unwrap()))
}

async fn revisions_audited(app: &TestApp) -> i64 {
    app.row("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'calendar_revision'").await.try_get("", "n").unwrap()
}

fn from_12729(d: &Option<(bool, Option<String>)>, off: bool) -> bool {
    matches!(d, Some((o, Some(notice))) if *o == off && notice.contains("12729/VPCP-KGVX"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_year_2026_is_corrected_in_every_database_and_each_day_names_its_notice() {
    let app = TestApp::spawn().await;
    // A new database: Thu 1 and Fri 2 Jan 2026 off, Sat 10 Jan worked, from notice 12729/VPCP-KGVX.
    assert!(from_12729(&day(&app, "2026-01-01").await, true));
    assert!(from_12729(&day(&app, "2026-01-02").await, true), "{:?}", day(&app, "2026-01-02").await);
    assert!(from_12729(&day(&app, "2026-01-10").await, false));

    // A database as earlier servers left it: only 1 Jan, no notices; an administrator renamed a
    // seeded day (theirs to keep).
    app.exec("DELETE FROM holiday WHERE day IN ('2026-01-02', '2026-01-10')").await;
    app.exec("UPDATE holiday SET notice = NULL").await;
    app.exec("UPDATE holiday SET name_vi = 'Nghỉ Quốc khánh (theo quyết định của tỉnh)' WHERE day = '2025-09-01'")
        .await;
    app.exec("DELETE FROM app_meta WHERE key LIKE 'holiday_revision:%' OR key = 'holidays_notices_labelled'").await;
    assert_eq!(day(&app, "2026-01-02").await, None);

    // The next start corrects it, once, and says so in the audit log.
    let _restarted = app.state().await;
    assert!(from_12729(&day(&app, "2026-01-01").await, true));
    assert!(from_12729(&day(&app, "2026-01-02").await, true));
    assert!(from_12729(&day(&app, "2026-01-10").await, false));
    let tet_2025 = day(&app, "2025-01-28").await.unwrap();
    assert!(tet_2025.0 && tet_2025.1.is_some_and(|n| n.contains("2025")), "seeded days get their notice");
    assert_eq!(day(&app, "2025-09-01").await, Some((true, None)), "a day the administrator changed is left alone");
    assert_eq!(day(&app, "2027-01-01").await, Some((true, None)), "2027 is pending its notice");
    assert_eq!(revisions_audited(&app).await, 1);
    let _again = app.state().await;
    assert_eq!(revisions_audited(&app).await, 1, "applied once");

    // The settings page: each day's basis, and which years still follow the Labour Code's rule.
    app.create_user("qt.he.thong", PW, Role::SystemAdmin, None).await;
    let sys = app.sign_in("qt.he.thong", PW).await;
    let page = app.get_as(&sys.cookie, "/quan-tri/pakn").await.text().await.unwrap();
    assert!(page.contains("12729/VPCP-KGVX"), "the notice is shown");
    assert!(page.contains("Năm 2027: 11 ngày, trong đó 11 ngày theo Bộ luật Lao động"), "2027 pending");
    assert!(page.contains("Năm 2026: 13 ngày, trong đó 5 ngày theo Bộ luật Lao động"), "2026 partly pending");
    assert!(page.contains("Từ năm 2028 lịch chưa có ngày nghỉ lễ nào"), "no entries from 2028");

    // An administrator names the notice of a day they add.
    let res = app
        .post_as(
            &sys.cookie,
            "/quan-tri/pakn",
            &[
                ("csrf", sys.csrf.as_str()),
                ("action", "put_holiday"),
                ("day", "2027-02-11"),
                ("name_vi", "Tết Nguyên đán"),
                ("off", "1"),
                ("notice", "Thông báo thử 1/TB-BNV"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(day(&app, "2027-02-11").await, Some((true, Some("Thông báo thử 1/TB-BNV".into()))));
}
