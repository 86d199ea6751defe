//! Policies: application, quote (per-building premiums and insurer shares), acceptance, payment,
//! issue, endorsements. Status changes are optimistic: `WHERE version = $n AND status = $s`.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::policy::PolicyStatus;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Policy {
    pub id: Uuid,
    pub project_id: Uuid,
    pub project_name: String,
    pub district_id: Uuid,
    pub district_name_zh: String,
    pub developer_org_id: Uuid,
    pub developer_name_zh: String,
    pub lead_insurer_org_id: Uuid,
    pub lead_insurer_name_zh: String,
    pub rule_pack_id: Uuid,
    pub rule_pack_version: String,
    pub status: String,
    pub policy_number: Option<String>,
    pub idi_premium_fen: Option<i64>,
    pub safety_premium_fen: Option<i64>,
    pub total_premium_fen: Option<i64>,
    pub tis_fee_fen: Option<i64>,
    pub applied_at: Option<DateTime<Utc>>,
    pub quoted_at: Option<DateTime<Utc>>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub paid_at: Option<DateTime<Utc>>,
    pub paid_amount_fen: Option<i64>,
    pub payment_reference: Option<String>,
    pub issued_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancel_reason: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
}

const SELECT: &str = "\
    SELECT p.id, p.project_id, pr.name AS project_name, p.district_id, d.name_zh AS district_name_zh, \
           p.developer_org_id, dev.name_zh AS developer_name_zh, p.lead_insurer_org_id, \
           li.name_zh AS lead_insurer_name_zh, p.rule_pack_id, rp.version AS rule_pack_version, p.status, \
           p.policy_number, p.idi_premium_fen, p.safety_premium_fen, p.total_premium_fen, p.tis_fee_fen, \
           p.applied_at, p.quoted_at, p.accepted_at, p.paid_at, p.paid_amount_fen, p.payment_reference, \
           p.issued_at, p.cancelled_at, p.cancel_reason, p.version, p.created_at \
    FROM policies p \
    JOIN projects pr ON pr.id = p.project_id \
    JOIN districts d ON d.id = p.district_id \
    JOIN organisations dev ON dev.id = p.developer_org_id \
    JOIN organisations li ON li.id = p.lead_insurer_org_id \
    JOIN rule_packs rp ON rp.id = p.rule_pack_id";

/// Policies awaiting the insurer first, then the developer, then the rest; newest first within.
/// Migration 0032 indexes this expression for each lead insurer's awaiting policies.
const NEEDING_ACTION_FIRST: &str = "array_position(ARRAY['applied','accepted','paid','quoted','draft','issued','in_force','expired','cancelled'], p.status), \
     p.created_at DESC";

/// Visible policies, optionally of one status, the ones needing action first.
pub async fn list(
    conn: &mut PgConnection,
    status: Option<&str>,
) -> Result<Vec<Policy>, sqlx::Error> {
    sqlx::query_as(
        &[
            SELECT,
            " WHERE ($1::text IS NULL OR p.status = $1) ORDER BY ",
            NEEDING_ACTION_FIRST,
            " LIMIT 1000",
        ]
        .concat(),
    )
    .bind(status)
    .fetch_all(conn)
    .await
}

/// The first `limit` policies the connection's insurer leads in one of `statuses`, those needing
/// action first: chosen off the lead insurer's index from the policies alone, then read whole (the
/// joins, each under its read rule, for those rows only). The statuses and the limit are the
/// dashboard's constants, written into the statement so that it is planned once per connection.
pub async fn led_in(
    conn: &mut PgConnection,
    statuses: &[PolicyStatus],
    limit: u32,
) -> Result<Vec<Policy>, sqlx::Error> {
    let statuses: Vec<String> = statuses
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    sqlx::query_as(&format!(
        "{SELECT} WHERE p.id IN (SELECT p.id FROM policies p \
             WHERE p.lead_insurer_org_id = (SELECT app.current_org_id()) AND p.status IN ({}) \
             ORDER BY {NEEDING_ACTION_FIRST} LIMIT {limit}) \
         ORDER BY {NEEDING_ACTION_FIRST}",
        statuses.join(", ")
    ))
    .fetch_all(conn)
    .await
}

