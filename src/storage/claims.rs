//! Units and their owners, claims, their history and payments.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::PgConnection;
use sqlx::postgres::PgRow;
use sqlx::types::Json;
use uuid::Uuid;

use crate::domain::claims::{ClaimDeadlines, CoverVerdict};

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Unit {
    pub id: Uuid,
    pub project_id: Uuid,
    pub project_name: String,
    pub building_id: Uuid,
    pub building_name: String,
    pub number: String,
    pub floor_area_m2: String,
    pub handed_over_on: Option<NaiveDate>,
    pub owner_name: Option<String>,
    pub invite_pending: bool,
    pub completion_date: Option<NaiveDate>,
    pub policy_id: Option<Uuid>,
}

const UNIT_SELECT: &str = "\
    SELECT u.id, u.project_id, p.name AS project_name, u.building_id, b.name AS building_name, u.number, \
           u.floor_area_m2::text AS floor_area_m2, u.handed_over_on, u.owner_name, \
           (u.invite_code_hash IS NOT NULL AND u.invite_expires_at > now()) AS invite_pending, p.completion_date, \
           (SELECT po.id FROM policies po WHERE po.project_id = p.id AND po.status IN ('issued', 'in_force', 'expired') \
            ORDER BY po.issued_at DESC LIMIT 1) AS policy_id \
    FROM units u JOIN projects p ON p.id = u.project_id JOIN buildings b ON b.id = u.building_id";

/// Whose units a list holds (within what the reader may see).
#[derive(Debug, Clone, Copy)]
pub enum UnitsOf {
    Project(Uuid),
    Owner(Uuid),
    All,
}

pub async fn units(conn: &mut PgConnection, of: UnitsOf) -> Result<Vec<Unit>, sqlx::Error> {
    // A statement per filter, not one with `($1 IS NULL OR …)`: PostgreSQL can plan that only
    // for given values, so it planned it, read rules and all, on every call (0.76 ms on a city's
    // project page, for 0.2 ms of work).
    let (filter, id) = match of {
        UnitsOf::Project(id) => (" WHERE u.project_id = $1", Some(id)),
        UnitsOf::Owner(id) => (" WHERE u.owner_user_id = $1", Some(id)),
        UnitsOf::All => ("", None),
    };
    let sql = [UNIT_SELECT, filter, " ORDER BY b.name, u.number LIMIT 2000"].concat();
    let query = sqlx::query_as(&sql);
    match id {
        Some(id) => query.bind(id),
        None => query,
    }
    .fetch_all(conn)
    .await
}

pub async fn unit(conn: &mut PgConnection, id: Uuid) -> Result<Option<Unit>, sqlx::Error> {
    sqlx::query_as(&[UNIT_SELECT, " WHERE u.id = $1"].concat())
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn insert_unit(
    conn: &mut PgConnection,
    project: &super::projects::Project,
    building: Uuid,
    number: &str,
    area_centi: i64,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO units (project_id, district_id, developer_org_id, building_id, number, floor_area_m2) \
         VALUES ($1, $2, $3, $4, $5, $6::numeric / 100) RETURNING id",
    )
    .bind(project.id)
    .bind(project.district_id)
    .bind(project.developer_org_id)
    .bind(building)
    .bind(number)
    .bind(area_centi)
    .fetch_one(conn)
    .await
}

/// Records the handover and a fresh one-time invitation (only its hash is kept).
pub async fn hand_over(
    conn: &mut PgConnection,
    unit: Uuid,
    day: NaiveDate,
    code_hash: &[u8],
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE units SET handed_over_on = $2, invite_code_hash = $3, invite_expires_at = now() + interval '30 days', \
                          version = version + 1 \
         WHERE id = $1 AND owner_user_id IS NULL",
    )
    .bind(unit)
    .bind(day)
    .bind(code_hash)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

