//! The bureau's analytics, read from the counters of migration 0016 (a few hundred rows whatever
//! the number of findings) and from bounded index scans for the rows behind a figure. Row-level
//! security keeps every figure to the bureau's own districts.

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::postgres::PgRow;
use sqlx::{FromRow, PgConnection, Row};
use uuid::Uuid;

use crate::domain::analytics::{LeagueRow, Party};
use crate::domain::underwriting::OVERDUE_DEADLINES_SCORED;

/// What the page is narrowed to: the districts (one of the bureau's, or all of them), named in
/// each query so the counters are read by their key; and the window for closure figures.
#[derive(Debug, Clone)]
pub struct Scope {
    pub districts: Vec<Uuid>,
    pub since: NaiveDate,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct District {
    pub id: Uuid,
    pub name_zh: String,
    pub name_en: String,
}

/// The districts the bureau oversees (its own and its children).
pub async fn districts(conn: &mut PgConnection) -> Result<Vec<District>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name_zh, name_en FROM districts WHERE app.in_jurisdiction(id) ORDER BY admin_code",
    )
    .fetch_all(conn)
    .await
}

#[derive(Debug)]
pub struct StageCount {
    pub stage: String,
    pub housing_type: String,
    pub projects: i64,
}

#[derive(Debug)]
pub struct FindingCount {
    pub stage_code: String,
    pub level: String,
    pub total: i64,
    pub open: i64,
}

/// Findings raised since `s.since` and how many of them are closed, severe (D/E) apart.
#[derive(Debug)]
pub struct Cohort {
    pub severe: bool,
    pub raised: i64,
    pub closed: i64,
}

/// Closures since `s.since` that took `days` (a bucket), severe (D/E) apart.
#[derive(Debug)]
pub struct ClosureCount {
    pub severe: bool,
    pub days: i16,
    pub closures: i64,
}

#[derive(Debug)]
pub struct ClaimCount {
    pub insurer_org_id: Uuid,
    pub insurer_name_zh: String,
    pub status: String,
    pub claims: i64,
}

#[derive(Debug)]
pub struct DecisionCount {
    pub insurer_org_id: Uuid,
    pub complex: bool,
    pub days: i16,
    pub decisions: i64,
}

/// One of the 20 most overdue open D/E orders.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OverdueOrder {
    pub id: Uuid,
    pub number: String,
    pub level: String,
    pub deadline: NaiveDate,
    pub project_name: String,
    pub developer_name_zh: String,
}

