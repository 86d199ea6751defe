//! The agency's inspections: an inspection per visit with graded findings and photo evidence.
//! Submitting it turns every B–E and R finding into a rectification order with the rule pack's
//! deadline; photos are never replaced (a correction is a new finding).

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_SECURITY_POLICY, CONTENT_TYPE,
};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::AppState;
use super::api::Listed;
use super::error::{AppError, AppResult, FieldError};
use super::export::{Cell, Sheet};
use super::extract::{AppForm, AppJson, CurrentUser, RequestId};
use super::forms::{Checker, DoneQuery, after_form, failure_parts, parse_id, see_other};
use super::pager::{Links, Page, PageQuery};
use super::projects::today;
use super::uploads::{Photo, Upload};
use crate::domain::photos::PhotoType;
use crate::domain::risk::checklist::{Answer, incomplete};
use crate::domain::risk::{RiskLevel, STAGE_NODES, rectification_deadline};
use crate::domain::tenancy::OrgKind;
use crate::i18n::Lang;
use crate::storage::checklists::{self, Check};
use crate::storage::projects::{self as project_store, Building};
use crate::storage::risk::{
    self as store, Finding, Inspection, InspectionKey, NewFinding, NewInspection, NewPhoto,
};
use crate::storage::{ListScope, audit, policies, rules};
use crate::views::{PageContext, render, render_status};

pub fn stage_codes() -> Vec<&'static str> {
    STAGE_NODES
        .iter()
        .map(|(code, _)| *code)
        .chain(["routine"])
        .collect()
}

fn require_agency(user: &CurrentUser) -> AppResult<Uuid> {
    match (&user.org, user.org_kind()) {
        (Some(org), Some(OrgKind::RiskAgency)) => Ok(org.id),
        _ => Err(AppError::Forbidden),
    }
}

