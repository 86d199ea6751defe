//! The directory of organisations, and operator commands that create organisations and users.

use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Organisation {
    pub id: Uuid,
    pub code: String,
    pub kind: String,
    pub name_zh: String,
    pub name_en: String,
    pub district_code: String,
    pub district_name_zh: String,
    pub district_name_en: String,
}

/// Organisations visible to the signed-in user, optionally of one kind.
pub async fn directory(
    conn: &mut PgConnection,
    kind: Option<&str>,
) -> Result<Vec<Organisation>, sqlx::Error> {
    sqlx::query_as(
        "SELECT o.id, o.code, o.kind, o.name_zh, o.name_en, d.code AS district_code, \
                d.name_zh AS district_name_zh, d.name_en AS district_name_en \
         FROM organisations o JOIN districts d ON d.id = o.district_id \
         WHERE ($1::text IS NULL OR o.kind = $1) ORDER BY o.kind, d.admin_code, o.code LIMIT 500",
    )
    .bind(kind)
    .fetch_all(conn)
    .await
}

/// Operator command (owner connection): creates or updates an organisation by its code.
pub async fn upsert(
    conn: &mut PgConnection,
    code: &str,
    kind: &str,
    name_zh: &str,
    name_en: &str,
    district_code: &str,
) -> anyhow::Result<Uuid> {
    let district: Option<Uuid> = sqlx::query_scalar("SELECT id FROM districts WHERE code = $1")
        .bind(district_code)
        .fetch_optional(&mut *conn)
        .await?;
    let district =
        district.ok_or_else(|| anyhow::anyhow!("unknown district code {district_code:?}"))?;
    Ok(sqlx::query_scalar(
        "INSERT INTO organisations (code, kind, name_zh, name_en, district_id) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (code) DO UPDATE SET kind = EXCLUDED.kind, name_zh = EXCLUDED.name_zh, \
             name_en = EXCLUDED.name_en, district_id = EXCLUDED.district_id \
         RETURNING id",
    )
    .bind(code)
    .bind(kind)
    .bind(name_zh)
    .bind(name_en)
    .bind(district)
    .fetch_one(conn)
    .await?)
}

/// Operator command (owner connection): creates a user, or resets an existing one's password
/// and role, which also ends that user's sessions.
pub async fn upsert_user(
    conn: &mut PgConnection,
    org_code: Option<&str>,
    username: &str,
    display_name: &str,
    role: &str,
    password_hash: &str,
) -> anyhow::Result<Uuid> {
    let org_id: Option<Uuid> = match org_code {
        Some(code) => Some(
            sqlx::query_scalar("SELECT id FROM organisations WHERE code = $1")
                .bind(code)
                .fetch_optional(&mut *conn)
                .await?
                .ok_or_else(|| anyhow::anyhow!("unknown organisation code {code:?}"))?,
        ),
        None => None,
    };
    Ok(sqlx::query_scalar(
        "INSERT INTO users (org_id, username, display_name, role, password_hash) VALUES ($1, lower($2), $3, $4, $5) \
         ON CONFLICT (username) DO UPDATE SET org_id = EXCLUDED.org_id, display_name = EXCLUDED.display_name, \
             role = EXCLUDED.role, password_hash = EXCLUDED.password_hash, password_changed_at = now() \
         RETURNING id",
    )
    .bind(org_id)
    .bind(username)
    .bind(display_name)
    .bind(role)
    .bind(password_hash)
    .fetch_one(conn)
    .await?)
}
