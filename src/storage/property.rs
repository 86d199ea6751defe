//! Which property manager (物业) serves which project: recorded by the developer, it lets the
//! manager report common-area defects for the owners.

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Mandate {
    pub id: Uuid,
    pub project_id: Uuid,
    pub project_name: String,
    pub manager_org_id: Uuid,
    pub manager_name_zh: String,
    pub since: NaiveDate,
}

/// The mandates the tenant may see, for one project or all.
pub async fn mandates(
    conn: &mut PgConnection,
    project: Option<Uuid>,
) -> Result<Vec<Mandate>, sqlx::Error> {
    sqlx::query_as(
        "SELECT m.id, m.project_id, p.name AS project_name, m.manager_org_id, o.name_zh AS manager_name_zh, m.since \
         FROM property_mandates m JOIN projects p ON p.id = m.project_id JOIN organisations o ON o.id = m.manager_org_id \
         WHERE ($1::uuid IS NULL OR m.project_id = $1) ORDER BY p.name, m.since LIMIT 1000",
    )
    .bind(project)
    .fetch_all(conn)
    .await
}

pub async fn insert_mandate(
    conn: &mut PgConnection,
    project: &super::projects::Project,
    manager: Uuid,
    since: NaiveDate,
    by: Uuid,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO property_mandates (project_id, district_id, developer_org_id, manager_org_id, since, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(project.id)
    .bind(project.district_id)
    .bind(project.developer_org_id)
    .bind(manager)
    .bind(since)
    .bind(by)
    .fetch_one(conn)
    .await
}
