//! Construction-safety claims: an incident's page lists its victims; the lead insurer settles each
//! one (compensation for death or disability within the rule pack's per-person limit, medical
//! costs) and pays the settlement, once.

use askama::Template;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use super::AppState;
use super::error::{AppError, AppResult, FieldError};
use super::extract::{AppForm, AppJson, CurrentUser, RequestId};
use super::forms::{Checker, DoneQuery, after_form, parse_id};
use super::parcels::{is_check_violation, is_unique_violation};
use crate::domain::safety::{
    COST_KINDS, SettlementStatus, check_cost_line, check_settlement, pay_settlement,
};
use crate::i18n::Lang;
use crate::storage::safety::{self as store, Incident, VictimToSettle};
use crate::storage::{audit, rules};
use crate::views::{PageContext, render_status};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettlementInput {
    /// Death or disability compensation in yuan (empty or 0 for other injuries).
    #[serde(default)]
    pub compensation_yuan: String,
    /// Medical costs in yuan.
    #[serde(default)]
    pub medical_yuan: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CostInput {
    /// rescue | investigation | legal
    pub kind: String,
    /// Who is paid: the rescue service, the appraiser, the law firm.
    pub payee: String,
    pub amount_yuan: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettlementPaymentInput {
    /// The bank transfer reference.
    pub reference: String,
}

/// Loads a victim for its lead insurer: 404 when invisible, 403 for anyone but the lead.
async fn victim_for_lead(
    conn: &mut sqlx::PgConnection,
    user: &CurrentUser,
    id: Uuid,
) -> AppResult<(VictimToSettle, Uuid)> {
    let victim = store::victim_to_settle(conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    match victim.lead_insurer_org_id {
        Some(lead) if user.org.as_ref().map(|o| o.id) == Some(lead) => Ok((victim, lead)),
        _ => Err(AppError::Forbidden),
    }
}

async fn settle(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    id: Uuid,
    input: &SettlementInput,
) -> AppResult<Uuid> {
    let mut form = Checker::default();
    let compensation_fen = form.optional_yuan("compensation_yuan", &input.compensation_yuan);
    let medical_fen = form.optional_yuan("medical_yuan", &input.medical_yuan);
    let mut tx = user.begin(&state.pool).await?;
    let (victim, lead) = victim_for_lead(&mut tx, user, id).await?;
    form.finish()?;
    if victim.settlement_status.is_some() {
        return Err(AppError::Conflict("safety.already_settled"));
    }
    let pack = match victim.rule_pack_id {
        Some(pack) => rules::find(&mut tx, pack).await?,
        None => None,
    }
    .ok_or(AppError::NotFound)?;
    check_settlement(
        &victim.injury_class,
        compensation_fen,
        medical_fen,
        pack.params.safety_min_per_person_fen,
    )
    .map_err(|(field, message)| AppError::field(field, message))?;
    match store::agree_settlement(
        &mut tx,
        &victim,
        lead,
        compensation_fen,
        medical_fen,
        user.user_id,
    )
    .await
    {
        Ok(()) => {}
        Err(err) if is_unique_violation(&err) => {
            return Err(AppError::Conflict("safety.already_settled"));
        }
        Err(err) if is_check_violation(&err) => {
            return Err(AppError::Conflict("safety.incident_closed"));
        }
        Err(err) => return Err(err.into()),
    }
    audit::record(
        &mut tx,
        user,
        request_id,
        audit::Entry {
            action: "safety.settlement_agreed",
            entity_type: "incident_victim",
            entity_id: Some(victim.id),
            before: None,
            after: Some(serde_json::json!({
                "compensation_fen": compensation_fen, "medical_fen": medical_fen,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(victim.incident_id)
}

async fn pay(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    id: Uuid,
    input: &SettlementPaymentInput,
) -> AppResult<Uuid> {
    let mut form = Checker::default();
    let reference = form.text("reference", &input.reference, 1, 100);
    let mut tx = user.begin(&state.pool).await?;
    let (victim, _) = victim_for_lead(&mut tx, user, id).await?;
    form.finish()?;
    let from = victim
        .settlement_status
        .as_deref()
        .and_then(SettlementStatus::parse)
        .ok_or(AppError::Conflict("safety.not_settled"))?;
    pay_settlement(from).ok_or(AppError::Conflict("safety.already_paid"))?;
    if !store::pay_settlement(&mut tx, &victim, &reference).await? {
        return Err(AppError::Conflict("stale"));
    }
    audit::record(
        &mut tx,
        user,
        request_id,
        audit::Entry {
            action: "safety.settlement_paid",
            entity_type: "incident_victim",
            entity_id: Some(victim.id),
            before: Some(serde_json::json!({ "status": from.as_str() })),
            after: Some(serde_json::json!({ "status": "paid", "reference": reference })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(victim.incident_id)
}

/// The lead insurer agrees a rescue, investigation or legal cost of the incident as a line of its
/// own. Returns the incident.
async fn agree_cost(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    id: Uuid,
    input: &CostInput,
) -> AppResult<Uuid> {
    let mut form = Checker::default();
    let payee = form.text("payee", &input.payee, 1, 100);
    let amount = form.yuan("amount_yuan", &input.amount_yuan);
    let mut tx = user.begin(&state.pool).await?;
    let incident = store::incident(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let lead = match store::project_cover(&mut tx, incident.project_id).await? {
        Some((lead, _)) if user.org.as_ref().map(|o| o.id) == Some(lead) => lead,
        _ => return Err(AppError::Forbidden),
    };
    form.finish()?;
    if incident.status != "reported" {
        return Err(AppError::Conflict("safety.incident_closed"));
    }
    let rescue_agreed = incident
        .costs
        .iter()
        .filter(|c| c.kind == "rescue")
        .map(|c| c.amount_fen)
        .sum();
    check_cost_line(
        input.kind.trim(),
        amount,
        rescue_agreed,
        incident.rescue_cost_fen,
    )
    .map_err(|(field, message)| AppError::field(field, message))?;
    let line = match store::insert_cost_line(
        &mut tx,
        incident.id,
        lead,
        input.kind.trim(),
        &payee,
        amount,
        user.user_id,
    )
    .await
    {
        // A concurrent rescue line or closing got there first (the trigger re-checks under lock).
        Err(err) if is_check_violation(&err) => {
            return Err(AppError::Conflict("safety.cost_refused"));
        }
        other => other?,
    };
    audit::record(
        &mut tx,
        user,
        request_id,
        audit::Entry {
            action: "safety.cost_agreed",
            entity_type: "safety_incident",
            entity_id: Some(incident.id),
            before: None,
            after: Some(serde_json::json!({ "line": line, "kind": input.kind.trim(), "payee": payee, "amount_fen": amount })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(incident.id)
}

/// Pays an agreed cost line, once. Returns the incident.
async fn pay_cost(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    id: Uuid,
    input: &SettlementPaymentInput,
) -> AppResult<Uuid> {
    let mut form = Checker::default();
    let reference = form.text("reference", &input.reference, 1, 100);
    let mut tx = user.begin(&state.pool).await?;
    let line = store::cost_line(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if user.org.as_ref().map(|o| o.id) != Some(line.lead_insurer_org_id) {
        return Err(AppError::Forbidden);
    }
    form.finish()?;
    let from =
        SettlementStatus::parse(&line.status).ok_or(AppError::Conflict("safety.already_paid"))?;
    pay_settlement(from).ok_or(AppError::Conflict("safety.already_paid"))?;
    if !store::pay_cost_line(&mut tx, &line, &reference).await? {
        return Err(AppError::Conflict("stale"));
    }
    audit::record(
        &mut tx,
        user,
        request_id,
        audit::Entry {
            action: "safety.cost_paid",
            entity_type: "safety_incident",
            entity_id: Some(line.incident_id),
            before: Some(serde_json::json!({ "line": line.id, "status": from.as_str() })),
            after: Some(
                serde_json::json!({ "line": line.id, "status": "paid", "reference": reference }),
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(line.incident_id)
}

async fn incident(state: &AppState, user: &CurrentUser, id: Uuid) -> AppResult<Incident> {
    let mut tx = user.begin(&state.pool).await?;
    let incident = store::incident(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(incident)
}

/// The incident a victim belongs to, for redirecting back to it.
async fn incident_of(state: &AppState, user: &CurrentUser, victim: Uuid) -> AppResult<Uuid> {
    let mut tx = user.begin(&state.pool).await?;
    let found = store::victim_to_settle(&mut tx, victim)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(found.incident_id)
}

// ----- pages ----------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "safety_incident.html")]
struct IncidentPage {
    ctx: PageContext,
    i: Incident,
    is_lead: bool,
    per_person_limit_fen: i64,
    cost_kinds: &'static [&'static str],
    notice: Option<&'static str>,
    errors: Vec<(usize, FieldError)>,
    error: Option<&'static str>,
}

pub(super) async fn incident_page(
    state: &AppState,
    lang: Lang,
    user: &CurrentUser,
    id: Uuid,
    notice: Option<&'static str>,
    failure: Option<AppError>,
) -> AppResult<Response> {
    let i = incident(state, user, id).await?;
    let mut tx = user.begin(&state.pool).await?;
    let (is_lead, per_person_limit_fen) = match store::project_cover(&mut tx, i.project_id).await? {
        Some((lead, pack)) => (
            user.org.as_ref().map(|o| o.id) == Some(lead),
            rules::find(&mut tx, pack)
                .await?
                .map_or(0, |p| p.params.safety_min_per_person_fen),
        ),
        None => (false, 0),
    };
    tx.commit().await?;
    let (status, errors, error) = super::forms::failure_parts(failure)?;
    render_status(
        &IncidentPage {
            ctx: PageContext::signed_in(lang, user, "/safety"),
            i,
            is_lead,
            per_person_limit_fen,
            cost_kinds: &COST_KINDS,
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
    axum::extract::Query(q): axum::extract::Query<DoneQuery>,
) -> AppResult<Response> {
    let notice = q.done.is_some().then_some("claims.saved");
    incident_page(&state, lang, &user, parse_id(&id)?, notice, None).await
}

pub async fn settle_form(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
    AppForm(input): AppForm<SettlementInput>,
) -> AppResult<Response> {
    let id = parse_id(&id)?;
    let incident = incident_of(&state, &user, id).await?;
    let action = async {
        settle(&state, &user, &request_id, id, &input)
            .await
            .map(|_| ())
    };
    after_form(
        action,
        format!("/incidents/{incident}?done=settle"),
        |err| incident_page(&state, lang, &user, incident, None, Some(err)),
    )
    .await
}

pub async fn pay_form(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
    AppForm(input): AppForm<SettlementPaymentInput>,
) -> AppResult<Response> {
    let id = parse_id(&id)?;
    let incident = incident_of(&state, &user, id).await?;
    let action = async {
        pay(&state, &user, &request_id, id, &input)
            .await
            .map(|_| ())
    };
    after_form(action, format!("/incidents/{incident}?done=pay"), |err| {
        incident_page(&state, lang, &user, incident, None, Some(err))
    })
    .await
}

pub async fn cost_form(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
    AppForm(input): AppForm<CostInput>,
) -> AppResult<Response> {
    let id = parse_id(&id)?;
    let action = async {
        agree_cost(&state, &user, &request_id, id, &input)
            .await
            .map(|_| ())
    };
    after_form(action, format!("/incidents/{id}?done=cost"), |err| {
        incident_page(&state, lang, &user, id, None, Some(err))
    })
    .await
}

pub async fn cost_payment_form(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
    AppForm(input): AppForm<SettlementPaymentInput>,
) -> AppResult<Response> {
    let id = parse_id(&id)?;
    let incident = {
        let mut tx = user.begin(&state.pool).await?;
        let line = store::cost_line(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        tx.commit().await?;
        line.incident_id
    };
    let action = async {
        pay_cost(&state, &user, &request_id, id, &input)
            .await
            .map(|_| ())
    };
    after_form(action, format!("/incidents/{incident}?done=pay"), |err| {
        incident_page(&state, lang, &user, incident, None, Some(err))
    })
    .await
}

// ----- API ------------------------------------------------------------------------------------

/// One incident with its victims and their settlements.
#[utoipa::path(get, path = "/api/v1/incidents/{id}", params(("id" = Uuid, Path)),
    responses((status = 200, body = Incident), (status = 404)))]
pub async fn api_show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<Incident>> {
    Ok(Json(incident(&state, &user, parse_id(&id)?).await?))
}

/// Agrees a victim's settlement (lead insurer).
#[utoipa::path(post, path = "/api/v1/victims/{id}/settlement", params(("id" = Uuid, Path)), request_body = SettlementInput,
    responses((status = 200, body = Incident), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn api_settle(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
    AppJson(input): AppJson<SettlementInput>,
) -> AppResult<Json<Incident>> {
    let incident_id = settle(&state, &user, &request_id, parse_id(&id)?, &input).await?;
    Ok(Json(incident(&state, &user, incident_id).await?))
}

/// Pays an agreed settlement, once.
#[utoipa::path(post, path = "/api/v1/victims/{id}/payment", params(("id" = Uuid, Path)), request_body = SettlementPaymentInput,
    responses((status = 200, body = Incident), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn api_pay(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
    AppJson(input): AppJson<SettlementPaymentInput>,
) -> AppResult<Json<Incident>> {
    let incident_id = pay(&state, &user, &request_id, parse_id(&id)?, &input).await?;
    Ok(Json(incident(&state, &user, incident_id).await?))
}

/// Agrees a rescue, investigation or legal cost of the incident (lead insurer).
#[utoipa::path(post, path = "/api/v1/incidents/{id}/costs", params(("id" = Uuid, Path)), request_body = CostInput,
    responses((status = 200, body = Incident), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn api_cost(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
    AppJson(input): AppJson<CostInput>,
) -> AppResult<Json<Incident>> {
    let incident_id = agree_cost(&state, &user, &request_id, parse_id(&id)?, &input).await?;
    Ok(Json(incident(&state, &user, incident_id).await?))
}

/// Pays an agreed cost line, once.
#[utoipa::path(post, path = "/api/v1/incident-costs/{id}/payment", params(("id" = Uuid, Path)), request_body = SettlementPaymentInput,
    responses((status = 200, body = Incident), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn api_cost_payment(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
    AppJson(input): AppJson<SettlementPaymentInput>,
) -> AppResult<Json<Incident>> {
    let incident_id = pay_cost(&state, &user, &request_id, parse_id(&id)?, &input).await?;
    Ok(Json(incident(&state, &user, incident_id).await?))
}
