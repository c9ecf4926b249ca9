//! Integrity checks run on every rating before it is stored (see `domain::integrity` for the
//! flags and their thresholds). They never refuse a rating, except the rate limit on open QR
//! submissions: a flagged rating is kept, shown, and left out of indices by default.

use super::survey::CounterContext;
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
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
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
pub async fn check(db: &impl ConnectionTrait, c: &Candidate<'_>) -> Result<Flags, AppError> {
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
        let networks: Vec<staff_network::Model> = staff_network::Entity::find().all(db).await?;
        let matching: Vec<i64> = networks.iter().filter(|n| cidr_contains(&n.cidr, ip)).map(|n| n.agency_id).collect();
        if !matching.is_empty() && ancestors(db, c.ctx.agency.id).await?.iter().any(|a| matching.contains(a)) {
            flags.insert(Flag::StaffNetwork);
        }
    }

    // Long identical streaks: the same answers as each of the previous ratings at the counter
    // on the same questionnaire.
    let streak = if c.channel == Channel::Kiosk { KIOSK_STREAK_LENGTH } else { STREAK_LENGTH };
    // Newest first along the (counter, time) index.
    let previous: Vec<i64> = response::Entity::find()
        .select_only()
        .column(response::Column::Id)
        .filter(response::Column::CounterId.eq(counter.id))
        .filter(response::Column::InstrumentId.eq(c.ctx.instrument.id))
        .order_by_desc(response::Column::SubmittedAt)
        .order_by_desc(response::Column::Id)
        .limit((streak - 1) as u64)
        .into_tuple()
        .all(db)
        .await?;
    if previous.len() == streak - 1 {
        let mine: HashMap<i64, Option<i16>> = c.answers.iter().copied().collect();
        let answers_of = |ids: Vec<i64>| async move {
            let mut theirs: HashMap<i64, HashMap<i64, Option<i16>>> = HashMap::new();
            for a in
                response_answer::Entity::find().filter(response_answer::Column::ResponseId.is_in(ids)).all(db).await?
            {
                theirs.entry(a.response_id).or_default().insert(a.criterion_id, a.value);
            }
            Ok::<_, AppError>(theirs)
        };
        // Usually the latest rating already differs: one small read settles it.
        let latest = answers_of(vec![previous[0]]).await?;
        if latest.get(&previous[0]) == Some(&mine) {
            let theirs = answers_of(previous.clone()).await?;
            if previous.iter().all(|id| theirs.get(id) == Some(&mine)) {
                flags.insert(Flag::IdenticalStreak);
            }
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
