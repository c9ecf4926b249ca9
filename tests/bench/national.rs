//! `scripts/bench-national.sh`: dashboards at national scale (issue #5), on a database filled by
//! `ydan seed-demo --scale national`. Prints a Markdown table for docs/BENCHMARKS.md.
//!
//! Server time is measured in this process around the same service calls the pages make (no
//! HTTP, no rendering), then over HTTP through the real router (rendering included):
//!
//! 1. a province's dashboard, public and as the province's administrator (which adds activity,
//!    heatmap, comments, alerts and scorecards), for provinces taken in turn;
//! 2. the national overview (`/dashboard`: 34 provinces, the level below where it fits);
//! 3. the same index figures computed naively from the raw responses (joins of responses and
//!    answers, grouped per unit and criterion, as the dashboards did before the
//!    pre-aggregated counts), for the ratio.
//!
//! Usage: `bench-national --database URL [--runs 40] [--naive-runs 3]`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use domain::{
    accounts::Role,
    dto::ReportQuery,
    integrity::Basis,
    period::{Period, vn_date},
    sipas::{self, Rollup},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use services::{
    access, agencies,
    analytics::{self, Lens},
    audit::Actor,
    auth::{self, NewUser},
    current_user::CurrentUser,
    entity::app_user,
    indices, now,
};
use std::time::{Duration, Instant};

const PROVINCES: [&str; 6] = ["HNI", "HCM", "THA", "DNG", "CMU", "LCU"];

struct Args {
    database: String,
    runs: usize,
    naive_runs: usize,
}

fn args() -> Args {
    let mut a = Args { database: String::new(), runs: 40, naive_runs: 3 };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let v = it.next().unwrap_or_default();
        match k.as_str() {
            "--database" => a.database = v,
            "--runs" => a.runs = v.parse().expect("--runs N"),
            "--naive-runs" => a.naive_runs = v.parse().expect("--naive-runs N"),
            other => panic!("unknown option {other}"),
        }
    }
    assert!(!a.database.is_empty(), "--database URL is required");
    a
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

struct Row {
    what: String,
    samples: Vec<Duration>,
}

impl Row {
    fn line(&mut self) -> String {
        self.samples.sort();
        format!(
            "| {} | {} | {} | {} | {} |",
            self.what,
            self.samples.len(),
            ms(pct(&self.samples, 0.5)),
            ms(pct(&self.samples, 0.95)),
            ms(*self.samples.last().unwrap())
        )
    }

    fn median(&mut self) -> Duration {
        self.samples.sort();
        pct(&self.samples, 0.5)
    }
}

async fn timed<F, Fut, T>(what: &str, runs: usize, mut f: F) -> Row
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = T>,
{
    // One warm-up call, not counted (first use of caches and prepared statements), except for
    // the slow naive queries, which run only a few times.
    if runs > 3 {
        let _ = f(0).await;
    }
    let mut samples = Vec::with_capacity(runs);
    for i in 0..runs {
        let t = Instant::now();
        let _ = std::hint::black_box(f(i + 1).await);
        samples.push(t.elapsed());
    }
    let mut row = Row { what: what.into(), samples };
    // Printed at once, so that a long run shows its progress.
    eprintln!("{}", row.line());
    row
}

