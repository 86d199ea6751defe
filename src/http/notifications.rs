//! In-app notifications (escalations of overdue orders, for now), per organisation.

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::response::Response;

use super::AppState;
use super::api::Items;
use super::error::{AppError, AppResult};
use super::extract::CurrentUser;
use super::forms::see_other;
use crate::i18n::Lang;
use crate::storage::escalations::{self, Notification};
use crate::views::{PageContext, render};

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    ctx: PageContext,
    notifications: Vec<Notification>,
}

async fn list(state: &AppState, user: &CurrentUser) -> AppResult<Vec<Notification>> {
    if user.org.is_none() {
        return Err(AppError::NotFound);
    }
    let mut tx = user.begin(&state.pool).await?;
    let notifications = escalations::notifications(&mut tx).await?;
    tx.commit().await?;
    Ok(notifications)
}

pub async fn index(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
) -> AppResult<Response> {
    let notifications = list(&state, &user).await?;
    render(&NotificationsPage {
        ctx: PageContext::signed_in(lang, &user, "/notifications"),
        notifications,
    })
}

/// Marks every notification of the organisation read (a reading receipt, not audited).
pub async fn mark_read(State(state): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    if user.org.is_none() {
        return Err(AppError::NotFound);
    }
    let mut tx = user.begin(&state.pool).await?;
    escalations::mark_all_read(&mut tx).await?;
    tx.commit().await?;
    Ok(see_other("/notifications"))
}

/// The organisation's notifications, unread first.
#[utoipa::path(get, path = "/api/v1/notifications", responses((status = 200, body = Items<Notification>), (status = 404)))]
pub async fn api_list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Items<Notification>>> {
    Ok(Json(Items {
        items: list(&state, &user).await?,
    }))
}
