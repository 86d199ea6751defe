//! Connecting to PostgreSQL: create the database, the application role and the schema, then
//! hand out a pool that queries as the application role (which cannot bypass row-level security).

pub mod embedded;
pub mod roles;
pub mod tenant;

use std::str::FromStr;

use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, Executor, PgConnection, PgPool, Row};

use crate::config::Settings;

pub use roles::APP_ROLE;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// Creates the database if missing, the application role, and runs migrations, all as the
/// owner connection given by `DATABASE_URL`.
pub async fn prepare_schema(settings: &Settings) -> anyhow::Result<()> {
    let owner = owner_options(&settings.database_url)?;
    create_database_if_missing(&owner).await?;
    let mut conn = owner
        .connect()
        .await
        .context("connecting to the database")?;
    roles::ensure_app_role(&mut conn, Some(&settings.app_db_password)).await?;
    MIGRATOR
        .run(&mut conn)
        .await
        .context("running migrations")?;
    conn.close().await?;
    Ok(())
}

pub fn owner_options(database_url: &str) -> anyhow::Result<PgConnectOptions> {
    Ok(PgConnectOptions::from_str(database_url)
        .context("DATABASE_URL is not a valid PostgreSQL URL")?
        .application_name("zhianbao-admin")
        .disable_statement_logging())
}

/// A pool of the owner role, for operator commands (seed, admin, audit verification).
pub async fn owner_pool(database_url: &str) -> anyhow::Result<PgPool> {
    Ok(PgPoolOptions::new()
        .max_connections(2)
        .connect_with(owner_options(database_url)?)
        .await?)
}

/// The pool every request uses: the application role, short acquire timeout (fast 503s when the
/// database is down), and a guard that drops any connection returned with an open transaction
/// or a tenant context still set (sqlx#4393), so a context can never reach the next request.
pub async fn app_pool(settings: &Settings) -> anyhow::Result<PgPool> {
    let options = owner_options(&settings.database_url)?
        .username(APP_ROLE)
        .password(&settings.app_db_password)
        .application_name("zhianbao");
    let pool = PgPoolOptions::new()
        .max_connections(settings.max_connections)
        .min_connections(0)
        .acquire_timeout(settings.acquire_timeout)
        .after_release(|conn, _meta| Box::pin(async move { Ok(connection_is_clean(conn).await) }))
        // A connection answered its clean-check when it came back; one back for a moment is
        // alive, and pinging it would add a round trip to every request. One idle for a while
        // may have been cut (a restart, a firewall), and is pinged; if it fails another is taken.
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= PING_WHEN_IDLE {
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
        .connect_lazy_with(options);
    Ok(pool)
}

/// How long a connection may sit idle in the pool before it is pinged as it is handed out.
const PING_WHEN_IDLE: std::time::Duration = std::time::Duration::from_secs(5);

/// True when a returned connection has no open transaction and no tenant context. Sent with the
/// simple-query protocol (one message), so both timestamps are taken together unless an earlier
/// transaction is still open.
async fn connection_is_clean(conn: &mut PgConnection) -> bool {
    let check = "SELECT statement_timestamp() = transaction_timestamp() \
                 AND coalesce(current_setting('app.user_id', true), '') = ''";
    match conn.fetch_one(sqlx::raw_sql(check)).await {
        Ok(row) => row.try_get::<bool, _>(0).unwrap_or(false),
        Err(_) => false,
    }
}

async fn create_database_if_missing(owner: &PgConnectOptions) -> anyhow::Result<()> {
    let name = owner.get_database().unwrap_or("postgres").to_owned();
    let mut admin = owner
        .clone()
        .database("postgres")
        .connect()
        .await
        .context("connecting to PostgreSQL")?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(&name)
            .fetch_one(&mut admin)
            .await?;
    if !exists {
        // Identifiers cannot be bound; quote_ident builds the statement server-side.
        let statement: String = sqlx::query_scalar("SELECT 'CREATE DATABASE ' || quote_ident($1)")
            .bind(&name)
            .fetch_one(&mut admin)
            .await?;
        if let Err(err) = sqlx::raw_sql(&statement).execute(&mut admin).await {
            let duplicate = err
                .as_database_error()
                .and_then(|e| e.code())
                .is_some_and(|code| code == "42P04" || code == "23505");
            if !duplicate {
                return Err(err).context("creating the database");
            }
        }
        tracing::info!(database = %name, "created database");
    }
    admin.close().await?;
    Ok(())
}

/// True when something answers on the owner connection's server.
pub async fn server_reachable(database_url: &str) -> bool {
    let Ok(options) = owner_options(database_url) else {
        return false;
    };
    let attempt = tokio::time::timeout(
        std::time::Duration::from_secs(3),
        PgConnection::connect_with(&options.database("postgres")),
    )
    .await;
    matches!(attempt, Ok(Ok(_)))
}
