//! Construction safety: the agency or lead insurer logs prevention services (risk assessments,
//! hazard inspections of 危大工程, training and drills); the developer reports incidents with
//! their victims; the lead insurer closes an incident once settled.

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDateTime, TimeZone};
use chrono_tz::Asia::Shanghai;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::AppState;
use super::error::{AppError, AppResult};
use super::export::{Cell, FormatQuery, Sheet, download};
use super::extract::{AppForm, AppJson, CurrentUser, RequestId};
use super::forms::{Checker, parse_id, see_other};
use super::projects::today;
use crate::domain::safety::{
    self, ACCIDENT_TYPES, INJURY_CLASSES, IncidentStatus, PARTIES, close_incident,
};
use crate::domain::tenancy::OrgKind;
use crate::i18n::Lang;
use crate::storage::safety::{
    self as store, Incident, NewIncident, NewService, SafetyService, Victim,
};
use crate::storage::{audit, projects as project_store};
use crate::views::{PageContext, render};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceInput {
    /// risk_assessment | hazard_inspection | training | drill
    pub kind: String,
    /// For hazard inspections: tower_crane | deep_excavation | high_formwork | scaffolding | other
    #[serde(default)]
    pub hazard_category: String,
    pub performed_on: String,
    #[serde(default)]
    pub hazards_found: String,
    #[serde(default)]
    pub participants: String,
    pub summary: String,
}

