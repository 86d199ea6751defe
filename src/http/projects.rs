//! Projects: the developer registers its project on its parcel with buildings (楼栋, each a risk
//! unit) and applies for the policy; the bureau asks the permit gate and records the stages.

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, Utc};
use chrono_tz::Asia::Shanghai;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::AppState;
use super::api::Listed;
use super::error::{AppError, AppResult, FieldError};
use super::extract::{AppForm, AppJson, CurrentUser, RequestId};
use super::forms::{Checker, DoneQuery, after_form, failure_parts, parse_id, see_other};
use super::pager::{Links, Page, PageQuery};
use crate::domain::policy::{PolicyStatus, developer_next_step};
use crate::domain::project::{
    self, ParcelStatus, ProjectEvent, ProjectStage, permit_gate, register_project_on,
};
use crate::domain::rules::{CoverPeriod, HousingType, cover_periods};
use crate::domain::tenancy::OrgKind;
use crate::i18n::Lang;
use crate::storage::claims::{self as unit_store, UnitsOf};
use crate::storage::projects::{
    self as store, Building, GateCheck, NewBuilding, NewProject, Parcel, Project, ProjectFilter,
    ProjectKey, ProjectScope,
};
use crate::storage::{audit, policies, rules};
use crate::views::{PageContext, render, render_status};

pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&Shanghai).date_naive()
}