pub async fn claim_unit(
    conn: &mut PgConnection,
    code_hash: &[u8],
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar("SELECT app.claim_unit($1)")
        .bind(code_hash)
        .fetch_one(conn)
        .await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Claim {
    pub id: Uuid,
    pub number: String,
    pub unit_id: Option<Uuid>,
    pub unit_number: Option<String>,
    pub project_id: Uuid,
    pub project_name: String,
    pub building_id: Uuid,
    pub building_name: String,
    pub policy_id: Uuid,
    pub rule_pack_id: Uuid,
    pub lead_insurer_org_id: Uuid,
    pub lead_insurer_name_zh: String,
    #[serde(skip)]
    pub owner_user_id: Option<Uuid>,
    /// The property manager that reported a common-area defect for the owners (else None).
    pub manager_org_id: Option<Uuid>,
    /// The claimant: the unit's owner or the property manager's reporter.
    pub owner_name: String,
    pub component: String,
    pub section_code: String,
    pub location: String,
    pub description: String,
    pub fast_channel: bool,
    pub complex: bool,
    #[schema(value_type = Object)]
    pub cover_verdict: Json<CoverVerdict>,
    pub status: String,
    pub surveyor: Option<String>,
    pub survey_report: Option<String>,
    pub reject_reason: Option<String>,
    pub approved_amount_fen: Option<i64>,
    pub paid_fen: i64,
    pub repair_contractor: Option<String>,
    /// The quote the repair was ordered on.
    pub repair_quote_id: Option<Uuid>,
    pub reported_at: DateTime<Utc>,
    pub contacted_at: Option<DateTime<Utc>>,
    pub surveyed_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub repaired_at: Option<DateTime<Utc>>,
    pub owner_signed_at: Option<DateTime<Utc>>,
    pub paid_at: Option<DateTime<Utc>>,
    /// Set when a disputed claim is taken up again; its clocks run from here.
    pub reopened_at: Option<DateTime<Utc>>,
    /// Its clocks as fixed from the rule pack (shown as the view's `deadlines`).
    #[serde(skip)]
    pub contact_due_at: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub survey_due_at: DateTime<Utc>,
    #[serde(skip)]
    pub decision_due_at: DateTime<Utc>,
    pub version: i32,
}

const CLAIM_SELECT: &str = "\
    SELECT c.id, c.number, c.unit_id, u.number AS unit_number, c.project_id, p.name AS project_name, c.building_id, \
           b.name AS building_name, c.policy_id, po.rule_pack_id, c.lead_insurer_org_id, li.name_zh AS lead_insurer_name_zh, \
           c.owner_user_id, c.manager_org_id, c.owner_name, c.component, c.section_code, c.location, c.description, c.fast_channel, c.complex, \
           c.cover_verdict, c.status, c.surveyor, c.survey_report, c.reject_reason, c.approved_amount_fen, \
           coalesce((SELECT sum(amount_fen) FROM claim_payments pay WHERE pay.claim_id = c.id), 0)::bigint AS paid_fen, \
           c.repair_contractor, c.repair_quote_id, c.reported_at, c.contacted_at, c.surveyed_at, c.decided_at, c.repaired_at, c.owner_signed_at, \
           c.paid_at, c.reopened_at, c.contact_due_at, c.survey_due_at, c.decision_due_at, c.version \
    FROM claims c JOIN projects p ON p.id = c.project_id JOIN buildings b ON b.id = c.building_id \
    JOIN policies po ON po.id = c.policy_id JOIN organisations li ON li.id = c.lead_insurer_org_id LEFT JOIN units u ON u.id = c.unit_id";

/// The 1,000 most urgent claims the tenant may see (row-level security decides), as `columns` of
/// `claims` (with `fast_channel` and `reported_at` among them): open before closed, the fast channel
/// first, oldest first. Each party that may see claims has its own arm, walked in that order by an
/// index of its own (0018) and cut at 1,000 (per district, per co-insured or assigned project: at
/// most 50), so a big insurer's or bureau's queue never sorts all its claims; the arms are merged
/// and cut again. Each claim is read once, by its arm.
fn queue(columns: &str) -> String {
    let arm = |filter: &str, limit: u32| queue_arm(columns, filter, limit);
    format!(
        "SELECT {columns} FROM (({lead}) UNION ({developer}) \
           UNION (SELECT x.* FROM unnest(app.jurisdiction_ids()) d CROSS JOIN LATERAL ({district}) x) \
           UNION (SELECT x.* FROM unnest(app.co_party_project_ids()) pr CROSS JOIN LATERAL ({project}) x) \
           UNION (SELECT {columns}, status IN ('paid', 'rejected') AS q_closed FROM claims \
                  WHERE owner_user_id = app.current_user_id() OR manager_org_id = app.current_org_id())) arms \
         ORDER BY q_closed, fast_channel DESC, reported_at LIMIT 1000",
        lead = arm("lead_insurer_org_id = app.current_org_id()", 1000),
        developer = arm("developer_org_id = app.current_org_id()", 1000),
        district = arm("district_id = d", 1000),
        project = arm("project_id = pr", 50),
    )
}

/// One party's claims in queue order, off its own index (0018), cut at `limit`.
fn queue_arm(columns: &str, filter: &str, limit: u32) -> String {
    format!(
        "SELECT {columns}, status IN ('paid', 'rejected') AS q_closed FROM claims WHERE {filter} \
         ORDER BY q_closed, fast_channel DESC, reported_at LIMIT {limit}"
    )
}

/// The order claims need attention in (a `claim_queue` rule): open before closed, those with a
/// broken clock first (an open claim's by now, a closed one's by its decision), the fast channel
/// for daily-life problems first, then by when the first clock broke or will break, then by id.
/// `t` qualifies the columns and `breaks` is the claim's `clock_breaks_at`.
fn attention_order(t: &str, breaks: &str) -> String {
    format!(
        " ORDER BY {t}status IN ('paid', 'rejected'), \
           {breaks} < CASE WHEN {t}status IN ('paid', 'rejected') THEN coalesce({t}decided_at, now()) \
                           ELSE now() END DESC, \
           {t}fast_channel DESC, {breaks}, {t}id"
    )
}

/// The 1,000 most urgent claims the tenant may see, in the order they need attention.
pub async fn claims<C: ClaimShape>(conn: &mut PgConnection) -> Result<Vec<C>, sqlx::Error> {
    sqlx::query_as(
        &[
            C::SELECT,
            " WHERE c.id IN (SELECT id FROM (",
            &queue("id, fast_channel, reported_at"),
            ") q)",
            &attention_order("c.", "c.clock_breaks_at"),
        ]
        .concat(),
    )
    .fetch_all(conn)
    .await
}

/// A claim at its place in the queue.
#[derive(sqlx::FromRow)]
pub struct QueuedClaim<C> {
    #[sqlx(flatten)]
    pub claim: C,
    /// From 1, in the order of attention.
    pub position: i64,
    /// Claims in the queue (at most 1,000).
    pub queued: i64,
}

/// The queue's claims at positions `after + 1 ..= after + rows`, in one statement: the 1,000 most
/// urgent are ranked by the database from the clocks the arms read off their indexes, and only the
/// page's claims are read in their shape. Empty when `after` is past the end. The positions
/// are written in, not bound: with parameters PostgreSQL re-planned this statement (4 ms) on every
/// page, where written in it is planned once per connection.
pub async fn queue_page<C: ClaimShape>(
    conn: &mut PgConnection,
    after: i64,
    rows: i64,
) -> Result<Vec<QueuedClaim<C>>, sqlx::Error> {
    let breaks = "app.claim_clock_breaks_at(contact_due_at, survey_due_at, decision_due_at, \
                  contacted_at, surveyed_at, decided_at)";
    let ranked = format!(
        "SELECT id, row_number() OVER ({order}) AS position, count(*) OVER () AS queued \
         FROM ({queue}) q",
        order = attention_order("", breaks).trim_start(),
        queue = queue(CLOCK_COLUMNS),
    );
    sqlx::query_as(&format!(
        "SELECT w.*, r.position, r.queued FROM ({select}) w JOIN ({ranked}) r ON r.id = w.id \
         WHERE r.position > {after} AND r.position <= {last} ORDER BY r.position",
        select = C::SELECT,
        last = after.saturating_add(rows),
    ))
    .fetch_all(conn)
    .await
}

/// How a claim is read: whole ([`Claim`]) or as the line a table shows ([`ClaimLine`]). The
/// queue's and the desks' statements take the shape's SELECT, so a table reads only what it shows.
pub trait ClaimShape: for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin {
    /// The shape's columns over the claim `c` and the tables its names come from.
    const SELECT: &'static str;
    fn status(&self) -> &str;
    /// Its clocks, as fixed from the rule pack.
    fn deadlines(&self) -> ClaimDeadlines;
    /// When it was contacted, surveyed and decided.
    fn progress(&self) -> [Option<DateTime<Utc>>; 3];
}

/// The shape's accessors over the clock fields `Claim` and `ClaimLine` share.
macro_rules! clock_fields {
    () => {
        fn status(&self) -> &str {
            &self.status
        }
        fn deadlines(&self) -> ClaimDeadlines {
            ClaimDeadlines {
                contact_by: self.contact_due_at,
                survey_by: self.survey_due_at,
                decision_by: self.decision_due_at,
            }
        }
        fn progress(&self) -> [Option<DateTime<Utc>>; 3] {
            [self.contacted_at, self.surveyed_at, self.decided_at]
        }
    };
}

impl ClaimShape for Claim {
    const SELECT: &'static str = CLAIM_SELECT;
    clock_fields!();
}

/// A claim as the claims tables show it: no texts beyond names, no money, no verdict.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClaimLine {
    pub id: Uuid,
    pub number: String,
    pub unit_id: Option<Uuid>,
    pub unit_number: Option<String>,
    pub project_name: String,
    pub building_name: String,
    pub manager_org_id: Option<Uuid>,
    pub owner_name: String,
    pub component: String,
    pub section_code: String,
    pub location: String,
    pub fast_channel: bool,
    pub status: String,
    pub reported_at: DateTime<Utc>,
    pub contacted_at: Option<DateTime<Utc>>,
    pub surveyed_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub contact_due_at: Option<DateTime<Utc>>,
    pub survey_due_at: DateTime<Utc>,
    pub decision_due_at: DateTime<Utc>,
}

