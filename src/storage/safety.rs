//! Safety services and incidents with their victims.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use sqlx::types::Json;
use uuid::Uuid;

use super::projects::Project;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct SafetyService {
    pub id: Uuid,
    pub project_id: Uuid,
    pub project_name: String,
    pub provider_name_zh: String,
    pub kind: String,
    pub hazard_category: Option<String>,
    pub performed_on: NaiveDate,
    pub hazards_found: i32,
    pub participants: i32,
    pub summary: String,
}

pub async fn services(
    conn: &mut PgConnection,
    project: Option<Uuid>,
) -> Result<Vec<SafetyService>, sqlx::Error> {
    sqlx::query_as(
        "SELECT s.id, s.project_id, p.name AS project_name, o.name_zh AS provider_name_zh, s.kind, s.hazard_category, \
                s.performed_on, s.hazards_found, s.participants, s.summary \
         FROM safety_services s JOIN projects p ON p.id = s.project_id JOIN organisations o ON o.id = s.provider_org_id \
         WHERE ($1::uuid IS NULL OR s.project_id = $1) ORDER BY s.performed_on DESC LIMIT 500",
    )
    .bind(project)
    .fetch_all(conn)
    .await
}

pub struct NewService<'a> {
    pub project: &'a Project,
    pub provider_org_id: Uuid,
    pub kind: &'a str,
    pub hazard_category: Option<&'a str>,
    pub performed_on: NaiveDate,
    pub hazards_found: i32,
    pub participants: i32,
    pub summary: &'a str,
    pub created_by: Uuid,
}

pub async fn insert_service(
    conn: &mut PgConnection,
    s: &NewService<'_>,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO safety_services (project_id, district_id, developer_org_id, provider_org_id, kind, hazard_category, \
                                      performed_on, hazards_found, participants, summary, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(s.project.id)
    .bind(s.project.district_id)
    .bind(s.project.developer_org_id)
    .bind(s.provider_org_id)
    .bind(s.kind)
    .bind(s.hazard_category)
    .bind(s.performed_on)
    .bind(s.hazards_found)
    .bind(s.participants)
    .bind(s.summary)
    .bind(s.created_by)
    .fetch_one(conn)
    .await
}

/// A victim as reported with the incident.
#[derive(Debug, Clone)]
pub struct Victim {
    pub name: String,
    pub party: String,
    pub injury_class: String,
    pub medical_cost_fen: i64,
}

/// A victim as stored, with the lead insurer's settlement once agreed.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IncidentVictim {
    pub id: Uuid,
    pub name: String,
    /// worker | third_party
    pub party: String,
    /// minor | serious | disability | death
    pub injury_class: String,
    pub medical_cost_fen: i64,
    /// The lead insurer's settlement, once agreed: agreed | paid.
    pub settlement_status: Option<String>,
    pub compensation_fen: Option<i64>,
    pub settled_medical_fen: Option<i64>,
    pub payment_reference: Option<String>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Incident {
    pub id: Uuid,
    pub number: String,
    pub project_id: Uuid,
    pub project_name: String,
    pub developer_name_zh: String,
    pub occurred_at: DateTime<Utc>,
    pub place: String,
    pub accident_type: String,
    pub description: String,
    pub rescue_cost_fen: i64,
    pub status: String,
    pub version: i32,
    #[schema(value_type = Vec<IncidentVictim>)]
    pub victims: Json<Vec<IncidentVictim>>,
    /// Rescue, investigation and legal costs agreed by the lead insurer.
    #[schema(value_type = Vec<CostLine>)]
    pub costs: Json<Vec<CostLine>>,
}

impl Incident {
    /// What still keeps the incident open: victims not paid, agreed costs not paid.
    pub fn outstanding(&self) -> crate::domain::safety::Outstanding {
        crate::domain::safety::Outstanding {
            victims_unpaid: self
                .victims
                .iter()
                .filter(|v| v.settlement_status.as_deref() != Some("paid"))
                .count(),
            costs_unpaid: self.costs.iter().filter(|c| c.status != "paid").count(),
        }
    }
}

/// A cost of the incident besides its victims, agreed as a line of its own and then paid.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CostLine {
    pub id: Uuid,
    /// rescue | investigation | legal
    pub kind: String,
    pub payee: String,
    pub amount_fen: i64,
    /// agreed | paid
    pub status: String,
    pub payment_reference: Option<String>,
}