fn require(user: &CurrentUser, kind: OrgKind) -> AppResult<()> {
    if user.org_kind() == Some(kind) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

async fn load(conn: &mut sqlx::PgConnection, id: Uuid) -> AppResult<Project> {
    store::project(conn, id).await?.ok_or(AppError::NotFound)
}

// ----- registration ---------------------------------------------------------------------------

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectInput {
    pub parcel_id: String,
    pub name: String,
    /// commercial | resettlement | public_rental
    pub housing_type: String,
    /// Organisation code of the general contractor (optional).
    #[serde(default)]
    pub contractor: String,
    /// Organisation code of the supervisor (optional).
    #[serde(default)]
    pub supervisor: String,
}

pub async fn register(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    input: &ProjectInput,
) -> AppResult<Uuid> {
    require(user, OrgKind::Developer)?;
    let org = user.org.as_ref().ok_or(AppError::Forbidden)?;
    let mut tx = user.begin(&state.pool).await?;
    let mut form = Checker::default();
    let name = form.text("name", &input.name, 1, 100);
    let housing = HousingType::parse(input.housing_type.trim());
    form.check(
        housing.is_some(),
        "housing_type",
        "projects.bad_housing_type",
    );
    let parcel = match Uuid::parse_str(input.parcel_id.trim()) {
        Ok(id) => store::parcel(&mut tx, id)
            .await?
            .filter(|p| p.developer_org_id == org.id),
        Err(_) => None,
    };
    form.check(parcel.is_some(), "parcel_id", "projects.unknown_parcel");
    let contractor = optional_partner(
        &mut tx,
        &mut form,
        "contractor",
        &input.contractor,
        OrgKind::Contractor,
    )
    .await?;
    let supervisor = optional_partner(
        &mut tx,
        &mut form,
        "supervisor",
        &input.supervisor,
        OrgKind::Supervisor,
    )
    .await?;
    form.finish()?;
    let (Some(parcel), Some(housing)) = (parcel, housing) else {
        return Err(AppError::NotFound);
    };
    let status =
        ParcelStatus::parse(&parcel.status).ok_or(AppError::Conflict("projects.parcel_taken"))?;
    let next = register_project_on(status).ok_or(AppError::Conflict("projects.parcel_taken"))?;
    if !store::set_parcel_status(
        &mut tx,
        parcel.id,
        parcel.version,
        status.as_str(),
        next.as_str(),
    )
    .await?
    {
        return Err(AppError::Conflict("stale"));
    }
    let id = store::insert_project(
        &mut tx,
        &NewProject {
            parcel_id: parcel.id,
            district_id: parcel.district_id,
            developer_org_id: org.id,
            name: &name,
            housing_type: housing.as_str(),
            contractor_org_id: contractor,
            supervisor_org_id: supervisor,
        },
    )
    .await?;
    audit::record(&mut tx, user, request_id, audit::Entry {
        action: "project.registered",
        entity_type: "project",
        entity_id: Some(id),
        before: None,
        after: Some(serde_json::json!({ "name": name, "parcel": parcel.code, "housing_type": housing.as_str() })),
    })
    .await?;
    tx.commit().await?;
    Ok(id)
}

async fn optional_partner(
    conn: &mut sqlx::PgConnection,
    form: &mut Checker,
    field: &'static str,
    code: &str,
    kind: OrgKind,
) -> AppResult<Option<Uuid>> {
    let code = code.trim();
    if code.is_empty() {
        return Ok(None);
    }
    let found = store::org_by_code(conn, code, kind.as_str()).await?;
    form.check(found.is_some(), field, "projects.unknown_partner");
    Ok(found)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BuildingInput {
    /// e.g. "1号楼"
    pub name: String,
    /// One or more of commercial, resettlement, public_rental, comma-separated (mixed use).
    pub housing_types: String,
    pub floor_area_m2: String,
    pub units: String,
    /// 建安工程造价 in yuan.
    pub construction_cost_yuan: String,
}

pub async fn add_building(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    project_id: Uuid,
    input: &BuildingInput,
) -> AppResult<Uuid> {
    require(user, OrgKind::Developer)?;
    let mut tx = user.begin(&state.pool).await?;
    let project = load(&mut tx, project_id).await?;
    if project.developer_org_id != user.org.as_ref().map_or(Uuid::nil(), |o| o.id) {
        return Err(AppError::NotFound);
    }
    if project
        .policy_status
        .as_deref()
        .and_then(PolicyStatus::parse)
        .is_some_and(|s| {
            !matches!(
                s,
                PolicyStatus::Draft | PolicyStatus::Applied | PolicyStatus::Cancelled
            )
        })
    {
        return Err(AppError::Conflict("projects.buildings_locked"));
    }
    let mut form = Checker::default();
    let name = form.text("name", &input.name, 1, 40);
    let types: Vec<Option<HousingType>> = input
        .housing_types
        .split([',', '，', ' '])
        .filter(|t| !t.is_empty())
        .map(HousingType::parse)
        .collect();
    form.check(
        !types.is_empty() && types.len() <= 3 && types.iter().all(Option::is_some),
        "housing_types",
        "projects.bad_housing_type",
    );
    let area = form.area("floor_area_m2", &input.floor_area_m2);
    let units = form.integer("units", &input.units, 0, 9999);
    let cost = form.yuan("construction_cost_yuan", &input.construction_cost_yuan);
    form.check(
        cost <= 10_000_000_000_000,
        "construction_cost_yuan",
        "form.bad_amount",
    );
    form.finish()?;
    let housing_types: Vec<String> = types
        .into_iter()
        .flatten()
        .map(|t| t.as_str().to_owned())
        .collect();
    let id = match store::insert_building(
        &mut tx,
        &NewBuilding {
            project_id,
            name: &name,
            housing_types: housing_types.clone(),
            floor_area_centi_m2: area,
            units: i32::try_from(units).unwrap_or(0),
            construction_cost_fen: cost,
        },
    )
    .await
    {
        Err(err) if super::parcels::is_unique_violation(&err) => {
            return Err(AppError::field("name", "projects.duplicate_building"));
        }
        other => other?,
    };
    audit::record(&mut tx, user, request_id, audit::Entry {
        action: "building.added",
        entity_type: "building",
        entity_id: Some(id),
        before: None,
        after: Some(serde_json::json!({ "project": project_id, "name": name, "housing_types": housing_types,
            "units": units, "construction_cost_fen": cost })),
    })
    .await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyInput {
    /// Organisation code of the chosen lead insurer.
    pub lead_insurer: String,
}

/// The developer applies (投保) to a lead insurer, priced later under the district's rule pack in
/// force today.
pub async fn apply(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    project_id: Uuid,
    input: &ApplyInput,
) -> AppResult<Uuid> {
    require(user, OrgKind::Developer)?;
    let mut tx = user.begin(&state.pool).await?;
    let project = load(&mut tx, project_id).await?;
    let org = user.org.as_ref().ok_or(AppError::Forbidden)?;
    if project.developer_org_id != org.id {
        return Err(AppError::NotFound);
    }
    if project
        .policy_status
        .as_deref()
        .and_then(PolicyStatus::parse)
        .is_some_and(PolicyStatus::is_live)
    {
        return Err(AppError::Conflict("policy.already_applied"));
    }
    if project.buildings == 0 {
        return Err(AppError::field("buildings", "policy.needs_buildings"));
    }
    let insurer = store::org_by_code(
        &mut tx,
        input.lead_insurer.trim(),
        OrgKind::Insurer.as_str(),
    )
    .await?
    .ok_or_else(|| AppError::field("lead_insurer", "policy.unknown_insurer"))?;
    let pack = rules::in_force(&mut tx, project.district_id, today())
        .await?
        .ok_or(AppError::Conflict("policy.no_rule_pack"))?;
    let id = match policies::insert_application(
        &mut tx,
        project.id,
        project.district_id,
        org.id,
        insurer,
        pack.id,
    )
    .await
    {
        Err(err) if super::parcels::is_unique_violation(&err) => {
            return Err(AppError::Conflict("policy.already_applied"));
        }
        other => other?,
    };
    store::retire_parties(&mut tx, project.id, "lead_insurer", &[insurer]).await?;
    store::add_party(&mut tx, project.id, insurer, "lead_insurer").await?;
    audit::record(&mut tx, user, request_id, audit::Entry {
        action: "policy.applied",
        entity_type: "policy",
        entity_id: Some(id),
        before: None,
        after: Some(serde_json::json!({ "project": project.id, "lead_insurer": input.lead_insurer.trim(),
            "rule_pack": pack.version, "status": "applied" })),
    })
    .await?;
    tx.commit().await?;
    Ok(id)
}

// ----- stages and the permit gate -------------------------------------------------------------

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GateAnswer {
    pub allowed: bool,
    /// Why not, as a code (gate.no_policy, gate.premium_unpaid, …).
    pub reason: Option<String>,
    pub message: String,
    pub policy_status: Option<String>,
}

/// The permit gate: may this project receive its construction permit? Recorded every time.
pub async fn ask_gate(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    lang: Lang,
    project_id: Uuid,
) -> AppResult<GateAnswer> {
    require(user, OrgKind::Regulator)?;
    let mut tx = user.begin(&state.pool).await?;
    let project = load(&mut tx, project_id).await?;
    let answer = gate_for(&project, lang);
    store::record_gate_check(
        &mut tx,
        &project,
        answer.allowed,
        answer.reason.as_deref(),
        user.user_id,
    )
    .await?;
    audit::record(
        &mut tx,
        user,
        request_id,
        audit::Entry {
            action: "permit_gate.checked",
            entity_type: "project",
            entity_id: Some(project.id),
            before: None,
            after: Some(serde_json::json!({ "allowed": answer.allowed, "reason": answer.reason })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(answer)
}

fn gate_for(project: &Project, lang: Lang) -> GateAnswer {
    let status = project
        .policy_status
        .as_deref()
        .and_then(PolicyStatus::parse);
    let reason = permit_gate(project.requires_insurance, status);
    GateAnswer {
        allowed: reason.is_none(),
        reason: reason.map(str::to_owned),
        message: lang.t(reason.unwrap_or("gate.open")).to_owned(),
        policy_status: project.policy_status.clone(),
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventInput {
    /// permit | completion | filing | handover
    pub event: String,
    /// YYYY-MM-DD, not in the future.
    pub date: String,
    /// The version the caller saw (optional; a stale one answers 409).
    #[serde(default)]
    pub version: Option<i32>,
}

/// Records a stage event. The permit is the bureau's and passes only through the gate; the
/// developer records completion, filing and handover (the bureau may too).
pub async fn record_event(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    project_id: Uuid,
    input: &EventInput,
) -> AppResult<()> {
    let event = ProjectEvent::parse(input.event.trim())
        .ok_or_else(|| AppError::field("event", "projects.bad_event"))?;
    let kind = user.org_kind();
    let permitted = match event {
        ProjectEvent::PermitGranted => kind == Some(OrgKind::Regulator),
        ProjectEvent::HandedOver => kind == Some(OrgKind::Developer),
        _ => matches!(kind, Some(OrgKind::Regulator | OrgKind::Developer)),
    };
    if !permitted {
        return Err(AppError::Forbidden);
    }
    let mut form = Checker::default();
    let date = form.date("date", &input.date);
    form.check(date <= today(), "date", "projects.date_in_future");
    form.finish()?;
    let mut tx = user.begin(&state.pool).await?;
    let project = load(&mut tx, project_id).await?;
    if kind == Some(OrgKind::Developer)
        && project.developer_org_id != user.org.as_ref().map_or(Uuid::nil(), |o| o.id)
    {
        return Err(AppError::NotFound);
    }
    if input.version.is_some_and(|v| v != project.version) {
        return Err(AppError::Conflict("stale"));
    }
    let stage =
        ProjectStage::parse(&project.stage).ok_or(AppError::Conflict("projects.bad_stage"))?;
    let next = project::advance(stage, event).ok_or(AppError::Conflict("projects.stage_order"))?;
    let previous_date = match event {
        ProjectEvent::PermitGranted => None,
        ProjectEvent::CompletionAccepted => project.permit_date,
        ProjectEvent::CompletionFiled => project.completion_date,
        ProjectEvent::HandedOver => project.filing_date,
    };
    if previous_date.is_some_and(|d| date < d) {
        return Err(AppError::field("date", "projects.date_before_previous"));
    }
    if event == ProjectEvent::PermitGranted {
        let answer = gate_for(&project, Lang::Zh);
        store::record_gate_check(
            &mut tx,
            &project,
            answer.allowed,
            answer.reason.as_deref(),
            user.user_id,
        )
        .await?;
        if !answer.allowed {
            tx.commit().await?;
            return Err(AppError::Conflict("gate.closed"));
        }
    }
    let column = match event {
        ProjectEvent::PermitGranted => "permit_date",
        ProjectEvent::CompletionAccepted => "completion_date",
        ProjectEvent::CompletionFiled => "filing_date",
        ProjectEvent::HandedOver => "handover_date",
    };
    if !store::advance_stage(
        &mut tx,
        project.id,
        project.version,
        stage.as_str(),
        next.as_str(),
        column,
        date,
    )
    .await?
    {
        return Err(AppError::Conflict("stale"));
    }
    audit::record(
        &mut tx,
        user,
        request_id,
        audit::Entry {
            action: "project.stage_changed",
            entity_type: "project",
            entity_id: Some(project.id),
            before: Some(serde_json::json!({ "stage": stage.as_str() })),
            after: Some(serde_json::json!({ "stage": next.as_str(), column: date })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ----- pages ----------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "projects/list.html")]
struct ListPage {
    ctx: PageContext,
    projects: Vec<Project>,
    stages: Vec<&'static str>,
    /// The filters as chosen, to show them selected.
    filter: ListFilter,
    links: Links,
}

/// `?stage=&policy=insured|uninsured` on the projects list, with its page.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct ListFilter {
    /// A stage code; empty or absent: every stage.
    #[serde(default)]
    stage: String,
    /// "insured" (current policy issued) or "uninsured"; empty or absent: both.
    #[serde(default)]
    policy: String,
}

impl ListFilter {
    fn parse(&self) -> AppResult<ProjectFilter> {
        let stage = match self.stage.as_str() {
            "" => None,
            s => {
                Some(ProjectStage::parse(s).ok_or(AppError::field("stage", "projects.bad_stage"))?)
            }
        };
        let insured = match self.policy.as_str() {
            "" => None,
            "insured" => Some(true),
            "uninsured" => Some(false),
            _ => return Err(AppError::field("policy", "projects.policy_filter_invalid")),
        };
        Ok(ProjectFilter { stage, insured })
    }

    /// The list's address with these filters, for its pager and download.
    fn base(&self) -> String {
        let param = |v: &str| {
            percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC).to_string()
        };
        format!(
            "/projects?stage={}&policy={}",
            param(&self.stage),
            param(&self.policy)
        )
    }
}

/// A page of the projects the reader's organisation may see, newest first.
async fn page(
    state: &AppState,
    user: &CurrentUser,
    filter: &ListFilter,
    query: &PageQuery,
) -> AppResult<Page<Project>> {
    let chosen = filter.parse()?;
    let window = query.window::<ProjectKey>()?;
    let mut tx = user.begin(&state.pool).await?;
    let projects = store::listed(
        &mut tx,
        ProjectScope::for_reader(user.org_kind()),
        &chosen,
        window.after.as_ref(),
        window.fetch(),
    )
    .await?;
    tx.commit().await?;
    Ok(window.page(projects, Project::key))
}

pub async fn index(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Query(filter): Query<ListFilter>,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    if user.org.is_none() {
        return Err(AppError::NotFound);
    }
    let page = page(&state, &user, &filter, &query).await?;
    let ctx = PageContext::signed_in(lang, &user, "/projects");
    if query.is_xlsx() {
        return project_sheet(&ctx, &page.rows).download("projects.xlsx");
    }
    render(&ListPage {
        ctx,
        links: page.links(&filter.base(), &query),
        projects: page.rows,
        stages: ProjectStage::ALL.iter().map(|s| s.as_str()).collect(),
        filter,
    })
}

fn project_sheet(ctx: &PageContext, projects: &[Project]) -> super::export::Sheet {
    use super::export::{Cell, Sheet};
    Sheet {
        rows: projects
            .iter()
            .map(|p| {
                vec![
                    Cell::Text(p.name.clone()),
                    Cell::Text(p.developer_name_zh.clone()),
                    Cell::Text(ctx.label("housing", &p.housing_type).to_owned()),
                    Cell::Text(ctx.label("stage", &p.stage).to_owned()),
                    Cell::Number(p.buildings as f64),
                    Cell::yuan(p.construction_cost_fen),
                    Cell::Text(
                        p.policy_status
                            .as_deref()
                            .map_or(ctx.t("policy.status.none"), |s| {
                                ctx.label("policy.status", s)
                            })
                            .to_owned(),
                    ),
                    Cell::Text(p.lead_insurer_name_zh.clone().unwrap_or_default()),
                ]
            })
            .collect(),
        ..Sheet::localized(
            ctx,
            "nav.projects",
            &[
                "projects.name",
                "projects.developer",
                "projects.housing_type",
                "projects.stage",
                "projects.buildings",
                "projects.cost_yuan",
                "policy.status",
                "policy.lead",
            ],
        )
    }
}

#[derive(Template)]
#[template(path = "developer/new_project.html")]
struct NewProjectPage {
    ctx: PageContext,
    parcels: Vec<Parcel>,
    errors: Vec<(usize, FieldError)>,
    contractors: Vec<(String, String)>,
    supervisors: Vec<(String, String)>,
}

async fn new_project_page(
    state: &AppState,
    lang: Lang,
    user: &CurrentUser,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    require(user, OrgKind::Developer)?;
    let mut tx = user.begin(&state.pool).await?;
    let mut parcels = store::parcels(&mut tx).await?;
    parcels.retain(|p| p.status == ParcelStatus::Transferred.as_str());
    let partners = |kind: &'static str| {
        sqlx::query_as::<_, (String, String)>(
            "SELECT code, name_zh FROM organisations WHERE kind = $1 ORDER BY name_zh",
        )
        .bind(kind)
    };
    let contractors = partners("contractor").fetch_all(&mut *tx).await?;
    let supervisors = partners("supervisor").fetch_all(&mut *tx).await?;
    tx.commit().await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let errors = errors.into_iter().map(|e| (0, e)).collect();
    render_status(
        &NewProjectPage {
            ctx: PageContext::signed_in(lang, user, "/projects"),
            parcels,
            errors,
            contractors,
            supervisors,
        },
        status,
    )
}

pub async fn new_form(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
) -> AppResult<Response> {
    new_project_page(&state, lang, &user, Vec::new()).await
}

pub async fn create(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    AppForm(input): AppForm<ProjectInput>,
) -> AppResult<Response> {
    match register(&state, &user, &request_id, &input).await {
        Ok(id) => Ok(see_other(&format!("/projects/{id}"))),
        Err(AppError::Validation(errors)) => new_project_page(&state, lang, &user, errors).await,
        Err(other) => Err(other),
    }
}

/// Everything the project page shows, also the API's project document.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ProjectDetail {
    pub project: Project,
    pub buildings: Vec<Building>,
    pub cover_periods: Vec<CoverPeriod>,
    pub gate_checks: Vec<GateCheck>,
}

async fn detail(state: &AppState, user: &CurrentUser, id: Uuid) -> AppResult<ProjectDetail> {
    let mut tx = user.begin(&state.pool).await?;
    let project = load(&mut tx, id).await?;
    let buildings = store::buildings(&mut tx, id).await?;
    let gate_checks = if user.org_kind() == Some(OrgKind::Regulator) {
        store::gate_checks(&mut tx, id).await?
    } else {
        Vec::new()
    };
    let cover_periods = match (project.completion_date, project.policy_id) {
        (Some(completed), Some(policy)) => {
            let policy = policies::find(&mut tx, policy)
                .await?
                .ok_or(AppError::NotFound)?;
            let pack = rules::find(&mut tx, policy.rule_pack_id)
                .await?
                .ok_or(AppError::NotFound)?;
            cover_periods(&pack.params, completed)
        }
        _ => Vec::new(),
    };
    tx.commit().await?;
    Ok(ProjectDetail {
        project,
        buildings,
        cover_periods,
        gate_checks,
    })
}

#[derive(Template)]
#[template(path = "projects/detail.html")]
struct DetailPage {
    ctx: PageContext,
    d: ProjectDetail,
    is_developer: bool,
    is_regulator: bool,
    can_add_buildings: bool,
    can_apply: bool,
    next_step: Option<&'static str>,
    gate: Option<GateAnswer>,
    insurers: Vec<(String, String)>,
    notice: Option<&'static str>,
    errors: Vec<(usize, FieldError)>,
    error: Option<&'static str>,
    today: NaiveDate,
    inspections: Vec<crate::storage::risk::Inspection>,
    orders: Vec<super::orders::OrderView>,
    visits: Vec<crate::storage::risk::Visit>,
    stage_codes: Vec<&'static str>,
    reports: Vec<crate::storage::reports::Report>,
    services: Vec<crate::storage::safety::SafetyService>,
    incidents: Vec<crate::storage::safety::Incident>,
    service_kinds: &'static [&'static str],
    hazard_categories: &'static [&'static str],
    accident_types: &'static [&'static str],
    parties: &'static [&'static str],
    injury_classes: &'static [&'static str],
    units: Vec<unit_store::Unit>,
    mandates: Vec<crate::storage::property::Mandate>,
    managers: Vec<(String, String)>,
}

/// How many of its inspections and orders a project's page lists (most recent and most urgent).
const PROJECT_PAGE_ROWS: i64 = 1000;

pub(super) async fn detail_page(
    state: &AppState,
    lang: Lang,
    user: &CurrentUser,
    id: Uuid,
    notice: Option<&'static str>,
    failure: Option<AppError>,
) -> AppResult<Response> {
    let d = detail(state, user, id).await?;
    let mut tx = user.begin(&state.pool).await?;
    let insurers: Vec<(String, String)> = sqlx::query_as(
        "SELECT code, name_zh FROM organisations WHERE kind = 'insurer' ORDER BY name_zh",
    )
    .fetch_all(&mut *tx)
    .await?;
    let scope = crate::storage::ListScope::Project(id);
    let inspections =
        crate::storage::risk::inspections(&mut tx, scope, None, PROJECT_PAGE_ROWS).await?;
    let day = today();
    let orders = crate::storage::risk::orders(&mut tx, scope, None, PROJECT_PAGE_ROWS)
        .await?
        .into_iter()
        .map(|o| super::orders::view(o, day))
        .collect();
    let horizon = day.checked_add_days(chrono::Days::new(60)).unwrap_or(day);
    let visits = crate::storage::risk::project_visits(&mut tx, id, horizon).await?;
    let reports = crate::storage::reports::list(&mut tx, Some(id)).await?;
    let services = crate::storage::safety::services(&mut tx, Some(id)).await?;
    let incidents = crate::storage::safety::incidents(&mut tx, Some(id)).await?;
    let units = unit_store::units(&mut tx, UnitsOf::Project(id)).await?;
    let mandates = crate::storage::property::mandates(&mut tx, Some(id)).await?;
    let managers = crate::storage::organisations::directory(&mut tx, Some("property_manager"))
        .await?
        .into_iter()
        .map(|o| (o.code, o.name_zh))
        .collect();
    tx.commit().await?;
    let org_id = user.org.as_ref().map(|o| o.id);
    let is_developer = org_id == Some(d.project.developer_org_id);
    let is_regulator = user.org_kind() == Some(OrgKind::Regulator);
    let status = d
        .project
        .policy_status
        .as_deref()
        .and_then(PolicyStatus::parse);
    let next_step = if is_developer {
        status.map_or(Some("next.apply"), developer_next_step)
    } else {
        None
    };
    let can_add_buildings = is_developer
        && status.is_none_or(|s| {
            matches!(
                s,
                PolicyStatus::Draft | PolicyStatus::Applied | PolicyStatus::Cancelled
            )
        });
    let can_apply = is_developer && status.is_none_or(|s| !s.is_live());
    let gate = is_regulator.then(|| gate_for(&d.project, lang));
    let (status_code, errors, error) = failure_parts(failure)?;
    render_status(
        &DetailPage {
            ctx: PageContext::signed_in(lang, user, "/projects"),
            d,
            is_developer,
            is_regulator,
            can_add_buildings,
            can_apply,
            next_step,
            gate,
            insurers,
            notice,
            errors,
            error,
            today: today(),
            inspections,
            orders,
            visits,
            stage_codes: super::inspections::stage_codes(),
            reports,
            services,
            incidents,
            service_kinds: &crate::domain::safety::SERVICE_KINDS,
            hazard_categories: &crate::domain::safety::HAZARD_CATEGORIES,
            accident_types: &crate::domain::safety::ACCIDENT_TYPES,
            parties: &crate::domain::safety::PARTIES,
            injury_classes: &crate::domain::safety::INJURY_CLASSES,
            units,
            mandates,
            managers,
        },
        status_code,
    )
}

pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(query): Query<DoneQuery>,
) -> AppResult<Response> {
    let notice = match query.done.as_deref() {
        Some("building") => Some("projects.building_added"),
        Some("applied") => Some("policy.applied_notice"),
        Some("event") => Some("projects.stage_recorded"),
        Some("gate") => Some("projects.gate_recorded"),
        Some("safety") => Some("safety.saved"),
        Some("visit") => Some("inspections.rescheduled"),
        Some("mandate") => Some("property.appointed"),
        _ => None,
    };
    detail_page(&state, lang, &user, parse_id(&id)?, notice, None).await
}

