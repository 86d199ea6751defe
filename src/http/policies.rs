//! The policy from the insurer's and developer's side: pricing and quote (with co-insurers),
//! acceptance, payment, issue with a policy number (见费出单), cover start, the TIS agency,
//! endorsements and cancellation. Each action is one transaction: load, check the transition,
//! update optimistically (409 if someone else moved first), audit.

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::AppState;
use super::api::Items;
use super::error::{AppError, AppResult, FieldError};
use super::export::{Cell, Sheet};
use super::extract::{AppForm, AppJson, CurrentUser, RequestId};
use super::forms::{Checker, DoneQuery, after_form, failure_parts, parse_id};
use crate::domain::money::{WHOLE_BP, apply_rate, split_by_shares};
use crate::domain::policy::{
    PolicyAction, PolicyStatus, TransitionError, insurer_next_step, transition,
};
use crate::domain::project::ProjectStage;
use crate::domain::risk::inspection_plan;
use crate::domain::rules::{HousingType, building_premium};
use crate::domain::tenancy::OrgKind;
use crate::i18n::Lang;
use crate::storage::policies::{
    self as store, BuildingPremiumRow, Changes, Endorsement, Policy, Share,
};
use crate::storage::projects as project_store;
use crate::storage::{audit, rules};
use crate::views::{PageContext, render, render_status};

async fn load(conn: &mut sqlx::PgConnection, id: Uuid) -> AppResult<Policy> {
    store::find(conn, id).await?.ok_or(AppError::NotFound)
}

/// Checks the move with the one transition function, and that the caller is *this* policy's
/// developer or lead insurer (a co-insurer or anyone else may only read).
fn next_status(
    policy: &Policy,
    user: &CurrentUser,
    action: PolicyAction,
) -> AppResult<PolicyStatus> {
    let kind = user.org_kind().ok_or(AppError::Forbidden)?;
    let org = user.org.as_ref().map(|o| o.id);
    let is_party = match action.party() {
        OrgKind::Developer => org == Some(policy.developer_org_id),
        _ => org == Some(policy.lead_insurer_org_id),
    };
    if !is_party {
        return Err(AppError::Forbidden);
    }
    let from =
        PolicyStatus::parse(&policy.status).ok_or(AppError::Conflict("policy.bad_status"))?;
    transition(from, action, kind).map_err(|err| match err {
        TransitionError::WrongParty => AppError::Forbidden,
        TransitionError::NotAllowedFrom(_) => AppError::Conflict("policy.transition_refused"),
    })
}

