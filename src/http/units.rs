//! Homes: the developer lists units per building and hands each over with a one-time invitation
//! code (stored hashed, shown once); the owner binds the unit with it and sees its coverage passport.

use askama::Template;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::AppState;
use super::api::Items;
use super::claim_queue::{ClaimLineView, queue};
use super::error::{AppError, AppResult, FieldError};
use super::extract::{AppForm, AppJson, CurrentUser, RequestId};
use super::forms::{Checker, failure_parts, parse_id, see_other};
use super::projects::today;
use crate::domain::claims::COMPONENTS;
use crate::domain::rules::{CoverPeriod, cover_periods};
use crate::domain::tenancy::{OrgKind, UserRole};
use crate::i18n::Lang;
use crate::security::{random_token, sha256};
use crate::storage::claims::{self as store, Unit};
use crate::storage::{audit, policies, projects as project_store, rules};
use crate::views::{PageContext, render_status};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitInput {
    pub building_id: String,
    /// e.g. 2-1-1201
    pub number: String,
    pub floor_area_m2: String,
}

pub async fn add_unit(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    project_id: Uuid,
    input: &UnitInput,
) -> AppResult<Uuid> {
    if user.org_kind() != Some(OrgKind::Developer) {
        return Err(AppError::Forbidden);
    }
    let mut tx = user.begin(&state.pool).await?;
    let project = project_store::project(&mut tx, project_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if Some(project.developer_org_id) != user.org.as_ref().map(|o| o.id) {
        return Err(AppError::NotFound);
    }
    let buildings = project_store::buildings(&mut tx, project.id).await?;
    let mut form = Checker::default();
    let building = Uuid::parse_str(input.building_id.trim())
        .ok()
        .filter(|b| buildings.iter().any(|x| x.id == *b));
    form.check(building.is_some(), "building_id", "policy.unknown_building");
    let number = form.text("number", &input.number, 1, 40);
    let area = form.area("floor_area_m2", &input.floor_area_m2);
    form.finish()?;
    let building = building.ok_or(AppError::NotFound)?;
    let id = match store::insert_unit(&mut tx, &project, building, &number, area).await {
        Err(err) if super::parcels::is_unique_violation(&err) => {
            return Err(AppError::field("number", "claims.duplicate_unit"));
        }
        other => other?,
    };
    audit::record(
        &mut tx,
        user,
        request_id,
        audit::Entry {
            action: "unit.added",
            entity_type: "unit",
            entity_id: Some(id),
            before: None,
            after: Some(serde_json::json!({ "project": project.id, "number": number })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandoverInput {
    /// YYYY-MM-DD, not in the future.
    pub handed_over_on: String,
}

/// Records the handover and returns the one-time invitation code for the 告知书 (shown once;
/// only its hash is stored; valid 30 days).
pub async fn hand_over(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    unit_id: Uuid,
    input: &HandoverInput,
) -> AppResult<String> {
    if user.org_kind() != Some(OrgKind::Developer) {
        return Err(AppError::Forbidden);
    }
    let mut form = Checker::default();
    let day = form.date("handed_over_on", &input.handed_over_on);
    form.check(day <= today(), "handed_over_on", "projects.date_in_future");
    form.finish()?;
    let mut tx = user.begin(&state.pool).await?;
    let unit = store::unit(&mut tx, unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let code = random_token()[..12].to_uppercase();
    if !store::hand_over(&mut tx, unit.id, day, &sha256(&code)).await? {
        return Err(AppError::Conflict("claims.unit_has_owner"));
    }
    audit::record(
        &mut tx,
        user,
        request_id,
        audit::Entry {
            action: "unit.handed_over",
            entity_type: "unit",
            entity_id: Some(unit.id),
            before: None,
            after: Some(serde_json::json!({ "handed_over_on": day })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(code)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteInput {
    /// The code printed on the unit's 告知书.
    pub code: String,
}

/// The owner binds the unit named by the invitation code.
pub async fn bind_unit(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    input: &InviteInput,
) -> AppResult<Uuid> {
    if user.role != UserRole::Owner {
        return Err(AppError::Forbidden);
    }
    let code = input.code.trim().to_uppercase();
    let mut tx = user.begin(&state.pool).await?;
    let unit = store::claim_unit(&mut tx, &sha256(&code))
        .await?
        .ok_or_else(|| AppError::field("code", "claims.bad_code"))?;
    audit::record(
        &mut tx,
        user,
        request_id,
        audit::Entry {
            action: "unit.bound_to_owner",
            entity_type: "unit",
            entity_id: Some(unit),
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(unit)
}

/// The unit's coverage passport: the policy's insurers and each section's period.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Passport {
    pub unit: Unit,
    pub insurers: Vec<policies::Share>,
    pub periods: Vec<CoverPeriod>,
    pub exclusions: Vec<String>,
}

pub(super) async fn passport(conn: &mut sqlx::PgConnection, unit: Unit) -> AppResult<Passport> {
    let cover = cover(
        conn,
        unit.policy_id,
        &unit.building_name,
        unit.completion_date,
    )
    .await?;
    Ok(Passport {
        unit,
        insurers: cover.insurers,
        periods: cover.periods,
        exclusions: cover.exclusions,
    })
}

/// What a policy covers in one building: its insurers, each section's period from completion,
/// and the sections excluded there (or everywhere).
pub(super) struct BuildingCover {
    pub insurers: Vec<policies::Share>,
    pub periods: Vec<CoverPeriod>,
    pub exclusions: Vec<String>,
}

pub(super) async fn cover(
    conn: &mut sqlx::PgConnection,
    policy_id: Option<Uuid>,
    building_name: &str,
    completion_date: Option<chrono::NaiveDate>,
) -> AppResult<BuildingCover> {
    let (mut insurers, mut periods, mut exclusions) = (Vec::new(), Vec::new(), Vec::new());
    if let Some(policy_id) = policy_id {
        insurers = policies::shares(conn, policy_id).await?;
        exclusions = policies::endorsements(conn, policy_id)
            .await?
            .into_iter()
            .filter(|e| {
                e.kind == "exclusion"
                    && e.building_name
                        .as_deref()
                        .is_none_or(|b| b == building_name)
            })
            .filter_map(|e| e.section_code)
            .collect();
        if let (Some(completed), Some(policy)) =
            (completion_date, policies::find(conn, policy_id).await?)
            && let Some(pack) = rules::find(conn, policy.rule_pack_id).await?
        {
            periods = cover_periods(&pack.params, completed);
        }
    }
    Ok(BuildingCover {
        insurers,
        periods,
        exclusions,
    })
}

#[derive(Template)]
#[template(path = "owner/unit.html")]
struct UnitPage {
    ctx: PageContext,
    p: Passport,
    claims: Vec<ClaimLineView>,
    components: Vec<(&'static str, &'static str, bool)>,
    invite_code: Option<String>,
    is_owner: bool,
    is_developer: bool,
    today: chrono::NaiveDate,
    errors: Vec<(usize, FieldError)>,
}

pub(super) async fn unit_page(
    state: &AppState,
    lang: Lang,
    user: &CurrentUser,
    id: Uuid,
    invite_code: Option<String>,
    failure: Option<AppError>,
) -> AppResult<Response> {
    let mut tx = user.begin(&state.pool).await?;
    let unit = store::unit(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let p = passport(&mut tx, unit).await?;
    let claims = queue(&mut tx)
        .await?
        .into_iter()
        .filter(|c| c.claim.unit_id == Some(id))
        .collect();
    tx.commit().await?;
    let (status, errors, _) = failure_parts(failure)?;
    let is_developer = user.org_kind() == Some(OrgKind::Developer);
    render_status(
        &UnitPage {
            ctx: PageContext::signed_in(lang, user, "/"),
            p,
            claims,
            components: COMPONENTS.to_vec(),
            invite_code,
            is_owner: user.role == UserRole::Owner,
            is_developer,
            today: today(),
            errors,
        },
        status,
    )
}

pub async fn unit_show(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    unit_page(&state, lang, &user, parse_id(&id)?, None, None).await
}

pub async fn handover_form(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
    AppForm(input): AppForm<HandoverInput>,
) -> AppResult<Response> {
    let id = parse_id(&id)?;
    match hand_over(&state, &user, &request_id, id, &input).await {
        Ok(code) => unit_page(&state, lang, &user, id, Some(code), None).await,
        Err(err @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            unit_page(&state, lang, &user, id, None, Some(err)).await
        }
        Err(other) => Err(other),
    }
}

pub async fn bind_form(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    AppForm(input): AppForm<InviteInput>,
) -> AppResult<Response> {
    let unit = bind_unit(&state, &user, &request_id, &input).await?;
    Ok(see_other(&format!("/units/{unit}")))
}

pub async fn add_unit_form(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(project): Path<String>,
    AppForm(input): AppForm<UnitInput>,
) -> AppResult<Response> {
    let project = parse_id(&project)?;
    match add_unit(&state, &user, &request_id, project, &input).await {
        Ok(unit) => Ok(see_other(&format!("/units/{unit}"))),
        Err(err @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            super::projects::detail_page(&state, lang, &user, project, None, Some(err)).await
        }
        Err(other) => Err(other),
    }
}

#[utoipa::path(get, path = "/api/v1/units", responses((status = 200, body = Items<Unit>)))]
pub async fn api_units(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Items<Unit>>> {
    let mut tx = user.begin(&state.pool).await?;
    let items = store::units(&mut tx, store::UnitsOf::All).await?;
    tx.commit().await?;
    Ok(Json(Items { items }))
}

#[utoipa::path(get, path = "/api/v1/units/{id}", params(("id" = Uuid, Path)), responses((status = 200, body = Passport), (status = 404)))]
pub async fn api_unit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<Passport>> {
    let mut tx = user.begin(&state.pool).await?;
    let unit = store::unit(&mut tx, parse_id(&id)?)
        .await?
        .ok_or(AppError::NotFound)?;
    let p = passport(&mut tx, unit).await?;
    tx.commit().await?;
    Ok(Json(p))
}

#[utoipa::path(post, path = "/api/v1/units/claim", request_body = InviteInput, responses((status = 200), (status = 403), (status = 422)))]
pub async fn api_bind(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    AppJson(input): AppJson<InviteInput>,
) -> AppResult<Json<serde_json::Value>> {
    let unit = bind_unit(&state, &user, &request_id, &input).await?;
    Ok(Json(serde_json::json!({ "unit_id": unit })))
}

#[utoipa::path(post, path = "/api/v1/projects/{id}/units", params(("id" = Uuid, Path)), request_body = UnitInput, responses((status = 201), (status = 403), (status = 404), (status = 422)))]
pub async fn api_add_unit(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(project): Path<String>,
    AppJson(input): AppJson<UnitInput>,
) -> AppResult<Response> {
    let id = add_unit(&state, &user, &request_id, parse_id(&project)?, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "unit_id": id })),
    )
        .into_response())
}

/// Records the handover; the response carries the one-time invitation code.
#[utoipa::path(post, path = "/api/v1/units/{id}/handover", params(("id" = Uuid, Path)), request_body = HandoverInput, responses((status = 200), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn api_handover(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
    AppJson(input): AppJson<HandoverInput>,
) -> AppResult<Json<serde_json::Value>> {
    let code = hand_over(&state, &user, &request_id, parse_id(&id)?, &input).await?;
    Ok(Json(serde_json::json!({ "invite_code": code })))
}
