//! The organisation's audit trail (操作日志), for its admins.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::AppState;
use super::error::AppResult;
use super::extract::CurrentUser;
use crate::i18n::Lang;
use crate::storage::audit::{self, AuditEvent};
use crate::views::{PageContext, render};

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    ctx: PageContext,
    events: Vec<AuditEvent>,
}

pub async fn index(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
) -> AppResult<Response> {
    user.require_admin()?;
    let mut tx = user.begin(&state.pool).await?;
    let events = audit::recent(&mut tx, 200).await?;
    tx.commit().await?;
    render(&AuditPage {
        ctx: PageContext::signed_in(lang, &user, "/audit"),
        events,
    })
}
