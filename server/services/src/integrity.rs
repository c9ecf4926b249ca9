//! The integrity gate every rating passes, whatever its door (see `doors::Door`, the flags and
//! thresholds in `domain::integrity`, and docs/SECURITY.md for which check applies to which
//! door). It runs inside the insert's transaction, under the counter's lock, so the checks and
//! the insert see the same ratings even with several servers on one PostgreSQL. It refuses a
//! rating only for the rate limits (429) and a tablet's repeated press (discarded); otherwise a
//! suspicious rating is kept, flagged, and left out of indices by default.

use crate::doors::{CounterContext, Door};
use crate::entity::{response, response_answer, staff_network};
use crate::state::StaffNetworkCache;
use chrono::{DateTime, Duration, Utc};
use domain::{
    error::{AppError, ErrorCode},
    integrity::{
        BURST_COUNT, BURST_MINUTES, COUNTER_RATE_LIMIT, DEFAULT_OPENING_HOURS, Flag, Flags, KIOSK_STREAK_LENGTH,
        OpeningHours, RATE_LIMIT_COUNT, RATE_LIMIT_MINUTES, STREAK_LENGTH, cidr_contains,
    },
    period::vn_offset,
    survey::Channel,
};
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, Statement};
use std::collections::HashMap;

/// What the checks look at.
pub struct Candidate<'a> {
    pub ctx: &'a CounterContext,
    pub door: &'a Door,
    /// Keyed hash of the client's source (IPv4 address or IPv6 /64).
    pub source: Option<&'a str>,
    pub client_ip: Option<&'a str>,
    /// (criterion id, value) for every criterion.
    pub answers: &'a [(i64, Option<i16>)],
    pub dossier_code: Option<&'a str>,
    pub at: DateTime<Utc>,
}

/// Settings of the gate.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Counted ratings one source may add at one counter within 24 hours.
    pub source_daily_cap: u64,
    /// A tablet's minimum interval between presses.
    pub kiosk_interval: Duration,
}

/// What becomes of a rating that passed the gate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Store(Flags),
    /// A tablet's press within the minimum interval of another: not stored.
    Discard,
}

/// Takes the counter's lock for the rest of the transaction. On SQLite the single writer
/// (`AppState::write_guard`) already serialises every write; on PostgreSQL a transaction-level
/// advisory lock does it across every server on the database, and is released by the commit.
pub async fn lock_counter(txn: &impl ConnectionTrait, counter_id: i64) -> Result<(), AppError> {
    if txn.get_database_backend() == DbBackend::Postgres {
        // The lock space of counters: a constant in the high bits, the counter id below.
        let key = (0x5944_i64 << 48) | (counter_id & 0xFFFF_FFFF_FFFF);
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [key.into()],
        ))
        .await?;
    }
    Ok(())
}

/// Ratings at the counter from anonymous doors (the QR code and receipts, channel `qr`) since
/// `since`, from one source or (with `None`) from all.
async fn recent_qr(
    db: &impl ConnectionTrait,
    counter_id: i64,
    source: Option<&str>,
    since: DateTime<Utc>,
) -> Result<u64, AppError> {
    let mut q = response::Entity::find()
        .filter(response::Column::CounterId.eq(counter_id))
        .filter(response::Column::Channel.eq(Channel::Qr.as_str()))
        .filter(response::Column::SubmittedAt.gt(since));
    if let Some(source) = source {
        q = q.filter(response::Column::DeviceHash.eq(source));
    }
    Ok(q.count(db).await?)
}

