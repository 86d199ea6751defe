//! The claims queue: each claim's clocks (fixed on the claim from its rule pack) and pages of the
//! queue. The database ranks the queue in the order claims need attention
//! (`storage::claims::attention_order`); a dashboard's desk is ranked off its own index, in the
//! same order.

use chrono::Utc;
use serde::Serialize;

use super::error::AppResult;
use super::pager::{Page, Window};
use crate::domain::claims::{ClaimDeadlines, ClaimStatus, breaches};
use crate::storage::claims::{self as store, Claim, ClaimLine, ClaimShape, Desk};

// ----- reading --------------------------------------------------------------------------------

#[derive(Serialize, utoipa::ToSchema)]
pub struct ClaimView {
    #[serde(flatten)]
    pub claim: Claim,
    pub deadlines: ClaimDeadlines,
    /// SLA clocks already broken: contact, survey, decision.
    pub breaches: Vec<&'static str>,
}

/// A line of a claims table, with its clocks.
pub struct ClaimLineView {
    pub claim: ClaimLine,
    pub deadlines: ClaimDeadlines,
    /// SLA clocks already broken: contact, survey, decision.
    pub breaches: Vec<&'static str>,
}

/// A claim's clocks (kept on the claim since 0026) and which are already broken: an open
/// claim's by now, a closed one's by its decision.
fn clocks(c: &impl ClaimShape) -> (ClaimDeadlines, Vec<&'static str>) {
    let d = c.deadlines();
    let [contacted, surveyed, decided] = c.progress();
    let open = ClaimStatus::parse(c.status()).is_some_and(ClaimStatus::is_open);
    let now = if open {
        Utc::now()
    } else {
        decided.unwrap_or_else(Utc::now)
    };
    let broken = breaches(&d, contacted, surveyed, decided, now);
    (d, broken)
}

pub(super) fn view(claim: Claim) -> ClaimView {
    let (deadlines, breaches) = clocks(&claim);
    ClaimView {
        claim,
        deadlines,
        breaches,
    }
}

fn line(claim: ClaimLine) -> ClaimLineView {
    let (deadlines, breaches) = clocks(&claim);
    ClaimLineView {
        claim,
        deadlines,
        breaches,
    }
}

/// The claims the connection's tenant may see (the 1,000 most urgent), in the order they need
/// attention, as table lines.
pub async fn queue(conn: &mut sqlx::PgConnection) -> AppResult<Vec<ClaimLineView>> {
    Ok(store::claims(conn).await?.into_iter().map(line).collect())
}

/// The same claims read whole (for the download).
pub async fn queue_whole(conn: &mut sqlx::PgConnection) -> AppResult<Vec<ClaimView>> {
    Ok(store::claims(conn).await?.into_iter().map(view).collect())
}

/// Claims per page of the queue.
pub const QUEUE_PAGE: usize = 50;

/// The desk's `rows` open claims that most need attention, in the queue's order.
pub async fn desk(
    conn: &mut sqlx::PgConnection,
    desk: Desk,
    rows: u32,
) -> AppResult<Vec<ClaimLineView>> {
    Ok(store::desk(conn, desk, rows)
        .await?
        .into_iter()
        .map(line)
        .collect())
}

/// One page of the queue: ordered from the clocks, only the page's claims read (as lines).
pub struct QueuePage {
    pub claims: Vec<ClaimLineView>,
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
    let after = i64::try_from(window.after.unwrap_or(0)).unwrap_or(i64::MAX);
    let rows: Vec<(usize, ClaimView)> = store::queue_page(conn, after, window.fetch())
        .await?
        .into_iter()
        .map(|q| (usize::try_from(q.position).unwrap_or(0), view(q.claim)))
        .collect();
    Ok(window.page(rows, |(seen, _)| *seen).map(|(_, v)| v))
}

/// The queue's `page`, from 1 (a page past the end shows the last).
pub async fn queue_page(conn: &mut sqlx::PgConnection, page: usize) -> AppResult<QueuePage> {
    let rows = QUEUE_PAGE as i64;
    let at = |page: usize| {
        i64::try_from(page.saturating_sub(1))
            .unwrap_or(i64::MAX)
            .saturating_mul(rows)
    };
    let mut found = store::queue_page::<ClaimLine>(conn, at(page), rows).await?;
    if found.is_empty() && page > 1 {
        found = store::queue_page(conn, 0, 1).await?;
        if let Some(total) = found.first().map(|q| q.queued) {
            let last = usize::try_from(total).unwrap_or(1).div_ceil(QUEUE_PAGE);
            found = store::queue_page(conn, at(last), rows).await?;
        }
    }
    let total = found
        .first()
        .map_or(0, |q| usize::try_from(q.queued).unwrap_or(0));
    let pages = total.div_ceil(QUEUE_PAGE).max(1);
    Ok(QueuePage {
        page: found.first().map_or(1, |q| {
            usize::try_from(q.position)
                .unwrap_or(1)
                .div_ceil(QUEUE_PAGE)
        }),
        claims: found.into_iter().map(|q| line(q.claim)).collect(),
        total,
        pages,
    })
}
