//! The directory of organisations (insurers, agencies, developers …) with a kind filter.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::AppState;
use super::error::{AppError, AppResult};
use super::extract::CurrentUser;
use crate::domain::tenancy::OrgKind;
use crate::i18n::Lang;
use crate::storage::organisations::{self, Organisation};
use crate::views::{PageContext, render};

#[derive(Deserialize)]
pub struct DirectoryQuery {
    pub kind: Option<String>,
}

impl DirectoryQuery {
    /// The validated kind filter; an unknown kind is a 422, an empty one means all.
    pub fn kind(&self) -> AppResult<Option<OrgKind>> {
        match self.kind.as_deref() {
            None | Some("") => Ok(None),
            Some(value) => OrgKind::parse(value)
                .map(Some)
                .ok_or_else(|| AppError::field("kind", "error.unknown_kind")),
        }
    }
}

#[derive(Template)]
#[template(path = "organisations.html")]
struct DirectoryPage {
    ctx: PageContext,
    kinds: Vec<&'static str>,
    selected: &'static str,
    rows: Vec<Organisation>,
}

pub async fn directory(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Query(query): Query<DirectoryQuery>,
) -> AppResult<Response> {
    if user.org.is_none() {
        return Err(AppError::NotFound);
    }
    let kind = query.kind()?;
    let mut tx = user.begin(&state.pool).await?;
    let rows = organisations::directory(&mut tx, kind.map(OrgKind::as_str)).await?;
    tx.commit().await?;
    render(&DirectoryPage {
        ctx: PageContext::signed_in(lang, &user, "/organisations"),
        kinds: OrgKind::ALL.iter().map(|k| k.as_str()).collect(),
        selected: kind.map_or("", OrgKind::as_str),
        rows,
    })
}
