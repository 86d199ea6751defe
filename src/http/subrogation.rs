//! Subrogation (代位追偿) on a paid claim: the lead insurer opens a case against the responsible
//! party, books what comes back, and closes it when all is recovered or it gives up. Shown on the
//! claim's page; the owner does not see it.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::AppState;
use super::claims::detail_page;
use super::error::{AppError, AppResult};
use super::extract::{AppForm, AppJson, CurrentUser, RequestId};
use super::forms::{Checker, after_form, parse_id};
use super::parcels::{is_check_violation, is_unique_violation};
use crate::domain::claims::ClaimStatus;
use crate::domain::subrogation::{SubrogationAction, SubrogationStatus, subrogation_transition};
use crate::i18n::Lang;
use crate::storage::audit;
use crate::storage::claims as claim_store;
use crate::storage::subrogation::{self as store, NewCase, Recovery, SubrogationCase};

/// A case with its recoveries, as the claim page and the API show it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SubrogationView {
    #[serde(flatten)]
    pub case: SubrogationCase,
    pub recoveries: Vec<Recovery>,
}

pub async fn for_claim(
    conn: &mut sqlx::PgConnection,
    claim: Uuid,
) -> AppResult<Option<SubrogationView>> {
    let Some(case) = store::by_claim(conn, claim).await? else {
        return Ok(None);
    };
    let recoveries = store::recoveries(conn, case.id).await?;
    Ok(Some(SubrogationView { case, recoveries }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenInput {
    /// Who is liable: a contractor, supplier or the developer.
    pub against_party: String,
    /// Why they are liable (the survey's finding, the contract clause).
    pub basis: String,
    /// What is claimed from them, in yuan; at most what was paid on the claim.
    pub claimed_yuan: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecoveryInput {
    pub amount_yuan: String,
    /// YYYY-MM-DD
    pub received_on: String,
    /// The bank or court reference.
    pub reference: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AbandonInput {
    pub note: String,
}

fn require_lead(user: &CurrentUser, lead: Uuid) -> AppResult<()> {
    if user.org.as_ref().map(|o| o.id) == Some(lead) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

async fn open(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    claim_id: Uuid,
    input: &OpenInput,
) -> AppResult<Uuid> {
    let mut form = Checker::default();
    let against_party = form.text("against_party", &input.against_party, 2, 100);
    let basis = form.text("basis", &input.basis, 2, 2000);
    let claimed_fen = form.yuan("claimed_yuan", &input.claimed_yuan);
    let mut tx = user.begin(&state.pool).await?;
    let claim = claim_store::claim(&mut tx, claim_id)
        .await?
        .ok_or(AppError::NotFound)?;
    require_lead(user, claim.lead_insurer_org_id)?;
    form.finish()?;
    if ClaimStatus::parse(&claim.status) != Some(ClaimStatus::Paid) {
        return Err(AppError::Conflict("subrogation.needs_payment"));
    }
    let case = NewCase {
        against_party: &against_party,
        basis: &basis,
        claimed_fen,
    };
    let id = match store::open(&mut tx, claim.id, case, user.user_id).await {
        Ok(id) => id,
        Err(err) if is_unique_violation(&err) => {
            return Err(AppError::Conflict("subrogation.exists"));
        }
        Err(err) if is_check_violation(&err) => {
            return Err(AppError::field("claimed_yuan", "subrogation.over_paid"));
        }
        Err(err) => return Err(err.into()),
    };
    audit::record(
        &mut tx,
        user,
        request_id,
        audit::Entry {
            action: "subrogation.opened",
            entity_type: "subrogation_case",
            entity_id: Some(id),
            before: None,
            after: Some(serde_json::json!({
                "claim_id": claim.id, "against_party": against_party, "claimed_fen": claimed_fen,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(claim.id)
}

/// Loads a case for a change by its lead insurer: 404 when invisible, 403 when not the lead.
async fn case_for_change(
    conn: &mut sqlx::PgConnection,
    user: &CurrentUser,
    id: Uuid,
) -> AppResult<(SubrogationCase, SubrogationStatus)> {
    let case = store::find(conn, id).await?.ok_or(AppError::NotFound)?;
    require_lead(user, case.lead_insurer_org_id)?;
    let status =
        SubrogationStatus::parse(&case.status).ok_or(AppError::Conflict("subrogation.closed"))?;
    Ok((case, status))
}

async fn recover(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    id: Uuid,
    input: &RecoveryInput,
) -> AppResult<Uuid> {
    let mut form = Checker::default();
    let amount_fen = form.yuan("amount_yuan", &input.amount_yuan);
    let received_on = form.date("received_on", &input.received_on);
    let reference = form.text("reference", &input.reference, 1, 100);
    let mut tx = user.begin(&state.pool).await?;
    let (case, from) = case_for_change(&mut tx, user, id).await?;
    form.finish()?;
    let action = SubrogationAction::Recover {
        recovered_fen: case.recovered_fen + amount_fen,
        claimed_fen: case.claimed_fen,
    };
    let Some(to) = subrogation_transition(from, action) else {
        return Err(if from == SubrogationStatus::Open {
            AppError::field("amount_yuan", "subrogation.over_claimed")
        } else {
            AppError::Conflict("subrogation.closed")
        });
    };
    match store::add_recovery(
        &mut tx,
        &case,
        amount_fen,
        received_on,
        &reference,
        user.user_id,
    )
    .await
    {
        Ok(()) => {}
        Err(err) if is_check_violation(&err) => {
            return Err(AppError::field("amount_yuan", "subrogation.over_claimed"));
        }
        Err(err) => return Err(err.into()),
    }
    if to != from && !store::transition(&mut tx, &case, to.as_str(), None).await? {
        return Err(AppError::Conflict("stale"));
    }
    audit::record(
        &mut tx,
        user,
        request_id,
        audit::Entry {
            action: "subrogation.recovered",
            entity_type: "subrogation_case",
            entity_id: Some(case.id),
            before: Some(serde_json::json!({ "recovered_fen": case.recovered_fen, "status": case.status })),
            after: Some(serde_json::json!({
                "recovered_fen": case.recovered_fen + amount_fen, "status": to.as_str(), "reference": reference,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(case.claim_id)
}

async fn abandon(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    id: Uuid,
    input: &AbandonInput,
) -> AppResult<Uuid> {
    let mut form = Checker::default();
    let note = form.text("note", &input.note, 2, 2000);
    let mut tx = user.begin(&state.pool).await?;
    let (case, from) = case_for_change(&mut tx, user, id).await?;
    form.finish()?;
    let to = subrogation_transition(from, SubrogationAction::Abandon)
        .ok_or(AppError::Conflict("subrogation.closed"))?;
    if !store::transition(&mut tx, &case, to.as_str(), Some(&note)).await? {
        return Err(AppError::Conflict("stale"));
    }
    audit::record(
        &mut tx,
        user,
        request_id,
        audit::Entry {
            action: "subrogation.abandoned",
            entity_type: "subrogation_case",
            entity_id: Some(case.id),
            before: Some(serde_json::json!({ "status": case.status })),
            after: Some(serde_json::json!({ "status": to.as_str(), "note": note })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(case.claim_id)
}

async fn view_of(
    state: &AppState,
    user: &CurrentUser,
    claim: Uuid,
) -> AppResult<Json<SubrogationView>> {
    let mut tx = user.begin(&state.pool).await?;
    let view = for_claim(&mut tx, claim).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(Json(view))
}

/// The claim a case belongs to, for redirecting back to it (None when the case is invisible).
async fn claim_of(state: &AppState, user: &CurrentUser, id: Uuid) -> AppResult<Uuid> {
    let mut tx = user.begin(&state.pool).await?;
    let case = store::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(case.claim_id)
}

// ----- pages ----------------------------------------------------------------------------------

pub async fn open_form(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
    AppForm(input): AppForm<OpenInput>,
) -> AppResult<Response> {
    let id = parse_id(&id)?;
    let action = async {
        open(&state, &user, &request_id, id, &input)
            .await
            .map(|_| ())
    };
    after_form(action, format!("/claims/{id}?done=subrogation"), |err| {
        detail_page(&state, lang, &user, id, None, Some(err))
    })
    .await
}

pub async fn recovery_form(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
    AppForm(input): AppForm<RecoveryInput>,
) -> AppResult<Response> {
    let id = parse_id(&id)?;
    let claim = claim_of(&state, &user, id).await?;
    let action = async {
        recover(&state, &user, &request_id, id, &input)
            .await
            .map(|_| ())
    };
    after_form(action, format!("/claims/{claim}?done=recovery"), |err| {
        detail_page(&state, lang, &user, claim, None, Some(err))
    })
    .await
}

pub async fn abandon_form(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
    AppForm(input): AppForm<AbandonInput>,
) -> AppResult<Response> {
    let id = parse_id(&id)?;
    let claim = claim_of(&state, &user, id).await?;
    let action = async {
        abandon(&state, &user, &request_id, id, &input)
            .await
            .map(|_| ())
    };
    after_form(action, format!("/claims/{claim}?done=abandon"), |err| {
        detail_page(&state, lang, &user, claim, None, Some(err))
    })
    .await
}

// ----- API ------------------------------------------------------------------------------------

/// Opens a subrogation case on a paid claim (lead insurer).
#[utoipa::path(post, path = "/api/v1/claims/{id}/subrogation", params(("id" = Uuid, Path)), request_body = OpenInput,
    responses((status = 200, body = SubrogationView), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn api_open(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
    AppJson(input): AppJson<OpenInput>,
) -> AppResult<Json<SubrogationView>> {
    let claim = open(&state, &user, &request_id, parse_id(&id)?, &input).await?;
    view_of(&state, &user, claim).await
}

/// Books money recovered; the case closes as recovered when the whole claim is back.
#[utoipa::path(post, path = "/api/v1/subrogation/{id}/recoveries", params(("id" = Uuid, Path)), request_body = RecoveryInput,
    responses((status = 200, body = SubrogationView), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn api_recover(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
    AppJson(input): AppJson<RecoveryInput>,
) -> AppResult<Json<SubrogationView>> {
    let claim = recover(&state, &user, &request_id, parse_id(&id)?, &input).await?;
    view_of(&state, &user, claim).await
}

/// Stops pursuing a case, with a note saying why.
#[utoipa::path(post, path = "/api/v1/subrogation/{id}/abandon", params(("id" = Uuid, Path)), request_body = AbandonInput,
    responses((status = 200, body = SubrogationView), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn api_abandon(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
    AppJson(input): AppJson<AbandonInput>,
) -> AppResult<Json<SubrogationView>> {
    let claim = abandon(&state, &user, &request_id, parse_id(&id)?, &input).await?;
    view_of(&state, &user, claim).await
}