/// A page action on one project: redirect back with `done` on success, else the page with the problem.
async fn project_form(
    state: &AppState,
    lang: Lang,
    user: &CurrentUser,
    id: Uuid,
    done: &str,
    action: impl std::future::Future<Output = AppResult<()>>,
) -> AppResult<Response> {
    after_form(action, format!("/projects/{id}?done={done}"), |err| {
        detail_page(state, lang, user, id, None, Some(err))
    })
    .await
}

pub async fn building_form(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
    AppForm(input): AppForm<BuildingInput>,
) -> AppResult<Response> {
    let id = parse_id(&id)?;
    let action = async {
        add_building(&state, &user, &request_id, id, &input)
            .await
            .map(|_| ())
    };
    project_form(&state, lang, &user, id, "building", action).await
}

pub async fn apply_form(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
    AppForm(input): AppForm<ApplyInput>,
) -> AppResult<Response> {
    let id = parse_id(&id)?;
    let action = async {
        apply(&state, &user, &request_id, id, &input)
            .await
            .map(|_| ())
    };
    project_form(&state, lang, &user, id, "applied", action).await
}

pub async fn event_form(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
    AppForm(input): AppForm<EventInput>,
) -> AppResult<Response> {
    let id = parse_id(&id)?;
    project_form(
        &state,
        lang,
        &user,
        id,
        "event",
        record_event(&state, &user, &request_id, id, &input),
    )
    .await
}

