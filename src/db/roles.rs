//! The application role. Roles are cluster-wide, so they are created here (idempotently, with
//! retries for concurrent creators such as parallel tests) rather than in per-database migrations.

use std::time::Duration;

use sqlx::PgConnection;

/// Owns no table, is not a superuser and cannot bypass row-level security.
pub const APP_ROLE: &str = "zhianbao_app";

pub async fn ensure_app_role(
    conn: &mut PgConnection,
    password: Option<&str>,
) -> anyhow::Result<()> {
    let mut last_error = None;
    for attempt in 0..20u64 {
        match try_ensure(conn, password).await {
            Ok(()) => return Ok(()),
            Err(err) => {
                last_error = Some(err);
                tokio::time::sleep(Duration::from_millis(25 * (attempt + 1))).await;
            }
        }
    }
    Err(last_error.map_or_else(
        || anyhow::anyhow!("could not create role"),
        anyhow::Error::from,
    ))
}

async fn try_ensure(conn: &mut PgConnection, password: Option<&str>) -> Result<(), sqlx::Error> {
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
            .bind(APP_ROLE)
            .fetch_one(&mut *conn)
            .await?;
    if !exists {
        sqlx::raw_sql(
            "CREATE ROLE zhianbao_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT;
             ALTER ROLE zhianbao_app SET statement_timeout = '5s';
             ALTER ROLE zhianbao_app SET idle_in_transaction_session_timeout = '30s';
             ALTER ROLE zhianbao_app SET lock_timeout = '3s';",
        )
        .execute(&mut *conn)
        .await?;
    }
    if let Some(password) = password {
        // The literal is quoted by the server (format %L); passwords are never spliced in Rust.
        let statement: String =
            sqlx::query_scalar("SELECT format('ALTER ROLE zhianbao_app PASSWORD %L', $1::text)")
                .bind(password)
                .fetch_one(&mut *conn)
                .await?;
        sqlx::raw_sql(&statement).execute(&mut *conn).await?;
    }
    Ok(())
}
