//! The bureau's coverage figures: 投保率 at land transfer and at permit stage, projects by stage,
//! and the parcels that must insure but have not. Row-level security limits every count to the
//! regulator's jurisdiction; naming its districts (`app.jurisdiction_ids`) also lets the indexes find them
//! instead of testing every row of the country against the policies.

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

#[derive(Debug, Default, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Coverage {
    /// Parcels transferred with the 质安保 condition.
    pub parcels_requiring: i64,
    /// …whose project holds an issued policy.
    pub parcels_insured: i64,
    /// Projects that have received their construction permit.
    pub permitted_projects: i64,
    /// …whose policy was issued on or before the permit date.
    pub permitted_insured_first: i64,
    /// Projects still before the permit, and how many of them are already insured.
    pub awaiting_permit: i64,
    pub awaiting_permit_insured: i64,
    /// Premium of issued policies in the jurisdiction, in fen.
    pub premium_issued_fen: i64,
}

impl Coverage {
    /// Percent with one decimal, or None when there is nothing to count.
    pub fn rate(numerator: i64, denominator: i64) -> Option<f64> {
        (denominator > 0).then(|| (numerator as f64 * 1000.0 / denominator as f64).round() / 10.0)
    }

    pub fn land_transfer_rate(&self) -> Option<f64> {
        Self::rate(self.parcels_insured, self.parcels_requiring)
    }

    pub fn permit_rate(&self) -> Option<f64> {
        Self::rate(self.permitted_insured_first, self.permitted_projects)
    }

    pub fn land_transfer_fraction(&self) -> String {
        format!("{} / {}", self.parcels_insured, self.parcels_requiring)
    }

    pub fn permit_fraction(&self) -> String {
        format!(
            "{} / {}",
            self.permitted_insured_first, self.permitted_projects
        )
    }
}

/// The figures, summed from the coverage counters of migration 0020 (a row per district, housing
/// type and month of transfer).
pub async fn coverage(
    conn: &mut PgConnection,
    housing_type: Option<&str>,
) -> Result<Coverage, sqlx::Error> {
    sqlx::query_as(
        "SELECT coalesce(sum(requiring), 0)::bigint AS parcels_requiring, coalesce(sum(insured), 0)::bigint AS parcels_insured, \
                coalesce(sum(permitted), 0)::bigint AS permitted_projects, \
                coalesce(sum(permitted_insured_first), 0)::bigint AS permitted_insured_first, \
                coalesce(sum(awaiting_permit), 0)::bigint AS awaiting_permit, \
                coalesce(sum(awaiting_permit_insured), 0)::bigint AS awaiting_permit_insured, \
                coalesce(sum(premium_fen), 0)::bigint AS premium_issued_fen \
         FROM stats_coverage WHERE district_id = ANY (app.jurisdiction_ids()) AND ($1::text IS NULL OR housing_type = $1)",
    )
    .bind(housing_type)
    .fetch_one(conn)
    .await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct StageCount {
    pub stage: String,
    pub projects: i64,
}

pub async fn projects_by_stage(conn: &mut PgConnection) -> Result<Vec<StageCount>, sqlx::Error> {
    sqlx::query_as(
        "SELECT stage, sum(projects)::bigint AS projects FROM stats_projects WHERE district_id = ANY (app.jurisdiction_ids()) \
         GROUP BY stage ORDER BY array_position(ARRAY['registered','permitted','completed','filed','handed_over'], stage)",
    )
    .fetch_all(conn)
    .await
}

/// A parcel that carries the condition but whose project has no issued policy yet.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Uninsured {
    pub parcel_id: Uuid,
    pub parcel_code: String,
    pub parcel_name: String,
    pub developer_name_zh: String,
    pub transfer_date: NaiveDate,
    pub days_since_transfer: i32,
    pub project_id: Option<Uuid>,
    pub project_name: Option<String>,
    pub stage: Option<String>,
    pub policy_status: Option<String>,
}

/// The `limit` (at most 500) longest-waiting parcels, off the partial index of parcels that must
/// insure and have not.
pub async fn uninsured(conn: &mut PgConnection, limit: i64) -> Result<Vec<Uninsured>, sqlx::Error> {
    sqlx::query_as(
        "SELECT pa.id AS parcel_id, pa.code AS parcel_code, pa.name AS parcel_name, o.name_zh AS developer_name_zh, \
                pa.transfer_date, ((now() AT TIME ZONE 'Asia/Shanghai')::date - pa.transfer_date) AS days_since_transfer, \
                pr.id AS project_id, pr.name AS project_name, pr.stage, \
                (SELECT status FROM policies WHERE project_id = pr.id AND status NOT IN ('cancelled', 'expired') LIMIT 1) AS policy_status \
         FROM (SELECT x.* FROM unnest(app.jurisdiction_ids()) d CROSS JOIN LATERAL \
               (SELECT parcel_id, transfer_date FROM stats_parcel_coverage \
                WHERE district_id = d AND requiring = 1 AND insured = 0 ORDER BY transfer_date LIMIT least($1, 500)) x \
               ORDER BY x.transfer_date LIMIT least($1, 500)) w \
         JOIN parcels pa ON pa.id = w.parcel_id \
         JOIN organisations o ON o.id = pa.developer_org_id \
         LEFT JOIN projects pr ON pr.parcel_id = pa.id \
         ORDER BY pa.transfer_date",
    )
    .bind(limit)
    .fetch_all(conn)
    .await
}
