//! The bureau's analytics: the whole scheme at a glance from maintained counters, each chart
//! drilling down to the rows behind it, and every list downloadable as Excel.

use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

use super::AppState;
use super::error::{AppError, AppResult};
use super::export::{Cell, Sheet};
use super::extract::CurrentUser;
use super::projects::today;
use crate::domain::analytics::{
    CLOSURE_BUCKETS, LeagueRow, Party, decisions_on_time, median_days, rank_league, running_rate,
    share,
};
use crate::domain::claims::ClaimStatus;
use crate::domain::project::ProjectStage;
use crate::domain::risk::RiskLevel;
use crate::domain::rules::{HousingType, RulePack};
use crate::domain::safety::{ACCIDENT_TYPES, SERVICE_KINDS};
use crate::domain::tenancy::OrgKind;
use crate::i18n::Lang;
use crate::storage::analytics::{
    self as store, ClaimCount, District, FindingRow, OverdueOrder, SafetyCount, Scope,
};
use crate::views::{PageContext, render};

// The categories of the charts, in the domain's order.
pub(super) fn stages() -> [&'static str; 5] {
    ProjectStage::ALL.map(ProjectStage::as_str)
}
pub(super) fn housing() -> [&'static str; 3] {
    HousingType::ALL.map(HousingType::as_str)
}
pub(super) fn levels() -> [&'static str; 7] {
    RiskLevel::ALL.map(RiskLevel::as_str)
}
fn claim_statuses() -> [&'static str; 11] {
    ClaimStatus::ALL.map(ClaimStatus::as_str)
}

#[derive(Debug, Default, Deserialize)]
pub struct AnalyticsQuery {
    /// One of the bureau's districts; all of them when absent.
    pub district: Option<String>,
    /// The window for closure figures, in days (30, 90 or 365).
    pub days: Option<u32>,
    /// The league table shown: agency (default), developer, contractor or insurer.
    pub league: Option<String>,
}

fn require_regulator(user: &CurrentUser) -> AppResult<()> {
    if user.org_kind() == Some(OrgKind::Regulator) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The district asked for, if it is one of the bureau's (else all of them), and the window.
fn scope(q: &AnalyticsQuery, districts: &[District]) -> (Scope, Option<Uuid>, u32) {
    let days = q.days.filter(|d| [30, 365].contains(d)).unwrap_or(90);
    let chosen = q
        .district
        .as_deref()
        .and_then(|d| Uuid::parse_str(d).ok())
        .filter(|d| districts.iter().any(|x| x.id == *d));
    // Windows are whole weeks (the counters are weekly): from the Monday of the week `days` ago.
    let day = today();
    let start = day.checked_sub_days(Days::new(days.into())).unwrap_or(day);
    let since = start
        .checked_sub_days(Days::new(start.weekday().num_days_from_monday().into()))
        .unwrap_or(start);
    let districts = match chosen {
        Some(d) => vec![d],
        None => districts.iter().map(|d| d.id).collect(),
    };
    (Scope { districts, since }, chosen, days)
}

fn league_party(q: &AnalyticsQuery) -> Party {
    q.league
        .as_deref()
        .and_then(Party::parse)
        .unwrap_or(Party::Agency)
}

/// Each insurer's record in the period: claims, open ones, decisions and how many were on time.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InsurerRow {
    pub insurer_org_id: Uuid,
    pub insurer_name_zh: String,
    pub claims: i64,
    pub open: i64,
    pub decisions: i64,
    pub decided_on_time: i64,
}

impl InsurerRow {
    /// Percent of decisions on time.
    pub fn on_time_pct(&self) -> Option<f64> {
        share(self.decided_on_time, self.decisions).map(|s| s * 100.0)
    }
}

