//! Inspection plan, inspections, findings, rectification orders, their history and photo evidence.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

use super::projects::Project;
use super::{ListScope, OWN_PROJECTS};
use crate::domain::underwriting::OVERDUE_DEADLINES_KEPT;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Visit {
    pub id: Uuid,
    pub project_id: Uuid,
    pub project_name: String,
    pub kind: String,
    pub stage_code: String,
    pub planned_on: NaiveDate,
    pub status: String,
}

pub async fn insert_plan(
    conn: &mut PgConnection,
    project: &Project,
    plan: &[(&str, NaiveDate)],
) -> Result<(), sqlx::Error> {
    for (stage, day) in plan {
        sqlx::query(
            "INSERT INTO inspection_visits (project_id, district_id, developer_org_id, kind, stage_code, planned_on) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(project.id)
        .bind(project.district_id)
        .bind(project.developer_org_id)
        .bind(if *stage == "routine" { "routine" } else { "stage" })
        .bind(stage)
        .bind(day)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Moves a planned visit; false when it is not a planned visit the caller may schedule.
pub async fn reschedule_visit(
    conn: &mut PgConnection,
    id: Uuid,
    day: NaiveDate,
) -> Result<Option<NaiveDate>, sqlx::Error> {
    sqlx::query_scalar(
        "UPDATE inspection_visits v SET planned_on = $2, version = v.version + 1 \
         FROM inspection_visits old WHERE v.id = $1 AND old.id = v.id AND v.status = 'planned' RETURNING old.planned_on",
    )
    .bind(id)
    .bind(day)
    .fetch_optional(conn)
    .await
}

/// A project's planned visits up to `to`, soonest first.
pub async fn project_visits(
    conn: &mut PgConnection,
    project: Uuid,
    to: NaiveDate,
) -> Result<Vec<Visit>, sqlx::Error> {
    sqlx::query_as(
        "SELECT v.id, v.project_id, p.name AS project_name, v.kind, v.stage_code, v.planned_on, v.status \
         FROM inspection_visits v JOIN projects p ON p.id = v.project_id \
         WHERE v.status = 'planned' AND v.project_id = $1 AND v.planned_on <= $2 \
         ORDER BY v.planned_on, p.name LIMIT 200",
    )
    .bind(project)
    .bind(to)
    .fetch_all(conn)
    .await
}

/// The visits to the organisation's own projects planned from today (Shanghai) to a week ahead,
/// soonest first; no parameters, so each connection plans it once.
pub async fn visits_this_week(conn: &mut PgConnection) -> Result<Vec<Visit>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT v.id, v.project_id, p.name AS project_name, v.kind, v.stage_code, v.planned_on, v.status \
         FROM inspection_visits v JOIN projects p ON p.id = v.project_id \
         WHERE v.status = 'planned' AND v.project_id IN ({OWN_PROJECTS}) \
           AND v.planned_on BETWEEN app.shanghai_day(now()) AND app.shanghai_day(now()) + 7 \
         ORDER BY v.planned_on, p.name LIMIT 200"
    ))
    .fetch_all(conn)
    .await
}

/// How many visits to the organisation's own projects were planned before today (Shanghai) and
/// not made.
pub async fn late_visits(conn: &mut PgConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(&format!(
        "SELECT count(*) FROM inspection_visits v \
         WHERE v.status = 'planned' AND v.planned_on < app.shanghai_day(now()) AND v.project_id IN ({OWN_PROJECTS})"
    ))
    .fetch_one(conn)
    .await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Inspection {
    pub id: Uuid,
    pub project_id: Uuid,
    pub project_name: String,
    pub district_id: Uuid,
    pub developer_org_id: Uuid,
    pub agency_org_id: Uuid,
    pub agency_name_zh: String,
    pub stage_code: String,
    pub inspected_on: NaiveDate,
    pub inspectors: String,
    pub summary: String,
    pub status: String,
    pub version: i32,
    pub submitted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub findings: i64,
}

const INSPECTION_SELECT: &str = "\
    SELECT i.id, i.project_id, p.name AS project_name, i.district_id, i.developer_org_id, i.agency_org_id, \
           a.name_zh AS agency_name_zh, i.stage_code, i.inspected_on, i.inspectors, i.summary, i.status, i.version, \
           i.submitted_at, i.created_at, (SELECT count(*) FROM findings f WHERE f.inspection_id = i.id) AS findings \
    FROM inspections i JOIN projects p ON p.id = i.project_id JOIN organisations a ON a.id = i.agency_org_id";

/// Where a list of inspections stands: newest first, then the latest recorded, the id breaking
/// ties. A page starts after such a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct InspectionKey {
    pub inspected_on: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub id: Uuid,
}

