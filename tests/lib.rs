//! Test harness: starts the real Ý Dân server (the same router `ydan serve` runs) on a free port
//! over a fresh database, SQLite by default or PostgreSQL when `YDAN_TEST_POSTGRES_URL` names a
//! server to create databases on. Used by the integration tests and the benchmarks.

#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod modules;
pub mod smtp_sink;

use chrono::NaiveDate;
use domain::codes::AgencyKind;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use services::{
    agencies::{self, NewAgency},
    state::Settings,
};
use std::path::PathBuf;

/// A running server with its own database.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`
    pub base: String,
    pub db: DatabaseConnection,
    /// Follows no redirects, so tests see the 303 after a form post.
    pub client: reqwest::Client,
    pub fixture: Fixture,
    /// The settings the server runs with (the tests pass them to background services).
    pub settings: Settings,
    /// An API key of the fixture province `P`, as another system of the province holds one:
    /// ratings sent with it count for the province's own counters (channel `api` or `paper`).
    pub system_key: String,
    sqlite_dir: Option<PathBuf>,
    export_dir: PathBuf,
    server: tokio::task::JoinHandle<()>,
    workers: Vec<tokio::task::JoinHandle<()>>,
}

/// The units and counters every test starts with:
///
/// ```text
/// P    province
/// ├── P.C    service centre   counters: c1, c2
/// ├── P.D    department       counter:  d1
/// └── P.X    commune
///     └── P.X.C  service centre  counter: x1
/// ```
#[derive(Clone, Debug)]
pub struct Fixture {
    pub c1: String,
    pub c2: String,
    pub d1: String,
    pub x1: String,
    pub procedure: String,
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom_fill(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

fn getrandom_fill(buf: &mut [u8]) {
    // The clock and a counter are random enough to name throw-away test databases.
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)
        as u64
        ^ (N.fetch_add(1, Ordering::Relaxed) << 48)
        ^ u64::from(std::process::id());
    let mut x = seed | 1;
    for b in buf {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = x as u8;
    }
}

/// Which database the tests run on.
pub fn backend_name() -> &'static str {
    if std::env::var("YDAN_TEST_POSTGRES_URL").is_ok() { "postgres" } else { "sqlite" }
}

/// A fresh, migrated database and, for SQLite, the folder holding it.
pub async fn fresh_database() -> (DatabaseConnection, Option<PathBuf>) {
    match std::env::var("YDAN_TEST_POSTGRES_URL") {
        Ok(admin_url) => {
            let admin = server::db::connect(&admin_url).await.expect("connect to the test PostgreSQL server");
            let name = format!("ydan_t_{}", random_hex(8));
            admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create test database");
            admin.close().await.ok();
            let url = match admin_url.rsplit_once('/') {
                Some((server, _)) => format!("{server}/{name}"),
                None => panic!("YDAN_TEST_POSTGRES_URL must end with /<database>"),
            };
            let db = server::db::connect(&url).await.expect("connect to the test database");
            server::db::migrate(&db).await.expect("migrate");
            (db, None)
        }
        Err(_) => {
            let dir = std::env::temp_dir().join(format!("ydan-test-{}", random_hex(8)));
            std::fs::create_dir_all(&dir).expect("temp dir");
            let db = server::db::connect(&format!("sqlite://{}/test.db", dir.display())).await.expect("open SQLite");
            server::db::migrate(&db).await.expect("migrate");
            (db, Some(dir))
        }
    }
}

