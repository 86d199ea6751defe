//! Users: login lookups (pre-authentication, through a narrow SECURITY DEFINER function) and
//! password changes (a user may update only their own row).

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

pub struct LoginCandidate {
    pub user_id: Uuid,
    pub password_hash: String,
    pub is_active: bool,
}

pub async fn login_lookup(
    pool: &PgPool,
    username: &str,
) -> Result<Option<LoginCandidate>, sqlx::Error> {
    let row: Option<(Uuid, String, bool)> =
        sqlx::query_as("SELECT user_id, password_hash, is_active FROM app.login_lookup($1)")
            .bind(username)
            .fetch_optional(pool)
            .await?;
    Ok(
        row.map(|(user_id, password_hash, is_active)| LoginCandidate {
            user_id,
            password_hash,
            is_active,
        }),
    )
}

pub async fn current_password_hash(
    conn: &mut PgConnection,
    user_id: Uuid,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(conn)
        .await
}

/// Replaces the hash. With `ends_sessions`, every session created before now stops working.
pub async fn set_password_hash(
    conn: &mut PgConnection,
    user_id: Uuid,
    hash: &str,
    ends_sessions: bool,
) -> Result<bool, sqlx::Error> {
    let sql = if ends_sessions {
        "UPDATE users SET password_hash = $2, password_changed_at = now() WHERE id = $1"
    } else {
        "UPDATE users SET password_hash = $2 WHERE id = $1"
    };
    Ok(sqlx::query(sql)
        .bind(user_id)
        .bind(hash)
        .execute(conn)
        .await?
        .rows_affected()
        == 1)
}

pub async fn count_in_org(conn: &mut PgConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT count(*) FROM users WHERE org_id = app.current_org_id() AND is_active",
    )
    .fetch_one(conn)
    .await
}