/// Parcels that must insure and those insured, by month of land transfer and housing type ('' for
/// parcels without a project yet).
#[derive(Debug)]
pub struct CoverageMonth {
    pub transfer_month: NaiveDate,
    pub housing_type: String,
    pub requiring: i64,
    pub insured: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SafetyCount {
    /// "incident" (by accident type) or "service" (by kind of prevention service).
    pub category: String,
    pub kind: String,
    pub events: i64,
    pub hazards_found: i64,
    pub participants: i64,
}

/// Declares [`Counts`] from its queries: each query's rows come back as one array per field, the
/// arrays of all queries as one row of one statement (one round trip instead of ten, and one
/// snapshot for all the figures). Arrays because they cost PostgreSQL no more than the rows would,
/// where building JSON would cost half as much again. Each aggregate takes its rows in the order of
/// its sorted subquery, and all the aggregates of a query the same rows in the same order.
macro_rules! counts {
    ($($(#[$doc:meta])* $query:ident: $row:ident { $($field:ident),+ } = $sql:expr;)+) => {
        /// Everything the bureau's figures are made of, for one scope. The home reads the counts
        /// without the page's detail (coverage history, safety, a league), which come empty.
        #[derive(Debug)]
        pub struct Counts {
            $($(#[$doc])* pub $query: Vec<$row>,)+
        }

        fn counts_sql() -> String {
            let queries: Vec<String> = vec![$(format!(
                "(SELECT {} FROM ({}) t) {}",
                [$(concat!(
                    "coalesce(array_agg(", stringify!($field), "), '{}') AS \"",
                    stringify!($query), ".", stringify!($field), "\""
                )),+].join(", "),
                $sql,
                stringify!($query),
            )),+];
            format!("SELECT * FROM {}", queries.join(" CROSS JOIN "))
        }

        impl FromRow<'_, PgRow> for Counts {
            fn from_row(row: &PgRow) -> Result<Self, sqlx::Error> {
                Ok(Counts {$($query: {
                    $(let mut $field = row
                        .try_get::<Vec<_>, _>(concat!(stringify!($query), ".", stringify!($field)))?
                        .into_iter();)+
                    let mut rows = Vec::new();
                    loop {
                        $(let Some($field) = $field.next() else { break };)+
                        rows.push($row { $($field),+ });
                    }
                    rows
                },)+})
            }
        }
    };
}

// Each query reads the scope's districts ($1) with the window's first day ($2), today ($3) and
// the league's party ($4; none for the home, which also skips the coverage history and safety).
// All but the overdue orders read counters.
counts! {
    projects: StageCount { stage, housing_type, projects } =
        "SELECT stage, housing_type, sum(projects)::bigint AS projects FROM stats_projects \
        WHERE district_id = ANY($1) GROUP BY 1, 2";
    findings: FindingCount { stage_code, level, total, open } =
        "SELECT stage_code, level, sum(total)::bigint AS total, sum(open)::bigint AS open FROM stats_findings \
        WHERE district_id = ANY($1) GROUP BY 1, 2";
    cohorts: Cohort { severe, raised, closed } =
        "SELECT severe, sum(raised)::bigint AS raised, sum(closed)::bigint AS closed FROM stats_finding_days \
        WHERE district_id = ANY($1) AND raised_week >= $2 GROUP BY 1";
    closures: ClosureCount { severe, days, closures } =
        "SELECT severe, days, sum(closures)::bigint AS closures FROM stats_closures \
        WHERE district_id = ANY($1) AND closed_week >= $2 GROUP BY 1, 2";
    claims: ClaimCount { insurer_org_id, insurer_name_zh, status, claims } =
        "SELECT c.insurer_org_id, o.name_zh AS insurer_name_zh, c.status, c.claims \
        FROM (SELECT insurer_org_id, status, sum(claims)::bigint AS claims FROM stats_claims \
        WHERE district_id = ANY($1) GROUP BY 1, 2) c JOIN organisations o ON o.id = c.insurer_org_id";
    decisions: DecisionCount { insurer_org_id, complex, days, decisions } =
        "SELECT insurer_org_id, complex, days, sum(decisions)::bigint AS decisions FROM stats_claim_decisions \
        WHERE district_id = ANY($1) GROUP BY 1, 2, 3";
    /// By deadline, earliest first (off the partial index on deadline).
    most_overdue: OverdueOrder { id, number, level, deadline, project_name, developer_name_zh } =
        "SELECT o.id, o.number, o.level, o.deadline, p.name AS project_name, d.name_zh AS developer_name_zh \
        FROM rectification_orders o JOIN projects p ON p.id = o.project_id JOIN organisations d ON d.id = o.developer_org_id \
        WHERE o.status <> 'closed' AND o.level IN ('D', 'E') AND o.deadline < $3 \
        AND o.district_id = ANY($1) \
        ORDER BY o.deadline LIMIT 20";
    /// By month of transfer, then housing type.
    coverage: CoverageMonth { transfer_month, housing_type, requiring, insured } =
        "SELECT transfer_month, housing_type, sum(requiring)::bigint AS requiring, sum(insured)::bigint AS insured \
        FROM stats_coverage WHERE district_id = ANY($1) AND $4::text IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2";
    /// Since the month of the window's first day, by category, then kind.
    safety: SafetyCount { category, kind, events, hazards_found, participants } =
        "SELECT category, kind, sum(events)::bigint AS events, sum(hazards_found)::bigint AS hazards_found, \
        sum(participants)::bigint AS participants \
        FROM stats_safety WHERE district_id = ANY($1) AND month >= date_trunc('month', $2::date)::date \
        AND $4::text IS NOT NULL \
        GROUP BY 1, 2 ORDER BY 1, 2";
    league: LeagueRow {
        org_id, name_zh, projects, floor_area_m2, units, defects, severe, orders, orders_closed,
        orders_on_time, claims
    } = league_sql(&format!(
        "SELECT org_id, sum(projects)::bigint AS projects, {LEAGUE_SUMS} FROM stats_party_league \
         WHERE district_id = ANY($1) AND party = $4 GROUP BY 1 HAVING sum(projects) > 0"
    ));
}

static COUNTS_SQL: LazyLock<String> = LazyLock::new(counts_sql);

/// The bureau's figures for the scope. Leaves the rest of the transaction planning its statements
/// generically: read the figures last.
pub async fn counts(
    conn: &mut PgConnection,
    s: &Scope,
    today: NaiveDate,
    league: Option<Party>,
) -> Result<Counts, sqlx::Error> {
    // PostgreSQL prices this statement's generic plan above the plans it makes for given values
    // (it cannot size the districts' array), so by default it plans it again on every call, which
    // costs more than running it (city bureau: 1.4 ms against 1.2 ms). The plan's shape never
    // depends on the values: planned once per connection instead.
    sqlx::query("SET LOCAL plan_cache_mode = force_generic_plan")
        .execute(&mut *conn)
        .await?;
    sqlx::query_as(&COUNTS_SQL)
        .bind(&s.districts)
        .bind(s.since)
        .bind(today)
        .bind(league.map(Party::as_str))
        .fetch_one(conn)
        .await
}

/// A finding behind a figure.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct FindingRow {
    pub inspection_id: Uuid,
    pub project_name: String,
    pub developer_name_zh: String,
    pub stage_code: String,
    pub level: String,
    pub status: String,
    pub location: String,
    pub description: String,
    pub created_at: DateTime<Utc>,
}

/// The newest findings of one level (and stage), open ones only when asked: at most 500.
pub async fn finding_rows(
    conn: &mut PgConnection,
    s: &Scope,
    level: &str,
    stage: Option<&str>,
    open_only: bool,
) -> Result<Vec<FindingRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT f.inspection_id, p.name AS project_name, d.name_zh AS developer_name_zh, i.stage_code, \
                f.current_level AS level, f.status, f.location, f.description, f.created_at \
         FROM findings f JOIN inspections i ON i.id = f.inspection_id JOIN projects p ON p.id = f.project_id \
         JOIN organisations d ON d.id = f.developer_org_id \
         WHERE f.current_level = $2 AND f.district_id = ANY($1) \
           AND ($3::text IS NULL OR i.stage_code = $3) AND (NOT $4 OR f.status = 'open') \
         ORDER BY f.created_at DESC LIMIT 500",
    )
    .bind(&s.districts)
    .bind(level)
    .bind(stage)
    .bind(open_only)
    .fetch_all(conn)
    .await
}

/// The lead insurer's policies issued in one month, with their claims (counters of 0033).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BookMonth {
    pub month: NaiveDate,
    pub policies: i64,
    pub written_fen: i64,
    /// Σ written premium × days from [`BOOK_EPOCH`] to its issue.
    pub written_day_fen: i64,
    pub claims: i64,
    pub paid_fen: i64,
    pub reserved_fen: i64,
}