const INCIDENT_SELECT: &str = "\
    SELECT i.id, i.number, i.project_id, p.name AS project_name, d.name_zh AS developer_name_zh, i.occurred_at, i.place, \
           i.accident_type, i.description, i.rescue_cost_fen, i.status, i.version, \
           coalesce((SELECT json_agg(json_build_object('id', v.id, 'name', v.name, 'party', v.party, 'injury_class', v.injury_class, \
                                                       'medical_cost_fen', v.medical_cost_fen, 'settlement_status', st.status, \
                                                       'compensation_fen', st.compensation_fen, 'settled_medical_fen', st.medical_fen, \
                                                       'payment_reference', st.payment_reference) ORDER BY v.name) \
                     FROM incident_victims v LEFT JOIN victim_settlements st ON st.victim_id = v.id \
                     WHERE v.incident_id = i.id), '[]'::json)::jsonb AS victims, \
           coalesce((SELECT json_agg(json_build_object('id', c.id, 'kind', c.kind, 'payee', c.payee, 'amount_fen', c.amount_fen, \
                                                       'status', c.status, 'payment_reference', c.payment_reference) \
                                     ORDER BY c.agreed_at) \
                     FROM incident_cost_settlements c WHERE c.incident_id = i.id), '[]'::json)::jsonb AS costs \
    FROM safety_incidents i JOIN projects p ON p.id = i.project_id JOIN organisations d ON d.id = i.developer_org_id";

pub async fn incidents(
    conn: &mut PgConnection,
    project: Option<Uuid>,
) -> Result<Vec<Incident>, sqlx::Error> {
    sqlx::query_as(
        &[
            INCIDENT_SELECT,
            " WHERE ($1::uuid IS NULL OR i.project_id = $1) ORDER BY i.occurred_at DESC LIMIT 500",
        ]
        .concat(),
    )
    .bind(project)
    .fetch_all(conn)
    .await
}

pub async fn incident(conn: &mut PgConnection, id: Uuid) -> Result<Option<Incident>, sqlx::Error> {
    sqlx::query_as(&[INCIDENT_SELECT, " WHERE i.id = $1"].concat())
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub struct NewIncident<'a> {
    pub project: &'a Project,
    pub occurred_at: DateTime<Utc>,
    pub place: &'a str,
    pub accident_type: &'a str,
    pub description: &'a str,
    pub rescue_cost_fen: i64,
    pub reported_by: Uuid,
}

pub async fn insert_incident(
    conn: &mut PgConnection,
    i: &NewIncident<'_>,
    victims: &[Victim],
) -> Result<Uuid, sqlx::Error> {
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO safety_incidents (number, project_id, district_id, developer_org_id, occurred_at, place, accident_type, \
                                       description, rescue_cost_fen, reported_by) \
         VALUES ('AQ-' || extract(year FROM now() AT TIME ZONE 'Asia/Shanghai') || '-' || lpad(nextval('safety_incident_numbers')::text, 6, '0'), \
                 $1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(i.project.id)
    .bind(i.project.district_id)
    .bind(i.project.developer_org_id)
    .bind(i.occurred_at)
    .bind(i.place)
    .bind(i.accident_type)
    .bind(i.description)
    .bind(i.rescue_cost_fen)
    .bind(i.reported_by)
    .fetch_one(&mut *conn)
    .await?;
    for v in victims {
        sqlx::query(
            "INSERT INTO incident_victims (incident_id, project_id, district_id, developer_org_id, name, party, injury_class, medical_cost_fen) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(i.project.id)
        .bind(i.project.district_id)
        .bind(i.project.developer_org_id)
        .bind(&v.name)
        .bind(&v.party)
        .bind(&v.injury_class)
        .bind(v.medical_cost_fen)
        .execute(&mut *conn)
        .await?;
    }
    Ok(id)
}

pub async fn set_incident_status(
    conn: &mut PgConnection,
    incident: &Incident,
    to: &str,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query("UPDATE safety_incidents SET status = $4, version = version + 1 WHERE id = $1 AND version = $2 AND status = $3")
        .bind(incident.id)
        .bind(incident.version)
        .bind(&incident.status)
        .bind(to)
        .execute(conn)
        .await?
        .rows_affected()
        == 1)
}

/// Locks the incident until the transaction ends: settling takes the same lock (a trigger), so
/// what is counted as outstanding cannot change before the incident closes.
pub async fn lock_incident(conn: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT 1 FROM safety_incidents WHERE id = $1 FOR UPDATE")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn insert_cost_line(
    conn: &mut PgConnection,
    incident: Uuid,
    lead_insurer: Uuid,
    kind: &str,
    payee: &str,
    amount_fen: i64,
    by: Uuid,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO incident_cost_settlements (incident_id, project_id, district_id, developer_org_id, lead_insurer_org_id, \
                                                kind, payee, amount_fen, agreed_by) \
         SELECT i.id, i.project_id, i.district_id, i.developer_org_id, $2, $3, $4, $5, $6 \
         FROM safety_incidents i WHERE i.id = $1 RETURNING id",
    )
    .bind(incident)
    .bind(lead_insurer)
    .bind(kind)
    .bind(payee)
    .bind(amount_fen)
    .bind(by)
    .fetch_one(conn)
    .await
}

