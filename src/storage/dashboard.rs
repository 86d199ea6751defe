//! The figures on the home dashboards. Each query is scoped by row-level security, so a figure
//! can only ever count what the signed-in organisation may see.

use sqlx::PgConnection;

#[derive(Debug, Default, sqlx::FromRow)]
pub struct OrgSummary {
    pub active_users: i64,
    pub live_api_tokens: i64,
    pub audit_events_30d: i64,
}

pub async fn org_summary(conn: &mut PgConnection) -> Result<OrgSummary, sqlx::Error> {
    sqlx::query_as(
        "SELECT (SELECT count(*) FROM users WHERE org_id = app.current_org_id() AND is_active) AS active_users, \
                (SELECT count(*) FROM api_tokens WHERE revoked_at IS NULL) AS live_api_tokens, \
                (SELECT count(*) FROM audit_log WHERE org_id = (SELECT app.current_org_id()) AND user_id IS NOT NULL \
                 AND occurred_at > now() - interval '30 days') AS audit_events_30d",
    )
    .fetch_one(conn)
    .await
}

#[derive(Debug, sqlx::FromRow)]
pub struct KindCount {
    pub kind: String,
    pub organisations: i64,
}

/// Organisations registered in the regulator's jurisdiction, by kind.
pub async fn organisations_in_jurisdiction(
    conn: &mut PgConnection,
) -> Result<Vec<KindCount>, sqlx::Error> {
    sqlx::query_as(
        "SELECT kind, count(*) AS organisations FROM organisations \
         WHERE app.in_jurisdiction(district_id) GROUP BY kind ORDER BY kind",
    )
    .fetch_all(conn)
    .await
}
