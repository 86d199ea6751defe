//! Parcels, projects, buildings, the organisations on a project, and permit-gate answers.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use uuid::Uuid;

use super::OWN_PROJECTS;
use crate::domain::policy::PolicyStatus;
use crate::domain::project::ProjectStage;
use crate::domain::tenancy::OrgKind;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Parcel {
    pub id: Uuid,
    pub district_id: Uuid,
    pub district_name_zh: String,
    pub code: String,
    pub name: String,
    pub location: String,
    /// Square metres, two decimals.
    pub area_m2: String,
    pub contract_no: String,
    pub transfer_date: NaiveDate,
    pub developer_org_id: Uuid,
    pub developer_name_zh: String,
    pub requires_insurance: bool,
    pub status: String,
    pub version: i32,
    pub project_id: Option<Uuid>,
    pub project_name: Option<String>,
    /// Status of the project's live (or last) policy.
    pub policy_status: Option<String>,
}

const PARCEL_SELECT: &str = "\
    SELECT pa.id, pa.district_id, d.name_zh AS district_name_zh, pa.code, pa.name, pa.location, \
           pa.area_m2::text AS area_m2, pa.contract_no, pa.transfer_date, pa.developer_org_id, \
           o.name_zh AS developer_name_zh, pa.requires_insurance, pa.status, pa.version, \
           pr.id AS project_id, pr.name AS project_name, \
           (SELECT po.status FROM policies po WHERE po.project_id = pr.id \
            ORDER BY po.status IN ('cancelled', 'expired'), po.created_at DESC LIMIT 1) AS policy_status \
    FROM parcels pa \
    JOIN districts d ON d.id = pa.district_id \
    JOIN organisations o ON o.id = pa.developer_org_id \
    LEFT JOIN projects pr ON pr.parcel_id = pa.id";

pub async fn parcels(conn: &mut PgConnection) -> Result<Vec<Parcel>, sqlx::Error> {
    sqlx::query_as(
        &[
            PARCEL_SELECT,
            " ORDER BY pa.transfer_date DESC, pa.code LIMIT 1000",
        ]
        .concat(),
    )
    .fetch_all(conn)
    .await
}

pub async fn parcel(conn: &mut PgConnection, id: Uuid) -> Result<Option<Parcel>, sqlx::Error> {
    sqlx::query_as(&[PARCEL_SELECT, " WHERE pa.id = $1"].concat())
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub struct NewParcel<'a> {
    pub district_id: Uuid,
    pub code: &'a str,
    pub name: &'a str,
    pub location: &'a str,
    /// Hundredths of a square metre.
    pub area_centi_m2: i64,
    pub contract_no: &'a str,
    pub transfer_date: NaiveDate,
    pub developer_org_id: Uuid,
    pub requires_insurance: bool,
}

pub async fn insert_parcel(
    conn: &mut PgConnection,
    p: &NewParcel<'_>,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO parcels (district_id, code, name, location, area_m2, contract_no, transfer_date, \
                              developer_org_id, requires_insurance) \
         VALUES ($1, $2, $3, $4, $5::numeric / 100, $6, $7, $8, $9) RETURNING id",
    )
    .bind(p.district_id)
    .bind(p.code)
    .bind(p.name)
    .bind(p.location)
    .bind(p.area_centi_m2)
    .bind(p.contract_no)
    .bind(p.transfer_date)
    .bind(p.developer_org_id)
    .bind(p.requires_insurance)
    .fetch_one(conn)
    .await
}

/// Optimistic update of a parcel's status: false when someone else changed it first.
pub async fn set_parcel_status(
    conn: &mut PgConnection,
    id: Uuid,
    version: i32,
    from: &str,
    to: &str,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query("UPDATE parcels SET status = $4, version = version + 1 WHERE id = $1 AND version = $2 AND status = $3")
        .bind(id)
        .bind(version)
        .bind(from)
        .bind(to)
        .execute(conn)
        .await?
        .rows_affected()
        == 1)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Project {
    pub id: Uuid,
    pub parcel_id: Uuid,
    pub parcel_code: String,
    pub district_id: Uuid,
    pub district_name_zh: String,
    pub developer_org_id: Uuid,
    pub developer_name_zh: String,
    pub name: String,
    pub housing_type: String,
    pub contractor_name_zh: Option<String>,
    pub supervisor_name_zh: Option<String>,
    pub stage: String,
    pub permit_date: Option<NaiveDate>,
    pub completion_date: Option<NaiveDate>,
    pub filing_date: Option<NaiveDate>,
    pub handover_date: Option<NaiveDate>,
    pub requires_insurance: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub buildings: i64,
    pub floor_area_m2: String,
    pub units: i64,
    pub construction_cost_fen: i64,
    pub policy_id: Option<Uuid>,
    pub policy_status: Option<String>,
    pub policy_number: Option<String>,
    pub lead_insurer_name_zh: Option<String>,
    pub total_premium_fen: Option<i64>,
    pub agency_name_zh: Option<String>,
}

