//! API tokens for an organisation's own systems (insurers' core systems, the bureau's platforms).
//! Admins only; the token is shown once. Pages and `/api/v1/tokens` share these functions.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::AppState;
use super::error::{AppError, AppResult};
use super::extract::{AppForm, CurrentUser, RequestId};
use crate::i18n::Lang;
use crate::security::{random_token, sha256};
use crate::storage::audit;
use crate::storage::tokens::{self, ApiToken};
use crate::views::{PageContext, render};

pub const NAME_MAX_CHARS: usize = 100;

/// Creates a token and returns it with the only copy of its secret.
pub async fn create_token(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    name: &str,
) -> AppResult<(ApiToken, String)> {
    user.require_admin()?;
    let org = user.org.as_ref().ok_or(AppError::Forbidden)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > NAME_MAX_CHARS {
        return Err(AppError::field("name", "tokens.name_invalid"));
    }
    let secret = format!("zb_{}", random_token());
    let prefix: String = secret.chars().take(10).collect();
    let mut tx = user.begin(&state.pool).await?;
    let id = tokens::insert(
        &mut tx,
        org.id,
        user.user_id,
        name,
        &sha256(&secret),
        &prefix,
    )
    .await?;
    audit::record(
        &mut tx,
        user,
        request_id,
        audit::Entry {
            action: "api_token.created",
            entity_type: "api_token",
            entity_id: Some(id),
            before: None,
            after: Some(serde_json::json!({ "name": name, "prefix": prefix })),
        },
    )
    .await?;
    let token = tokens::list(&mut tx, Some(id))
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok((token, secret))
}

/// Revokes a live token of the user's own organisation; anything else is 404.
pub async fn revoke_token(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    id: Uuid,
) -> AppResult<ApiToken> {
    user.require_admin()?;
    let mut tx = user.begin(&state.pool).await?;
    let before = tokens::list(&mut tx, Some(id))
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    if !tokens::revoke(&mut tx, id).await? {
        return Err(AppError::Conflict("token_already_revoked"));
    }
    audit::record(
        &mut tx,
        user,
        request_id,
        audit::Entry {
            action: "api_token.revoked",
            entity_type: "api_token",
            entity_id: Some(id),
            before: Some(serde_json::json!({ "name": before.name, "revoked": false })),
            after: Some(serde_json::json!({ "name": before.name, "revoked": true })),
        },
    )
    .await?;
    let after = tokens::list(&mut tx, Some(id))
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(after)
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    ctx: PageContext,
    tokens: Vec<ApiToken>,
    new_secret: Option<String>,
    error: Option<&'static str>,
    name: String,
}

async fn page(
    state: &AppState,
    lang: Lang,
    user: &CurrentUser,
    new_secret: Option<String>,
    error: Option<&'static str>,
    name: String,
) -> AppResult<Response> {
    user.require_admin()?;
    let mut tx = user.begin(&state.pool).await?;
    let tokens = tokens::list(&mut tx, None).await?;
    tx.commit().await?;
    render(&TokensPage {
        ctx: PageContext::signed_in(lang, user, "/settings/tokens"),
        tokens,
        new_secret,
        error,
        name,
    })
}

pub async fn index(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
) -> AppResult<Response> {
    page(&state, lang, &user, None, None, String::new()).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateTokenForm {
    name: String,
}

pub async fn create(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    AppForm(form): AppForm<CreateTokenForm>,
) -> AppResult<Response> {
    match create_token(&state, &user, &request_id, &form.name).await {
        Ok((_, secret)) => page(&state, lang, &user, Some(secret), None, String::new()).await,
        Err(AppError::Validation(fields)) => {
            let mut response = page(
                &state,
                lang,
                &user,
                None,
                fields.first().map(|f| f.message),
                form.name.chars().take(NAME_MAX_CHARS).collect(),
            )
            .await?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(other) => Err(other),
    }
}

pub async fn revoke(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    revoke_token(&state, &user, &request_id, id).await?;
    Ok((StatusCode::SEE_OTHER, [(LOCATION, "/settings/tokens")]).into_response())
}
