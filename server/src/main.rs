//! `ydan`: the Ý Dân server and its maintenance commands.
//!
//! ```text
//! ydan serve      [--listen 127.0.0.1:3000] [--database URL] [--public-url URL] …
//! ydan migrate    [--database URL]
//! ydan seed-demo  [--database URL] [--if-empty] [--responses 6000] [--seed 2025] [--scale national]
//! ydan verify-rollups [--database URL] [--repair]
//! ```

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

use clap::{Parser, Subcommand};
use domain::period::vn_date;
use server::{Config, build_state, db, router, seed};
use services::state::Settings;
use std::{net::SocketAddr, process::ExitCode};
use tracing_subscriber::EnvFilter;

#[derive(Parser, Debug)]
#[command(name = "ydan", version, about = "Ý Dân: citizen satisfaction surveys and feedback for public administration")]
struct Cli {
    /// Database URL: sqlite://path/to/file.db (created if missing) or postgres://user:pass@host/db
    #[arg(long, global = true, env = "DATABASE_URL", default_value = db::DEFAULT_DATABASE_URL)]
    database: String,

    /// File holding the key that encrypts residents' contact details (64 hex digits),
    /// created with a new key if missing. Keep it apart from the database and its backups.
    /// Default: contact.key in the SQLite database's folder (data/contact.key for
    /// PostgreSQL). The key may instead be given as 64 hex digits in the environment
    /// variable YDAN_CONTACT_KEY (never on the command line).
    #[arg(long, global = true, env = "YDAN_CONTACT_KEY_FILE")]
    contact_key_file: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Apply migrations, then serve the site and the API.
    Serve {
        /// Address and port to listen on.
        #[arg(long, env = "YDAN_LISTEN", default_value = "127.0.0.1:3000")]
        listen: SocketAddr,
        /// Public base URL printed in QR codes and posters (no trailing slash). Defaults to
        /// http://<listen address>.
        #[arg(long, env = "YDAN_PUBLIC_URL")]
        public_url: Option<String>,
        /// Folder holding the browser bundle built by cargo-leptos.
        #[arg(long, env = "YDAN_SITE_ROOT", default_value = "target/site")]
        site_root: String,
        /// Indices with fewer respondents than this are flagged as a small sample.
        #[arg(long, env = "YDAN_LOW_SAMPLE", default_value_t = domain::sipas::DEFAULT_LOW_SAMPLE)]
        low_sample: u64,
        /// How many reverse proxies of your own stand in front of the server. The client's
        /// address is then the entry that many places from the right of X-Forwarded-For (what
        /// lies to its left was written by the client). 0: the connection's own address.
        #[arg(long, env = "YDAN_TRUSTED_PROXIES", default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=8))]
        trusted_proxies: u64,
        /// Same as --trusted-proxies 1 (kept for existing set-ups).
        #[arg(long, env = "YDAN_TRUST_FORWARDED_FOR")]
        trust_forwarded_for: bool,
        /// Connections one address (IPv4, or an IPv6 /64) may hold at once; further ones get 429.
        /// Default 256, or no cap behind --trusted-proxies (every connection then comes from a
        /// proxy: let the proxy cap per client). 0: no cap.
        #[arg(long, env = "YDAN_CONNECTIONS_PER_ADDRESS", value_parser = clap::value_parser!(u64).range(0..=100_000))]
        connections_per_address: Option<u64>,
        /// Counted ratings one network address (IPv4, or an IPv6 /64) can add at one counter
        /// within 24 hours, whatever doors it uses; ratings past it are kept and flagged.
        #[arg(long, env = "YDAN_SOURCE_DAILY_CAP", default_value_t = domain::integrity::DEFAULT_SOURCE_DAILY_CAP, value_parser = clap::value_parser!(u64).range(1..=10_000))]
        source_daily_cap: u64,
        /// Days a receipt's survey link stays valid.
        #[arg(long, env = "YDAN_TICKET_DAYS", default_value_t = 30, value_parser = clap::value_parser!(i64).range(1..=3650))]
        ticket_days: i64,
        /// Kiosk presses closer together than this many seconds are discarded as repeats.
        #[arg(long, env = "YDAN_KIOSK_INTERVAL", default_value_t = 5, value_parser = clap::value_parser!(i64).range(0..=600))]
        kiosk_interval: i64,
        /// Mail relay for notifications to citizens, e.g.
        /// smtp://relay.example.gov.vn:25?from=khongtraloi@example.gov.vn&name=Ý%20Dân
        /// (plain SMTP to a relay on your network). Without it, messages are kept in the
        /// outbox that administrators read at /quan-tri/thu-di.
        #[arg(long, env = "YDAN_SMTP_URL")]
        smtp: Option<String>,
        /// Points of the 766 satisfaction measures 5.2, 5.3 and 5.4 (the split is disputed:
        /// 6,6,6 or 5,2,6).
        #[arg(long, env = "YDAN_766_POINTS", default_value = "6,6,6")]
        points_766: String,
        /// The rate (percent) that earns a 766 measure its full points.
        #[arg(long, env = "YDAN_766_TARGET", default_value_t = 90.0)]
        target_766: f64,
        /// Folder for export files made in the background (shared storage when several
        /// servers run).
        #[arg(long, env = "YDAN_EXPORT_DIR", default_value = "data/exports")]
        export_dir: String,
        /// Months after a case was closed (or its answer published) before the resident's
        /// contact details are erased.
        #[arg(long, env = "YDAN_CONTACT_RETENTION_MONTHS", default_value_t = domain::contact::DEFAULT_RETENTION_MONTHS, value_parser = clap::value_parser!(u32).range(1..=240))]
        contact_retention_months: u32,
    },