pub async fn gate_form(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = parse_id(&id)?;
    let action = async {
        ask_gate(&state, &user, &request_id, lang, id)
            .await
            .map(|_| ())
    };
    project_form(&state, lang, &user, id, "gate", action).await
}

/// The projects the caller may see (at most 1,000, newest first): an insurer's, agency's or
/// developer's off its membership rows (the same set the row-level rule allows it), anyone
/// else's by the row-level rule alone.
/// Projects visible to the caller, newest first, a page at a time; filtered by stage and by
/// whether the current policy has been issued.
#[utoipa::path(get, path = "/api/v1/projects", params(ListFilter, PageQuery), responses((status = 200, body = Listed<Project>), (status = 422)))]
pub async fn api_list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(filter): Query<ListFilter>,
    Query(query): Query<PageQuery>,
) -> AppResult<Json<Listed<Project>>> {
    let page = page(&state, &user, &filter, &query).await?;
    Ok(Json(Listed {
        items: page.rows,
        next: page.next,
    }))
}

/// Registers a project on one of the developer's parcels.
#[utoipa::path(post, path = "/api/v1/projects", request_body = ProjectInput,
    responses((status = 201, body = ProjectDetail), (status = 403), (status = 409), (status = 422)))]
pub async fn api_create(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    AppJson(input): AppJson<ProjectInput>,
) -> AppResult<Response> {
    let id = register(&state, &user, &request_id, &input).await?;
    Ok((StatusCode::CREATED, Json(detail(&state, &user, id).await?)).into_response())
}