/// A staff account of `unit` (created once) as the service layer sees it.
async fn staff(db: &sea_orm::DatabaseConnection, login: &str, role: Role, unit: Option<&str>) -> CurrentUser {
    if app_user::Entity::find().filter(app_user::Column::Login.eq(login)).one(db).await.unwrap().is_none() {
        let agency_id = match unit {
            Some(code) => Some(agencies::by_code(db, code).await.unwrap().id),
            None => None,
        };
        auth::create_user(
            db,
            &Actor::cli(),
            NewUser {
                login: login.into(),
                display_name: login.into(),
                password: "benchmark password 2026".into(),
                role,
                agency_id,
            },
        )
        .await
        .unwrap();
    }
    let row = app_user::Entity::find().filter(app_user::Column::Login.eq(login)).one(db).await.unwrap().unwrap();
    CurrentUser::for_service(&row)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let a = args();
    let db = server::db::connect(&a.database).await.expect("open the database");
    let backend = format!("{:?}", db.get_database_backend());
    let config = server::Config::default();
    let state = server::build_state(db.clone(), &config).await.expect("state");
    let today = vn_date(now());
    let period = Period::last_twelve_months(today);
    let query = ReportQuery {
        period,
        rollup: Rollup::default(),
        basis: Basis::default(),
        questionnaire: None,
        step: Default::default(),
    };
    let responses: i64 = {
        use sea_orm::{ConnectionTrait, Statement};
        db.query_one_raw(Statement::from_string(db.get_database_backend(), "SELECT COUNT(*) AS n FROM response"))
            .await
            .unwrap()
            .unwrap()
            .try_get("", "n")
            .unwrap()
    };
    let units = agencies::all(&db).await.unwrap();
    println!(
        "Data: {} units, {responses} responses; period {} – {}; backend {backend}",
        units.len(),
        period.from,
        period.to
    );
    let admins: Vec<CurrentUser> = {
        let mut v = Vec::new();
        for p in PROVINCES {
            v.push(staff(&db, &format!("bench.{}", p.to_lowercase()), Role::AgencyAdmin, Some(p)).await);
        }
        v
    };
    let mut rows = Vec::new();

    // 1. Province dashboards, in process.
    rows.push(
        timed("province dashboard, public (service)", a.runs, |i| {
            let (state, q) = (&state, query.clone());
            async move { analytics::agency_report(state, None, PROVINCES[i % PROVINCES.len()], q).await.unwrap() }
        })
        .await,
    );
    rows.push(
        timed("province dashboard, province administrator (service)", a.runs, |i| {
            let (state, q, user) = (&state, query.clone(), admins[i % PROVINCES.len()].clone());
            async move { analytics::agency_report(state, Some(&user), PROVINCES[i % PROVINCES.len()], q).await.unwrap() }
        })
        .await,
    );
    // 2. The national overview.
    rows.push(
        timed("national overview (service)", a.runs, |_| {
            let (state, q) = (&state, query.clone());
            async move { analytics::overview(state, q).await.unwrap() }
        })
        .await,
    );

    // The same through HTTP, rendering included.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = server::router(state.clone()).into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, router).await.ok() });
    let client = reqwest::Client::new();
    let session = {
        let user = &admins[0];
        auth::sign_in(&db, &user.login, "benchmark password 2026", "bench").await.ok().map(|(token, _)| token)
    };
    let base = format!("http://{addr}");
    rows.push(
        timed("GET /dashboard/{province} (HTTP, public)", a.runs, |i| {
            let (client, url) = (&client, format!("{base}/dashboard/{}", PROVINCES[i % PROVINCES.len()]));
            async move {
                let res = client.get(url).send().await.unwrap();
                assert_eq!(res.status(), 200);
                res.bytes().await.unwrap().len()
            }
        })
        .await,
    );
    if let Some(token) = &session {
        rows.push(
            timed("GET /dashboard/HNI (HTTP, administrator of HNI)", a.runs, |_| {
                let (client, url) = (&client, format!("{base}/dashboard/HNI"));
                let cookie = format!("{}={token}", auth::SESSION_COOKIE);
                async move {
                    let res = client.get(url).header("cookie", cookie).send().await.unwrap();
                    assert_eq!(res.status(), 200);
                    res.bytes().await.unwrap().len()
                }
            })
            .await,
        );
    }
    rows.push(
        timed("GET /dashboard (HTTP, national overview)", a.runs, |_| {
            let (client, url) = (&client, format!("{base}/dashboard"));
            async move {
                let res = client.get(url).send().await.unwrap();
                assert_eq!(res.status(), 200);
                res.bytes().await.unwrap().len()
            }
        })
        .await,
    );

    // 3. Pre-aggregated against naive, for the same figures: a province with its children, and
    // every unit of the country.
    let lens = Lens::new(&state, &units, None, Basis::default(), Rollup::default()).await.unwrap();
    let family = lens.instrument.code.clone();
    let hni = units.iter().find(|u| u.code == "HNI").unwrap().id;
    let children = agencies::children_map(&units, period.to);
    let mut nodes = vec![hni];
    nodes.extend(children.get(&Some(hni)).into_iter().flatten().map(|a| a.id));
    let subtree: Vec<i64> = access::subtree(&units, hni).into_iter().collect();
    let tops: Vec<i64> = children.get(&None).into_iter().flatten().map(|a| a.id).collect();
    let pairs_of = |ids: &[i64]| -> Vec<(i64, Option<i64>)> {
        let set: std::collections::HashSet<i64> = ids.iter().copied().collect();
        units.iter().filter(|u| set.contains(&u.id)).map(|u| (u.id, u.parent_id.filter(|p| set.contains(p)))).collect()
    };
    let province_pairs = pairs_of(&subtree);
    let all_ids: Vec<i64> = units.iter().map(|u| u.id).collect();
    let all_pairs = pairs_of(&all_ids);
    let low = state.settings.low_sample_below;
    let mut fast_p = timed("HNI and its units' indices — pre-aggregated", a.runs, |_| {
        let (lens, nodes) = (&lens, nodes.clone());
        async move { lens.reports_for(&nodes, &period).await.unwrap() }
    })
    .await;
    let mut slow_p = timed("HNI and its units' indices — naive from raw responses", a.naive_runs, |_| {
        let (db, family, subtree, pairs, structure) =
            (&db, family.clone(), subtree.clone(), &province_pairs, &lens.structure);
        async move {
            let own = indices::tallies_from_raw(db, &period, Basis::default(), &family, Some(&subtree)).await.unwrap();
            sipas::rollup_all(structure, pairs, &own, Rollup::default(), low)
        }
    })
    .await;
    let mut fast_n = timed("34 provinces' indices — pre-aggregated", a.runs, |_| {
        let (lens, tops) = (&lens, tops.clone());
        async move { lens.reports_for(&tops, &period).await.unwrap() }
    })
    .await;
    let mut slow_n = timed("34 provinces' indices — naive from raw responses", a.naive_runs, |_| {
        let (db, family, pairs, structure) = (&db, family.clone(), &all_pairs, &lens.structure);
        async move {
            let own = indices::tallies_from_raw(db, &period, Basis::default(), &family, None).await.unwrap();
            sipas::rollup_all(structure, pairs, &own, Rollup::default(), low)
        }
    })
    .await;
    let ratio_p = slow_p.median().as_secs_f64() / fast_p.median().as_secs_f64();
    let ratio_n = slow_n.median().as_secs_f64() / fast_n.median().as_secs_f64();
    rows.extend([fast_p, slow_p, fast_n, slow_n]);

    println!();
    println!("| measure | runs | p50 | p95 | max |");
    println!("|---|---|---|---|---|");
    for mut r in rows {
        println!("{}", r.line());
    }
    println!();
    println!("Naive ÷ pre-aggregated (medians): province {ratio_p:.0}×, national {ratio_n:.0}×");
}
