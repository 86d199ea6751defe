//! Checklist templates (per agency and stage) and each inspection's answers.

use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ChecklistItem {
    pub id: Uuid,
    pub stage_code: String,
    pub text: String,
    pub position: i32,
}

/// The agency's live template items, by stage then position.
pub async fn items(conn: &mut PgConnection) -> Result<Vec<ChecklistItem>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, stage_code, text, position FROM checklist_items WHERE retired_at IS NULL \
         ORDER BY array_position(ARRAY['design_review','foundation','main_structure','waterproofing','envelope','decoration', \
                                       'installation','completion','routine'], stage_code), position, created_at",
    )
    .fetch_all(conn)
    .await
}

pub async fn add_item(
    conn: &mut PgConnection,
    agency: Uuid,
    stage: &str,
    text: &str,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO checklist_items (agency_org_id, stage_code, text, position) \
         VALUES ($1, $2, $3, coalesce((SELECT max(position) + 1 FROM checklist_items WHERE agency_org_id = $1 AND stage_code = $2), 1)) \
         RETURNING id",
    )
    .bind(agency)
    .bind(stage)
    .bind(text)
    .fetch_one(conn)
    .await
}

pub async fn retire_item(conn: &mut PgConnection, id: Uuid) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE checklist_items SET retired_at = now() WHERE id = $1 AND retired_at IS NULL",
    )
    .bind(id)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Copies the agency's live items for the stage into a new inspection.
pub async fn copy_into(
    conn: &mut PgConnection,
    inspection: &super::risk::Inspection,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO inspection_checks (inspection_id, project_id, district_id, developer_org_id, item_id, text, position) \
         SELECT $1, $2, $3, $4, c.id, c.text, c.position FROM checklist_items c \
         WHERE c.agency_org_id = $5 AND c.stage_code = $6 AND c.retired_at IS NULL",
    )
    .bind(inspection.id)
    .bind(inspection.project_id)
    .bind(inspection.district_id)
    .bind(inspection.developer_org_id)
    .bind(inspection.agency_org_id)
    .bind(&inspection.stage_code)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Check {
    pub id: Uuid,
    pub text: String,
    pub result: Option<String>,
    pub finding_id: Option<Uuid>,
}

pub async fn checks(conn: &mut PgConnection, inspection: Uuid) -> Result<Vec<Check>, sqlx::Error> {
    sqlx::query_as("SELECT id, text, result, finding_id FROM inspection_checks WHERE inspection_id = $1 ORDER BY position, text")
        .bind(inspection)
        .fetch_all(conn)
        .await
}

pub async fn answer(
    conn: &mut PgConnection,
    inspection: Uuid,
    check: Uuid,
    result: &str,
    finding: Option<Uuid>,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query("UPDATE inspection_checks SET result = $3, finding_id = $4 WHERE id = $2 AND inspection_id = $1")
        .bind(inspection)
        .bind(check)
        .bind(result)
        .bind(finding)
        .execute(conn)
        .await?
        .rows_affected()
        == 1)
}
