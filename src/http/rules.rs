//! Rule packs: every organisation can read the district parameters a policy is priced under;
//! the bureau publishes a new version (never edits an old one).

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::AppState;
use super::api::Items;
use super::error::{AppError, AppResult, FieldError};
use super::extract::{AppForm, AppJson, CurrentUser, RequestId};
use super::forms::Checker;
use super::forms::see_other;
use super::parcels::is_unique_violation;
use super::projects::today;
use crate::domain::rules::RulePack;
use crate::domain::tenancy::OrgKind;
use crate::i18n::Lang;
use crate::storage::audit;
use crate::storage::rules::{self as store, RulePackVersion};
use crate::views::{PageContext, render_status};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVersionInput {
    pub version: String,
    /// YYYY-MM-DD; today or later.
    pub effective_from: String,
    #[serde(default)]
    pub note: String,
    pub params: RulePack,
}

pub async fn publish(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    input: &NewVersionInput,
) -> AppResult<RulePackVersion> {
    if user.org_kind() != Some(OrgKind::Regulator) {
        return Err(AppError::Forbidden);
    }
    let district = user
        .org
        .as_ref()
        .map(|o| o.district_id)
        .ok_or(AppError::Forbidden)?;
    let mut form = Checker::default();
    let version = form.text("version", &input.version, 1, 40);
    let effective_from = form.date("effective_from", &input.effective_from);
    form.check(
        effective_from >= today(),
        "effective_from",
        "rules.effective_in_past",
    );
    let note = form.text("note", &input.note, 0, 500);
    if let Err(problem) = input.params.validate() {
        form.check(false, "params", problem);
    }
    form.finish()?;
    let mut tx = user.begin(&state.pool).await?;
    let id = match store::insert(
        &mut tx,
        district,
        &version,
        effective_from,
        &note,
        &input.params,
        user.user_id,
    )
    .await
    {
        Err(err) if is_unique_violation(&err) => {
            return Err(AppError::field("version", "rules.duplicate_version"));
        }
        other => other?,
    };
    audit::record(&mut tx, user, request_id, audit::Entry {
        action: "rule_pack.published",
        entity_type: "rule_pack",
        entity_id: Some(id),
        before: None,
        after: Some(serde_json::json!({ "version": version, "effective_from": effective_from, "params": input.params })),
    })
    .await?;
    let saved = store::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(saved)
}

#[derive(Template)]
#[template(path = "rule_packs.html")]
struct RulePacksPage {
    ctx: PageContext,
    packs: Vec<RulePackVersion>,
    can_publish: bool,
    errors: Vec<(usize, FieldError)>,
}

async fn page(
    state: &AppState,
    lang: Lang,
    user: &CurrentUser,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = user.begin(&state.pool).await?;
    let district = user.org.as_ref().map(|o| o.district_id);
    let mut packs = store::list(&mut tx, district).await?;
    if packs.is_empty() {
        packs = store::list(&mut tx, None).await?;
    }
    tx.commit().await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_status(
        &RulePacksPage {
            ctx: PageContext::signed_in(lang, user, "/rule-packs"),
            packs,
            can_publish: user.org_kind() == Some(OrgKind::Regulator),
            errors: errors.into_iter().map(|e| (0, e)).collect(),
        },
        status,
    )
}

pub async fn index(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
) -> AppResult<Response> {
    if user.org.is_none() {
        return Err(AppError::NotFound);
    }
    page(&state, lang, &user, Vec::new()).await
}

/// The page form changes the rates and the cover start offset of the newest version.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewVersionForm {
    version: String,
    effective_from: String,
    #[serde(default)]
    note: String,
    commercial_percent: String,
    resettlement_percent: String,
    public_rental_percent: String,
    safety_permille: String,
    tis_fee_share_percent: String,
    cover_start_offset_months: String,
}

pub async fn create(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    AppForm(form): AppForm<NewVersionForm>,
) -> AppResult<Response> {
    if user.org_kind() != Some(OrgKind::Regulator) {
        return Err(AppError::Forbidden);
    }
    let district = user.org.as_ref().map(|o| o.district_id);
    let mut tx = user.begin(&state.pool).await?;
    let base = store::list(&mut tx, district)
        .await?
        .into_iter()
        .next()
        .map_or_else(RulePack::laoshan_2021, |p| p.params.0);
    tx.commit().await?;
    let mut check = Checker::default();
    let mut params = base;
    params.rates.commercial_bp = check.percent("commercial_percent", &form.commercial_percent);
    params.rates.resettlement_bp =
        check.percent("resettlement_percent", &form.resettlement_percent);
    params.rates.public_rental_bp =
        check.percent("public_rental_percent", &form.public_rental_percent);
    // ‰ with two decimals → basis points: 2.00 ‰ = 20 bp.
    params.rates.safety_bp = check.percent("safety_permille", &form.safety_permille) / 10;
    params.tis_fee_share_bp = check.percent("tis_fee_share_percent", &form.tis_fee_share_percent);
    params.cover_start_offset_months = u32::try_from(check.integer(
        "cover_start_offset_months",
        &form.cover_start_offset_months,
        0,
        120,
    ))
    .unwrap_or(0);
    let input = NewVersionInput {
        version: form.version,
        effective_from: form.effective_from,
        note: form.note,
        params,
    };
    let outcome = match check.finish() {
        Ok(()) => publish(&state, &user, &request_id, &input)
            .await
            .map(|_| ()),
        Err(err) => Err(err),
    };
    match outcome {
        Ok(()) => Ok(see_other("/rule-packs")),
        Err(AppError::Validation(errors)) => page(&state, lang, &user, errors).await,
        Err(other) => Err(other),
    }
}

/// Rule-pack versions (all districts).
#[utoipa::path(get, path = "/api/v1/rule-packs", responses((status = 200, body = Items<RulePackVersion>)))]
pub async fn api_list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Items<RulePackVersion>>> {
    let mut tx = user.begin(&state.pool).await?;
    let items = store::list(&mut tx, None).await?;
    tx.commit().await?;
    Ok(Json(Items { items }))
}

/// Publishes a new version for the regulator's district.
#[utoipa::path(post, path = "/api/v1/rule-packs", request_body = NewVersionInput,
    responses((status = 201, body = RulePackVersion), (status = 403), (status = 422)))]
pub async fn api_create(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    AppJson(input): AppJson<NewVersionInput>,
) -> AppResult<Response> {
    let saved = publish(&state, &user, &request_id, &input).await?;
    Ok((StatusCode::CREATED, Json(saved)).into_response())
}
