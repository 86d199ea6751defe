//! The claims queue: each claim's clocks (fixed on the claim from its rule pack), the order in
//! which claims need attention, and pages of the queue — ranked from the clocks of the 1,000 most
//! urgent claims, only the page's claims read whole. A dashboard's desk is ranked by the database
//! off its own index, in the same order.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::error::AppResult;
use super::pager::{Page, Window};
use crate::domain::claims::{ClaimDeadlines, ClaimStatus, breaches, clock_breaks_at};
use crate::storage::claims::{self as store, Claim, ClaimClock, Desk};

// ----- reading --------------------------------------------------------------------------------

#[derive(Serialize, utoipa::ToSchema)]
pub struct ClaimView {
    #[serde(flatten)]
    pub claim: Claim,
    pub deadlines: ClaimDeadlines,
    /// SLA clocks already broken: contact, survey, decision.
    pub breaches: Vec<&'static str>,
}

/// A claim's clocks (kept on the claim since 0026) and which are already broken: an open
/// claim's by now, a closed one's by its decision.
fn clocks(c: &ClaimClock) -> (ClaimDeadlines, Vec<&'static str>) {
    let d = c.deadlines();
    let now = if is_open_status(&c.status) {
        Utc::now()
    } else {
        c.decided_at.unwrap_or_else(Utc::now)
    };
    let broken = breaches(&d, c.contacted_at, c.surveyed_at, c.decided_at, now);
    (d, broken)
}

fn is_open_status(status: &str) -> bool {
    ClaimStatus::parse(status).is_some_and(ClaimStatus::is_open)
}

/// Where a claim stands in a queue: open first, breached clocks first, daily-life problems (the
/// fast channel) before others, then by when its first clock broke or will break (never: last).
/// The desks' indexes keep open claims in the same order (`storage::claims::desk`).
fn attention(c: &ClaimClock, breaches: &[&str]) -> (bool, bool, bool, DateTime<Utc>) {
    (
        !is_open_status(&c.status),
        breaches.is_empty(),
        !c.fast_channel,
        clock_breaks_at(&c.deadlines(), c.contacted_at, c.surveyed_at, c.decided_at)
            .unwrap_or(DateTime::<Utc>::MAX_UTC),
    )
}

pub(super) fn view(claim: Claim) -> ClaimView {
    let (deadlines, breaches) = clocks(&claim.clock());
    ClaimView {
        claim,
        deadlines,
        breaches,
    }
}

/// The claims the connection's tenant may see, in the order they need attention.
pub async fn queue(conn: &mut sqlx::PgConnection) -> AppResult<Vec<ClaimView>> {
    let mut views: Vec<_> = store::claims(conn)
        .await?
        .into_iter()
        .map(|claim| {
            let v = view(claim);
            (attention(&v.claim.clock(), &v.breaches), v)
        })
        .collect();
    views.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.claim.id.cmp(&b.1.claim.id)));
    Ok(views.into_iter().map(|(_, v)| v).collect())
}

/// Claims per page of the queue.
pub const QUEUE_PAGE: usize = 50;

/// The whole queue (the 1,000 most urgent claims) in attention order, from the clocks alone.
pub async fn ranked(conn: &mut sqlx::PgConnection) -> AppResult<Vec<ClaimClock>> {
    let mut order: Vec<_> = store::queue_clocks(conn)
        .await?
        .into_iter()
        .map(|clock| {
            let (_, broken) = clocks(&clock);
            (attention(&clock, &broken), clock)
        })
        .collect();
    order.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.id.cmp(&b.1.id)));
    Ok(order.into_iter().map(|(_, clock)| clock).collect())
}

/// The desk's `rows` open claims that most need attention, read whole, in the queue's order.
pub async fn desk(
    conn: &mut sqlx::PgConnection,
    desk: Desk,
    rows: u32,
) -> AppResult<Vec<ClaimView>> {
    Ok(store::desk(conn, desk, rows)
        .await?
        .into_iter()
        .map(view)
        .collect())
}

/// These claims read whole, in the order given.
pub async fn whole(conn: &mut sqlx::PgConnection, ids: &[Uuid]) -> AppResult<Vec<ClaimView>> {
    let mut claims: Vec<ClaimView> = store::claims_by_id(conn, ids)
        .await?
        .into_iter()
        .map(view)
        .collect();
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

/// The API's page of the queue: the claims after the first `window.after` of the queue as ranked
/// now. Its cursor is a position, not a claim's key: claims move up the queue as their clocks
/// break, so a key would skip or repeat them as well.
pub async fn queue_window(
    conn: &mut sqlx::PgConnection,
    window: &Window<usize>,
) -> AppResult<Page<ClaimView>> {
    let start = window.after.unwrap_or(0);
    let ids: Vec<Uuid> = ranked(conn)
        .await?
        .iter()
        .skip(start)
        .take(usize::try_from(window.fetch()).unwrap_or(usize::MAX))
        .map(|c| c.id)
        .collect();
    let rows: Vec<(usize, ClaimView)> = whole(conn, &ids)
        .await?
        .into_iter()
        .zip(start + 1..)
        .map(|(v, seen)| (seen, v))
        .collect();
    Ok(window.page(rows, |(seen, _)| *seen).map(|(_, v)| v))
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
        .map(|c| c.id)
        .collect();
    Ok(QueuePage {
        claims: whole(conn, &ids).await?,
        total,
        page,
        pages,
    })
}