/// A cost line with what paying it needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CostToPay {
    pub id: Uuid,
    pub incident_id: Uuid,
    pub lead_insurer_org_id: Uuid,
    pub status: String,
    pub version: i32,
}

pub async fn cost_line(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<Option<CostToPay>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, incident_id, lead_insurer_org_id, status, version FROM incident_cost_settlements WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Marks an agreed cost line paid if nobody moved it first.
pub async fn pay_cost_line(
    conn: &mut PgConnection,
    line: &CostToPay,
    reference: &str,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE incident_cost_settlements SET status = 'paid', payment_reference = $3, paid_at = now(), version = version + 1 \
         WHERE id = $1 AND version = $2 AND status = 'agreed'",
    )
    .bind(line.id)
    .bind(line.version)
    .bind(reference)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// A victim with what the settlement needs to know about its incident.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VictimToSettle {
    pub id: Uuid,
    pub incident_id: Uuid,
    pub project_id: Uuid,
    pub injury_class: String,
    pub settlement_status: Option<String>,
    pub settlement_version: Option<i32>,
    pub rule_pack_id: Option<Uuid>,
    pub lead_insurer_org_id: Option<Uuid>,
}

pub async fn victim_to_settle(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<Option<VictimToSettle>, sqlx::Error> {
    sqlx::query_as(
        "SELECT v.id, v.incident_id, v.project_id, v.injury_class, st.status AS settlement_status, \
                st.version AS settlement_version, po.rule_pack_id, po.lead_insurer_org_id \
         FROM incident_victims v LEFT JOIN victim_settlements st ON st.victim_id = v.id \
         LEFT JOIN LATERAL (SELECT p2.rule_pack_id, p2.lead_insurer_org_id FROM policies p2 \
                            WHERE p2.project_id = v.project_id AND p2.status IN ('issued', 'in_force', 'expired') \
                            ORDER BY p2.status = 'in_force' DESC LIMIT 1) po ON true \
         WHERE v.id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn agree_settlement(
    conn: &mut PgConnection,
    victim: &VictimToSettle,
    lead_insurer: Uuid,
    compensation_fen: i64,
    medical_fen: i64,
    by: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO victim_settlements (victim_id, incident_id, project_id, district_id, developer_org_id, lead_insurer_org_id, \
                                         compensation_fen, medical_fen, agreed_by) \
         SELECT v.id, v.incident_id, v.project_id, v.district_id, v.developer_org_id, $2, $3, $4, $5 \
         FROM incident_victims v WHERE v.id = $1",
    )
    .bind(victim.id)
    .bind(lead_insurer)
    .bind(compensation_fen)
    .bind(medical_fen)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks an agreed settlement paid if nobody moved it first.
pub async fn pay_settlement(
    conn: &mut PgConnection,
    victim: &VictimToSettle,
    reference: &str,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE victim_settlements SET status = 'paid', payment_reference = $3, paid_at = now(), version = version + 1 \
         WHERE victim_id = $1 AND version = $2 AND status = 'agreed'",
    )
    .bind(victim.id)
    .bind(victim.settlement_version)
    .bind(reference)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// The lead insurer and rule pack of the project's issued policy, if it has one.
pub async fn project_cover(
    conn: &mut PgConnection,
    project: Uuid,
) -> Result<Option<(Uuid, Uuid)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT lead_insurer_org_id, rule_pack_id FROM policies WHERE project_id = $1 \
         AND status IN ('issued', 'in_force', 'expired') ORDER BY status = 'in_force' DESC LIMIT 1",
    )
    .bind(project)
    .fetch_optional(conn)
    .await
}
