//! Land-transfer parcels carrying the 质安保 condition: the bureau registers them one by one or
//! by CSV import; developers see their own.

use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::AppState;
use super::api::Items;
use super::error::{AppError, AppResult, FieldError};
use super::export::{Cell, Sheet};
use super::extract::{AppForm, AppJson, CurrentUser, RequestId};
use super::forms::Checker;
use crate::domain::tenancy::OrgKind;
use crate::i18n::Lang;
use crate::storage::audit;
use crate::storage::projects::{self, NewParcel, Parcel};
use crate::views::{PageContext, render_status};

/// What a regulator submits for one parcel (form, JSON, or one CSV line).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParcelInput {
    /// 宗地编号, unique in the district.
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub location: String,
    /// Square metres, up to two decimals.
    pub area_m2: String,
    /// 土地出让合同编号
    pub contract_no: String,
    /// YYYY-MM-DD
    pub transfer_date: String,
    /// Code of the developer organisation (e.g. sunac-dev).
    pub developer: String,
    /// Whether the transfer carries the 质安保 condition (default true).
    #[serde(default)]
    pub requires_insurance: Option<String>,
    /// District code, for a city bureau registering in one of its districts.
    #[serde(default)]
    pub district: Option<String>,
}

const CSV_MAX_ROWS: usize = 500;

async fn insert_checked(
    conn: &mut sqlx::PgConnection,
    user: &CurrentUser,
    request_id: &str,
    input: &ParcelInput,
) -> AppResult<Uuid> {
    let org = user.org.as_ref().ok_or(AppError::Forbidden)?;
    let mut form = Checker::default();
    let code = form.text("code", &input.code, 1, 40);
    let name = form.text("name", &input.name, 1, 100);
    let location = form.text("location", &input.location, 0, 200);
    let area = form.area("area_m2", &input.area_m2);
    let contract_no = form.text("contract_no", &input.contract_no, 1, 60);
    let transfer_date = form.date("transfer_date", &input.transfer_date);
    let requires_insurance = !matches!(
        input.requires_insurance.as_deref().map(str::trim),
        Some("false" | "0" | "no" | "否")
    );
    let developer =
        projects::org_by_code(conn, input.developer.trim(), OrgKind::Developer.as_str()).await?;
    form.check(
        developer.is_some(),
        "developer",
        "parcels.unknown_developer",
    );
    let district = match input
        .district
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        None => Some(org.district_id),
        Some(code) => {
            sqlx::query_scalar::<_, Uuid>(
                "SELECT id FROM districts WHERE code = $1 AND app.in_jurisdiction(id)",
            )
            .bind(code)
            .fetch_optional(&mut *conn)
            .await?
        }
    };
    form.check(
        district.is_some(),
        "district",
        "parcels.district_outside_jurisdiction",
    );
    form.finish()?;
    let (Some(developer), Some(district)) = (developer, district) else {
        return Err(AppError::NotFound);
    };
    let parcel = NewParcel {
        district_id: district,
        code: &code,
        name: &name,
        location: &location,
        area_centi_m2: area,
        contract_no: &contract_no,
        transfer_date,
        developer_org_id: developer,
        requires_insurance,
    };
    let id = match projects::insert_parcel(conn, &parcel).await {
        Err(err) if is_unique_violation(&err) => {
            return Err(AppError::field("code", "parcels.duplicate_code"));
        }
        other => other?,
    };
    audit::record(
        conn,
        user,
        request_id,
        audit::Entry {
            action: "parcel.registered",
            entity_type: "parcel",
            entity_id: Some(id),
            before: None,
            after: Some(
                serde_json::json!({ "code": code, "name": name, "developer": input.developer.trim(),
            "transfer_date": transfer_date, "requires_insurance": requires_insurance }),
            ),
        },
    )
    .await?;
    Ok(id)
}

pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .and_then(|e| e.code())
        .is_some_and(|c| c == "23505")
}

/// A CHECK constraint, or a trigger raising check_violation, refused the row.
pub fn is_check_violation(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .and_then(|e| e.code())
        .is_some_and(|c| c == "23514")
}

