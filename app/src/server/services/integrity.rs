//! Integrity checks run on every rating before it is stored (see `domain::integrity` for the
//! flags and their thresholds). They never refuse a rating, except the rate limit on open QR
//! submissions: a flagged rating is kept, shown, and left out of indices by default.

use super::survey::CounterContext;
use crate::server::state::StaffNetworkCache;
use crate::{
    domain::{
        integrity::{
            BURST_COUNT, BURST_MINUTES, DEFAULT_OPENING_HOURS, Flag, Flags, KIOSK_STREAK_LENGTH, OpeningHours,
            RATE_LIMIT_COUNT, RATE_LIMIT_MINUTES, STREAK_LENGTH, cidr_contains,
        },
        period::vn_offset,
        survey::Channel,
    },
    error::AppError,
    server::entity::{agency, response, response_answer, staff_network},
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use std::collections::HashMap;

/// What the checks look at.
pub struct Candidate<'a> {
    pub ctx: &'a CounterContext,
    pub channel: Channel,
    pub device_hash: Option<&'a str>,
    pub client_ip: Option<&'a str>,
    /// (criterion id, value) for every criterion.
    pub answers: &'a [(i64, Option<i16>)],
    pub dossier_code: Option<&'a str>,
    pub at: DateTime<Utc>,
}

/// Whether a device has sent too many open QR ratings lately (then the rating is refused).
pub async fn rate_limited(db: &impl ConnectionTrait, device_hash: &str, at: DateTime<Utc>) -> Result<bool, AppError> {
    let recent = response::Entity::find()
        .filter(response::Column::DeviceHash.eq(device_hash))
        .filter(response::Column::Channel.eq(Channel::Qr.as_str()))
        .filter(response::Column::SubmittedAt.gt(at - Duration::minutes(RATE_LIMIT_MINUTES)))
        .count(db)
        .await?;
    Ok(recent >= RATE_LIMIT_COUNT)
}

/// The flags a rating earns.
pub async fn check(
    db: &impl ConnectionTrait,
    networks: &StaffNetworkCache,
    c: &Candidate<'_>,
) -> Result<Flags, AppError> {
    let mut flags = Flags::default();
    let counter = &c.ctx.counter;

    // Bursts: many ratings from one phone at one counter's QR code. (A kiosk tablet is one
    // device by design, with its own minimum interval; API callers relay many citizens.)
    if let (Some(device), Channel::Qr) = (c.device_hash, c.channel) {
        let recent = response::Entity::find()
            .filter(response::Column::DeviceHash.eq(device))
            .filter(response::Column::CounterId.eq(counter.id))
            .filter(response::Column::SubmittedAt.gt(c.at - Duration::minutes(BURST_MINUTES)))
            .count(db)
            .await?;
        if recent + 1 >= BURST_COUNT {
            flags.insert(Flag::Burst);
        }
    }

    // Outside opening hours: only for ratings given at the counter (tablet, counter QR);
    // a receipt's link may well be answered at home in the evening.
    if matches!(c.channel, Channel::Kiosk | Channel::Qr) && c.dossier_code.is_none() {
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

    // Staff networks of the counter's unit or any unit above it. Not for kiosks: their tablet
    // stands at the counter on the office network by design.
    if let (Some(ip), false) = (c.client_ip, c.channel == Channel::Kiosk) {
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
    let streak = if c.channel == Channel::Kiosk { KIOSK_STREAK_LENGTH } else { STREAK_LENGTH };
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
    Ok(flags)
}

/// A unit and every unit above it.
async fn ancestors(db: &impl ConnectionTrait, agency_id: i64) -> Result<Vec<i64>, AppError> {
    let parents: HashMap<i64, Option<i64>> =
        agency::Entity::find().all(db).await?.into_iter().map(|a| (a.id, a.parent_id)).collect();
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