impl Inspection {
    pub fn key(&self) -> InspectionKey {
        InspectionKey {
            inspected_on: self.inspected_on,
            created_at: self.created_at,
            id: self.id,
        }
    }
}

/// Up to `rows` inspections of the scope after `after`, newest first, walked off the index kept in
/// exactly that order (0024).
pub async fn inspections(
    conn: &mut PgConnection,
    scope: ListScope,
    after: Option<&InspectionKey>,
    rows: i64,
) -> Result<Vec<Inspection>, sqlx::Error> {
    let mut query = sqlx::QueryBuilder::new(INSPECTION_SELECT);
    query.push(" WHERE ");
    scope.push_condition(&mut query, "i");
    if let Some(k) = after {
        query.push(" AND (i.inspected_on, i.created_at, i.id) < (");
        query.push_bind(k.inspected_on).push(", ");
        query.push_bind(k.created_at).push(", ");
        query.push_bind(k.id).push(")");
    }
    // The page size is ours (validated), written into the statement: a first page of a whole
    // list then has no parameters and is planned once per connection, not on every request.
    query.push(format!(
        " ORDER BY i.inspected_on DESC, i.created_at DESC, i.id DESC LIMIT {rows}"
    ));
    query.build_query_as().fetch_all(conn).await
}

pub async fn inspection(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<Option<Inspection>, sqlx::Error> {
    sqlx::query_as(&[INSPECTION_SELECT, " WHERE i.id = $1"].concat())
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub struct NewInspection<'a> {
    pub project: &'a Project,
    pub agency_org_id: Uuid,
    pub stage_code: &'a str,
    pub inspected_on: NaiveDate,
    pub inspectors: &'a str,
    pub summary: &'a str,
    pub created_by: Uuid,
}

pub async fn insert_inspection(
    conn: &mut PgConnection,
    i: &NewInspection<'_>,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO inspections (project_id, district_id, developer_org_id, agency_org_id, stage_code, inspected_on, \
                                  inspectors, summary, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(i.project.id)
    .bind(i.project.district_id)
    .bind(i.project.developer_org_id)
    .bind(i.agency_org_id)
    .bind(i.stage_code)
    .bind(i.inspected_on)
    .bind(i.inspectors)
    .bind(i.summary)
    .bind(i.created_by)
    .fetch_one(conn)
    .await
}

/// Marks the visit of this stage (the earliest planned one) done.
pub async fn complete_visit(
    conn: &mut PgConnection,
    project: Uuid,
    stage: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE inspection_visits SET status = 'done', version = version + 1 \
         WHERE id = (SELECT id FROM inspection_visits WHERE project_id = $1 AND stage_code = $2 AND status = 'planned' \
                     ORDER BY planned_on LIMIT 1)",
    )
    .bind(project)
    .bind(stage)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn submit_inspection(
    conn: &mut PgConnection,
    id: Uuid,
    version: i32,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE inspections SET status = 'submitted', submitted_at = now(), version = version + 1 \
         WHERE id = $1 AND version = $2 AND status = 'draft'",
    )
    .bind(id)
    .bind(version)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Finding {
    pub id: Uuid,
    pub inspection_id: Uuid,
    pub project_id: Uuid,
    pub project_name: String,
    pub original_level: String,
    pub current_level: String,
    pub status: String,
    pub building_name: Option<String>,
    pub location: String,
    pub trade: String,
    pub section_code: String,
    pub description: String,
    pub advice: String,
    pub created_at: DateTime<Utc>,
    pub order_id: Option<Uuid>,
    pub photos: Vec<Uuid>,
}

const FINDING_SELECT: &str = "\
    SELECT f.id, f.inspection_id, f.project_id, p.name AS project_name, f.original_level, f.current_level, f.status, \
           b.name AS building_name, f.location, f.trade, f.section_code, f.description, f.advice, f.created_at, \
           o.id AS order_id, \
           coalesce((SELECT array_agg(ph.id ORDER BY ph.uploaded_at) FROM evidence_photos ph WHERE ph.finding_id = f.id), '{}') AS photos \
    FROM findings f JOIN projects p ON p.id = f.project_id \
    LEFT JOIN buildings b ON b.id = f.building_id \
    LEFT JOIN rectification_orders o ON o.finding_id = f.id";

pub async fn findings_of(
    conn: &mut PgConnection,
    inspection: Uuid,
) -> Result<Vec<Finding>, sqlx::Error> {
    sqlx::query_as(
        &[
            FINDING_SELECT,
            " WHERE f.inspection_id = $1 ORDER BY f.created_at",
        ]
        .concat(),
    )
    .bind(inspection)
    .fetch_all(conn)
    .await
}

pub async fn finding(conn: &mut PgConnection, id: Uuid) -> Result<Option<Finding>, sqlx::Error> {
    sqlx::query_as(&[FINDING_SELECT, " WHERE f.id = $1"].concat())
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub struct NewFinding<'a> {
    pub inspection: &'a Inspection,
    pub level: &'a str,
    pub building_id: Option<Uuid>,
    pub location: &'a str,
    pub trade: &'a str,
    pub section_code: &'a str,
    pub description: &'a str,
    pub advice: &'a str,
    pub created_by: Uuid,
}

pub async fn insert_finding(
    conn: &mut PgConnection,
    f: &NewFinding<'_>,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO findings (inspection_id, project_id, district_id, developer_org_id, agency_org_id, original_level, \
                               current_level, building_id, location, trade, section_code, description, advice, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
    )
    .bind(f.inspection.id)
    .bind(f.inspection.project_id)
    .bind(f.inspection.district_id)
    .bind(f.inspection.developer_org_id)
    .bind(f.inspection.agency_org_id)
    .bind(f.level)
    .bind(f.building_id)
    .bind(f.location)
    .bind(f.trade)
    .bind(f.section_code)
    .bind(f.description)
    .bind(f.advice)
    .bind(f.created_by)
    .fetch_one(conn)
    .await
}