const PROJECT_SELECT: &str = "\
    SELECT pr.id, pr.parcel_id, pa.code AS parcel_code, pr.district_id, d.name_zh AS district_name_zh, \
           pr.developer_org_id, dev.name_zh AS developer_name_zh, pr.name, pr.housing_type, \
           con.name_zh AS contractor_name_zh, sup.name_zh AS supervisor_name_zh, pr.stage, pr.permit_date, \
           pr.completion_date, pr.filing_date, pr.handover_date, pa.requires_insurance, pr.version, pr.created_at, \
           coalesce(b.buildings, 0) AS buildings, coalesce(b.floor_area, 0)::text AS floor_area_m2, \
           coalesce(b.units, 0) AS units, coalesce(b.cost, 0)::bigint AS construction_cost_fen, \
           po.id AS policy_id, po.status AS policy_status, po.policy_number, li.name_zh AS lead_insurer_name_zh, \
           po.total_premium_fen, \
           (SELECT ag.name_zh FROM project_parties pp JOIN organisations ag ON ag.id = pp.org_id \
            WHERE pp.project_id = pr.id AND pp.role = 'risk_agency' AND pp.retired_at IS NULL LIMIT 1) AS agency_name_zh \
    FROM projects pr \
    JOIN parcels pa ON pa.id = pr.parcel_id \
    JOIN districts d ON d.id = pr.district_id \
    JOIN organisations dev ON dev.id = pr.developer_org_id \
    LEFT JOIN organisations con ON con.id = pr.contractor_org_id \
    LEFT JOIN organisations sup ON sup.id = pr.supervisor_org_id \
    LEFT JOIN LATERAL (SELECT count(*) AS buildings, sum(floor_area_m2) AS floor_area, sum(units) AS units, \
                              sum(construction_cost_fen) AS cost FROM buildings WHERE project_id = pr.id) b ON true \
    LEFT JOIN LATERAL (SELECT * FROM policies WHERE project_id = pr.id \
                       ORDER BY status IN ('cancelled', 'expired'), created_at DESC LIMIT 1) po ON true \
    LEFT JOIN organisations li ON li.id = po.lead_insurer_org_id";

/// The status of a project's current policy: its live or latest one, as `PROJECT_SELECT` picks it.
const CURRENT_POLICY_STATUS: &str = "SELECT status FROM policies WHERE project_id = pr.id \
     ORDER BY status IN ('cancelled', 'expired'), created_at DESC LIMIT 1";

/// What a dashboard's table of projects shows of each: fewer joins than [`Project`] (no parcel,
/// buildings or parties, each with its own read rule), so a home's fifty rows do not pay for the
/// detail page's.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProjectSummary {
    pub id: Uuid,
    pub name: String,
    pub stage: String,
    pub district_name_zh: String,
    pub developer_name_zh: String,
    /// Of its current policy: the live one, else the latest cancelled or expired.
    pub policy_status: Option<String>,
    pub policy_number: Option<String>,
    pub lead_insurer_name_zh: Option<String>,
}

/// The current policy as `PROJECT_SELECT` takes it, joined by its unique live index; the latest
/// ended one is looked for only where no policy is live.
const SUMMARY_SELECT: &str = "\
    SELECT pr.id, pr.name, pr.stage, d.name_zh AS district_name_zh, dev.name_zh AS developer_name_zh, \
           coalesce(live.status, ended.status) AS policy_status, \
           coalesce(live.policy_number, ended.policy_number) AS policy_number, li.name_zh AS lead_insurer_name_zh \
    FROM projects pr \
    JOIN districts d ON d.id = pr.district_id \
    JOIN organisations dev ON dev.id = pr.developer_org_id \
    LEFT JOIN policies live ON live.project_id = pr.id AND live.status NOT IN ('cancelled', 'expired') \
    LEFT JOIN LATERAL (SELECT status, policy_number, lead_insurer_org_id FROM policies \
                       WHERE live.id IS NULL AND project_id = pr.id ORDER BY created_at DESC LIMIT 1) ended ON true \
    LEFT JOIN organisations li ON li.id = coalesce(live.lead_insurer_org_id, ended.lead_insurer_org_id)";