/// Whether a rating may be stored, and with which flags.
pub async fn gate(
    db: &impl ConnectionTrait,
    networks: &StaffNetworkCache,
    c: &Candidate<'_>,
    limits: &Limits,
) -> Result<Verdict, AppError> {
    let mut flags = Flags::default();
    let counter = &c.ctx.counter;
    let channel = c.door.channel();

    // A tablet: one press per minimum interval at the counter (a queued press keeps its time).
    if let Door::Kiosk(_) = c.door {
        let near = response::Entity::find()
            .filter(response::Column::CounterId.eq(counter.id))
            .filter(response::Column::Channel.eq(Channel::Kiosk.as_str()))
            .filter(response::Column::SubmittedAt.gt(c.at - limits.kiosk_interval))
            .filter(response::Column::SubmittedAt.lt(c.at + limits.kiosk_interval))
            .count(db)
            .await?;
        if near > 0 {
            return Ok(Verdict::Discard);
        }
    }

    // Doors anyone can use: limits per source (an IPv4 address or an IPv6 /64, whatever the
    // browser says it is) and per counter. An enrolled tablet and a system with its key are
    // accountable credentials with their own limits, and relay many citizens from one address.
    if c.door.is_anonymous() {
        let window = c.at - Duration::minutes(RATE_LIMIT_MINUTES);
        if let Some(source) = c.source {
            // One count serves the rate limit and the burst flag (both look back ten minutes).
            const _: () = assert!(BURST_MINUTES == RATE_LIMIT_MINUTES);
            let recent = recent_qr(db, counter.id, Some(source), window).await?;
            if recent >= RATE_LIMIT_COUNT {
                return Err(ErrorCode::TooManySubmissions.into());
            }
            if recent + 1 >= BURST_COUNT {
                flags.insert(Flag::Burst);
            }
            // The bound on what one source can move: past the day's cap, ratings still count
            // for nothing in the default index.
            if recent_qr(db, counter.id, Some(source), c.at - Duration::hours(24)).await? >= limits.source_daily_cap {
                flags.insert(Flag::SourceCap);
            }
        }
        // Only counted ratings fill the counter's quota, so sources already flagged cannot
        // shut the counter for everyone else; a receipt, bounded by the tickets issued, is
        // never turned away.
        if !matches!(c.door, Door::Receipt(_))
            && response::Entity::find()
                .filter(response::Column::CounterId.eq(counter.id))
                .filter(response::Column::Channel.eq(Channel::Qr.as_str()))
                .filter(response::Column::Flags.eq(""))
                .filter(response::Column::SubmittedAt.gt(window))
                .count(db)
                .await?
                >= COUNTER_RATE_LIMIT
        {
            return Err(ErrorCode::CounterBusy.into());
        }
    }

    // Outside opening hours: only for ratings given at the counter (tablet, counter QR);
    // a receipt's link may well be answered at home in the evening.
    if matches!(c.door, Door::Kiosk(_) | Door::OpenQr) && c.dossier_code.is_none() {
        let hours = counter
            .opening_hours
            .as_deref()
            .and_then(OpeningHours::parse)
            .or_else(|| OpeningHours::parse(DEFAULT_OPENING_HOURS));
        let local = c.at.with_timezone(&vn_offset()).naive_local();
        if hours.is_some_and(|h| !h.is_open(local, 60)) {
            flags.insert(Flag::OutsideHours);
        }
    }

    // Staff networks of the counter's unit or any unit above it, for every door but an
    // enrolled tablet, which stands at the counter on the office network by design.
    if let (Some(ip), false) = (c.client_ip, matches!(c.door, Door::Kiosk(_))) {
        // Usually a handful of networks, so read them all and look at the unit's line only if
        // one contains the address.
        let networks = match networks.fresh() {
            Some(list) => list,
            None => networks.put(staff_network::Entity::find().all(db).await?),
        };
        let matching: Vec<i64> = networks.iter().filter(|n| cidr_contains(&n.cidr, ip)).map(|n| n.agency_id).collect();
        if !matching.is_empty() && ancestors(db, c.ctx.agency.id).await?.iter().any(|a| matching.contains(a)) {
            flags.insert(Flag::StaffNetwork);
        }
    }

    // Long identical streaks: the same answers as each of the previous ratings at the counter
    // on the same questionnaire.
    let streak = if channel == Channel::Kiosk { KIOSK_STREAK_LENGTH } else { STREAK_LENGTH };
    // The latest ratings at the counter, newest first along the (counter, time) index.
    let latest = |limit: u64| {
        Query::select()
            .column(response::Column::Id)
            .from(response::Entity)
            .and_where(Expr::col(response::Column::CounterId).eq(counter.id))
            .and_where(Expr::col(response::Column::InstrumentId).eq(c.ctx.instrument.id))
            .order_by(response::Column::SubmittedAt, Order::Desc)
            .order_by(response::Column::Id, Order::Desc)
            .limit(limit)
            .to_owned()
    };
    let answers_of = |ids: SelectStatement| async move {
        let mut theirs: HashMap<i64, HashMap<i64, Option<i16>>> = HashMap::new();
        for a in
            response_answer::Entity::find().filter(response_answer::Column::ResponseId.in_subquery(ids)).all(db).await?
        {
            theirs.entry(a.response_id).or_default().insert(a.criterion_id, a.value);
        }
        Ok::<_, AppError>(theirs)
    };
    let mine: HashMap<i64, Option<i16>> = c.answers.iter().copied().collect();
    // Usually the latest rating already differs: one small read settles it.
    let last = answers_of(latest(1)).await?;
    if last.len() == 1 && last.values().all(|a| *a == mine) {
        let theirs = answers_of(latest((streak - 1) as u64)).await?;
        if theirs.len() == streak - 1 && theirs.values().all(|a| *a == mine) {
            flags.insert(Flag::IdenticalStreak);
        }
    }

    // One rating per dossier: a second one is kept, and flagged.
    if let Some(dossier) = c.dossier_code {
        let earlier = response::Entity::find().filter(response::Column::DossierCode.eq(dossier)).count(db).await?;
        if earlier > 0 {
            flags.insert(Flag::RepeatedDossier);
        }
    }
    Ok(Verdict::Store(flags))
}

/// A unit and every unit above it.
async fn ancestors(db: &impl ConnectionTrait, agency_id: i64) -> Result<Vec<i64>, AppError> {
    let units = crate::agencies::all(db).await?;
    let parents: HashMap<i64, Option<i64>> = units.iter().map(|a| (a.id, a.parent_id)).collect();
    let mut line = vec![agency_id];
    let mut at = agency_id;
    while let Some(Some(p)) = parents.get(&at) {
        if line.contains(p) || line.len() > 64 {
            break;
        }
        line.push(*p);
        at = *p;
    }
    Ok(line)
}