/// The day the months' weighted premium counts its days from (migration 0033).
const BOOK_EPOCH: NaiveDate = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();

impl BookMonth {
    /// The month's premium times the days since each policy's issue, summed, as of `day`.
    pub fn premium_days(&self, day: NaiveDate) -> i128 {
        i128::from(self.written_fen) * i128::from((day - BOOK_EPOCH).num_days())
            - i128::from(self.written_day_fen)
    }
}

/// The connection's insurer's book by month of issue (at most one row a month).
pub async fn book_months(conn: &mut PgConnection) -> Result<Vec<BookMonth>, sqlx::Error> {
    sqlx::query_as(
        "SELECT month, policies, written_fen, written_day_fen::bigint AS written_day_fen, claims, paid_fen, reserved_fen \
         FROM stats_insurer_book_months \
         WHERE insurer_org_id = (SELECT app.current_org_id()) AND policies <> 0 ORDER BY month",
    )
    .fetch_all(conn)
    .await
}

/// What the risk score needs per project the insurer leads.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProjectRecord {
    pub project_id: Uuid,
    /// Findings raised per level A, B, C, D, E, R, O.
    pub raised: Vec<i64>,
    pub recurring: i64,
    pub floor_area_m2: f64,
    /// The deadlines of its open, unanswered orders, earliest first (at most
    /// [`OVERDUE_DEADLINES_SCORED`]).
    pub early_deadlines: Vec<NaiveDate>,
    /// The review of its latest reviewed final report (confirmed | exclusions_added).
    pub final_review: Option<String>,
    /// The part of its risk score that does not change with the date, as the database sums it.
    pub risk_standing: f64,
}

/// The league row of a project the connection's insurer leads (0022), with the early deadlines
/// on its own membership row.
fn project_records_sql(condition: &str, order: &str) -> String {
    format!(
        "SELECT l.project_id, l.raised, l.recurring, l.floor_area_m2::float8 AS floor_area_m2, \
                coalesce(m.early_deadlines[1:{OVERDUE_DEADLINES_SCORED}], '{{}}') AS early_deadlines, l.final_review, \
                l.risk_standing \
         FROM stats_project_league l \
         LEFT JOIN stats_party_projects m ON m.org_id = l.insurer_org_id AND m.project_id = l.project_id \
         WHERE l.insurer_org_id = (SELECT app.current_org_id()) {condition} {order}"
    )
}

/// The `n` projects the connection's insurer leads with the highest standing part of their risk
/// score (the part that does not change with the date), off its index (0031).
pub async fn highest_standing(
    conn: &mut PgConnection,
    n: u32,
) -> Result<Vec<ProjectRecord>, sqlx::Error> {
    sqlx::query_as(&project_records_sql(
        "",
        &format!("ORDER BY l.risk_standing DESC, l.project_id LIMIT {n}"),
    ))
    .fetch_all(conn)
    .await
}

