//! Risk-management reports: issued by the agency (process, stage, final), frozen at issue, printed
//! or saved as PDF from the browser; the lead insurer reviews the final report and either confirms
//! cover or adds exclusions, which become endorsements on the policy in the same transaction.

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::AppState;
use super::api::Items;
use super::error::{AppError, AppResult, FieldError};
use super::export::{Cell, FormatQuery, Sheet};
use super::extract::{AppForm, AppJson, CurrentUser, RequestId};
use super::forms::{Checker, DoneQuery, after_form, failure_parts, parse_id, see_other};
use crate::domain::risk::RiskLevel;
use crate::domain::risk::reports::{ReportKind, ReportStatus, Review, review as review_transition};
use crate::domain::tenancy::OrgKind;
use crate::i18n::Lang;
use crate::storage::reports::{self as store, NewReport, Report};
use crate::storage::{audit, policies, projects as project_store, risk, rules};
use crate::views::{PageContext, render, render_status};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    /// process | stage | final
    pub kind: String,
    /// The submitted inspection a process or stage report is about.
    #[serde(default)]
    pub inspection_id: String,
    pub conclusion: String,
}

pub async fn issue(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    project_id: Uuid,
    input: &ReportInput,
) -> AppResult<Uuid> {
    let agency = match (&user.org, user.org_kind()) {
        (Some(org), Some(OrgKind::RiskAgency)) => org.id,
        _ => return Err(AppError::Forbidden),
    };
    let mut tx = user.begin(&state.pool).await?;
    let project = project_store::project(&mut tx, project_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let assigned: bool = sqlx::query_scalar("SELECT app.is_assigned_agency($1)")
        .bind(project.id)
        .fetch_one(&mut *tx)
        .await?;
    if !assigned {
        return Err(AppError::NotFound);
    }
    let mut form = Checker::default();
    let kind = ReportKind::parse(input.kind.trim());
    form.check(kind.is_some(), "kind", "reports.bad_kind");
    let inspection = match (kind, input.inspection_id.trim()) {
        (Some(ReportKind::Final) | None, _) => None,
        (Some(_), raw) => {
            let found = match Uuid::parse_str(raw) {
                Ok(id) => risk::inspection(&mut tx, id)
                    .await?
                    .filter(|i| i.project_id == project.id && i.status == "submitted"),
                Err(_) => None,
            };
            form.check(found.is_some(), "inspection_id", "reports.needs_inspection");
            found.map(|i| i.id)
        }
    };
    let conclusion = form.text("conclusion", &input.conclusion, 2, 4000);
    form.finish()?;
    let kind = kind.ok_or(AppError::NotFound)?;
    let items: Vec<_> = store::open_items(&mut tx, project.id)
        .await?
        .into_iter()
        .filter(|item| RiskLevel::parse(&item.level).is_some_and(|l| kind.includes(l)))
        .collect();
    let id = store::insert(
        &mut tx,
        &NewReport {
            project: &project,
            agency_org_id: agency,
            inspection_id: inspection,
            kind: kind.as_str(),
            conclusion: &conclusion,
            items: &items,
            created_by: user.user_id,
        },
    )
    .await?;
    audit::record(&mut tx, user, request_id, audit::Entry {
        action: "report.issued",
        entity_type: "risk_report",
        entity_id: Some(id),
        before: None,
        after: Some(serde_json::json!({ "project": project.id, "kind": kind.as_str(), "items": items.len() })),
    })
    .await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    /// confirm | exclude
    pub decision: String,
    pub note: String,
    /// For `exclude`: the cover sections to exclude, comma-separated (e.g. WATERPROOFING).
    #[serde(default)]
    pub sections: String,
}

/// The lead insurer's review of a final report.
pub async fn review(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    id: Uuid,
    input: &ReviewInput,
) -> AppResult<()> {
    let mut tx = user.begin(&state.pool).await?;
    let report = store::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let is_lead: bool = sqlx::query_scalar("SELECT app.is_lead_insurer($1)")
        .bind(report.project_id)
        .fetch_one(&mut *tx)
        .await?;
    if !is_lead {
        return Err(AppError::Forbidden);
    }
    let project = project_store::project(&mut tx, report.project_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let policy = policies::find(
        &mut tx,
        project
            .policy_id
            .ok_or(AppError::Conflict("reports.no_policy"))?,
    )
    .await?
    .ok_or(AppError::NotFound)?;
    let pack = rules::find(&mut tx, policy.rule_pack_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut form = Checker::default();
    let decision = match input.decision.trim() {
        "confirm" => Some(Review::ConfirmCover),
        "exclude" => Some(Review::AddExclusions),
        _ => None,
    };
    form.check(decision.is_some(), "decision", "reports.bad_decision");
    let note = form.text("note", &input.note, 2, 2000);
    let sections: Vec<&str> = input
        .sections
        .split([',', '，', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if decision == Some(Review::AddExclusions) {
        form.check(!sections.is_empty(), "sections", "reports.needs_sections");
        form.check(
            sections
                .iter()
                .all(|s| pack.params.sections.iter().any(|x| x.code == *s)),
            "sections",
            "policy.unknown_section",
        );
    }
    form.finish()?;
    let decision = decision.ok_or(AppError::NotFound)?;
    let (Some(kind), Some(status)) = (
        ReportKind::parse(&report.kind),
        ReportStatus::parse(&report.status),
    ) else {
        return Err(AppError::Conflict("reports.review_refused"));
    };
    let to = review_transition(kind, status, decision)
        .ok_or(AppError::Conflict("reports.review_refused"))?;
    if !store::set_review(&mut tx, &report, to.as_str(), &note).await? {
        return Err(AppError::Conflict("stale"));
    }
    if decision == Review::AddExclusions {
        for section in &sections {
            let text = format!("{}：{}", report.number, note);
            policies::insert_endorsement(
                &mut tx,
                policy.id,
                "exclusion",
                Some(section),
                None,
                &text,
                user.user_id,
            )
            .await?;
        }
    }
    audit::record(&mut tx, user, request_id, audit::Entry {
        action: "report.reviewed",
        entity_type: "risk_report",
        entity_id: Some(report.id),
        before: Some(serde_json::json!({ "status": report.status })),
        after: Some(serde_json::json!({ "status": to.as_str(), "note": note, "excluded_sections": sections })),
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

// ----- pages ----------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "reports/list.html")]
struct ListPage {
    ctx: PageContext,
    reports: Vec<Report>,
}

pub async fn index(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Query(format): Query<FormatQuery>,
) -> AppResult<Response> {
    if user.org.is_none() {
        return Err(AppError::NotFound);
    }
    let mut tx = user.begin(&state.pool).await?;
    let reports = store::list(&mut tx, None).await?;
    tx.commit().await?;
    if format.is_xlsx() {
        let ctx = PageContext::signed_in(lang, &user, "/reports");
        return report_sheet(&ctx, &reports).download("reports.xlsx");
    }
    render(&ListPage {
        ctx: PageContext::signed_in(lang, &user, "/reports"),
        reports,
    })
}

fn report_sheet(ctx: &PageContext, reports: &[Report]) -> Sheet {
    Sheet {
        rows: reports
            .iter()
            .map(|r| {
                vec![
                    Cell::Text(r.number.clone()),
                    Cell::Text(r.project_name.clone()),
                    Cell::Text(ctx.label("report_kind", &r.kind).to_owned()),
                    Cell::Text(r.agency_name_zh.clone()),
                    Cell::Number(r.items.len() as f64),
                    Cell::Text(ctx.time(&r.created_at)),
                    Cell::Text(ctx.label("report_status", &r.status).to_owned()),
                ]
            })
            .collect(),
        ..Sheet::localized(
            ctx,
            "nav.reports",
            &[
                "reports.number",
                "projects.name",
                "reports.kind",
                "policy.agency",
                "reports.items",
                "reports.issued_at",
                "reports.status",
            ],
        )
    }
}

#[derive(Template)]
#[template(path = "reports/detail.html")]
struct DetailPage {
    ctx: PageContext,
    r: Report,
    can_review: bool,
    notice: Option<&'static str>,
    errors: Vec<(usize, FieldError)>,
    error: Option<&'static str>,
}

async fn detail_page(
    state: &AppState,
    lang: Lang,
    user: &CurrentUser,
    id: Uuid,
    notice: Option<&'static str>,
    failure: Option<AppError>,
) -> AppResult<Response> {
    let mut tx = user.begin(&state.pool).await?;
    let r = store::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let is_lead: bool = sqlx::query_scalar("SELECT app.is_lead_insurer($1)")
        .bind(r.project_id)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    let can_review = is_lead && r.kind == "final" && r.status == "issued";
    let (status, errors, error) = failure_parts(failure)?;
    render_status(
        &DetailPage {
            ctx: PageContext::signed_in(lang, user, "/reports"),
            r,
            can_review,
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
    let notice = query.done.as_deref().map(|d| {
        if d == "review" {
            "reports.reviewed"
        } else {
            "reports.issued"
        }
    });
    detail_page(&state, lang, &user, parse_id(&id)?, notice, None).await
}

pub async fn issue_form(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(project): Path<String>,
    AppForm(input): AppForm<ReportInput>,
) -> AppResult<Response> {
    let project = parse_id(&project)?;
    match issue(&state, &user, &request_id, project, &input).await {
        Ok(id) => Ok(see_other(&format!("/reports/{id}?done=issue"))),
        Err(err @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            super::projects::detail_page(&state, lang, &user, project, None, Some(err)).await
        }
        Err(other) => Err(other),
    }
}

pub async fn review_form(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
    AppForm(input): AppForm<ReviewInput>,
) -> AppResult<Response> {
    let id = parse_id(&id)?;
    let action = review(&state, &user, &request_id, id, &input);
    after_form(action, format!("/reports/{id}?done=review"), |err| {
        detail_page(&state, lang, &user, id, None, Some(err))
    })
    .await
}

// ----- API ------------------------------------------------------------------------------------

#[utoipa::path(get, path = "/api/v1/reports", responses((status = 200, body = Items<Report>)))]
pub async fn api_list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Items<Report>>> {
    let mut tx = user.begin(&state.pool).await?;
    let items = store::list(&mut tx, None).await?;
    tx.commit().await?;
    Ok(Json(Items { items }))
}

#[utoipa::path(get, path = "/api/v1/reports/{id}", params(("id" = Uuid, Path)), responses((status = 200, body = Report), (status = 404)))]
pub async fn api_show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<Report>> {
    let mut tx = user.begin(&state.pool).await?;
    let report = store::find(&mut tx, parse_id(&id)?)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(Json(report))
}

/// Issues a report on a project (the assigned agency).
#[utoipa::path(post, path = "/api/v1/projects/{id}/reports", params(("id" = Uuid, Path)), request_body = ReportInput,
    responses((status = 201, body = Report), (status = 403), (status = 404), (status = 422)))]
pub async fn api_issue(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(project): Path<String>,
    AppJson(input): AppJson<ReportInput>,
) -> AppResult<Response> {
    let id = issue(&state, &user, &request_id, parse_id(&project)?, &input).await?;
    let mut tx = user.begin(&state.pool).await?;
    let report = store::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(report)).into_response())
}

/// The lead insurer's review of a final report: confirm cover, or exclude sections.
#[utoipa::path(post, path = "/api/v1/reports/{id}/review", params(("id" = Uuid, Path)), request_body = ReviewInput,
    responses((status = 200, body = Report), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn api_review(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
    AppJson(input): AppJson<ReviewInput>,
) -> AppResult<Json<Report>> {
    let id = parse_id(&id)?;
    review(&state, &user, &request_id, id, &input).await?;
    let mut tx = user.begin(&state.pool).await?;
    let report = store::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(Json(report))
}