/// An insurer's policies in one state, as lead or co-insurer (counters of 0022).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InsurerPolicies {
    pub lead: bool,
    pub status: String,
    pub policies: i64,
    /// The policies' total premium, where it leads.
    pub premium_fen: i64,
}

pub async fn insurer_counts(conn: &mut PgConnection) -> Result<Vec<InsurerPolicies>, sqlx::Error> {
    sqlx::query_as(
        "SELECT lead, status, policies, premium_fen FROM stats_insurer_policies \
         WHERE insurer_org_id = (SELECT app.current_org_id()) AND policies <> 0",
    )
    .fetch_all(conn)
    .await
}

pub async fn find(conn: &mut PgConnection, id: Uuid) -> Result<Option<Policy>, sqlx::Error> {
    sqlx::query_as(&[SELECT, " WHERE p.id = $1"].concat())
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn insert_application(
    conn: &mut PgConnection,
    project: Uuid,
    district: Uuid,
    developer: Uuid,
    lead_insurer: Uuid,
    rule_pack: Uuid,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO policies (project_id, district_id, developer_org_id, lead_insurer_org_id, rule_pack_id, status, applied_at) \
         VALUES ($1, $2, $3, $4, $5, 'applied', now()) RETURNING id",
    )
    .bind(project)
    .bind(district)
    .bind(developer)
    .bind(lead_insurer)
    .bind(rule_pack)
    .fetch_one(conn)
    .await
}

/// The fields a transition may set besides the status.
#[derive(Default)]
pub struct Changes<'a> {
    pub premiums: Option<(i64, i64, i64, i64)>,
    pub payment: Option<(i64, &'a str)>,
    pub assign_number: bool,
    pub cancel_reason: Option<&'a str>,
}

/// Applies a transition if the policy is still at `version` and `from`; false otherwise.
pub async fn transition(
    conn: &mut PgConnection,
    id: Uuid,
    version: i32,
    from: &str,
    to: &str,
    changes: Changes<'_>,
) -> Result<bool, sqlx::Error> {
    let (idi, safety, total, tis) = match changes.premiums {
        Some((idi, safety, total, tis)) => (Some(idi), Some(safety), Some(total), Some(tis)),
        None => (None, None, None, None),
    };
    let (paid, reference) = match changes.payment {
        Some((amount, reference)) => (Some(amount), Some(reference)),
        None => (None, None),
    };
    let updated = sqlx::query(
        "UPDATE policies SET status = $4, version = version + 1, \
            idi_premium_fen = coalesce($5, idi_premium_fen), safety_premium_fen = coalesce($6, safety_premium_fen), \
            total_premium_fen = coalesce($7, total_premium_fen), tis_fee_fen = coalesce($8, tis_fee_fen), \
            quoted_at = CASE WHEN $4 = 'quoted' THEN now() ELSE quoted_at END, \
            accepted_at = CASE WHEN $4 = 'accepted' THEN now() ELSE accepted_at END, \
            paid_at = CASE WHEN $4 = 'paid' THEN now() ELSE paid_at END, \
            paid_amount_fen = coalesce($9, paid_amount_fen), payment_reference = coalesce($10, payment_reference), \
            issued_at = CASE WHEN $4 = 'issued' THEN now() ELSE issued_at END, \
            policy_number = CASE WHEN $11 THEN app.next_policy_number(district_id) ELSE policy_number END, \
            cancelled_at = CASE WHEN $4 = 'cancelled' THEN now() ELSE cancelled_at END, \
            cancel_reason = coalesce($12, cancel_reason) \
         WHERE id = $1 AND version = $2 AND status = $3",
    )
    .bind(id)
    .bind(version)
    .bind(from)
    .bind(to)
    .bind(idi)
    .bind(safety)
    .bind(total)
    .bind(tis)
    .bind(paid)
    .bind(reference)
    .bind(changes.assign_number)
    .bind(changes.cancel_reason)
    .execute(conn)
    .await?;
    Ok(updated.rows_affected() == 1)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct BuildingPremiumRow {
    pub building_id: Uuid,
    pub building_name: String,
    pub housing_types: Vec<String>,
    pub construction_cost_fen: i64,
    pub rate_bp: i32,
    pub idi_premium_fen: i64,
    pub safety_premium_fen: i64,
}

pub async fn building_premiums(
    conn: &mut PgConnection,
    policy: Uuid,
) -> Result<Vec<BuildingPremiumRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT q.building_id, b.name AS building_name, b.housing_types, b.construction_cost_fen, q.rate_bp, \
                q.idi_premium_fen, q.safety_premium_fen \
         FROM policy_building_premiums q JOIN buildings b ON b.id = q.building_id \
         WHERE q.policy_id = $1 ORDER BY b.name",
    )
    .bind(policy)
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Share {
    pub insurer_org_id: Uuid,
    pub insurer_name_zh: String,
    pub insurer_code: String,
    pub is_lead: bool,
    pub share_bp: i32,
    pub premium_fen: i64,
}

