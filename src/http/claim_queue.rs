//! The claims queue: each claim's clocks (from its rule pack), the order in which claims need
//! attention, and pages of the queue — ranked from the clocks of the 1,000 most urgent claims,
//! only the page's claims read whole.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::error::{AppError, AppResult};
use crate::domain::claims::{ClaimDeadlines, ClaimStatus, breaches, deadlines};
use crate::storage::claims::{self as store, Claim, ClaimClock, Desk};
use crate::storage::rules::{self, RulePackVersion};

// ----- reading --------------------------------------------------------------------------------

#[derive(Serialize, utoipa::ToSchema)]
pub struct ClaimView {
    #[serde(flatten)]
    pub claim: Claim,
    pub deadlines: ClaimDeadlines,
    /// SLA clocks already broken: contact, survey, decision.
    pub breaches: Vec<&'static str>,
}

/// Rule packs by id: a queue of claims mostly shares a handful of them.
pub(super) type Packs = HashMap<Uuid, RulePackVersion>;

/// A claim's clocks: when each step is due, and which are already broken (an open claim's by now,
/// a closed one's by its decision).
async fn clocks(
    conn: &mut sqlx::PgConnection,
    c: &ClaimClock,
    packs: &mut Packs,
) -> AppResult<(ClaimDeadlines, Vec<&'static str>)> {
    let pack = match packs.entry(c.rule_pack_id) {
        Entry::Occupied(known) => known.into_mut(),
        Entry::Vacant(slot) => slot.insert(
            rules::find(conn, c.rule_pack_id)
                .await?
                .ok_or(AppError::NotFound)?,
        ),
    };
    let d = deadlines(
        &pack.params,
        c.reopened_at.unwrap_or(c.reported_at),
        c.fast_channel,
        c.complex,
    );
    let now = if is_open_status(&c.status) {
        Utc::now()
    } else {
        c.decided_at.unwrap_or_else(Utc::now)
    };
    let broken = breaches(&d, c.contacted_at, c.surveyed_at, c.decided_at, now);
    Ok((d, broken))
}

fn is_open_status(status: &str) -> bool {
    ClaimStatus::parse(status).is_some_and(ClaimStatus::is_open)
}

/// Where a claim stands in a queue: open first, breached clocks first, daily-life problems (the
/// fast channel) before others, then by due time.
fn attention(
    status: &str,
    breaches: &[&str],
    fast: bool,
    d: &ClaimDeadlines,
) -> (bool, bool, bool, DateTime<Utc>) {
    (
        !is_open_status(status),
        breaches.is_empty(),
        !fast,
        d.survey_by,
    )
}

pub(super) async fn view(
    conn: &mut sqlx::PgConnection,
    claim: Claim,
    packs: &mut Packs,
) -> AppResult<ClaimView> {
    let (deadlines, breaches) = clocks(conn, &claim.clock(), packs).await?;
    Ok(ClaimView {
        claim,
        deadlines,
        breaches,
    })
}

/// The claims the connection's tenant may see, in the order they need attention.
pub async fn queue(conn: &mut sqlx::PgConnection) -> AppResult<Vec<ClaimView>> {
    let mut views = Vec::new();
    let mut packs = Packs::new();
    for claim in store::claims(conn).await? {
        views.push(view(conn, claim, &mut packs).await?);
    }
    views.sort_by_key(|v| {
        attention(
            &v.claim.status,
            &v.breaches,
            v.claim.fast_channel,
            &v.deadlines,
        )
    });
    Ok(views)
}

/// Claims per page of the queue.
pub const QUEUE_PAGE: usize = 50;

/// A claim's place in the queue: its clocks, and whether one is already broken.
pub struct Ranked {
    pub clock: ClaimClock,
    pub late: bool,
}

/// The whole queue (the 1,000 most urgent claims) in attention order, from the clocks alone.
pub async fn ranked(conn: &mut sqlx::PgConnection) -> AppResult<Vec<Ranked>> {
    let clocks = store::queue_clocks(conn).await?;
    rank(conn, clocks).await
}

/// The desk's open claims (its 1,000 most urgent) in attention order.
pub async fn ranked_desk(conn: &mut sqlx::PgConnection, desk: Desk) -> AppResult<Vec<Ranked>> {
    let clocks = store::desk_clocks(conn, desk).await?;
    rank(conn, clocks).await
}

async fn rank(conn: &mut sqlx::PgConnection, queue: Vec<ClaimClock>) -> AppResult<Vec<Ranked>> {
    let mut packs = Packs::new();
    let mut order = Vec::new();
    for clock in queue {
        let (d, broken) = clocks(conn, &clock, &mut packs).await?;
        let key = attention(&clock.status, &broken, clock.fast_channel, &d);
        order.push((
            key,
            Ranked {
                clock,
                late: !broken.is_empty(),
            },
        ));
    }
    order.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.clock.id.cmp(&b.1.clock.id)));
    Ok(order.into_iter().map(|(_, r)| r).collect())
}

/// These claims read whole, in the order given.
pub async fn whole(conn: &mut sqlx::PgConnection, ids: &[Uuid]) -> AppResult<Vec<ClaimView>> {
    let mut packs = Packs::new();
    let mut claims = Vec::with_capacity(ids.len());
    for claim in store::claims_by_id(conn, ids).await? {
        claims.push(view(conn, claim, &mut packs).await?);
    }
    claims.sort_by_key(|v| ids.iter().position(|id| *id == v.claim.id));
    Ok(claims)
}

/// One page of the queue: ordered from the clocks, only the page's claims read whole.
pub struct QueuePage {
    pub claims: Vec<ClaimView>,
    /// In the queue (at most 1,000: the most urgent).
    pub total: usize,
    pub page: usize,
    pub pages: usize,
}

pub async fn queue_page(conn: &mut sqlx::PgConnection, page: usize) -> AppResult<QueuePage> {
    let order = ranked(conn).await?;
    let total = order.len();
    let pages = total.div_ceil(QUEUE_PAGE).max(1);
    let page = page.clamp(1, pages);
    let ids: Vec<Uuid> = order
        .iter()
        .skip((page - 1) * QUEUE_PAGE)
        .take(QUEUE_PAGE)
        .map(|r| r.clock.id)
        .collect();
    Ok(QueuePage {
        claims: whole(conn, &ids).await?,
        total,
        page,
        pages,
    })
}