/// These projects' summaries, in the order given.
async fn summaries(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> Result<Vec<ProjectSummary>, sqlx::Error> {
    let mut rows: Vec<ProjectSummary> =
        sqlx::query_as(&[SUMMARY_SELECT, " WHERE pr.id = ANY($1)"].concat())
            .bind(ids)
            .fetch_all(conn)
            .await?;
    rows.sort_by_key(|p| ids.iter().position(|id| *id == p.id));
    Ok(rows)
}

/// Which projects a list walks: the organisation's own (an insurer's or agency's, off its
/// membership rows, 0022), those it develops (newest first off its own column's index, 0034),
/// those it builds, supervises or manages (off their own indexes, 0025), or every project the
/// reader may see, newest first off their index (a bureau's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectScope {
    Own,
    Developed,
    Partner,
    Visible,
}

impl ProjectScope {
    pub fn for_reader(kind: Option<OrgKind>) -> Self {
        match kind {
            // A developer holds no party role (project_parties admits insurers and agencies
            // only): its projects are those it develops.
            Some(OrgKind::Developer) => ProjectScope::Developed,
            Some(kind) if kind.sees_projects_as_party() => ProjectScope::Own,
            Some(OrgKind::Regulator) => ProjectScope::Visible,
            _ => ProjectScope::Partner,
        }
    }
}

/// The projects list's filters: a stage, and whether the current policy has been issued.
#[derive(Debug, Default, Clone)]
pub struct ProjectFilter {
    pub stage: Option<ProjectStage>,
    pub insured: Option<bool>,
}

/// Where the projects list stands: newest first, the id breaking ties.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectKey {
    pub created_at: DateTime<Utc>,
    pub id: Uuid,
}

impl Project {
    pub fn key(&self) -> ProjectKey {
        ProjectKey {
            created_at: self.created_at,
            id: self.id,
        }
    }
}

/// Up to `rows` projects of the scope that pass the filter, newest first after `after`. The page's
/// ids are found first, so the buildings' sums and the current policy are assembled for its rows
/// only, not for each of a national agency's thousands of projects.
pub async fn listed(
    conn: &mut PgConnection,
    scope: ProjectScope,
    filter: &ProjectFilter,
    after: Option<&ProjectKey>,
    rows: i64,
) -> Result<Vec<Project>, sqlx::Error> {
    let ids = listed_ids(conn, scope, filter, after, rows).await?;
    sqlx::query_as(
        &[
            PROJECT_SELECT,
            " WHERE pr.id = ANY($1) ORDER BY pr.created_at DESC, pr.id DESC",
        ]
        .concat(),
    )
    .bind(&ids)
    .fetch_all(conn)
    .await
}

/// The scope's `rows` newest projects, summarised for a dashboard.
pub async fn newest_summaries(
    conn: &mut PgConnection,
    scope: ProjectScope,
    rows: i64,
) -> Result<Vec<ProjectSummary>, sqlx::Error> {
    let ids = listed_ids(conn, scope, &ProjectFilter::default(), None, rows).await?;
    summaries(conn, &ids).await
}

