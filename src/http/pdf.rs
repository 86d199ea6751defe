//! Documents as PDF: the risk-management agency's evaluation report, a claim's file and the
//! bureau's monthly report. Each reads exactly what its page reads, under the same tenant
//! context, so a document obeys the page's authorization; the layout is `crate::typeset`.

use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use super::AppState;
use super::analytics::{self, AnalyticsQuery};
use super::claims;
use super::error::{AppError, AppResult};
use super::extract::CurrentUser;
use super::forms::parse_id;
use crate::domain::analytics::Party;
use crate::i18n::Lang;
use crate::storage::reports as report_store;
use crate::typeset::{Column, Pdf, TypesetError};
use crate::views::PageContext;

/// Documents typeset at once: subsetting a CJK font is CPU- and memory-hungry, so a burst of
/// downloads queues here rather than multiplying both.
static TYPESETTERS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Typesets off the async workers and answers with the file, named `name`.pdf.
async fn download(pdf: Pdf, name: &str) -> AppResult<Response> {
    let _turn = TYPESETTERS
        .acquire()
        .await
        .map_err(|err| AppError::Internal(err.into()))?;
    let bytes = tokio::task::spawn_blocking(move || pdf.render())
        .await
        .map_err(|err| AppError::Internal(err.into()))?
        .map_err(|err| match err {
            TypesetError::NoFont => {
                tracing::error!("{err}");
                AppError::Unavailable
            }
            TypesetError::Pdf(_) => AppError::Internal(err.into()),
        })?;
    let file: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok((
        [
            (CONTENT_TYPE, "application/pdf".to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}.pdf\""),
            ),
            (CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

fn document(ctx: &PageContext, title: &str) -> Pdf {
    Pdf::new(
        title,
        ctx.t("pdf.running_head"),
        &format!("{} {}", ctx.t("pdf.generated"), ctx.time(&Utc::now())),
        ctx.lang_code(),
    )
}

fn strings<const N: usize>(cells: [String; N]) -> Vec<String> {
    cells.into()
}

/// The agency's process, stage or final evaluation report, as issued.
pub async fn report(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = parse_id(&id)?;
    let mut tx = user.begin(&state.pool).await?;
    let r = report_store::find(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    let ctx = PageContext::signed_in(lang, &user, "/reports");
    let title = format!("{}{}", r.project_name, ctx.label("report_title", &r.kind));
    let mut pdf = document(&ctx, &title);
    pdf.subtitle(&format!(
        "{} · {}：{} · {}：{}",
        r.agency_name_zh,
        ctx.t("reports.number"),
        r.number,
        ctx.t("reports.issued_at"),
        ctx.time(&r.created_at)
    ))
    .fields(vec![
        (ctx.t("projects.name").to_owned(), r.project_name.clone()),
        (ctx.t("org.district").to_owned(), r.district_name_zh.clone()),
        (
            ctx.t("projects.developer").to_owned(),
            r.developer_name_zh.clone(),
        ),
        (ctx.t("policy.agency").to_owned(), r.agency_name_zh.clone()),
    ])
    .heading(&format!(
        "{}（{}）",
        ctx.t("reports.open_items"),
        r.items.len()
    ))
    .table(
        vec![
            Column::number("#", 0.35),
            Column::text(ctx.t("inspections.level"), 1.0),
            Column::text(ctx.t("inspections.location"), 1.3),
            Column::text(ctx.t("inspections.section"), 1.5),
            Column::text(ctx.t("inspections.description"), 2.8),
            Column::text(ctx.t("orders.number"), 1.6),
            Column::text(ctx.t("orders.deadline"), 1.15),
        ],
        r.items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let level = if item.level == item.original_level {
                    item.level.clone()
                } else {
                    format!(
                        "{}（{} {}）",
                        item.level,
                        ctx.t("reports.originally"),
                        item.original_level
                    )
                };
                strings([
                    (i + 1).to_string(),
                    level,
                    item.location.clone(),
                    ctx.label("section", &item.section_code).to_owned(),
                    item.description.clone(),
                    item.order_number.clone().unwrap_or_else(|| "—".into()),
                    ctx.opt_date(&item.deadline),
                ])
            })
            .collect(),
        ctx.t("reports.no_open_items"),
    )
    .heading(ctx.t("reports.conclusion"))
    .paragraph(&r.conclusion);
    if r.status != "issued" {
        pdf.heading(ctx.t("reports.review")).paragraph(&format!(
            "{} · {}\n{}",
            ctx.label("report_status", &r.status),
            ctx.opt_time(&r.reviewed_at),
            r.review_note.as_deref().unwrap_or("")
        ));
    }
    pdf.fields(vec![
        (
            ctx.t("reports.signed_agency").to_owned(),
            r.agency_name_zh.clone(),
        ),
        (
            ctx.t("reports.sign_date").to_owned(),
            ctx.time(&r.created_at),
        ),
    ]);
    download(pdf, &r.number).await
}

/// A claim's whole file: particulars, clocks, timeline, quotes, payments, co-insurers' shares,
/// the construction-period findings on the same building, and the recovery if there is one.
pub async fn claim_file(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let d = claims::detail(&state, &user, parse_id(&id)?).await?;
    let ctx = PageContext::signed_in(lang, &user, "/claims");
    let c = &d.claim.claim;
    let place = match (&c.unit_number, c.manager_org_id) {
        (_, Some(_)) => ctx.t("claims.common_area").to_owned(),
        (Some(unit), None) => unit.clone(),
        (None, None) => String::new(),
    };
    let mut pdf = document(&ctx, &format!("{} {}", ctx.t("pdf.claim_file"), c.number));
    pdf.subtitle(&format!(
        "{} · {} {} · {}",
        c.project_name, c.building_name, place, c.owner_name
    ))
    .figures(vec![
        (
            ctx.t("claims.status").to_owned(),
            ctx.label("claim_status", &c.status).to_owned(),
        ),
        (
            ctx.t("claims.approved").to_owned(),
            ctx.opt_yuan(&c.approved_amount_fen),
        ),
        (ctx.t("claims.paid").to_owned(), ctx.yuan(&c.paid_fen)),
        (
            ctx.t("claims.reported_at").to_owned(),
            ctx.time(&c.reported_at),
        ),
    ])
    .heading(ctx.t("pdf.particulars"))
    .fields(
        [
            (ctx.t("claims.number"), c.number.clone()),
            (ctx.t("claims.claimant"), c.owner_name.clone()),
            (
                ctx.t("projects.name"),
                format!("{} · {} {}", c.project_name, c.building_name, place),
            ),
            (
                ctx.t("claims.component"),
                ctx.label("component", &c.component).to_owned(),
            ),
            (ctx.t("claims.location"), c.location.clone()),
            (ctx.t("claims.description"), c.description.clone()),
            (
                ctx.t("pdf.verdict"),
                format!(
                    "{}（{}）",
                    ctx.label("verdict", c.cover_verdict.code()),
                    ctx.label("section", &c.section_code)
                ),
            ),
            (
                ctx.t("claims.fast"),
                ctx.t(if c.fast_channel { "pdf.yes" } else { "pdf.no" })
                    .to_owned(),
            ),
            (ctx.t("pdf.lead_insurer"), c.lead_insurer_name_zh.clone()),
        ]
        .into_iter()
        .chain(c.surveyor.clone().map(|s| (ctx.t("pdf.surveyor"), s)))
        .chain(
            c.survey_report
                .clone()
                .map(|s| (ctx.t("claims.survey_report"), s)),
        )
        .chain(c.reject_reason.as_deref().map(|r| {
            (
                ctx.t("claims.reason"),
                ctx.label("reject_reason", r).to_owned(),
            )
        }))
        .chain(
            c.repair_contractor
                .clone()
                .map(|r| (ctx.t("claims.contractor"), r)),
        )
        .map(|(label, value)| (label.to_owned(), value))
        .collect(),
    )
    .heading(ctx.t("claims.sla"))
    .fields(
        d.claim
            .deadlines
            .contact_by
            .map(|at| (ctx.t("claims.contact_by"), ctx.time(&at)))
            .into_iter()
            .chain([
                (
                    ctx.t(if c.fast_channel {
                        "claims.on_site_by"
                    } else {
                        "claims.survey_by"
                    }),
                    ctx.time(&d.claim.deadlines.survey_by),
                ),
                (
                    ctx.t("claims.decision_by"),
                    ctx.time(&d.claim.deadlines.decision_by),
                ),
                (
                    ctx.t("pdf.breaches"),
                    if d.claim.breaches.is_empty() {
                        ctx.t("pdf.none").to_owned()
                    } else {
                        d.claim
                            .breaches
                            .iter()
                            .map(|b| ctx.label("breach", b))
                            .collect::<Vec<_>>()
                            .join("、")
                    },
                ),
            ])
            .map(|(label, value)| (label.to_owned(), value))
            .collect(),
    )
    .heading(ctx.t("claims.timeline"))
    .table(
        vec![
            Column::text(ctx.t("pdf.time"), 1.3),
            Column::text(ctx.t("pdf.step"), 1.1),
            Column::text(ctx.t("pdf.record"), 4.0),
        ],
        d.events
            .iter()
            .map(|e| {
                strings([
                    ctx.time(&e.created_at),
                    ctx.label("claim_status", &e.kind).to_owned(),
                    e.text.clone(),
                ])
            })
            .collect(),
        ctx.t("pdf.none"),
    );
    if !d.quotes.is_empty() {
        pdf.heading(ctx.t("claims.quotes")).table(
            vec![
                Column::text(ctx.t("claims.contractor"), 1.5),
                Column::text(ctx.t("claims.quote_scope"), 3.0),
                Column::number(ctx.t("claims.quote_amount"), 1.2),
                Column::text(ctx.t("claims.quote_ordered"), 0.8),
            ],
            d.quotes
                .iter()
                .map(|q| {
                    strings([
                        q.contractor.clone(),
                        q.scope.clone(),
                        ctx.yuan(&q.amount_fen),
                        if c.repair_quote_id == Some(q.id) {
                            "✓".into()
                        } else {
                            String::new()
                        },
                    ])
                })
                .collect(),
            ctx.t("pdf.none"),
        );
    }
    pdf.heading(ctx.t("pdf.payments")).table(
        vec![
            Column::text(ctx.t("pdf.time"), 1.3),
            Column::text(ctx.t("claims.payee"), 2.5),
            Column::number(ctx.t("claims.amount"), 1.2),
        ],
        d.payments
            .iter()
            .map(|p| {
                strings([
                    ctx.time(&p.paid_at),
                    p.payee.clone(),
                    ctx.yuan(&p.amount_fen),
                ])
            })
            .collect(),
        ctx.t("pdf.none"),
    );
    if !d.shares.is_empty() {
        pdf.heading(ctx.t("claims.shares")).table(
            vec![
                Column::text(ctx.t("analytics.insurer"), 3.0),
                Column::number(ctx.t("pdf.share"), 1.0),
                Column::number(ctx.t("claims.paid"), 1.2),
            ],
            d.shares
                .iter()
                .map(|s| {
                    let lead = if s.is_lead {
                        format!("（{}）", ctx.t("policy.lead"))
                    } else {
                        String::new()
                    };
                    strings([
                        format!("{}{lead}", s.insurer_name_zh),
                        ctx.bp(&s.share_bp),
                        ctx.yuan(&s.paid_fen),
                    ])
                })
                .collect(),
            ctx.t("pdf.none"),
        );
    }
    pdf.heading(ctx.t("claims.earlier_findings")).table(
        vec![
            Column::text(ctx.t("pdf.date"), 1.1),
            Column::text(ctx.t("inspections.level"), 0.7),
            Column::text(ctx.t("inspections.location"), 1.5),
            Column::text(ctx.t("inspections.description"), 3.0),
            Column::text(ctx.t("pdf.outcome"), 1.3),
        ],
        d.earlier_findings
            .iter()
            .map(|f| {
                strings([
                    f.inspected_on.to_string(),
                    f.original_level.clone(),
                    f.location.clone(),
                    f.description.clone(),
                    ctx.t(if f.status == "closed" {
                        "claims.flagged_fixed"
                    } else {
                        "claims.flagged_open"
                    })
                    .to_owned(),
                ])
            })
            .collect(),
        ctx.t("claims.never_flagged"),
    );
    if let Some(sub) = &d.subrogation {
        pdf.heading(ctx.t("subrogation.title")).fields(vec![
            (
                ctx.t("subrogation.against").to_owned(),
                sub.case.against_party.clone(),
            ),
            (
                ctx.t("subrogation.basis").to_owned(),
                sub.case.basis.clone(),
            ),
            (
                ctx.t("subrogation.claimed").to_owned(),
                ctx.yuan(&sub.case.claimed_fen),
            ),
            (
                ctx.t("subrogation.recovered").to_owned(),
                ctx.yuan(&sub.case.recovered_fen),
            ),
        ]);
    }
    download(pdf, &c.number).await
}

/// The bureau's monthly report: the analytics page's figures over the last 30 days (whole
/// weeks), for one of its districts or all of them.
pub async fn monthly(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Query(q): Query<AnalyticsQuery>,
) -> AppResult<Response> {
    let q = AnalyticsQuery {
        days: Some(30),
        league: Some(Party::Developer.as_str().to_owned()),
        ..q
    };
    let f = analytics::figures(&state, &user, &q).await?;
    let a = &f.a;
    let ctx = PageContext::signed_in(lang, &user, "/analytics");
    let place = f.chosen_district().map_or_else(
        || ctx.t("analytics.all_districts").to_owned(),
        |d| match lang {
            Lang::Zh => d.name_zh.clone(),
            Lang::En => d.name_en.clone(),
        },
    );
    let mut pdf = document(&ctx, ctx.t("pdf.monthly"));
    pdf.subtitle(&format!(
        "{} · {} · {} {} {} {}（{} {}）",
        ctx.org_name(),
        place,
        ctx.t("analytics.window"),
        ctx.t("analytics.last"),
        a.window_days,
        ctx.t("analytics.days"),
        ctx.t("pdf.as_of"),
        super::projects::today()
    ))
    .figures(vec![
        (
            ctx.t("analytics.open_severe").to_owned(),
            a.open_severe.to_string(),
        ),
        (
            ctx.t("analytics.closure_severe").to_owned(),
            ctx.pct(&a.closure_severe_pct),
        ),
        (
            ctx.t("analytics.median_severe").to_owned(),
            a.median_days_severe.clone().unwrap_or_else(|| "—".into()),
        ),
        (
            ctx.t("analytics.projects").to_owned(),
            a.projects.to_string(),
        ),
        (
            ctx.t("analytics.closure_all").to_owned(),
            ctx.pct(&a.closure_pct),
        ),
        (
            ctx.t("analytics.median_all").to_owned(),
            a.median_days.clone().unwrap_or_else(|| "—".into()),
        ),
    ])
    .paragraph(&format!(
        "{}；{}",
        ctx.t("analytics.closure_hint"),
        ctx.t("analytics.median_hint")
    ))
    .heading(ctx.t("analytics.projects_by_stage"));
    let stages = analytics::stages();
    let housing = analytics::housing();
    pdf.table(
        std::iter::once(Column::text(ctx.t("projects.housing_type"), 1.6))
            .chain(
                stages
                    .iter()
                    .map(|s| Column::number(ctx.label("stage", s), 1.0)),
            )
            .collect(),
        housing
            .iter()
            .zip(&a.projects_by_stage)
            .map(|(h, counts)| {
                std::iter::once(ctx.label("housing", h).to_owned())
                    .chain(counts.iter().map(i64::to_string))
                    .collect()
            })
            .collect(),
        ctx.t("pdf.none"),
    )
    .heading(ctx.t("analytics.findings_by_level"))
    .table(
        vec![
            Column::text(ctx.t("analytics.level"), 2.5),
            Column::number(ctx.t("analytics.open"), 1.0),
            Column::number(ctx.t("analytics.closed"), 1.0),
        ],
        analytics::levels()
            .iter()
            .zip(a.open_by_level.iter().zip(&a.closed_by_level))
            .map(|(l, (open, closed))| {
                strings([
                    ctx.label("level", l).to_owned(),
                    open.to_string(),
                    closed.to_string(),
                ])
            })
            .collect(),
        ctx.t("pdf.none"),
    )
    .heading(ctx.t("analytics.insurer_league"))
    .table(
        vec![
            Column::text(ctx.t("analytics.insurer"), 3.0),
            Column::number(ctx.t("analytics.claims"), 1.0),
            Column::number(ctx.t("analytics.open"), 1.0),
            Column::number(ctx.t("analytics.on_time"), 1.2),
        ],
        a.insurers
            .iter()
            .map(|i| {
                strings([
                    i.insurer_name_zh.clone(),
                    i.claims.to_string(),
                    i.open.to_string(),
                    ctx.pct(&i.on_time_pct()),
                ])
            })
            .collect(),
        ctx.t("pdf.none"),
    )
    .heading(ctx.t("analytics.most_overdue"))
    .table(
        vec![
            Column::text(ctx.t("orders.number"), 1.6),
            Column::text(ctx.t("analytics.level"), 0.7),
            Column::text(ctx.t("projects.name"), 2.0),
            Column::text(ctx.t("projects.developer"), 2.2),
            Column::text(ctx.t("orders.deadline"), 1.1),
            Column::number(ctx.t("analytics.days_overdue"), 1.0),
        ],
        a.most_overdue
            .iter()
            .map(|o| {
                strings([
                    o.number.clone(),
                    o.level.clone(),
                    o.project_name.clone(),
                    o.developer_name_zh.clone(),
                    o.deadline.to_string(),
                    (super::projects::today() - o.deadline)
                        .num_days()
                        .to_string(),
                ])
            })
            .collect(),
        ctx.t("pdf.none"),
    );
    pdf.heading(&format!(
        "{}（{}）",
        ctx.t("league.title"),
        ctx.label("league_party", a.league_party)
    ))
    .paragraph(ctx.t("league.hint_print"))
    .table(
        vec![
            Column::text(ctx.label("league_party", a.league_party), 2.6),
            Column::number(ctx.t("league.projects"), 0.8),
            Column::number(ctx.t("league.area"), 1.2),
            Column::number(ctx.t("league.defects_density"), 1.2),
            Column::number(ctx.t("league.severe_density"), 1.1),
            Column::number(ctx.t("league.on_time"), 1.1),
            Column::number(ctx.t("league.claims_density"), 1.1),
        ],
        a.league
            .iter()
            .take(20)
            .map(|r| {
                strings([
                    r.name_zh.clone(),
                    r.projects.to_string(),
                    ctx.wan_m2(&r.floor_area_m2),
                    ctx.rate(&r.defects_per_10k_m2()),
                    ctx.rate(&r.severe_per_10k_m2()),
                    ctx.pct(&r.on_time_pct()),
                    ctx.rate(&r.claims_per_1000_units()),
                ])
            })
            .collect(),
        ctx.t("pdf.none"),
    );
    download(pdf, &format!("monthly-{}", super::projects::today())).await
}
