//! Server-side sessions. The cookie holds a random token; the table holds only its SHA-256.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::domain::tenancy::{OrgKind, OrgRef, Principal, UserRole};

#[derive(sqlx::FromRow)]
struct PrincipalRow {
    user_id: Uuid,
    username: String,
    display_name: String,
    role: String,
    org_id: Option<Uuid>,
    org_code: Option<String>,
    org_kind: Option<String>,
    org_name_zh: Option<String>,
    org_name_en: Option<String>,
    district_id: Option<Uuid>,
    district_name_zh: Option<String>,
    district_name_en: Option<String>,
}

impl PrincipalRow {
    fn into_principal(self, role: UserRole, api_token_id: Option<Uuid>) -> Option<Principal> {
        let org = match (
            self.org_id,
            self.org_kind.as_deref().and_then(OrgKind::parse),
            self.district_id,
        ) {
            (Some(id), Some(kind), Some(district_id)) => Some(OrgRef {
                id,
                code: self.org_code.unwrap_or_default(),
                kind,
                name_zh: self.org_name_zh.unwrap_or_default(),
                name_en: self.org_name_en.unwrap_or_default(),
                district_id,
                district_name_zh: self.district_name_zh.unwrap_or_default(),
                district_name_en: self.district_name_en.unwrap_or_default(),
            }),
            (None, _, _) => None,
            // An organisation row we cannot interpret: refuse rather than act without it.
            _ => return None,
        };
        Some(Principal {
            user_id: self.user_id,
            username: self.username,
            display_name: self.display_name,
            role,
            org,
            api_token_id,
        })
    }
}

/// The principal behind a live session (sliding its idle timeout), or None.
pub async fn principal<'e>(
    executor: impl PgExecutor<'e>,
    id_hash: &[u8],
    idle_seconds: i32,
) -> Result<Option<Principal>, sqlx::Error> {
    let row: Option<PrincipalRow> = sqlx::query_as("SELECT * FROM app.session_principal($1, $2)")
        .bind(id_hash)
        .bind(idle_seconds)
        .fetch_optional(executor)
        .await?;
    Ok(row.and_then(|r| {
        let role = UserRole::parse(&r.role)?;
        r.into_principal(role, None)
    }))
}

/// The principal behind an API token. Tokens act as staff of their organisation.
pub async fn token_principal<'e>(
    executor: impl PgExecutor<'e>,
    token_hash: &[u8],
) -> Result<Option<Principal>, sqlx::Error> {
    let row: Option<(Uuid, PrincipalRow)> = sqlx::query_as::<_, TokenRow>(
        "SELECT token_id, user_id, username, display_name, 'staff' AS role, org_id, org_code, org_kind, \
                org_name_zh, org_name_en, district_id, district_name_zh, district_name_en \
         FROM app.token_principal($1)",
    )
    .bind(token_hash)
    .fetch_optional(executor)
    .await?
    .map(|t| (t.token_id, t.principal));
    Ok(row.and_then(|(token_id, r)| r.into_principal(UserRole::Staff, Some(token_id))))
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    token_id: Uuid,
    #[sqlx(flatten)]
    principal: PrincipalRow,
}

/// Inserts a session for the principal of the current tenant transaction.
pub async fn create(
    conn: &mut PgConnection,
    user_id: Uuid,
    id_hash: &[u8],
    absolute_seconds: i64,
    user_agent: &str,
    ip: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, absolute_expires_at, user_agent, ip) \
         VALUES ($1, $2, now() + make_interval(secs => $3), left($4, 300), left($5, 64))",
    )
    .bind(id_hash)
    .bind(user_id)
    .bind(absolute_seconds as f64)
    .bind(user_agent)
    .bind(ip)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn end<'e>(executor: impl PgExecutor<'e>, id_hash: &[u8]) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT app.end_session($1)")
        .bind(id_hash)
        .execute(executor)
        .await?;
    Ok(())
}

#[derive(Debug, sqlx::FromRow)]
pub struct SessionRow {
    pub id_hash: Vec<u8>,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub user_agent: String,
    pub ip: String,
}

/// The current user's sessions (row-level security limits them to the user's own).
pub async fn list_own(conn: &mut PgConnection) -> Result<Vec<SessionRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id_hash, created_at, last_seen_at, user_agent, ip FROM sessions ORDER BY last_seen_at DESC LIMIT 50",
    )
    .fetch_all(conn)
    .await
}

pub async fn end_others(conn: &mut PgConnection, keep_id_hash: &[u8]) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM sessions WHERE id_hash <> $1")
        .bind(keep_id_hash)
        .execute(conn)
        .await?
        .rows_affected())
}
