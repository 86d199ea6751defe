//! Risk-management reports, frozen at issue.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use sqlx::types::Json;
use uuid::Uuid;

/// One line of a report: a finding as it stood when the report was issued.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ReportItem {
    pub level: String,
    pub original_level: String,
    pub location: String,
    pub section_code: String,
    pub description: String,
    pub order_number: Option<String>,
    pub order_status: Option<String>,
    pub deadline: Option<chrono::NaiveDate>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Report {
    pub id: Uuid,
    pub number: String,
    pub project_id: Uuid,
    pub project_name: String,
    pub district_name_zh: String,
    pub developer_name_zh: String,
    pub agency_org_id: Uuid,
    pub agency_name_zh: String,
    pub inspection_id: Option<Uuid>,
    pub kind: String,
    pub conclusion: String,
    #[schema(value_type = Vec<ReportItem>)]
    pub items: Json<Vec<ReportItem>>,
    pub status: String,
    pub review_note: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub version: i32,
}

const SELECT: &str = "\
    SELECT r.id, r.number, r.project_id, p.name AS project_name, d.name_zh AS district_name_zh, dev.name_zh AS developer_name_zh, \
           r.agency_org_id, a.name_zh AS agency_name_zh, r.inspection_id, r.kind, r.conclusion, r.items, r.status, r.review_note, \
           r.reviewed_at, r.created_at, r.version \
    FROM risk_reports r JOIN projects p ON p.id = r.project_id JOIN districts d ON d.id = r.district_id \
    JOIN organisations dev ON dev.id = r.developer_org_id JOIN organisations a ON a.id = r.agency_org_id";

pub async fn list(
    conn: &mut PgConnection,
    project: Option<Uuid>,
) -> Result<Vec<Report>, sqlx::Error> {
    sqlx::query_as(
        &[
            SELECT,
            " WHERE ($1::uuid IS NULL OR r.project_id = $1) ORDER BY r.created_at DESC LIMIT 500",
        ]
        .concat(),
    )
    .bind(project)
    .fetch_all(conn)
    .await
}

pub async fn find(conn: &mut PgConnection, id: Uuid) -> Result<Option<Report>, sqlx::Error> {
    sqlx::query_as(&[SELECT, " WHERE r.id = $1"].concat())
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// The project's open findings with their orders, as report lines.
pub async fn open_items(
    conn: &mut PgConnection,
    project: Uuid,
) -> Result<Vec<ReportItem>, sqlx::Error> {
    sqlx::query_as(
        "SELECT f.current_level AS level, f.original_level, f.location, f.section_code, f.description, \
                o.number AS order_number, o.status AS order_status, o.deadline \
         FROM findings f LEFT JOIN rectification_orders o ON o.finding_id = f.id \
         WHERE f.project_id = $1 AND f.status = 'open' \
         ORDER BY array_position(ARRAY['E','D','C','R','B','A','O'], f.current_level), f.created_at",
    )
    .bind(project)
    .fetch_all(conn)
    .await
}

pub struct NewReport<'a> {
    pub project: &'a super::projects::Project,
    pub agency_org_id: Uuid,
    pub inspection_id: Option<Uuid>,
    pub kind: &'a str,
    pub conclusion: &'a str,
    pub items: &'a [ReportItem],
    pub created_by: Uuid,
}

pub async fn insert(conn: &mut PgConnection, r: &NewReport<'_>) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO risk_reports (number, project_id, district_id, developer_org_id, agency_org_id, inspection_id, kind, conclusion, items, created_by) \
         VALUES ('BG-' || extract(year FROM now() AT TIME ZONE 'Asia/Shanghai') || '-' || lpad(nextval('risk_report_numbers')::text, 6, '0'), \
                 $1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(r.project.id)
    .bind(r.project.district_id)
    .bind(r.project.developer_org_id)
    .bind(r.agency_org_id)
    .bind(r.inspection_id)
    .bind(r.kind)
    .bind(r.conclusion)
    .bind(Json(r.items))
    .bind(r.created_by)
    .fetch_one(conn)
    .await
}

pub async fn set_review(
    conn: &mut PgConnection,
    report: &Report,
    to: &str,
    note: &str,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE risk_reports SET status = $4, review_note = $5, reviewed_at = now(), version = version + 1 \
         WHERE id = $1 AND version = $2 AND status = $3",
    )
    .bind(report.id)
    .bind(report.version)
    .bind(&report.status)
    .bind(to)
    .bind(note)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}