const LINE_SELECT: &str = "\
    SELECT c.id, c.number, c.unit_id, u.number AS unit_number, p.name AS project_name, b.name AS building_name, \
           c.manager_org_id, c.owner_name, c.component, c.section_code, c.location, c.fast_channel, c.status, \
           c.reported_at, c.contacted_at, c.surveyed_at, c.decided_at, c.contact_due_at, c.survey_due_at, c.decision_due_at \
    FROM claims c JOIN projects p ON p.id = c.project_id JOIN buildings b ON b.id = c.building_id \
    LEFT JOIN units u ON u.id = c.unit_id";

impl ClaimShape for ClaimLine {
    const SELECT: &'static str = LINE_SELECT;
    clock_fields!();
}

/// What the queue reads of its claims to rank them: what its arms order by and the clocks.
const CLOCK_COLUMNS: &str = "id, status, fast_channel, contact_due_at, survey_due_at, decision_due_at, \
     contacted_at, surveyed_at, decided_at, reported_at";

/// Whose desk of open claims a dashboard shows, each off its own indexes (0026).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Desk {
    /// The claims the connection's insurer leads (without those it co-insures).
    LeadInsurer,
    /// The claims on the connection's developer's projects.
    Developer,
}

/// The desk's open claims that most need attention, at most `rows`, in the queue's order: late ones first, then the fast channel, then by when the first clock broke or will
/// break. Each of the four groups is one range of the desk's attention index (0026) read only for
/// its head, so the head costs the same for a desk of fifty open claims as for one of fifty
/// thousand.
pub async fn desk<C: ClaimShape>(
    conn: &mut PgConnection,
    desk: Desk,
    rows: u32,
) -> Result<Vec<C>, sqlx::Error> {
    let column = match desk {
        Desk::LeadInsurer => "lead_insurer_org_id",
        Desk::Developer => "developer_org_id",
    };
    let groups: Vec<String> = [(true, true), (true, false), (false, true), (false, false)]
        .into_iter()
        .map(|(late, fast)| {
            format!(
                "(SELECT id, {late} AS late, fast_channel, clock_breaks_at FROM claims \
                  WHERE {column} = (SELECT app.current_org_id()) AND status NOT IN ('paid', 'rejected') \
                    AND fast_channel = {fast} AND clock_breaks_at {} now() \
                  ORDER BY clock_breaks_at, id LIMIT {rows})",
                if late { "<" } else { ">=" }
            )
        })
        .collect();
    // No parameters: the statement (seven tables under their read rules) is planned once per
    // connection, not on every page.
    sqlx::query_as(&format!(
        "{} JOIN (SELECT * FROM ({}) groups \
                              ORDER BY late DESC, fast_channel DESC, clock_breaks_at, id LIMIT {rows}) head ON head.id = c.id \
         ORDER BY head.late DESC, head.fast_channel DESC, head.clock_breaks_at, head.id",
        C::SELECT,
        groups.join(" UNION ALL ")
    ))
    .fetch_all(conn)
    .await
}