pub async fn close_finding(
    conn: &mut PgConnection,
    id: Uuid,
    level: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE findings SET status = 'closed', current_level = $2, closed_at = now(), version = version + 1 WHERE id = $1")
        .bind(id)
        .bind(level)
        .execute(conn)
        .await?;
    Ok(())
}

pub struct NewPhoto<'a> {
    pub project: (Uuid, Uuid, Uuid),
    pub finding_id: Option<Uuid>,
    pub order_event_id: Option<Uuid>,
    pub content_type: &'a str,
    pub bytes: &'a [u8],
    pub sha256: &'a [u8],
    pub original_name: &'a str,
    pub uploaded_by: Uuid,
    pub uploaded_by_org: Uuid,
}

pub async fn insert_photo(conn: &mut PgConnection, p: &NewPhoto<'_>) -> Result<Uuid, sqlx::Error> {
    let (project, district, developer) = p.project;
    sqlx::query_scalar(
        "INSERT INTO evidence_photos (project_id, district_id, developer_org_id, finding_id, order_event_id, content_type, \
                                      bytes, sha256, size_bytes, original_name, uploaded_by, uploaded_by_org) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, left($10, 200), $11, $12) RETURNING id",
    )
    .bind(project)
    .bind(district)
    .bind(developer)
    .bind(p.finding_id)
    .bind(p.order_event_id)
    .bind(p.content_type)
    .bind(p.bytes)
    .bind(p.sha256)
    .bind(i32::try_from(p.bytes.len()).unwrap_or(i32::MAX))
    .bind(p.original_name)
    .bind(p.uploaded_by)
    .bind(p.uploaded_by_org)
    .fetch_one(conn)
    .await
}

