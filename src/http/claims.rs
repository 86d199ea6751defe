//! Owners' claims after handover. The owner reports defects on a bound unit (the platform checks
//! cover at once and routes daily-life problems to the fast channel); the lead
//! insurer surveys, decides, orders the repair and pays — once, however often the payment request
//! is sent — after the owner signs the repair confirmation.

use askama::Template;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::AppState;
use super::api::Listed;
use super::claim_queue::{
    ClaimLineView, ClaimView, QUEUE_PAGE, queue_page, queue_whole, queue_window, view,
};
use super::error::{AppError, AppResult, FieldError};
use super::extract::{AppForm, AppJson, CurrentUser, RequestId};
use super::forms::{Checker, DoneQuery, after_form, failure_parts, parse_id, see_other};
use super::pager::PageQuery;
use super::projects::today;
use super::units::{cover, unit_page};
use super::uploads::{Photo, Upload};
use crate::domain::claims::{
    ClaimAction, ClaimStatus, ClockBasis, CoverVerdict, REJECTION_REASONS, check_cover,
    check_repair_quote, claim_transition, clocks_after_step, component, deadlines, is_claimant,
};
use crate::domain::money::split_by_shares;
use crate::domain::policy::PolicyStatus;
use crate::domain::tenancy::{OrgKind, UserRole};
use crate::i18n::Lang;
use crate::storage::claims::{
    self as store, ClaimChanges, ClaimEvent, EarlierFinding, NewClaim, Payment, RepairQuote,
};
use crate::storage::{audit, policies, projects as project_store, rules};
use crate::views::{PageContext, render, render_status};

// ----- reporting a claim ----------------------------------------------------------------------
pub struct ReportInput<'a> {
    pub component: &'a str,
    pub location: &'a str,
    pub description: &'a str,
}

pub(super) fn report_input(upload: &Upload) -> ReportInput<'_> {
    ReportInput {
        component: upload.field("component"),
        location: upload.field("location"),
        description: upload.field("description"),
    }
}

/// Where the defect is: in the reporting owner's unit, or in a common area of a building of a
/// project the reporting property manager serves.
#[derive(Clone, Copy)]
pub enum Place<'a> {
    Unit(Uuid),
    CommonArea { project: Uuid, building: &'a str },
}

/// Who reports, where, and what the policy covers there.
struct Site {
    project: project_store::Project,
    unit_id: Option<Uuid>,
    building_id: Uuid,
    policy_id: Uuid,
    periods: Vec<crate::domain::rules::CoverPeriod>,
    exclusions: Vec<String>,
}

