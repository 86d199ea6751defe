//! `/api/v1`: the same capabilities as the pages, as JSON, with the same authorization and
//! row-level security. Browser sessions and bearer tokens both work; tokens act as staff.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use uuid::Uuid;

use super::AppState;
use super::error::{AppError, AppResult};
use super::extract::{AppJson, CurrentUser, RequestId};
use super::organisations::DirectoryQuery;
use super::tokens::{create_token as create, revoke_token as revoke};
use crate::domain::rules::HousingType;
use crate::domain::tenancy::{OrgKind, Principal};
use crate::storage::audit::{self, AuditEvent};
use crate::storage::coverage::{self, Coverage, StageCount, Uninsured};
use crate::storage::organisations::{self, Organisation};
use crate::storage::tokens::{self, ApiToken};

#[derive(OpenApi)]
#[openapi(
    info(title = "质安保 zhianbao API", version = "1", description = "Residential quality-and-safety insurance platform. \
        Errors are RFC 9457 problem documents with a machine-readable `code`."),
    paths(me, organisations, list_tokens, create_token, revoke_token, audit_events, coverage,
        super::parcels::api_list, super::parcels::api_create, super::parcels::api_import,
        super::projects::api_list, super::projects::api_create, super::projects::api_show,
        super::projects::api_add_building, super::projects::api_apply, super::projects::api_event, super::projects::api_gate,
        super::policies::api_list, super::policies::api_show, super::policies::api_quote, super::policies::api_accept,
        super::policies::api_payment, super::policies::api_issue, super::policies::api_activate,
        super::policies::api_agency, super::policies::api_endorse, super::policies::api_cancel,
        super::rules::api_list, super::rules::api_create,
        super::inspections::api_list, super::inspections::api_open, super::inspections::api_show,
        super::inspections::api_add_finding, super::inspections::api_submit, super::inspections::api_photo,
        super::orders::api_list, super::orders::api_show, super::orders::api_respond, super::orders::api_recheck,
        super::notifications::api_list, super::reports::api_list, super::reports::api_show, super::reports::api_issue,
        super::reports::api_review, super::safety::api_overview, super::safety::api_log_service,
        super::safety::api_report_incident, super::safety::api_close, super::checklists::api_list,
        super::checklists::api_add, super::checklists::api_answer, super::inspections::api_reschedule,
        super::claims::api_list, super::claims::api_show, super::claims::api_action, super::claim_payments::api_pay,
        super::claims::api_quote,
        super::subrogation::api_open, super::subrogation::api_recover, super::subrogation::api_abandon,
        super::safety_claims::api_show, super::safety_claims::api_settle, super::safety_claims::api_pay,
        super::safety_claims::api_cost, super::safety_claims::api_cost_payment,
        super::units::api_units, super::units::api_unit, super::units::api_bind, super::units::api_add_unit,
        super::units::api_handover, super::claims::api_report, super::property::api_index,
        super::property::api_appoint, super::property::api_report, super::analytics::api_index,
        super::book::api_index),
    components(schemas(Principal, Organisation, ApiToken, AuditEvent, NewToken, CreatedToken)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// A list response: `{"items": [...]}`.
#[derive(Serialize, ToSchema)]
pub struct Items<T> {
    pub items: Vec<T>,
}

/// A page of a long list and the cursor of the next (`?after=`), absent on the last page.
#[derive(Serialize, ToSchema)]
pub struct Listed<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

/// The signed-in user and organisation.
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = Principal), (status = 401)))]
pub async fn me(user: CurrentUser) -> Json<Principal> {
    Json(user.principal)
}

/// The directory of organisations, optionally of one kind.
#[utoipa::path(get, path = "/api/v1/organisations",
    params(("kind" = Option<String>, Query, description = "regulator, insurer, risk_agency, developer, …")),
    responses((status = 200, body = Items<Organisation>), (status = 422)))]