/// Creates the fixture units, counters and one procedure.
pub async fn seed_fixture(db: &DatabaseConnection) -> Fixture {
    let day = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
    let unit = |code: &str, kind, vi: &str, en: &str, parent: Option<&str>| NewAgency {
        code: code.into(),
        kind,
        name_vi: vi.into(),
        name_en: en.into(),
        parent_code: parent.map(str::to_owned),
        valid_from: day,
    };
    agencies::create(db, unit("P", AgencyKind::Province, "Tỉnh Thử Nghiệm", "Test Province", None)).await.unwrap();
    let c = agencies::create(
        db,
        unit(
            "P.C",
            AgencyKind::ServiceCentre,
            "Trung tâm Phục vụ hành chính công tỉnh",
            "Provincial Service Centre",
            Some("P"),
        ),
    )
    .await
    .unwrap();
    let d = agencies::create(db, unit("P.D", AgencyKind::Department, "Sở Tư pháp", "Department of Justice", Some("P")))
        .await
        .unwrap();
    agencies::create(db, unit("P.X", AgencyKind::Commune, "Xã Thử", "Test Commune", Some("P"))).await.unwrap();
    let xc = agencies::create(
        db,
        unit(
            "P.X.C",
            AgencyKind::ServiceCentre,
            "Trung tâm Phục vụ hành chính công xã",
            "Commune Service Centre",
            Some("P.X"),
        ),
    )
    .await
    .unwrap();
    let c1 = agencies::create_counter(db, c.id, "Quầy 1 – Hộ tịch").await.unwrap();
    let c2 = agencies::create_counter(db, c.id, "Quầy 2 – Đất đai").await.unwrap();
    let d1 = agencies::create_counter(db, d.id, "Quầy Lý lịch tư pháp").await.unwrap();
    let x1 = agencies::create_counter(db, xc.id, "Quầy tổng hợp").await.unwrap();
    agencies::create_procedure(db, "T.001", "Đăng ký khai sinh", "Birth registration").await.unwrap();
    // Always open, so that no test depends on the hour it runs at; the integrity tests set
    // real opening hours where they need them.
    db.execute_unprepared("UPDATE counter SET opening_hours = 'Mon-Sun 00:00-24:00'").await.unwrap();
    Fixture { c1: c1.code, c2: c2.code, d1: d1.code, x1: x1.code, procedure: "T.001".into() }
}