async fn is_assigned(conn: &mut sqlx::PgConnection, project: Uuid) -> AppResult<bool> {
    Ok(sqlx::query_scalar("SELECT app.is_assigned_agency($1)")
        .bind(project)
        .fetch_one(conn)
        .await?)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectionInput {
    /// design_review | foundation | main_structure | waterproofing | envelope | decoration | installation | completion | routine
    pub stage_code: String,
    /// YYYY-MM-DD, not in the future.
    pub inspected_on: String,
    pub inspectors: String,
    #[serde(default)]
    pub summary: String,
}

/// The assigned agency opens an inspection (a draft until submitted).
pub async fn open(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    project_id: Uuid,
    input: &InspectionInput,
) -> AppResult<Uuid> {
    let agency = require_agency(user)?;
    let mut tx = user.begin(&state.pool).await?;
    let project = project_store::project(&mut tx, project_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !is_assigned(&mut tx, project.id).await? {
        return Err(AppError::NotFound);
    }
    let mut form = Checker::default();
    let stage = input.stage_code.trim();
    form.check(
        stage_codes().contains(&stage),
        "stage_code",
        "inspections.bad_stage",
    );
    let day = form.date("inspected_on", &input.inspected_on);
    form.check(day <= today(), "inspected_on", "projects.date_in_future");
    let inspectors = form.text("inspectors", &input.inspectors, 1, 200);
    let summary = form.text("summary", &input.summary, 0, 2000);
    form.finish()?;
    let id = store::insert_inspection(
        &mut tx,
        &NewInspection {
            project: &project,
            agency_org_id: agency,
            stage_code: stage,
            inspected_on: day,
            inspectors: &inspectors,
            summary: &summary,
            created_by: user.user_id,
        },
    )
    .await?;
    let opened = store::inspection(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    checklists::copy_into(&mut tx, &opened).await?;
    audit::record(
        &mut tx,
        user,
        request_id,
        audit::Entry {
            action: "inspection.opened",
            entity_type: "inspection",
            entity_id: Some(id),
            before: None,
            after: Some(
                serde_json::json!({ "project": project.id, "stage": stage, "inspected_on": day }),
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Finding fields (form or multipart); `level` is A–E, R or O.
pub struct FindingInput<'a> {
    pub level: &'a str,
    pub building_id: &'a str,
    pub location: &'a str,
    pub trade: &'a str,
    pub section_code: &'a str,
    pub description: &'a str,
    pub advice: &'a str,
}

async fn load_draft(
    conn: &mut sqlx::PgConnection,
    user: &CurrentUser,
    id: Uuid,
) -> AppResult<Inspection> {
    let agency = require_agency(user)?;
    let inspection = store::inspection(conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if inspection.agency_org_id != agency || !is_assigned(conn, inspection.project_id).await? {
        return Err(AppError::NotFound);
    }
    if inspection.status != "draft" {
        return Err(AppError::Conflict("inspections.already_submitted"));
    }
    Ok(inspection)
}

pub async fn add_finding(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    inspection_id: Uuid,
    input: &FindingInput<'_>,
    photos: &[Photo],
) -> AppResult<Uuid> {
    let mut tx = user.begin(&state.pool).await?;
    let inspection = load_draft(&mut tx, user, inspection_id).await?;
    let buildings = project_store::buildings(&mut tx, inspection.project_id).await?;
    let sections = section_codes(&mut tx, inspection.project_id).await?;
    let mut form = Checker::default();
    let level = RiskLevel::parse(input.level.trim());
    form.check(level.is_some(), "level", "inspections.bad_level");
    let building = match input.building_id.trim() {
        "" => None,
        raw => {
            let found = Uuid::parse_str(raw)
                .ok()
                .filter(|id| buildings.iter().any(|b| b.id == *id));
            form.check(found.is_some(), "building_id", "policy.unknown_building");
            found
        }
    };
    let location = form.text("location", input.location, 1, 200);
    let trade = form.text("trade", input.trade, 1, 60);
    let section = input.section_code.trim();
    form.check(
        sections.iter().any(|s| s == section),
        "section_code",
        "policy.unknown_section",
    );
    let description = form.text("description", input.description, 1, 2000);
    let advice = form.text("advice", input.advice, 0, 2000);
    form.finish()?;
    let level = level.ok_or(AppError::NotFound)?;
    let id = store::insert_finding(
        &mut tx,
        &NewFinding {
            inspection: &inspection,
            level: level.as_str(),
            building_id: building,
            location: &location,
            trade: &trade,
            section_code: section,
            description: &description,
            advice: &advice,
            created_by: user.user_id,
        },
    )
    .await?;
    let org = user.org.as_ref().map_or(Uuid::nil(), |o| o.id);
    let mut hashes = Vec::new();
    for photo in photos {
        store::insert_photo(
            &mut tx,
            &NewPhoto {
                project: (
                    inspection.project_id,
                    inspection.district_id,
                    inspection.developer_org_id,
                ),
                finding_id: Some(id),
                order_event_id: None,
                content_type: photo.kind.content_type(),
                bytes: &photo.bytes,
                sha256: &photo.sha256,
                original_name: &photo.original_name,
                uploaded_by: user.user_id,
                uploaded_by_org: org,
            },
        )
        .await?;
        hashes.push(hex::encode(&photo.sha256));
    }
    audit::record(&mut tx, user, request_id, audit::Entry {
        action: "finding.recorded",
        entity_type: "finding",
        entity_id: Some(id),
        before: None,
        after: Some(serde_json::json!({ "inspection": inspection.id, "level": level.as_str(), "location": location,
            "section": section, "photos_sha256": hashes })),
    })
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The cover sections of the project's policy (those a finding can threaten).
async fn section_codes(conn: &mut sqlx::PgConnection, project: Uuid) -> AppResult<Vec<String>> {
    let detail = project_store::project(conn, project)
        .await?
        .ok_or(AppError::NotFound)?;
    let pack = match detail.policy_id {
        Some(policy) => {
            let policy = policies::find(conn, policy)
                .await?
                .ok_or(AppError::NotFound)?;
            rules::find(conn, policy.rule_pack_id)
                .await?
                .map(|p| p.params.0)
        }
        None => None,
    };
    let mut codes: Vec<String> = pack
        .unwrap_or_else(crate::domain::rules::RulePack::laoshan_2021)
        .sections
        .into_iter()
        .map(|s| s.code)
        .collect();
    codes.push("SAFETY".into());
    Ok(codes)
}

/// Submits the inspection: findings become final and every B–E / R finding gets its order.
pub async fn submit(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    inspection_id: Uuid,
) -> AppResult<usize> {
    let mut tx = user.begin(&state.pool).await?;
    let inspection = load_draft(&mut tx, user, inspection_id).await?;
    let project = project_store::project(&mut tx, inspection.project_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let pack = match project.policy_id {
        Some(policy) => match policies::find(&mut tx, policy).await? {
            Some(policy) => rules::find(&mut tx, policy.rule_pack_id)
                .await?
                .map(|p| p.params.0),
            None => None,
        },
        None => None,
    }
    .unwrap_or_else(crate::domain::rules::RulePack::laoshan_2021);
    let checks = checklists::checks(&mut tx, inspection.id).await?;
    let answers: Vec<Answer<'_>> = checks
        .iter()
        .map(|c| Answer {
            item: &c.text,
            result: c.result.as_deref(),
            has_finding: c.finding_id.is_some(),
        })
        .collect();
    if let Some(problem) = incomplete(&answers) {
        return Err(AppError::Conflict(problem));
    }
    if !store::submit_inspection(&mut tx, inspection.id, inspection.version).await? {
        return Err(AppError::Conflict("stale"));
    }
    let issued_on = today();
    let mut orders = 0;
    for finding in store::findings_of(&mut tx, inspection.id).await? {
        let Some(level) = RiskLevel::parse(&finding.original_level) else {
            continue;
        };
        if let Some(deadline) = rectification_deadline(&pack, level, issued_on) {
            store::insert_order(
                &mut tx,
                finding.id,
                &inspection,
                level.as_str(),
                issued_on,
                deadline,
            )
            .await?;
            orders += 1;
        }
    }
    store::complete_visit(&mut tx, inspection.project_id, &inspection.stage_code).await?;
    audit::record(
        &mut tx,
        user,
        request_id,
        audit::Entry {
            action: "inspection.submitted",
            entity_type: "inspection",
            entity_id: Some(inspection.id),
            before: Some(serde_json::json!({ "status": "draft" })),
            after: Some(serde_json::json!({ "status": "submitted", "orders": orders })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(orders)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RescheduleInput {
    /// YYYY-MM-DD, today or later.
    pub planned_on: String,
}

/// The assigned agency moves a planned visit (late ones stay visible as late until done).
pub async fn reschedule(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    visit: Uuid,
    input: &RescheduleInput,
) -> AppResult<Uuid> {
    require_agency(user)?;
    let mut form = Checker::default();
    let day = form.date("planned_on", &input.planned_on);
    form.check(day >= today(), "planned_on", "inspections.date_in_past");
    form.finish()?;
    let mut tx = user.begin(&state.pool).await?;
    let project: Option<Uuid> =
        sqlx::query_scalar("SELECT project_id FROM inspection_visits WHERE id = $1")
            .bind(visit)
            .fetch_optional(&mut *tx)
            .await?;
    let project = project.ok_or(AppError::NotFound)?;
    if !is_assigned(&mut tx, project).await? {
        return Err(AppError::NotFound);
    }
    let before = store::reschedule_visit(&mut tx, visit, day)
        .await?
        .ok_or(AppError::Conflict("inspections.visit_done"))?;
    audit::record(
        &mut tx,
        user,
        request_id,
        audit::Entry {
            action: "visit.rescheduled",
            entity_type: "inspection_visit",
            entity_id: Some(visit),
            before: Some(serde_json::json!({ "planned_on": before })),
            after: Some(serde_json::json!({ "planned_on": day })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(project)
}

pub async fn reschedule_form(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(visit): Path<String>,
    AppForm(input): AppForm<RescheduleInput>,
) -> AppResult<Response> {
    let visit = parse_id(&visit)?;
    match reschedule(&state, &user, &request_id, visit, &input).await {
        Ok(project) => Ok(see_other(&format!("/projects/{project}?done=visit"))),
        Err(AppError::Validation(fields)) => {
            let project: Option<Uuid> = {
                let mut tx = user.begin(&state.pool).await?;
                let found =
                    sqlx::query_scalar("SELECT project_id FROM inspection_visits WHERE id = $1")
                        .bind(visit)
                        .fetch_optional(&mut *tx)
                        .await?;
                tx.commit().await?;
                found
            };
            let project = project.ok_or(AppError::NotFound)?;
            super::projects::detail_page(
                &state,
                lang,
                &user,
                project,
                None,
                Some(AppError::Validation(fields)),
            )
            .await
        }
        Err(other) => Err(other),
    }
}

#[utoipa::path(post, path = "/api/v1/visits/{id}/reschedule", params(("id" = Uuid, Path)), request_body = RescheduleInput,
    responses((status = 200), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn api_reschedule(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(visit): Path<String>,
    AppJson(input): AppJson<RescheduleInput>,
) -> AppResult<Json<serde_json::Value>> {
    let visit = parse_id(&visit)?;
    reschedule(&state, &user, &request_id, visit, &input).await?;
    Ok(Json(
        serde_json::json!({ "id": visit, "planned_on": input.planned_on.trim() }),
    ))
}

// ----- pages ----------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "inspections/list.html")]
struct ListPage {
    ctx: PageContext,
    inspections: Vec<Inspection>,
    links: Links,
}

/// A page of the inspections the reader's organisation may see, newest first.
async fn page(
    state: &AppState,
    user: &CurrentUser,
    query: &PageQuery,
) -> AppResult<Page<Inspection>> {
    let window = query.window::<InspectionKey>()?;
    let mut tx = user.begin(&state.pool).await?;
    let inspections = store::inspections(
        &mut tx,
        ListScope::for_reader(user.org_kind()),
        window.after.as_ref(),
        window.fetch(),
    )
    .await?;
    tx.commit().await?;
    Ok(window.page(inspections, Inspection::key))
}

pub async fn index(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    if user.org.is_none() {
        return Err(AppError::NotFound);
    }
    let page = page(&state, &user, &query).await?;
    let ctx = PageContext::signed_in(lang, &user, "/inspections");
    if query.is_xlsx() {
        return inspection_sheet(&ctx, &page.rows).download("inspections.xlsx");
    }
    render(&ListPage {
        ctx,
        links: page.links("/inspections", &query),
        inspections: page.rows,
    })
}

fn inspection_sheet(ctx: &PageContext, inspections: &[Inspection]) -> Sheet {
    Sheet {
        rows: inspections
            .iter()
            .map(|i| {
                vec![
                    Cell::Text(i.project_name.clone()),
                    Cell::Text(ctx.label("inspection_stage", &i.stage_code).to_owned()),
                    Cell::Text(i.inspected_on.to_string()),
                    Cell::Text(i.agency_name_zh.clone()),
                    Cell::Text(i.inspectors.clone()),
                    Cell::Number(i.findings as f64),
                    Cell::Text(ctx.label("inspection_status", &i.status).to_owned()),
                ]
            })
            .collect(),
        ..Sheet::localized(
            ctx,
            "nav.inspections",
            &[
                "projects.name",
                "inspections.stage",
                "inspections.date",
                "policy.agency",
                "inspections.inspectors",
                "inspections.findings",
                "inspections.status",
            ],
        )
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct InspectionDetail {
    pub inspection: Inspection,
    pub findings: Vec<Finding>,
    pub checks: Vec<Check>,
}

#[derive(Template)]
#[template(path = "inspections/detail.html")]
struct DetailPage {
    ctx: PageContext,
    d: InspectionDetail,
    editable: bool,
    buildings: Vec<Building>,
    sections: Vec<String>,
    levels: Vec<&'static str>,
    notice: Option<&'static str>,
    errors: Vec<(usize, FieldError)>,
    error: Option<&'static str>,
}

async fn detail(state: &AppState, user: &CurrentUser, id: Uuid) -> AppResult<InspectionDetail> {
    let mut tx = user.begin(&state.pool).await?;
    let inspection = store::inspection(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let findings = store::findings_of(&mut tx, id).await?;
    let checks = checklists::checks(&mut tx, id).await?;
    tx.commit().await?;
    Ok(InspectionDetail {
        inspection,
        findings,
        checks,
    })
}

pub(super) async fn detail_page(
    state: &AppState,
    lang: Lang,
    user: &CurrentUser,
    id: Uuid,
    notice: Option<&'static str>,
    failure: Option<AppError>,
) -> AppResult<Response> {
    let d = detail(state, user, id).await?;
    let editable = d.inspection.status == "draft"
        && user.org.as_ref().map(|o| o.id) == Some(d.inspection.agency_org_id);
    let mut tx = user.begin(&state.pool).await?;
    let buildings = project_store::buildings(&mut tx, d.inspection.project_id).await?;
    let sections = section_codes(&mut tx, d.inspection.project_id).await?;
    tx.commit().await?;
    let (status, errors, error) = failure_parts(failure)?;
    render_status(
        &DetailPage {
            ctx: PageContext::signed_in(lang, user, "/inspections"),
            d,
            editable,
            buildings,
            sections,
            levels: RiskLevel::ALL.iter().map(|l| l.as_str()).collect(),
            notice,
            errors,
            error,
        },
        status,
    )
}

pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<String>,
    axum::extract::Query(query): axum::extract::Query<DoneQuery>,
) -> AppResult<Response> {
    let notice = match query.done.as_deref() {
        Some("finding") => Some("inspections.finding_added"),
        Some("submit") => Some("inspections.submitted"),
        Some("checks") => Some("checklist.saved"),
        Some(_) => Some("inspections.opened"),
        None => None,
    };
    detail_page(&state, lang, &user, parse_id(&id)?, notice, None).await
}

pub async fn open_form(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(project): Path<String>,
    AppForm(input): AppForm<InspectionInput>,
) -> AppResult<Response> {
    let project = parse_id(&project)?;
    match open(&state, &user, &request_id, project, &input).await {
        Ok(id) => Ok(see_other(&format!("/inspections/{id}?done=open"))),
        Err(err @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            super::projects::detail_page(&state, lang, &user, project, None, Some(err)).await
        }
        Err(other) => Err(other),
    }
}

fn finding_input(upload: &Upload) -> FindingInput<'_> {
    FindingInput {
        level: upload.field("level"),
        building_id: upload.field("building_id"),
        location: upload.field("location"),
        trade: upload.field("trade"),
        section_code: upload.field("section_code"),
        description: upload.field("description"),
        advice: upload.field("advice"),
    }
}

pub async fn finding_form(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
    upload: Upload,
) -> AppResult<Response> {
    let id = parse_id(&id)?;
    let action = async {
        add_finding(
            &state,
            &user,
            &request_id,
            id,
            &finding_input(&upload),
            &upload.photos,
        )
        .await
        .map(|_| ())
    };
    after_form(action, format!("/inspections/{id}?done=finding"), |err| {
        detail_page(&state, lang, &user, id, None, Some(err))
    })
    .await
}

pub async fn submit_form(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = parse_id(&id)?;
    let action = async { submit(&state, &user, &request_id, id).await.map(|_| ()) };
    after_form(action, format!("/inspections/{id}?done=submit"), |err| {
        detail_page(&state, lang, &user, id, None, Some(err))
    })
    .await
}

/// Photo evidence, through the same access rules as its finding or order. Served with the type
/// decided at upload, no sniffing, a sandbox policy and no caching.
pub async fn photo(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = parse_id(&id)?;
    let mut tx = user.begin(&state.pool).await?;
    let (content_type, bytes) = store::photo(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    let kind = PhotoType::from_content_type(&content_type).ok_or(AppError::NotFound)?;
    let disposition = format!("inline; filename=\"{id}.{}\"", kind.extension());
    Ok((
        [
            (CONTENT_TYPE, content_type),
            (CONTENT_DISPOSITION, disposition),
            (CONTENT_SECURITY_POLICY, "sandbox".to_owned()),
            (CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

// ----- API ------------------------------------------------------------------------------------

/// A photo's bytes (JPEG, PNG or HEIC), for whoever may see its finding or order.
#[utoipa::path(get, path = "/api/v1/photos/{id}", params(("id" = Uuid, Path)), responses((status = 200), (status = 404)))]
pub async fn api_photo(
    state: State<AppState>,
    user: CurrentUser,
    id: Path<String>,
) -> AppResult<Response> {
    photo(state, user, id).await
}

/// Visible inspections, newest first, a page at a time.
#[utoipa::path(get, path = "/api/v1/inspections", params(PageQuery), responses((status = 200, body = Listed<Inspection>), (status = 422)))]
pub async fn api_list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<PageQuery>,
) -> AppResult<Json<Listed<Inspection>>> {
    let page = page(&state, &user, &query).await?;
    Ok(Json(Listed {
        items: page.rows,
        next: page.next,
    }))
}

/// Opens an inspection on a project the agency is assigned to.
#[utoipa::path(post, path = "/api/v1/projects/{id}/inspections", params(("id" = Uuid, Path)), request_body = InspectionInput,
    responses((status = 201, body = InspectionDetail), (status = 403), (status = 404), (status = 422)))]
pub async fn api_open(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(project): Path<String>,
    AppJson(input): AppJson<InspectionInput>,
) -> AppResult<Response> {
    let id = open(&state, &user, &request_id, parse_id(&project)?, &input).await?;
    Ok((StatusCode::CREATED, Json(detail(&state, &user, id).await?)).into_response())
}

#[utoipa::path(get, path = "/api/v1/inspections/{id}", params(("id" = Uuid, Path)),
    responses((status = 200, body = InspectionDetail), (status = 404)))]
pub async fn api_show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<InspectionDetail>> {
    Ok(Json(detail(&state, &user, parse_id(&id)?).await?))
}

/// Records a finding (multipart: level, building_id, location, trade, section_code, description,
/// advice, and up to five `photos`).
#[utoipa::path(post, path = "/api/v1/inspections/{id}/findings", params(("id" = Uuid, Path)),
    request_body(content = String, content_type = "multipart/form-data"),
    responses((status = 201, body = InspectionDetail), (status = 404), (status = 409), (status = 413), (status = 415), (status = 422)))]
pub async fn api_add_finding(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
    upload: Upload,
) -> AppResult<Response> {
    let id = parse_id(&id)?;
    add_finding(
        &state,
        &user,
        &request_id,
        id,
        &finding_input(&upload),
        &upload.photos,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(detail(&state, &user, id).await?)).into_response())
}

/// Submits the inspection and issues the rectification orders.
#[utoipa::path(post, path = "/api/v1/inspections/{id}/submit", params(("id" = Uuid, Path)),
    responses((status = 200, body = InspectionDetail), (status = 404), (status = 409)))]
pub async fn api_submit(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<InspectionDetail>> {
    let id = parse_id(&id)?;
    submit(&state, &user, &request_id, id).await?;
    Ok(Json(detail(&state, &user, id).await?))
}