    /// Apply pending database migrations and exit.
    Migrate,
    /// Create a system administrator (the first account). Asks for the password, or reads it
    /// from the first line of standard input when that is not a terminal.
    CreateAdmin {
        /// Login name (3–60 characters: a–z, 0–9, . _ - @).
        #[arg(long)]
        login: String,
        /// Name shown in the interface.
        #[arg(long, default_value = "")]
        name: String,
    },
    /// Fill the database with a demonstration province and survey responses.
    SeedDemo {
        /// Do nothing if the database already has units (for first start).
        #[arg(long)]
        if_empty: bool,
        /// Number of survey responses to generate (default 6,000; 10,000,000 with
        /// `--scale national`).
        #[arg(long)]
        responses: Option<u64>,
        /// Seed of the random generator (same seed, same data).
        #[arg(long, default_value_t = 2025)]
        seed: u64,
        /// `province`: one demonstration province with staff accounts and feedback cases;
        /// `national`: 34 provinces, 3,400 units, 24 months of responses (for load tests).
        #[arg(long, default_value = "province", value_parser = ["province", "national"])]
        scale: String,
    },
    /// Create an API key for another system of a unit (a one-stop system printing receipt
    /// links, or one relaying ratings) and print it; it is stored only as a hash.
    CreateApiKey {
        /// Code of the unit the key acts for (with the units below it).
        #[arg(long)]
        unit: String,
        /// Name of the system that will use it.
        #[arg(long)]
        name: String,
    },
    /// Recompute the dashboards' pre-aggregated counts from the raw responses and report any
    /// difference (exit status 1 if there is one).
    VerifyRollups {
        /// Rewrite the counts of units that differ.
        #[arg(long)]
        repair: bool,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    use std::io::IsTerminal;
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("YDAN_LOG")
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm_migration=warn")),
        )
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("ydan: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let db = db::connect(&cli.database)
        .await
        .map_err(|e| format!("cannot open the database {}: {e}", redact(&cli.database)))?;
    db::migrate(&db).await.map_err(|e| format!("database migration failed: {e}"))?;
    match cli.command {
        Command::Migrate => {
            eprintln!("ydan: database is up to date");
            Ok(())
        }
        Command::CreateAdmin { login, name } => {
            let password = read_password().map_err(|e| format!("cannot read the password: {e}"))?;
            let user = services::auth::create_user(
                &db,
                &services::audit::Actor::cli(),
                services::auth::NewUser {
                    login,
                    display_name: name,
                    password,
                    role: domain::accounts::Role::SystemAdmin,
                    agency_id: None,
                },
            )
            .await
            .map_err(|e| app::i18n::errors::Explain::message(&e, app::i18n::Lang::Vi))?;
            eprintln!("ydan: system administrator '{}' created", user.login);
            Ok(())
        }
        Command::CreateApiKey { unit, name } => {
            let (key, _) = services::tickets::create_api_key_cli(&db, &unit, &name).await.map_err(|e| {
                format!("create-api-key: {}", app::i18n::errors::Explain::message(&e, app::i18n::Lang::En))
            })?;
            // The key alone on standard output, for scripts; it is never shown again.
            println!("{key}");
            eprintln!("ydan: API key created for unit {unit}; keep it secret");
            Ok(())
        }
        Command::VerifyRollups { repair } => {
            let started = std::time::Instant::now();
            let mut bar: Option<seed::Progress> = None;
            let report = services::rollups::verify(&db, 50, repair, |done, total| {
                bar.get_or_insert_with(|| seed::Progress::new("Đối chiếu / checking units", total as u64))
                    .set(done as u64);
            })
            .await
            .map_err(|e| format!("verification failed: {} {}", e.code.as_str(), e.detail.unwrap_or_default()))?;
            if let Some(b) = bar {
                b.finish();
            }
            for line in report.differences.iter().take(20) {
                eprintln!("  {line}");
            }
            eprintln!(
                "ydan: {} units, {} stored rows checked in {:.1} s: {} difference(s){}",
                report.units,
                report.rows,
                started.elapsed().as_secs_f64(),
                report.differences.len(),
                if repair && !report.differences.is_empty() { ", repaired" } else { "" }
            );
            if report.differences.is_empty() || repair {
                Ok(())
            } else {
                Err("the counts differ from the raw responses".into())
            }
        }
        Command::SeedDemo { if_empty, responses, seed, scale } if scale == "national" => {
            if if_empty && seed::has_units(&db).await.map_err(|e| format!("{e:?}"))? {
                eprintln!("ydan: the database already has data; demo data not added");
                return Ok(());
            }
            let started = std::time::Instant::now();
            let today = vn_date(services::now());
            let done = server::seed_national::seed_national(&db, responses.unwrap_or(10_000_000), seed, today, true)
                .await
                .map_err(|e| format!("demo data failed: {} {}", e.code.as_str(), e.detail.unwrap_or_default()))?;
            eprintln!(
                "ydan: national demo data added in {:.0} s: {} units, {} counters, {} responses, {} tickets",
                started.elapsed().as_secs_f64(),
                done.units,
                done.counters,
                done.responses,
                done.tickets
            );
            Ok(())
        }
        Command::SeedDemo { if_empty, responses, seed, .. } => {
            if if_empty && seed::has_units(&db).await.map_err(|e| format!("{e:?}"))? {
                eprintln!("ydan: the database already has data; demo data not added");
                return Ok(());
            }
            let today = vn_date(services::now());
            let done = seed::seed_demo(
                &db,
                &contact_key_source(cli.contact_key_file.as_deref(), &cli.database),
                responses.unwrap_or(6000),
                seed,
                today,
                true,
            )
            .await
            .map_err(|e| format!("demo data failed: {} {}", e.code.as_str(), e.detail.unwrap_or_default()))?;
            eprintln!(
                "ydan: demo data added: {} units, {} counters, {} responses",
                done.units, done.counters, done.responses
            );
            eprintln!(
                "ydan: demo staff accounts (demo only), password '{}': {}",
                seed::DEMO_PASSWORD,
                seed::DEMO_ACCOUNTS.iter().map(|a| a.0).collect::<Vec<_>>().join(", ")
            );
            Ok(())
        }
        Command::Serve {
            listen,
            public_url,
            site_root,
            low_sample,
            trusted_proxies,
            trust_forwarded_for,
            connections_per_address,
            source_daily_cap,
            ticket_days,
            kiosk_interval,
            smtp,
            points_766,
            target_766,
            export_dir,
            contact_retention_months,
        } => {
            let contact_key = contact_key_source(cli.contact_key_file.as_deref(), &cli.database);
            let rules_766 = parse_766(&points_766, target_766)?;
            let smtp = match smtp.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                Some(url) => Some(services::mail::SmtpConfig::parse(url).map_err(|e| format!("--smtp: {e}"))?),
                None => None,
            };
            let config = Config {
                settings: Settings {
                    public_url: public_url
                        .unwrap_or_else(|| format!("http://{listen}"))
                        .trim_end_matches('/')
                        .to_owned(),
                    low_sample_below: low_sample,
                    trusted_proxies: if trusted_proxies == 0 && trust_forwarded_for {
                        1
                    } else {
                        trusted_proxies as usize
                    },
                    source_daily_cap,
                    ticket_valid_days: ticket_days,
                    kiosk_interval_seconds: kiosk_interval,
                    smtp,
                    rules_766,
                    export_dir: export_dir.into(),
                    contact_key,
                    contact_retention_months,
                },
                site_root,
            };
            let state = build_state(db, &config)
                .await
                .map_err(|e| format!("start-up failed: {} {}", e.code.as_str(), e.detail.unwrap_or_default()))?;
            let listener =
                tokio::net::TcpListener::bind(listen).await.map_err(|e| format!("cannot listen on {listen}: {e}"))?;
            let addr = listener.local_addr().map_err(|e| e.to_string())?;
            let _workers = server::workers::spawn(state.clone());
            eprintln!("ydan: serving http://{addr} (public URL {})", config.settings.public_url);
            let behind_proxies = config.settings.trusted_proxies > 0;
            let limits = server::listen::Limits {
                per_address: match connections_per_address {
                    Some(n) => n as usize,
                    None if behind_proxies => 0,
                    None => server::listen::Limits::default().per_address,
                },
                ..server::listen::Limits::default()
            };
            server::listen::serve(listener, router(state), limits, shutdown_signal())
                .await
                .map_err(|e| format!("server stopped: {e}"))
        }
    }
}