/// Everything the analytics page shows, also served as JSON.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Analytics {
    pub window_days: u32,
    pub projects: i64,
    /// Projects per stage (in `stages()` order) per housing type (in `housing()` order).
    pub projects_by_stage: Vec<Vec<i64>>,
    /// Open and closed findings per level (in `levels()` order).
    pub open_by_level: Vec<i64>,
    pub closed_by_level: Vec<i64>,
    pub open_findings: i64,
    pub open_severe: i64,
    /// Of the findings raised in the window, the share closed (percent): all, and D/E alone.
    pub closure_pct: Option<f64>,
    pub closure_severe_pct: Option<f64>,
    /// Median days to close, of closures in the window: "7", "15–21", ">90".
    pub median_days: Option<String>,
    pub median_days_severe: Option<String>,
    /// Claims per status (in `claim_statuses()` order) per insurer.
    pub insurers: Vec<InsurerRow>,
    pub claims_by_status: Vec<Vec<i64>>,
    pub most_overdue: Vec<OverdueOrder>,
    /// The league of `league_party`s over the scope's projects, worst defect density first.
    pub league_party: &'static str,
    pub league: Vec<LeagueRow>,
    /// Coverage at land transfer so far, at the end of each month of the last three years
    /// (percent of the parcels that must insure).
    pub coverage_months: Vec<String>,
    pub coverage_rate: Vec<Option<f64>>,
    /// Parcels that must insure and those insured, per housing type ("" before registration).
    pub coverage_by_housing: Vec<HousingCoverage>,
    /// Safety incidents by accident type and prevention services by kind, in the window.
    pub safety: Vec<SafetyCount>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HousingCoverage {
    pub housing_type: String,
    pub requiring: i64,
    pub insured: i64,
}

impl HousingCoverage {
    pub fn rate(&self) -> Option<f64> {
        share(self.insured, self.requiring).map(|s| s * 100.0)
    }
}

/// Months of coverage history drawn.
const COVERAGE_MONTHS: usize = 36;

/// The figures; `party` asks for the page's detail too (that party's league, coverage history,
/// safety), which the bureau's home does without.
async fn load(
    conn: &mut sqlx::PgConnection,
    s: &Scope,
    window_days: u32,
    party: Option<Party>,
) -> AppResult<Analytics> {
    let store::Counts {
        projects: stage_counts,
        findings,
        cohorts,
        closures,
        claims,
        decisions,
        most_overdue,
        coverage: months,
        safety,
        mut league,
    } = store::counts(conn, s, today(), party).await?;
    rank_league(&mut league);
    let projects_by_stage: Vec<Vec<i64>> = housing()
        .into_iter()
        .map(|h| {
            stages()
                .into_iter()
                .map(|st| {
                    stage_counts
                        .iter()
                        .filter(|c| c.stage == *st && c.housing_type == *h)
                        .map(|c| c.projects)
                        .sum()
                })
                .collect()
        })
        .collect();
    let by_level = |f: fn(&store::FindingCount) -> i64| -> Vec<i64> {
        levels()
            .into_iter()
            .map(|l| findings.iter().filter(|c| c.level == *l).map(f).sum())
            .collect()
    };
    let open_by_level = by_level(|c| c.open);
    let closed_by_level = by_level(|c| c.total - c.open);
    let (raised, closed) = cohorts
        .iter()
        .fold((0, 0), |(r, c), x| (r + x.raised, c + x.closed));
    let severe = cohorts.iter().find(|c| c.severe);
    let histogram = |severe_only: bool| -> Vec<(i16, i64)> {
        closures
            .iter()
            .filter(|c| !severe_only || c.severe)
            .map(|c| (c.days, c.closures))
            .collect()
    };
    let insurers = insurer_rows(&claims, &decisions, &RulePack::laoshan_2021());
    let claims_by_status = insurers
        .iter()
        .map(|i| {
            claim_statuses()
                .into_iter()
                .map(|st| {
                    claims
                        .iter()
                        .filter(|c| c.insurer_org_id == i.insurer_org_id && c.status == *st)
                        .map(|c| c.claims)
                        .sum()
                })
                .collect()
        })
        .collect();
    // The last 36 calendar months; the first carries every earlier transfer too.
    let this_month = today().with_day(1).unwrap_or_else(today);
    let window: Vec<NaiveDate> = (0..COVERAGE_MONTHS)
        .rev()
        .filter_map(|back| this_month.checked_sub_months(Months::new(back as u32)))
        .collect();
    let mut counts = vec![(0i64, 0i64); window.len()];
    let mut coverage_by_housing: Vec<HousingCoverage> = Vec::new();
    for m in &months {
        let slot = window
            .iter()
            .rposition(|start| m.transfer_month >= *start)
            .unwrap_or(0);
        if let Some((r, i)) = counts.get_mut(slot) {
            *r += m.requiring;
            *i += m.insured;
        }
        match coverage_by_housing
            .iter_mut()
            .find(|h| h.housing_type == m.housing_type)
        {
            Some(h) => {
                h.requiring += m.requiring;
                h.insured += m.insured;
            }
            None => coverage_by_housing.push(HousingCoverage {
                housing_type: m.housing_type.clone(),
                requiring: m.requiring,
                insured: m.insured,
            }),
        }
    }
    let (coverage_months, coverage_rate) = if months.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        (
            window
                .iter()
                .map(|m| m.format("%Y-%m").to_string())
                .collect(),
            running_rate(&counts),
        )
    };
    Ok(Analytics {
        window_days,
        coverage_months,
        coverage_rate,
        coverage_by_housing,
        safety,
        projects: stage_counts.iter().map(|c| c.projects).sum(),
        projects_by_stage,
        open_findings: open_by_level.iter().sum(),
        open_severe: open_by_level[3] + open_by_level[4],
        open_by_level,
        closed_by_level,
        closure_pct: share(closed, raised).map(|x| x * 100.0),
        closure_severe_pct: severe
            .and_then(|c| share(c.closed, c.raised))
            .map(|x| x * 100.0),
        median_days: median_days(&histogram(false), &CLOSURE_BUCKETS).map(|m| m.label()),
        median_days_severe: median_days(&histogram(true), &CLOSURE_BUCKETS).map(|m| m.label()),
        insurers,
        claims_by_status,
        most_overdue,
        league_party: party.map_or("", Party::as_str),
        league,
    })
}