pub async fn organisations(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<DirectoryQuery>,
) -> AppResult<Json<Items<Organisation>>> {
    if user.org.is_none() {
        return Err(AppError::NotFound);
    }
    let kind = query.kind()?;
    let mut tx = user.begin(&state.pool).await?;
    let items = organisations::directory(&mut tx, kind.map(OrgKind::as_str)).await?;
    tx.commit().await?;
    Ok(Json(Items { items }))
}

/// The organisation's API tokens (admins).
#[utoipa::path(get, path = "/api/v1/tokens", responses((status = 200, body = Items<ApiToken>), (status = 403)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Items<ApiToken>>> {
    user.require_admin()?;
    let mut tx = user.begin(&state.pool).await?;
    let items = tokens::list(&mut tx, None).await?;
    tx.commit().await?;
    Ok(Json(Items { items }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What the token is for, e.g. "核心业务系统".
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedToken {
    #[serde(flatten)]
    pub token: ApiToken,
    /// The secret, shown only in this response.
    pub secret: String,
}

/// Issues a token (admins, from a browser session).
#[utoipa::path(post, path = "/api/v1/tokens", request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 403), (status = 422)))]
pub async fn create_token(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    AppJson(body): AppJson<NewToken>,
) -> AppResult<Response> {
    let (token, secret) = create(&state, &user, &request_id, &body.name).await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { token, secret })).into_response())
}

/// Revokes a token of the caller's organisation.
#[utoipa::path(post, path = "/api/v1/tokens/{id}/revoke", params(("id" = Uuid, Path)),
    responses((status = 200, body = ApiToken), (status = 404), (status = 409)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<ApiToken>> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    Ok(Json(revoke(&state, &user, &request_id, id).await?))
}

/// The organisation's audit trail, newest first (admins).
#[utoipa::path(get, path = "/api/v1/audit-events", responses((status = 200, body = Items<AuditEvent>), (status = 403)))]
pub async fn audit_events(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Items<AuditEvent>>> {
    user.require_admin()?;
    let mut tx = user.begin(&state.pool).await?;
    let items = audit::recent(&mut tx, 200).await?;
    tx.commit().await?;
    Ok(Json(Items { items }))
}

#[derive(Serialize, ToSchema)]
pub struct CoverageReport {
    pub coverage: Coverage,
    /// 投保率 at land transfer, percent with one decimal.
    pub land_transfer_rate: Option<f64>,
    /// 投保率 at permit stage (insured before the permit), percent with one decimal.
    pub permit_rate: Option<f64>,
    pub by_stage: Vec<StageCount>,
    pub uninsured: Vec<Uninsured>,
}

#[derive(Deserialize)]
pub struct CoverageQuery {
    housing_type: Option<String>,
}

/// The bureau's coverage figures for its jurisdiction (regulators).
#[utoipa::path(get, path = "/api/v1/coverage", params(("housing_type" = Option<String>, Query)),
    responses((status = 200, body = CoverageReport), (status = 403)))]
pub async fn coverage(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<CoverageQuery>,
) -> AppResult<Json<CoverageReport>> {
    if user.org_kind() != Some(OrgKind::Regulator) {
        return Err(AppError::Forbidden);
    }
    let housing = match query.housing_type.as_deref().filter(|h| !h.is_empty()) {
        None => None,
        Some(h) => Some(
            HousingType::parse(h)
                .ok_or_else(|| AppError::field("housing_type", "projects.bad_housing_type"))?,
        ),
    };
    let mut tx = user.begin(&state.pool).await?;
    let figures = coverage::coverage(&mut tx, housing.map(HousingType::as_str)).await?;
    let by_stage = coverage::projects_by_stage(&mut tx).await?;
    let uninsured = coverage::uninsured(&mut tx, 500).await?;
    tx.commit().await?;
    Ok(Json(CoverageReport {
        land_transfer_rate: figures.land_transfer_rate(),
        permit_rate: figures.permit_rate(),
        coverage: figures,
        by_stage,
        uninsured,
    }))
}