pub async fn log_service(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    project_id: Uuid,
    input: &ServiceInput,
) -> AppResult<Uuid> {
    let org = match (&user.org, user.org_kind()) {
        (Some(org), Some(OrgKind::RiskAgency | OrgKind::Insurer)) => org.id,
        _ => return Err(AppError::Forbidden),
    };
    let mut tx = user.begin(&state.pool).await?;
    let project = project_store::project(&mut tx, project_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (agency, lead): (bool, bool) =
        sqlx::query_as("SELECT app.is_assigned_agency($1), app.is_lead_insurer($1)")
            .bind(project.id)
            .fetch_one(&mut *tx)
            .await?;
    if !agency && !lead {
        return Err(AppError::NotFound);
    }
    let mut form = Checker::default();
    let kind = input.kind.trim();
    let category = Some(input.hazard_category.trim()).filter(|c| !c.is_empty());
    form.check(
        safety::service_is_consistent(kind, category),
        "kind",
        "safety.bad_service",
    );
    let day = form.date("performed_on", &input.performed_on);
    form.check(day <= today(), "performed_on", "projects.date_in_future");
    let or_zero = |v: &str| {
        if v.trim().is_empty() {
            "0".to_owned()
        } else {
            v.to_owned()
        }
    };
    let hazards = form.integer("hazards_found", &or_zero(&input.hazards_found), 0, 999);
    let participants = form.integer("participants", &or_zero(&input.participants), 0, 99_999);
    let summary = form.text("summary", &input.summary, 2, 2000);
    form.finish()?;
    let id = store::insert_service(
        &mut tx,
        &NewService {
            project: &project,
            provider_org_id: org,
            kind,
            hazard_category: category,
            performed_on: day,
            hazards_found: i32::try_from(hazards).unwrap_or(0),
            participants: i32::try_from(participants).unwrap_or(0),
            summary: &summary,
            created_by: user.user_id,
        },
    )
    .await?;
    audit::record(&mut tx, user, request_id, audit::Entry {
        action: "safety.service_logged",
        entity_type: "safety_service",
        entity_id: Some(id),
        before: None,
        after: Some(serde_json::json!({ "project": project.id, "kind": kind, "hazard_category": category, "on": day })),
    })
    .await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VictimInput {
    pub name: String,
    pub party: String,
    pub injury_class: String,
    #[serde(default)]
    pub medical_cost_yuan: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentInput {
    /// YYYY-MM-DD HH:MM, Asia/Shanghai.
    pub occurred_at: String,
    pub place: String,
    /// fall | struck_by | collapse | electric_shock | machinery | lifting | fire | other
    pub accident_type: String,
    pub description: String,
    #[serde(default)]
    pub rescue_cost_yuan: String,
    pub victims: Vec<VictimInput>,
}

pub async fn report_incident(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    project_id: Uuid,
    input: &IncidentInput,
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
    let mut form = Checker::default();
    let occurred = NaiveDateTime::parse_from_str(
        input.occurred_at.trim().replace('T', " ").as_str(),
        "%Y-%m-%d %H:%M",
    )
    .ok()
    .and_then(|t| Shanghai.from_local_datetime(&t).single())
    .map(|t| t.with_timezone(&chrono::Utc))
    .filter(|t| *t <= chrono::Utc::now());
    form.check(occurred.is_some(), "occurred_at", "safety.bad_time");
    let place = form.text("place", &input.place, 1, 200);
    let accident = input.accident_type.trim();
    form.check(
        ACCIDENT_TYPES.contains(&accident),
        "accident_type",
        "safety.bad_accident_type",
    );
    let description = form.text("description", &input.description, 2, 4000);
    let rescue = form.optional_yuan("rescue_cost_yuan", &input.rescue_cost_yuan);
    form.check(
        (1..=50).contains(&input.victims.len()),
        "victims",
        "safety.needs_victims",
    );
    let mut victims = Vec::new();
    for v in &input.victims {
        let name = form.text("victims", &v.name, 1, 60);
        form.check(
            PARTIES.contains(&v.party.trim()),
            "victims",
            "safety.bad_party",
        );
        form.check(
            INJURY_CLASSES.contains(&v.injury_class.trim()),
            "victims",
            "safety.bad_injury",
        );
        let cost = form.optional_yuan("victims", &v.medical_cost_yuan);
        victims.push(Victim {
            name,
            party: v.party.trim().to_owned(),
            injury_class: v.injury_class.trim().to_owned(),
            medical_cost_fen: cost,
        });
    }
    form.finish()?;
    let occurred = occurred.ok_or(AppError::NotFound)?;
    let id = store::insert_incident(
        &mut tx,
        &NewIncident {
            project: &project,
            occurred_at: occurred,
            place: &place,
            accident_type: accident,
            description: &description,
            rescue_cost_fen: rescue,
            reported_by: user.user_id,
        },
        &victims,
    )
    .await?;
    audit::record(&mut tx, user, request_id, audit::Entry {
        action: "safety.incident_reported",
        entity_type: "safety_incident",
        entity_id: Some(id),
        before: None,
        after: Some(serde_json::json!({ "project": project.id, "accident_type": accident, "victims": victims.len(),
            "grave": victims.iter().filter(|v| safety::is_grave(&v.injury_class)).count(), "rescue_cost_fen": rescue })),
    })
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn close(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    id: Uuid,
) -> AppResult<()> {
    let mut tx = user.begin(&state.pool).await?;
    let incident = store::incident(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let lead: bool = sqlx::query_scalar("SELECT app.is_lead_insurer($1)")
        .bind(incident.project_id)
        .fetch_one(&mut *tx)
        .await?;
    if !lead {
        return Err(AppError::Forbidden);
    }
    // Under the incident's lock nothing can be settled meanwhile; read what is outstanding again.
    store::lock_incident(&mut tx, incident.id).await?;
    let incident = store::incident(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let status = IncidentStatus::parse(&incident.status)
        .ok_or(AppError::Conflict("safety.close_refused"))?;
    let to = close_incident(status, incident.outstanding()).map_err(AppError::Conflict)?;
    if !store::set_incident_status(&mut tx, &incident, to.as_str()).await? {
        return Err(AppError::Conflict("stale"));
    }
    audit::record(
        &mut tx,
        user,
        request_id,
        audit::Entry {
            action: "safety.incident_closed",
            entity_type: "safety_incident",
            entity_id: Some(incident.id),
            before: Some(serde_json::json!({ "status": incident.status })),
            after: Some(serde_json::json!({ "status": to.as_str() })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ----- pages ----------------------------------------------------------------------------------

#[derive(Serialize, utoipa::ToSchema)]
pub struct SafetyOverview {
    pub services: Vec<SafetyService>,
    pub incidents: Vec<Incident>,
}

async fn overview(state: &AppState, user: &CurrentUser) -> AppResult<SafetyOverview> {
    if user.org.is_none() {
        return Err(AppError::NotFound);
    }
    let mut tx = user.begin(&state.pool).await?;
    let services = store::services(&mut tx, None).await?;
    let incidents = store::incidents(&mut tx, None).await?;
    tx.commit().await?;
    Ok(SafetyOverview {
        services,
        incidents,
    })
}

#[derive(Template)]
#[template(path = "safety.html")]
struct SafetyPage {
    ctx: PageContext,
    s: SafetyOverview,
}

pub async fn index(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Query(format): Query<FormatQuery>,
) -> AppResult<Response> {
    let s = overview(&state, &user).await?;
    if format.is_xlsx() {
        let ctx = PageContext::signed_in(lang, &user, "/safety");
        return download(&safety_sheets(&ctx, &s), "safety.xlsx");
    }
    render(&SafetyPage {
        ctx: PageContext::signed_in(lang, &user, "/safety"),
        s,
    })
}

/// Incidents and prevention services, a sheet each.
fn safety_sheets(ctx: &PageContext, s: &SafetyOverview) -> [Sheet; 2] {
    let incidents = Sheet {
        rows: s
            .incidents
            .iter()
            .map(|i| {
                vec![
                    Cell::Text(i.number.clone()),
                    Cell::Text(i.project_name.clone()),
                    Cell::Text(ctx.time(&i.occurred_at)),
                    Cell::Text(i.place.clone()),
                    Cell::Text(ctx.label("accident", &i.accident_type).to_owned()),
                    Cell::Number(i.victims.len() as f64),
                    Cell::yuan(i.rescue_cost_fen),
                    Cell::Text(ctx.label("incident_status", &i.status).to_owned()),
                ]
            })
            .collect(),
        ..Sheet::localized(
            ctx,
            "safety.incidents",
            &[
                "safety.number",
                "projects.name",
                "safety.occurred_at",
                "safety.place",
                "safety.accident_type",
                "safety.victims",
                "safety.rescue_cost",
                "orders.status",
            ],
        )
    };
    let services = Sheet {
        rows: s
            .services
            .iter()
            .map(|v| {
                vec![
                    Cell::Text(v.performed_on.to_string()),
                    Cell::Text(v.project_name.clone()),
                    Cell::Text(ctx.label("service", &v.kind).to_owned()),
                    Cell::Text(v.provider_name_zh.clone()),
                    Cell::Number(f64::from(v.hazards_found)),
                    Cell::Number(f64::from(v.participants)),
                    Cell::Text(v.summary.clone()),
                ]
            })
            .collect(),
        ..Sheet::localized(
            ctx,
            "safety.services",
            &[
                "safety.performed_on",
                "projects.name",
                "safety.kind",
                "safety.provider",
                "safety.hazards_found",
                "safety.participants",
                "safety.summary",
            ],
        )
    };
    [incidents, services]
}

/// The page form reports one incident with up to three victims.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentForm {
    occurred_at: String,
    place: String,
    accident_type: String,
    description: String,
    #[serde(default)]
    rescue_cost_yuan: String,
    #[serde(default)]
    victim1_name: String,
    #[serde(default)]
    victim1_party: String,
    #[serde(default)]
    victim1_injury: String,
    #[serde(default)]
    victim1_cost: String,
    #[serde(default)]
    victim2_name: String,
    #[serde(default)]
    victim2_party: String,
    #[serde(default)]
    victim2_injury: String,
    #[serde(default)]
    victim2_cost: String,
}

impl IncidentForm {
    fn into_input(self) -> IncidentInput {
        let victims = [
            (
                self.victim1_name,
                self.victim1_party,
                self.victim1_injury,
                self.victim1_cost,
            ),
            (
                self.victim2_name,
                self.victim2_party,
                self.victim2_injury,
                self.victim2_cost,
            ),
        ]
        .into_iter()
        .filter(|(name, ..)| !name.trim().is_empty())
        .map(
            |(name, party, injury_class, medical_cost_yuan)| VictimInput {
                name,
                party,
                injury_class,
                medical_cost_yuan,
            },
        )
        .collect();
        IncidentInput {
            occurred_at: self.occurred_at,
            place: self.place,
            accident_type: self.accident_type,
            description: self.description,
            rescue_cost_yuan: self.rescue_cost_yuan,
            victims,
        }
    }
}

async fn back_to_project(
    state: &AppState,
    lang: Lang,
    user: &CurrentUser,
    project: Uuid,
    outcome: AppResult<Uuid>,
) -> AppResult<Response> {
    match outcome {
        Ok(_) => Ok(see_other(&format!("/projects/{project}?done=safety"))),
        Err(err @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            super::projects::detail_page(state, lang, user, project, None, Some(err)).await
        }
        Err(other) => Err(other),
    }
}

pub async fn service_form(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(project): Path<String>,
    AppForm(input): AppForm<ServiceInput>,
) -> AppResult<Response> {
    let project = parse_id(&project)?;
    let outcome = log_service(&state, &user, &request_id, project, &input).await;
    back_to_project(&state, lang, &user, project, outcome).await
}

pub async fn incident_form(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(project): Path<String>,
    AppForm(form): AppForm<IncidentForm>,
) -> AppResult<Response> {
    let project = parse_id(&project)?;
    let outcome = report_incident(&state, &user, &request_id, project, &form.into_input()).await;
    back_to_project(&state, lang, &user, project, outcome).await
}

pub async fn close_form(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = parse_id(&id)?;
    super::forms::after_form(
        close(&state, &user, &request_id, id),
        "/safety".to_owned(),
        |err| super::safety_claims::incident_page(&state, lang, &user, id, None, Some(err)),
    )
    .await
}

// ----- API ------------------------------------------------------------------------------------

/// Safety services and incidents on the visible projects.
#[utoipa::path(get, path = "/api/v1/safety", responses((status = 200, body = SafetyOverview)))]
pub async fn api_overview(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<SafetyOverview>> {
    Ok(Json(overview(&state, &user).await?))
}

#[utoipa::path(post, path = "/api/v1/projects/{id}/safety-services", params(("id" = Uuid, Path)), request_body = ServiceInput,
    responses((status = 201), (status = 403), (status = 404), (status = 422)))]
pub async fn api_log_service(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(project): Path<String>,
    AppJson(input): AppJson<ServiceInput>,
) -> AppResult<Response> {
    let id = log_service(&state, &user, &request_id, parse_id(&project)?, &input).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id }))).into_response())
}

#[utoipa::path(post, path = "/api/v1/projects/{id}/incidents", params(("id" = Uuid, Path)), request_body = IncidentInput,
    responses((status = 201, body = Incident), (status = 403), (status = 404), (status = 422)))]
pub async fn api_report_incident(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(project): Path<String>,
    AppJson(input): AppJson<IncidentInput>,
) -> AppResult<Response> {
    let id = report_incident(&state, &user, &request_id, parse_id(&project)?, &input).await?;
    let mut tx = user.begin(&state.pool).await?;
    let incident = store::incident(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(incident)).into_response())
}

#[utoipa::path(post, path = "/api/v1/incidents/{id}/close", params(("id" = Uuid, Path)),
    responses((status = 200), (status = 403), (status = 404), (status = 409)))]
pub async fn api_close(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<serde_json::Value>> {
    close(&state, &user, &request_id, parse_id(&id)?).await?;
    Ok(Json(serde_json::json!({ "status": "closed" })))
}
