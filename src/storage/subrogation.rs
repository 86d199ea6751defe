//! Subrogation cases and the recoveries booked against them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct SubrogationCase {
    pub id: Uuid,
    pub claim_id: Uuid,
    pub lead_insurer_org_id: Uuid,
    pub against_party: String,
    pub basis: String,
    pub claimed_fen: i64,
    pub recovered_fen: i64,
    pub status: String,
    pub closing_note: Option<String>,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i32,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Recovery {
    pub id: Uuid,
    pub amount_fen: i64,
    pub received_on: NaiveDate,
    pub reference: String,
    pub recorded_at: DateTime<Utc>,
}

const CASE_SELECT: &str = "\
    SELECT s.id, s.claim_id, s.lead_insurer_org_id, s.against_party, s.basis, s.claimed_fen, \
           coalesce((SELECT sum(r.amount_fen) FROM subrogation_recoveries r WHERE r.case_id = s.id), 0)::bigint AS recovered_fen, \
           s.status, s.closing_note, s.opened_at, s.closed_at, s.version \
    FROM subrogation_cases s";

pub async fn by_claim(
    conn: &mut PgConnection,
    claim: Uuid,
) -> Result<Option<SubrogationCase>, sqlx::Error> {
    sqlx::query_as(&[CASE_SELECT, " WHERE s.claim_id = $1"].concat())
        .bind(claim)
        .fetch_optional(conn)
        .await
}

pub async fn find(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<Option<SubrogationCase>, sqlx::Error> {
    sqlx::query_as(&[CASE_SELECT, " WHERE s.id = $1"].concat())
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn recoveries(conn: &mut PgConnection, case: Uuid) -> Result<Vec<Recovery>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, amount_fen, received_on, reference, recorded_at FROM subrogation_recoveries \
         WHERE case_id = $1 ORDER BY received_on, recorded_at",
    )
    .bind(case)
    .fetch_all(conn)
    .await
}

pub struct NewCase<'a> {
    pub against_party: &'a str,
    pub basis: &'a str,
    pub claimed_fen: i64,
}

pub async fn open(
    conn: &mut PgConnection,
    claim: Uuid,
    case: NewCase<'_>,
    by: Uuid,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO subrogation_cases (claim_id, lead_insurer_org_id, project_id, district_id, developer_org_id, \
                                        against_party, basis, claimed_fen, opened_by) \
         SELECT c.id, c.lead_insurer_org_id, c.project_id, c.district_id, c.developer_org_id, $2, $3, $4, $5 \
         FROM claims c WHERE c.id = $1 RETURNING id",
    )
    .bind(claim)
    .bind(case.against_party)
    .bind(case.basis)
    .bind(case.claimed_fen)
    .bind(by)
    .fetch_one(conn)
    .await
}

pub async fn add_recovery(
    conn: &mut PgConnection,
    case: &SubrogationCase,
    amount_fen: i64,
    received_on: NaiveDate,
    reference: &str,
    by: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO subrogation_recoveries (case_id, lead_insurer_org_id, amount_fen, received_on, reference, recorded_by) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(case.id)
    .bind(case.lead_insurer_org_id)
    .bind(amount_fen)
    .bind(received_on)
    .bind(reference)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(())
}

/// Moves a case if it is still at its version; closing stamps the time.
pub async fn transition(
    conn: &mut PgConnection,
    case: &SubrogationCase,
    to: &str,
    closing_note: Option<&str>,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE subrogation_cases SET status = $3, version = version + 1, \
            closing_note = coalesce($4, closing_note), \
            closed_at = CASE WHEN $3 <> 'open' THEN now() ELSE closed_at END \
         WHERE id = $1 AND version = $2",
    )
    .bind(case.id)
    .bind(case.version)
    .bind(to)
    .bind(closing_note)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}