/// How many of the connection's insurer's open claims are late now: those late before today from
/// the counters (0026), today's off the attention index (both of its fast-channel ranges).
pub async fn late_on_lead_desk(conn: &mut PgConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT (SELECT coalesce(sum(open_claims), 0) FROM stats_claims_late \
                 WHERE insurer_org_id = (SELECT app.current_org_id()) AND late_on < app.shanghai_day(now()))::bigint \
              + (SELECT count(*) FROM claims WHERE lead_insurer_org_id = (SELECT app.current_org_id()) \
                 AND status NOT IN ('paid', 'rejected') AND fast_channel IN (true, false) \
                 AND clock_breaks_at >= app.shanghai_day(now())::timestamp AT TIME ZONE 'Asia/Shanghai' \
                 AND clock_breaks_at < now())",
    )
    .fetch_one(conn)
    .await
}

pub async fn claim(conn: &mut PgConnection, id: Uuid) -> Result<Option<Claim>, sqlx::Error> {
    sqlx::query_as(&[CLAIM_SELECT, " WHERE c.id = $1"].concat())
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// The claim, with its row locked until the transaction ends.
pub async fn claim_locked(conn: &mut PgConnection, id: Uuid) -> Result<Option<Claim>, sqlx::Error> {
    sqlx::query_as(&[CLAIM_SELECT, " WHERE c.id = $1 FOR UPDATE OF c"].concat())
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub struct NewClaim<'a> {
    /// None for a common area.
    pub unit_id: Option<Uuid>,
    pub building_id: Uuid,
    pub project: &'a super::projects::Project,
    pub policy_id: Uuid,
    pub lead_insurer_org_id: Uuid,
    /// Exactly one of the owner and the property manager brings the claim.
    pub owner: Option<Uuid>,
    pub manager_org: Option<Uuid>,
    pub owner_name: &'a str,
    pub component: &'a str,
    pub section_code: &'a str,
    pub location: &'a str,
    pub description: &'a str,
    pub fast_channel: bool,
    pub verdict: &'a CoverVerdict,
    pub reported_at: DateTime<Utc>,
    /// From its policy's rule pack, running from `reported_at`.
    pub deadlines: ClaimDeadlines,
}

pub async fn insert_claim(conn: &mut PgConnection, c: &NewClaim<'_>) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO claims (number, unit_id, project_id, district_id, developer_org_id, policy_id, lead_insurer_org_id, \
                             building_id, owner_user_id, owner_name, component, section_code, location, description, fast_channel, \
                             cover_verdict, manager_org_id, reported_at, contact_due_at, survey_due_at, decision_due_at) \
         VALUES ('LP-' || extract(year FROM now() AT TIME ZONE 'Asia/Shanghai') || '-' || lpad(nextval('claim_numbers')::text, 6, '0'), \
                 $1, $2, $3, $4, $5, $6, $7, $8, $15, $9, $10, $11, $12, $13, $14, $16, $17, $18, $19, $20) RETURNING id",
    )
    .bind(c.unit_id)
    .bind(c.project.id)
    .bind(c.project.district_id)
    .bind(c.project.developer_org_id)
    .bind(c.policy_id)
    .bind(c.lead_insurer_org_id)
    .bind(c.building_id)
    .bind(c.owner)
    .bind(c.component)
    .bind(c.section_code)
    .bind(c.location)
    .bind(c.description)
    .bind(c.fast_channel)
    .bind(Json(c.verdict))
    .bind(c.owner_name)
    .bind(c.manager_org)
    .bind(c.reported_at)
    .bind(c.deadlines.contact_by)
    .bind(c.deadlines.survey_by)
    .bind(c.deadlines.decision_by)
    .fetch_one(conn)
    .await
}