fn insurer_rows(
    claims: &[ClaimCount],
    decisions: &[store::DecisionCount],
    pack: &RulePack,
) -> Vec<InsurerRow> {
    let mut rows: Vec<InsurerRow> = Vec::new();
    for c in claims {
        let open = ClaimStatus::parse(&c.status).is_some_and(ClaimStatus::is_open);
        match rows
            .iter_mut()
            .find(|r| r.insurer_org_id == c.insurer_org_id)
        {
            Some(row) => {
                row.claims += c.claims;
                row.open += if open { c.claims } else { 0 };
            }
            None => rows.push(InsurerRow {
                insurer_org_id: c.insurer_org_id,
                insurer_name_zh: c.insurer_name_zh.clone(),
                claims: c.claims,
                open: if open { c.claims } else { 0 },
                decisions: 0,
                decided_on_time: 0,
            }),
        }
    }
    for row in &mut rows {
        let mine: Vec<(bool, i16, i64)> = decisions
            .iter()
            .filter(|d| d.insurer_org_id == row.insurer_org_id)
            .map(|d| (d.complex, d.days, d.decisions))
            .collect();
        (row.decided_on_time, row.decisions) = decisions_on_time(pack, &mine);
    }
    rows.sort_by_key(|r| std::cmp::Reverse(r.claims));
    rows
}

/// A chart for the page's script: categories, series and, per category, where a click leads.
fn chart(
    kind: &str,
    categories: Vec<&str>,
    series: Vec<(&str, &[i64])>,
    links: Option<Vec<String>>,
) -> String {
    json!({
        "kind": kind,
        "categories": categories,
        "series": series.iter().map(|(name, data)| json!({ "name": name, "data": data })).collect::<Vec<_>>(),
        "links": links,
    })
    .to_string()
}

#[derive(Template)]
#[template(path = "regulator/analytics.html")]
struct AnalyticsPage {
    ctx: PageContext,
    f: Arc<Figures>,
    stage_chart: String,
    level_chart: String,
    claims_chart: String,
    coverage_chart: String,
    incident_chart: String,
    query: String,
}

impl AnalyticsPage {
    fn on_time(&self, row: &InsurerRow) -> String {
        self.ctx.pct(&row.on_time_pct())
    }

    fn parties(&self) -> [&'static str; 4] {
        Party::ALL.map(Party::as_str)
    }

    fn is_league(&self, party: &str) -> bool {
        self.f.a.league_party == party
    }

    /// Prevention services of one kind in the window: (count, hazards found, participants).
    fn services(&self, kind: &str) -> (i64, i64, i64) {
        self.f
            .a
            .safety
            .iter()
            .filter(|c| c.category == "service" && c.kind == kind)
            .fold((0, 0, 0), |(n, h, p), c| {
                (n + c.events, h + c.hazards_found, p + c.participants)
            })
    }

    fn service_kinds(&self) -> [&'static str; 4] {
        SERVICE_KINDS
    }

    fn incident_total(&self) -> i64 {
        self.f
            .a
            .safety
            .iter()
            .filter(|c| c.category == "incident")
            .map(|c| c.events)
            .sum()
    }

    fn overdue_days(&self, order: &OverdueOrder) -> i64 {
        (today() - order.deadline).num_days()
    }
}