/// A project with its buildings, cover periods and (for the bureau) permit-gate history.
#[utoipa::path(get, path = "/api/v1/projects/{id}", params(("id" = Uuid, Path)),
    responses((status = 200, body = ProjectDetail), (status = 404)))]
pub async fn api_show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<ProjectDetail>> {
    Ok(Json(detail(&state, &user, parse_id(&id)?).await?))
}

/// Adds a building (楼栋) to the developer's project.
#[utoipa::path(post, path = "/api/v1/projects/{id}/buildings", params(("id" = Uuid, Path)), request_body = BuildingInput,
    responses((status = 201, body = ProjectDetail), (status = 404), (status = 409), (status = 422)))]
pub async fn api_add_building(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
    AppJson(input): AppJson<BuildingInput>,
) -> AppResult<Response> {
    let id = parse_id(&id)?;
    add_building(&state, &user, &request_id, id, &input).await?;
    Ok((StatusCode::CREATED, Json(detail(&state, &user, id).await?)).into_response())
}

/// Applies for the policy with a lead insurer.
#[utoipa::path(post, path = "/api/v1/projects/{id}/apply", params(("id" = Uuid, Path)), request_body = ApplyInput,
    responses((status = 201), (status = 404), (status = 409), (status = 422)))]
pub async fn api_apply(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
    AppJson(input): AppJson<ApplyInput>,
) -> AppResult<Response> {
    let policy = apply(&state, &user, &request_id, parse_id(&id)?, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "policy_id": policy, "status": "applied" })),
    )
        .into_response())
}

/// Records a stage event (permit, completion, filing, handover).
#[utoipa::path(post, path = "/api/v1/projects/{id}/events", params(("id" = Uuid, Path)), request_body = EventInput,
    responses((status = 200, body = ProjectDetail), (status = 403), (status = 409), (status = 422)))]
pub async fn api_event(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
    AppJson(input): AppJson<EventInput>,
) -> AppResult<Json<ProjectDetail>> {
    let id = parse_id(&id)?;
    record_event(&state, &user, &request_id, id, &input).await?;
    Ok(Json(detail(&state, &user, id).await?))
}

/// The permit-gate answer for a project (regulators); every answer is recorded.
#[utoipa::path(post, path = "/api/v1/projects/{id}/permit-gate", params(("id" = Uuid, Path)),
    responses((status = 200, body = GateAnswer), (status = 403), (status = 404)))]
pub async fn api_gate(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<GateAnswer>> {
    Ok(Json(
        ask_gate(&state, &user, &request_id, lang, parse_id(&id)?).await?,
    ))
}