/// A `multipart/form-data` body as a browser sends it: text fields, then files as
/// (field name, file name, content type, bytes). Returns (content type, body).
pub fn multipart_body(fields: &[(&str, &str)], files: &[(&str, &str, &str, Vec<u8>)]) -> (String, Vec<u8>) {
    let boundary = "----ydan-test-boundary-7MA4YWxkTrZu0gW";
    let mut body: Vec<u8> = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    for (name, file, mime, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: {mime}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(Settings::default()).await
    }

    pub async fn spawn_with(mut settings: Settings) -> TestApp {
        if let Ok(filter) = std::env::var("YDAN_TEST_LOG") {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
                .with_test_writer()
                .try_init();
        }
        let (db, sqlite_dir) = fresh_database().await;
        let fixture = seed_fixture(&db).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().unwrap();
        settings.public_url = format!("http://{addr}");
        let export_dir = std::env::temp_dir().join(format!("ydan-exports-{}", random_hex(8)));
        settings.export_dir = export_dir.clone();
        // A key file of its own, as `ydan serve` keeps one next to its database.
        if matches!(settings.contact_key, services::contact_key::ContactKeySource::InDatabase) {
            settings.contact_key = services::contact_key::ContactKeySource::File(
                std::env::temp_dir().join(format!("ydan-contact-{}.key", random_hex(8))),
            );
        }
        let config = server::Config { settings: settings.clone(), ..Default::default() };
        let state = server::build_state(db.clone(), &config).await.expect("state");
        let (system_key, _) = services::tickets::create_api_key_cli(&db, "P", "Hệ thống thử nghiệm")
            .await
            .expect("API key of the fixture province");
        let workers = server::workers::spawn(state.clone());
        let app = server::router(state);
        let server = tokio::spawn(async move {
            server::listen::serve(listener, app, server::listen::Limits::default(), std::future::pending()).await.ok();
        });
        // A stuck request fails its test after a minute instead of hanging the whole run.
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(
                std::env::var("YDAN_TEST_HTTP_TIMEOUT").ok().and_then(|s| s.parse().ok()).unwrap_or(60),
            ))
            .build()
            .unwrap();
        TestApp {
            base: format!("http://{addr}"),
            db,
            client,
            fixture,
            settings,
            system_key,
            sqlite_dir,
            export_dir,
            server,
            workers,
        }
    }

    /// The state the server runs with (same database, settings and keys), for calling the
    /// services the background workers call.
    pub async fn state(&self) -> services::state::AppState {
        let config = server::Config { settings: self.settings.clone(), ..Default::default() };
        server::build_state(self.db.clone(), &config).await.expect("state")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// Posts a survey form as a browser would.
    pub async fn post_form(&self, counter: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let body = serde_urlencoded_pairs(fields);
        self.client
            .post(self.url(&format!("/s/{counter}")))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("user-agent", "Mozilla/5.0 (Linux; Android 10; K) Mobile Safari/537.36")
            .body(body)
            .send()
            .await
            .expect("POST form")
    }

    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client.post(self.url(path)).json(body).send().await.expect("POST JSON")
    }

    /// Posts JSON as another system of the province, with its API key.
    pub async fn post_json_as_system(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client.post(self.url(path)).bearer_auth(&self.system_key).json(body).send().await.expect("POST JSON")
    }

    /// Enrols a tablet for `counter` as an administrator would (a one-time code made at
    /// `/quan-tri/may-tinh-bang`, typed on the tablet's kiosk page) and returns the cookie the
    /// tablet then sends with every press.
    pub async fn enrol_tablet(&self, counter: &str) -> String {
        let login = "quan.tri.may";
        let exists: i64 =
            self.row("SELECT COUNT(*) AS n FROM app_user WHERE login = 'quan.tri.may'").await.try_get("", "n").unwrap();
        if exists == 0 {
            self.create_user(login, "một mật khẩu đủ dài", domain::accounts::Role::AgencyAdmin, Some("P")).await;
        }
        let admin = self.sign_in(login, "một mật khẩu đủ dài").await;
        let res = self
            .post_as(
                &admin.cookie,
                "/quan-tri/may-tinh-bang",
                &[("csrf", &admin.csrf), ("action", "create"), ("counter", counter), ("name", "Máy quầy")],
            )
            .await;
        assert_eq!(res.status(), 200);
        let html = res.text().await.unwrap();
        let marker = r#"<code class="secret">"#;
        let start = html.find(marker).expect("the enrolment code on the page") + marker.len();
        let code = html[start..start + 11].to_owned();
        let res = self
            .client
            .post(self.url(&format!("/k/{counter}/ghi-danh")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded_pairs(&[("code", &code)]))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "enrolment with {code}");
        let set = res.headers()["set-cookie"].to_str().unwrap();
        set.split(';').next().unwrap().to_owned()
    }

    /// Posts a `multipart/form-data` form as a browser does: text fields, then files as
    /// (field name, file name, content type, bytes).
    pub async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &str, Vec<u8>)],
    ) -> reqwest::Response {
        let (content_type, body) = multipart_body(fields, files);
        self.client
            .post(self.url(path))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("POST multipart")
    }

    /// Runs SQL directly against the test database (to set up a situation).
    pub async fn exec(&self, sql: &str) {
        use sea_orm::ConnectionTrait;
        self.db.execute_unprepared(sql).await.unwrap();
    }

    /// The first row of a query.
    pub async fn row(&self, sql: &str) -> sea_orm::QueryResult {
        self.db
            .query_one_raw(sea_orm::Statement::from_string(self.db.get_database_backend(), sql.to_owned()))
            .await
            .unwrap()
            .expect("a row")
    }

    /// Number of rows in a table.
    pub async fn count(&self, table: &str) -> i64 {
        let row = self
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                self.db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get::<i64>("", "n").unwrap()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
        for w in &self.workers {
            w.abort();
        }
        if let Some(dir) = &self.sqlite_dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        let _ = std::fs::remove_dir_all(&self.export_dir);
    }
}

/// `application/x-www-form-urlencoded` encoding of name/value pairs.
pub fn serde_urlencoded_pairs(fields: &[(&str, &str)]) -> String {
    fn enc(s: &str) -> String {
        let mut out = String::new();
        for b in s.bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => out.push(b as char),
                b' ' => out.push('+'),
                _ => out.push_str(&format!("%{b:02X}")),
            }
        }
        out
    }
    fields.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}

/// A signed-in browser: its cookie and the CSRF token its forms carry.
#[derive(Clone, Debug)]
pub struct Browser {
    pub cookie: String,
    pub csrf: String,
}