pub async fn index(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Query(q): Query<AnalyticsQuery>,
) -> AppResult<Response> {
    let f = figures(&state, &user, &q).await?;
    let a = &f.a;
    let ctx = PageContext::signed_in(lang, &user, "/analytics");
    let query = f.chosen.map_or(String::new(), |d| format!("&district={d}"));
    let stage_series: Vec<(&str, &[i64])> = housing()
        .into_iter()
        .zip(&a.projects_by_stage)
        .map(|(h, counts)| (ctx.label("housing", h), counts.as_slice()))
        .collect();
    let stage_chart = chart(
        "stacked",
        stages()
            .into_iter()
            .map(|s| ctx.label("stage", s))
            .collect(),
        stage_series,
        None,
    );
    let level_chart = chart(
        "stacked",
        levels()
            .into_iter()
            .map(|l| ctx.label("level", l))
            .collect(),
        vec![
            (ctx.t("analytics.open"), a.open_by_level.as_slice()),
            (ctx.t("analytics.closed"), a.closed_by_level.as_slice()),
        ],
        Some(
            levels()
                .into_iter()
                .map(|l| format!("/analytics/findings?level={l}&open=1{query}"))
                .collect(),
        ),
    );
    let claim_series: Vec<(&str, &[i64])> = a
        .insurers
        .iter()
        .zip(&a.claims_by_status)
        .map(|(i, counts)| (i.insurer_name_zh.as_str(), counts.as_slice()))
        .collect();
    let claims_chart = chart(
        "stacked",
        claim_statuses()
            .into_iter()
            .map(|s| ctx.label("claim_status", s))
            .collect(),
        claim_series,
        None,
    );
    let coverage_rate: Vec<Option<f64>> = a
        .coverage_rate
        .iter()
        .map(|r| r.map(|x| (x * 10.0).round() / 10.0))
        .collect();
    let coverage_chart = json!({
        "kind": "line",
        "percent": true,
        "categories": a.coverage_months,
        "series": [{ "name": ctx.t("analytics.coverage_rate"), "data": coverage_rate }],
    })
    .to_string();
    let incidents: Vec<i64> = ACCIDENT_TYPES
        .iter()
        .map(|t| {
            a.safety
                .iter()
                .filter(|c| c.category == "incident" && c.kind == *t)
                .map(|c| c.events)
                .sum()
        })
        .collect();
    let incident_chart = chart(
        "bars",
        ACCIDENT_TYPES
            .iter()
            .map(|t| ctx.label("accident", t))
            .collect(),
        vec![(ctx.t("analytics.incidents"), incidents.as_slice())],
        None,
    );
    render(&AnalyticsPage {
        ctx,
        f: f.clone(),
        stage_chart,
        level_chart,
        claims_chart,
        coverage_chart,
        incident_chart,
        query,
    })
}

/// The figures for all the bureau's districts over the default window (for its home page).
pub(super) async fn bureau_figures(conn: &mut sqlx::PgConnection) -> AppResult<Analytics> {
    let districts = store::districts(conn).await?;
    let (s, _, days) = scope(&AnalyticsQuery::default(), &districts);
    load(conn, &s, days, None).await
}

/// The bureau's analytics as JSON (same scope and figures as the page).
#[utoipa::path(get, path = "/api/v1/analytics", params(("district" = Option<Uuid>, Query), ("days" = Option<u32>, Query)),
    responses((status = 200, body = Analytics), (status = 403)))]
pub async fn api_index(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AnalyticsQuery>,
) -> AppResult<Json<Analytics>> {
    Ok(Json(figures(&state, &user, &q).await?.a.clone()))
}

/// What a bureau's analytics show for one query: its districts, the one chosen (none: all of
/// them) and the figures.
pub struct Figures {
    pub districts: Vec<District>,
    pub chosen: Option<Uuid>,
    pub a: Analytics,
}

impl Figures {
    pub fn chosen_district(&self) -> Option<&District> {
        self.districts.iter().find(|d| Some(d.id) == self.chosen)
    }
}

/// A bureau's figures for one query, shared by its readers for a moment.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FiguresKey {
    org: Uuid,
    district: Option<String>,
    days: Option<u32>,
    league: Party,
}

/// Figures per bureau and query for `ttl` (the counters move in the same transaction as the rows;
/// a burst of readers then costs one computation, and nobody waits on a figure older than `ttl`).
/// Zero: no cache.
pub type FiguresCache = moka::future::Cache<FiguresKey, Arc<Figures>>;

