//! The lead insurer's book: premium written and earned, claims paid and reserved and the loss
//! ratio by policy year, its claim decision times, and a risk score per project with the rate
//! adjustment it suggests for the developer's next policy and the parts that explain it.

use std::collections::BTreeMap;

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
use crate::db;
use crate::domain::analytics::{
    DECISION_BUCKETS, LeagueRow, decisions_on_time, median_days, rank_league, share,
};
use crate::domain::rules::RulePack;
use crate::domain::tenancy::OrgKind;
use crate::domain::underwriting::{RiskInputs, RiskScore, earned_fen, risk_score};
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
    let policies = store::book(conn).await?;
    let mut years: BTreeMap<i32, PolicyYear> = BTreeMap::new();
    for p in &policies {
        let issued = p
            .issued_at
            .with_timezone(&chrono_tz::Asia::Shanghai)
            .date_naive();
        let y = years.entry(issued.year()).or_insert_with(|| PolicyYear {
            year: issued.year(),
            ..Default::default()
        });
        y.policies += 1;
        y.written_fen += p.written_fen;
        y.earned_fen += earned_fen(p.written_fen, (day - issued).num_days());
        y.claims += p.claims;
        y.paid_fen += p.paid_fen;
        y.reserved_fen += p.reserved_fen;
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
    let ids: Vec<Uuid> = policies.iter().map(|p| p.project_id).collect();
    let records = store::project_records(conn, &ids, day).await?;
    let mut projects: Vec<ProjectRisk> = records
        .into_iter()
        .map(|r| {
            let mut findings = [0i64; 7];
            for (slot, n) in findings.iter_mut().zip(&r.findings) {
                *slot = *n;
            }
            ProjectRisk {
                project_id: r.project_id,
                project_name: r.project_name,
                risk: risk_score(&RiskInputs {
                    findings,
                    floor_area_m2: r.floor_area_m2,
                    recurring: r.recurring,
                    overdue_orders: r.overdue_orders,
                    final_with_exclusions: r
                        .final_status
                        .as_deref()
                        .map(|s| s == "exclusions_added"),
                }),
            }
        })
        .collect();
    projects.sort_by(|a, b| b.risk.score.total_cmp(&a.risk.score));
    projects.truncate(50);
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
    let mut tx = db::begin(&state.pool, &user).await?;
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
    let mut tx = db::begin(&state.pool, &user).await?;
    let b = load(&mut tx).await?;
    tx.commit().await?;
    Ok(Json(b))
}