/// What a transition writes besides the status; each field only when given.
#[derive(Default)]
pub struct ClaimChanges<'a> {
    pub surveyor: Option<&'a str>,
    pub survey_report: Option<&'a str>,
    pub reject_reason: Option<&'a str>,
    pub approved_amount_fen: Option<i64>,
    pub repair_contractor: Option<&'a str>,
    pub repair_quote_id: Option<Uuid>,
    pub complex: Option<bool>,
    /// A disputed claim taken up again: when, its clocks running from then.
    pub reopened_at: Option<DateTime<Utc>>,
    /// Its clocks fixed anew (reopened, or found complex).
    pub deadlines: Option<ClaimDeadlines>,
}

/// Moves a claim if it is still at `version` and `from`; stamps the time of the step.
pub async fn transition(
    conn: &mut PgConnection,
    claim: &Claim,
    to: &str,
    c: ClaimChanges<'_>,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE claims SET status = $4, version = version + 1, \
            surveyor = coalesce($5, surveyor), survey_report = coalesce($6, survey_report), \
            reject_reason = CASE WHEN $3 = 'disputed' AND $4 = 'surveying' THEN NULL ELSE coalesce($7, reject_reason) END, \
            approved_amount_fen = coalesce($8, approved_amount_fen), \
            repair_contractor = coalesce($9, (SELECT q.contractor FROM claim_repair_quotes q WHERE q.id = $11), repair_contractor), complex = coalesce($10, complex), \
            repair_quote_id = coalesce($11, repair_quote_id), \
            contacted_at = CASE WHEN $4 = 'surveying' THEN coalesce(contacted_at, now()) ELSE contacted_at END, \
            reopened_at = coalesce($12, reopened_at), \
            contact_due_at = CASE WHEN $13 THEN $14 ELSE contact_due_at END, \
            survey_due_at = coalesce($15, survey_due_at), decision_due_at = coalesce($16, decision_due_at), \
            surveyed_at = CASE WHEN $4 = 'surveyed' THEN coalesce(surveyed_at, now()) \
                               WHEN $3 = 'disputed' AND $4 = 'surveying' THEN NULL ELSE surveyed_at END, \
            decided_at = CASE WHEN $4 IN ('approved', 'rejected') AND $3 <> 'disputed' THEN now() \
                              WHEN $3 = 'disputed' AND $4 = 'surveying' THEN NULL ELSE decided_at END, \
            repaired_at = CASE WHEN $4 = 'repaired' THEN now() ELSE repaired_at END, \
            owner_signed_at = CASE WHEN $4 = 'owner_confirmed' THEN now() ELSE owner_signed_at END, \
            paid_at = CASE WHEN $4 = 'paid' THEN now() ELSE paid_at END \
         WHERE id = $1 AND version = $2 AND status = $3",
    )
    .bind(claim.id)
    .bind(claim.version)
    .bind(&claim.status)
    .bind(to)
    .bind(c.surveyor)
    .bind(c.survey_report)
    .bind(c.reject_reason)
    .bind(c.approved_amount_fen)
    .bind(c.repair_contractor)
    .bind(c.complex)
    .bind(c.repair_quote_id)
    .bind(c.reopened_at)
    .bind(c.deadlines.is_some())
    .bind(c.deadlines.and_then(|d| d.contact_by))
    .bind(c.deadlines.map(|d| d.survey_by))
    .bind(c.deadlines.map(|d| d.decision_by))
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ClaimEvent {
    pub id: Uuid,
    pub kind: String,
    pub text: String,
    pub created_at: DateTime<Utc>,
    pub photos: Vec<Uuid>,
}

