//! Signing in and out, and the language switch.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::{LOCATION, RETRY_AFTER, SET_COOKIE, USER_AGENT};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Deserialize;

use super::AppState;
use super::error::{AppError, AppResult};
use super::extract::{AppForm, ClientAddr, CurrentUser, LANG_COOKIE, RequestId, cookie};
use crate::db;
use crate::domain::passwords::MAX_CHARS;
use crate::domain::redirect::safe_next;
use crate::domain::throttle::{PER_ACCOUNT, PER_ADDRESS};
use crate::i18n::Lang;
use crate::security::{random_token, sha256};
use crate::storage::{audit, sessions, throttle, users};
use crate::views::{PageContext, render, render_status};

#[derive(Template)]
#[template(path = "auth/login.html")]
pub struct LoginPage {
    ctx: PageContext,
    next: String,
    username: String,
    error: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn login_form(lang: Lang, Query(query): Query<NextQuery>) -> AppResult<Response> {
    render(&LoginPage {
        ctx: PageContext::anonymous(lang),
        next: safe_next(query.next.as_deref()).to_owned(),
        username: String::new(),
        error: None,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

pub async fn login(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    AppForm(form): AppForm<LoginForm>,
) -> AppResult<Response> {
    let username = form.username.trim().to_lowercase();
    let next = safe_next(form.next.as_deref()).to_owned();
    let refuse = |status: StatusCode, error: &'static str| -> AppResult<Response> {
        render_status(
            &LoginPage {
                ctx: PageContext::anonymous(lang),
                next: next.clone(),
                username: username.chars().take(64).collect(),
                error: Some(error),
            },
            status,
        )
    };

    let account_key = format!("account:{}", username.chars().take(64).collect::<String>());
    let address_key = format!("address:{client}");
    let now = Utc::now();
    if let Some(until) = throttle::locked_until(
        &mut *state.pool.acquire().await?,
        &[account_key.clone(), address_key.clone()],
    )
    .await?
    {
        tracing::warn!(%client, "login refused: throttled");
        let mut response = refuse(StatusCode::TOO_MANY_REQUESTS, "login.throttled")?;
        let wait = (until - now).num_seconds().max(1);
        response.headers_mut().insert(RETRY_AFTER, wait.into());
        return Ok(response);
    }

    let candidate = if username.is_empty()
        || username.len() > 64
        || form.password.chars().count() > MAX_CHARS
    {
        None
    } else {
        users::login_lookup(&state.pool, &username).await?
    };
    let stored = candidate
        .as_ref()
        .filter(|c| c.is_active)
        .map(|c| c.password_hash.clone());
    let verification = state.hashing.verify(form.password.clone(), stored).await?;
    let Some(user) = candidate.filter(|_| verification.matches) else {
        let mut tx = state.pool.begin().await?;
        throttle::record_failure(&mut tx, &account_key, &PER_ACCOUNT, now).await?;
        throttle::record_failure(&mut tx, &address_key, &PER_ADDRESS, now).await?;
        tx.commit().await?;
        tracing::warn!(%client, "login failed");
        return refuse(StatusCode::UNAUTHORIZED, "login.invalid");
    };

    // A cookie from an earlier session in this browser dies with the new login (ASVS 3.2.1).
    if let Some(old) = cookie(&headers, state.session_cookie_name()) {
        sessions::end(&state.pool, &sha256(old)).await?;
    }
    let token = random_token();
    let hash = sha256(&token);
    let rehash = if verification.needs_rehash {
        Some(state.hashing.hash(form.password).await?)
    } else {
        None
    };
    let user_agent = headers
        .get(USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let absolute = i64::try_from(state.settings.session_absolute.as_secs()).unwrap_or(i64::MAX);
    let idle = i32::try_from(state.settings.session_idle.as_secs()).unwrap_or(i32::MAX);

    let mut tx = state.pool.begin().await?;
    db::tenant::set_user_only(&mut tx, user.user_id).await?;
    sessions::create(&mut tx, user.user_id, &hash, absolute, user_agent, &client).await?;
    let principal = sessions::principal(&mut *tx, &hash, idle)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    db::tenant::set_context(&mut tx, &principal).await?;
    if let Some(new_hash) = rehash {
        users::set_password_hash(&mut tx, user.user_id, &new_hash, false).await?;
    }
    audit::record(
        &mut tx,
        &principal,
        &request_id,
        audit::Entry {
            action: "auth.login",
            entity_type: "session",
            entity_id: None,
            before: None,
            after: Some(serde_json::json!({ "ip": client })),
        },
    )
    .await?;
    throttle::clear(&mut tx, &account_key).await?;
    tx.commit().await?;
    tracing::info!(user = %principal.username, "signed in");

    Ok((
        StatusCode::SEE_OTHER,
        [
            (LOCATION, next),
            (SET_COOKIE, session_cookie(&state, &token, absolute)),
        ],
    )
        .into_response())
}

fn session_cookie(state: &AppState, value: &str, max_age: i64) -> String {
    let secure = if state.settings.cookie_secure {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}",
        state.session_cookie_name()
    )
}

pub fn new_session_cookie(state: &AppState, value: &str) -> String {
    let absolute = i64::try_from(state.settings.session_absolute.as_secs()).unwrap_or(i64::MAX);
    session_cookie(state, value, absolute)
}

pub async fn logout(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
) -> AppResult<Response> {
    let mut tx = user.begin(&state.pool).await?;
    audit::record(
        &mut tx,
        &user,
        &request_id,
        audit::Entry {
            action: "auth.logout",
            entity_type: "session",
            entity_id: None,
            before: None,
            after: None,
        },
    )
    .await?;
    if let Some(hash) = &user.session_hash {
        sessions::end(&mut *tx, hash).await?;
    }
    tx.commit().await?;
    Ok((
        StatusCode::SEE_OTHER,
        [
            (LOCATION, "/login".to_owned()),
            (SET_COOKIE, session_cookie(&state, "", 0)),
        ],
    )
        .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguageForm {
    lang: String,
    next: Option<String>,
}

/// Remembers the chosen language in a cookie (a preference, not server state).
pub async fn switch_language(AppForm(form): AppForm<LanguageForm>) -> AppResult<Response> {
    let lang = Lang::from_code(&form.lang)
        .ok_or_else(|| AppError::field("lang", "error.unknown_language"))?;
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000",
        lang.code()
    );
    Ok((
        StatusCode::SEE_OTHER,
        [
            (LOCATION, safe_next(form.next.as_deref()).to_owned()),
            (SET_COOKIE, cookie),
        ],
    )
        .into_response())
}
