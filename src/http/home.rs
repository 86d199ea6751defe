//! The home dashboard: one page per kind of organisation, each showing that organisation's own
//! figures (row-level security scopes every count).

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::AppState;
use super::error::AppResult;
use super::extract::CurrentUser;
use crate::db;
use crate::domain::policy::{PolicyStatus, developer_next_step, insurer_next_step};
use crate::domain::tenancy::Dashboard;
use crate::i18n::Lang;
use crate::storage::audit::{self, AuditEvent};
use crate::storage::coverage::{self, Coverage, StageCount, Uninsured};
use crate::storage::dashboard::{self, KindCount, OrgSummary};
use crate::storage::policies::{self, Policy};
use crate::storage::projects::{self, Project};
use crate::views::{PageContext, render};

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
    kinds: Vec<KindCount>,
    coverage: Coverage,
    by_stage: Vec<StageCount>,
    uninsured: Vec<Uninsured>,
}

#[derive(Template)]
#[template(path = "insurer/home.html")]
struct InsurerHome {
    ctx: PageContext,
    panel: OrgPanel,
    /// Policies where this insurer leads and must act.
    queue: Vec<Policy>,
    lead_count: usize,
    co_count: usize,
    issued_premium_fen: i64,
}

#[derive(Template)]
#[template(path = "agency/home.html")]
struct AgencyHome {
    ctx: PageContext,
    panel: OrgPanel,
    projects: Vec<Project>,
}

#[derive(Template)]
#[template(path = "developer/home.html")]
struct DeveloperHome {
    ctx: PageContext,
    panel: OrgPanel,
    projects: Vec<(Project, Option<&'static str>)>,
    free_parcels: usize,
}

#[derive(Template)]
#[template(path = "partner/home.html")]
struct PartnerHome {
    ctx: PageContext,
    panel: OrgPanel,
    projects: Vec<Project>,
}

#[derive(Template)]
#[template(path = "owner/home.html")]
struct OwnerHome {
    ctx: PageContext,
    recent: Vec<AuditEvent>,
}

pub async fn dashboard(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
) -> AppResult<Response> {
    let ctx = PageContext::signed_in(lang, &user, "/");
    let mut tx = db::begin(&state.pool, &user).await?;
    let recent = audit::recent(&mut tx, 10).await?;
    let kind = user.dashboard();
    if kind == Dashboard::Owner {
        tx.commit().await?;
        return render(&OwnerHome { ctx, recent });
    }
    let panel = OrgPanel {
        summary: dashboard::org_summary(&mut tx).await?,
        recent,
    };
    let org_id = user.org.as_ref().map(|o| o.id);
    let page = match kind {
        Dashboard::Regulator => {
            let kinds = dashboard::organisations_in_jurisdiction(&mut tx).await?;
            let coverage = coverage::coverage(&mut tx, None).await?;
            let by_stage = coverage::projects_by_stage(&mut tx).await?;
            let mut uninsured = coverage::uninsured(&mut tx).await?;
            uninsured.truncate(10);
            render(&RegulatorHome {
                ctx,
                panel,
                kinds,
                coverage,
                by_stage,
                uninsured,
            })
        }
        Dashboard::Insurer => {
            let all = policies::list(&mut tx, None).await?;
            let (lead, co): (Vec<_>, Vec<_>) = all
                .into_iter()
                .partition(|p| Some(p.lead_insurer_org_id) == org_id);
            let issued_premium_fen = lead
                .iter()
                .filter(|p| PolicyStatus::parse(&p.status).is_some_and(PolicyStatus::is_issued))
                .filter_map(|p| p.total_premium_fen)
                .sum();
            let lead_count = lead.len();
            let queue = lead
                .into_iter()
                .filter(|p| {
                    PolicyStatus::parse(&p.status)
                        .and_then(insurer_next_step)
                        .is_some()
                })
                .collect();
            render(&InsurerHome {
                ctx,
                panel,
                queue,
                lead_count,
                co_count: co.len(),
                issued_premium_fen,
            })
        }
        Dashboard::RiskAgency => render(&AgencyHome {
            ctx,
            panel,
            projects: projects::projects(&mut tx).await?,
        }),
        Dashboard::Developer => {
            let projects = projects::projects(&mut tx)
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
            let free_parcels = projects::parcels(&mut tx)
                .await?
                .iter()
                .filter(|p| p.status == "transferred")
                .count();
            render(&DeveloperHome {
                ctx,
                panel,
                projects,
                free_parcels,
            })
        }
        Dashboard::Partner | Dashboard::Owner => render(&PartnerHome {
            ctx,
            panel,
            projects: projects::projects(&mut tx).await?,
        }),
    };
    tx.commit().await?;
    page
}