fn require_regulator(user: &CurrentUser) -> AppResult<()> {
    if user.org_kind() == Some(OrgKind::Regulator) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

pub async fn register(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    input: &ParcelInput,
) -> AppResult<Uuid> {
    require_regulator(user)?;
    let mut tx = user.begin(&state.pool).await?;
    let id = insert_checked(&mut tx, user, request_id, input).await?;
    tx.commit().await?;
    Ok(id)
}

/// Imports CSV lines (with a header row) all or nothing; errors name their line.
pub async fn import(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    csv: &str,
) -> AppResult<usize> {
    require_regulator(user)?;
    let rows = parse_csv(csv)?;
    let mut tx = user.begin(&state.pool).await?;
    let mut line_errors = Vec::new();
    for (line, input) in &rows {
        match insert_checked(&mut tx, user, request_id, input).await {
            Ok(_) => {}
            Err(AppError::Validation(fields)) => line_errors.push((*line, fields)),
            Err(other) => return Err(other),
        }
    }
    if !line_errors.is_empty() {
        return Err(AppError::LineErrors(line_errors));
    }
    tx.commit().await?;
    Ok(rows.len())
}

/// Columns: code,name,location,area_m2,contract_no,transfer_date,developer[,requires_insurance]
fn parse_csv(csv: &str) -> AppResult<Vec<(usize, ParcelInput)>> {
    let mut rows = Vec::new();
    for (index, line) in csv.lines().enumerate() {
        let line = line.trim().trim_start_matches('\u{feff}');
        if index == 0 || line.is_empty() {
            continue;
        }
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        if !(7..=8).contains(&cells.len()) {
            return Err(AppError::LineErrors(vec![(
                index + 1,
                vec![FieldError {
                    field: "line",
                    message: "parcels.csv_columns",
                }],
            )]));
        }
        rows.push((
            index + 1,
            ParcelInput {
                code: cells[0].into(),
                name: cells[1].into(),
                location: cells[2].into(),
                area_m2: cells[3].into(),
                contract_no: cells[4].into(),
                transfer_date: cells[5].into(),
                developer: cells[6].into(),
                requires_insurance: cells.get(7).map(|v| (*v).to_owned()),
                district: None,
            },
        ));
        if rows.len() > CSV_MAX_ROWS {
            return Err(AppError::field("csv", "parcels.csv_too_many"));
        }
    }
    if rows.is_empty() {
        return Err(AppError::field("csv", "parcels.csv_empty"));
    }
    Ok(rows)
}

#[derive(Template)]
#[template(path = "regulator/parcels.html")]
struct ParcelsPage {
    ctx: PageContext,
    parcels: Vec<Parcel>,
    errors: Vec<(usize, FieldError)>,
    notice: Option<&'static str>,
    developers: Vec<(String, String)>,
}

async fn page(
    state: &AppState,
    lang: Lang,
    user: &CurrentUser,
    errors: Vec<(usize, FieldError)>,
    notice: Option<&'static str>,
) -> AppResult<Response> {
    let mut tx = user.begin(&state.pool).await?;
    let parcels = projects::parcels(&mut tx).await?;
    let developers: Vec<(String, String)> = sqlx::query_as(
        "SELECT code, name_zh FROM organisations WHERE kind = 'developer' ORDER BY name_zh",
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_status(
        &ParcelsPage {
            ctx: PageContext::signed_in(lang, user, "/parcels"),
            parcels,
            errors,
            notice,
            developers,
        },
        status,
    )
}

#[derive(Deserialize)]
pub struct IndexQuery {
    saved: Option<String>,
    imported: Option<String>,
    format: Option<String>,
}

pub async fn index(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Query(query): Query<IndexQuery>,
) -> AppResult<Response> {
    if user.org.is_none() {
        return Err(AppError::NotFound);
    }
    if query.format.as_deref() == Some("xlsx") {
        let mut tx = user.begin(&state.pool).await?;
        let parcels = projects::parcels(&mut tx).await?;
        tx.commit().await?;
        let ctx = PageContext::signed_in(lang, &user, "/parcels");
        return parcel_sheet(&ctx, &parcels).download("parcels.xlsx");
    }
    let notice = if query.saved.is_some() {
        Some("parcels.saved")
    } else {
        query.imported.is_some().then_some("parcels.imported")
    };
    page(&state, lang, &user, Vec::new(), notice).await
}

fn parcel_sheet(ctx: &PageContext, parcels: &[Parcel]) -> Sheet {
    Sheet {
        rows: parcels
            .iter()
            .map(|p| {
                vec![
                    Cell::Text(p.code.clone()),
                    Cell::Text(p.name.clone()),
                    Cell::Text(p.district_name_zh.clone()),
                    Cell::Text(p.developer_name_zh.clone()),
                    Cell::Text(p.transfer_date.to_string()),
                    Cell::Number(p.area_m2.parse().unwrap_or_default()),
                    Cell::Text(
                        ctx.t(if p.requires_insurance {
                            "pdf.yes"
                        } else {
                            "pdf.no"
                        })
                        .to_owned(),
                    ),
                    Cell::Text(p.project_name.clone().unwrap_or_default()),
                    Cell::Text(
                        p.policy_status
                            .as_deref()
                            .map_or("", |s| ctx.label("policy.status", s))
                            .to_owned(),
                    ),
                ]
            })
            .collect(),
        ..Sheet::localized(
            ctx,
            "nav.parcels",
            &[
                "parcels.code",
                "parcels.name",
                "org.district",
                "parcels.developer",
                "parcels.transfer_date",
                "parcels.area",
                "parcels.requires",
                "parcels.project",
                "policy.status",
            ],
        )
    }
}

fn form_errors(err: AppError) -> Result<Vec<(usize, FieldError)>, AppError> {
    match err {
        AppError::Validation(fields) => Ok(fields.into_iter().map(|f| (0, f)).collect()),
        AppError::LineErrors(lines) => Ok(lines
            .into_iter()
            .flat_map(|(line, fields)| fields.into_iter().map(move |f| (line, f)))
            .collect()),
        other => Err(other),
    }
}

pub async fn create(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    AppForm(input): AppForm<ParcelInput>,
) -> AppResult<Response> {
    match register(&state, &user, &request_id, &input).await {
        Ok(_) => Ok((StatusCode::SEE_OTHER, [(LOCATION, "/parcels?saved=1")]).into_response()),
        Err(err) => page(&state, lang, &user, form_errors(err)?, None).await,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportForm {
    csv: String,
}

pub async fn import_form(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    AppForm(form): AppForm<ImportForm>,
) -> AppResult<Response> {
    match import(&state, &user, &request_id, &form.csv).await {
        Ok(_) => Ok((StatusCode::SEE_OTHER, [(LOCATION, "/parcels?imported=1")]).into_response()),
        Err(err) => page(&state, lang, &user, form_errors(err)?, None).await,
    }
}

/// Parcels visible to the caller: the regulator's jurisdiction, or the developer's own.
#[utoipa::path(get, path = "/api/v1/parcels", responses((status = 200, body = Items<Parcel>)))]
pub async fn api_list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Items<Parcel>>> {
    let mut tx = user.begin(&state.pool).await?;
    let items = projects::parcels(&mut tx).await?;
    tx.commit().await?;
    Ok(Json(Items { items }))
}

/// Registers a parcel (regulators).
#[utoipa::path(post, path = "/api/v1/parcels", request_body = ParcelInput,
    responses((status = 201, body = Parcel), (status = 403), (status = 422)))]
pub async fn api_create(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    AppJson(input): AppJson<ParcelInput>,
) -> AppResult<Response> {
    let id = register(&state, &user, &request_id, &input).await?;
    let mut tx = user.begin(&state.pool).await?;
    let parcel = projects::parcel(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(parcel)).into_response())
}

/// Imports parcels from CSV (`text/csv`, header row, columns
/// code,name,location,area_m2,contract_no,transfer_date,developer[,requires_insurance]); all or nothing.
#[utoipa::path(post, path = "/api/v1/parcels/import", request_body(content = String, content_type = "text/csv"),
    responses((status = 201), (status = 422)))]
pub async fn api_import(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    body: String,
) -> AppResult<Response> {
    let imported = import(&state, &user, &request_id, &body).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "imported": imported })),
    )
        .into_response())
}
