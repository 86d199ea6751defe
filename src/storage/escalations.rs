//! The escalation job: every overdue rectification order climbs the ladder one dated rung at a
//! time (reminder → insurer → bureau → exclusion proposal), each rung recorded once, audited, and
//! announced to the organisations concerned. Runs on the operator's connection (it acts for the
//! platform, not for a tenant), every few minutes from the server and on demand from the CLI.

use chrono::NaiveDate;
use sqlx::{Connection, PgConnection};
use uuid::Uuid;

use crate::domain::risk::Escalation;

#[derive(sqlx::FromRow)]
struct OpenOrder {
    id: Uuid,
    number: String,
    deadline: NaiveDate,
    project_id: Uuid,
    project_name: String,
    district_id: Uuid,
    developer_org_id: Uuid,
    agency_org_id: Uuid,
    lead_insurer_org_id: Option<Uuid>,
}

/// How many orders one pass reads before recording their rung (bounded memory on a first sweep of
/// a large history).
const BATCH: i64 = 500;

/// Records every rung reached by `today` that is not recorded yet; returns how many were added.
/// Only orders missing a rung they have reached are read (off the open orders' deadline index),
/// so a sweep with nothing new to record costs one anti-join per rung. Each rung is recorded with
/// its notifications and audit entry in one transaction.
pub async fn sweep(conn: &mut PgConnection, today: NaiveDate) -> Result<usize, sqlx::Error> {
    let mut added = 0;
    for step in Escalation::LADDER {
        let reached_by = today - chrono::Duration::days(step.days_late());
        loop {
            let orders: Vec<OpenOrder> = sqlx::query_as(
                "SELECT o.id, o.number, o.deadline, o.project_id, p.name AS project_name, o.district_id, o.developer_org_id, \
                        o.agency_org_id, (SELECT org_id FROM project_parties pp WHERE pp.project_id = o.project_id \
                                          AND pp.role = 'lead_insurer' AND pp.retired_at IS NULL LIMIT 1) AS lead_insurer_org_id \
                 FROM rectification_orders o JOIN projects p ON p.id = o.project_id \
                 WHERE o.status = 'issued' AND o.deadline <= $1 \
                   AND NOT EXISTS (SELECT 1 FROM order_escalations e WHERE e.order_id = o.id AND e.step = $2) \
                 ORDER BY o.deadline, o.id LIMIT $3",
            )
            .bind(reached_by)
            .bind(step.as_str())
            .bind(BATCH)
            .fetch_all(&mut *conn)
            .await?;
            if orders.is_empty() {
                break;
            }
            for order in &orders {
                let mut tx = conn.begin().await?;
                if record(&mut tx, order, step, today).await? {
                    added += 1;
                }
                tx.commit().await?;
            }
        }
    }
    Ok(added)
}

/// One rung of one order: recorded once (false when another sweep got there first), announced to
/// the organisations concerned, and audited.
async fn record(
    conn: &mut PgConnection,
    order: &OpenOrder,
    step: Escalation,
    today: NaiveDate,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO order_escalations (order_id, step, project_id, district_id, developer_org_id, escalated_on) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
    )
    .bind(order.id)
    .bind(step.as_str())
    .bind(order.project_id)
    .bind(order.district_id)
    .bind(order.developer_org_id)
    .bind(today)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Ok(false);
    }
    for org in recipients(conn, order, step).await? {
        sqlx::query(
            "INSERT INTO notifications (org_id, kind, entity_type, entity_id, project_id, summary) \
             VALUES ($1, $2, 'rectification_order', $3, $4, $5)",
        )
        .bind(org)
        .bind(format!("escalation.{}", step.as_str()))
        .bind(order.id)
        .bind(order.project_id)
        .bind(format!(
            "{} · {} · {}",
            order.number, order.project_name, order.deadline
        ))
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query(
        "INSERT INTO audit_log (chain_key, seq, org_id, user_id, action, entity_type, entity_id, before, after, request_id, prev_hash, hash) \
         VALUES (gen_random_uuid(), 0, $1, NULL, 'order.escalated', 'rectification_order', $2, NULL, $3, 'escalation-job', '', '')",
    )
    .bind(order.agency_org_id)
    .bind(order.id)
    .bind(serde_json::json!({ "step": step.as_str(), "deadline": order.deadline, "on": today }))
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

/// Who hears of each rung: the developer always; the lead insurer from the insurer notice on;
/// the bureau(s) of the district from the regulator notice on.
async fn recipients(
    conn: &mut PgConnection,
    order: &OpenOrder,
    step: Escalation,
) -> Result<Vec<Uuid>, sqlx::Error> {
    let mut orgs = vec![order.developer_org_id, order.agency_org_id];
    if step >= Escalation::NoticeToInsurer {
        orgs.extend(order.lead_insurer_org_id);
    }
    if step >= Escalation::NoticeToRegulator {
        let regulators: Vec<Uuid> = sqlx::query_scalar(
            "SELECT o.id FROM organisations o JOIN districts d ON d.id = $1 \
             WHERE o.kind = 'regulator' AND (o.district_id = d.id OR o.district_id = d.parent_id)",
        )
        .bind(order.district_id)
        .fetch_all(&mut *conn)
        .await?;
        orgs.extend(regulators);
    }
    Ok(orgs)
}

#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Notification {
    pub id: Uuid,
    pub kind: String,
    pub entity_type: String,
    pub entity_id: Uuid,
    pub project_id: Option<Uuid>,
    pub summary: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub read_at: Option<chrono::DateTime<chrono::Utc>>,
}

pub async fn notifications(conn: &mut PgConnection) -> Result<Vec<Notification>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, kind, entity_type, entity_id, project_id, summary, created_at, read_at FROM notifications \
         ORDER BY read_at IS NOT NULL, created_at DESC LIMIT 200",
    )
    .fetch_all(conn)
    .await
}

pub async fn unread_count(conn: &mut PgConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT count(*) FROM notifications WHERE read_at IS NULL")
        .fetch_one(conn)
        .await
}

pub async fn mark_all_read(conn: &mut PgConnection) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query("UPDATE notifications SET read_at = now() WHERE read_at IS NULL")
            .execute(conn)
            .await?
            .rows_affected(),
    )
}

#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct EscalationStep {
    pub step: String,
    pub escalated_on: NaiveDate,
}

pub async fn steps_of(
    conn: &mut PgConnection,
    order: Uuid,
) -> Result<Vec<EscalationStep>, sqlx::Error> {
    sqlx::query_as("SELECT step, escalated_on FROM order_escalations WHERE order_id = $1 ORDER BY escalated_on, created_at")
        .bind(order)
        .fetch_all(conn)
        .await
}