impl TestApp {
    /// Creates a staff account directly through the service (as an administrator would).
    pub async fn create_user(&self, login: &str, password: &str, role: domain::accounts::Role, unit: Option<&str>) {
        let agency_id = match unit {
            Some(code) => Some(services::agencies::by_code(&self.db, code).await.unwrap().id),
            None => None,
        };
        services::auth::create_user(
            &self.db,
            &services::audit::Actor::cli(),
            services::auth::NewUser {
                login: login.into(),
                display_name: format!("Cán bộ {login}"),
                password: password.into(),
                role,
                agency_id,
            },
        )
        .await
        .unwrap();
    }

    /// Posts the sign-in form.
    pub async fn post_sign_in(&self, login: &str, password: &str) -> reqwest::Response {
        self.client
            .post(self.url("/dang-nhap"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded_pairs(&[("login", login), ("password", password), ("next", "")]))
            .send()
            .await
            .unwrap()
    }

    /// Signs in and returns the browser's session cookie and CSRF token.
    pub async fn sign_in(&self, login: &str, password: &str) -> Browser {
        let res = self.post_sign_in(login, password).await;
        assert_eq!(res.status(), 303, "sign-in of {login} failed");
        let set = res.headers()["set-cookie"].to_str().unwrap();
        let cookie = set.split(';').next().unwrap().to_owned();
        let html = self.get_as(&cookie, "/tai-khoan").await.text().await.unwrap();
        let marker = r#"name="csrf" value=""#;
        let start = html.find(marker).expect("a CSRF token on the account page") + marker.len();
        let csrf = html[start..start + 64].to_owned();
        Browser { cookie, csrf }
    }

    /// A signed-in viewer of the whole fixture province, for pages and API answers that show
    /// the breakdown only to staff.
    pub async fn province_viewer(&self) -> Browser {
        let exists: i64 =
            self.row("SELECT COUNT(*) AS n FROM app_user WHERE login = 'giam.sat'").await.try_get("", "n").unwrap();
        if exists == 0 {
            self.create_user("giam.sat", "một mật khẩu đủ dài", domain::accounts::Role::Viewer, Some("P")).await;
        }
        self.sign_in("giam.sat", "một mật khẩu đủ dài").await
    }

    pub async fn get_as(&self, cookie: &str, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).header("cookie", cookie).send().await.unwrap()
    }

    /// Posts a form as a signed-in browser.
    pub async fn post_as(&self, cookie: &str, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("cookie", cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded_pairs(fields))
            .send()
            .await
            .unwrap()
    }
}

/// One entry of a zip archive (an XLSX workbook), read independently of the server's writer:
/// through the central directory, stored or deflated.
pub fn unzip_entry(path: &std::path::Path, name: &str) -> Option<Vec<u8>> {
    use std::io::Read;
    let bytes = std::fs::read(path).ok()?;
    let u16_at =
        |i: usize| -> Option<usize> { Some(u16::from_le_bytes(bytes.get(i..i + 2)?.try_into().ok()?) as usize) };
    let u32_at =
        |i: usize| -> Option<usize> { Some(u32::from_le_bytes(bytes.get(i..i + 4)?.try_into().ok()?) as usize) };
    let eocd = (0..bytes.len().saturating_sub(21)).rev().find(|&i| bytes[i..].starts_with(b"PK\x05\x06"))?;
    let (entries, mut at) = (u16_at(eocd + 10)?, u32_at(eocd + 16)?);
    for _ in 0..entries {
        if !bytes.get(at..)?.starts_with(b"PK\x01\x02") {
            return None;
        }
        let (method, csize, size) = (u16_at(at + 10)?, u32_at(at + 20)?, u32_at(at + 24)?);
        let (n, e, c) = (u16_at(at + 28)?, u16_at(at + 30)?, u16_at(at + 32)?);
        let local = u32_at(at + 42)?;
        let entry_name = std::str::from_utf8(bytes.get(at + 46..at + 46 + n)?).ok()?;
        if entry_name == name {
            let data_at = local + 30 + u16_at(local + 26)? + u16_at(local + 28)?;
            let data = bytes.get(data_at..data_at + csize)?;
            let mut out = Vec::with_capacity(size);
            match method {
                0 => out.extend_from_slice(data),
                8 => {
                    flate2::read::DeflateDecoder::new(data).read_to_end(&mut out).ok()?;
                }
                _ => return None,
            }
            return (out.len() == size).then_some(out);
        }
        at += 46 + n + e + c;
    }
    None
}