/// A photo's bytes and type, if the caller may see it.
pub async fn photo(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<Option<(String, Vec<u8>)>, sqlx::Error> {
    sqlx::query_as("SELECT content_type, bytes FROM evidence_photos WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Order {
    pub id: Uuid,
    pub number: String,
    pub finding_id: Uuid,
    pub project_id: Uuid,
    pub project_name: String,
    pub developer_org_id: Uuid,
    pub developer_name_zh: String,
    pub agency_org_id: Uuid,
    pub level: String,
    pub issued_on: NaiveDate,
    pub deadline: NaiveDate,
    pub status: String,
    pub rounds: i32,
    pub version: i32,
    pub location: String,
    pub description: String,
    pub advice: String,
    pub closed_at: Option<DateTime<Utc>>,
}

const ORDER_SELECT: &str = "\
    SELECT o.id, o.number, o.finding_id, o.project_id, p.name AS project_name, o.developer_org_id, \
           d.name_zh AS developer_name_zh, o.agency_org_id, o.level, o.issued_on, o.deadline, o.status, o.rounds, o.version, \
           f.location, f.description, f.advice, o.closed_at \
    FROM rectification_orders o JOIN findings f ON f.id = o.finding_id JOIN projects p ON p.id = o.project_id \
    JOIN organisations d ON d.id = o.developer_org_id";

/// Where a list of orders stands: open orders before closed ones, then by deadline (the most
/// overdue first), the unique number breaking ties. A page starts after such a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct OrderKey {
    pub closed: bool,
    pub deadline: NaiveDate,
    pub number: String,
}

impl Order {
    pub fn key(&self) -> OrderKey {
        OrderKey {
            closed: self.status == "closed",
            deadline: self.deadline,
            number: self.number.clone(),
        }
    }
}

/// Up to `rows` orders of the scope after `after`, in the list's order, walked off the index kept
/// in exactly that order (0024): a page reads its rows and stops, however deep it is.
pub async fn orders(
    conn: &mut PgConnection,
    scope: ListScope,
    after: Option<&OrderKey>,
    rows: i64,
) -> Result<Vec<Order>, sqlx::Error> {
    const ORDER: &str = "(o.status = 'closed'), o.deadline, o.number";
    let mut query = sqlx::QueryBuilder::new(ORDER_SELECT);
    query.push(" WHERE ");
    scope.push_condition(&mut query, "o");
    if let Some(k) = after {
        query.push(format!(" AND ({ORDER}) > ("));
        query.push_bind(k.closed).push(", ");
        query.push_bind(k.deadline).push(", ");
        query.push_bind(k.number.clone()).push(")");
    }
    // As for inspections: a first page has no parameters and is planned once per connection.
    query.push(format!(" ORDER BY {ORDER} LIMIT {rows}"));
    query.build_query_as().fetch_all(conn).await
}

pub async fn order(conn: &mut PgConnection, id: Uuid) -> Result<Option<Order>, sqlx::Error> {
    sqlx::query_as(&[ORDER_SELECT, " WHERE o.id = $1"].concat())
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn insert_order(
    conn: &mut PgConnection,
    finding: Uuid,
    inspection: &Inspection,
    level: &str,
    issued_on: NaiveDate,
    deadline: NaiveDate,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO rectification_orders (number, finding_id, project_id, district_id, developer_org_id, agency_org_id, \
                                           level, issued_on, deadline) \
         VALUES (app.next_order_number(), $1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(finding)
    .bind(inspection.project_id)
    .bind(inspection.district_id)
    .bind(inspection.developer_org_id)
    .bind(inspection.agency_org_id)
    .bind(level)
    .bind(issued_on)
    .bind(deadline)
    .fetch_one(conn)
    .await
}

pub async fn set_order_status(
    conn: &mut PgConnection,
    order: &Order,
    to: &str,
    reopened: bool,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE rectification_orders SET status = $4, version = version + 1, rounds = rounds + $5::int, \
             closed_at = CASE WHEN $4 = 'closed' THEN now() END \
         WHERE id = $1 AND version = $2 AND status = $3",
    )
    .bind(order.id)
    .bind(order.version)
    .bind(&order.status)
    .bind(to)
    .bind(i32::from(reopened))
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct OrderEvent {
    pub id: Uuid,
    pub kind: String,
    pub text: String,
    pub by_org_name_zh: String,
    pub created_at: DateTime<Utc>,
    pub photos: Vec<Uuid>,
}

pub async fn order_events(
    conn: &mut PgConnection,
    order: Uuid,
) -> Result<Vec<OrderEvent>, sqlx::Error> {
    sqlx::query_as(
        "SELECT e.id, e.kind, e.text, o.name_zh AS by_org_name_zh, e.created_at, \
                coalesce((SELECT array_agg(ph.id ORDER BY ph.uploaded_at) FROM evidence_photos ph WHERE ph.order_event_id = e.id), '{}') AS photos \
         FROM order_events e JOIN organisations o ON o.id = e.by_org WHERE e.order_id = $1 ORDER BY e.created_at",
    )
    .bind(order)
    .fetch_all(conn)
    .await
}

pub async fn insert_order_event(
    conn: &mut PgConnection,
    order: &Order,
    district: Uuid,
    kind: &str,
    text: &str,
    by_user: Uuid,
    by_org: Uuid,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO order_events (order_id, project_id, district_id, developer_org_id, kind, text, by_user, by_org) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(order.id)
    .bind(order.project_id)
    .bind(district)
    .bind(order.developer_org_id)
    .bind(kind)
    .bind(text)
    .bind(by_user)
    .bind(by_org)
    .fetch_one(conn)
    .await
}

#[derive(Debug, Clone, Default, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct LevelCount {
    pub level: String,
    pub open: i64,
}

/// Open findings by current level on the organisation's projects, from its roll-up.
pub async fn open_by_level(conn: &mut PgConnection) -> Result<Vec<LevelCount>, sqlx::Error> {
    sqlx::query_as(
        "SELECT level, open FROM stats_party_open WHERE org_id = (SELECT app.current_org_id()) AND open > 0 ORDER BY level",
    )
    .fetch_all(conn)
    .await
}

/// Open orders on the organisation's projects: (open, overdue and not answered, awaiting recheck).
pub async fn open_orders(
    conn: &mut PgConnection,
    today: NaiveDate,
) -> Result<(i64, i64, i64), sqlx::Error> {
    sqlx::query_as(
        "SELECT coalesce(sum(open), 0)::bigint, coalesce(sum(open - responded) FILTER (WHERE deadline < $1), 0)::bigint, \
                coalesce(sum(responded), 0)::bigint \
         FROM stats_party_deadlines WHERE org_id = (SELECT app.current_org_id())",
    )
    .bind(today)
    .fetch_one(conn)
    .await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ProjectRisk {
    pub project_id: Uuid,
    pub project_name: String,
    pub developer_name_zh: String,
    pub open_cde: i64,
    pub open_de: i64,
    pub overdue_orders: i64,
    pub last_inspection: Option<NaiveDate>,
}

/// The organisation's projects that most need attention, at most `limit`: those with the most
/// open D/E (then C–E) findings and those with the longest overdue orders, each off its own index
/// of the organisation's projects. Overdue orders are counted from the early deadlines on the
/// organisation's row (from the counters only when it keeps as many as it can); the last
/// inspection is on the row too (0029). No parameters, so each connection plans it once.
pub async fn risk_by_project(
    conn: &mut PgConnection,
    limit: u32,
) -> Result<Vec<ProjectRisk>, sqlx::Error> {
    sqlx::query_as(&format!(
        "WITH today AS MATERIALIZED (SELECT app.shanghai_day(now()) AS day), \
         candidates AS ( \
             (SELECT project_id, open_cde, open_de, early_deadlines, last_inspection FROM stats_party_projects \
              WHERE org_id = (SELECT app.current_org_id()) ORDER BY open_de DESC, open_cde DESC LIMIT {limit}) \
             UNION \
             (SELECT project_id, open_cde, open_de, early_deadlines, last_inspection FROM stats_party_projects \
              WHERE org_id = (SELECT app.current_org_id()) AND early_deadlines <> '{{}}' \
                AND early_deadlines[1] < (SELECT day FROM today) \
              ORDER BY early_deadlines[1] LIMIT {limit})), \
         ranked AS MATERIALIZED ( \
             SELECT c.project_id, c.open_cde, c.open_de, c.last_inspection, \
                    CASE WHEN cardinality(c.early_deadlines) < {OVERDUE_DEADLINES_KEPT} \
                         THEN (SELECT count(*) FROM unnest(c.early_deadlines) d WHERE d < (SELECT day FROM today)) \
                         ELSE (SELECT sum(open - responded) FROM stats_project_deadlines s \
                               WHERE s.project_id = c.project_id AND s.deadline < (SELECT day FROM today)) END::bigint AS overdue_orders \
             FROM candidates c) \
         SELECT r.project_id, p.name AS project_name, d.name_zh AS developer_name_zh, r.open_cde, r.open_de, \
                r.overdue_orders, r.last_inspection \
         FROM ranked r JOIN projects p ON p.id = r.project_id JOIN organisations d ON d.id = p.developer_org_id \
         WHERE r.last_inspection IS NOT NULL OR EXISTS (SELECT 1 FROM inspection_visits v WHERE v.project_id = r.project_id) \
         ORDER BY r.open_de DESC, r.overdue_orders DESC, r.open_cde DESC, p.name LIMIT {limit}",
    ))
    .fetch_all(conn)
    .await
}
