//! The home dashboard: one page per kind of organisation, each showing that organisation's own
//! figures (row-level security scopes every count).

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::AppState;
use super::claim_queue::{self as claims, ClaimLineView};
use super::error::AppResult;
use super::extract::CurrentUser;
use super::orders::{OrderView, view};
use super::pager::PAGE_ROWS;
use super::projects::today;
use crate::domain::analytics::{DECISION_BUCKETS, decisions_on_time, median_days, share};
use crate::domain::claims::ClaimStatus;
use crate::domain::policy::{PolicyStatus, developer_next_step, insurer_next_step};
use crate::domain::rules::RulePack;
use crate::domain::tenancy::Dashboard;
use crate::i18n::Lang;
use crate::storage::ListScope;
use crate::storage::analytics as analytics_store;
use crate::storage::audit::{self, AuditEvent};
use crate::storage::claims::{Desk, UnitsOf, late_on_lead_desk};
use crate::storage::coverage::{self, Coverage, StageCount, Uninsured};
use crate::storage::dashboard::{self, KindCount, OrgSummary};
use crate::storage::policies::{self, Policy};
use crate::storage::projects::{self, ProjectScope, ProjectSummary};
use crate::storage::risk::{self, LevelCount, ProjectRisk, Visit};
use crate::views::{PageContext, render};

/// Risk management figures, scoped by row-level security to what the organisation may see.
pub struct RiskPanel {
    pub levels: Vec<LevelCount>,
    /// Open orders, the most overdue first (at most [`ORDERS_SHOWN`]).
    pub orders: Vec<OrderView>,
    pub open_orders: i64,
    pub overdue_orders: i64,
    pub rechecks_due: i64,
    pub open_de: i64,
    pub visits_week: Vec<Visit>,
    pub visits_late: i64,
}

/// How many open orders a dashboard lists; all of them are under 整改.
const ORDERS_SHOWN: i64 = 10;

impl RiskPanel {
    async fn load(conn: &mut sqlx::PgConnection, user: &CurrentUser) -> AppResult<Self> {
        let day = today();
        let levels = risk::open_by_level(conn).await?;
        let open_de = levels
            .iter()
            .filter(|l| l.level == "D" || l.level == "E")
            .map(|l| l.open)
            .sum();
        let (open_orders, overdue_orders, rechecks_due) = risk::open_orders(conn, day).await?;
        // The orders list's first rows: open orders by deadline, off the index the organisation's
        // list walks (its own column for a developer or an agency).
        let scope = ListScope::for_reader(user.org_kind());
        let mut orders: Vec<OrderView> = risk::orders(conn, scope, None, ORDERS_SHOWN)
            .await?
            .into_iter()
            .filter(|o| o.status != "closed")
            .map(|o| view(o, day))
            .collect();
        orders.sort_by_key(|o| (std::cmp::Reverse(o.days_overdue), o.order.deadline));
        let visits_week = risk::visits_this_week(conn).await?;
        let visits_late = risk::late_visits(conn).await?;
        Ok(Self {
            levels,
            orders,
            open_orders,
            overdue_orders,
            rechecks_due,
            open_de,
            visits_week,
            visits_late,
        })
    }
}

/// What every organisation's dashboard shows about the organisation itself.
pub struct OrgPanel {
    pub summary: OrgSummary,
    pub recent: Vec<AuditEvent>,
}

#[derive(Template)]
#[template(path = "regulator/home.html")]
struct RegulatorHome {
    ctx: PageContext,
    panel: OrgPanel,
    /// Risk and claims figures from the maintained counters (the bureau's page must not
    /// aggregate a city's raw findings, orders and claims).
    a: super::analytics::Analytics,
    kinds: Vec<KindCount>,
    coverage: Coverage,
    by_stage: Vec<StageCount>,
    uninsured: Vec<Uninsured>,
}

impl RegulatorHome {
    fn on_time(&self, row: &super::analytics::InsurerRow) -> String {
        self.ctx.pct(&row.on_time_pct())
    }
}