async fn site(
    conn: &mut sqlx::PgConnection,
    user: &CurrentUser,
    place: Place<'_>,
    form: &mut Checker,
) -> AppResult<Option<Site>> {
    let (project, unit_id, building, policy_id) = match place {
        Place::Unit(id) => {
            if user.role != UserRole::Owner {
                return Err(AppError::Forbidden);
            }
            let unit = store::unit(conn, id).await?.ok_or(AppError::NotFound)?;
            let project = project_store::project(conn, unit.project_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let building = (unit.building_id, unit.building_name);
            (project, Some(unit.id), Some(building), unit.policy_id)
        }
        Place::CommonArea { project, building } => {
            if user.org_kind() != Some(OrgKind::PropertyManager) {
                return Err(AppError::Forbidden);
            }
            let project = project_store::project(conn, project)
                .await?
                .ok_or(AppError::NotFound)?;
            let wanted = Uuid::parse_str(building.trim()).ok();
            let found = project_store::buildings(conn, project.id)
                .await?
                .into_iter()
                .find(|b| Some(b.id) == wanted)
                .map(|b| (b.id, b.name));
            form.check(found.is_some(), "building_id", "policy.unknown_building");
            let issued = project
                .policy_status
                .as_deref()
                .and_then(PolicyStatus::parse)
                .is_some_and(PolicyStatus::is_issued);
            let policy_id = project.policy_id.filter(|_| issued);
            (project, None, found, policy_id)
        }
    };
    let Some(policy_id) = policy_id else {
        return Err(AppError::Conflict("claims.no_policy"));
    };
    let Some((building_id, building_name)) = building else {
        return Ok(None);
    };
    let cover = cover(
        conn,
        Some(policy_id),
        &building_name,
        project.completion_date,
    )
    .await?;
    Ok(Some(Site {
        project,
        unit_id,
        building_id,
        policy_id,
        periods: cover.periods,
        exclusions: cover.exclusions,
    }))
}

/// Reports a defect: cover is checked at once, daily-life problems take the fast channel.
/// Returns the claim and the verdict.
pub async fn report(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    place: Place<'_>,
    input: &ReportInput<'_>,
    photos: &[Photo],
) -> AppResult<(Uuid, CoverVerdict)> {
    let mut tx = user.begin(&state.pool).await?;
    let mut form = Checker::default();
    let site = site(&mut tx, user, place, &mut form).await?;
    let found = component(input.component.trim());
    form.check(found.is_some(), "component", "claims.bad_component");
    let location = form.text("location", input.location, 1, 200);
    let description = form.text("description", input.description, 2, 4000);
    form.finish()?;
    let (Some(site), Some((section, fast))) = (site, found) else {
        return Err(AppError::NotFound);
    };
    let policy = policies::find(&mut tx, site.policy_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let verdict = check_cover(&site.periods, &site.exclusions, section, today());
    let pack = rules::find(&mut tx, policy.rule_pack_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let reported_at = chrono::Utc::now();
    let manager_org = match place {
        Place::Unit(_) => None,
        Place::CommonArea { .. } => user.org.as_ref().map(|o| o.id),
    };
    let id = store::insert_claim(
        &mut tx,
        &NewClaim {
            unit_id: site.unit_id,
            building_id: site.building_id,
            project: &site.project,
            policy_id: site.policy_id,
            lead_insurer_org_id: policy.lead_insurer_org_id,
            owner: manager_org.is_none().then_some(user.user_id),
            manager_org,
            owner_name: &user.display_name,
            component: input.component.trim(),
            section_code: section,
            location: &location,
            description: &description,
            fast_channel: fast,
            verdict: &verdict,
            reported_at,
            deadlines: deadlines(&pack.params, reported_at, fast, false),
        },
    )
    .await?;
    let event = store::add_event(&mut tx, id, "reported", &description, user.user_id).await?;
    let hashes = attach(&mut tx, user, &site.project, event, photos).await?;
    audit::record(&mut tx, user, request_id, audit::Entry {
        action: "claim.reported",
        entity_type: "claim",
        entity_id: Some(id),
        before: None,
        after: Some(serde_json::json!({ "unit": site.unit_id, "building": site.building_id,
            "common_area": manager_org.is_some(), "component": input.component.trim(), "section": section,
            "fast_channel": fast, "cover": verdict.code(), "photos_sha256": hashes })),
    })
    .await?;
    tx.commit().await?;
    Ok((id, verdict))
}

async fn attach(
    conn: &mut sqlx::PgConnection,
    user: &CurrentUser,
    project: &project_store::Project,
    event: Uuid,
    photos: &[Photo],
) -> AppResult<Vec<String>> {
    let mut hashes = Vec::new();
    for photo in photos {
        sqlx::query(
            "INSERT INTO evidence_photos (project_id, district_id, developer_org_id, claim_event_id, content_type, bytes, sha256, \
                                          size_bytes, original_name, uploaded_by, uploaded_by_org) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, left($9, 200), $10, $11)",
        )
        .bind(project.id)
        .bind(project.district_id)
        .bind(project.developer_org_id)
        .bind(event)
        .bind(photo.kind.content_type())
        .bind(&photo.bytes)
        .bind(&photo.sha256)
        .bind(i32::try_from(photo.bytes.len()).unwrap_or(i32::MAX))
        .bind(&photo.original_name)
        .bind(user.user_id)
        .bind(user.org.as_ref().map(|o| o.id))
        .execute(&mut *conn)
        .await?;
        hashes.push(hex::encode(&photo.sha256));
    }
    Ok(hashes)
}

// ----- handling a claim -----------------------------------------------------------------------

/// One step of the claim by its lead insurer or its owner, through the one transition function.
async fn step(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    id: Uuid,
    action: ClaimAction,
    changes: ClaimChanges<'_>,
    note: &str,
) -> AppResult<()> {
    let mut tx = user.begin(&state.pool).await?;
    let claim = store::claim(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let owner_action = matches!(
        action,
        ClaimAction::OwnerConfirm | ClaimAction::ProvideInfo | ClaimAction::Dispute
    );
    let allowed = if owner_action {
        is_claimant(
            claim.owner_user_id,
            claim.manager_org_id,
            user.user_id,
            user.org.as_ref().map(|o| o.id),
        )
    } else {
        user.org.as_ref().map(|o| o.id) == Some(claim.lead_insurer_org_id)
    };
    if !allowed {
        return Err(AppError::Forbidden);
    }
    let from =
        ClaimStatus::parse(&claim.status).ok_or(AppError::Conflict("claims.transition_refused"))?;
    let to =
        claim_transition(from, action).ok_or(AppError::Conflict("claims.transition_refused"))?;
    let pack = rules::find(&mut tx, claim.rule_pack_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let basis = ClockBasis {
        runs_from: claim.reopened_at.unwrap_or(claim.reported_at),
        fast: claim.fast_channel,
        complex: claim.complex,
    };
    let complex = changes.complex.unwrap_or(claim.complex);
    let (reopened_at, deadlines) =
        clocks_after_step(&pack.params, from, to, basis, complex, chrono::Utc::now()).unzip();
    let changes = ClaimChanges {
        reopened_at: reopened_at.flatten(),
        deadlines,
        ..changes
    };
    if let Some(quote) = changes.repair_quote_id {
        let amount = store::quotes(&mut tx, claim.id)
            .await?
            .into_iter()
            .find(|q| q.id == quote)
            .map(|q| q.amount_fen);
        check_repair_quote(amount, claim.approved_amount_fen)
            .map_err(|message| AppError::field("quote_id", message))?;
    }
    if !store::transition(&mut tx, &claim, to.as_str(), changes).await? {
        return Err(AppError::Conflict("stale"));
    }
    store::add_event(&mut tx, claim.id, to.as_str(), note, user.user_id).await?;
    audit::record(
        &mut tx,
        user,
        request_id,
        audit::Entry {
            action: "claim.status_changed",
            entity_type: "claim",
            entity_id: Some(claim.id),
            before: Some(serde_json::json!({ "status": claim.status })),
            after: Some(serde_json::json!({ "status": to.as_str(), "note": note })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Every insurer or owner action on a claim, from a form or JSON body.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionInput {
    /// assign: the surveyor (insurer staff or the agency).
    #[serde(default)]
    pub surveyor: String,
    /// survey: the survey report; sign/info/repaired/dispute/uphold/reopen: a note (required for
    /// info, dispute, uphold and reopen).
    #[serde(default)]
    pub text: String,
    /// survey: "true" when the case is complex (decision within 30 days instead of 7).
    #[serde(default)]
    pub complex: String,
    /// decide: approve | reject | more_info
    #[serde(default)]
    pub decision: String,
    /// decide/approve: the approved amount in yuan.
    #[serde(default)]
    pub amount_yuan: String,
    /// decide/reject: a coded reason.
    #[serde(default)]
    pub reason: String,
    /// repair: the id of the quote the repair is ordered on (its contractor does the work).
    #[serde(default)]
    pub quote_id: String,
}

pub async fn act(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    id: Uuid,
    verb: &str,
    input: &ActionInput,
) -> AppResult<()> {
    let mut form = Checker::default();
    match verb {
        "assign" => {
            let surveyor = form.text("surveyor", &input.surveyor, 1, 100);
            form.finish()?;
            step(
                state,
                user,
                request_id,
                id,
                ClaimAction::AssignSurveyor,
                ClaimChanges {
                    surveyor: Some(&surveyor),
                    ..Default::default()
                },
                &surveyor,
            )
            .await
        }
        "survey" => {
            let report = form.text("text", &input.text, 2, 4000);
            form.finish()?;
            let complex = matches!(input.complex.trim(), "true" | "on" | "1");
            step(
                state,
                user,
                request_id,
                id,
                ClaimAction::RecordSurvey,
                ClaimChanges {
                    survey_report: Some(&report),
                    complex: Some(complex),
                    ..Default::default()
                },
                &report,
            )
            .await
        }
        "decide" => {
            let note = form.text("text", &input.text, 0, 2000);
            match input.decision.trim() {
                "approve" => {
                    let amount = form.yuan("amount_yuan", &input.amount_yuan);
                    form.finish()?;
                    step(
                        state,
                        user,
                        request_id,
                        id,
                        ClaimAction::Approve,
                        ClaimChanges {
                            approved_amount_fen: Some(amount),
                            ..Default::default()
                        },
                        &note,
                    )
                    .await
                }
                "reject" => {
                    let reason = input.reason.trim();
                    form.check(
                        REJECTION_REASONS.contains(&reason),
                        "reason",
                        "claims.bad_reason",
                    );
                    form.finish()?;
                    step(
                        state,
                        user,
                        request_id,
                        id,
                        ClaimAction::Reject,
                        ClaimChanges {
                            reject_reason: Some(reason),
                            ..Default::default()
                        },
                        &note,
                    )
                    .await
                }
                "more_info" => {
                    form.check(!note.is_empty(), "text", "form.required");
                    form.finish()?;
                    step(
                        state,
                        user,
                        request_id,
                        id,
                        ClaimAction::AskMoreInfo,
                        ClaimChanges::default(),
                        &note,
                    )
                    .await
                }
                _ => Err(AppError::field("decision", "claims.bad_decision")),
            }
        }
        "repair" => {
            let quote = Uuid::parse_str(input.quote_id.trim()).ok();
            form.check(quote.is_some(), "quote_id", "claims.pick_quote");
            form.finish()?;
            step(
                state,
                user,
                request_id,
                id,
                ClaimAction::OrderRepair,
                ClaimChanges {
                    repair_quote_id: quote,
                    ..Default::default()
                },
                input.text.trim(),
            )
            .await
        }
        "repaired" => {
            step(
                state,
                user,
                request_id,
                id,
                ClaimAction::CompleteRepair,
                ClaimChanges::default(),
                input.text.trim(),
            )
            .await
        }
        "sign" => {
            step(
                state,
                user,
                request_id,
                id,
                ClaimAction::OwnerConfirm,
                ClaimChanges::default(),
                input.text.trim(),
            )
            .await
        }
        "info" | "dispute" | "uphold" | "reopen" => {
            let text = form.text("text", &input.text, 2, 4000);
            form.finish()?;
            let action = match verb {
                "info" => ClaimAction::ProvideInfo,
                "dispute" => ClaimAction::Dispute,
                "uphold" => ClaimAction::Uphold,
                _ => ClaimAction::Reopen,
            };
            step(
                state,
                user,
                request_id,
                id,
                action,
                ClaimChanges::default(),
                &text,
            )
            .await
        }
        _ => Err(AppError::NotFound),
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteInput {
    /// The repair contractor.
    pub contractor: String,
    pub amount_yuan: String,
    /// What it will repair, and how.
    pub scope: String,
}

/// The lead insurer records a repair contractor's quote on an approved claim; the repair is
/// then ordered on one of the quotes.
pub async fn add_quote(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    id: Uuid,
    input: &QuoteInput,
) -> AppResult<Uuid> {
    let mut form = Checker::default();
    let contractor = form.text("contractor", &input.contractor, 1, 100);
    let amount = form.yuan("amount_yuan", &input.amount_yuan);
    let scope = form.text("scope", &input.scope, 2, 2000);
    let mut tx = user.begin(&state.pool).await?;
    let claim = store::claim(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    if user.org.as_ref().map(|o| o.id) != Some(claim.lead_insurer_org_id) {
        return Err(AppError::Forbidden);
    }
    form.finish()?;
    if !ClaimStatus::parse(&claim.status).is_some_and(ClaimStatus::takes_quotes) {
        return Err(AppError::Conflict("claims.quotes_closed"));
    }
    let quote =
        store::insert_quote(&mut tx, &claim, &contractor, amount, &scope, user.user_id).await?;
    let note = format!("{contractor} {}", crate::domain::money::format_yuan(amount));
    store::add_event(&mut tx, claim.id, "quoted", &note, user.user_id).await?;
    audit::record(
        &mut tx,
        user,
        request_id,
        audit::Entry {
            action: "claim.repair_quoted",
            entity_type: "claim",
            entity_id: Some(claim.id),
            before: None,
            after: Some(serde_json::json!({ "quote": quote, "contractor": contractor, "amount_fen": amount })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(quote)
}

// ----- reading --------------------------------------------------------------------------------

async fn list(state: &AppState, user: &CurrentUser) -> AppResult<Vec<ClaimView>> {
    let mut tx = user.begin(&state.pool).await?;
    let views = queue_whole(&mut tx).await?;
    tx.commit().await?;
    Ok(views)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ClaimDetail {
    pub claim: ClaimView,
    pub events: Vec<ClaimEvent>,
    /// Repair contractors' quotes, cheapest first; `claim.repair_quote_id` names the ordered one.
    pub quotes: Vec<RepairQuote>,
    pub payments: Vec<Payment>,
    /// Earlier TIS findings on the same building and cover section: flagged and fixed, flagged
    /// and not fixed — or none (never flagged).
    pub earlier_findings: Vec<EarlierFinding>,
    /// What each insurer of the policy bears of the amount paid, by its co-insurance share.
    pub shares: Vec<ClaimShare>,
    /// The insurer's recovery from the responsible party, once paid (not shown to the owner).
    pub subrogation: Option<super::subrogation::SubrogationView>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ClaimShare {
    pub insurer_name_zh: String,
    pub is_lead: bool,
    pub share_bp: i32,
    pub paid_fen: i64,
}

pub(super) async fn detail(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
) -> AppResult<ClaimDetail> {
    let mut tx = user.begin(&state.pool).await?;
    let claim = store::claim(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let events = store::events(&mut tx, id).await?;
    let quotes = store::quotes(&mut tx, id).await?;
    let payments = store::payments(&mut tx, id).await?;
    let earlier_findings = store::earlier_findings(&mut tx, &claim).await?;
    let insurers = policies::shares(&mut tx, claim.policy_id).await?;
    let bps: Vec<i64> = insurers.iter().map(|s| i64::from(s.share_bp)).collect();
    let parts = split_by_shares(claim.paid_fen, &bps).unwrap_or_default();
    let shares = insurers
        .into_iter()
        .zip(parts)
        .map(|(s, paid_fen)| ClaimShare {
            insurer_name_zh: s.insurer_name_zh,
            is_lead: s.is_lead,
            share_bp: s.share_bp,
            paid_fen,
        })
        .collect();
    let subrogation = super::subrogation::for_claim(&mut tx, claim.id).await?;
    let claim = view(claim);
    tx.commit().await?;
    Ok(ClaimDetail {
        claim,
        events,
        quotes,
        payments,
        earlier_findings,
        shares,
        subrogation,
    })
}

// ----- pages ----------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "claims/list.html")]
struct ListPage {
    ctx: PageContext,
    claims: Vec<ClaimLineView>,
    total: usize,
    page: usize,
    pages: usize,
    per_page: usize,
}

#[derive(Debug, Default, Deserialize)]
pub struct QueueQuery {
    pub format: Option<String>,
    pub page: Option<usize>,
}

pub async fn index(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    axum::extract::Query(q): axum::extract::Query<QueueQuery>,
) -> AppResult<Response> {
    let ctx = PageContext::signed_in(lang, &user, "/claims");
    if q.format.as_deref() == Some("xlsx") {
        let claims = list(&state, &user).await?;
        return claim_sheet(&ctx, &claims).download("claims.xlsx");
    }
    let mut tx = user.begin(&state.pool).await?;
    let page = queue_page(&mut tx, q.page.unwrap_or(1)).await?;
    tx.commit().await?;
    render(&ListPage {
        ctx,
        claims: page.claims,
        total: page.total,
        page: page.page,
        pages: page.pages,
        per_page: QUEUE_PAGE,
    })
}

fn claim_sheet(ctx: &PageContext, claims: &[ClaimView]) -> super::export::Sheet {
    use super::export::{Cell, Sheet};
    Sheet {
        rows: claims
            .iter()
            .map(|v| {
                let c = &v.claim;
                vec![
                    Cell::Text(c.number.clone()),
                    Cell::Text(c.project_name.clone()),
                    Cell::Text(format!(
                        "{} {}",
                        c.building_name,
                        c.unit_number
                            .as_deref()
                            .unwrap_or(ctx.t("claims.common_area"))
                    )),
                    Cell::Text(c.owner_name.clone()),
                    Cell::Text(ctx.label("component", &c.component).to_owned()),
                    Cell::Text(
                        if c.fast_channel {
                            ctx.t("claims.fast")
                        } else {
                            ""
                        }
                        .to_owned(),
                    ),
                    Cell::Text(ctx.time(&c.reported_at)),
                    Cell::Text(ctx.label("claim_status", &c.status).to_owned()),
                    c.approved_amount_fen
                        .map_or(Cell::Text(String::new()), Cell::yuan),
                    Cell::yuan(c.paid_fen),
                ]
            })
            .collect(),
        ..Sheet::localized(
            ctx,
            "nav.claims",
            &[
                "claims.number",
                "projects.name",
                "claims.unit",
                "claims.claimant",
                "claims.component",
                "claims.fast",
                "claims.reported_at",
                "claims.status",
                "claims.approved_yuan",
                "claims.paid_yuan",
            ],
        )
    }
}

#[derive(Template)]
#[template(path = "claims/detail.html")]
struct DetailPage {
    ctx: PageContext,
    d: ClaimDetail,
    is_lead: bool,
    is_owner: bool,
    is_open: bool,
    today: chrono::NaiveDate,
    reasons: &'static [&'static str],
    payment_key: String,
    notice: Option<&'static str>,
    errors: Vec<(usize, FieldError)>,
    error: Option<&'static str>,
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
    let is_lead = user.org.as_ref().map(|o| o.id) == Some(d.claim.claim.lead_insurer_org_id);
    let is_owner = is_claimant(
        d.claim.claim.owner_user_id,
        d.claim.claim.manager_org_id,
        user.user_id,
        user.org.as_ref().map(|o| o.id),
    );
    let is_open = ClaimStatus::parse(&d.claim.claim.status).is_some_and(ClaimStatus::is_open);
    let (status, errors, error) = failure_parts(failure)?;
    render_status(
        &DetailPage {
            ctx: PageContext::signed_in(lang, user, "/claims"),
            d,
            is_lead,
            is_owner,
            is_open,
            today: today(),
            reasons: &REJECTION_REASONS,
            payment_key: uuid::Uuid::new_v4().to_string(),
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
    detail_page(&state, lang, &user, parse_id(&id)?, notice, None).await
}

pub async fn action_form(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path((id, verb)): Path<(String, String)>,
    AppForm(input): AppForm<ActionInput>,
) -> AppResult<Response> {
    let id = parse_id(&id)?;
    let action = act(&state, &user, &request_id, id, &verb, &input);
    after_form(action, format!("/claims/{id}?done={verb}"), |err| {
        detail_page(&state, lang, &user, id, None, Some(err))
    })
    .await
}

pub async fn quote_form(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
    AppForm(input): AppForm<QuoteInput>,
) -> AppResult<Response> {
    let id = parse_id(&id)?;
    let action = async {
        add_quote(&state, &user, &request_id, id, &input)
            .await
            .map(|_| ())
    };
    after_form(action, format!("/claims/{id}?done=quote"), |err| {
        detail_page(&state, lang, &user, id, None, Some(err))
    })
    .await
}

pub async fn report_form(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
    upload: Upload,
) -> AppResult<Response> {
    let id = parse_id(&id)?;
    let input = report_input(&upload);
    match report(
        &state,
        &user,
        &request_id,
        Place::Unit(id),
        &input,
        &upload.photos,
    )
    .await
    {
        Ok((claim, _)) => Ok(see_other(&format!("/claims/{claim}?done=report"))),
        Err(err @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            unit_page(&state, lang, &user, id, None, Some(err)).await
        }
        Err(other) => Err(other),
    }
}

// ----- API ------------------------------------------------------------------------------------
/// The claims queue in the order claims need attention, a page at a time (at most its 1,000 most
/// urgent claims, as on the page).
#[utoipa::path(get, path = "/api/v1/claims", params(PageQuery),
    responses((status = 200, body = Listed<ClaimView>), (status = 422)))]
pub async fn api_list(
    State(state): State<AppState>,
    user: CurrentUser,
    axum::extract::Query(q): axum::extract::Query<PageQuery>,
) -> AppResult<Json<Listed<ClaimView>>> {
    let window = q.window()?;
    let mut tx = user.begin(&state.pool).await?;
    let page = queue_window(&mut tx, &window).await?;
    tx.commit().await?;
    Ok(Json(Listed {
        items: page.rows,
        next: page.next,
    }))
}

#[utoipa::path(get, path = "/api/v1/claims/{id}", params(("id" = Uuid, Path)), responses((status = 200, body = ClaimDetail), (status = 404)))]
pub async fn api_show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<ClaimDetail>> {
    Ok(Json(detail(&state, &user, parse_id(&id)?).await?))
}

/// A step on a claim: assign, survey, decide, repair, repaired, uphold, reopen (lead insurer);
/// sign, info, dispute (owner).
#[utoipa::path(post, path = "/api/v1/claims/{id}/{action}", params(("id" = Uuid, Path), ("action" = String, Path)), request_body = ActionInput,
    responses((status = 200, body = ClaimDetail), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn api_action(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path((id, verb)): Path<(String, String)>,
    AppJson(input): AppJson<ActionInput>,
) -> AppResult<Json<ClaimDetail>> {
    let id = parse_id(&id)?;
    act(&state, &user, &request_id, id, &verb, &input).await?;
    Ok(Json(detail(&state, &user, id).await?))
}

/// Records a repair contractor's quote on an approved claim (lead insurer).
#[utoipa::path(post, path = "/api/v1/claims/{id}/quotes", params(("id" = Uuid, Path)), request_body = QuoteInput,
    responses((status = 201, body = ClaimDetail), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn api_quote(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
    AppJson(input): AppJson<QuoteInput>,
) -> AppResult<Response> {
    let id = parse_id(&id)?;
    add_quote(&state, &user, &request_id, id, &input).await?;
    Ok((StatusCode::CREATED, Json(detail(&state, &user, id).await?)).into_response())
}

/// The owner reports a defect (multipart: component, location, description, photos).
#[utoipa::path(post, path = "/api/v1/units/{id}/claims", params(("id" = Uuid, Path)), request_body(content = String, content_type = "multipart/form-data"),
    responses((status = 201, body = ClaimDetail), (status = 403), (status = 404), (status = 409), (status = 413), (status = 415), (status = 422)))]
pub async fn api_report(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
    upload: Upload,
) -> AppResult<Response> {
    let input = report_input(&upload);
    let (claim, _) = report(
        &state,
        &user,
        &request_id,
        Place::Unit(parse_id(&id)?),
        &input,
        &upload.photos,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(detail(&state, &user, claim).await?),
    )
        .into_response())
}