/// The ids of `listed`'s page, in its order.
async fn listed_ids(
    conn: &mut PgConnection,
    scope: ProjectScope,
    filter: &ProjectFilter,
    after: Option<&ProjectKey>,
    rows: i64,
) -> Result<Vec<Uuid>, sqlx::Error> {
    let within = match scope {
        ProjectScope::Own => format!("pr.id = ANY (ARRAY({OWN_PROJECTS}))"),
        ProjectScope::Developed => "pr.developer_org_id = (SELECT app.current_org_id())".to_owned(),
        // One array of ids (probed by primary key, then sorted): an OR of these tests would
        // walk every project instead.
        ProjectScope::Partner => "pr.id = ANY (ARRAY(\
             SELECT id FROM projects WHERE contractor_org_id = (SELECT app.current_org_id()) \
             UNION SELECT id FROM projects WHERE supervisor_org_id = (SELECT app.current_org_id()) \
             UNION SELECT project_id FROM property_mandates WHERE manager_org_id = (SELECT app.current_org_id())))"
            .to_owned(),
        ProjectScope::Visible => "true".to_owned(),
    };
    // Only the tests a filter or a cursor asks for, and the limit written in: a home's first page
    // (no filter, no cursor) is one statement without parameters, planned once per connection.
    // Always-bound parameters (`$1 IS NULL OR …`) made PostgreSQL plan it afresh for every page.
    let mut query =
        sqlx::QueryBuilder::new(format!("SELECT pr.id FROM projects pr WHERE {within}"));
    if let Some(stage) = filter.stage {
        query.push(" AND pr.stage = ").push_bind(stage.as_str());
    }
    if let Some(insured) = filter.insured {
        let issued: Vec<&str> = PolicyStatus::ALL
            .into_iter()
            .filter(|s| s.is_issued())
            .map(PolicyStatus::as_str)
            .collect();
        query
            .push(format!(" AND coalesce(({CURRENT_POLICY_STATUS}) = ANY("))
            .push_bind(issued)
            .push("), false) = ")
            .push_bind(insured);
    }
    if let Some(key) = after {
        query
            .push(" AND (pr.created_at, pr.id) < (")
            .push_bind(key.created_at)
            .push(", ")
            .push_bind(key.id)
            .push(")");
    }
    query.push(format!(
        " ORDER BY pr.created_at DESC, pr.id DESC LIMIT {rows}"
    ));
    query.build_query_scalar().fetch_all(conn).await
}

/// The organisation's `limit` projects with the most open D/E (then C–E) findings, in that order,
/// off its ranking index (0022); one statement without parameters, planned once per connection.
pub async fn party_projects_needing_attention(
    conn: &mut PgConnection,
    limit: u32,
) -> Result<Vec<ProjectSummary>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{SUMMARY_SELECT} \
         JOIN (SELECT project_id, open_de, open_cde FROM stats_party_projects WHERE org_id = (SELECT app.current_org_id()) \
               ORDER BY open_de DESC, open_cde DESC, project_id LIMIT {limit}) ranked ON ranked.project_id = pr.id \
         ORDER BY ranked.open_de DESC, ranked.open_cde DESC, ranked.project_id"
    ))
    .fetch_all(conn)
    .await
}

/// How many projects the connection's organisation is a party to or develops.
pub async fn party_project_count(conn: &mut PgConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(&format!("SELECT count(*) FROM ({OWN_PROJECTS}) own"))
        .fetch_one(conn)
        .await
}

/// Parcels transferred to the connection's developer that no project has been registered on.
pub async fn free_parcels(conn: &mut PgConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT count(*) FROM parcels WHERE developer_org_id = (SELECT app.current_org_id()) AND status = 'transferred'",
    )
    .fetch_one(conn)
    .await
}

pub async fn project(conn: &mut PgConnection, id: Uuid) -> Result<Option<Project>, sqlx::Error> {
    sqlx::query_as(&[PROJECT_SELECT, " WHERE pr.id = $1"].concat())
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub struct NewProject<'a> {
    pub parcel_id: Uuid,
    pub district_id: Uuid,
    pub developer_org_id: Uuid,
    pub name: &'a str,
    pub housing_type: &'a str,
    pub contractor_org_id: Option<Uuid>,
    pub supervisor_org_id: Option<Uuid>,
}

pub async fn insert_project(
    conn: &mut PgConnection,
    p: &NewProject<'_>,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO projects (parcel_id, district_id, developer_org_id, name, housing_type, contractor_org_id, supervisor_org_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(p.parcel_id)
    .bind(p.district_id)
    .bind(p.developer_org_id)
    .bind(p.name)
    .bind(p.housing_type)
    .bind(p.contractor_org_id)
    .bind(p.supervisor_org_id)
    .fetch_one(conn)
    .await
}

