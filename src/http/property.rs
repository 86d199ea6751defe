//! Property managers (物业): the developer records which manager serves a project; the manager
//! reports defects in the common areas (lobbies, roofs, garages, shared pipes) for the owners and
//! takes the owner's part in those claims.

use askama::Template;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::AppState;
use super::claim_queue::{ClaimLineView, queue};
use super::claims::{Place, detail, report, report_input};
use super::error::{AppError, AppResult, FieldError};
use super::extract::{AppForm, AppJson, CurrentUser, RequestId};
use super::forms::{Checker, after_form, failure_parts, parse_id, see_other};
use super::projects::today;
use super::uploads::Upload;
use crate::domain::claims::COMPONENTS;
use crate::domain::tenancy::OrgKind;
use crate::i18n::Lang;
use crate::storage::audit;
use crate::storage::projects::{self as project_store, Building};
use crate::storage::property::{self as store, Mandate};
use crate::views::{PageContext, render_status};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MandateInput {
    /// The property manager's organisation code.
    pub manager: String,
    /// YYYY-MM-DD: when its service began.
    pub since: String,
}

/// The developer records the project's property manager.
pub async fn appoint(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    project_id: Uuid,
    input: &MandateInput,
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
    let manager =
        project_store::org_by_code(&mut tx, input.manager.trim(), "property_manager").await?;
    let mut form = Checker::default();
    form.check(manager.is_some(), "manager", "property.unknown_manager");
    let since = form.date("since", &input.since);
    form.check(since <= today(), "since", "projects.date_in_future");
    form.finish()?;
    let manager = manager.ok_or(AppError::NotFound)?;
    let id = match store::insert_mandate(&mut tx, &project, manager, since, user.user_id).await {
        Err(err) if super::parcels::is_unique_violation(&err) => {
            return Err(AppError::Conflict("property.already_appointed"));
        }
        other => other?,
    };
    audit::record(
        &mut tx,
        user,
        request_id,
        audit::Entry {
            action: "property_mandate.recorded",
            entity_type: "project",
            entity_id: Some(project.id),
            before: None,
            after: Some(serde_json::json!({ "manager": input.manager.trim(), "since": since })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A project the manager serves, with the buildings whose common areas it reports on.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ManagedProject {
    pub mandate: Mandate,
    pub buildings: Vec<Building>,
    /// Whether an issued policy covers the project (without one nothing can be claimed).
    pub insured: bool,
}

async fn managed(state: &AppState, user: &CurrentUser) -> AppResult<Vec<ManagedProject>> {
    if user.org_kind() != Some(OrgKind::PropertyManager) {
        return Err(AppError::Forbidden);
    }
    let mut tx = user.begin(&state.pool).await?;
    let mut out = Vec::new();
    for mandate in store::mandates(&mut tx, None).await? {
        let project = project_store::project(&mut tx, mandate.project_id).await?;
        let insured = project
            .as_ref()
            .and_then(|p| p.policy_status.as_deref())
            .and_then(crate::domain::policy::PolicyStatus::parse)
            .is_some_and(crate::domain::policy::PolicyStatus::is_issued);
        let buildings = project_store::buildings(&mut tx, mandate.project_id).await?;
        out.push(ManagedProject {
            mandate,
            buildings,
            insured,
        });
    }
    tx.commit().await?;
    Ok(out)
}

#[derive(Template)]
#[template(path = "property/common_areas.html")]
struct CommonAreasPage {
    ctx: PageContext,
    projects: Vec<ManagedProject>,
    claims: Vec<ClaimLineView>,
    components: Vec<(&'static str, &'static str, bool)>,
    errors: Vec<(usize, FieldError)>,
    error: Option<&'static str>,
}

async fn page(
    state: &AppState,
    lang: Lang,
    user: &CurrentUser,
    failure: Option<AppError>,
) -> AppResult<Response> {
    let projects = managed(state, user).await?;
    let mut tx = user.begin(&state.pool).await?;
    let claims = queue(&mut tx).await?;
    tx.commit().await?;
    let (status, errors, error) = failure_parts(failure)?;
    render_status(
        &CommonAreasPage {
            ctx: PageContext::signed_in(lang, user, "/common-areas"),
            projects,
            claims,
            components: COMPONENTS.to_vec(),
            errors,
            error,
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

pub async fn appoint_form(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(project): Path<String>,
    AppForm(input): AppForm<MandateInput>,
) -> AppResult<Response> {
    let project = parse_id(&project)?;
    let action = async {
        appoint(&state, &user, &request_id, project, &input)
            .await
            .map(|_| ())
    };
    after_form(action, format!("/projects/{project}?done=mandate"), |err| {
        super::projects::detail_page(&state, lang, &user, project, None, Some(err))
    })
    .await
}

pub async fn report_form(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(project): Path<String>,
    upload: Upload,
) -> AppResult<Response> {
    let place = Place::CommonArea {
        project: parse_id(&project)?,
        building: upload.field("building_id"),
    };
    let input = report_input(&upload);
    match report(&state, &user, &request_id, place, &input, &upload.photos).await {
        Ok((claim, _)) => Ok(see_other(&format!("/claims/{claim}?done=report"))),
        Err(err @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            page(&state, lang, &user, Some(err)).await
        }
        Err(other) => Err(other),
    }
}

// ----- API ------------------------------------------------------------------------------------

/// The projects the property manager serves, with their buildings.
#[utoipa::path(get, path = "/api/v1/common-areas", responses((status = 200, body = super::api::Items<ManagedProject>), (status = 403)))]
pub async fn api_index(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<super::api::Items<ManagedProject>>> {
    Ok(Json(super::api::Items {
        items: managed(&state, &user).await?,
    }))
}

#[utoipa::path(post, path = "/api/v1/projects/{id}/property-managers", params(("id" = Uuid, Path)), request_body = MandateInput,
    responses((status = 201), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn api_appoint(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(project): Path<String>,
    AppJson(input): AppJson<MandateInput>,
) -> AppResult<Response> {
    let id = appoint(&state, &user, &request_id, parse_id(&project)?, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "mandate_id": id })),
    )
        .into_response())
}

/// The property manager reports a common-area defect (multipart: building_id, component,
/// location, description, photos).
#[utoipa::path(post, path = "/api/v1/projects/{id}/common-area-claims", params(("id" = Uuid, Path)), request_body(content = String, content_type = "multipart/form-data"),
    responses((status = 201, body = super::claims::ClaimDetail), (status = 403), (status = 404), (status = 409), (status = 413), (status = 415), (status = 422)))]
pub async fn api_report(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(project): Path<String>,
    upload: Upload,
) -> AppResult<Response> {
    let place = Place::CommonArea {
        project: parse_id(&project)?,
        building: upload.field("building_id"),
    };
    let input = report_input(&upload);
    let (claim, _) = report(&state, &user, &request_id, place, &input, &upload.photos).await?;
    Ok((
        StatusCode::CREATED,
        Json(detail(&state, &user, claim).await?),
    )
        .into_response())
}
