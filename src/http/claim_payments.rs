//! Paying a claim: idempotent (the `Idempotency-Key` header or the form's key), a concurrent
//! retry waits on the claim row and replays the first payment, never beyond the approved amount.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::AppState;
use super::claims::detail_page;
use super::error::{AppError, AppResult};
use super::extract::{AppForm, AppJson, CurrentUser, RequestId};
use super::forms::{Checker, after_form, parse_id};
use crate::domain::claims::{ClaimAction, ClaimStatus, claim_transition};
use crate::i18n::Lang;
use crate::security::sha256_bytes;
use crate::storage::audit;
use crate::storage::claims::{self as store, ClaimChanges, Payment};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentInput {
    /// The repair contractor or the owner.
    pub payee: String,
    pub amount_yuan: String,
    /// Pages send it as a field; the API as the `Idempotency-Key` header.
    #[serde(default)]
    pub idempotency_key: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PaymentOutcome {
    pub payment_id: Uuid,
    pub amount_fen: i64,
    pub payee: String,
    /// True when this request repeated an earlier one with the same key.
    pub replayed: bool,
}

/// Pays (part of) the approved amount. The same key with the same request answers the first
/// payment again; with a different request it is refused; the database refuses overpayment.
pub async fn pay(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    id: Uuid,
    key: &str,
    input: &PaymentInput,
) -> AppResult<PaymentOutcome> {
    let mut form = Checker::default();
    let key = key.trim();
    form.check(
        (8..=100).contains(&key.len()),
        "idempotency_key",
        "claims.bad_key",
    );
    let payee = form.text("payee", &input.payee, 1, 100);
    let amount = form.yuan("amount_yuan", &input.amount_yuan);
    form.finish()?;
    let request_hash = sha256_bytes(format!("{payee}\u{1f}{amount}").as_bytes());
    try_pay(
        state,
        user,
        request_id,
        id,
        key,
        &payee,
        amount,
        &request_hash,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn try_pay(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    id: Uuid,
    key: &str,
    payee: &str,
    amount: i64,
    request_hash: &[u8],
) -> AppResult<PaymentOutcome> {
    let mut tx = user.begin(&state.pool).await?;
    let claim = store::claim(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    if user.org.as_ref().map(|o| o.id) != Some(claim.lead_insurer_org_id) {
        return Err(AppError::Forbidden);
    }
    // Payments on one claim queue behind each other, so a retry sees the first one's key.
    let claim = store::claim_locked(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(earlier) = store::payment_by_key(&mut tx, claim.id, key).await? {
        tx.commit().await?;
        return replay(earlier, request_hash);
    }
    let from =
        ClaimStatus::parse(&claim.status).ok_or(AppError::Conflict("claims.transition_refused"))?;
    let to = claim_transition(from, ClaimAction::Pay)
        .ok_or(AppError::Conflict("claims.transition_refused"))?;
    let payment = match store::insert_payment(
        &mut tx,
        &claim,
        key,
        request_hash,
        payee,
        amount,
        user.user_id,
    )
    .await
    {
        Ok(payment) => payment,
        Err(err) if super::parcels::is_check_violation(&err) => {
            return Err(AppError::field("amount_yuan", "claims.over_approved"));
        }
        Err(err) => return Err(err.into()),
    };
    if claim.paid_fen + amount == claim.approved_amount_fen.unwrap_or(0)
        && !store::transition(&mut tx, &claim, to.as_str(), ClaimChanges::default()).await?
    {
        return Err(AppError::Conflict("stale"));
    }
    store::add_event(
        &mut tx,
        claim.id,
        "payment",
        &format!("{payee} {}", crate::domain::money::format_yuan(amount)),
        user.user_id,
    )
    .await?;
    audit::record(&mut tx, user, request_id, audit::Entry {
        action: "claim.paid",
        entity_type: "claim",
        entity_id: Some(claim.id),
        before: Some(serde_json::json!({ "paid_fen": claim.paid_fen })),
        after: Some(serde_json::json!({ "paid_fen": claim.paid_fen + amount, "payee": payee, "idempotency_key": key })),
    })
    .await?;
    tx.commit().await?;
    Ok(PaymentOutcome {
        payment_id: payment,
        amount_fen: amount,
        payee: payee.to_owned(),
        replayed: false,
    })
}

fn replay(earlier: Payment, request_hash: &[u8]) -> AppResult<PaymentOutcome> {
    if earlier.request_hash != request_hash {
        return Err(AppError::field("idempotency_key", "claims.key_reused"));
    }
    Ok(PaymentOutcome {
        payment_id: earlier.id,
        amount_fen: earlier.amount_fen,
        payee: earlier.payee,
        replayed: true,
    })
}

pub async fn pay_form(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
    AppForm(input): AppForm<PaymentInput>,
) -> AppResult<Response> {
    let id = parse_id(&id)?;
    let action = async {
        pay(
            &state,
            &user,
            &request_id,
            id,
            &input.idempotency_key,
            &input,
        )
        .await
        .map(|_| ())
    };
    after_form(action, format!("/claims/{id}?done=pay"), |err| {
        detail_page(&state, lang, &user, id, None, Some(err))
    })
    .await
}

/// Pays the approved amount (or part of it). Requires an `Idempotency-Key` header: a retried
/// request returns the first payment; the same key with another body is refused.
#[utoipa::path(post, path = "/api/v1/claims/{id}/payments", params(("id" = Uuid, Path), ("Idempotency-Key" = String, Header)), request_body = PaymentInput,
    responses((status = 201, body = PaymentOutcome), (status = 200, body = PaymentOutcome), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn api_pay(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    AppJson(input): AppJson<PaymentInput>,
) -> AppResult<Response> {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let outcome = pay(&state, &user, &request_id, parse_id(&id)?, &key, &input).await?;
    let status = if outcome.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(outcome)).into_response())
}
