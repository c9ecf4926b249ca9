//! Public pages: dashboards, QR codes, posters, and the pages around the survey.

use serde_json::json;
use ydan_tests::TestApp;

/// The text of the table row of a unit on the dashboard.
fn row_of<'a>(html: &'a str, unit_name: &str) -> &'a str {
    let start = html.find(unit_name).unwrap_or_else(|| panic!("{unit_name} not on the page"));
    let end = html[start..].find("</tr>").map(|e| start + e).unwrap_or(html.len());
    &html[start..end]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_counts_each_new_response() {
    let app = TestApp::spawn().await;
    let html = app.get("/dashboard").await.text().await.unwrap();
    assert!(html.contains("Chỉ số hài lòng (theo cách tính SIPAS)"));
    assert!(row_of(&html, "Tỉnh Thử Nghiệm").contains("Chưa có dữ liệu"), "no data is not 0%");

    let res = app.post_form(&app.fixture.x1, &[("II.A1", "5"), ("II.A2", "4")]).await;
    assert_eq!(res.status(), 303);
    let html = app.get("/dashboard").await.text().await.unwrap();
    let row = row_of(&html, "Tỉnh Thử Nghiệm");
    assert!(row.contains("100,0%"), "{row}");
    assert!(row.contains(r#"<td class="num">1<"#), "n = 1: {row}");
    assert!(row.contains("Mẫu nhỏ"), "a single response is a small sample: {row}");
    assert!(row_of(&html, "Xã Thử").contains("100,0%"));
    assert!(row_of(&html, "Sở Tư pháp").contains("Chưa có dữ liệu"));

    app.post_json_as_system("/api/v1/responses", &json!({"counter": app.fixture.c1, "answers": {"II.A1": 1}})).await;
    let html = app.get("/dashboard").await.text().await.unwrap();
    assert!(row_of(&html, "Tỉnh Thử Nghiệm").contains(r#"<td class="num">2<"#));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_units_page_breaks_the_index_down_with_a_chart_that_needs_no_script() {
    let app = TestApp::spawn().await;
    app.post_form(&app.fixture.c1, &[("II.A1", "5"), ("II.C1", "2")]).await;
    // The public sees the summary only.
    let public = app.get("/dashboard/P.C").await.text().await.unwrap();
    // (The trend chart is public; the breakdown chart is not.)
    assert!(
        public.contains("50,0%")
            && !public.contains("aria-labelledby=\"chart-title chart-desc\"")
            && public.contains("dành cho cán bộ")
    );
    let viewer = app.province_viewer().await;
    let res = app.get_as(&viewer.cookie, "/dashboard/P.C").await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("<svg ") && html.contains(r#"class="chart""#) && html.contains(r#"role="img""#));
    assert!(html.contains("<title id=\"chart-title\">"));
    assert!(html.contains("II.A") && html.contains("II.C1"));
    assert!(html.contains("Công chức"), "element names in the table");
    assert!(html.contains("Quầy 1 – Hộ tịch") && html.contains(&format!("/s/{}/poster", app.fixture.c1)));
    assert!(html.contains("50,0%"), "overall = mean of A (100) and C (0)");
    assert!(!html.contains("<script"), "the dashboard ships no JavaScript");
    let en = app
        .client
        .get(app.url("/dashboard/P.C"))
        .header("cookie", format!("ydan_lang=en; {}", viewer.cookie))
        .send()
        .await
        .unwrap();
    assert!(en.text().await.unwrap().contains("50.0%"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_errors_are_pages_with_the_right_status() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/dashboard/KHONG-CO").await.status(), 404);
    let res = app.get("/dashboard?from=2026-05-02&to=2026-05-01").await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("Ngày bắt đầu phải trước hoặc bằng ngày kết thúc."));
    assert_eq!(app.get("/dashboard?rollup=x").await.status(), 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qr_codes_come_as_svg_and_png() {
    let app = TestApp::spawn().await;
    let svg = app.get(&format!("/s/{}/qr.svg", app.fixture.c1)).await;
    assert_eq!(svg.status(), 200);
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    assert!(svg.text().await.unwrap().contains("<svg"));
    let png = app.get(&format!("/s/{}/qr.png", app.fixture.c1)).await;
    assert_eq!(png.status(), 200);
    assert_eq!(png.headers()["content-type"], "image/png");
    assert_eq!(&png.bytes().await.unwrap()[..8], b"\x89PNG\r\n\x1a\n");
    let missing = app.get("/s/zzzzzzzzzz/qr.png").await;
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.json::<serde_json::Value>().await.unwrap()["code"], "counter_not_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_poster_prints_the_qr_code_the_names_and_the_link_on_a4_or_a5() {
    let app = TestApp::spawn().await;
    let res = app.get(&format!("/s/{}/poster", app.fixture.c1)).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("<svg"), "the QR code is inline");
    assert!(html.contains("Trung tâm Phục vụ hành chính công tỉnh") && html.contains("Quầy 1 – Hộ tịch"));
    assert!(html.contains("Quét mã QR bằng camera điện thoại"));
    assert!(html.contains(&format!("{}/s/{}", app.base, app.fixture.c1)), "the link is printed for those who type it");
    assert!(html.contains("size:A4"));
    let a5 = app.get(&format!("/s/{}/poster?size=a5", app.fixture.c1)).await.text().await.unwrap();
    assert!(a5.contains("size:A5") && a5.contains(r#"class="poster a5""#));
    assert_eq!(app.get("/s/zzzzzzzzzz/poster").await.status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_pages_are_a_friendly_404_and_the_home_page_links_onward() {
    let app = TestApp::spawn().await;
    let res = app.get("/khong-co-trang-nay").await;
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("Không tìm thấy trang"));
    let home = app.get("/").await;
    assert_eq!(home.status(), 200);
    let html = home.text().await.unwrap();
    assert!(html.contains(r#"href="/dashboard""#) && html.contains("/api/v1/openapi.json"));
    assert_eq!(app.get(&format!("/s/{}/cam-on", "zzzzzzzzzz")).await.status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carry_security_headers_and_are_compressed() {
    let app = TestApp::spawn().await;
    let res = app.client.get(app.url("/dashboard")).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.headers()["x-frame-options"], "DENY");
    assert_eq!(res.headers()["content-encoding"], "gzip");
    let csp = res.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self' 'nonce-") && csp.contains("frame-ancestors 'none'"), "{csp}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_carries_the_request_id_its_log_lines_are_tagged_with() {
    let app = TestApp::spawn().await;
    let id_of = |res: &reqwest::Response| res.headers().get("x-request-id").map(|v| v.to_str().unwrap().to_owned());
    let page = app.get("/dashboard").await;
    let api = app.get("/api/v1/agencies").await;
    let missing = app.get("/khong-co-trang-nay").await;
    let ids: Vec<String> = [&page, &api, &missing].iter().map(|r| id_of(r).expect("an x-request-id")).collect();
    assert!(ids.iter().all(|id| id.len() == 36), "{ids:?}");
    assert!(ids[0] != ids[1] && ids[1] != ids[2], "one id per request: {ids:?}");
    // A client's own id is not taken: it could borrow another request's id or fill the log.
    let res = app.client.get(app.url("/healthz")).header("x-request-id", "proxy-7f3a").send().await.unwrap();
    let drawn = id_of(&res).unwrap();
    assert!(drawn != "proxy-7f3a" && drawn.len() == 36, "{drawn}");

    // Behind a proxy of ours, the proxy's id is kept, so both logs can be matched; a long or
    // odd one is still replaced.
    let proxied = TestApp::spawn_with(services::state::Settings { trusted_proxies: 1, ..Default::default() }).await;
    let res = proxied.client.get(proxied.url("/healthz")).header("x-request-id", "proxy-7f3a").send().await.unwrap();
    assert_eq!(id_of(&res).as_deref(), Some("proxy-7f3a"));
    let odd = format!("{}<script>", "x".repeat(70));
    let res = proxied.client.get(proxied.url("/healthz")).header("x-request-id", odd.as_str()).send().await.unwrap();
    assert_eq!(id_of(&res).map(|id| id.len()), Some(36));
}
