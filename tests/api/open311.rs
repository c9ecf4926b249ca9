//! Open311 GeoReport v2: every method in XML and JSON, checked against the specification's
//! field lists (peers.md §1), with its errors; personal data never appears in GET output.

use crate::tickets::api_key_for;
use serde_json::Value;
use ydan_tests::{TestApp, serde_urlencoded_pairs};

/// A 8 × 8 PNG as a `data:` URL, the way FixMyStreet-style clients send photos.
const PNG_DATA_URL: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAbElEQVR4nBXNQRUAUQhCUZOYhCQmeUlIQhISzR+XXA7ODDtouIHBQ4YOM8suWm5h8ZKl+0CskDiBsIioHhx76LiDw0eO3oN/4FVf+J8h0PduzBqZ8x/bxNQPwgaFy192SGgelC0q13/CJaXlA+odUoHdRJQGAAAAAElFTkSuQmCC";

pub(crate) async fn get(app: &TestApp, path: &str) -> (u16, String, String) {
    let res = app.get(&format!("/open311/v2/{path}")).await;
    let status = res.status().as_u16();
    let ct = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, ct, res.text().await.unwrap())
}

pub(crate) async fn post(app: &TestApp, fmt: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let res = app
        .client
        .post(app.url(&format!("/open311/v2/requests.{fmt}")))
        .header("content-type", "application/x-www-form-urlencoded; charset=utf-8")
        .body(serde_urlencoded_pairs(fields))
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

pub(crate) fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

/// A valid request to the commune P.X, with the resident's contact details.
pub(crate) fn request<'a>(key: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("api_key", key),
        ("service_code", "chieu-sang"),
        ("attribute[kind]", "procedure"),
        ("attribute[agency_code]", "P.X"),
        ("address_string", "Thôn Đông, xã Thử"),
        ("description", "Đèn đường tắt cả tuần."),
        ("email", "chu.ho@example.vn"),
        ("first_name", "Lê"),
        ("last_name", "Văn Cường"),
        ("phone", "0987654321"),
        ("device_id", "thiet-bi-123"),
    ];
    for (k, v) in extra {
        f.retain(|(n, _)| n != k);
        f.push((k, v));
    }
    f
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_services_and_definitions_in_both_formats() {
    let app = TestApp::spawn().await;
    let (status, ct, body) = get(&app, "discovery.json").await;
    assert_eq!((status, ct.as_str()), (200, "application/json; charset=utf-8"));
    let d = json(&body);
    for field in ["changeset", "contact", "key_service", "endpoints"] {
        assert!(d.get(field).is_some(), "{field}");
    }
    let e = &d["endpoints"][0];
    for field in ["specification", "url", "changeset", "type", "formats"] {
        assert!(e.get(field).is_some(), "endpoint {field}");
    }
    assert_eq!(e["formats"], serde_json::json!(["text/xml", "application/json"]));
    let (status, ct, body) = get(&app, "discovery.xml").await;
    assert_eq!((status, ct.as_str()), (200, "text/xml; charset=utf-8"));
    assert!(body.starts_with(r#"<?xml version="1.0" encoding="UTF-8"?><discovery>"#));
    assert!(body.contains("<endpoints><endpoint><specification>http://wiki.open311.org/GeoReport_v2</specification>"));

    let (status, _, body) = get(&app, "services.json").await;
    assert_eq!(status, 200);
    let list = json(&body);
    let first = &list.as_array().unwrap()[0];
    for field in ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"] {
        assert!(first.get(field).is_some(), "service {field}");
    }
    assert!(first["service_code"].is_string(), "service_code is a string");
    assert!(list.as_array().unwrap().iter().any(|s| s["service_code"] == "chieu-sang"));
    let (_, _, xml) = get(&app, "services.xml").await;
    assert!(xml.contains("<services><service><service_code>") && xml.contains("<type>realtime</type>"));

    let (status, _, body) = get(&app, "services/chieu-sang.json").await;
    assert_eq!(status, 200);
    let def = json(&body);
    assert_eq!(def["service_code"], "chieu-sang");
    let attrs = def["attributes"].as_array().unwrap();
    for a in attrs {
        for field in ["variable", "code", "datatype", "required", "datatype_description", "order", "description"] {
            assert!(a.get(field).is_some(), "attribute {field}");
        }
    }
    let kind = attrs.iter().find(|a| a["code"] == "kind").unwrap();
    assert_eq!(kind["datatype"], "singlevaluelist");
    assert!(kind["values"].as_array().unwrap().iter().any(|v| v["key"] == "on_site" && v["name"].is_string()));
    let (_, _, xml) = get(&app, "services/chieu-sang.xml").await;
    assert!(xml.contains("<service_definition><service_code>chieu-sang</service_code><attributes><attribute>"));
    assert!(xml.contains("<values><value><key>on_site</key>"));

    // Unknown service, unknown format, unknown jurisdiction.
    let (status, _, body) = get(&app, "services/khong-co.json").await;
    assert_eq!(status, 404);
    assert_eq!(json(&body)[0]["code"], 404);
    let (status, _, body) = get(&app, "services/khong-co.xml").await;
    assert_eq!(status, 404);
    assert!(body.contains("<errors><error><code>404</code><description>"));
    assert_eq!(get(&app, "services.html").await.0, 404);
    assert_eq!(get(&app, "services.json?jurisdiction_id=P").await.0, 200);
    assert_eq!(get(&app, "services.json?jurisdiction_id=nowhere.gov").await.0, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_are_created_with_a_key_and_read_without_personal_data() {
    let app = TestApp::spawn().await;
    let key = api_key_for(&app, "P").await;

    // Refusals first: nothing may be stored by any of them.
    let (status, body) = post(&app, "json", &request("", &[])).await;
    assert_eq!(status, 403);
    assert_eq!(json(&body)[0]["code"], 403);
    let wrong = format!("ydan_{}", "0".repeat(48));
    assert_eq!(post(&app, "xml", &request(&wrong, &[])).await.0, 403);
    assert_eq!(post(&app, "json", &request(&key, &[("service_code", "khong-co")])).await.0, 404);
    let mut no_location = request(&key, &[]);
    no_location.retain(|(k, _)| *k != "address_string");
    let (status, body) = post(&app, "json", &no_location).await;
    assert_eq!(status, 400);
    assert!(json(&body)[0]["description"].as_str().unwrap().contains("location"));
    assert_eq!(post(&app, "json", &request(&key, &[("lat", "20.95")])).await.0, 400, "lat without long");
    assert_eq!(post(&app, "json", &request(&key, &[("attribute[kind]", "complaint")])).await.0, 400);
    assert_eq!(post(&app, "json", &request(&key, &[("attribute[agency_code]", "NOPE")])).await.0, 400);
    assert_eq!(post(&app, "json", &request(&key, &[("description", &"x".repeat(4001))])).await.0, 400);
    // An on-site problem needs a photo.
    let (status, body) = post(&app, "xml", &request(&key, &[("attribute[kind]", "on_site")])).await;
    assert_eq!(status, 400);
    assert!(body.contains("<errors><error><code>400</code>"), "{body}");
    assert_eq!(app.count("feedback_case").await, 0);

    // Created, in JSON and in XML.
    let (status, body) = post(&app, "json", &request(&key, &[])).await;
    assert_eq!(status, 200, "{body}");
    let created = json(&body);
    let id = created[0]["service_request_id"].as_str().unwrap().to_owned();
    assert!(domain::cases::is_tracking_code(&id));
    assert!(created[0]["service_notice"].is_string());
    let (status, body) = post(
        &app,
        "xml",
        &request(
            &key,
            &[("attribute[kind]", "on_site"), ("lat", "20.951"), ("long", "107.081"), ("media_url", PNG_DATA_URL)],
        ),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("<service_requests><request><service_request_id>PAKN."));
    assert_eq!(app.count("feedback_case").await, 2);
    assert_eq!(app.count("case_photo").await, 1);
    let channel: String = app.row("SELECT channel FROM feedback_case LIMIT 1").await.try_get("", "channel").unwrap();
    assert_eq!(channel, "open311");

    // Not published yet: neither listed nor found (as /cong-khai shows nothing of them).
    assert_eq!(get(&app, &format!("requests/{id}.json")).await.0, 404);
    let (_, _, list) = get(&app, "requests.json").await;
    assert_eq!(json(&list).as_array().unwrap().len(), 0, "{list}");
    app.exec("UPDATE feedback_case SET published_at = updated_at").await;

    // Read back once published: one, as a list of one; the list; in both formats.
    let (status, _, body) = get(&app, &format!("requests/{id}.json")).await;
    assert_eq!(status, 200);
    let one = json(&body);
    assert_eq!(one.as_array().unwrap().len(), 1);
    let r = &one[0];
    for field in [
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
    ] {
        assert!(r.get(field).is_some(), "request {field}");
    }
    assert_eq!(r["status"], "open");
    assert_eq!(r["agency_responsible"], "Xã Thử");
    let (_, _, list) = get(&app, "requests.json").await;
    assert_eq!(json(&list).as_array().unwrap().len(), 2, "{list}");
    let (_, _, xml) = get(&app, "requests.xml").await;
    assert!(xml.contains("<service_requests><request>") && xml.contains("<lat>20.951</lat><long>107.081</long>"));
    for text in [list.as_str(), xml.as_str(), body.as_str()] {
        for secret in ["chu.ho@example.vn", "Cường", "0987654321", "thiet-bi-123"] {
            assert!(!text.contains(secret), "{secret} leaked");
        }
    }
    assert_eq!(get(&app, "requests/PAKN.20200101.0001.json").await.0, 404);
    assert_eq!(get(&app, "requests/PAKN.20200101.0001.xml").await.0, 404);

    // Filters.
    let (_, _, only) = get(&app, &format!("requests.json?service_request_id={id}&status=closed")).await;
    assert_eq!(json(&only).as_array().unwrap().len(), 1, "service_request_id overrides the other filters");
    let (_, _, open) = get(&app, "requests.json?status=open").await;
    assert_eq!(json(&open).as_array().unwrap().len(), 2);
    let (_, _, closed) = get(&app, "requests.json?status=closed").await;
    assert_eq!(json(&closed).as_array().unwrap().len(), 0);
    let (_, _, other) = get(&app, "requests.json?service_code=khac,ha-tang-giao-thong").await;
    assert_eq!(json(&other).as_array().unwrap().len(), 0);
    let (_, _, page) = get(&app, "requests.json?page=2&page_size=1").await;
    assert_eq!(json(&page).as_array().unwrap().len(), 1);
    let (_, _, page) = get(&app, "requests.json?page=3&page_size=1").await;
    assert_eq!(json(&page).as_array().unwrap().len(), 0);
    assert_eq!(get(&app, "requests.json?start_date=yesterday").await.0, 400);
    assert_eq!(get(&app, "requests.xml?start_date=2026-01-01T00:00:00Z&end_date=2026-12-31T00:00:00Z").await.0, 400);
    assert_eq!(get(&app, "requests.json?status=pending").await.0, 400);
    assert_eq!(get(&app, "requests.json?page=0").await.0, 400);

    // A hidden case disappears from every GET.
    app.exec(&format!("UPDATE feedback_case SET hidden = TRUE WHERE tracking_code = '{id}'")).await;
    assert_eq!(get(&app, &format!("requests/{id}.json")).await.0, 404);
    let (_, _, list) = get(&app, "requests.json").await;
    assert_eq!(json(&list).as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_update_history_is_available_as_extensions() {
    let app = TestApp::spawn().await;
    let key = api_key_for(&app, "P").await;
    let (_, body) = post(&app, "json", &request(&key, &[])).await;
    let id = json(&body)[0]["service_request_id"].as_str().unwrap().to_owned();
    // An officer rejects it with a reason, and adds an internal note.
    app.create_user("can.bo.xa", "một mật khẩu đủ dài", domain::accounts::Role::Officer, Some("P.X")).await;
    let b = app.sign_in("can.bo.xa", "một mật khẩu đủ dài").await;
    let path = format!("/pakn/{id}");
    let res = app
        .post_as(&b.cookie, &path, &[("csrf", &b.csrf), ("action", "note"), ("internal_note", "Bí mật nội bộ")])
        .await;
    assert_eq!(res.status(), 303);
    let res = app
        .post_as(
            &b.cookie,
            &path,
            &[
                ("csrf", &b.csrf),
                ("action", "reject"),
                ("public_note", "Không thuộc thẩm quyền giải quyết."),
                ("confirm", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);

    // A rejected case is never published, so it is not public.
    assert_eq!(get(&app, &format!("requests/{id}.json?extensions=true")).await.0, 404);
    // Were it published, its public history would read:
    app.exec(&format!("UPDATE feedback_case SET published_at = updated_at WHERE tracking_code = '{id}'")).await;
    let (_, _, body) = get(&app, &format!("requests/{id}.json?extensions=true")).await;
    let r = &json(&body)[0];
    assert_eq!(r["status"], "closed");
    assert_eq!(r["status_notes"], "Không thuộc thẩm quyền giải quyết.");
    let notes = r["notes"].as_array().unwrap();
    assert_eq!(notes.iter().map(|n| n["type"].as_str().unwrap()).collect::<Vec<_>>(), ["submit", "reject"]);
    assert!(notes.iter().all(|n| n["datetime"].is_string() && n["description"].is_string()));
    assert_eq!(r["extended_attributes"]["channel"], "open311");
    assert!(!body.contains("Bí mật nội bộ"));
    let (_, _, xml) = get(&app, &format!("requests/{id}.xml?extensions=true")).await;
    assert!(xml.contains("<notes><note><datetime>") && !xml.contains("Bí mật nội bộ"));

    // mySociety's service request updates: the key is required.
    assert_eq!(get(&app, "servicerequestupdates.json").await.0, 403);
    let (status, _, body) = get(&app, &format!("servicerequestupdates.json?api_key={key}")).await;
    assert_eq!(status, 200, "{body}");
    let updates = json(&body);
    let last = updates.as_array().unwrap().last().unwrap();
    for field in [
        "update_id",
        "service_request_id",
        "status",
        "updated_datetime",
        "description",
        "media_url",
        "external_status_code",
    ] {
        assert!(last.get(field).is_some(), "update {field}");
    }
    assert_eq!(last["external_status_code"], "reject");
    assert!(!body.contains("Bí mật nội bộ"));
    let (status, _, xml) = get(&app, &format!("servicerequestupdates.xml?api_key={key}")).await;
    assert_eq!(status, 200);
    assert!(xml.contains("<service_request_updates><request_update><update_id>"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_body_is_read_only_after_the_key_it_gives_first_is_checked() {
    let app = TestApp::spawn().await;
    let key = api_key_for(&app, "P").await;
    let photo = format!("{PNG_DATA_URL}{}", "A".repeat(200 * 1024));
    // 200 KB with no key, a wrong key, or the key only at the end: refused before reading on.
    let mut keyless = request("", &[("media_url", &photo)]);
    keyless.retain(|(k, _)| *k != "api_key");
    let (status, body) = post(&app, "json", &keyless).await;
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("api_key first"), "{body}");
    let wrong = format!("ydan_{}", "0".repeat(48));
    assert_eq!(post(&app, "json", &request(&wrong, &[("media_url", &photo)])).await.0, 403);
    let mut key_last: Vec<(&str, &str)> = keyless.clone();
    key_last.push(("api_key", &key));
    assert_eq!(post(&app, "json", &key_last).await.0, 413);
    assert_eq!(app.count("feedback_case").await, 0);
    // The same large body with the key first, or in the query string, is read and stored.
    let (status, body) = post(&app, "json", &request(&key, &[("media_url", &photo)])).await;
    assert_eq!(status, 200, "{body}");
    let res = app
        .client
        .post(app.url(&format!("/open311/v2/requests.json?api_key={key}")))
        .header("content-type", "application/x-www-form-urlencoded; charset=utf-8")
        .body(serde_urlencoded_pairs(&keyless))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    // Over 24 MB is refused whoever sends it, from its declared length.
    // (The server answers before the body is sent and closes: the client may only see that.)
    let huge = "A".repeat(25 * 1024 * 1024);
    let sent = app
        .client
        .post(app.url("/open311/v2/requests.json"))
        .header("content-type", "application/x-www-form-urlencoded; charset=utf-8")
        .body(serde_urlencoded_pairs(&request(&key, &[("media_url", &huge)])))
        .send()
        .await;
    assert!(sent.as_ref().is_err_and(|e| e.is_request()) || sent.is_ok_and(|r| r.status() == 413));
    assert_eq!(app.count("feedback_case").await, 2);
}
