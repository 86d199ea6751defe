//! API tokens an organisation admin issues for its own systems. Only the SHA-256 is stored; the
//! token is shown once, at creation.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ApiToken {
    pub id: Uuid,
    pub name: String,
    /// The first characters of the token, to recognise it.
    pub token_prefix: String,
    pub created_by_username: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The organisation's tokens, or just the one with `id`.
pub async fn list(conn: &mut PgConnection, id: Option<Uuid>) -> Result<Vec<ApiToken>, sqlx::Error> {
    sqlx::query_as(
        "SELECT t.id, t.name, t.token_prefix, u.username AS created_by_username, t.created_at, \
                t.last_used_at, t.revoked_at \
         FROM api_tokens t JOIN users u ON u.id = t.created_by \
         WHERE ($1::uuid IS NULL OR t.id = $1) \
         ORDER BY t.revoked_at IS NOT NULL, t.created_at DESC LIMIT 200",
    )
    .bind(id)
    .fetch_all(conn)
    .await
}

pub async fn insert(
    conn: &mut PgConnection,
    org_id: Uuid,
    created_by: Uuid,
    name: &str,
    token_hash: &[u8],
    token_prefix: &str,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO api_tokens (org_id, name, token_hash, token_prefix, created_by) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(org_id)
    .bind(name)
    .bind(token_hash)
    .bind(token_prefix)
    .bind(created_by)
    .fetch_one(conn)
    .await
}

/// Revokes a live token; false when there is no such live token in this organisation.
pub async fn revoke(conn: &mut PgConnection, id: Uuid) -> Result<bool, sqlx::Error> {
    Ok(
        sqlx::query(
            "UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL",
        )
        .bind(id)
        .execute(conn)
        .await?
        .rows_affected()
            == 1,
    )
}
