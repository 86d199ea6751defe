//! Failed-login counters (pre-authentication, outside tenant data).

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use crate::domain::throttle::{self, ThrottlePolicy, ThrottleState};

pub async fn locked_until(
    conn: &mut PgConnection,
    keys: &[String],
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT max(locked_until) FROM login_throttle WHERE key = ANY($1) AND locked_until > now()",
    )
    .bind(keys)
    .fetch_one(conn)
    .await
}

/// Counts one failure against `key` (the row is locked for the read-modify-write).
pub async fn record_failure(
    conn: &mut PgConnection,
    key: &str,
    policy: &ThrottlePolicy,
    now: DateTime<Utc>,
) -> Result<ThrottleState, sqlx::Error> {
    sqlx::query("INSERT INTO login_throttle (key) VALUES ($1) ON CONFLICT (key) DO NOTHING")
        .bind(key)
        .execute(&mut *conn)
        .await?;
    let (failures, window_start, locked_until): (i32, DateTime<Utc>, Option<DateTime<Utc>>) =
        sqlx::query_as("SELECT failures, window_start, locked_until FROM login_throttle WHERE key = $1 FOR UPDATE")
            .bind(key)
            .fetch_one(&mut *conn)
            .await?;
    let previous = (failures > 0).then_some(ThrottleState {
        failures,
        window_start,
        locked_until,
    });
    let next = throttle::record_failure(policy, previous, now);
    sqlx::query("UPDATE login_throttle SET failures = $2, window_start = $3, locked_until = $4 WHERE key = $1")
        .bind(key)
        .bind(next.failures)
        .bind(next.window_start)
        .bind(next.locked_until)
        .execute(conn)
        .await?;
    Ok(next)
}

pub async fn clear(conn: &mut PgConnection, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_throttle WHERE key = $1")
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}