/// Moves a project to its next stage, recording the date of the event; false when the project
/// changed in the meantime (optimistic concurrency).
pub async fn advance_stage(
    conn: &mut PgConnection,
    id: Uuid,
    version: i32,
    from: &str,
    to: &str,
    date_column: &str,
    date: NaiveDate,
) -> Result<bool, sqlx::Error> {
    // The column name comes from a fixed list in the caller, never from input.
    let sql = match date_column {
        "permit_date" => {
            "UPDATE projects SET stage = $4, permit_date = $5, version = version + 1 WHERE id = $1 AND version = $2 AND stage = $3"
        }
        "completion_date" => {
            "UPDATE projects SET stage = $4, completion_date = $5, version = version + 1 WHERE id = $1 AND version = $2 AND stage = $3"
        }
        "filing_date" => {
            "UPDATE projects SET stage = $4, filing_date = $5, version = version + 1 WHERE id = $1 AND version = $2 AND stage = $3"
        }
        _ => {
            "UPDATE projects SET stage = $4, handover_date = $5, version = version + 1 WHERE id = $1 AND version = $2 AND stage = $3"
        }
    };
    Ok(sqlx::query(sql)
        .bind(id)
        .bind(version)
        .bind(from)
        .bind(to)
        .bind(date)
        .execute(conn)
        .await?
        .rows_affected()
        == 1)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Building {
    pub id: Uuid,
    pub project_id: Uuid,
    pub name: String,
    pub housing_types: Vec<String>,
    pub floor_area_m2: String,
    pub units: i32,
    pub construction_cost_fen: i64,
}

pub async fn buildings(
    conn: &mut PgConnection,
    project: Uuid,
) -> Result<Vec<Building>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, project_id, name, housing_types, floor_area_m2::text AS floor_area_m2, units, construction_cost_fen \
         FROM buildings WHERE project_id = $1 ORDER BY name",
    )
    .bind(project)
    .fetch_all(conn)
    .await
}

pub struct NewBuilding<'a> {
    pub project_id: Uuid,
    pub name: &'a str,
    pub housing_types: Vec<String>,
    pub floor_area_centi_m2: i64,
    pub units: i32,
    pub construction_cost_fen: i64,
}

pub async fn insert_building(
    conn: &mut PgConnection,
    b: &NewBuilding<'_>,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO buildings (project_id, name, housing_types, floor_area_m2, units, construction_cost_fen) \
         VALUES ($1, $2, $3, $4::numeric / 100, $5, $6) RETURNING id",
    )
    .bind(b.project_id)
    .bind(b.name)
    .bind(&b.housing_types)
    .bind(b.floor_area_centi_m2)
    .bind(b.units)
    .bind(b.construction_cost_fen)
    .fetch_one(conn)
    .await
}

pub async fn add_party(
    conn: &mut PgConnection,
    project: Uuid,
    org: Uuid,
    role: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO project_parties (project_id, org_id, role) VALUES ($1, $2, $3) \
         ON CONFLICT (project_id, org_id, role) DO UPDATE SET retired_at = NULL",
    )
    .bind(project)
    .bind(org)
    .bind(role)
    .execute(conn)
    .await?;
    Ok(())
}

/// Retires every party of `role` on the project except `keep`.
pub async fn retire_parties(
    conn: &mut PgConnection,
    project: Uuid,
    role: &str,
    keep: &[Uuid],
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE project_parties SET retired_at = now() \
         WHERE project_id = $1 AND role = $2 AND retired_at IS NULL AND NOT (org_id = ANY($3))",
    )
    .bind(project)
    .bind(role)
    .bind(keep)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct GateCheck {
    pub id: Uuid,
    pub allowed: bool,
    pub reason: Option<String>,
    pub policy_status: Option<String>,
    pub checked_by_username: String,
    pub checked_at: DateTime<Utc>,
}

pub async fn record_gate_check(
    conn: &mut PgConnection,
    project: &Project,
    allowed: bool,
    reason: Option<&str>,
    checked_by: Uuid,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO permit_gate_checks (project_id, district_id, allowed, reason, policy_id, policy_status, checked_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(project.id)
    .bind(project.district_id)
    .bind(allowed)
    .bind(reason)
    .bind(project.policy_id)
    .bind(project.policy_status.as_deref())
    .bind(checked_by)
    .fetch_one(conn)
    .await
}

pub async fn gate_checks(
    conn: &mut PgConnection,
    project: Uuid,
) -> Result<Vec<GateCheck>, sqlx::Error> {
    sqlx::query_as(
        "SELECT g.id, g.allowed, g.reason, g.policy_status, u.username AS checked_by_username, g.checked_at \
         FROM permit_gate_checks g JOIN users u ON u.id = g.checked_by WHERE g.project_id = $1 \
         ORDER BY g.checked_at DESC LIMIT 50",
    )
    .bind(project)
    .fetch_all(conn)
    .await
}

/// Organisation id by code and kind, for forms that name a partner (contractor, insurer …).
pub async fn org_by_code(
    conn: &mut PgConnection,
    code: &str,
    kind: &str,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM organisations WHERE code = $1 AND kind = $2")
        .bind(code)
        .bind(kind)
        .fetch_optional(conn)
        .await
}
