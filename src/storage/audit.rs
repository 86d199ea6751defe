//! The append-only audit trail. Rows are chained per organisation by a database trigger; the
//! application can insert and read its own organisation's rows, never change them.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::tenancy::Principal;

pub struct Entry<'a> {
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: Option<Uuid>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

pub async fn record(
    conn: &mut PgConnection,
    principal: &Principal,
    request_id: &str,
    entry: Entry<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (chain_key, seq, org_id, user_id, action, entity_type, entity_id, \
                                before, after, request_id, prev_hash, hash) \
         VALUES (gen_random_uuid(), 0, $1, $2, $3, $4, $5, $6, $7, $8, '', '')",
    )
    .bind(principal.org.as_ref().map(|o| o.id))
    .bind(principal.user_id)
    .bind(entry.action)
    .bind(entry.entity_type)
    .bind(entry.entity_id)
    .bind(entry.before)
    .bind(entry.after)
    .bind(request_id)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct AuditEvent {
    pub seq: i64,
    pub occurred_at: DateTime<Utc>,
    pub username: Option<String>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<Uuid>,
    pub request_id: String,
}

pub async fn recent(conn: &mut PgConnection, limit: i64) -> Result<Vec<AuditEvent>, sqlx::Error> {
    sqlx::query_as(
        "SELECT a.seq, a.occurred_at, u.username, a.action, a.entity_type, a.entity_id, a.request_id \
         FROM ((SELECT * FROM audit_log WHERE org_id = (SELECT app.current_org_id()) \
                ORDER BY occurred_at DESC, seq DESC LIMIT $1) \
               UNION ALL \
               (SELECT * FROM audit_log WHERE org_id IS NULL AND user_id = (SELECT app.current_user_id()) \
                ORDER BY occurred_at DESC, seq DESC LIMIT $1)) a \
         LEFT JOIN users u ON u.id = a.user_id \
         ORDER BY a.occurred_at DESC, a.seq DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(conn)
    .await
}

#[derive(Debug, sqlx::FromRow)]
pub struct ChainBreak {
    pub chain_key: Uuid,
    pub seq: i64,
    pub problem: String,
}

/// Recomputes every chain (run as the owner, outside row-level security). An edited row breaks
/// its own hash; a deleted or reordered row breaks the link or the sequence; a truncated tail no
/// longer matches the chain head.
pub async fn verify_chains(conn: &mut PgConnection) -> Result<(i64, Vec<ChainBreak>), sqlx::Error> {
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log")
        .fetch_one(&mut *conn)
        .await?;
    let breaks = sqlx::query_as(
        "WITH rows AS ( \
            SELECT chain_key, seq, prev_hash, hash, \
                   app.audit_hash(prev_hash, seq, chain_key, org_id, user_id, action, entity_type, entity_id, \
                                  before, after, request_id, occurred_at) AS recomputed, \
                   lag(hash) OVER w AS previous_hash, lag(seq) OVER w AS previous_seq \
            FROM audit_log WINDOW w AS (PARTITION BY chain_key ORDER BY seq)) \
         SELECT chain_key, seq, 'row content does not match its hash' AS problem FROM rows WHERE recomputed <> hash \
         UNION ALL \
         SELECT chain_key, seq, 'link to the previous row is broken' FROM rows \
            WHERE prev_hash <> coalesce(previous_hash, '\\x'::bytea) \
         UNION ALL \
         SELECT chain_key, seq, 'sequence gap before this row' FROM rows WHERE seq <> coalesce(previous_seq, 0) + 1 \
         UNION ALL \
         SELECT h.chain_key, h.seq, 'chain head does not match the last row' FROM audit_chain_heads h \
            WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.chain_key = h.chain_key AND a.seq = h.seq AND a.hash = h.hash) \
         ORDER BY 1, 2",
    )
    .fetch_all(conn)
    .await?;
    Ok((total, breaks))
}