pub async fn events(conn: &mut PgConnection, claim: Uuid) -> Result<Vec<ClaimEvent>, sqlx::Error> {
    sqlx::query_as(
        "SELECT e.id, e.kind, e.text, e.created_at, \
                coalesce((SELECT array_agg(ph.id ORDER BY ph.uploaded_at) FROM evidence_photos ph WHERE ph.claim_event_id = e.id), '{}') AS photos \
         FROM claim_events e WHERE e.claim_id = $1 ORDER BY e.created_at",
    )
    .bind(claim)
    .fetch_all(conn)
    .await
}

pub async fn add_event(
    conn: &mut PgConnection,
    claim: Uuid,
    kind: &str,
    text: &str,
    by: Uuid,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar("INSERT INTO claim_events (claim_id, kind, text, by_user) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(claim)
        .bind(kind)
        .bind(text)
        .bind(by)
        .fetch_one(conn)
        .await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Payment {
    pub id: Uuid,
    pub payee: String,
    pub amount_fen: i64,
    pub paid_at: DateTime<Utc>,
    #[serde(skip)]
    pub request_hash: Vec<u8>,
}

pub async fn payment_by_key(
    conn: &mut PgConnection,
    claim: Uuid,
    key: &str,
) -> Result<Option<Payment>, sqlx::Error> {
    sqlx::query_as("SELECT id, payee, amount_fen, paid_at, request_hash FROM claim_payments WHERE claim_id = $1 AND idempotency_key = $2")
        .bind(claim)
        .bind(key)
        .fetch_optional(conn)
        .await
}

pub async fn payments(conn: &mut PgConnection, claim: Uuid) -> Result<Vec<Payment>, sqlx::Error> {
    sqlx::query_as("SELECT id, payee, amount_fen, paid_at, request_hash FROM claim_payments WHERE claim_id = $1 ORDER BY paid_at")
        .bind(claim)
        .fetch_all(conn)
        .await
}

pub async fn insert_payment(
    conn: &mut PgConnection,
    claim: &Claim,
    key: &str,
    request_hash: &[u8],
    payee: &str,
    amount: i64,
    by: Uuid,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO claim_payments (claim_id, lead_insurer_org_id, idempotency_key, request_hash, payee, amount_fen, paid_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(claim.id)
    .bind(claim.lead_insurer_org_id)
    .bind(key)
    .bind(request_hash)
    .bind(payee)
    .bind(amount)
    .bind(by)
    .fetch_one(conn)
    .await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct EarlierFinding {
    pub level: String,
    pub original_level: String,
    pub status: String,
    pub location: String,
    pub description: String,
    pub inspected_on: NaiveDate,
}

/// Earlier TIS findings on the same building (or the whole project) and cover section.
pub async fn earlier_findings(
    conn: &mut PgConnection,
    claim: &Claim,
) -> Result<Vec<EarlierFinding>, sqlx::Error> {
    sqlx::query_as(
        "SELECT f.current_level AS level, f.original_level, f.status, f.location, f.description, i.inspected_on \
         FROM findings f JOIN inspections i ON i.id = f.inspection_id \
         WHERE f.project_id = $1 AND f.section_code = $2 AND (f.building_id IS NULL OR f.building_id = $3) \
         ORDER BY i.inspected_on",
    )
    .bind(claim.project_id)
    .bind(&claim.section_code)
    .bind(claim.building_id)
    .fetch_all(conn)
    .await
}

/// A repair contractor's quote for an approved claim.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct RepairQuote {
    pub id: Uuid,
    pub contractor: String,
    pub amount_fen: i64,
    pub scope: String,
    pub recorded_at: DateTime<Utc>,
}

pub async fn quotes(conn: &mut PgConnection, claim: Uuid) -> Result<Vec<RepairQuote>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, contractor, amount_fen, scope, recorded_at FROM claim_repair_quotes \
         WHERE claim_id = $1 ORDER BY amount_fen, recorded_at",
    )
    .bind(claim)
    .fetch_all(conn)
    .await
}

pub async fn insert_quote(
    conn: &mut PgConnection,
    claim: &Claim,
    contractor: &str,
    amount_fen: i64,
    scope: &str,
    by: Uuid,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO claim_repair_quotes (claim_id, lead_insurer_org_id, contractor, amount_fen, scope, recorded_by) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(claim.id)
    .bind(claim.lead_insurer_org_id)
    .bind(contractor)
    .bind(amount_fen)
    .bind(scope)
    .bind(by)
    .fetch_one(conn)
    .await
}
