//! The signed-in user's own account: profile, sessions, password change.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::AppState;
use super::auth::new_session_cookie;
use super::error::{AppError, AppResult};
use super::extract::{AppForm, CurrentUser, RequestId};
use crate::domain::passwords::{MAX_CHARS, check_new_password};
use crate::i18n::Lang;
use crate::security::{random_token, sha256};
use crate::storage::{audit, sessions, users};
use crate::views::{PageContext, render};

pub struct SessionView {
    pub current: bool,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub user_agent: String,
    pub ip: String,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    ctx: PageContext,
    sessions: Vec<SessionView>,
    notice: Option<&'static str>,
    errors: Vec<&'static str>,
}

async fn page(
    state: &AppState,
    lang: Lang,
    user: &CurrentUser,
    notice: Option<&'static str>,
    errors: Vec<&'static str>,
) -> AppResult<AccountPage> {
    let mut tx = user.begin(&state.pool).await?;
    let rows = sessions::list_own(&mut tx).await?;
    tx.commit().await?;
    let sessions = rows
        .into_iter()
        .map(|row| SessionView {
            current: user.session_hash.as_deref() == Some(row.id_hash.as_slice()),
            created_at: row.created_at,
            last_seen_at: row.last_seen_at,
            user_agent: row.user_agent,
            ip: row.ip,
        })
        .collect();
    Ok(AccountPage {
        ctx: PageContext::signed_in(lang, user, "/account"),
        sessions,
        notice,
        errors,
    })
}

#[derive(Deserialize)]
pub struct ShowQuery {
    changed: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Query(query): Query<ShowQuery>,
) -> AppResult<Response> {
    let notice = query
        .changed
        .is_some()
        .then_some("account.password_changed");
    render(&page(&state, lang, &user, notice, Vec::new()).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    confirm_password: String,
}

/// Requires the current password; on success every other session ends and this browser gets a
/// fresh session id.
pub async fn change_password(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    AppForm(form): AppForm<PasswordForm>,
) -> AppResult<Response> {
    if user.session_hash.is_none() {
        return Err(AppError::Forbidden);
    }
    let mut errors = Vec::new();
    if let Err(problem) = check_new_password(&form.new_password, &user.username) {
        errors.push(problem.message_key());
    }
    if form.new_password != form.confirm_password {
        errors.push("password.mismatch");
    }
    let stored = if form.current_password.chars().count() > MAX_CHARS {
        None
    } else {
        let mut tx = user.begin(&state.pool).await?;
        let stored = users::current_password_hash(&mut tx, user.user_id).await?;
        tx.commit().await?;
        stored
    };
    if !state
        .hashing
        .verify(form.current_password, stored)
        .await?
        .matches
    {
        errors.push("password.current_wrong");
    }
    if !errors.is_empty() {
        let mut response = render(&page(&state, lang, &user, None, errors).await?)?;
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(response);
    }

    let new_hash = state.hashing.hash(form.new_password).await?;
    let token = random_token();
    let mut tx = user.begin(&state.pool).await?;
    users::set_password_hash(&mut tx, user.user_id, &new_hash, true).await?;
    // Ends every session, this one included; the browser continues on a fresh one.
    sessions::end_others(&mut tx, &[]).await?;
    sessions::create(
        &mut tx,
        user.user_id,
        &sha256(&token),
        session_seconds(&state),
        "",
        "",
    )
    .await?;
    audit::record(
        &mut tx,
        &user,
        &request_id,
        audit::Entry {
            action: "account.password_changed",
            entity_type: "user",
            entity_id: Some(user.user_id),
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok((
        StatusCode::SEE_OTHER,
        [
            (LOCATION, "/account?changed=1".to_owned()),
            (SET_COOKIE, new_session_cookie(&state, &token)),
        ],
    )
        .into_response())
}

fn session_seconds(state: &AppState) -> i64 {
    i64::try_from(state.settings.session_absolute.as_secs()).unwrap_or(i64::MAX)
}

pub async fn end_other_sessions(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
) -> AppResult<Response> {
    let Some(current_hash) = &user.session_hash else {
        return Err(AppError::Forbidden);
    };
    let mut tx = user.begin(&state.pool).await?;
    let ended = sessions::end_others(&mut tx, current_hash).await?;
    audit::record(
        &mut tx,
        &user,
        &request_id,
        audit::Entry {
            action: "account.sessions_ended",
            entity_type: "user",
            entity_id: Some(user.user_id),
            before: None,
            after: Some(serde_json::json!({ "ended": ended })),
        },
    )
    .await?;
    tx.commit().await?;
    render(
        &page(
            &state,
            lang,
            &user,
            Some("account.sessions_ended"),
            Vec::new(),
        )
        .await?,
    )
}