/// Reads a password: asked twice without echo on a terminal, else the first line of stdin.
fn read_password() -> std::io::Result<String> {
    use std::io::{BufRead, IsTerminal, Write};
    let stdin = std::io::stdin();
    let read_line = || -> std::io::Result<String> {
        let mut line = String::new();
        stdin.lock().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    };
    if !stdin.is_terminal() {
        return read_line();
    }
    let echo = |on: bool| {
        let _ = std::process::Command::new("stty").arg(if on { "echo" } else { "-echo" }).status();
    };
    let ask = |prompt: &str| -> std::io::Result<String> {
        eprint!("{prompt}");
        std::io::stderr().flush()?;
        echo(false);
        let answer = read_line();
        echo(true);
        eprintln!();
        answer
    };
    let first = ask("Mật khẩu / Password: ")?;
    let second = ask("Nhập lại / Again: ")?;
    if first != second {
        return Err(std::io::Error::other("the two passwords differ"));
    }
    Ok(first)
}

/// Hides the password of a database URL in messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// `--points-766 5,2,6` and `--target-766 80` as scoring rules.
fn parse_766(points: &str, target: f64) -> Result<domain::scorecard::Rules766, String> {
    let parts: Vec<f64> = points
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| format!("--points-766: '{points}' is not three numbers separated by commas (e.g. 6,6,6)"))?;
    let max_points: [f64; 3] = parts
        .try_into()
        .map_err(|_| format!("--points-766: '{points}' must give exactly three numbers (5.2, 5.3, 5.4)"))?;
    if max_points.iter().any(|p| !(0.0..=100.0).contains(p)) || !(1.0..=100.0).contains(&target) {
        return Err("--points-766 takes 0–100 points each, --target-766 a rate of 1–100%".into());
    }
    Ok(domain::scorecard::Rules766 { max_points, target })
}

/// Where the key of residents' contact details comes from: `--contact-key-file`, else
/// `YDAN_CONTACT_KEY`, else `contact.key` next to the database. Every command that writes
/// contact details (serve, seed-demo) uses the same one.
fn contact_key_source(file: Option<&str>, database: &str) -> services::contact_key::ContactKeySource {
    use services::contact_key::ContactKeySource;
    match (file, std::env::var("YDAN_CONTACT_KEY").ok().filter(|k| !k.is_empty())) {
        (Some(file), _) => ContactKeySource::File(file.into()),
        (None, Some(hex)) => ContactKeySource::Hex(hex),
        (None, None) => ContactKeySource::File(db::default_contact_key_file(database)),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_not_printed() {
        assert_eq!(redact("postgres://ydan:s3cret@db:5432/ydan"), "postgres://ydan:***@db:5432/ydan");
        assert_eq!(redact("sqlite://data/ydan.db"), "sqlite://data/ydan.db");
    }
}
