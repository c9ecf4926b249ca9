//! The analytics a unit's leadership uses: the dashboard's trend, change, ranking and staff
//! sections, targets and alerts, comment moderation, exports, the quarterly report and the
//! public scoreboard — each with the answers a wrong request deserves.

use domain::period::vn_date;
use server::seed::{COMMENTS, DEMO_PASSWORD};
use services::{alerts, now};
use std::time::Duration;
use ydan_tests::{Browser, TestApp};

/// The heatmap's chart (the stylesheet inlined in every page names its class, so look for the
/// element itself).
const HEATMAP: &str = "aria-labelledby=\"heatmap-title\"";

async fn demo_app() -> TestApp {
    let app = TestApp::spawn().await;
    server::seed::seed_demo(&app.db, &app.settings.contact_key, 900, 7, vn_date(now()), false).await.unwrap();
    app
}

async fn as_user(app: &TestApp, login: &str) -> Browser {
    app.sign_in(login, DEMO_PASSWORD).await
}

async fn page(app: &TestApp, who: Option<&Browser>, path: &str) -> (u16, String) {
    let res = match who {
        Some(b) => app.get_as(&b.cookie, path).await,
        None => app.get(path).await,
    };
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn unit_id(app: &TestApp, code: &str) -> i64 {
    app.row(&format!("SELECT id FROM agency WHERE code = '{code}'")).await.try_get("", "id").unwrap()
}

async fn state(app: &TestApp) -> services::state::AppState {
    server::build_state(app.db.clone(), &server::Config { settings: app.settings.clone(), ..Default::default() })
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_dashboard_shows_trend_change_and_ranking_but_nothing_private() {
    let app = demo_app().await;
    let (status, html) = page(&app, None, "/dashboard/QN?step=quarter").await;
    assert_eq!(status, 200);
    assert!(html.contains("class=\"chart trend-chart\""), "a server-drawn trend chart");
    assert!(html.contains("<desc id=\"trend-desc\">"), "with a text alternative");
    assert!(html.contains("Diễn biến chỉ số (theo quý)"), "by the step asked for");
    assert!(html.contains("Kỳ trước ("), "the change against the period before");
    assert!(html.contains("id=\"ranking-h\""), "the ranking among the units of the same level");
    // What only staff see.
    assert!(!html.contains(HEATMAP), "no heatmap for the public");
    assert!(!html.contains("Góp ý mới nhất"), "no comments for the public");
    for c in COMMENTS {
        assert!(!html.contains(c), "a comment leaked: {c}");
    }
    // Drill down and back up.
    let (status, child) = page(&app, None, "/dashboard/QN.HL").await;
    assert_eq!(status, 200);
    assert!(child.contains("href=\"/dashboard/QN?"), "a link back up to the province");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_requests_get_clear_answers() {
    let app = demo_app().await;
    let (status, html) = page(&app, None, "/dashboard/QN?step=week").await;
    assert_eq!(status, 400);
    assert!(html.contains("theo tháng, quý hoặc năm"), "the message says what is allowed");
    assert_eq!(page(&app, None, "/dashboard/KHONG.CO").await.0, 404);
    assert_eq!(page(&app, None, "/bang-xep-hang/KHONG.CO").await.0, 404);
    assert_eq!(page(&app, None, "/dashboard/QN?from=2026-02-30").await.0, 400);
    // A period without responses: "no data", never 0%.
    let (status, html) = page(&app, None, "/dashboard/QN?from=2020-01-01&to=2020-03-31").await;
    assert_eq!(status, 200);
    assert!(html.contains("Chưa có dữ liệu"));
    assert!(!html.contains(">0,0%<"), "an empty period must not read as 0%");
    // Years of months: shown by a coarser step, quickly, not refused.
    let started = std::time::Instant::now();
    let (status, html) = page(&app, None, "/dashboard/QN?from=2010-01-01&step=month").await;
    assert_eq!(status, 200);
    assert!(html.contains("Khoảng thời gian quá dài"), "says it shows a coarser step");
    assert!(started.elapsed() < Duration::from_secs(20));
    let (status, _) = page(&app, None, "/dashboard?from=2001-01-01&to=2030-12-31").await;
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_see_their_subtree_only() {
    let app = demo_app().await;
    let admin = as_user(&app, "qn.quantri").await;
    let (status, html) = page(&app, Some(&admin), "/dashboard/QN").await;
    assert_eq!(status, 200);
    for part in [HEATMAP, "Góp ý mới nhất", "id=\"tt01-h\"", "id=\"m766-h\"", "name=\"goal\"", "value=\"export\""]
    {
        assert!(html.contains(part), "the administrator of QN sees {part}");
    }
    assert!(COMMENTS.iter().any(|c| html.contains(c)), "the latest comments are listed");
    assert!(html.contains("Cỡ mẫu theo hướng dẫn"), "the sample-size target");

    // A viewer of a ward: sees the ward's staff section, not the province's.
    let viewer = as_user(&app, "halong.xem").await;
    let (_, province) = page(&app, Some(&viewer), "/dashboard/QN").await;
    assert!(!province.contains(HEATMAP) && !province.contains("Góp ý mới nhất"));
    let (_, ward) = page(&app, Some(&viewer), "/dashboard/QN.HL").await;
    assert!(ward.contains(HEATMAP));
    assert!(!ward.contains("name=\"goal\""), "a viewer cannot set targets");
    assert!(!ward.contains("hide_comment"), "a viewer cannot hide comments");
    // The quarterly report: staff of the unit only.
    assert_eq!(page(&app, Some(&viewer), "/bao-cao/QN").await.0, 403);
    let (status, report) = page(&app, Some(&viewer), "/bao-cao/QN.HL").await;
    assert_eq!(status, 200);
    assert!(report.contains("Báo cáo quý") && report.contains("id=\"tt01-h\""));
    assert_eq!(page(&app, Some(&viewer), "/bao-cao/QN.HL?quy=2026-Q7").await.0, 400);
    let anonymous = app.get("/bao-cao/QN.HL").await;
    assert!(anonymous.status().is_redirection(), "sign in first");
    // Forms of another subtree are refused by the server, whatever the page showed.
    let res = app
        .post_as(
            &viewer.cookie,
            "/dashboard/QN",
            &[("csrf", &viewer.csrf), ("action", "export"), ("kind", "indices"), ("format", "csv")],
        )
        .await;
    assert_eq!(res.status(), 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn targets_are_validated_inherited_and_raise_alerts_once() {
    let app = demo_app().await;
    let admin = as_user(&app, "qn.quantri").await;
    let post = |fields: Vec<(&'static str, String)>| {
        let admin = admin.clone();
        let app = &app;
        async move {
            let mut all: Vec<(&str, String)> = vec![("csrf", admin.csrf.clone()), ("action", "targets".into())];
            all.extend(fields);
            let pairs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post_as(&admin.cookie, "/dashboard/QN", &pairs).await
        }
    };
    // Wrong values: refused with the reason, nothing stored.
    for (goal, floor) in [("120", "90"), ("95", "97"), ("chín lăm", ""), ("-1", "")] {
        let res = post(vec![("goal", goal.into()), ("floor", floor.into()), ("alert_to", String::new())]).await;
        assert_eq!(res.status(), 422, "goal {goal}, floor {floor}");
        assert!(res.text().await.unwrap().contains("Chỉ tiêu phải là một số từ 0 đến 100"));
    }
    let res = post(vec![("goal", "95".into()), ("floor", "90".into()), ("alert_to", "x@".into())]).await;
    assert_eq!(res.status(), 422, "a wrong address");
    // The demo province's own targets (95 / 90) are unchanged.
    let floor: f64 = app.row("SELECT floor FROM index_target").await.try_get("", "floor").unwrap();
    assert_eq!((app.count("index_target").await, floor), (1, 90.0));
    // Right ones, with a decimal comma.
    let res = post(vec![("goal", "95".into()), ("floor", "90,5".into()), ("alert_to", String::new())]).await;
    assert_eq!(res.status(), 303);
    let (_, html) = page(&app, None, "/dashboard/QN").await;
    assert!(html.contains("95,0%") && html.contains("90,5%"), "the targets are shown");
    assert!(html.contains("class=\"goal\""), "and drawn on the trend");
    let (_, ward) = page(&app, None, "/dashboard/QN.HL").await;
    assert!(ward.contains("chỉ tiêu của"), "a ward inherits the province's targets");
    let audited: i64 =
        app.row("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'targets.set'").await.try_get("", "n").unwrap();
    assert_eq!(audited, 1);
    // A viewer cannot change them.
    let viewer = as_user(&app, "halong.xem").await;
    let res = app
        .post_as(&viewer.cookie, "/dashboard/QN.HL", &[("csrf", &viewer.csrf), ("action", "targets"), ("goal", "50")])
        .await;
    assert_eq!(res.status(), 403);

    // A floor no unit can reach: every unit with enough responses gets one alert, once.
    let res =
        post(vec![("goal", "100".into()), ("floor", "99,9".into()), ("alert_to", "lanhdao@example.vn".into())]).await;
    assert_eq!(res.status(), 303);
    let state = state(&app).await;
    let outbox_before = app.count("outbox").await;
    let first = alerts::sweep(&state).await.unwrap();
    assert!(first.opened >= 1, "{first:?}");
    let qn = unit_id(&app, "QN").await;
    let open: i64 = app
        .row(&format!("SELECT COUNT(*) AS n FROM index_alert WHERE agency_id = {qn} AND kind = 'below_floor' AND closed_at IS NULL"))
        .await
        .try_get("", "n")
        .unwrap();
    assert_eq!(open, 1, "the province is below its floor");
    let mail: i64 = app
        .row(&format!("SELECT COUNT(*) AS n FROM outbox WHERE agency_id = {qn} AND to_address = 'lanhdao@example.vn'"))
        .await
        .try_get("", "n")
        .unwrap();
    assert_eq!(mail, 1, "its administrators are told");
    let second = alerts::sweep(&state).await.unwrap();
    assert_eq!(second.opened, 0, "an open alert is not raised again");
    assert_eq!(app.count("outbox").await, outbox_before + i64::try_from(first.opened).unwrap());
    let (_, html) = page(&app, Some(&admin), "/dashboard/QN").await;
    assert!(html.contains("Cảnh báo đang mở") && html.contains("thấp hơn ngưỡng"));
    // Back to a reachable floor: the alerts close.
    let res = post(vec![("goal", String::new()), ("floor", "1".into()), ("alert_to", String::new())]).await;
    assert_eq!(res.status(), 303);
    let third = alerts::sweep(&state).await.unwrap();
    assert!(third.closed >= 1, "{third:?}");
    let still: i64 = app
        .row(&format!("SELECT COUNT(*) AS n FROM index_alert WHERE agency_id = {qn} AND kind = 'below_floor' AND closed_at IS NULL"))
        .await
        .try_get("", "n")
        .unwrap();
    assert_eq!(still, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officers_hide_comments_with_a_reason() {
    let app = demo_app().await;
    let hl = unit_id(&app, "QN.HL").await;
    let id: i64 = app
        .row(&format!(
            "SELECT r.id FROM response r WHERE r.comment IS NOT NULL AND r.agency_id IN \
             (SELECT id FROM agency WHERE id = {hl} OR parent_id = {hl}) ORDER BY r.submitted_at DESC LIMIT 1"
        ))
        .await
        .try_get("", "id")
        .unwrap();
    let officer = as_user(&app, "halong.canbo").await;
    let (_, before) = page(&app, Some(&officer), "/dashboard/QN.HL").await;
    let field = format!("name=\"response_id\" value=\"{id}\"");
    assert!(before.contains(&field), "the newest comment has a hide form");
    let id_text = id.to_string();
    let hide = |reason: &'static str| {
        let (app, officer, id_text) = (&app, officer.clone(), id_text.clone());
        async move {
            app.post_as(
                &officer.cookie,
                "/dashboard/QN.HL",
                &[("csrf", &officer.csrf), ("action", "hide_comment"), ("response_id", &id_text), ("reason", reason)],
            )
            .await
        }
    };
    assert_eq!(hide("  ").await.status(), 422, "a reason is required");
    let viewer = as_user(&app, "halong.xem").await;
    let res = app
        .post_as(
            &viewer.cookie,
            "/dashboard/QN.HL",
            &[("csrf", &viewer.csrf), ("action", "hide_comment"), ("response_id", &id_text), ("reason", "x")],
        )
        .await;
    assert_eq!(res.status(), 403, "viewers cannot hide");
    assert_eq!(hide("Có số điện thoại cá nhân").await.status(), 303);
    assert_eq!(hide("lần nữa").await.status(), 303, "hiding twice changes nothing");
    assert_eq!(app.count("comment_moderation").await, 1);
    let (_, after) = page(&app, Some(&officer), "/dashboard/QN.HL").await;
    assert!(!after.contains(&field), "the hidden comment is gone from the dashboard");
    let kept: i64 = app
        .row(&format!("SELECT COUNT(*) AS n FROM response WHERE id = {id} AND comment IS NOT NULL"))
        .await
        .try_get("", "n")
        .unwrap();
    assert_eq!(kept, 1, "and kept in the database");
}

/// Posts an export and waits until its page says it is ready; returns its id.
async fn export(app: &TestApp, who: &Browser, unit: &str, kind: &str, format: &str, extra: &[(&str, &str)]) -> i64 {
    let mut fields = vec![("csrf", who.csrf.as_str()), ("action", "export"), ("kind", kind), ("format", format)];
    fields.extend_from_slice(extra);
    let res = app.post_as(&who.cookie, &format!("/dashboard/{unit}"), &fields).await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap_or_default());
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    let id: i64 = to.strip_prefix("/xuat/").unwrap().parse().unwrap();
    for _ in 0..120 {
        let (status, html) = page(app, Some(who), &to).await;
        assert_eq!(status, 200);
        if html.contains("Đã xong") {
            assert!(!html.contains("http-equiv=\"refresh\""), "a finished export stops reloading");
            return id;
        }
        assert!(html.contains("http-equiv=\"refresh\""), "a waiting export reloads itself");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("export {id} did not finish");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_are_streamed_to_their_owner_without_personal_data() {
    let app = demo_app().await;
    let admin = as_user(&app, "qn.quantri").await;
    // Responses as CSV: one row per response of the subtree (kiosk presses apart).
    let id = export(&app, &admin, "QN", "responses", "csv", &[("from", "2000-01-01")]).await;
    let res = app.get_as(&admin.cookie, &format!("/xuat/{id}/tai-ve")).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(res.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
    let body = res.bytes().await.unwrap();
    assert!(body.starts_with(b"\xEF\xBB\xBF"), "a BOM, so that spreadsheet programs read UTF-8");
    let text = std::str::from_utf8(&body[3..]).unwrap();
    let qn = unit_id(&app, "QN").await;
    let expected: i64 = app
        .row(&format!(
            "SELECT COUNT(*) AS n FROM response r JOIN agency a ON a.id = r.agency_id \
             WHERE (a.id = {qn} OR a.parent_id = {qn} OR a.parent_id IN (SELECT id FROM agency WHERE parent_id = {qn}) \
             OR a.parent_id IN (SELECT id FROM agency WHERE parent_id IN (SELECT id FROM agency WHERE parent_id = {qn}))) \
             AND r.instrument_id IN (SELECT id FROM instrument WHERE code = 'sipas-2023-service')"
        ))
        .await
        .try_get("", "n")
        .unwrap();
    assert!(expected > 100);
    assert_eq!(text.lines().count() as i64, expected + 1, "a header and one line per response");
    for c in COMMENTS {
        assert!(!text.contains(c), "no comments in an export");
    }
    let header = text.lines().next().unwrap();
    for private in ["comment", "dossier", "device", "ip", "contact", "phone", "email"] {
        assert!(!header.to_lowercase().split(',').any(|h| h.contains(private)), "{private} in {header}");
    }
    // Someone else: as if it did not exist.
    let viewer = as_user(&app, "halong.xem").await;
    assert_eq!(page(&app, Some(&viewer), &format!("/xuat/{id}")).await.0, 404);
    assert_eq!(app.get_as(&viewer.cookie, &format!("/xuat/{id}/tai-ve")).await.status(), 404);
    assert!(app.get(&format!("/xuat/{id}/tai-ve")).await.status().is_redirection());
    assert_eq!(page(&app, Some(&admin), "/xuat/999999").await.0, 404);

    // Indices per unit and quarter as XLSX: a real workbook.
    let id = export(&app, &admin, "QN", "indices", "xlsx", &[("step", "quarter")]).await;
    let res = app.get_as(&admin.cookie, &format!("/xuat/{id}/tai-ve")).await;
    assert_eq!(res.status(), 200);
    let body = res.bytes().await.unwrap();
    assert!(body.starts_with(b"PK\x03\x04"), "a zip file");
    let dir = std::env::temp_dir().join(format!("ydan-xlsx-{id}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("indices.xlsx");
    std::fs::write(&file, &body).unwrap();
    let sheet = ydan_tests::unzip_entry(&file, "xl/worksheets/sheet1.xml");
    // Where Python is installed, its zip reader checks every entry's CRC as well.
    if let Ok(out) = std::process::Command::new("python3")
        .args(["-c", "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(len(z.namelist()))"])
        .arg(&file)
        .output()
    {
        assert!(out.status.success(), "python's zipfile rejects the workbook: {}", String::from_utf8_lossy(&out.stderr));
    }
    let _ = std::fs::remove_dir_all(&dir);
    let sheet = String::from_utf8(sheet.expect("a worksheet in the workbook")).unwrap();
    assert!(sheet.contains("QN.HL"), "a row per unit");
    assert!(sheet.contains("-Q"), "and per quarter");
    // Bad requests.
    let res = app
        .post_as(
            &admin.cookie,
            "/dashboard/QN",
            &[("csrf", &admin.csrf), ("action", "export"), ("kind", "all"), ("format", "csv")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let res = app
        .post_as(
            &admin.cookie,
            "/dashboard/QN",
            &[("csrf", &admin.csrf), ("action", "export"), ("kind", "indices"), ("format", "csv"), ("step", "week")],
        )
        .await;
    assert_eq!(res.status(), 400);
    let (_, list) = page(&app, Some(&admin), "/xuat").await;
    assert!(list.contains(&format!("/xuat/{id}")), "the user's exports are listed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_scoreboard_lists_every_level_with_honest_ranks() {
    let app = demo_app().await;
    let (status, top) = page(&app, None, "/bang-xep-hang").await;
    assert_eq!(status, 200);
    assert!(top.contains("href=\"/bang-xep-hang/QN\""), "the province is listed and linkable");
    assert!(top.contains("Bốn quý gần nhất"));
    let (status, qn) = page(&app, None, "/bang-xep-hang/QN").await;
    assert_eq!(status, 200);
    assert!(qn.contains("href=\"/bang-xep-hang/QN.HL\""), "its units are listed");
    assert!(qn.contains("id=\"QN.HL\""), "each row has an anchor");
    assert!(qn.contains("Phản ánh đã nhận"), "with the feedback figures");
    // Ranks are ranges where intervals overlap: some row shows "a–b".
    let ranks: Vec<&str> = qn
        .split("<td class=\"num\">")
        .skip(1)
        .filter_map(|s| s.split('<').next())
        .filter(|s| s.contains('–'))
        .collect();
    assert!(!ranks.is_empty(), "overlapping intervals give rank ranges");
    for c in COMMENTS {
        assert!(!qn.contains(c), "no comments on the public scoreboard");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tt01_scorecard_is_the_mean_points_of_the_dossiers() {
    use domain::{
        dto::analytics::SampleTarget,
        integrity::Basis,
        period::Period,
        scorecard::{Indicator, Rules766},
    };
    use serde_json::json;
    use services::scorecards;
    let app = TestApp::spawn().await;
    app.exec(&format!(
        "UPDATE counter SET instrument_id = (SELECT MAX(id) FROM instrument WHERE code = 'tt01-2018') WHERE code = '{}'",
        app.fixture.c1
    ))
    .await;
    // Options are listed best first: 1 = 2 points, 2 = 1 point, 3 = none.
    let forms = [(1, 1, 3, 1), (1, 1, 3, 2), (2, 1, 3, 3), (2, 1, 3, 1)];
    for (q1, q3, q4, q7) in forms {
        let answers = json!({"TT01.1": q1, "TT01.3": q3, "TT01.4": q4, "TT01.7": q7, "TT01.B1": 3});
        let res = app
            .post_json_as_system(
                "/api/v1/responses",
                &json!({"counter": app.fixture.c1, "channel": "paper", "answers": answers}),
            )
            .await;
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    }
    let today = vn_date(now());
    let unit = unit_id(&app, "P.C").await;
    let sample = SampleTarget { tickets: 0, target: None, respondents: 0, reached: None };
    let s = scorecards::compute(
        &app.db,
        &Rules766::default(),
        &[unit],
        &Period { from: today, to: today },
        Basis::All,
        sample,
    )
    .await
    .unwrap();
    let score = |i: Indicator| s.indicators.iter().find(|x| x.indicator == i).unwrap().score;
    assert_eq!(score(Indicator::TotalTime), Some(1.5));
    assert_eq!(score(Indicator::Contacts), Some(2.0));
    assert_eq!(score(Indicator::Agencies), Some(0.0));
    assert_eq!(score(Indicator::Attitude), Some(1.3), "(2 + 1 + 0 + 2) ÷ 4 = 1.25, one decimal");
    assert_eq!(score(Indicator::Feedback), None, "no feedback at all: indicator 8 has no data");
    assert_eq!(score(Indicator::OneStop), None, "not known to the platform: left out");
    // 1.5 + 2 + 0 + 1.3 = 4.8 of 8, on four indicators: too few for a band or a rescaled total
    // (indicator 8 used to give 2 of 2 here, and the unit a band).
    assert_eq!((s.total, s.max, s.total18, s.band, s.official), (Some(4.8), 8.0, None, None, false));
    // The same on the unit's dashboard for its staff.
    let viewer = app.province_viewer().await;
    let (_, html) = page(&app, Some(&viewer), &format!("/dashboard/P.C?from={today}&to={today}&basis=all")).await;
    assert!(
        html.contains("Tổng: 4,8/8,0 điểm trên 4 chỉ số có dữ liệu. Chưa xếp loại: cần ít nhất 5 trong 9 chỉ số"),
        "the scorecard's total, without a band"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_766_feedback_measures_count_procedures_and_conduct_and_5_3_the_cases_received() {
    use domain::{
        dto::analytics::SampleTarget,
        integrity::Basis,
        period::Period,
        scorecard::{Indicator, Measure766, Rules766},
    };
    use services::scorecards;
    let app = TestApp::spawn().await;
    let mut codes = Vec::new();
    for text in ["Hồ sơ cấp phép bị trả lại nhiều lần.", "Cán bộ hẹn lại nhiều lần.", "Đèn đường hỏng."]
    {
        codes.push(crate::feedback::file_case(&app, text).await.0);
    }
    // A procedure received by an officer, a conduct complaint not received yet, and an on-site
    // problem (received) that neither measure counts.
    let set = |code: &str, kind: &str, received: bool| {
        let received = if received { "submitted_at" } else { "NULL" };
        format!("UPDATE feedback_case SET kind = '{kind}', received_at = {received} WHERE tracking_code = '{code}'")
    };
    app.exec(&set(&codes[0], "procedure", true)).await;
    app.exec(&set(&codes[1], "conduct", false)).await;
    app.exec(&set(&codes[2], "on_site", true)).await;
    let today = vn_date(now());
    let subtree = [unit_id(&app, "P.X").await];
    let sample = SampleTarget { tickets: 0, target: None, respondents: 0, reached: None };
    let period = Period { from: today, to: today };
    let s = scorecards::compute(&app.db, &Rules766::default(), &subtree, &period, Basis::All, sample).await.unwrap();
    let n = |m: Measure766| s.measures_766.iter().find(|x| x.measure == m).unwrap().n;
    assert_eq!(n(Measure766::FeedbackOnTime), 2, "5.2: the procedure and the conduct complaint");
    assert_eq!(n(Measure766::FeedbackSatisfaction), 1, "5.3: only the case received");
    let eight = s.indicators.iter().find(|x| x.indicator == Indicator::Feedback).unwrap();
    assert_eq!(eight.n, 2, "indicator 8: procedures and conduct");
}