pub async fn shares(conn: &mut PgConnection, policy: Uuid) -> Result<Vec<Share>, sqlx::Error> {
    sqlx::query_as(
        "SELECT s.insurer_org_id, o.name_zh AS insurer_name_zh, o.code AS insurer_code, s.is_lead, s.share_bp, s.premium_fen \
         FROM policy_shares s JOIN organisations o ON o.id = s.insurer_org_id \
         WHERE s.policy_id = $1 ORDER BY s.is_lead DESC, s.share_bp DESC",
    )
    .bind(policy)
    .fetch_all(conn)
    .await
}

/// Replaces the quote rows (building premiums and shares) of a policy being quoted.
pub async fn replace_quote(
    conn: &mut PgConnection,
    policy: Uuid,
    buildings: &[(Uuid, i64, i64, i64)],
    shares: &[(Uuid, bool, i64, i64)],
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM policy_building_premiums WHERE policy_id = $1")
        .bind(policy)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM policy_shares WHERE policy_id = $1")
        .bind(policy)
        .execute(&mut *conn)
        .await?;
    for (building, rate, idi, safety) in buildings {
        sqlx::query(
            "INSERT INTO policy_building_premiums (policy_id, building_id, rate_bp, idi_premium_fen, safety_premium_fen) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(policy)
        .bind(building)
        .bind(i32::try_from(*rate).unwrap_or(i32::MAX))
        .bind(idi)
        .bind(safety)
        .execute(&mut *conn)
        .await?;
    }
    for (insurer, is_lead, share, premium) in shares {
        sqlx::query("INSERT INTO policy_shares (policy_id, insurer_org_id, is_lead, share_bp, premium_fen) VALUES ($1, $2, $3, $4, $5)")
            .bind(policy)
            .bind(insurer)
            .bind(is_lead)
            .bind(i32::try_from(*share).unwrap_or(i32::MAX))
            .bind(premium)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Endorsement {
    pub id: Uuid,
    pub kind: String,
    pub section_code: Option<String>,
    pub building_name: Option<String>,
    pub text: String,
    pub created_at: DateTime<Utc>,
}

pub async fn endorsements(
    conn: &mut PgConnection,
    policy: Uuid,
) -> Result<Vec<Endorsement>, sqlx::Error> {
    sqlx::query_as(
        "SELECT e.id, e.kind, e.section_code, b.name AS building_name, e.text, e.created_at \
         FROM endorsements e LEFT JOIN buildings b ON b.id = e.building_id WHERE e.policy_id = $1 ORDER BY e.created_at",
    )
    .bind(policy)
    .fetch_all(conn)
    .await
}

pub async fn insert_endorsement(
    conn: &mut PgConnection,
    policy: Uuid,
    kind: &str,
    section: Option<&str>,
    building: Option<Uuid>,
    text: &str,
    by: Uuid,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO endorsements (policy_id, kind, section_code, building_id, text, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(policy)
    .bind(kind)
    .bind(section)
    .bind(building)
    .bind(text)
    .bind(by)
    .fetch_one(conn)
    .await
}
