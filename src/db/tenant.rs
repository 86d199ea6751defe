//! The tenant context: who is acting, for which organisation, in which district. It is set as
//! transaction-local settings at the start of every transaction, so row-level security policies
//! see it, an unset context matches nothing, and COMMIT or ROLLBACK clears it.

use sqlx::{PgConnection, PgPool, Postgres, Transaction};
use uuid::Uuid;

use crate::domain::tenancy::Principal;

pub async fn begin(
    pool: &PgPool,
    principal: &Principal,
) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    set_context(&mut tx, principal).await?;
    Ok(tx)
}

/// Sets (or replaces) the context inside an open transaction.
pub async fn set_context(
    conn: &mut PgConnection,
    principal: &Principal,
) -> Result<(), sqlx::Error> {
    let org = principal.org.as_ref();
    sqlx::query(
        "SELECT set_config('app.user_id', $1, true), set_config('app.user_role', $2, true), \
                set_config('app.org_id', $3, true), set_config('app.org_kind', $4, true), \
                set_config('app.district_id', $5, true)",
    )
    .bind(principal.user_id.to_string())
    .bind(principal.role.as_str())
    .bind(org.map(|o| o.id.to_string()).unwrap_or_default())
    .bind(org.map(|o| o.kind.as_str()).unwrap_or_default())
    .bind(org.map(|o| o.district_id.to_string()).unwrap_or_default())
    .execute(conn)
    .await?;
    Ok(())
}

/// A context that names only the user, for the first statements of a login (before the full
/// principal can be read back).
pub async fn set_user_only(conn: &mut PgConnection, user_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT set_config('app.user_id', $1, true)")
        .bind(user_id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}