#[derive(Template)]
#[template(path = "insurer/home.html")]
struct InsurerHome {
    ctx: PageContext,
    panel: OrgPanel,
    risk: RiskPanel,
    /// Policies where this insurer leads and must act: how many (from the counters), and the
    /// first [`QUEUE_SHOWN`] of them, those needing action first.
    queue_count: i64,
    queue: Vec<Policy>,
    lead_count: i64,
    co_count: i64,
    issued_premium_fen: i64,
    claim_panel: ClaimsPanel,
    /// The projects that most need attention (at most [`AT_RISK_SHOWN`]).
    at_risk: Vec<ProjectRisk>,
}

/// How many of the policies awaiting it the insurer's home lists; all of them are under 保单.
const QUEUE_SHOWN: u32 = 20;

/// How many projects the insurer's home lists by risk; all of them are under 项目.
const AT_RISK_SHOWN: u32 = 50;

/// The lead insurer's claims at a glance: what is open, late, paid and still reserved, from the
/// counters; the head of its queue off its desk's index.
struct ClaimsPanel {
    open: i64,
    /// Open claims with a clock already broken.
    late: i64,
    paid_fen: i64,
    /// Approved but not yet paid, on open claims.
    reserved_fen: i64,
    /// The head of the queue.
    next: Vec<ClaimLineView>,
    /// Decisions within the rule pack's clock (percent) and the median days to decide.
    on_time_pct: Option<f64>,
    median_decision_days: Option<String>,
}

impl ClaimsPanel {
    async fn load(conn: &mut sqlx::PgConnection) -> AppResult<Self> {
        let open = analytics_store::own_claims(conn)
            .await?
            .iter()
            .filter(|(status, _)| ClaimStatus::parse(status).is_some_and(ClaimStatus::is_open))
            .map(|(_, n)| n)
            .sum();
        let (paid_fen, reserved_fen) = analytics_store::own_claim_money(conn).await?;
        let decisions = analytics_store::own_decisions(conn).await?;
        let (on_time, all) = decisions_on_time(&RulePack::laoshan_2021(), &decisions);
        let histogram: Vec<(i16, i64)> = decisions.iter().map(|(_, d, n)| (*d, *n)).collect();
        Ok(ClaimsPanel {
            open,
            late: late_on_lead_desk(conn).await?,
            paid_fen,
            reserved_fen,
            next: claims::desk(conn, Desk::LeadInsurer, 8).await?,
            on_time_pct: share(on_time, all).map(|s| s * 100.0),
            median_decision_days: median_days(&histogram, &DECISION_BUCKETS).map(|m| m.label()),
        })
    }
}

#[derive(Template)]
#[template(path = "agency/home.html")]
struct AgencyHome {
    ctx: PageContext,
    panel: OrgPanel,
    risk: RiskPanel,
    /// Its projects with the most open D/E findings (at most [`HOME_PROJECTS`]); all under 项目.
    projects: Vec<ProjectSummary>,
    project_count: i64,
}

/// How many of its projects an agency's or developer's home lists.
const HOME_PROJECTS: u32 = 50;

