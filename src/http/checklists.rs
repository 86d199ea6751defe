//! Checklists: each agency maintains its template items per stage; an inspection copies them and
//! the inspector answers each one (a failed item points at its finding).

use std::collections::HashMap;

use askama::Template;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::AppState;
use super::api::Items;
use super::error::{AppError, AppResult, FieldError};
use super::extract::{AppForm, AppJson, CurrentUser, RequestId};
use super::forms::{Checker, after_form, failure_parts, parse_id, see_other};
use crate::domain::risk::checklist::RESULTS;
use crate::domain::tenancy::OrgKind;
use crate::i18n::Lang;
use crate::storage::checklists::{self as store, ChecklistItem};
use crate::storage::{audit, risk};
use crate::views::{PageContext, render_status};

fn require_agency(user: &CurrentUser) -> AppResult<Uuid> {
    match (&user.org, user.org_kind()) {
        (Some(org), Some(OrgKind::RiskAgency)) => Ok(org.id),
        _ => Err(AppError::Forbidden),
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemInput {
    pub stage_code: String,
    pub text: String,
}

pub async fn add(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    input: &ItemInput,
) -> AppResult<Uuid> {
    let agency = require_agency(user)?;
    let mut form = Checker::default();
    let stage = input.stage_code.trim();
    form.check(
        super::inspections::stage_codes().contains(&stage),
        "stage_code",
        "inspections.bad_stage",
    );
    let text = form.text("text", &input.text, 2, 300);
    form.finish()?;
    let mut tx = user.begin(&state.pool).await?;
    let id = store::add_item(&mut tx, agency, stage, &text).await?;
    audit::record(
        &mut tx,
        user,
        request_id,
        audit::Entry {
            action: "checklist.item_added",
            entity_type: "checklist_item",
            entity_id: Some(id),
            before: None,
            after: Some(serde_json::json!({ "stage": stage, "text": text })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(Template)]
#[template(path = "agency/checklists.html")]
struct ChecklistsPage {
    ctx: PageContext,
    items: Vec<ChecklistItem>,
    stages: Vec<&'static str>,
    errors: Vec<(usize, FieldError)>,
}

async fn page(
    state: &AppState,
    lang: Lang,
    user: &CurrentUser,
    failure: Option<AppError>,
) -> AppResult<Response> {
    require_agency(user)?;
    let mut tx = user.begin(&state.pool).await?;
    let items = store::items(&mut tx).await?;
    tx.commit().await?;
    let (status, errors, _) = failure_parts(failure)?;
    render_status(
        &ChecklistsPage {
            ctx: PageContext::signed_in(lang, user, "/checklists"),
            items,
            stages: super::inspections::stage_codes(),
            errors,
        },
        status,
    )
}

pub async fn index(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
) -> AppResult<Response> {
    page(&state, lang, &user, None).await
}

pub async fn add_form(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    AppForm(input): AppForm<ItemInput>,
) -> AppResult<Response> {
    let action = async { add(&state, &user, &request_id, &input).await.map(|_| ()) };
    after_form(action, "/checklists".to_owned(), |err| {
        page(&state, lang, &user, Some(err))
    })
    .await
}

pub async fn retire(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    require_agency(&user)?;
    let id = parse_id(&id)?;
    let mut tx = user.begin(&state.pool).await?;
    if !store::retire_item(&mut tx, id).await? {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut tx,
        &user,
        &request_id,
        audit::Entry {
            action: "checklist.item_retired",
            entity_type: "checklist_item",
            entity_id: Some(id),
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(see_other("/checklists"))
}

/// Answers to an inspection's checklist: check id → result (pass | fail | na) and, for a failure,
/// the finding that records it.
pub async fn answer(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    inspection_id: Uuid,
    answers: &[(Uuid, String, Option<Uuid>)],
) -> AppResult<()> {
    let agency = require_agency(user)?;
    let mut tx = user.begin(&state.pool).await?;
    let inspection = risk::inspection(&mut tx, inspection_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if inspection.agency_org_id != agency {
        return Err(AppError::NotFound);
    }
    if inspection.status != "draft" {
        return Err(AppError::Conflict("inspections.already_submitted"));
    }
    let checks = store::checks(&mut tx, inspection.id).await?;
    let findings = risk::findings_of(&mut tx, inspection.id).await?;
    let mut form = Checker::default();
    for (check, result, finding) in answers {
        form.check(
            checks.iter().any(|c| c.id == *check),
            "checks",
            "checklist.unknown_item",
        );
        form.check(
            RESULTS.contains(&result.as_str()),
            "checks",
            "checklist.bad_result",
        );
        form.check(
            finding.is_none_or(|f| findings.iter().any(|x| x.id == f)),
            "checks",
            "checklist.unknown_finding",
        );
        form.check(
            result != "fail" || finding.is_some(),
            "checks",
            "checklist.fail_needs_finding",
        );
    }
    form.finish()?;
    for (check, result, finding) in answers {
        let finding = if result == "fail" { *finding } else { None };
        store::answer(&mut tx, inspection.id, *check, result, finding).await?;
    }
    audit::record(
        &mut tx,
        user,
        request_id,
        audit::Entry {
            action: "checklist.answered",
            entity_type: "inspection",
            entity_id: Some(inspection.id),
            before: None,
            after: Some(serde_json::json!({ "answers": answers.len(),
            "failed": answers.iter().filter(|(_, r, _)| r == "fail").count() })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The page form: `result_<check id>` and `finding_<check id>` fields.
pub async fn answer_form(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
    AppForm(fields): AppForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let id = parse_id(&id)?;
    let mut answers = Vec::new();
    for (key, value) in &fields {
        let Some(check) = key.strip_prefix("result_") else {
            if !key.starts_with("finding_") {
                return Err(AppError::field("form", "error.malformed_form"));
            }
            continue;
        };
        let check = Uuid::parse_str(check)
            .map_err(|_| AppError::field("checks", "checklist.unknown_item"))?;
        let finding = fields
            .get(&format!("finding_{check}"))
            .and_then(|f| Uuid::parse_str(f).ok());
        answers.push((check, value.clone(), finding));
    }
    let action = answer(&state, &user, &request_id, id, &answers);
    after_form(action, format!("/inspections/{id}?done=checks"), |err| {
        super::inspections::detail_page(&state, lang, &user, id, None, Some(err))
    })
    .await
}

// ----- API ------------------------------------------------------------------------------------

/// The agency's checklist template items.
#[utoipa::path(get, path = "/api/v1/checklists", responses((status = 200, body = Items<ChecklistItem>), (status = 403)))]
pub async fn api_list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Items<ChecklistItem>>> {
    require_agency(&user)?;
    let mut tx = user.begin(&state.pool).await?;
    let items = store::items(&mut tx).await?;
    tx.commit().await?;
    Ok(Json(Items { items }))
}

#[utoipa::path(post, path = "/api/v1/checklists", request_body = ItemInput,
    responses((status = 201), (status = 403), (status = 422)))]
pub async fn api_add(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    AppJson(input): AppJson<ItemInput>,
) -> AppResult<Response> {
    let id = add(&state, &user, &request_id, &input).await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(serde_json::json!({ "id": id })),
    )
        .into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    pub check_id: Uuid,
    /// pass | fail | na
    pub result: String,
    /// Required for `fail`: the finding that records the failure.
    #[serde(default)]
    pub finding_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswersInput {
    pub answers: Vec<AnswerInput>,
}

#[utoipa::path(post, path = "/api/v1/inspections/{id}/checks", params(("id" = Uuid, Path)), request_body = AnswersInput,
    responses((status = 200), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn api_answer(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
    AppJson(input): AppJson<AnswersInput>,
) -> AppResult<Json<serde_json::Value>> {
    let answers: Vec<_> = input
        .answers
        .into_iter()
        .map(|a| (a.check_id, a.result, a.finding_id))
        .collect();
    answer(&state, &user, &request_id, parse_id(&id)?, &answers).await?;
    Ok(Json(serde_json::json!({ "answered": answers.len() })))
}