pub fn figures_cache(ttl: Duration) -> Option<FiguresCache> {
    (!ttl.is_zero()).then(|| {
        moka::future::Cache::builder()
            .max_capacity(10_000)
            .time_to_live(ttl)
            .build()
    })
}

pub(super) async fn figures(
    state: &AppState,
    user: &CurrentUser,
    q: &AnalyticsQuery,
) -> AppResult<Arc<Figures>> {
    require_regulator(user)?;
    let league = league_party(q);
    let compute = async {
        let mut tx = user.begin(&state.pool).await?;
        let districts = store::districts(&mut tx).await?;
        let (s, chosen, days) = scope(q, &districts);
        let a = load(&mut tx, &s, days, Some(league)).await?;
        tx.commit().await?;
        Ok::<_, AppError>(Arc::new(Figures {
            districts,
            chosen,
            a,
        }))
    };
    match (&state.figures, &user.org) {
        (Some(cache), Some(org)) => {
            // Keyed by the organisation: a bureau's figures depend on its districts alone.
            let key = FiguresKey {
                org: org.id,
                district: q.district.clone(),
                days: q.days,
                league,
            };
            cache
                .try_get_with(key, compute)
                .await
                .map_err(|err| match *err {
                    AppError::Unavailable => AppError::Unavailable,
                    _ => AppError::Internal(anyhow::anyhow!("analytics: {err}")),
                })
        }
        _ => compute.await,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct DrillQuery {
    pub district: Option<String>,
    pub level: Option<String>,
    pub stage: Option<String>,
    /// "1": open findings only.
    pub open: Option<String>,
    /// "xlsx": download instead of a page.
    pub format: Option<String>,
}

#[derive(Template)]
#[template(path = "regulator/findings.html")]
struct FindingsPage {
    ctx: PageContext,
    rows: Vec<FindingRow>,
    level: String,
    open_only: bool,
    download: String,
}

/// The findings behind a figure: one level (and stage), the newest 500, as a page or as Excel.
pub async fn findings(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Query(q): Query<DrillQuery>,
) -> AppResult<Response> {
    require_regulator(&user)?;
    let level = q
        .level
        .as_deref()
        .filter(|l| levels().contains(l))
        .ok_or(AppError::NotFound)?
        .to_owned();
    let open_only = q.open.as_deref() == Some("1");
    let mut tx = user.begin(&state.pool).await?;
    let districts = store::districts(&mut tx).await?;
    let (s, chosen, _) = scope(
        &AnalyticsQuery {
            district: q.district.clone(),
            ..AnalyticsQuery::default()
        },
        &districts,
    );
    let rows = store::finding_rows(&mut tx, &s, &level, q.stage.as_deref(), open_only).await?;
    tx.commit().await?;
    let ctx = PageContext::signed_in(lang, &user, "/analytics");
    if q.format.as_deref() == Some("xlsx") {
        return finding_sheet(&ctx, &rows).download(&format!("findings-{level}.xlsx"));
    }
    let download = format!(
        "/analytics/findings?level={level}&open={}{}{}&format=xlsx",
        u8::from(open_only),
        chosen.map_or(String::new(), |d| format!("&district={d}")),
        q.stage
            .as_deref()
            .map_or(String::new(), |st| format!("&stage={st}")),
    );
    render(&FindingsPage {
        ctx,
        rows,
        level,
        open_only,
        download,
    })
}

fn finding_sheet(ctx: &PageContext, rows: &[FindingRow]) -> Sheet {
    Sheet {
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    Cell::Text(r.project_name.clone()),
                    Cell::Text(r.developer_name_zh.clone()),
                    Cell::Text(ctx.label("inspection_stage", &r.stage_code).to_owned()),
                    Cell::Text(ctx.label("level", &r.level).to_owned()),
                    Cell::Text(ctx.label("finding_status", &r.status).to_owned()),
                    Cell::Text(r.location.clone()),
                    Cell::Text(r.description.clone()),
                    Cell::Text(ctx.time(&r.created_at)),
                ]
            })
            .collect(),
        ..Sheet::localized(
            ctx,
            "analytics.findings_sheet",
            &[
                "projects.name",
                "projects.developer",
                "inspections.stage",
                "analytics.level",
                "orders.status",
                "analytics.location",
                "analytics.description",
                "analytics.raised_at",
            ],
        )
    }
}
