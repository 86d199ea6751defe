//! The lead insurer's book: premium written and earned, claims paid and reserved and the loss
//! ratio by policy year, its claim decision times, and a risk score per project with the rate
//! adjustment it suggests for the developer's next policy and the parts that explain it.

use std::collections::{BTreeMap, HashMap, HashSet};

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use chrono::Datelike;
use serde::Serialize;
use uuid::Uuid;

use super::AppState;
use super::error::{AppError, AppResult};
use super::extract::CurrentUser;
use super::projects::today;
use crate::domain::analytics::{
    DECISION_BUCKETS, LeagueRow, decisions_on_time, median_days, rank_league, share,
};
use crate::domain::rules::RulePack;
use crate::domain::tenancy::OrgKind;
use crate::domain::underwriting::{
    RiskInputs, RiskScore, contender_floors, earned_fen, risk_score,
};
use crate::i18n::Lang;
use crate::storage::analytics as store;
use crate::views::{PageContext, render};

#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub struct PolicyYear {
    pub year: i32,
    pub policies: i64,
    pub written_fen: i64,
    pub earned_fen: i64,
    pub claims: i64,
    pub paid_fen: i64,
    pub reserved_fen: i64,
}

impl PolicyYear {
    /// (Paid + reserved) / earned, in percent.
    pub fn loss_ratio_pct(&self) -> Option<f64> {
        share(self.paid_fen + self.reserved_fen, self.earned_fen).map(|s| s * 100.0)
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProjectRisk {
    pub project_id: Uuid,
    pub project_name: String,
    pub risk: RiskScore,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Book {
    pub years: Vec<PolicyYear>,
    pub total: PolicyYear,
    pub decisions: i64,
    pub decided_on_time: i64,
    /// "3", "15–21", ">90" days.
    pub median_decision_days: Option<String>,
    /// The riskiest projects first (at most 50).
    pub projects: Vec<ProjectRisk>,
    /// Each risk-management agency's record on the projects this insurer leads.
    pub agencies: Vec<LeagueRow>,
}

fn require_insurer(user: &CurrentUser) -> AppResult<()> {
    if user.org_kind() == Some(OrgKind::Insurer) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

async fn load(conn: &mut sqlx::PgConnection) -> AppResult<Book> {
    let day = today();
    let mut years: BTreeMap<i32, PolicyYear> = BTreeMap::new();
    for m in store::book_months(conn).await? {
        let y = years.entry(m.month.year()).or_insert_with(|| PolicyYear {
            year: m.month.year(),
            ..Default::default()
        });
        y.policies += m.policies;
        y.written_fen += m.written_fen;
        y.earned_fen += earned_fen(m.written_fen, m.premium_days(day));
        y.claims += m.claims;
        y.paid_fen += m.paid_fen;
        y.reserved_fen += m.reserved_fen;
    }
    let years: Vec<PolicyYear> = years.into_values().collect();
    let total = years.iter().fold(PolicyYear::default(), |t, y| PolicyYear {
        year: 0,
        policies: t.policies + y.policies,
        written_fen: t.written_fen + y.written_fen,
        earned_fen: t.earned_fen + y.earned_fen,
        claims: t.claims + y.claims,
        paid_fen: t.paid_fen + y.paid_fen,
        reserved_fen: t.reserved_fen + y.reserved_fen,
    });
    let decisions = store::own_decisions(conn).await?;
    let (decided_on_time, all_decisions) = decisions_on_time(&RulePack::laoshan_2021(), &decisions);
    let histogram: Vec<(i16, i64)> = decisions.iter().map(|(_, d, n)| (*d, *n)).collect();
    let projects = riskiest(conn, day, RISKIEST_SHOWN).await?;
    let mut agencies = store::agencies_of_insurer(conn).await?;
    rank_league(&mut agencies);
    Ok(Book {
        years,
        total,
        decisions: all_decisions,
        decided_on_time,
        median_decision_days: median_days(&histogram, &DECISION_BUCKETS).map(|m| m.label()),
        projects,
        agencies,
    })
}

/// How many projects the book lists by risk score.
const RISKIEST_SHOWN: u32 = 50;

/// The `n` riskiest projects the connection's insurer leads, the riskiest first (ties by
/// project). Only the part of a score that overdue orders add changes with the date, so the
/// [`STANDING_READ_AHEAD`] × `n` projects with the highest other part are scored first, then only
/// the projects below them that an overdue order could still lift into the top: a national book
/// reads about a hundred projects, not thousands.
pub async fn riskiest(
    conn: &mut sqlx::PgConnection,
    day: chrono::NaiveDate,
    n: u32,
) -> AppResult<Vec<ProjectRisk>> {
    let read_ahead = n.saturating_mul(STANDING_READ_AHEAD);
    let first = store::highest_standing(conn, read_ahead).await?;
    let read_all = first.len() < read_ahead as usize;
    let last_standing = first.last().map(|r| r.risk_standing);
    let mut scored: Vec<ProjectRisk> = first.into_iter().map(|r| score_record(r, day)).collect();
    let mut scores: Vec<f64> = scored.iter().map(|p| p.risk.score).collect();
    scores.sort_by(|a, b| b.total_cmp(a));
    let nth = (n as usize).checked_sub(1).and_then(|i| scores.get(i));
    if let (false, Some(last_standing), Some(nth)) = (read_all, last_standing, nth) {
        let (with_overdue, without_overdue) = contender_floors(*nth);
        if with_overdue <= last_standing {
            let seen: HashSet<Uuid> = scored.iter().map(|p| p.project_id).collect();
            let below = store::contenders(conn, with_overdue, without_overdue, last_standing, day)
                .await?
                .into_iter()
                .filter(|r| !seen.contains(&r.project_id))
                .map(|r| score_record(r, day));
            scored.extend(below);
        }
    }
    scored.sort_by(|a, b| {
        b.risk
            .score
            .total_cmp(&a.risk.score)
            .then(a.project_id.cmp(&b.project_id))
    });
    scored.truncate(n as usize);
    let ids: Vec<Uuid> = scored.iter().map(|p| p.project_id).collect();
    let names: HashMap<Uuid, String> = store::project_names(conn, &ids)
        .await?
        .into_iter()
        .collect();
    for p in &mut scored {
        p.project_name = names.get(&p.project_id).cloned().unwrap_or_default();
    }
    Ok(scored)
}

/// How many times the projects it names the book scores before it looks further: enough that
/// the n-th score among them is near the top's, so few projects below can still reach it.
const STANDING_READ_AHEAD: u32 = 2;

fn score_record(r: store::ProjectRecord, day: chrono::NaiveDate) -> ProjectRisk {
    let mut findings = [0i64; 7];
    for (slot, count) in findings.iter_mut().zip(&r.raised) {
        *slot = *count;
    }
    let overdue = r.early_deadlines.iter().filter(|d| **d < day).count();
    let risk = risk_score(&RiskInputs {
        findings,
        floor_area_m2: r.floor_area_m2,
        recurring: r.recurring,
        overdue_orders: i64::try_from(overdue).unwrap_or(i64::MAX),
        final_with_exclusions: r.final_review.map(|s| s == "exclusions_added"),
    });
    ProjectRisk {
        project_id: r.project_id,
        project_name: String::new(),
        risk,
    }
}

#[derive(Template)]
#[template(path = "insurer/book.html")]
struct BookPage {
    ctx: PageContext,
    b: Book,
}

impl BookPage {
    fn loss_ratio(&self, y: &PolicyYear) -> String {
        self.ctx.pct(&y.loss_ratio_pct())
    }

    fn on_time(&self) -> String {
        self.ctx
            .pct(&share(self.b.decided_on_time, self.b.decisions).map(|s| s * 100.0))
    }

    /// "已赚保费 123.45 万元": a label and its value, for a figure's second line.
    fn labelled(&self, key: &str, value: String) -> String {
        format!("{} {value}", self.ctx.t(key))
    }

    fn points(&self, value: &f64) -> String {
        format!("{value:.1}")
    }
}

pub async fn index(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
) -> AppResult<Response> {
    require_insurer(&user)?;
    let mut tx = user.begin(&state.pool).await?;
    let b = load(&mut tx).await?;
    tx.commit().await?;
    render(&BookPage {
        ctx: PageContext::signed_in(lang, &user, "/book"),
        b,
    })
}

/// The lead insurer's book as JSON (same figures as the page).
#[utoipa::path(get, path = "/api/v1/book", responses((status = 200, body = Book), (status = 403)))]
pub async fn api_index(State(state): State<AppState>, user: CurrentUser) -> AppResult<Json<Book>> {
    require_insurer(&user)?;
    let mut tx = user.begin(&state.pool).await?;
    let b = load(&mut tx).await?;
    tx.commit().await?;
    Ok(Json(b))
}