async fn apply_transition(
    conn: &mut sqlx::PgConnection,
    user: &CurrentUser,
    request_id: &str,
    policy: &Policy,
    to: PolicyStatus,
    changes: Changes<'_>,
    detail: serde_json::Value,
) -> AppResult<()> {
    if !store::transition(
        conn,
        policy.id,
        policy.version,
        &policy.status,
        to.as_str(),
        changes,
    )
    .await?
    {
        return Err(AppError::Conflict("stale"));
    }
    let mut after = serde_json::json!({ "status": to.as_str() });
    if let (Some(after), Some(extra)) = (after.as_object_mut(), detail.as_object()) {
        after.extend(extra.clone());
    }
    audit::record(
        conn,
        user,
        request_id,
        audit::Entry {
            action: "policy.status_changed",
            entity_type: "policy",
            entity_id: Some(policy.id),
            before: Some(serde_json::json!({ "status": policy.status })),
            after: Some(after),
        },
    )
    .await?;
    Ok(())
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteInput {
    /// The lead insurer's share in percent (e.g. "60"); the rest goes to the co-insurers.
    pub lead_share_percent: String,
    /// Co-insurers as "code:percent" pairs separated by commas, e.g. "picc-qd:40". Empty for none.
    #[serde(default)]
    pub co_insurers: String,
}

/// Prices every building under the policy's rule pack and quotes, with the insurers' shares.
pub async fn quote(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    id: Uuid,
    input: &QuoteInput,
) -> AppResult<()> {
    let mut tx = user.begin(&state.pool).await?;
    let policy = load(&mut tx, id).await?;
    let to = next_status(&policy, user, PolicyAction::Quote)?;
    let mut form = Checker::default();
    let lead_bp = form.percent("lead_share_percent", &input.lead_share_percent);
    let mut shares: Vec<(Uuid, bool, i64)> = vec![(policy.lead_insurer_org_id, true, lead_bp)];
    for pair in input
        .co_insurers
        .split([',', '，', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let (code, percent) = pair.split_once(':').unwrap_or((pair, ""));
        let bp = form.percent("co_insurers", percent);
        match project_store::org_by_code(&mut tx, code.trim(), OrgKind::Insurer.as_str()).await? {
            Some(org) if shares.iter().all(|(o, _, _)| *o != org) => shares.push((org, false, bp)),
            Some(_) => form.check(false, "co_insurers", "policy.duplicate_insurer"),
            None => form.check(false, "co_insurers", "policy.unknown_insurer"),
        }
    }
    form.check(
        shares.iter().map(|(_, _, bp)| bp).sum::<i64>() == WHOLE_BP,
        "co_insurers",
        "policy.shares_not_100",
    );
    form.finish()?;

    let pack = rules::find(&mut tx, policy.rule_pack_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let buildings = project_store::buildings(&mut tx, policy.project_id).await?;
    let mut rows = Vec::new();
    let (mut idi, mut safety) = (0i64, 0i64);
    for b in &buildings {
        let types: Vec<HousingType> = b
            .housing_types
            .iter()
            .filter_map(|t| HousingType::parse(t))
            .collect();
        let premium = building_premium(&pack.params, &types, b.construction_cost_fen)
            .ok_or(AppError::Conflict("policy.cannot_price"))?;
        idi += premium.idi_fen;
        safety += premium.safety_fen;
        rows.push((b.id, premium.rate_bp, premium.idi_fen, premium.safety_fen));
    }
    if rows.is_empty() {
        return Err(AppError::Conflict("policy.needs_buildings"));
    }
    let total = idi + safety;
    let tis_fee = apply_rate(idi, pack.params.tis_fee_share_bp)
        .ok_or(AppError::Conflict("policy.cannot_price"))?;
    let bps: Vec<i64> = shares.iter().map(|(_, _, bp)| *bp).collect();
    let parts = split_by_shares(total, &bps).ok_or(AppError::Conflict("policy.cannot_price"))?;
    let share_rows: Vec<(Uuid, bool, i64, i64)> = shares
        .iter()
        .zip(parts)
        .map(|((org, lead, bp), fen)| (*org, *lead, *bp, fen))
        .collect();

    store::replace_quote(&mut tx, policy.id, &rows, &share_rows).await?;
    let co: Vec<Uuid> = share_rows.iter().filter(|s| !s.1).map(|s| s.0).collect();
    project_store::retire_parties(&mut tx, policy.project_id, "co_insurer", &co).await?;
    for org in &co {
        project_store::add_party(&mut tx, policy.project_id, *org, "co_insurer").await?;
    }
    apply_transition(&mut tx, user, request_id, &policy, to, Changes { premiums: Some((idi, safety, total, tis_fee)), ..Changes::default() },
        serde_json::json!({ "idi_premium_fen": idi, "safety_premium_fen": safety, "total_premium_fen": total,
            "shares": share_rows.iter().map(|s| serde_json::json!({ "insurer": s.0, "share_bp": s.2, "premium_fen": s.3 })).collect::<Vec<_>>() }))
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A transition that needs nothing but the policy: accept, start cover.
async fn simple_transition(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    id: Uuid,
    action: PolicyAction,
) -> AppResult<()> {
    let mut tx = user.begin(&state.pool).await?;
    let policy = load(&mut tx, id).await?;
    let to = next_status(&policy, user, action)?;
    if action == PolicyAction::StartCover {
        let project = project_store::project(&mut tx, policy.project_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if ProjectStage::parse(&project.stage).is_none_or(|s| s < ProjectStage::Permitted) {
            return Err(AppError::Conflict("policy.needs_permit"));
        }
    }
    apply_transition(
        &mut tx,
        user,
        request_id,
        &policy,
        to,
        Changes::default(),
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn accept(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    id: Uuid,
) -> AppResult<()> {
    simple_transition(state, user, request_id, id, PolicyAction::Accept).await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentInput {
    /// Amount received in yuan; must equal the quoted premium.
    pub amount_yuan: String,
    /// Bank or receipt reference.
    pub reference: String,
}

pub async fn record_payment(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    id: Uuid,
    input: &PaymentInput,
) -> AppResult<()> {
    let mut tx = user.begin(&state.pool).await?;
    let policy = load(&mut tx, id).await?;
    let to = next_status(&policy, user, PolicyAction::RecordPayment)?;
    let mut form = Checker::default();
    let amount = form.yuan("amount_yuan", &input.amount_yuan);
    let reference = form.text("reference", &input.reference, 1, 100);
    form.check(
        Some(amount) == policy.total_premium_fen || amount == 0,
        "amount_yuan",
        "policy.amount_mismatch",
    );
    form.finish()?;
    apply_transition(
        &mut tx,
        user,
        request_id,
        &policy,
        to,
        Changes {
            payment: Some((amount, &reference)),
            ..Changes::default()
        },
        serde_json::json!({ "paid_amount_fen": amount, "reference": reference }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn issue(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    id: Uuid,
) -> AppResult<String> {
    let mut tx = user.begin(&state.pool).await?;
    let policy = load(&mut tx, id).await?;
    let to = next_status(&policy, user, PolicyAction::Issue)?;
    apply_transition(
        &mut tx,
        user,
        request_id,
        &policy,
        to,
        Changes {
            assign_number: true,
            ..Changes::default()
        },
        serde_json::json!({}),
    )
    .await?;
    let issued = load(&mut tx, id).await?;
    // The inspection plan starts with the policy: every stage node and the routine visits.
    let project = project_store::project(&mut tx, issued.project_id)
        .await?
        .ok_or(AppError::NotFound)?;
    crate::storage::risk::insert_plan(
        &mut tx,
        &project,
        &inspection_plan(super::projects::today()),
    )
    .await?;
    tx.commit().await?;
    issued
        .policy_number
        .ok_or(AppError::Conflict("policy.transition_refused"))
}

/// Cover starts once the project holds its construction permit.
pub async fn start_cover(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    id: Uuid,
) -> AppResult<()> {
    simple_transition(state, user, request_id, id, PolicyAction::StartCover).await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelInput {
    pub reason: String,
}

pub async fn cancel(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    id: Uuid,
    input: &CancelInput,
) -> AppResult<()> {
    let mut tx = user.begin(&state.pool).await?;
    let policy = load(&mut tx, id).await?;
    let to = next_status(&policy, user, PolicyAction::Cancel)?;
    let mut form = Checker::default();
    let reason = form.text("reason", &input.reason, 2, 500);
    form.finish()?;
    let pack = rules::find(&mut tx, policy.rule_pack_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let project = project_store::project(&mut tx, policy.project_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let permitted =
        ProjectStage::parse(&project.stage).is_some_and(|s| s >= ProjectStage::Permitted);
    if permitted && !pack.params.cancellable_after_permit {
        return Err(AppError::Conflict("policy.cancel_after_permit"));
    }
    apply_transition(
        &mut tx,
        user,
        request_id,
        &policy,
        to,
        Changes {
            cancel_reason: Some(&reason),
            ..Changes::default()
        },
        serde_json::json!({ "reason": reason }),
    )
    .await?;
    store::insert_endorsement(
        &mut tx,
        policy.id,
        "cancellation",
        None,
        None,
        &reason,
        user.user_id,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgencyInput {
    /// Organisation code of the risk-management agency (风险管理机构).
    pub agency: String,
}

/// The lead insurer hires the TIS agency; from then on it sees this project and no other.
pub async fn assign_agency(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    id: Uuid,
    input: &AgencyInput,
) -> AppResult<()> {
    let mut tx = user.begin(&state.pool).await?;
    let policy = load(&mut tx, id).await?;
    if user.org.as_ref().map(|o| o.id) != Some(policy.lead_insurer_org_id) {
        return Err(AppError::Forbidden);
    }
    if PolicyStatus::parse(&policy.status).is_none_or(|s| !s.is_live()) {
        return Err(AppError::Conflict("policy.transition_refused"));
    }
    let agency =
        project_store::org_by_code(&mut tx, input.agency.trim(), OrgKind::RiskAgency.as_str())
            .await?
            .ok_or_else(|| AppError::field("agency", "policy.unknown_agency"))?;
    project_store::retire_parties(&mut tx, policy.project_id, "risk_agency", &[agency]).await?;
    project_store::add_party(&mut tx, policy.project_id, agency, "risk_agency").await?;
    audit::record(
        &mut tx,
        user,
        request_id,
        audit::Entry {
            action: "project.agency_assigned",
            entity_type: "project",
            entity_id: Some(policy.project_id),
            before: None,
            after: Some(serde_json::json!({ "agency": input.agency.trim() })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndorsementInput {
    /// exclusion | special_condition
    pub kind: String,
    /// Cover section code (STRUCTURE, WATERPROOFING, …); empty for the whole policy.
    #[serde(default)]
    pub section_code: String,
    /// Building id; empty for every building.
    #[serde(default)]
    pub building_id: String,
    pub text: String,
}

pub async fn endorse(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    id: Uuid,
    input: &EndorsementInput,
) -> AppResult<Uuid> {
    let mut tx = user.begin(&state.pool).await?;
    let policy = load(&mut tx, id).await?;
    if user.org.as_ref().map(|o| o.id) != Some(policy.lead_insurer_org_id) {
        return Err(AppError::Forbidden);
    }
    if PolicyStatus::parse(&policy.status).is_none_or(|s| !s.is_live()) {
        return Err(AppError::Conflict("policy.transition_refused"));
    }
    let pack = rules::find(&mut tx, policy.rule_pack_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let buildings = project_store::buildings(&mut tx, policy.project_id).await?;
    let mut form = Checker::default();
    let kind = input.kind.trim();
    form.check(
        matches!(kind, "exclusion" | "special_condition"),
        "kind",
        "policy.bad_endorsement_kind",
    );
    let section = Some(input.section_code.trim()).filter(|s| !s.is_empty());
    form.check(
        section.is_none_or(|s| pack.params.sections.iter().any(|x| x.code == s)),
        "section_code",
        "policy.unknown_section",
    );
    let building = Some(input.building_id.trim())
        .filter(|b| !b.is_empty())
        .map(|b| Uuid::parse_str(b).ok());
    let building = match building {
        None => None,
        Some(Some(b)) if buildings.iter().any(|x| x.id == b) => Some(b),
        Some(_) => {
            form.check(false, "building_id", "policy.unknown_building");
            None
        }
    };
    let text = form.text("text", &input.text, 2, 2000);
    form.finish()?;
    let endorsement = store::insert_endorsement(
        &mut tx,
        policy.id,
        kind,
        section,
        building,
        &text,
        user.user_id,
    )
    .await?;
    audit::record(&mut tx, user, request_id, audit::Entry {
        action: "policy.endorsed",
        entity_type: "policy",
        entity_id: Some(policy.id),
        before: None,
        after: Some(serde_json::json!({ "kind": kind, "section": section, "building": building, "text": text })),
    })
    .await?;
    tx.commit().await?;
    Ok(endorsement)
}

// ----- reading --------------------------------------------------------------------------------

#[derive(Serialize, utoipa::ToSchema)]
pub struct PolicyDetail {
    pub policy: Policy,
    pub buildings: Vec<BuildingPremiumRow>,
    pub shares: Vec<Share>,
    pub endorsements: Vec<Endorsement>,
}

async fn detail(state: &AppState, user: &CurrentUser, id: Uuid) -> AppResult<PolicyDetail> {
    let mut tx = user.begin(&state.pool).await?;
    let policy = load(&mut tx, id).await?;
    let buildings = store::building_premiums(&mut tx, id).await?;
    let shares = store::shares(&mut tx, id).await?;
    let endorsements = store::endorsements(&mut tx, id).await?;
    tx.commit().await?;
    Ok(PolicyDetail {
        policy,
        buildings,
        shares,
        endorsements,
    })
}

#[derive(Template)]
#[template(path = "policies/list.html")]
struct ListPage {
    ctx: PageContext,
    policies: Vec<Policy>,
    statuses: Vec<&'static str>,
    selected: String,
}

#[derive(Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    format: Option<String>,
}

pub async fn index(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    if user.org.is_none() {
        return Err(AppError::NotFound);
    }
    let selected = query.status.unwrap_or_default();
    let status = PolicyStatus::parse(&selected);
    let mut tx = user.begin(&state.pool).await?;
    let policies = store::list(&mut tx, status.map(PolicyStatus::as_str)).await?;
    tx.commit().await?;
    if query.format.as_deref() == Some("xlsx") {
        let ctx = PageContext::signed_in(lang, &user, "/policies");
        return policy_sheet(&ctx, &policies).download("policies.xlsx");
    }
    render(&ListPage {
        ctx: PageContext::signed_in(lang, &user, "/policies"),
        policies,
        statuses: PolicyStatus::ALL.iter().map(|s| s.as_str()).collect(),
        selected,
    })
}

fn policy_sheet(ctx: &PageContext, policies: &[Policy]) -> Sheet {
    Sheet {
        rows: policies
            .iter()
            .map(|p| {
                vec![
                    Cell::Text(p.policy_number.clone().unwrap_or_default()),
                    Cell::Text(p.project_name.clone()),
                    Cell::Text(p.district_name_zh.clone()),
                    Cell::Text(p.developer_name_zh.clone()),
                    Cell::Text(p.lead_insurer_name_zh.clone()),
                    Cell::Text(ctx.label("policy.status", &p.status).to_owned()),
                    p.total_premium_fen
                        .map_or(Cell::Text(String::new()), Cell::yuan),
                    Cell::Text(ctx.opt_time(&p.applied_at)),
                    Cell::Text(ctx.opt_time(&p.issued_at)),
                ]
            })
            .collect(),
        ..Sheet::localized(
            ctx,
            "nav.policies",
            &[
                "policy.number",
                "projects.name",
                "org.district",
                "projects.developer",
                "policy.lead_insurer",
                "policy.status",
                "policy.total_premium",
                "policy.applied_at",
                "policy.issued_at",
            ],
        )
    }
}

#[derive(Template)]
#[template(path = "policies/detail.html")]
struct DetailPage {
    ctx: PageContext,
    d: PolicyDetail,
    is_lead: bool,
    is_developer: bool,
    next_step: Option<&'static str>,
    sections: Vec<(String, String)>,
    agencies: Vec<(String, String)>,
    insurers: Vec<(String, String)>,
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
    let d = detail(state, user, id).await?;
    let mut tx = user.begin(&state.pool).await?;
    let pack = rules::find(&mut tx, d.policy.rule_pack_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let directory = |kind: &'static str| {
        sqlx::query_as::<_, (String, String)>(
            "SELECT code, name_zh FROM organisations WHERE kind = $1 ORDER BY name_zh",
        )
        .bind(kind)
    };
    let agencies = directory("risk_agency").fetch_all(&mut *tx).await?;
    let insurers = directory("insurer").fetch_all(&mut *tx).await?;
    tx.commit().await?;
    let org = user.org.as_ref().map(|o| o.id);
    let is_lead = org == Some(d.policy.lead_insurer_org_id);
    let is_developer = org == Some(d.policy.developer_org_id);
    let status = PolicyStatus::parse(&d.policy.status);
    let next_step = match (is_lead, is_developer, status) {
        (true, _, Some(s)) => insurer_next_step(s),
        (_, true, Some(s)) => crate::domain::policy::developer_next_step(s),
        _ => None,
    };
    let sections = pack
        .params
        .sections
        .iter()
        .map(|s| (s.code.clone(), lang.pick(&s.name_zh, &s.name_en).to_owned()))
        .collect();
    let (status_code, errors, error) = failure_parts(failure)?;
    render_status(
        &DetailPage {
            ctx: PageContext::signed_in(lang, user, "/policies"),
            d,
            is_lead,
            is_developer,
            next_step,
            sections,
            agencies,
            insurers,
            notice,
            errors,
            error,
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
    let notice = query.done.as_deref().map(|d| match d {
        "quote" => "policy.quoted_notice",
        "accept" => "policy.accepted_notice",
        "payment" => "policy.paid_notice",
        "issue" => "policy.issued_notice",
        "activate" => "policy.in_force_notice",
        "agency" => "policy.agency_notice",
        "endorsement" => "policy.endorsed_notice",
        _ => "policy.cancelled_notice",
    });
    detail_page(&state, lang, &user, parse_id(&id)?, notice, None).await
}

async fn form_action(
    state: &AppState,
    lang: Lang,
    user: &CurrentUser,
    id: Uuid,
    done: &str,
    action: impl std::future::Future<Output = AppResult<()>>,
) -> AppResult<Response> {
    after_form(action, format!("/policies/{id}?done={done}"), |err| {
        detail_page(state, lang, user, id, None, Some(err))
    })
    .await
}

/// One page handler and one API handler per action, all calling the functions above.
macro_rules! policy_action {
    ($page:ident, $api:ident, $path:literal, $done:literal, $input:ty, |$state:ident, $user:ident, $rid:ident, $id:ident, $body:ident| $call:expr) => {
        pub async fn $page(
            State($state): State<AppState>,
            lang: Lang,
            RequestId($rid): RequestId,
            $user: CurrentUser,
            Path(raw): Path<String>,
            AppForm($body): AppForm<$input>,
        ) -> AppResult<Response> {
            let $id = parse_id(&raw)?;
            form_action(&$state, lang, &$user, $id, $done, async { $call.await.map(|_| ()) }).await
        }

        #[utoipa::path(post, path = $path, params(("id" = Uuid, Path)), request_body = $input,
            responses((status = 200, body = PolicyDetail), (status = 403), (status = 404), (status = 409), (status = 422)))]
        pub async fn $api(
            State($state): State<AppState>,
            RequestId($rid): RequestId,
            $user: CurrentUser,
            Path(raw): Path<String>,
            AppJson($body): AppJson<$input>,
        ) -> AppResult<Json<PolicyDetail>> {
            let $id = parse_id(&raw)?;
            $call.await?;
            Ok(Json(detail(&$state, &$user, $id).await?))
        }
    };
}

/// Actions without input still take an (empty) body, so forms and JSON stay uniform.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoInput {
    /// The version the caller saw (optional).
    #[serde(default)]
    pub version: Option<i32>,
}

policy_action!(
    quote_form,
    api_quote,
    "/api/v1/policies/{id}/quote",
    "quote",
    QuoteInput,
    |state, user, rid, id, body| quote(&state, &user, &rid, id, &body)
);
policy_action!(
    accept_form,
    api_accept,
    "/api/v1/policies/{id}/accept",
    "accept",
    NoInput,
    |state, user, rid, id, body| async {
        check_version(&state, &user, id, body.version).await?;
        accept(&state, &user, &rid, id).await
    }
);
policy_action!(
    payment_form,
    api_payment,
    "/api/v1/policies/{id}/payment",
    "payment",
    PaymentInput,
    |state, user, rid, id, body| record_payment(&state, &user, &rid, id, &body)
);
policy_action!(
    issue_form,
    api_issue,
    "/api/v1/policies/{id}/issue",
    "issue",
    NoInput,
    |state, user, rid, id, body| async {
        check_version(&state, &user, id, body.version).await?;
        issue(&state, &user, &rid, id).await.map(|_| ())
    }
);
policy_action!(
    activate_form,
    api_activate,
    "/api/v1/policies/{id}/activate",
    "activate",
    NoInput,
    |state, user, rid, id, body| async {
        check_version(&state, &user, id, body.version).await?;
        start_cover(&state, &user, &rid, id).await
    }
);
policy_action!(
    agency_form,
    api_agency,
    "/api/v1/policies/{id}/agency",
    "agency",
    AgencyInput,
    |state, user, rid, id, body| assign_agency(&state, &user, &rid, id, &body)
);
policy_action!(
    endorse_form,
    api_endorse,
    "/api/v1/policies/{id}/endorsements",
    "endorsement",
    EndorsementInput,
    |state, user, rid, id, body| endorse(&state, &user, &rid, id, &body)
);
policy_action!(
    cancel_form,
    api_cancel,
    "/api/v1/policies/{id}/cancel",
    "cancel",
    CancelInput,
    |state, user, rid, id, body| cancel(&state, &user, &rid, id, &body)
);

/// A stale page (another user moved the policy since it was loaded) answers 409.
async fn check_version(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    seen: Option<i32>,
) -> AppResult<()> {
    let Some(seen) = seen else { return Ok(()) };
    let mut tx = user.begin(&state.pool).await?;
    let policy = load(&mut tx, id).await?;
    tx.commit().await?;
    if policy.version == seen {
        Ok(())
    } else {
        Err(AppError::Conflict("stale"))
    }
}

/// Policies visible to the caller (lead, co-insurer, developer, agency, regulator), work first.
#[utoipa::path(get, path = "/api/v1/policies", params(("status" = Option<String>, Query)),
    responses((status = 200, body = Items<Policy>)))]
pub async fn api_list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ListQuery>,
) -> AppResult<Json<Items<Policy>>> {
    let status = match query.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            PolicyStatus::parse(s).ok_or_else(|| AppError::field("status", "policy.bad_status"))?,
        ),
    };
    let mut tx = user.begin(&state.pool).await?;
    let items = store::list(&mut tx, status.map(PolicyStatus::as_str)).await?;
    tx.commit().await?;
    Ok(Json(Items { items }))
}

#[utoipa::path(get, path = "/api/v1/policies/{id}", params(("id" = Uuid, Path)),
    responses((status = 200, body = PolicyDetail), (status = 404)))]
pub async fn api_show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<PolicyDetail>> {
    Ok(Json(detail(&state, &user, parse_id(&id)?).await?))
}
