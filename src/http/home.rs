//! The home dashboard: one page per kind of organisation, each showing that organisation's own
//! figures (row-level security scopes every count).

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::AppState;
use super::error::AppResult;
use super::extract::CurrentUser;
use crate::db;
use crate::domain::tenancy::Dashboard;
use crate::i18n::Lang;
use crate::storage::audit::{self, AuditEvent};
use crate::storage::dashboard::{self, KindCount, OrgSummary};
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
}

#[derive(Template)]
#[template(path = "insurer/home.html")]
struct InsurerHome {
    ctx: PageContext,
    panel: OrgPanel,
}

#[derive(Template)]
#[template(path = "agency/home.html")]
struct AgencyHome {
    ctx: PageContext,
    panel: OrgPanel,
}

#[derive(Template)]
#[template(path = "developer/home.html")]
struct DeveloperHome {
    ctx: PageContext,
    panel: OrgPanel,
}

#[derive(Template)]
#[template(path = "partner/home.html")]
struct PartnerHome {
    ctx: PageContext,
    panel: OrgPanel,
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
    let page = match kind {
        Dashboard::Regulator => {
            let kinds = dashboard::organisations_in_jurisdiction(&mut tx).await?;
            render(&RegulatorHome { ctx, panel, kinds })
        }
        Dashboard::Insurer => render(&InsurerHome { ctx, panel }),
        Dashboard::RiskAgency => render(&AgencyHome { ctx, panel }),
        Dashboard::Developer => render(&DeveloperHome { ctx, panel }),
        Dashboard::Partner | Dashboard::Owner => render(&PartnerHome { ctx, panel }),
    };
    tx.commit().await?;
    page
}
