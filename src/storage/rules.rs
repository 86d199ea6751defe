//! Rule packs, versioned per district.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::PgConnection;
use sqlx::types::Json;
use uuid::Uuid;

use crate::domain::rules::RulePack;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct RulePackVersion {
    pub id: Uuid,
    pub district_id: Uuid,
    pub district_name_zh: String,
    pub version: String,
    pub effective_from: NaiveDate,
    pub note: String,
    #[schema(value_type = RulePack)]
    pub params: Json<RulePack>,
    pub created_at: DateTime<Utc>,
}

const SELECT: &str = "SELECT r.id, r.district_id, d.name_zh AS district_name_zh, r.version, r.effective_from, r.note, \
                             r.params, r.created_at FROM rule_packs r JOIN districts d ON d.id = r.district_id";

/// All versions for a district (newest first), or for every district when None.
pub async fn list(
    conn: &mut PgConnection,
    district: Option<Uuid>,
) -> Result<Vec<RulePackVersion>, sqlx::Error> {
    sqlx::query_as(&[SELECT, " WHERE ($1::uuid IS NULL OR r.district_id = $1) ORDER BY d.admin_code, r.effective_from DESC, r.created_at DESC"].concat())
        .bind(district)
        .fetch_all(conn)
        .await
}

/// The version in force on `day` for a district.
pub async fn in_force(
    conn: &mut PgConnection,
    district: Uuid,
    day: NaiveDate,
) -> Result<Option<RulePackVersion>, sqlx::Error> {
    sqlx::query_as(&[SELECT, " WHERE r.district_id = $1 AND r.effective_from <= $2 ORDER BY r.effective_from DESC, r.created_at DESC LIMIT 1"].concat())
        .bind(district)
        .bind(day)
        .fetch_optional(conn)
        .await
}

pub async fn find(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<Option<RulePackVersion>, sqlx::Error> {
    sqlx::query_as(&[SELECT, " WHERE r.id = $1"].concat())
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn insert(
    conn: &mut PgConnection,
    district: Uuid,
    version: &str,
    effective_from: NaiveDate,
    note: &str,
    params: &RulePack,
    created_by: Uuid,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO rule_packs (district_id, version, effective_from, note, params, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(district)
    .bind(version)
    .bind(effective_from)
    .bind(note)
    .bind(Json(params))
    .bind(created_by)
    .fetch_one(conn)
    .await
}