#[derive(Template)]
#[template(path = "developer/home.html")]
struct DeveloperHome {
    ctx: PageContext,
    panel: OrgPanel,
    risk: RiskPanel,
    /// The most recent of its projects (at most [`HOME_PROJECTS`]) with its next step.
    projects: Vec<(ProjectSummary, Option<&'static str>)>,
    project_count: i64,
    free_parcels: i64,
    /// Open owners' claims on its projects: it may be recovered against.
    claims: Vec<ClaimLineView>,
}

#[derive(Template)]
#[template(path = "partner/home.html")]
struct PartnerHome {
    ctx: PageContext,
    panel: OrgPanel,
    projects: Vec<ProjectSummary>,
    /// A property manager's common-area claims (no other partner sees claims).
    claims: Vec<ClaimLineView>,
    is_property_manager: bool,
}

#[derive(Template)]
#[template(path = "owner/home.html")]
struct OwnerHome {
    ctx: PageContext,
    recent: Vec<AuditEvent>,
    units: Vec<crate::storage::claims::Unit>,
    claims: Vec<ClaimLineView>,
}

pub async fn dashboard(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
) -> AppResult<Response> {
    let ctx = PageContext::signed_in(lang, &user, "/");
    let mut tx = user.begin(&state.pool).await?;
    let recent = audit::recent(&mut tx, 10).await?;
    let kind = user.dashboard();
    if kind == Dashboard::Owner {
        let units = crate::storage::claims::units(&mut tx, UnitsOf::Owner(user.user_id)).await?;
        let claims = claims::queue(&mut tx).await?;
        tx.commit().await?;
        return render(&OwnerHome {
            ctx,
            recent,
            units,
            claims,
        });
    }
    let panel = OrgPanel {
        summary: dashboard::org_summary(&mut tx).await?,
        recent,
    };
    let page = match kind {
        Dashboard::Regulator => {
            let kinds = dashboard::organisations_in_jurisdiction(&mut tx).await?;
            let coverage = coverage::coverage(&mut tx, None).await?;
            let by_stage = coverage::projects_by_stage(&mut tx).await?;
            let uninsured = coverage::uninsured(&mut tx, 10).await?;
            let a = super::analytics::bureau_figures(&mut tx).await?;
            render(&RegulatorHome {
                ctx,
                panel,
                a,
                kinds,
                coverage,
                by_stage,
                uninsured,
            })
        }
        Dashboard::Insurer => {
            let risk = RiskPanel::load(&mut tx, &user).await?;
            let at_risk = risk::risk_by_project(&mut tx, AT_RISK_SHOWN).await?;
            let counts = policies::insurer_counts(&mut tx).await?;
            let count = |lead: bool| -> i64 {
                counts
                    .iter()
                    .filter(|c| c.lead == lead)
                    .map(|c| c.policies)
                    .sum()
            };
            let issued_premium_fen = counts
                .iter()
                .filter(|c| c.lead)
                .filter(|c| PolicyStatus::parse(&c.status).is_some_and(PolicyStatus::is_issued))
                .map(|c| c.premium_fen)
                .sum();
            let awaiting: Vec<PolicyStatus> = PolicyStatus::ALL
                .into_iter()
                .filter(|s| insurer_next_step(*s).is_some())
                .collect();
            let queue_count = counts
                .iter()
                .filter(|c| {
                    c.lead && PolicyStatus::parse(&c.status).is_some_and(|s| awaiting.contains(&s))
                })
                .map(|c| c.policies)
                .sum();
            let queue = policies::led_in(&mut tx, &awaiting, QUEUE_SHOWN).await?;
            let claim_panel = ClaimsPanel::load(&mut tx).await?;
            render(&InsurerHome {
                ctx,
                panel,
                risk,
                queue_count,
                queue,
                lead_count: count(true),
                co_count: count(false),
                issued_premium_fen,
                claim_panel,
                at_risk,
            })
        }
        Dashboard::RiskAgency => render(&AgencyHome {
            ctx,
            panel,
            risk: RiskPanel::load(&mut tx, &user).await?,
            projects: projects::party_projects_needing_attention(&mut tx, HOME_PROJECTS).await?,
            project_count: projects::party_project_count(&mut tx).await?,
        }),
        Dashboard::Developer => {
            let risk = RiskPanel::load(&mut tx, &user).await?;
            let project_count = projects::party_project_count(&mut tx).await?;
            let scope = ProjectScope::for_reader(user.org_kind());
            let projects = projects::newest_summaries(&mut tx, scope, HOME_PROJECTS.into())
                .await?
                .into_iter()
                .map(|p| {
                    let step = match p.policy_status.as_deref().and_then(PolicyStatus::parse) {
                        None => Some("next.apply"),
                        Some(status) => developer_next_step(status),
                    };
                    (p, step)
                })
                .collect();
            let free_parcels = projects::free_parcels(&mut tx).await?;
            // The 20 open claims on its projects that most need attention (all under 理赔).
            let claims = claims::desk(&mut tx, Desk::Developer, 20).await?;
            render(&DeveloperHome {
                ctx,
                panel,
                risk,
                projects,
                project_count,
                free_parcels,
                claims,
            })
        }
        Dashboard::PropertyManager | Dashboard::Partner | Dashboard::Owner => {
            let is_property_manager = kind == Dashboard::PropertyManager;
            let claims = if is_property_manager {
                claims::queue(&mut tx).await?
            } else {
                Vec::new()
            };
            render(&PartnerHome {
                ctx,
                panel,
                projects: projects::newest_summaries(&mut tx, ProjectScope::Partner, PAGE_ROWS)
                    .await?,
                claims,
                is_property_manager,
            })
        }
    };
    tx.commit().await?;
    page
}