/// The projects the connection's insurer leads with a standing part up to `at_most` that reaches
/// `without_overdue`, or `with_overdue` when an order of theirs was due before `day`: a range of
/// its index.
pub async fn contenders(
    conn: &mut PgConnection,
    with_overdue: f64,
    without_overdue: f64,
    at_most: f64,
    day: NaiveDate,
) -> Result<Vec<ProjectRecord>, sqlx::Error> {
    sqlx::query_as(&project_records_sql(
        "AND l.risk_standing BETWEEN $1 AND $3 AND (l.risk_standing >= $2 OR m.early_deadlines[1] < $4)",
        "",
    ))
    .bind(with_overdue)
    .bind(without_overdue)
    .bind(at_most)
    .bind(day)
    .fetch_all(conn)
    .await
}

/// Projects' names, each read by its key: the read rule then probes the reader's membership row
/// per project (a scan of them all by `ANY` would have the planner hash every project an insurer
/// is party to).
pub async fn project_names(
    conn: &mut PgConnection,
    projects: &[Uuid],
) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT x.id, p.name FROM unnest($1::uuid[]) x (id) \
         CROSS JOIN LATERAL (SELECT name FROM projects WHERE id = x.id) p",
    )
    .bind(projects)
    .fetch_all(conn)
    .await
}

/// The insurer's own claim decisions by days taken: (complex, days, decisions).
pub async fn own_decisions(conn: &mut PgConnection) -> Result<Vec<(bool, i16, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT complex, days, sum(decisions)::bigint FROM stats_claim_decisions \
         WHERE insurer_org_id = (SELECT app.current_org_id()) GROUP BY 1, 2",
    )
    .fetch_all(conn)
    .await
}

/// The connection's insurer's claims as lead, per state.
pub async fn own_claims(conn: &mut PgConnection) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT status, sum(claims)::bigint FROM stats_claims \
         WHERE insurer_org_id = (SELECT app.current_org_id()) GROUP BY 1",
    )
    .fetch_all(conn)
    .await
}

/// What the connection's insurer has paid on its claims as lead, and still holds in reserve.
pub async fn own_claim_money(conn: &mut PgConnection) -> Result<(i64, i64), sqlx::Error> {
    sqlx::query_as(
        "SELECT coalesce(sum(paid_fen), 0)::bigint, coalesce(sum(reserved_fen), 0)::bigint \
         FROM stats_policy_claims WHERE insurer_org_id = (SELECT app.current_org_id())",
    )
    .fetch_one(conn)
    .await
}

type LeagueTuple = (Uuid, String, i64, f64, i64, i64, i64, i64, i64, i64, i64);

fn league_row(t: LeagueTuple) -> LeagueRow {
    LeagueRow {
        org_id: t.0,
        name_zh: t.1,
        projects: t.2,
        floor_area_m2: t.3,
        units: t.4,
        defects: t.5,
        severe: t.6,
        orders: t.7,
        orders_closed: t.8,
        orders_on_time: t.9,
        claims: t.10,
    }
}

/// The sums a league ranks by, over counter rows (the projects' count comes first, per source).
const LEAGUE_SUMS: &str = "sum(floor_area_m2)::float8 AS floor_area_m2, sum(units)::bigint AS units, \
     sum(defects)::bigint AS defects, sum(severe)::bigint AS severe, sum(orders)::bigint AS orders, \
     sum(orders_closed)::bigint AS orders_closed, sum(orders_on_time)::bigint AS orders_on_time, \
     sum(claims)::bigint AS claims";

/// The league's columns, named by organisation, from a subquery `l` of `org_id`, `projects` and the sums.
fn league_sql(sums_by_org: &str) -> String {
    format!(
        "SELECT o.id AS org_id, o.name_zh, l.projects, l.floor_area_m2, l.units, l.defects, l.severe, l.orders, \
                l.orders_closed, l.orders_on_time, l.claims \
         FROM ({sums_by_org}) l JOIN organisations o ON o.id = l.org_id"
    )
}

/// Each risk-management agency's record over the projects the connection's insurer leads, from
/// its roll-up of their league rows (0031).
pub async fn agencies_of_insurer(conn: &mut PgConnection) -> Result<Vec<LeagueRow>, sqlx::Error> {
    let rows: Vec<LeagueTuple> = sqlx::query_as(&league_sql(
        "SELECT agency_org_id AS org_id, projects, floor_area_m2::float8 AS floor_area_m2, units, defects, severe, \
                orders, orders_closed, orders_on_time, claims \
         FROM stats_insurer_agencies WHERE insurer_org_id = (SELECT app.current_org_id()) AND projects > 0",
    ))
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(league_row).collect())
}
