//! The tenant context: who is acting, for which organisation, in which district. It is set as
//! transaction-local settings at the start of every transaction, so row-level security policies
//! see it, an unset context matches nothing, and COMMIT or ROLLBACK clears it.

use sqlx::pool::PoolConnection;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};
use uuid::Uuid;

use crate::domain::tenancy::Principal;

pub async fn begin(
    pool: &PgPool,
    principal: &Principal,
) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
    begin_on(pool.acquire().await?, principal).await
}

/// Opens the transaction on a connection already taken from the pool (the one the request's
/// session was read on), BEGIN and the context in one round trip. This is what sqlx's
/// `Pool::begin_with` does on a connection it acquires itself; `Transaction::begin` is hidden from
/// sqlx's documentation, so a sqlx upgrade must check it is still there.
pub async fn begin_on(
    conn: PoolConnection<Postgres>,
    principal: &Principal,
) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
    Transaction::begin(conn, Some(begin_with_context(principal).into())).await
}

/// BEGIN and the five settings as one simple query. The values are written in as literals, which
/// is safe because each is a UUID or one of our own role and kind names, never text a user typed.
fn begin_with_context(principal: &Principal) -> String {
    let org = principal.org.as_ref();
    let literal = |value: Option<Uuid>| value.map(|id| id.to_string()).unwrap_or_default();
    format!(
        "BEGIN; SELECT set_config('app.user_id', '{}', true), \
         set_config('app.user_role', '{}', true), set_config('app.org_id', '{}', true), \
         set_config('app.org_kind', '{}', true), set_config('app.district_id', '{}', true)",
        principal.user_id,
        principal.role.as_str(),
        literal(org.map(|o| o.id)),
        org.map(|o| o.kind.as_str()).unwrap_or_default(),
        literal(org.map(|o| o.district_id)),
    )
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::tenancy::{OrgKind, OrgRef, UserRole};

    fn principal(org: Option<OrgRef>) -> Principal {
        Principal {
            user_id: Uuid::from_u128(1),
            username: "o'brien".into(),
            display_name: "'; DROP TABLE users; --".into(),
            role: UserRole::Staff,
            org,
            api_token_id: None,
        }
    }

    #[test]
    fn the_context_statement_writes_only_ids_and_our_own_names() {
        let org = OrgRef {
            id: Uuid::from_u128(2),
            code: "x'".into(),
            kind: OrgKind::Insurer,
            name_zh: "'".into(),
            name_en: "'".into(),
            district_id: Uuid::from_u128(3),
            district_name_zh: "'".into(),
            district_name_en: "'".into(),
        };
        let sql = begin_with_context(&principal(Some(org)));
        assert!(sql.starts_with("BEGIN; SELECT set_config('app.user_id', "));
        assert_eq!(sql.matches('\'').count(), 20, "{sql}");
        for value in [
            "'00000000-0000-0000-0000-000000000001'",
            "'staff'",
            "'00000000-0000-0000-0000-000000000002'",
            "'insurer'",
            "'00000000-0000-0000-0000-000000000003'",
        ] {
            assert!(sql.contains(value), "{value} in {sql}");
        }
    }

    #[test]
    fn a_principal_without_organisation_sets_empty_settings() {
        let sql = begin_with_context(&principal(None));
        assert_eq!(sql.matches("''").count(), 3, "{sql}");
    }
}
